r"""Spectral quantities a researcher asks of a law: quantiles, edges, resolvents, log-determinants.

:class:`SpectralMixin` is a base of :class:`~freetk.measures.base.Measure`; it only uses the public
numeric layer (``cdf``, ``pdf``, ``cauchy``, ``support``, ``atoms``, ``moments``), so every measure,
NTK laws included, gets these methods.

* ``quantile(q)`` — the generalized inverse ``Q(q) = inf{x : F(x) >= q}`` (vectorised).
* ``edges()`` — the ends of each support interval and the atoms, as the core computes them.
* ``expect(f)`` — ``int f dmu`` by the fastest exact route: a rational ``f`` (sympy expression)
  through the Cauchy transform at its poles plus exact moments; anything else by the edge-adapted
  density quadrature.
* On laws on ``[0, inf)``: ``resolvent(lam) = int dmu(x)/(x + lam) = -G(-lam)``,
  ``effective_dimension(lam) = int x/(x + lam) dmu = 1 - lam resolvent(lam)``, ``log_det()`` and
  ``condition_number()``.

Kernel ridge regression with a kernel matrix ``K`` whose spectrum follows ``rho`` uses exactly these
numbers: ``(1/n) tr (K + lam I)^{-1} -> resolvent(lam)`` and ``(1/n) tr K (K + lam I)^{-1} ->
effective_dimension(lam)``; both are one evaluation of the Cauchy transform at a real point left of
the support, where it is analytic, so no quadrature is needed.
"""
from typing import NamedTuple
import warnings

import mpmath
import numpy as np
from scipy.integrate import quad

from ..errors import InvalidArgument, NoConvergence, PrecisionWarning
from ..numeric import as_float
from .. import validation as _v

__all__ = ["SpectralMixin", "Edges"]



def vectorised(func, f):
    """``f`` called on arrays of points, its values checked: real, finite or not, of the points' shape (a scalar is
    broadcast).  A function that cannot take an array (``math.exp``, an ``if t > 0``) or returns complex values gets
    an InvalidArgument naming ``f`` and ``func``, not the raw error from inside it."""
    def g(t):
        t = np.asarray(t, float)
        try:
            v = np.asarray(f(t))
        except (TypeError, ValueError) as exc:
            raise InvalidArgument(f"Argument `f` of `{func}` must be a vectorised function (take a numpy array of "
                                  f"points, return an array of the same shape: numpy's functions, not math's; "
                                  f"np.where, not if): called on {t.size} point(s) it raised {type(exc).__name__}: "
                                  f"{exc}") from exc
        if v.dtype.kind == "O":                 # e.g. np.vectorize of an mpmath function
            try:
                v = v.astype(complex) if any(isinstance(a, (complex, mpmath.mpc)) for a in v.ravel()) else v.astype(float)
            except (TypeError, ValueError):
                raise InvalidArgument(f"Argument `f` of `{func}` must return numbers, got objects such as "
                                      f"{type(v.ravel()[0]).__name__}") from None
        if v.dtype.kind == "c":
            if np.any(v.imag != 0):
                raise InvalidArgument(f"Argument `f` of `{func}` must be real-valued on the real axis, got "
                                      f"{complex(v.ravel()[np.flatnonzero(v.imag != 0)[0]])} at a real point")
            v = v.real
        if v.dtype.kind not in "biuf":
            raise InvalidArgument(f"Argument `f` of `{func}` must return numbers, got an array of {v.dtype}")
        try:
            if v.ndim and v.shape != t.shape:
                raise ValueError
            return np.broadcast_to(v.astype(float), t.shape)
        except ValueError:
            raise InvalidArgument(f"Argument `f` of `{func}` must return one value per point: called on points of "
                                  f"shape {t.shape} it returned shape {v.shape}") from None
    return g

class Edges(NamedTuple):
    """Ends of the support of a measure.

    ``intervals``: the closed intervals ``(lo, hi)`` carrying the continuous part, in increasing
    order (exactly ``support()``); ``atoms``: the ``(location, mass)`` pairs of the atoms (floats).
    """

    intervals: tuple
    atoms: tuple

    @property
    def ends(self):
        """All interval ends as a flat sorted array ``[lo_1, hi_1, lo_2, hi_2, ...]``."""
        return np.array([v for iv in self.intervals for v in iv], dtype=float)

    @property
    def lower(self):
        """Smallest point of the support (interval end or atom)."""
        return min([lo for lo, _ in self.intervals] + [x for x, _ in self.atoms])

    @property
    def upper(self):
        """Largest point of the support (interval end or atom)."""
        return max([hi for _, hi in self.intervals] + [x for x, _ in self.atoms])


