"""The Cauchy transform just left of a hard edge at 0 (rate-1 free Poisson laws, the NTK law at gamma1 = 1).

There ``G(-t) ~ C/sqrt(t)`` and ``zeta = 1/G ~ sqrt(t)`` is a small difference of large terms.  Three roundings lost
digits without a warning: Marchenko-Pastur's closed form computed ``u + 1 - r`` (1 - r = 0 after ``u`` was rounded
into 1: 4e-11 relative at t = 1e-14, 5.5e-10 at 1e-16); the free compound Poisson solver's Newton formed ``Phi - zeta``
(``eps |zeta|`` of noise in a residual of size t: 3e-10 at 1e-14, 3e-7 at 1e-20) and stopped on a residual relative to
``|zeta|``; its mpmath polish did the same (NoConvergence at 1e-16).  References: the exact closed form of MP, a
direct mpmath root of the free compound Poisson equation written here, and the exact route of the NTK law.
"""
import warnings

import mpmath
import numpy as np
import pytest
import sympy

import freetk as ft
from freetk.errors import PrecisionWarning

TS = [1e-8, 1e-12, 1e-14, 1e-16, 1e-20]


@pytest.mark.parametrize("t", TS)
def test_marchenko_pastur_ratio_one_next_to_zero(t):
    with mpmath.workdps(40):
        T = mpmath.mpf(t)
        exact = 2 / (mpmath.sqrt(T * T + 4 * T) + T)       # int dMP(x)/(x + t), ratio 1
        got = ft.marchenko_pastur(1).resolvent(t)
        assert abs(got - exact) <= 1e-15 * exact
        assert abs(ft.marchenko_pastur(1).resolvent(t, dps=30) - exact) <= mpmath.mpf(10) ** -29 * exact


def _fcp_reference(t, jumps, dps=40):
    """``-G(-t)`` of the free compound Poisson law of rate 1 and uniform jumps ``jumps``: the root ``zeta = 1/G`` of
    ``z = zeta^2 G_J(zeta)`` (rate 1), ``G_J(zeta) = mean 1/(zeta - J)``, by mpmath's findroot from ``zeta ~
    -sqrt(t/E[1/J])`` (``G_J(0) = -E[1/J]``: zeta is negative for z = -t)."""
    with mpmath.workdps(dps):
        z = -mpmath.mpf(t)
        GJ = lambda s: sum(1 / (s - j) for j in jumps) / len(jumps)       # noqa: E731
        inv = sum(mpmath.mpf(1) / j for j in jumps) / len(jumps)
        zeta = mpmath.findroot(lambda s: s * s * GJ(s) - z, -mpmath.sqrt(mpmath.mpf(t) / inv))
        return -1 / zeta


@pytest.mark.parametrize("t", TS)
def test_free_compound_poisson_rate_one_next_to_zero(t):
    law = ft.free_compound_poisson(1, ft.atoms([1, 2]))
    ref = _fcp_reference(t, [1, 2])
    assert abs(law.resolvent(t) - ref) <= 1e-15 * ref, (law.resolvent(t), ref)
    with mpmath.workdps(40):
        assert abs(law.resolvent(t, dps=30) - ref) <= mpmath.mpf(10) ** -28 * ref


def test_ntk_closed_route_at_gamma1_one_next_to_zero():
    """D = +-1, gamma1 = 1: the closed route (free compound Poisson solver) against the exact route (its own Newton
    in u = 1/(gamma1 G) with G_mu by the contour), two solves of different equations."""
    half = sympy.Rational(1, 2)
    closed = ft.ntk_law("relu", gamma1=1, gamma2=half)
    exact = ft.ntk_law("relu", gamma1=1, gamma2=half, d_law="rademacher", method="exact")
    ts = np.array(TS)
    a, b = closed.resolvent(ts), exact.resolvent(ts)
    assert np.all(np.abs(a - b) <= 2e-15 * np.abs(b)), np.abs(a - b) / np.abs(b)


