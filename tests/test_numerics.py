"""Numeric layer: Cauchy transforms, densities, subordination, precision (issue: numerics)."""
import math
import warnings

import mpmath
import numpy as np
import pytest
from fractions import Fraction as F

import freetk as ft
from freetk.errors import NoConvergence, PrecisionWarning
from freetk.precision import ae
from freetk.kernels import fixed_point as fp


def silverstein_density(x, c, locs, weights):
    """Reference density of MP(c) ⊠ nu (nu atomic) written straight from the Silverstein equation
    m = sum_j w_j / (t_j (1 - c - c z m) - z), solved as a polynomial in m (numpy.roots); the root
    with Im m > 0 is the Stieltjes transform.  Shares no code with freetk."""
    import numpy.polynomial.polynomial as P
    out = []
    for xx in x:
        z = xx + 0j
        # m * prod_j D_j - sum_j w_j prod_{k != j} D_k = 0, D_j = t_j(1-c) - z - t_j c z m (linear in m)
        Ds = [np.array([t * (1 - c) - z, -t * c * z]) for t in locs]
        prod = np.array([1.0 + 0j])
        for D in Ds:
            prod = P.polymul(prod, D)
        poly = P.polymul(np.array([0, 1.0 + 0j]), prod)
        for j, w in enumerate(weights):
            other = np.array([1.0 + 0j])
            for k, D in enumerate(Ds):
                if k != j:
                    other = P.polymul(other, D)
            poly = P.polysub(poly, w * other)
        roots = np.roots(poly[::-1])
        im = max(r.imag for r in roots)
        out.append(max(im, 0.0) / np.pi)
    return np.array(out)


def test_semicircle_sum_by_subordination():
    r = ft.free_add(ft.semicircle(), ft.semicircle(), method="generic")
    ref = ft.semicircle(0, 2)
    x = np.linspace(-2.7, 2.7, 41)
    assert np.max(np.abs(r.pdf(x) - ref.pdf(x)) / ref.pdf(x)) < 1e-12
    z = np.array([0.3 + 0.1j, -1 + 2j, 5 + 0.01j])
    assert np.max(np.abs(r.cauchy(z) - ref.cauchy(z))) < 1e-13


def test_semicircle_sum_at_50_digits():
    r = ft.free_add(ft.semicircle(), ft.semicircle(), method="generic")
    ref = ft.semicircle(0, 2)
    for x in ("0.3", "-1.7"):
        v = r.pdf(mpmath.mpf(x), dps=50)
        w = ref.pdf(mpmath.mpf(x), dps=50)
        assert abs(v - w) / w < mpmath.mpf(10) ** -30


@pytest.mark.parametrize("lam", [F(1, 2), 1, 2])
def test_mp_via_compound_poisson_equation(lam):
    # MP(lam) is free compound Poisson with rate 1/lam and jumps delta_lam: two independent routes
    closed = ft.marchenko_pastur(lam)
    fcp = ft.free_compound_poisson(1 / lam, ft.atoms([lam]))
    a, b = closed.support()[0]
    x = np.linspace(a, b, 33)[1:-1]
    assert np.max(np.abs(fcp.pdf(x) - closed.pdf(x)) / closed.pdf(x)) < 1e-12
    assert [float(w) for _, w in fcp.atoms()] == pytest.approx([float(w) for _, w in closed.atoms()], abs=1e-15)
    assert closed.total_mass() == pytest.approx(1, abs=1e-10)
    assert fcp.total_mass() == pytest.approx(1, abs=1e-10)


def test_mp_compound_poisson_at_50_digits():
    closed = ft.marchenko_pastur(F(1, 2))
    fcp = ft.free_compound_poisson(2, ft.atoms([F(1, 2)]))
    x = mpmath.mpf("1.3")
    assert abs(fcp.pdf(x, dps=50) - closed.pdf(x, dps=50)) < mpmath.mpf(10) ** -30 * closed.pdf(x, dps=50)


@pytest.mark.parametrize("lam, other", [(F(1, 2), (F(1, 4), F(9, 4))), (F(3, 2), (1, 3))])
def test_mp_times_two_atoms_against_silverstein(lam, other):
    nu = ft.atoms(list(other), [F(1, 2), F(1, 2)])
    r = ft.free_mul(ft.marchenko_pastur(lam), nu)
    (a, b), *rest = r.support()
    x = np.concatenate([np.linspace(lo, hi, 15)[1:-1] for lo, hi in r.support()])
    ref = silverstein_density(x, float(lam), [float(t) for t in other], [0.5, 0.5])
    got = r.pdf(x)
    assert np.max(np.abs(got - ref) / ref) < 1e-10
    assert r.total_mass() == pytest.approx(1, abs=1e-10)


def test_mp_times_mp_against_silverstein_with_quantised_population():
    # MP(1/2) ⊠ MP(1/4): compare the product with the compound-Poisson description of MP(1) ⊠ nu
    # where nu = MP(1/4): two equations, two solvers
    nu = ft.marchenko_pastur(F(1, 4))
    a = ft.free_mul(ft.marchenko_pastur(1), nu)
    b = ft.free_compound_poisson(1, nu)
    x = np.linspace(0.1, 3.5, 25)
    assert np.max(np.abs(a.pdf(x) - b.pdf(x))) < 1e-11
    assert a.total_mass() == pytest.approx(1, abs=1e-10)


def test_bernoulli_sum_is_arcsine():
    b = ft.atoms([-1, 1])
    r = ft.free_add(b, b)
    x = np.linspace(-1.95, 1.95, 40)       # even count: x = 0 is treated below
    ref = ft.arcsine(-2, 2).pdf(x)
    assert np.max(np.abs(r.pdf(x) - ref) / ref) < 1e-12
    assert r.total_mass() == pytest.approx(1, abs=1e-10)


