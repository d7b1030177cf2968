"""Uniform and arcsine laws."""
from math import comb

import numpy as np
import sympy

from ..numeric import simplify
from .base import Measure, as_float, as_mp, real_numbers
from .parameters import POSITIVE, REALS, Interval, Parameter


def _interval_parameters(lo, hi):
    """``lo < hi`` (the domain of ``hi`` starts at ``lo``), with the family's defaults."""
    return (Parameter("lo", REALS, "a", typical=(-8, 8), default=lo, doc="left end"),
            Parameter("hi", Interval("lo"), "b", typical=(1, 8), default=hi, doc="right end (> lo)"))


class _IntervalLaw(Measure):
    """A law on one interval ``[lo, hi]`` given by its ends (``_FUNC``: the constructor's name in
    messages, ``_NAME``: the LaTeX name)."""

    _CLOSED_MP = frozenset({"cauchy", "pdf", "cdf"})

    _CLOSED_MASS = True     # the closed-form cdf is 1 at hi: total_mass needs no quadrature

    _FUNC = _NAME = None

    def __init__(self, lo, hi):
        super().__init__()
        p = self._set_parameters(self._FUNC, lo=lo, hi=hi)
        self._lo, self._hi = p["lo"], p["hi"]

    def support(self, dps=None):
        if dps is not None:
            return self._support_mp(dps, lambda ctx: [(as_mp(self._lo, ctx), as_mp(self._hi, ctx))])
        return [(as_float(self._lo), as_float(self._hi))]

    def latex(self):
        return r"%s\left[%s, %s\right]" % (self._NAME, sympy.latex(self._lo), sympy.latex(self._hi))


def _fraction(x, lo, hi):
    """``(x - lo)/(hi - lo)``, from halves where ``hi - lo`` overflows (``[-1e308, 1e308]``: the cdf was 0 at 0); not
    always (halving loses the last bits of subnormal ends)."""
    with np.errstate(over="ignore"):
        d = hi - lo
    return (x / 2 - lo / 2) / (hi / 2 - lo / 2) if np.isinf(d) else (x - lo) / d


class Uniform(_IntervalLaw):
    """Uniform law on ``[lo, hi]``."""

    PARAMETERS = _interval_parameters(-1, 1)
    _FUNC, _NAME = "uniform", r"\mathrm{U}"

    def __init__(self, lo=-1, hi=1):
        super().__init__(lo, hi)

    def _moments(self, k):
        lo, hi = self._lo, self._hi
        return [sympy.Integer(1)] + [simplify((hi ** (j + 1) - lo ** (j + 1)) / ((j + 1) * (hi - lo)))
                                     for j in range(1, k + 1)]

    def _cauchy_np(self, z):
        return self._cauchy_pair_np(z)[0]

    def _cauchy_pair_np(self, z):
        """``G = log((z - lo)/(z - hi))/(hi - lo)``, ``G' = -1/((z - lo)(z - hi))`` (the difference
        ``(1/(z - lo) - 1/(z - hi))/(hi - lo)`` written without its cancellation far away).

        Far from the interval (``|z - c| > 2 (hi - lo)``, ``c`` its centre) ``G`` is
        ``2 atanh(t)/(hi - lo)`` with ``t = (hi - lo)/(2 (z - c))`` (``(1 + t)/(1 - t) = (z - lo)/(z - hi)``;
        ``|t| < 1/4``, far from the cuts of ``atanh``, and both forms are analytic off ``[lo, hi]``): the
        difference of the two logarithms would cancel and leave ``G`` (about ``1/z``) with an absolute
        error of rounding size, a relative error ``|z|/(hi - lo)`` times the unit roundoff, and
        ``u = z G(z) - 1`` (about ``m_1/z``, the parameter of the ⊠ edges) would lose ``|z|^2`` of its
        relative accuracy.  (numpy's complex ``log1p`` is not accurate for small arguments; ``arctanh``
        is.)"""
        lo, hi = as_float(self._lo), as_float(self._hi)
        z = np.asarray(z, complex)
        d, c = hi - lo, (lo + hi) / 2
        with np.errstate(all="ignore"):
            far = np.abs(z - c) > 2 * d
            g = np.where(far, 2 * np.arctanh(d / (2 * np.where(far, z - c, 1.0))),
                         np.log(z - lo) - np.log(z - hi)) / d
            return g, -1 / ((z - lo) * (z - hi))

    def _real_limits(self, ctx=None):
        """``G = log((z - lo)/(z - hi))/d`` along ``z = e + iy``: ``(log(y/d) - i pi/2)/d`` at lo and
        ``(log(d/y) - i pi/2)/d`` at hi, so ``G(lo + i0) = -inf - i pi/(2d)``, ``G(hi + i0) = inf - i pi/(2d)``."""
        cv, inf, pi = real_numbers(ctx)
        lo, hi = cv(self._lo), cv(self._hi)
        return [(lo, -inf, -pi / (2 * (hi - lo))), (hi, inf, -pi / (2 * (hi - lo)))]

    def _cauchy_mp(self, z, ctx):
        lo, hi = as_mp(self._lo, ctx), as_mp(self._hi, ctx)
        d, c = hi - lo, (lo + hi) / 2
        if abs(z - c) > 2 * d:          # no cancellation far away (_cauchy_pair_np)
            return 2 * ctx.atanh(d / (2 * (z - c))) / d
        return (ctx.log(z - lo) - ctx.log(z - hi)) / d

    def _pdf_np(self, x):
        lo, hi = as_float(self._lo), as_float(self._hi)
        return np.where((x >= lo) & (x <= hi), 1 / (hi - lo), 0.0)

    def _pdf_mp(self, x, ctx):
        lo, hi = as_mp(self._lo, ctx), as_mp(self._hi, ctx)
        return 1 / (hi - lo) if lo <= x <= hi else ctx.mpf(0)

    def _cdf_np(self, x):
        lo, hi = as_float(self._lo), as_float(self._hi)
        return np.clip(_fraction(x, lo, hi), 0, 1)

    def _cdf_mp(self, x, ctx):
        lo, hi = as_mp(self._lo, ctx), as_mp(self._hi, ctx)
        return min(max((x - lo) / (hi - lo), ctx.mpf(0)), ctx.mpf(1))


