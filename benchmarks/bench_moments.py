"""Fast exact moments where users wait for them (issue: numerical core).

Every time is reported as a ratio to one Monte Carlo sample of the default NTK matrix
(ReLU, n = 1800, d = 60, p = 30, D = ±1, eigvalsh) measured in the same run.

Run: python benchmarks/bench_moments.py
"""
import time

import sympy

import freetk as ft
from _common import mc_sample  # noqa: E402 (benchmarks/ is the script's path)


def timed(f, repeat=1):
    best = float("inf")
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t)
    return best, out


def main():
    mc, _ = timed(mc_sample, 3)
    print(f"one Monte Carlo sample (n=1800, d=60, p=30, eigvalsh): {mc:.3f} s  (= 1 unit)")

    def row(label, seconds):
        print(f"  {label:<62s} {seconds:8.3f} s  {seconds / mc:8.3f} x MC")

    # 1. symbolic moments of rho
    t, (m, _) = timed(lambda: ft.ntk_moments_symbolic(8))
    row("ntk_moments_symbolic(8)", t)

    # 2. 64 numeric moments of the ReLU law (Hermite data contain pi)
    law = ft.ntk_law("relu", gamma1=1, gamma2=sympy.Rational(1, 2))
    t, _ = timed(lambda: law.mu.moments_numeric(64, dps=30))
    row("ReLU law.mu.moments_numeric(64, dps=30)", t)
    try:
        from freetk.ntk_series import rho_moments_numeric
    except ImportError:
        rho_moments_numeric = None
    if rho_moments_numeric is not None:
        t, _ = timed(lambda: rho_moments_numeric(law, 64, dps=30))
        row("ReLU rho_moments_numeric(law, 64, dps=30)", t)
    for k in (16, 32):
        fresh = ft.ntk_law("relu", gamma1=1, gamma2=sympy.Rational(1, 2))
        t, _ = timed(lambda: fresh.mu.moments(k))
        row(f"ReLU law.mu.moments({k}), exact in pi", t)
    fresh = ft.ntk_law("relu", gamma1=1, gamma2=sympy.Rational(1, 2))
    t, _ = timed(lambda: fresh.moments(16))
    row("ReLU law.moments(16), exact in pi", t)

    # 3. 200 exact moments -> measure -> 200 free cumulants
    seq = ft.marchenko_pastur(sympy.Rational(1, 2)).moments(200)
    t1, fm = timed(lambda: ft.from_moments(seq))
    t2, kap = timed(lambda: fm.free_cumulants(200))
    assert kap == [sympy.Rational(1, 2) ** (k - 1) for k in range(1, 201)]
    row("from_moments(200 exact moments of MP(1/2))", t1)
    row("  then free_cumulants(200)", t2)


if __name__ == "__main__":
    main()
