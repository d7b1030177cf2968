"""mu(sigma, D)'s own density, cdf and moments on the exact route (freetk.ntk_general.GeneralMu on the real axis).

References are independent of the route: mpmath quadrature of the defining integrals of G_nu, the closed route of
ntk.py (nu a point mass, D = +-1), and the exact moments of mu (freetk.ntk_series: power series, no equation for G
solved).
"""
import warnings

import mpmath
import numpy as np
import pytest
import sympy

import freetk as ft
from freetk.ntk_general import GeneralMu, _TKernel
from freetk.ntk_nu import ArcsineSquared

x = sympy.Symbol("x")
RELU = ft.hermite_data("relu")
HALF = sympy.Rational(1, 2)


# ----------------------------------------------------------------------------- the kernel of nu (default suite)
def test_uniform_kernel_large_zeta_against_mpmath():
    """The numerators P = 1 - zeta G, Q = -G - zeta G', R = 1 - 2 zeta G - zeta^2 G' of D uniform (G = G_nu, nu the
    law of D^2) from the series in 1/zeta, against mpmath quadrature of G_nu(zeta) = int_0^1 du/(zeta - u^2) at 40
    digits, to 1e-15 relative, on a 2-d batch (the shape the line integrand passes).  The series written as
    t_0 - sum_{n>=0} lost up to 1e-6 relative in R and 6e-12 in P at |zeta| = 1e5 (Newton on W then stalled and
    G_mu came out NaN at 0.02895 + 1.46e-9 i), and a 2-d batch raised a broadcast error."""
    T = _TKernel(ft.UniformSquared(1))
    zs = np.array([[5.0 + 0.1j, 30 - 2j, 1e3 + 1e3j, 9.2e4 + 8.7e4j],
                   [2.4e4 + 3e3j, -7.0 + 0.01j, 1e8j, 4.1 - 1e-12j]])
    P, Q, R = T._usq_PQR_big(zs)
    assert P.shape == zs.shape
    with mpmath.workdps(40):
        for k, z in enumerate(zs.ravel()):
            zm = mpmath.mpc(z)
            G = mpmath.quad(lambda u: 1 / (zm - u * u), [0, 1])
            dG = mpmath.quad(lambda u: -1 / (zm - u * u) ** 2, [0, 1])
            ref = [1 - zm * G, -G - zm * dG, 1 - 2 * zm * G - zm * zm * dG]
            for v, r in zip((P.ravel()[k], Q.ravel()[k], R.ravel()[k]), ref):
                assert abs(v - complex(r)) <= 1e-15 * abs(complex(r)), (z, v, r)


def _hermite(a, c):
    return ft.HermiteData(0, sympy.sqrt(c), a + c, a, True)


def _point_mass_pair():
    """nu = delta_1 (D = +-1): the closed route's mu (self-convolution of a free Poisson law, no equation for G_mu
    solved on the real axis) and GeneralMu for the same law."""
    law = ft.ntk_law(hermite=_hermite(RELU.a, RELU.c1 ** 2), gamma1=1, gamma2=HALF, d_law="rademacher")
    return law, GeneralMu(RELU.a, RELU.c1 ** 2, HALF, ft.atoms([1], [1]))


# ----------------------------------------------------------------------------- density on the real axis
def test_density_point_mass_against_closed_route():
    """mu's density on the real axis (G_mu continued from x + i y0, x + 2 i y0), nu = delta_1, against the closed
    route at 5 %, 20 %, 50 %, 80 %, 95 % of the support: <= 1e-12 relative (measured 5e-16 ... 3e-15); pdf_error
    above the true error (measured 12x ... 1e4x above) and below 1e-12 of the density's maximum (not vacuous); 0 in the gap (0.3 a: the atom a sits there) and
    right of E."""
    law, mu = _point_mass_pair()
    lo, hi = law.mu.support()[0]
    xs = lo + (hi - lo) * np.array([0.05, 0.2, 0.5, 0.8, 0.95])
    f = mu.pdf(xs)
    ref = np.asarray(law.mu.pdf(xs), float)
    err = mu.pdf_error(xs)
    true = np.abs(f - ref)
    assert np.all(true <= 1e-12 * ref), true / ref
    assert np.all(err >= true) and np.all(err <= 1e-12 * ref.max()), (err, true)
    out = np.array([0.3 * float(RELU.a), 1.01 * hi])
    assert np.all(mu.pdf(out) == 0) and np.all(mu.pdf_error(out) == 0)


