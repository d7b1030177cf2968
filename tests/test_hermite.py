"""Hermite data of sigma' (issue: Hermite)."""
import math
from math import factorial

import mpmath
import numpy as np
import pytest
import sympy
from hypothesis import given, strategies as st

from freetk.errors import InvalidArgument
from freetk.hermite import hermite_coefficients, hermite_data, parseval_check

x = sympy.Symbol("x")


def gauss_moment(k):
    # E g^k = (k-1)!! for even k, 0 for odd k
    return 0 if k % 2 else sympy.factorial2(k - 1)


def test_relu_exact():
    h = hermite_data("relu")
    assert h.exact
    assert h.c0 == sympy.Rational(1, 2)
    assert sympy.simplify(h.c1 - 1 / sympy.sqrt(2 * sympy.pi)) == 0
    assert h.norm2 == sympy.Rational(1, 2)
    assert sympy.simplify(h.a - (sympy.Rational(1, 4) - 1 / (2 * sympy.pi))) == 0


def test_leaky_relu_exact():
    s = sympy.Rational(1, 100)
    h = hermite_data("leaky_relu")
    assert h.c0 == (1 + s) / 2
    assert sympy.simplify(h.c1 - (1 - s) / sympy.sqrt(2 * sympy.pi)) == 0
    assert h.norm2 == (1 + s ** 2) / 2


def test_erf_exact_and_even():
    h = hermite_data("erf")     # phi = 2/sqrt(pi) exp(-x^2): E phi = 2/sqrt(3 pi), E phi^2 = 4/(pi sqrt 5)
    assert sympy.simplify(h.c0 - 2 / sympy.sqrt(3 * sympy.pi)) == 0
    assert h.c1 == 0
    assert sympy.simplify(h.norm2 - 4 / (sympy.pi * sympy.sqrt(5))) == 0


@pytest.mark.parametrize("name", ["tanh", "erf", "sin"])
def test_odd_sigma_gives_c1_exactly_zero(name):
    assert hermite_data(name).c1 == 0


@given(st.lists(st.integers(-5, 5), min_size=1, max_size=5))
def test_polynomials_exact(coefs):
    phi = sum(c * x ** j for j, c in enumerate(coefs))
    h = hermite_data(sigma_prime=phi)
    assert h.exact
    n = len(coefs)
    c0 = sum(c * gauss_moment(j) for j, c in enumerate(coefs))
    c1 = sum(c * gauss_moment(j + 1) for j, c in enumerate(coefs))
    n2 = sum(coefs[i] * coefs[j] * gauss_moment(i + j) for i in range(n) for j in range(n))
    assert (h.c0, h.c1, h.norm2) == (c0, c1, n2)
    assert h.a == n2 - c0 ** 2 - c1 ** 2 and h.a >= 0


def reference(phi_mp, dps=40):
    """Independent reference: plain tanh-sinh over [-inf, 0, inf] at higher precision."""
    with mpmath.workdps(dps):
        w = lambda t: mpmath.exp(-t * t / 2) / mpmath.sqrt(2 * mpmath.pi)  # noqa: E731
        return [mpmath.quad(lambda t: f(t) * w(t), [-mpmath.inf, 0, mpmath.inf]) for f in
                (phi_mp, lambda t: t * phi_mp(t), lambda t: phi_mp(t) ** 2)]


@pytest.mark.parametrize("name, phi_mp", [
    ("tanh", lambda t: 1 / mpmath.cosh(t) ** 2),
    ("silu", lambda t: 1 / (1 + mpmath.exp(-t)) + t * mpmath.exp(-t) / (1 + mpmath.exp(-t)) ** 2),
    ("softplus", lambda t: 1 / (1 + mpmath.exp(-t))),
    ("gelu", lambda t: mpmath.ncdf(t) + t * mpmath.npdf(t)),
])
def test_numeric_30_digits(name, phi_mp):
    h = hermite_data(name, dps=30)
    ref = reference(phi_mp)
    for got, want in zip((h.c0, h.c1, h.norm2), ref):
        got = mpmath.mpmathify(sympy.N(got, 40)) if isinstance(got, sympy.Basic) else got
        assert abs(got - want) < mpmath.mpf(10) ** -30
    assert h.error < 1e-29