@pytest.mark.parametrize("r", [1 - 1e-9, 1 + 1e-9, 0.999999])
def test_marchenko_pastur_lower_edge_for_a_ratio_next_to_one(r):
    """``(1 - sqrt r)^2`` cancels for a rate r next to 1 (2.2e-7 relative at 1 + 1e-9): computed as
    ``(1 - r)^2/(1 + sqrt r)^2``.  Reference: ``jump (1 - sqrt rate)^2`` in mpmath at 40 digits from the law's own
    double parameters (``marchenko_pastur(r)`` has rate 1/r and jump r)."""
    law = ft.marchenko_pastur(r)
    with mpmath.workdps(40):
        rate, jump = (mpmath.mpf(float(law.parameters[k])) for k in ("rate", "jump"))
        exact = jump * (1 - mpmath.sqrt(rate)) ** 2
        lo = law.support()[0][0]
        assert abs(lo - exact) <= 1e-15 * exact, (lo, exact)
        assert abs(law.support(dps=30)[0][0] - exact) <= mpmath.mpf(10) ** -28 * exact


def _cubic_reference(t, dps=60):
    """``-G(-t)`` for rate 1 and jumps {1, 2} from the cubic it solves: ``G_J(s) = (2s - 3)/(2(s - 1)(s - 2))``, so
    ``z = s^2 G_J(s)`` is ``2s^3 - (3 + 2z)s^2 + 6zs - 4z = 0``; with ``z = -t``, ``s = sqrt(t) y``:
    ``2 sqrt(t) y^3 - (3 - 2t) y^2 - 6 sqrt(t) y + 4 = 0`` (coefficients of order 1 at any t). zeta = 1/G is the root
    on the increasing branch, ``y`` next to ``-sqrt(4/3)`` (mpmath's polyroots, not the solver's Newton)."""
    with mpmath.workdps(dps):
        T = mpmath.mpf(t)
        q = mpmath.sqrt(T)
        roots = mpmath.polyroots([2 * q, -(3 - 2 * T), -6 * q, 4], maxsteps=400, extraprec=200)
        y = min(roots, key=lambda v: abs(v + mpmath.sqrt(mpmath.mpf(4) / 3)))
        assert abs(mpmath.im(y)) <= mpmath.mpf(10) ** -40
        return -1 / (q * mpmath.re(y))


DEEP = [1e-25, 1e-26, 1e-28, 1e-40, 1e-100, 1e-300]


@pytest.mark.parametrize("t", DEEP)
def test_free_compound_poisson_far_closer_to_the_hard_edge(t):
    """Below |z| ~ 1e-24 the solver lost digits without a warning: a Newton polish that ran out of steps while
    still halving its way down the square root was accepted on a residual below 1e-11 (1e-12 relative at 1e-26); the descent towards the axis jumped from 1e-11 straight to the target, and when that failed it kept the
    value at x + 1e-9 i (1e-28 and below: off by 100 %); Newton divided by ``Phi_u - 1``, pure rounding once
    ``|zeta| ~ eps``.  Now every one to rounding, in double and at 30 digits."""
    law = ft.free_compound_poisson(1, ft.atoms([1, 2]))
    ref = _cubic_reference(t)
    got = law.resolvent(t)
    assert abs(got - ref) <= 1e-15 * ref, (got, ref)
    with mpmath.workdps(40):
        assert abs(law.resolvent(t, dps=30) - ref) <= mpmath.mpf(10) ** -28 * ref


def test_ntk_closed_route_at_gamma1_one_far_closer_to_zero():
    """The same at the NTK law, gamma1 = 1: the closed route (free compound Poisson solver) against the exact route
    (its own Newton in u on the real axis, G_mu by the contour)."""
    half = sympy.Rational(1, 2)
    closed = ft.ntk_law("relu", gamma1=1, gamma2=half)
    exact = ft.ntk_law("relu", gamma1=1, gamma2=half, d_law="rademacher", method="exact")
    ts = np.array([1e-26, 1e-28, 1e-40, 1e-100])
    a, b = closed.resolvent(ts), exact.resolvent(ts)
    assert np.all(np.abs(a - b) <= 2e-15 * np.abs(b)), np.abs(a - b) / np.abs(b)


