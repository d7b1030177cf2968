r"""Hermite data of the activation derivative ``phi = sigma'`` (docs/paper.md).

With ``g ~ N(0, 1)``:

* ``c0 = E phi(g)``, ``c1 = E[g phi(g)]``, ``norm2 = E phi(g)^2``,
* ``a = norm2 - c0^2 - c1^2 >= 0``.

Normalisation of :func:`hermite_coefficients`: probabilists' Hermite polynomials
``He_k`` (``He_0 = 1, He_1 = x, He_2 = x^2 - 1``), ``c_k = E[phi(g) He_k(g)]``, so that
``phi = sum_k c_k He_k / k!`` and Parseval reads ``E phi^2 = sum_k c_k^2 / k!``.

Exact values come from sympy when ``phi`` is built from polynomials, steps, ``Abs``,
``sign``, exponentials of polynomials of degree <= 2 and ``erf`` of linear arguments,
integrated piece by piece; everything else is computed by mpmath quadrature split at
every kink and discontinuity, by two independent rules (tanh-sinh and Gauss-Legendre)
whose disagreement is reported as the error estimate.
"""
from dataclasses import dataclass, field
import math
import numbers

import mpmath
import sympy

from .errors import InvalidArgument
from .precision import workdps

X = sympy.Symbol("x", real=True)
_SQ2 = sympy.sqrt(2)

#: activation name -> sigma(x) as a sympy expression in ``x`` (real)
ACTIVATIONS = {
    "relu": sympy.Max(0, X),
    "leaky_relu": sympy.Piecewise((X, X >= 0), (X / 100, True)),
    "elu": sympy.Piecewise((X, X > 0), (sympy.exp(X) - 1, True)),
    "tanh": sympy.tanh(X),
    "erf": sympy.erf(X),
    "gelu": X * (1 + sympy.erf(X / _SQ2)) / 2,
    "sigmoid": 1 / (1 + sympy.exp(-X)),
    "softplus": sympy.log(1 + sympy.exp(X)),
    "silu": X / (1 + sympy.exp(-X)),
    "softsign": X / (1 + sympy.Abs(X)),
    "sin": sympy.sin(X),
    "quadratic": X ** 2 / 2,
    "cubic": X ** 3 / 3,
    "logcosh": sympy.log(sympy.cosh(X)),
}


@dataclass(frozen=True)
class HermiteData:
    """The Hermite numbers of ``phi`` that enter the NTK law.

    ``exact`` tells whether ``c0, c1, norm2, a`` are exact sympy numbers; otherwise they
    are mpmath numbers with ``error`` an estimate of their absolute error.
    """
    c0: object
    c1: object
    norm2: object
    a: object
    exact: bool
    phi: object = None
    error: float = 0.0
    dps: int = 0
    description: str = ""
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def c1_squared(self):
        return sympy.simplify(self.c1 ** 2) if self.exact else self.c1 ** 2

    def numeric(self, dps=15):
        """``(c0, c1, norm2, a)`` as mpmath numbers at ``dps`` digits."""
        with workdps(dps):
            out = tuple(mpmath.mpmathify(sympy.N(v, dps + 10)) if isinstance(v, sympy.Basic) else +v
                        for v in (self.c0, self.c1, self.norm2, self.a))
        return out

    def latex(self):
        """``c_0 = ..., c_1 = ..., \\|\\phi\\|^2 = ..., a = ...`` (exact values when known)."""
        def f(v):
            if isinstance(v, sympy.Basic):
                return sympy.latex(v)
            return mpmath.nstr(v, max(5, min(self.dps or 15, 20)))
        return (r"c_0 = %s,\quad c_1 = %s,\quad \|\phi\|^2 = %s,\quad a = %s"
                % (f(self.c0), f(self.c1), f(self.norm2), f(self.a)))

    def _repr_latex_(self):
        return "$" + self.latex() + "$"


