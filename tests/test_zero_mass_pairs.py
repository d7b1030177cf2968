"""Free convolutions of atoms where a pair of atoms has masses adding up to exactly 1.

``mu{a} + nu{b} = 1`` gives no atom of ``mu ⊞ nu`` at ``a + b`` (its mass ``mu{a} + nu{b} - 1`` is 0) but a hard edge
there: along the pole pair the inverse map tends to ``a + b`` like ``c/g^2``, so the density is ``~ C s^(-1/2)`` at
distance ``s`` (the arcsine law ``(δ_0 + δ_1)/2 ⊞ (δ_0 + δ_1)/2`` is the simplest case); ``a b`` for ⊠.

Found by the property test of ``test_support_certified.py`` (a random example):
``(6/13 δ_{-5/2} + 7/13 δ_{13/4}) ⊞ (6/13 δ_{13/4} + 7/13 δ_{-4})`` had ``total_mass() = 1.00009``.  Two faults:

* the edges came out one ulp inside ``±13/2`` (the critical-point search stops where the sign of ``x'`` is lost to
  rounding), and next to a ``1/sqrt`` edge that ulp is ``delta/(2 s)`` of relative error at the quadrature's
  nodes closest to it;
* the subordination solver accepted a point 1e-8 from the pole of ``G_mu`` whose residual was 3e-11 (a Newton
  correction of 2.5e-4, larger than the distance to the pole), as "stuck at rounding": the density there was 100
  times too large, without a warning, for ``s`` from 3e-12 to 5e-11.

References: the law's exact algebraic equation (``law.algebraic()``: its certified edges and its density, built
over Q from the operands' equations, no subordination), and the exact limits ``a + b`` / ``a b``.
"""
import warnings
from fractions import Fraction as F

import mpmath
import numpy as np
import pytest

import freetk as ft
from freetk.errors import PrecisionWarning

EPS = np.finfo(float).eps
MASS_TOL = 1e-6       # as in test_support_certified.py (edge-adapted quadrature)


def found_by_hypothesis():
    return ft.free_add(ft.atoms([F(-5, 2), F(13, 4)], [F(6, 13), F(7, 13)]),
                       ft.atoms([F(13, 4), -4], [F(6, 13), F(7, 13)]))


