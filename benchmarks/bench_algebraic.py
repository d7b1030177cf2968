"""Algebraic laws beside rmtool (the Python port of RMTool, Rao–Edelman's polynomial method).

Run from the repository root:  python benchmarks/bench_algebraic.py
rmtool is needed only here (pip install rmtool); it is not a dependency of freetk.

Times are reported as ratios to one Monte Carlo sample measured in the same run
(ft.montecarlo.ntk_eigenvalues("relu", n=1800, d=60, p=30, d_law="rademacher", seed=0)).
Edge accuracy is measured against the real roots of the exact discriminant computed here at
60 digits with mpmath.polyroots (sympy discriminant of the exact equation; code shared with
neither library), restricted to the true edges.

Edge times: rmtool's Lmz2pdf (its discriminant's real roots: uncertified candidates) on its
equation, beside freetk's certified law.edges() on a law object with the same equation and no
cached data (a new AlgebraicLaw of the same P), best of 5.  "eq.+edges" times the whole path
from the measures (equation, then edges) for both.

The 8-atom laws use weights with six decimals, given to rmtool as floats (as its examples do;
atomLmz turns them into the exact rationals) and to freetk as Fractions: the same exact law.
"""
import time
import warnings
from fractions import Fraction as F

import mpmath
import numpy as np
import sympy

import freetk as ft  # run with PYTHONPATH=. from a checkout that is not pip-installed
from freetk.algebraic import AlgebraicLaw
from _common import mc_sample  # noqa: E402 (benchmarks/ is the script's path)

try:
    import rmtool as rt
except ImportError:  # pragma: no cover
    raise SystemExit("pip install rmtool to run this benchmark")

G, Z = sympy.symbols("G z")


def timed(f, reps=5):
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


def fresh(law):
    """The same law without its cached derived data (discriminant, critical points, branch)."""
    return AlgebraicLaw(law.polynomial, law.ring, law.seed())


def rm_candidates(L):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.asarray(rt.Lmz2pdf(L, np.array([0.0])).multipleroots, float)


