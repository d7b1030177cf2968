"""Algebraic laws beside rmtool (the Python port of RMTool, Rao–Edelman's polynomial method).

Run from the repository root:  python benchmarks/bench_algebraic.py
rmtool is needed only here (pip install rmtool); it is not a dependency of freetk.

Times are reported as ratios to one Monte Carlo sample measured in the same run
(ft.montecarlo.ntk_eigenvalues("relu", n=1800, d=60, p=30, d_law="rademacher", seed=0)).
Edge accuracy is measured against the real roots of the exact discriminant computed here at
60 digits with mpmath.polyroots (sympy discriminant of the exact equation; code shared with
neither library), restricted to the true edges.
"""
import time
import warnings
from fractions import Fraction as F

import mpmath
import numpy as np
import sympy

import freetk as ft  # run with PYTHONPATH=. from a checkout that is not pip-installed

try:
    import rmtool as rt
except ImportError:  # pragma: no cover
    raise SystemExit("pip install rmtool to run this benchmark")

G, Z = sympy.symbols("G z")


def timed(f, reps=3):
    best, out = np.inf, None
    for _ in range(reps):
        t = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t)
    return best, out


def proportional(p, q):
    r = sympy.cancel(sympy.expand(p) / sympy.expand(q))
    return not (r.has(G) or r.has(Z))


def rm_to_G(L):
    return sympy.expand(L.subs(rt.m, -G).subs(rt.z, Z))


def reference_edges(eq, approx):
    """Real roots of disc_G(eq) at 60 digits nearest to the given approximations."""
    disc = sympy.Poly(sympy.discriminant(eq, G), Z)
    ctx = mpmath.MPContext()
    ctx.dps = 60
    roots = ctx.polyroots([ctx.mpf(int(c)) for c in disc.all_coeffs()], maxsteps=500, extraprec=500)
    real = [ctx.re(r) for r in roots if abs(ctx.im(r)) < ctx.mpf(10) ** -40]
    return [min(real, key=lambda r: abs(r - a)) for a in approx]


