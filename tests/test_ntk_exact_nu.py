"""The exact general-D route for continuous laws of D and mixtures (freetk.ntk_nu, issue 11: "nu of every kind").

References independent of the route: mpmath quadrature of the defining integrals (G of each component of nu, and
its continuation as the integral over a contour pushed past the pole), the UniformSquared closed form and its own
sheet rule (derived separately), Gauss rules of mu from exact ball-arithmetic moments (freetk.ntk_series: a
power-series computation that solves no equation for G; the moments of T by sympy), the exact moments of rho,
finite operators Sigma.
"""
from fractions import Fraction as F
import functools

import mpmath
import numpy as np
import pytest
import sympy
from mpmath import workdps

import freetk as ft
from references import (assert_rho_contour_moments, gauss_rule_from_arb, mu_gauss_rule, ref_cauchy,
                        sigma_matrix)
from freetk.errors import InvalidArgument
from freetk.ntk_general import GeneralMu
from freetk.ntk_nu import ArcsineSquared, DensitySquared, t_parts
from freetk.ntk_series import mu_moments_arb

x = sympy.Symbol("x")
RELU = ft.hermite_data("relu")
HALF = sympy.Rational(1, 2)
A, C = RELU.a, RELU.c1 ** 2

# law of D -> (nu for GeneralMu, E[T^k] written from the definition, density of D as an mpmath function, [lo, hi])
POLY = sympy.Rational(3, 4) * (1 - x ** 2)
EXPD = sympy.exp(x) / (sympy.E - sympy.exp(-1))
LAWS = {
    "arcsine": (ArcsineSquared(1), lambda k: sympy.binomial(2 * k, k) / sympy.Integer(4) ** k,
                lambda s: 1 / (mpmath.pi * mpmath.sqrt(1 - s * s)), (-1, 1)),
    "poly": (DensitySquared(POLY, -1, 1), lambda k: sympy.Rational(3, (2 * k + 1) * (2 * k + 3)),
             lambda s: mpmath.mpf(3) / 4 * (1 - s * s), (-1, 1)),
    "asym": (DensitySquared(sympy.Rational(1, 3), -1, 2), lambda k: (sympy.Integer(2) ** (2 * k + 1) + 1) / (6 * k + 3),
             lambda s: mpmath.mpf(1) / 3, (-1, 2)),
    "exp": (DensitySquared(EXPD, -1, 1), None, lambda s: mpmath.exp(s) / (mpmath.e - mpmath.exp(-1)), (-1, 1)),
    "mix": ([(F(1, 2), ft.atoms([1], [1])), (F(1, 2), ArcsineSquared(1))],
            lambda k: HALF + sympy.binomial(2 * k, k) / sympy.Integer(4) ** k / 2, None, None),
}


def quad_G(fD, lo, hi, zeta, path=None):
    """``E[1/(zeta - D^2)]`` and its zeta-derivative by mpmath quadrature over ``path`` (default ``[lo, hi]``)."""
    with workdps(30):
        z = mpmath.mpc(zeta)
        pts = path
        if pts is None:     # breakpoints at the near-poles +-sqrt(Re zeta) (tanh-sinh clusters nodes at the ends)
            r = float(np.sqrt(max(complex(zeta).real, 0)))
            pts = sorted({lo, hi} | {v for v in (-r, r) if lo < v < hi})
        g = mpmath.quad(lambda s: fD(s) / (z - s * s), pts)
        dg = mpmath.quad(lambda s: -fD(s) / (z - s * s) ** 2, pts)
        return complex(g), complex(dg)