def _real_array(func, name, x):
    """``x`` (a real number or array of real numbers, checked by :func:`freetk.validation.points`) as a
    float array."""
    _v.points(func, name, x)
    return np.asarray(x, dtype=float) if not isinstance(x, mpmath.mpf) else np.asarray(float(x))


def _positive_reals(func, name, lam):
    arr = _real_array(func, name, lam)
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise InvalidArgument(f"Argument `{name}` of `{func}` must be finite and > 0, got {lam!r}")
    return arr


def _breakpoints(e):
    """Interval ends and atoms of :meth:`SpectralMixin.edges`' answer ``e``, sorted, as floats."""
    return np.array(sorted({v for iv in e.intervals for v in iv} | {x for x, _ in e.atoms}), dtype=float)


class SpectralMixin:
    """Quantiles, edges, expectations and the spectral functionals of kernel methods."""

    _LOG_DET_BY_RESOLVENT = False   # log_det by the resolvent's integral also when the support starts at lo > 0

    # ------------------------------------------------------------------ edges
    def edges(self):
        """Ends of each support interval and the atoms, as an :class:`Edges` tuple.

        ``edges().intervals`` is ``support()`` itself (the ends come from the core's edge finder:
        for free compound Poisson and NTK laws, the real critical points of the inverse of the
        Cauchy transform), ``edges().atoms`` lists the atoms separately as float pairs.
        """
        ivs = tuple((float(lo), float(hi)) for lo, hi in self.support())
        ats = tuple(sorted((float(x), float(w)) for x, w in self.atoms_float() if w > 0))
        if not ivs and not ats:
            raise InvalidArgument(f"{type(self).__name__}.edges: the measure reports neither a support nor atoms")
        return Edges(ivs, ats)

    # ------------------------------------------------------------------ quantiles
    def _quantile_table(self):
        """Breakpoints (interval ends and atoms), the cdf's left and right limits there, and which
        gaps between consecutive breakpoints carry continuous mass."""
        key = "quantile_table"
        if key not in self._cache:
            e = self.edges()
            pts = _breakpoints(e)
            mass = np.zeros(pts.size)
            for x, w in e.atoms:
                mass[np.searchsorted(pts, x)] += w
            right = np.asarray(self.cdf(pts), dtype=float).reshape(pts.shape)
            right = np.maximum.accumulate(right)
            left = np.maximum(right - mass, np.concatenate([[0.0], right[:-1]]))
            inside = np.array([any(lo <= a and b <= hi for lo, hi in e.intervals)
                               for a, b in zip(pts[:-1], pts[1:])], dtype=bool)
            self._cache[key] = (pts, left, right, inside)
        return self._cache[key]

    def quantile(self, q, xtol=1e-13, max_iter=200):
        r"""Quantile function: the generalized inverse ``Q(q) = inf{x : F(x) >= q}`` of the cdf.

        Vectorised over ``q`` in ``[0, 1]``.  ``Q`` is left-continuous and non-decreasing: where
        ``F`` jumps by an atom of mass ``w`` at ``x0`` every ``q`` in ``(F(x0-), F(x0)]`` maps to
        ``x0``; where ``F`` is flat (a gap between support intervals) ``Q`` jumps.  By convention
        ``Q(0)`` is the lower end of the support (``inf{x : F(x) > 0}``), and ``Q(1)`` its upper end.

        Method: the breakpoints (interval ends and atoms, from :meth:`edges`) and the cdf there
        bracket each ``q`` in one interval where ``F`` is continuous and increasing; a vectorised
        Illinois (modified regula falsi) iteration with bisection safeguard keeps the bracket
        ``F(a) < q <= F(b)`` and stops when ``b - a <= xtol (1 + |b|)`` and
        ``F(b) - F(a) <= 1e-14``, or when the bracket is two floating-point numbers apart (the cdf
        cannot be inverted more finely).  Returns ``b``, so ``F(Q(q)) >= q`` always.
        """
        qa = self._quantile_args(q, xtol, max_iter)
        nan = np.isnan(qa)
        if np.any(nan):                 # NaN gives NaN at its position only (as pdf and cdf do)
            out = np.full(qa.shape, np.nan)
            if not np.all(nan):
                out[~nan] = self.quantile(qa[~nan], xtol=xtol, max_iter=max_iter)
            return out[()] if qa.ndim == 0 else out
        flat = qa.ravel()
        if np.all((flat == 0) | (flat == 1)):   # the support's ends (the convention above): no cdf needed
            pts = _breakpoints(self.edges())
            out = np.where(flat == 0, pts[0], pts[-1])
            return out.reshape(qa.shape)[()] if qa.ndim == 0 else out.reshape(qa.shape)
        pts, left, right, inside = self._quantile_table()
        out = np.empty(flat.size)
        # index of the first breakpoint whose right limit reaches q
        i = np.searchsorted(right, flat, side="left")
        i = np.minimum(i, pts.size - 1)
        top = flat >= min(right[-1], 1.0)
        i[top] = pts.size - 1
        at_point = (flat > left[i]) | (i == 0) | top
        out[at_point] = pts[i[at_point]]
        todo = np.nonzero(~at_point)[0]
        # remaining q lie in (right[i-1], left[i]]: the continuous gap between pts[i-1] and pts[i]
        for k in np.unique(i[todo]):
            sel = todo[i[todo] == k]
            a, b = pts[k - 1], pts[k]
            if not inside[k - 1]:     # a gap without mass: F is flat, Q jumps to the next point
                out[sel] = b
                continue
            out[sel] = self._invert_cdf(flat[sel], a, b, right[k - 1], left[k], xtol, max_iter)
        return out.reshape(qa.shape)[()] if qa.ndim == 0 else out.reshape(qa.shape)

    def _quantile_args(self, q, xtol, max_iter):
        """``q`` as a float array, every argument checked before any work: ``q`` in [0, 1] or NaN."""
        name = f"{type(self).__name__}.quantile"
        qa = _real_array(name, "q", q)
        _v.real(name, "xtol", xtol, lo=0, lo_open=True)
        _v.integer(name, "max_iter", max_iter, lo=1, hi=100_000)
        ok = np.isnan(qa) | ((qa >= 0) & (qa <= 1))
        if not np.all(ok):
            raise InvalidArgument(f"Argument `q` of `{name}` must lie in [0, 1] (NaN gives NaN), got "
                                  f"{float(qa.ravel()[np.flatnonzero(~ok)[0]])!r}" + (f" in {q!r}" if qa.size > 1 else ""))
        return qa

    def _invert_cdf(self, q, a, b, Fa, Fb, xtol, max_iter):
        m = q.size
        lo, hi = np.full(m, a, float), np.full(m, b, float)
        flo, fhi = np.full(m, Fa) - q, np.full(m, Fb) - q          # flo < 0 <= fhi
        side = np.zeros(m, int)
        active = np.ones(m, bool)
        for it in range(max_iter):
            width = hi - lo
            done = ((width <= xtol * (1 + np.abs(hi))) & (fhi - flo <= 1e-14)) | (fhi == 0) \
                | (np.nextafter(lo, hi) >= hi) | (np.nextafter(np.nextafter(lo, hi), hi) >= hi)
            active &= ~done
            if not np.any(active):
                return hi
            idx = np.nonzero(active)[0]
            l, h, fl, fh = lo[idx], hi[idx], flo[idx], fhi[idx]
            with np.errstate(divide="ignore", invalid="ignore"):
                x = h - fh * (h - l) / (fh - fl)
            bad = ~np.isfinite(x) | (x <= l) | (x >= h) | (it % 4 == 3)   # every 4th step: bisect
            x[bad] = 0.5 * (l + h)[bad]
            fx = np.asarray(self.cdf(x), dtype=float).reshape(x.shape) - q[idx]
            up = fx >= 0
            # Illinois: halve the stale end's value when the same end is kept twice
            s = side[idx]
            fl2, fh2 = fl.copy(), fh.copy()
            fl2[up & (s == 1)] *= 0.5
            fh2[~up & (s == -1)] *= 0.5
            hi[idx] = np.where(up, x, h)
            fhi[idx] = np.where(up, fx, fh2)
            lo[idx] = np.where(up, l, x)
            flo[idx] = np.where(up, fl2, fx)
            side[idx] = np.where(up, 1, -1)
        raise NoConvergence(f"{type(self).__name__}.quantile: the bracket did not close in {max_iter} steps",
                            best=hi, residual=float(np.max(hi - lo)), iterations=max_iter)

    # ------------------------------------------------------------------ expectations
    def expect(self, f, tol=1e-12, var=None):
        r"""``int f dmu`` by the fastest exact route.

        * ``f`` a sympy expression that is a rational function of one variable ``x`` (or ``var``)
          with simple poles off the support: ``f = q(x) + sum_i r_i/(x - z_i)`` gives
          ``sum_k q_k m_k - sum_i r_i G(z_i)`` — exact moments plus one Cauchy transform per pole
          (complex poles through ``G(conj z) = conj G(z)``).  E.g. ``1/(x + lam)`` is the resolvent.
        * Any other ``f`` (a vectorised callable, or a sympy expression that is not such a rational
          function): atoms plus the edge-adapted quadrature of ``f * pdf`` on each smooth piece
          (the expansion behind ``cdf``); when its error bound exceeds ``tol`` the value comes with a
          :class:`~freetk.errors.PrecisionWarning` giving the bound.
        """
        import sympy
        _v.real(f"{type(self).__name__}.expect", "tol", tol, lo=0, lo_open=True)
        if isinstance(f, sympy.Basic):
            if var is None and not f.free_symbols:          # a constant: the measure has mass 1
                if not (f.is_real and f.is_finite):
                    raise InvalidArgument(f"Argument `f` of `{type(self).__name__}.expect` must be real and finite, "
                                          f"got the constant {f}")
                return float(f)
            val = self._expect_rational(f, var)
            if val is not None:
                return val
            syms = sorted(f.free_symbols, key=str) if var is None else [var]
            if len(syms) != 1:
                raise InvalidArgument(f"Argument `f` of `{type(self).__name__}.expect` must depend on one variable "
                                      f"(or pass `var`), got symbols {[str(s) for s in f.free_symbols]}")
            fn = sympy.lambdify(syms[0], f, "numpy")
            g = lambda t: np.broadcast_to(np.asarray(fn(t), dtype=float), np.shape(t))  # noqa: E731
            return self._expect_density(g, tol=tol)
        if not callable(f):
            raise InvalidArgument(f"Argument `f` of `{type(self).__name__}.expect` must be callable or a sympy "
                                  f"expression, got {type(f).__name__}")
        return self._expect_density(vectorised(f"{type(self).__name__}.expect", f), tol=tol)

    def _expect_rational(self, f, var):
        import sympy
        syms = list(f.free_symbols) if var is None else [var]
        if len(syms) != 1:
            return None
        x = syms[0]
        num, den = sympy.fraction(sympy.together(f))
        if not (num.is_polynomial(x) and den.is_polynomial(x)):
            return None
        P, Q = sympy.Poly(num, x), sympy.Poly(den, x)
        if any(c.free_symbols for c in P.coeffs() + Q.coeffs()):
            return None
        quo, rem = sympy.div(P, Q)
        total = 0.0
        if not quo.is_zero:
            cs = quo.all_coeffs()[::-1]
            m = self.moments(len(cs) - 1)
            total += float(sum(sympy.sympify(c) * sympy.sympify(mk) for c, mk in zip(cs, m)))
        if Q.degree() > 0 and not rem.is_zero:
            if sympy.gcd(Q, Q.diff(x)).degree() > 0:
                return None                       # repeated pole: the density quadrature handles it
            dQ = Q.diff(x)
            e = self.edges()
            for z in Q.nroots(n=30):
                zc = complex(z)
                if abs(zc.imag) <= 1e-14 * (1 + abs(zc.real)):
                    x0 = zc.real
                    if any(lo <= x0 <= hi for lo, hi in e.intervals) or any(x0 == a for a, _ in e.atoms):
                        raise InvalidArgument(f"{type(self).__name__}.expect: f has a pole at {x0} on the support; "
                                              f"the integral diverges")
                    zc = complex(x0, 0.0)
                res = complex(sympy.N(rem.as_expr().subs(x, z) / dQ.as_expr().subs(x, z), 30))
                if zc.imag < 0:
                    G = np.conj(complex(self.cauchy(np.conj(zc))))
                else:
                    G = complex(self.cauchy(zc))
                if zc.imag == 0:
                    G = complex(G.real, 0.0)
                total += (-res * G).real
        return float(total)

    # ------------------------------------------------------------------ laws on [0, inf)
    def _check_nonnegative(self, func):
        e = self.edges()
        lo, hi = e.lower, e.upper
        if lo < -1e-12 * max(1.0, abs(hi)):
            raise InvalidArgument(f"`{type(self).__name__}.{func}` needs a law on [0, inf); its support starts "
                                  f"at {lo}")
        return e

    def resolvent(self, lam, dps=None):
        r"""``int dmu(x)/(x + lam) = -G(-lam)`` for real ``lam > 0`` (vectorised), on laws on ``[0, inf)``.

        The Cauchy transform is analytic at ``-lam`` (left of the support), so this is one evaluation
        of ``cauchy``; ``dps=`` evaluates it at that many digits (mpmath numbers returned).  For a
        kernel matrix with spectral law ``mu`` it is the limit of ``(1/n) tr (K + lam I)^{-1}``.
        """
        name = f"{type(self).__name__}.resolvent"
        arr = _positive_reals(name, "lam", lam)
        self._check_nonnegative("resolvent")
        if dps is None:
            # -lam + 0j: imaginary part +0.0 (not -0.0, which -(lam + 0j) gives); kernels written with
            # sqrt(z - a) sqrt(z - b) are branch-cut sensitive to the sign of a zero imaginary part
            g = np.asarray(self.cauchy(-arr + 0j), dtype=complex)
            out = -g.real
            return float(out) if arr.ndim == 0 else out
        # exact negations: no rounding at the ambient precision
        flat = [mpmath.fneg(mpmath.re(self.cauchy(mpmath.fneg(float(v), exact=True), dps=dps)), exact=True)
                for v in arr.ravel()]
        if arr.ndim == 0:
            return flat[0]
        out = np.empty(len(flat), dtype=object)
        out[:] = flat
        return out.reshape(arr.shape)

    def effective_dimension(self, lam, dps=None):
        r"""``int x/(x + lam) dmu = 1 - lam resolvent(lam)`` for ``lam > 0`` (laws on ``[0, inf)``).

        The limit of ``(1/n) tr K (K + lam I)^{-1}``, the degrees of freedom of kernel ridge regression
        per sample.  Computed from the same single Cauchy-transform evaluation as :meth:`resolvent`
        (absolute accuracy of the resolvent times ``lam``).
        """
        arr = _positive_reals(f"{type(self).__name__}.effective_dimension", "lam", lam)
        r = self.resolvent(lam, dps=dps)
        if dps is None:
            return 1.0 - arr * r if arr.ndim else float(1.0 - float(arr) * r)
        one_minus = lambda a, v: mpmath.fsub(1, mpmath.fmul(float(a), v, exact=True), dps=dps)  # noqa: E731
        if arr.ndim == 0:
            return one_minus(arr, r)
        out = np.empty(arr.size, dtype=object)
        out[:] = [one_minus(a, v) for a, v in zip(arr.ravel(), r.ravel())]
        return out.reshape(arr.shape)

    def log_det(self, tol=1e-12):
        r"""``int log x dmu(x)`` on a law on ``[0, inf)`` — the limit of ``(1/n) log det K``.

        Rule at zero: when ``mu`` has an atom at 0 (``mu{0} > 0``, e.g. the NTK law with
        ``gamma1 > 1``) the integral is ``-inf`` and ``-inf`` is returned (finite matrices are then
        singular).  Otherwise it is finite, also with a hard edge at 0 (density ``~ x^(-1/2)``).

        Route: a support that starts at ``lo > 0`` uses the edge-adapted density quadrature (``log``
        is smooth there), unless the class prefers the resolvent (``_LOG_DET_BY_RESOLVENT``).  A support
        reaching 0 uses the identity ``log x = int_0^inf (1/(1 + t) - 1/(x + t)) dt``, i.e.
        ``int log x dmu = int_0^inf (1/(1 + t) - resolvent(t)) dt``, integrated with
        ``scipy.integrate.quad`` over ``[0, 1]`` and ``[1, inf)``: the resolvent is analytic for
        ``t > 0`` and only integrably singular at ``t = 0``.  A PrecisionWarning gives quad's error
        estimate when it exceeds ``tol`` (absolute).
        """
        _v.real(f"{type(self).__name__}.log_det", "tol", tol, lo=0, lo_open=True)
        e = self._check_nonnegative("log_det")
        zero_atom = sum(w for x, w in e.atoms if abs(x) <= 1e-14 * max(1.0, e.upper))
        if zero_atom > 0:
            return -np.inf
        if not e.intervals:
            return float(sum(w * np.log(x) for x, w in e.atoms))
        if e.lower > 1e-12 * max(1.0, e.upper) and not self._LOG_DET_BY_RESOLVENT:
            return float(self._expect_density(np.log, tol=tol))
        g = lambda t: 1.0 / (1.0 + t) - self.resolvent(t)  # noqa: E731
        eps = dict(epsabs=tol / 100, epsrel=min(1e-13, tol / 10), limit=200)     # what tol asks (default: 1e-14)
        v1, err1 = quad(g, 0.0, 1.0, **eps)
        v2, err2 = quad(g, 1.0, np.inf, **eps)
        if err1 + err2 > tol:
            warnings.warn(f"{type(self).__name__}.log_det: quadrature error estimate {err1 + err2:.2e}",
                          PrecisionWarning, stacklevel=2)
        return float(v1 + v2)

    def condition_number(self):
        r"""Condition number of the bulk: largest support point / smallest positive support point.

        Computed from :meth:`edges` (interval ends and atoms); an atom at 0 (a null space of the
        finite matrices, e.g. ``rho{0} = 1 - 1/gamma1`` for the NTK with ``gamma1 > 1``) is left out,
        so this is the condition number on the orthogonal complement of the kernel.  A support that
        reaches 0 continuously gives ``inf``.

        Outliers are a property of finite matrices, not of the limit law: the NTK matrix with
        ``c0 != 0`` has about ``d + 1`` eigenvalues far above the bulk (see
        :func:`freetk.measures.spectral.ntk_outliers`), which dominate the largest eigenvalue of ``K``
        itself; this number describes the bulk only.
        """
        e = self._check_nonnegative("condition_number")
        scale = max(1.0, e.upper)
        pos = [lo for lo, _ in e.intervals] + [x for x, w in e.atoms if x > 1e-14 * scale]
        if any(lo <= 1e-14 * scale for lo, _ in e.intervals):
            return np.inf
        return float(e.upper / min(pos))