def test_bernoulli_sum_at_the_degenerate_point():
    """At x = 0 the subordination map of Bernoulli ⊞ Bernoulli, ``Phi(w) = x - 1/(x - 1/w)``, is the
    identity (``1 - Phi_u ~ 2 i x w``): next to it the solve accepted a start with a rounding-size
    residual (density off by 4e-3 at x = 2.2e-16).  Reference: the closed forms ``1/(pi sqrt(4 - x^2))``
    and ``G = 1/sqrt(z^2 - 4)``, in double and at 25 digits."""
    b = ft.atoms([-1, 1])
    x = np.concatenate([np.linspace(-1.95, 1.95, 41)[19:22], [0.0, 1e-15, -3e-14, 5e-12, 2e-8, -9e-8]])
    assert x[1] != 0 and abs(x[1]) < 1e-15             # linspace's 2.2e-16
    ref = 1 / (np.pi * np.sqrt(4 - x ** 2))
    r = ft.free_add(b, b)
    assert np.max(np.abs(r.pdf(x) - ref) / ref) < 1e-12
    # G(x + i0) = 1/sqrt(x^2 - 4) = -i/sqrt(4 - x^2) (it was 3e-3 off at 2.2e-16)
    assert np.max(np.abs(r.cauchy(x + 0j) + 1j / np.sqrt(4 - x ** 2)) * np.sqrt(4 - x ** 2)) < 1e-12
    # dps=: the polish there raised NoConvergence (it started from the wrong double solution, and the
    # double-precision G' of the operands cannot give F' = Phi_u - 1 ~ 4e-16)
    ctx = mpmath.MPContext()
    ctx.dps = 50
    for v in (x[1], 0.0, -3e-14, 2e-8):
        X = ctx.mpf(v)
        assert abs(ctx.mpf(r.pdf(v, dps=25)) * ctx.pi * ctx.sqrt(4 - X ** 2) - 1) < 1e-24


def test_degenerate_point_expansion_keeps_a_cusp():
    """The local expansion used at degenerate points must not smooth over a cusp: semicircle ⊞
    (δ_-1 + δ_1)/2 has a zero of order 1/3 at 0 (density <= 1e-6 next to it, as before)."""
    r = ft.free_add(ft.semicircle(), ft.atoms([-1, 1]))
    assert np.all(r.pdf(np.array([0.0, 1e-16, -1e-13, 1e-12])) < 1e-6)


def test_cusp_value_is_exact_on_the_algebraic_route_and_flagged_on_the_numerical_one():
    """At the cusp x = 0 of semicircle ⊞ (δ_-1 + δ_1)/2 (a triple root of P(., 0): z'(w) = w^2 (w^2 - 3)
    has the double root w = 0) the density is 0.  The algebraic route answers exactly (it divided by
    P_G = 0 there: ZeroDivisionError); the subordination route extrapolates from three heights and says
    so with a PrecisionWarning whose bound covers its miss."""
    import re
    from freetk.errors import PrecisionWarning
    r = ft.free_add(ft.semicircle(), ft.atoms([-1, 1]))
    a = r.algebraic()
    assert a.pdf(0.0) == 0.0
    assert a.pdf(0, dps=30) == 0
    assert a.pdf(0.5) == pytest.approx(float(r.pdf(0.5)), rel=1e-12)
    with pytest.warns(PrecisionWarning, match="degenerate point") as rec:
        v = float(r.pdf(0.0))
    bound = float(re.search(r"good to about ([0-9.e+-]+)", str(rec[0].message)).group(1))
    assert 0 <= v <= bound


def test_free_compound_poisson_two_routes():
    nu = ft.atoms([F(1, 2), 1, 2], [F(1, 4), F(1, 2), F(1, 4)])
    a = ft.free_mul(ft.marchenko_pastur(1), nu)     # multiplicative subordination
    b = ft.free_compound_poisson(1, nu)             # compound Poisson equation
    x = np.linspace(0.05, 5.3, 31)
    assert np.max(np.abs(a.pdf(x) - b.pdf(x))) < 1e-12
    assert b.moments(6) == a.moments(6)


def test_atoms_of_convolutions():
    mu = ft.atoms([0, 1], [F(3, 4), F(1, 4)])
    nu = ft.atoms([0, 2], [F(1, 2), F(1, 2)])
    assert dict((float(x), float(w)) for x, w in ft.free_mul(mu, nu).atoms())[0.0] == 0.75
    s = ft.free_add(ft.atoms([0, 1], [F(4, 5), F(1, 5)]), ft.atoms([0, 1], [F(7, 10), F(3, 10)]))
    # mu{a} + nu{b} > 1: (0,0) -> 4/5 + 7/10 - 1 = 1/2 at 0; (0,1) -> 4/5 + 3/10 - 1 = 1/10 at 1
    assert sorted((float(x), float(w)) for x, w in s.atoms()) == [(0.0, 0.5), (1.0, pytest.approx(0.1))]
    assert s.total_mass() == pytest.approx(1, abs=1e-8)


def test_mp_atom_and_cdf():
    m = ft.marchenko_pastur(2)
    assert [(float(x), float(w)) for x, w in m.atoms()] == [(0.0, 0.5)]
    assert float(m.cdf(-0.1)) == 0
    assert float(m.cdf(0.0)) == pytest.approx(0.5)
    assert float(m.cdf(10.0)) == pytest.approx(1, abs=1e-10)
    # cdf against direct quadrature of the closed-form density
    a, b = m.support()[0]
    x = 0.5 * (a + b)
    # independent reference: the MP(lam) density sqrt((b - t)(t - a)) / (2 pi lam t), lam = 2
    ref = 0.5 + mpmath.quad(lambda t: mpmath.sqrt((b - t) * (t - a)) / (2 * mpmath.pi * 2 * t), [a, x])
    assert float(m.cdf(x)) == pytest.approx(float(ref), abs=1e-10)


