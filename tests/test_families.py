"""Every generic check on every family (numpy's test_classes.py pattern)."""
from fractions import Fraction as F

import mpmath
import numpy as np
import pytest

from hypothesis import given, settings, strategies as st

import freetk as ft
from freetk.measures import registry
from freetk.numeric import edge_nodes
from freetk.precision import ae
from freetk.testing import parameters_of

FAMILIES = {
    "semicircle": lambda: ft.semicircle(F(1, 2), 2),
    "mp<1": lambda: ft.marchenko_pastur(F(1, 3)),
    "mp=1": lambda: ft.marchenko_pastur(1),
    "mp>1": lambda: ft.marchenko_pastur(3),
    "free_poisson": lambda: ft.free_poisson(F(1, 2), 2),
    "compound": lambda: ft.free_compound_poisson(F(3, 2), ft.atoms([1, 3], [F(1, 3), F(2, 3)])),
    "uniform": lambda: ft.uniform(-1, 2),
    "arcsine": lambda: ft.arcsine(-1, 3),
    "uniform_squared": lambda: ft.UniformSquared(1),
    "affine": lambda: ft.scale(ft.marchenko_pastur(F(1, 2)), 3),
    "free_add": lambda: ft.free_add(ft.semicircle(), ft.marchenko_pastur(F(1, 2))),
    "free_mul": lambda: ft.free_mul(ft.marchenko_pastur(F(1, 2)), ft.atoms([1, 4])),
    "ntk_rho": lambda: ft.ntk_law("relu", gamma1=F(1, 2), gamma2=F(1, 2)),
    "ntk_mu": lambda: ft.ntk_law("relu", gamma1=F(1, 2), gamma2=F(1, 2)).mu,
}


@pytest.fixture(params=list(FAMILIES), scope="module")
def measure(request):
    return FAMILIES[request.param]()


def test_mass_is_one(measure):
    assert measure.total_mass() == pytest.approx(1, abs=1e-9)


def test_moments_from_density_match_exact(measure):
    m = [float(v) for v in measure.moments(4)]
    for k in range(1, 5):
        assert measure.expect(lambda t: t ** k) == pytest.approx(m[k], rel=1e-9, abs=1e-12)


def test_cauchy_at_infinity_is_moment_series(measure):
    m = [float(v) for v in measure.moments(24)]
    z = 200.0 + 150.0j          # |z| >= 10 x the support radius: 24 terms reach double precision
    series = sum(m[k] / z ** (k + 1) for k in range(25))
    assert abs(measure.cauchy(z) - series) < 1e-13 * abs(series)


def test_cauchy_maps_upper_to_lower_half_plane(measure):
    z = np.array([0.3 + 0.2j, -1 + 1j, 2 + 0.05j])
    assert np.all(np.asarray(measure.cauchy(z)).imag < 0)


def test_cdf_monotone_from_0_to_1(measure):
    lo = min([a for a, _ in measure.support()] + [float(x) for x, _ in measure.atoms()])
    hi = max([b for _, b in measure.support()] + [float(x) for x, _ in measure.atoms()])
    xs = np.linspace(lo - 1, hi + 1, 301)
    c = np.asarray(measure.cdf(xs), float)
    assert np.all(np.diff(c) >= -1e-12)
    assert c[0] == pytest.approx(0, abs=1e-12) and c[-1] == pytest.approx(1, abs=1e-9)


def test_free_cumulants_round_trip(measure):
    from freetk import series
    assert [float(v) for v in series.free_cumulants_to_moments(measure.free_cumulants(5))] == \
        pytest.approx([float(v) for v in measure.moments(5)], rel=1e-12)


def test_double_and_high_precision_agree(measure):
    (lo, hi), *_ = measure.support()
    x = lo + 0.37 * (hi - lo)
    v = measure.cauchy(x + 0.5j, dps=30)
    assert isinstance(v, mpmath.mpc)
    assert abs(complex(v) - measure.cauchy(x + 0.5j)) < 1e-12
    assert mpmath.mp.dps == 15


