"""Pure kernels: exact round trips and identities (STYLE 7)."""
from fractions import Fraction
from math import comb

import mpmath
import pytest
import sympy
from hypothesis import given, strategies as st

from freetk import series as S
from freetk.errors import InvalidArgument

from strategies import rational_atomic


def catalan(k):
    return comb(2 * k, k) // (k + 1)


def test_catalan_free_cumulants_are_all_one():
    # the Catalan numbers are the moments of the free Poisson law of rate 1: kappa_k = 1
    m = [catalan(k) for k in range(201)]
    assert S.moments_to_free_cumulants(m) == [1] * 200


def test_semicircle_moments_give_cumulants_0_1_0():
    m = [catalan(k // 2) if k % 2 == 0 else 0 for k in range(21)]
    assert S.moments_to_free_cumulants(m) == [0, 1] + [0] * 18


@given(rational_atomic(max_atoms=5))
def test_round_trips_exact(mu):
    m = mu.moments(10)
    assert S.free_cumulants_to_moments(S.moments_to_free_cumulants(m)) == m
    assert S.boolean_cumulants_to_moments(S.moments_to_boolean_cumulants(m)) == m
    assert S.classical_cumulants_to_moments(S.moments_to_classical_cumulants(m)) == m


@given(rational_atomic(nonzero_mean=True))
def test_s_transform_round_trip(mu):
    m = mu.moments(8)
    assert S.s_transform_to_moments(S.moments_to_s_transform(m)) == m


def test_generic_path_matches_exact_path():
    m = [1, Fraction(1, 3), Fraction(1, 2), Fraction(2, 7), Fraction(5, 11), Fraction(1, 5), Fraction(3, 4)]
    exact = S.moments_to_free_cumulants(m)
    with mpmath.workdps(40):
        approx = S.moments_to_free_cumulants([mpmath.mpf(x.numerator) / x.denominator if isinstance(x, Fraction)
                                              else mpmath.mpf(x) for x in m])
        for e, a in zip(exact, approx):
            assert abs(mpmath.mpf(e.numerator) / e.denominator - a) < mpmath.mpf(10) ** -35
    back = S.free_cumulants_to_moments([float(x) for x in exact])
    assert all(abs(float(x) - float(y)) < 1e-12 for x, y in zip(back, m))


def test_symbolic_cumulants_of_narayana_moments():
    lam = sympy.Symbol("lam")
    m = [1, 1, 1 + lam, 1 + 3 * lam + lam ** 2, 1 + 6 * lam + 6 * lam ** 2 + lam ** 3]
    assert [sympy.expand(k) for k in S.moments_to_free_cumulants(m)] == [1, lam, lam ** 2, lam ** 3]


def test_reversion_and_composition_are_inverse():
    f = [0, 2, Fraction(1, 3), -1, 5, Fraction(7, 2)]
    r = S.series_reversion(f)
    assert S.series_compose(f, r) == [0, 1, 0, 0, 0, 0]
    assert S.series_compose(r, f) == [0, 1, 0, 0, 0, 0]
    rf = S.series_reversion([float(x) for x in f])
    assert all(abs(float(a) - float(b)) < 1e-12 for a, b in zip(rf, r))


def test_classical_cumulants_of_gaussian():
    m = [1, 0, 1, 0, 3, 0, 15, 0, 105]
    assert S.moments_to_classical_cumulants(m) == [0, 1, 0, 0, 0, 0, 0, 0]


def test_bad_input():
    with pytest.raises(InvalidArgument, match="m_0 = 1"):
        S.moments_to_free_cumulants([2, 1])
    with pytest.raises(InvalidArgument, match="m_1 != 0"):
        S.moments_to_s_transform([1, 0, 1])
    with pytest.raises(InvalidArgument, match="f\\[1\\] != 0"):
        S.series_reversion([0, 0, 1])


def test_series_arguments_are_checked():
    """A review's finds: IndexError on [], FLINT's ValueError for n < 2, TypeError for a string, no size cap (a
    30 001-term input ran for 71 s), and a float S-transform overflowing to [1e300, -inf] silently."""
    F = Fraction
    with pytest.raises(InvalidArgument, match="`a` of `series_inverse` must not be empty"):
        S.series_inverse([])
    with pytest.raises(InvalidArgument, match="`n` of `series_inverse`"):
        S.series_inverse([1, 2], -2)
    assert S.series_reversion([0, 2, 1], 0) == [] and S.series_reversion([0, 2, 1], 1) == [0]
    assert S.series_reversion([0, 2, 1], 4) == [0, F(1, 2), F(-1, 8), F(1, 16)]   # z = 2r + r^2 inverted
    with pytest.raises(InvalidArgument, match="must contain numbers"):
        S.moments_to_free_cumulants([1, "2"])
    with pytest.raises(InvalidArgument, match="at most 20001"):
        S.moments_to_free_cumulants([1] + [0] * 30000)
    with pytest.raises(InvalidArgument, match="overflows"):
        S.moments_to_s_transform([1, 1e-300, 1])
    assert S.moments_to_free_cumulants([1, 0.0, 1.0, 0.0, 2.0]) == [0.0, 1.0, 0.0, 0.0]   # semicircle: kappa_2 = 1
