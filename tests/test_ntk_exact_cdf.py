"""The exact route's many-point cdf inside the half circles of the real-axis rule (``ExactNTKLaw._cdf_in_arcs``): a
point x at the distance d inside the support from an edge e gets F from the mirror point 2e - x on the gap side (F
known there exactly) plus rho([e - d, e + d]) from G_rho on the half circle |z - e| = d (centred on an atom instead
when one lies next to that circle), nested Fejér rules in the angle.

References are independent of this rule: closed-form Marchenko-Pastur cdf; the closed route's cdf (D = +-1, another
formula: the logarithmic potential); the contour cdf (another path of integration of G_rho)."""
import warnings

import numpy as np
import pytest
import sympy

import freetk as ft
from freetk.errors import InvalidArgument, PrecisionWarning
from freetk.ntk import _fejer2, nested_arc_rule

HALF = sympy.Rational(1, 2)


# ----------------------------------------------------------------------------- the rule (default suite)
def test_fejer2_is_nested_and_exact_on_polynomials():
    """Fejér's second rule: the n-point nodes are every other node of the 2n + 1-point rule, the weights integrate
    polynomials of degree < n exactly (measured <= 4e-16), the nested circles' nodes match."""
    for n in (15, 31, 63):
        t, w = _fejer2(n)
        t2, _ = _fejer2(2 * n + 1)
        assert np.max(np.abs(t2[1::2] - t)) < 1e-15
        for k in range(n):
            exact = 0.0 if k % 2 else 2 / (k + 1)
            assert abs(np.sum(w * t ** k) - exact) < 1e-14, (n, k)
    z31, _ = nested_arc_rule(np.array([0.3]), np.array([0.2]), 31)
    z15, _ = nested_arc_rule(np.array([0.3]), np.array([0.2]), 15)
    assert np.max(np.abs(z31[:, 1::2] - z15)) < 1e-15
    with pytest.raises(InvalidArgument, match="nested_arc_rule"):
        nested_arc_rule(np.array([0.0]), np.array([0.0]), 31)
    with pytest.raises(InvalidArgument, match="nested_arc_rule"):
        nested_arc_rule(np.array([0.0]), np.array([1.0]), 30)


@pytest.mark.parametrize("ratio", [HALF, sympy.Integer(3)])
def test_nested_arc_masses_marchenko_pastur(ratio):
    """rho([e - d, e + d]) from G on the half circle |z - e| = d, 31 Fejér points, around both square-root edges of
    Marchenko-Pastur at d from 1e-10 to 1/128 of the width, and (ratio 3: atom 2/3 at 0) around the atom at 0
    through the gap (the edge lo outside the circle, or inside at 3/7 of its radius from it: the worst case of the
    circles centred on an atom), against the closed-form cdf: <= 1e-14 (measured 3.9e-15)."""
    mp = ft.marchenko_pastur(ratio)
    lam = float(ratio)
    lo, hi = (1 - np.sqrt(lam)) ** 2, (1 + np.sqrt(lam)) ** 2
    w = hi - lo
    cases = [(e, d * w) for e in (lo, hi) for d in (1e-10, 1e-6, 1e-3, 1 / 128)]
    if lam > 1:
        cases += [(0.0, 0.5 * lo), (0.0, 1.75 * lo)]     # lo outside, resp. inside at 3/7 of the radius
    c = np.array([e for e, _ in cases])
    R = np.array([d for _, d in cases])
    z, dz = nested_arc_rule(c, R, 31)
    G = np.asarray(mp.cauchy(z.ravel()), complex).reshape(z.shape)
    m31 = np.sum(dz * G, 1).imag / np.pi
    m15 = np.sum(nested_arc_rule(c, R, 15)[1] * G[:, 1::2], 1).imag / np.pi
    ref = np.asarray(mp.cdf(c + R), float) - np.asarray(mp.cdf(c - R), float)
    assert np.max(np.abs(m31 - ref)) < 1e-14, m31 - ref
    # the nested estimate (15 against 31 points) exceeds the 31-point rule's true error (up to rounding): the rule's
    # stopping test is conservative; it is 2e-9 for the circle of radius 1.75 lo around the atom (more points follow)
    assert np.all(np.abs(m31 - m15) + 1e-15 >= np.abs(m31 - ref))