def test_gelu_phi_in_double_on_small_and_large_arrays():
    # the numpy phi of GELU takes erf from math.erf on small arrays and from scipy.special on large ones
    # (_ERF_SCIPY_SIZE values and more); both against phi = Phi(t) + t phi(t) by mpmath at 30 digits
    from freetk.hermite import _ERF_SCIPY_SIZE, _phi_object, _resolve
    phi = _phi_object(*_resolve("gelu", None))
    ctx = mpmath.MPContext()
    ctx.dps = 30
    rng = np.random.default_rng(7)
    big = np.concatenate([[0.0, 1e-300, -1e-8, 5.9, -5.9, 9.0, -9.0, 40.0, -40.0],
                          3 * rng.standard_normal(_ERF_SCIPY_SIZE)])
    check = np.concatenate([np.arange(9), rng.choice(big.size, 400, replace=False)])
    for u, idx in ((big[check], np.arange(check.size)), (big, check)):
        got = phi.np(u)[idx]
        want = np.array([float(ctx.ncdf(ctx.mpf(t)) + ctx.mpf(t) * ctx.npdf(ctx.mpf(t))) for t in u[idx]])
        assert np.all(np.abs(got - want) <= 4e-16 * np.maximum(1.0, np.abs(want)))
    # erf of a constant is evaluated on a scalar: phi = erf(1) x + erf(x) on the numeric path,
    # c1 = E[g phi(g)] = erf(1) + E[g erf(g)] = erf(1) + 2/sqrt(3 pi) (Stein: E[g f(g)] = E f'(g))
    h = hermite_data(sigma_prime=sympy.erf(1) * x + sympy.erf(x), exact=False)
    assert abs(float(h.c1) - (math.erf(1) + 2 / math.sqrt(3 * math.pi))) <= max(h.error, 1e-15)


def test_step_function_quadrature_is_right_where_gauss_hermite_is_not():
    # Gauss-Hermite on a step is wrong in the 4th digit; ours splits at the kink
    h = hermite_data(sigma_prime=sympy.Piecewise((1, x > 0), (0, True)), exact=False, dps=30)
    with mpmath.workdps(35):
        assert abs(h.c1 - 1 / mpmath.sqrt(2 * mpmath.pi)) < mpmath.mpf(10) ** -28
    t, w = np.polynomial.hermite_e.hermegauss(20)
    gh = np.sum(w * t * (t > 0)) / np.sqrt(2 * np.pi)
    assert abs(gh - 1 / np.sqrt(2 * np.pi)) > 1e-4


def test_callable_activation_numeric():
    h = hermite_data(sigma_prime=lambda t: np.tanh(float(t)))
    assert not h.exact
    assert float(h.c1) == pytest.approx(0.6057055096021588, abs=1e-12)


def test_hermite_coefficients_and_parseval():
    assert hermite_coefficients(x ** 3, 4) == [0, 3, 0, 6, 0]     # x^3 = He_3 + 3 He_1
    n2, partials = None, []
    for k in (4, 8, 16):
        n2, part, rem = parseval_check(sympy.Heaviside(x), k)
        partials.append(float(rem))
        assert float(rem) >= 0
    assert partials[0] > partials[1] > partials[2]
    n2, part, rem = parseval_check(x ** 2 + 3 * x, 4)
    assert rem == 0


def test_latex_exact_strings():
    assert hermite_data("relu").latex() == (r"c_0 = \frac{1}{2},\quad c_1 = \frac{\sqrt{2}}{2 \sqrt{\pi}},"
                                            r"\quad \|\phi\|^2 = \frac{1}{2},\quad a = \frac{-2 + \pi}{4 \pi}")
    assert hermite_data("erf").latex() == (r"c_0 = \frac{2 \sqrt{3}}{3 \sqrt{\pi}},\quad c_1 = 0,\quad "
                                           r"\|\phi\|^2 = \frac{4 \sqrt{5}}{5 \pi},\quad a = \frac{4 \left(-5 + "
                                           r"3 \sqrt{5}\right)}{15 \pi}")


@pytest.mark.parametrize("kw, match", [
    (dict(sigma_prime=sympy.exp(x ** 2)), "not square-integrable"),
    (dict(activation="swishy"), "unknown activation 'swishy'; known names: cubic, elu"),
    (dict(sigma_prime=lambda t: float("nan")), "not finite"),
    (dict(), "exactly one of"),
    (dict(sigma_prime=x * sympy.Symbol("y")), "one variable"),
])
def test_bad_input(kw, match):
    with pytest.raises(InvalidArgument, match=match):
        hermite_data(**kw)


