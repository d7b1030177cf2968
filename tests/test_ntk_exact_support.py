"""Supports of mu and rho on the exact route (method="exact") for laws of D with finitely many atoms.

References are independent of the support computation: the closed-form family of ntk.py (nu a point mass:
mu is an atom plus the classical self-convolution of a free Poisson law, rho's edges from its own inverse map),
the free Poisson closed form for rho_z, the contour route's G_mu off the real axis, the contour cdf of rho, the
32-node moment route where its Gauss sum has converged, and the exact moments of rho (power series of ntk_series)
against a contour integral of G_rho written here.
"""
from fractions import Fraction as F
import warnings

import numpy as np
import pytest
import sympy

import freetk as ft
from freetk.errors import PrecisionWarning
from freetk.ntk_general import GeneralMu, cauchy_in_gap
from references import contour_moments

x = sympy.Symbol("x")
RELU = ft.hermite_data("relu")
HALF = sympy.Rational(1, 2)
EXPMIX = dict(sigma_prime=sympy.exp(-x ** 2) + x, gamma1=3, gamma2=1,
              d_law=ft.atoms([-2, F(1, 2)], [F(1, 3), F(2, 3)]))


def _point_mass_mu(gamma2):
    return GeneralMu(RELU.a, RELU.c1 ** 2, gamma2, ft.atoms([1], [1]))


@pytest.mark.parametrize("gamma2", [sympy.Rational(1, 5), HALF, sympy.Rational(3, 2), sympy.Integer(2)])
def test_mu_support_point_mass_equals_closed_form(gamma2):
    """nu = delta_1: mu's continuous support from -1/c in S(z) + S(z) equals the closed route's (an atom at a plus
    a + c(lambda + lambda'), lambda, lambda' free Poisson: edges a + c t (1 -+ sqrt(gamma2))^2 (sums of edges));
    its right end equals right_edge() (kappa_min(E) = -1/(2c), a separate computation)."""
    mu = _point_mass_mu(gamma2)
    ref = ft.ntk_law("relu", gamma1=1, gamma2=gamma2, d_law="rademacher").mu.support()
    got = mu.support()
    assert len(got) == len(ref) == 1
    for (lo, hi), (rlo, rhi) in zip(got, ref):
        assert abs(lo - rlo) <= 1e-13 * rhi and abs(hi - rhi) <= 1e-13 * rhi
    assert abs(got[-1][1] - mu.right_edge()) <= 1e-13 * got[-1][1]
    # the atom at a lies below the support: a gap between them
    assert float(RELU.a) < got[0][0]


@pytest.mark.parametrize("z", [-0.3, 0.05, 0.095, 0.5, 2.0])
def test_rho_z_support_point_mass_is_free_poisson(z):
    """For nu = delta_t, rho_z is the free Poisson law with rate gamma2 and jump f = t/(a t - z): support
    f [(1 - sqrt r)^2, (1 + sqrt r)^2] (ordered), plus its atom at 0 when r < 1."""
    r = HALF
    mu = _point_mass_mu(r)
    f = 1 / (float(RELU.a) - z)
    ends = sorted([f * (1 - np.sqrt(0.5)) ** 2, f * (1 + np.sqrt(0.5)) ** 2])
    S = mu.rho_z_support(z)
    assert (0.0, 0.0) in S
    (lo, hi), = [iv for iv in S if iv != (0.0, 0.0)]
    big = max(abs(ends[0]), abs(ends[1]))
    assert abs(lo - ends[0]) <= 1e-14 * big and abs(hi - ends[1]) <= 1e-14 * big


def test_cauchy_in_gap_equals_closed_form():
    """G_mu and G_mu' on the real axis inside the gaps of mu (below the atom a, between the atom and the continuous
    part, 1e-6 from the atom and 1e-9 from the edge), by the rectangles around the components of rho_z, against
    the closed route's real-axis pair (nu = delta_1, gamma2 = 1/2)."""
    mu = _point_mass_mu(HALF)
    law = ft.ntk_law("relu", gamma1=1, gamma2=HALF, d_law="rademacher")
    a = float(RELU.a)
    lo = mu.support()[0][0]
    us = np.array([0.3 * a, 0.9 * a, a * (1 + 1e-6), a + 0.5 * (lo - a), a + 0.99 * (lo - a)])
    G, dG = law.mu._impl.cauchy_pair_np(us + 0j)
    for u, g, dg in zip(us, G, dG):
        gg, dgg = cauchy_in_gap(mu, float(u))
        assert abs(gg - g.real) <= 1e-13 * abs(g) and abs(dgg - dg.real) <= 1e-13 * abs(dg), (u, gg, g, dgg, dg)


