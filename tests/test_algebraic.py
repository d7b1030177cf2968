"""Algebraic laws: literature equations, consistency with freetk's independent numerics and exact
algebra (subordination Cauchy transforms, cumulant / S-transform moments, atom rules)."""
from fractions import Fraction as F

import mpmath
import numpy as np
from scipy.integrate import quad
import pytest
import sympy
from hypothesis import assume, example, given, settings, strategies as st, HealthCheck, Phase

import freetk as ft
from freetk.algebraic import AlgebraicLaw, algebraic_of
from freetk.errors import InvalidArgument
from scipy.special import roots_legendre

G, z = sympy.symbols("G z")


def proportional(p, q):
    """p = c q for a constant c != 0 (no G, z)."""
    r = sympy.cancel(sympy.expand(p) / sympy.expand(q))
    return not (r.has(G) or r.has(z)) and r != 0


def residual(law, Gv, zv):
    """Relative residual |P(G, z)| / sum |terms|."""
    e = sympy.Poly(law.equation(), G, z)
    terms = [complex(c) * Gv ** i * zv ** j for (i, j), c in e.terms()]
    return abs(sum(terms)) / sum(abs(t) for t in terms)


# ------------------------------------------------------------------ literature equations
def test_semicircle_sum_is_the_quadratic_of_variance_two():
    law = algebraic_of(ft.semicircle()).add(algebraic_of(ft.semicircle()))
    # semicircle of variance s^2: s^2 G^2 - z G + 1 = 0 (Voiculescu)
    assert proportional(law.equation(), 2 * G ** 2 - z * G + 1)
    assert law._repr_latex_() == "$2 G^{2} - G z + 1 = 0$"


def test_mp_plus_semicircle_cubic_symbolic():
    lam = sympy.Symbol("lam", positive=True)
    law = algebraic_of(ft.free_add(ft.marchenko_pastur(lam), ft.semicircle(), method="generic"))
    # z = 1/G + G + 1/(1 - lam G)  (R_MP(w) = 1/(1 - lam w), R_SC(w) = w), times G (1 - lam G):
    lit = lam * G ** 3 - (lam * z + 1) * G ** 2 + (z + lam - 1) * G - 1
    assert proportional(law.equation(), lit)
    assert law.moments(4) == ft.free_add(ft.marchenko_pastur(lam), ft.semicircle()).moments(4)


def test_mp_times_mp_cubic_symbolic():
    a, b = sympy.symbols("a b", positive=True)
    law = algebraic_of(ft.marchenko_pastur(a)).mul(algebraic_of(ft.marchenko_pastur(b)))
    # product of two Wishart laws (S = 1/((1 + a y)(1 + b y))): cubic of Burda–Jarosz–Livan–Nowak–Swiech
    lit = a * b * z ** 2 * G ** 3 + (a + b - 2 * a * b) * z * G ** 2 + (a * b - a - b - z + 1) * G + 1
    assert proportional(law.equation(), lit)


def test_bernoulli_sum_is_arcsine():
    b = algebraic_of(ft.atoms([-1, 1]))
    assert proportional(b.add(b).equation(), (z ** 2 - 4) * G ** 2 - 1)
    assert b.add(b).equation() == algebraic_of(ft.arcsine(-2, 2)).equation()


def test_mp_times_atoms_is_the_generalized_mp_equation():
    lam, x1, x2 = F(1, 2), F(1, 4), F(9, 4)
    law = algebraic_of(ft.free_mul(ft.marchenko_pastur(lam), ft.atoms([x1, x2])))
    # Marchenko–Pastur–Silverstein: G = int dnu(t) / (z - t (1 - lam + lam z G))
    L = sympy.Rational(1, 2)
    a = 1 - L + L * z * G
    lit = sympy.numer(sympy.together(G - sum(sympy.Rational(1, 2) / (z - sympy.Rational(x) * a) for x in (x1, x2))))
    assert proportional(law.equation(), lit)
    assert law.degree() == (3, 2)


