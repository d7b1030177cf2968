"""Findings of a read-only review of the researcher layer (Hermite data, outliers), each against an independent
reference: a closed-form Gaussian integral, or the same law given by name (exact Hermite data)."""
import mpmath
import numpy as np
import pytest
import sympy

import freetk as ft

x = sympy.Symbol("x")
HALF = sympy.Rational(1, 2)


def test_hermite_data_split_at_a_max_kink():
    # c0 = E max(0, g - 1/2) = phi(1/2) - (1 - Phi(1/2))/2 (phi, Phi: the standard normal density and cdf)
    d = ft.hermite_data(sigma_prime=sympy.Max(0, x - HALF), dps=30)
    with mpmath.workdps(50):
        ref = mpmath.npdf(0.5) - (1 - mpmath.ncdf(0.5)) / 2
        assert abs(mpmath.mpf(d.c0) - ref) < mpmath.mpf(10) ** -28      # was 9.3e-7 off, 30 digits claimed
    assert d.digits >= 28


def test_hermite_data_of_a_callable_step_states_its_digits():
    # a jump at 1/2 the quadrature is not told about: c0 = 1 - Phi(1/2) is reached to ~1e-3 only, and says so
    step = lambda t: mpmath.mpf(1) if t > 0.5 else mpmath.mpf(0)     # noqa: E731
    with pytest.warns(ft.PrecisionWarning, match="digits"):
        d = ft.hermite_data(sigma_prime=step, dps=30)
    assert d.digits <= 6                                                 # was 30
    assert abs(float(d.c0) - float(1 - mpmath.ncdf(0.5))) <= 10 * d.error


def test_outliers_ignore_a_rounding_size_c0():
    # log cosh: phi = tanh is odd, c0 = 0 exactly; by a callable c0 is 5.6e-17 of rounding, and d outliers were
    # predicted inside the bulk.  Reference: the named activation (exact c0 = 0)
    law = ft.ntk_law(lambda t: np.log(np.cosh(t)), gamma1=HALF, gamma2=HALF)
    named = ft.ntk_law("logcosh", gamma1=HALF, gamma2=HALF)
    got = ft.ntk_outliers(law, n=400, d=40, p=20)
    ref = ft.ntk_outliers(named, n=400, d=40, p=20)
    assert got.size == ref.size == 1 and abs(got[0] - ref[0]) < 1e-9
    assert ft.montecarlo.predicted_outliers(law.hermite, 40) == 1


def test_w1_distance_against_the_exact_integral_for_the_uniform_law():
    # F(x) = x on [0, 1] and F_n constant between the sorted sample points: int |F_n - F| in closed form
    rng = np.random.default_rng(3)
    xs = np.sort(rng.random(1000))
    t = np.concatenate([[0.0], xs, [1.0]])
    c = np.arange(t.size - 1) / xs.size

    def prim(u):        # an antiderivative of |c - u| in u
        return np.where(u <= c, c * u - u * u / 2, c * c - (c * u - u * u / 2))
    ref = float(np.sum(prim(t[1:]) - prim(t[:-1])))
    got = ft.montecarlo.w1_distance(xs, ft.uniform(0, 1))
    assert abs(got - ref) < 1e-5 * ref, (got, ref)


def test_cli_ntk_with_an_atomic_law_says_so(capsys):
    # sigma = x: phi = 1, c1 = a = 0, so rho = delta_0 (no continuous part); exit 2 with one line on stderr
    from freetk.cli import main
    assert main(["ntk", "--no-mc", "--quiet", "--activation", "x"]) == 2
    err = capsys.readouterr().err
    assert "no continuous part" in err and "min()" not in err


def test_hermite_coefficients_and_parseval_check_inputs():
    y = sympy.Symbol("y")
    # exp(x^2) is not square-integrable against the Gaussian: c_0 was 1.4e+100999777
    for f, match in ((sympy.exp(x ** 2), "square-integrable"), (sympy.I * x, "real"), (x * y, "one variable"),
                     (lambda t: np.full_like(t, np.nan), "not finite")):
        with pytest.raises(ft.InvalidArgument, match=match):
            ft.hermite_coefficients(f, 2)
    with pytest.raises(ft.InvalidArgument, match="square-integrable"):
        ft.parseval_check(sympy.exp(x ** 2 / 3), 2)                     # E f^2 diverges (2/3 > 1/2)
    # He_j coefficients of x^2 = He_2 + He_0: c = [1, 0, 2] (c_j = E f He_j = j! [He_j] f)
    assert ft.hermite_coefficients(x ** 2, 2) == [1, 0, 2]


def test_ntk_law_checks_hermite_data_given_by_hand():
    H = ft.HermiteData
    for h, match in ((H(0.5, float("nan"), 0.5, 0.1, False), "finite"), (H(0.5, 0.3, 0.2, -0.11, False), ">= 0"),
                     (H("x", 0.3, 0.5, 0.1, False), "real number"), (H(0.5, 0.3, 0.5, 0.1, False), "equal")):
        with pytest.raises(ft.InvalidArgument, match=match):
            ft.ntk_law(hermite=h, gamma1=HALF, gamma2=HALF)
    # consistent data give the same law as hermite_data's (ReLU: c0 = 1/2, c1^2 = 1/(2 pi), norm2 = 1/2)
    c1 = 1 / sympy.sqrt(2 * sympy.pi)
    h = H(HALF, c1, HALF, HALF - HALF ** 2 - c1 ** 2, True)
    a = ft.ntk_law(hermite=h, gamma1=HALF, gamma2=HALF).pdf(0.3)
    b = ft.ntk_law("relu", gamma1=HALF, gamma2=HALF).pdf(0.3)
    assert abs(a - b) < 1e-14
