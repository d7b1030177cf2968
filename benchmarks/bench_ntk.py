"""The NTK law: time, accuracy against higher precision, and Monte Carlo side by side (issue: NTK).

Run: python benchmarks/bench_ntk.py            (everything)
     python benchmarks/bench_ntk.py --solver   (the vectorised solver section only, as ratios to one
                                                Monte Carlo sample measured in the same run)
     python benchmarks/bench_ntk.py --cli      (`freetk ntk` end to end against the Monte Carlo sample)
"""
import sys
from fractions import Fraction as F

import numpy as np

import freetk as ft
from _common import timed, mc_sample  # noqa: E402 (benchmarks/ is the script's path)
from freetk import montecarlo as mc


def main():
    print("== closed-form family: ReLU, D = ±1, gamma1 = 1/2, gamma2 = 1/4")
    law, t_build = timed(lambda: ft.ntk_law("relu", gamma1=F(1, 2), gamma2=F(1, 4), d_law="rademacher"))
    sup, t_sup = timed(law.support)
    lo, hi = sup[0][0], sup[-1][1]
    xs = np.linspace(lo, hi, 202)[1:-1]
    d, t_pdf = timed(lambda: law.pdf(xs))
    print(f"  200-point density: {t_pdf:.2f} s (+ support {t_sup:.2f} s, Hermite data and law {t_build:.2f} s)")
    pts = xs[[20, 60, 100, 140, 180]]
    hp, t_hp = timed(lambda: np.array([float(v) for v in law.pdf(pts, dps=30)]))
    err = np.abs(law.pdf(pts) - hp) / hp
    print(f"  double vs 30 digits at 5 bulk points: max rel err {err.max():.1e} ({t_hp:.1f} s at dps=30)")
    near = np.array([hi - 1e-2 * (hi - lo)])
    hp_e = float(law.pdf(near, dps=30)[0])
    print(f"  at 1% from the right edge: rel err {abs(law.pdf(near)[0] - hp_e) / hp_e:.1e}")
    gen = ft.ntk_law("relu", gamma1=F(1, 2), gamma2=F(1, 4), d_law="rademacher", method="moments")
    dg, t_g = timed(lambda: gen.pdf(xs))
    inner = slice(10, -10)
    print(f"  moment route (64 moments, 32 nodes) vs closed form: max rel diff "
          f"{np.max(np.abs(dg[inner] - d[inner]) / d[inner]):.1e} in the bulk ({t_g:.2f} s)")

    print("== general nu: SiLU, |D| in {1/2, 3/2}, gamma1 = gamma2 = 1/2")
    nu = ft.atoms([F(-3, 2), F(-1, 2), F(1, 2), F(3, 2)])
    law2, t_b2 = timed(lambda: ft.ntk_law("silu", gamma1=F(1, 2), gamma2=F(1, 2), d_law=nu))
    sup2, t_s2 = timed(law2.support)
    lo2, hi2 = sup2[0][0], sup2[-1][1]
    xs2 = np.linspace(lo2, hi2, 202)[1:-1]
    d2, t_p2 = timed(lambda: law2.pdf(xs2))
    print(f"  200-point density: {t_p2:.2f} s (+ support {t_s2:.2f} s, law {t_b2:.2f} s; moments of mu "
          f"in ball arithmetic, 32-node Gauss rule)")
    finer = ft.ntk_law("silu", gamma1=F(1, 2), gamma2=F(1, 2), d_law=nu, nodes=48)
    d3 = finer.pdf(xs2)
    for frac in (0.5, 0.8, 0.95):
        sel = (xs2 > lo2 + 0.02 * (hi2 - lo2)) & (xs2 < lo2 + frac * (hi2 - lo2))
        print(f"  32 vs 48 nodes on [2%, {frac:.0%}] of the support: max rel diff "
              f"{np.max(np.abs(d2 - d3)[sel] / d3[sel]):.1e}")
    print(f"  max abs diff overall (right edge): {np.max(np.abs(d2 - d3)):.1e}")
    pts2 = xs2[[40, 100, 160]]
    hp2 = np.array([float(v) for v in law2.pdf(pts2, dps=30)])
    print(f"  double vs 30 digits (same rule): {np.max(np.abs(law2.pdf(pts2) - hp2) / hp2):.1e}")

    print("== Monte Carlo vs the limit (default network of the CLI: ReLU, gamma1 = 1, gamma2 = 1/2, D = ±1)")
    law3 = ft.ntk_law("relu", gamma1=1, gamma2=F(1, 2))
    _, t_law = timed(lambda: (law3.support(), law3.cdf(0.5)))
    xs3 = np.linspace(*law3.support()[0], 400)
    _, t_dens = timed(lambda: law3.pdf(xs3))
    (res, eigs), t_mc = timed(lambda: mc.ntk_check(law3, d=60, p=30, activation="relu", seed=0))
    print(f"  one Monte Carlo sample n=1800 (d=60, p=30): {t_mc:.2f} s -> KS {res['ks']:.4f}, W1 {res['w1']:.4f}")
    print(f"  freetk: law + support + cdf {t_law:.2f} s, 400-point density {t_dens:.2f} s (exact limit, "
          f"error ~1e-13 in the bulk)")
    for d_, p_ in [(40, 20), (80, 40)]:
        (r, _), t = timed(lambda: mc.ntk_check(law3, d=d_, p=p_, activation="relu", seed=0))
        print(f"  n={r['n']:5d} (d={d_}, p={p_}): {t:.2f} s, KS {r['ks']:.4f}")


