"""Support edges from inverse maps and the integration engine: time as a ratio to one Monte Carlo
sample measured in the same run, accuracy against independent references.

Run: python benchmarks/bench_edges.py
"""
from fractions import Fraction as F

import numpy as np

import freetk as ft
from _common import timed, mc_sample  # noqa: E402 (benchmarks/ is the script's path)


def main():
    _, t_mc = timed(mc_sample)
    print(f"one Monte Carlo sample (relu, n=1800, d=60, p=30): {t_mc:.2f} s = 1.00")
    print(f"{'case':46s} {'time':>8s} {'ratio':>7s}  result")
    cases = [
        ("MP(1/2) ⊞ semicircle: support()",
         lambda: ft.free_add(ft.marchenko_pastur(F(1, 2)), ft.semicircle())),
        ("semicircle ⊞ Bernoulli(±1): support()",
         lambda: ft.free_add(ft.semicircle(), ft.atoms([-1, 1]))),
        ("MP(1/2) ⊠ atoms(1/4, 9/4): support()",
         lambda: ft.free_mul(ft.marchenko_pastur(F(1, 2)), ft.atoms([F(1, 4), F(9, 4)]))),
        ("MP(1/2) ⊠ atoms(1/2, 1, 3): support()",
         lambda: ft.free_mul(ft.marchenko_pastur(F(1, 2)), ft.atoms([F(1, 2), 1, 3], [F(3, 10), F(3, 10), F(2, 5)]))),
        ("MP(1/2) ⊠ MP(3/10): support()",
         lambda: ft.free_mul(ft.marchenko_pastur(F(1, 2)), ft.marchenko_pastur(F(3, 10)), method="generic")),
    ]
    for name, make in cases:
        m = make()
        sup, t = timed(m.support)
        print(f"{name:46s} {t:8.3f} {t / t_mc:7.3f}  {[(f'{a:.15g}', f'{b:.15g}') for a, b in sup]}")
    print(f"{'   (reference: semicircle ⊞ Bernoulli edges ±sqrt(27)/2 =':46s} {np.sqrt(27) / 2:.15g})")

    law, t_law = timed(lambda: ft.ntk_law("relu", gamma1=1, gamma2=F(1, 2)))
    sup, t_sup = timed(law.support_intervals)
    print(f"{'NTK default law: ntk_law()':46s} {t_law:8.3f} {t_law / t_mc:7.3f}")
    print(f"{'NTK default law: support()':46s} {t_sup:8.3f} {t_sup / t_mc:7.3f}  {sup}")
    print(f"{'   right edge - 1.44417445344166 (prototype)':46s} {sup[-1].hi - 1.44417445344166:+.1e}")
    lo, hi = sup[0].lo, sup[-1].hi
    x = np.linspace(lo, hi, 400)
    c, t_cdf = timed(lambda: law.cdf(x))
    print(f"{'NTK default law: 400-point cdf (first call)':46s} {t_cdf:8.3f} {t_cdf / t_mc:7.3f}  "
          f"cdf(hi) - 1 = {c[-1] - 1:+.1e}")
    c, t_cdf2 = timed(lambda: law.cdf(x))
    print(f"{'NTK default law: 400-point cdf (table built)':46s} {t_cdf2:8.4f} {t_cdf2 / t_mc:7.4f}")
    mass, _ = timed(law.total_mass)
    exact = [float(v) for v in law.moments(4)]
    dev = max(abs(law.expect(lambda t, k=k: t ** k) - exact[k]) for k in range(1, 5))
    print(f"   total mass - 1 = {mass - 1:+.1e}; max_k<=4 |int x^k f - m_k| = {dev:.1e}; "
          f"error estimate {law.quadrature_error():.1e}")


if __name__ == "__main__":
    main()
