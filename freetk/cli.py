"""The ``freetk`` command line.

``freetk ntk`` runs the main job: the NTK law for a network (default: sigma = ReLU,
gamma1 = 1, gamma2 = 0.5, D = ±1), a Monte Carlo check, a CSV of the density, a PNG
plot with the support edges, and on request a JSON file of everything computed.
``freetk convolve``, ``freetk moments`` and ``freetk latex`` expose the algebra.

Exit status: 0 on success; 2 on wrong input (one line on stderr, checked before any
computation, output paths included); 1 when the law was computed and written but the
Monte Carlo check failed (one line on stderr says why).

Numbers on the command line are read exactly: ``1/3``, ``0.25`` (= 1/4), ``sqrt(2)``.
NaN, infinities and complex values are refused; names (symbols) are accepted only with
``--symbolic`` (commands ``moments``, ``convolve``, ``latex``).
"""
import argparse
import json
import os
import re
import sys
import time

import mpmath
import numpy as np
import sympy

from . import __version__
from . import latex as L
from . import montecarlo as _mc
from . import ntk as _ntk
from .convolution import free_add, free_mul
from .errors import FreetkError, InvalidArgument
from .hermite import ACTIVATIONS, hermite_data
from .measures import registry
from .measures.parameters import Sequence, Simplex

X = sympy.Symbol("x")

#: limits on sizes the command line accepts (larger requests are refused, not run for hours)
MAX_K = 200          # moments / cumulants printed
MAX_K_LATEX = 10     # symbolic NTK moments (m_10 has ~10^5 terms)
MAX_GRID = 1_000_000
MAX_DPS = 1000

MEASURE_HELP = " | ".join(f.spec() + (f" (alias {', '.join(f.aliases)})" if f.aliases else "")
                          for f in registry.FAMILIES.values())
D_LAW_HELP = ("law of the entries of D: " + " | ".join(registry.D_LAWS) + " | a measure " + MEASURE_HELP +
              " (numbers exact; atoms weights after '@', default equal; e.g. atoms:-2,0.5@1/3,2/3)")


class CliError(FreetkError):
    """Wrong command-line input (reported as one line, exit status 2)."""


# ----------------------------------------------------------------------------- parsing
#: what a number or an expression on the command line may contain (checked before sympy sees the text)
_TOKEN = re.compile(r"\s*(?:(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)|(?P<name>[A-Za-z][A-Za-z0-9]*)"
                    r"|(?P<op>\*\*|<=|>=|[-+*/^(),<>&|]))")
#: functions a number or an expression may call (any other name followed by "(" is refused)
_FUNCTIONS = {"sqrt", "cbrt", "exp", "log", "sin", "cos", "tan", "sinh", "cosh", "tanh", "asin", "acos", "atan",
              "asinh", "acosh", "atanh", "erf", "erfc", "Abs", "abs", "Max", "Min", "Heaviside", "sign", "Piecewise"}
#: constants sympy knows by name (they stay what they are; every other name is a symbol)
_CONSTANTS = {"pi", "E", "True", "False"}
#: names that are not finite real numbers
_NOT_REAL = {"nan", "oo", "zoo", "inf", "infinity", "j"}     # "I" (imaginary unit) is tested apart
MAX_TEXT = 1000          # characters of one number or expression
MAX_EXPONENT = 1000      # |e| of a decimal exponent (1e400 is a finite number; 1e10**9 would not finish)
MAX_POWER = 64           # |n| of an integer power `**n` / `^n`
MAX_POWERS = 3           # powers in one number or expression (no towers: 9**9**9 is refused)


