"""Hermite data in double precision (Gauss quadrature) against mpmath quadrature (issue 10, issue 12).

Times ``hermite_data`` (the public function, named-activation cache cleared before each call) in
double precision (``dps=None``, the default) and at ``dps=30``, as ratios to one Monte Carlo sample
``ntk_eigenvalues("relu", n=1800, d=60, p=30, d_law="rademacher", seed=0)`` measured in the same run.
Run: python benchmarks/bench_hermite.py
"""
import time

import numpy as np

import freetk as ft
from _common import mc_sample  # noqa: E402 (benchmarks/ is the script's path)
from freetk import hermite as H


def timed(f, repeat=1):
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t)
    return best


def named(name, dps):
    def run():
        H._NAMED_CACHE.clear()
        return ft.hermite_data(name, dps=dps)
    return run


def main():
    mc = timed(mc_sample)
    print(f"one Monte Carlo sample (n=1800, d=60, p=30): {mc:.3f} s")
    print(f"{'activation':28s} {'double / MC':>12s} {'dps=30 / MC':>12s} {'error (double)':>15s}")
    for name in ("silu", "tanh", "softplus", "gelu", "sigmoid"):
        td = timed(named(name, None), repeat=3)
        t30 = timed(named(name, 30))
        err = ft.hermite_data(name).error
        print(f"{name:28s} {td / mc:12.4f} {t30 / mc:12.4f} {err:15.1e}")
    for label, f in (("callable np.tanh (sigma)", lambda t: np.tanh(t)),
                     ("callable silu (sigma)", lambda t: t / (1 + np.exp(-t)))):
        td = timed(lambda: ft.hermite_data(f), repeat=3)
        print(f"{label:28s} {td / mc:12.4f} {'-':>12s} {ft.hermite_data(f).error:15.1e}")


if __name__ == "__main__":
    main()
