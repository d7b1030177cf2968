"""The vectorised fixed-point solver (freetk/kernels/fixed_point.py) and the singularity-aware
quadrature of the closed-form NTK family (freetk/kernels/ntk_closed.py), against independent
references written here from the formulas (mpmath, sharing no code with the library)."""
from fractions import Fraction as F

import mpmath
import numpy as np
import pytest

import freetk as ft
from freetk.errors import NoConvergence
from freetk.kernels import fixed_point as fp
from freetk.kernels.ntk_closed import mu_cauchy_pair

# right edge of the default law (ReLU, gamma1 = 1, gamma2 = 1/2, D = +-1) used only to place test
# points at fractions of the support; the left edge is 0 (hard edge, gamma1 = 1)
RIGHT = 1.4441744534


class DefaultLawReference:
    """The default NTK law straight from its definition, in an mpmath context of its own.

    For D = +-1 and gamma2 <= 1, mu = a + c xi with xi = 0 (prob gamma2/2), lambda + lambda' (prob
    gamma2/2), lambda (prob 1 - gamma2), lambda, lambda' i.i.d. ~ MP(gamma2); ReLU: a = 1/4 - 1/(2 pi),
    c = c1^2 = 1/(2 pi).  G_mu is written from that mixture: closed-form MP Cauchy transforms and one
    mpmath.quad for the classical convolution, split where the integrand is singular.  rho solves
    z = 1/G + int t dmu(t)/(1 - t G) (gamma1 = 1) by mpmath.findroot along a descent in Im z."""

    def __init__(self, dps):
        ctx = mpmath.MPContext()
        ctx.dps = dps
        self.ctx = ctx
        self.a = ctx.mpf(1) / 4 - 1 / (2 * ctx.pi)
        self.c = 1 / (2 * ctx.pi)
        self.lam = ctx.mpf(1) / 2
        self.l, self.h = (1 - ctx.sqrt(self.lam)) ** 2, (1 + ctx.sqrt(self.lam)) ** 2

    def q(self, t):                        # MP(lam) density
        ctx = self.ctx
        return ctx.sqrt((self.h - t) * (t - self.l)) / (2 * ctx.pi * self.lam * t)

    def g_mp(self, w):                     # MP(lam) Cauchy transform, branch ~ 1/w at infinity
        ctx = self.ctx
        s = ctx.sqrt(w - self.l) * ctx.sqrt(w - self.h)
        return (w - 1 + self.lam - s) / (2 * self.lam * w)

    def g_xi(self, w):
        ctx = self.ctx
        cuts = sorted({self.l, self.h} | {v for v in (ctx.re(w) - self.h, ctx.re(w) - self.l)
                                          if self.l < v < self.h})
        conv = ctx.quad(lambda t: self.q(t) * self.g_mp(w - t), cuts)
        g2 = self.lam / 2
        return g2 / w + g2 * conv + (1 - self.lam) * self.g_mp(w)

    def g_mu(self, z):
        return self.g_xi((z - self.a) / self.c) / self.c

    def density(self, x):
        ctx = self.ctx
        x = ctx.mpf(x)

        def eq(zeta, z):                   # z = zeta + int t zeta/(zeta - t) dmu = zeta + zeta (zeta G_mu - 1)
            return zeta + zeta * (zeta * self.g_mu(zeta) - 1) - z
        zeta = ctx.mpc(x, 1)
        for e in (1, ctx.mpf("0.3"), ctx.mpf("0.1"), ctx.mpf("0.03"), ctx.mpf("0.01"), ctx.mpf("1e-3")):
            zeta = ctx.findroot(lambda v: eq(v, ctx.mpc(x, e)), zeta)
        zeta = ctx.findroot(lambda v: eq(v, ctx.mpc(x, 0)), zeta, tol=ctx.mpf(10) ** (-2 * ctx.dps + 10))
        assert ctx.im(zeta) > 0
        return ctx.im(zeta) / abs(zeta) ** 2 / ctx.pi          # -Im(1/zeta)/pi


@pytest.fixture(scope="module")
def law():
    return ft.ntk_law("relu", gamma1=1, gamma2=F(1, 2))


@pytest.fixture(scope="module")
def ref20():
    return DefaultLawReference(20)


FRACTIONS = [0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 0.999]


def test_default_law_density_bulk_and_last_permille(law, ref20):
    x = np.array([0.3 * RIGHT, 0.999 * RIGHT])
    got = law.pdf(x)
    want = np.array([float(ref20.density(v)) for v in x])
    assert np.max(np.abs(got - want) / want) < 1e-10


@pytest.mark.slow
def test_default_law_density_against_independent_reference(law, ref20):
    x = np.array([f * RIGHT for f in FRACTIONS])
    got = law.pdf(x)
    want = np.array([float(ref20.density(v)) for v in x])
    assert np.all(want > 0)
    assert np.max(np.abs(got - want) / want) < 1e-10


def test_default_law_density_at_the_hard_edge(law, ref20):
    # gamma1 = 1: the density blows up like 1/sqrt(x) at the hard edge 0
    x = np.array([1e-8])
    got = law.pdf(x)
    want = np.array([float(ref20.density(v)) for v in x])
    assert np.max(np.abs(got - want) / want) < 1e-10