def _tokens(text, where, what="number"):
    """Check ``text`` token by token and return the sympy ``locals`` that make its names symbols.

    Accepted: decimal literals (no ``_`` digit groups, no ``0x``/``0o``/``0b`` prefixes: a typo is not
    silently another number), names, ``+ - * / ( ) ,`` and integer powers ``**n`` / ``^n`` with
    ``|n| <= MAX_POWER``, at most ``MAX_POWERS`` of them and never one power of another (``a**b**c``);
    the work sympy does on the text is then bounded."""
    if len(text) > MAX_TEXT:
        raise CliError(f"{where}: the {what} has {len(text)} characters; at most {MAX_TEXT} are read")
    toks, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            if not text[pos:].strip():
                break
            raise CliError(f"{where}: {text!r} is not a {what} (unexpected {text[pos:].strip()[:10]!r}; digits are "
                           "written without '_' and in decimal)")
        kind = m.lastgroup
        toks.append((kind, m.group(kind)))
        pos = m.end()
    names = {}
    powers = 0
    for i, (kind, tok) in enumerate(toks):
        nxt = toks[i + 1] if i + 1 < len(toks) else (None, None)
        if kind == "num":
            if i > 0 and toks[i - 1][0] in ("num", "name") or nxt[0] in ("num", "name"):
                raise CliError(f"{where}: {text!r} is not a {what} (a number next to a name or number: "
                               "'0x10', '1_0' and '2pi' are refused; write 16, 10, 2*pi)")
            e = re.search(r"[eE]([+-]?\d+)$", tok)
            if e and abs(int(e.group(1))) > MAX_EXPONENT:
                raise CliError(f"{where}: the exponent of {tok!r} is beyond 10^{MAX_EXPONENT}")
        elif kind == "name":
            if nxt[1] == "(":
                if tok not in _FUNCTIONS:
                    raise CliError(f"{where}: {text!r}: unknown function {tok!r}; known: {', '.join(sorted(_FUNCTIONS))}")
            elif tok.lower() in _NOT_REAL or tok == "I":
                raise CliError(f"{where}: {text!r}: {tok!r} must be a finite real number")
            elif tok not in _CONSTANTS:
                names[tok] = sympy.Symbol(tok)
        elif tok in ("**", "^"):
            powers += 1
            j = i + 1
            if j < len(toks) and toks[j][1] in "+-":
                j += 1
            if j >= len(toks) or toks[j][0] != "num" or not toks[j][1].isdigit() or int(toks[j][1]) > MAX_POWER:
                raise CliError(f"{where}: {text!r}: a power must be an integer literal of at most {MAX_POWER} "
                               f"(e.g. x**2, 2**-3)")
            if j + 1 < len(toks) and toks[j + 1][1] in ("**", "^"):
                raise CliError(f"{where}: {text!r}: a power of a power (a tower) is refused; use parentheses")
            if powers > MAX_POWERS:
                raise CliError(f"{where}: {text!r}: at most {MAX_POWERS} powers in one {what}")
    return names


def _sympify(text, where, what="number", local=None):
    """``sympy.sympify`` of a command-line text after :func:`_tokens` (exact decimals, names as symbols)."""
    names = _tokens(text, where, what)
    names.update(local or {})
    return sympy.sympify(text.replace("^", "**"), rational=True, locals=names)


def _number(text, where, symbolic=False):
    """One number from the command line, exact: ``1/3``, ``0.25`` (read as 1/4), ``sqrt(2)``.

    Names become (real) symbols only when ``symbolic``; NaN, infinities and complex values are refused.
    """
    text = text.strip()
    if not text:
        raise CliError(f"{where}: empty number")
    if text.lower().lstrip("+-") in ("nan", "inf", "infinity", "oo"):
        raise CliError(f"{where}: {text!r} must be a finite real number")
    try:
        v = _sympify(text, where)
    except (sympy.SympifyError, SyntaxError, TypeError, ValueError, AttributeError):
        raise CliError(f"{where}: {text!r} is not a number") from None
    if not isinstance(v, sympy.Expr):
        raise CliError(f"{where}: {text!r} is not a number")
    if v.free_symbols:
        names = sorted(str(s) for s in v.free_symbols)
        if not symbolic:
            raise CliError(f"{where}: {text!r} is not a number (it contains {', '.join(names)}); "
                           "pass --symbolic to compute with symbols")
        v = v.subs({s: sympy.Symbol(str(s), real=True) for s in v.free_symbols})
        return v
    if v.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo) or v.is_real is not True or not v.is_finite:
        raise CliError(f"{where}: {text!r} must be a finite real number")
    return v