def test_cdf_at_dps_matches_closed_form():
    sc = ft.semicircle()
    with mpmath.workdps(50):
        ref = mpmath.mpf(1) / 2 + mpmath.quad(lambda t: mpmath.sqrt(4 - t * t) / (2 * mpmath.pi), [0, "0.7"])
    assert ae(sc.cdf(F(7, 10), dps=40), ref, dps=40)


def test_moments_from_gauss_rule():
    m = ft.marchenko_pastur(F(1, 2))
    fm = ft.from_moments(m.moments(40))
    x, w = fm.gauss(20)
    for k in range(0, 39):
        assert np.sum(w * x ** k) == pytest.approx(float(m.moments(k)[k]), rel=1e-11)
    # continued-fraction density with square-root terminator in the bulk
    xs = np.linspace(0.2, 2.6, 9)
    assert np.max(np.abs(fm.pdf(xs) - m.pdf(xs))) < 1e-6


def test_precision_warning_for_float_moments():
    m = ft.marchenko_pastur(F(1, 2))
    from freetk.inversion import gauss_from_moments
    from freetk.errors import PrecisionWarning
    floats = [float(v) for v in m.moments(19)]
    with pytest.warns(PrecisionWarning, match="support about [0-9] digits of the 10-point rule"):
        gauss_from_moments(floats, 10)
    # exact moments: no warning, exact recurrence
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x, w = gauss_from_moments(m.moments(59), 30)
    assert len(x) == 30


def test_no_convergence_is_raised_with_best_value():
    # u -> u + 1 has no fixed point: the solver must stop and say so
    system = fp.System(lambda u, z: (u + 1, np.ones_like(u), np.zeros_like(u)), lambda z: np.asarray(z), +1, 1.0)
    with pytest.raises(NoConvergence) as exc:
        fp.solve(system, np.array([0.5 + 0j]))
    assert exc.value.best is not None


def test_cauchy_dispatch_and_precision_scoped():
    sc = ft.semicircle()
    g = sc.cauchy(1 + 1j)
    assert isinstance(g, complex) or np.iscomplexobj(g)
    arr = sc.cauchy(np.array([[1 + 1j, 2 + 1j]]))
    assert arr.shape == (1, 2)
    v = sc.cauchy(1 + 1j, dps=40)
    assert isinstance(v, mpmath.mpc) and abs(complex(v) - g) < 1e-14
    assert mpmath.mp.dps == 15
    assert sc.stieltjes(1 + 1j) == -g


def test_densities_at_hard_and_square_root_edges():
    # MP(1) has a 1/sqrt(x) hard edge at 0 and a square-root edge at 4; its FCP-equation solution is
    # compared with the closed form right at the edges
    closed = ft.marchenko_pastur(1)
    fcp = ft.free_compound_poisson(1, ft.atoms([1]))
    hard = np.array([1e-10, 1e-8, 1e-6, 1e-4])
    assert np.max(np.abs(fcp.pdf(hard) - closed.pdf(hard)) / closed.pdf(hard)) < 1e-12
    # double precision at a square-root edge: the density is ~sqrt(delta), so its relative error is
    # limited to ~1e-16/delta; 30 digits remove that limit
    soft = 4 - np.array([1e-4, 1e-6, 1e-8])
    rel = np.abs(fcp.pdf(soft) - closed.pdf(soft)) / closed.pdf(soft)
    assert np.all(rel < 1e-15 / (4 - soft) * 10)
    a, b = fcp.pdf(mpmath.mpf(4) - mpmath.mpf(10) ** -8, dps=30), closed.pdf(mpmath.mpf(4) - mpmath.mpf(10) ** -8, dps=30)
    with mpmath.workdps(40):
        assert abs(a / b - 1) < mpmath.mpf(10) ** -20


def _uniform_times_atoms_cauchy(x, ctx, locs=(1, 20), heights=None):
    """Reference ``G(x + i eta)`` of ``uniform(0, 1) ⊠ atoms(locs)`` (equal weights), written from the
    S-transform equation: with ``psi(w) = int w t/(1 - w t) dmu(t)`` (``-1 - log(1 - w)/w`` for the
    uniform law) and ``u = psi_{mu⊠nu}(1/z)``, the inverses satisfy ``chi_mu(u) chi_nu(u) (1 + u)/u = 1/z``;
    unknowns ``(w, u)`` with ``psi_mu(w) = u`` and ``psi_nu(v) = u``, ``v = u/(z w (1 + u))``.  Followed
    down from ``eta = 10`` (where ``u ~ m_1/z``) by mpmath's findroot in ``ctx``; returns the values at
    every height (``G = (1 + u)/z``)."""
    n = len(locs)

    def psi_mu(w):
        return -1 - ctx.log(1 - w) / w

    def psi_nu(v):
        return ctx.fsum(v * t / (1 - v * t) for t in locs) / n

    heights = heights or [ctx.mpf(10) ** (1 - ctx.mpf(k) / 4) for k in range(85)]
    z = ctx.mpc(x, heights[0])
    u = ctx.mpf(sum(locs)) / (2 * n) / z
    w = 2 * u
    out = []
    for e in heights:
        z = ctx.mpc(x, e)
        w, u = ctx.findroot(lambda a, b: [psi_mu(a) - b, psi_nu(b / (z * a * (1 + b))) - b], (w, u))
        out.append((1 + u) / z)
    return out