# ----------------------------------------------------------------------------- inputs
def _resolve(activation, sigma_prime):
    """Return ``(phi, kind, description)`` with kind 'sympy' or 'callable'."""
    if (activation is None) == (sigma_prime is None):
        raise InvalidArgument("hermite_data: give exactly one of `activation` or `sigma_prime`")
    src = activation if activation is not None else sigma_prime
    name = "activation" if activation is not None else "sigma_prime"
    if isinstance(src, str):
        key = src.strip().lower().replace("-", "_")
        if key not in ACTIVATIONS:
            raise InvalidArgument(f"Argument `{name}` of `hermite_data`: unknown activation {src!r}; "
                                  f"known names: {', '.join(sorted(ACTIVATIONS))}")
        if name == "sigma_prime":
            raise InvalidArgument("Argument `sigma_prime` of `hermite_data` takes an expression or callable, "
                                  "not a name; pass the name as `activation`")
        sigma = ACTIVATIONS[key]
        return _diff(sigma), "sympy", f"sigma = {key}"
    if isinstance(src, sympy.Basic):
        syms = src.free_symbols
        if len(syms) > 1:
            raise InvalidArgument(f"Argument `{name}` of `hermite_data` must be an expression in one "
                                  f"variable, got symbols {sorted(map(str, syms))}")
        expr = src.subs({s: X for s in syms})
        phi = _diff(expr) if name == "activation" else expr
        return phi, "sympy", f"{'sigma' if name == 'activation' else 'phi'} = {src}"
    if callable(src):
        if name == "activation":
            f = src

            def phi(t):
                return mpmath.diff(lambda u: _call(f, u), t)
            return phi, "callable", "sigma = <callable>, phi by numerical differentiation"
        return src, "callable", "phi = <callable>"
    raise InvalidArgument(f"Argument `{name}` of `hermite_data` must be a name, a sympy expression or a "
                          f"callable, got {type(src).__name__}")


def _diff(expr):
    d = sympy.diff(expr, X)
    d = d.rewrite(sympy.Piecewise) if d.has(sympy.Heaviside) else d
    d = d.replace(sympy.DiracDelta, lambda *args: sympy.Integer(0))  # measure zero for a density
    return sympy.piecewise_fold(d)


def _call(f, t):
    try:
        v = f(t)
    except TypeError:
        v = f(float(t))
    return mpmath.mpmathify(complex(v).real if isinstance(v, complex) else v)


# ----------------------------------------------------------------------------- breakpoints
def _breakpoints(expr):
    pts = set()
    for pw in expr.atoms(sympy.Piecewise):
        for _, cond in pw.args:
            for rel in ([cond] if isinstance(cond, sympy.core.relational.Relational) else
                        list(cond.atoms(sympy.core.relational.Relational))):
                sol = sympy.solve(sympy.Eq(rel.lhs, rel.rhs), X)
                pts.update(s for s in sol if s.is_real)
    for fn in (sympy.Abs, sympy.sign, sympy.Heaviside):
        for at in expr.atoms(fn):
            sol = sympy.solve(sympy.Eq(at.args[0], 0), X)
            pts.update(s for s in sol if s.is_real)
    return sorted(pts, key=lambda s: float(s))


# ----------------------------------------------------------------------------- exact path
_ALLOWED = (sympy.Add, sympy.Mul, sympy.Pow, sympy.exp, sympy.erf, sympy.Symbol, sympy.Number,
            sympy.NumberSymbol)


def _exact_ok(expr):
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, sympy.Pow) and not (node.exp.is_Integer and node.exp >= 0) and node.base.has(X):
            return False
        if isinstance(node, sympy.exp) and sympy.degree(sympy.expand(node.args[0]), X) > 2:
            return False
        if isinstance(node, sympy.erf) and sympy.degree(sympy.expand(node.args[0]), X) > 1:
            return False
        if node.is_Function and not isinstance(node, (sympy.exp, sympy.erf)):
            return False
        if not isinstance(node, _ALLOWED) and not node.is_Atom:
            return False
    # erf at most linearly in each expanded term
    for term in sympy.Add.make_args(sympy.expand(expr)):
        if sum(int(p) if p.is_Integer else 99 for b, p in
               [t.as_base_exp() for t in sympy.Mul.make_args(term)] if isinstance(b, sympy.erf)) > 1:
            return False
    return True


def _pieces(expr):
    """Split into ``[(expr_i, lo_i, hi_i)]`` on consecutive intervals without Piecewise/Abs/sign."""
    pts = _breakpoints(expr)
    edges = [-sympy.oo] + pts + [sympy.oo]
    out = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        if lo == -sympy.oo and hi == sympy.oo:
            mid = sympy.Integer(0)
        elif lo == -sympy.oo:
            mid = hi - 1
        elif hi == sympy.oo:
            mid = lo + 1
        else:
            mid = (lo + hi) / 2
        e = expr
        for pw in e.atoms(sympy.Piecewise):
            for val, cond in pw.args:
                if bool(cond.subs(X, mid)):
                    e = e.xreplace({pw: val})
                    break
        e = e.replace(sympy.Abs, lambda u: u if float(u.subs(X, mid)) >= 0 else -u)
        e = e.replace(sympy.sign, lambda u: sympy.Integer(1) if float(u.subs(X, mid)) > 0 else sympy.Integer(-1))
        e = e.replace(sympy.Heaviside, lambda *u: sympy.Integer(1) if float(u[0].subs(X, mid)) > 0 else sympy.Integer(0))
        out.append((e, lo, hi))
    return out


