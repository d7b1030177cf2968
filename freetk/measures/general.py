"""Measures given by moments, by a density, or as affine images of other measures."""
from math import comb
import warnings

import mpmath
import numpy as np
import sympy
from scipy.integrate import IntegrationWarning, quad

from .. import series as _series
from .. import validation as _v
from ..errors import InvalidArgument, PrecisionWarning
from ..inversion import (atoms_from_moments, extend_atomic_moments, gauss_from_moments, jacobi_from_moments,
                         terminated_cf)
from ..numeric import edge_nodes, simplify, to_mp
from ..precision import GUARD_DIGITS, MpFunction, context, round_to
from .atoms import Atoms
from .base import Measure, as_float, as_mp, exact, real_numbers
from .parameters import POSITIVE, REALS, IsMeasure, Parameter


class FromMoments(Measure):
    """A measure known by its moments (a list, or a callable ``k -> m_k`` evaluated lazily).

    A list is checked for positivity of its Hankel determinants (exactly for rationals);
    a failure raises :class:`~freetk.errors.NotAMeasure` naming the order.  Numerics use
    the Jacobi matrix: the Cauchy transform through the continued fraction with a
    square-root terminator (exact for measures whose recurrence coefficients become
    constant, accurate in the bulk of one-interval laws), Gauss quadrature for integrals.

    When a Hankel determinant of the list vanishes (rank ``p``, decided exactly for rational
    moments) the data determine the measure: it is the ``p``-atomic law, the ``p``-point Gauss rule
    of the moment functional, and every numeric method is that law's (exact atoms, density 0,
    every moment known), never a continued fraction with a terminator.
    """

    def __init__(self, moments, nodes=None, name=r"\mu"):
        super().__init__()
        atomic = None
        if callable(moments):
            self._f = moments
            self._list = None
        else:
            seq = [exact(x) for x in _v.real_sequence("from_moments", "moments", moments, symbols=True)]
            if len(seq) == 0 or seq[0] != 1:
                raise InvalidArgument("Argument `moments` of `from_moments` must start with m_0 = 1, "
                                      f"got {seq[:1]}")
            p = _series.hankel_check(seq, "from_moments")
            num = seq
            if p is None and any(isinstance(v, (float, np.floating)) for v in seq) \
                    and all(isinstance(v, (float, np.floating, sympy.Rational)) for v in seq):
                num = [float(v) for v in seq]   # floats mixed with exact rationals: decided as floats
                p = _series.hankel_check(num, "from_moments")
            self._list = seq
            self._f = None
            if p is not None:   # a determinate p-atomic law: its Gauss rule, exactly
                if _series._kind(seq) == "rational":
                    atomic = Atoms(*atoms_from_moments(seq, p))
                else:   # inexact data singular to their rounding: the p-point Gauss rule at their precision
                    xs, ws = gauss_from_moments(num, p)
                    ws = [float(w) for w in ws]
                    atomic = Atoms([float(v) for v in xs], ws[:-1] + [1 - sum(ws[:-1])])
        self._atomic = atomic
        self._nodes = None if nodes is None else _v.nodes("from_moments", "nodes", nodes)
        self._latex_name = name

    def _moments(self, k):
        if self._atomic is not None and k >= len(self._list):
            if _series._kind(self._list) != "rational":
                return self._list + [float(v) for v in self._atomic.moments(k)[len(self._list):]]
            return self._list + extend_atomic_moments(self._list, len(self._atomic.atoms()), k)[len(self._list):]
        if self._list is not None:
            if k >= len(self._list):
                raise InvalidArgument(f"FromMoments.moments: only {len(self._list) - 1} moments are known, "
                                      f"asked for k = {k}")
            return self._list[:k + 1]
        return [sympy.Integer(1)] + [exact(self._f(j)) for j in range(1, k + 1)]

    def _n_nodes(self):
        if self._nodes:
            return self._nodes
        if self._list is not None:
            return (len(self._list)) // 2
        return 20

    def atoms(self):
        return self._atomic.atoms() if self._atomic is not None else []

    def jacobi(self, n=None):
        """Recurrence coefficients ``(alpha, beta)`` of the first ``n`` orthogonal polynomials."""
        n = n or self._n_nodes()
        if self._atomic is not None and n > len(self._atomic.atoms()):
            raise InvalidArgument(f"Argument `n` of `FromMoments.jacobi` must be <= {len(self._atomic.atoms())} "
                                  f"(the moments are those of a {len(self._atomic.atoms())}-atomic law), got {n}")
        key = ("jacobi", n)
        if key not in self._cache:
            m = self.moments(2 * n - 1)
            self._cache[key] = jacobi_from_moments(m, n, context(max(30, 3 * n)))
        return self._cache[key]

    def gauss(self, n=None, dps=None):
        """``n``-point Gauss quadrature ``(nodes, weights)``."""
        if self._atomic is not None and (n is None or n >= len(self._atomic.atoms())):
            xs, ws = zip(*self._atomic.atoms())   # the p-point rule is the law itself (exact for all n >= p)
            if dps is None:
                return np.array([float(v) for v in xs]), np.array([float(v) for v in ws])
            ctx = context(dps)
            return [round_to(as_mp(v, ctx), dps) for v in xs], [round_to(as_mp(v, ctx), dps) for v in ws]
        n = n or self._n_nodes()
        return gauss_from_moments(self.moments(2 * n - 1), n, dps=dps)

    def _cf(self):
        """``(alpha, beta)`` of the continued fraction of the Cauchy transform (:func:`terminated_cf`): the Jacobi
        coefficients the moments give, the terminator frozen at the last ``alpha`` and the last ``beta_k``, k >= 1.
        A list of odd length ``2n + 1`` also gives ``beta_n`` (from ``m_2n``), which the ``n``-point rule leaves out:
        it is taken (``[1, 0, 4]`` was closed with ``beta_0 = m_0 = 1`` and gave the semicircle of variance 1 instead
        of 4).  Fewer than three moments know no width: refused."""
        if "cf" not in self._cache:
            L = None if self._list is None else len(self._list)
            if L is not None and L < 3:
                raise InvalidArgument(f"from_moments: the Cauchy transform, density, cdf and support need m_0, m_1 and "
                                      f"m_2 at least (the variance sets the width), got {L} moment(s)")
            a, b = (list(v) for v in self.jacobi())
            if L is not None and not self._nodes and L % 2 == 1:
                n = (L - 1) // 2
                m = list(self._list) + [0 * self._list[-1]]   # m_{2n+1}: only alpha_n depends on it (not used)
                b = b + [list(jacobi_from_moments(m, n + 1, context(max(30, 3 * (n + 1))))[1])[-1]]
                a = a + [a[-1]]
            self._cache["cf"] = (a, b)
        return self._cache["cf"]

    def support(self, dps=None):
        if self._atomic is not None:
            return self._atomic.support(dps)
        if dps is not None:
            return self._support_mp(dps)
        a, b = self._cf()
        ai, bi = float(a[-1]), float(b[-1])
        return [(ai - 2 * np.sqrt(bi), ai + 2 * np.sqrt(bi))]

    def _cauchy_np(self, z):
        if self._atomic is not None:
            return self._atomic._cauchy_np(z)
        a, b = self._cf()
        af = np.array([float(x) for x in a])
        bf = np.array([float(x) for x in b])
        return terminated_cf(np.asarray(z, complex), af, bf, np.sqrt)

    def _cauchy_mp(self, z, ctx):
        if self._atomic is not None:
            return self._atomic._cauchy_mp(z, ctx)
        a, b = self._cf()
        return terminated_cf(z, [to_mp(x, ctx) for x in a], [to_mp(x, ctx) for x in b], ctx.sqrt)

    def _pdf_np(self, x):
        if self._atomic is not None:
            return np.zeros(np.shape(x))
        return np.clip(-self._cauchy_np(np.asarray(x, float) + 0j).imag / np.pi, 0, None)

    def _pdf_mp(self, x, ctx):
        if self._atomic is not None:
            return ctx.mpf(0)
        v = -ctx.im(self._cauchy_mp(ctx.mpc(x), ctx)) / ctx.pi
        return v if v > 0 else ctx.mpf(0)