# ----------------------------------------------------------------------------- the components of nu
@pytest.mark.parametrize("name", ["arcsine", "poly", "asym", "exp"])
def test_component_principal_G_equals_quadrature(name):
    """G and G' of each component on the principal sheet (near the cut, left of 0, far away) vs mpmath quadrature
    of ``int f_D(s) ds/(zeta - s^2)``; the moments of T vs closed forms."""
    comp, tau, fD, (lo, hi) = LAWS[name]
    tm = comp.tmax
    zs = np.array([0.3 * tm + 0.2j * tm, 0.7 * tm - 1e-3j * tm, -0.5 * tm + 0.01j, 2.5 * tm + 1j, 1.5 * tm + 0j,
                   -0.3 * tm + 0j])
    G, dG = comp.GdG(zs)
    for z, g, dg in zip(zs, G, dG):
        ref, dref = quad_G(fD, lo, hi, z)
        assert abs(g - ref) < 1e-13 * abs(ref) and abs(dg - dref) < 1e-12 * abs(dref), (name, z, g, ref, dg, dref)
    if tau is not None:
        assert all(sympy.simplify(comp.exact_moment(k) - tau(k)) == 0 for k in range(6))
        assert all(abs(comp.moment(k) - float(tau(k))) < 1e-15 * float(tau(k)) for k in range(40))


def _continuation_path(lo, hi, xs, h, up):
    """A contour from lo to hi pushed below ``sqrt(xs)`` and above ``-sqrt(xs)`` (``up=False``: zeta moved down
    across the real axis at xs, so sigma = sqrt(zeta) moved down and -sigma up) or the reverse (``up=True``)."""
    r = np.sqrt(xs)
    sgn = 1 if up else -1
    pts = [lo]
    if lo < -r:
        pts.append(mpmath.mpc(-r, -sgn * h))
    if r < hi:
        pts.append(mpmath.mpc(r, sgn * h))
    return pts + [hi]


@pytest.mark.parametrize("name", ["arcsine", "poly", "asym", "exp"])
@pytest.mark.parametrize("up", [False, True])
def test_component_sheet_crossing_equals_deformed_contour(name, up):
    """zeta moves across the cut (0, tmax) (down, or up); the continued G (state from ``step``) equals the integral
    over a contour deformed past the moving poles ``+-sqrt(zeta)`` (Cauchy: the continuation of the principal G)."""
    comp, _, fD, (lo, hi) = LAWS[name]
    tm = comp.tmax
    for xs in (0.2 * tm, 0.6 * tm, 0.9 * tm):
        y = 0.05 * tm
        z0, z1 = (xs - 1j * y, xs + 1j * y) if up else (xs + 1j * y, xs - 1j * y)
        st = comp.step(np.array([z0]), np.array([z1]), np.zeros(1, np.int64))
        assert st[0] != 0
        g, dg = comp.GdG(np.array([z1]))
        e, de = comp.extra(np.array([z1]), st)
        path = _continuation_path(lo, hi, xs, 4 * y / np.sqrt(xs), up)
        ref, dref = quad_G(fD, lo, hi, z1, path)
        assert abs(g[0] + e[0] - ref) < 1e-12 * abs(ref), (name, xs, g[0] + e[0], ref)
        assert abs(dg[0] + de[0] - dref) < 1e-11 * abs(dref), (name, xs, dg[0] + de[0], dref)
        # and back again: the principal sheet
        assert comp.step(np.array([z1]), np.array([z0]), st)[0] == 0


