"""Findings of a read-only review of the measure layer, each against an independent reference: a closed form, a
law with the same Cauchy transform, or a hand-written continued fraction."""
import math

import numpy as np
import pytest
import sympy

import freetk as ft


def test_from_moments_three_moments_take_the_variance():
    # [1, 0, 4]: mean 0, variance 4; the continued fraction closed at (alpha_0, beta_1) is the semicircle of variance
    # 4, density sqrt(16 - x^2)/(8 pi): 1/(2 pi) at 0 (it was closed with beta_0 = m_0 = 1: variance 1, 1/pi)
    m = ft.from_moments([1, 0, 4])
    assert abs(m.pdf(0) - 1 / (2 * np.pi)) < 1e-15
    assert np.allclose(m.support(), [(-4, 4)], rtol=0, atol=1e-14)
    assert abs(m.pdf(1.5) - math.sqrt(16 - 2.25) / (8 * np.pi)) < 1e-15


def test_from_moments_odd_length_uses_its_last_moment():
    # [1, 0, 1, 0, 3]: alpha = 0, beta_1 = 1, beta_2 = 2 (m_4 = 3 = beta_1 (beta_1 + beta_2)); written by hand:
    # G = 1/(z - beta_1/(z - beta_2 T)), T = (z - sqrt(z - s) sqrt(z + s))/(2 beta_2) the terminator, s = 2 sqrt(beta_2)
    z = np.array([0.3, 1.1, 2.5]) + 1e-300j
    s = 2 * np.sqrt(2.0)
    T = (z - np.sqrt(z - s) * np.sqrt(z + s)) / 4
    G = 1 / (z - 1 / (z - 2 * T))
    got = ft.from_moments([1, 0, 1, 0, 3]).pdf(z.real)
    assert np.allclose(got, -G.imag / np.pi, rtol=1e-14, atol=0)
    assert not np.allclose(got, ft.from_moments([1, 0, 1, 0]).pdf(z.real))     # m_4 was dropped


def test_from_moments_without_a_variance_is_refused():
    with pytest.raises(ft.InvalidArgument, match="m_2"):
        ft.from_moments([1, 0]).pdf(0)


def test_zero_weight_atom_is_no_atom():
    sc = ft.semicircle()
    a = ft.atoms([0, 5], [1, 0])
    assert a.atoms() == [(0, 1)]
    # semicircle ⊞ delta_0 is the semicircle: support [-2, 2] (was [-2, 6])
    assert np.allclose(ft.free_add(sc, a).support(), [(-2, 2)], atol=1e-12)
    # MP(1) ⊠ delta_1 is MP(1): support [0, 4] (was [0, 7.99])
    assert np.allclose(ft.free_mul(ft.marchenko_pastur(1), ft.atoms([1, 5], [1, 0])).support(), [(0, 4)], atol=1e-9)


def test_callable_density_refused_at_dps():
    fd = ft.from_density(lambda t: math.exp(t) / (math.e - 1), 0, 1)
    assert abs(fd.pdf(0.5) - math.exp(0.5) / (math.e - 1)) < 1e-15          # double precision as before
    with pytest.raises(ft.InvalidArgument, match="sympy expression"):
        fd.pdf(sympy.Rational(1, 2), dps=30)                               # 16 digits were returned as 30
    fn = ft.from_density(lambda t: np.exp(t) / (np.e - 1), 0, 1)
    for call in (lambda: fn.cdf(0.5, dps=30), lambda: fn.cauchy(2, dps=30)):
        with pytest.raises(ft.InvalidArgument, match="sympy expression"):   # was numpy's TypeError
            call()


def test_expect_of_a_kink_warns_and_smooth_functions_stay_quiet():
    import warnings
    sc = ft.semicircle()
    # E max(t, 0) = 4/(3 pi) for the semicircle on [-2, 2]: the interpolant across the kink is 2.4e-3 off
    with pytest.warns(ft.PrecisionWarning, match="expect"):
        v = sc.expect(lambda t: np.maximum(t, 0), tol=1e-6)
    assert abs(v - 4 / (3 * np.pi)) > 1e-6                    # the warning is not idle: the value is off
    with pytest.warns(ft.PrecisionWarning, match="expect"):
        sc.expect(lambda t: np.where(t <= 0.5, 1.0, 0.0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert abs(sc.expect(lambda t: t ** 4) - 2) < 1e-14                   # m_4 = 2 (Catalan)
        assert abs(ft.uniform(0, 1).expect(lambda t: t ** 10) - 1 / 11) < 1e-15
        # E exp(t) for the semicircle of variance 1: I_1(2) (Bessel), by scipy
        from scipy.special import iv
        assert abs(sc.expect(np.exp) - iv(1, 2)) < 1e-14


def test_pdf_at_an_atom_is_zero_at_dps_as_in_double():
    import mpmath
    m = ft.mixture([(sympy.Rational(1, 3), ft.dirac(0)), (sympy.Rational(2, 3), ft.semicircle())])
    assert m.pdf(0) == 0 and m.pdf(0, dps=20) == 0                        # was 2/(3 pi) at dps
    # next to the atom the continuous part: (2/3) sqrt(4 - x^2)/(2 pi)
    with mpmath.workdps(40):
        ref = mpmath.mpf(2) / 3 * mpmath.sqrt(4 - mpmath.mpf(10) ** -60) / (2 * mpmath.pi)
    assert abs(m.pdf(sympy.Rational(1, 10 ** 30), dps=20) - ref) < mpmath.mpf(10) ** -20 * ref


def test_expect_kink_estimate_ignores_the_density_noise():
    # t^k on a ⊠ law: the last coefficients of g f are the density's own noise (their ratio ~1 read as algebraic
    # decay, "good to 1e-10" for values right to 1e-15); g's part of the estimate is 0 there, a kink's is not
    from freetk.kernels import quadrature
    fm = ft.free_mul(ft.marchenko_pastur(sympy.Rational(1, 2)), ft.marchenko_pastur(sympy.Rational(1, 3)))
    table = fm._quad_table()
    m = fm.moments(6)
    for k in (3, 6):
        val, err = quadrature.integrate(table, lambda t, k=k: t ** k, with_error=True)
        assert err == 0 and abs(val - float(m[k])) < 1e-12 * float(m[k])
    assert quadrature.integrate(table, lambda t: np.maximum(t - 1, 0), with_error=True)[1] > 1e-6