def test_density_relu_uniform_where_the_continuation_failed():
    """ReLU, D uniform, gamma2 = 1/2 at x = 0.02895 (G_mu at x + 1.46e-9 i was NaN: the series of G_nu lost digits,
    Newton on W stalled), and next to 0 and E: finite, positive, pdf_error below 1e-10 relative (measured <= 3e-11),
    1e-12 absolute at 0.99 E; the density next to 0 grows like x^(-1/2) (sqrt(x) f(x) = 1.2084, 1.2076 at x = 1e-4,
    4e-4: within 2 %)."""
    mu = GeneralMu(RELU.a, RELU.c1 ** 2, HALF, ft.UniformSquared(1))
    E = mu.right_edge()
    xs = np.array([0.02895, 1e-4, 4e-4, 0.5 * E, 0.99 * E])
    with warnings.catch_warnings():
        warnings.simplefilter("error", ft.PrecisionWarning)
        f = mu.pdf(xs)
    err = mu.pdf_error(xs)
    assert np.all(np.isfinite(f)) and np.all(f > 0)
    assert np.all(err[:4] <= 1e-10 * f[:4]) and err[4] <= 1e-12, (err, f)     # (f(0.99 E) = 4.2e-5)
    s = np.sqrt(xs[1:3]) * f[1:3]
    assert abs(s[0] / s[1] - 1) < 0.02, s


# ----------------------------------------------------------------------------- cdf
@pytest.mark.slow
def test_cdf_point_mass_against_closed_route():
    """law.mu.cdf on the exact route (contour integrals of G_mu, the atoms exact) against the closed route's cdf,
    nu = delta_1: in the gap that holds the atom a (the contour ends in the gap, away from the atom), at 20 % and 80 %
    of the support, right of E: <= 1e-12 (measured <= 1.6e-15 at 1 %, 20 %, 50 %, 80 %, 99 %)."""
    cl = ft.ntk_law(hermite=_hermite(RELU.a, RELU.c1 ** 2), gamma1=1, gamma2=HALF, d_law="rademacher")
    ex = ft.ntk_law(hermite=_hermite(RELU.a, RELU.c1 ** 2), gamma1=1, gamma2=HALF, d_law="rademacher",
                    method="exact")
    assert ex.mu.route == "exact"
    lo, hi = cl.mu.support()[0]
    xs = np.array([float(RELU.a), lo + 0.2 * (hi - lo), lo + 0.8 * (hi - lo), 1.01 * hi])
    F = np.asarray(ex.mu.cdf(xs), float)
    ref = np.asarray(cl.mu.cdf(xs), float)
    assert np.max(np.abs(F - ref)) <= 1e-12, F - ref


# ----------------------------------------------------------------------------- moments of the density on the real axis
K = 12