def _gauss_exact(expr):
    """``E[expr(g)]`` exactly, or None when outside the supported class."""
    pieces = _pieces(expr)
    w = sympy.exp(-X ** 2 / 2) / sympy.sqrt(2 * sympy.pi)
    total = sympy.Integer(0)
    for e, lo, hi in pieces:
        if e.has(sympy.Piecewise) or not _exact_ok(e):
            return None
        for term in sympy.Add.make_args(sympy.expand(e)):
            r = sympy.integrate(term * w, (X, lo, hi))
            if r.has(sympy.Integral) or r.has(sympy.oo) or r.has(sympy.zoo) or r.has(sympy.nan):
                return None
            total += r
    return sympy.simplify(total)


# ----------------------------------------------------------------------------- numeric path
def _gauss_numeric(f, pts, dps):
    """``E[f(g)]`` by tanh-sinh and Gauss-Legendre quadrature split at ``pts``; returns (value, error)."""
    with workdps(dps, guard=15):
        w = lambda t: f(t) * mpmath.exp(-t * t / 2) / mpmath.sqrt(2 * mpmath.pi)  # noqa: E731
        cuts = [-mpmath.inf] + [mpmath.mpf(p) for p in pts] + [mpmath.inf]
        v1 = mpmath.quad(w, cuts, method="tanh-sinh")
        # Gauss-Legendre on finite pieces (the Gaussian tail beyond |t| = L is below 10^-dps)
        L = mpmath.sqrt(2 * (dps + 20) * mpmath.log(10)) + 1
        fin = [max(min(c, L), -L) for c in cuts]
        fin = [fin[0]] + [c for c in fin[1:-1] if -L < c < L] + [fin[-1]]
        segs = []
        for lo, hi in zip(fin[:-1], fin[1:]):
            n = max(2, int(mpmath.ceil((hi - lo) / 2)))
            segs += [lo + (hi - lo) * k / n for k in range(n)]
        segs.append(fin[-1])
        v2 = mpmath.quad(w, segs, method="gauss-legendre")
        err = abs(v1 - v2)
    return v1, err


def _check_phi(f, kind, name):
    """Reject phi with non-finite values or not square-integrable against N(0,1)."""
    samples = [-7.3, -3.1, -1.0, -0.37, 0.21, 0.5, 1.3, 2.9, 6.1]
    with workdps(20):
        for t in samples:
            v = f(mpmath.mpf(t))
            if not mpmath.isfinite(v):
                raise InvalidArgument(f"Argument `{name}` of `hermite_data`: phi({t}) = {v} is not finite")
        # growth test: log(phi^2 exp(-t^2/2)) must eventually decrease
        for sgn in (1, -1):
            vals = []
            for t in (6, 12, 24):
                try:
                    v = f(mpmath.mpf(sgn * t))
                except (OverflowError, ValueError):
                    v = mpmath.inf
                vals.append(mpmath.log(abs(v) ** 2 + mpmath.mpf(10) ** -300) - t * t / 2 if mpmath.isfinite(v)
                            else mpmath.inf)
            if not (vals[2] < vals[1] < vals[0] or vals[2] < -100):
                raise InvalidArgument(f"Argument `{name}` of `hermite_data`: phi is not square-integrable "
                                      "against the standard Gaussian (phi(x)^2 exp(-x^2/2) does not decay)")


