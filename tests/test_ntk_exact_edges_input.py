"""The exact route (ntk_law(..., method="exact")) at inputs an adversarial round found wrong: values next to 0 and to
mu's edge E, the cdf next to an atom, the Cauchy transform far right of the support, a segment distance at 1e-300.

References are independent of the code under test: the closed route (D = +-1, another formula), the moment series
of G_rho from the exact moments (ntk_series), and the known behaviour (NaN with a PrecisionWarning where no estimate
bounds the value)."""
import warnings

import numpy as np
import pytest
import sympy

import freetk as ft
from freetk.errors import PrecisionWarning
from freetk.ntk_general import _segment_distance0

HALF = sympy.Rational(1, 2)


def _records(call):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        out = call()
    return out, [str(m.message) for m in w if issubclass(m.category, PrecisionWarning)]


def test_segment_distance_does_not_underflow():
    """|d|^2 underflowed to 0 for |d| ~ 1e-160: ZeroDivisionError inside a many-point cdf with x = 1e-300."""
    assert _segment_distance0(1e-300 + 0j, 2e-300 + 0j) == 1e-300
    assert _segment_distance0(1e-170j, 2e-170j) == 1e-170
    assert _segment_distance0(1 + 1j, -1 + 1j) == 1.0
    assert _segment_distance0(-1 + 0j, -2 + 0j) == 1.0


def test_cauchy_far_right_of_the_support_against_the_moment_series():
    """Real z beyond rho's right edge: the root u is real, Newton starts on the axis (it was pushed into the upper
    half-plane and the continuation of G_mu failed there from z ~ 50 hi on: NaN).  Reference: sum_k m_k / z^(k+1)
    with the exact moments, k <= 12 (truncation < (hi/z)^13)."""
    law = ft.ntk_law("relu", gamma1=HALF, gamma2=HALF, d_law="uniform", method="exact")
    hi = law.support()[-1][1]
    m = np.array([float(v) for v in law.moments(12)])
    for z in (30 * hi, 100 * hi, 2000 * hi):
        ref = np.sum(m / z ** np.arange(1, 14))
        g, warned = _records(lambda: law.cauchy(z))
        assert not warned, warned
        assert g.imag == 0 and abs(g.real - ref) <= 1e-14 * ref, (z, g, ref)


def test_cauchy_far_from_the_support_in_every_direction_against_the_moment_series():
    """An adversarial round: ``cauchy(1e10j)`` ran for minutes and took 7 GB (the line integral of G_mu followed roots
    along paths ~|u| long), ``cauchy(1e8)`` did not return, ``cauchy(1e6j)`` took 12 s and ``cauchy(1e3j, dps=20)`` 22 s.
    G_mu far from its support is now the series of mu's exact moments.  Reference: rho's own moment series
    ``sum_k m_k/z^(k+1)`` with its exact moments (another formula: rho's free cumulants), k <= 20, whose tail is below
    ``(hi/|z|)^21``."""
    import mpmath
    law = ft.ntk_law("relu", gamma1=2, gamma2=HALF, d_law="uniform", method="exact")
    m = law.moments(20)
    mf = np.array([float(v) for v in m])
    for z in (1e6j, 1e10j, 1e100j, 1e8 + 0j, -1e8 + 0j, 3e4 * np.exp(2.5j)):
        ref = np.sum(mf / z ** np.arange(1, 22)) if abs(z) < 1e50 else 1 / z
        g, warned = _records(lambda: law.cauchy(z))
        assert not warned and abs(g - ref) <= 1e-15 * abs(ref), (z, g, ref, warned)
    ctx = mpmath.MPContext()
    ctx.dps = 40
    for z in (1e3j, 1e10j):
        ref = ctx.fsum(ctx.mpf(str(sympy.N(mk, 50))) / ctx.mpc(z) ** (k + 1) for k, mk in enumerate(m))
        g = law.cauchy(z, dps=20)
        assert abs(ctx.mpc(g) - ref) <= ctx.mpf(10) ** -19 * abs(ref), (z, g, ref)