def _axis_moments(mu, arcs, panels, n_arc=32, with_error=True):
    """``int x^k dmu``, k <= K, from mu on and next to the real axis: half circles ``(e, r)`` or ``(e, r, n)``
    (Cauchy's theorem, :func:`freetk.ntk.edge_arc_rule` with ``n`` points, default ``n_arc``: ``mu([e - r, e + r])``
    weighted, atoms inside included) around the points where the density is singular, Gauss-Legendre panels
    ``(lo, hi, n)`` of the density between them, and the atoms outside the half circles.  Returns the moments and
    the largest ``pdf_error/pdf`` at the panels' nodes (None when ``with_error`` is False: pdf_error costs twice the
    density)."""
    from freetk.ntk import edge_arc_rule
    from freetk.numeric import gauss_legendre
    ks = np.arange(K + 1)
    arc = [edge_arc_rule(a_[0], a_[1], a_[2] if len(a_) > 2 else n_arc) for a_ in arcs]
    z, dz = np.concatenate([a[0] for a in arc]), np.concatenate([a[1] for a in arc])
    rules = [gauss_legendre(n) for _, _, n in panels]
    x = np.concatenate([(lo + hi) / 2 + (hi - lo) / 2 * t for (lo, hi, _), (t, _) in zip(panels, rules)])
    w = np.concatenate([(hi - lo) / 2 * wt for (lo, hi, _), (_, wt) in zip(panels, rules)])
    G = mu.cauchy_np(z)[0]
    f = mu.pdf(x)
    rel = float(np.max(mu.pdf_error(x) / f)) if with_error else None
    inside = lambda loc: any(abs(loc - a_[0]) < a_[1] for a_ in arcs)      # noqa: E731
    return np.array([np.sum(dz * z ** k * G).imag / np.pi + np.sum(w * x ** k * f)
                     + sum(m * loc ** k for loc, m in mu.atoms_float() if not inside(loc)) for k in ks]), rel


def _layout_a(mu):
    """a > 0, nu continuous on [0, 1] (D uniform or arcsine), gamma2 = 1/2: half circles around 0 (density
    ~ x^(-1/2)), a = a tmax (the pole T = x/a of the jumps leaves the support of nu), atom_point() (kappa_min = -1/c:
    square-root drop) and E; Gauss-Legendre panels of the density between.  The half circle at E has radius 0.12
    and 64 points (derived in docs/ntk.md, "Moments on the real axis": the density's error grows like |G|/f towards
    E, and 32 points on that half circle are not converged)."""
    E, a, xs = mu.right_edge(), float(mu._a), mu.atom_point()
    arcs = [(0, 0.04), (a, 0.03), (xs, 0.03), (E, 0.12, 64)]
    panels = [(0.04, a - 0.03, 12), (a + 0.03, xs - 0.03, 32), (xs + 0.03, E - 0.12, 32)]
    return arcs, panels


def _layout_quadratic(mu):
    """sigma = x^2/2 (a = 0), D uniform, gamma2 = 1/2 (atom 1/4 at 0): half circles around 0 (the atom inside),
    atom_point() = E/2 and E (radius 0.45, 64 points), two 32-point panels of the density between."""
    E, xs = mu.right_edge(), mu.atom_point()
    assert abs(xs - E / 2) < 1e-12 * E
    arcs = [(0, 0.3), (xs, 0.3), (E, 0.45, 64)]
    panels = [(0.3, xs - 0.3, 32), (xs + 0.3, E - 0.45, 32)]
    return arcs, panels


def _mu_relu(nu):
    return GeneralMu(RELU.a, RELU.c1 ** 2, HALF, nu)


AXIS_LAWS = {   # name: (mu, layout, atom_point() to 1e-3)
    "relu-uniform": (lambda: _mu_relu(ft.UniformSquared(1)), _layout_a, 0.333708),
    "relu-arcsine": (lambda: _mu_relu(ArcsineSquared(1)), _layout_a, 0.400072),
    "quadratic-uniform": (lambda: GeneralMu(0, 1, HALF, ft.UniformSquared(1)), _layout_quadratic, 1.608971),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(AXIS_LAWS))