def ntk_outliers(law, *, n, d, p):
    r"""Predicted positions of the outlier eigenvalues of a finite NTK matrix ``K`` (n x n).

    The limit law ``rho`` describes the bulk; ``c0 = E phi(g)`` and ``c1 = E g phi(g)`` add
    eigenvalues far above it at finite size.  To leading order (derivation in docs/ntk.md,
    "Outliers"), with ``tau = E[T]``, ``m1(mu) = (a + c1^2) tau`` and ``||phi||^2 = c0^2 + c1^2 + a``:

    * ``c0 != 0``: ``d`` outliers at ``c0^2 tau s_j + m1(mu)``, ``s_j`` the eigenvalues of
      ``X^T X / d``, predicted by the ``d`` mid-quantiles ``(j - 1/2)/d`` of ``(n/d) MP(d/n)``;
    * ``c1 != 0``: one outlier at ``c1^2 tau n/d + tau ||phi||^2``.

    Returns the predicted positions, sorted (an empty array when ``c0 = c1 = 0``).  The error is
    ``O(1/sqrt(p))`` relative to the outliers' scale ``n/d = gamma1 p`` (the fluctuations of ``W`` widen the
    cloud of the ``d`` outliers and move the top one; level repulsion from the bulk adds ``O(1/p)``), beyond
    the finite-size spread of the ``s_j`` themselves (tested against exact random matrices; docs/ntk.md,
    "Outliers").
    """
    for name, v in (("n", n), ("d", d), ("p", p)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise InvalidArgument(f"Argument `{name}` of `ntk_outliers` must be a positive integer, got {v!r}")
    if not hasattr(law, "hermite") or not hasattr(law, "mu"):
        raise InvalidArgument("Argument `law` of `ntk_outliers` must be an NTK law (from ft.ntk_law)")
    if n <= d:
        raise InvalidArgument(f"ntk_outliers: the outliers are separated only for n > d; got n = {n}, d = {d}")
    h = law.hermite
    c0, c1, a = as_float(h.c0), as_float(h.c1), as_float(h.a)
    tau = as_float(law.mu.t_law.tau(1)[1])
    m1 = (a + c1 ** 2) * tau
    out = []
    if not h.negligible(h.c0):
        from .marchenko_pastur import marchenko_pastur   # (marchenko_pastur's measures import this mixin)
        s = (n / d) * np.asarray(marchenko_pastur(d / n).quantile((np.arange(d) + 0.5) / d), float)
        out += list(c0 ** 2 * tau * s + m1)
    if not h.negligible(h.c1):
        out.append(c1 ** 2 * tau * n / d + tau * (c0 ** 2 + c1 ** 2 + a))
    return np.sort(np.array(out, float))
