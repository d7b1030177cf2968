"""Free Poisson (Marchenko-Pastur) laws and free compound Poisson laws."""
import warnings
from fractions import Fraction
from math import comb

import mpmath
import numpy as np
import sympy

from .. import series as _series
from ..errors import InvalidArgument, PrecisionWarning
from ..inversion import find_support
from ..kernels import edges
from ..kernels.edges import free_poisson_unit_edges, real_pair
from ..kernels.fixed_point import (boundary_density, density_from_cauchy, derivative, fcp_system, polish_mp,
                                   solve, upper, warn_frozen)
from ..numeric import gauss_legendre
from ..precision import check_dps, context, round_to
from .base import Measure, as_float, as_mp, real_numbers, split_at_breaks
from .parameters import POSITIVE, IsMeasure, Parameter, validate


def narayana(n, k):
    """Narayana number ``N(n, k) = C(n, k) C(n, k-1) / n``."""
    return comb(n, k) * comb(n, k - 1) // n


class FreePoisson(Measure):
    r"""Free Poisson law with rate ``r`` and jump size ``alpha`` (> 0).

    Free cumulants ``kappa_k = r alpha^k``; density
    ``sqrt((b - x)(x - a)) / (2 pi alpha x)`` on
    ``[a, b] = alpha [(1 - sqrt r)^2, (1 + sqrt r)^2]``, atom ``1 - r`` at 0 when
    ``r < 1``.  ``S(z) = 1/(alpha (r + z))``.
    """

    PARAMETERS = (Parameter("rate", POSITIVE, "r", typical=(1, 12), doc="rate"),
                  Parameter("jump", POSITIVE, r"\alpha", typical=(1, 8), default=1, doc="jump size"))
    _CLOSED_MASS = True     # the closed-form cdf: total_mass needs no quadrature

    def _closed_mp(self, name, method):
        """Closed forms at dps: the Cauchy transform and the density; the cdf from exact parameters (else it is
        integrated)."""
        return method != "generic" and (name != "cdf" or self._exact is not None)

    def __init__(self, rate, jump=1, name=None, _exact=None):
        super().__init__()
        p = self._set_parameters("free_poisson", rate=rate, jump=jump)
        self._r, self._a = p["rate"], p["jump"]
        self._name = name
        # (rate, jump) as exact Fractions when the parameters are numbers (a float is the binary number it
        # is); marchenko_pastur passes (1/ratio, ratio) exactly, never the rounded float 1/ratio
        if _exact is None:
            fr, fa = _fraction(self._r), _fraction(self._a)
            _exact = (fr, fa) if fr is not None and fa is not None else None
        self._exact = _exact

    def _centre(self):
        """``(c_hi, c_lo, h)``: the centre ``c = a (1 + r)`` of the support as an unevaluated sum of two
        doubles (so that ``x - c`` is exact to rounding next to a support much narrower than ``c``) and
        the half-width ``h = 2 a sqrt(r)``.  ``(b - x)(x - a_) = h^2 - (x - c)^2`` without cancellation."""
        if "centre" not in self._cache:
            if self._exact is not None:
                r, a = self._exact
                c = a + a * r
                c_hi = float(c)
                c_lo = float(c - Fraction(c_hi))
                h = 2.0 * float(a) * np.sqrt(float(r))
            else:
                r, a = as_float(self._r), as_float(self._a)
                c_hi, c_lo, h = a * (1 + r), 0.0, 2 * a * np.sqrt(r)
            self._cache["centre"] = (c_hi, c_lo, h)
        return self._cache["centre"]

    # ``rate`` and ``jump`` read ``parameters`` (kept for freetk.algebraic and the NTK routes)
    rate = property(lambda self: self._params["rate"])
    jump = property(lambda self: self._params["jump"])

    def _free_cumulants(self, k):
        return [sympy.expand(self._r * self._a ** j) for j in range(1, k + 1)]

    def _moments(self, k):
        r, a = self._r, self._a
        out = [sympy.Integer(1)]
        for n in range(1, k + 1):
            out.append(sympy.expand(a ** n * sum(narayana(n, j) * r ** j for j in range(1, n + 1))))
        return out

    def _r_closed(self, w):
        return self._r * self._a / (1 - self._a * w)

    def _s_closed(self, z):
        return 1 / (self._a * self._r + self._a * z)

    def _narrow(self):
        """True when the support is narrow against its centre (``h < 1e-3 c``): distances to the edges
        are then taken from the centre held as two doubles; otherwise from the edges themselves (which
        keeps ``x - lo`` exact next to an edge at or near 0, e.g. the hard edge of MP(1))."""
        c_hi, _, h = self._centre()
        return self._exact is not None and h < 1e-3 * abs(c_hi)

    def _edge_distances(self, x):
        """``(x - lo, hi - x)`` for an array ``x``, without cancellation."""
        if self._narrow():
            c_hi, c_lo, h = self._centre()
            d = (x - c_hi) - c_lo
            return h + d, h - d
        lo, hi = self._edges()
        return x - lo, hi - x

    def _edges(self):
        c_hi, c_lo, h = self._centre()
        if self._narrow():   # a support narrow against its centre: c -+ h
            return (c_hi - h) + c_lo, (c_hi + h) + c_lo
        r, a = as_float(self._r), as_float(self._a)
        lo, hi = free_poisson_unit_edges(r)
        return a * lo, a * hi

    def support(self, dps=None):
        if dps is not None:
            def ends(ctx):
                r, a = as_mp(self._r, ctx), as_mp(self._a, ctx)
                lo, hi = free_poisson_unit_edges(r, ctx.sqrt)
                return [(a * lo, a * hi)]
            return self._support_mp(dps, ends)
        return [self._edges()]

    def atoms(self):
        r = self._r
        if isinstance(r, sympy.Basic) and r.free_symbols:
            return []
        if as_float(r) < 1:
            return [(sympy.Integer(0), 1 - r)]
        return []

    def _cauchy_np(self, z):
        r, a = as_float(self._r), as_float(self._a)
        lo, hi = free_poisson_unit_edges(r)
        u = np.asarray(z, complex) / a
        p, s = u + (1 - r), np.sqrt(u - lo) * np.sqrt(u - hi)
        # 2/(p + s) = (p - s)/(2u): take the form without cancellation (the first at large z, the
        # second next to the atom at 0 when r < 1, where p + s -> 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            g = np.where(np.abs(p + s) >= np.abs(p - s), 2 / (p + s), (p - s) / (2 * u))
        return g / a

    def _real_limits(self, ctx=None):
        """G at 0 when it is infinite there.  ``g = a G`` solves ``u g^2 - (u + 1 - r) g + 1 = 0`` (``u = z/a``).
        * ``r < 1`` (atom ``1 - r`` at 0): the roots' sum is ``1 + (1 - r)/u`` and the bounded one tends to
          ``1/(1 - r)``, so the other is ``(1 - r)/u + 1 - 1/(1 - r) + O(u)``: ``G(0 + i0) = -r/((1 - r) a) - i inf``.
        * ``r = 1`` (hard edge): ``g^2 ~ -1/u``, ``G(iy) ~ -(1 + i)/sqrt(2 a y)``: ``G(0 + i0) = -inf - i inf``."""
        cv, inf, _ = real_numbers(ctx)
        r, a = cv(self._r), cv(self._a)
        if r > 1:
            return []
        return [(cv(0), -inf if r == 1 else -r / ((1 - r) * a), -inf)]

    def _cauchy_pair_np(self, z):
        """``(G, G')`` in closed form: with ``u = z/a``, ``g = a G`` solves ``u g^2 - (u + 1 - r) g + 1 = 0``,
        so ``g' = (g^2 - g)/q``, ``q = sqrt((u - lo)(u - hi))``, and ``G' = g'/a^2``."""
        if "pair_ra" not in self._cache:
            self._cache["pair_ra"] = (as_float(self._r), as_float(self._a))
        r, a = self._cache["pair_ra"]
        lo, hi = free_poisson_unit_edges(r)
        u = np.asarray(z, complex) / a
        q = np.sqrt(u - lo) * np.sqrt(u - hi)
        p = u + (1 - r)
        # the form without cancellation, as in _cauchy_np (next to the atom at 0, r < 1, p + q -> 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            g = np.where(np.abs(p + q) >= np.abs(p - q), 2 / (p + q), (p - q) / (2 * u))
            return g / a, (g * g - g) / q / (a * a)

    def _cauchy_psi_np(self, z):
        """``(G, G', K, |K|, K')``, ``K = z G - 1`` in closed form: ``k = K`` solves ``k^2 - (u - 1 - r) k + r = 0`` (``u = z/a``),
        the root ``~ r/u`` at infinity, ``k = 2r/(P + q) = (P - q)/2`` with ``P = u - 1 - r`` (the form without
        cancellation), and ``dk/du = -k/q``.  Of size ``r`` when ``r`` is small (mass ``1 - r`` at 0), where
        ``z G - 1`` would be a difference of terms of size 1."""
        g, dg = self._cauchy_pair_np(z)
        r, a = self._cache["pair_ra"]
        lo, hi = free_poisson_unit_edges(r)
        u = np.asarray(z, complex) / a
        q = np.sqrt(u - lo) * np.sqrt(u - hi)
        P = u - 1 - r
        with np.errstate(divide="ignore", invalid="ignore"):
            k = np.where(np.abs(P + q) >= np.abs(P - q), 2 * r / (P + q), (P - q) / 2)
            return g, dg, k, np.abs(k), -k / q / a

    def _params_mp(self, ctx):
        """``(r, a, (1 - sqrt r)^2, (1 + sqrt r)^2)`` in ``ctx``, computed once per precision (the kernels
        are integrands of the NTK law's quadratures at ``dps``: thousands of calls)."""
        key = ("params_mp", ctx.prec)
        if key not in self._cache:
            r, a = as_mp(self._r, ctx), as_mp(self._a, ctx)
            self._cache[key] = tuple(v._mpf_ for v in (r, a) + free_poisson_unit_edges(r, ctx.sqrt))
        return tuple(ctx.make_mpf(v) for v in self._cache[key])

    def _cauchy_mp(self, z, ctx):
        r, a, lo, hi = self._params_mp(ctx)
        u = z / a
        p, s = u + (1 - r), ctx.sqrt(u - lo) * ctx.sqrt(u - hi)
        return (2 / (p + s) if abs(p + s) >= abs(p - s) else (p - s) / (2 * u)) / a

    def _pdf_np(self, x):
        a = as_float(self._a)
        x = np.asarray(x, float)
        u, v = self._edge_distances(x)
        q = np.clip(u * v, 0, None)           # (b - x)(x - a_), no cancellation at a narrow support
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(q > 0, np.sqrt(q) / (2 * np.pi * a * np.where(x == 0, 1, x)), 0.0)
        return out

    def _pdf_mp(self, x, ctx):
        if self._exact is None:
            r, a, lo, hi = self._params_mp(ctx)
            lo, hi = a * lo, a * hi
            q = (hi - x) * (x - lo)
            return ctx.sqrt(q) / (2 * ctx.pi * a * x) if q > 0 and x != 0 else ctx.mpf(0)
        # h^2 - (x - c)^2 with h^2 = 4 a^2 r and c = a + a r exact: x - c is formed in a context wide enough
        # for c's digits down to the support's width (c / h = (1 + r)/(2 sqrt r) more bits), so a support
        # narrow against its centre (MP(1e-30): width 4e-15 at 1) loses nothing
        wide, am, rm, lo, hi = self._wide_mp(ctx)
        xm = wide.convert(x)
        q = (xm - lo) * (hi - xm)
        if not (q > 0 and xm != 0):
            return ctx.mpf(0)
        return ctx.convert(wide.sqrt(q) / (2 * wide.pi * am * xm))

    def _wide_mp(self, ctx):
        """``(wide, a, r, lo, hi)``: a context with the bits that the centre's digits down to the support's
        width and the cdf's ``1/rho^2`` cancellation need beyond ``ctx``, the exact jump and rate in it,
        and the edges ``a (1 -+ sqrt r)^2`` (accurate relative to themselves, also next to 0)."""
        r, a = self._exact
        rf = float(r)
        rho = 2 * np.sqrt(rf) / (1 + rf)
        # a fresh context per call, not a cached one: mpmath's functions raise a context's precision
        # inside, so one context shared between threads would race
        wide = mpmath.MPContext()
        wide.prec = ctx.prec + 2 * max(0, int(-np.log2(rho))) + 20
        am, rm = wide.mpf(a.numerator) / a.denominator, wide.mpf(r.numerator) / r.denominator
        sr = wide.sqrt(rm)
        return wide, am, rm, am * (1 - sr) ** 2, am * (1 + sr) ** 2

    def _cdf_np(self, x):
        """``F(x)`` in closed form: with ``x = c - h cos(theta)`` the mass element of the continuous part is
        ``g(theta) dtheta``, ``g = 2 r/(pi (1 + r)) sin^2(theta)/(1 - rho cos(theta))``, ``rho = h/c =
        2 sqrt(r)/(1 + r)``, whose integral from 0 is ``sin(theta)/rho + theta/rho^2 - 2 sqrt(1 - rho^2)/rho^2
        atan2(sqrt(1 + rho) sin(theta/2), sqrt(1 - rho) cos(theta/2))`` (used for rho >= 1/2; below, where
        those terms cancel like 1/rho^2, a 48-point Gauss-Legendre rule of the smooth ``g``, whose poles
        sit at |Im theta| >= acosh(2)); plus the atom ``1 - r`` at 0 when ``r < 1``."""
        if self._exact is not None:
            r = float(self._exact[0])
        else:
            r = as_float(self._r)
        _, _, h = self._centre()
        x = np.asarray(x, float)
        u, v = self._edge_distances(x)          # x - lo = h (1 - cos theta), hi - x = h (1 + cos theta)
        with np.errstate(invalid="ignore"):
            theta = np.where(u <= v, 2 * np.arcsin(np.sqrt(np.clip(u / (2 * h), 0, 1))),
                             np.pi - 2 * np.arcsin(np.sqrt(np.clip(v / (2 * h), 0, 1))))
        rho = 2 * np.sqrt(r) / (1 + r)
        k = 2 * r / (np.pi * (1 + r))
        t, w = gauss_legendre(48)

        def rule(th):
            phi = th[..., None] * (1 + t) / 2
            return k * (th / 2) * np.sum(w * np.sin(phi) ** 2 / (1 - rho * np.cos(phi)), axis=-1)
        if rho >= 0.5:
            s1 = np.sqrt((1 - r) ** 2) / (1 + r)          # sqrt(1 - rho^2) = |1 - r|/(1 + r)
            cont = k * (np.sin(theta) / rho + theta / rho ** 2 - 2 * s1 / rho ** 2
                        * np.arctan2(np.sqrt(1 + rho) * np.sin(theta / 2), np.sqrt(1 - rho) * np.cos(theta / 2)))
            # next to the left edge the closed form's O(theta) terms cancel to O(theta^3) (relative error eps/theta^2:
            # 1.7e-4 at 1e-12 of the width from lo) unless s1 = 0 (r = 1); the rule of the smooth g has no cancellation
            # where its poles (|Im phi| = acosh(1/rho)) are farther than 2 theta
            small = (theta < 0.1) & (2 * theta < (np.arccosh(1 / rho) if rho < 1 else 0.0))
            if np.any(small):
                cont = np.where(small, rule(np.where(small, theta, 0.0)), cont)
        else:
            cont = rule(theta)
        cont = np.where(v <= 0, min(1.0, r), np.where(u <= 0, 0.0, cont))
        if r < 1:
            cont = cont + np.where(x >= 0, 1 - r, 0.0)
        return np.clip(cont, 0.0, 1.0)

    def _cdf_mp(self, x, ctx):
        """The closed form of :meth:`_cdf_np` (for every ``rho``) in a context with the bits its
        ``1/rho^2`` cancellation and the centre's digits need, from the exact rate and jump."""
        if self._exact is None:
            return self._cdf_generic_mp(x, ctx)
        w, am, rm, lo, hi = self._wide_mp(ctx)
        xm = w.convert(x)
        atom = (1 - rm) if (rm < 1 and xm >= 0) else w.mpf(0)
        h = 2 * am * w.sqrt(rm)
        if xm >= hi:
            return ctx.convert(min(rm, w.mpf(1)) + atom)
        if xm <= lo:
            return ctx.convert(atom)
        u, v = xm - lo, hi - xm
        th = 2 * w.asin(w.sqrt(u / (2 * h))) if u <= v else w.pi - 2 * w.asin(w.sqrt(v / (2 * h)))
        rho = 2 * w.sqrt(rm) / (1 + rm)
        s1 = abs(1 - rm) / (1 + rm)
        ang = w.atan2(w.sqrt(1 + rho) * w.sin(th / 2), w.sqrt(1 - rho) * w.cos(th / 2))
        cont = 2 * rm / (w.pi * (1 + rm)) * (w.sin(th) / rho + th / rho ** 2 - 2 * s1 / rho ** 2 * ang)
        return ctx.convert(cont + atom)

    def latex(self):
        if self._name is not None:
            return self._name
        return r"\pi_{%s, %s}" % (sympy.latex(self._r), sympy.latex(self._a))