def _numbers(text, where, symbolic=False):
    return [_number(t, where, symbolic) for t in text.split(",")] if text.strip() else []


def _measure(spec, symbolic=False):
    """Parse ``name[:p1,p2,...]`` for a family of :data:`freetk.measures.registry.FAMILIES`: the values
    in the order the family declares its parameters (a family with sequence parameters takes each
    sequence ``x1,x2,...`` and separates them by ``@``, e.g. ``atoms:-2,0.5@1/3,2/3``)."""
    name, _, args = spec.partition(":")
    where = f"measure {spec!r}"
    try:
        fam = registry.family(name)
    except InvalidArgument:
        raise CliError(f"unknown measure {spec!r}; use {MEASURE_HELP}") from None
    params = fam.parameters
    if any(isinstance(p.domain, (Sequence, Simplex)) for p in params):
        vals = [_numbers(part, where, symbolic) for part in args.split("@")] if args.strip() else []
    else:
        vals = _numbers(args, where, symbolic)
    required = sum(p.required for p in params)
    if not required <= len(vals) <= len(params):
        count = f"{required}" if required == len(params) else f"{required} to {len(params)}"
        raise CliError(f"{where}: {fam.name} takes {count} parameter{'' if count == '1' else 's'} ({fam.spec()}), "
                       f"got {len(vals)}")
    given = dict(zip((p.name for p in params), vals))
    for p in params:
        if isinstance(p.domain, Simplex) and p.name in given and len(given[p.name]) != len(given[p.domain.of]):
            raise CliError(f"{where}: {len(given[p.domain.of])} {p.domain.of} but {len(given[p.name])} {p.name}")
    return fam.build(**given)


def _d_law(spec):
    key = spec.strip().lower()
    return key if key in registry.D_LAWS else _measure(spec)


def _expression(text, option):
    """A sympy expression in ``x`` from the command line (floats read exactly as typed decimals)."""
    try:
        e = _sympify(text, option, "expression in x", {"x": X})
    except (sympy.SympifyError, SyntaxError, TypeError, ValueError, AttributeError):
        raise CliError(f"{option}: {text!r} is neither a known name nor a sympy expression in x") from None
    if not isinstance(e, sympy.Expr):
        raise CliError(f"{option}: {text!r} is not an expression in x")
    extra = e.free_symbols - {X}
    if extra:
        raise CliError(f"{option}: the expression {text!r} must use the single variable x, "
                       f"found {', '.join(sorted(map(str, extra)))}")
    return e


def _activation(args):
    """``(activation, sigma_prime, label)`` from --activation / --sigma-prime."""
    if args.sigma_prime is not None:
        if args.activation_given:
            raise CliError("give --activation or --sigma-prime, not both")
        phi = _expression(args.sigma_prime, "--sigma-prime")
        return None, phi, f"sigma' = {phi}"
    key = args.activation.strip().lower().replace("-", "_")
    if key in ACTIVATIONS:
        return key, None, f"sigma = {key}"
    try:
        e = _expression(args.activation, "--activation")
    except CliError as err:
        raise CliError(f"{err}; known names: {', '.join(sorted(ACTIVATIONS))}") from None
    if not e.has(X):
        raise CliError(f"--activation: {args.activation!r} is not a known name or an expression in x; "
                       f"known names: {', '.join(sorted(ACTIVATIONS))}")
    return e, None, f"sigma = {e}"


def _writable(path, option):
    """Refuse an output path that cannot be written, before anything is computed."""
    if path is None:
        return
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise CliError(f"{option} {path}: directory {folder} does not exist")
    if os.path.isdir(path):
        raise CliError(f"{option} {path}: is a directory")
    if (os.path.exists(path) and not os.access(path, os.W_OK)) or not os.access(folder, os.W_OK):
        raise CliError(f"{option} {path}: not writable")


