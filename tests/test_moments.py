"""Fast exact moments: symbolic NTK moments, numeric moments in ball arithmetic, the Hankel test.

Every fast path is checked against a reference written here from the mathematics, sharing no code
with it: the closed-form mixture for D^2 = 1, the low moments of mu in closed form, the free
moment-cumulant recursion over partitions, sympy determinants of Hankel matrices.
"""
from fractions import Fraction as F
from math import comb
import threading

import mpmath
import pytest
import sympy
from hypothesis import given, strategies as st

import freetk as ft
from freetk import series as S
from freetk.errors import InvalidArgument, NotAMeasure
from freetk.ntk_series import mu_moments_exact, rho_moments_numeric

from strategies import rational_atomic


# ----------------------------------------------------------------------------- independent references
def free_cumulants_reference(m):
    """kappa_1..kappa_N from m_0..m_N by m_n = sum_s kappa_s sum_{i_1+..+i_s = n-s} m_i1 .. m_is
    (first non-crossing block decomposition), in plain sympy."""
    N = len(m) - 1

    def comp(total, parts):   # sum over compositions of `total` into `parts` non-negative parts
        if parts == 0:
            return sympy.Integer(1) if total == 0 else sympy.Integer(0)
        return sympy.Add(*[m[i] * comp(total - i, parts - 1) for i in range(total + 1)])

    kap = []
    for n in range(1, N + 1):
        rest = sympy.Add(*[kap[s - 1] * comp(n - s, s) for s in range(1, n)])
        kap.append(sympy.expand(m[n] - rest))   # the s = n term is kappa_n * m_0^n
    return kap


def narayana(j, r):
    """Moments of the free Poisson law of rate r, jump 1 (Narayana polynomials)."""
    if j == 0:
        return sympy.Integer(1)
    return sympy.Add(*[sympy.Rational(comb(j, i) * comb(j, i - 1), j) * r ** i for i in range(1, j + 1)])


def mu_closed_moments(a, c, r, k):
    """m_k(mu) for D^2 = 1: mu = (1 - 1/(2r)) delta_a + 1/(2r) law(a + c(lam + lam')) as a moment
    identity, lam, lam' i.i.d. free Poisson (rate r, jump 1)."""
    conv = sympy.Add(*[comb(k, i) * a ** (k - i) * c ** i *
                       sympy.Add(*[comb(i, j) * narayana(j, r) * narayana(i - j, r) for j in range(i + 1)])
                       for i in range(k + 1)])
    return (1 - 1 / (2 * r)) * a ** k + conv / (2 * r)


# ----------------------------------------------------------------------------- symbolic moments
def test_symbolic_low_moments_closed_forms():
    m, (g1, g2, a, c1, tau) = ft.ntk_moments_symbolic(3)
    m1_mu = (a + c1 ** 2) * tau[1]
    m2_mu = (a + c1 ** 2) ** 2 * tau[2] + 2 * g2 * c1 ** 4 * tau[1] ** 2
    assert sympy.expand(m[1] - m1_mu) == 0
    # m_2(rho) = kappa_2 + kappa_1^2 with kappa_2 = gamma1 m_2(mu)
    assert sympy.expand(m[2] - (g1 * m2_mu + m1_mu ** 2)) == 0


def test_symbolic_rho_cumulants_are_scaled_mu_moments():
    k = 6
    m, (g1, g2, a, c1, tau) = ft.ntk_moments_symbolic(k)
    kap = free_cumulants_reference(m)
    mu = mu_moments_exact(a, c1 ** 2, g2, tau, k)     # the sympy route of the mu series
    for j in range(1, k + 1):
        assert sympy.expand(kap[j - 1] - g1 ** (j - 1) * mu[j]) == 0
    # with D^2 = 1 the mu series must equal the closed-form mixture
    for j in range(1, k + 1):
        val = mu[j].subs({t: 1 for t in tau[1:]})
        assert sympy.expand(val - mu_closed_moments(a, c1 ** 2, g2, j)) == 0


def test_symbolic_moments_evaluate_to_the_law_moments():
    law = ft.ntk_law("relu", gamma1=F(1, 2), gamma2=F(1, 4), d_law=ft.atoms([F(-3, 2), F(-1, 2), F(1, 2), F(3, 2)]))
    m, (g1, g2, a, c1, tau) = ft.ntk_moments_symbolic(5)
    h = law.hermite
    t = law.mu.t_law.tau(6)
    sub = {g1: F(1, 2), g2: F(1, 4), a: h.a, c1: h.c1}
    sub.update({tau[j]: t[j] for j in range(1, 7)})
    exact = law.moments(5)
    for j in range(6):
        assert sympy.simplify(m[j].subs(sub) - exact[j]) == 0


