"""The exact route's real-axis rule (ExactNTKLaw.real_axis_table: half circles around every edge, Chebyshev panels
of rho's density between them): mass and moments k <= 12 against the exact moments, the many-point cdf against the
contour cdf, and the times as ratios to one Monte Carlo sample measured in the same run (load printed).

Run: python benchmarks/bench_ntk_axis.py {quad,silu,issue,relu5}
"""
import os
import sys
import warnings
from fractions import Fraction as F

import numpy as np
import sympy

import freetk as ft
from _common import mc_sample, timed  # noqa: E402 (benchmarks/ is the script's path)

_x = sympy.Symbol("x")
HALF, THREE_HALVES = sympy.Rational(1, 2), sympy.Rational(3, 2)
LAWS = {
    "issue": dict(sigma_prime=sympy.exp(-_x ** 2) + _x, gamma1=3, gamma2=1,
                  d_law=ft.atoms([-2, F(1, 2)], [F(1, 3), F(2, 3)])),
    "silu": dict(activation="silu", gamma1=HALF, gamma2=HALF,
                 d_law=ft.atoms([-THREE_HALVES, -HALF, HALF, THREE_HALVES])),
    "relu5": dict(activation="relu", gamma1=5, gamma2=HALF, d_law="uniform"),
    "quad": dict(activation="quadratic", gamma1=1, gamma2=HALF, d_law="uniform"),
}


def main(which):
    law = ft.ntk_law(method="exact", **LAWS[which])
    _, tmc = timed(mc_sample)
    print(f"{which}: one MC sample {tmc:.2f} s, load {os.getloadavg()}")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pieces, ts = timed(law._pieces)
        rule, tt = timed(law.real_axis_table)
    for w in caught:
        print("warning:", str(w.message)[:300])
    npts = rule.x.size + sum(z.size for z in rule.z)
    print(f"pieces {[p[:2] for p in pieces]} ({ts:.1f} s); table {tt:.1f} s = {tt / tmc:.1f} MC samples, "
          f"{len(rule.ends)} panels, {npts} values, bound {rule.bound:.2g}")
    ex = [float(v) for v in law.moments(12)]
    errs = [(rule.integral(lambda t, k=k: t ** k) - ex[k]) / ex[k] for k in range(13)]
    print(f"mass - 1 = {law.total_mass() - 1:.2g}; moments k <= 12, max relative error {np.max(np.abs(errs)):.2g}")
    lo, hi = law._edges()[:2]
    probe = lo + (hi - lo) * np.array([0.05, 0.3, 0.7])
    xs = np.concatenate([probe, lo + (hi - lo) * np.linspace(0, 1, 400)[1:-1]])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Fc, tc = timed(lambda: law.cdf(probe))
        Fm, tm = timed(lambda: law.cdf(xs))
    for w in caught:
        print("warning:", str(w.message)[:300])
    print(f"cdf (rule) - cdf (contour) at 5/30/70 %: {Fm[:3] - Fc}; 3 contour points {tc:.1f} s; "
          f"{xs.size}-point cdf with the table built {tm:.1f} s = {tm / tmc:.1f} MC samples "
          f"({int(np.sum(rule.inside_arcs(xs)))} points inside the half circles: contour each)")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "silu")
