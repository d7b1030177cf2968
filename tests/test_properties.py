"""Property tests over the public API (issue 12): random measures, convolutions and NTK laws.

For every measure drawn: total mass 1, density >= 0 and finite, cdf non-decreasing in [0, 1],
moments of the density (plus atoms) equal to the exact moments, and no exception other than the
library's documented errors (valid input may only meet NoConvergence, which names the point).  The
default run draws few fixed examples; the ``slow`` variants draw more (and include the NTK laws).
"""
from datetime import timedelta
from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import freetk as ft
from freetk.errors import NoConvergence

MASS_TOL = 1e-6       # total_mass: edge-adapted quadrature, tolerance 1e-12 per piece; solvers ~1e-9
MOMENT_TOL = 1e-5     # relative, first two moments through expect()
CDF_TOL = 1e-8

frac = lambda lo, hi, den=8: st.builds(F, st.integers(lo * den, hi * den), st.just(den))  # noqa: E731
pos_frac = lambda hi, den=8: st.builds(F, st.integers(1, hi * den), st.just(den))  # noqa: E731


@st.composite
def family(draw, positive=False):
    kind = draw(st.sampled_from(["semicircle", "mp", "uniform", "arcsine", "atoms", "free_poisson"]
                                if not positive else ["mp", "uniform+", "free_poisson", "atoms+"]))
    if kind == "semicircle":
        return ft.semicircle(draw(frac(-3, 3)), draw(pos_frac(4)))
    if kind == "mp":
        return ft.marchenko_pastur(draw(st.sampled_from([F(1, 10), F(1, 3), F(1, 2), 1, 2, 3])))
    if kind == "uniform":
        lo = draw(frac(-3, 2))
        return ft.uniform(lo, lo + draw(pos_frac(4)))
    if kind == "uniform+":
        lo = draw(frac(0, 2))
        return ft.uniform(lo, lo + draw(pos_frac(3)))
    if kind == "arcsine":
        lo = draw(frac(-3, 2))
        return ft.arcsine(lo, lo + draw(pos_frac(4)))
    if kind == "free_poisson":
        return ft.free_poisson(draw(st.sampled_from([F(1, 2), 1, 2, 5])), draw(st.sampled_from([F(1, 2), 1, 2])))
    n = draw(st.integers(1, 3))
    lo = 0 if kind == "atoms+" else -3
    locs = sorted({draw(frac(lo, 3, 4)) for _ in range(n)})
    raw = [draw(st.integers(1, 4)) for _ in locs]
    return ft.atoms(locs, [F(r, sum(raw)) for r in raw])


@st.composite
def convolution(draw):
    if draw(st.booleans()):
        return ft.free_add(draw(family()), draw(family()))
    return ft.free_mul(draw(family(positive=True)), draw(family(positive=True)))


#: laws of D whose NTK law is computed exactly (closed route: D^2 constant), with E[D^2]
EXACT_D = [("rademacher", 1), (ft.atoms([-2, 2]), 4)]
#: laws of D on the moment route (a Gauss rule standing for mu) unless phi is even, with E[D^2]
MOMENT_D = [("uniform", F(1, 3)), (ft.atoms([0, 1], [F(1, 2), F(1, 2)]), F(1, 2)),
            (ft.atoms([-1, 0, 2], [F(1, 4), F(1, 4), F(1, 2)]), F(9, 4))]
GAMMAS = [F(1, 100), F(1, 10), F(1, 2), 1, 3, 10, 50]


@st.composite
def ntk(draw, exact=True):
    """An NTK law over extreme (gamma1, gamma2) in [1/100, 50].  ``exact=True``: the laws computed
    exactly (D^2 constant, or an even phi -- tanh -- with any D); ``exact=False``: the moment route."""
    g1 = draw(st.sampled_from(GAMMAS))
    g2 = draw(st.sampled_from(GAMMAS))
    if exact:
        act = draw(st.sampled_from(["relu", "tanh", "gelu", "quadratic"]))
        d_law, e_t = draw(st.sampled_from(EXACT_D + (MOMENT_D if act == "tanh" else [])))
    else:
        act = draw(st.sampled_from(["relu", "gelu", "quadratic"]))
        d_law, e_t = draw(st.sampled_from(MOMENT_D))
    return ft.ntk_law(act, gamma1=g1, gamma2=g2, d_law=d_law), e_t


