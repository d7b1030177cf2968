"""AlgebraicLaw's numerics far from the support and next to atoms, its inputs, and results that are not measures
(an adversarial review's findings).  References: the semicircle's closed form and the atoms' sum in mpmath, the
Hankel test on exact moments, freetk's validation rules (docs/errors.md)."""
from fractions import Fraction as F

import mpmath
import numpy as np
import pytest
import sympy

import freetk as ft
from freetk import InvalidArgument, NotAMeasure


def sc_G(z):
    z = mpmath.mpc(z)
    return 2 / (z + mpmath.sqrt(z - 2) * mpmath.sqrt(z + 2))


@pytest.mark.parametrize("z", [1e6, 1e10, 1e16, 1e16j, 1e300, -1e200, 1e10 + 1e10j, 5 + 5j])
def test_cauchy_far_from_the_support(z):
    """The roots of P(., z) in double lost |z|/R: 0 at 1e16, NoConvergence at 1e16 i; now the moment series there."""
    sc = ft.algebraic_of(ft.semicircle())
    g = complex(sc.cauchy(z))
    ref = complex(sc_G(z))
    assert abs(g - ref) <= 4e-16 * abs(ref)
    law = ft.free_add(ft.marchenko_pastur(F(1, 2)), ft.semicircle()).algebraic()
    m = law.moments(60)
    w = 1 / mpmath.mpc(z)
    ref2 = w * mpmath.fsum(mpmath.mpf(int(v.p)) / int(v.q) * w ** k for k, v in enumerate(map(sympy.Rational, m)))
    if abs(z) > 1e3:        # the series converges fast there (support within [-3, 5])
        assert abs(complex(law.cauchy(z)) - complex(ref2)) <= 1e-15 * abs(complex(ref2))


@pytest.mark.parametrize("x", [2.4999999, 1 + 1e-9, 1 + 1e-6, 1e-12, 0.3 + 1e-9j, 0.5])
def test_cauchy_next_to_atoms(x):
    """The coefficients of P(., z) cancel next to a root of the leading one (an atom): 7.9e-9 relative at 1e-7."""
    law = ft.algebraic_of(ft.atoms([0, 1, F(5, 2)], [F(1, 6), F(1, 3), F(1, 2)]))
    ref = sum(mpmath.mpf(p) / q / (mpmath.mpc(x) - a) for a, (p, q) in [(0, (1, 6)), (1, (1, 3)), (mpmath.mpf(5) / 2, (1, 2))])
    assert abs(complex(law.cauchy(x)) - complex(ref)) <= 1e-15 * abs(complex(ref))


def test_results_that_are_not_measures_raise():
    sc = ft.algebraic_of(ft.semicircle())
    with pytest.raises(NotAMeasure, match="mobius"):
        ft.algebraic_of(ft.marchenko_pastur(2)).inverse()          # an atom at 0
    with pytest.raises(NotAMeasure, match="mul"):
        sc.shift(1).mul(sc.shift(1))                               # operands not in [0, inf)
    J = ft.algebraic_of(ft.atoms([1, 2]))
    for rate in (-1, 0):
        with pytest.raises(InvalidArgument, match="rate"):
            ft.AlgebraicLaw.free_compound_poisson(rate, J)
    b = ft.algebraic_of(ft.atoms([0, 1], [F(1, 4), F(3, 4)]))
    s = sympy.Symbol("s")
    with pytest.raises(NotAMeasure, match="subs"):
        b.power(s).subs({s: F(1, 2)})
    with pytest.raises(NotAMeasure, match="subs"):
        b.compress(s).subs({s: 3})
    with pytest.raises(NotAMeasure, match="subs"):
        ft.algebraic_of(ft.semicircle(0, s)).subs({s: -1})
    # valid operations still pass (moments against the ⊞/⊠ cumulant rules)
    assert ft.algebraic_of(ft.marchenko_pastur(F(1, 2))).inverse().moments(2) == [1, 2, 8]
    assert b.power(s).subs({s: 2}).moments(2) == [1, F(3, 2), F(21, 8)]


def test_inputs():
    sc = ft.algebraic_of(ft.semicircle())
    f = sc.pdf(np.array([0.5, np.nan]))
    assert np.isnan(f[1]) and abs(f[0] - np.sqrt(4 - 0.25) / (2 * np.pi)) < 1e-15
    assert np.isnan(complex(sc.cauchy(np.nan)).real)
    assert sc.pdf(np.inf) == 0.0
    for bad in (None, "1", True, 1 + 0j):
        with pytest.raises(InvalidArgument, match="`x` of `AlgebraicLaw.pdf`"):
            sc.pdf(bad)
    with pytest.raises(InvalidArgument, match="finite"):
        sc.cauchy(np.inf)
    for dps in (0, -3, 2.5, True, 10 ** 5):
        with pytest.raises(InvalidArgument, match="dps"):
            sc.cauchy(1j, dps=dps)
        with pytest.raises(InvalidArgument, match="dps"):
            sc.edges(dps=dps)
    # MP(1) next to its hard edge: 1/(pi sqrt x) (it raised LinAlgError at the smallest double)
    mp1 = ft.algebraic_of(ft.marchenko_pastur(1))
    x = np.array([5e-324, 1e-300])
    assert np.allclose(mp1.pdf(x), np.sqrt(4 - x) / (2 * np.pi * np.sqrt(x)), rtol=1e-14, atol=0)


def test_dps_results_are_global_numbers():
    """An edge at dps=5 added to 1/3 at mp.dps = 50 kept the working context's 6 digits."""
    sc = ft.algebraic_of(ft.semicircle())
    with mpmath.workdps(50):
        e = sc.edges(dps=5)[1]
        s = e + mpmath.mpf(1) / 3
        assert abs(s - (2 + mpmath.mpf(1) / 3)) < mpmath.mpf(10) ** -45
        g = sc.cauchy(1j, dps=30)
        assert abs((g + 0) - sc_G(1j)) < mpmath.mpf(10) ** -29
    assert mpmath.mp.dps == 15


@pytest.mark.parametrize("law", [
    ft.algebraic_of(ft.marchenko_pastur(F(1, 3))),
    ft.algebraic_of(ft.atoms([0, 1, F(5, 2)], [F(1, 6), F(1, 3), F(1, 2)])),
    ft.algebraic_of(ft.semicircle(sympy.Symbol("m"), sympy.Symbol("v"))),
    ft.free_add(ft.marchenko_pastur(F(1, 2)), ft.atoms([1, 2], [F(1, 3), F(2, 3)])).algebraic(),
])
def test_latex_reads_back_as_the_equation(law):
    """``G \\left(2 - 3 z\\right)`` read as G applied to the bracket (sympy's parse_latex, and people)."""
    from sympy.parsing.latex import parse_latex
    tex = law.latex()
    assert tex.endswith(" = 0") and r"G \left(" not in tex
    assert sympy.expand(parse_latex(tex[:-4]) - law.equation()) == 0