def test_transform_equations_match_closed_forms():
    lam = sympy.Symbol("lam", positive=True)
    R, w, S, y = sympy.symbols("R w S y")
    mp = algebraic_of(ft.marchenko_pastur(lam))
    assert proportional(mp.r_equation().subs({R: G, w: z}), (G * (1 - lam * z) - 1))
    assert proportional(mp.s_equation().subs({S: G, y: z}), (G * (1 + lam * z) - 1))
    sc = algebraic_of(ft.semicircle(0, 3))
    assert proportional(sc.r_equation().subs({R: G, w: z}), G - 3 * z)


# ------------------------------------------------------------------ the numeric branch
def test_density_matches_subordination_in_double_and_at_40_digits():
    mu = ft.free_add(ft.marchenko_pastur(F(1, 2)), ft.semicircle())
    law = mu.algebraic()
    xs = np.linspace(-1.2, 3.5, 60)
    assert np.max(np.abs(law.pdf(xs) - mu.pdf(xs))) < 1e-12
    a, b = law.pdf(1.0, dps=40), mu.pdf(1.0, dps=40)
    assert abs(a - b) < mpmath.mpf(10) ** -38


def _hard_edge_product():
    """atoms ⊠ atoms with a hard edge at 1: ``A^(1/2) B A^(1/2)`` with B = 1/2 + (7/2) P (P a projection
    of rank N/3), so the density piles up like ``c / sqrt(x - 1)`` next to the eigenvalue 1 of A/2."""
    return ft.free_mul(ft.atoms([1, 2, 3], [F(1, 2), F(1, 3), F(1, 6)]), ft.atoms([F(1, 2), 4], [F(2, 3), F(1, 3)]))


def test_density_next_to_a_hard_edge_is_the_physical_branch():
    # issue 14 (a): next to x = 1 the density from anchors took a real root (density 0)
    m = _hard_edge_product()
    law = m.algebraic()
    xs = 1 + np.array([1e-3, 1e-5, 1e-6, 1e-7])
    ref = m.pdf(xs)                                   # subordination: an independent route
    assert np.all(ref > 1)
    assert np.max(np.abs(law.pdf(xs) / ref - 1)) < 1e-8
    hi = [law.pdf(v, dps=30) for v in xs]
    assert max(abs(h / r - 1) for h, r in zip(hi, ref)) < 1e-8
    # the 1/sqrt pile-up continues below where the subordination route is accurate
    ctx = mpmath.MPContext()
    ctx.dps = 40
    c = [law.pdf(1 + d, dps=20) * ctx.sqrt(d) for d in (ctx.mpf("1e-12"), ctx.mpf("1e-20"))]
    assert abs(c[0] / c[1] - 1) < 1e-5 and 0.05 < c[1] < 0.07