def test_gap_roots_from_eigenvalues_equal_the_node_by_node_continuation(monkeypatch):
    """The roots of W(g) = w along the rectangles of cauchy_in_gap come from all roots at every node (companion
    eigenvalues) and a nearest-to-the-prediction choice (ntk_general._follow_roots); the node-by-node Newton
    continuation (the former route, kept as the fallback) is the reference: same roots to 1e-11 at every node of both
    paths, for points in the gaps of two atomic laws (the issue's law: next to the atom a/4 and between it and the
    continuous part; nu = delta_1: mid-gap and 1e-4 from mu's edge).  The fast path must be taken (not None)."""
    import freetk.ntk_general as ng
    cases = [(ft.ntk_law(method="exact", **EXPMIX)._gm(), (0.0236, 0.02875, 0.02848)),
             (_point_mass_mu(HALF), None)]
    for gm, us in cases:
        if us is None:
            p, q = ng._mu_blocks(gm)[0][1], ng._mu_blocks(gm)[1][0]
            us = (p + 0.5 * (q - p), q - 1e-4 * (q - p))
        for z in us:
            K = ng._AtomicW(gm, z)
            c = gm._c
            for l, r, H, d_r, d_l in ng._gap_rectangles(gm.rho_z_support(z), c):
                xR, xL = r + d_r / 2, l - d_l / 2
                w, _ = ng._rectangle_nodes(xR, xL, H, d_r, d_l, 30)
                for path in ((w, xR, xL), (-w - 1 / c, -xR - 1 / c, -xL - 1 / c)):
                    fast = ng._follow_roots(K, *path, z)
                    assert fast is not None, (z, l, r)
                    with monkeypatch.context() as m:
                        m.setattr(ng, "_follow_roots", lambda *a, **k: None)
                        slow = ng._continue_on(K, *path, z)
                    assert np.max(np.abs(fast - slow) / np.abs(slow)) <= 1e-11, (z, l, r)


def test_expmix_mu_support_and_gap():
    """The issue's law (sigma' = exp(-x^2) + x, gamma2 = 1, D in {-2, 1/2} with weights {1/3, 2/3}): mu has the atoms
    a/4 (mass 2/9) and 4a (mass 1/18) and ONE continuous piece [0.0289718..., 20.6994...]: a gap of width 5.0e-4
    between the atom a/4 and the piece, the atom 4a inside the piece.  Right end = right_edge() (kappa_min route);
    independent check of the gap: the contour route's density of mu (continued from the upper half-plane, no
    support used) is at its noise level in the gap and clearly positive right of the left edge and around 4a."""
    ex = ft.ntk_law(method="exact", **EXPMIX)
    gm = ex.mu._impl.gm
    a = float(ex.hermite.a)
    sup = ex.mu.support()
    assert len(sup) == 1
    lo, hi = sup[0]
    assert abs(hi - gm.right_edge()) <= 1e-13 * hi
    assert a / 4 < lo < 4 * a < hi
    assert 4.9e-4 < lo - a / 4 < 5.1e-4
    xs = np.array([a / 4 + 0.5 * (lo - a / 4), lo * (1 + 1e-2), 4 * a * 0.99, 4 * a * 1.01])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PrecisionWarning)
        f = -gm.cauchy_np(xs + 0j)[0].imag / np.pi
    assert abs(f[0]) < 1e-8 and np.all(f[1:] > 1e-3)


@pytest.mark.slow
def test_rho_support_point_mass_gamma1_3_equals_closed_form():
    """D = +-1, gamma1 = 3, gamma2 = 1/2: rho's left edge comes from the gap (0, a) of mu (u in (0, a), where the
    exact route evaluates G_mu by rectangles around the components of rho_u); the edges equal the closed route's
    (0.0750863398300149..., 3.48111054196635...) and the support is one interval plus the atom 2/3 at 0."""
    ex = ft.ntk_law("relu", gamma1=3, gamma2=HALF, d_law="rademacher", method="exact")
    cl = ft.ntk_law("relu", gamma1=3, gamma2=HALF, d_law="rademacher")
    got, ref = ex.support(), cl.support()
    assert len(got) == len(ref) == 1
    assert abs(got[0][0] - ref[0][0]) <= 1e-12 * ref[0][1] and abs(got[0][1] - ref[0][1]) <= 1e-12 * ref[0][1]
    assert 0 < ex._pieces()[0][2] < float(RELU.a)      # the critical point lies in mu's gap (0, a)
    (mlo, mhi), = ex.mu.support()
    (clo, chi), = cl.mu.support()
    assert abs(mlo - clo) <= 1e-13 * chi and abs(mhi - chi) <= 1e-13 * chi


