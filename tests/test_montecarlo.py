"""Monte Carlo harness: exact samplers, distances, sweeps (issue: Monte Carlo)."""
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction as F

import numpy as np
import pytest
import sympy

import freetk as ft
from freetk import montecarlo as mc
from freetk.errors import InvalidArgument


def test_seeded_reproducibility_and_independence():
    a = mc.ntk_eigenvalues("relu", n=120, d=12, p=10, seed=5)
    b = mc.ntk_eigenvalues("relu", n=120, d=12, p=10, seed=5)
    c = mc.ntk_eigenvalues("relu", n=120, d=12, p=10, seed=6)
    assert np.array_equal(a, b)
    assert not np.allclose(a, c)


def test_ntk_matrix_is_the_spec_matrix():
    # K = (1/d) X X^T ⊙ (1/p) phi(XW/sqrt d) D^2 phi(XW/sqrt d)^T, rebuilt here from the same draws
    n, d, p, seed = 30, 5, 4, 11
    K = mc.ntk_matrix("relu", n=n, d=d, p=p, seed=seed)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    W = rng.standard_normal((d, p))
    D = rng.choice([-1.0, 1.0], size=p)
    Phi = (X @ W / np.sqrt(d) > 0).astype(float)
    ref = (X @ X.T / d) * (Phi @ np.diag(D ** 2) @ Phi.T / p)
    assert np.allclose(K, ref, atol=1e-13)
    assert mc.ntk_matrix("relu", n=n, d=d, p=p, seed=seed, dtype=np.float32).dtype == np.float32


def test_rademacher_data_and_float32():
    e64 = mc.ntk_eigenvalues("relu", n=200, d=20, p=10, x_law="rademacher", seed=1)
    e32 = mc.ntk_eigenvalues("relu", n=200, d=20, p=10, x_law="rademacher", seed=1, dtype=np.float32)
    assert np.max(np.abs(e64 - e32)) < 1e-4 * np.max(np.abs(e64))


def test_outliers_predicted_and_separated():
    law = ft.ntk_law("relu", gamma1=1, gamma2=F(1, 2))
    e = mc.ntk_eigenvalues("relu", n=1800, d=60, p=30, seed=0)
    k = mc.predicted_outliers(law.hermite, 60)
    assert k == 61
    bulk, out, gap = mc.remove_outliers(e, k, bulk_edge=law.support()[-1][1])
    assert gap > 0.5       # every removed eigenvalue sits well above the predicted edge
    assert bulk[-1] < law.support()[-1][1] * 1.15


def test_distances_against_exact_laws():
    e = mc.wigner(1000, seed=0)
    ks = mc.ks_distance(e, ft.semicircle())
    w1 = mc.w1_distance(e, ft.semicircle())
    assert ks < 0.03 and w1 < 0.03
    # a wrong law is far
    assert mc.ks_distance(e, ft.semicircle(0, 2)) > 0.1
    # KS of a sample against its own empirical cdf is the 1/n step
    s = np.array([0.0, 1.0, 2.0, 3.0])
    assert mc.ks_distance(s, lambda t: np.clip((np.asarray(t) + 0.5) / 4, 0, 1)) == pytest.approx(0.125)


def test_wishart_against_mp():
    e = mc.wishart(800, 1600, seed=2)
    assert mc.ks_distance(e, ft.marchenko_pastur(F(1, 2))) < 0.03


def test_haar_sum_and_product_shrink_with_size():
    a = ft.atoms([-1, 1])
    law = ft.free_add(a, a)          # arcsine on [-2, 2]
    ks_small = np.mean([mc.ks_distance(mc.free_sum_sample(a, a, 100, seed=s), law) for s in range(3)])
    ks_big = np.mean([mc.ks_distance(mc.free_sum_sample(a, a, 800, seed=s), law) for s in range(3)])
    assert ks_big < ks_small and ks_big < 0.03
    mp = ft.marchenko_pastur(F(1, 2))
    nu = ft.atoms([F(1, 4), F(9, 4)])
    prod = ft.free_mul(mp, nu)
    ks_small = np.mean([mc.ks_distance(mc.free_product_sample(mp, nu, 100, seed=s), prod) for s in range(3)])
    ks_big = np.mean([mc.ks_distance(mc.free_product_sample(mp, nu, 800, seed=s), prod) for s in range(3)])
    assert ks_big < ks_small and ks_big < 0.03


def _wigner_job(n, seed):
    e = mc.wigner(n, seed=seed)
    return {"ks": mc.ks_distance(e, ft.semicircle())}


def test_sweep_tidy_table_serial_and_parallel():
    grid = [{"n": 50}, {"n": 400}]
    rows = mc.sweep(_wigner_job, grid, seeds=[0, 1], progress=False)
    assert [(r["n"], r["seed"]) for r in rows] == [(50, 0), (50, 1), (400, 0), (400, 1)]
    with ThreadPoolExecutor(2) as ex:
        rows2 = mc.sweep(_wigner_job, grid, seeds=[0, 1], executor=ex, progress=False)
    assert [r["ks"] for r in rows] == [r["ks"] for r in rows2]
    small = np.mean([r["ks"] for r in rows if r["n"] == 50])
    big = np.mean([r["ks"] for r in rows if r["n"] == 400])
    assert big < small


