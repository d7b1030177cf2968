"""The :class:`Measure` value type.

A measure is immutable.  Its *exact layer* is the moment sequence (sympy
numbers or symbols when the parameters are exact) from which free, boolean and
classical cumulants and the R- and S-transforms follow by the pure kernels of
:mod:`freetk.series`; families override with closed forms where they exist
(formula first, generic fallback).  Its *numeric layer* is ``cauchy``, ``pdf``,
``cdf``, ``support`` and ``atoms``, in double precision by default and at any
precision with ``dps=``.
"""
from types import MappingProxyType

import mpmath
import numpy as np
import sympy

from .spectral import SpectralMixin  # quantile, edges, expect, resolvent, ... (public numeric layer only)
from .. import series as _series
from ..errors import InvalidArgument, check_order
from ..numeric import as_float, evaluate, exact, to_mp  # noqa: F401 (exact, as_float re-exported)
from .parameters import validate as _validate_parameters

W = sympy.Symbol("w")
Z = sympy.Symbol("z")


class Measure(SpectralMixin):
    """A probability measure on the real line (abstract base).

    Subclasses implement ``_moments(k)`` (exact list ``[m_0..m_k]``) and the
    numeric kernels ``_cauchy_mp`` (and optionally ``_cauchy_np``, ``_pdf_mp``,
    ``_pdf_np``, ``_cdf_mp``), ``support`` and ``atoms``.
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

    # ------------------------------------------------------------------ exact layer
    def moments(self, k):
        """Moments ``[m_0, ..., m_k]`` (exact sympy numbers when the parameters are exact)."""
        k = check_order(f"{type(self).__name__}.moments", "k", k)
        cached = self._cache.get("moments")
        if cached is None or len(cached) < k + 1:
            cached = list(self._moments(k))
            self._cache["moments"] = cached
        return cached[:k + 1]

    def _moments(self, k):  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__} has no moment formula")

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
        return _simp(m[2] - m[1] ** 2)

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
    def cauchy(self, z, dps=None):
        """Cauchy transform ``G(z) = int dmu(t)/(z - t)`` (``Im G < 0`` for ``Im z > 0``)."""
        return evaluate(z, getattr(self, "_cauchy_np", None), self._cauchy_mp, dps, complex_out=True)

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

    def pdf(self, x, dps=None):
        """Density of the absolutely continuous part, ``-Im G(x + i0)/pi`` (atoms excluded).

        At the location of an atom the continuous density is reported as 0.
        """
        np_kernel = getattr(self, "_pdf_np", None)
        if np_kernel is not None and self.atoms_float():
            locs = np.array([a for a, _ in self.atoms_float()])
            inner = np_kernel

            def np_kernel(xx):
                xx = np.asarray(xx, float)
                out = np.zeros(xx.shape)
                at = np.any(np.abs(xx[..., None] - locs) <= 1e-12 * (1 + np.abs(locs)), axis=-1)
                if np.any(~at):
                    out[~at] = inner(xx[~at])
                return out
        return evaluate(x, np_kernel, self._pdf_mp, dps)

    def pdf_error(self, x, dps=30):
        """Estimated absolute error of ``pdf(x)`` in double precision: the difference with the same
        density evaluated at ``dps`` digits (an a-posteriori check, slower than ``pdf``)."""
        x = np.atleast_1d(np.asarray(x, dtype=float))
        hi = np.array([float(v) for v in np.atleast_1d(self.pdf(x, dps=dps))])
        return np.abs(np.asarray(self.pdf(x), dtype=float) - hi)

    def _pdf_mp(self, x, ctx):
        raise NotImplementedError(f"{type(self).__name__} has no density kernel")

    def atoms_float(self):
        """``atoms()`` as ``(location, mass)`` floats, computed once (the numeric paths call it often)."""
        if "atoms_float" not in self._cache:
            self._cache["atoms_float"] = [(float(a), float(w)) for a, w in self.atoms()]
        return self._cache["atoms_float"]

    def cdf(self, x, dps=None):
        """Cumulative distribution ``mu((-inf, x])``, atoms included."""
        return evaluate(x, getattr(self, "_cdf_np", None) or self._cdf_np_generic,
                        self._cdf_mp_generic if not hasattr(self, "_cdf_mp") else self._cdf_mp, dps)

    def support(self):
        """Closed intervals ``[(lo, hi), ...]`` carrying the continuous part."""
        return []

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
        from ..kernels.edges import Interval
        return [Interval(float(lo), float(hi), "sqrt", "sqrt") for lo, hi in self.support()]

    def _classify_ends(self, intervals):
        """Intervals with every ``"end"`` kind (an end of the admissible range of an inverse map, or an
        edge found from the density) replaced by its kind measured from the density's exponent there
        (:func:`freetk.kernels.quadrature.classify_end`: "hard", "sqrt", "quadratic", "smooth", "power")."""
        from ..kernels.quadrature import classify_end
        pdf = lambda x: np.asarray(self.pdf(x), dtype=float)  # noqa: E731
        out = []
        for iv in intervals:
            w = iv.hi - iv.lo
            kl = classify_end(pdf, iv.lo, +1, w)[0] if iv.lo_kind == "end" else iv.lo_kind
            kh = classify_end(pdf, iv.hi, -1, w)[0] if iv.hi_kind == "end" else iv.hi_kind
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

    def _quad_table(self):
        """The cumulative table of the continuous part (:func:`freetk.kernels.quadrature.build`) on the
        smooth pieces, each end with the kind from :meth:`support_intervals` (interior breakpoints are
        classified from the density's exponent, e.g. ``|x|^(1/3)`` at a cusp); built once."""
        if "quad_table" not in self._cache:
            from ..kernels import quadrature
            from ..kernels.edges import Interval
            ends = {}
            for iv in self.support_intervals():
                ends[float(iv.lo)], ends[float(iv.hi)] = iv.lo_kind, iv.hi_kind
            pieces = [Interval(float(a), float(b), ends.get(float(a), "end"), ends.get(float(b), "end"))
                      for a, b in self.smooth_pieces()]
            self._cache["quad_table"] = quadrature.build(lambda x: np.asarray(self.pdf(x), dtype=float), pieces)
        return self._cache["quad_table"]

    def _cdf_np_generic(self, x):
        from ..kernels import quadrature
        return quadrature.cdf(self._quad_table(), x, self.atoms_float())

    def _cdf_mp_generic(self, x, ctx):
        tot = ctx.mpf(0)
        for loc, w in self.atoms():
            if x >= as_mp(loc, ctx):
                tot += as_mp(w, ctx)
        for lo, hi in self.support():
            lo, hi = ctx.mpf(lo), ctx.mpf(hi)
            if x <= lo:
                continue
            top = min(x, hi)
            tot += ctx.quad(lambda t: self._pdf_mp(t, ctx), [lo, top])
        return tot

    def total_mass(self):
        """Continuous mass (Chebyshev expansion of the density in the angle variable of each support
        interval, see :mod:`freetk.kernels.quadrature`) plus the atoms, in double precision."""
        return sum(w for _, w in self.atoms_float()) + self._quad_table().total

    def quadrature_error(self):
        """Error estimate of :meth:`total_mass`, :meth:`cdf` and :meth:`expect` (double precision): the
        size of the tails of the Chebyshev coefficients of the density's expansion."""
        return self._quad_table().error

    def _expect_density(self, g, tol=None):
        """``int g dmu`` for a vectorised function ``g``: atoms plus the continuous part from the same
        expansion as ``cdf`` (no new density evaluations); the public :meth:`expect` chooses between
        this and the Cauchy-transform route.  ``tol`` is accepted for the caller's convenience: the
        accuracy is that of the expansion (:meth:`quadrature_error`)."""
        from ..kernels import quadrature
        tot = sum(float(np.asarray(g(np.array([x])), float)[0]) * w for x, w in self.atoms_float())
        return tot + quadrature.integrate(self._quad_table(), g)

    def _quantile_np(self, q):
        """Smallest ``x`` with ``cdf(x) >= q`` (internal; bisection on the table's cdf)."""
        from ..kernels import quadrature
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


def _simp(x):
    return sympy.simplify(x) if isinstance(x, sympy.Basic) and x.free_symbols else x


def as_mp(x, ctx):
    """An exact or inexact parameter as a number of the mpmath context ``ctx``."""
    if isinstance(x, sympy.Basic):
        if x.free_symbols:
            raise InvalidArgument(f"numeric evaluation needs numeric parameters; {x} has symbols")
    return to_mp(x, ctx)


def check_positive(func, name, x, allow_zero=False):
    """Raise when a numeric parameter is not > 0 (symbols are assumed valid)."""
    from ..validation import positive
    return positive(func, name, x, allow_zero=allow_zero)


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