def test_moments_on_the_real_axis_continuous_nu(name):
    """mu's density on the real axis (Gauss-Legendre panels) plus half circles around its singular points (layouts
    ``_layout_a``, ``_layout_quadratic``) against the exact moments of ntk_series (power series, no equation for G
    solved): mass to 1e-12 and k <= 12 to 1e-11 relative.  Measured: ReLU, D uniform: mass 1.8e-13, k <= 12
    <= 3.1e-12 (pdf_error/pdf <= 9.3e-12); ReLU, D arcsine: 1.8e-13, <= 2.3e-12 (8.1e-12); sigma = x^2/2, D uniform:
    1.1e-13, <= 3.9e-12 (2.3e-11).  With the former half circles at E (radius 0.08, resp. 0.15, 32 points) k = 9 ... 12
    reached 1e-11 ... 1.7e-11.  198 s for the three at load 10."""
    make, layout, xs = AXIS_LAWS[name]
    mu = make()
    assert abs(mu.atom_point() - xs) < 1e-3
    m, rel = _axis_moments(mu, *layout(mu))
    exact = np.array([float(v) for v in mu.moments(K)])
    rel_m = np.abs(m - exact) / exact
    print(name, "mass - 1", m[0] - 1, "relative", rel_m, "max pdf_error/pdf", rel)
    assert abs(m[0] - 1) <= 1e-12, m[0] - 1
    assert np.max(rel_m) <= 1e-11, rel_m
    assert rel <= 1e-9, rel


def _pair_points(mu, n=400):
    """Real ``z`` in mu's support where ``e + e' = -1/c`` for two edges ``e, e'`` of the support ``S(z)`` of ``rho_z``
    (atomic nu; :meth:`GeneralMu.rho_z_support`, FLINT-isolated roots): the log-determinant
    ``int int log(1 + c(k + k')) d rho_z d rho_z`` has a singular point wherever ``-1/c`` meets such a sum of edges
    (the sum of two pieces of ``rho_z`` has its singular points at the sums of their edges), so the density of mu
    does too.  A log-spaced scan of the support (edges followed by index while their number is unchanged) and
    brentq on each sign change; the poles ``a t`` of the jumps (mu's atoms) are skipped."""
    from scipy.optimize import brentq
    c = float(mu._c)

    def sums(z):
        e = [float(v) for iv in mu.rho_z_support(z) for v in iv]
        return np.array([e[i] + e[j] + 1 / c for i in range(len(e)) for j in range(i, len(e))])
    lo, hi = (float(v) for v in mu.support()[0])
    poles = [loc for loc, _ in mu.atoms_float()]
    zs = [z for z in np.geomspace(lo * (1 + 1e-9), hi * (1 - 1e-9), n) if min(abs(z - p) for p in poles) > 1e-6 * hi]
    out = []
    for z0, z1 in zip(zs[:-1], zs[1:]):
        v0, v1 = sums(z0), sums(z1)
        if v0.size != v1.size or any(z0 < p < z1 for p in poles):
            continue
        for k in np.nonzero(np.sign(v0) != np.sign(v1))[0]:
            out.append(brentq(lambda t: sums(t)[k], z0, z1, xtol=1e-14 * hi))
    return sorted(out)


def _graded_panels(p, q, sing, n):
    """Gauss-Legendre panels ``(lo, hi, n)`` covering ``[p, q]``, halved until each is at most twice as long as its
    distance to the nearest singular point (geometric convergence on each)."""
    out, stack = [], [(p, q)]
    while stack:
        lo, hi = stack.pop()
        d = min(min(abs(lo - s), abs(hi - s)) for s in sing)
        if hi - lo > 2 * d:
            stack += [(lo, (lo + hi) / 2), ((lo + hi) / 2, hi)]
        else:
            out.append((lo, hi, n))
    return sorted(out)


NPAN, NARC = 16, 24          # Gauss-Legendre points per panel of the density, per half circle (atomic law)
RE_ATOMIC = 6.0              # radius of the half circle at E (atomic law): 0.5 left k >= 5 above 1e-11