def main():
    t_mc, _ = timed(lambda: ft.montecarlo.ntk_eigenvalues("relu", n=1800, d=60, p=30, d_law="rademacher", seed=0), 2)
    print(f"one Monte Carlo sample (n=1800): {t_mc:.3f} s  (all times below are ratios to it)\n")

    h = F(1, 2)
    cases = [
        ("SC ⊞ SC", lambda: rt.AplusB(rt.wignerpol(), rt.wignerpol()),
         lambda: ft.free_add(ft.semicircle(), ft.semicircle(), method="generic")),
        ("MP(1/2) ⊞ SC", lambda: rt.AplusB(rt.wishartpol(sympy.Rational(1, 2)), rt.wignerpol()),
         lambda: ft.free_add(ft.marchenko_pastur(h), ft.semicircle())),
        ("Bernoulli ⊞ Bernoulli", lambda: rt.AplusB(rt.atomLmz([-1, 1], [h, h]), rt.atomLmz([-1, 1], [h, h])),
         lambda: ft.free_add(ft.atoms([-1, 1]), ft.atoms([-1, 1]), method="generic")),
        ("MP(1/2) ⊠ atoms(1/4, 9/4)", lambda: rt.AtimesB(rt.wishartpol(sympy.Rational(1, 2)),
                                                        rt.atomLmz([F(1, 4), F(9, 4)], [h, h])),
         lambda: ft.free_mul(ft.marchenko_pastur(h), ft.atoms([F(1, 4), F(9, 4)]))),
        ("MP(1/2) ⊠ MP(1/3)", lambda: rt.AtimesB(rt.wishartpol(sympy.Rational(1, 2)), rt.wishartpol(sympy.Rational(1, 3))),
         lambda: ft.free_mul(ft.marchenko_pastur(h), ft.marchenko_pastur(F(1, 3)))),
    ]
    print(f"{'case':28s} {'same eq.':8s} {'rmtool eq.':>10s} {'freetk eq.':>10s} "
          f"{'rm cand.':>8s} {'edges':>5s} {'rm edge err':>11s} {'ft edge err':>11s} {'rm edges':>8s} {'ft edges':>8s}")
    for name, rm_eq, ft_measure in cases:
        t_rm, L = timed(rm_eq, 1)
        mu = ft_measure()
        t_ft, law = timed(lambda: ft.algebraic_of(ft_measure()), 3)
        same = proportional(rm_to_G(L), law.equation())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t_rme, info = timed(lambda: rt.Lmz2pdf(L, np.array([0.0])), 1)
        cand = np.asarray(info.multipleroots, float)
        t_fte, e = timed(lambda: ft.algebraic_of(ft_measure()).edges(), 3)
        ref = reference_edges(law.equation(), e)
        err_ft = max(abs(mpmath.mpf(a) - r) for a, r in zip(e, ref)) if e else 0
        # rmtool gives candidates only: score its best candidate for each true edge
        err_rm = max(min(abs(mpmath.mpf(c) - r) for c in cand) for r in ref) if e else 0
        print(f"{name:28s} {str(same):8s} {t_rm / t_mc:10.3f} {t_ft / t_mc:10.3f} {len(cand):8d} {len(e):5d} "
              f"{float(err_rm):11.1e} {float(err_ft):11.1e} {t_rme / t_mc:8.3f} {t_fte / t_mc:8.3f}")

    # ---- eight atoms with six-digit weights (exact decimals, the last one completing the sum to 1)
    rng = np.random.default_rng(1)
    locs = [F(int(v), 4) for v in rng.choice(np.arange(1, 33), 8, replace=False)]
    ws = [F(int(r), 10 ** 6) for r in rng.integers(10000, 199999, 7)]
    ws.append(1 - sum(ws))
    assert ws[-1] > 0
    print("\n8 atoms with 6-digit weights:", ", ".join(f"{w.numerator / w.denominator:.6f}@{float(x)}" for x, w in zip(locs, ws)))
    for name, make, rm_make in (
            ("atoms ⊞ SC(0, 1/100)", lambda: ft.free_add(ft.atoms(locs, ws), ft.semicircle(0, F(1, 100)), method="generic"),
             lambda: rt.AplusB(rt.atomLmz(locs, ws), rt.scaleA(rt.wignerpol(), sympy.Rational(1, 10)))),
            ("MP(1/2) ⊠ atoms", lambda: ft.free_mul(ft.marchenko_pastur(h), ft.atoms(locs, ws)),
             lambda: rt.AtimesB(rt.wishartpol(sympy.Rational(1, 2)), rt.atomLmz(locs, ws)))):
        mu = make()
        t_ft, law = timed(lambda: ft.algebraic_of(make()), 1)
        t_fte, e = timed(lambda: ft.algebraic_of(make()).edges(), 1)
        print(f"  {name}: freetk equation degree {law.degree()} in {t_ft / t_mc:.3f} MC, {len(e)} certified "
              f"edges (equation + edges) in {t_fte / t_mc:.3f} MC; atoms {law.atoms()}")
        t0 = time.perf_counter()
        num = mu.support()
        t_num = time.perf_counter() - t0
        flat = [v for iv in num for v in iv]
        if len(flat) == len(e):
            print(f"    freetk numerical support() in {t_num / t_mc:.3f} MC: max |difference| = "
                  f"{max(abs(a - b) for a, b in zip(e, flat)):.1e}")
        else:
            print(f"    freetk numerical support() found {len(flat)} ends, the equation {len(e)} edges")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t0 = time.perf_counter()
                L = rm_make()
                t1 = time.perf_counter()
                same = proportional(rm_to_G(L), law.equation())
                print(f"    rmtool: equation in {(t1 - t0) / t_mc:.3f} MC (same up to a constant: {same})")
                info = rt.Lmz2pdf(L, np.array([1.0]))
                print(f"    rmtool: {len(info.multipleroots)} edge candidates in "
                      f"{(time.perf_counter() - t1) / t_mc:.3f} MC")
        except Exception as exc:  # noqa: BLE001
            print(f"    rmtool: fails with {type(exc).__name__}: {str(exc)[:120]}")

if __name__ == "__main__":
    main()