def free_poisson(rate, jump=1):
    """Free Poisson law with the given rate and jump size (``kappa_k = rate * jump^k``)."""
    return FreePoisson(rate, jump)


#: the parameters of :func:`marchenko_pastur` (a parameterization of :class:`FreePoisson`)
MP_PARAMETERS = (Parameter("ratio", POSITIVE, r"\lambda", typical=(1, 12), doc="ratio (variance)"),)


def marchenko_pastur(ratio):
    r"""Marchenko-Pastur law ``MP(ratio)`` with mean 1 and variance ``ratio``.

    The free Poisson law with rate ``1/ratio`` and jump ``ratio``: free cumulants
    ``ratio^(k-1)``, moments the Narayana polynomials, ``S(z) = 1/(1 + ratio z)``,
    atom ``1 - 1/ratio`` at 0 when ``ratio > 1``.

    Examples
    --------
    >>> import freetk as ft, sympy
    >>> ft.marchenko_pastur(sympy.Symbol('lam')).moments(3)
    [1, 1, lam + 1, lam**2 + 3*lam + 1]
    """
    ratio = validate("marchenko_pastur", MP_PARAMETERS, {"ratio": ratio})["ratio"]
    fr = _fraction(ratio)
    if fr is not None and fr < Fraction(1, 2 ** 1023) * 2:   # 1/ratio beyond the largest double (~1.8e308)
        raise InvalidArgument(f"Argument `ratio` of `marchenko_pastur` must be >= 2^-1022 (about 2.2e-308: the "
                              f"rate 1/ratio must be a finite double), got {ratio}")
    return FreePoisson(1 / ratio, ratio, name=r"\mathrm{MP}\left(%s\right)" % sympy.latex(ratio),
                       _exact=None if fr is None else (1 / fr, fr))