def hermite_data(activation=None, *, sigma_prime=None, dps=30, exact=True):
    """Hermite data ``(c0, c1, norm2, a)`` of ``phi = sigma'``.

    Parameters
    ----------
    activation : str, sympy expression in one variable, or callable
        The activation ``sigma``; it is differentiated (symbolically for names and
        expressions, numerically for callables).
    sigma_prime : sympy expression or callable, optional
        ``phi`` given directly (exclusive with ``activation``).
    dps : int
        Digits for the numeric path.
    exact : bool
        Try exact sympy integration first.

    Examples
    --------
    >>> import freetk as ft
    >>> h = ft.hermite_data("relu")
    >>> h.c0, h.c1, h.norm2
    (1/2, sqrt(2)/(2*sqrt(pi)), 1/2)
    """
    phi, kind, desc = _resolve(activation, sigma_prime)
    name = "activation" if activation is not None else "sigma_prime"
    if kind == "sympy":
        fnum = sympy.lambdify(X, phi, "mpmath")
        f = lambda t: mpmath.mpmathify(fnum(t))  # noqa: E731
        pts = [float(p) for p in _breakpoints(phi)]
    else:
        f = lambda t: _call(phi, t)  # noqa: E731
        pts = [0.0]
    _check_phi(f, kind, name)
    vals = [None, None, None]
    if kind == "sympy" and exact:
        vals = [_gauss_exact(phi), _gauss_exact(X * phi), _gauss_exact(phi ** 2)]
        if all(v is not None for v in vals):
            c0, c1, n2 = vals
            a = sympy.simplify(n2 - c0 ** 2 - c1 ** 2)
            return HermiteData(c0, c1, n2, a, True, phi, 0.0, 0, desc)
    even = kind == "sympy" and sympy.simplify(phi.subs(X, -X) - phi) == 0
    with workdps(dps):
        floor = mpmath.mpf(10) ** (-dps)
        c0, e0 = (vals[0], 0) if vals[0] is not None else _gauss_numeric(f, pts, dps)
        if vals[1] is not None:
            c1, e1 = vals[1], 0
        elif even:  # even phi (odd sigma): c1 = 0 exactly by symmetry
            c1, e1 = sympy.Integer(0), 0
        else:
            c1, e1 = _gauss_numeric(lambda t: t * f(t), pts, dps)
        n2, e2 = (vals[2], 0) if vals[2] is not None else _gauss_numeric(lambda t: f(t) ** 2, pts, dps)
        num = lambda v: mpmath.mpmathify(sympy.N(v, dps + 15)) if isinstance(v, sympy.Basic) else v  # noqa: E731
        a = num(n2) - num(c0) ** 2 - num(c1) ** 2
        err = float(max(e0 + e1 + e2 + 2 * abs(num(c0)) * e0 + 2 * abs(num(c1)) * e1, floor))
        if kind == "callable":
            err = max(err, 1e-15 * float(abs(num(n2))))  # a float callable carries double precision only
        out = tuple(v if isinstance(v, sympy.Basic) else +v for v in (c0, c1, n2)) + (+a,)
    if out[3] < -10 * err:
        raise InvalidArgument(f"hermite_data: a = norm2 - c0^2 - c1^2 = {mpmath.nstr(out[3], 5)} < 0; "
                              "the quadrature failed (phi too irregular?)")
    return HermiteData(*out, False, phi, err, dps, desc)


def hermite_coefficients(f, k, dps=30):
    """``[c_0, ..., c_k]`` with ``c_j = E[f(g) He_j(g)]`` (probabilists' Hermite).

    ``f`` is a sympy expression in one variable (exact when possible) or a callable.
    With this normalisation ``f = sum c_j He_j / j!`` and ``E f^2 = sum c_j^2 / j!``.
    """
    from .errors import check_order
    k = check_order("hermite_coefficients", "k", k)
    if isinstance(f, sympy.Basic):
        syms = f.free_symbols
        expr = f.subs({s: X for s in syms})
        out = []
        for j in range(k + 1):
            he = sympy.hermite_prob_poly(j, X) if hasattr(sympy, "hermite_prob_poly") else \
                sympy.expand(2 ** sympy.Rational(-j, 2) * sympy.hermite(j, X / _SQ2))
            v = _gauss_exact(sympy.expand(expr * he))
            if v is None:
                fn = sympy.lambdify(X, expr * he, "mpmath")
                v, _ = _gauss_numeric(lambda t: mpmath.mpmathify(fn(t)), [float(p) for p in _breakpoints(expr)], dps)
            out.append(v)
        return out
    if callable(f):
        out = []
        for j in range(k + 1):
            v, _ = _gauss_numeric(lambda t: _call(f, t) * mpmath.hermite(j, t / mpmath.sqrt(2)) * mpmath.mpf(2) ** (-mpmath.mpf(j) / 2),
                                  [0.0], dps)
            out.append(v)
        return out
    raise InvalidArgument("Argument `f` of `hermite_coefficients` must be a sympy expression or callable")


def parseval_check(f, k, dps=30):
    """``(norm2, partial, remainder)`` with ``partial = sum_{j<=k} c_j^2/j!`` (remainder >= 0 to rounding)."""
    cs = hermite_coefficients(f, k, dps)
    if isinstance(f, sympy.Basic):
        expr = f.subs({s: X for s in f.free_symbols})
        n2 = _gauss_exact(sympy.expand(expr ** 2))
        if n2 is None:
            fn = sympy.lambdify(X, expr ** 2, "mpmath")
            n2, _ = _gauss_numeric(lambda t: mpmath.mpmathify(fn(t)), [float(p) for p in _breakpoints(expr)], dps)
    else:
        n2, _ = _gauss_numeric(lambda t: _call(f, t) ** 2, [0.0], dps)
    partial = sum(c ** 2 / math.factorial(j) for j, c in enumerate(cs))
    rem = n2 - partial
    return n2, partial, (sympy.simplify(rem) if isinstance(rem, sympy.Basic) else rem)