def test_far_series_of_mu_equals_its_line_integral(monkeypatch):
    """G_mu and G_mu' from mu's exact moments (GeneralMu._far, from |z| >= 4 M on) against the line integral at the
    same points just beyond that radius (two independent routes): double precision and 30 digits."""
    import mpmath
    import freetk.ntk_general as ng
    law = ft.ntk_law("relu", gamma1=2, gamma2=HALF, d_law="uniform", method="exact")
    gm = law._gm()
    M = gm._norm_bound()
    z = 4.5 * M * np.exp(1j * np.array([0.05, 0.8, 1.6, 2.4, 3.1]))
    z = np.concatenate([z, [-5 * M + 0j, 5 * M + 0j]])
    G, dG = gm._far(z)
    ctx = mpmath.MPContext()
    ctx.dps = 30
    Gm = gm._far_mp(ctx.mpc(complex(z[1])), ctx)
    monkeypatch.setattr(ng, "_FAR", np.inf)
    Gl, dGl = gm.cauchy_np(z)
    assert np.max(np.abs(G - Gl) / np.abs(Gl)) <= 1e-14 and np.max(np.abs(dG - dGl) / np.abs(dGl)) <= 1e-14
    Gml = gm.cauchy_mp(ctx.mpc(complex(z[1])), ctx)
    assert abs(Gm[0] - Gml[0]) <= 1e-28 * abs(Gml[0]) and abs(Gm[1] - Gml[1]) <= 1e-28 * abs(Gml[1])


def test_cdf_next_to_the_atom_at_zero():
    """D = +-1, gamma1 = 3 (atom 2/3 at 0): the cdf at one point next to 0 went through a contour that ends at the
    atom's pole (1/3 off, bound 1e-10); now against the closed route.  D uniform, gamma1 = 2 (atom 1/2 at 0 and a
    continuous part reaching 0): at x = 1e-300 the contour gave 0.25 (bound 9e-10); now NaN with a warning."""
    R = sympy.Rational
    ex = ft.ntk_law("relu", gamma1=3, gamma2=R(1, 2), d_law="rademacher", method="exact")
    cl = ft.ntk_law("relu", gamma1=3, gamma2=R(1, 2), d_law="rademacher", method="closed")
    for x in (1e-10, 1e-5):
        assert abs(ex.cdf(x) - cl.cdf(x)) <= 1e-13, x
    law = ft.ntk_law("relu", gamma1=2, gamma2=R(1, 2), d_law="uniform", method="exact")
    F, warned = _records(lambda: law.cdf(1e-300))
    assert np.isnan(F) and any("next to an atom" in w for w in warned), (F, warned)
    # the smallest subnormal raised ZeroDivisionError (the continuation's step 0.25 r underflowed to 0), with numpy's
    # RuntimeWarnings on the way: now as at 1e-300, and no RuntimeWarning
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        F = law.cdf(np.array([5e-324, 0.5]))
    assert np.isnan(F[0]) and 0.5 < F[1] < 1, F
    assert any("next to an atom" in str(m.message) for m in w), [str(m.message) for m in w]
    assert not [m for m in w if issubclass(m.category, RuntimeWarning)], [str(m.message) for m in w]


def test_density_next_to_0_and_E_is_nan_with_a_warning():
    """mu (ReLU, D uniform): sqrt(x) f(x) levelled off below ~1e-9 (0.45 at 1e-10 against 1.2087) without a word; rho
    (gamma1 = gamma2 = 1/2) gave 1.09e-12 within 1e-9 of its right edge where it vanishes quadratically.  Both are
    now NaN with a PrecisionWarning (GeneralMu.blind: within 128 y0 of 0 or E on the axis); a point well inside is
    unchanged and unwarned."""
    law = ft.ntk_law("relu", gamma1=HALF, gamma2=HALF, d_law="uniform", method="exact")
    f, warned = _records(lambda: law.mu.pdf(np.array([1e-10, 1e-6])))
    assert np.isnan(f[0]) and abs(np.sqrt(1e-6) * f[1] - 1.20868) < 1e-4, f
    assert any("GeneralMu.pdf" in w for w in warned), warned
    assert np.isinf(law.mu.pdf_error(np.array([1e-10]))[0])
    lo, hi = law.support()[0]
    g, warned = _records(lambda: law.pdf(np.array([hi - 1e-9 * (hi - lo), (lo + hi) / 2])))
    assert np.isnan(g[0]) and g[1] > 0.1 and any("ExactNTKLaw.pdf" in w for w in warned), (g, warned)
    _, warned = _records(lambda: law.pdf((lo + hi) / 2))
    assert not warned, warned
