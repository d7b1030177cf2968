"""A 20-point gamma1 scan of the ReLU NTK law against 20 Monte Carlo samples (issue 13).

Run: python benchmarks/bench_scan.py            (serial and a dask LocalCluster of 2 workers)

Every time is reported as a ratio to one Monte Carlo sample measured in the same run:
``ft.montecarlo.ntk_eigenvalues("relu", n=1800, d=60, p=30, d_law="rademacher", seed=0)``.
The scan computes, for each gamma1, the support edges, 7 quantiles and a 200-point density on a
common grid, through the public ``ft.scan``.
"""
import functools

import numpy as np

import freetk as ft
from _common import timed, mc_sample  # noqa: E402 (benchmarks/ is the script's path)

GAMMA1 = np.round(np.linspace(0.2, 2.0, 20), 4).tolist()


def main():
    _, t_mc1 = timed(mc_sample)
    _, t_mc20 = timed(lambda: [mc_sample(seed=s) for s in range(20)])
    print(f"one Monte Carlo sample (n = 1800, eigvalsh): {t_mc1:.2f} s; 20 samples: {t_mc20:.1f} s", flush=True)
    builder = functools.partial(ft.ntk_law, "relu", gamma2=0.5, d_law="rademacher")
    x = np.linspace(0.0, 4.0, 200)
    what = ("edges", "quantiles", "density")
    res, t_scan = timed(lambda: ft.scan(builder, {"gamma1": GAMMA1}, what=what, x=x, progress=False))
    print(f"20-point gamma1 scan, serial: {t_scan:.1f} s = {t_scan / t_mc1:.1f} MC samples "
          f"= {t_scan / t_mc20:.2f} x (20 MC samples)")
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        print("dask.distributed not installed: cluster run skipped", flush=True)
        return
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        ex = client.get_executor()
        res2, t_dask = timed(lambda: ft.scan(builder, {"gamma1": GAMMA1}, what=what, x=x, executor=ex,
                                             progress=False))
    same = all(np.array_equal(res[k], res2[k], equal_nan=True) for k in ("intervals", "quantiles", "density"))
    diff = max(float(np.nanmax(np.abs(res[k] - res2[k]))) for k in ("intervals", "quantiles", "density"))
    print(f"same scan on a dask LocalCluster (2 workers): {t_dask:.1f} s = {t_dask / t_mc1:.1f} MC samples "
          f"= {t_dask / t_mc20:.2f} x (20 MC samples); identical to serial: {same} (max abs difference {diff:.1e})",
          flush=True)
    print("smallest edge against gamma1:", np.round(res["lower"], 5).tolist(), flush=True)


if __name__ == "__main__":
    main()