def test_callable_sigma_is_differentiated_numerically():
    h_named = hermite_data("softplus", dps=20)
    h_call = hermite_data(lambda t: mpmath.log(1 + mpmath.exp(t)), dps=20)
    for a, b in zip((h_named.c0, h_named.c1, h_named.norm2), (h_call.c0, h_call.c1, h_call.norm2)):
        a = float(a) if not isinstance(a, sympy.Basic) else float(sympy.N(a))
        assert abs(a - float(b)) < 1e-12


@pytest.mark.parametrize("lo, hi", [("-oo", "oo"), (0, "oo"), ("-oo", 0), ("-1/2", 2), (1, "oo")])
def test_monomial_gauss_closed_form_against_mpmath(lo, hi):
    # int_lo^hi 3 x^k phi(x) dx by the integration-by-parts recursion, against mpmath quadrature
    import mpmath
    import sympy
    from freetk.hermite import X, _monomial_gauss
    lo, hi = sympy.sympify(lo), sympy.sympify(hi)
    ctx = mpmath.MPContext()
    ctx.dps = 30
    a = -ctx.inf if lo == -sympy.oo else ctx.mpf(sympy.Rational(lo).p) / sympy.Rational(lo).q
    b = ctx.inf if hi == sympy.oo else ctx.mpf(sympy.Rational(hi).p) / sympy.Rational(hi).q
    for k in range(6):
        got = _monomial_gauss(3 * X ** k, lo, hi)
        want = ctx.quad(lambda t: 3 * t ** k * ctx.exp(-t * t / 2) / ctx.sqrt(2 * ctx.pi), [a, 0, b] if a < 0 < b else [a, b])
        assert abs(sympy.N(got, 30) - sympy.Float(str(want), 30)) <= 1e-25
    assert _monomial_gauss(sympy.exp(X), lo, hi) is None


def test_erf_exp_gauss_closed_form_against_mpmath():
    # E[c Z^k erf(a Z) exp(-b Z^2)] by the scaling + Stein recursion, against mpmath quadrature
    import mpmath
    import sympy
    from freetk.hermite import X, _erf_exp_gauss
    ctx = mpmath.MPContext()
    ctx.dps = 30
    cases = [(3 * X ** 2 * sympy.exp(-X ** 2 / 3), lambda t: 3 * t ** 2 * ctx.exp(-t ** 2 / 3)),
             (X * sympy.erf(X / sympy.sqrt(2)) / 2, lambda t: t * ctx.erf(t / ctx.sqrt(2)) / 2),
             (X ** 3 * sympy.erf(2 * X) * sympy.exp(-X ** 2 / 2), lambda t: t ** 3 * ctx.erf(2 * t) * ctx.exp(-t ** 2 / 2)),
             (X ** 5 * sympy.erf(X), lambda t: t ** 5 * ctx.erf(t)), (X ** 4, lambda t: t ** 4),
             (sympy.erf(X), lambda t: ctx.erf(t))]
    for e, f in cases:
        want = ctx.quad(lambda t: f(t) * ctx.exp(-t * t / 2) / ctx.sqrt(2 * ctx.pi), [-ctx.inf, 0, ctx.inf])
        assert abs(sympy.N(_erf_exp_gauss(e), 30) - sympy.Float(str(want), 30)) <= 1e-25, e
    assert _erf_exp_gauss(sympy.erf(X) ** 2) is None and _erf_exp_gauss(sympy.exp(X)) is None


# ----------------------------------------------------------------------------- issue 12, round 3
def test_complex_valued_phi_is_refused():
    """hermite_data(sigma_prime=lambda t: 1j*t) returned c0 = c1 = norm2 = a = 0 (the real part)."""
    for f in (lambda t: 1j * t, lambda t: np.exp(1j * t), lambda t: complex(t, 1)):
        with pytest.raises(InvalidArgument, match="Argument `sigma_prime` of `hermite_data`.*complex"):
            hermite_data(sigma_prime=f)
    # a real function computed in complex arithmetic (imaginary part 0) is fine: phi = t + 0j
    h = hermite_data(sigma_prime=lambda t: t + 0j)
    assert abs(float(h.c1) - 1) < 1e-12 and abs(float(h.norm2) - 1) < 1e-12


