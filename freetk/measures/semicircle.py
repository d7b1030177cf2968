"""Wigner's semicircle law."""
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

    def _pdf_np(self, x):
        m, v = as_float(self._m), as_float(self._v)
        return np.sqrt(np.clip(4 * v - (x - m) ** 2, 0, None)) / (2 * np.pi * v)

    def _pdf_mp(self, x, ctx):
        m, v = as_mp(self._m, ctx), as_mp(self._v, ctx)
        q = 4 * v - (x - m) ** 2
        return ctx.sqrt(q) / (2 * ctx.pi * v) if q > 0 else ctx.mpf(0)

    def _cdf_np(self, x):
        m, v = as_float(self._m), as_float(self._v)
        u = np.clip((x - m) / np.sqrt(v), -2, 2)
        return 0.5 + u * np.sqrt(4 - u * u) / (4 * np.pi) + np.arcsin(u / 2) / np.pi

    def _cdf_mp(self, x, ctx):
        m, v = as_mp(self._m, ctx), as_mp(self._v, ctx)
        u = (x - m) / ctx.sqrt(v)
        u = max(min(u, 2), -2)
        return ctx.mpf(1) / 2 + u * ctx.sqrt(4 - u * u) / (4 * ctx.pi) + ctx.asin(u / 2) / ctx.pi

    def latex(self):
        if self._m == 0 and self._v == 1:
            return r"\mathrm{SC}"
        return r"\mathrm{SC}\left(%s, %s\right)" % (sympy.latex(self._m), sympy.latex(self._v))


def semicircle(mean=0, var=1):
    """Semicircle law with the given mean and variance (default: standard, on [-2, 2])."""
    return Semicircle(mean, var)