def test_uniform_times_two_atoms_has_no_piece_near_20_over_21():
    """``uniform(0, 1) ⊠ (δ_1 + δ_20)/2`` had a spurious support piece 1e-5 wide at x = 20/21 (the limit
    of the inverse map at u = 0 on the pair (outer branch of the uniform law, the gap (1, 20) of the
    atoms)), made by rounding: ``G`` and ``G'`` of the uniform law far from [0, 1] lost digits to
    cancellation (``u' = G + X G'`` then had a relative error ~ 1e-16/u^2 next to u = 0).  The
    40-digit S-transform equation shows no bulk there: ``-Im G/pi`` falls like the height."""
    m = ft.free_mul(ft.uniform(0, 1), ft.atoms([1, 20]))
    ctx = mpmath.MPContext()
    ctx.dps = 40
    for x in ("0.9523743", "0.9523815", "0.9523840"):   # (u = 0 at x = 20/21: singular unknowns)
        G = _uniform_times_two_atoms_last(x, ctx)
        assert -ctx.im(G) / ctx.pi < 1e-19          # height 1e-20: no bulk
        assert m.pdf(float(x)) == 0.0
    sup = m.support()
    assert len(sup) == 2 and sup[0][1] < 0.84 and sup[1][0] > 2.5
    # the same reference gives the density in the bulk (the branch followed is the right one)
    for x in (0.5, 5.0):
        ref = -ctx.im(_uniform_times_two_atoms_last(str(x), ctx)) / ctx.pi
        assert abs(m.pdf(x) - float(ref)) <= 1e-10 * float(ref)
    assert abs(m.total_mass() - 1) <= 1e-10
    # cauchy 1e-6 above the old piece raised NoConvergence; next to u = 0 the subordination function
    # omega_1 ~ u tends to 0 and h(w) = 1/w - 1/G(1/w) cancels: about 1e-10 absolute is what double gives
    G = _uniform_times_atoms_cauchy(ctx.mpf("0.95238"), ctx,
                                    heights=[ctx.mpf(10) ** (1 - ctx.mpf(k) / 4) for k in range(29)])[-1]
    assert abs(m.cauchy(0.95238 + 1e-6j) - complex(G)) <= 1e-9


def _uniform_times_two_atoms_last(x, ctx):
    return _uniform_times_atoms_cauchy(ctx.mpf(x), ctx)[-1]


def test_uniform_cauchy_far_from_the_interval():
    """``G`` of ``uniform(lo, hi)`` far away keeps its relative accuracy (it was the difference of two
    nearly equal logarithms); reference: mpmath's ``log(z - lo) - log(z - hi)`` at 40 digits."""
    u = ft.uniform(0, 1)
    ctx = mpmath.MPContext()
    ctx.dps = 40
    for z in (5e4 + 0j, -3e6 + 0j, 1e7 + 2e6j, 2.5 + 0.1j, 0.5 + 1e-3j, -1e3 - 1e3j):
        ref = complex(ctx.log(ctx.mpc(z)) - ctx.log(ctx.mpc(z) - 1))
        assert abs(u.cauchy(z) - ref) <= 4e-16 * abs(ref)
    w = ft.uniform(-2, 5)
    for z in (1e5 + 1j, 20.0 + 0j):
        ref = complex((ctx.log(ctx.mpc(z) + 2) - ctx.log(ctx.mpc(z) - 5)) / 7)
        assert abs(w.cauchy(z) - ref) <= 4e-16 * abs(ref)


def _fuss_catalan2_density(y, ctx):
    """Density of MP(1) ⊠ MP(1) (Fuss-Catalan, s = 2) on (0, 27/4], the closed form of Penson and
    Zyczkowski: ``2^(1/3) sqrt(3)/(12 pi) (2^(1/3) r^2 - 6 y^(1/3))/(y^(2/3) r)``,
    ``r = (27 + 3 sqrt(81 - 12 y))^(1/3)``."""
    y = ctx.mpf(y)
    r = ctx.cbrt(27 + 3 * ctx.sqrt(81 - 12 * y))
    return ctx.cbrt(2) * ctx.sqrt(3) / (12 * ctx.pi) * (ctx.cbrt(2) * r ** 2 - 6 * ctx.cbrt(y)) / (ctx.cbrt(y) ** 2 * r)


def test_power_end_of_a_product_mass_and_cdf():
    """``free_poisson(1, 1/2) ⊠ free_poisson(1, 1/2)`` (MP(1) ⊠ MP(1) scaled by 1/4) has an end at 0 with
    density ``x^(-2/3) (c_0 + c_1 x^(1/3) + ...)``: the closed-form tail is the Puiseux ladder (a single
    fitted power missed the mass by 4.2e-8).  References: mass 1, the exact moments 1/4 and 3/16, and the
    cdf next to 0 from the closed-form density integrated by mpmath."""
    m = ft.free_mul(ft.free_poisson(1, F(1, 2)), ft.free_poisson(1, F(1, 2)))
    assert abs(m.total_mass() - 1) <= 1e-12
    assert m.quadrature_error() <= 1e-10
    assert abs(m.expect(lambda t: t) - 0.25) <= 1e-12
    assert abs(m.expect(lambda t: t ** 2) - 3 / 16) <= 1e-12
    ctx = mpmath.MPContext()
    ctx.dps = 30
    for x in (1e-12, 1e-9, 1e-6, 1e-3):
        # x = y/4: F(x) = int_0^{4x} rho(y) dy; y = t^3 removes the y^(-2/3) singularity
        ref = ctx.quad(lambda t: 3 * t ** 2 * _fuss_catalan2_density(t ** 3, ctx), [0, ctx.cbrt(4 * ctx.mpf(x))])
        assert abs(m.cdf(x) - float(ref)) <= 1e-12 * float(ref) + 1e-15, x
    assert abs(m.cdf(m.support()[-1][1]) - 1) <= 1e-12