# ----------------------------------------------------------------------------- formula against fallback
def _formula_or_none(call):
    """The formula route's value, or None when the family has no formula for it (the dispatch says so)."""
    try:
        return call()
    except ft.InvalidArgument as e:
        assert "has no formula" in str(e)
        return None


@pytest.mark.parametrize("name", list(registry.FAMILIES))
@given(data=st.data())
@settings(max_examples=2, deadline=None)
def test_formula_agrees_with_the_generic_fallback(name, data):
    """For every registered family, over its declared parameters: each formula hook against the generic
    route of the Measure base, which computes the same quantity from another one (G from the density,
    the density from G's boundary value, the cdf and the moments from the density), at double precision
    and at 30 digits."""
    fam = registry.FAMILIES[name]
    m = fam.build(**data.draw(parameters_of(fam)))
    z = np.array([0.3 + 1.0j, -1.5 + 0.25j, 4.0 - 2.0j]) + float(m.moments(1)[1])
    g_f, g_g = m.cauchy(z, method="formula"), m.cauchy(z, method="generic")
    assert np.all(np.abs(g_f - g_g) <= 1e-12 * np.maximum(1, np.abs(g_f)))
    assert ae(m.cauchy(complex(z[0]), dps=30, method="formula"), m.cauchy(complex(z[0]), dps=30, method="generic"), 30)
    mk = [float(v) for v in m.moments(6)]
    assert m.moments(6, method="generic") == pytest.approx(mk, rel=1e-10, abs=1e-10 * max(1, max(map(abs, mk))))
    for lo, hi in m.support():
        x = lo + (hi - lo) * np.array([0.013, 0.3, 0.5, 0.77, 0.991])
        f = np.asarray(m.pdf(x, method="formula"), float)
        assert np.asarray(m.pdf(x, method="generic"), float) == pytest.approx(f, rel=1e-10, abs=1e-12 * max(f))
        assert ae(m.pdf(x[1], dps=30, method="formula"), m.pdf(x[1], dps=30, method="generic"), 30)
        c = _formula_or_none(lambda: np.asarray(m.cdf(x, method="formula"), float))
        if c is not None:
            assert np.asarray(m.cdf(x, method="generic"), float) == pytest.approx(c, abs=1e-12)
            assert ae(m.cdf(x[2], dps=30, method="formula"), m.cdf(x[2], dps=30, method="generic"), 30)
    with pytest.raises(ft.InvalidArgument, match="`method` of `.*pdf` must be one of"):
        m.pdf(0.0, method="fast")


@pytest.mark.parametrize("name", [n for n in registry.FAMILIES if n != "atoms"])     # atoms: no continuous part
def test_generic_cauchy_under_a_pole_next_to_the_support(name):
    """The generic Cauchy transform at 1e-6 above the support (where the integrand has a near pole) against
    the family's formula: relative 1e-9, and Im G < 0 (a measure's transform maps the upper half-plane to the
    lower one)."""
    fam = registry.FAMILIES[name]
    m = fam.build(**{p.name: p.typical[0] if isinstance(p.typical, tuple) else p.typical
                     for p in fam.parameters})
    (lo, hi) = m.support()[0]
    z = np.array([lo + f * (hi - lo) for f in (0.1, 0.37, 0.8)]) + 1e-6j
    g_f, g_g = m.cauchy(z, method="formula"), m.cauchy(z, method="generic")
    assert np.all(g_g.imag < 0)
    assert np.all(np.abs(g_f - g_g) <= 1e-9 * np.abs(g_f))