def _fraction(v):
    """``v`` as an exact Fraction when it is a number with a finite binary or rational value (a float is
    the binary number it is), else None (symbols, irrational sympy numbers)."""
    if isinstance(v, sympy.Rational):
        return Fraction(int(v.p), int(v.q))
    if isinstance(v, sympy.Basic):
        return Fraction(float(v)) if isinstance(v, sympy.Float) and v._prec <= 53 else None
    if isinstance(v, (int, np.integer)):
        return Fraction(int(v))
    if isinstance(v, (float, np.floating, Fraction)):
        return Fraction(v)
    return None


class FreeCompoundPoisson(Measure):
    r"""Free compound Poisson law with rate ``r`` and jump law ``J``: ``kappa_k = r m_k(J)``.

    Numerically, ``G`` solves ``z = 1/G + r int t dJ(t)/(1 - t G)`` (see :mod:`freetk.kernels.fixed_point`).
    """

    PARAMETERS = (Parameter("rate", POSITIVE, "r", typical=(1, 12), doc="rate"),
                  Parameter("jump_law", IsMeasure(), "J", doc="law of the jumps"))

    def __init__(self, rate, jump_law, latex_name=None):
        super().__init__()
        p = self._set_parameters("free_compound_poisson", rate=rate, jump_law=jump_law)
        self._r, self._J = p["rate"], p["jump_law"]
        self._latex_name = latex_name or r"\pi_{%s}\left(%s\right)" % (sympy.latex(self._r), jump_law.latex())

    # ``rate`` and ``jump_law`` read ``parameters`` (kept for freetk.algebraic and the NTK routes)
    rate = property(lambda self: self._params["rate"])
    jump_law = property(lambda self: self._params["jump_law"])

    def _free_cumulants(self, k):
        m = self._J.moments(k)
        return [_series._expand(self._r * m[j]) for j in range(1, k + 1)]

    def _moments(self, k):
        return _series.free_cumulants_to_moments(self._free_cumulants(k))

    def _r_closed(self, w):
        return None

    def atoms(self):
        """The atom at 0, of mass ``1 - rate (1 - J{0})``: exact (sympy) when the rate and the jump law's atom at 0
        are, else a float (dropped below 1e-15)."""
        r = self._r
        parts = [r] + [wt for loc, wt in self._J.atoms() if float(loc) == 0]
        if all(isinstance(v, (int, Fraction)) or (isinstance(v, sympy.Basic) and v.is_Rational) for v in parts):
            mass = 1 - sympy.Rational(r) * (1 - sum((sympy.Rational(w) for w in parts[1:]), sympy.Integer(0)))
            return [(sympy.Integer(0), mass)] if mass > 0 else []
        r = as_float(r)
        j0 = sum(float(wt) for wt in parts[1:])
        mass = 1 - r * (1 - j0)
        return [(0, mass)] if mass > 1e-15 else []

    #: largest ratio of the scales of the jump law's parts (atoms carrying mass, ends of support pieces)
    #: that the double-precision support search and solve resolve: both work relative to the largest scale
    #: (tolerances ~1e-12 of it), so a part at a scale below that is lost (measured: the NTK law of ReLU at
    #: gamma1 = 1 has its bulk at 0.36 and a piece of mass 1/(2 gamma2) at 0.32 gamma2: right up to
    #: gamma2 = 1e12, the bulk gone at 1e13)
    MAX_SCALE_RATIO = 1e13

    def _check_scales(self):
        """Refuse (:class:`InvalidArgument`) a jump law whose parts lie at scales more than
        ``MAX_SCALE_RATIO`` apart: the numerics would silently lose the part at the smaller scale."""
        r = as_float(self._r)
        scales = [abs(float(t)) for t, w in self._J.atoms() if float(t) != 0 and r * float(w) > 1e-15]
        scales += [max(abs(float(a)), abs(float(b))) for a, b in self._J.support()]
        scales = [v for v in scales if v > 0]
        if scales and max(scales) > self.MAX_SCALE_RATIO * min(scales):
            raise InvalidArgument(
                f"`{type(self).__name__}`: the jump law has parts at scales {min(scales):.3g} and {max(scales):.3g} "
                f"(ratio {max(scales) / min(scales):.2g} > {self.MAX_SCALE_RATIO:.0e}); the double-precision "
                "support search and solve work relative to the largest scale and would lose the law at the "
                "smaller one (e.g. an NTK law with gamma2 beyond about 1e12)")

    def _jump_scale(self):
        pts = [abs(float(l)) for l, _ in self._J.atoms()] + [max(abs(a), abs(b)) for a, b in self._J.support()]
        return max(pts) if pts else 1.0

    def _system(self):
        """The free compound Poisson equation of this law (:mod:`freetk.kernels.fixed_point`)."""
        if "system" not in self._cache:
            J, r = self._J, self._r
            self._cache["system"] = fcp_system(as_float(r), J._cauchy_pair_np, J._cauchy_pair_mp,
                                               scale=self._scale(), r_mp=lambda ctx: as_mp(r, ctx))
        return self._cache["system"]

    def _solve(self, z, on_fail="raise"):
        """``(zeta = 1/G, eta reached)`` at the points ``z`` of the closed upper half-plane."""
        return solve(self._system(), z, poles=[a for a, _ in self.atoms_float()], on_fail=on_fail,
                    memory=self._cache.setdefault("solutions", {}))

    def _real_limits(self, ctx=None):
        """G at 0 when it is infinite there.  With ``zeta = 1/G`` the equation is ``z = zeta k(zeta)``, ``k(zeta) = 1 +
        r int t dJ(t)/(zeta - t)``, ``k(0) = w = 1 - r (1 - J{0})`` (the atom at 0) and ``k'(0) = -r E``, ``E =
        int_{t != 0} dJ(t)/t = -Re G_J(0 + i0)`` (finite when 0 is off J's continuous support):
        * ``w > 0``: ``G = k(zeta)/z = w/z + k'(0)/w + O(z)``, so ``G(0 + i0) = -r E/w - i inf``;
        * ``w = 0`` (a hard edge): ``z ~ -r E zeta^2``, ``G(0 + i0) = -sign(E) inf - i inf`` (rate 1 with positive
          jumps: ``-inf - i inf``, as for MP(1)).
        With 0 on J's continuous support and ``w > 0`` the real part is not computed (NaN); with ``w = 0`` nothing is
        claimed there (the solve runs)."""
        key = ("real_limits", None if ctx is None else ctx.prec)
        if key in self._cache:
            return self._cache[key]
        w = sum(m for a, m in self.atoms_float() if a == 0)
        r = as_float(self._r)
        J0 = [m for a, m in self._J.atoms() if float(a) == 0]
        if w == 0 and abs(1 - r * (1 - sum(float(m) for m in J0))) > 1e-15:
            self._cache[key] = []
            return []
        # E from J's limit at 0: not when 0 lies on J's continuous support, nor when J has an atom at 0 whose limit J
        # does not give (its transform at 0 would be a pole)
        on_J = (bool(J0) and not any(x == 0 for x, _, _ in self._J._real_limits())) or (
            any(float(a) <= 0 <= float(b) for a, b in self._J.support()))
        out = []
        if ctx is None:
            E = np.nan if on_J else -complex(self._J.cauchy(0.0)).real
            if w > 0:
                out = [(0.0, -r * E / w, -np.inf)]
            elif np.isfinite(E) and E != 0:             # w = 0 here is the hard edge (the early return above)
                out = [(0.0, -np.sign(E) * np.inf, -np.inf)]
        else:
            E = ctx.nan if on_J else -ctx.re(self._J._cauchy_mp_limited(ctx.mpf(0), ctx))
            if w > 0:
                w_mp = 1 - as_mp(self._r, ctx) * (1 - ctx.fsum(as_mp(m, ctx) for m in J0))
                out = [(ctx.mpf(0), -as_mp(self._r, ctx) * E / w_mp, -ctx.inf)]
            elif self._real_limits():
                out = [(ctx.mpf(0), ctx.mpf(self._real_limits()[0][1]), -ctx.inf)]
        self._cache[key] = out
        return out

    def _solved_cauchy(self, zu):
        """``(zeta, G)`` at points of the closed upper half-plane, a PrecisionWarning where the solve stopped above the
        axis (:func:`warn_frozen`, which compares with G at twice that height)."""
        zeta, eta = self._solve(zu)
        G = 1 / zeta
        warn_frozen(f"{type(self).__name__}.cauchy", zu, eta, G, lambda zz: 1 / self._solve(zz, on_fail="nan")[0])
        return zeta, G

    def _cauchy_np(self, z):
        zu, low = upper(z)
        G = self._solved_cauchy(zu)[1]
        return np.where(low, np.conj(G), G)

    def _cauchy_pair_np(self, z):
        zu, low = upper(z)
        zeta, G = self._solved_cauchy(zu)
        dG = -derivative(self._system(), zeta, zu) / zeta ** 2
        return np.where(low, np.conj(G), G), np.where(low, np.conj(dG), dG)

    def _cauchy_mp(self, z, ctx):
        low = ctx.im(z) < 0
        zu = ctx.conj(z) if low else ctx.mpc(z)
        zeta0 = self._solve(np.array([complex(zu)]))[0][0]
        G = 1 / polish_mp(self._system(), zeta0, zu, ctx)
        return ctx.conj(G) if low else G

    def _scale(self):
        r = as_float(self._r)
        return self._jump_scale() * (1 + np.sqrt(max(r, 1e-300))) ** 2

    def _pdf_np(self, x):
        x = np.asarray(x, dtype=float)
        out = np.zeros_like(x)
        ok = x != 0  # a possible atom at 0 is reported by atoms()
        inside = self._inside_support(x)
        if inside is not None:
            ok &= inside
        if np.any(ok):
            zeta, eta = self._solve(x[ok] + 0j, on_fail="nan")
            f = density_from_cauchy(x[ok], 1 / zeta, eta, self.atoms_float())
            out[ok] = boundary_density(x[ok], f, eta, self._cauchy_vec, self.atoms_float())
        return out

    def _pdf_mp(self, x, ctx):
        if x == 0:      # as in double precision: the mass at 0 is an atom (atoms()), 0 is not evaluated
            return ctx.mpf(0)
        g = self._cauchy_mp(ctx.mpc(x, 0), ctx)
        v = -ctx.im(g) / ctx.pi
        return v if v > 0 else ctx.mpf(0)

    def _range(self):
        pts = [float(l) for l, _ in self._J.atoms()] + [v for ab in self._J.support() for v in ab]
        k = (1 + np.sqrt(as_float(self._r))) ** 2
        return min(0.0, min(pts) * k), max(0.0, max(pts) * k)

    def _jump_real_pair(self):
        """``x -> (G_J(x), G_J'(x))`` on the real axis off the support of ``J`` (None: not available,
        the support is then located from the density)."""
        return real_pair(self._J)

    def support_intervals(self):
        """Support intervals with the kind of each end (``Interval(lo, hi, lo_kind, hi_kind)``): from the
        real inverse map ``x(zeta) = (1 - r) zeta + r zeta^2 G_J(zeta)`` (critical points: ``"sqrt"``; ends
        of the admissible range classified from the density's exponent there, e.g. ``"quadratic"``), see
        :mod:`freetk.kernels.edges`.  Without a real-axis ``G_J`` (moment route of the NTK law) the
        edges are located from the density instead (``exact_edges`` False)."""
        key = "support_intervals"
        if key not in self._cache:
            self._check_scales()
            pair = self._jump_real_pair()
            if pair is None:
                lo, hi = self._range()
                hints = [float(t) for t, _ in self._J.atoms()]
                self._cache["finding_support"] = True
                try:
                    found = find_support(self, lo, hi, hints=hints)
                finally:
                    del self._cache["finding_support"]
                ivs = [edges.Interval(a, b, "end", "end") for a, b in found]
                self._cache["exact_edges"] = False
            else:
                breaks, params = [], {}
                ivs = edges.fcp_support(as_float(self._r), self._J.support(),
                                        [float(t) for t, _ in self._J.atoms()], pair, breaks, params)
                self._cache["breaks"] = breaks
                self._cache["edge_params"] = params
                self._cache["exact_edges"] = True
            self._cache[key] = ivs
            self._cache[key] = self._classify_ends(ivs)
        return self._cache[key]

    def support(self, dps=None):
        """Support intervals ``[(lo, hi), ...]``; with ``dps=N`` the edges to ``N`` digits (mpmath numbers),
        each polished from its double-precision value in an mpmath context
        (:func:`freetk.kernels.edges.fcp_edge_mp`): a square-root edge by Newton's method on the
        derivative of the inverse map at its critical point, an edge at the end of the admissible range
        as the inverse map's value there (that end, a support edge of the jump law, at the same precision:
        :meth:`_jump_ends_mp`)."""
        ivs = self.support_intervals()
        if dps is None:
            return [(float(iv.lo), float(iv.hi)) for iv in ivs]
        name = f"{type(self).__name__}.support"
        dps = check_dps(name, dps)
        params = self._cache.get("edge_params")
        if params is None:
            raise InvalidArgument(f"{name}(dps=...) needs edges from the inverse map; this law's edges were "
                                  "located from its density (no real-axis Cauchy transform of the jumps), use "
                                  "dps=None")
        ctx = context(dps)
        rate = as_mp(self._r, ctx)
        out = []
        for iv in ivs:
            pair = []
            for x in (iv.lo, iv.hi):
                if x == 0.0 and x not in params:      # an edge at x(0) = 0 (rounded to 0 by the double code)
                    pair.append(ctx.mpf(0))
                    continue
                p, kind = params[x]
                p_mp = None if kind == "sqrt" else self._jump_ends_mp(p, ctx)
                pair.append(edges.fcp_edge_mp(rate, self._J._cauchy_mp, p, kind, ctx, p_mp))
            out.append(tuple(round_to(v, dps) for v in pair))
        return out

    def _jump_ends_mp(self, p, ctx):
        """The end ``p`` (double) of a gap of the jump law, in ``ctx``: the jump law's support edge or atom
        nearest to ``p``, from its exact parameters when it has ``support(dps=...)``; ``0`` stays 0."""
        if p == 0:
            return ctx.mpf(0)
        try:
            ends = [v for iv in self._J.support(dps=ctx.dps) for v in iv]
        except TypeError:           # a jump law without mp edges: its double edges are exact only if binary
            warnings.warn(f"{type(self).__name__}.support(dps={ctx.dps}): the jump law has no edges at that "
                          "precision; an edge at the end of the admissible range is computed from the double "
                          "value of that end", PrecisionWarning, stacklevel=3)
            ends = [ctx.mpf(v) for iv in self._J.support() for v in iv]
        ends += [as_mp(t, ctx) for t, _ in self._J.atoms()]
        return ctx.convert(min(ends, key=lambda v: abs(float(v) - p)))

    def smooth_pieces(self):
        """Support intervals cut at near-critical points of the inverse map (deep narrow dips)."""
        return split_at_breaks(self)


def free_compound_poisson(rate, jump_law):
    """Free compound Poisson law with ``kappa_k = rate * m_k(jump_law)``."""
    return FreeCompoundPoisson(rate, jump_law)
