r"""Continuous components of the law ``nu`` of ``T = D^2`` for the exact general-D route (``_TKernel``).

Each component gives, for ``zeta`` off its cut, the principal ``G(zeta) = E[1/(zeta - T)]`` of its (normalised) law
and ``G'``, its continuation onto the other sheets along a path of ``zeta`` (an integer state per point, 0 = the
principal sheet), the moments of ``T`` (the large-``|zeta|`` series) and the mpmath versions.  Derivations:
docs/ntk.md, "Continuous laws of D on the exact route".

* :class:`ArcsineSquared`: ``D`` arcsine on ``[-b, b]``, ``T`` arcsine on ``[0, b^2]``,
  ``G = 1/(sqrt(zeta) sqrt(zeta - b^2))``; the continuation across ``(0, b^2)`` is ``-G`` (the state is the parity
  of the crossings).
* :class:`DensitySquared`: ``D`` with a density ``f`` on ``[lo, hi]`` that is an entire function (polynomial, exp,
  sin, cos, ...).  With any ``sigma``, ``sigma^2 = zeta``,

      G_T(zeta) = (G_D(sigma) - G_D(-sigma)) / (2 sigma),

  ``G_D(x) = f(x) log((x - lo)/(x - hi)) + int (f(s) - f(x))/(x - s) ds`` (exact polynomial for polynomial f, else
  Gauss-Legendre).  Along a path ``sigma`` is followed continuously (a sign ``b`` against the principal root) and
  ``G_D`` at ``sigma`` and at ``-sigma`` each on its own sheet ``G_D + 2 pi i n f``.
"""
import mpmath
import numpy as np
import sympy

from .errors import InvalidArgument
from .measures.base import as_float
from .numeric import gauss_legendre
from .precision import MpFunction

_X = sympy.Symbol("x")


def _crossings(zeta0, zeta1):
    """Where the straight segment ``zeta0 -> zeta1`` crosses the real axis: ``(cross, up, xs)`` (mask, upwards,
    abscissa), with the same convention as ``_TKernel.sheet_step`` (``Im = 0`` counts as the upper side)."""
    y0, y1 = zeta0.imag, zeta1.imag
    cross = ((y0 < 0) & (y1 >= 0)) | ((y0 >= 0) & (y1 < 0))
    with np.errstate(all="ignore"):
        xs = zeta0.real - y0 * (zeta1.real - zeta0.real) / (y1 - y0)
    return cross, cross & (y1 >= 0), xs


class ArcsineSquared:
    """``T = D^2``, ``D`` arcsine on ``[-b, b]``: ``T`` is arcsine on ``[0, b^2]``."""

    def __init__(self, b):
        self.b_ex = b
        self.b2 = as_float(b) ** 2
        self.tmax = self.b2
        self.lo_t = 0.0

    def exact_moment(self, k):
        return sympy.binomial(2 * k, k) * sympy.sympify(self.b_ex) ** (2 * k) / 4 ** k

    def moment(self, k):
        return float(sympy.binomial(2 * k, k) / sympy.Integer(4) ** k) * self.b2 ** k

    def GdG(self, zeta):
        """Principal ``G``, ``G'`` (analytic off ``[0, b^2]``: the product of the principal roots is)."""
        g = 1 / (np.sqrt(zeta) * np.sqrt(zeta - self.b2))
        return g, -g * (1 / zeta + 1 / (zeta - self.b2)) / 2

    def extra(self, zeta, state):
        """``G^(state) - G`` and its derivative: ``-2G`` on the odd sheets (the other sign of the root)."""
        odd = (state % 2) != 0
        g, dg = self.GdG(zeta)
        return np.where(odd, -2 * g, 0), np.where(odd, -2 * dg, 0)

    def step(self, zeta0, zeta1, state):
        cross, _, xs = _crossings(zeta0, zeta1)
        flip = cross & (xs > 0) & (xs < self.b2)
        return np.where(flip, state ^ 1, state)

    def GdG_mp(self, zeta, ctx, state):
        b2 = ctx.mpf(self.b_ex) ** 2 if not isinstance(self.b_ex, sympy.Basic) else \
            ctx.mpf(str(sympy.N(self.b_ex ** 2, int(ctx.dps) + 15)))
        g = 1 / (ctx.sqrt(zeta) * ctx.sqrt(zeta - b2))
        dg = -g * (1 / zeta + 1 / (zeta - b2)) / 2
        return (-g, -dg) if state % 2 else (g, dg)


# ----------------------------------------------------------------------------- a density of D
_ENTIRE = (sympy.exp, sympy.sin, sympy.cos, sympy.sinh, sympy.cosh)


