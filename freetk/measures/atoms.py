"""Finitely supported (atomic) measures."""
import numpy as np
import sympy

from .base import Measure, as_float, as_mp, atom_at_or_below, real_numbers
from .parameters import REALS, Parameter, Sequence, Simplex


class Atoms(Measure):
    r"""``sum_i w_i delta_{x_i}``: exact when locations and weights are exact.

    Examples
    --------
    >>> import freetk as ft
    >>> from fractions import Fraction as F
    >>> ft.atoms([-1, 1], [F(1, 2), F(1, 2)]).moments(4)
    [1, 0, 1, 0, 1]
    """

    _CLOSED_MP = frozenset({"cauchy", "pdf", "cdf"})

    PARAMETERS = (Parameter("locations", Sequence(REALS), "x_i", typical=(-6, 6), doc="locations"),
                  Parameter("weights", Simplex("locations"), "w_i", typical=(1, 5), default=None,
                            doc="weights (default: equal)"))

    def __init__(self, locations, weights=None):
        super().__init__()
        p = self._set_parameters("atoms", locations=locations, weights=weights)
        # an atom of weight 0 is no atom: kept, it gave ⊞ and ⊠ a pole, and a support piece, where the law has none
        kept = [(x, w) for x, w in zip(p["locations"], p["weights"]) if not (w == 0)]
        self._x, self._w = [x for x, _ in kept], [w for _, w in kept]

    def _moments(self, k):
        # sympify: a location given as a float (1e200) would overflow as a Python float at its 2nd power
        xs = [sympy.sympify(x) for x in self._x]
        return [sympy.expand(sum(w * x ** j for x, w in zip(xs, self._w))) if j else sympy.Integer(1)
                for j in range(k + 1)]

    def atoms(self):
        return list(zip(self._x, self._w))

    def support(self, dps=None):
        return [] if dps is None else self._support_mp(dps)

    def _cauchy_np(self, z):
        x = np.array([as_float(v) for v in self._x])
        w = np.array([as_float(v) for v in self._w])
        return np.sum(w[None, :] / (np.asarray(z)[..., None] - x[None, :]), axis=-1)

    def _cauchy_pair_np(self, z):
        """``(G, G') = (sum w/(z - x), -sum w/(z - x)^2)``."""
        if "pair_xw" not in self._cache:
            self._cache["pair_xw"] = (np.array([as_float(v) for v in self._x]),
                                      np.array([as_float(v) for v in self._w]))
        x, w = self._cache["pair_xw"]
        d = np.asarray(z, complex)[..., None] - x
        return np.sum(w / d, axis=-1), -np.sum(w / (d * d), axis=-1)

    def _cauchy_psi_np(self, z):
        """``(G, G', K, S, K')``, ``K = sum w x/(z - x)`` (an atom at 0 drops out exactly), ``S`` the sum of the terms'
        moduli, ``K' = -sum w x/(z - x)^2``."""
        g, dg = self._cauchy_pair_np(z)
        x, w = self._cache["pair_xw"]
        with np.errstate(all="ignore"):
            d = np.asarray(z, complex)[..., None] - x
            t = w * x / d
            return g, dg, np.sum(t, axis=-1), np.sum(np.abs(t), axis=-1), -np.sum(t / d, axis=-1)

    def _cauchy_var_np(self, z):
        """``G^2 + G' = -(1/2) sum_ij q_i q_j (x_i - x_j)^2 = -(sum q) sum q (x - c)^2``, ``q = w/(z - x)^2``, ``c`` the
        ``q``-weighted mean: on the real axis a sum of terms of one sign (no cancellation of the ``1/z^2`` terms)."""
        self._cauchy_pair_np(np.zeros(0, complex))          # fills the cache
        x, w = self._cache["pair_xw"]
        with np.errstate(all="ignore"):
            q = w / (np.asarray(z, complex)[..., None] - x) ** 2
            sq = np.sum(q, axis=-1)
            c = np.sum(q * x, axis=-1) / sq
            return -sq * np.sum(q * (x - c[..., None]) ** 2, axis=-1)

    def _real_limits(self, ctx=None):
        """At an atom ``x``: ``G(x + i0) = sum_{x' != x} w'/(x - x') - i inf`` (docs/numerics.md)."""
        key = ("real_limits", None if ctx is None else ctx.prec)
        if key not in self._cache:
            cv, inf, _ = real_numbers(ctx)
            xw = [(cv(x), cv(w)) for x, w in zip(self._x, self._w)]
            add = sum if ctx is None else ctx.fsum
            self._cache[key] = [(x, add(w2 / (x - x2) for x2, w2 in xw if x2 != x), -inf) for x, _ in xw]
        return self._cache[key]

    def _cauchy_mp(self, z, ctx):
        return ctx.fsum(as_mp(w, ctx) / (z - as_mp(x, ctx)) for x, w in zip(self._x, self._w))

    def _cdf_np(self, x):
        x = np.asarray(x, float)
        locs, ws = (np.array([v for v in col], float) for col in zip(*self.atoms_float()))
        return np.sum(np.where(locs <= x[..., None], ws, 0.0), axis=-1)

    def _cdf_mp(self, x, ctx):
        return ctx.fsum(as_mp(w, ctx) for x_i, w in zip(self._x, self._w) if atom_at_or_below(x_i, x, ctx))

    def _pdf_np(self, x):
        return np.zeros(np.shape(x))

    def _pdf_mp(self, x, ctx):
        return ctx.mpf(0)

    def latex(self):
        terms = [r"%s\,\delta_{%s}" % (sympy.latex(w), sympy.latex(x)) for x, w in zip(self._x, self._w)]
        return " + ".join(terms)


def atoms(locations, weights=None):
    """Atomic measure with the given locations and weights (uniform weights by default)."""
    return Atoms(locations, weights)


def dirac(x):
    """Point mass at ``x``."""
    return Atoms([x], [1])
