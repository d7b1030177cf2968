"""Points next to an edge or an atom at ``dps``: the closed-form kernels are evaluated at rising working
precisions until two agree (freetk.numeric.evaluate, ``verify``; docs/numerics.md, "Points next to an edge at
dps").  References: exact rational arithmetic (fractions.Fraction) and mpmath at 100 digits, written here."""
from fractions import Fraction
import warnings

import mpmath
import numpy as np
import pytest
import sympy

import freetk as ft

R = sympy.Rational


def _rel(a, b):
    return abs(mpmath.mpf(a) - mpmath.mpf(b)) / abs(mpmath.mpf(b))


def test_uniform_cdf_next_to_its_ends_from_exact_rationals():
    # F = (x - lo)/(hi - lo) exactly, in Fraction arithmetic
    for lo, hi, x in ((R(-1), R(1), R(-1) + R(1, 10 ** 40)), (R(1, 3), R(1), R(1, 3) + R(1, 10 ** 40)),
                      (R(1, 3), R(1), R(1) - R(1, 10 ** 60))):
        ref = (Fraction(int(x.p), int(x.q)) - Fraction(int(lo.p), int(lo.q))) / Fraction(int((hi - lo).p), int((hi - lo).q))
        got = ft.uniform(lo, hi).cdf(x, dps=15)
        assert _rel(got, mpmath.mpf(ref.numerator) / ref.denominator) < 1e-14, (lo, hi, got)   # was 0 (or 1)
    # a Fraction input as well
    assert _rel(ft.uniform().cdf(Fraction(-1) + Fraction(1, 10 ** 40), dps=20), mpmath.mpf("5e-41")) < 1e-19


def test_uniform_cdf_at_a_double_next_to_a_rational_end():
    # the double just above 1/3: F = (x - 1/3)/(2/3), 1.85e-17 relative to the end (9 digits were left at dps=15)
    x = float(np.nextafter(1 / 3, 1))
    ref = (Fraction(x) - Fraction(1, 3)) / Fraction(2, 3)
    got = ft.uniform(R(1, 3), 1).cdf(x, dps=15)
    assert _rel(got, mpmath.mpf(ref.numerator) / ref.denominator) < 1e-14


def test_semicircle_and_arcsine_next_to_an_edge():
    with mpmath.workprec(400):
        x = 2 - mpmath.mpf(10) ** -30
        pdf = mpmath.sqrt(4 - x * x) / (2 * mpmath.pi)
        xa = R(-2) + R(1, 10 ** 50)
        cdf_a = 2 / mpmath.pi * mpmath.asin(mpmath.sqrt((mpmath.mpf(-2) + mpmath.mpf(10) ** -50 + 2) / 4))
    assert _rel(ft.semicircle().pdf(2 - R(1, 10 ** 30), dps=15), pdf) < 1e-14          # was 0
    assert _rel(ft.arcsine().cdf(xa, dps=15), cdf_a) < 1e-14


def test_marchenko_pastur_cdf_next_to_its_irrational_left_edge():
    # MP(1/2): lo = (1 - 1/sqrt 2)^2 irrational; the mass of [lo, lo + 1e-30] by mpmath's quad of the density at 80
    # digits (an integral, not the closed form of the library)
    lam = mpmath.mpf(1) / 2
    with mpmath.workdps(80):
        a, b = (1 - mpmath.sqrt(lam)) ** 2, (1 + mpmath.sqrt(lam)) ** 2
        ref = mpmath.quad(lambda t: mpmath.sqrt((b - t) * (t - a)) / (2 * mpmath.pi * lam * t),
                          [a, a + mpmath.mpf(10) ** -30])
    x = (1 - sympy.sqrt(R(1, 2))) ** 2 + R(1, 10 ** 30)
    got = ft.marchenko_pastur(R(1, 2)).cdf(x, dps=15)
    assert _rel(got, ref) < 1e-13                         # was 4.2003e-45 (1 % off)


