"""Wigner's semicircle law."""
import math

import numpy as np
import sympy

from .. import series as _series
from .base import Measure, as_float, as_mp
from .parameters import POSITIVE, REALS, Parameter


class Semicircle(Measure):
    r"""Semicircle law with mean ``mean`` and variance ``var``.

    Free cumulants ``(mean, var, 0, 0, ...)``; density
    ``sqrt(4 var - (x - mean)^2) / (2 pi var)``.

    Examples
    --------
    >>> import freetk as ft
    >>> ft.semicircle().moments(6)
    [1, 0, 1, 0, 2, 0, 5]
    >>> ft.semicircle().free_cumulants(4)
    [0, 1, 0, 0]
    """

    _CLOSED_MP = frozenset({"cauchy", "pdf", "cdf"})

    PARAMETERS = (Parameter("mean", REALS, "m", typical=(-8, 8), default=0, doc="mean"),
                  Parameter("var", POSITIVE, r"\sigma^2", typical=(1, 8), default=1, doc="variance"))

    def __init__(self, mean=0, var=1):
        super().__init__()
        p = self._set_parameters("semicircle", mean=mean, var=var)
        self._m, self._v = p["mean"], p["var"]

    def _free_cumulants(self, k):
        return ([self._m, self._v] + [sympy.Integer(0)] * k)[:k]

    def _moments(self, k):
        return _series.free_cumulants_to_moments(self._free_cumulants(k))

    def _r_closed(self, w):
        return self._m + self._v * w

    def _edges(self):
        m, s = as_float(self._m), np.sqrt(as_float(self._v))
        return m - 2 * s, m + 2 * s

    def support(self, dps=None):
        if dps is not None:
            return self._support_mp(dps, lambda ctx: [(as_mp(self._m, ctx) + sg * 2 * ctx.sqrt(as_mp(self._v, ctx))
                                                       for sg in (-1, 1))])
        return [self._edges()]

    def _cauchy_np(self, z):
        m, v = as_float(self._m), as_float(self._v)
        s = np.sqrt(v)
        u = z - m
        return 2 / (u + np.sqrt(u - 2 * s) * np.sqrt(u + 2 * s))   # rationalised: no cancellation at large z

    def _cauchy_pair_np(self, z):
        """``(G, G')`` in closed form: ``G' = -G / sqrt((u - 2s)(u + 2s))`` (from ``v G^2 - u G + 1 = 0``)."""
        if "pair_mv" not in self._cache:
            self._cache["pair_mv"] = (as_float(self._m), as_float(self._v))
        m, v = self._cache["pair_mv"]
        s = np.sqrt(v)
        u = np.asarray(z, complex) - m
        q = np.sqrt(u - 2 * s) * np.sqrt(u + 2 * s)
        g = 2 / (u + q)
        return g, -g / q

    def _cauchy_mp(self, z, ctx):
        m, v = as_mp(self._m, ctx), as_mp(self._v, ctx)
        s = ctx.sqrt(v)
        u = z - m
        return 2 / (u + ctx.sqrt(u - 2 * s) * ctx.sqrt(u + 2 * s))

    def _edge_distances(self, x):
        """``(x - lo, hi - x, s)`` in double, ``s = sqrt v``, ``[lo, hi] = m -+ 2s``: the distances are exact next to
        an edge (Sterbenz), where ``4v - (x - m)^2`` cancels (the density was 1.2e-10 relative off at 1e-9 from 2)."""
        m, s = as_float(self._m), np.sqrt(as_float(self._v))
        x = np.asarray(x, float)
        return x - (m - 2 * s), (m + 2 * s) - x, s

    def _pdf_np(self, x):
        dl, dh, s = self._edge_distances(x)
        # sqrt(dl/s) sqrt(dh/s) / (2 pi s): no overflow of dl dh or 2 pi v for v up to 1e308
        return np.where((dl > 0) & (dh > 0), np.sqrt(np.clip(dl, 0, None) / s) * np.sqrt(np.clip(dh, 0, None) / s)
                        / (2 * np.pi * s), 0.0)

    def _edge_distances_mp(self, x, ctx):
        """:meth:`_edge_distances` in ``ctx``, the edges ``m -+ 2s`` formed at twice its precision (their rounding went
        into ``x - lo``: 2e-26 at dps=30 for semicircle(1e-3, 1e-6) at lo + 1e-18, a review)."""
        with ctx.extraprec(ctx.prec):
            m, s = as_mp(self._m, ctx), ctx.sqrt(as_mp(self._v, ctx))
            return x - (m - 2 * s), (m + 2 * s) - x, s

    def _pdf_mp(self, x, ctx):
        dl, dh, s = self._edge_distances_mp(x, ctx)     # as in double: no 4v - (x - m)^2
        return ctx.sqrt(dl / s) * ctx.sqrt(dh / s) / (2 * ctx.pi * s) if dl > 0 and dh > 0 else ctx.mpf(0)

    def _cdf_np(self, x):
        """With ``x - lo = 4 s sin^2(theta/2)`` (``theta`` in ``[0, pi]``) the cdf is ``(2 theta - sin 2 theta)/(2 pi)``; from
        the nearer edge, with ``a - sin a`` by its Taylor series for ``a < 1`` (the closed form ``1/2 + u sqrt(4 - u^2)/(4
        pi) + asin(u/2)/pi`` cancels there: -5.6e-17 at 1e-12 from -2, 19 % off at 1e-8)."""
        dl, dh, s = self._edge_distances(x)
        left = dl <= dh
        t = np.clip(np.where(left, dl, dh) / s, 0, 2)
        a = 4 * np.arcsin(np.sqrt(t) / 2)               # 2 theta, in [0, pi] on the nearer half
        h = _a_minus_sin(a) / (2 * np.pi)
        return np.where(dl <= 0, 0.0, np.where(dh <= 0, 1.0, np.where(left, h, 1 - h)))

    def _cdf_mp(self, x, ctx):
        """As :meth:`_cdf_np`, from the nearer edge (the closed form lost 1.6e-7 relative at 1e-10 from -2, dps=15)."""
        dl, dh, s = self._edge_distances_mp(x, ctx)
        if dl <= 0 or dh <= 0:
            return ctx.mpf(0) if dl <= 0 else ctx.mpf(1)
        t = min(dl, dh) / s
        a = 4 * ctx.asin(ctx.sqrt(min(t, 2)) / 2)
        if a < 1:                       # a - sin a = a^3 sum_k (-a^2)^k/(2k+3)!, to the context's precision
            term, acc, k = a ** 3 / 6, ctx.mpf(0), 0
            while abs(term) > ctx.eps * abs(acc) or k == 0:
                acc += term
                k += 1
                term *= -a * a / ((2 * k + 2) * (2 * k + 3))
            h = acc / (2 * ctx.pi)
        else:
            h = (a - ctx.sin(a)) / (2 * ctx.pi)
        return h if dl <= dh else 1 - h

    def latex(self):
        if self._m == 0 and self._v == 1:
            return r"\mathrm{SC}"
        return r"\mathrm{SC}\left(%s, %s\right)" % (sympy.latex(self._m), sympy.latex(self._v))


def _a_minus_sin(a):
    """``a - sin a`` for ``a`` in ``[0, pi]`` without cancellation: ``sum_k (-1)^k a^(2k+3)/(2k+3)!`` (11 terms: 1/25! <
    1e-25 relative to a^3/6) below 1, the difference itself above (relative error <= eps a/(a - sin a) < 7 eps)."""
    a = np.asarray(a, float)
    a2 = a * a
    series = np.zeros(a.shape)
    for k in range(10, -1, -1):                     # Horner in a^2: a^3 sum_k (-a^2)^k / (2k+3)!
        series = 1 / math.factorial(2 * k + 3) - a2 * series
    return np.where(a < 1, a2 * a * series, a - np.sin(a))


def semicircle(mean=0, var=1):
    """Semicircle law with the given mean and variance (default: standard, on [-2, 2])."""
    return Semicircle(mean, var)