def test_uniform_plus_two_atoms_support_and_density():
    """``uniform(0, 1/2) ⊞ (δ_0 + δ_1/4)/2`` had no support at all (mass 0; then a spurious gap at its
    centre 3/8, mass 1 - 1.4e-4): ``G'`` of the uniform law far from [0, 1/2] cancelled, and the sign test
    of ``x'(g)`` next to ``g = 0`` (an outer branch) saw rounding.  The law is symmetric about 3/8; its
    density is checked against the subordination equations ``G_mu(w1) = G_nu(w2) = g``,
    ``w1 + w2 - z = 1/g`` solved in mpmath (40 digits), followed down from height 10."""
    m = ft.free_add(ft.uniform(0, F(1, 2)), ft.atoms([0, F(1, 4)]))
    (lo, hi), = m.support()
    assert abs(lo + hi - 0.75) <= 1e-13
    assert abs(m.total_mass() - 1) <= 1e-12
    ctx = mpmath.MPContext()
    ctx.dps = 40

    def g_mu(w):
        return 2 * (ctx.log(w) - ctx.log(w - ctx.mpf(1) / 2))

    def g_nu(w):
        return (1 / w + 1 / (w - ctx.mpf(1) / 4)) / 2

    for x in (0.1, 0.3, 0.375, 0.6):
        z = ctx.mpc(x, 10)
        w1, w2 = z - ctx.mpf(1) / 8, z - ctx.mpf(1) / 4
        for k in range(0, 85):
            z = ctx.mpc(x, ctx.mpf(10) ** (1 - ctx.mpf(k) / 4))
            w1, w2 = ctx.findroot(lambda a, b: [g_mu(a) - g_nu(b), a + b - z - 1 / g_mu(a)], (w1, w2))
        ref = -ctx.im(g_mu(w1)) / ctx.pi
        assert abs(m.pdf(x) - float(ref)) <= 1e-10 * float(ref), x


def test_product_with_a_point_mass_at_zero():
    """``nu ⊠ δ_0 = δ_0`` (exact moments through the S-transform need non-zero means: it raised)."""
    m = ft.free_mul(ft.marchenko_pastur(2), ft.atoms([0]))
    assert m.moments(3) == [1, 0, 0, 0] and m.atoms() == [(0, 1)]


def test_generic_cauchy_of_a_piece_far_from_zero():
    """The generic route integrates the density in ``t = lo + L sin^2(theta/2)``; for
    ``arcsine(10**6, 10**6 + 1)`` the rounded ``t`` next to an end (absolute error ~1e-10) made the
    density and the Jacobian disagree: 4.8e-6 relative off at the centre.  The Jacobian is now taken at
    the rounded ``t``.  Reference: the closed form ``1/sqrt((z - lo)(z - hi))`` (its ``cauchy``) and an
    mpmath evaluation of it at 30 digits from the shifted variable."""
    a = ft.arcsine(10 ** 6, 10 ** 6 + 1)
    ctx = mpmath.MPContext()
    ctx.dps = 30
    for x in (0.5, 0.25, 0.9, 1.5, -2.0):
        for y in (0.5, 0.01, 1e-6):
            s = ctx.mpc(x, y)                                   # z - lo, exact
            ref = complex(1 / (ctx.sqrt(s) * ctx.sqrt(s - 1)))
            g = a.cauchy(10 ** 6 + x + 1j * y, method="generic")
            assert abs(g - ref) <= 1e-9 * abs(ref), (x, y)


@pytest.mark.parametrize("locs, c", [([1, 2], 2.0), ([F(1, 2), 2], 1.0)])
def test_product_degenerate_point(locs, c):
    """``nu ⊠ nu`` for ``nu = (δ_a + δ_b)/2`` has a point (``x = a b``) where the multiplicative
    subordination map is the identity: the density there was 8% off ((δ_1 + δ_2)/2 at 2) and 0.55% on a
    plain grid point ((δ_1/2 + δ_2)/2 at 1).  Reference: the law's algebraic equation
    (:meth:`algebraic`, certified branch), in double and at 30 digits."""
    nu = ft.atoms(locs)
    m = ft.free_mul(nu, nu)
    L = m.algebraic()
    x = np.array([c, c * (1 + 2.2e-16), c * (1 - 4.4e-16), c * (1 + 1e-12), c * (1 - 3e-9)])
    assert np.max(np.abs(m.pdf(x) / L.pdf(x) - 1)) < 1e-12
    ctx = mpmath.MPContext()
    ctx.dps = 40
    for v in x[:3]:
        assert abs(ctx.mpf(m.pdf(v, dps=30)) / ctx.mpf(L.pdf(v, dps=30)) - 1) < 1e-28


# ----------------------------------------------------------------------------- simplification policy
def _radical_constants():
    """Radical constants of the kinds the Hermite data and the NTK atoms produce (sums of rational
    multiples of powers of pi and square roots), plus seeded random ones of the same shape."""
    import random
    import sympy
    pi, s2, s3, s5 = sympy.pi, sympy.sqrt(2), sympy.sqrt(3), sympy.sqrt(5)
    R = sympy.Rational
    fixed = [R(1, 4) - 1 / (2 * pi), s2 / (2 * sympy.sqrt(pi)), -4 / (3 * pi) + 4 * s5 / (5 * pi),
             1 / (8 * pi ** 2) + R(1, 32), 25 / (256 * pi ** 2) + R(41, 512),
             125 / (8192 * pi ** 3) + 615 / (8192 * pi ** 2) + R(365, 16384), 2 * s3 / (3 * sympy.sqrt(pi)),
             R(9801, 40000) - 9801 / (20000 * pi), (1 + s2) ** 2 - 3 - 2 * s2, sympy.E / 2 - R(1, 3) + 1 / pi]
    rng = random.Random(7)
    atoms = [pi, 1 / pi, pi ** 2, 1 / pi ** 2, s2, s3 / pi, sympy.sqrt(pi), sympy.E, sympy.Integer(1)]
    rand = [sum(R(rng.randint(-40, 40), rng.randint(1, 300)) * rng.choice(atoms) for _ in range(rng.randint(2, 4)))
            for _ in range(40)]
    return fixed + rand


def test_simplify_of_radical_constants_is_sympys_canonical_form():
    """numeric.simplify takes a cheap path for radical constants (no import of sympy's unit system): its
    result must be sympy.simplify's, structurally (the exact forms users see and tests compare)."""
    import sympy
    from freetk.numeric import simplify, _is_radical_constant
    for x in _radical_constants():
        if isinstance(x, sympy.Basic) and not x.is_Atom:
            assert _is_radical_constant(x), x
        assert simplify(x) == sympy.simplify(x), x
    # expressions with functions or symbols still go through sympy.simplify
    t = sympy.Symbol("t")
    assert not _is_radical_constant(sympy.erf(sympy.sqrt(2)) / 2 + 1)
    assert not _is_radical_constant(t / 2 + 1 / (2 * t))
    assert simplify(t / 2 + 1 / (2 * t)) == sympy.simplify(t / 2 + 1 / (2 * t))