def _figure_format(path, option):
    """Refuse a figure path whose suffix matplotlib cannot write, before anything is computed (no suffix: PNG)."""
    if path is None:
        return
    suffix = os.path.splitext(path)[1][1:].lower()
    if not suffix:
        return
    from matplotlib.backend_bases import FigureCanvasBase
    formats = FigureCanvasBase.get_supported_filetypes()
    if suffix not in formats:
        raise CliError(f"{option} {path}: matplotlib cannot write '.{suffix}' files (it writes "
                       f"{', '.join(sorted(formats))})")


def _check_range(value, name, lo, hi):
    if not lo <= value <= hi:
        raise CliError(f"{name} must be between {lo} and {hi}, got {value}")


def _fmt(v, digits=12):
    if isinstance(v, sympy.Basic):
        if v.free_symbols or v.is_Rational:
            return str(v)
        return f"{v}  ≈ {sympy.N(v, digits)}"
    return str(v)


def _num_str(v, digits=30):
    """A value as a decimal string with ``digits`` significant digits (exact values evaluated)."""
    if isinstance(v, sympy.Basic):
        return str(sympy.N(v, digits))
    if isinstance(v, (mpmath.mpf, mpmath.mpc)):
        return mpmath.nstr(v, digits)
    return repr(float(v))


def _exact_str(v):
    return str(v) if isinstance(v, sympy.Basic) else None


# ----------------------------------------------------------------------------- commands
def cmd_ntk(args):
    t0 = time.time()
    g1, g2, activation, sigma_prime, label, d_law = _ntk_inputs(args)
    law = _ntk.ntk_law(activation, sigma_prime=sigma_prime, gamma1=g1, gamma2=g2, d_law=d_law, method=args.method)
    steps = ["Hermite data", "law of mu", "density of rho", "Monte Carlo", "outputs"]
    bar = _progress(len(steps), args.quiet)
    bar.update(1)
    print(f"NTK law (n x n side), {label}, gamma1 = {g1}, gamma2 = {g2}, "
          f"D ~ {args.d_law}; route for mu: {law.mu.route}")
    mm, mr, sup, atoms_rho, atoms_mu = _print_law(args, law)
    bar.update(1)
    if not sup:     # sigma' constant (sigma affine): rho is atoms only (it was "error: min() arg is an empty sequence")
        bar.close()
        print("freetk ntk: error: rho has no continuous part (atoms only, printed above): there is no density to "
              "tabulate, plot or compare with a Monte Carlo sample", file=sys.stderr)
        return 2
    xs, pdf, cdf, mass = _print_density(args, law, sup)
    bar.update(1)
    res, eigs, mc_error = _ntk_monte_carlo(args, law, activation, sigma_prime, d_law)
    bar.update(1)
    np.savetxt(args.csv, np.column_stack([xs, pdf, cdf]), delimiter=",", header="x,pdf,cdf", comments="")
    _plot(args, law, xs, pdf, sup, res, eigs, label, g1, g2)
    written = [args.csv, args.png]
    if args.json:
        _write_json(args, law, label, g1, g2, activation, sigma_prime, mm, mr, sup, atoms_rho, atoms_mu,
                    mass, xs, pdf, cdf, res, mc_error)
        written.append(args.json)
    bar.update(1)
    bar.close()
    print(f"wrote {', '.join(written)} in {time.time() - t0:.1f} s")
    if mc_error:
        print(f"freetk ntk: error: the Monte Carlo check failed ({mc_error}); the law was written",
              file=sys.stderr)
        return 1
    return 0


class _NoBar:
    """The progress bar of ``--quiet`` (tqdm is then not even imported)."""

    def update(self, n=1):
        pass

    def close(self):
        pass


def _progress(total, quiet, desc="freetk ntk", leave=True):
    if quiet:
        return _NoBar()
    from tqdm.auto import tqdm
    return tqdm(total=total, desc=desc, file=sys.stderr, leave=leave)