def test_density_sheets_follow_the_uniform_squared_rule():
    """D uniform written as a density (1/2 on [-1, 1]): G on every sheet along a path that crosses the cut, the
    negative axis and the cut again equals UniformSquared's own closed form and sheet rule (docs/ntk.md,
    Derivation 6: j -> -j on the negative axis; the density's rule follows sqrt(zeta) instead)."""
    from freetk.ntk_general import _TKernel
    dens = _TKernel(DensitySquared(HALF, -1, 1))
    usq = _TKernel(ft.UniformSquared(1))
    both = _TKernel([(F(1, 2), ft.UniformSquared(1)), (F(1, 2), DensitySquared(HALF, -1, 1))])   # two columns
    path = np.array([0.5 + 0.3j, 0.4 - 0.2j, -0.3 - 0.1j, -0.2 + 0.4j, 0.7 - 0.3j, 0.3 + 0.2j, -0.5 + 0.1j,
                     -0.4 - 0.2j, 2 - 0.1j, 0.6 + 0.05j])
    jd, ju, jb = dens.sheet0((1,)), usq.sheet0((1,)), both.sheet0((1,))
    seen = set()
    for z0, z1 in zip(path[:-1], path[1:]):
        jd = dens.sheet_step(np.array([z0]), np.array([z1]), jd)
        ju = usq.sheet_step(np.array([z0]), np.array([z1]), ju)
        jb = both.sheet_step(np.array([z0]), np.array([z1]), jb)
        seen.add(int(ju[0, 0]))
        for s in (1.0, 0.7 - 0.2j):
            a, b = dens.e_w(np.array([s]), np.array([z1]), jd), usq.e_w(np.array([s]), np.array([z1]), ju)
            assert all(abs(p - q) < 1e-14 * (1 + abs(q)) for p, q in zip(a, b)), (z1, p, q)
            a, b = dens.e_h(np.array([s]), np.array([z1]), jd), usq.e_h(np.array([s]), np.array([z1]), ju)
            assert all(abs(p - q) < 1e-14 * (1 + abs(q)) for p, q in zip(a, b)), (z1, p, q)
            a = both.e_w(np.array([s]), np.array([z1]), jb)
            b = usq.e_w(np.array([s]), np.array([z1]), ju)
            assert all(abs(p - q) < 1e-14 * (1 + abs(q)) for p, q in zip(a, b)), (z1, p, q)
    assert seen >= {-1, 0, 1}


def test_uniform_on_0_1_equals_uniform_squared():
    """D uniform on [0, 1] has the same T = D^2 as D uniform on [-1, 1]: through the density route (non-symmetric
    interval, G_D at sigma only) G_mu, G_mu' equal UniformSquared's closed-form route, near mu's edge included."""
    nu = t_parts(ft.uniform(0, 1))
    assert isinstance(nu, DensitySquared)
    zs = np.array([-0.1, 0.3 + 0.3j, 0.58 + 0.01j, 0.2 + 1e-3j])
    G1, dG1 = GeneralMu(A, C, HALF, nu).cauchy_np(zs)
    G2, dG2 = GeneralMu(A, C, HALF, ft.UniformSquared(1)).cauchy_np(zs)
    assert np.all(np.abs(G1 - G2) < 1e-14 * np.abs(G2)) and np.all(np.abs(dG1 - dG2) < 1e-13 * np.abs(dG2))


# ----------------------------------------------------------------------------- G_mu against Gauss rules
@functools.lru_cache(maxsize=None)
def gauss_reference(name, n, gamma2=HALF):
    """n-point Gauss rule of mu (ReLU) from 2n moments in ball arithmetic, E[T^k] exact (sympy); the Chebyshev
    algorithm at 90 digits up to 60 nodes, 240 above (it loses ~1.5 digits a node: 120 nodes at 90 failed)."""
    dps = 90 if n <= 60 else 240
    return mu_gauss_rule(A, C, gamma2, LAWS[name][1], n, dps, int(dps * 3.4) + 300 + 4 * n)


def _check_against_rules(name, zs, n, m, tol_g, tol_dg):
    mu = GeneralMu(A, C, HALF, LAWS[name][0])
    G, dG = mu.cauchy_np(np.asarray(zs, complex))
    big, small = gauss_reference(name, n), gauss_reference(name, m)
    for z, g, dg in zip(zs, G, dG):
        ref, dref = ref_cauchy(big, z)
        conv = abs(ref - ref_cauchy(small, z)[0])
        assert conv < 1e-14 * abs(ref), (name, z, conv)          # the reference has converged here
        assert abs(g - ref) < tol_g * abs(ref), (name, z, g, ref)
        assert abs(dg - dref) < tol_dg * abs(dref), (name, z, dg, dref)


@pytest.mark.parametrize("name", ["arcsine", "poly", "mix"])
def test_cauchy_new_kinds_quick(name):
    """Default-suite version: two points at the scale of mu (one real left of 0) vs the 32-node rule (24 agree)."""
    E = GeneralMu(A, C, HALF, LAWS[name][0]).right_edge()
    _check_against_rules(name, [-0.3 * E, complex(0.5 * E, 0.8 * E)], 32, 24, 1e-12, 1e-11)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["arcsine", "poly", "asym", "mix"])