def test_symbolic_moments_equal_the_expression_tree_route():
    # the previous implementation: the mu series on sympy expressions (no FLINT), then moments from
    # the free cumulants by the first-block recursion written in this file
    k = 5
    m, (g1, g2, a, c1, tau) = ft.ntk_moments_symbolic(k)
    from freetk.ntk_series import mu_moments_kernel
    mu = mu_moments_kernel(a, c1 ** 2, g2, tau, k)          # default algebra: plain sympy lists
    kap = [sympy.expand(g1 ** (j - 1) * mu[j]) for j in range(1, k + 1)]
    mom = [sympy.Integer(1)]
    for n in range(1, k + 1):   # m_n = sum_s kappa_s [compositions of n - s into s parts of m]
        comp = {}

        def c(total, parts):
            if (total, parts) not in comp:
                comp[(total, parts)] = (sympy.Integer(1 if total == 0 else 0) if parts == 0 else
                                        sympy.Add(*[mom[i] * c(total - i, parts - 1) for i in range(total + 1)]))
            return comp[(total, parts)]
        mom.append(sympy.expand(sympy.Add(*[kap[s - 1] * c(n - s, s) for s in range(1, n + 1)])))
    assert [sympy.expand(x - y) for x, y in zip(m, mom)] == [0] * (k + 1)
    assert m == mom      # same canonical expressions, not only equal values


def test_symbolic_bad_order():
    with pytest.raises(InvalidArgument, match="`k` of `ntk_moments_symbolic`"):
        ft.ntk_moments_symbolic(-1)


# ----------------------------------------------------------------------------- exact moments with pi
def test_relu_exact_moments_with_pi_match_closed_mixture():
    # ReLU: a = 1/4 - 1/(2 pi), c1^2 = 1/(2 pi); D = +-1 so the closed mixture applies
    law = ft.ntk_law("relu", gamma1=1, gamma2=F(1, 2))
    mu = law.mu.moments(8)
    a, c = sympy.Rational(1, 4) - 1 / (2 * sympy.pi), 1 / (2 * sympy.pi)
    for k in range(9):
        assert sympy.simplify(mu[k] - mu_closed_moments(a, c, sympy.Rational(1, 2), k)) == 0


def test_series_kernels_in_polynomial_ring_agree_with_field():
    # 1/pi and sqrt(2) as generators: the FLINT ring route against sympy's own field arithmetic
    x = 1 / sympy.pi
    m = [sympy.Integer(1), x, x + x ** 2, sympy.sqrt(2) * x, x ** 3 + sympy.Rational(1, 3)]
    kap = S.moments_to_free_cumulants(m)
    assert all(sympy.simplify(u - v) == 0 for u, v in zip(kap, free_cumulants_reference(m)))
    assert all(sympy.simplify(u - v) == 0 for u, v in zip(S.free_cumulants_to_moments(kap), m))
    back = S.boolean_cumulants_to_moments(S.moments_to_boolean_cumulants(m))
    assert all(sympy.simplify(u - v) == 0 for u, v in zip(back, m))
    # the S-transform divides by m_1 = 1/pi: the ring route must hand over to the field
    s = S.moments_to_s_transform(m)
    assert all(sympy.simplify(u - v) == 0 for u, v in zip(S.s_transform_to_moments(s), m))


# ----------------------------------------------------------------------------- numeric moments
def _exact_at(ctx, v):
    return ctx.mpf(str(sympy.N(v, ctx.dps + 5)))


@pytest.mark.parametrize("activation, d_law", [("relu", "rademacher"),
                                               pytest.param("gelu", "rademacher", marks=pytest.mark.slow),
                                               ("relu", ft.atoms([F(-3, 2), F(-1, 2), F(1, 2), F(3, 2)]))])
def test_numeric_moments_equal_exact(activation, d_law):
    law = ft.ntk_law(activation, gamma1=F(1, 2), gamma2=F(1, 2), d_law=d_law)
    ctx = mpmath.MPContext()
    ctx.dps = 60
    mu_num = law.mu.moments_numeric(10, dps=30)
    rho_num = rho_moments_numeric(law, 10, dps=30)
    mu_ex, rho_ex = law.mu.moments(10), law.moments(10)
    for j in range(11):
        e, f = _exact_at(ctx, mu_ex[j]), _exact_at(ctx, rho_ex[j])
        assert abs(ctx.convert(mu_num[j]) - e) <= abs(e) * ctx.mpf(10) ** -30
        assert abs(ctx.convert(rho_num[j]) - f) <= abs(f) * ctx.mpf(10) ** -30
    assert mpmath.mp.prec == 53