# ----------------------------------------------------------------------------- on the exact route (slow)
@pytest.mark.slow
def test_cdf_inside_half_circles_equals_closed_form_point_mass():
    """D = +-1, gamma1 = 6/5, gamma2 = 1/2 on the exact route (no closed form used) against the closed route's cdf:
    the left edge e = 0.0014946 lies next to the atom 1/6 at 0, inside the half circle of radius 0.0129 around e, so
    the points x = e + d cover the three cases of the rule — the atom outside the mirror circle (d < 3e/4), next to it
    (3e/4 < d < 3e/2: circle centred on the atom), inside it — plus d = 1e-6 e, the gap side, the arc's right end,
    and points inside the support at 1e-4 .. 0.99 of the radius from the right edge (the image of mu's edge):
    <= 1e-13 (measured 4.2e-16), no PrecisionWarning; monotone; F = 1 at the right arc's end; and quantiles."""
    cl = ft.ntk_law("relu", gamma1=sympy.Rational(6, 5), gamma2=HALF, d_law="rademacher")
    ex = ft.ntk_law("relu", gamma1=sympy.Rational(6, 5), gamma2=HALF, d_law="rademacher", method="exact")
    rule = ex.real_axis_table()
    (a0, b0), (a1, b1) = rule.arcs
    e0, e1, r1 = (a0 + b0) / 2, (a1 + b1) / 2, (b1 - a1) / 2
    assert a0 < 0 < e0 < b0                                   # the atom at 0 is inside the left half circle
    xs = np.concatenate([e0 * (1 + np.array([1e-6, 1e-3, 0.2, 0.7, 0.9, 1.0, 1.2, 1.45, 1.6, 3.0])),
                         [0.5 * e0, b0 - 1e-9], e1 - r1 * np.array([1e-4, 1e-3, 0.3, 0.99]), [e1 + 1e-3]])
    assert np.all(rule.inside_arcs(xs))
    with warnings.catch_warnings():
        warnings.simplefilter("error", PrecisionWarning)
        F = ex.cdf(xs)
    ref = np.asarray(cl.cdf(xs), float)
    assert np.max(np.abs(F - ref)) < 1e-13, F - ref
    order = np.argsort(xs)
    assert np.all(np.diff(F[order]) >= 0)
    assert abs(rule.cdf(np.array([b1]))[0] - 1) < 1e-13
    # quantiles on the rule (every cdf call of the inversion, however few its points): the closed route's cdf at the
    # exact route's quantile equals q (the atom 1/6 at 0 for q <= 1/6): <= 1e-13 (measured 8.9e-15)
    q = np.concatenate([[0.1, 1 / 6], np.linspace(0.17, 0.99, 9), [0.9999]])
    with warnings.catch_warnings():
        warnings.simplefilter("error", PrecisionWarning)
        Q = ex.quantile(q)
    assert np.max(np.abs(np.asarray(cl.cdf(Q), float) - np.maximum(q, 1 / 6))) < 1e-13
    assert Q[0] == 0.0 and np.all(np.diff(Q) >= 0)


@pytest.mark.slow
def test_cdf_inside_half_circles_equals_contour_uniform_D():
    """ReLU, D uniform, gamma1 = gamma2 = 1/2 (no closed form): the many-point cdf at points inside both half circles
    (square-root left edge from a critical point of X on u < 0, right edge the image of mu's soft edge) against the
    contour cdf from the arc's end (another path of integration of G_rho, 150 values per point) at points where the
    contour's 60- and 90-point rules agree: <= 1e-13 (measured 1.4e-17); nondecreasing on a grid through both arcs
    and the panels."""
    law = ft.ntk_law("relu", gamma1=HALF, gamma2=HALF, d_law="uniform", method="exact")
    rule = law.real_axis_table()
    lo, hi = law._edges()[:2]
    (a0, b0), (a1, b1) = rule.arcs
    r = (b0 - a0) / 2
    xs = np.array([lo + 1e-3 * r, lo + 0.3 * r, lo + 0.9 * r, hi - 0.01 * r, hi - 0.6 * r])
    assert np.all(rule.inside_arcs(xs))
    grid = np.concatenate([xs, np.linspace(a0, b1, 30)[1:-1]])
    with warnings.catch_warnings():
        warnings.simplefilter("error", PrecisionWarning)
        F = law.cdf(grid)
        L = np.where(xs < (lo + hi) / 2, b0, b1)
        Fc = law._cdf_contour(xs, hi, L, rule.cdf(L))
    assert np.max(np.abs(F[:xs.size] - Fc)) < 1e-13, F[:xs.size] - Fc
    order = np.argsort(grid)
    assert np.all(np.diff(F[order]) >= 0)