def solver_section():
    """Law + support + atoms + 400-point density and cdf, as a ratio to one Monte Carlo sample."""
    (_, t_mc) = timed(mc_sample)
    print(f"one Monte Carlo sample (n=1800, d=60, p=30): {t_mc:.2f} s")

    def pipeline(act, g1, g2, npts=400, cdf=True):
        law = ft.ntk_law(act, gamma1=g1, gamma2=g2)
        sup = law.support()
        law.atoms()
        xs = np.linspace(sup[0][0], sup[-1][1], npts)
        law.pdf(xs)
        if cdf:
            law.cdf(xs)

    for name, act, g1, g2 in (("ReLU, gamma1 = 1, gamma2 = 1/2", "relu", 1, F(1, 2)),
                              ("GELU, gamma1 = 1/2, gamma2 = 2", "gelu", F(1, 2), 2)):
        # first call: the activation's Hermite data (sympy) and first-use imports included; then a new law
        # of the same activation (Hermite data cached by name), with and without the cdf
        _, t_first = timed(lambda: pipeline(act, g1, g2))
        _, t_all = timed(lambda: pipeline(act, g1, g2))
        _, t_nocdf = timed(lambda: pipeline(act, g1, g2, cdf=False))
        # the cdf on a grid of its own (the law remembers its last solve: on the pdf's grid the cdf reuses it)
        law = ft.ntk_law(act, gamma1=g1, gamma2=g2)
        sup = law.support()
        xs = np.linspace(sup[0][0], sup[-1][1], 400)
        law.pdf(xs)
        _, t_cdf_own = timed(lambda: law.cdf(xs[:-1] + 0.5 * (xs[1] - xs[0])))
        print(f"{name}: law+support+atoms+400 pdf+400 cdf, first call {t_first:.2f} s = {t_first / t_mc:.2f} x MC; "
              f"again {t_all:.2f} s = {t_all / t_mc:.2f} x MC; without cdf {t_nocdf:.2f} s = {t_nocdf / t_mc:.2f} x MC; "
              f"a 399-point cdf between the pdf's points {t_cdf_own:.3f} s")
    heavy = [m for m in ("scipy.special", "numpy.f2py", "numpy.testing", "matplotlib") if m in sys.modules]
    print(f"imported by the runs above (ReLU and GELU first calls): {', '.join(heavy) or 'none'} of scipy.special, "
          f"numpy.f2py, numpy.testing, matplotlib")
    # general D through the moment route: building mu's rule (its exact moments in ball arithmetic, Jacobi
    # matrix, Gauss nodes) is part of the law; a new law each time (nothing cached but the Hermite data)
    nu = ft.atoms([F(-3, 2), F(-1, 2), F(1, 2), F(3, 2)])

    def general(cdf=True):
        law = ft.ntk_law("silu", gamma1=F(1, 2), gamma2=F(1, 2), d_law=nu)
        sup = law.support()
        law.atoms()
        xs = np.linspace(sup[0][0], sup[-1][1], 400)
        law.pdf(xs)
        if cdf:
            law.cdf(xs)
        return law
    _, t_first = timed(general)
    law, t_all = timed(general)
    _, t_nocdf = timed(lambda: general(cdf=False))
    print(f"general D (SiLU, |D| in {{1/2, 3/2}}, gamma1 = gamma2 = 1/2, moment route): law+support+atoms+400 pdf"
          f"+400 cdf, first call {t_first:.2f} s = {t_first / t_mc:.2f} x MC; again {t_all:.2f} s = "
          f"{t_all / t_mc:.2f} x MC; without cdf {t_nocdf:.2f} s = {t_nocdf / t_mc:.2f} x MC; "
          f"total_mass - 1 = {law.total_mass() - 1:.1e}")
    g1s = np.geomspace(0.2, 5, 10)
    _, t_sw = timed(lambda: [pipeline("relu", F(g).limit_denominator(1000), F(1, 2), 200, False) for g in g1s])
    print(f"sweep of 10 gamma1 in [0.2, 5] (support + 200-point density): {t_sw:.2f} s = "
          f"{t_sw / (10 * t_mc):.2f} x 10 MC samples")