def test_numeric_moments_64_of_relu():
    law = ft.ntk_law("relu", gamma1=1, gamma2=F(1, 2))
    m = rho_moments_numeric(law, 64, dps=30)
    mu = law.mu.moments_numeric(64, dps=30)
    assert len(m) == 65 and len(mu) == 65
    # rho has free cumulants gamma1^(k-1) m_k(mu) (gamma1 = 1): check through an mpmath recursion
    ctx = mpmath.MPContext()
    ctx.dps = 40
    mm = [ctx.convert(v) for v in m]
    kap = [ctx.convert(v) for v in mu[1:]]
    # kappa_n from the moments (first-block recursion, at 40 digits) for n <= 12
    N = 12
    comp = {}

    def c(total, parts):
        key = (total, parts)
        if key not in comp:
            comp[key] = (ctx.mpf(1) if total == 0 else ctx.mpf(0)) if parts == 0 else \
                ctx.fsum(mm[i] * c(total - i, parts - 1) for i in range(total + 1))
        return comp[key]

    got = []
    for n in range(1, N + 1):
        got.append(mm[n] - ctx.fsum(got[s - 1] * c(n - s, s) for s in range(1, n)))
    for n in range(N):
        assert abs(got[n] - kap[n]) <= abs(kap[n]) * ctx.mpf(10) ** -27


def test_numeric_moments_bad_input():
    law = ft.ntk_law("relu", gamma1=1, gamma2=F(1, 2))
    with pytest.raises(InvalidArgument, match="`dps` of `NTKMu.moments_numeric`"):
        law.mu.moments_numeric(4, dps=0)
    with pytest.raises(InvalidArgument, match="`k` of `rho_moments_numeric`"):
        rho_moments_numeric(law, -2)


