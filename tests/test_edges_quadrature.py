"""Support edges from inverse maps and the angle-variable Chebyshev integration engine.

Every reference here is independent of the code under test: closed forms (Marchenko-Pastur, semicircle,
Fuss-Catalan), critical values of explicit inverse maps solved as polynomials or with mpmath in the
test itself, exact moments, and a slow mpmath evaluation of the NTK law's inverse map.
"""
from datetime import timedelta
from fractions import Fraction as F

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import freetk as ft
from freetk.kernels import quadrature
from freetk.kernels.edges import Interval
from freetk.measures.marchenko_pastur import FreeCompoundPoisson


def _rel(a, b):
    return abs(a - b) / abs(b)


def _edges(m):
    return [v for iv in m.support() for v in iv]


# ----------------------------------------------------------------------------- edges
@pytest.mark.parametrize("r", [F(1, 3), F(1, 2), 2, 5])
def test_compound_poisson_with_one_jump_has_marchenko_pastur_edges(r):
    law = FreeCompoundPoisson(r, ft.dirac(1))
    lo, hi = law.support()[0]
    assert len(law.support()) == 1
    assert _rel(lo, (1 - np.sqrt(float(r))) ** 2) <= 1e-14
    assert _rel(hi, (1 + np.sqrt(float(r))) ** 2) <= 1e-14
    assert [iv.lo_kind for iv in law.support_intervals()] == ["sqrt"]


def test_semicircle_plus_semicircle_generic_edges():
    s = ft.free_add(ft.semicircle(), ft.semicircle(), method="generic")
    lo, hi = s.support()[0]
    assert _rel(lo, -2 * np.sqrt(2)) <= 1e-14 and _rel(hi, 2 * np.sqrt(2)) <= 1e-14


def test_semicircle_plus_bernoulli_edges_and_cusp():
    # z(w) = w + G_nu(w), G_nu(w) = w/(w^2 - 1): z'(w) = 0 <=> w^2 (w^2 - 3) = 0; w = sqrt 3 gives the
    # edge 3 sqrt(3)/2 = sqrt(27)/2, the double root w = 0 the cusp at 0 (one interval, no gap)
    m = ft.free_add(ft.semicircle(), ft.atoms([-1, 1]))
    assert len(m.support()) == 1
    lo, hi = m.support()[0]
    assert abs(lo + np.sqrt(27) / 2) <= 1e-15 * np.sqrt(27) / 2
    assert abs(hi - np.sqrt(27) / 2) <= 1e-15 * np.sqrt(27) / 2
    assert float(m.pdf(lo - 1e-12)) == 0 and float(m.pdf(hi + 1e-12)) == 0
    assert float(m.pdf(lo + 1e-6)) > 0


def _critical_values_poly(coeffs, z_of):
    roots = np.roots(coeffs)
    return sorted(z_of(g.real) for g in roots if abs(g.imag) < 1e-10 and abs(g.real) > 1e-12)


def test_mp_plus_semicircle_edges_are_critical_values():
    # z(g) = R_MP(g) + R_SC(g) + 1/g = 1/(1 - lam g) + g + 1/g; z'(g) = 0 is the quartic
    # lam g^2 + g^2 (1 - lam g)^2 - (1 - lam g)^2 = 0
    lam = 0.5
    P = np.polynomial.polynomial
    q = P.polysub(P.polyadd([0, 0, lam], P.polymul([0, 0, 1], P.polypow([1, -lam], 2))), P.polypow([1, -lam], 2))
    crit = _critical_values_poly(q[::-1], lambda g: 1 / (1 - lam * g) + g + 1 / g)
    m = ft.free_add(ft.marchenko_pastur(lam), ft.semicircle())
    e = _edges(m)
    assert len(e) == 2
    for v in e:
        assert min(_rel(v, c) for c in crit) <= 1e-14