@pytest.mark.slow
def test_moments_on_the_real_axis_atomic_law():
    """The issue's atomic law (sigma' = exp(-x^2) + x, D in {-2, 1/2} with weights 1/3, 2/3, gamma2 = 1): mu has one
    piece [0.028972, E = 20.6994], atoms 2/9 at a/4 (in the gap left of the piece) and 1/18 at 4a (inside it).  The
    density's singular points, derived (``_pair_points``: ``e + e' = -1/c`` for edges e, e' of rho_z's support):
    0.031342, 0.032326, 0.061730, 0.228479, 0.687373, 1.292422, 1.330406, 1.805504, 2.188174, 10.573893, 11.192586,
    11.476285, besides the piece's ends and the atom 4a.  Half circles around them (one around the left edge, a/4 and
    the first two; one of radius RE_ATOMIC = 6 with 64 points at E), graded panels between, against the exact moments
    of ntk_series: mass to 1e-12 and k <= 12 to 1e-11 relative.  Measured: mass 4.1e-13, k <= 12 <= 2.6e-12 (262 s at
    load 8).  With the half circle at E of radius 0.5 (24 points) k = 5 ... 12 were 1.3e-11 ... 6.2e-11: per panel
    against a half circle over the panel the error sat in the density panels between 13 and E (f << |G|; docs/ntk.md);
    radius 1.5 and 3 gave 3.3e-11 and 1.1e-11 at k = 12.  The former layout's last panels (to E - 0.5) evaluated in a
    batch of their own hit an isolated wrong density value at 11.841339833936571 (0.00405212, neighbours at +-1e-4 say
    0.0040581; pdf_error 2.9e-14; right in the former one batch of all nodes): mass off by 2.5e-8.  This layout has
    no node there (the kind of point the check of the line's child roots fixes, tests/test_ntk_exact_line.py).
    With 12-point panels one node hit a silent error of G_mu at x0 = 2.828930124740649: mass off by 2.6e-8."""
    from fractions import Fraction as F
    expx = ft.hermite_data(sigma_prime=sympy.exp(-x ** 2) + x)
    mu = GeneralMu(expx.a, expx.c1 ** 2, sympy.Integer(1), ft.atoms([4, F(1, 4)], [F(1, 3), F(2, 3)]))
    a, E = float(expx.a), mu.right_edge()
    lo = float(mu.support()[0][0])
    pairs = _pair_points(mu)
    assert len(pairs) == 12 and abs(pairs[0] - 0.0313416) < 1e-6 and abs(pairs[-1] - 11.476285) < 1e-5, pairs
    left = [p for p in pairs if p < 0.035]                 # the cluster next to the left edge and the atom a/4
    c0, r0 = 0.0305, 0.0045         # ends 0.026, 0.035: 0.55 r0 from the atom's pole, 0.6 r0 from 0.032326
    assert len(left) == 2 and all(abs(p - c0) < r0 for p in left + [a / 4, lo])
    pts = sorted([p for p in pairs if p >= 0.035] + [4 * a])
    arcs = [(c0, r0)] + [(s, min(0.35 * min(abs(s - q) for q in pts + [c0 + r0, E] if q != s), 0.5)) for s in pts]
    arcs.append((E, RE_ATOMIC, 64))      # the density's error ~ 1e-13 |G| weighs most towards E (k = 12)
    sing = pts + [lo, a / 4, E] + left
    ends = sorted((e[0] - e[1], e[0] + e[1]) for e in arcs)
    panels = [pl for (_, h0), (l1, _) in zip(ends[:-1], ends[1:]) for pl in _graded_panels(h0, l1, sing, NPAN)]
    m, _ = _axis_moments(mu, arcs, panels, n_arc=NARC, with_error=False)
    exact = np.array([float(v) for v in mu.moments(K)])
    print("atomic law: mass - 1", m[0] - 1, "relative", np.abs(m - exact) / exact)
    assert abs(m[0] - 1) <= 1e-12, m[0] - 1
    rel_m = np.abs(m - exact) / exact
    assert np.max(rel_m) <= 1e-11, rel_m