def _ntk_inputs(args):
    """Everything the user typed, checked before any computation: ``(g1, g2, activation, sigma_prime,
    label, d_law)``."""
    _check_range(args.d, "--d", 1, 10_000)
    _check_range(args.p, "--p", 1, 10_000)
    _check_range(args.grid, "--grid", 2, MAX_GRID)
    _check_range(args.k, "-k", 1, MAX_K)
    _check_range(args.dps, "--dps", 0, MAX_DPS)
    _check_range(args.seed, "--seed", 0, 2 ** 63 - 1)     # numpy refuses a negative seed, after the computation
    for path, option in ((args.csv, "--csv"), (args.png, "--png"), (args.json, "--json")):
        _writable(path, option)
    _figure_format(args.png, "--png")
    g1 = _number(args.gamma1, "--gamma1")
    g2 = _number(args.gamma2, "--gamma2")
    activation, sigma_prime, label = _activation(args)
    return g1, g2, activation, sigma_prime, label, _d_law(args.d_law)


def _print_law(args, law):
    """Print the Hermite data, the moments of mu and rho, the support and the atoms; return them."""
    h = law.hermite
    print("Hermite data of phi = sigma' (g ~ N(0,1)):")
    for k in ("c0", "c1", "norm2", "a"):
        print(f"  {k:6s} = {_fmt(getattr(h, k))}")
    if not h.exact:
        print(f"  (quadrature error estimate {h.error:.1e})")
    mm = law.mu.moments(args.k)
    mr = law.moments(args.k)
    print(f"moments of mu (dp x dp), m_1..m_{args.k} (exact, numerical value):")
    for j in range(1, args.k + 1):
        print(f"  m_{j}(mu)  = {sympy.N(mm[j], 15)}")
    print(f"moments of rho (n x n), m_1..m_{args.k}:")
    for j in range(1, args.k + 1):
        print(f"  m_{j}(rho) = {sympy.N(mr[j], 15)}")
    sup = law.support()
    atoms_rho, atoms_mu = law.atoms(), law.mu.atoms()
    print("support of rho (continuous part): " + ", ".join(f"[{a:.10f}, {b:.10f}]" for a, b in sup))
    print("atoms of rho: " + (", ".join(f"{float(x):g} (mass {float(w):.10g})" for x, w in atoms_rho) or "none"))
    print("atoms of mu: " + (", ".join(f"{float(x):.10g} (mass {float(w):.10g})" for x, w in atoms_mu)
                            or "none"))
    return mm, mr, sup, atoms_rho, atoms_mu


def _print_density(args, law, sup):
    """The density and cdf of rho on the grid and its mass; print the density at five points (with the
    error estimate, and at ``--dps`` digits when asked).  Returns ``(xs, pdf, cdf, mass)``."""
    lo = min(a for a, _ in sup)
    hi = max(b for _, b in sup)
    xs = np.linspace(lo, hi, args.grid)
    pdf = np.asarray(law.pdf(xs), float)
    cdf = np.asarray(law.cdf(xs), float)
    mass = law.total_mass()
    print(f"total mass (continuous + atoms) = {mass:.12f}")
    q = [lo + f * (hi - lo) for f in (0.1, 0.3, 0.5, 0.7, 0.9)]
    # the error estimate is the difference with a 17-digit evaluation: that reference is within 1e-17 |pdf|
    # of the true density (a tenth of the double's rounding unit), so the estimate differs from the true
    # error by at most that much -- the same printed figures as a 20- or 30-digit reference (docs/benchmarks.md),
    # for about a third less time than 20 digits and 60 % less than the 30-digit default (mpmath quadrature)
    # (the exact route of a general law of D has an estimate of its own, propagated from G_mu's error: a 17-digit
    # reference would take tens of seconds a point there)
    err = law.pdf_error(np.array(q)) if law.mu.route == "exact" else law.pdf_error(np.array(q), dps=17)
    vals = np.asarray(law.pdf(np.array(q)), float)
    print("density of rho at 10/30/50/70/90% of the support (double precision, estimated abs. error):")
    for xq, v, e in zip(q, vals, err):
        print(f"  x = {xq:.6f}: {v:.16g}  (± {e:.1e})")
    if args.dps:
        # a point at hundreds of digits takes tens of seconds: a bar of its own (--dps 300: ~4 min for the five)
        bar = _progress(len(q), args.quiet, desc=f"density at {args.dps} digits", leave=False)
        for xq in q:
            v = law.pdf(xq, dps=args.dps)
            bar.update(1)
            print(f"  x = {xq:.6f} at {args.dps} digits: {mpmath.nstr(v, args.dps)}")
        bar.close()
    return xs, pdf, cdf, mass