@pytest.mark.parametrize("t", [1e-20, 1e-28, 1e-32, 1e-40, 1e-100])
def test_free_compound_poisson_derivative_next_to_the_hard_edge(t):
    """``G'`` by the implicit function theorem divided by ``1 - Phi_u`` formed, which is rounding once |zeta| ~ eps
    (22 % off at 1e-32, NaN at 1e-36, infinite at 1e-300; a review found it).  Reference: the implicit derivative of
    the cubic: with ``P(s, z) = 2s^3 - (3 + 2z)s^2 + 6zs - 4z``, ``ds/dz = -P_z/P_s`` and ``G' = -s'/s^2``."""
    law = ft.free_compound_poisson(1, ft.atoms([1, 2]))
    with mpmath.workdps(60):
        s = -1 / _cubic_reference(t)
        z = -mpmath.mpf(t)
        Pz = -2 * s * s + 6 * s - 4
        Ps = 6 * s * s - 2 * (3 + 2 * z) * s + 6 * z
        dG = (Pz / Ps) / (s * s)
    got = law._cauchy_pair_np(np.array([-t + 0j]))[1][0]
    assert abs(got - complex(dG)) <= 1e-14 * abs(complex(dG)), (got, dG)


def test_free_mul_next_to_its_hard_edge_right_or_warned():
    """``MP(1/2) ⊠ MP(1)``: with ``psi = sum m_k z^-k`` the law solves ``z psi = (1 + psi)^2 (1 + psi/2)`` and
    ``G = (1 + psi)/z``; at 0, ``psi = -1 + delta`` with ``delta^2 ~ -2z``, so ``G(x + i0) = -i sqrt(2/x) (1 + O(sqrt x))``
    and the density is ``sqrt 2/(pi sqrt x)``.  At x = 1e-90 both are right without a warning.  At 1e-150 the solve
    stops ~7e-104 above the axis (the multiplicative map overflows below): the values there were returned without a
    warning (the density 1.2e51 against 4.5e74; ``cauchy`` combined omega at that height with z itself); then both
    came with a PrecisionWarning (found by a review).  Since the subordination's residual is measured against the
    unknown's own size (``1/|z|``, not ``|z|``) and ``1/w - 1/G(1/w)`` is formed as ``K/G``, 1e-150 is reached and
    right; at 1e-200 the map overflows and both values come with the warning."""
    law = ft.free_mul(ft.marchenko_pastur(0.5), ft.marchenko_pastur(1))
    for x in (1e-90, 1e-150):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            G = law.cauchy(np.array([x + 0j]))[0]
            f = law.pdf(np.array([x]))[0]
        assert abs(G.imag + np.sqrt(2 / x)) <= 1e-14 * np.sqrt(2 / x), G
        assert abs(f - np.sqrt(2) / (np.pi * np.sqrt(x))) <= 1e-14 * f, f
    with pytest.warns(PrecisionWarning, match="height"):
        law.cauchy(np.array([1e-200 + 0j]))
    with pytest.warns(PrecisionWarning, match="smoothed|follow no law"):
        law.pdf(np.array([1e-200]))


def test_cauchy_exactly_at_an_atom_is_infinite():
    """G is infinite at an atom.  The solve followed the point down to ~1e-309 and returned the finite value there
    (NoConvergence before the descent went below its floor; then a PrecisionWarning); now the limit from above is
    returned without a solve: -i inf, and a NaN real part since 0 lies on the jump law's support (where ``int dJ/t``,
    which gives it, is not computed; docs/numerics.md, "The Cauchy transform at its real poles").  With the jumps
    off 0 the real part is ``-r E/w`` (tests/test_real_poles.py)."""
    law = ft.free_compound_poisson(0.5, ft.uniform(0, 1))
    assert law.atoms_float()[0][0] == 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        g = law.cauchy(np.array([0j, 0.5j]))
    assert g[0].imag == -np.inf and np.isnan(g[0].real)
    assert np.isfinite(g[1])


def test_a_frozen_point_that_is_exact_is_not_warned():
    """``uniform(1, 2) ⊠ (δ_1 + δ_2)/2`` at z = 0, far from its support: the solve stops ~1e-154 above the axis, and the
    value there is G(0) to rounding; the check against twice that height passes it over (the first version of the
    warning fired here: a review).  Reference: ``G(0) = -E[1/t] = -E_U[1/U] E_A[1/A] = -(3/4) log 2`` (inverse moments
    multiply under ⊠)."""
    law = ft.free_mul(ft.uniform(1, 2), ft.atoms([1, 2]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        g = law.cauchy(np.array([0j]))[0]
    assert abs(g.real + 0.75 * np.log(2)) <= 4e-16 and abs(g.imag) <= 1e-100
