"""mu for a general law of D by the line-contour route (freetk.ntk_general): time against one Monte
Carlo sample measured in the same run, and accuracy beside it.

Run: python benchmarks/bench_ntk_general.py [n_points]     (default 400)
"""
import sys
import time

import numpy as np
import sympy

import freetk as ft
from freetk.ntk_general import GeneralMu


def timed(f):
    t = time.perf_counter()
    out = f()
    return out, time.perf_counter() - t


def main(n):
    _, t_mc = timed(lambda: ft.montecarlo.ntk_eigenvalues("relu", n=1800, d=60, p=30, d_law="rademacher", seed=0))
    print(f"one Monte Carlo sample (n = 1800, d = 60, p = 30): {t_mc:.2f} s")

    h = ft.hermite_data("relu")
    half = sympy.Rational(1, 2)

    # accuracy: nu = delta_1 against the closed route (independent formula)
    law = ft.ntk_law(hermite=ft.HermiteData(0, h.c1, h.a + h.c1 ** 2, h.a, True), gamma1=1, gamma2=half,
                     d_law="rademacher")
    lo, hi = law.mu.support()[0]
    xs = lo + (hi - lo) * np.array([0.05, 0.5, 0.95])
    mu1, t1 = timed(lambda: GeneralMu(h.a, h.c1 ** 2, half, ft.atoms([1], [1])).pdf(xs))
    err = np.abs(mu1 - law.mu.pdf(xs)) / law.mu.pdf(xs)
    print(f"nu = delta_1, density at 5/50/95 % of the support vs closed form: rel err "
          f"{', '.join(f'{e:.1e}' for e in err)} ({t1:.2f} s for 3 points)")

    # time: ReLU, D uniform, gamma2 = 1/2, n-point density including building mu
    xs = np.linspace(0, 0.3, n + 2)[1:-1]
    (f, ), t = timed(lambda: (GeneralMu(h.a, h.c1 ** 2, half, ft.UniformSquared(1)).pdf(xs), ))
    print(f"ReLU, D ~ U[-1, 1], gamma2 = 1/2: {n}-point density of mu incl. setup {t:.1f} s = "
          f"{t / t_mc:.0f} Monte Carlo samples (cdf: not available on this route)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 400)
