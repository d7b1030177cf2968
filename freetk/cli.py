"""The ``freetk`` command line.

``freetk ntk`` runs the main job: the NTK law for a network (default: sigma = ReLU,
gamma1 = 1, gamma2 = 0.5, D = ±1), a Monte Carlo check, a CSV of the density and a PNG
plot.  ``freetk convolve``, ``freetk moments`` and ``freetk latex`` expose the algebra.
Wrong input prints one line and exits with status 2.
"""
import argparse
import sys
import time

import numpy as np
import sympy

from .errors import FreetkError


def _measure(spec):
    """Parse ``name[:p1,p2,...]``: semicircle, mp, free_poisson, atoms, uniform, arcsine."""
    from . import measures as M
    name, _, args = spec.partition(":")
    vals = [sympy.nsimplify(v) for v in args.split(",") if v.strip()] if args else []
    name = name.strip().lower()
    if name == "semicircle":
        return M.semicircle(*vals)
    if name in ("mp", "marchenko_pastur"):
        if len(vals) != 1:
            raise FreetkError("mp needs one parameter, e.g. mp:0.5")
        return M.marchenko_pastur(vals[0])
    if name == "free_poisson":
        return M.free_poisson(*vals)
    if name == "atoms":
        if not vals:
            raise FreetkError("atoms needs locations, e.g. atoms:0.25,2.25 (equal weights)")
        return M.atoms(vals)
    if name == "uniform":
        return M.uniform(*vals)
    if name == "arcsine":
        return M.arcsine(*vals)
    raise FreetkError(f"unknown measure {spec!r}; use semicircle, mp:λ, free_poisson:r,α, atoms:x1,x2,..., "
                      "uniform:lo,hi, arcsine:lo,hi")


def _d_law(s):
    if s in ("rademacher", "uniform", "gaussian"):
        return s
    return _measure(s)


def _fmt(v, digits=12):
    if isinstance(v, sympy.Basic):
        if v.free_symbols or v.is_Rational:
            return str(v)
        return f"{v}  ≈ {sympy.N(v, digits)}"
    return str(v)


def cmd_ntk(args):
    from tqdm.auto import tqdm
    from .ntk import ntk_law
    from . import montecarlo as mc
    t0 = time.time()
    if args.d < 1 or args.p < 1 or args.grid < 2 or args.k < 1 or args.dps < 0:
        raise FreetkError("--d, --p, -k must be >= 1, --grid >= 2 and --dps >= 0")
    law = ntk_law(args.activation, gamma1=sympy.nsimplify(args.gamma1), gamma2=sympy.nsimplify(args.gamma2),
                  d_law=_d_law(args.d_law), method=args.method)
    h = law.hermite
    steps = ["Hermite data", "law of mu", "density of rho", "Monte Carlo", "outputs"]
    bar = tqdm(total=len(steps), desc="freetk ntk", disable=args.quiet, file=sys.stderr)
    bar.update(1)
    print(f"NTK law (n x n side), sigma = {args.activation}, gamma1 = {args.gamma1}, gamma2 = {args.gamma2}, "
          f"D ~ {args.d_law}; route for mu: {law.mu.route}")
    print("Hermite data of phi = sigma' (g ~ N(0,1)):")
    for k in ("c0", "c1", "norm2", "a"):
        print(f"  {k:6s} = {_fmt(getattr(h, k))}")
    if not h.exact:
        print(f"  (quadrature error estimate {h.error:.1e})")
    mm = law.mu.moments(args.k)
    mr = law.moments(args.k)
    bar.update(1)
    print(f"moments of mu (dp x dp), m_1..m_{args.k} (exact, numerical value):")
    for j in range(1, args.k + 1):
        print(f"  m_{j}(mu)  = {sympy.N(mm[j], 15)}")
    print(f"moments of rho (n x n), m_1..m_{args.k}:")
    for j in range(1, args.k + 1):
        print(f"  m_{j}(rho) = {sympy.N(mr[j], 15)}")
    sup = law.support()
    print("support of rho (continuous part): " + ", ".join(f"[{a:.10f}, {b:.10f}]" for a, b in sup))
    print("atoms of rho: " + (", ".join(f"{float(x):g} (mass {float(w):.10g})" for x, w in law.atoms()) or "none"))
    print("atoms of mu: " + (", ".join(f"{float(x):.10g} (mass {float(w):.10g})" for x, w in law.mu.atoms())
                            or "none"))
    lo = min(a for a, _ in sup)
    hi = max(b for _, b in sup)
    xs = np.linspace(lo, hi, args.grid)
    pdf = np.asarray(law.pdf(xs), float)
    cdf = np.asarray(law.cdf(xs), float)
    mass = law.total_mass()
    bar.update(1)
    print(f"total mass (continuous + atoms) = {mass:.12f}")
    q = [lo + f * (hi - lo) for f in (0.1, 0.3, 0.5, 0.7, 0.9)]
    err = law.pdf_error(np.array(q))
    vals = np.asarray(law.pdf(np.array(q)), float)
    print("density of rho at 10/30/50/70/90% of the support (double precision, estimated abs. error):")
    for xq, v, e in zip(q, vals, err):
        print(f"  x = {xq:.6f}: {v:.16g}  (± {e:.1e})")
    if args.dps:
        import mpmath
        for xq in q:
            print(f"  x = {xq:.6f} at {args.dps} digits: {mpmath.nstr(law.pdf(xq, dps=args.dps), args.dps)}")
    res = None
    eigs = None
    if not args.no_mc:
        res, eigs = mc.ntk_check(law, d=args.d, p=args.p, activation=args.activation, d_law=_d_law(args.d_law),
                                 seed=args.seed)
        k = res["outliers"]
        print(f"Monte Carlo: n = {res['n']}, d = {args.d}, p = {args.p}, seed = {args.seed}; removed {k} "
              f"predicted outliers (gap/bulk width = {res['gap']:.2f})")
        print(f"  KS distance = {res['ks']:.4f}, W1 distance = {res['w1']:.4f} "
              f"(finite-size error scales like 1/sqrt(d))")
    bar.update(1)
    header = "x,pdf,cdf"
    np.savetxt(args.csv, np.column_stack([xs, pdf, cdf]), delimiter=",", header=header, comments="")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 4))
    if eigs is not None:
        bulk, _, _ = mc.remove_outliers(eigs, res["outliers"])
        ax.hist(bulk, bins=70, density=True, alpha=0.45, color="tab:blue",
                label=f"Monte Carlo n={res['n']} (KS {res['ks']:.3f})")
    ax.plot(xs, pdf, color="tab:red", lw=1.6, label="freetk limit density ρ")
    ax.set_xlabel("eigenvalue of K")
    ax.set_ylabel("density")
    ax.set_title(f"NTK law: σ={args.activation}, γ1={args.gamma1}, γ2={args.gamma2}, D~{args.d_law}")
    ax.legend()
    fig.tight_layout()
    fig.savefig(args.png, dpi=120)
    bar.update(1)
    bar.close()
    print(f"wrote {args.csv} and {args.png} in {time.time() - t0:.1f} s")
    return 0