def test_atom_cauchy_next_to_the_atom():
    got = ft.atoms([R(1, 3)]).cauchy(R(1, 3) + R(1, 10 ** 40), dps=15)
    assert _rel(mpmath.re(got), mpmath.mpf(10) ** 40) < 1e-14 and mpmath.im(got) == 0


def test_exact_input_below_every_working_precision():
    # -1 + 1e-50 rounded to 25 and to 45 digits is -1 both times: the two precisions agreed on 0; the input now
    # carries the bits that write it
    assert _rel(ft.uniform().cdf(R(-1) + R(1, 10 ** 50), dps=15), mpmath.mpf("5e-51")) < 1e-14
    assert _rel(ft.uniform().cdf(R(-1) + R(1, 10 ** 2000), dps=15), mpmath.mpf("5e-2001")) < 1e-14


def test_beyond_the_largest_guard_a_precision_warning(monkeypatch):
    # the double next to 1/3 is 1.85e-17 from the end: 25 working digits leave 9, the next level (45) agrees with them
    # to 9 only, the third (85) settles; with the largest guard lowered to 30 the value is not certain and says so
    import freetk.numeric as numeric
    monkeypatch.setattr(numeric, "_VERIFY_MAX_GUARD", 30)
    with pytest.warns(ft.PrecisionWarning, match="fewer than the 15 digits"):
        ft.uniform(R(1, 3), 1).cdf(float(np.nextafter(1 / 3, 1)), dps=15)


def test_a_huge_rational_end_and_point():
    # 1e-2000 from the end 1/3 (both exact): the parameters' and the point's bits are carried
    assert _rel(ft.uniform(R(1, 3), 1).cdf(R(1, 3) + R(1, 10 ** 2000), dps=15), mpmath.mpf("1.5e-2000")) < 1e-14


def test_ordinary_points_unchanged_and_quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with mpmath.workdps(60):
            ref = mpmath.sqrt(4 - mpmath.mpf(1) / 4) / (2 * mpmath.pi)
        assert _rel(ft.semicircle().pdf(R(1, 2), dps=30), ref) < 1e-29
        assert ft.semicircle().cauchy(2, dps=20) == 1
        g = ft.marchenko_pastur(2).cauchy(0, dps=20)                      # a real pole: re - i inf
        assert mpmath.isinf(mpmath.im(g)) and _rel(mpmath.re(g), -0.5) < 1e-19


def test_atoms_cdf_at_dps_at_an_atom_given_exactly():
    # an atom's mass is in F(x) exactly when x >= the location (exact comparisons of the rationals)
    d = ft.dirac(R(1, 3))
    assert d.cdf(R(1, 3), dps=20) == 1                                 # was 0
    assert d.cdf(R(1, 3) - R(1, 10 ** 40), dps=20) == 0
    assert d.cdf(R(1, 3) + R(1, 10 ** 40), dps=20) == 1
    assert d.cdf(1 / 3, dps=20) == (1 if Fraction(1 / 3) >= Fraction(1, 3) else 0)   # the double below 1/3
    sc = ft.semicircle()
    m = ft.mixture([(R(1, 2), d), (R(1, 2), sc)])
    with mpmath.workdps(40):     # F_sc(x) = 1/2 + x sqrt(4 - x^2)/(4 pi) + asin(x/2)/pi at x = 1/3
        x = mpmath.mpf(1) / 3
        ref = mpmath.mpf(1) / 2 + (mpmath.mpf(1) / 2 + x * mpmath.sqrt(4 - x * x) / (4 * mpmath.pi)
                                   + mpmath.asin(x / 2) / mpmath.pi) / 2
    assert _rel(m.cdf(R(1, 3), dps=20), ref) < 1e-19                    # was 0.3028 (the atom left out)


def test_atoms_cdf_in_double_precision():
    a = ft.atoms([0, 1, 2], [R(1, 4), R(1, 2), R(1, 4)])
    assert list(a.cdf(np.array([-1, 0, 0.5, 1, 2, 3.0]))) == [0, 0.25, 0.25, 0.75, 1, 1]
    assert np.isnan(a.cdf(np.nan))
