"""Peak memory and time of one NTK sample at n = 4000 (issue: Monte Carlo).

Run: python benchmarks/bench_memory.py
"""
import time
import tracemalloc

import numpy as np

from freetk import montecarlo as mc


def main():
    n, d, p = 4000, 80, 50
    for dtype in (np.float64, np.float32):
        tracemalloc.start()
        t = time.perf_counter()
        K = mc.ntk_matrix("relu", n=n, d=d, p=p, seed=0, dtype=dtype)
        t_build = time.perf_counter() - t
        _, peak_build = tracemalloc.get_traced_memory()
        t = time.perf_counter()
        e = np.linalg.eigvalsh(K)
        t_eig = time.perf_counter() - t
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        one = n * n * np.dtype(dtype).itemsize
        print(f"{np.dtype(dtype).name}: n={n}, d={d}, p={p}: build {t_build:.2f} s, peak {peak_build / 2**20:.0f} MiB "
              f"(one n x n matrix = {one / 2**20:.0f} MiB); with eigvalsh {t_eig:.1f} s, peak {peak / 2**20:.0f} MiB; "
              f"largest eigenvalue {e[-1]:.3f}")
        del K, e


if __name__ == "__main__":
    main()