@pytest.mark.parametrize("x", [-2 + 1e-12, -2 + 1e-8, -1.5, -0.3, 0.0, 0.7, 1.99999998517, 2 - 1e-9, 2 - 1e-14])
def test_semicircle_cdf_and_pdf_next_to_the_edges(x):
    """The closed forms cancel next to +-2 (a review: cdf(-2 + 1e-12) = -5.6e-17, 19 % off at 1e-8; pdf 1.2e-10
    relative at 2 - 1e-9); reference: the same closed forms at 60 digits."""
    with mpmath.workdps(60):
        u = mpmath.mpf(x)
        F = mpmath.mpf(1) / 2 + u * mpmath.sqrt(4 - u * u) / (4 * mpmath.pi) + mpmath.asin(u / 2) / mpmath.pi
        f = mpmath.sqrt(4 - u * u) / (2 * mpmath.pi)
        sc = ft.semicircle()
        assert abs(sc.cdf(x) - F) <= 4e-16 * F
        assert abs(sc.pdf(x) - f) <= 4e-16 * f
        assert abs(sc.cdf(x, dps=30) - F) <= mpmath.mpf(10) ** -29 * F
        assert abs(sc.pdf(x, dps=30) - f) <= mpmath.mpf(10) ** -29 * f


def test_extreme_scales_and_points_next_to_an_atom():
    assert ft.uniform(-1e308, 1e308).cdf(0) == 0.5 and abs(ft.arcsine(-1e308, 1e308).cdf(0) - 0.5) < 1e-15
    assert abs(ft.semicircle(0, 1e308).pdf(0) * np.pi * 1e154 - 1) < 1e-15
    # the continuous part next to an atom (it was 0 within 1e-12 (1 + |a|) of the atom)
    mix = ft.mixture([(F(1, 2), ft.semicircle()), (F(1, 2), ft.atoms([0]))])
    assert abs(mix.pdf(1e-13) - 1 / (2 * np.pi)) < 1e-16 and mix.pdf(0) == 0
    far = ft.mixture([(F(1, 2), ft.semicircle(10 ** 6, 1)), (F(1, 2), ft.atoms([10 ** 6]))])
    assert abs(far.pdf(1e6 + 1e-7) - 1 / (2 * np.pi)) < 1e-15


@pytest.mark.parametrize("d", [1e-8, 1e-6, 1e-4])
def test_marchenko_pastur_cdf_next_to_its_left_edge(d):
    """The closed form's O(theta) terms cancel to O(theta^3) next to lo (a review: 1.7e-4 relative at 1e-12 of the width
    for MP(1/2); 6.4e-13 at 1e-4).  Left: the rounding of the distance x - lo itself, eps |lo|/(x - lo) (x is a double
    next to lo, the edge is not).  Reference: the closed form at dps=30 (exact rate and jump, a wide context)."""
    m = ft.marchenko_pastur(F(1, 2))
    (lo, hi), = m.support()
    x = lo + d * (hi - lo)
    ref = float(m.cdf(x, dps=30))
    cond = np.finfo(float).eps * abs(lo) / (x - lo)
    assert abs(m.cdf(x) - ref) <= 3 * cond * ref + 4e-15 * ref


def test_interval_cdf_keeps_subnormal_ends_and_shifted_semicircle_at_dps():
    """Review of the halves: they lost the last bits of subnormal ends (uniform(0, 1e-310).cdf(7.77e-311) =
    0.7769999999999623); the semicircle's edges at working precision carried their rounding into x - lo at dps=30
    (2e-26 next to the edge of semicircle(1e-3, 1e-6)).  References: the exact ratio; the closed form at 80 digits."""
    assert ft.uniform(0, 1e-310).cdf(7.77e-311) == 7.77e-311 / 1e-310
    sc = ft.semicircle(1e-3, 1e-6)
    with mpmath.workdps(80):
        m, s = mpmath.mpf(1e-3), mpmath.sqrt(mpmath.mpf(1e-6))
        x = mpmath.mpf(sc.support()[0][0]) + mpmath.mpf(10) ** -18
        u = (x - m) / s
        F = mpmath.mpf(1) / 2 + u * mpmath.sqrt(4 - u * u) / (4 * mpmath.pi) + mpmath.asin(u / 2) / mpmath.pi
        assert abs(sc.cdf(x, dps=30) - F) <= mpmath.mpf(10) ** -29 * F