@pytest.mark.slow
def test_atomic_law_mp_line_against_double_near_the_axis():
    """The issue's atomic law at x0 = 2.828930124740649 + 1e-3 i (and 2e-3 i): the mpmath line (cauchy_mp, 20 digits)
    gave 0.23376530 - 0.13239456 i, 3.2e-5 away from the adaptive double-precision line (0.2337331 - 0.13239906 i; at
    + 0.01 i still 1.8e-9): its uniform panels held no node inside the narrow features of the integrand at n and 2n
    panels alike, so the doubling stopped on a wrong value.  With 2048 uniform panels it equals the double line to
    1.6e-15; it now starts from the panels the double line's bisection accepted (GeneralMu._mp_base_panels)."""
    from fractions import Fraction as F
    expx = ft.hermite_data(sigma_prime=sympy.exp(-x ** 2) + x)
    mu = GeneralMu(expx.a, expx.c1 ** 2, sympy.Integer(1), ft.atoms([4, F(1, 4)], [F(1, 3), F(2, 3)]))
    for z in (2.828930124740649 + 1e-3j, 2.828930124740649 + 2e-3j):
        G = mu.cauchy_np(np.array([z]))[0][0]
        ctx = mpmath.MPContext()
        ctx.dps = 20
        ref = complex(mu.cauchy_mp(ctx.mpc(z), ctx)[0])
        assert abs(G - ref) <= 1e-12 * abs(ref), (z, G, ref)


@pytest.mark.slow
def test_atomic_law_density_isolated_point():
    """The issue's atomic law: mu's density at x0 = 2.828930124740649 (a node of a 12-point Gauss-Legendre panel of
    the moments above) was 0.0421276758 while its neighbours at x0 + k 5e-5 (k = -4 .. 4, k != 0) lie on a smooth
    curve (second differences 3e-12) through 0.0421257 there: off by 1.9e-6 (4.6e-5 relative), pdf_error 9.6e-14.
    In the line integral at x0 + i y0 the bisection's children, continued along half circles from a parent node 4e-7 from
    an edge of rho_z, ended on the other root of the square-root pair (tests/test_ntk_exact_line.py; fixed by
    GeneralMu._child_roots).  Identity: the second difference of the density across x0 with step 5e-5 is that of
    its neighbours (smooth) to 1e-10 (measured: the three middle ones -2.965e-12, -2.964e-12, -2.964e-12; the
    former children: -3.9e-6 at x0)."""
    from fractions import Fraction as F
    expx = ft.hermite_data(sigma_prime=sympy.exp(-x ** 2) + x)
    mu = GeneralMu(expx.a, expx.c1 ** 2, sympy.Integer(1), ft.atoms([4, F(1, 4)], [F(1, 3), F(2, 3)]))
    xs = 2.828930124740649 + 5e-5 * np.arange(-3, 4)
    d2 = np.diff(mu.pdf(xs), 2)
    assert abs(d2[2]) < 1e-10 + 10 * max(abs(d2[0]), abs(d2[-1])), d2


def test_cdf_atomic_law_outside_the_pieces():
    """The issue's atomic law (sigma' = exp(-x^2) + x, D in {-2, 1/2} with weights 1/3, 2/3, gamma2 = 1; atoms 2/9 at
    a/4, in the gap left of mu's one piece, and 1/18 at 4a): cdf below the piece is the atom's exact mass (at a/4, in
    the gap right of it, left of it: 2/9, 2/9, 0), 0 below 0 and 1 right of E, with no contour (the contour ending
    in that gap gave 2/9 - 1.2e-6)."""
    from fractions import Fraction as F
    expx = ft.hermite_data(sigma_prime=sympy.exp(-x ** 2) + x)
    mu = GeneralMu(expx.a, expx.c1 ** 2, sympy.Integer(1), ft.atoms([4, F(1, 4)], [F(1, 3), F(2, 3)]))
    a = float(expx.a)
    lo = float(mu.support()[0][0])
    pts = np.array([a / 4, (a / 4 + lo) / 2, 0.5 * a / 4, -1.0, 1.5 * mu.right_edge()])
    assert a / 4 < lo
    assert np.array_equal(np.asarray(mu.cdf(pts), float), np.array([2 / 9, 2 / 9, 0, 0, 1]))