@pytest.mark.parametrize("a,b", [(0.5, 0.3), (1.0, 1.0), (0.2, 0.7)])
def test_mp_times_mp_edges_from_the_cubic(a, b):
    # 1/chi(u) = (1 + u)(1 + a u)(1 + b u)/u; its critical points solve 2ab u^3 + (a + b + ab) u^2 - 1 = 0
    crit = _critical_values_poly([2 * a * b, a + b + a * b, 0, -1],
                                 lambda u: (1 + u) * (1 + a * u) * (1 + b * u) / u)
    m = ft.free_mul(ft.marchenko_pastur(a), ft.marchenko_pastur(b), method="generic")
    lo, hi = m.support()[0]
    assert len(m.support()) == 1
    assert _rel(hi, max(crit)) <= 1e-14
    if a == b == 1.0:
        assert hi == pytest.approx(27 / 4, rel=1e-15) and lo == 0.0
    else:
        assert _rel(lo, min(c for c in crit if c > 0)) <= 1e-14


def _mul_atoms_reference(lam, locs, weights, dps=40):
    """Critical values of x(X) = (1 + lam u(X)) X, u(X) = sum w t/(X - t) (MP(lam) ⊠ atoms, written in
    the spectral variable X of the atoms), found with mpmath on a grid of every gap."""
    ctx = mpmath.mp.clone()
    ctx.dps = dps
    t = [ctx.mpf(v) for v in locs]
    w = [ctx.mpf(v) for v in weights]

    def u(X):
        return ctx.fsum(wi * ti / (X - ti) for wi, ti in zip(w, t))

    def du(X):
        return -ctx.fsum(wi * ti / (X - ti) ** 2 for wi, ti in zip(w, t))

    def dx(X):
        return 1 + lam * u(X) + lam * X * du(X)

    ends = [-10.0] + sorted(locs) + [10 * max(locs) + 10]
    out = []
    for a, b in zip(ends[:-1], ends[1:]):
        grid = np.linspace(a, b, 4002)[1:-1]
        vals = [dx(ctx.mpf(g)) for g in grid]
        for g0, g1, v0, v1 in zip(grid[:-1], grid[1:], vals[:-1], vals[1:]):
            if v0 * v1 < 0:
                X = ctx.findroot(dx, (ctx.mpf(g0), ctx.mpf(g1)), solver="anderson")
                out.append(float((1 + lam * u(X)) * X))
    return out


@pytest.mark.parametrize("locs,weights", [([0.25, 2.25], [0.5, 0.5]), ([0.5, 1, 3], [0.3, 0.3, 0.4]),
                                          ([1, 4], [0.5, 0.5])])
def test_mp_times_atoms_edges_are_critical_values(locs, weights):
    lam = 0.5
    crit = _mul_atoms_reference(lam, locs, weights)
    m = ft.free_mul(ft.marchenko_pastur(lam), ft.atoms(locs, weights))
    for v in _edges(m):
        assert min(_rel(v, c) for c in crit) <= 1e-14
    # the density of the complex solver (not masked by the edges) is positive inside, ~0 in the gaps
    for lo, hi in m.support():
        mid = np.array([lo + 1e-3 * (hi - lo), (lo + hi) / 2, hi - 1e-3 * (hi - lo)])
        assert np.all(-np.imag(m.cauchy(mid + 1e-9j)) > 1e-4)
    sup = m.support()
    for (_, h), (l2, _) in zip(sup[:-1], sup[1:]):
        assert -np.imag(m.cauchy((h + l2) / 2 + 1e-9j)) < 1e-6


def test_density_is_exactly_zero_outside_exact_edges():
    m = ft.free_mul(ft.marchenko_pastur(F(1, 2)), ft.atoms([F(1, 4), F(9, 4)]))
    for lo, hi in m.support():
        assert float(m.pdf(lo - 1e-10)) == 0 and float(m.pdf(hi + 1e-10)) == 0
        assert float(m.pdf(lo + 1e-10)) > 0 and float(m.pdf(hi - 1e-10)) > 0