def _callable_mp(f):
    """The mpmath kernel of a callable density: refused.  A callable's digits are those it computes with, which
    nothing here can know: ``lambda t: math.exp(t)/(e - 1)`` gave 16 correct digits at ``dps=30`` with no warning, and
    so did one calling mpmath's functions (they work at mpmath's global precision); numpy's functions raise on mpmath
    numbers."""
    def kernel(t, ctx):
        raise InvalidArgument("from_density: values at dps need the density as a sympy expression in x; a callable f "
                              "computes with digits of its own (floats: about 16), which no dps can promise")
    return kernel


def from_moments(moments, nodes=None):
    """Measure from a moment list ``[1, m_1, ...]`` or a callable ``k -> m_k`` (lazy)."""
    return FromMoments(moments, nodes)


class FromDensity(Measure):
    """A measure with a density ``f`` on ``[lo, hi]`` (numeric callable, or a sympy expression in ``x``, or in one
    other symbol, which is then the variable).

    A sympy expression gives exact moments by symbolic integration; a callable gives
    moments by quadrature at the current precision.  The density must integrate to 1.
    """

    def __init__(self, f, lo, hi, name=r"\mu"):
        super().__init__()
        self._lo = exact(_v.real("from_density", "lo", lo))
        self._hi = exact(_v.real("from_density", "hi", hi))
        if as_float(self._hi) <= as_float(self._lo):
            raise InvalidArgument(f"Arguments of `from_density` must satisfy lo < hi, got {lo}, {hi}")
        x = sympy.Symbol("x")
        if isinstance(f, sympy.Basic):
            free = f.free_symbols - {x}
            if len(free) == 1 and x not in f.free_symbols:      # one variable, of another name: it is the variable
                f = f.subs(free.pop(), x)
            elif free:
                raise InvalidArgument(f"Argument `f` of `from_density` must be an expression in one variable (x), "
                                      f"got the symbols {sorted(str(v) for v in f.free_symbols)}")
            self._expr = f
            self._fnum = sympy.lambdify(x, f, "numpy")
            self._fmp = MpFunction(x, f)
        elif callable(f):
            self._expr = None
            self._fnum = f
            self._fmp = _callable_mp(f)
        else:
            raise InvalidArgument("Argument `f` of `from_density` must be callable or a sympy expression in x")
        self._latex_name = name
        mass = self.total_mass()
        if not abs(mass - 1) < 1e-8:
            raise InvalidArgument(f"Argument `f` of `from_density` must integrate to 1 on [{lo}, {hi}], "
                                  f"got {mass:.12g}")

    def _moments(self, k):
        x = sympy.Symbol("x")
        if self._expr is not None:
            return [simplify(sympy.integrate(self._expr * x ** j, (x, self._lo, self._hi)))
                    for j in range(k + 1)]
        # a callable: adaptive Gauss-Kronrod (QUADPACK), which bisects towards jumps and kinks it is not told about
        # (mpmath's tanh-sinh over [lo, hi] assumed f smooth inside: a step density's m_1 was 0.373469 for 0.375), in
        # t = c - h cos(theta), which makes square-root and inverse-square-root ends smooth (in t the arcsine law's m_2
        # was 1.5e-13 off, a review)
        lo, hi = as_float(self._lo), as_float(self._hi)
        c, h = (lo + hi) / 2, (hi - lo) / 2
        out, worst = [mpmath.mpf(1)], 0.0
        for j in range(1, k + 1):
            def g(th, j=j):
                t = min(max(c - h * np.cos(th), lo), hi)
                return float(self._fnum(t)) * t ** j * h * np.sin(th) if lo < t < hi else 0.0
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", IntegrationWarning)
                v, e = quad(g, 0.0, np.pi, epsabs=1e-15 * max(abs(lo), abs(hi)) ** j, epsrel=1e-13, limit=500)
            # relative to the moment, or to max|t|^j where it nearly vanishes (odd moments of a symmetric law)
            worst = max(worst, e / max(abs(v), max(abs(lo), abs(hi)) ** j))
            out.append(mpmath.mpf(v))
        if worst > 1e-12:
            warnings.warn(f"FromDensity.moments: quadrature error estimate {worst:.1e} (relative) of a moment of the "
                          "callable density", PrecisionWarning, stacklevel=3)
        return out

    def support(self, dps=None):
        if dps is not None:
            return self._support_mp(dps, lambda ctx: [(as_mp(self._lo, ctx), as_mp(self._hi, ctx))])
        return [(as_float(self._lo), as_float(self._hi))]

    def _pdf_np(self, x):
        lo, hi = self.support()[0]
        x = np.asarray(x, dtype=float)
        inside = (x >= lo) & (x <= hi)
        out = np.zeros_like(x)
        if np.any(inside):
            out[inside] = np.vectorize(lambda t: float(self._fnum(t)))(x[inside])
        return out

    def _pdf_mp(self, x, ctx):
        return ctx.convert(self._fmp(x, ctx)) if as_mp(self._lo, ctx) <= x <= as_mp(self._hi, ctx) else ctx.mpf(0)

    def _cauchy_np(self, z):
        """``int f(t) dt/(z - t)``: the 200-node rule of :func:`edge_nodes`, or adaptive quadrature
        (:meth:`_cauchy_quad`), whichever has the smaller error estimate (the rule's: its difference with the 300-node
        rule); never the rule on the support itself (real z strictly inside, where its nodes meet the pole, and two
        symmetric rules agree at the midpoint on a real value).  Next to the support the rule alone was silently wrong:
        75 % off at 0.5 + 1e-3i for the arcsine law, a zero imaginary part on the support, 97 % at -1e-12 for a density
        ~ t^(-1/2) at 0 (a review found it).  One PrecisionWarning per call for the values whose estimate exceeds 1e-12
        of the value."""
        lo, hi = self.support()[0]
        z = np.asarray(z, complex)
        zf = z.ravel()

        def rule(n):
            if ("rule", n) not in self._cache:        # the density at the nodes, once per measure
                t, w, _ = edge_nodes(lo, hi, n)
                self._cache[("rule", n)] = (t, w * self._pdf_np(t))
            t, wf = self._cache[("rule", n)]
            with np.errstate(all="ignore"):
                return np.sum(wf[None, :] / (zf[:, None] - t[None, :]), axis=-1)
        G = rule(200)
        with np.errstate(all="ignore"):
            est = np.abs(rule(300) - G)
            on_support = (zf.imag == 0) & (zf.real > lo) & (zf.real < hi)
            bad = on_support | ~(est <= 1e-14 * np.abs(G))
        est = np.where(on_support, np.inf, est)
        worst = (0.0, None)
        for i in np.nonzero(bad)[0]:
            val, err = self._cauchy_quad(zf[i], lo, hi)
            if err < est[i] or not np.isfinite(G[i]):
                G[i], est[i] = val, err
            rel = est[i] / abs(G[i]) if abs(G[i]) > 0 else np.inf
            if not rel <= 1e-12 and not rel <= worst[0]:
                worst = (rel, i)
        if worst[1] is not None:
            k = int(np.sum(~(est <= 1e-12 * np.abs(G))))
            warnings.warn(f"FromDensity.cauchy: {k} value(s) good to about {worst[0]:.1e} (relative) only, e.g. at "
                          f"z = {complex(zf[worst[1]])!r} (the density cannot be sampled closer to an edge than the "
                          "rounding of t, or adaptive quadrature did not converge)", PrecisionWarning, stacklevel=4)
        return G.reshape(z.shape)

    def _cauchy_quad(self, z, lo, hi):
        """``(value, error estimate)`` of ``int f(t) dt/(z - t)`` by ``scipy.integrate.quad``, each half of the support
        in the angle from its own edge: ``t = e ± 2h sin^2(phi/2)``, ``dt = ± h sin(phi) dphi``, phi in [0, pi/2]
        (square-root edges become smooth; ``t - e`` and ``z - t = (z - e) ∓ 2h sin^2(phi/2)`` carry no cancellation, and
        phi resolves both edges alike), with break points graded by 8 towards the integrand's feature (width ``|Im z|``
        around the node of ``Re z``; off the support the distance to the edge, ``sqrt(2 dist/h)`` in phi).  When
        ``x = Re z`` lies on the support ``f(x)`` is taken out: ``G = f(x) log((z - lo)/(z - hi)) + int (f(t) - f(x))
        dt/(z - t)``, bounded next to x (z real: the limit from above, the log ``log((x - lo)/(hi - x)) - i pi``).  At an
        edge where f does not vanish: the infinite limit from outside."""
        h = (hi - lo) / 2
        x, y = z.real, z.imag
        if y == 0 and x in (lo, hi):
            with np.errstate(all="ignore"):
                fe = float(self._fnum(x))
            if fe != 0:
                return complex(-np.inf if x == lo else np.inf, 0.0), 0.0
        inside = lo < x < hi
        f0 = float(self._fnum(x)) if inside else 0.0
        kw = dict(epsabs=1e-15, epsrel=1e-13, limit=400)
        val, err = 0j, 0.0
        for e, sgn in ((lo, 1.0), (hi, -1.0)):
            ze = z - e

            def integrand(ph, k):
                s2 = 2 * h * np.sin(ph / 2) ** 2
                t = e + sgn * s2
                if not lo < t < hi:
                    t = np.nextafter(e, e + sgn)
                d = ze - sgn * s2
                if d == 0:
                    return 0.0                          # a single point (t = x on the support)
                v = (float(self._fnum(t)) - f0) * h * np.sin(ph) / d
                return v.real if k == 0 else v.imag
            pts = _graded_breaks(z, e, sgn, lo, h, inside, np, 1e-15) or None
            with warnings.catch_warnings():             # quad's roundoff notices: its estimates are judged by the caller
                warnings.simplefilter("ignore", IntegrationWarning)
                re, e1 = quad(integrand, 0.0, np.pi / 2, args=(0,), points=pts, **kw)
                im, e2 = quad(integrand, 0.0, np.pi / 2, args=(1,), points=pts, **kw) if y != 0 else (0.0, 0.0)
            val, err = val + complex(re, im), err + e1 + e2
        if inside:
            L = complex(np.log((x - lo) / (hi - x)), -np.pi) if y == 0 else np.log(z - lo) - np.log(z - hi)
            val += f0 * L
        return val, err

    def _cauchy_mp(self, z, ctx):
        """As :meth:`_cauchy_quad`, in ``ctx`` with mpmath's ``quad`` on the graded break points: one ``quad`` over
        ``[lo, hi]`` was wrong next to the support at any ``dps`` (-6136i instead of -pi i at 0.5 + 1e-6i for the
        uniform density; a real value on the support).  A PrecisionWarning when quad's estimate exceeds
        ``10^-(dps - 1)`` of the value."""
        lo, hi = as_mp(self._lo, ctx), as_mp(self._hi, ctx)
        h = (hi - lo) / 2
        x, y = ctx.re(z), ctx.im(z)
        f = lambda t: ctx.convert(self._fmp(t, ctx))        # noqa: E731
        if y == 0 and (x == lo or x == hi) and f(x) != 0:
            return ctx.mpc(ctx.ninf if x == lo else ctx.inf, 0)
        inside = lo < x < hi
        f0 = f(x) if inside else ctx.mpf(0)
        val, err = ctx.mpc(0), ctx.mpf(0)
        for e, sgn in ((lo, 1), (hi, -1)):
            ze = z - e

            def integrand(ph):
                # t = e + sgn s2 and f(t) at three times the precision: quad's nodes reach s2 ~ 2^(-2 prec) from the edge,
                # where t rounded to prec bits would move f ~ 1/sqrt(t - e) by 2^(2 prec - prec') relative (arcsine at
                # dps=20: 1.5e-16 at 0.999999 with 30 digits)
                with ctx.extraprec(2 * ctx.prec):
                    s2 = 2 * h * ctx.sin(ph / 2) ** 2
                    d, t = ze - sgn * s2, e + sgn * s2
                    # t rounded onto the edge even so: f ~ 1/sqrt there times sin(ph) ~ sqrt(s2) is bounded and the
                    # node's weight below the precision; d = 0: the single point t = x on the support
                    v = 0 if d == 0 or not lo < t < hi else (f(t) - f0) * h * ctx.sin(ph) / d
                return +v
            pts = [ctx.mpf(0)] + _graded_breaks(z, e, sgn, lo, h, inside, ctx, ctx.eps) + [ctx.pi / 2]
            v, e_ = ctx.quad(integrand, pts, error=True)
            val, err = val + v, err + e_
        if inside:
            val += f0 * (ctx.mpc(ctx.log((x - lo) / (hi - x)), -ctx.pi) if y == 0 else ctx.log(z - lo) - ctx.log(z - hi))
        if err > ctx.mpf(10) ** (-(ctx.dps - GUARD_DIGITS) + 1) * abs(val):
            warnings.warn(f"FromDensity.cauchy(dps=...): quadrature error estimate {float(err / abs(val)):.1e} (relative) "
                          f"at z = {complex(z)!r}", PrecisionWarning, stacklevel=4)
        return val


