"""The :class:`Measure` value type.

A measure is immutable.  Its *exact layer* is the moment sequence (sympy
numbers or symbols when the parameters are exact) from which free, boolean and
classical cumulants and the R- and S-transforms follow by the pure kernels of
:mod:`freetk.series`; families override with closed forms where they exist
(formula first, generic fallback).  Its *numeric layer* is ``cauchy``, ``pdf``,
``cdf``, ``support`` and ``atoms``, in double precision by default and at any
precision with ``dps=``.
"""
import mpmath
import numpy as np
import sympy

from .. import series as _series
from ..errors import InvalidArgument, check_order
from ..numeric import evaluate, edge_nodes

W = sympy.Symbol("w")
Z = sympy.Symbol("z")


class Measure:
    """A probability measure on the real line (abstract base).

    Subclasses implement ``_moments(k)`` (exact list ``[m_0..m_k]``) and the
    numeric kernels ``_cauchy_mp`` (and optionally ``_cauchy_np``, ``_pdf_mp``,
    ``_pdf_np``, ``_cdf_mp``), ``support`` and ``atoms``.
    """

    #: LaTeX name of the measure (without $ signs)
    _latex_name = r"\mu"

    def __init__(self):
        self.__dict__["_cache"] = {}

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

    def _pdf_mp(self, x):
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

    def smooth_pieces(self):
        """Intervals covering the support on which the density is smooth inside (singular behaviour,
        e.g. square-root edges or breakpoints of a closed form, only at the ends); quadratures use them.

        Generic rule: each support interval is also tried split at the interior local minima of the
        density (where two bulks merge the density is analytic but has a nearby branch point and a
        global Gauss rule converges slowly); the split is kept when its quadrature converges better.
        """
        if "pieces" not in self._cache:
            out = []
            one = lambda t: np.ones_like(t)  # noqa: E731
            for lo, hi in self.support():
                xs = np.linspace(lo, hi, 1001)[1:-1]
                try:
                    f = np.asarray(self.pdf(xs), dtype=float)
                except Exception:
                    out.append((lo, hi))
                    continue
                top = f.max()
                # genuine dips only: a local minimum well inside the bulk that both sides rise above
                mins = [xs[i] for i in range(1, len(f) - 1)
                        if f[i] < f[i - 1] and f[i] <= f[i + 1] and f[i] > 1e-3 * top
                        and f[:i].max() > 1.01 * f[i] and f[i + 1:].max() > 1.01 * f[i]]
                if not mins:
                    out.append((lo, hi))
                    continue
                cuts = [lo] + mins + [hi]
                split = list(zip(cuts[:-1], cuts[1:]))
                v_whole, d_whole = self._piece_integral(lo, hi, one, with_diff=True)
                parts = [self._piece_integral(a, b, one, with_diff=True) for a, b in split]
                d_split = sum(d for _, d in parts)
                chosen = split if d_split < d_whole else [(lo, hi)]
                masses = [v for v, _ in parts] if d_split < d_whole else [v_whole]
                for iv, v in zip(chosen, masses):
                    self._cache[("mass", iv)] = v
                out += chosen
            self._cache["pieces"] = out
        return self._cache["pieces"]

    # generic cdf: integrate the density with edge-adapted quadrature
    def _cdf_np_generic(self, x):
        x = np.asarray(x, dtype=float)
        out = np.zeros_like(x)
        for loc, w in self.atoms_float():
            out += w * (x >= loc)
        for lo0, hi0 in self.smooth_pieces():
            tl, tr = self._tails(lo0, hi0)
            lo, hi = lo0 + (tl[0] if tl else 0.0), hi0 - (tr[0] if tr else 0.0)
            left_mass = tl[2] * tl[0] ** (tl[1] + 1) / (tl[1] + 1) if tl else 0.0
            right_mass = tr[2] * tr[0] ** (tr[1] + 1) / (tr[1] + 1) if tr else 0.0
            cheb, total = self._cdf_table(lo, hi)
            if tl:
                sel = (x > lo0) & (x <= lo)
                out[sel] += tl[2] * (x[sel] - lo0) ** (tl[1] + 1) / (tl[1] + 1)
            inside = (x > lo) & (x < hi)
            c, h = (lo + hi) / 2, (hi - lo) / 2
            th = np.arccos(np.clip((c - x[inside]) / h, -1, 1))
            out[inside] += left_mass + cheb(th / np.pi * 2 - 1)
            if tr:
                sel = (x >= hi) & (x < hi0)
                out[sel] += left_mass + total + right_mass - tr[2] * (hi0 - x[sel]) ** (tr[1] + 1) / (tr[1] + 1)
            out[x >= hi0] += left_mass + total + right_mass
        return out

    def _cdf_table(self, lo, hi, n=257):
        """Chebyshev interpolant of the cumulative mass on ``[lo, hi]`` in ``theta``.

        With ``x = c - h cos(theta)`` the integrand ``f(x) h sin(theta)`` is smooth for square-root
        and ``1/sqrt`` edges, so the Chebyshev series converges fast; it is integrated exactly.  The
        degree is doubled (up to 2049) until the total agrees with an independent quadrature.
        """
        key = ("cdf_table", lo, hi)
        if key not in self._cache:
            from numpy.polynomial import chebyshev as C
            ref = self._piece_integral_core(lo, hi, lambda t: np.ones_like(t), tol=1e-11, n_max=800)
            while True:
                k = np.arange(n)
                u = -np.cos(np.pi * (k + 0.5) / n)          # Chebyshev points on [-1, 1]
                theta = (u + 1) * np.pi / 2
                c, h = (lo + hi) / 2, (hi - lo) / 2
                xs = c - h * np.cos(theta)
                f = np.nan_to_num(np.asarray(self.pdf(xs), dtype=float)) * h * np.sin(theta) * np.pi / 2
                coef = C.chebfit(u, f, n - 1)
                cheb = C.Chebyshev(C.chebint(coef, lbnd=-1))
                total = float(cheb(1.0))
                if abs(total - ref) <= 1e-10 or n >= 2049:
                    break
                n = 2 * n - 1
            self._cache[key] = (cheb, total)
        return self._cache[key]

    def _cdf_mp_generic(self, x):
        tot = mpmath.mpf(0)
        for loc, w in self.atoms():
            if x >= mpmath.mpmathify(loc):
                tot += mpmath.mpmathify(w)
        for lo, hi in self.support():
            lo, hi = mpmath.mpf(lo), mpmath.mpf(hi)
            if x <= lo:
                continue
            top = min(x, hi)
            tot += mpmath.quad(lambda t: self._pdf_mp(t), [lo, top])
        return tot

    def total_mass(self, n=200, tol=1e-12, n_max=1600):
        """Continuous mass (edge-adapted quadrature of ``pdf``, nodes doubled until two
        successive results agree to ``tol``) plus atoms, in double precision."""
        mass = sum(w for _, w in self.atoms_float())
        for lo, hi in self.smooth_pieces():
            key = ("mass", (lo, hi))
            if key not in self._cache:
                self._cache[key] = self._piece_integral(lo, hi, lambda t: np.ones_like(t), n, tol, n_max)
            mass += self._cache[key]
        return mass

    def expect(self, g, tol=1e-12):
        """``int g dmu`` for a vectorised function ``g``: atoms plus the continuous part by
        edge-adapted quadrature on each smooth piece (nodes doubled until stable to ``tol``)."""
        tot = sum(float(g(np.array([x]))[0]) * w for x, w in self.atoms_float())
        for lo, hi in self.smooth_pieces():
            tot += self._piece_integral(lo, hi, g, tol=tol)
        return tot

    def _end_tail(self, e, inward, span):
        """Power-law behaviour ``f ~ C |x - e|^alpha`` of the density at a support end ``e``.

        Probes the density at distances ``1e-7`` and ``1e-9`` of the piece width (inward = +1 at a
        left end, -1 at a right end).  Returns ``(eps, alpha, C)`` when the
        density blows up faster than ``1/sqrt`` there (``alpha < -0.55``), else None (eps = 1e-7 span).  Such ends (e.g.
        ``x^(-2/3)`` at the hard edge of an NTK law with uniform D) carry mass that no quadrature can
        see, because the density cannot be evaluated at ``1e-12`` from the end; that mass is integrated
        in closed form over ``[e, e + eps]``.
        """
        key = ("tail", e, inward, span)
        if key not in self._cache:
            out = None
            d1, d2 = 1e-7 * span, 1e-9 * span
            try:
                f1, f2 = (float(np.asarray(self.pdf(np.array([e + inward * d])), float)[0]) for d in (d1, d2))
                if f1 > 0 and f2 > 0 and np.isfinite(f1) and np.isfinite(f2):
                    alpha = np.log(f2 / f1) / np.log(d2 / d1)
                    if -1 < alpha < -0.55:
                        out = (d1, alpha, f1 / d1 ** alpha)
            except Exception:
                out = None
            self._cache[key] = out
        return self._cache[key]

    def _tails(self, lo, hi):
        span = hi - lo
        return self._end_tail(lo, 1, span), self._end_tail(hi, -1, span)

    def _piece_integral(self, lo, hi, g, n=200, tol=1e-12, n_max=1600, with_diff=False):
        tl, tr = self._tails(lo, hi)
        extra = 0.0
        if tl is not None:
            eps, a, C = tl
            extra += float(g(np.array([lo]))[0]) * C * eps ** (a + 1) / (a + 1)
            lo = lo + eps
        if tr is not None:
            eps, a, C = tr
            extra += float(g(np.array([hi]))[0]) * C * eps ** (a + 1) / (a + 1)
            hi = hi - eps
        out = self._piece_integral_core(lo, hi, g, n, tol, n_max, True)
        return (out[0] + extra, out[1]) if with_diff else out[0] + extra

    def _piece_integral_core(self, lo, hi, g, n=200, tol=1e-12, n_max=1600, with_diff=False):
        """Edge-adapted Gauss rule with doubling; stops when two results agree to ``tol`` or when the
        difference grows again (rounding near singular edges then dominates) and returns the best
        (with the last difference, an error indicator, when ``with_diff``)."""
        prev, prev_diff = None, np.inf
        k = n
        while True:
            x, w, _ = edge_nodes(lo, hi, k)
            val = float(np.sum(w * g(x) * np.asarray(self.pdf(x), dtype=float)))
            if prev is not None:
                diff = abs(val - prev)
                if diff <= tol or k >= n_max:
                    return (val, diff) if with_diff else val
                if diff > prev_diff:
                    return (prev, prev_diff) if with_diff else prev
                prev_diff = diff
            prev, k = val, 2 * k

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


