"""The :class:`Measure` value type.

A measure is immutable.  Its *exact layer* is the moment sequence (sympy
numbers or symbols when the parameters are exact) from which free, boolean and
classical cumulants and the R- and S-transforms follow by the pure kernels of
:mod:`freetk.series`; families override with closed forms where they exist
(formula first, generic fallback).  Its *numeric layer* is ``cauchy``, ``pdf``,
``cdf``, ``support`` and ``atoms``, in double precision by default and at any
precision with ``dps=``.
"""
from abc import ABCMeta, abstractmethod
from types import MappingProxyType
import warnings

import mpmath
import numpy as np
import sympy
from scipy import integrate

from .spectral import SpectralMixin  # quantile, edges, expect, resolvent, ... (public numeric layer only)
from .. import series as _series
from .. import validation as _v
from ..errors import InvalidArgument, NoConvergence, PrecisionWarning
from ..validation import check_order
from ..kernels import quadrature
from ..kernels.edges import Interval
from ..precision import GUARD_DIGITS, check_dps, check_reference_dps, context, round_to
from ..numeric import as_float, evaluate, exact, exact_bits, simplify, to_mp  # noqa: F401 (exact, as_float re-exported)
from .parameters import validate as _validate_parameters

W = sympy.Symbol("w")
Z = sympy.Symbol("z")


#: the methods with a ``method=`` choice and their formula hooks (double precision, mpmath)
FORMULA_HOOKS = {"cauchy": ("_cauchy_np", "_cauchy_mp"), "pdf": ("_pdf_np", "_pdf_mp"),
                 "cdf": ("_cdf_np", "_cdf_mp")}
METHODS = ("auto", "formula", "generic")