def _graded_breaks(z, e, sgn, lo, h, inside, m, floor):
    """Break points in ``(0, pi/2)`` of the half ``t = e + sgn 2h sin^2(phi/2)`` of :meth:`FromDensity._cauchy_quad`
    (``m``: numpy, or the mpmath context of :meth:`FromDensity._cauchy_mp`), graded by 8 towards the integrand's feature:
    the node of ``x = Re z`` (width ``|Im z|`` in t) when it lies in this half, the edge ``e`` next to z (the distance
    ``sqrt(2 dist/h)`` in phi) when z is off the support on e's side, else none; widths not below ``floor``."""
    x, y = z.real, z.imag
    half_pi = m.pi / 2
    if inside and sgn * (x - e) <= h:               # the node of x lies in this half
        ph0 = 2 * (m.arcsin if m is np else m.asin)(min(1, m.sqrt(abs(x - e) / (2 * h))))
        w0, centre = max(abs(y) / (h * max(m.sin(ph0), 1e-300)), floor), True
    elif not inside and (x <= lo) == (e == lo):     # the edge next to z
        ph0, w0, centre = 0 * h, max(m.sqrt(2 * abs(z - e) / h), floor), False
    else:
        return []
    pts, step = [ph0] if centre else [], w0
    while step < half_pi:
        pts += [ph0 - step, ph0 + step]
        step *= 8
    return sorted(p for p in pts if 0 < p < half_pi)


