"""ft.scan: every row equals the one-by-one result; executors change nothing; the plot helper draws."""
from concurrent.futures import ThreadPoolExecutor
import functools

import numpy as np
import pytest
import sympy

import freetk as ft
from freetk.errors import InvalidArgument


def _semicircle_builder(mean, var):
    return ft.semicircle(mean, var)


def test_scan_rows_equal_one_by_one():
    grid = {"mean": [2, 3], "var": [sympy.Rational(1, 4), 1]}
    x = np.linspace(0, 6, 31)
    q = (0.1, 0.5, 0.9)
    res = ft.scan(_semicircle_builder, grid, what=("edges", "quantiles", "moments", "density", "cdf",
                                                   "condition_number"), x=x, q=q, k=3, progress=False)
    assert [tuple(p.values()) for p in res["params"]] == [(2, sympy.Rational(1, 4)), (2, 1), (3, sympy.Rational(1, 4)),
                                                          (3, 1)]
    for i, p in enumerate(res["params"]):
        law = ft.semicircle(p["mean"], p["var"])
        (lo, hi), = law.support()
        assert res["intervals"][i, 0].tolist() == [lo, hi]
        assert res["lower"][i] == lo and res["upper"][i] == hi
        assert np.array_equal(res["quantiles"][i], law.quantile(np.array(q)))
        assert np.array_equal(res["moments"][i], [float(v) for v in law.moments(3)])
        assert np.array_equal(res["density"][i], law.pdf(x))
        assert np.array_equal(res["cdf"][i], law.cdf(x))
        assert res["condition_number"][i] == law.condition_number()
    # the closed form, independently: semicircle edges mean -+ 2 sqrt(var)
    assert np.allclose(res["upper"], [2 + 1, 2 + 2, 3 + 1, 3 + 2], rtol=0, atol=1e-15)
    assert np.allclose(res.param("mean"), [2, 2, 3, 3])


def test_scan_plain_values_atoms_and_executor():
    vals = [0.5, 2.0]
    serial = ft.scan(ft.marchenko_pastur, vals, what=("edges", "quantiles"), progress=False)
    with ThreadPoolExecutor(2) as ex:
        par = ft.scan(ft.marchenko_pastur, vals, what=("edges", "quantiles"), executor=ex, progress=False)
    assert np.array_equal(serial["quantiles"], par["quantiles"])
    assert np.array_equal(serial["intervals"], par["intervals"])
    assert serial["atoms"] == [(), ((0.0, 0.5),)]
    assert serial["lower"][1] == 0.0          # the atom at 0 is the lower end of MP(2)
    assert [p["value"] for p in serial["params"]] == vals


@pytest.mark.slow
def test_scan_ntk_gamma1_matches_one_by_one():
    builder = functools.partial(ft.ntk_law, "relu", gamma2=sympy.Rational(1, 2))
    grid = {"gamma1": [sympy.Rational(1, 4), sympy.Rational(1, 2)]}
    x = np.linspace(0.01, 1.5, 40)
    res = ft.scan(builder, grid, what=("edges", "density"), x=x, progress=False)
    for i, g1 in enumerate(grid["gamma1"]):
        law = ft.ntk_law("relu", gamma1=g1, gamma2=sympy.Rational(1, 2))
        assert res["intervals"][i, :len(law.support())].tolist() == [list(iv) for iv in law.support()]
        assert np.array_equal(res["density"][i], law.pdf(x))


def test_scan_validation():
    with pytest.raises(InvalidArgument, match="`x`"):
        ft.scan(ft.marchenko_pastur, [0.5], what=("density",), progress=False)
    with pytest.raises(InvalidArgument, match="`what`"):
        ft.scan(ft.marchenko_pastur, [0.5], what=("edgez",), progress=False)
    with pytest.raises(InvalidArgument, match="`grid`"):
        ft.scan(ft.marchenko_pastur, [], what="edges", progress=False)
    with pytest.raises(InvalidArgument, match="`executor`"):
        ft.scan(ft.marchenko_pastur, [0.5], what="edges", executor=object(), progress=False)


def test_plot_scan_draws_family_and_edges():
    import matplotlib
    from matplotlib.figure import Figure
    backend = matplotlib.get_backend()
    x = np.linspace(0, 4, 50)
    res = ft.scan(ft.marchenko_pastur, {"ratio": [0.25, 0.5, 0.75]}, what=("edges", "density"), x=x,
                  progress=False)
    fig = ft.plot_scan(res)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    dens_ax, edge_ax = fig.axes
    assert len(dens_ax.lines) == 3
    upper = [ln for ln in edge_ax.lines if ln.get_label() == "upper edge"][0]
    assert np.allclose(upper.get_ydata(), (1 + np.sqrt([0.25, 0.5, 0.75])) ** 2)
    assert matplotlib.get_backend() == backend
    import matplotlib.pyplot as plt
    plt.close(fig)


def test_plot_scan_leaves_no_pyplot_figure_and_builder_must_give_a_measure():
    """A review: every plot_scan call left a figure in pyplot's registry (global state), and a builder returning a
    non-Measure raised AttributeError."""
    import matplotlib.pyplot as plt
    before = len(plt.get_fignums())
    res = ft.scan(lambda lam: ft.marchenko_pastur(lam), [0.5, 1.0], what=("edges", "density"), x=np.linspace(0.1, 3, 20))
    ft.plot_scan(res)
    ft.plot_scan(res)
    assert len(plt.get_fignums()) == before
    with pytest.raises(InvalidArgument, match="`builder` of `scan` must return a Measure"):
        ft.scan(lambda v: 3, [1, 2], what=("edges",))