def test_simplify_returns_monomial_constants_as_sympy_simplify_does():
    """numeric.simplify returns products of a rational and rational powers of number symbols and positive
    integers without work (sympy's automatic evaluation already canonicalises them): sympy.simplify must give
    the same expression; sums are not monomials and take the radical-constant path."""
    import random
    import sympy
    from freetk.numeric import _is_monomial_constant, simplify
    pi, E, R = sympy.pi, sympy.E, sympy.Rational
    rng = random.Random(11)
    factors = [pi, E, sympy.sqrt(2), sympy.sqrt(3), 2 ** R(1, 3), 5 ** R(-1, 2), pi ** R(-1, 2), 1 / pi, E ** R(1, 2),
               7 ** R(2, 3), sympy.sqrt(pi), sympy.EulerGamma, sympy.Catalan]
    cases = [1 / (2 * pi), 3 / (4 * sympy.sqrt(pi)), 9 / (16 * pi), sympy.sqrt(2) * sympy.sqrt(pi), sympy.sqrt(12)]
    cases += [sympy.Mul(R(rng.randint(-20, 20) or 1, rng.randint(1, 30)),
                        *[rng.choice(factors) for _ in range(rng.randint(1, 3))]) for _ in range(60)]
    seen = 0
    for x in cases:
        if isinstance(x, sympy.Basic) and _is_monomial_constant(x):
            seen += 1
            assert simplify(x) is x and sympy.simplify(x) == x, x
    assert seen >= 50
    assert not _is_monomial_constant(R(1, 4) - 1 / (2 * pi)) and not _is_monomial_constant(sympy.exp(pi) / 2)


# ----------------------------------------------------------------------------- issue 12: nothing silent
def _mp_law_reference(lam, x, dps=60):
    """Density and cdf of MP(lam) (lam < 1: no atom) at x from the textbook formula, in a private mpmath
    context wide enough for a support of relative width 4 sqrt(lam); cdf by quadrature in the angle."""
    c = mpmath.MPContext()
    c.dps = dps + int(-mpmath.log10(lam) / 2) + 10 if lam < 1 else dps
    L = c.mpf(lam) if not isinstance(lam, F) else c.mpf(lam.numerator) / lam.denominator
    lo, hi = (1 - c.sqrt(L)) ** 2, (1 + c.sqrt(L)) ** 2
    dens = lambda t: c.sqrt(max(0, (hi - t) * (t - lo))) / (2 * c.pi * L * t)   # noqa: E731
    mid, h = (lo + hi) / 2, (hi - lo) / 2
    th = c.acos((mid - c.mpf(x)) / h)
    return dens(c.mpf(x)), c.quad(lambda p: dens(mid - h * c.cos(p)) * h * c.sin(p), [0, th])


@pytest.mark.parametrize("lam", [1e-30, 1e-300, F(1, 10 ** 20)])
def test_mp_tiny_ratio_density_cdf_mass(lam):
    m = ft.marchenko_pastur(lam)
    d_ref, c_ref = _mp_law_reference(lam, 1)
    assert abs(m.pdf(1.0) - float(d_ref)) <= 1e-13 * float(d_ref)
    assert abs(m.cdf(1.0) - float(c_ref)) <= 1e-13
    assert abs(m.total_mass() - 1) <= 1e-15


@pytest.mark.parametrize("lam", [1e-20, 1e-30])
def test_mp_tiny_float_ratio_keeps_every_digit(lam):
    v = ft.marchenko_pastur(lam).pdf(1, dps=40)
    ref, _ = _mp_law_reference(lam, 1, dps=60)
    assert abs(ref.context.mpf(v) - ref) <= ref * ref.context.mpf(10) ** -39


@pytest.mark.parametrize("rate, jump", [(F(2), F(1, 2)), (F(1, 3), 2), (0.7, 1.3), (1, 1), (40.0, 0.01)])
def test_free_poisson_closed_cdf_against_quadrature(rate, jump):
    # the reference integrates the textbook density with mpmath (atom 1 - r at 0 added by hand)
    c = mpmath.MPContext()
    c.dps = 30
    r, a = c.mpf(F(rate).numerator) / F(rate).denominator, c.mpf(F(jump).numerator) / F(jump).denominator
    lo, hi = a * (1 - c.sqrt(r)) ** 2, a * (1 + c.sqrt(r)) ** 2
    dens = lambda t: c.sqrt(max(0, (hi - t) * (t - lo))) / (2 * c.pi * a * t)   # noqa: E731
    m = ft.free_poisson(rate, jump)
    for s in (0.0, 0.1, 0.37, 0.5, 0.9, 1.0):
        x = lo + s * (hi - lo)
        ref = c.quad(dens, [lo, x]) + (1 - r if r < 1 else 0)
        assert abs(m.cdf(float(x)) - float(ref)) < 1e-13, (rate, jump, s)
    assert m.total_mass() == 1.0 and m.cdf(float(hi) * 2 + 1) == 1.0 and m.cdf(float(lo) / 2 - 1) == 0.0


def test_uniform_far_from_zero_mass_and_expect():
    u = ft.uniform(10 ** 6, 10 ** 6 + 1)
    assert abs(u.total_mass() - 1) <= 1e-15
    with pytest.warns(ft.PrecisionWarning):      # 1e-15 is below what double precision can promise there
        v = u.expect(lambda t: t, tol=1e-15)
    assert abs(v - 1000000.5) <= 1e-9           # E x = (lo + hi)/2 (was 8e-5 off, silently)
    assert abs(u.expect(lambda t: t, tol=1e-6) - 1000000.5) <= 1e-9
    assert abs(ft.semicircle(10 ** 6, 1).expect(lambda t: t, tol=1e-6) - 10 ** 6) <= 1e-9
    c = mpmath.MPContext()
    c.dps = 30
    ref = float(c.cos(10 ** 6) - c.cos(10 ** 6 + 1))
    import warnings
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        e = u.expect(lambda t: np.sin(t))
    assert abs(e - ref) <= 1e-13 or any(issubclass(w.category, ft.PrecisionWarning) for w in rec)


