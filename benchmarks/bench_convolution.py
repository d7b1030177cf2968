"""Numerical free convolutions: accuracy against exact references and time (issue: numerics).

Published bars of NumericalFreeProbability.jl (its test suite): semicircle ⊞ semicircle asserted
to 1e-9, MP ⊞ MP to 1e-6.  Run: python benchmarks/bench_convolution.py
"""
import time
from fractions import Fraction as F

import mpmath
import numpy as np

import freetk as ft


def rel_err(a, b):
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b)) / np.abs(np.asarray(b))))


def mp_half(x):
    return ft.marchenko_pastur(F(1, 2)).pdf(x, dps=50)


def main():
    sc = ft.free_add(ft.semicircle(), ft.semicircle(), method="generic")
    ref = ft.semicircle(0, 2)
    x = np.linspace(-2.8, 2.8, 200)
    e_sc = rel_err(sc.pdf(x), ref.pdf(x))
    mp1, mp2 = ft.free_poisson(2, 1), ft.free_poisson(F(1, 2), 1)
    mpsum = ft.free_add(mp1, mp2, method="generic")
    mpref = ft.free_poisson(F(5, 2), 1)
    a, b = mpref.support()[0]
    x2 = np.linspace(a, b, 202)[1:-1]
    e_mp = rel_err(mpsum.pdf(x2), mpref.pdf(x2))
    print(f"{'case':38s} {'freetk (double)':>16s} {'NumericalFreeProbability.jl bar':>32s}")
    print(f"{'semicircle ⊞ semicircle, density':38s} {e_sc:16.1e} {'1e-9':>32s}")
    print(f"{'free Poisson ⊞ free Poisson, density':38s} {e_mp:16.1e} {'1e-6':>32s}")
    with mpmath.workdps(60):
        pts = [mpmath.mpf("0.3"), mpmath.mpf("-1.7")]
    with mpmath.workdps(60):
        e50 = max(abs(sc.pdf(p, dps=50) - ref.pdf(p, dps=50)) / ref.pdf(p, dps=50) for p in pts)
        fcp = ft.free_compound_poisson(2, ft.atoms([F(1, 2)]))
        q = mpmath.mpf("1.3")
        e50b = abs(fcp.pdf(q, dps=50) - mp_half(q)) / mp_half(q)
    show = lambda e: f"{float(e):16.1e}" if e else f"{'< 1e-50':>16s}"  # noqa: E731
    print(f"{'semicircle ⊞ semicircle at dps=50':38s} {show(e50)}")
    print(f"{'MP(1/2) by its FCP equation, dps=50':38s} {show(e50b)}")
    mp = ft.marchenko_pastur(F(1, 2))
    nu = ft.atoms([F(1, 4), 1, F(9, 4)])
    prod = ft.free_mul(mp, nu)
    t = time.perf_counter()
    sup = prod.support()
    t_sup = time.perf_counter() - t
    lo, hi = sup[0][0], sup[-1][1]
    xs = np.linspace(lo, hi, 1000)
    t = time.perf_counter()
    d = prod.pdf(xs)
    t_pdf = time.perf_counter() - t
    print(f"MP(1/2) ⊠ atoms(1/4, 1, 9/4): 1000-point density {t_pdf:.2f} s (support {t_sup:.2f} s, "
          f"{len(sup)} interval(s)); total mass - 1 = {prod.total_mass() - 1:.1e}")
    fcp = ft.free_compound_poisson(1, nu)
    e_two = float(np.max(np.abs(ft.free_mul(ft.marchenko_pastur(1), nu).pdf(xs) - fcp.pdf(xs))))
    print(f"MP(1) ⊠ nu by multiplicative subordination vs the compound Poisson equation: max abs diff {e_two:.1e}")


if __name__ == "__main__":
    main()