@pytest.mark.slow
def test_expmix_rho_support_mass_and_moments():
    """The issue's law at gamma1 = 3: rho is the atom 2/3 at 0 plus ONE piece [0.02615267..., 64.8380...] (square-root
    left edge from the critical point of X in mu's first gap (0, a/4), right edge the image of mu's soft right edge);
    mu's gap (a/4, 0.02897) gives no gap of rho (h = gamma1 - X' > gamma1 there, proved by convexity).  Mass and
    moments: int x^k d rho (density plus the atom) = (1/2 pi i) oint z^k G_rho(z) dz on an ellipse around [0, hi]
    (the real-axis integral deformed by Cauchy's theorem; 64 points of the upper half, midpoint rule), against the
    exact moments (power series of ntk_series): mass to 1e-12, k <= 12 to 1e-11 (measured: 5e-14)."""
    law = ft.ntk_law(method="exact", **EXPMIX)
    with warnings.catch_warnings():
        # the gap (a/4, 0.02897) of mu is proved free of rho's gaps, its minimum of h at the soft edge included (the
        # secants towards that end; it ended with a PrecisionWarning "no bound decides" before)
        warnings.simplefilter("error", PrecisionWarning)
        sup = law.support()
    assert len(sup) == 1
    lo, hi = sup[0]
    assert 0.02615 < lo < 0.02616 and 64.83 < hi < 64.84
    assert 0 < law._pieces()[0][2] < float(law.hermite.a) / 4     # the critical point lies in mu's gap (0, a/4)
    assert law.atoms_float() == [(0, pytest.approx(2 / 3, abs=1e-15))]
    L, R = -0.1 * hi, 1.1 * hi
    mks = contour_moments(law.cauchy, L, R, 64, 12)
    exact = [float(v) for v in law.moments(12)]
    for k, mk in enumerate(mks):
        assert abs(mk - exact[k]) <= (1e-12 if k == 0 else 1e-11) * exact[k], (k, mk, exact[k])


@pytest.mark.slow
def test_two_atom_law_rho_has_three_pieces():
    """ReLU, |D| in {1, 2} with weights {1/2, 1/2}, gamma2 = 1/8, gamma1 = 3: mu has the atoms a, 16 a and two pieces
    [0.1135..., 0.5665...], [2.8913..., 9.4290...]; each of its two bounded gaps holds one gap of rho, so rho is the
    atom 2/3 at 0 and THREE pieces.  Independent checks: the contour cdf (G_rho off the real axis only, no support
    used) is constant across each gap of rho; the edges that come from critical points of X inside mu's gaps equal
    those of the 32-node moment route (whose G_mu is a converged Gauss sum there) to 1e-9 of the scale."""
    kw = dict(gamma1=3, gamma2=sympy.Rational(1, 8), d_law=ft.atoms([1, 4], [F(1, 2), F(1, 2)]))
    ex = ft.ntk_law("relu", method="exact", **kw)
    mu_sup = ex.mu.support()
    assert len(mu_sup) == 2
    pieces = ex._pieces()
    assert len(pieces) == 3
    # the gaps of rho: the first starts at the image of mu's soft edge 0.5665 (u_hi None), the second is a pair of
    # critical points inside mu's gap (16 a, 2.8913)
    assert pieces[0][3] is None and mu_sup[0][1] < pieces[1][2] < pieces[1][3] < mu_sup[1][0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PrecisionWarning)
        mo = ft.ntk_law("relu", method="moments", **kw).support()
    scale = pieces[-1][1]
    for e in (pieces[1][0], pieces[1][1], pieces[2][0]):
        assert min(abs(e - v) for iv in mo for v in iv) <= 1e-9 * scale
    gaps = [(pieces[k][1], pieces[k + 1][0]) for k in range(2)]
    xs = np.array([a + t * (b - a) for a, b in gaps for t in (0.1, 0.9)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PrecisionWarning)
        Fx = ex.cdf(xs)
    assert abs(Fx[0] - Fx[1]) < 1e-12 and abs(Fx[2] - Fx[3]) < 1e-12
    assert 2 / 3 + 1e-3 < Fx[0] < Fx[2] - 1e-3 < 1