def _ntk_default_edge_reference(dps=30):
    """Right edge of the default NTK law (ReLU, gamma1 = 1, gamma2 = 1/2, D = ±1) with mpmath: the
    inverse map x(zeta) = (1 - r) zeta + r zeta^2 G_J(zeta) (r = 1/gamma1, J = gamma1 mu) evaluated at the
    top of supp J, where x' > 0 still holds; G_mu from its closed form as an integral over rho_B =
    free Poisson(gamma2) with an atom 1 - gamma2 at 0."""
    ctx = mpmath.mp.clone()
    ctx.dps = dps
    g1, g2 = ctx.mpf(1), ctx.mpf(1) / 2
    c = 1 / (2 * ctx.pi)                                 # c1^2 = E[phi(g) g]^2 for phi = 1_{x > 0}
    a = ctx.mpf(1) / 4 - 1 / (2 * ctx.pi)                # ||phi||^2 - c0^2 - c1^2 = 1/2 - 1/4 - c1^2
    lo, hi = (1 - ctx.sqrt(g2)) ** 2, (1 + ctx.sqrt(g2)) ** 2
    A = 1 - g2

    def GB(z):                                            # free Poisson, rate g2, jump 1
        return (z + 1 - g2 - ctx.sqrt((z - lo) * (z - hi))) / (2 * z)

    def fB(l):
        return ctx.sqrt((hi - l) * (l - lo)) / (2 * ctx.pi * l)

    def Gmu(z):
        zeta = (z - a) / c
        inner = A * GB(zeta) + ctx.quad(lambda l: fB(l) * GB(zeta - l), [lo, hi])
        first = 1 / (z - a)
        return first + (inner / c - first) / (2 * g2)

    tmax = g1 * (a + c * 2 * hi)
    r = 1 / g1
    GJ = Gmu(tmax / g1) / g1
    return (1 - r) * tmax + r * tmax ** 2 * GJ


def test_ntk_default_right_edge_to_twelve_digits():
    law = ft.ntk_law("relu", gamma1=1, gamma2=F(1, 2))
    ivs = law.support_intervals()
    assert len(ivs) == 1
    hi = ivs[0].hi
    assert _rel(hi, float(_ntk_default_edge_reference())) <= 1e-12
    assert _rel(hi, 1.44417445344166) <= 1e-12              # measured by an independent prototype
    assert ivs[0].hi_kind == "quadratic"                      # density ~ 6.4 (e - x)^2 below the edge
    assert ivs[0].lo == 0.0                                   # gamma1 = 1: no atom, edge at the origin


# ----------------------------------------------------------------------------- the integration engine
def _mp_cdf_reference(r, x, dps=30):
    """cdf of the free Poisson law (rate r, jump 1) by mpmath quadrature of its closed-form density."""
    ctx = mpmath.mp.clone()
    ctx.dps = dps
    r = ctx.mpf(F(r).numerator) / F(r).denominator
    lo, hi = (1 - ctx.sqrt(r)) ** 2, (1 + ctx.sqrt(r)) ** 2
    atom = max(1 - r, 0)
    x = ctx.mpf(x)
    if x < lo:
        return float(atom if x >= 0 else 0)
    top = min(x, hi)
    return float(atom + ctx.quad(lambda t: ctx.sqrt((hi - t) * (t - lo)) / (2 * ctx.pi * t), [lo, top]))


@pytest.mark.parametrize("r", [F(1, 2), 1, 3])
def test_cdf_of_free_poisson_against_mpmath(r):
    m = ft.free_poisson(r)          # no closed-form cdf: the engine integrates the density
    lo, hi = m.support()[0]
    xs = np.concatenate([np.linspace(lo - 0.1, hi + 0.1, 23), [lo + 1e-9, hi - 1e-9]])
    got = m.cdf(xs)
    ref = np.array([_mp_cdf_reference(r, v) for v in xs])
    assert np.max(np.abs(got - ref)) <= 1e-12
    assert abs(m.total_mass() - 1) <= 1e-12


