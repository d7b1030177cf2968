"""Free convolutions whose operand is a mixture with an atom (``mixture([(1/2, semicircle()), (1/2, dirac(5))])``).

Found by a review: ``free_add(mixture([(½, semicircle()), (½, dirac(5))]), semicircle())`` had ``total_mass()``
0.5, silently: the piece of the support around the atom was missing.  Two faults:

* ``Mixture`` had no derivative of its own: the base class's central difference takes a step ~1e-5 |z| along the
  axis, and next to the atom (closer than that step) ``G'`` came out with the wrong sign (``+5.6e21`` at
  ``5 + 5e-8`` instead of ``-2e14``), so the inverse map along the atom's branch was wrong;
* the real part of the mixture's ``G`` at its atom (``0.104 - i inf``) looked finite, so the support search took the
  pole for an ordinary gap end.

References: the exact moments of the convolutions (free cumulants / S-transforms of the operands' exact moments),
against the density integrated by a Gauss-Legendre rule in the angle variable of each support piece plus the
atoms; the exact
derivative ``-sum w/(z - x)^2`` of the atom against the mixture's; the exact hard edges of pole pairs of total
mass 1 (``5 + 0`` and ``5 + 1``).
"""
from fractions import Fraction as F

import numpy as np
import pytest
from scipy import integrate

import freetk as ft


def mixture_with_atom():
    return ft.mixture([(F(1, 2), ft.semicircle()), (F(1, 2), ft.dirac(5))])


def density_moments(law, kmax, n=2000):
    """``int x^k f(x) dx + sum_atoms x^k w`` for k = 0..kmax: Gauss-Legendre in the angle ``x = lo + (hi - lo)(1 -
    cos t)/2`` on each support piece (``f dx/dt`` is smooth at square-root and ``1/sqrt`` edges alike)."""
    t, wt = np.polynomial.legendre.leggauss(n)
    t, wt = np.pi * (t + 1) / 2, np.pi * wt / 2
    out = np.zeros(kmax + 1)
    for lo, hi in law.support():
        x = lo + (hi - lo) * (1 - np.cos(t)) / 2
        fw = np.asarray(law.pdf(x), float) * wt * (hi - lo) * np.sin(t) / 2
        out += [np.sum(x ** k * fw) for k in range(kmax + 1)]
    return out + [sum(float(x) ** k * float(w) for x, w in law.atoms()) for k in range(kmax + 1)]


def test_mixture_derivative_next_to_its_atom():
    mu = mixture_with_atom()
    z = 5 + np.array([5e-6, 5e-8, 5e-9, 1e-7 + 1e-9j, -3e-8j])
    exact = -0.5 / (z - 5) ** 2 + 0.5 * np.asarray(ft.semicircle()._cauchy_pair_np(z)[1])
    g, dg = mu._cauchy_pair_np(z)
    assert np.allclose(dg, exact, rtol=1e-9, atol=0)
    assert np.allclose(g, 0.5 / (z - 5) + 0.5 * np.asarray(ft.semicircle().cauchy(z)), rtol=1e-12, atol=0)


@pytest.mark.parametrize("make, pieces", [
    (lambda: ft.free_add(mixture_with_atom(), ft.semicircle()), 2),
    (lambda: ft.free_add(ft.mixture([(F(1, 3), ft.semicircle()), (F(1, 3), ft.dirac(4)), (F(1, 3), ft.dirac(-4))]),
                         ft.semicircle(F(1, 4))), 3),
    (lambda: ft.free_mul(ft.mixture([(F(1, 2), ft.marchenko_pastur(F(1, 2))), (F(1, 2), ft.dirac(5))]),
                         ft.marchenko_pastur(F(1, 4))), 1),
])
def test_mixture_operand_with_an_atom_keeps_its_mass(make, pieces):
    law = make()
    assert len(law.support()) == pieces
    assert abs(law.total_mass() - 1) < 1e-12
    exact = [float(v) for v in law.moments(3)]
    got = density_moments(law, 3)
    for k in range(4):
        assert abs(got[k] - exact[k]) <= 1e-11 * max(1.0, abs(exact[k])), (k, got[k], exact[k])


def test_mixture_atom_in_a_pair_of_total_mass_one():
    """``(½ semicircle + ½ δ_5) ⊞ (½ δ_0 + ½ δ_1)``: the pairs ``(5, 0)`` and ``(5, 1)`` have masses adding up to 1:
    hard edges at exactly 5 and 6 (they came out 1e-10 off with the finite-difference derivative, and the mass
    computation ran for minutes)."""
    law = ft.free_add(mixture_with_atom(), ft.atoms([0, 1]))
    s = law.support()
    assert s[-1] == (5.0, 6.0)
    assert law.atoms() == []
    assert abs(law.total_mass() - 1) < 1e-9