def test_cauchy_new_kinds_vs_60_node_rule(name):
    """G_mu, G_mu' with Im z from 0.3 E to 1e-3 E (the small ones left of 0 and right of E, where the 60-node rule
    converges; the horizontal line's bumps are then 1e-4 E) and real z outside [0, E], vs the 60-node rule (45 agree
    to 1e-14).  Measured: <= 1e-15 (G), <= 1.5e-15 (G')."""
    E = GeneralMu(A, C, HALF, LAWS[name][0]).right_edge()
    zs = [-0.1 * E, 1.3 * E, complex(0.3 * E, 0.3 * E), complex(0.8 * E, 0.3 * E), complex(1.2 * E, 0.01 * E),
          complex(1.1 * E, 1e-3 * E), complex(-0.05 * E, 1e-3 * E)]
    _check_against_rules(name, zs, 60, 45, 1e-12, 1e-11)


def _exp_tau():
    """E[D^(2k)] for the density e^x/(e - 1/e) on [-1, 1] as FLINT balls: I_n = e - (-1)^n/e - n I_(n-1), I_0 = e - 1/e
    (integration by parts; the integers A_n e + B_n/e cancel, 5000 bits absorb it)."""
    import flint
    A_, B_ = [1], [-1]
    for n in range(1, 280):
        A_.append(1 - n * A_[-1])
        B_.append(-(-1) ** n - n * B_[-1])
    old = flint.ctx.prec
    flint.ctx.prec = 5000
    try:
        e = flint.arb(1).exp()
        return [(flint.arb(A_[2 * k]) * e + flint.arb(B_[2 * k]) / e) / (e - 1 / e) for k in range(140)]
    finally:
        flint.ctx.prec = old


@pytest.mark.slow
def test_cauchy_exp_density_vs_60_node_rule(monkeypatch):
    """A non-polynomial entire density (G_D by Gauss-Legendre of the divided difference): G_mu, G_mu' at five points
    vs the 60-node rule from ball-arithmetic moments (45 agree to 1e-14).  Measured 4.4e-16 at 0.3E + 0.3Ei."""
    tau = _exp_tau()
    monkeypatch.setitem(LAWS, "exp", (LAWS["exp"][0], lambda k: tau[k], None, None))
    gauss_reference.cache_clear()
    E = GeneralMu(A, C, HALF, LAWS["exp"][0]).right_edge()
    zs = [-0.1 * E, complex(0.5 * E, 0.8 * E), complex(0.3 * E, 0.3 * E), complex(1.1 * E, 1e-3 * E),
          complex(-0.05 * E, 1e-3 * E)]
    _check_against_rules("exp", zs, 60, 45, 1e-12, 1e-11)
    gauss_reference.cache_clear()


@pytest.mark.slow
@pytest.mark.parametrize("name", ["arcsine", "poly", "mix"])
def test_cauchy_new_kinds_close_to_the_support(name):
    """Close to mu's right edge (0.9 E + 0.05 E i, 0.95 E + 0.05 E i; 0.7 E + 0.05 E i inside) vs the 120-node rule,
    bound 10 times its distance to the 105-node rule plus 1e-12 (the rule is the less accurate side here: with 60 and
    45 nodes the measured error was ~1/100 of their distance)."""
    mu = GeneralMu(A, C, HALF, LAWS[name][0])
    E = mu.right_edge()
    zs = np.array([0.9 * E + 0.05j * E, 0.95 * E + 0.05j * E, 0.7 * E + 0.05j * E])
    G, _ = mu.cauchy_np(zs)
    big, small = gauss_reference(name, 120), gauss_reference(name, 105)
    for z, g in zip(zs, G):
        ref, ref2 = ref_cauchy(big, z)[0], ref_cauchy(small, z)[0]
        conv = abs(ref - ref2)
        assert conv < 1e-6 * abs(ref)
        assert abs(g - ref) < 10 * conv + 1e-12 * abs(ref), (name, z, g, ref, conv)


