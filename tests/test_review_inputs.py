"""Odd arguments of the Monte Carlo, scan and CLI helpers: a clear InvalidArgument (or CLI error) naming the
argument, before any computation, instead of a raw TypeError/AttributeError/ValueError from numpy or matplotlib
(found by an adversarial review of the researcher layer)."""
import subprocess
import sys

import numpy as np
import pytest
import sympy

import freetk as ft
from freetk import montecarlo as mc
from freetk.errors import InvalidArgument


@pytest.mark.parametrize("k", [1.5, "2", True, -1])
def test_remove_outliers_k_must_be_a_non_negative_integer(k):
    with pytest.raises(InvalidArgument, match="`k` of `remove_outliers`"):
        mc.remove_outliers(np.arange(5.0), k)


def test_remove_outliers_refuses_nan_and_text():
    with pytest.raises(InvalidArgument, match="`eigs`"):
        mc.remove_outliers([1.0, np.nan, 2.0], 1)
    with pytest.raises(InvalidArgument, match="`eigs`"):
        mc.remove_outliers(["a", "b"], 1)


def test_remove_outliers_still_splits():
    bulk, out, gap = mc.remove_outliers([3.0, 1.0, 2.0, 10.0], 1)
    assert list(bulk) == [1.0, 2.0, 3.0] and list(out) == [10.0] and gap == pytest.approx((10 - 3) / 2)


def test_haar_orthogonal_checks_n_and_takes_a_seed():
    with pytest.raises(InvalidArgument, match="`n` of `haar_orthogonal`"):
        mc.haar_orthogonal(0, np.random.default_rng(0))
    with pytest.raises(InvalidArgument, match="`rng` of `haar_orthogonal`"):
        mc.haar_orthogonal(4, "x")
    Q = mc.haar_orthogonal(4, 0)          # a seed, as numpy.random.default_rng takes it
    assert np.allclose(Q @ Q.T, np.eye(4), atol=1e-14)
    assert np.array_equal(Q, mc.haar_orthogonal(4, np.random.default_rng(0)))


def test_scan_q_and_x_text_refused():
    with pytest.raises(InvalidArgument, match="`q` of `scan`"):
        ft.scan(lambda: ft.semicircle(), [{}], what="quantiles", q="abc")
    with pytest.raises(InvalidArgument, match="`x` of `scan`"):
        ft.scan(lambda: ft.semicircle(), [{}], what="density", x="abc")


def test_plot_scan_unknown_cmap_refused():
    res = ft.scan(lambda s: ft.semicircle(0, s), {"s": [1, 2]}, what=("edges",), progress=False)
    with pytest.raises(InvalidArgument, match="`cmap` of `plot_scan`"):
        ft.plot_scan(res, cmap="nope")


def test_cli_png_suffix_refused_before_computing():
    r = subprocess.run([sys.executable, "-m", "freetk", "ntk", "--quiet", "--png", "out.xyz"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode != 0
    assert "--png out.xyz" in r.stderr and "'.xyz'" in r.stderr
    assert "Monte Carlo" not in r.stdout        # refused before the law and the sample were computed


def test_from_density_in_another_symbol_is_that_variable():
    """``3 t^2`` on [0, 1] is the law of density 3x^2 (was a raw TypeError "Cannot convert expression to float");
    exact moments 3/(k + 3) by hand."""
    t, y = sympy.symbols("t y")
    law = ft.from_density(3 * t ** 2, 0, 1)
    assert law.moments(3) == [1, sympy.Rational(3, 4), sympy.Rational(3, 5), sympy.Rational(1, 2)]
    assert float(law.pdf(0.5)) == 0.75
    with pytest.raises(InvalidArgument, match="`f` of `from_density`.*one variable"):
        ft.from_density(3 * t ** 2 * y, 0, 1)


def test_moments_of_atoms_beyond_the_double_range():
    """Atoms at ±1e200 (floats): m_2 = 1e400, m_4 = 1e800 as sympy numbers (the float power overflowed)."""
    m = ft.atoms([1e200, -1e200]).moments(4)
    assert m[1] == 0 and m[3] == 0
    assert abs(m[2] / sympy.Float("1e400", 30) - 1) < 1e-14 and abs(m[4] / sympy.Float("1e800", 30) - 1) < 1e-14


def test_mixture_support_at_dps_is_merged_like_in_double():
    from fractions import Fraction as F
    law = ft.mixture([(F(1, 2), ft.uniform(0, 1)), (F(1, 2), ft.uniform(F(1, 2), 2))])
    assert law.support() == [(0.0, 2.0)]
    assert [(float(a), float(b)) for a, b in law.support(dps=20)] == [(0.0, 2.0)]


def test_convolution_that_finds_no_mass_says_so():
    """Atoms at ±1e200 around a semicircle: no double resolves a piece of width 3 there; the support search found
    nothing and ``total_mass()`` was 0 without a word.  Now NoConvergence names the operands' span; at ±1e6 the
    two pieces are found as before: next to the atom c, G_mu(w) ~ 1/(2(w - c)) and x = w + G (semicircle R = g), so
    x - c = 1/(2G) + G, whose critical value at G = 1/sqrt 2 gives the half-width sqrt 2."""
    from freetk.errors import NoConvergence
    law = ft.free_add(ft.atoms([-1e200, 1e200]), ft.semicircle())
    with pytest.raises(NoConvergence, match="neither a support interval nor the atoms"):
        law.total_mass()
    s = ft.free_add(ft.atoms([-1e6, 1e6]), ft.semicircle()).support()
    assert len(s) == 2 and s[1][0] == pytest.approx(1e6 - 2 ** 0.5, abs=1e-3) and s[1][1] == pytest.approx(1e6 + 2 ** 0.5, abs=1e-3)
