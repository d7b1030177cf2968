"""freetk.testing: the public strategies drive property tests; the assertions fail when they should."""
import mpmath
import numpy as np
import pytest
import sympy
from hypothesis import given, settings, strategies as st

import freetk as ft
from freetk.testing import (assert_monte_carlo, assert_same_law, free_convolutions, measures, ntk_parameters,
                            positive_measures)


@given(measures(families=("semicircle", "free_poisson", "marchenko_pastur")),
       measures(families=("semicircle", "free_poisson")))
@settings(max_examples=15)
def test_free_addition_commutes_and_adds_cumulants(a, b):
    s = ft.free_add(a, b)
    assert_same_law(s, ft.free_add(b, a), k=6, x=False)
    ka, kb, ks = a.free_cumulants(5), b.free_cumulants(5), s.free_cumulants(5)
    assert all(sympy.simplify(x + y - z) == 0 for x, y, z in zip(ka, kb, ks))


@given(measures())
@settings(max_examples=25)
def test_quantile_is_a_generalized_inverse(m):
    q = np.array([0.0, 0.1, 0.37, 0.5, 0.9, 1.0])
    x = m.quantile(q)
    F = np.asarray(m.cdf(x), float)
    assert np.all(np.diff(x) >= 0)
    assert np.all(F >= q - 1e-12)                 # F(Q(q)) >= q
    e = m.edges()
    assert x[0] == e.lower and x[-1] == e.upper
    # left limit below q: F(Q(q) - eps) < q + tol
    eps = 1e-9 * (1 + abs(e.upper))
    assert np.all(np.asarray(m.cdf(x[1:-1] - eps), float) <= q[1:-1] + 1e-9)


@given(positive_measures(families=("marchenko_pastur", "free_poisson", "semicircle", "uniform"))
       .filter(lambda m: all(lo > 1e-9 for lo, _ in m.support())),     # hard edges at 0: test_spectral
       st.sampled_from([0.1, 1.0, 7.0]))
@settings(max_examples=20)
def test_resolvent_is_expectation_of_the_rational_function(m, lam):
    x = sympy.Symbol("x")
    # independent reference: tanh-sinh quadrature of the density (any edge behaviour) plus atoms
    ref = sum(w / (a + lam) for a, w in m.atoms_float())
    for lo, hi in m.support():
        ref += float(mpmath.quad(lambda t: float(m.pdf(float(t))) / (float(t) + lam), [lo, (lo + hi) / 2, hi]))
    assert abs(m.resolvent(lam) - ref) < 1e-12
    assert abs(m.expect(1 / (x + sympy.Float(lam))) - m.resolvent(lam)) < 1e-14


@given(free_convolutions(families=("semicircle", "free_poisson", "atoms"), ops=("add",)))
@settings(max_examples=10)
def test_free_convolution_strategy_first_moment(case):
    a, b, op, c = case
    assert sympy.simplify(c.moments(1)[1] - a.moments(1)[1] - b.moments(1)[1]) == 0


@given(ntk_parameters())
@settings(max_examples=6)
def test_ntk_parameters_give_laws_with_the_first_two_moments(params):
    law = ft.ntk_law(params["activation"], gamma1=params["gamma1"], gamma2=params["gamma2"], d_law=params["d_law"])
    h = law.hermite
    tau1 = sympy.Integer(1) if params["d_law"] == "rademacher" else sympy.Rational(1, 3)
    tau2 = sympy.Integer(1) if params["d_law"] == "rademacher" else sympy.Rational(1, 5)
    m = law.mu.moments(2)
    assert sympy.simplify(m[1] - (h.a + h.c1 ** 2) * tau1) == 0
    assert sympy.simplify(m[2] - ((h.a + h.c1 ** 2) ** 2 * tau2 + 2 * params["gamma2"] * h.c1 ** 4 * tau1 ** 2)) == 0


def test_assert_same_law_detects_differences():
    a = ft.marchenko_pastur(sympy.Rational(1, 2))
    assert_same_law(a, ft.free_poisson(2, sympy.Rational(1, 2)))      # the same law, two constructions
    with pytest.raises(AssertionError, match="m_2"):
        assert_same_law(a, ft.marchenko_pastur(sympy.Rational(1, 3)))
    # equal first moments but a different law: caught by moments at k = 2
    with pytest.raises(AssertionError, match="m_2"):
        assert_same_law(ft.semicircle(1, 1), ft.semicircle(1, 2), k=4)
    # only the cdf sees it when k = 1
    with pytest.raises(AssertionError, match="cdfs differ"):
        assert_same_law(ft.semicircle(1, 1), ft.semicircle(1, 2), k=1)


def test_assert_monte_carlo():
    law = ft.marchenko_pastur(0.5)
    e = ft.montecarlo.wishart(400, 800, seed=0)
    out = assert_monte_carlo(law, e)
    assert out["n"] == 400 and out["ks"] < 0.05
    with pytest.raises(AssertionError, match="KS distance"):
        assert_monte_carlo(ft.marchenko_pastur(0.25), e)
    with pytest.raises(AssertionError, match="W1"):
        assert_monte_carlo(law, e, w1_tol=1e-9)