def main():
    t_mc, _ = timed(mc_sample, 2)
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
    print(f"{'case':28s} {'same eq.':8s} {'rm cand.':>8s} {'edges':>5s} {'rm edge err':>11s} {'ft edge err':>11s} "
          f"{'rm edges':>8s} {'ft edges':>8s} {'rm/ft':>5s} {'rm eq.+edges':>12s} {'ft eq.+edges':>12s}")
    dens = []
    for name, rm_eq, ft_measure in cases:
        L = rm_eq()
        law = ft.algebraic_of(ft_measure())
        same = proportional(rm_to_G(L), law.equation())
        t_rme, cand = timed(lambda: rm_candidates(L))
        t_fte, e = timed(lambda: fresh(law).edges())
        t_rm_all, _ = timed(lambda: rm_candidates(rm_eq()), 3)
        t_ft_all, _ = timed(lambda: ft.algebraic_of(ft_measure()).edges(), 3)
        ref = reference_edges(law.equation(), e)
        err_ft = max(abs(mpmath.mpf(a) - r) for a, r in zip(e, ref)) if e else 0
        # rmtool gives candidates only: score its best candidate for each true edge
        err_rm = max(min(abs(mpmath.mpf(c) - r) for c in cand) for r in ref) if e else 0
        print(f"{name:28s} {str(same):8s} {len(cand):8d} {len(e):5d} {float(err_rm):11.1e} {float(err_ft):11.1e} "
              f"{t_rme / t_mc:8.1e} {t_fte / t_mc:8.1e} {t_rme / t_fte:5.1f} {t_rm_all / t_mc:12.1e} "
              f"{t_ft_all / t_mc:12.1e}")
        dens.append((name, L, law, np.linspace(e[0] - 0.05, e[-1] + 0.05, 400)))

    # ---- densities on 400 points: rmtool's Lmz2pdf (for degree <= 3 it takes the root with the
    # largest imaginary part; for degree > 3 it returns all roots and the user must choose) beside
    # freetk's pdf of the physical branch (a law with nothing cached: classification included)
    print(f"\n{'density, 400 points':28s} {'deg G':>5s} {'rm pdf':>8s} {'ft pdf':>8s} {'max |rm - ft|':>13s}")
    for name, L, law, xs in dens:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t_rmp, info = timed(lambda: rt.Lmz2pdf(L, xs), 3)
        t_ftp, p = timed(lambda: fresh(law).pdf(xs), 3)
        deg = int(law.degree()[0])
        diff = f"{np.nanmax(np.abs(np.nan_to_num(info.density) - p)):13.1e}" if deg <= 3 else f"{'(all roots)':>13s}"
        print(f"{name:28s} {deg:5d} {t_rmp / t_mc:8.1e} {t_ftp / t_mc:8.1e} {diff}")

    # ---- eight atoms with six-digit weights (exact decimals, the last one completing the sum to 1)
    rng = np.random.default_rng(1)
    locs = [F(int(v), 4) for v in rng.choice(np.arange(1, 33), 8, replace=False)]
    ws = [F(int(r), 10 ** 6) for r in rng.integers(10000, 199999, 7)]
    ws.append(1 - sum(ws))
    assert ws[-1] > 0
    fl_locs = [float(x) for x in locs]
    fl_ws = [round(float(w), 6) for w in ws]        # what an rmtool user types: 0.087747, ...
    assert [F(str(w)) for w in fl_ws] == ws
    print("\n8 atoms with 6-digit weights:", ", ".join(f"{w}@{x}" for x, w in zip(fl_locs, fl_ws)))
    for name, make, rm_make in (
            ("atoms ⊞ Bernoulli(±1)", lambda: ft.free_add(ft.atoms(locs, ws), ft.atoms([-1, 1]), method="generic"),
             lambda: rt.AplusB(rt.atomLmz(fl_locs, fl_ws), rt.atomLmz([-1, 1], [0.5, 0.5]))),
            ("atoms ⊠ atoms(1, 2)", lambda: ft.free_mul(ft.atoms(locs, ws), ft.atoms([1, 2]), method="generic"),
             lambda: rt.AtimesB(rt.atomLmz(fl_locs, fl_ws), rt.atomLmz([1, 2], [0.5, 0.5]))),
            ("atoms ⊞ SC(0, 1/100)", lambda: ft.free_add(ft.atoms(locs, ws), ft.semicircle(0, F(1, 100)), method="generic"),
             lambda: rt.AplusB(rt.atomLmz(fl_locs, fl_ws), rt.scaleA(rt.wignerpol(), sympy.Rational(1, 10)))),
            ("MP(1/2) ⊠ atoms", lambda: ft.free_mul(ft.marchenko_pastur(h), ft.atoms(locs, ws)),
             lambda: rt.AtimesB(rt.wishartpol(0.5), rt.atomLmz(fl_locs, fl_ws)))):
        mu = make()
        t_ft, law = timed(lambda: ft.algebraic_of(make()), 1)
        t_fte, e = timed(lambda: fresh(law).edges(), 1)
        dsc = law.polynomial.discriminant("G")          # FLINT, exact (the same as freetk uses)
        digits = max(len(str(abs(int(c)))) for c in dsc.coeffs())
        print(f"  {name}: freetk equation degree (G, z) = {law.degree()} in {t_ft / t_mc:.3f} MC; "
              f"{len(e)} certified edges in {t_fte / t_mc:.3f} MC (discriminant degree {dsc.degrees()[1]}, "
              f"coefficients up to 1e{digits - 1}); atoms {law.atoms()}")
        t0 = time.perf_counter()
        num = mu.support()
        t_num = time.perf_counter() - t0
        flat = [v for iv in num for v in iv]
        if len(flat) == len(e):
            print(f"    freetk numerical support() in {t_num / t_mc:.3f} MC: max |difference| = "
                  f"{max(abs(a - b) for a, b in zip(e, flat)):.1e}")
        else:
            print(f"    freetk numerical support() in {t_num / t_mc:.3f} MC found {len(flat)} ends, "
                  f"the equation {len(e)} edges")
        try:
            t0 = time.perf_counter()
            L = rm_make()
            t1 = time.perf_counter()
            same = proportional(rm_to_G(L), law.equation())
            print(f"    rmtool: equation in {(t1 - t0) / t_mc:.3f} MC (same up to a constant: {same})")
            t1 = time.perf_counter()
            cand = rm_candidates(L)
            found = sum(any(abs(c - x) < 1e-6 * (1 + abs(x)) for c in cand) for x in e)
            print(f"    rmtool: {len(cand)} edge candidates in {(time.perf_counter() - t1) / t_mc:.3f} MC; "
                  f"{found} of the {len(e)} true edges among them (to 1e-6)")
        except Exception as exc:  # noqa: BLE001
            print(f"    rmtool: fails with {type(exc).__name__}: {str(exc)[:120]}")


if __name__ == "__main__":
    main()