def cmd_convolve(args):
    from .convolution import free_add, free_mul
    a, b = _measure(args.mu), _measure(args.nu)
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
    m = _measure(args.measure)
    print("moments: " + ", ".join(str(v) for v in m.moments(args.k)))
    print("free cumulants: " + ", ".join(str(v) for v in m.free_cumulants(args.k)))
    print("boolean cumulants: " + ", ".join(str(v) for v in m.boolean_cumulants(args.k)))
    print("classical cumulants: " + ", ".join(str(v) for v in m.classical_cumulants(args.k)))
    return 0


def cmd_latex(args):
    from . import latex as L
    if args.what == "ntk-moments":
        print(L.ntk_moments_latex(args.k))
    elif args.what == "hermite":
        from .hermite import hermite_data
        print(hermite_data(args.activation).latex())
    elif args.what == "mu-cauchy":
        print(L.mu_cauchy_latex())
    else:
        m = _measure(args.what)
        print(L.measure_latex(m, args.k))
    return 0


def build_parser():
    p = argparse.ArgumentParser(prog="freetk", description="Symbolic-numeric free probability toolkit")
    sub = p.add_subparsers(dest="cmd", required=True)
    n = sub.add_parser("ntk", help="NTK law with a Monte Carlo check, CSV and PNG (the main job)")
    n.add_argument("--activation", default="relu")
    n.add_argument("--gamma1", type=float, default=1.0)
    n.add_argument("--gamma2", type=float, default=0.5)
    n.add_argument("--d-law", default="rademacher", help="rademacher | uniform | gaussian | atoms:x1,x2,...")
    n.add_argument("--method", default="auto", choices=["auto", "closed", "moments"])
    n.add_argument("--d", type=int, default=60)
    n.add_argument("--p", type=int, default=30)
    n.add_argument("--seed", type=int, default=0)
    n.add_argument("--grid", type=int, default=400)
    n.add_argument("--dps", type=int, default=0, help="also print the density at 5 points to this many digits")
    n.add_argument("-k", type=int, default=4, help="number of moments printed")
    n.add_argument("--csv", default="ntk_density.csv")
    n.add_argument("--png", default="ntk_density.png")
    n.add_argument("--no-mc", action="store_true", help="skip the Monte Carlo check")
    n.add_argument("--quiet", action="store_true", help="no progress bar")
    n.set_defaults(func=cmd_ntk)
    c = sub.add_parser("convolve", help="free additive/multiplicative convolution of two measures")
    c.add_argument("op", choices=["add", "mul"])
    c.add_argument("mu")
    c.add_argument("nu")
    c.add_argument("-k", type=int, default=6)
    c.add_argument("--csv", default=None)
    c.add_argument("--grid", type=int, default=400)
    c.set_defaults(func=cmd_convolve)
    m = sub.add_parser("moments", help="moments and cumulants of a measure")
    m.add_argument("measure")
    m.add_argument("-k", type=int, default=6)
    m.set_defaults(func=cmd_moments)
    lt = sub.add_parser("latex", help="LaTeX of closed forms: ntk-moments | hermite | mu-cauchy | MEASURE")
    lt.add_argument("what")
    lt.add_argument("-k", type=int, default=3)
    lt.add_argument("--activation", default="relu")
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


if __name__ == "__main__":
    sys.exit(main())