def test_jumping_sigma_is_refused_as_not_square_integrable():
    """sigma = step: phi = sigma' has a Dirac delta (E phi(g)^2 infinite; c0 = 1/sqrt(2 pi)); it gave
    c0 = c1 = a = 0 silently, while sigma = log|x| is refused."""
    X = sympy.Symbol("x")
    for sigma in (lambda t: t > 0, lambda t: np.where(t > 0.3, 1.0, -1.0), sympy.Heaviside(X), sympy.sign(X),
                  sympy.Piecewise((0, X < 1), (X, True))):
        with pytest.raises(InvalidArgument, match="Argument `activation` of `hermite_data`: sigma jumps"):
            hermite_data(sigma)
    # continuous kinks are not jumps: relu as a callable (c0 = 1/2) and |x| symbolically (c0 = 0)
    assert abs(float(hermite_data(lambda t: np.maximum(t, 0)).c0) - 0.5) < 1e-10
    assert hermite_data(sympy.Abs(X)).c0 == 0


def test_infinite_constants_in_an_expression_are_refused():
    """zoo*x crashed with a raw KeyError 'ComplexInfinity' from sympy's printer."""
    X = sympy.Symbol("x")
    for e in (sympy.zoo * X, sympy.oo * X, X + sympy.nan):
        with pytest.raises(InvalidArgument, match="must be a finite expression"):
            hermite_data(e)


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "erf", "quadratic", "cubic", "gelu"])
def test_closed_forms_of_named_activations_equal_the_general_path(name):
    # the named activations with elementary Hermite data take them from closed forms (hermite._closed_forms;
    # GELU: c0 and c1, its norm2 is numeric); the same sigma given as an expression goes through the general
    # path (sympy differentiation, integration between kinks), which must give the very same expressions
    from freetk.hermite import ACTIVATIONS, _diff, _resolve
    named = hermite_data(name)
    general = hermite_data(ACTIVATIONS[name])
    assert named.exact == general.exact
    assert named.phi == general.phi == _diff(ACTIVATIONS[name]) == _resolve(name, None)[0]
    if named.exact:
        assert (named.c0, named.c1, named.norm2, named.a) == (general.c0, general.c1, general.norm2, general.a)
        closed = (named.c0, named.c1, named.norm2, named.a)
    else:
        assert (named.c0, named.c1) == (general.c0, general.c1)
        assert abs(named.norm2 - general.norm2) <= named.error + general.error
        closed = (named.c0, named.c1)
    # numeric.simplify returns them as they are (declared simplified): they must be sympy.simplify's forms
    for v in closed:
        assert sympy.simplify(v) == v


@pytest.mark.parametrize("name", sorted(__import__("freetk.hermite", fromlist=["x"]).ACTIVATIONS))
def test_named_activations_pass_the_input_checks(name):
    # hermite_data skips the finiteness and square-integrability checks of phi for the named activations;
    # every one of them passes them
    from freetk.hermite import _check_phi, _phi_object, _resolve
    _check_phi(_phi_object(*_resolve(name, None)), "activation")


def test_named_cache_does_not_swallow_sigma_prime():
    """A review: once ReLU's data were cached, hermite_data("relu", sigma_prime=x) returned them instead of refusing
    the two arguments (in a fresh process it refused)."""
    x = sympy.Symbol("x")
    hermite_data("relu")
    with pytest.raises(InvalidArgument, match="exactly one of `activation` or `sigma_prime`"):
        hermite_data("relu", sigma_prime=x)


def test_sympy_float_breakpoint_is_its_exact_binary_value():
    """A review: a Piecewise with the breakpoint 0.5 (a sympy Float) gave Hermite data as 15-digit Floats declared
    exact (c1 off by 2.1e-17, error 0).  0.5 is exactly 1/2: the data equal those of the Rational form, symbolically."""
    x = sympy.Symbol("x")
    h1 = hermite_data(sympy.Piecewise((x, x < 0.5), (2 * x - sympy.Rational(1, 2), True)))
    h2 = hermite_data(sympy.Piecewise((x, x < sympy.Rational(1, 2)), (2 * x - sympy.Rational(1, 2), True)))
    assert h1.exact and all(sympy.simplify(a - b) == 0 for a, b in ((h1.c0, h2.c0), (h1.c1, h2.c1), (h1.norm2, h2.norm2)))
    assert not h1.c1.atoms(sympy.Float)