CASES = {
    # (law, exact hard edges with the side of the support: +1 the support to the right)
    "add found by hypothesis": (found_by_hypothesis, [(F(-13, 2), +1), (F(13, 2), -1)]),
    "add edges 2/3 and 3": (lambda: ft.free_add(ft.atoms([F(1, 3), 1], [F(1, 3), F(2, 3)]),
                                                ft.atoms([F(1, 3), 2], [F(2, 3), F(1, 3)])),
                            [(F(2, 3), +1), (F(3), -1)]),
    "mul edges 1 and 6": (lambda: ft.free_mul(ft.atoms([1, 2], [F(1, 3), F(2, 3)]), ft.atoms([1, 3], [F(2, 3), F(1, 3)])),
                          [(F(1), +1), (F(6), -1)]),
    "mul edges 1/21 and 6": (lambda: ft.free_mul(ft.atoms([F(1, 3), 2], [F(1, 3), F(2, 3)]),
                                                 ft.atoms([F(1, 7), 3], [F(2, 3), F(1, 3)])),
                             [(F(1, 21), +1), (F(6), -1)]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_hard_edges_are_the_exact_limits_and_the_certified_edges(name):
    make, hard = CASES[name]
    law = make()
    got = [v for iv in law.support() for v in iv]
    ref = [v for iv in law.algebraic().support() for v in iv]
    assert len(got) == len(ref)
    assert got == pytest.approx(ref, rel=1e-13, abs=1e-15)
    for c, _ in hard:
        assert float(c) in got          # the double nearest to a + b (a b), not an ulp inside
    # to 30 digits: the exact limit (a square-root polish of the critical point has none to find here)
    ends = [v for iv in law.support(dps=30) for v in iv]
    with mpmath.workdps(40):
        for c, _ in hard:
            assert min(abs(v - mpmath.mpf(c.numerator) / c.denominator) for v in ends) <= mpmath.mpf(10) ** -29


@pytest.mark.parametrize("name", list(CASES))
def test_density_next_to_the_hard_edge_against_the_algebraic_equation(name):
    """At distance ``s`` a double evaluation is conditioned like ``eps |x| / (2 s)`` (the rounding of ``x`` against
    the edge); the bound allows 100 times that, and caught the 100-fold values of the spurious solutions."""
    make, hard = CASES[name]
    law = make()
    alg = law.algebraic()
    for c, side in hard:
        for s in np.geomspace(1e-14, 1e-6, 17):      # 1e-14: the ⊠ edge 1/21 was 0 below 6e-13
            x = float(c) + side * s
            got, ref = float(law.pdf(x)), float(alg.pdf(x))
            assert ref > 0
            dist = abs(x - float(c))
            assert abs(got / ref - 1) <= 1e-6 + 100 * EPS * abs(x) / dist, (x, got, ref)


def test_the_case_found_by_hypothesis_has_mass_one_without_warning():
    law = found_by_hypothesis()
    with warnings.catch_warnings():
        warnings.simplefilter("error", PrecisionWarning)
        assert abs(law.total_mass() - 1) < 1e-10
        assert abs(law.cdf(0.0) - (1 / 13 + law.cdf(-0.8))) < 1e-15      # the atom at -3/4 and no mass in the gap


@pytest.mark.parametrize("name", list(CASES))
def test_mass_one(name):
    law = CASES[name][0]()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PrecisionWarning)   # next to a hard edge the estimate is pessimistic
        assert abs(law.total_mass() - 1) < MASS_TOL


def test_a_far_atom_does_not_widen_the_snap_window():
    """The window is relative to the pair's own terms: with an atom at 1e12 in the law, a window relative to the
    whole support (0.1 wide) moved the square-root edge at 1.9674 onto the pair point 2 (found by a review)."""
    mu = ft.atoms([0, 1, 3, 10 ** 12], [F(1, 2), F(6, 25), F(1, 4), F(1, 100)])
    nu = ft.atoms([0, 2], [F(1, 2), F(1, 2)])
    got = ft.free_add(mu, nu).support()[:2]
    # the same first two intervals without the far atom's influence on the window (atom at 1e9: the certified edges)
    ref_law = ft.free_add(ft.atoms([0, 1, 3, 10 ** 9], [F(1, 2), F(6, 25), F(1, 4), F(1, 100)]), nu)
    ref = ref_law.algebraic().support()[:2]
    assert got[0][1] < 1.99 and [v for iv in got for v in iv] == pytest.approx([v for iv in ref for v in iv], rel=1e-9)


def test_float_weights_summing_to_one_are_a_hard_edge_too():
    """Weights 0.5 + 0.5 (floats) are the same law as 1/2 + 1/2: the edges 1 and 2 exact, density 0 beyond them
    (it was 3e6 at the double above 1, whose edge came out an ulp outside), support(dps) without NoConvergence."""
    law = ft.free_add(ft.atoms([0, 1], [0.5, 0.5]), ft.atoms([0, 2], [0.5, 0.5]))
    exact = ft.free_add(ft.atoms([0, 1]), ft.atoms([0, 2]))
    assert law.support() == exact.support() == [(0.0, 1.0), (2.0, 3.0)]
    assert float(law.pdf(np.nextafter(1.0, 2.0))) == 0.0
    assert [float(v) for iv in law.support(dps=20) for v in iv] == [0.0, 1.0, 2.0, 3.0]


def test_two_pairs_with_the_same_limit_from_both_sides_are_no_gap():
    """``a ⊠ a``, ``a = 3/4 δ_{13/2} + 1/4 δ_{21/4}``: the pairs (13/2, 21/4) and (21/4, 13/2) both have masses adding
    up to 1 and the same limit 273/8, one from each side.  The support came out as two intervals meeting at 34.125
    (a random example of test_support_certified.py's property test); the algebraic equation's certified support is one
    interval, and its density crosses the point smoothly."""
    a = ft.atoms([F(13, 2), F(21, 4)], [F(3, 4), F(1, 4)])
    law = ft.free_mul(a, a)
    alg = law.algebraic()
    got, ref = law.support(), alg.support()
    assert len(got) == len(ref) == 1
    assert [v for iv in got for v in iv] == pytest.approx([v for iv in ref for v in iv], rel=1e-13)
    for s in (1e-2, 1e-6, -1e-6, -1e-2):
        x = 34.125 + s
        assert abs(float(law.pdf(x)) / float(alg.pdf(x)) - 1) < 1e-10
    assert abs(law.total_mass() - 1) < 1e-12


def _arcsine_G(z):
    """``G`` of the arcsine law on [0, 2] at 40 digits: ``1/(sqrt(z) sqrt(z - 2))`` (principal roots)."""
    with mpmath.workdps(40):
        z = mpmath.mpc(z)
        return complex(1 / (mpmath.sqrt(z) * mpmath.sqrt(z - 2)))


def test_arcsine_next_to_its_hard_edges_against_the_closed_form():
    """``(δ_0 + δ_1)/2 ⊞ (δ_0 + δ_1)/2`` is the arcsine law on [0, 2].  Next to the limit ``c`` of a pole pair with
    ``m + n = 1`` the subordination equation's ``O(omega)`` terms cancel: the solve's density was off by 5.6e-9 at
    ``1e-20``, 7 % at ``1e-30`` and a constant 6.7e14 below ``1e-40`` (``pdf(0.0)`` too), without a warning, and
    ``pdf(x, dps=30)`` raised NoConvergence from ``1e-30`` on.  Now from the equation written around the pair (products
    only, docs/numerics.md).  Reference: the closed forms ``1/(pi sqrt(x (2 - x)))`` and ``1/(sqrt(z) sqrt(z - 2))``."""
    law = ft.free_add(ft.atoms([0, 1]), ft.atoms([0, 1]))
    xs = [10.0 ** -k for k in (6, 8, 12, 16, 20, 30, 50, 100, 200, 300)] + [2 - 2.0 ** -40, 2 - 2.0 ** -51]
    for x in xs:
        with mpmath.workdps(40):
            ref = float(1 / (mpmath.pi * mpmath.sqrt(mpmath.mpf(x) * (2 - mpmath.mpf(x)))))
        assert abs(law.pdf(x) / ref - 1) <= 4 * EPS, x
    for z in (1e-30 + 1e-30j, -1e-20 + 0j, 2 + 1e-25j, -3e-9 + 1e-12j, 1e-200 + 0j):
        ref = _arcsine_G(z)
        assert abs(law.cauchy(np.array([z]))[0] - ref) <= 8 * EPS * abs(ref), z
    # at the edges themselves the density is infinite: 0 as the arcsine law's own; G infinite, in its direction
    assert law.pdf(0.0) == ft.arcsine(0, 2).pdf(0.0) == 0 and law.pdf(2.0) == 0
    g0 = law.cauchy(np.array([0j]))[0]
    assert g0.real == -np.inf and g0.imag == -np.inf
    with mpmath.workdps(50):
        for s in ("1e-30", "1e-300"):
            X = mpmath.mpf(s)
            ref = 1 / (mpmath.pi * mpmath.sqrt(X * (2 - X)))
            assert abs(law.pdf(X, dps=30) / ref - 1) <= mpmath.mpf(10) ** -28, s


@pytest.mark.parametrize("name, c, side", [("add edges 2/3 and 3", F(2, 3), +1), ("add edges 2/3 and 3", F(3), -1),
                                           ("mul edges 1/21 and 6", F(1, 21), +1), ("mul edges 1/21 and 6", F(6), -1)])
def test_density_ulps_from_a_hard_edge_is_that_of_the_float(name, c, side):
    """``(1/3 δ_{1/3} + 2/3 δ_1) ⊞ (2/3 δ_{1/3} + 1/3 δ_2)`` at ``k`` ulps inside its hard edges ``2/3`` and ``3``, and
    ``(1/3 δ_{1/3} + 2/3 δ_2) ⊠ (2/3 δ_{1/7} + 1/3 δ_3)`` inside ``1/21`` and ``6``: the density of the exact law at
    that float ``x`` (``x - c`` formed from the exact ``c``), not only within the conditioning ``eps |x|/(2 s)``: ⊞ was
    58 % off at one ulp, 2 % at ten, 2e-10 at 1e9 ulps; ⊠ 0 (100 %) at one and ten ulps of 1/21, 1.3e-4 at 1e3.
    Against the algebraic equation's density at the same float at 40 digits."""
    law = CASES[name][0]()
    alg = law.algebraic()
    x0 = float(c)
    for k in (1, 2, 10, 10 ** 3, 10 ** 6, 10 ** 9):
        x = x0 + side * k * np.spacing(x0)
        assert side * (F(x) - c) > 0
        ref = float(alg.pdf(x, dps=40))
        assert abs(law.pdf(x) / ref - 1) <= 4 * EPS, k


def test_product_at_30_digits_next_to_its_hard_edge():
    """⊠ at ``dps=30`` next to its hard edges (the point rounded to 30 digits: the point the law is asked about), by the
    equation around the pole pair; ``x - c`` formed in the working context kept only the digits of ``c`` left after the
    cancellation (1e-22 relative at ``1/21 + 1e-40``), it is formed exactly now.  Against the algebraic equation's
    density at 70 digits at the same point."""
    law = CASES["mul edges 1/21 and 6"][0]()
    alg = law.algebraic()
    with mpmath.workdps(80):
        for c, side, s in ((F(1, 21), +1, "1e-40"), (F(6), -1, "1e-25"), (F(6), -1, "1e-12")):
            X = mpmath.mpf(c.numerator) / c.denominator + side * mpmath.mpf(s)
            with mpmath.workdps(30):
                X = +X
            ref = alg.pdf(X, dps=70)
            assert abs(law.pdf(X, dps=30) / ref - 1) <= mpmath.mpf(10) ** -29, (c, s)


@pytest.mark.parametrize("make", [lambda: ft.free_add(ft.atoms([0, 1]), ft.atoms([0, 1])),
                                  CASES["add edges 2/3 and 3"][0], CASES["mul edges 1/21 and 6"][0]])
def test_mass_one_to_rounding_next_to_hard_edges(make):
    """The quadrature of the density sees its ``1/sqrt`` ends through the nodes nearest to them: with the densities there
    exact, ``total_mass() - 1`` is at rounding (it was 1.6e-12 for the arcsine law, 2.7e-13, and 1.2e-9 for the ⊠ law
    with a PrecisionWarning of 3.8e-4)."""
    law = make()
    with warnings.catch_warnings():
        warnings.simplefilter("error", PrecisionWarning)
        assert abs(law.total_mass() - 1) <= 1e-14


def test_mixture_operand_next_to_its_hard_edge_against_a_direct_solve():
    """``(½ δ_0 + ½ semicircle(3, 1)) ⊞ (δ_0 + δ_1)/2``: the pair at 0 has masses ½ + ½ (the mixture's rest, a
    semicircle, enters the equation around the pair through its own ``G``).  Reference: the two subordination equations
    ``G_mu(w1) = G_nu(w2)``, ``w1 + w2 = x + 1/G_mu(w1)`` solved by mpmath's ``findroot`` at 120 digits from
    ``w1 = i sqrt(x)``, written here from the closed forms of both operands (no freetk code)."""
    mp = mpmath.mp
    mu = ft.mixture([(F(1, 2), ft.dirac(0)), (F(1, 2), ft.semicircle(3, 1))])
    nu = ft.atoms([0, 1])
    with mpmath.workdps(120):
        def G_mu(w):
            t = w - 3
            return 1 / (2 * w) + 1 / (t + mp.sqrt(t - 2) * mp.sqrt(t + 2))

        def G_nu(w):
            return 1 / (2 * w) + 1 / (2 * (w - 1))

        def ref(x):
            z = mp.mpf(x)
            w1 = mp.mpc(0, 1) * mp.sqrt(z)
            sol = mp.findroot(lambda a, b: [G_mu(a) - G_nu(b), a + b - z - 1 / G_mu(a)],
                              (w1, z + 1 / G_mu(w1) - w1), tol=mp.mpf(10) ** -100, maxsteps=200)
            assert mp.im(sol[0]) > 0
            return float(-mp.im(G_mu(sol[0])) / mp.pi)
        refs = {x: ref(x) for x in (1e-3, 1e-8, 1e-14, 1e-30, 1e-100)}
    for law in (ft.free_add(mu, nu), ft.free_add(nu, mu)):
        for x, r in refs.items():
            assert abs(law.pdf(x) / r - 1) <= 4 * EPS, x
        assert law.pdf(-1e-8) == 0


def test_hard_edges_next_to_other_structure():
    """An adversarial round's cases.  (a) Atoms 1e-8 apart next to the limit 0 of a pair: a subnormal ``x`` gave a
    constant 1.7e22 (the local equation's terms, ~x, underflow in double: they are formed in mpmath there; the true
    density ~ x^(-1/2) reaches 3.6e164), and 1e-300 gave 7.5e21 before.  (b) The arcsine law 2e-8 wide at 1 (pairs 1e-8
    apart): the window of the local equation is now the pair's own isolation, the rest transforms take the atoms'
    exact distances, and a solve that is not conditioned (1 ulp from 1) cannot veto the local value (it was 20 % off).
    (c) Two limits 0.19 apart near 1e6: each point takes the nearest pair only.  References: the algebraic equation
    (a, c), the closed form ``1/(pi sqrt((x - 1)(1 + 2e-8 - x)))`` from the exact end points (b), and for the subnormal
    points the law ``f(x) sqrt(x) = const`` (corrections ~ sqrt(x)) from the value at 1e-100."""
    a = ft.free_add(ft.atoms([0, F(1, 10 ** 8), 1], [F(1, 4), F(1, 4), F(1, 2)]), ft.atoms([0, 1], [F(3, 4), F(1, 4)]))
    alg = a.algebraic()
    for x in (1e-300, 1e-100, 1e-20):
        assert abs(a.pdf(x) / float(alg.pdf(x, dps=40)) - 1) <= 4 * EPS, x
    const = a.pdf(1e-100) * 1e-50
    for x in (5e-324, 4.94e-320):
        assert abs(a.pdf(x) * np.sqrt(x) / const - 1) <= 4 * EPS, x
    b = ft.free_add(ft.atoms([0, F(1, 10 ** 8)]), ft.atoms([1, 1 + F(1, 10 ** 8)]))
    for k in (1, 10, 10 ** 4):
        x = 1 + k * 2.0 ** -52
        with mpmath.workdps(40):
            X = mpmath.mpf(x)
            ref = float(1 / (mpmath.pi * mpmath.sqrt((X - 1) * (1 + 2 * mpmath.mpf(10) ** -8 - X))))
        assert abs(b.pdf(x) / ref - 1) <= 8 * EPS, k
    c = ft.free_add(ft.atoms([10 ** 6, 0], [F(1, 3), F(2, 3)]), ft.atoms([F(1, 7), 10 ** 6 + F(1, 3)], [F(2, 3), F(1, 3)]))
    x = 10 ** 6 + 1 / 7 - 1e8 * np.spacing(10.0 ** 6)
    assert abs(c.pdf(x) / float(c.algebraic().pdf(x, dps=40)) - 1) <= 1e-8


def test_thirty_digits_where_two_pairs_meet_and_the_map_is_the_identity():
    """``(1/3 d_0 + 2/3 d_1) ⊞ (2/3 d_1 + 1/3 d_0)``: the pairs (0, 1) and (1, 0) both have masses adding up to 1 and
    meet at 1, inside the support, where every w is a fixed point of the subordination map (the value there is the
    limit from the neighbours).  The double-precision |1 - Phi'| is 1.6e-6 there (rounding), so the polish ran the
    secant on F = Phi(w) - w = 0 identically and stopped on an arbitrary nearby w: pdf(1, dps=30) was good to 5.6e-22,
    without a warning.  Against the law's algebraic equation at 45 digits: 1e-29 relative at 1 and next to it."""
    law = ft.free_add(ft.atoms([0, 1], [F(1, 3), F(2, 3)]), ft.atoms([1, 0], [F(2, 3), F(1, 3)]))
    alg = law.algebraic()
    for x in (1.0, 1 - 2.0 ** -40, 1 + 1e-10, 0.999):
        with warnings.catch_warnings():
            warnings.simplefilter("error", PrecisionWarning)
            v = law.pdf(x, dps=30)
        ref = alg.pdf(x, dps=45)
        with mpmath.workdps(50):
            assert abs(mpmath.mpf(v) - mpmath.mpf(ref)) <= mpmath.mpf(10) ** -29 * abs(mpmath.mpf(ref)), x


def test_identity_points_that_are_not_doubles_or_hide_behind_rounding():
    """Points where the subordination map is the identity (every w a fixed point; the value is the limit from the
    neighbours), from an adversarial round: at an exact limit that is not a double the stencil was centred on its
    double (2e-29 .. 3e-26 off at 30 digits); at (δ_0 + δ_1)/2 ⊞ (δ_1 + δ_0)/2 at 1 (the arcsine law on [0, 2],
    density 1/pi there) the double |1 - Phi'| was 1.5e-3 from rounding and the polish kept the double solution's
    digits (5e-27); (0.49 δ_1 + 0.51 δ_1000) ⊠ itself at 1000 was 57 % off in double precision and at 30 digits,
    silently (the stencil used the whole piece [1, 1e6] as its scale).  References: the laws' algebraic equations,
    and 1/pi."""
    shifted = ft.free_add(ft.atoms([0, 1], [F(1, 3), F(2, 3)]), ft.atoms([F(3001, 3), F(3004, 3)], [F(1, 3), F(2, 3)]))
    x = F(3004, 3)
    ref = shifted.algebraic().pdf(x, dps=45)
    with warnings.catch_warnings():
        warnings.simplefilter("error", PrecisionWarning)
        v = shifted.pdf(x, dps=30)
    with mpmath.workdps(50):
        assert abs(mpmath.mpf(v) - ref) <= mpmath.mpf(10) ** -29 * ref
    arcsine = ft.free_add(ft.atoms([0, 1]), ft.atoms([1, 0]))
    with mpmath.workdps(50):
        assert abs(mpmath.mpf(arcsine.pdf(1, dps=30)) - 1 / mpmath.pi) <= mpmath.mpf(10) ** -29
    wide = ft.free_mul(ft.atoms([1, 1000], [F(49, 100), F(51, 100)]), ft.atoms([1, 1000], [F(49, 100), F(51, 100)]))
    ref = wide.algebraic().pdf(1000, dps=45)
    assert abs(wide.pdf(1000.0) - float(ref)) <= 1e-12 * float(ref)
    with mpmath.workdps(50):
        assert abs(mpmath.mpf(wide.pdf(1000, dps=30)) - ref) <= mpmath.mpf(10) ** -29 * ref


def test_density_at_dps_next_to_an_edge_has_its_digits_relative_to_itself():
    """``pdf(x, dps=k)`` 1e-24 of the width inside a square-root edge: G came to k digits relative to |G| and the
    density, ``Im G`` ~ 1e-12 |G| there, lost 12 of them (6e-9 relative at k = 20, silently).  Against the
    algebraic equation at k + 30 digits."""
    law = ft.free_add(ft.atoms([0, 1], [F(1, 3), F(2, 3)]), ft.atoms([0, 2, 5], [F(1, 4), F(1, 4), F(1, 2)]))
    lo, hi = law.support(dps=80)[0]

    def exact(m):
        man, exp = m.man_exp
        return F(int(man)) * F(2) ** int(exp)
    alg = law.algebraic()
    for e in (10 ** 24, 10 ** 12):
        x = exact(lo) + (exact(hi) - exact(lo)) * F(1, e)
        ref = alg.pdf(x, dps=50)
        with mpmath.workdps(60):
            assert abs(mpmath.mpmathify(law.pdf(x, dps=20)) - ref) <= mpmath.mpf(10) ** -19 * ref, e