def exact(x):
    """Turn a Python number into an exact sympy number when it is exactly representable.

    ints and Fractions become sympy Rationals; floats stay floats (inexact input
    stays inexact); sympy expressions pass through.
    """
    from fractions import Fraction
    if isinstance(x, sympy.Basic):
        return x
    if isinstance(x, bool):
        raise InvalidArgument(f"expected a number, got {x!r}")
    if isinstance(x, (int, np.integer)):
        return sympy.Integer(int(x))
    if isinstance(x, Fraction):
        return sympy.Rational(x.numerator, x.denominator)
    return x


def as_float(x):
    """Numeric value of an exact or inexact parameter (raises on free symbols)."""
    if isinstance(x, sympy.Basic):
        if x.free_symbols:
            raise InvalidArgument(f"numeric evaluation needs numeric parameters; {x} has symbols "
                                  f"{sorted(map(str, x.free_symbols))}")
        return float(x)
    return float(x)


def as_mp(x):
    if isinstance(x, sympy.Basic):
        if x.free_symbols:
            raise InvalidArgument(f"numeric evaluation needs numeric parameters; {x} has symbols")
        return mpmath.mpmathify(sympy.N(x, mpmath.mp.dps + 5))
    return mpmath.mpmathify(x)


def check_positive(func, name, x, allow_zero=False):
    """Raise when a numeric parameter is not > 0 (symbols are assumed valid)."""
    if isinstance(x, sympy.Basic) and x.free_symbols:
        return x
    v = as_float(x)
    if not np.isfinite(v) or (v < 0 or (v == 0 and not allow_zero)):
        cond = ">= 0" if allow_zero else "> 0"
        raise InvalidArgument(f"Argument `{name}` of `{func}` must be {cond}, got {x}")
    return x