def _ntk_monte_carlo(args, law, activation, sigma_prime, d_law):
    """``(result, eigenvalues, error message)`` of the Monte Carlo check (all None with ``--no-mc``); a
    failure is reported, not raised: the law is computed and is still written."""
    if args.no_mc:
        return None, None, None
    try:
        res, eigs = _mc.ntk_check(law, d=args.d, p=args.p, activation=activation, sigma_prime=sigma_prime,
                                  d_law=d_law, seed=args.seed)
    except Exception as e:
        return None, None, f"{type(e).__name__}: {e}".splitlines()[0]
    print(f"Monte Carlo: n = {res['n']}, d = {args.d}, p = {args.p}, seed = {args.seed}; removed {res['outliers']} "
          f"predicted outliers (gap/bulk width = {res['gap']:.2f})")
    print(f"  KS distance = {res['ks']:.4f}, W1 distance = {res['w1']:.4f} "
          f"(finite-size error scales like 1/sqrt(d))")
    return res, eigs, None


def _plot(args, law, xs, pdf, sup, res, eigs, label, g1, g2):
    hist = None
    if eigs is not None:
        bulk, _, _ = _mc.remove_outliers(eigs, res["outliers"])
        hist = (bulk, f"Monte Carlo n={res['n']} (KS {res['ks']:.3f})")
    fig = density_figure(xs, pdf, sup, hist=hist, title=f"NTK law: {label}, γ1={g1}, γ2={g2}, D~{args.d_law}")
    fig.savefig(args.png, dpi=120)


def density_figure(xs, pdf, support, hist=None, title=""):
    """A figure of the limit density with dashed vertical lines at the support edges and, optionally,
    a histogram ``hist = (sample, label)``.

    Drawn on a matplotlib ``Figure`` with its own Agg canvas: no global backend is touched.
    """
    from matplotlib.figure import Figure
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    fig = Figure(figsize=(7, 4))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    if hist is not None:
        # one filled outline, not 70 bar patches (the same picture, 0.1 s less to lay out and draw)
        ax.hist(hist[0], bins=70, density=True, histtype="stepfilled", alpha=0.45, color="tab:blue", label=hist[1])
    ax.plot(xs, pdf, color="tab:red", lw=1.6, label="freetk limit density ρ")
    edges = sorted({float(v) for iv in support for v in iv})
    for i, e in enumerate(edges):
        ax.axvline(e, color="0.25", ls="--", lw=0.9, label="support edges" if i == 0 else None)
    ax.set_xlabel("eigenvalue of K")
    ax.set_ylabel("density")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    return fig


def _write_json(args, law, label, g1, g2, activation, sigma_prime, mm, mr, sup, atoms_rho, atoms_mu, mass,
                xs, pdf, cdf, res, mc_error):
    """Everything the run computed, exact values as strings next to 30-digit decimals."""
    h = law.hermite
    digits = 30

    def val(v, exact=True):
        return {"exact": _exact_str(v) if exact else None, "value": _num_str(v, digits)}

    # numeric Hermite data (and what is derived from them) are not exact: no "exact" string then
    he = bool(h.exact)

    out = {
        "freetk_version": __version__,
        "parameters": {
            "activation": None if activation is None else str(activation),
            "sigma_prime": None if sigma_prime is None else str(sigma_prime),
            "label": label, "gamma1": val(g1), "gamma2": val(g2), "d_law": args.d_law,
            "method": args.method, "route": law.mu.route,
        },
        "hermite": {
            "c0": val(h.c0, he), "c1": val(h.c1, he), "norm2": val(h.norm2, he), "a": val(h.a, he),
            "exact": bool(h.exact),
            "error_estimate": float(h.error),
            "dps": int(h.dps),
            "precision_note": ("exact values" if h.exact else
                               f"numeric quadrature at {h.dps} digits; absolute error estimate {h.error:.1e}"),
        },
        "support": [[float(a), float(b)] for a, b in sup],
        "atoms_rho": [{"location": val(x, he), "mass": val(w, he)} for x, w in atoms_rho],
        "atoms_mu": [{"location": val(x, he), "mass": val(w, he)} for x, w in atoms_mu],
        "moments_mu": [val(v, he) for v in mm],
        "moments_rho": [val(v, he) for v in mr],
        "total_mass": float(mass),
        "density": {"x": [float(v) for v in xs], "pdf": [float(v) for v in pdf], "cdf": [float(v) for v in cdf]},
        "monte_carlo": None if res is None else {
            "n": int(res["n"]), "d": args.d, "p": args.p, "seed": args.seed, "ks": float(res["ks"]),
            "w1": float(res["w1"]), "outliers_removed": int(res["outliers"])},
        "monte_carlo_error": mc_error,
    }
    with open(args.json, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, allow_nan=False)