def from_density(f, lo, hi):
    """Measure with density ``f`` on ``[lo, hi]``."""
    return FromDensity(f, lo, hi)


class Affine(Measure):
    """Image of a measure under ``x -> scale * x + shift`` (``scale > 0``)."""

    PARAMETERS = (Parameter("base", IsMeasure(), r"\mu", doc="the measure mapped"),
                  Parameter("scale", POSITIVE, "s", default=1, doc="factor (> 0)"),
                  Parameter("shift", REALS, "c", default=0, doc="shift"))

    def __init__(self, base, scale=1, shift=0):
        super().__init__()
        p = self._set_parameters("Affine", base=base, scale=scale, shift=shift)
        self._b, self._s, self._c = p["base"], p["scale"], p["shift"]
        self._latex_name = _affine_latex(base.latex(), self._s, self._c)

    # ``base`` reads ``parameters`` (kept for freetk.algebraic)
    base = property(lambda self: self._params["base"])

    def _closed_mp(self, name, method):
        """The base's closed forms, mapped (the cdf at dps is integrated)."""
        return name != "cdf" and self._b._closed_mp(name, method)

    def _moments(self, k):
        m = self._b.moments(k)
        s, c = self._s, self._c
        return [_series._expand(sum(comb(n, j) * s ** j * m[j] * c ** (n - j) for j in range(n + 1)))
                for n in range(k + 1)]

    def _free_cumulants(self, k):
        kap = self._b.free_cumulants(k)
        return [_series._expand(self._s ** (j + 1) * kap[j] + (self._c if j == 0 else 0)) for j in range(k)]

    def atoms(self):
        return [(_series._expand(self._s * x + self._c), w) for x, w in self._b.atoms()]

    def support(self, dps=None):
        if dps is not None:       # the base's edges at dps digits (mpmath numbers), mapped exactly
            ctx = context(dps)
            s, c = as_mp(self._s, ctx), as_mp(self._c, ctx)
            return [(round_to(s * ctx.convert(a) + c, dps), round_to(s * ctx.convert(b) + c, dps))
                    for a, b in self._b.support(dps=dps)]
        s, c = as_float(self._s), as_float(self._c)
        return [(s * a + c, s * b + c) for a, b in self._b.support()]

    def _cauchy_np(self, z):
        s, c = as_float(self._s), as_float(self._c)
        return self._b._cauchy_vec((np.asarray(z) - c) / s) / s

    def _cauchy_pair_np(self, z):
        """``G(z) = G_b((z - c)/s)/s``, ``G'(z) = G_b'((z - c)/s)/s^2``."""
        s, c = as_float(self._s), as_float(self._c)
        g, dg = self._b._cauchy_pair_np((np.asarray(z, complex) - c) / s)
        return g / s, dg / (s * s)

    def _cauchy_psi_np(self, z):
        """Without a shift ``K(z) = z G(z) - 1 = K_b(z/s)`` (the base's atom at 0 stays at 0)."""
        s, c = as_float(self._s), as_float(self._c)
        if c != 0:
            return super()._cauchy_psi_np(z)
        g, dg, k, size, dk = self._b._cauchy_psi_np(np.asarray(z, complex) / s)
        return g / s, dg / (s * s), k, size, dk / s

    def _cauchy_mp(self, z, ctx):
        s, c = as_mp(self._s, ctx), as_mp(self._c, ctx)
        return self._b._cauchy_mp((z - c) / s, ctx) / s

    def _real_limits(self, ctx=None):
        """The base's limits at its real poles, mapped: ``G(s x + c) = G_b(x)/s`` (``s > 0``)."""
        cv = real_numbers(ctx)[0]
        s, c = cv(self._s), cv(self._c)
        return [(s * x + c, re / s, im / s) for x, re, im in self._b._real_limits(ctx)]

    def _cauchy_pair_mp(self, z, ctx):
        s, c = as_mp(self._s, ctx), as_mp(self._c, ctx)
        g, dg = self._b._cauchy_pair_mp((z - c) / s, ctx)
        return g / s, dg / (s * s)

    def _pdf_np(self, x):
        s, c = as_float(self._s), as_float(self._c)
        return np.asarray(self._b.pdf((np.asarray(x) - c) / s), dtype=float) / s

    def _pdf_mp(self, x, ctx):
        s, c = as_mp(self._s, ctx), as_mp(self._c, ctx)
        return self._b._pdf_mp((x - c) / s, ctx) / s

    def _cdf_np(self, x):
        s, c = as_float(self._s), as_float(self._c)
        return np.asarray(self._b.cdf((np.asarray(x) - c) / s), dtype=float)


def _affine_latex(name, s, c):
    out = name
    if s != 1:
        out = r"%s \cdot %s" % (sympy.latex(s), out)
    if c != 0:
        out = r"%s + %s" % (out, sympy.latex(c))
    return out


def scale(measure, factor):
    """Law of ``factor * X`` for ``X ~ measure`` (``factor > 0``)."""
    return Affine(measure, _v.positive("scale", "factor", factor), 0)


def shift(measure, by):
    """Law of ``X + by``."""
    return Affine(measure, 1, _v.real("shift", "by", by, symbols=True))