def test_piece_masses_next_to_a_hard_edge():
    m = _hard_edge_product()
    law = m.algebraic()
    (a0, w0), = law.atoms()
    assert (a0, w0) == (F(1, 2), F(1, 6))             # max(0, 1/2 + 2/3 - 1) at 1 * 1/2
    # eigenvalue counts of a seeded N = 300 model in each piece (exact separation: no eigenvalue in
    # a gap), an independent reference: 50 at 1/2, then 100, 50 and 100
    N, rng = 300, np.random.default_rng(0)
    a = np.repeat([1.0, 2.0, 3.0], [N // 2, N // 3, N // 6])
    b = np.repeat([0.5, 4.0], [2 * N // 3, N // 3])
    Q, R = np.linalg.qr(rng.standard_normal((N, N)))
    Q = Q * np.sign(np.diag(R))
    M = np.sqrt(a)[:, None] * (Q * b) @ Q.T * np.sqrt(a)[None, :]
    ev = np.linalg.eigvalsh((M + M.T) / 2)
    cuts = [0.5 + 1e-9, 0.99995, 2.8, 20.0]
    counts = np.diff([np.sum(ev <= t) for t in cuts])
    pieces = law.support(dps=20)
    assert len(pieces) == 3
    ctx = mpmath.MPContext()
    ctx.dps = 15
    masses = [ctx.quad(lambda t: law.pdf(t, dps=15), [ctx.mpf(lo), ctx.mpf(hi)]) for lo, hi in pieces]
    for mass, count in zip(masses, counts):
        assert abs(mass - F(int(count), N)) < 1e-9
    assert abs(sum(masses) - (1 - w0)) < 1e-9


def test_density_at_dps_next_to_square_root_edges():
    # issue 14 (b): pdf(x, dps=20) raised NoConvergence within 1e-12..1e-30 of an edge
    law = ft.free_add(ft.atoms([-3, -1, 0, F(1, 2), 2, 5]), ft.atoms([0, 1, 4], [F(1, 2), F(1, 4), F(1, 4)])).algebraic()
    ctx = mpmath.MPContext()
    ctx.dps = 60
    edges = law.edges(dps=60)
    assert len(edges) == 6
    for i, e in enumerate(edges):
        side = 1 if i % 2 == 0 else -1                # into the support
        far = law.pdf(float(e) + side * 1e-6) / 1e-3      # double precision, a bit farther in
        c = {}
        for d in ("1e-15", "1e-30"):
            v = law.pdf(ctx.mpf(e) + side * ctx.mpf(d), dps=20)
            assert ctx.isfinite(v) and v > 0
            c[d] = v / ctx.sqrt(ctx.mpf(d))
        # f = C sqrt(delta) (1 + O(delta)): the same C at 1e-6 (to 1e-4), 1e-15 and 1e-30
        assert abs(c["1e-15"] / far - 1) < 1e-4
        assert abs(c["1e-30"] / c["1e-15"] - 1) < 1e-12


def test_edges_and_support_match_numerical_support():
    mu = ft.free_add(ft.marchenko_pastur(F(1, 2)), ft.semicircle())
    law = mu.algebraic()
    e = law.edges()
    (lo, hi), = mu.support()
    assert abs(e[0] - lo) < 1e-8 and abs(e[1] - hi) < 1e-8
    # at 40 digits the edge is a root of the discriminant: check it on the exact polynomial
    e40 = law.edges(dps=40)
    disc = sympy.discriminant(law.equation(), G)
    ctx = mpmath.MPContext()
    ctx.dps = 60
    val = ctx.polyval([ctx.mpf(int(c)) for c in sympy.Poly(disc, z).all_coeffs()], ctx.mpf(e40[1]))
    assert abs(val) < ctx.mpf(10) ** -30 * max(abs(ctx.mpf(int(c))) for c in sympy.Poly(disc, z).all_coeffs())


def test_no_spurious_edges_for_mp_times_atoms():
    mu = ft.free_mul(ft.marchenko_pastur(F(1, 2)), ft.atoms([F(1, 4), F(9, 4)]))
    law = mu.algebraic()
    kinds = [k for _, _, k in law.critical_points()[0]]
    assert kinds.count("edge") == len(law.edges())
    num = mu.support()
    flat = [v for iv in num for v in iv]
    assert len(flat) == len(law.edges())
    assert max(abs(a - b) for a, b in zip(flat, law.edges())) < 1e-7


def test_edges_at_50_digits_are_the_closed_form_edges():
    # Marchenko–Pastur(λ): support [(1 - √λ)², (1 + √λ)²]; semicircle ⊞ semicircle: ±2√2
    ctx = mpmath.MPContext()
    ctx.dps = 60
    lo, hi = algebraic_of(ft.marchenko_pastur(F(1, 2))).edges(dps=50)
    s = ctx.sqrt(ctx.mpf(1) / 2)
    assert abs(lo - (1 - s) ** 2) < ctx.mpf(10) ** -49 and abs(hi - (1 + s) ** 2) < ctx.mpf(10) ** -49
    sc = algebraic_of(ft.semicircle())
    lo, hi = sc.add(sc).edges(dps=50)
    assert abs(lo + ctx.sqrt(8)) < ctx.mpf(10) ** -49 and abs(hi - ctx.sqrt(8)) < ctx.mpf(10) ** -49


def test_real_root_kernel_against_sympy_isolation_and_mpmath_roots():
    import flint
    from freetk.algebraic.poly import real_root
    rng = np.random.default_rng(7)
    ctx = mpmath.MPContext()
    ctx.dps = 90
    x = sympy.Symbol("x")
    for _ in range(12):
        c = [int(v) for v in rng.integers(-10 ** 6, 10 ** 6, rng.integers(3, 9))]
        f = sympy.Poly(list(reversed(c)), x)
        sqf = sympy.Poly(sympy.prod(g for g, _ in f.factor_list()[1]), x)      # simple roots
        ref = [ctx.re(r) for r in ctx.polyroots([ctx.mpf(int(v)) for v in sqf.all_coeffs()], maxsteps=400, extraprec=400)
               if abs(ctx.im(r)) < ctx.mpf(10) ** -60]
        fl = flint.fmpz_poly([int(v) for v in reversed(sqf.all_coeffs())])
        for (lo, hi), _m in sqf.intervals():                                # exact isolating intervals
            X = real_root(fl, F(int(lo.p), int(lo.q)), F(int(hi.p), int(hi.q)), 250)
            got = ctx.mpf(X) / ctx.mpf(2) ** 250
            assert min(abs(got - r) for r in ref) < ctx.mpf(2) ** -248


def test_eight_atoms_with_six_digit_weights_plus_bernoulli():
    # the case where rmtool's double-precision discriminant overflows (coefficients ~1e357):
    # exact equation, certified edges checked against freetk's subordination G (independent route)
    locs = [F(27, 4), F(3), F(1, 2), F(31, 4), F(13, 2), F(5, 4), F(21, 4), F(7, 2)]
    ws = [F(w, 10 ** 6) for w in (87747, 132326, 114422, 26290, 15236, 174460, 153166)]
    ws.append(1 - sum(ws))
    s = ft.free_add(ft.atoms(locs, ws), ft.atoms([-1, 1]), method="generic")
    law = s.algebraic()
    assert law.degree() == (8, 16)
    disc = law.polynomial.discriminant("G")
    assert max(abs(int(c)) for c in disc.coeffs()) > 10 ** 308          # beyond double range
    assert law.moments(10) == s.moments(10)
    for zz in _zs(3):
        assert residual(law, complex(s.cauchy(zz)), zz) < 1e-12
    e = law.edges()
    assert len(e) == 10 and law.atoms() == []
    # density inside [e0, e1], [e2, e3], ...: Im G(x + i eps) of the subordination route is O(1) at
    # the middle of each interval and O(eps) in the middle of each gap between them
    eps = 1e-9
    for i, (a, b) in enumerate(zip(e, e[1:])):
        im = -complex(s.cauchy((a + b) / 2 + 1j * eps)).imag
        assert (im > 1e-3) if i % 2 == 0 else (im < 1e-6)


def test_branch_kernels_on_the_semicircle_curve():
    # P(G, z) = G^2 - z G + 1 (standard semicircle): roots (z ± sqrt(z^2 - 4))/2, and the Cauchy
    # branch on the axis is (x - i sqrt(4 - x^2))/2 inside [-2, 2] (closed form)
    from freetk.algebraic import branch
    cv = branch.curve([[1], [0, -1], [1]])
    zs = np.array([0.3 + 2j, -1.5 + 0.1j, 3.0 + 0j])
    got = np.sort_complex(branch.roots(cv, zs))
    for z0, r in zip(zs, got):
        s = np.sqrt(z0 * z0 - 4 + 0j)
        assert np.allclose(np.sort_complex(np.array([(z0 + s) / 2, (z0 - s) / 2])), r, atol=1e-14)
    assert np.allclose(branch.slope(cv, np.array([(zs[0] - np.sqrt(zs[0] ** 2 - 4)) / 2]), zs[:1]),
                       [(1 - zs[0] / np.sqrt(zs[0] ** 2 - 4)) / 2], atol=1e-13)
    x = np.array([-1.9, -0.5, 0.0, 1.2, 1.99])
    H = 10.0
    top = x + 1j * H
    g0 = (top - np.sqrt(top - 2) * np.sqrt(top + 2)) / 2              # the Cauchy branch above
    g = branch.descend(cv, g0, x, np.full(len(x), H), np.full(len(x), 1e-12), np.ones(len(x), bool))
    assert np.allclose(g, (x - 1j * np.sqrt(4 - x ** 2)) / 2, atol=1e-12)


def test_mp_with_atom_at_zero():
    law = algebraic_of(ft.marchenko_pastur(4))
    assert law.atoms() == [(0, sympy.Rational(3, 4))]
    lo, hi = law.edges()
    assert abs(lo - 1) < 1e-14 and abs(hi - 9) < 1e-14


def test_inverse_of_mp():
    X = ft.marchenko_pastur(F(1, 2))
    Y = X.algebraic().inverse()
    # E[X^-1] = 1/(1 - lam), E[X^-2] = 1/(1 - lam)^3 for MP(lam), lam < 1
    assert Y.moments(2)[1:] == [2, 8]
    for zz in (0.3 + 0.7j, 2.0 + 0.1j, -1 + 2j):
        gy = 1 / zz - X.cauchy(1 / zz) / zz ** 2      # G_{1/X}(z) = 1/z - G_X(1/z)/z^2
        assert residual(Y, gy, zz) < 1e-13
        assert abs(Y.cauchy(zz) - gy) < 1e-12


def test_mobius_image_of_semicircle_shifted():
    X = ft.semicircle(5, 1)                      # on [3, 7]; G_X(5/2) = -1/2 is rational
    Y = X.algebraic().mobius(1, 1, 2, -5)        # (X + 1)/(2X - 5), pole of the map at 5/2
    for zz in (0.5 + 0.3j, 0.9 + 0.01j, 2j):
        a, b, det = 2 * zz - 1, -5 * zz - 1, -7   # alpha = r z - p, beta = s z - q, det = p s - q r
        gy = 2 / a + det / a ** 2 * X.cauchy(-b / a)
        assert abs(Y.cauchy(zz) - gy) < 1e-12
        assert residual(Y, gy, zz) < 1e-13
    # where G_X(-s/r) is irrational the moments of the image are irrational: refused, loudly
    with pytest.raises(InvalidArgument, match="irrational"):
        X.algebraic().mobius(1, 1, 1, 2)


def test_power_and_compression():
    b = algebraic_of(ft.atoms([-1, 1]))
    assert b.power(2).equation() == b.add(b).equation()
    mp = algebraic_of(ft.marchenko_pastur(F(1, 3)))
    c = mp.compress(F(1, 2))
    # compression by t: kappa_n -> t^(n-1) kappa_n
    assert c.free_cumulants(5) == [sympy.Rational(1, 2) ** (n - 1) * k for n, k in enumerate(mp.free_cumulants(5), 1)]
    with pytest.raises(InvalidArgument, match="power"):
        mp.power(F(1, 2))


def test_free_compound_poisson_with_atomic_jumps():
    mu = ft.free_compound_poisson(F(3, 2), ft.atoms([0, 1, 3], [F(1, 2), F(1, 4), F(1, 4)]))
    law = mu.algebraic()
    for zz in (0.5 + 0.5j, 4 + 0.2j, -1 + 1j):
        assert residual(law, complex(mu.cauchy(zz)), zz) < 1e-12
    assert law.moments(10) == mu.moments(10)
    assert law.atoms() == [(0, sympy.Rational(1, 4))]


def test_ntk_law_with_odd_activation_and_atomic_D():
    law = ft.ntk_law("tanh", gamma1=F(1, 2), gamma2=F(1, 2), d_law=ft.atoms([1, 2]))
    alg = law.algebraic()
    assert alg.moments(6) == law.moments(6)
    zz = 0.3 + 0.4j
    assert residual(alg, complex(law.cauchy(zz)), zz) < 1e-11


def test_symbolic_then_substituted_equals_numeric():
    lam = sympy.Symbol("lam", positive=True)
    sym = algebraic_of(ft.free_add(ft.marchenko_pastur(lam), ft.semicircle(), method="generic"))
    num = algebraic_of(ft.free_add(ft.marchenko_pastur(F(1, 3)), ft.semicircle(), method="generic"))
    assert sym.subs({lam: F(1, 3)}).equation() == num.equation()


def test_errors_are_loud():
    with pytest.raises(InvalidArgument, match="Uniform"):
        algebraic_of(ft.uniform())
    with pytest.raises(InvalidArgument, match="not rational"):
        algebraic_of(ft.atoms([0.1, 0.7]))
    with pytest.raises(AttributeError, match="immutable"):
        algebraic_of(ft.semicircle())._P = 0
    with pytest.raises(InvalidArgument, match="numeric parameters"):
        algebraic_of(ft.marchenko_pastur(sympy.Symbol("c"))).pdf(1.0)


# ------------------------------------------------------------------ hypothesis: rational atomic measures
@st.composite
def atomic(draw, positive=False, max_n=3):
    n = draw(st.integers(1, max_n))
    lo = 1 if positive else -6
    locs = draw(st.lists(st.integers(lo, 6), min_size=n, max_size=n, unique=True))
    raw = draw(st.lists(st.integers(1, 9), min_size=n, max_size=n))
    tot = sum(raw)
    return [F(x, 2) for x in locs], [F(r, tot) for r in raw]


def _zs(seed):
    rng = np.random.default_rng(seed)
    return rng.uniform(-4, 4, 3) + 1j * rng.uniform(0.05, 3, 3)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])   # shrinking such examples takes minutes
@given(atomic(), atomic(), st.integers(0, 10 ** 6))
# found by hypothesis: an atom of mass 1/228 at 2 with a critical point 2.7e-5 away (and a spurious
# one at 330 inflating the scale): the residue descent must go below that distance
@example(a=([F(1), F(5, 2), F(-3)], [F(2, 19), F(8, 19), F(9, 19)]),
         b=([F(0), F(-1, 2), F(-5, 2)], [F(1, 4), F(7, 12), F(1, 6)]), seed=153)
def test_hypothesis_free_add_of_atoms(a, b, seed):
    # masses summing to exactly 1 put an integrable singularity of the density at x + y, where the
    # edge-adapted rule of the mass check below is not accurate: excluded from this test
    assume(all(wx + wy != 1 for wx in a[1] for wy in b[1]))
    mu, nu = ft.atoms(*a), ft.atoms(*b)
    s = ft.free_add(mu, nu, method="generic")
    law = s.algebraic()
    for zz in _zs(seed):
        assert residual(law, complex(s.cauchy(zz)), zz) < 1e-12
    assert law.moments(12) == s.moments(12)
    # atom rule: mass max(0, mu{x} + nu{y} - 1) at x + y
    rule = {}
    for x, wx in mu.atoms():
        for y, wy in nu.atoms():
            if wx + wy > 1:
                rule[x + y] = wx + wy - 1
    got = {sympy.Rational(x): w for x, w in law.atoms()}
    assert got == {sympy.Rational(k): v for k, v in rule.items()}
    # mass one: atoms plus the integral of the density over the certified support
    mass = sum(float(w) for w in got.values())
    for lo, hi in law.support():
        # adaptive Gauss-Kronrod (a fixed 2000-node rule in the angle variable missed 5e-7 of the mass
        # where two bulks nearly touch inside one interval)
        v, err = quad(lambda t: float(law.pdf(t)), lo, hi, limit=400, epsabs=1e-12)
        mass += v
    assert abs(mass - 1) < 1e-9


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(atomic(positive=True), st.sampled_from([F(1, 2), F(1, 3), F(2, 1)]), st.integers(0, 10 ** 6))
def test_hypothesis_mp_times_atoms(a, lam, seed):
    mp, nu = ft.marchenko_pastur(lam), ft.atoms(*a)
    s = ft.free_mul(mp, nu, method="generic")
    law = s.algebraic()
    for zz in _zs(seed):
        assert residual(law, complex(s.cauchy(zz)), zz) < 1e-12
    assert law.moments(10) == s.moments(10)
    # mu ⊠ nu {0} = max(mu{0}, nu{0}), nu has no atom at 0
    zero = max(0, 1 - 1 / lam)
    got = dict((sympy.Rational(x), w) for x, w in law.atoms())
    assert got.get(0, 0) == zero


def test_pdf_exactly_at_an_edge():
    """At an edge ``pdf`` is exact in double and with ``dps=``: ``+inf`` at a hard edge (it raised
    NoConvergence with ``dps=``), 0 at a square-root edge (``marchenko_pastur(1)`` gave 1.2e-18 at 4 with
    ``dps=20``, the semicircle raised NoConvergence at 2).  References: the closed forms
    ``1/(pi sqrt(4 - x^2))`` (Bernoulli ⊞ Bernoulli) and ``sqrt((4 - x) x)/(2 pi x)`` (MP(1)), which
    blow up or vanish there; next to the hard edge the value at 30 digits matches the closed form."""
    arc = ft.free_add(ft.atoms([-1, 1]), ft.atoms([-1, 1])).algebraic()
    assert arc.pdf(2, dps=20) == mpmath.inf and arc.pdf(-2, dps=20) == mpmath.inf
    assert np.all(np.isinf(arc.pdf(np.array([-2.0, 2.0]))))
    ctx = mpmath.MPContext()
    ctx.dps = 40
    d = ctx.mpf(2) ** -80
    near = arc.pdf(2 - d, dps=30)
    assert abs(near * ctx.pi * ctx.sqrt(d * (4 - d)) - 1) < 1e-28          # 4 - (2 - d)^2 = d (4 - d)
    mp1 = ft.marchenko_pastur(1).algebraic()
    assert mp1.pdf(0, dps=20) == mpmath.inf and np.isinf(mp1.pdf(0.0))
    assert mp1.pdf(4, dps=20) == 0 and mp1.pdf(4.0) == 0.0
    x = ctx.mpf(4) - d
    assert abs(mp1.pdf(x, dps=20) / (ctx.sqrt((4 - x) * x) / (2 * ctx.pi * x)) - 1) < 1e-18
    sc = ft.semicircle().algebraic()
    assert sc.pdf(2, dps=20) == 0 and sc.pdf(-2.0) == 0.0
    # within rounding of an edge, in double (MP(1) at 1e-300 gave 0 from the vertical continuation)
    for v in (1e-300, 1e-16, 4 - 4 * 2.0 ** -50):
        x = ctx.mpf(v)
        assert abs(mp1.pdf(v) / float(ctx.sqrt((4 - x) * x) / (2 * ctx.pi * x)) - 1) < 1e-12, v
    x = ctx.mpf(2 - 2.0 ** -51)
    assert abs(arc.pdf(float(x)) * float(ctx.pi * ctx.sqrt((2 - x) * (2 + x))) - 1) < 1e-12


@pytest.mark.slow
@pytest.mark.parametrize("op", ["add", "mul"])
def test_eight_atom_reproducers_certify_their_support(op):
    """Two 8-atom laws whose certified support raised NoConvergence ("cannot tell which root the branch
    takes"): the double curve evaluates the coefficients of P(., z) (37-digit integers of both signs)
    with cancellation, so the continued branch was wrong in its second digit at some test points; the
    gap status now follows the branch with exactly evaluated coefficients there.  Reference: the
    numerical support from the real inverse maps of the subordination route (edges to ~1e-13)."""
    if op == "add":
        a = ft.atoms([F(-7, 2), 0, 2, -1, F(11, 4), F(3, 4), F(3, 2), -3],
                     [F(w, 63) for w in [16, 8, 3, 11, 4, 1, 15, 5]])
        b = ft.atoms([F(9, 4), F(15, 4), 4], [F(w, 27) for w in [11, 5, 11]])
        m = ft.free_add(a, b)
    else:
        a = ft.atoms([F(21, 4), F(5, 2), 1, F(23, 4), F(17, 4), F(27, 4), 5, F(31, 4)],
                     [F(w, 86) for w in [5, 7, 5, 18, 2, 11, 20, 18]])
        b = ft.atoms([F(7, 2), 3, 5], [F(w, 19) for w in [7, 9, 3]])
        m = ft.free_mul(a, b)
    num = m.support()
    alg = m.algebraic().support()
    assert len(alg) == len(num) == 5
    for (a1, b1), (a2, b2) in zip(alg, num):
        assert abs(a1 - a2) <= 1e-12 * (1 + abs(a2)) and abs(b1 - b2) <= 1e-12 * (1 + abs(b2))