def cmd_convolve(args):
    _check_range(args.k, "-k", 1, MAX_K)
    _check_range(args.grid, "--grid", 2, MAX_GRID)
    _writable(args.csv, "--csv")
    a, b = _measure(args.mu, args.symbolic), _measure(args.nu, args.symbolic)
    r = free_add(a, b) if args.op == "add" else free_mul(a, b)
    print(f"{args.op}: {r.latex()}")
    m = r.moments(args.k)
    print("moments: " + ", ".join(str(v) for v in m))
    print("free cumulants: " + ", ".join(str(v) for v in r.free_cumulants(args.k)))
    if args.csv:
        sup = r.support()
        lo, hi = min(x for x, _ in sup), max(y for _, y in sup)
        xs = np.linspace(lo, hi, args.grid)
        np.savetxt(args.csv, np.column_stack([xs, r.pdf(xs)]), delimiter=",", header="x,pdf", comments="")
        print(f"support: {sup}; atoms: {r.atoms()}; wrote {args.csv}")
    return 0


def cmd_moments(args):
    _check_range(args.k, "-k", 1, MAX_K)
    m = _measure(args.measure, args.symbolic)
    print("moments: " + ", ".join(str(v) for v in m.moments(args.k)))
    print("free cumulants: " + ", ".join(str(v) for v in m.free_cumulants(args.k)))
    print("boolean cumulants: " + ", ".join(str(v) for v in m.boolean_cumulants(args.k)))
    print("classical cumulants: " + ", ".join(str(v) for v in m.classical_cumulants(args.k)))
    return 0


def cmd_latex(args):
    if args.what == "ntk-moments":
        _check_range(args.k, "-k", 1, MAX_K_LATEX)
        print(L.ntk_moments_latex(args.k))
    elif args.what == "hermite":
        args.sigma_prime, args.activation_given = None, False
        activation, _, _ = _activation(args)
        print(hermite_data(activation).latex())
    elif args.what == "mu-cauchy":
        print(L.mu_cauchy_latex())
    else:
        _check_range(args.k, "-k", 1, MAX_K)
        m = _measure(args.what, args.symbolic)
        print(L.measure_latex(m, args.k))
    return 0


# ----------------------------------------------------------------------------- parser
class _Given(argparse.Action):
    """Store the value and remember that the option was given explicitly."""

    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, self.dest, values)
        setattr(namespace, self.dest + "_given", True)