# ----------------------------------------------------------------------------- ntk_law(method="exact")
def _law(D, method="exact", g1=HALF):
    return ft.ntk_law("relu", gamma1=g1, gamma2=HALF, d_law=D, method=method)


D_LAWS = {
    "arcsine": ft.arcsine(-1, 1),
    "poly": ft.from_density(POLY, -1, 1),
    "mix": ft.mixture([(F(1, 2), ft.atoms([-1, 1])), (F(1, 2), ft.uniform(-1, 1))]),
    "asym": ft.uniform(-1, 2),
    "mixarc": ft.mixture([(F(1, 3), ft.atoms([0, 2])), (F(2, 3), ft.arcsine(-1, 1))]),     # an atom at 0 included
}


def test_d_law_to_nu():
    """t_parts: the law of T for every accepted kind of d_law; refusals name the argument and the reason."""
    assert isinstance(t_parts(ft.arcsine(-2, 2)), ArcsineSquared)
    assert isinstance(t_parts(ft.uniform(-1, 1)), ft.UniformSquared)
    assert isinstance(t_parts(ft.uniform(-1, 3)), DensitySquared)
    mix = t_parts(D_LAWS["mix"])
    assert isinstance(mix, list) and len(mix) == 2
    for bad, why in [(ft.arcsine(0, 2), "centred"), (ft.from_density(lambda t: 0.5, -1, 1), "callable"),
                     (ft.from_density(sympy.Abs(x), -1, 1), "entire"),
                     (ft.from_density(3 * sympy.sqrt(1 - x ** 2) * 2 / (3 * sympy.pi), -1, 1), "branch point"),
                     (ft.semicircle(0, 1), "exact route takes")]:
        with pytest.raises(InvalidArgument, match="d_law") as err:
            _law(bad)
        assert why in str(err.value), (bad, str(err.value))
    with pytest.raises(InvalidArgument, match="bounded"):
        _law("gaussian")


def test_mu_atoms_support_of_new_kinds():
    """mu's atoms for the mixture (the atom of nu at T = 1 next to a continuous part: gamma2 w^2/2 = 1/16 at a),
    the same on the moment route; support [(0, E)] for continuous laws of D reaching 0, refused for the mixture."""
    law = _law(D_LAWS["mix"])
    assert law.mu.atoms() == [(A, sympy.Rational(1, 16))]
    assert _law(D_LAWS["mix"], "moments").mu.atoms() == [(A, sympy.Rational(1, 16))]
    with pytest.raises(NotImplementedError, match="atom of nu"):
        law.mu.support()
    for name in ("arcsine", "poly"):
        mu = _law(D_LAWS[name]).mu
        E = mu._impl.gm.right_edge()
        assert mu.support() == [(0.0, E)] and mu.atoms() == []