def test_expect_says_when_tol_is_not_met():
    # Bernoulli ⊞ Bernoulli is the arcsine law on [0, 2]: E x^3 = 5/2 (mpmath quadrature below)
    c = mpmath.MPContext()
    c.dps = 30
    ref = c.quad(lambda th: (1 - c.cos(th)) ** 3 / c.pi, [0, c.pi])     # x = 1 - cos(theta)
    assert abs(ref - c.mpf(5) / 2) < 1e-25
    B = ft.atoms([0, 1], [F(1, 2), F(1, 2)])
    law = ft.free_add(B, B)
    with pytest.warns(ft.PrecisionWarning, match="expect"):
        v = law.expect(lambda t: t ** 3, tol=1e-14)
    assert abs(v - 2.5) <= 8 * law.quadrature_error()          # within the bound the warning gives
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error", ft.PrecisionWarning)
        assert abs(law.expect(lambda t: t ** 3, tol=1e-7) - 2.5) <= 1e-7


def test_free_mul_atoms_mass_is_right_or_loud():
    # support [2.1, 7.5] with a 1/sqrt end at 7.5 and an atom 3/5 at 0: mass 1 and cdf beyond the support 1
    import warnings
    p = ft.free_mul(ft.atoms([F(3, 4), 3], [F(2, 5), F(3, 5)]), ft.atoms([0, F(5, 2)], [F(3, 5), F(2, 5)]))
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        mass, top = p.total_mass(), p.cdf(8.5)
    loud = [w for w in rec if issubclass(w.category, ft.PrecisionWarning)]
    if not loud:
        assert abs(mass - 1) <= 1e-12 and abs(top - 1) <= 1e-12
    else:
        assert abs(mass - 1) <= p.quadrature_error()


def test_ntk_huge_gamma2_bulk_or_refusal():
    # gamma2 -> oo: mu -> delta_a, a = (pi - 2)/(4 pi), rho -> free Poisson of rate 1 and jump a
    import math
    a = (math.pi - 2) / (4 * math.pi)
    ref = math.sqrt((4 * a - 0.1) * 0.1) / (2 * math.pi * a * 0.1)
    law = ft.ntk_law("relu", gamma1=1, gamma2=F(10 ** 12))
    assert abs(law.pdf(0.1) - ref) <= 1e-6 * ref      # O(1/gamma2) from the limit
    for g2 in (F(10 ** 30), 1e300):
        with pytest.raises(ft.InvalidArgument, match="scales"):
            ft.ntk_law("relu", gamma1=1, gamma2=g2).pdf(0.1)


def test_mp_ratio_below_the_double_range_is_refused_by_name():
    with pytest.raises(ft.InvalidArgument, match="`ratio` of `marchenko_pastur`"):
        ft.marchenko_pastur(1e-320)            # 1/ratio overflows a double
    lam = 2.0 ** -1022                        # the smallest accepted: density 1/(pi sqrt(lam)) at 1 (+ O(lam))
    assert abs(ft.marchenko_pastur(lam).pdf(1.0) * math.pi * 2.0 ** -511 - 1) < 1e-14


def test_subordination_density_at_a_thousand_digits():
    """free_add(MP(1/2), semicircle()).pdf(1, dps=1000): the operands' G' is known in double precision, so
    Newton gains ~15 digits per step and needs ~65 steps (it stopped at 60 with NoConvergence).  Reference:
    z = 1/G + 1/(1 - G/2) + G is the cubic G^3/2 - 3G^2/2 + G/2 - 1 = 0 at z = 1, solved by mpmath."""
    c = mpmath.MPContext()
    c.dps = 1030
    roots = c.polyroots([c.mpf(1) / 2, c.mpf(-3) / 2, c.mpf(1) / 2, -1], maxsteps=500, extraprec=2000)
    ref = -c.im(min(roots, key=lambda r: c.im(r))) / c.pi
    v = ft.free_add(ft.marchenko_pastur(F(1, 2)), ft.semicircle()).pdf(1.0, dps=1000)
    assert abs(c.mpf(v) - ref) <= ref * c.mpf(10) ** -998


def _spiked_semicircle_G(x, dps=50):
    """G of semicircle(0, 1) ⊞ (δ_-2 + δ_2)/2 at real x in the gap: ``G = G_nu(z - G)`` with ``G_nu(w) = w/(w^2 - 4)``
    (R of the semicircle is the identity), i.e. the cubic ``G^3 - 2x G^2 + (x^2 - 3) G - x = 0``; the root of the
    gap's branch is the one next to ``-x/3`` (``G ~ -x/3`` at 0, where ``G(0) = 0`` by symmetry)."""
    with mpmath.workdps(dps):
        X = mpmath.mpf(x)
        roots = mpmath.polyroots([1, -2 * X, X * X - 3, -X], maxsteps=200, extraprec=200)
        return float(mpmath.re(min(roots, key=lambda g: abs(g + X / 3))))