def test_cdf_of_generic_semicircle_sum_against_closed_form():
    s = ft.free_add(ft.semicircle(), ft.semicircle(), method="generic")
    x = np.linspace(-3, 3, 61)
    assert np.max(np.abs(s.cdf(x) - ft.semicircle(0, 2).cdf(x))) <= 1e-12
    assert abs(s.total_mass() - 1) <= 1e-12


@pytest.mark.parametrize("make", [
    lambda: ft.free_add(ft.marchenko_pastur(F(1, 2)), ft.semicircle()),
    lambda: ft.free_mul(ft.marchenko_pastur(F(1, 2)), ft.atoms([F(1, 2), 1, 3], [F(3, 10), F(3, 10), F(2, 5)])),
    lambda: ft.free_mul(ft.marchenko_pastur(F(1, 2)), ft.atoms([1, 4])),
    lambda: ft.free_add(ft.semicircle(), ft.atoms([-1, 1])),
], ids=["mp+sc", "mp*3atoms", "mp*2atoms", "sc+bernoulli(cusp)"])
def test_moments_of_the_density_equal_exact_moments(make):
    m = make()
    exact = [float(v) for v in m.moments(6)]
    atoms = m.atoms_float()
    assert abs(m.total_mass() - 1) <= 1e-12
    for k in range(1, 7):
        got = m.expect(lambda t, k=k: t ** k)
        assert abs(got - exact[k]) <= 1e-12 * max(1, abs(exact[k])), (k, got, exact[k], atoms)