def _check_entire(expr, name):
    """Refuse (naming the argument) a density whose continuation could branch: only polynomials and entire
    functions of them (exp, sin, cos, sinh, cosh) are accepted."""
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, sympy.Pow):
            e = node.exp
            if not (e.is_Integer and e >= 0) and node.base.has(_X):
                raise InvalidArgument(f"Argument `{name}`: the density of D must be an entire function of x on the "
                                      f"exact route (its analytic continuation gives the other sheets of G_nu); "
                                      f"{node} has a pole or a branch point. Use method='moments'")
        elif isinstance(node, sympy.Function) and node.has(_X) and not isinstance(node, _ENTIRE):
            raise InvalidArgument(f"Argument `{name}`: the density of D must be an entire function of x on the "
                                  f"exact route (its analytic continuation gives the other sheets of G_nu); "
                                  f"{type(node).__name__} is not analytic/entire. Use method='moments'")


def _zz(n):
    return np.where(n >= 0, 2 * n, -2 * n - 1)


def _unzz(m):
    return np.where(m % 2 == 0, m // 2, -(m + 1) // 2)


class DensitySquared:
    """``T = D^2``, ``D`` with an entire density ``f`` (sympy expression in ``x``) on ``[lo, hi]``.

    State of the continuation (one int64 per point): bit 0 = ``sigma`` is minus the principal root; then the
    zigzag codes of ``n1`` (sheet of ``G_D`` at ``sigma``) and ``n2`` (at ``-sigma``), 20 bits each."""

    NGL = 64     # Gauss-Legendre nodes for a non-polynomial density (the divided difference is entire)

    def __init__(self, expr, lo, hi, name="d_law"):
        expr = sympy.sympify(expr)
        _check_entire(expr, name)
        self.lo_ex, self.hi_ex = sympy.nsimplify(lo), sympy.nsimplify(hi)
        self.lo, self.hi = as_float(self.lo_ex), as_float(self.hi_ex)
        if not self.lo < self.hi:
            raise InvalidArgument(f"Argument `{name}`: needs lo < hi, got {lo}, {hi}")
        self.expr = expr
        self.tmax = max(self.lo ** 2, self.hi ** 2)
        self.lo_t = 0.0 if self.lo <= 0 <= self.hi else min(self.lo ** 2, self.hi ** 2)
        self.f = sympy.lambdify(_X, expr, "numpy")
        self.df = sympy.lambdify(_X, sympy.diff(expr, _X), "numpy")
        self.poly = expr.is_polynomial(_X)
        s = sympy.Symbol("s")
        if self.poly:
            # Q(x) = int_lo^hi (f(s) - f(x))/(x - s) ds, a polynomial in x (exact)
            q = sympy.integrate(sympy.cancel((expr.subs(_X, s) - expr) / (_X - s)), (s, self.lo_ex, self.hi_ex))
            qp = sympy.Poly(sympy.expand(q), _X)
            self.qc = [sympy.Rational(c) if c.is_Rational else c for c in qp.all_coeffs()]
            self.qf = np.array([as_float(c) for c in self.qc], float)
            self.dqf = np.polyder(self.qf) if self.qf.size > 1 else np.zeros(1)
            fp = sympy.Poly(expr, _X)
            self.mom_coef = [(int(m[0]), c) for m, c in zip(fp.monoms(), fp.coeffs())]
        else:
            x, w = gauss_legendre(self.NGL)
            self.gx = (self.lo + self.hi) / 2 + (self.hi - self.lo) / 2 * np.asarray(x, float)
            self.gw = (self.hi - self.lo) / 2 * np.asarray(w, float)
            self.gf = np.array([complex(self.f(t)) for t in self.gx])
        self._fmp = None

    # -- moments of T = D^2
    def exact_moment(self, k):
        if self.poly:
            return sum(c * (self.hi_ex ** (2 * k + m + 1) - self.lo_ex ** (2 * k + m + 1)) / (2 * k + m + 1)
                       for m, c in self.mom_coef)
        return sympy.integrate(_X ** (2 * k) * self.expr, (_X, self.lo_ex, self.hi_ex))

    def moment(self, k):
        if self.poly:       # the exact value rounded (the float sum cancels: 3/4 (1 - x^2) loses k^2 eps)
            return as_float(self.exact_moment(k))
        ctx = mpmath.MPContext()
        ctx.dps = 20
        return float(ctx.quad(lambda t: t ** (2 * k) * self._fdf_mp(t, ctx)[0], [self.lo, self.hi]))

    # -- G_D on the principal sheet, and f
    def GD(self, x):
        """``G_D(x)`` and ``G_D'(x)`` (principal: cut ``[lo, hi]``)."""
        L = np.log1p((self.hi - self.lo) / (x - self.hi))      # log((x - lo)/(x - hi)), cut exactly (lo, hi)
        dL = 1 / (x - self.lo) - 1 / (x - self.hi)
        fx, dfx = self._f(x), self._df(x)
        if self.poly:
            Q, dQ = np.polyval(self.qf, x), np.polyval(self.dqf, x)
        else:
            d = self.gx - x[..., None]
            Q = np.sum(self.gw * (self.gf - fx[..., None]) / -d, -1)     # int (f(s) - f(x))/(x - s)
            dQ = np.sum(self.gw * (dfx[..., None] / d - (self.gf - fx[..., None]) / d ** 2), -1)
        return fx * L + Q, dfx * L + fx * dL + dQ

    def _f(self, x):
        return np.broadcast_to(np.asarray(self.f(x), complex), np.shape(x))

    def _df(self, x):
        return np.broadcast_to(np.asarray(self.df(x), complex), np.shape(x))

    def GdG(self, zeta):
        s = np.sqrt(zeta)
        gp, dgp = self.GD(s)
        gm, dgm = self.GD(-s)
        g = (gp - gm) / (2 * s)
        return g, ((dgp + dgm) / (2 * s) - g / s) / (2 * s)

    # -- sheets
    def _decode(self, state):
        bit = state & 1
        n1 = _unzz((state >> 1) & 0xFFFFF)
        n2 = _unzz((state >> 21) & 0xFFFFF)
        return bit, n1, n2

    @staticmethod
    def _encode(bit, n1, n2):
        return bit | (_zz(n1) << 1) | (_zz(n2) << 21)

    def extra(self, zeta, state):
        """``G^(state) - G = pi i (n1 f(sigma) - n2 f(-sigma))/sigma`` and its zeta-derivative."""
        bit, n1, n2 = self._decode(state)
        sg = np.where(bit == 1, -np.sqrt(zeta), np.sqrt(zeta))
        fp, fm = self._f(sg), self._f(-sg)
        dfp, dfm = self._df(sg), self._df(-sg)
        num = n1 * fp - n2 * fm
        e = np.pi * 1j * num / sg
        de_ds = np.pi * 1j * ((n1 * dfp + n2 * dfm) / sg - num / sg ** 2)
        e = np.where((n1 == 0) & (n2 == 0), 0, e)
        de = np.where((n1 == 0) & (n2 == 0), 0, de_ds / (2 * sg))
        return e, de

    def step(self, zeta0, zeta1, state):
        """``sigma = b sqrt(zeta)`` followed continuously: crossing the negative axis flips b; crossing ``x > 0``
        moves ``sigma`` across the real axis at ``b sqrt(x)`` (upwards iff zeta moves upwards and b = +1) and
        ``-sigma`` the other way; ``G_D`` at a point crossing ``(lo, hi)`` upwards gains a sheet, downwards loses one."""
        cross, up, xs = _crossings(zeta0, zeta1)
        if not np.any(cross):
            return state
        bit, n1, n2 = self._decode(state)
        neg = cross & (xs < 0)
        pos = cross & (xs > 0)
        b = np.where(bit == 1, -1.0, 1.0)
        with np.errstate(invalid="ignore"):
            xp = b * np.sqrt(np.where(pos, xs, 0))
        sup = np.where(up == (b > 0), 1, -1)        # direction of sigma: +1 up
        n1 = n1 + np.where(pos & (xp > self.lo) & (xp < self.hi), sup, 0)
        n2 = n2 + np.where(pos & (-xp > self.lo) & (-xp < self.hi), -sup, 0)
        bit = np.where(neg, bit ^ 1, bit)
        return self._encode(bit, n1, n2)

    # -- mpmath
    def GdG_mp(self, zeta, ctx, state):
        with ctx.extraprec(40):     # f L + Q cancels (|f(x) L(x)| >> |G_D(x)| away from [lo, hi]); Newton needs G to rounding
            g, dg = self._GdG_mp(zeta, ctx, state)
        return +g, +dg

    def _GdG_mp(self, zeta, ctx, state):
        s = ctx.sqrt(zeta)
        gp, dgp = self._GD_mp(s, ctx)
        gm, dgm = self._GD_mp(-s, ctx)
        g = (gp - gm) / (2 * s)
        dg = ((dgp + dgm) / (2 * s) - g / s) / (2 * s)
        if state:
            bit, n1, n2 = (int(v) for v in self._decode(np.int64(state)))
            sg = -s if bit else s
            fp, dfp = self._fdf_mp(sg, ctx)
            fm, dfm = self._fdf_mp(-sg, ctx)
            num = n1 * fp - n2 * fm
            e = ctx.pi * ctx.mpc(0, 1) * num / sg
            de = ctx.pi * ctx.mpc(0, 1) * ((n1 * dfp + n2 * dfm) / sg - num / sg ** 2) / (2 * sg)
            g, dg = g + e, dg + de
        return g, dg

    def _fdf_mp(self, x, ctx):
        if self._fmp is None:
            self._fmp = (MpFunction(_X, self.expr), MpFunction(_X, sympy.diff(self.expr, _X)))
        return ctx.mpmathify(self._fmp[0](x, ctx)), ctx.mpmathify(self._fmp[1](x, ctx))

    def _GD_mp(self, x, ctx):
        lo, hi = _mpq(self.lo_ex, ctx), _mpq(self.hi_ex, ctx)
        L = ctx.log((x - lo) / (x - hi))
        dL = 1 / (x - lo) - 1 / (x - hi)
        f, df = self._fdf_mp(x, ctx)
        if self.poly:
            qc = [_mpq(c, ctx) for c in self.qc]
            Q = ctx.polyval(qc, x)
            dQ = ctx.polyval([c * (len(qc) - 1 - i) for i, c in enumerate(qc[:-1])], x) if len(qc) > 1 else 0
        else:
            fx = f
            Q = ctx.quad(lambda s: (self._fdf_mp(s, ctx)[0] - fx) / (x - s), [lo, hi])
            dQ = ctx.quad(lambda s: -(self._fdf_mp(s, ctx)[0] - fx) / (x - s) ** 2 - df / (x - s), [lo, hi])
        return f * L + Q, df * L + f * dL + dQ


def _mpq(v, ctx):
    v = sympy.sympify(v)
    if v.is_Rational:
        return ctx.mpf(int(v.p)) / int(v.q)
    return ctx.mpf(str(sympy.N(v, int(ctx.dps) + 15)))


# ----------------------------------------------------------------------------- a law of D -> the law nu of T
def t_parts(D, name="d_law"):
    """The law of ``T = D^2`` for :class:`freetk.ntk_general.GeneralMu` from a law ``D`` of D: an ``Atoms`` of T, a
    ``UniformSquared``, an ``ArcsineSquared``, a ``DensitySquared`` or a list of ``(weight, part)`` pairs of those
    (a ``Mixture``).  Refused (InvalidArgument naming ``name`` and why): a density given as a callable or one that is
    not an entire function (its continuation is needed), an arcsine law not centred at 0, other kinds of laws."""
    from .measures.atoms import Atoms
    from .measures.classical import Arcsine, Uniform, UniformSquared
    from .measures.general import FromDensity
    from .measures.mixture import Mixture
    if isinstance(D, Mixture):
        out, acc = [], {}
        for w, m in D.parts:
            if isinstance(m, Atoms):
                for x, v in m.atoms():
                    t = sympy.expand(sympy.nsimplify(x) ** 2 if isinstance(x, float) else sympy.sympify(x) ** 2)
                    acc[t] = acc.get(t, 0) + w * (sympy.nsimplify(v) if isinstance(v, float) else v)
            else:
                out.append((w, t_parts(m, name)))
        if acc:
            ts = sorted(acc, key=as_float)
            tot = sum(acc.values())
            out.append((tot, Atoms(ts, [acc[t] / tot for t in ts])))
        return out
    if isinstance(D, Atoms):
        acc = {}
        for x, v in D.atoms():
            t = sympy.expand(sympy.nsimplify(x) ** 2 if isinstance(x, float) else sympy.sympify(x) ** 2)
            acc[t] = acc.get(t, 0) + (sympy.nsimplify(v) if isinstance(v, float) else v)
        ts = sorted(acc, key=as_float)
        return Atoms(ts, [acc[t] for t in ts])
    if isinstance(D, UniformSquared):
        return D
    if isinstance(D, Uniform):
        lo, hi = D.parameters["lo"], D.parameters["hi"]
        if lo == -hi:
            return UniformSquared(hi)
        return DensitySquared(1 / (sympy.sympify(hi) - lo), lo, hi, name)
    if isinstance(D, Arcsine):
        lo, hi = D.parameters["lo"], D.parameters["hi"]
        if lo != -hi:
            raise InvalidArgument(f"Argument `{name}`: an arcsine law of D must be centred at 0 on the exact route "
                                  f"(got [{lo}, {hi}]): otherwise T = D^2 has a density that is not analytic inside its "
                                  "support and the density of D has branch points. Use method='moments'")
        return ArcsineSquared(hi)
    if isinstance(D, FromDensity):
        if D._expr is None:
            raise InvalidArgument(f"Argument `{name}`: a density given as a Python callable cannot be continued "
                                  "analytically (the exact route needs its other sheets); give it as a sympy "
                                  "expression in x, or use method='moments'")
        return DensitySquared(D._expr, D._lo, D._hi, name)
    raise InvalidArgument(f"Argument `{name}`: the exact route takes laws of D with finitely many atoms, uniform, "
                          f"arcsine (centred), from_density (entire sympy density) or mixtures of those; got "
                          f"{type(D).__name__}. Use method='moments'")
