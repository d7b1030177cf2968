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


def split_moments(law, kmax, n=400):
    """As :func:`density_moments`, with each support piece also cut at the law's atoms inside it: the rule's nodes
    then come within ~(pi/2n)^2 of the piece's width of each atom, on both sides (1e-7 of the width for n = 400)."""
    t, wt = np.polynomial.legendre.leggauss(n)
    t, wt = np.pi * (t + 1) / 2, np.pi * wt / 2
    out = np.zeros(kmax + 1)
    cuts = [float(x) for x, _ in law.atoms()]
    for lo, hi in law.support():
        ends = [lo] + [c for c in cuts if lo < c < hi] + [hi]
        for a, b in zip(ends[:-1], ends[1:]):
            x = a + (b - a) * (1 - np.cos(t)) / 2
            fw = np.asarray(law.pdf(x), float) * wt * (b - a) * np.sin(t) / 2
            out += [np.sum(x ** k * fw) for k in range(kmax + 1)]
    return out + [sum(float(x) ** k * float(w) for x, w in law.atoms()) for k in range(kmax + 1)]


@pytest.mark.parametrize("make, inside, tol", [
    # atoms 1 and 4 (masses 3/4 + 1/2 - 1) inside the support pieces
    (lambda: ft.free_add(ft.mixture([(F(1, 4), ft.semicircle()), (F(3, 4), ft.dirac(1))]),
                         ft.atoms([0, 3], [F(1, 2), F(1, 2)])), [1.0, 4.0], 1e-11),
    (lambda: ft.free_add(ft.atoms([0, 3], [F(1, 2), F(1, 2)]),
                         ft.mixture([(F(1, 4), ft.semicircle()), (F(3, 4), ft.dirac(1))])), [1.0, 4.0], 1e-11),
    # atoms 2 and 6 inside (⊠)
    (lambda: ft.free_mul(ft.mixture([(F(1, 4), ft.marchenko_pastur(F(1, 2))), (F(3, 4), ft.dirac(2))]),
                         ft.atoms([1, 3], [F(1, 2), F(1, 2)])), [2.0, 6.0], 1e-11),
    # the atom 7 at the end of a piece; the hard edge 2 (a pair of total mass 1) has the conditioning eps|x|/(2s) of
    # docs/errors.md: 1e-8 there (was 2.7e-4)
    (lambda: ft.free_add(ft.mixture([(F(3, 10), ft.semicircle()), (F(7, 10), ft.dirac(2))]),
                         ft.atoms([0, 5], [F(3, 10), F(7, 10)])), [], 1e-8),
])
def test_density_next_to_an_atom_of_the_law(make, inside, tol):
    """Found by a review: next to an atom of the law that sits inside a support piece the solution ``omega`` lies next
    to the mixture's atom, and the pole term ``m/(omega - a)`` carries part of the density in its imaginary part,
    ``-m Im omega/|omega - a|^2`` with ``Im omega`` ~ 5e-13; the solve accepted a real ``omega`` (or its mirror image),
    and the density was a third of the true one within 3e-7 of the atom, 1e4 times too large at 1e-12, without a
    warning (next to the atom 7 at the end of a piece: 13.5 for 2.2e-6).  Reference: the exact moments, against the
    density integrated with the pieces cut at the atoms (nodes down to 1e-7 of the width from them), k <= 4."""
    law = make()
    assert [float(x) for x, _ in law.atoms() if any(lo < float(x) < hi for lo, hi in law.support())] == inside
    exact = [float(v) for v in law.moments(4)]
    got = split_moments(law, 4)
    for k in range(5):
        assert abs(got[k] - exact[k]) <= tol * max(1.0, abs(exact[k])), (k, got[k], exact[k])
    for c in inside:       # the density is continuous through the atom: both sides at 1e-8 agree with 1e-5
        f = np.asarray(law.pdf(c + np.array([-1e-5, -1e-8, 1e-8, 1e-5])), float)
        assert abs(f[1] / f[0] - 1) < 1e-4 and abs(f[2] / f[3] - 1) < 1e-4


def test_square_root_end_at_an_atom_of_the_law():
    """``(3/10 sc + 7/10 δ_2) ⊞ (3/10 δ_0 + 7/10 δ_5)``: the piece ends at 7 with an atom there (mass 2/5) and a
    square-root density next to it (``f ~ C sqrt(7 - x)``, the edge of a continuous piece at a pole of the inverse
    map); it was 13.5 at ``7 - 1e-10`` for 2.2e-6, and ``total_mass()`` 1.00027.  Reference: the square-root law,
    ``f(7 - s)/sqrt(s)`` constant to O(s) for s from 1e-6 down to 1e-12, within the conditioning ``eps |x|/s`` of the
    rounded x next to the edge."""
    law = ft.free_add(ft.mixture([(F(3, 10), ft.semicircle()), (F(7, 10), ft.dirac(2))]),
                      ft.atoms([0, 5], [F(3, 10), F(7, 10)]))
    assert law.support()[-1][1] == 7.0 and law.atoms() == [(7, F(2, 5))]
    s = np.array([1e-6, 1e-8, 1e-10, 1e-12])
    c = np.asarray(law.pdf(7 - s), float) / np.sqrt(s)
    assert np.all(np.abs(c / c[0] - 1) < 1e-5 + 10 * np.finfo(float).eps * 7 / s), c