class Arcsine(_IntervalLaw):
    """Arcsine law on ``[lo, hi]``: density ``1/(pi sqrt((x - lo)(hi - x)))``."""

    PARAMETERS = _interval_parameters(-2, 2)
    _FUNC, _NAME = "arcsine", r"\mathrm{Arcsine}"

    def __init__(self, lo=-2, hi=2):
        super().__init__(lo, hi)

    def _moments(self, k):
        c, h = (self._lo + self._hi) / 2, (self._hi - self._lo) / 2
        # u on [-1, 1]: m_{2j}(u) = C(2j, j)/4^j
        mu = [sympy.Rational(comb(j, j // 2), 2 ** j) if j % 2 == 0 else 0 for j in range(k + 1)]
        return [sympy.expand(sum(comb(n, j) * c ** (n - j) * h ** j * mu[j] for j in range(n + 1)))
                for n in range(k + 1)]

    def _cauchy_np(self, z):
        lo, hi = as_float(self._lo), as_float(self._hi)
        return 1 / (np.sqrt(z - lo) * np.sqrt(z - hi))

    def _real_limits(self, ctx=None):
        """The density ``~ 1/sqrt`` at both ends: along ``z = lo + iy``, ``G = -(1 + i)/(2 sqrt(2y) sqrt(hi - lo))``, so
        ``G(lo + i0) = -inf - i inf`` and (mirrored) ``G(hi + i0) = inf - i inf``."""
        cv, inf, _ = real_numbers(ctx)
        return [(cv(self._lo), -inf, -inf), (cv(self._hi), inf, -inf)]

    def _cauchy_pair_np(self, z):
        """``G = 1/sqrt((z - lo)(z - hi))``, ``G' = -G (1/(z - lo) + 1/(z - hi)) / 2``."""
        lo, hi = as_float(self._lo), as_float(self._hi)
        z = np.asarray(z, complex)
        g = 1 / (np.sqrt(z - lo) * np.sqrt(z - hi))
        return g, -g * (1 / (z - lo) + 1 / (z - hi)) / 2

    def _cauchy_mp(self, z, ctx):
        lo, hi = as_mp(self._lo, ctx), as_mp(self._hi, ctx)
        return 1 / (ctx.sqrt(z - lo) * ctx.sqrt(z - hi))

    def _pdf_np(self, x):
        lo, hi = as_float(self._lo), as_float(self._hi)
        q = (x - lo) * (hi - x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(q > 0, 1 / (np.pi * np.sqrt(np.where(q > 0, q, 1))), 0.0)

    def _pdf_mp(self, x, ctx):
        lo, hi = as_mp(self._lo, ctx), as_mp(self._hi, ctx)
        q = (x - lo) * (hi - x)
        return 1 / (ctx.pi * ctx.sqrt(q)) if q > 0 else ctx.mpf(0)

    def _cdf_np(self, x):
        lo, hi = as_float(self._lo), as_float(self._hi)
        return 2 / np.pi * np.arcsin(np.sqrt(np.clip(_fraction(x, lo, hi), 0, 1)))

    def _cdf_mp(self, x, ctx):
        lo, hi = as_mp(self._lo, ctx), as_mp(self._hi, ctx)
        t = min(max((x - lo) / (hi - lo), ctx.mpf(0)), ctx.mpf(1))
        return 2 / ctx.pi * ctx.asin(ctx.sqrt(t))


def uniform(lo=-1, hi=1):
    """Uniform law on ``[lo, hi]`` (default ``[-1, 1]``)."""
    return Uniform(lo, hi)


def arcsine(lo=-2, hi=2):
    """Arcsine law on ``[lo, hi]`` (default ``[-2, 2]``, the law of Bernoulli ⊞ Bernoulli)."""
    return Arcsine(lo, hi)


class UniformSquared(Measure):
    """Law of ``U^2`` for ``U`` uniform on ``[-b, b]``: density ``1/(2 b sqrt t)`` on ``[0, b^2]``.

    ``G(z) = (log(sqrt z + b) - log(sqrt z - b)) / (2 b sqrt z)`` (analytic off ``[0, b^2]``).
    It is the law of ``T = D^2`` for ``d_law="uniform"``.
    """

    _CLOSED_MP = frozenset({"cauchy", "pdf", "cdf"})

    PARAMETERS = (Parameter("b", POSITIVE, "b", default=1, symbols=False, doc="D uniform on [-b, b]"),)
    _CLOSED_MASS = True     # the closed-form cdf is 1 at b^2

    def __init__(self, b=1):
        super().__init__()
        self._b = self._set_parameters("UniformSquared", b=b)["b"]

    def _moments(self, k):
        return [sympy.Integer(1)] + [self._b ** (2 * j) / (2 * j + 1) for j in range(1, k + 1)]

    def support(self, dps=None):
        if dps is not None:
            return self._support_mp(dps, lambda ctx: [(ctx.mpf(0), as_mp(self._b, ctx) ** 2)])
        return [(0.0, as_float(self._b) ** 2)]

    def _cauchy_np(self, z):
        b = as_float(self._b)
        s = np.sqrt(np.asarray(z, complex))
        return (np.log(s + b) - np.log(s - b)) / (2 * b * s)

    def _cauchy_pair_np(self, z):
        """``G' = -(1/(z - b^2) + G) / (2 z)`` (differentiate ``G = L(sqrt z)/(2 b sqrt z)``)."""
        b = as_float(self._b)
        z = np.asarray(z, complex)
        s = np.sqrt(z)
        g = (np.log(s + b) - np.log(s - b)) / (2 * b * s)
        return g, -(1 / (z - b * b) + g) / (2 * z)

    def _real_limits(self, ctx=None):
        """Along ``z = e + iy``: at 0 (density ``1/(2b sqrt t)``) ``G ~ -i pi/(2b sqrt(iy))``, so ``G(0 + i0) = -inf - i
        inf``; at ``b^2``, ``-log(sqrt z - b) = -log(y/(2b)) - i pi/2``, so ``G(b^2 + i0) = inf - i pi/(4 b^2)``."""
        cv, inf, pi = real_numbers(ctx)
        b = cv(self._b)
        return [(cv(0), -inf, -inf), (b * b, inf, -pi / (4 * b * b))]

    def _cauchy_mp(self, z, ctx):
        b = as_mp(self._b, ctx)
        s = ctx.sqrt(z)
        return (ctx.log(s + b) - ctx.log(s - b)) / (2 * b * s)

    def _pdf_np(self, x):
        b = as_float(self._b)
        x = np.asarray(x, float)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where((x > 0) & (x <= b * b), 1 / (2 * b * np.sqrt(np.where(x > 0, x, 1))), 0.0)

    def _pdf_mp(self, x, ctx):
        b = as_mp(self._b, ctx)
        return 1 / (2 * b * ctx.sqrt(x)) if 0 < x <= b * b else ctx.mpf(0)

    def _cdf_np(self, x):
        b = as_float(self._b)
        return np.clip(np.sqrt(np.clip(np.asarray(x, float), 0, None)) / b, 0, 1)

    def _cdf_mp(self, x, ctx):
        b = as_mp(self._b, ctx)
        return min(ctx.sqrt(max(x, 0)) / b, ctx.mpf(1))

    def latex(self):
        return r"\mathrm{U}\left[-%s, %s\right]^2" % (sympy.latex(self._b), sympy.latex(self._b))