@pytest.mark.slow
def test_default_law_density_at_30_digits():
    law = ft.ntk_law("relu", gamma1=1, gamma2=F(1, 2))
    ref = DefaultLawReference(40)
    for x in (0.3, 0.9):          # the same binary x for both
        got = law.pdf(x, dps=30)
        want = ref.density(x)
        assert abs(got - want) <= mpmath.mpf(10) ** -25 * want


def test_mu_cauchy_kernel_near_the_axis(ref20):
    # G_mu of the closed family at points where the integrand is nearly singular (branch points within
    # 1e-6 .. 1e-9 of the interval, next to the top edge of mu, at a breakpoint of the mixture)
    ctx = ref20.ctx
    a, c = 0.25 - 1 / (2 * np.pi), 1 / (2 * np.pi)
    top = a + c * 2 * float(ref20.h)
    z = np.array([0.3 + 0.1j, 0.2 + 1e-3j, top - 1e-3 + 1e-6j, top + 1e-4 + 1e-12j, 0.6 + 1e-5j,
                  0.56 + 1e-9j, 2.0 + 0j])
    G, dG, err = mu_cauchy_pair(z, a, c, 0.5, 1.0, error=True)
    want = np.array([complex(ref20.g_mu(ctx.mpc(v))) for v in z])
    rel = np.abs(G - want) / np.abs(want)
    assert np.max(rel) < 1e-11
    assert np.all(err >= np.abs(G - want) * 0.5 - 1e-15)        # the estimate is not optimistic
    # G' against a central difference of the reference well off the axis
    h = 1e-6
    dref = (complex(ref20.g_mu(ctx.mpc(z[0] + h))) - complex(ref20.g_mu(ctx.mpc(z[0] - h)))) / (2 * h)
    assert abs(dG[0] - dref) / abs(dref) < 1e-8


def test_pdf_error_at_zero_on_the_default_law(law):
    # issue 12: used to raise ZeroDivisionError
    e = law.pdf_error(0.0)
    assert np.all(np.isfinite(e))


def test_one_hard_point_does_not_break_the_measure():
    # issue 12: free_add of two two-point laws made support()/cdf()/total_mass() raise
    m = ft.free_add(ft.atoms([0, 1], [F(3, 4), F(1, 4)]), ft.atoms([0, 2], [F(2, 3), F(1, 3)]))
    assert m.total_mass() == pytest.approx(1, abs=1e-10)
    x = np.linspace(-0.5, 3.5, 801)
    f = m.pdf(x)
    assert np.all(np.isfinite(f)) and np.all(f >= 0)


def test_cusp_density_vanishes_like_cube_root():
    # semicircle ⊞ (delta_-1 + delta_1)/2 has a cusp at 0: the density vanishes like |x|^(1/3)
    s = ft.free_add(ft.semicircle(), ft.atoms([-1, 1]))
    f = s.pdf(np.array([1e-6, 1e-3]))
    assert f[1] / f[0] == pytest.approx(10.0, rel=0.05)            # (1000)^(1/3)


def test_solver_is_vectorised_and_matches_closed_form_everywhere():
    # MP(1/2) as free compound Poisson (rate 2, jumps delta_1/2) through the solver, points on the
    # axis inside and outside the support, above the axis and below it (conjugation)
    fcp = ft.free_compound_poisson(2, ft.atoms([F(1, 2)]))
    closed = ft.marchenko_pastur(F(1, 2))
    z = np.concatenate([np.linspace(-0.5, 3.5, 401) + 0j, [0.5 + 1j, 2 - 0.3j, 1 + 1e-12j, 40 + 3j]])
    assert np.max(np.abs(fcp.cauchy(z) - closed.cauchy(z))) < 1e-12


def test_no_convergence_names_the_point():
    # u -> u + 1 has no fixed point: the solver stops and names the point; NaN on request
    system = fp.System(lambda u, z: (u + 1, np.ones_like(u), np.zeros_like(u)), lambda z: np.asarray(z),
                       +1, 1.0, name="test map")
    with pytest.raises(NoConvergence, match=r"test map: no solution found at z = \(0\.5\+0j\)"):
        fp.solve(system, np.array([0.5 + 0j]))
    u, _ = fp.solve(system, np.array([0.5 + 0j, 1 + 0j]), on_fail="nan")
    assert np.all(np.isnan(u))


def test_mp_polish_of_multiplicative_subordination_at_40_digits():
    # MP(1) ⊠ nu is the free compound Poisson law with rate 1 and jumps nu: two different equations
    # (multiplicative subordination and the compound Poisson equation) agree to 40 digits
    nu = ft.marchenko_pastur(F(1, 4))
    a = ft.free_mul(ft.marchenko_pastur(1), nu)
    b = ft.free_compound_poisson(1, nu)
    for x in (0.7, 2.5):
        v = a.pdf(x, dps=40)
        w = b.pdf(x, dps=40)
        assert abs(v - w) <= mpmath.mpf(10) ** -36 * w
        assert abs(float(v) - a.pdf(x)) <= 1e-13 * float(v)