def test_spiked_semicircle_cauchy_at_the_zero_of_G_in_its_gap():
    """In the gap of semicircle ⊞ (δ_-2 + δ_2)/2, G vanishes at 0 and the subordination function omega_1 ~ 1/G runs off
    to infinity: cauchy raised NoConvergence for |x| <= 1e-4 (a review found it).  It is now the mean of G on a circle
    around x (G is analytic in the gap), right to its absolute rounding estimate, with a PrecisionWarning where that is
    large against G(x); where the solve works (x = 0.3) nothing changes."""
    law = ft.free_add(ft.semicircle(0, 1), ft.atoms([-2, 2]))
    # in either operand order; G is real in the gap: its imaginary part is what the last Newton step left of the
    # start's height (2e-48 and 5e-54 in the two orders; the solver keeps heights below 1e-30 |w| as they are, since
    # next to a pole of an operand they can carry the density, test_mixture_operands.py), and the density is 0 there
    for each in (law, ft.free_add(ft.atoms([-2, 2]), ft.semicircle(0, 1))):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            g = each.cauchy(np.array([0.3 + 0j]))[0]
            assert each.pdf(0.3) == 0
        assert abs(g.real - _spiked_semicircle_G(0.3)) <= 1e-15 and abs(g.imag) <= 1e-40
    for x in (0.0, 1e-9, 1e-7, 1e-5):
        with pytest.warns(PrecisionWarning, match="absolute only"):
            g = law.cauchy(np.array([x + 0j]))[0]
        assert abs(g - _spiked_semicircle_G(x)) <= 4e-16, (x, g)


@pytest.mark.parametrize("swap", [False, True])
def test_add_density_next_to_an_edge_where_G_is_small(swap):
    """(17/25 δ_1/4 + 2/25 δ_7/2 + 6/25 δ_-4) ⊞ (6/25 δ_2 + 12/25 δ_-5/2 + 7/25 δ_-9/4) has an edge at -4.2870670029 where
    G ~ -2e-6: one subordination function is ~1/G ~ 5e5 and ``h = 1/G - w`` was a difference of terms of that size.
    The density d = 1e-9 inside the edge was 0.4 % off (the conditioning of a square-root edge allows eps|x|/(2d) =
    2.4e-7), silently, and ``pdf(x, dps=30)`` raised NoConvergence next to it in either operand order.  Against the
    density of the law's algebraic equation at 40 digits (an independent route: no subordination)."""
    a = ft.atoms([F(1, 4), F(7, 2), -4], [F(17, 25), F(2, 25), F(6, 25)])
    b = ft.atoms([2, F(-5, 2), F(-9, 4)], [F(6, 25), F(12, 25), F(7, 25)])
    law = ft.free_add(b, a) if swap else ft.free_add(a, b)
    alg = ft.free_add(a, b).algebraic()
    edge = float(alg.support()[0][1])
    assert abs(edge + 4.2870670029) < 1e-10
    for d in (1e-3, 1e-6, 1e-9, 1e-11):
        x = edge - d
        ref = alg.pdf(x, dps=40)
        cond = 2.2e-16 * abs(x) / (2 * d)
        assert abs(law.pdf(x) / ref - 1) <= 4 * cond + 1e-13, d
        with mpmath.workdps(50):
            assert abs(law.pdf(x, dps=30) / ref - 1) <= mpmath.mpf(10) ** -28, d


@pytest.mark.parametrize("x", [0.01, -1e-3, 1e-4, 1e-5, -1e-6])
def test_spiked_semicircle_next_to_the_zero_of_G_does_not_depend_on_the_batch(x):
    """A review: with a neighbour in the same call (x = 3) the solve started well and converged next to the zero of G,
    where omega_1 ~ 1/G is huge and G is only good to ~eps |omega_1|^2: 4.7e-6 relative at 1e-5, silently (alone, the
    solve failed and the circle mean, warned, was right).  Now the circle mean serves every such point: within its
    warned absolute bound, the same value in any batch."""
    law = ft.free_add(ft.semicircle(0, 1), ft.atoms([-2, 2]))
    ref = _spiked_semicircle_G(x)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PrecisionWarning)
        batch = law.cauchy(np.array([x, 3.0]))[0]
        alone = law.cauchy(np.array([x]))[0]
    assert abs(batch - ref) <= 4e-16 and abs(alone - ref) <= 4e-16 and batch == alone


@pytest.mark.parametrize("x, dps", [(0.001, 30), (0.002, 20), (-1e-4, 30), (1e-5, 20)])
def test_cusp_neighbourhood_at_dps_converges(x, dps):
    """semicircle ⊞ (δ_-1 + δ_1)/2 near its cusp at 0 (|F_u| ~ 0.03): the mpmath Newton steps stalled at the residual's
    rounding (1e-38 at 40 digits) above its step tolerance and raised NoConvergence (a review).  Reference: the cubic
    ``G^3 - 2x G^2 + x^2 G - x = 0`` of ``G = G_nu(z - G)``, ``G_nu(w) = w/(w^2 - 1)``, its root with Im G < 0, by
    mpmath's polyroots (the others are real or conjugate)."""
    law = ft.free_add(ft.semicircle(), ft.atoms([-1, 1]))
    g = law.cauchy(x, dps=dps)
    with mpmath.workdps(dps + 40):
        roots = mpmath.polyroots([1, -2 * mpmath.mpf(x), mpmath.mpf(x) ** 2, -mpmath.mpf(x)], extraprec=300)
        ref = min(roots, key=lambda r: mpmath.im(r))
        assert mpmath.im(ref) < 0 and abs(g - ref) <= mpmath.mpf(10) ** -dps * abs(ref)


def test_gap_rule_leaves_far_points_of_shifted_laws_to_the_solve():
    """Review of the gap rule: measured from z alone (|omega_1 - z| > 10 scales) it sent every real point off the support
    of semicircle(100, 1) ⊞ semicircle(100, 1) to the circle mean (omega_1 - z ~ -100 there).  Measured from z - m_nu it
    does not; values against the exact sum, semicircle(200, 2), and no warning."""
    law = ft.free_add(ft.semicircle(100, 1), ft.semicircle(100, 1), method="generic")
    xs = np.array([150.0, 190.0, 210.0, 250.0, 1e3, -5.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        g = law.cauchy(xs)
    ref = ft.semicircle(200, 2).cauchy(xs)
    assert np.all(np.abs(g - ref) <= 4e-15 * np.abs(ref))