def test_power_law_end_is_graded_and_integrated_in_closed_form():
    # f(x) = x^(-2/3)/3 on [0, 1]: cdf x^(1/3); the end is classified from the density
    f = lambda x: np.where((x > 0) & (x <= 1), np.abs(x) ** (-2 / 3) / 3, 0.0)   # noqa: E731
    kind, alpha = quadrature.classify_end(f, 0.0, +1, 1.0)
    assert kind == "power" and alpha == pytest.approx(-2 / 3, abs=1e-12)
    table = quadrature.build(f, [Interval(0.0, 1.0, "end", "sqrt")])
    x = np.linspace(0, 1, 201)
    assert np.max(np.abs(quadrature.cdf(table, x) - x ** (1 / 3))) <= 1e-12
    assert abs(table.total - 1) <= 1e-12
    q = np.array([0.1, 0.5, 0.9])
    assert np.allclose(quadrature.quantile(table, q), q ** 3, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("r", [0.3, 0.123, 0.05, 0.01])
def test_cliffs_inside_a_piece_are_cut_out(r):
    # half a semicircle on [-1, 1] plus half a narrower one on [0.3 - r, 0.3 + r]: two square-root cliffs
    # inside the piece, which no Chebyshev degree in the piece's angle variable resolves; the table cuts
    # its panels there.  cdf against the closed form of both semicircles' cdfs.  (A feature narrower than
    # the first nodes' spacing, r ~ 1e-3 here, is not seen at all: the edges of a law's pieces must come
    # from its equations, never from sampling its density.)
    def sc_pdf(x, c, r):
        u = (x - c) / r
        return np.where(np.abs(u) < 1, 2 / (np.pi * r) * np.sqrt(np.clip(1 - u * u, 0, None)), 0.0)

    def sc_cdf(x, c, r):
        u = np.clip((x - c) / r, -1, 1)
        return 0.5 + (u * np.sqrt(1 - u * u) + np.arcsin(u)) / np.pi

    f = lambda x: 0.5 * sc_pdf(x, 0.0, 1.0) + 0.5 * sc_pdf(x, 0.3, r)   # noqa: E731
    table = quadrature.build(f, [Interval(-1.0, 1.0, "sqrt", "sqrt")])
    assert abs(table.total - 1) <= 1e-12
    assert abs(table.total - 1) <= table.error <= 1e-11
    x = np.concatenate([np.linspace(-1, 1, 201), 0.3 + np.linspace(-2 * r, 2 * r, 41)])
    want = 0.5 * sc_cdf(x, 0.0, 1.0) + 0.5 * sc_cdf(x, 0.3, r)
    assert np.max(np.abs(quadrature.cdf(table, x) - want)) <= 1e-12


def test_ntk_law_with_cliffs_has_mass_one_and_exact_moments():
    # GELU, gamma1 = 50, gamma2 = 1: rho's density falls by a factor 40 within 2e-4 of the width several
    # times (near-critical points of the inverse map next to the axis); one table over the piece gave
    # mass 1 + 5.8e-8.  Moments of the density against the exact moments of rho.
    law = ft.ntk_law("gelu", gamma1=50, gamma2=1)
    assert abs(law.total_mass() - 1) <= 1e-12
    assert law.quadrature_error() <= 1e-11
    exact = [float(v) for v in law.moments(4)]
    for k in range(1, 5):
        assert abs(law.expect(lambda t, k=k: t ** k) - exact[k]) <= 1e-12 * exact[k]


def test_ntk_default_law_mass_and_moments():
    law = ft.ntk_law("relu", gamma1=1, gamma2=F(1, 2))
    assert abs(law.total_mass() - 1) <= 1e-12
    exact = [float(v) for v in law.moments(4)]
    for k in range(1, 5):
        assert abs(law.expect(lambda t, k=k: t ** k) - exact[k]) <= 1e-12
    x = np.linspace(0, 1.5, 400)
    c = law.cdf(x)
    assert np.all(np.diff(c) >= 0) and c[-1] == pytest.approx(1, abs=1e-12)


def test_ntk_default_law_cdf_against_another_rule():
    # the cdf table (Chebyshev in the angle variable) against a plain Gauss-Legendre rule written here,
    # in t = x s^2 (the 1/sqrt(x) hard edge at 0 becomes smooth in s), on the library's density (whose
    # own accuracy is checked against an independent mpmath reference in tests/test_solver.py)
    law = ft.ntk_law("relu", gamma1=1, gamma2=F(1, 2))
    s, w = np.polynomial.legendre.leggauss(200)
    s, w = (s + 1) / 2, w / 2
    for x in (0.05, 0.7, 1.4):
        want = np.sum(w * 2 * x * s * law.pdf(x * s * s))
        assert abs(float(law.cdf(x)) - want) <= 1e-12


def test_chebyshev_coefficients_from_the_fft():
    # the DCT behind the coefficients, against the interpolation identity: sampling T_j at the
    # first-kind points gives the unit vector e_j; and a direct cosine sum for random values
    for n in (1, 2, 7, 33, 99):
        t = quadrature._cheb_points(n)
        for j in range(n):
            want = np.zeros(n)
            want[j] = 1
            assert np.max(np.abs(quadrature._coefficients(np.cos(j * np.arccos(t))) - want)) <= 1e-15 * n
        v = np.random.default_rng(n).standard_normal(n)
        k, i = np.arange(n)[:, None], np.arange(n)[None, :]
        direct = 2 * np.sum(v[None, :] * np.cos(np.pi * k * (2 * i + 1) / (2 * n)), axis=1)
        assert np.max(np.abs(quadrature._dct2(v) - direct)) <= 1e-13 * n


@pytest.mark.slow      # all 80 combinations pass in ~40 s; the deadline turns an unbounded run into a failure
@settings(max_examples=12, deadline=timedelta(seconds=120))
@given(g1=st.sampled_from([F(1, 5), F(1, 2), 1, 2, 5]), g2=st.sampled_from([F(1, 4), F(1, 2), 1, 2]),
       act=st.sampled_from(["relu", "gelu", "tanh", "quadratic"]))
def test_ntk_edges_and_mass_property(g1, g2, act):
    # tolerance 1e-9: the densities of these laws from the complex solver carry ~1e-10 of noise
    law = ft.ntk_law(act, gamma1=g1, gamma2=g2)
    exact = [float(v) for v in law.moments(3)]
    assert abs(law.total_mass() - 1) <= 1e-9
    for k in range(1, 4):
        assert abs(law.expect(lambda t, k=k: t ** k) - exact[k]) <= 1e-9 * max(1, exact[k])
    sup = law.support()
    lo, hi = sup[0][0], sup[-1][1]
    w = hi - lo
    # outside the outer edges and in the middle of every gap, the complex solver's density (not masked
    # by the edges) vanishes; just inside every edge it does not
    outside = [hi + 1e-4 * w] + ([lo - 1e-4 * w] if lo - 1e-4 * w > 0 else [])
    outside += [(b + a) / 2 for (_, b), (a, _) in zip(sup[:-1], sup[1:])]
    for x in outside:
        assert -np.imag(law.cauchy(x + 1e-12j)) / np.pi < 1e-6
    for a, b in sup:
        assert float(law.pdf(a + 1e-3 * (b - a))) > 0 and float(law.pdf(b - 1e-3 * (b - a))) > 0


# ----------------------------------------------------------------------------- edges at dps = 30
def _ntk_relu_inverse_map(g1, g2, dps):
    """``x(zeta)`` and ``x'(zeta)`` of the NTK law (ReLU, D = ±1) written here from the formulas with
    mpmath: ``x = (1 - r) zeta + r zeta^2 G_J(zeta)``, ``r = 1/gamma1``, ``G_J(zeta) = G_mu(zeta/gamma1)/gamma1``,
    ``G_mu`` the mixture over ``rho_B`` = free Poisson(gamma2) (atom 1 - gamma2 at 0), ``G_mu'`` by
    differentiating the closed forms under the integral (no numerical differentiation)."""
    ctx = mpmath.mp.clone()
    ctx.dps = dps
    g1, g2 = ctx.mpf(g1.numerator) / g1.denominator, ctx.mpf(g2.numerator) / g2.denominator
    c = 1 / (2 * ctx.pi)
    a = ctx.mpf(1) / 4 - 1 / (2 * ctx.pi)
    lo, hi = (1 - ctx.sqrt(g2)) ** 2, (1 + ctx.sqrt(g2)) ** 2
    A = max(1 - g2, 0)

    def GB(z):                  # the product of principal roots: the branch ~ 1/z off [lo, hi], either side
        return (z + 1 - g2 - ctx.sqrt(z - lo) * ctx.sqrt(z - hi)) / (2 * z)

    def dGB(z):
        s = ctx.sqrt(z - lo) * ctx.sqrt(z - hi)
        return (1 - (z - (lo + hi) / 2) / s) / (2 * z) - (z + 1 - g2 - s) / (2 * z * z)

    def fB(l):
        return ctx.sqrt((hi - l) * (l - lo)) / (2 * ctx.pi * l)

    def Gmu(z, d=False):
        zeta = (z - a) / c
        if not d:
            inner = A * GB(zeta) + ctx.quad(lambda l: fB(l) * GB(zeta - l), [lo, hi])
            return 1 / (z - a) + (inner / c - 1 / (z - a)) / (2 * g2)
        dinner = A * dGB(zeta) + ctx.quad(lambda l: fB(l) * dGB(zeta - l), [lo, hi])
        return -1 / (z - a) ** 2 + (dinner / c ** 2 + 1 / (z - a) ** 2) / (2 * g2)
    r = 1 / g1

    def x(zeta):               # real off the support of J (the imaginary part is a rounding-level zero)
        return ctx.re((1 - r) * zeta + r * zeta ** 2 * Gmu(zeta / g1) / g1)

    def dx(zeta):
        return ctx.re(1 - r + r * (2 * zeta * Gmu(zeta / g1) / g1 + zeta ** 2 * Gmu(zeta / g1, True) / g1 ** 2))
    return ctx, x, dx, (g1 * a, g1 * (a + c * 2 * hi))      # the atom of J (pole of G_J) and the top of J


@pytest.mark.slow
def test_ntk_square_root_edges_at_30_digits():
    # ReLU, gamma1 = 1/2, gamma2 = 1/4: both edges are critical points of the inverse map.  Reference: the
    # sign changes of x'(zeta) (analytic derivative) from + to - on zeta < 0 (x increases from -inf at
    # zeta = -inf, then turns back: the left edge; x'(0) = 1 - r < 0), and from - to + above J's support
    # (the right edge), bracketed on a grid and refined by mpmath's Anderson-Bjorck solver at 40 digits,
    # and x there
    g1, g2 = F(1, 2), F(1, 4)
    law = ft.ntk_law("relu", gamma1=g1, gamma2=g2)
    got = law.support(dps=30)
    ctx, x, dx, (_, tmax) = _ntk_relu_inverse_map(g1, g2, 40)
    want = []
    for lo_z, hi_z, sign in ((-2 * tmax, -tmax / 1000, -1),
                             (tmax * (1 + ctx.mpf(10) ** -8), 4 * tmax, +1)):
        grid = [lo_z + (hi_z - lo_z) * k / 16 for k in range(17)]
        vals = [dx(z) for z in grid]
        k = next(i for i in range(16) if vals[i] * vals[i + 1] < 0 and sign * vals[i + 1] > 0)
        z = ctx.findroot(dx, (grid[k], grid[k + 1]), solver="anderson")
        want.append(x(z))
    assert len(got) == 1
    for g, w in zip(got[0], want):
        assert abs(g - w) <= 1e-25 * abs(w)


@pytest.mark.slow
def test_ntk_default_edges_at_30_digits():
    # the right edge is the end of the admissible range (quadratic vanishing), the left one x(0) = 0
    law = ft.ntk_law("relu", gamma1=1, gamma2=F(1, 2))
    (lo, hi), = law.support(dps=30)
    want = _ntk_default_edge_reference(40)
    assert lo == 0 and abs(hi - want) <= 1e-25 * want
    assert abs(float(hi) - law.support()[0][1]) <= 1e-15


def _mp_ctx(dps=40):
    ctx = mpmath.mp.clone()
    ctx.dps = dps
    return ctx


def test_semicircle_plus_bernoulli_edges_at_30_digits():
    # z(w) = w + w/(w^2 - 1): critical point w^2 = 3, edges ±3 sqrt(3)/2 = ±sqrt(27)/2 (closed form)
    ctx = _mp_ctx()
    (lo, hi), = ft.free_add(ft.semicircle(), ft.atoms([-1, 1])).support(dps=30)
    e = ctx.sqrt(27) / 2
    assert abs(lo + e) <= 1e-25 * e and abs(hi - e) <= 1e-25 * e


def test_mp_plus_semicircle_edges_at_30_digits():
    # critical values of z(g) = 1/(1 - lam g) + g + 1/g: the real roots of the quartic
    # lam g^2 + g^2 (1 - lam g)^2 - (1 - lam g)^2 (mpmath.polyroots at 40 digits)
    ctx = _mp_ctx()
    lam = ctx.mpf(1) / 2
    # g^2 (1 - lam g)^2 = lam^2 g^4 - 2 lam g^3 + g^2; (1 - lam g)^2 = lam^2 g^2 - 2 lam g + 1
    coeffs = [lam ** 2, -2 * lam, 1 + lam - lam ** 2, 2 * lam, -1]
    roots = ctx.polyroots(coeffs, maxsteps=200, extraprec=200)
    crit = [1 / (1 - lam * g) + g + 1 / g for g in (ctx.re(r) for r in roots if abs(ctx.im(r)) < 1e-30)]
    (lo, hi), = ft.free_add(ft.marchenko_pastur(F(1, 2)), ft.semicircle()).support(dps=30)
    for v in (lo, hi):
        assert min(abs(v - c) for c in crit) <= 1e-25 * abs(v)


@pytest.mark.parametrize("a,b", [(F(1, 2), F(3, 10)), (F(1, 5), F(7, 10))])
def test_mp_times_mp_edges_at_30_digits(a, b):
    # critical values of (1 + u)(1 + a u)(1 + b u)/u: roots of 2ab u^3 + (a + b + ab) u^2 - 1 (mpmath)
    ctx = _mp_ctx()
    A, B = ctx.mpf(a.numerator) / a.denominator, ctx.mpf(b.numerator) / b.denominator
    roots = ctx.polyroots([2 * A * B, A + B + A * B, 0, -1], maxsteps=200, extraprec=200)
    crit = [(1 + u) * (1 + A * u) * (1 + B * u) / u for u in (ctx.re(r) for r in roots if abs(ctx.im(r)) < 1e-30)]
    (lo, hi), = ft.free_mul(ft.marchenko_pastur(a), ft.marchenko_pastur(b), method="generic").support(dps=30)
    for v in (lo, hi):
        assert min(abs(v - c) for c in crit if c > 0) <= 1e-25 * abs(v)


def test_support_at_dps_refuses_edges_it_cannot_polish():
    # the moment route locates its edges from the density: no inverse map to polish
    from freetk.errors import InvalidArgument
    law = ft.ntk_law("relu", gamma1=F(1, 2), gamma2=F(1, 2), d_law="uniform", method="moments")
    with pytest.raises(InvalidArgument, match=r"NTKLaw.support\(dps=...\) needs edges from the inverse map"):
        law.support(dps=30)
    with pytest.raises(InvalidArgument, match="dps"):
        ft.ntk_law("relu", gamma1=1, gamma2=F(1, 2)).support(dps=0)


def test_family_supports_at_30_digits_against_closed_forms():
    """support(dps=30) of the closed families, of a ⊞ that returns a family, and of affine images, against
    edges written here in mpmath at 40 digits; a law whose edges are only known in double refuses."""
    import mpmath
    from freetk.errors import InvalidArgument
    import sympy
    with mpmath.workdps(40):
        cases = [
            (ft.free_add(ft.semicircle(), ft.semicircle()), [(-mpmath.sqrt(8), mpmath.sqrt(8))]),
            (ft.shift(ft.semicircle(0, sympy.Rational(1, 3)), 1),
             [(1 - 2 / mpmath.sqrt(3), 1 + 2 / mpmath.sqrt(3))]),
            (ft.scale(ft.marchenko_pastur(2), 3),
             [(3 * 2 * (1 - mpmath.sqrt(mpmath.mpf(1) / 2)) ** 2, 3 * 2 * (1 + mpmath.sqrt(mpmath.mpf(1) / 2)) ** 2)]),
            (ft.uniform(sympy.Rational(1, 3), 2), [(mpmath.mpf(1) / 3, mpmath.mpf(2))]),
            (ft.arcsine(-1, sympy.Rational(1, 7)), [(mpmath.mpf(-1), mpmath.mpf(1) / 7)]),
            (ft.atoms([1, 2]), []),
        ]
        for m, ref in cases:
            got = m.support(dps=30)
            assert len(got) == len(ref), m
            for (a, b), (ra, rb) in zip(got, ref):
                assert abs(a - ra) <= mpmath.mpf(10) ** -29 * max(1, abs(ra)), m
                assert abs(b - rb) <= mpmath.mpf(10) ** -29 * max(1, abs(rb)), m
    with pytest.raises(InvalidArgument, match="double precision"):
        ft.from_moments([1, 0, 1, 0, 2]).support(dps=30)
