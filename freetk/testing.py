r"""Hypothesis strategies and assertions for property tests of your own derivations.

Import it explicitly (it needs ``hypothesis``, part of the ``test`` extra)::

    from hypothesis import given
    import freetk as ft
    from freetk.testing import measures, assert_same_law

    @given(measures(families=("semicircle", "free_poisson")), measures(families=("semicircle",)))
    def test_free_addition_commutes(a, b):
        assert_same_law(ft.free_add(a, b), ft.free_add(b, a), k=6)

Strategies draw *exact* parameters (small rationals), so the exact layer (moments, cumulants,
transforms) is compared by equality; numeric comparisons use the tolerances you pass.
See docs/testing.md.
"""
from dataclasses import replace
from fractions import Fraction

import numpy as np
import sympy
from hypothesis import strategies as st

from .convolution import free_add, free_mul
from .errors import InvalidArgument
from .measures import registry
from .measures.parameters import Interval, Sequence, Simplex
from .montecarlo import ks_distance, remove_outliers, w1_distance

__all__ = ["rational_atomic", "measures", "parameters_of", "positive_measures", "free_convolutions", "ntk_parameters",
           "assert_same_law", "assert_monte_carlo", "FAMILIES", "ACTIVATIONS"]

#: families drawn by :func:`measures` (the registry's, :data:`freetk.measures.registry.FAMILIES`)
FAMILIES = tuple(registry.FAMILIES)
#: named activations drawn by :func:`ntk_parameters` (exact Hermite data)
ACTIVATIONS = ("relu", "quadratic", "cubic", "tanh", "erf", "sin")


def _rat(draw, lo, hi, den=4):
    return sympy.Rational(draw(st.integers(lo, hi)), draw(st.integers(1, den)))


def _order(parameters):
    """Parameters sorted so that each comes after the parameters its domain refers to."""
    names = {p.name for p in parameters}
    done, out = set(), []
    while len(out) < len(parameters):
        before = len(out)
        for p in parameters:
            dom = p.domain
            refs = {dom.of} if isinstance(dom, Simplex) else dom.refs() if isinstance(dom, Interval) else set()
            if p.name not in done and (refs & names) <= done:
                done.add(p.name)
                out.append(p)
        if len(out) == before:
            raise InvalidArgument("the declared parameters refer to each other in a cycle: "
                                  f"{sorted(names - done)}")
    return out


def _draw_parameter(draw, p, values):
    """A value of one declared parameter: a small rational from its typical range (added to the lower
    end of the domain when that end is another parameter); a sequence of such rationals; rational
    weights ``k / sum`` for a simplex."""
    a, b = p.typical
    dom = p.domain
    if isinstance(dom, Simplex):
        raw = [draw(st.integers(a, b)) for _ in values[dom.of]]
        return [Fraction(r, sum(raw)) for r in raw]
    if isinstance(dom, Sequence):
        n = draw(st.integers(*dom.length))
        return [Fraction(draw(st.integers(a, b)), draw(st.integers(1, 4))) for _ in range(n)]
    if isinstance(dom.lo, str):
        return dom.end("lo", values) + _rat(draw, a, b)
    return _rat(draw, a, b)


@st.composite
def parameters_of(draw, fam, positive=False):
    """Keyword arguments for the registered family ``fam`` (a name or a
    :class:`~freetk.measures.registry.Family`), drawn from its declared parameters; ``positive=True``
    uses the family's replacements that put the law on ``[0, inf)``."""
    fam = registry.family(fam) if isinstance(fam, str) else fam
    values = {}
    for p in _order(fam.positive_parameters() if positive else fam.parameters):
        values[p.name] = _draw_parameter(draw, p, values)
    return values


@st.composite
def rational_atomic(draw, min_atoms=1, max_atoms=4, positive=False, nonzero_mean=False):
    """A finitely supported measure with rational locations (in [-6, 6], or (0, 6] when ``positive``)
    and rational weights."""
    fam = registry.family("atoms")
    params = fam.positive_parameters() if positive else fam.parameters
    locs_p, ws_p = params
    locs_p = replace(locs_p, domain=replace(locs_p.domain, length=(min_atoms, max_atoms)))
    locs = _draw_parameter(draw, locs_p, {})
    ws = _draw_parameter(draw, ws_p, {"locations": locs})
    m = fam.build(locs, ws)
    if nonzero_mean and m.moments(1)[1] == 0:
        m = fam.build([x + 1 for x in locs], ws)
    return m


@st.composite
def measures(draw, families=FAMILIES, positive=False):
    """A measure of one of the registered ``families`` with exact rational parameters drawn from the
    declared typical values (:func:`parameters_of`).

    ``positive=True`` draws laws on ``[0, inf)`` only (e.g. semicircles shifted to the right of 0).
    """
    bad = [f for f in families if f not in FAMILIES]
    if bad or not families:
        raise InvalidArgument(f"Argument `families` of `measures` must be a non-empty subset of {FAMILIES}, got {families!r}")
    fam = registry.FAMILIES[draw(st.sampled_from(list(families)))]
    return fam.build(**draw(parameters_of(fam, positive=positive)))


def positive_measures(families=FAMILIES):
    """:func:`measures` on ``[0, inf)`` (what ``free_mul``, ``resolvent`` and ``log_det`` need)."""
    return measures(families=families, positive=True)