def test_sweep_on_dask_local_cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        rows = mc.sweep(_wigner_job, [{"n": 60}], seeds=[3, 4], executor=client.get_executor(), progress=False)
    local = mc.sweep(_wigner_job, [{"n": 60}], seeds=[3, 4], progress=False)
    assert [r["ks"] for r in rows] == [r["ks"] for r in local]


@pytest.mark.parametrize("call, match", [
    (lambda: mc.ntk_eigenvalues("relu", n=0, d=3, p=3), "`n` of `ntk_matrix` must be >= 1"),
    (lambda: mc.ntk_eigenvalues("relu", n=10.5, d=3, p=3), "`n` of `ntk_matrix` must be an integer"),
    (lambda: mc.ntk_eigenvalues(sigma_prime=lambda t: np.full_like(t, np.nan), n=10, d=3, p=3), "NaN"),
    (lambda: mc.ks_distance([1.0, 2.0], object()), "a measure with a cdf"),
    (lambda: mc.ntk_eigenvalues("relu", n=10, d=3, p=3, x_law="cauchy"), "x_law"),
    (lambda: mc.remove_outliers([1.0, 2.0], 5), "k must be in"),
])
def test_bad_input(call, match):
    with pytest.raises(InvalidArgument, match=match):
        call()


def test_plots(tmp_path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    e = mc.wigner(300, seed=0)
    ax = mc.plot_spectrum(e, ft.semicircle())
    ax2 = mc.qq_plot(e, ft.semicircle())
    assert len(ax.lines) >= 1 and len(ax2.lines) == 2
    ax.figure.savefig(tmp_path / "h.png")
    assert (tmp_path / "h.png").stat().st_size > 1000
    plt.close("all")


def test_draws_of_a_law_without_exact_sampler_keep_atoms_and_every_interval():
    """A law of D with an atom (free Poisson of rate 1/2: mass 1/2 at 0) and one with two support intervals
    (semicircle of variance 1/100 ⊞ atoms ±1): the atom drawn exactly with its mass, and the first moments
    of the draws equal the exact moments (free cumulant algebra) within 5 standard errors."""
    import freetk as ft
    from freetk.montecarlo import _draw_d
    rng = np.random.default_rng(1)
    n = 200_000
    for law in (ft.free_poisson(sympy.Rational(1, 2)),
                ft.free_add(ft.semicircle(0, sympy.Rational(1, 100)), ft.atoms([-1, 1]))):
        x = _draw_d(law, n, rng)
        m = [float(v) for v in law.moments(4)]
        for k in (1, 2):
            se = np.sqrt((m[2 * k] - m[k] ** 2) / n)
            assert abs(np.mean(x ** k) - m[k]) < 5 * se + 1e-3 * abs(m[k]), (law, k)
        for loc, w in law.atoms_float():
            assert abs(np.mean(x == loc) - w) < 5 * np.sqrt(w * (1 - w) / n)


def test_ks_distance_equals_scipy_kstest_for_a_continuous_law():
    from scipy import stats
    e = mc.wigner(300, seed=3)
    law = ft.semicircle()
    ref = stats.kstest(e, lambda t: np.asarray(law.cdf(t), float)).statistic
    assert mc.ks_distance(e, law) == pytest.approx(ref, abs=1e-12)


def test_ks_distance_with_atoms_met_by_tied_sample_values():
    # the sample is the law exactly: distance 0 (comparing F(0), atom included, with F_n(0-) gave 1/2)
    assert mc.ks_distance([0.0, 0.0, 1.0, 1.0], ft.atoms([0, 1], [F(1, 2), F(1, 2)])) == pytest.approx(0, abs=1e-15)
    # Marchenko-Pastur of ratio 2 (atom 1/2 at 0): half exact zeros, half the continuous part's quantiles
    law = ft.marchenko_pastur(2)
    m = 200
    q = np.asarray(law.quantile(0.5 + 0.5 * (np.arange(m) + 0.5) / m), float)
    ks = mc.ks_distance(np.concatenate([np.zeros(m), q]), law)
    assert ks <= 0.5 / (2 * m) + 1e-9
    # an atom of the law between sample points counts: the same sample against the law without its atom is far
    assert mc.ks_distance(np.concatenate([np.zeros(m), q]), ft.marchenko_pastur(F(1, 2))) > 0.3


def test_ks_distance_refuses_an_empty_or_non_finite_sample():
    """A review: an empty sample raised numpy's 'zero-size array' ValueError."""
    from freetk.errors import InvalidArgument
    for bad in (np.array([]), np.array([0.1, np.nan])):
        with pytest.raises(InvalidArgument, match="`sample` of `ks_distance`"):
            ft.montecarlo.ks_distance(bad, ft.semicircle())