def check_measure(mu, with_cdf=True, mass_tol=MASS_TOL, moment_tol=MOMENT_TOL, cdf_tol=CDF_TOL):
    """The properties every measure must have; documented library errors are allowed."""
    try:
        atoms = mu.atoms_float()
        assert sum(w for _, w in atoms) <= 1 + 1e-12
        sup = mu.support()
        pts = [a for a, _ in atoms] + [v for iv in sup for v in iv]
        if not pts:
            return
        lo, hi = min(pts), max(pts)
        span = max(hi - lo, 1e-3)
        xs = np.linspace(lo - 0.1 * span, hi + 0.1 * span, 61)
        p = np.asarray(mu.pdf(xs), float)
        assert np.all(np.isfinite(p)) and np.all(p >= -1e-12), p
        mass = mu.total_mass()
        assert abs(mass - 1) < mass_tol, mass
        m = [float(v) for v in mu.moments(2)]
        for k in (1, 2):
            got = mu.expect(lambda t, k=k: t ** k)
            assert abs(got - m[k]) <= moment_tol * max(1.0, abs(m[k])), (k, got, m[k])
        if with_cdf:
            c = np.asarray(mu.cdf(xs), float)
            assert np.all(np.isfinite(c))
            assert np.all(c >= -cdf_tol) and np.all(c <= 1 + cdf_tol), c
            assert np.all(np.diff(c) >= -cdf_tol), c
            assert c[-1] > 1 - max(mass_tol, 1e-6)
    except NoConvergence:
        pass      # a documented refusal (e.g. NoConvergence naming the point) is not a silent answer


@settings(max_examples=5, derandomize=True)     # default run: the same examples every time
@given(family())
def test_families(mu):
    check_measure(mu)


@settings(max_examples=3, derandomize=True)
@given(convolution())
def test_convolutions(mu):
    check_measure(mu, with_cdf=False)


@pytest.mark.slow
@settings(max_examples=40)
@given(family())
def test_families_slow(mu):
    check_measure(mu)


@pytest.mark.slow
@settings(max_examples=25)
@given(convolution())
def test_convolutions_slow(mu):
    check_measure(mu)


# The NTK laws over extreme (gamma1, gamma2): ~1 s per law; a generous per-example deadline makes an
# unbounded run a failure instead of a stuck CI job.
@pytest.mark.slow
@settings(max_examples=12, deadline=timedelta(seconds=120))
@given(ntk())
def test_ntk_laws_slow(law_and_et):
    law, e_t = law_and_et
    check_measure(law, with_cdf=False)
    # exact identity: m_1(rho) = (a + c1^2) E[D^2]
    h = law.hermite
    assert abs(float(law.moments(1)[1]) - float((h.a + h.c1 ** 2) * e_t)) < 1e-10


@pytest.mark.slow
@settings(max_examples=6, deadline=timedelta(seconds=120))
@given(ntk())
def test_ntk_laws_cdf_slow(law_and_et):
    check_measure(law_and_et[0], with_cdf=True)


# The moment route stands for mu by its atoms and a 32-node Gauss rule of its continuous part: rho is then the
# exact law of that discretised mu (a comb of support pieces at large gamma1, every one computed from the
# critical points of the inverse map), whose moments agree with the exact ones up to order 63.  Mass and the
# moments of the density are therefore held to the exactness of the quadrature.  The examples are
# derandomised (the same six every run) so that CI is deterministic; the worst cases once found (gamma2 = 50,
# D uniform: moments off by 1.1e-3 when pieces were located from the density) are checked just below.
MOMENT_ROUTE_MASS_TOL = 1e-12
MOMENT_ROUTE_TOL = 1e-10


@pytest.mark.slow
@pytest.mark.parametrize("act, g1, g2", [("quadratic", 1, 50), ("gelu", 10, 50)])
def test_ntk_moment_route_worst_cases_found(act, g1, g2):
    law = ft.ntk_law(act, gamma1=g1, gamma2=g2, d_law="uniform")
    m2 = float(law.moments(2)[2])
    assert abs(law.expect(lambda t: t ** 2) - m2) <= MOMENT_ROUTE_TOL * m2
    assert abs(law.total_mass() - 1) <= MOMENT_ROUTE_MASS_TOL


@pytest.mark.slow
@settings(max_examples=6, deadline=timedelta(seconds=120), derandomize=True)
@given(ntk(exact=False))
def test_ntk_laws_moment_route_slow(law_and_et):
    law, e_t = law_and_et
    check_measure(law, with_cdf=True, mass_tol=MOMENT_ROUTE_MASS_TOL, moment_tol=MOMENT_ROUTE_TOL)
    h = law.hermite
    assert abs(float(law.moments(1)[1]) - float((h.a + h.c1 ** 2) * e_t)) < 1e-10