@st.composite
def free_convolutions(draw, families=("semicircle", "marchenko_pastur", "free_poisson", "atoms"), ops=("add", "mul")):
    """``(a, b, op, result)``: two drawn measures and their free additive or multiplicative convolution
    (``mul`` draws both on ``[0, inf)``, ``a`` with a non-zero mean)."""
    op = draw(st.sampled_from(list(ops)))
    if op == "add":
        a, b = draw(measures(families)), draw(measures(families))
        return a, b, op, free_add(a, b)
    a = draw(measures(families, positive=True).filter(lambda m: m.moments(1)[1] != 0))
    b = draw(measures(families, positive=True).filter(lambda m: m.moments(1)[1] != 0))
    return a, b, op, free_mul(a, b)


@st.composite
def ntk_parameters(draw, activations=ACTIVATIONS, d_laws=tuple(n for n, d in registry.D_LAWS.items() if d.bounded)):
    """Keyword arguments for :func:`freetk.ntk_law`: an activation, ``gamma1``, ``gamma2`` (rationals in
    ``[1/4, 4]``) and ``d_law`` (by default the bounded named laws of the registry)."""
    return {"activation": draw(st.sampled_from(list(activations))),
            "gamma1": sympy.Rational(draw(st.integers(1, 16)), 4),
            "gamma2": sympy.Rational(draw(st.integers(1, 16)), 4),
            "d_law": draw(st.sampled_from(list(d_laws)))}


# ----------------------------------------------------------------------------- assertions
def _is_exact(v):
    return isinstance(v, (int, Fraction)) or (isinstance(v, sympy.Basic) and v.is_number and v.is_Rational)


def assert_same_law(a, b, tol=1e-10, k=6, x=None):
    r"""Assert that two measures are the same law: by moments and by cdf.

    * moments ``m_0..m_k``: exactly equal when both are exact rationals (sympy-simplified difference
      0 when symbolic), else ``|m_j(a) - m_j(b)| <= tol * max(1, |m_j(b)|)``;
    * cdf on ``x`` (default: 101 points across the union of both supports, atoms and midpoints
      between them): ``max |F_a - F_b| <= tol``.  Skipped with ``x=False`` (symbolic laws).

    Raises ``AssertionError`` naming the first difference.
    """
    ma, mb = a.moments(k), b.moments(k)
    for j, (u, v) in enumerate(zip(ma, mb)):
        if _is_exact(u) and _is_exact(v):
            if sympy.nsimplify(u) != sympy.nsimplify(v):
                raise AssertionError(f"moment m_{j} differs: {u} != {v}")
        elif isinstance(u, sympy.Basic) and u.free_symbols or isinstance(v, sympy.Basic) and v.free_symbols:
            if sympy.simplify(sympy.sympify(u) - sympy.sympify(v)) != 0:
                raise AssertionError(f"moment m_{j} differs: {u} != {v}")
        else:
            fu, fv = float(u), float(v)
            if not abs(fu - fv) <= tol * max(1.0, abs(fv)):
                raise AssertionError(f"moment m_{j} differs: {fu!r} vs {fv!r} (tol {tol})")
    if x is False:
        return
    if x is None:
        pts = []
        for m in (a, b):
            e = m.edges()
            pts += [e.lower, e.upper]
        lo, hi = min(pts), max(pts)
        pad = 0.05 * max(hi - lo, 1e-3)
        x = np.linspace(lo - pad, hi + pad, 101)
        # avoid sitting exactly on an atom, where rounding can put a jump on either side
        locs = [loc for m in (a, b) for loc, _ in m.atoms_float()]
        if locs:
            x = x[np.min(np.abs(x[:, None] - np.array(locs)[None, :]), axis=1) > 1e-9 * (1 + abs(hi))]
    x = np.asarray(x, float)
    Fa, Fb = np.asarray(a.cdf(x), float), np.asarray(b.cdf(x), float)
    i = int(np.argmax(np.abs(Fa - Fb)))
    if not abs(Fa[i] - Fb[i]) <= tol:
        raise AssertionError(f"cdfs differ by {abs(Fa[i] - Fb[i]):.3e} at x = {x[i]!r} (tol {tol})")


def assert_monte_carlo(law, sample, n_outliers=0, ks_tol=None, w1_tol=None):
    r"""Assert that a random-matrix spectrum ``sample`` follows ``law``.

    The ``n_outliers`` largest values are removed first (for the NTK use
    :func:`freetk.ntk_outliers` or ``montecarlo.predicted_outliers``).  Then the Kolmogorov-Smirnov
    distance between the empirical cdf and ``law.cdf`` must be at most ``ks_tol`` (default
    ``1.63 / sqrt(n)``, the 1 % critical value for n independent draws — eigenvalues are more rigid
    than independent draws, so this is generous for sampling noise, but it does not cover a
    finite-size *bias*: pass your own bound for small matrices), and, when given, the Wasserstein-1
    distance at most ``w1_tol``.  Returns ``{"ks": ..., "w1": ..., "n": ...}``.
    """
    e = np.sort(np.asarray(sample, float))
    if e.ndim != 1 or e.size < 2:
        raise InvalidArgument("Argument `sample` of `assert_monte_carlo` must be a 1-d array of at least 2 values")
    bulk, _, _ = remove_outliers(e, int(n_outliers))
    n = bulk.size
    ks = ks_distance(bulk, law)
    w1 = w1_distance(bulk, law)
    bound = 1.63 / np.sqrt(n) if ks_tol is None else ks_tol
    if not ks <= bound:
        raise AssertionError(f"KS distance {ks:.4f} > {bound:.4f} (n = {n}, W1 = {w1:.4g})")
    if w1_tol is not None and not w1 <= w1_tol:
        raise AssertionError(f"W1 distance {w1:.4g} > {w1_tol:.4g} (n = {n}, KS = {ks:.4f})")
    return {"ks": ks, "w1": w1, "n": n}