class Measure(SpectralMixin, metaclass=ABCMeta):
    """A probability measure on the real line (abstract base).

    The contract of a family (the hooks a subclass writes; nothing else is read):

    * required: ``_moments(k)`` — the exact list ``[m_0..m_k]``; ``_cauchy_mp(z, ctx)`` — ``G(z)``
      in the mpmath context ``ctx``; ``support()`` and ``atoms()`` (default: none);
    * formula hooks, optional (``None`` here): ``_cauchy_np(z)``, ``_pdf_np(x)``, ``_pdf_mp(x, ctx)``,
      ``_cdf_np(x)``, ``_cdf_mp(x, ctx)`` — closed forms or the family's own algorithm, vectorised
      numpy for double precision or scalar mpmath at any precision;
    * optional closed forms of the exact layer: ``_free_cumulants(k)``, ``_r_closed(w)``,
      ``_s_closed(z)`` (``None`` when absent) and ``_cauchy_pair_np``/``_cauchy_pair_mp`` (``G, G'``).

    ``cauchy``, ``pdf``, ``cdf`` and ``moments`` take ``method=``: ``"formula"`` runs the family's
    hooks, ``"generic"`` the fallback written once here from the other quantities (``G`` by
    integrating the density against ``1/(z - t)`` plus the atoms; the density as ``-Im G(x + i0)/pi``;
    the cdf and the moments by integrating the density, plus the atoms), ``"auto"`` (default) the
    formula where the family has one, else the fallback.  :meth:`_kernels` is the one place where
    this choice is made.
    """

    #: LaTeX name of the measure (without $ signs)
    _latex_name = r"\mu"
    #: the family's parameters, declared as data (:mod:`freetk.measures.parameters`)
    PARAMETERS = ()

    def __init__(self):
        self.__dict__["_cache"] = {}
        self.__dict__["_params"] = {}

    def _set_parameters(self, func, **values):
        """Validate the constructor's arguments against ``PARAMETERS`` (``func`` names the public
        constructor in messages) and record them for :attr:`parameters`; returns the validated dict."""
        self.__dict__["_params"] = _validate_parameters(func, self.PARAMETERS, values)
        return self._params

    @property
    def parameters(self):
        """The family's parameters as a read-only mapping ``name -> value`` (exact when given exactly),
        in the order of ``PARAMETERS``; empty for measures without declared parameters."""
        return MappingProxyType(self._params)

    def __setattr__(self, name, value):
        if name.startswith("_") and name not in self.__dict__:
            object.__setattr__(self, name, value)
            return
        raise AttributeError(f"{type(self).__name__} is immutable; operations return new measures")

    # ------------------------------------------------------------------ the formula-or-fallback choice
    _cauchy_np = _pdf_np = _pdf_mp = _cdf_np = _cdf_mp = None     # formula hooks (see the class docstring)

    #: the kernels ("cauchy", "pdf", "cdf") whose mpmath formula is a closed form, cheap at any precision: at ``dps``
    #: they are evaluated at rising working precisions until two agree (:func:`freetk.numeric.evaluate`, ``verify``;
    #: docs/numerics.md, "Points next to an edge at dps")
    _CLOSED_MP = frozenset()

    def _closed_mp(self, name, method):
        """True when ``name``'s mpmath kernel by ``method`` is one of the family's closed forms."""
        return method != "generic" and name in self._CLOSED_MP

    def _verify_bits(self, name, method):
        """``verify`` of :func:`freetk.numeric.evaluate`: None, or for a closed form the bits that write the law's
        exact parameters."""
        return self._param_bits() if self._closed_mp(name, method) else None

    def _param_bits(self):
        """Bits that write the law's exact parameters (those of measures among them included)."""
        if "param_bits" not in self._cache:
            self._cache["param_bits"] = sum(v._param_bits() if isinstance(v, Measure) else exact_bits(v)
                                            for v in self._param_values())
        return self._cache["param_bits"]

    def _param_values(self):
        """The values the law is built from (its declared parameters)."""
        return list(getattr(self, "_params", {}).values())

    def _kernels(self, name, method):
        """``(numpy kernel, mpmath kernel)`` computing ``name`` ("cauchy", "pdf", "cdf") by ``method``.

        ``"formula"``: the family's hooks (an absent numpy hook runs the mpmath one at double precision;
        no hook at all raises).  ``"generic"``: ``_<name>_generic_np`` / ``_<name>_generic_mp``.
        ``"auto"``: the formula where the family has one, else the generic route."""
        func = _check_method(f"{type(self).__name__}.{name}", method)
        np_f, mp_f = (getattr(self, h) for h in FORMULA_HOOKS[name])
        np_g, mp_g = getattr(self, f"_{name}_generic_np"), getattr(self, f"_{name}_generic_mp")
        if method == "generic":
            return np_g, mp_g
        if method == "formula":
            if np_f is None and mp_f is None:
                raise InvalidArgument(f"{func}: {type(self).__name__} has no formula for the {name}; "
                                      "use method='generic' or 'auto'")
            return np_f, mp_f if mp_f is not None else self._no_mp_formula(func)
        return (np_f if np_f is not None or mp_f is not None else np_g), (mp_f if mp_f is not None else mp_g)

    @staticmethod
    def _no_mp_formula(func):
        def kernel(x, ctx):
            raise InvalidArgument(f"{func}: the formula is in double precision only; use method='generic' "
                                  "or 'auto' with dps")
        return kernel

    # ------------------------------------------------------------------ exact layer
    def moments(self, k, method="auto"):
        """Moments ``[m_0, ..., m_k]``: exact sympy numbers when the parameters are exact
        (``method="formula"``, the default through ``"auto"``), or floats integrated from the density
        plus the atoms (``method="generic"``, double precision)."""
        k = check_order(f"{type(self).__name__}.moments", "k", k)
        _check_method(f"{type(self).__name__}.moments", method)
        if method == "generic":
            return self._moments_generic(k)
        cached = self._cache.get("moments")
        if cached is None or len(cached) < k + 1:
            cached = list(self._moments(k))
            self._cache["moments"] = cached
        return cached[:k + 1]

    @abstractmethod
    def _moments(self, k):
        """The exact moments ``[m_0..m_k]`` (closed form, or the family's exact algorithm)."""

    def _moments_generic(self, k):
        return [1.0] + [sum(w * a ** j for a, w in self.atoms_float()) +
                        quadrature.integrate(self._quad_table(), lambda t, j=j: t ** j) for j in range(1, k + 1)]

    def free_cumulants(self, k):
        """Free cumulants ``[kappa_1, ..., kappa_k]``."""
        k = check_order(f"{type(self).__name__}.free_cumulants", "k", k)
        f = self._free_cumulants(k)
        if f is not None:
            return f
        return _series.moments_to_free_cumulants(self.moments(k))

    def _free_cumulants(self, k):
        return None

    def boolean_cumulants(self, k):
        """Boolean cumulants ``[beta_1, ..., beta_k]`` (``M = 1/(1 - B)``)."""
        k = check_order(f"{type(self).__name__}.boolean_cumulants", "k", k)
        return _series.moments_to_boolean_cumulants(self.moments(k))

    def classical_cumulants(self, k):
        """Classical cumulants ``[c_1, ..., c_k]``."""
        k = check_order(f"{type(self).__name__}.classical_cumulants", "k", k)
        return _series.moments_to_classical_cumulants(self.moments(k))

    def mean(self):
        return self.moments(1)[1]

    def variance(self):
        m = self.moments(2)
        return simplify(m[2] - m[1] ** 2)

    def r_transform(self, order=None, var=W):
        """R-transform ``R(w) = sum_{k>=0} kappa_{k+1} w^k``.

        ``order=None`` returns the closed form (when the family has one), an
        integer ``order`` the polynomial truncation ``sum_{k<order}``.
        """
        return self._transform("r_transform", order, var, self._r_closed, self.free_cumulants)

    def _r_closed(self, var):
        return None

    def s_transform(self, order=None, var=Z):
        """S-transform ``S(z) = chi(z)(1+z)/z`` (closed form or ``order`` terms)."""
        return self._transform("s_transform", order, var, self._s_closed,
                               lambda k: _series.moments_to_s_transform(self.moments(k)))

    def _transform(self, name, order, var, closed_fn, coeffs_fn):
        if order is None:
            closed = closed_fn(var)
            if closed is None:
                raise InvalidArgument(f"{type(self).__name__}.{name} has no closed form; pass `order` for a series")
            return closed
        order = check_order(f"{type(self).__name__}.{name}", "order", order)
        c = coeffs_fn(order)
        return sympy.Add(*[sympy.sympify(c[j]) * var ** j for j in range(order)])

    def _s_closed(self, var):
        return None

    # ------------------------------------------------------------------ numeric layer
    def cauchy(self, z, dps=None, method="auto"):
        """Cauchy transform ``G(z) = int dmu(t)/(z - t)`` (``Im G < 0`` for ``Im z > 0``); on the real axis the
        limit from above, whatever the sign of a zero imaginary part (``complex(x, -0.0)`` gave the limit from below
        in the double-precision closed forms, from above in mpmath and in the fixed-point laws).

        ``method="generic"`` integrates the density (accurate away from the support)."""
        np_k, mp_k = self._kernels("cauchy", method)

        def np_lim(zz):
            zz = np.asarray(zz, complex) + 0j         # -0.0 + 0.0 = +0.0: the limit from above
            lims = self._real_limits() if np.any(zz.imag == 0) else []
            if not lims:
                return np_k(zz)
            hit = np.isin(zz, [complex(x) for x, _, _ in lims])
            G = np.zeros(zz.shape, complex)
            if np.any(~hit):
                G[~hit] = np_k(zz[~hit])
            return with_real_limits(zz, G, lims)

        return evaluate(z, np_lim if np_k is not None else None, lambda v, ctx: self._cauchy_mp_limited(v, ctx, mp_k),
                        dps, complex_out=True, name=f"{type(self).__name__}.cauchy",
                        verify=self._verify_bits("cauchy", method))

    def _real_limits(self, ctx=None):
        """``[(x, re, im)]``: real points where the Cauchy transform is infinite, with its limit from above
        ``G(x + i0) = re + i im`` (floats, or numbers of the mpmath context ``ctx``); :meth:`cauchy` returns those
        limits there instead of evaluating the kernels (docs/numerics.md, "The Cauchy transform at its real poles").
        Empty by default: families with atoms or ends where the density is not integrable against ``1/(x - t)``
        override it."""
        return []

    def _cauchy_mp_limited(self, z, ctx, kernel=None):
        """``kernel(z, ctx)`` (default ``_cauchy_mp``) with the limits of :meth:`_real_limits` at their points (the
        mpmath path of :meth:`cauchy`, and sums of parts)."""
        lim = real_limit_mp(z, ctx, self._real_limits(ctx)) if ctx.im(z) == 0 else None
        return lim if lim is not None else (kernel or self._cauchy_mp)(z, ctx)

    @abstractmethod
    def _cauchy_mp(self, z, ctx):
        """``G(z)`` in the mpmath context ``ctx`` (required: every measure has a Cauchy transform)."""

    def _cauchy_generic_np(self, z):
        """Atoms plus adaptive quadrature (QUADPACK, split under a nearby pole) of the density against
        ``1/(z - t)`` on each smooth piece, in the angle ``t = lo + (hi - lo) sin^2(theta/2)`` that makes
        square-root and inverse-square-root ends smooth, with ``(f(x0) + f'(x0)(t - x0))/(z - t)`` (``x0 =
        Re z``) subtracted and integrated in closed form when ``z`` is above a piece: ~1e-12 relative also
        at ``Im z = 1e-6`` next to the support.  The density is evaluated at ``t`` in double precision, and
        the Jacobian ``sqrt((t - lo)(hi - t))`` at that same rounded ``t``: a piece far from 0 compared
        with its width (``arcsine(10**6, 10**6 + 1)``) then keeps about 1e-10 relative accuracy (a
        cross-check route; the formulas are exact)."""
        z = np.asarray(z, complex)
        pdf = self._kernels("pdf", "auto")[0] or (lambda t: np.asarray(self.pdf(t), float))
        f = lambda t: float(np.asarray(pdf(np.array([t])), float)[0])  # noqa: E731
        out = np.zeros(z.shape, complex)
        for a, w in self.atoms_float():
            out += w / (z - a)
        flat = out.reshape(-1)
        for i, zi in enumerate(z.reshape(-1)):
            for lo, hi in self.smooth_pieces():
                # t = lo + (hi - lo) sin^2(theta/2): square-root and inverse-square-root ends become smooth
                L = hi - lo

                x0 = zi.real
                inside = lo < x0 < hi
                # under a pole close to the axis: subtract (f(x0) + f'(x0)(t - x0)) / (z - t), x0 = Re z,
                # integrated in closed form; the rest vanishes like (t - x0)^2 at the pole
                f0 = f1 = 0.0
                if inside:
                    f0, dh = f(x0), 1e-5 * min(x0 - lo, hi - x0)
                    f1 = (f(x0 + dh) - f(x0 - dh)) / (2 * dh)

                t_min, t_max = np.nextafter(lo, hi), np.nextafter(hi, lo)

                def h(th, g):
                    t = min(max(lo + L * np.sin(th / 2) ** 2, t_min), t_max)
                    # dt/dtheta = (L/2) sin(theta) = sqrt((t - lo)(hi - t)), taken at the rounded t the
                    # density sees: next to an end of a piece far from 0 (|lo|/L large) t carries an
                    # absolute rounding error ~ |lo| 1e-16, which the exact distances t - lo and hi - t
                    # (Sterbenz) follow; with the Jacobian at the unrounded theta a 1/sqrt end lost
                    # sqrt(|lo|/L 1e-16) in relative accuracy.  t stays strictly inside [lo, hi] (a t
                    # rounded onto an end would give 0 * inf there)
                    jac = np.sqrt((t - lo) * (hi - t))
                    return (f(t) - f0 - f1 * (t - x0)) * g(1 / (zi - t)) * jac
                near = [2 * np.arcsin(np.sqrt((zi.real - lo) / L))] if inside else None
                with warnings.catch_warnings():     # QUADPACK's roundoff notes at the requested 1e-13
                    warnings.simplefilter("ignore", integrate.IntegrationWarning)
                    parts = [integrate.quad(h, 0.0, np.pi, args=(g,), points=near, limit=200,
                                            epsabs=1e-15, epsrel=1e-13)[0] for g in (np.real, np.imag)]
                if inside:
                    lg = np.log(zi - lo) - np.log(zi - hi)       # int dt/(z - t) over [lo, hi]
                    flat[i] += f0 * lg + f1 * ((zi - x0) * lg - L)
                flat[i] += complex(*parts)
        return out

    def _cauchy_generic_mp(self, z, ctx):
        wide = _doubled(ctx)
        z = wide.mpc(z)
        pdf = self._kernels("pdf", "auto")[1]
        tot = wide.fsum(as_mp(w, wide) / (z - as_mp(a, wide)) for a, w in self.atoms())
        for lo, hi in self._pieces_mp(wide):
            near = [wide.re(z)] if lo < wide.re(z) < hi else []     # split under a nearby pole
            tot += wide.quad(lambda t: pdf(t, wide) / (z - t), [lo] + near + [hi])
        return ctx.mpc(tot)

    def _pieces_mp(self, ctx):
        """The smooth pieces with each end of the support refined at the precision of ``ctx``.

        ``support()`` gives the edges in double precision; integrating a square-root edge from a
        rounded end misses ``~(1e-16)^{3/2}`` of mass.  An end where the density is 0 just outside
        and positive just inside is moved by bisection on that sign change (the density's own
        kernel, at working precision); any other end is kept.  The mass left in the last bracket
        (width ``w``) is at most ``4 w f(end + w)`` for a density ``~ |t - end|^a`` with ``a >= -3/4``
        (``w f(w)/(1 + a)``); when it exceeds the precision asked a :class:`PrecisionWarning` says so
        (a ``1/sqrt`` edge, e.g. the arcsine law's, cannot be located closer than the context allows)."""
        key = ("pieces_mp", ctx.prec)
        if key not in self._cache:
            pdf = self._kernels("pdf", "auto")[1]
            ends = {v for iv in self.support() for v in iv}
            missed = [ctx.mpf(0)]

            def end(e, inward, width):
                return self._refine_end(e, inward, width, pdf, ctx, missed) if e in ends else ctx.mpf(e)
            pieces = [(end(lo, +1, hi - lo), end(hi, -1, hi - lo)) for lo, hi in self.smooth_pieces()]
            self._cache[key] = (pieces, missed[0])
        pieces, missed = self._cache[key]
        if missed > ctx.mpf(10) ** (GUARD_DIGITS - ctx.dps // 2):     # ctx is the doubled context
            warnings.warn(f"{type(self).__name__}: the generic route integrates the density from support edges "
                          f"located to the working precision; the mass left at the edges may reach "
                          f"{mpmath.nstr(missed, 3)}", PrecisionWarning, stacklevel=4)
        return pieces

    @staticmethod
    def _refine_end(e, inward, width, pdf, ctx, missed):
        step = ctx.mpf(1e-9) * (abs(width) + abs(e))
        out, inside = ctx.mpf(e) - inward * step, ctx.mpf(e) + inward * step
        try:
            if pdf(out, ctx) != 0 or not pdf(inside, ctx) > 0:
                return ctx.mpf(e)
            for _ in range(ctx.prec + 40):           # the bracket shrinks below the context's resolution
                mid = (out + inside) / 2
                if mid in (out, inside):
                    break
                if pdf(mid, ctx) > 0:
                    inside = mid
                else:
                    out = mid
        except NoConvergence:        # a density from an equation need not converge at an edge: keep it
            return ctx.mpf(e)
        w = abs(inside - out)
        missed[0] += 4 * w * pdf(inside + inward * w, ctx)
        return inside

    def _cauchy_pair_np(self, z):
        """``(G(z), G'(z))`` in double precision on a complex array (``G' = -int dmu(t)/(z - t)^2``).

        Families override this with closed forms; the fallback differentiates the analytic ``G``
        by a central difference along the real direction (relative error ~1e-10 away from the
        support), which the solvers only use as a Newton direction (the fixed point does not depend on
        it), never as a result.
        """
        z = np.asarray(z, dtype=complex)
        # a step small against the distance to the real axis (and to 0, where atoms often sit)
        h = 1e-5 * np.maximum(np.maximum(np.abs(z.imag), 1e-3 * np.abs(z)), 1e-300)
        g = self._cauchy_vec(z)
        dg = (self._cauchy_vec(z + h) - self._cauchy_vec(z - h)) / (2 * h)
        return g, dg

    def _cauchy_psi_np(self, z):
        """``(G, G', K, S, K')`` with ``K(z) = z G(z) - 1 = int t dmu(t)/(z - t)`` (the moment generating function at
        ``1/z``; an atom at 0 does not enter it) and ``S`` the size of the terms ``K`` was formed from (its rounding is
        ``~eps S``).  The multiplicative subordination takes ``1/w - 1/G(1/w)`` as ``K/G``: for a measure almost all
        atom at 0 (``1 - p`` there) ``z G - 1`` is a difference of terms of size 1 with a result of size ``p``, so the
        families where that happens compute ``K`` directly (``S = |K|``); this fallback forms ``z G - 1``."""
        z = np.asarray(z, complex)
        g, dg = self._cauchy_pair_np(z)
        with np.errstate(all="ignore"):
            return g, dg, z * g - 1, np.abs(z * g) + 1, g + z * dg

    def _cauchy_var_np(self, z):
        """``G(z)^2 + G'(z) = -(1/2) int int (s - t)^2 dmu(s) dmu(t)/((z - s)^2 (z - t)^2)``, which behaves like
        ``-var/z^4`` far away, where ``1/G' + 1/G^2`` (the ⊞ support search's ``x'(g)`` on an outer branch) is formed
        from terms of size ``z^2``.  Families that can give it without that cancellation override this (atoms); this
        fallback forms it from the pair."""
        g, dg = self._cauchy_pair_np(np.asarray(z, complex))
        return g * g + dg

    def _cauchy_pair_mp(self, z, ctx):
        """``(G(z), G'(z))`` for the Newton polish at working precision: ``G`` in the context ``ctx``,
        ``G'`` from :meth:`_cauchy_pair_np` unless a family overrides this.  Newton's method only
        needs an approximate derivative: the fixed point does not depend on it, and a derivative
        good to ~15 digits still gains ~15 digits per step."""
        g = self._cauchy_mp(z, ctx)
        dg = complex(self._cauchy_pair_np(np.array([complex(z)]))[1][0])
        return g, ctx.mpc(dg)

    def _cauchy_vec(self, z):
        """Double-precision Cauchy transform on an array (internal fast path)."""
        return np.asarray(self.cauchy(np.asarray(z, dtype=complex)), dtype=complex)

    def stieltjes(self, z, dps=None):
        """Stieltjes transform ``m(z) = -G(z)`` (offered for convenience, never mixed up)."""
        g = self.cauchy(z, dps=dps)
        return -g

    def pdf(self, x, dps=None, method="auto"):
        """Density of the absolutely continuous part, ``-Im G(x + i0)/pi`` (atoms excluded).

        At the location of an atom the continuous density is reported as 0.  ``method="generic"``
        takes the boundary value of the Cauchy transform's formula.
        """
        np_kernel, mp_kernel = self._kernels("pdf", method)
        if np_kernel is not None and self.atoms_float():
            locs = np.array([a for a, _ in self.atoms_float()])
            inner = np_kernel

            def np_kernel(xx):
                xx = np.asarray(xx, float)
                out = np.zeros(xx.shape)
                # exactly at an atom only: a window (it was 1e-12 (1 + |a|)) returned 0 where the continuous part is
                # positive (semicircle + an atom at 0: 0 at 1e-13, true 1/pi; at 1e6 + 1e-7 next to an atom at 1e6)
                at = np.isin(xx, locs)
                if np.any(~at):
                    out[~at] = inner(xx[~at])
                return out
        if dps is not None and mp_kernel is not None and self.atoms():
            inner_mp, locs_exact = mp_kernel, [a for a, _ in self.atoms()]

            def mp_kernel(v, ctx):       # as in double precision: 0 exactly at an atom (its location given exactly)
                return ctx.mpf(0) if any(as_mp(a, ctx) == v for a in locs_exact) else inner_mp(v, ctx)
        return evaluate(x, np_kernel, mp_kernel, dps, name=f"{type(self).__name__}.pdf",
                        verify=self._verify_bits("pdf", method))

    def _pdf_generic_np(self, x):
        g = np.asarray(self.cauchy(np.asarray(x, float) + 0j, method="formula"), complex)
        return np.clip(-g.imag / np.pi, 0, None)

    def _pdf_generic_mp(self, x, ctx):
        if any(x == as_mp(a, ctx) for a, _ in self.atoms()):
            return ctx.mpf(0)
        v = -ctx.im(self._kernels("cauchy", "formula")[1](ctx.mpc(x, 0), ctx)) / ctx.pi
        return v if v > 0 else ctx.mpf(0)

    def pdf_error(self, x, dps=30):
        """Estimated absolute error of ``pdf(x)`` in double precision: the difference with the same
        density evaluated at ``dps`` digits (an a-posteriori check, slower than ``pdf``).  ``dps`` must be
        an integer (``None``, double precision, would compare the double value with itself)."""
        name = f"{type(self).__name__}.pdf_error"
        check_reference_dps(name, dps)
        _v.points(name, "x", x)
        x0 = np.asarray(x, dtype=float)
        x = x0.ravel()
        hi = np.array([float(v) for v in np.ravel(self.pdf(x, dps=dps))])
        return np.abs(np.asarray(self.pdf(x), dtype=float) - hi).reshape(x0.shape)[()]

    def atoms_float(self):
        """``atoms()`` as ``(location, mass)`` floats, computed once (the numeric paths call it often)."""
        if "atoms_float" not in self._cache:
            self._cache["atoms_float"] = [(float(a), float(w)) for a, w in self.atoms()]
        return self._cache["atoms_float"]

    def cdf(self, x, dps=None, method="auto"):
        """Cumulative distribution ``mu((-inf, x])``, atoms included (``method="generic"``: the
        integrated density plus the atoms)."""
        np_k, mp_k = self._kernels("cdf", method)
        return evaluate(x, np_k, mp_k, dps, name=f"{type(self).__name__}.cdf",
                        verify=self._verify_bits("cdf", method))

    def support(self, dps=None):
        """Closed intervals ``[(lo, hi), ...]`` carrying the continuous part; with ``dps=N`` the edges as
        mpmath numbers correct to ``N`` digits, for the laws whose edges are known that precisely."""
        if dps is not None:
            self._support_mp(dps)     # validates dps; a measure without a continuous part has no edges
        return []

    def _support_mp(self, dps, ends=None):
        """``support(dps=...)`` from ``ends(ctx)`` (the exact edges in the mpmath context ``ctx``), rounded to
        ``dps`` digits; without ``ends`` the law's edges are not known to arbitrary precision: refused."""
        name = f"{type(self).__name__}.support"
        dps = check_dps(name, dps)
        if ends is None:
            if not self.support():
                return []
            raise InvalidArgument(f"{name}(dps=...): this law's edges are not known beyond double precision; "
                                  "use dps=None")
        ctx = context(dps)
        return [(round_to(a, dps), round_to(b, dps)) for a, b in ends(ctx)]

    def atoms(self):
        """Atoms ``[(location, mass), ...]``."""
        return []

    def support_intervals(self):
        """Support intervals with the kind of each end, ``Interval(lo, hi, lo_kind, hi_kind)``.

        Kinds: ``"sqrt"`` — the density is a half-integer power of the distance to the edge (square-root,
        hard ``1/sqrt`` or constant), smooth in the angle variable ``x = c - h cos(theta)``; ``"end"`` —
        any other behaviour (e.g. quadratic vanishing, ``x^(-2/3)``), integrated on graded panels.  The
        families here have half-integer edges; laws computed from inverse maps override this.
        """
        return [Interval(float(lo), float(hi), "sqrt", "sqrt") for lo, hi in self.support()]

    def _classify_ends(self, intervals):
        """Intervals with every ``"end"`` kind (an end of the admissible range of an inverse map, or an
        edge found from the density) replaced by its kind measured from the density's exponent there
        (:func:`freetk.kernels.quadrature.classify_end`: "hard", "sqrt", "quadratic", "smooth", "power")."""
        pdf = lambda x: np.asarray(self.pdf(x), dtype=float)  # noqa: E731
        out = []
        for iv in intervals:
            w = iv.hi - iv.lo
            kl = quadrature.classify_end(pdf, iv.lo, +1, w)[0] if iv.lo_kind == "end" else iv.lo_kind
            kh = quadrature.classify_end(pdf, iv.hi, -1, w)[0] if iv.hi_kind == "end" else iv.hi_kind
            out.append(type(iv)(iv.lo, iv.hi, kl, kh))
        return out

    def _inside_support(self, x):
        """Boolean mask of the points of ``x`` in the (closed) support intervals when the edges are exact
        (computed from an inverse map), else None.  Outside exact edges the density is exactly 0."""
        if self._cache.get("finding_support"):
            return None
        ivs = self.support_intervals()
        if not self._cache.get("exact_edges"):
            return None
        x = np.asarray(x, float)
        inside = np.zeros(x.shape, bool)
        for iv in ivs:
            inside |= (x >= iv.lo) & (x <= iv.hi)
        return inside

    def smooth_pieces(self):
        """Intervals covering the support on which the density is smooth inside (singular behaviour,
        e.g. square-root edges or breakpoints of a closed form, only at the ends).  Default: the support
        intervals; families with interior breakpoints override."""
        return self.support()

    def _quad_table(self, interior="end"):
        """The cumulative table of the continuous part (:func:`freetk.kernels.quadrature.build`) on the
        smooth pieces, each end with the kind from :meth:`support_intervals` (interior breakpoints get
        ``interior``: by default ``"end"``, classified from the density's exponent, e.g. ``|x|^(1/3)`` at a
        cusp); built once."""
        if "quad_table" not in self._cache:
            ends = {}
            for iv in self.support_intervals():
                ends[float(iv.lo)], ends[float(iv.hi)] = iv.lo_kind, iv.hi_kind
            pieces = [Interval(float(a), float(b), ends.get(float(a), interior), ends.get(float(b), interior))
                      for a, b in self.smooth_pieces()]
            self._cache["quad_table"] = quadrature.build(self._table_pdf(), pieces)
        return self._cache["quad_table"]

    def _table_pdf(self):
        """The vectorised density the quadrature table integrates (laws whose edges are not doubles
        override it, see :meth:`freetk.convolution._Convolution._table_pdf`)."""
        return lambda x: np.asarray(self.pdf(x), dtype=float)

    def _cdf_generic_np(self, x):
        table = self._quad_table()
        self._warn_table("cdf", table.error)
        return quadrature.cdf(table, x, self.atoms_float())

    #: error estimate of the density's expansion above which total_mass and cdf warn (double precision
    #: promises about 1e-12 relative for solved densities; 1e-9 leaves room for the estimate's pessimism)
    MASS_TOL = 1e-9

    def _warn_table(self, what, err, tol=None):
        """A :class:`PrecisionWarning` when the expansion's error estimate ``err`` exceeds ``tol``
        (``MASS_TOL`` when None): the value is returned, but only to about ``err``."""
        tol = self.MASS_TOL if tol is None else tol
        if not err <= tol:
            warnings.warn(f"{type(self).__name__}.{what}: the quadrature of the density is good to about {err:.1e} "
                          f"only (Chebyshev tail of its expansion; asked {tol:.1e}); see quadrature_error()",
                          PrecisionWarning, stacklevel=4)

    def _cdf_generic_mp(self, x, ctx):
        wide = _doubled(ctx)
        pdf = self._kernels("pdf", "auto")[1]
        tot = wide.mpf(0)
        for loc, w in self.atoms():
            if atom_at_or_below(loc, x, ctx):
                tot += as_mp(w, wide)
        x = wide.mpf(x)
        for lo, hi in self._pieces_mp(wide):
            if x <= lo:
                continue
            top = min(x, hi)
            tot += wide.quad(lambda t: pdf(t, wide), [lo, top])
        return ctx.mpf(tot)

    def total_mass(self):
        """Continuous mass (Chebyshev expansion of the density in the angle variable of each support
        interval, see :mod:`freetk.kernels.quadrature`) plus the atoms, in double precision.  When the
        expansion's error estimate (:meth:`quadrature_error`) exceeds ``MASS_TOL`` a
        :class:`PrecisionWarning` gives it (it bounds the error of the mass)."""
        if self._CLOSED_MASS:   # a family with a closed-form cdf: its value well above the support
            ivs = self.support()
            top = float(max([b for _, b in ivs] + [a for a, _ in self.atoms_float()]))
            return float(np.asarray(self._cdf_np(np.array([top + max(1.0, abs(top))])), float)[0])
        table = self._quad_table()
        self._warn_table("total_mass", table.error)
        return sum(w for _, w in self.atoms_float()) + table.total

    #: True for families whose closed-form ``_cdf_np`` gives the mass exactly (no quadrature, whose
    #: nodes lose the ratio position/width of a piece far from 0 in relative accuracy)
    _CLOSED_MASS = False

    def quadrature_error(self):
        """Error estimate of :meth:`total_mass`, :meth:`cdf` and :meth:`expect` (double precision): the
        size of the tails of the Chebyshev coefficients of the density's expansion."""
        return self._quad_table().error

    def _expect_density(self, g, tol=None):
        """``int g dmu`` for a vectorised function ``g``: atoms plus the continuous part from the same
        expansion as ``cdf`` (no new density evaluations); the public :meth:`expect` chooses between
        this and the Cauchy-transform route.  The accuracy is that of the expansion: its error estimate
        (:meth:`quadrature_error`, a bound on the error of the mass) times the largest ``|g|`` at the
        expansion's nodes bounds the error of the continuous part; when that exceeds ``tol`` a
        :class:`PrecisionWarning` gives it (the expansion is already refined to its noise level:
        more nodes would not meet ``tol``)."""
        table = self._quad_table()
        atoms = self.atoms_float()
        tot = sum(float(np.asarray(g(np.array([x])), float)[0]) * w for x, w in atoms)
        if not table.pieces:
            return tot
        # shifted to the centre c of the support: int g f = int (g - g(c)) f + g(c) (1 - sum of the atoms),
        # the continuous mass being exact for a probability measure; the quadrature's relative error
        # (e.g. the rounding of x - lo at nodes of a piece far from 0) then multiplies g - g(c), not g
        c = 0.5 * (table.pieces[0].lo + table.pieces[-1].hi)
        gc = float(np.asarray(g(np.array([c])), float)[0])
        if not np.isfinite(gc):
            gc = 0.0
        cont = 1.0 - sum(w for _, w in atoms)
        part, err = quadrature.integrate(table, lambda t: np.asarray(g(t), float) - gc, with_error=True)
        val = tot + part + gc * cont
        if tol is not None:
            xs = [p.x if hasattr(p, "x") else np.array([p.edge]) for p in table.pieces]
            gmax = float(np.max(np.abs(np.asarray(g(np.concatenate(xs)), float) - gc)))
            self._warn_table("expect", max(table.error * gmax, err), tol)
        return val

    def _quantile_np(self, q):
        """Smallest ``x`` with ``cdf(x) >= q`` (internal; bisection on the table's cdf)."""
        return quadrature.quantile(self._quad_table(), q, self.atoms_float())

    def algebraic(self):
        """The exact equation ``P(G, z) = 0`` of the Cauchy transform, as an
        :class:`~freetk.algebraic.AlgebraicLaw` (see :func:`freetk.algebraic.algebraic_of`)."""
        from ..algebraic import algebraic_of   # the algebraic package imports the measures
        return algebraic_of(self)

    # ------------------------------------------------------------------ presentation
    def latex(self):
        """LaTeX name of the measure."""
        return self._latex_name

    def _repr_latex_(self):
        return f"${self.latex()}$"

    def __repr__(self):
        return f"<{type(self).__name__} {self.latex()}>"


def _check_method(func, method):
    """``func`` when ``method`` is one of :data:`METHODS`, else a loud error."""
    if method not in METHODS:
        raise InvalidArgument(f"Argument `method` of `{func}` must be one of {', '.join(map(repr, METHODS))}, "
                              f"got {method!r}")
    return func


def atom_at_or_below(loc, x, ctx):
    """``loc <= x`` for an atom's exact location ``loc`` and a point ``x`` of the context ``ctx``: equal when ``loc``
    converts to ``x`` itself (the point was given as that number: ``dirac(1/3).cdf(1/3, dps=20)`` compared the point
    rounded to ``ctx`` with the atom at twice the precision and left the atom out), else compared with the atom at
    the bits of x and of loc (x's rounding is then far below their difference; docs/numerics.md, "Points next to an
    edge at dps")."""
    a = as_mp(loc, ctx)
    if a == x:
        return True
    wide = mpmath.MPContext()
    wide.prec = 2 * max(ctx.prec, int(ctx.convert(x)._mpf_[3])) + 2 * exact_bits(loc) + 64
    return wide.convert(x) >= as_mp(loc, wide)


def _doubled(ctx):
    """A context at twice the precision of ``ctx``, for the generic routes that integrate the density
    up to its edges: an edge located to ``2p`` bits leaves ``~2^-p`` of mass at a ``1/sqrt`` edge, and
    tanh-sinh nodes reach ``2^-2p`` from the ends (results are rounded back to ``ctx``)."""
    wide = mpmath.MPContext()
    wide.prec = 2 * ctx.prec
    return wide


def own_cauchy_var(measure):
    """``measure._cauchy_var_np`` (``x -> G(x)^2 + G'(x)``) when its family computes it without cancellation, else None
    (callers then form it from the pair ``G, G'``)."""
    return measure._cauchy_var_np if type(measure)._cauchy_var_np is not Measure._cauchy_var_np else None


def as_mp(x, ctx):
    """An exact or inexact parameter as a number of the mpmath context ``ctx``."""
    if isinstance(x, sympy.Basic):
        if x.free_symbols:
            raise InvalidArgument(f"numeric evaluation needs numeric parameters; {x} has symbols")
    return to_mp(x, ctx)


def check_positive(func, name, x, allow_zero=False):
    """Raise when a numeric parameter is not > 0 (symbols are assumed valid)."""
    return _v.positive(func, name, x, allow_zero=allow_zero)


def split_at_breaks(measure):
    """Support intervals cut at the interior breakpoints found with the edges (cusps, kinks, near-critical
    points of the inverse map), as recorded in ``measure._cache["breaks"]`` by ``support_intervals()``."""
    measure.support_intervals()
    br = sorted(set(measure._cache.get("breaks", [])))
    out = []
    for lo, hi in measure.support():
        w = hi - lo
        cuts = [lo] + [b for b in br if lo + 1e-9 * w < b < hi - 1e-9 * w] + [hi]
        out += list(zip(cuts[:-1], cuts[1:]))
    return out


def real_numbers(ctx=None):
    """``(convert, inf, pi)`` in double precision (``ctx`` None) or in the mpmath context ``ctx``: the numbers in which
    :meth:`Measure._real_limits` gives its points and limits."""
    if ctx is None:
        return as_float, np.inf, np.pi
    return (lambda v: as_mp(v, ctx)), ctx.inf, ctx.pi


def with_real_limits(z, G, limits):
    """``G`` with the limits from above ``G(x + i0) = re + i im`` set at the real points ``x`` of ``limits``
    (``[(x, re, im)]``), where the Cauchy transform is infinite and complex arithmetic would give NaN or a
    rounding-sized denominator: at an atom ``im = -inf`` (``w/(iy)``) and ``re`` is the rest's value; at an edge where
    the density is not integrable against ``1/(x - t)`` ``re = -inf`` (left end) or ``+inf`` (right end)
    (docs/numerics.md, "The Cauchy transform at its real poles")."""
    z = np.asarray(z, complex)
    G = np.array(G, complex)
    for x, re, im in limits:
        hit = z == x
        if np.any(hit):
            G[hit] = complex(re, im)
    return G


def real_limit_mp(z, ctx, limits):
    """The limit from above at ``z`` when ``z`` is one of the real points of ``limits`` (``[(x, re, im)]`` in
    ``ctx``), else None (:func:`with_real_limits`)."""
    for x, re, im in limits:
        if z == x:
            return ctx.mpc(re, im)
    return None