def test_numeric_moments_threads_agree():
    law = ft.ntk_law("relu", gamma1=1, gamma2=F(1, 2))
    ref = {d: [mpmath.nstr(v, d) for v in law.mu.moments_numeric(20, dps=d)] for d in (20, 60)}
    out, errors = [], []

    def work(d):
        try:
            out.append((d, [mpmath.nstr(v, d) for v in law.mu.moments_numeric(20, dps=d)]))
            S.moments_to_free_cumulants([comb(2 * k, k) // (k + 1) for k in range(60)])
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(20 if i % 2 else 60,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert all(v == ref[d] for d, v in out) and len(out) == 8


# ----------------------------------------------------------------------------- Hankel positivity
def hankel_dets(m):
    K = (len(m) - 1) // 2
    return [sympy.Matrix(k + 1, k + 1, lambda i, j: sympy.Rational(m[i + j])).det() for k in range(K + 1)]


@given(rational_atomic(max_atoms=4), st.integers(2, 8), st.integers(-3, 3))
def test_hankel_check_against_determinants(mu, where, shift):
    m = [sympy.Rational(v) for v in mu.moments(8)]
    m[where] += sympy.Rational(shift, 7)
    dets = hankel_dets(m)
    if all(d > 0 for d in dets):
        assert S.hankel_check(m) is None
    elif any(d < 0 for d in dets):
        with pytest.raises(NotAMeasure) as exc:
            S.hankel_check(m)
        # the order reported is at most the first negative leading determinant (a failing flat
        # extension is found as soon as the data contradict the atomic measure)
        first_neg = next(k for k, d in enumerate(dets) if d < 0)
        assert exc.value.order <= first_neg


@given(rational_atomic(max_atoms=4))
def test_atomic_measures_are_accepted_with_their_number_of_atoms(mu):
    m = mu.moments(12)
    p = len({x for x, _ in mu.atoms()})
    assert S.hankel_check(m) == (p if 2 * p <= 12 else None)


def test_inconsistent_moment_after_singular_hankel():
    mu = ft.atoms([0, 1, 3], [F(1, 2), F(1, 3), F(1, 6)])
    m = list(mu.moments(16))
    assert S.hankel_check(m) == 3
    m[15] += F(1, 10 ** 9)
    with pytest.raises(NotAMeasure, match="3 atoms"):
        ft.from_moments(m)


def test_from_moments_200_exact():
    lam = sympy.Rational(1, 2)
    m = ft.marchenko_pastur(lam).moments(200)
    fm = ft.from_moments(m)
    assert fm.free_cumulants(200) == [lam ** (k - 1) for k in range(1, 201)]
    bad = list(m)
    bad[150] = bad[150] * (1 - sympy.Rational(1, 10 ** 40))
    with pytest.raises(NotAMeasure) as exc:
        ft.from_moments(bad)
    assert exc.value.order <= 75


@pytest.mark.parametrize("bad", [[1, float("nan"), 1], [1, float("inf"), 2], [1, 1j, 1], [1, sympy.oo, 1],
                                 [1, sympy.I, 1]])
def test_from_moments_rejects_non_finite(bad):
    with pytest.raises(InvalidArgument, match=r"`moments\[1\]` of `from_moments` must be (finite|real)"):
        ft.from_moments(bad)


@given(rational_atomic(max_atoms=5))
def test_float_moments_of_measures_are_not_rejected(mu):
    # rounding must not turn a valid moment sequence into "not a measure"
    S.hankel_check([float(v) for v in mu.moments(20)])
    S.hankel_check([float(v) for v in ft.marchenko_pastur(F(1, 2)).moments(60)])


def test_float_moments_with_a_negative_hankel_determinant_are_rejected():
    with pytest.raises(NotAMeasure) as exc:
        ft.from_moments([1.0, 0.0, 1.0, 0.0, 0.5])      # m4 < m2^2
    assert exc.value.order == 2


# ----------------------------------------------------------------------------- determinate (atomic) data
@pytest.mark.parametrize("moments, locs, weights", [
    ([1, 1, 1], [1], [1]),
    ([1, 0, 1, 0, 1], [-1, 1], [F(1, 2), F(1, 2)]),
    ([1, 0, 1, 0, 1, 0], [-1, 1], [F(1, 2), F(1, 2)]),
    ([1, 0, 2, 0, 4, 0, 8], [-sympy.sqrt(2), sympy.sqrt(2)], [F(1, 2), F(1, 2)]),
])
def test_from_moments_singular_hankel_is_the_atomic_law(moments, locs, weights):
    # the reference: the Cauchy transform sum w/(z - x) of the law written down by hand
    m = ft.from_moments(moments)
    assert [(sympy.nsimplify(x), sympy.Rational(w)) for x, w in m.atoms()] == \
        [(sympy.sympify(x), sympy.Rational(w)) for x, w in zip(locs, weights)]
    for z in (0.5 + 0.5j, -2 + 0.1j, 3j):
        ref = sum(complex(w) / (z - float(x)) for x, w in zip(locs, weights))
        assert abs(complex(m.cauchy(z)) - ref) < 1e-14
    assert float(m.pdf(0.5)) == 0.0 and m.support() == []
    assert abs(m.total_mass() - 1) < 1e-15
    # moments beyond the list are those of the atomic law, exactly
    ref_m = [sum(sympy.Rational(w) * sympy.sympify(x) ** k for x, w in zip(locs, weights)) for k in range(12)]
    assert [sympy.simplify(a - b) for a, b in zip(m.moments(11), ref_m)] == [0] * 12


def test_from_moments_singular_hankel_irrational_atoms():
    # m_0..m_5 of the exponential law and the 3-point Gauss rule: the Gauss-Laguerre rule, whose
    # nodes (roots of the irreducible cubic L_3) and weights numpy computes by its own eigensolver
    import numpy as np
    exp_m = [1, 1, 2, 6, 24, 120]
    rule = ft.from_moments(exp_m + [684])        # 684 = sum w x^6 of that rule: H_3 singular
    xs, ws = np.polynomial.laguerre.laggauss(3)
    assert len(rule.atoms()) == 3
    got = sorted((float(x), float(w)) for x, w in rule.atoms())
    assert np.allclose([g[0] for g in got], xs, rtol=1e-14, atol=0)
    assert np.allclose([g[1] for g in got], ws, rtol=1e-13, atol=0)
    assert sum(w for _, w in rule.atoms()) == 1
    mp = mpmath.MPContext()
    mp.dps = 40
    cubic = lambda t: t ** 3 - 9 * t ** 2 + 18 * t - 6        # 6 L_3(t), monic up to sign
    root = mp.findroot(cubic, mp.mpf(xs[0]))
    assert abs(mp.mpf(rule.atoms()[0][0].evalf(45)) - root) < mp.mpf(10) ** -38
    assert rule.cdf(1.0) == pytest.approx(ws[0], rel=1e-13)
    assert np.dot(ws, xs ** 6) == pytest.approx(684, rel=1e-13)
    later = rule.moments(8)[7:]
    assert all(sympy.Rational(v).q == 1 for v in later)           # rational: the flat extension
    assert [float(v) for v in later] == pytest.approx([np.dot(ws, xs ** 7), np.dot(ws, xs ** 8)], rel=1e-12)


@pytest.mark.parametrize("data", [[1.0, 0.0, 1.0, 0.0, 1.0, 0.0], [1.0, 0, 1.0, 0, 1.0, 0.0]])
def test_from_moments_float_data_of_an_atomic_law(data):
    m = ft.from_moments(data)
    assert [x for x, _ in m.atoms()] == pytest.approx([-1, 1], abs=1e-15)
    assert abs(complex(m.cauchy(0.5 + 0.5j)) - (0.5 + 0.5j) / ((0.5 + 0.5j) ** 2 - 1)) < 1e-14
    assert float(m.pdf(0.3)) == 0.0