def cli_section():
    """``freetk ntk`` end to end (its own Monte Carlo sample, CSV and plot) against the Monte Carlo sample
    alone, both in this process and as subprocesses (interpreter start and imports included)."""
    import os
    import subprocess
    import tempfile
    from freetk.cli import main as cli_main
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=root + os.pathsep + os.environ.get("PYTHONPATH", ""))
    mc_code = ("import freetk.montecarlo as mc; "
               "mc.ntk_eigenvalues('relu', n=1800, d=60, p=30, d_law='rademacher', seed=0)")
    with tempfile.TemporaryDirectory() as tmp:
        _, t_sub_mc = timed(lambda: subprocess.run([sys.executable, "-c", mc_code], env=env, cwd=tmp, check=True))
        _, t_sub_cli = timed(lambda: subprocess.run([sys.executable, "-m", "freetk", "ntk", "--quiet"], env=env,
                                                    cwd=tmp, check=True, stdout=subprocess.DEVNULL))
        _, t_mc = timed(mc_sample)
        cwd = os.getcwd()
        os.chdir(tmp)
        try:
            import contextlib
            import io
            with contextlib.redirect_stdout(io.StringIO()):
                _, t_cli = timed(lambda: cli_main(["ntk", "--quiet"]))
        finally:
            os.chdir(cwd)
    print(f"one Monte Carlo sample in this process: {t_mc:.2f} s")
    print(f"freetk ntk in this process (first call: Hermite data, law, support, 400-point pdf and cdf, "
          f"pdf_error at 17 digits, its own Monte Carlo sample, CSV, plot): {t_cli:.2f} s = {t_cli / t_mc:.2f} x MC")
    print(f"as subprocesses (interpreter start and imports included): Monte Carlo sample alone "
          f"{t_sub_mc:.2f} s; `python -m freetk ntk` {t_sub_cli:.2f} s = {t_sub_cli / t_mc:.2f} x MC "
          f"(in-process) = {t_sub_cli / t_sub_mc:.2f} x the Monte Carlo subprocess")


if __name__ == "__main__":
    if "--solver" in sys.argv:
        solver_section()
    elif "--cli" in sys.argv:
        cli_section()
    else:
        main()
