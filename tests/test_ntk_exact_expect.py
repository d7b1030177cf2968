"""``expect`` of a function on the exact route (docs/ntk.md, "Expectations of a function"), and the checks every
``expect`` makes of a callable (freetk.measures.spectral.vectorised).

References are independent of the real-axis rule: the exact moments (power series of ntk_series), and for
``exp(-x)`` the moment series ``sum_k (-1)^k m_k / k!``."""
import math
import warnings

import numpy as np
import pytest
import sympy

import freetk as ft
from freetk.errors import InvalidArgument, PrecisionWarning

HALF = sympy.Rational(1, 2)


def _moment_checks(law, kmax=12, rel=1e-11):
    exact = [float(v) for v in law.moments(kmax)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # the bound is absolute; large moments carry a warning
        for k in range(kmax + 1):
            got = law.expect(lambda t, k=k: t ** k)
            assert abs(got - exact[k]) <= rel * exact[k], (k, got, exact[k])


def test_expect_callable_gamma1_above_one():
    """ReLU, D uniform on [-1, 1], gamma1 = 2: an atom 1/2 at 0 and a continuous part reaching 0.  expect of a
    callable used to refine the generic density table towards 0, where the density is NaN (u next to mu's edge):
    no answer within 150 s.  Now: the moments t^k (k <= 12) equal the exact moments to 1e-11 relative, and
    exp(-t) equals the moment series to 1e-13."""
    law = ft.ntk_law("relu", gamma1=2, gamma2=HALF, d_law="uniform", method="exact")
    _moment_checks(law)
    m = law.moments(40)
    ref = float(sum(sympy.Rational((-1) ** k, math.factorial(k)) * m[k] for k in range(41)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")           # within the default tol: no warning
        got = law.expect(lambda t: np.exp(-t))
    assert abs(got - ref) < 1e-13
    assert law.quadrature_error() < 1e-12
    # the atom 1/2 at 0 is taken out of the half circle's moments and weighted with g(0) itself: log gives -inf
    # (it gave a finite value, the interpolant's extrapolation to 0); np.emath.log, complex left of 0, is
    # interpolated on the support side only
    with np.errstate(divide="ignore"):
        assert law.expect(lambda t: np.log(t)) == -np.inf
        assert law.expect(lambda t: np.emath.log(t)) == -np.inf
    assert np.isnan(law.pdf_error(np.nan))


@pytest.mark.slow
def test_expect_callable_atom_inside_a_half_circle():
    """Quadratic sigma, gamma1 = 1, D uniform: the atom 1/4 at 0 lies inside the half circle around the left edge
    0; the Chebyshev moments of that half circle carry it.  Moments t^k to 1e-11 relative; a shifted g (t - 1)^3
    expanded by hand against the exact moments."""
    law = ft.ntk_law("quadratic", gamma1=1, gamma2=HALF, d_law="uniform", method="exact")
    assert law.atoms_float() == [(0.0, 0.25)]
    _moment_checks(law)
    m = [float(v) for v in law.moments(3)]
    ref = m[3] - 3 * m[2] + 3 * m[1] - 1
    assert abs(law.expect(lambda t: (t - 1) ** 3) - ref) < 1e-12


def test_expect_constant_and_broadcast_values():
    """A sympy constant, a scalar-valued callable, and an object array of mpmath numbers (np.vectorize) are
    accepted; a complex constant is refused."""
    import mpmath
    mp = ft.marchenko_pastur(HALF)
    assert mp.expect(np.vectorize(lambda t: mpmath.exp(-t))) == pytest.approx(mp.expect(lambda t: np.exp(-t)),
                                                                             abs=1e-15)
    assert mp.expect(sympy.Integer(3)) == 3.0
    assert mp.expect(lambda t: 2.0) == pytest.approx(2.0, abs=1e-12)
    with pytest.raises(InvalidArgument, match="`f`.*real and finite"):
        mp.expect(sympy.I)


@pytest.mark.parametrize("f, match", [
    (lambda t: math.exp(t), "vectorised"),
    (lambda t: t if t > 0 else 0.0, "vectorised"),
    (lambda t: np.ones(3), "one value per point"),
    (lambda t: 1j * t, "real-valued"),
    (lambda t: np.array(["a"] * np.size(t)), "numbers"),
])
def test_expect_callable_errors_name_the_argument(f, match):
    """A callable that cannot take an array, or gives complex, misshapen or non-numeric values: InvalidArgument
    naming `f` (before: the raw TypeError or ValueError from inside it, or a silent wrong value)."""
    mp = ft.marchenko_pastur(HALF)
    with pytest.raises(InvalidArgument, match="`f`.*" + match):
        mp.expect(f)


def test_exact_pdf_error_bounds_the_error_against_the_closed_route():
    """ExactNTKLaw.pdf_error (the route's own estimate, propagated from G_mu's error through X(u) = x) for D = +-1,
    where the closed route of ntk.py (an independent formula) gives the true density: the estimate is at least
    the actual difference at points graded towards both edges, below 1e-11 in the bulk, inf where the density is
    NaN (u blind next to mu's edge), 0 off the support; a scalar gives a scalar.  Before, pdf_error re-evaluated
    each point at 30 digits (~50 s a point) and raised NoConvergence within 1e-9 of the right edge."""
    ex = ft.ntk_law("relu", gamma1=HALF, gamma2=HALF, d_law="rademacher", method="exact")
    cl = ft.ntk_law("relu", gamma1=HALF, gamma2=HALF, d_law="rademacher")
    lo, hi = ex.support()[0]
    f = np.array([1e-9, 1e-6, 1e-3, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 1 - 1e-3, 1 - 1e-6])
    xs = lo + (hi - lo) * f
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = ex.pdf_error(xs)
        actual = np.abs(ex.pdf(xs) - cl.pdf(xs))
    assert np.all(actual <= est), np.c_[xs, actual, est]
    assert np.all(est[3:10] < 1e-11)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        blind = hi - (hi - lo) * 1e-9
        assert np.isnan(ex.pdf(blind)) and ex.pdf_error(blind) == np.inf
    assert ex.pdf_error(np.array([lo - 0.1, hi + 0.1])).tolist() == [0.0, 0.0]
    assert np.shape(ex.pdf_error(0.3)) == ()
    with pytest.raises(InvalidArgument, match="`dps`.*at least 17"):
        ex.pdf_error(0.3, dps=8)


def test_exact_expect_log_with_zero_inside_a_half_circle():
    """ReLU + uniform D, gamma1 = gamma2 = 1/2: the half circle around the left edge lo = 0.00207 encloses 0, where
    log is not defined; expect(log) interpolates log on the support side of that half circle only, and equals the
    moment route's log_det (another route for mu and for rho's equation) to 1e-12; it was NaN with the first version
    of expect on the rule.  No RuntimeWarning from log at negative points leaks out."""
    law = ft.ntk_law("relu", gamma1=HALF, gamma2=HALF, d_law="uniform", method="exact")
    ref = ft.ntk_law("relu", gamma1=HALF, gamma2=HALF, d_law="uniform")
    rule = law.real_axis_table()
    assert rule.arcs[0][0] < 0 < law.support()[0][0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PrecisionWarning)
        warnings.simplefilter("error", RuntimeWarning)
        got = law.expect(np.log)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = ref.log_det()
    assert abs(got - want) < 1e-12, (got, want)


SILU_ATOMS = dict(activation="silu", gamma1=HALF, gamma2=HALF,
                  d_law=ft.atoms([-sympy.Rational(3, 2), -HALF, HALF, sympy.Rational(3, 2)]))


@pytest.mark.parametrize("kw, tol", [
    (dict(activation="relu", gamma1=HALF, gamma2=HALF, d_law="uniform"), 1e-12),
    (SILU_ATOMS, 1e-12),
    (dict(activation="relu", gamma1=HALF, gamma2=HALF, d_law="rademacher"), 1e-13)])
def test_exact_log_det_with_lo_next_to_zero_has_full_precision(kw, tol):
    """Supports starting at lo > 0 next to 0 (lo = 0.0021, 0.0025, 0.016): log_det went through expect(log) on the
    real-axis rule, whose half circle around lo encloses 0, and came with a PrecisionWarning of 2e-11 .. 3.2e-9.  It is
    now the resolvent's integral (quad's estimate <= 4e-14), without a warning.  References: the moment route (another
    route for mu and for rho's equation; its own rule error is ~4e-13 for the SiLU law) and, for D = +-1, the closed
    route (mu's closed form, rho's density by the free compound Poisson solver, log_det by the density quadrature)."""
    law = ft.ntk_law(**kw, method="exact")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = ft.ntk_law(**kw).log_det()
    with warnings.catch_warnings():
        warnings.simplefilter("error", PrecisionWarning)
        got = law.log_det()
    assert 0 < law.support()[0][0] < 0.02
    assert abs(got - want) <= tol * abs(want), (got, want)


def _log_det_shift(d_law, e_log_t, tol):
    """At gamma1 = 1, ``log_det(rho_nu) - log_det(rho_{D = +-1}) = E_nu[log D^2]`` (docs/ntk.md, "log_det and the law of
    D": rho is then the free Poisson law of rate 1 times mu, whose log-determinant is E log(aT) plus a part free of nu):
    the exact route for nu against the closed route for D = +-1.  rho has a hard edge at 0: log_det by the resolvent's
    integral."""
    law = ft.ntk_law("relu", gamma1=1, gamma2=HALF, d_law=d_law, method="exact")
    ref = ft.ntk_law("relu", gamma1=1, gamma2=HALF, d_law="rademacher")
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.simplefilter("error", PrecisionWarning)
        # (mu's support for atomic nu may leave a stretch below 1e-13 of the scale undecided: not log_det's warning)
        warnings.filterwarnings("ignore", message="GeneralMu.support", category=PrecisionWarning)
        got, want = law.log_det(), ref.log_det() + e_log_t
    assert abs(got - want) <= tol, (got, want)


@pytest.mark.parametrize("d_law, e_log_t", [("rademacher", 0.0), (ft.atoms([HALF, -1]), -math.log(2))])
def test_log_det_depends_on_D_through_E_log_D2(d_law, e_log_t):
    """D = +-1 on the exact route raised ZeroDivisionError (rho's left edge search evaluated the gap formula at u = 0,
    where X'(0) = 0 exactly for gamma1 = 1)."""
    _log_det_shift(d_law, e_log_t, 1e-12)


@pytest.mark.slow
@pytest.mark.parametrize("d_law, e_log_t", [("uniform", -2.0), (ft.arcsine(-1, 1), -2 * math.log(2))])
def test_log_det_depends_on_D_through_E_log_D2_continuous(d_law, e_log_t):
    """D uniform: the resolvent at z = -1.15e-9 was NaN (Newton for u never settled on the real axis)."""
    _log_det_shift(d_law, e_log_t, 1e-12)


def test_newton_kept_on_the_axis_refuses_a_real_point_inside_mus_support():
    """``rho_u_solve`` keeps Newton on the real axis for a real z and a real start, and then sees only Re X.  A real
    start inside mu's support (where G_mu is not real) converged to a real u with Re X(u) = x and Im X(u) != 0:
    u = 0.245 for x = 0.2 (ReLU + D uniform, gamma1 = gamma2 = 1/2; mu's support [0, 0.589]), returned as a root (a
    review found it; the law itself only starts there off rho's support).  Now NaN with a PrecisionWarning; a real
    point left of rho's support still gets its real root (X(u) = x checked to rounding)."""
    from freetk.ntk_general import rho_map, rho_u_solve
    law = ft.ntk_law("relu", gamma1=HALF, gamma2=HALF, d_law="uniform", method="exact")
    gm = law._gm()
    with pytest.warns(PrecisionWarning, match="failed at 1 point"):
        u, _ = rho_u_solve(gm, 0.5, np.array([0.2 + 0j, -0.01 + 0j]), np.array([0.3 + 0j, -0.02 + 0j]))
    assert np.isnan(u[0]) and u[1].imag == 0 and u[1].real < 0
    X, _ = rho_map(gm, 0.5, u[1:])
    assert abs(X[0] + 0.01) <= 1e-15