def build_parser():
    p = argparse.ArgumentParser(prog="freetk", description="Symbolic-numeric free probability toolkit")
    sub = p.add_subparsers(dest="cmd", required=True)
    n = sub.add_parser("ntk", help="NTK law with a Monte Carlo check, CSV, PNG and JSON (the main job)",
                       description="The limiting eigenvalue law of the two-layer NTK; numbers are read exactly "
                                   "(1/3, 0.25, sqrt(2)).")
    n.add_argument("--activation", default="relu", action=_Given,
                   help="σ: a name (relu, gelu, silu, tanh, ...) or a sympy expression in x, "
                        "e.g. \"x/(1+exp(-1.702*x))\" (decimals are read exactly)")
    n.add_argument("--sigma-prime", default=None, help="σ′ = φ directly, a sympy expression in x "
                                                       "(instead of --activation)")
    n.add_argument("--gamma1", default="1", help="n/(dp) → γ1 (exact: 1/3, 0.5, ...)")
    n.add_argument("--gamma2", default="1/2", help="p/d → γ2")
    n.add_argument("--d-law", default="rademacher", help=D_LAW_HELP)
    n.add_argument("--method", default="auto", choices=["auto", "closed", "moments", "exact"],
                   help="route for mu: auto (closed form when D^2 is one point, else moments), closed, moments (mu "
                        "discretised by a Gauss rule: fast, warned), exact (general D without discretisation: "
                        "slower, full precision)")
    n.add_argument("--d", type=int, default=60, help="Monte Carlo input dimension d")
    n.add_argument("--p", type=int, default=30, help="Monte Carlo width p")
    n.add_argument("--seed", type=int, default=0)
    n.add_argument("--grid", type=int, default=400, help="points of the density grid")
    n.add_argument("--dps", type=int, default=0, help="also print the density at 5 points to this many digits (0: not printed)")
    n.add_argument("-k", type=int, default=4, help=f"number of moments printed (1..{MAX_K})")
    n.add_argument("--csv", default="ntk_density.csv", help="density and cdf on the grid (x,pdf,cdf)")
    n.add_argument("--png", default="ntk_density.png", help="figure: density, Monte Carlo histogram, support edges")
    n.add_argument("--json", default=None, help="also write parameters, Hermite data (with precision), support, "
                                                "atoms, exact moments and the density grid as JSON")
    n.add_argument("--no-mc", action="store_true", help="skip the Monte Carlo check")
    n.add_argument("--quiet", action="store_true", help="no progress bar")
    n.set_defaults(func=cmd_ntk, activation_given=False)
    c = sub.add_parser("convolve", help="free additive/multiplicative convolution of two measures")
    c.add_argument("op", choices=["add", "mul"])
    c.add_argument("mu", help=MEASURE_HELP)
    c.add_argument("nu", help=MEASURE_HELP)
    c.add_argument("-k", type=int, default=6)
    c.add_argument("--csv", default=None)
    c.add_argument("--grid", type=int, default=400)
    c.add_argument("--symbolic", action="store_true", help="allow names (symbols) as parameters")
    c.set_defaults(func=cmd_convolve)
    m = sub.add_parser("moments", help="moments and cumulants of a measure")
    m.add_argument("measure", help=MEASURE_HELP)
    m.add_argument("-k", type=int, default=6, help=f"1..{MAX_K}")
    m.add_argument("--symbolic", action="store_true", help="allow names (symbols) as parameters, e.g. mp:lam")
    m.set_defaults(func=cmd_moments)
    lt = sub.add_parser("latex", help="LaTeX of closed forms: ntk-moments | hermite | mu-cauchy | MEASURE")
    lt.add_argument("what", help="ntk-moments | hermite | mu-cauchy | " + MEASURE_HELP)
    lt.add_argument("-k", type=int, default=3, help=f"order (ntk-moments: 1..{MAX_K_LATEX})")
    lt.add_argument("--activation", default="relu", help="for `hermite`: a name or a sympy expression in x")
    lt.add_argument("--symbolic", action="store_true", help="allow names (symbols) as measure parameters")
    lt.set_defaults(func=cmd_latex)
    return p


def main(argv=None):
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:
        return int(e.code or 0)
    try:
        return args.func(args)
    except (FreetkError, ValueError, TypeError) as e:
        print(f"freetk {args.cmd}: error: {e}".splitlines()[0], file=sys.stderr)
        return 2
    except OSError as e:      # an output file that passed the check but cannot be written (disk full, ...)
        outs = [f"{opt} {getattr(args, attr)}" for opt, attr in (("--csv", "csv"), ("--png", "png"), ("--json", "json"))
                if getattr(args, attr, None)]
        where = f" {e.filename}" if getattr(e, "filename", None) else f" an output file ({', '.join(outs)})"
        print(f"freetk {args.cmd}: error: cannot write{where}: {e.strerror or e}".splitlines()[0], file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
