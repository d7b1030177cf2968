"""What every benchmark shares: a timer, and the reference all times are reported against — one Monte
Carlo sample of the NTK matrix (ReLU, n = 1800, d = 60, p = 30, D = ±1, eigvalsh), measured in the same run."""
import time

import freetk as ft


def timed(f):
    """``(f(), seconds)``."""
    t = time.perf_counter()
    out = f()
    return out, time.perf_counter() - t


def mc_sample(seed=0):
    """One Monte Carlo sample: the eigenvalues of the reference NTK matrix."""
    return ft.montecarlo.ntk_eigenvalues("relu", n=1800, d=60, p=30, d_law="rademacher", seed=seed)
