"""``cdf(x, dps=N)`` of free convolutions without a closed form.

It raised NoConvergence for ordinary laws (``semicircle ⊞ MP(1/2)``, ``semicircle ⊞ uniform(0, 1)``, found by a
review): the generic route integrated the density at working precision from the *double* support edges (the base
class's bisection on the sign of the density gave up at the edge and kept them), and the subordination solve at
quadrature nodes between the double and the true edge, or 1e-99 from it, is a degenerate point of the equation.
Now the pieces end at ``support(dps=...)`` (the critical values of the inverse map), square-root ends moved
``10^(-2 dps/3)`` of the width inward (the mass left out, ``~ C s^(3/2)``, is below the precision asked).

References: the symmetry of ``semicircle ⊞ uniform(0, 1)`` about 1/2 (cdf exactly 1/2 there); for ``semicircle ⊞
MP(1/2)`` the density of the law's exact algebraic equation (``law.algebraic()``: certified edges and roots of its
polynomial at working precision, no subordination) integrated by mpmath's tanh-sinh quadrature here.
"""
from fractions import Fraction as F

import mpmath
import pytest

import freetk as ft


def test_cdf_at_30_digits_by_symmetry():
    law = ft.free_add(ft.semicircle(), ft.uniform(0, 1))
    v = law.cdf(F(1, 2), dps=30)
    assert abs(v - mpmath.mpf(1) / 2) < mpmath.mpf(10) ** -29


def test_cdf_at_30_digits_against_the_algebraic_equation():
    law = ft.free_add(ft.semicircle(), ft.marchenko_pastur(F(1, 2)))
    alg = law.algebraic()
    with mpmath.workdps(40):
        lo = mpmath.mpf(alg.support(dps=40)[0][0])
        ref = mpmath.quad(lambda t: alg.pdf(t, dps=40), [lo, mpmath.mpf(1) / 2])
        got = law.cdf(F(1, 2), dps=30)
        assert abs(got - ref) < mpmath.mpf(10) ** -28, (got, ref)
