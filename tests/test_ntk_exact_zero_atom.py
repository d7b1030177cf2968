"""nu with an atom at T = 0 (D = 0 with positive probability) on the exact route, next to z = 0, and the real-axis
continuation in gaps of mu (GeneralMu.cauchy_off_support, cauchy_in_gap).

The atom of T at 0 adds nu{0}/z to h_z(m) = E[1/(z - (a + m)T)] for every m; the line integrand needs h(m) - h(0) and
its z-derivative, where that term cancels exactly.  Computed and cancelled in floating point it left noise of
~eps nu{0}/|z|^2 in the integrand of G_mu', so next to z = 0 the adaptive panels never agreed and bisected down to
rounding (170 s and 2 GB for one value at z = -7e-7, ReLU, D in {0, 1/2, -1}: support() took minutes).

Reference: a Gauss rule of mu without its atom at 0 (moments in ball arithmetic from freetk.ntk_series, the atom's
exact mass taken out of m_0), which never solves an equation for G; plus the exact pole mu{0}/u.
"""
from fractions import Fraction as F
import warnings

import numpy as np
import pytest
import sympy

import freetk as ft
from references import gauss_rule_from_arb, ref_cauchy
from freetk.ntk_general import GeneralMu, _AtomicW
from freetk.ntk_series import mu_moments_arb

RELU = ft.hermite_data("relu")
HALF = sympy.Rational(1, 2)
NU = ft.atoms([0, F(1, 4), 1])          # T = D^2 for D uniform on {0, 1/2, -1}


def _tau(k):
    return sympy.Rational(int(k == 0), 3) + sympy.Rational(1, 3) * (sympy.Rational(1, 4) ** k + 1)


def _rest_rule(gamma2, n=60):
    """Gauss rule of mu minus its atom at 0 (supported away from 0: its first atom is at a/4), and that atom."""
    vals = mu_moments_arb(RELU.a, RELU.c1 ** 2, gamma2, [_tau(k) for k in range(2 * n + 2)], 2 * n, 800)
    gm = GeneralMu(RELU.a, RELU.c1 ** 2, gamma2, NU)
    mu0 = sympy.Rational(1, 3)      # mu{0} = nu{0} exactly (docs/ntk.md, "Atoms of mu")
    return gauss_rule_from_arb(vals, n, 200, atom0=mu0), float(mu0), gm


@pytest.mark.parametrize("gamma2", [HALF, 2])
def test_cauchy_next_to_zero_with_an_atom_of_T_at_zero(gamma2):
    rule, mu0, gm = _rest_rule(gamma2)
    E = gm.right_edge()
    us = -E * np.array([1e-1, 1e-3, 1e-5, 1e-6, 1e-7])
    G, dG = gm.cauchy_off_support(us)
    for u, g, dg in zip(us, G, dG):
        gr, dgr = ref_cauchy(rule, u)
        g_ref, dg_ref = mu0 / u + gr.real, -mu0 / u ** 2 + dgr.real
        assert abs(g - g_ref) <= 1e-13 * abs(g_ref), (u, g, g_ref)
        assert abs(dg - dg_ref) <= 1e-13 * abs(dg_ref), (u, dg, dg_ref)
        # what rho's edge search needs: X'(u) - (gamma1 - 1) = 2uG + u^2 G' = mu0 + O(u), to rounding of mu0
        assert abs((2 * u * g + u * u * dg) - (2 * u * g_ref + u * u * dg_ref)) <= 1e-13


def test_line_next_to_zero_converges_in_a_few_levels():
    """The integrand is free of the cancelled nu{0}/z^2: the panels of G_mu' agree after a few bisections (the
    cancelled version needed 13 levels at z = -7e-6 and more at every decade closer to 0)."""
    gm = GeneralMu(RELU.a, RELU.c1 ** 2, HALF, NU)
    E = gm.right_edge()
    calls = []
    orig = gm._integrand

    def counted(th, *args, **kw):
        calls.append(th.shape[0])
        return orig(th, *args, **kw)
    gm._integrand = counted
    gm._line_integral(np.array([-E * 1e-5 + 0j]), "v")
    assert len(calls) <= 5, calls       # first level + at most 4 levels of halves


def test_atomic_W1_equals_W():
    """The scalar W of the gap continuation (plain Python, sequential Newton) against the vectorised one."""
    gm = GeneralMu(RELU.a, RELU.c1 ** 2, HALF, NU)
    K = _AtomicW(gm, 0.0236)              # in mu's gap between its atom at a/4 and its continuous part
    rng = np.random.default_rng(3)
    g = rng.normal(size=50) + 1j * rng.normal(size=50)
    W, Wg, _ = K.W(g)
    for k in range(g.size):
        w1, wg1 = K.W1(complex(g[k]))
        assert abs(w1 - W[k]) <= 1e-14 * abs(W[k]) and abs(wg1 - Wg[k]) <= 1e-14 * abs(Wg[k])


def test_support_of_the_law_with_an_atom_of_D_at_zero():
    """D uniform on {0, 1/2, -1}, gamma1 = 2: rho's support from the gap continuation (was minutes, now seconds), one
    piece, and its atom at 0 exact.  The left edge (a critical point of X in mu's gap left of its first atom) against
    the moment route's (its 32-node Gauss rule of mu is accurate far from mu's support: 6e-9 apart); the right edge is
    the image of mu's edge, where the Gauss rule is not (0.4 % apart), and is checked by the tests of X(E+)."""
    law = ft.ntk_law("relu", gamma1=2, gamma2=HALF, d_law=ft.atoms([0, HALF, -1]), method="exact")
    (lo, hi), = law.support()
    assert law.atoms() == [(0, sympy.Rational(2, 3))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = ft.ntk_law("relu", gamma1=2, gamma2=HALF, d_law=ft.atoms([0, HALF, -1]), method="moments").support()
    assert abs(lo - ref[0][0]) <= 1e-7 * hi and hi > lo