def test_refusals_at_dps_are_immediate_and_named():
    """cdf(dps=...) of the exact law would integrate the density at working precision (hundreds of values of G_rho,
    each a Newton solve with G_mu at that precision: it ran for hours); refused at once under its own name, as are
    mu's cdf(dps=...) (named cdf, with the density's reason: the message named pdf) and support(dps=...) (the
    message spoke of edges "located from its density"). pdf and cauchy at dps stay available."""
    law = ft.ntk_law("relu", gamma1=HALF, gamma2=HALF, d_law="uniform", method="exact")
    for kw in ({}, {"method": "generic"}):
        with pytest.raises(InvalidArgument, match=r"ExactNTKLaw\.cdf\(dps=\.\.\.\) is not available"):
            law.cdf(0.2, dps=20, **kw)
    with pytest.raises(InvalidArgument, match=r"ExactNTKLaw\.support\(dps=\.\.\.\) is not available.*double"):
        law.support(dps=20)
    for method in ("exact", "moments"):
        mu = ft.ntk_law("relu", gamma1=HALF, gamma2=HALF, d_law="uniform", method=method).mu
        with pytest.raises(InvalidArgument, match=rf"NTKMu\.cdf\(dps=\.\.\.\) is not available on the '{method}' route"):
            mu.cdf(0.3, dps=20)
    # the double-precision calls are unchanged
    assert law.support() == [law._edges()[:2]]


@pytest.mark.slow
def test_many_points_in_a_half_circle_panels_equal_circles(monkeypatch):
    """Many points inside the half circles of the real-axis rule (ReLU + uniform D, gamma1 = 1/2, gamma2 = 1/2: a
    square-root edge at each end): cdf from graded panels of the density on the axis (``_cdf_arc_panels``, used from
    8 points in one half circle on) equals the cdf from a half circle per point (Cauchy's theorem, no value on the
    axis; the path taken with the panels switched off) to 1e-14, at points from 2.5e-4 of the arc's size to the arc's
    end on the support side of the left edge (the five nearer ones, down to 1e-9, keep their circles in both runs),
    spread over the right one's (before: a circle each, ~10 minutes for the 539 eigenvalues
    of a Monte Carlo spectrum in one half circle)."""
    import freetk.ntk as N
    half = sympy.Rational(1, 2)
    law = ft.ntk_law("relu", gamma1=half, gamma2=half, d_law="uniform", method="exact")
    rule = law.real_axis_table()
    (a0, b0), (a1, b1) = rule.arcs
    e0, r0, e1, r1 = (a0 + b0) / 2, (b0 - a0) / 2, (a1 + b1) / 2, (b1 - a1) / 2
    g = np.concatenate([np.geomspace(1e-9, 1e-2, 6), np.linspace(0.02, 0.95, 20)])
    xs = np.concatenate([e0 + r0 * g, e1 - r1 * np.linspace(0.05, 0.95, 12)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PrecisionWarning)   # the nearest points to mu's edge E: circles, not bounded
        F_panels = law.cdf(xs)
        assert any(isinstance(k, tuple) and k[0] == "arc_panels" for k in law._cache)
        monkeypatch.setattr(N, "_ARC_PANELS_MIN", 10 ** 9)
        F_circles = law.cdf(xs)
    assert np.all(np.isfinite(F_panels))
    np.testing.assert_allclose(F_panels, F_circles, rtol=0, atol=1e-14)