@pytest.mark.slow
def test_atom_next_to_continuous_part_finite_operator():
    """Finite operators Sigma (d, p) = (24, 24), D = +-1 on half the columns and arcsine quantiles on the rest: the
    eigenvalue a (an atom of nu at T = 1 with weight 1/2, next to the continuous part) has the multiplicity of the
    purely atomic law with the same p_1 columns at T = 1 (the rest at T = 1/4): the finite-size identity's count
    (zeros minus poles at z = a) does not see the continuous part; ~ gamma2 w^2/2 dp = p_1^2/2 (+ O(p_1))."""
    a, c = float(A), float(C)
    d, p = 24, 24
    rng = np.random.default_rng(3)
    W = rng.standard_normal((d, p))
    q = np.cos(np.pi * (np.arange(p // 2) + 0.5) / (p // 2))         # arcsine quantiles of [-1, 1]
    counts = []
    for rest in (q, np.full(p // 2, 0.5)):
        Dv = np.concatenate([np.ones(p // 2), rest])
        M = sigma_matrix(a, c, Dv, W)
        ev = np.linalg.eigvalsh((M + M.T) / 2)
        counts.append(int(np.sum(np.abs(ev - a) < 1e-9)))
    assert counts[0] == counts[1] and abs(counts[0] - (p // 2) ** 2 / 2) <= p // 2, counts


@pytest.mark.slow
@pytest.mark.parametrize("name", ["arcsine", "mix"])
def test_rho_of_new_kinds(name):
    """rho (ReLU, gamma1 = gamma2 = 1/2) on the exact route: the density at bulk points equals the moment route's
    (a sanity check, 1e-9: the moment route's own error), and the moments k <= 12 of rho as (1/2 pi i) oint z^k G_rho
    on an ellipse around the support equal the exact moments to 1e-11 (measured: see docs/ntk.md)."""
    law, lm = _law(D_LAWS[name]), _law(D_LAWS[name], "moments")
    lo, hi = law._edges()[:2]
    xs = lo + (hi - lo) * np.array([0.2, 0.5, 0.7])
    pe, pm = law.pdf(xs), lm.pdf(xs)
    assert np.all(np.abs(pe - pm) < 1e-9 * pm), (pe, pm)
    assert_rho_contour_moments(law)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["poly", "asym", "mixarc"])
def test_rho_moments_more_laws(name):
    """The moments k <= 12 of rho (density plus atoms, ellipse contour) vs the exact moments, 1e-11, for the polynomial
    density, D uniform on [-1, 2] (T's density jumps at 1) and atoms at 0 and +-2 next to an arcsine part.  Measured
    <= 5.8e-15, 2.7e-14, 2.4e-15 (3-7 s each)."""
    law = _law(D_LAWS[name])
    assert_rho_contour_moments(law)


@pytest.mark.slow
def test_cauchy_mp_new_kinds():
    """cauchy_mp at dps = 30 for the polynomial density and the arcsine law vs the 70-digit Gauss rule of 120 nodes
    at a point where 105 nodes agree to 1e-40."""
    for name in ("poly", "arcsine"):
        mu = GeneralMu(A, C, HALF, LAWS[name][0])
        E = mu.right_edge()
        z = complex(0.4 * E, 0.5 * E)
        ctx = mpmath.MPContext()
        ctx.dps = 30
        g, _ = mu.cauchy_mp(z, ctx)
        big, small = gauss_reference(name, 120), gauss_reference(name, 105)
        with workdps(60):
            zz = mpmath.mpc(z)
            ref = mpmath.fsum(w / (zz - t) for t, w in zip(*big))
            ref2 = mpmath.fsum(w / (zz - t) for t, w in zip(*small))
            assert abs(ref - ref2) < mpmath.mpf(10) ** -40
            assert abs(mpmath.mpc(g) - ref) < mpmath.mpf(10) ** -25 * abs(ref), (name, g, ref)


def test_uniform_squared_batch_of_large_zeta_2d():
    """sigma = x^2/2, D uniform, gamma2 = 2, right of mu's edge at Im z = 1e-3 E: every node of a panel batch has
    |zeta| > 4 b^2, and the moment series of UniformSquared received the 2-D panel array (ValueError in _horner before
    the fix).  Against the 40-node Gauss rule from ball-arithmetic moments (30 nodes agree to 1e-14)."""
    h = ft.hermite_data("quadratic")
    a, c, r = h.a, h.c1 ** 2, sympy.Integer(2)
    mu = GeneralMu(a, c, r, ft.UniformSquared(1))
    E = mu.right_edge()
    z = complex(1.1 * E, 1e-3 * E)
    g, dg = mu.cauchy_np(np.array([z]))
    tau = [sympy.Rational(1, 2 * k + 1) for k in range(84)]
    vals = mu_moments_arb(a, c, r, tau, 80, 700)
    refs = [ref_cauchy(gauss_rule_from_arb(vals, n, 90), z) for n in (40, 30)]
    assert abs(refs[0][0] - refs[1][0]) < 1e-14 * abs(refs[0][0])
    assert abs(g[0] - refs[0][0]) < 1e-12 * abs(refs[0][0]) and abs(dg[0] - refs[0][1]) < 1e-11 * abs(refs[0][1])
