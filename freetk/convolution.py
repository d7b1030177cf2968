"""Free additive and multiplicative convolution.

Exact layer: moments from the cumulant algebra (``kappa(mu + nu) = kappa(mu) + kappa(nu)``;
``S(mu x nu) = S(mu) S(nu)``), with closed-form shortcuts where the family is stable
(semicircle + semicircle, free Poisson + free Poisson with equal jumps, shifts and
scalings by point masses).  Numeric layer: subordination
(:mod:`freetk.kernels.fixed_point`), atoms by the known rules, support edges from the real inverse maps
(:mod:`freetk.kernels.edges`).
"""
import warnings
from fractions import Fraction

import numpy as np
import sympy

from . import series as _series
from .errors import InvalidArgument, NoConvergence, PrecisionWarning
from .numeric import simplify
from .measures.base import Measure, as_float, as_mp, own_cauchy_var
from .measures.semicircle import Semicircle
from .measures.marchenko_pastur import FreePoisson
from .measures.atoms import Atoms
from .measures.general import Affine
from .measures.base import split_at_breaks
from .kernels import edges
from .kernels import fixed_point as _fp
from .precision import check_dps, context, round_to


#: ``|1 - Phi_u|`` below which a real point of ⊞ or ⊠ is degenerate (_Convolution._degenerate_omega)
DEGENERATE = 1e-7
#: the step of the local expansion there, relative to the width of the support piece
STENCIL = 2.5e-4
#: the offsets ``k`` of that expansion (``x + k h``) and the weights giving the value at ``x`` of the polynomial through
#: them (exact: the double and the mpmath stencil use the same numbers)
STENCIL_K = (-4, -3, -2, -1, 1, 2, 3, 4)
STENCIL_W = tuple(Fraction(int(np.prod([-s for s in STENCIL_K if s != t])), int(np.prod([t - s for s in STENCIL_K if s != t])))
                  for t in STENCIL_K)


def _stencil_steps(x, lo, hi, dps=None):
    """The steps ``h`` tried by the local expansion at a degenerate point ``x`` of the support piece ``[lo, hi]``, largest
    first; none when ``x`` is not inside.  The local scale is the distance to the nearer edge (with the piece's width the
    step was 6 for a law on ``[1, 1e6]`` at 1000, where ``omega_1`` varies on the scale 1000: 57 % off).
    In double precision (``dps=None``) the neighbours' solves carry rounding noise ``~eps/|1 - Phi_u|``, so the step is
    as large as the interpolation error allows: ``STENCIL`` times the width, at most a tenth of that distance, then 8
    and 64 times finer.  At ``dps`` digits every neighbour is polished to full precision and the step only has to make
    the interpolation error ``(4 h/R)^8`` (``R`` the distance) fall below ``10^-(dps + 2)``: a sixteenth of the distance
    times ``10^(-(dps + 2)/8)``, then 100 and 10^4 times finer."""
    dist = min(x - lo, hi - x)
    if not dist > 0:
        return []
    if dps is None:
        steps = min(STENCIL * (hi - lo), dist / 10) * np.array([1.0, 1 / 8, 1 / 64])
    else:
        steps = dist / 16 * 10.0 ** (-(dps + 2) / 8) * np.array([1.0, 1e-2, 1e-4])
    return [h for h in steps if h > 0 and lo + 9 * h < x < hi - 9 * h]


def _stencil_value(steps, values_at, agree, weights):
    """The value at 0 of the polynomial through ``values_at(h)`` (the values at ``h k`` and ``2 h k``, ``k`` in
    ``STENCIL_K``: 16 of them, or None where they cannot be used) for the first step ``h`` of ``steps`` whose two
    expansions (step ``h`` and ``2 h``) ``agree(fine, coarse)``; None when none does.  ``weights``: ``STENCIL_W`` as
    numbers of the caller's arithmetic (a float array: the values are an array too, and a dot product)."""
    for h in steps:
        vals = values_at(h)
        if vals is None:
            continue
        if isinstance(weights, np.ndarray):
            fine, coarse = weights @ vals[:8], weights @ vals[8:]
        else:
            fine = sum(w * v for w, v in zip(weights, vals[:8]))
            coarse = sum(w * v for w, v in zip(weights, vals[8:]))
        if agree(fine, coarse):
            return fine
    return None


def _dirac_value(m):
    if isinstance(m, Atoms) and len(m.atoms()) == 1:
        return m.atoms()[0][0]
    return None


def _mean(m):
    return float(m.moments(1)[1])


def _extent(m):
    pts = [float(x) for x, _ in m.atoms()]
    for a, b in m.support():
        pts += [a, b]
    return min(pts), max(pts)


def free_add(mu, nu, method="auto"):
    """Free additive convolution ``mu ⊞ nu``.

    ``method="auto"`` uses a closed form when one exists, else the generic result;
    ``method="generic"`` forces the generic (cumulant + subordination) result, so that
    tests can check both paths agree.

    Examples
    --------
    >>> import freetk as ft
    >>> ft.free_add(ft.semicircle(), ft.semicircle()).moments(4)
    [1, 0, 2, 0, 8]
    """
    _check_operands("free_add", mu, nu, method)
    if method == "auto":
        p, q = mu.parameters, nu.parameters
        if isinstance(mu, Semicircle) and isinstance(nu, Semicircle):
            return Semicircle(p["mean"] + q["mean"], p["var"] + q["var"])
        if isinstance(mu, FreePoisson) and isinstance(nu, FreePoisson) and simplify(p["jump"] - q["jump"]) == 0:
            return FreePoisson(p["rate"] + q["rate"], p["jump"])
        for a, b in ((mu, nu), (nu, mu)):
            c = _dirac_value(b)
            if c is not None:
                return Affine(a, 1, c)
    return FreeAdditiveConvolution(mu, nu)


def _check_operands(func, mu, nu, method):
    for name, m in (("mu", mu), ("nu", nu)):
        if not isinstance(m, Measure):
            raise InvalidArgument(f"Argument `{name}` of `{func}` must be a Measure, got {type(m).__name__}")
    if method not in ("auto", "generic"):
        raise InvalidArgument(f"Argument `method` of `{func}` must be 'auto' or 'generic', got {method!r}")


def free_mul(mu, nu, method="auto"):
    """Free multiplicative convolution ``mu ⊠ nu`` (``mu`` or ``nu`` on ``[0, inf)``).

    Exact moments need non-zero means (S-transform); numerics need both measures on
    ``[0, inf)``.

    Examples
    --------
    >>> import freetk as ft
    >>> ft.free_mul(ft.marchenko_pastur(1), ft.marchenko_pastur(1)).moments(4)   # Fuss-Catalan
    [1, 1, 3, 12, 55]
    """
    _check_operands("free_mul", mu, nu, method)
    if method == "auto":
        for a, b in ((mu, nu), (nu, mu)):
            c = _dirac_value(b)
            if c is not None and as_float(c) > 0:
                return Affine(a, c, 0)
            if c is not None and as_float(c) == 0:      # delta_0 ⊠ nu = delta_0
                return Atoms([0])
    return FreeMultiplicativeConvolution(mu, nu)


def _total_one(a, b):
    """``a + b == 1`` for two atom masses: exactly, or within 4 ulps when either is a float (whose law is only
    known to that rounding), provided no atom is reported there (``atoms()`` compares the floats' sum with 1)."""
    e = sympy.sympify(_series._expand(a + b - 1))
    if e.has(sympy.Float):
        return abs(float(e)) <= 4 * np.finfo(float).eps and not as_float(a) + as_float(b) > 1
    return bool(e.is_zero)


def _rest_cauchy(measure, b, k=False):
    """``(f_np, f_mp)`` with ``f(e) = G_measure(b + e) - measure{b}/e``: the Cauchy transform next to the atom ``b``
    without its pole, as a function of the offset ``e`` and formed without cancelling the pole (atoms: the other atoms'
    ``sum q/((b - x) + e)`` with ``b - x`` exact, so that atoms 1e-8 apart keep their distance's digits; mixtures: the
    parts'), or None for other families.  ``k=True``: the same for ``K(w) = w G(w) - 1 = int t/(w - t)`` (the
    transform ⊠ inverts), without ``measure{b} b/e``.  ``f_np`` takes a Python complex, ``f_mp(e, ctx)`` an mpmath
    number."""
    from .measures.mixture import Mixture
    if isinstance(measure, Atoms):
        rest = [(x, q) for x, q in measure.atoms() if not sympy.sympify(x - b).is_zero]
        fl = [(as_float(_series._expand(b - x)), as_float(q) * (as_float(x) if k else 1.0)) for x, q in rest]

        def f_np(e):
            return sum(q / (gap + e) for gap, q in fl) + 0j

        def f_mp(e, ctx):
            return ctx.fsum(as_mp(q, ctx) * (as_mp(x, ctx) if k else 1) / (as_mp(_series._expand(b - x), ctx) + e)
                            for x, q in rest)
        return f_np, f_mp
    if isinstance(measure, Mixture):
        parts = []
        bf = as_float(b)
        for q, m in measure.parts:
            if any(sympy.sympify(x - b).is_zero for x, _ in m.atoms()):
                r = _rest_cauchy(m, b, k)
                if r is None:
                    return None
                parts.append((q, r[0], r[1]))
            else:
                parts.append((q, lambda e, m=m: complex(m._cauchy_psi_np(np.array([bf + complex(e)]))[2 if k else 0][0]),
                              lambda e, ctx, m=m: ((as_mp(b, ctx) + e) * m._cauchy_mp(as_mp(b, ctx) + e, ctx) - 1) if k
                              else m._cauchy_mp(as_mp(b, ctx) + e, ctx)))

        def f_np(e):
            return sum(as_float(q) * f(e) for q, f, _ in parts) + 0j

        def f_mp(e, ctx):
            return ctx.fsum(as_mp(q, ctx) * f(e, ctx) for q, _, f in parts)
        return f_np, f_mp
    return None


def _local_numbers(ctx):
    """``(sqrt, tol, convert, eps0)`` of the local hard-pair iterations: double precision (Python complex) or ``ctx``."""
    if ctx is None:
        import cmath
        return cmath.sqrt, 4 * np.finfo(float).eps, complex, 1e-7
    return ctx.sqrt, ctx.mpf(2) ** (-ctx.prec + 4), ctx.mpc, ctx.mpf(2) ** (-ctx.prec // 3)


def _rest_at_fixed_point(R, c, s, tol):
    """``R(e)`` at the solution of ``e = c/(1 - s R(e))`` (an inverse next to an atom: ``e`` the offset from the atom,
    ``R`` the transform without its pole), by fixed-point iteration from ``e = c`` (``s R`` is small)."""
    e = c
    for _ in range(8):
        en = c / (1 - s * R(e))
        done = abs(en - e) <= tol * abs(en)
        e = en
        if done:
            break
    return R(e)


def _local_root(r, square, d, ctx, iters):
    """The root of ``r`` next to the leading order ``sqrt(square)`` on the physical branch (``Im > 0``; real: the sign
    of ``d``), by :func:`_secant`; None when the iteration fails or ends below the axis."""
    sqrt, tol, _, eps0 = _local_numbers(ctx)
    e = sqrt(square)
    if e.imag < 0 or (e.imag == 0 and (e.real > 0) != (d.real > 0)):
        e = -e
    e = _secant(r, e, tol, iters, eps0)
    if e is None or not (abs(e) > 0) or e.imag < -tol * abs(e):
        return None
    return e


def _hard_local(d, a, m, b, n, R1, R2, ctx=None, iters=60):
    """``G_{mu ⊞ nu}`` at ``z = c + d`` next to the limit ``c = a + b`` of a pole pair of atoms ``mu{a} = m``,
    ``nu{b} = n`` with ``m + n = 1``, from ``e1 = omega_1 - a`` (docs/numerics.md, "⊞ next to a hard edge").  With
    ``R1``, ``R2`` the operands' Cauchy transforms without those poles (:func:`_rest_cauchy`), ``F = e1/(m + e1 R1)``,
    ``e2 = n F/(1 - F R2)`` and the subordination equation ``e1 + e2 = d + F`` is
    ``r(e1) = e1 F R1 + n F^2 R2/(1 - F R2) - d = 0``: products only (the ``O(e)`` terms of ``e1 + e2 - F`` cancel
    exactly because ``m + n = 1``).  Secant iteration from the leading order ``e1^2 = m^2 d/(m R1 + n R2)`` on the
    physical branch (``Im e1 > 0``; real: the sign of ``d``).  Returns ``G = (m + e1 R1)/e1`` or None.  ``ctx``: an
    mpmath context (else double, Python complex)."""
    _, tol, cx, _ = _local_numbers(ctx)
    d = cx(d)

    def r(e1):
        f = e1 / (m + e1 * R1(e1))
        r2 = _rest_at_fixed_point(R2, n * f, f, tol)
        return e1 * f * R1(e1) + n * f * f * r2 / (1 - f * r2) - d

    q = m * R1(0 * d) + n * R2(0 * d)
    if q == 0 or d == 0:
        return None
    e = _local_root(r, m * m * d / q, d, ctx, iters)
    return None if e is None else (m + e * R1(e)) / e


def _isolation(measure, at):
    """The distance from the atom ``at`` of ``measure`` to its other atoms and its support (inf when there are none)."""
    a = as_float(at)
    d = [abs(as_float(x) - a) for x, _ in measure.atoms() if not sympy.sympify(x - at).is_zero]
    d += [0.0 if lo <= a <= hi else min(abs(lo - a), abs(hi - a)) for lo, hi in measure.support()]
    return min(d, default=np.inf)


def _minus_exact(z, c, ctx):
    """``z - c`` in ``ctx`` to its relative precision: ``z`` an mpmath number (exact binary), ``c`` exact (sympy).  Formed
    at the context's precision the difference kept only the digits of ``c`` that survive the cancellation: 1e-22
    relative at ``1/21 + 1e-40`` with 60 digits."""
    re, im = ctx.re(z), ctx.im(z)
    c = sympy.sympify(c)
    if c.is_Rational:
        sign, man, exp, _ = ctx.mpf(re)._mpf_                     # re = (-1)^sign man 2^exp exactly
        xr = (-1) ** sign * sympy.Integer(man) * sympy.Integer(2) ** exp if man else sympy.Integer(0)
        diff = xr - c
        return ctx.mpc(ctx.mpf(int(diff.p)) / int(diff.q), im)
    prec = ctx.prec
    for _ in range(8):                                     # an irrational c: more bits until the difference is resolved
        with ctx.workprec(prec):
            d = re - sympy.N(c, int(prec * 0.302) + 5)._to_mpmath(prec)
        if d == 0 or abs(d) >= (abs(re) + 1) * ctx.mpf(2) ** (ctx.prec - prec + 4):
            break
        prec *= 2
    return ctx.mpc(d, im)


def _secant(fun, e, tol, iters, eps0):
    """A secant iteration on ``fun`` from ``e`` (second point ``e (1 + eps0)``); the root or None."""
    e_prev = e * (1 + eps0)
    r_prev = fun(e_prev)
    for _ in range(iters):
        r = fun(e)
        if r == 0:
            return e
        den = r - r_prev
        if den == 0:
            return e
        step = r * (e - e_prev) / den
        e_prev, r_prev = e, r
        e = e - step
        if abs(step) <= tol * abs(e):
            return e
    return None


def _hard_local_mul(d, c, a, m, b, n, R1, R2, ctx=None, iters=60):
    """``G_{mu ⊠ nu}`` at ``z = c + d`` next to the limit ``c = a b`` of a pole pair of atoms ``mu{a} = m``,
    ``nu{b} = n`` with ``m + n = 1`` (``a, b > 0``): the ⊠ analogue of :func:`_hard_local` (docs/numerics.md).  With
    ``u = K(z)``, ``v = 1/u``, ``X1 = a + e1``, ``X2 = b + e2`` the inverses of ``K_mu``, ``K_nu`` at ``u``, ``R1``,
    ``R2`` their ``K`` without the poles (:func:`_rest_cauchy`): ``e1 = m a v/(1 - R1 v)``, ``e2 = n b v/(1 - R2 v)``, and
    ``X1 X2 = z (1 + v)`` is ``r(v) = a b v^2 [m R1/D1 + n R2/D2 + m n/(D1 D2)] - d (1 + v) = 0``
    (``D = 1 - R v``).  From ``v^2 = d/(a b (m R1 + n R2 + m n))`` on the physical branch (``Im v > 0``; real: the sign
    of ``d``).  Returns ``G = (1 + v)/(v z)`` or None."""
    _, tol, cx, _ = _local_numbers(ctx)
    d, A, B = cx(d), cx(a), cx(b)
    ab = A * B

    def r(v):
        r1 = _rest_at_fixed_point(R1, m * A * v, v, tol)
        r2 = _rest_at_fixed_point(R2, n * B * v, v, tol)
        D1, D2 = 1 - r1 * v, 1 - r2 * v
        return ab * v * v * (m * r1 / D1 + n * r2 / D2 + m * n / (D1 * D2)) - d * (1 + v)

    q = ab * (m * R1(0 * d) + n * R2(0 * d) + m * n)
    if q == 0 or d == 0:
        return None
    v = _local_root(r, d / q, d, ctx, iters)
    return None if v is None else (1 + v) / (v * (cx(c) + d))


class _Convolution(Measure):
    """A free convolution of two measures (operands kept; the result is immutable)."""

    _symbol = ""

    def __init__(self, mu, nu):
        super().__init__()
        self._mu, self._nu = mu, nu
        self._latex_name = r"\left(%s\right) %s \left(%s\right)" % (mu.latex(), self._symbol, nu.latex())

    @property
    def operands(self):
        return self._mu, self._nu

    #: ``|z|`` beyond this many times ``R = (1 + max|mu|)(1 + max|nu|)`` (the operands' extents) gives ``G(z) = 1/z`` to
    #: rounding: ``G = (1/z) sum m_k/z^k`` with ``|m_k| <= R^k``, relative error ``<= 1e-20``.  The solve is not run
    #: there: at ``|z| ~ 1e155`` its ``1/z^2`` underflowed and it raised NoConvergence at a point the user never gave
    FAR = 1e20

    def _far(self, z, kernel):
        """``kernel(z)`` with the points beyond ``FAR`` answered by ``1/z`` (``None`` when there are none)."""
        if "far_radius" not in self._cache:
            r = [max(abs(v) for v in _extent(m)) for m in (self._mu, self._nu)]
            self._cache["far_radius"] = self.FAR * (1 + r[0]) * (1 + r[1])
        z = np.asarray(z, complex)
        far = np.abs(z) > self._cache["far_radius"]
        if not np.any(far):
            return None
        out = np.empty(z.shape, complex)
        out[far] = 1 / z[far]
        if not np.all(far):
            out[~far] = kernel(z[~far])
        return out

    def support(self, dps=None):
        """Support intervals ``[(lo, hi), ...]`` (edges from the real inverse maps); with ``dps=N`` the edges
        to ``N`` digits (mpmath numbers): each square-root edge is the critical value of the inverse map,
        polished from its double-precision value in an mpmath context
        (:func:`freetk.kernels.edges.add_edge_mp`, :func:`freetk.kernels.edges.mul_edge_mp`); an edge at
        0 is exact.  Edges of another kind (ends of an admissible range) raise InvalidArgument."""
        ivs = self.support_intervals()
        if dps is None:
            return [(float(iv.lo), float(iv.hi)) for iv in ivs]
        name = f"{type(self).__name__}.support"
        dps = check_dps(name, dps)
        ctx = context(dps)
        out = []
        for iv in ivs:
            ends = []
            for x, kind, side in ((iv.lo, iv.lo_kind, -1), (iv.hi, iv.hi_kind, +1)):
                if x == 0.0:
                    ends.append(ctx.mpf(0))
                    continue
                if x in self._hard_points():        # the exact limit of a pole pair of total mass 1
                    ends.append(as_mp(self._hard_points()[x][0], ctx))
                    continue
                if kind != "sqrt":
                    raise InvalidArgument(f"{name}(dps={dps}): the edge {x!r} is of kind {kind!r}, not a critical "
                                          "point of the inverse map; only square-root edges are polished")
                ends.append(self._edge_mp_from_search(x, side, ctx))
            out.append(tuple(round_to(v, dps) for v in ends))
        return out

    def _edge_mp(self, x, side, ctx):      # pragma: no cover - abstract
        raise NotImplementedError

    def _edge_mp_from_search(self, x, side, ctx):
        """The edge ``x`` at precision ``ctx``: the critical value of the inverse map polished from the double search's
        own critical parameter and inverses there (``edge_params``); else (an edge moved after the search, or a polish
        that does not settle from there) from the solution just outside the edge (:meth:`_edge_mp`).  From 1e-9 outside
        the start can lie far from the critical point in the parameter: next to ``g = 0`` on an outer branch of atoms ⊞
        atoms ``support(dps=20)`` raised NoConvergence ('left the start'), and mpmath's ValueError."""
        start = self._cache.get("edge_params", {}).get(x)
        if start is not None:
            try:
                return self._edge_mp_at(start, ctx)
            except NoConvergence:
                pass
        return self._edge_mp(x, side, ctx)

    def _omega_axis(self, z, strict=True):
        """``(omega_1, eta reached)`` at points ``z`` of the closed upper half-plane, with the real points
        where the map degenerates treated by :meth:`_degenerate_omega`; ``strict=False``: NaN where no solution
        was found (else NoConvergence naming the point)."""
        z = np.asarray(z, complex)
        w, eta = self._omega_np(z, on_fail="nan")
        real = np.nonzero(z.imag == 0)[0]
        if real.size:
            w[real] = self._degenerate_omega(z.real[real], w[real], eta[real])
        if strict and not np.all(np.isfinite(w)):
            self._omega_np(z[~np.isfinite(w)])          # raises NoConvergence naming the point
        return w, eta

    def _gap_fallback(self, z, G):
        """``G`` at the real points ``z`` off the support where the solve found nothing, by the mean value property;
        other unsolved points raise NoConvergence naming them.

        In a gap ``G`` can vanish (semicircle ⊞ (δ_-2 + δ_2)/2 at 0), and there ``omega_1 ~ 1/G`` runs off to infinity:
        the solve failed within ~1e-7 of that point.  ``G`` is analytic on the disc of radius R around x, R the distance
        to the support and the atoms, so on the circle of radius ``r = R/2``: ``G(x) = mean G(x + r e^(i t))``
        (trapezoidal rule, 64 nodes, half of them by ``G(conj z) = conj G(z)``; error ``~ 2^-64 max |G|`` on the
        circle).  The rounding, ``~ 8 eps max |G|`` on the circle, is absolute:
        next to a zero of G it is large against G(x), and a PrecisionWarning says so (beyond 1e-13 relative)."""
        bad = np.nonzero(~np.isfinite(G))[0]
        if bad.size == 0:
            return G
        ends = [e for lo, hi in self.support() for e in (lo, hi)] + [a for a, _ in self.atoms_float()]
        n = 64
        t = 2 * np.pi * (np.arange(n // 2) + 0.5) / n          # upper half; the lower half by conjugation
        for i in bad:
            x = z[i].real
            inside = any(lo <= x <= hi for lo, hi in self.support()) or z[i].imag != 0
            R = min(abs(x - e) for e in ends) if ends else np.inf
            if inside or not np.isfinite(R) or R == 0:
                self._omega_np(z[i:i + 1])                   # raises NoConvergence naming the point
            r = R / 2
            g = np.asarray(self._cauchy_np(x + r * np.exp(1j * t)), complex)
            if not np.all(np.isfinite(g)):
                self._omega_np(z[i:i + 1])
            G[i] = np.mean(g.real) + 0j                     # mean over the full circle: (g + conj g)/2
            err = 8 * np.finfo(float).eps * np.max(np.abs(g))
            if err > 1e-13 * abs(G[i]):
                warnings.warn(f"{type(self).__name__}.cauchy at x = {float(x)!r} (in a gap, next to a zero of G, where the "
                              f"subordination function runs off to infinity): G = {G[i].real:.6g} from its mean on a "
                              f"circle around x, good to about {err:.1e} absolute only", PrecisionWarning, stacklevel=5)
        return G

    def _degenerate_omega(self, x, w1, eta):
        """Subordination values at degenerate real points replaced by a local expansion.

        Where the map ``Phi(., x)`` is the identity to first order at its fixed point (``Phi_u = 1`` at a
        point inside a support piece: e.g. Bernoulli ⊞ Bernoulli at 0, where ``Phi(w) = x - 1/(x - 1/w)``
        is the identity for ``x = 0``; (δ_1 + δ_2)/2 ⊠ itself at 2), the residual of the fixed-point
        equation is ``(1 - Phi_u)`` times the error of ``w``: below about ``1e-7`` the solve accepts a
        start with a rounding-size residual
        (the density was wrong in its fourth digit, and the ``dps=`` polish, started there, left it).
        There (when the point is at least ``9 h`` inside a piece) ``omega_1(x)`` is the value at ``x`` of
        the polynomial through its values at ``x +- k h``, ``k = 1..4`` (:meth:`_stencil_limit`: ``h = 2.5e-4`` times the
        width of the piece, at most a tenth of the distance to its nearer edge), where the solve is well conditioned (``|1 - Phi_u| >= 1e-4`` is checked); the
        interpolation error is about ``(4 h/R)^8`` for ``omega_1`` analytic in a disc of radius ``R``.
        The same expansion with step ``2 h`` must agree to 1e-9 (relative): where ``omega_1`` is not
        smooth (a cusp: semicircle ⊞ (δ_-1 + δ_1)/2 at 0, where it runs off to infinity) the point keeps
        its value."""
        w1 = np.array(w1, complex, copy=True)
        x = np.asarray(x, float)
        with np.errstate(all="ignore"):
            Pu = self._system().phi(w1, x + 0j)[1]
        bad = np.nonzero((np.asarray(eta) == 0) & np.isfinite(w1) & (np.abs(1 - Pu) < DEGENERATE))[0]
        if bad.size == 0:
            return w1
        unsettled = []
        # next to a hard pair's limit the map is the identity to first order too, and the equation around the pair
        # (_hard_density) gives the value there: not unsettled
        hard = {int(bad[j]) for j, _, _ in self._near_hard(x[bad] + 0j)}
        for i in bad:
            piece = [(lo, hi) for lo, hi in self.support() if lo <= x[i] <= hi]
            if not piece:
                continue
            value, tried = self._stencil_limit(x[i], *piece[0])
            if value is not None:
                w1[i] = value
            elif tried and abs(1 - Pu[i]) < 1e-12 and i not in hard:    # (an edge keeps its value)
                unsettled.append(i)
        if unsettled:
            # the map is the identity there (every w a fixed point): the solve's value is arbitrary
            w1[unsettled] = np.nan
            warnings.warn(f"{type(self).__name__}: at x = {', '.join(f'{v:.6g}' for v in x[unsettled][:3])} the "
                          "subordination map is the identity (every point a fixed point) and the limit from the "
                          "neighbours did not settle: NaN returned there", PrecisionWarning, stacklevel=4)
        return w1

    def _stencil_limit(self, x, lo, hi):
        """``(omega_1(x) or None, tried)`` at a degenerate point ``x`` of the piece ``[lo, hi]`` (:meth:`_degenerate_omega`):
        the polynomial through the solutions at ``x +- k h`` where the solve is well conditioned (``|1 - Phi_u| >= 1e-4``),
        checked against step ``2 h`` to 1e-9 (:func:`_stencil_value`, steps :func:`_stencil_steps`).  ``tried``: whether a
        stencil fitted inside the piece (not at an edge)."""
        k = np.array(STENCIL_K, float)
        steps = _stencil_steps(x, lo, hi)

        def values_at(h):
            xs = x + h * np.concatenate([k, 2 * k])
            ws, es = self._omega_np(xs + 0j, on_fail="nan")
            with np.errstate(all="ignore"):
                cond = np.abs(1 - self._system().phi(ws, xs + 0j)[1])
            if not (np.all(np.isfinite(ws)) and np.all(es == 0) and np.all(cond >= 1e-4)):
                return None
            return ws
        value = _stencil_value(steps, values_at, lambda fine, coarse: abs(fine - coarse) <= 1e-9 * abs(fine),
                               np.array([float(w) for w in STENCIL_W]))
        return value, bool(steps)

    def _polish_degenerate(self, w0, z, work):
        """The fixed point next to ``w0`` at ``z`` in the context ``work`` where the map is nearly the identity
        (``|1 - Phi_u|`` small): the secant method on ``F = Phi(w) - w`` (the operands' ``G'`` in
        ``phi_mp`` are double-precision values, not accurate enough for ``F' = Phi_u - 1`` there).
        Raises NoConvergence (naming ``z``) when it does not settle within 1e-6 of ``w0`` on the side of
        the system's half-plane."""
        system = self._system()
        phi = system.phi_mp
        w0 = work.mpc(complex(w0))
        try:
            w = work.findroot(lambda w: phi(w, z, work)[0] - w, (w0, w0 * (1 + work.mpf(10) ** -12)),
                              solver="secant", maxsteps=200)
        except (ValueError, ZeroDivisionError) as e:
            raise NoConvergence(f"{system.name}: the secant iteration at {work.dps} digits "
                                f"did not converge at the degenerate point z = {z}", best=w0) from e
        if abs(w - w0) > 1e-6 * abs(w) or system.half * work.im(w) < 0:
            raise NoConvergence(f"{system.name}: the {work.dps}-digit secant iteration left "
                                f"the double-precision solution {complex(w0)!r} at z = {z}", best=w)
        return w

    def _polish_mp(self, w0, zu, ctx, expand=True):
        """``(omega_1, context)`` at ``zu`` from the double solution ``w0``; next to a degenerate point
        ``F(w) = Phi(w) - w`` is computed with a cancellation of ``|1 - Phi_u|``: the polish then works
        with that many more digits (a context of its own) and the secant method; where the map is the
        identity to working accuracy (and ``expand``), :meth:`_interpolate_omega_mp`.  Callers round the
        value back to their context."""
        with np.errstate(all="ignore"):
            cond = float(np.abs(1 - self._system().phi(np.array([w0]), np.array([complex(zu)]))[1][0]))
        if expand and ctx.im(zu) == 0 and (cond < 1e-12 or self._identity_at(w0, zu, ctx)):
            # the identity to working accuracy: the limit from the neighbours of the exact point (whatever the double
            # |1 - Phi_u| says: 1.5e-3 from rounding at (δ_0 + δ_1)/2 ⊞ (δ_1 + δ_0)/2 at 1, where the polish then kept
            # the double solution's digits); an ordinary point fails the test at its first value of F
            w = self._interpolate_omega_mp(ctx.re(zu), ctx)
            if w is not None:
                return w
            # every w is a fixed point here: a polish would return its start (the double solution, itself arbitrary:
            # 57 % off at 1000 for (0.49 δ_1 + 0.51 δ_1000) ⊠ itself before the stencil followed the local scale)
            raise NoConvergence(f"{self._system().name}: the map is the identity at z = {zu} and the limit from the "
                                "neighbours did not settle", best=w0)
        if cond < 1e-3:
            work = context(ctx.dps + int(np.ceil(-np.log10(max(cond, 1e-300)))) + 5, guard=0)
            return self._polish_degenerate_checked(w0, zu, ctx, work)
        try:
            return _fp.polish_mp(self._system(), w0, zu, ctx), ctx
        except NoConvergence as e:
            # steps that stall above the working precision's tolerance: the residual's terms are larger than the
            # unknown (next to a zero of an operand's G, 1/G ~ 4e3 x |w|: free_add(b, a) of atoms, 1e-6 inside an
            # edge, stalled at 1e-28 at 40 digits); once more with the digits lost to that, and 5 more
            if e.residual is None or not e.residual > 0 or e.best is None:
                raise
            lost = np.log10(float(e.residual) / float(abs(e.best))) + ctx.dps
            if not 0 < lost < 200:
                raise
            work = context(ctx.dps + int(np.ceil(lost)) + 5, guard=0)
            try:
                return _fp.polish_mp(self._system(), w0, work.mpc(zu), work), work
            except NoConvergence as e2:
                # stalled again, at the same loss: enough if that is below the precision first asked for
                w, r = e2.best, e2.residual
                if (r is None or w is None or not r <= 10.0 ** -ctx.dps * float(abs(w))
                        or abs(w - work.mpc(complex(w0))) > 1e-6 * abs(w) or self._system().half * work.im(w) < 0):
                    raise
                return w, work

    def _identity_at(self, w0, zu, ctx):
        """Whether the map is the identity next to ``w0`` at ``zu`` to ``ctx``'s precision: ``F = Phi(w) - w`` below
        ``10^-dps |w|`` at ``w0`` and at two points ``10^-3 |w0|`` away (evaluated with 10 more digits).  The double
        ``|1 - Phi_u|`` can stay far above rounding there (``(1/3 d_0 + 2/3 d_1) ⊞ (2/3 d_1 + 1/3 d_0)`` at 1: 1.6e-6,
        every ``w`` a fixed point), while at a nearly double root ``F`` grows like the square of the distance."""
        work = context(ctx.dps + 10, guard=0)
        phi = self._system().phi_mp
        z = work.mpc(zu)
        w0 = work.mpc(complex(w0))
        tol = work.mpf(10) ** -ctx.dps
        for w in (w0, w0 * (1 + work.mpf(10) ** -3), w0 + 1j * work.mpf(10) ** -3 * abs(w0)):
            try:
                if not abs(phi(w, z, work)[0] - w) <= tol * abs(w):
                    return False
            except (ZeroDivisionError, ValueError):
                return False
        return True

    def _density_mp(self, x, ctx):
        """``-Im G(x + i0)/pi`` to ``ctx``'s precision *relative to the density*: ``G`` comes to ``ctx``'s digits relative
        to ``|G|``, so where ``|Im G|`` is small against ``|G|`` (next to an edge: ``sqrt`` of the distance) the density
        lost ``log10 |G|/|Im G|`` digits (12 at 1e-24 of the width from a square-root edge: 6e-9 at 20 digits); it is
        then computed again with those digits more."""
        G = self._cauchy_mp(ctx.mpc(x), ctx)
        im = ctx.im(G)
        if im != 0 and ctx.isfinite(im) and abs(im) < abs(G) / 1000:
            lost = int(ctx.ceil(ctx.log10(abs(G) / abs(im))))
            work = context(ctx.dps + lost + 3, guard=0)
            im = ctx.mpf(work.im(self._cauchy_mp(work.mpc(x), work)))
        return -im / ctx.pi

    def _polish_degenerate_checked(self, w0, zu, ctx, work, rounds=3):
        """:meth:`_polish_degenerate` at ``work``, then again with ``ctx.dps + 10`` more digits until two results agree
        to ``10^-(ctx.dps + 2)``: next to a point where ``Phi_u = 1`` the root of ``F = Phi(w) - w`` is nearly double,
        where the secant stops at ``|F|`` below its tolerance with ``w`` good to only about the square root of that
        (``(1/3 d_0 + 2/3 d_1) ⊞ (2/3 d_1 + 1/3 d_0)`` at 1: 21 correct digits of a 30-digit request, silently).  The
        double-precision ``cond`` does not tell how close to double the root is (rounding keeps it above 1e-12 there).
        NoConvergence when ``rounds`` more runs never agree."""
        w = self._polish_degenerate(w0, work.mpc(zu), work)
        for _ in range(rounds):
            work2 = context(work.dps + ctx.dps + 10, guard=0)
            w2 = self._polish_degenerate(w0, work2.mpc(zu), work2)
            if abs(w2 - w) <= work2.mpf(10) ** -(ctx.dps + 2) * abs(w2):
                return w2, work2
            change = float(abs(w2 - w) / abs(w2))
            w, work = w2, work2
        raise NoConvergence(f"{self._system().name}: at the degenerate point z = {zu} the polished fixed point still "
                            f"changes by {change:.2g} (relative) from {work.dps - ctx.dps - 10} to {work.dps} digits",
                            best=w, residual=change)

    def _interpolate_omega_mp(self, x, ctx):
        """``(omega_1(x), context)`` at a real point ``x`` (an mpf of ``ctx``: the exact point, which need not be a
        double) where the map is the identity to working accuracy (``(δ_1 + δ_2)/2 ⊠ itself`` at 2 exactly: every
        ``w`` is a fixed point, and the value is the limit from the neighbours): the polynomial through
        ``omega_1(x +- k h)``, each polished to full precision, checked against the same expansion at step ``2 h`` to
        ``10^(3 - dps)`` (:func:`_stencil_value`, steps :func:`_stencil_steps` at ``dps``).  None when the point is on
        an edge or the two expansions disagree.  (Centred on ``float(x)`` it was off by the rounding of ``x`` times
        ``omega_1'``: 2e-29 at 2987/3.)"""
        x = ctx.mpf(x)
        piece = [(lo, hi) for lo, hi in self.support() if lo <= float(x) <= hi]
        if not piece:
            return None
        k = list(STENCIL_K)

        def values_at(h):
            vals = []
            for j in k + [2 * t for t in k]:
                xj = x + j * ctx.mpf(h)
                wj = self._omega_axis(np.array([complex(float(xj))]))[0][0]
                vals.append(ctx.mpc(self._polish_mp(wj, ctx.mpc(xj), ctx, expand=False)[0]))
            return vals
        tol = ctx.mpf(10) ** (3 - ctx.dps)
        value = _stencil_value(_stencil_steps(float(x), *piece[0], dps=ctx.dps), values_at,
                               lambda fine, coarse: abs(fine - coarse) <= tol * abs(fine),
                               [ctx.mpf(w.numerator) / w.denominator for w in STENCIL_W])
        return None if value is None else (value, ctx)

    #: points within this many scales of the limit ``c`` of a pole pair of atoms with masses adding up to 1 take ``G`` from
    #: the equation written around the pair (:meth:`_hard_solve`): the subordination equation's ``O(omega)`` terms
    #: cancel there, and the solve's density was off by ``~eps/|omega - a|`` (7 % at 1e-30 of the arcsine's edge 0, a
    #: constant 6.7e14 below 1e-40, silently)
    HARD_LOCAL = 1e-3

    def _hard_pairs(self):
        """``[(c, a, m, b, n, (R1, R1_mp), (R2, R2_mp), iso)]``: the pole pairs of :meth:`_hard_points` (exact ``c``:
        ``a + b``, ``a b`` for ⊠; ``mu{a} = m``, ``nu{b} = n``, ``m + n = 1``) whose operands give their transforms
        without that pole (:meth:`_hard_rest`), with ``iso`` the distance (in ``z``) within which the pair alone
        shapes the law: to the operands' other atoms and support (:meth:`_hard_iso`) and to the other pairs' limits."""
        if "hard_pairs" not in self._cache:
            out = []
            for x, a in self._mu.atoms():
                for y, b in self._nu.atoms():
                    if self._pair(x, y) is None or not _total_one(a, b):
                        continue
                    r1, r2 = self._hard_rest(self._mu, x), self._hard_rest(self._nu, y)
                    if r1 is not None and r2 is not None:
                        iso = min(self._hard_iso(_isolation(self._mu, x), _isolation(self._nu, y), x, y),
                                  self._scale())
                        out.append([self._pair(x, y)[0], x, a, y, b, r1, r2, iso])
            for p in out:
                for q in out:
                    if q is not p:
                        p[7] = min(p[7], abs(as_float(p[0]) - as_float(q[0])))
            self._cache["hard_pairs"] = [tuple(p) for p in out if 0 < p[7]]
        return self._cache["hard_pairs"]

    def _near_hard(self, z):
        """``[(i, pair, d)]``: points ``z[i]`` within ``HARD_LOCAL`` times its ``iso`` of a hard pair's limit (the
        nearest pair), ``d = z - c`` from the exact ``c`` (:func:`_minus_exact`, 40 digits).  A window in units of the
        law's scale let a pair take points next to another pair's limit (two limits 0.19 apart near 1e6: the density
        1.3e-5 off 0.012 from one of them)."""
        out = []
        pairs = self._hard_pairs()
        if not pairs:
            return out
        z = np.asarray(z, complex)
        best = np.full(z.shape, np.inf)
        which = np.full(z.shape, -1)
        for k, pair in enumerate(pairs):
            dist = np.abs(z - as_float(pair[0]))
            take = (dist <= min(self.HARD_LOCAL * pair[7], 1e300)) & (dist < best)
            best[take], which[take] = dist[take], k
        ctx = context(40)
        for i in np.flatnonzero(which >= 0):
            pair = pairs[which[i]]
            out.append((int(i), pair, _minus_exact(ctx.mpc(complex(z[i])), pair[0], ctx)))
        return out

    @staticmethod
    def _solve_conditioned(d, c, iso):
        """Whether the solve's value at ``c + d`` is good to ~1e-7 (its rounding ``eps max(|c|, iso)`` against ``|d|``):
        only there does a disagreement with the local value mark a wrong local root (1 ulp from the edge 1 of an
        arcsine law 2e-8 wide, the solve was 41 % off and the check kept it)."""
        return abs(d) * 1e-7 >= np.finfo(float).eps * max(abs(as_float(c)), iso)

    def _hard_fix(self, z, G):
        """``G`` (the solve's values at the points ``z`` of the upper half-plane) with the points next to a hard pair's
        limit taken from :meth:`_hard_solve`.  A local value more than 1e-3 from a solve's value that is still
        conditioned there (:meth:`_solve_conditioned`) is a wrong root of the local equation: the solve's stands."""
        G = np.array(G, complex)
        for i, (c, x, a, y, b, r1, r2, iso), d in self._near_hard(z):
            args = (as_float(c), as_float(x), as_float(a), as_float(y), as_float(b), r1[0], r2[0])
            if abs(d) < 1e-200:
                # the equation's terms (~ d) would underflow in double (a subnormal x at a limit 0): in mpmath
                work = context(20)
                v = self._hard_solve(d, *(work.mpf(t) for t in args[:5]), lambda w: r1[1](w, work),
                                     lambda w: r2[1](w, work), ctx=work)
                v = None if v is None else complex(v)
            else:
                v = self._hard_solve(complex(d), *args)
            if v is not None and np.isfinite(v):
                if self._solve_conditioned(d, c, iso) and np.isfinite(G[i]) and not abs(G[i] - v) <= 1e-3 * abs(v):
                    continue
                G[i] = v
            elif d == 0:
                # at c itself G is infinite (|G| ~ |z - c|^(-1/2)): in the direction of its limit from above.  Where
                # the pairs' leading terms cancel (Bernoulli ⊞ Bernoulli at 0: two pairs meet, the density is smooth)
                # there is no local solution, and the solve's value stands
                v = self._hard_solve(1e-300j * self._scale(), *args)
                if v is not None:
                    G[i] = complex(np.copysign(np.inf, v.real) if v.real else 0.0, np.copysign(np.inf, v.imag))
        return G

    def _hard_density(self, x, G, f):
        """The densities ``f`` at the real points ``x`` (``G`` the solve's values there) with the points next to a hard
        pair's limit from :meth:`_hard_fix`; at the limit itself the density is infinite (an edge of the support) and
        reported as 0, as the arcsine law's own at its ends (``free_add(atoms([0, 1]), atoms([0, 1]))`` is that law)."""
        near = sorted({i for i, _, _ in self._near_hard(x + 0j)})
        if near:
            f = np.array(f, float)
            g = self._hard_fix(x[near] + 0j, np.asarray(G, complex)[near])
            f[near] = np.where(np.isfinite(g), np.maximum(-g.imag / np.pi, 0.0), np.where(np.isinf(g), 0.0, f[near]))
        return f

    def _hard_mp(self, zu, ctx):
        """``G`` at ``zu`` (upper half-plane) in ``ctx`` from :meth:`_hard_solve` when ``zu`` is next to a hard pair's
        limit (10 more digits), else None."""
        near = self._near_hard(np.array([complex(zu)]))
        if not near:
            return None
        _, (c, x, a, y, b, r1, r2, iso), _ = near[0]
        work = context(ctx.dps + 10, guard=0)
        d = _minus_exact(zu, c, work)
        args = (as_mp(c, work), as_mp(x, work), as_mp(a, work), as_mp(y, work), as_mp(b, work),
                lambda w: r1[1](w, work), lambda w: r2[1](w, work))
        if d == 0:
            # at c itself: infinite, in the direction of the limit from above (as in double precision)
            v = self._hard_solve(work.mpc(0, work.mpf(10) ** (-work.dps)) * self._scale(), *args, ctx=work)
            return None if v is None else ctx.mpc(ctx.inf * ctx.sign(v.real), ctx.inf * ctx.sign(v.imag))
        v = self._hard_solve(d, *args, ctx=work)
        if v is None:
            return None
        if self._solve_conditioned(d, c, iso):
            # a wrong root of the local equation, as in double precision (_hard_fix): against the double value there
            g = complex(self._cauchy_np(np.array([complex(zu)]))[0])
            if np.isfinite(g) and not abs(complex(v) - g) <= 1e-6 * abs(g):
                return None
        return ctx.mpc(v)

    def smooth_pieces(self):
        return split_at_breaks(self)

    def _pair(self, x, y):      # pragma: no cover - abstract
        """Where a pole pair of atoms at ``x`` (of mu) and ``y`` (of nu) sends the inverse map, exactly, and the size
        of the terms whose rounding puts the computed edge off it: ``(c, size)``, or None."""
        raise NotImplementedError

    def _hard_points(self):
        """``{float(c): (c, size)}``: the exact limits ``c`` of the pole pairs of atoms with ``mu{a} + nu{b} = 1``
        (exactly; within 4 ulps for weights given as floats, when no atom is reported there), edges with a
        ``1/sqrt`` density next to them and no atom (:func:`freetk.kernels.edges.snap_ends`), with the size of
        their terms (:meth:`_pair`)."""
        if "hard_points" not in self._cache:
            out = {}
            for x, a in self._mu.atoms():
                for y, b in self._nu.atoms():
                    pair = self._pair(x, y)
                    if pair is not None and _total_one(a, b):
                        out[as_float(pair[0])] = pair
            self._cache["hard_points"] = out
        return self._cache["hard_points"]

    def _pieces_mp(self, ctx):
        """The smooth pieces with the support's ends at the precision of ``ctx`` from :meth:`support` ``(dps=...)``
        (critical values of the inverse map, exact hard points and 0), not the base class's bisection on the sign of
        the density: that kept the double edges, and ``cdf(x, dps=30)`` of ``semicircle ⊞ MP(1/2)`` raised
        NoConvergence at quadrature nodes between the double and the true edge (and would have missed
        ``~(1e-16)^(3/2)`` of mass).  Square-root ends are moved ``10^(-2 dps/3)`` of the width inward (the mass left
        out, ``~ C s^(3/2)``, is below ``10^-dps``).  Ends of another kind: the base class's route."""
        key = ("pieces_mp", ctx.prec)
        if key not in self._cache:
            try:
                exact = self.support(dps=ctx.dps)
            except (InvalidArgument, NoConvergence):
                return super()._pieces_mp(ctx)
            ends = {}
            for iv, (a, b) in zip(self.support_intervals(), exact):
                # a square-root end moved inward by 10^(-2 dps/3) of the width: the mass left out, ~ f s^(3/2), is
                # below the context's precision, and the solve at nodes 1e-99 from the edge (a degenerate point of
                # the equation to that precision) raised NoConvergence
                cut = ctx.mpf(10) ** (-(2 * ctx.dps) // 3) * (ctx.mpf(b) - ctx.mpf(a))
                ends[iv.lo] = ctx.mpf(a) + (cut if iv.lo_kind == "sqrt" and iv.lo not in self._hard_points() else 0)
                ends[iv.hi] = ctx.mpf(b) - (cut if iv.hi_kind == "sqrt" and iv.hi not in self._hard_points() else 0)
            self._cache[key] = ([(ends.get(lo, ctx.mpf(lo)), ends.get(hi, ctx.mpf(hi))) for lo, hi in self.smooth_pieces()],
                                ctx.mpf(0))
        return self._cache[key][0]

    def _finish_support(self):
        """The raw intervals cached by ``support_intervals`` (the ends' classification evaluates the density, which asks
        for them) checked (:meth:`_found`), snapped and classified; on failure the cache forgets them: a NoConvergence
        here used to leave the raw, empty list behind, and the next ``support()`` returned ``[]`` and ``total_mass()``
        the atoms' mass alone, silently."""
        try:
            self._cache["support_intervals"] = self._classify_ends(self._snap(self._found(
                self._cache["support_intervals"])))
        except BaseException:
            for key in ("support_intervals", "breaks", "exact_edges"):
                self._cache.pop(key, None)
            raise

    def _found(self, intervals):
        """``intervals``, after checking that the search found the law's mass: with no continuous piece the atoms must
        carry all of it (operands whose atoms lie at ±1e200 around a semicircle gave an empty support and
        ``total_mass() = 0`` silently: no double resolves a piece of width 3 there)."""
        if not intervals and not sum(as_float(w) for _, w in self.atoms()) > 1 - 1e-12:
            lo1, hi1 = _extent(self._mu)
            lo2, hi2 = _extent(self._nu)
            raise NoConvergence(f"{type(self).__name__}.support: the double-precision search found neither a support "
                                f"interval nor the atoms carrying the whole mass; the operands span [{lo1:.3g}, {hi1:.3g}] "
                                f"and [{lo2:.3g}, {hi2:.3g}], beyond what double precision resolves for this law "
                                "(its pieces would be far narrower than their distance from 0)")
        return intervals

    def _snap(self, intervals):
        """The support intervals with their ends at the exact limits of :meth:`_hard_points` (each within a
        window relative to its own pair's terms: a far component of the support does not widen it)."""
        hard = self._hard_points()
        if not hard:
            return intervals
        return edges.snap_ends(intervals, [(e, size) for e, (_, size) in hard.items()])

    def _table_pdf(self):
        """The density for the quadrature table, next to an edge at a non-double hard point ``c`` (an end
        ``e = float(c)``) times ``sqrt(s_c / s_e)``, ``s_c`` and ``s_e`` the distances of ``x`` to ``c`` and to
        ``e``: the table's angle variable measures ``x - e`` while the density is ``~ C s_c^(-1/2)``;
        with the factor ``f dx/dtheta`` is smooth again (without it, ``f`` is off by ``(c - e)/(2 s)``
        relative at the nodes closest to the edge: 1e-4 at ``s = 1e-13``).  With ``f ~ C s_c^(-1/2)`` the table
        then integrates ``C s_e^(-1/2)`` from ``e``: its mass differs from the true one by ``~ C |c - e| / sqrt(h)``
        (``h`` the half-width), rounding-sized."""
        pdf = super()._table_pdf()
        ends = []
        for iv in self.support_intervals():
            for e, side in ((iv.lo, +1), (iv.hi, -1)):
                if e not in self._hard_points():
                    continue
                c = self._hard_points()[e][0]
                delta = float(sympy.N(sympy.sympify(c) - sympy.Rational(e), 20))
                if delta != 0.0:
                    ends.append((e, side, side * delta, 0.5 * (iv.hi - iv.lo)))
        if not ends:
            return pdf

        def corrected(x):
            x = np.asarray(x, float)
            f = pdf(x)
            for e, side, d, half in ends:
                s = side * (x - e)
                near = (s > 0) & (s < half)
                f = np.where(near, f * np.sqrt(np.clip(1 - d / np.where(near, s, 1.0), 0, None)), f)
            return f
        return corrected


class FreeAdditiveConvolution(_Convolution):
    """``mu ⊞ nu``: exact moments by cumulants, numerics by subordination."""

    _symbol = r"\boxplus"

    @staticmethod
    def _hard_rest(measure, b):
        return _rest_cauchy(measure, b)

    @staticmethod
    def _hard_solve(d, c, a, m, b, n, R1, R2, ctx=None):
        return _hard_local(d, a, m, b, n, R1, R2, ctx=ctx)

    @staticmethod
    def _hard_iso(iso_mu, iso_nu, a, b):
        # omega_1 - a and omega_2 - b move like z - c
        return min(iso_mu, iso_nu)

    def _pair(self, x, y):
        # x(g) = w_mu + w_nu - 1/g with w_mu ~ x, w_nu ~ y: its rounding is relative to |x| + |y|
        return _series._expand(x + y), abs(as_float(x)) + abs(as_float(y))

    def _free_cumulants(self, k):
        a, b = self._mu.free_cumulants(k), self._nu.free_cumulants(k)
        return [_series._expand(x + y) for x, y in zip(a, b)]

    def _moments(self, k):
        return _series.free_cumulants_to_moments(self._free_cumulants(k))

    def atoms(self):
        out = []
        for x, a in self._mu.atoms():
            for y, b in self._nu.atoms():
                if as_float(a) + as_float(b) > 1:
                    out.append((_series._expand(x + y), _series._expand(a + b - 1)))
        return out

    def _scale(self):
        lo1, hi1 = _extent(self._mu)
        lo2, hi2 = _extent(self._nu)
        return 1 + (hi1 - lo1) + (hi2 - lo2)

    def _system(self):
        if "system" not in self._cache:
            mu, nu = self._mu, self._nu
            self._cache["system"] = _fp.add_system(mu._cauchy_psi_np, nu._cauchy_psi_np, mu._cauchy_pair_mp,
                                                   nu._cauchy_pair_mp, scale=self._scale(),
                                                   var_mu=own_cauchy_var(mu), var_nu=own_cauchy_var(nu))
        return self._cache["system"]

    def _omega_np(self, z, on_fail="raise"):
        """``(omega_1, eta reached)`` at points ``z`` of the closed upper half-plane."""
        return _fp.solve(self._system(), z, poles=[a for a, _ in self.atoms_float()], on_fail=on_fail,
                    memory=self._cache.setdefault("solutions", {}), heights=True)

    #: a real point off the support whose omega_1 lies farther than this many scales from z - m_nu (its value far away,
    #: omega_1 = z - R_nu(G) ~ z - m_nu) is next to a zero of G in a gap (omega_1 ~ 1/G): there the solve's G is only good
    #: to ~eps |omega_1|^2 relative (semicircle ⊞ (δ_-2 + δ_2)/2: 6e-13 at |omega_1| = 300, 1e-8 at 3e4, 5e-6 at 3e5 when
    #: a neighbour in the batch gave the start), and the mean on a circle (:meth:`_gap_fallback`, error 8 eps max|G|
    #: absolute, warned) replaces it.  (Measured from z alone the rule fired everywhere off the support of laws whose nu
    #: has its mean 10 widths from 0: 50 times slower, a review.)
    GAP_OMEGA = 10

    def _cauchy_np(self, z):
        out = self._far(z, self._cauchy_np)
        if out is not None:
            return out
        zu, low = _fp.upper(z)
        w, eta = self._omega_axis(zu, strict=False)
        far = (zu.imag == 0) & np.isfinite(w) & (np.abs(w - zu + _mean(self._nu)) > self.GAP_OMEGA * self._scale())
        if np.any(far):
            ivs = self.support()
            off = np.array([not any(lo <= x <= hi for lo, hi in ivs) for x in zu.real[far]], bool)
            w[np.flatnonzero(far)[off]] = np.nan
        G = self._gap_fallback(zu, np.asarray(self._mu._cauchy_vec(w), complex))
        _fp.warn_frozen(f"{type(self).__name__}.cauchy", zu, eta, G,
                        lambda zz: self._mu._cauchy_vec(self._omega_np(zz, on_fail="nan")[0]))
        G = self._hard_fix(zu, G)
        return np.where(low, np.conj(G), G)

    def _cauchy_pair_np(self, z):
        zu, low = _fp.upper(z)
        w, eta = self._omega_np(zu)
        _fp.warn_frozen(f"{type(self).__name__}.cauchy", zu, eta, self._mu._cauchy_vec(w),
                        lambda zz: self._mu._cauchy_vec(self._omega_np(zz, on_fail="nan")[0]))
        G, dG = self._mu._cauchy_pair_np(w)
        dG = dG * _fp.derivative(self._system(), w, zu)
        return np.where(low, np.conj(G), G), np.where(low, np.conj(dG), dG)

    def _pdf_np(self, x):
        x = np.asarray(x, float)
        out = np.zeros_like(x)
        inside = self._inside_support(x)      # exactly 0 outside the exact edges
        if np.any(inside):
            xi = x[inside]
            w1, eta = self._omega_np(xi + 0j, on_fail="nan")
            w1 = self._degenerate_omega(xi, w1, eta)
            f = _fp.density_from_cauchy(xi, self._mu._cauchy_vec(w1), eta, self.atoms_float())
            f = _fp.boundary_density(xi, f, eta, self._cauchy_vec, self.atoms_float())
            f = self._hard_density(xi, self._mu._cauchy_vec(w1), f)
            out[inside] = f
        return out

    def _cauchy_mp(self, z, ctx):
        low = ctx.im(z) < 0
        zu = ctx.conj(z) if low else ctx.mpc(z)
        G = self._hard_mp(zu, ctx)
        if G is not None:
            return ctx.conj(G) if low else G
        w0 = self._omega_axis(np.array([complex(zu)]))[0][0]
        w, work = self._polish_mp(w0, zu, ctx)
        G = ctx.mpc(self._mu._cauchy_mp(w, work))
        return ctx.conj(G) if low else G

    def _pdf_mp(self, x, ctx):
        v = self._density_mp(x, ctx)
        # infinite at a hard pair's limit: 0 there, as in double precision (_hard_density)
        return v if v > 0 and not ctx.isinf(v) else ctx.mpf(0)

    def _edge_mp_at(self, start, ctx):
        g0, w1, w2 = start
        return edges.add_edge_mp(self._mu._cauchy_mp, self._nu._cauchy_mp, g0, w1, w2, ctx)

    def _edge_mp(self, x, side, ctx):
        """A square-root edge at precision ``ctx`` from the solution just outside it (``side`` = -1 for a
        left edge, +1 for a right one): ``g = G_mu(omega_1)``, ``omega_2 = x + 1/g - omega_1``."""
        xo = x + side * 1e-9 * (1 + abs(x))
        w1 = complex(self._omega_np(np.array([xo + 0j]))[0][0]).real
        g0 = float(np.real(self._mu._cauchy_vec(np.array([w1 + 0j]))[0]))
        return edges.add_edge_mp(self._mu._cauchy_mp, self._nu._cauchy_mp, g0, w1, xo + 1 / g0 - w1, ctx)

    def support_intervals(self):
        """Support intervals with edge kinds, from the real inverse map ``x(g) = w_mu(g) + w_nu(g) - 1/g``
        over every pair of branches of the operands (:func:`freetk.kernels.edges.add_support`)."""
        if "support_intervals" not in self._cache:
            mu, nu = self._mu, self._nu
            breaks = []
            self._cache["support_intervals"] = edges.add_support(
                mu.support(), [float(a) for a, _ in mu.atoms()], edges.real_pair(mu),
                nu.support(), [float(a) for a, _ in nu.atoms()], edges.real_pair(nu),
                _mean(mu), _mean(nu), breaks=breaks, mu_var=edges.real_var(mu), nu_var=edges.real_var(nu),
                mu_upair=edges.real_u_pair(mu), nu_upair=edges.real_u_pair(nu),
                params=self._cache.setdefault("edge_params", {}))
            self._cache["breaks"] = breaks
            self._cache["exact_edges"] = True
            self._finish_support()
        return self._cache["support_intervals"]



class FreeMultiplicativeConvolution(_Convolution):
    """``mu ⊠ nu``: exact moments by S-transforms, numerics by multiplicative subordination."""

    _symbol = r"\boxtimes"

    @staticmethod
    def _hard_rest(measure, b):
        return _rest_cauchy(measure, b, k=True)

    @staticmethod
    def _hard_solve(d, c, a, m, b, n, R1, R2, ctx=None):
        return _hard_local_mul(d, c, a, m, b, n, R1, R2, ctx=ctx)

    @staticmethod
    def _hard_iso(iso_mu, iso_nu, a, b):
        # z = X_mu X_nu (1 + v): X_mu - a moves z by b times as much
        return min(iso_mu * abs(as_float(b)), iso_nu * abs(as_float(a)))

    def _moments(self, k):
        if k == 0:
            return [sympy.Integer(1)]
        a, b = self._mu.moments(k), self._nu.moments(k)
        if a[1] == 0 or b[1] == 0:
            raise InvalidArgument("free_mul: exact moments need operands with non-zero mean "
                                  "(S-transform); use the numeric methods instead")
        sa = _series.moments_to_s_transform(a)
        sb = _series.moments_to_s_transform(b)
        return _series.s_transform_to_moments(_series.series_mul(sa, sb, k))

    def atoms(self):
        out = []
        z = max([as_float(w) for x, w in self._mu.atoms() if as_float(x) == 0] + [0.0])
        z2 = max([as_float(w) for x, w in self._nu.atoms() if as_float(x) == 0] + [0.0])
        zero_mass = max(z, z2)
        for x, a in self._mu.atoms():
            for y, b in self._nu.atoms():
                if as_float(x) != 0 and as_float(y) != 0 and as_float(a) + as_float(b) > 1:
                    out.append((_series._expand(x * y), _series._expand(a + b - 1)))
        if zero_mass > 0:
            out.append((0, zero_mass))
        return out

    def _pair(self, x, y):
        # x(u) = X_mu X_nu u/(1 + u), a product: its rounding is relative to |x y|; a pole pair with an atom at 0
        # sends x to 0, an edge that is exact already
        if as_float(x) == 0 or as_float(y) == 0:
            return None
        return _series._expand(x * y), abs(as_float(x) * as_float(y))

    def _check_positive(self):
        for m in (self._mu, self._nu):
            lo, _ = _extent(m)
            if lo < 0:
                raise InvalidArgument("free_mul numerics need both measures supported on [0, inf)")

    def _system(self):
        if "system" not in self._cache:
            self._check_positive()
            mu, nu = self._mu, self._nu
            m1 = nu.moments(1)[1]
            m1 = float(m1) if not (isinstance(m1, sympy.Basic) and m1.free_symbols) else 1.0
            self._cache["system"] = _fp.mul_system(mu._cauchy_psi_np, nu._cauchy_psi_np, m1, mu._cauchy_pair_mp,
                                                   nu._cauchy_pair_mp, scale=self._scale())
        return self._cache["system"]

    def _omega_np(self, z, on_fail="raise"):
        """``(omega_1, eta reached)`` at spectral points ``z`` of the closed upper half-plane (the
        unknown lives in the variable ``1/z``)."""
        return _fp.solve(self._system(), z, poles=[a for a, _ in self.atoms_float()], on_fail=on_fail,
                    memory=self._cache.setdefault("solutions", {}), heights=True)

    def _cauchy_from_omega(self, w1, z):
        """``G(z) = (1/z) / (1 - eta_mu(w1))``, ``eta_mu(w) = 1 - w / G_mu(1/w)``, i.e. ``G(z) = (1 + K_mu(1/w1))/z``
        with ``K = zeta G(zeta) - 1`` (:meth:`Measure._cauchy_psi_np`: no cancellation when ``mu`` is almost all atom
        at 0, where the continuous part of the result is small)."""
        zeta = 1 / np.asarray(w1, complex)
        g, _, K, _, _ = self._mu._cauchy_psi_np(zeta)
        # zeta G(zeta) = 1 + K: from K where it is small (mu almost all atom at 0), else the product (next to a hard
        # edge at 0 of mu, zeta G -> 0 and 1 + K would be the difference)
        with np.errstate(all="ignore"):
            return np.where(np.abs(K) <= 0.5, 1 + K, zeta * g) / z

    def _cauchy_np(self, z):
        out = self._far(z, self._cauchy_np)
        if out is not None:
            return out
        zu, low = _fp.upper(z)
        w1, eta = self._omega_axis(zu, strict=False)
        # at the height reached (omega_1 is the solution there; with z itself the value was not even a smoothed G)
        G = self._gap_fallback(zu, self._cauchy_from_omega(w1, zu.real + 1j * np.maximum(zu.imag, eta)))
        _fp.warn_frozen(f"{type(self).__name__}.cauchy", zu, eta, G,
                        lambda zz: self._cauchy_from_omega(self._omega_np(zz, on_fail="nan")[0], zz))
        G = self._hard_fix(zu, G)
        return np.where(low, np.conj(G), G)

    def _cauchy_mp(self, z, ctx):
        low = ctx.im(z) < 0
        zu = ctx.conj(z) if low else ctx.mpc(z)
        G = self._hard_mp(zu, ctx)
        if G is not None:
            return ctx.conj(G) if low else G
        w0 = self._omega_axis(np.array([complex(zu)]))[0][0]
        w1, work = self._polish_mp(w0, zu, ctx)
        eta = 1 - w1 / self._mu._cauchy_mp(1 / w1, work)
        G = ctx.mpc((1 / work.mpc(zu)) / (1 - eta))
        return ctx.conj(G) if low else G

    def _scale(self):
        _, h1 = _extent(self._mu)
        _, h2 = _extent(self._nu)
        return 1 + h1 * h2

    def _pdf_np(self, x):
        x = np.asarray(x, float)
        out = np.zeros_like(x)
        pos = (x > 0) & self._inside_support(x)  # on [0, inf) (mass at 0 is an atom), 0 outside the edges
        if np.any(pos):
            w1, eta = self._omega_np(x[pos] + 0j, on_fail="nan")
            w1 = self._degenerate_omega(x[pos], w1, eta)
            G = self._cauchy_from_omega(w1, x[pos] + 1j * eta)
            f = _fp.density_from_cauchy(x[pos], G, eta, self.atoms_float())
            out[pos] = self._hard_density(x[pos], G, _fp.boundary_density(x[pos], f, eta, self._cauchy_vec,
                                                                          self.atoms_float()))
        return out

    def _pdf_mp(self, x, ctx):
        if x <= 0:
            return ctx.mpf(0)
        v = self._density_mp(x, ctx)
        return v if v > 0 and not ctx.isinf(v) else ctx.mpf(0)

    def _edge_mp_at(self, start, ctx):
        u0, X1, X2 = start
        return edges.mul_edge_mp(self._mu._cauchy_mp, self._nu._cauchy_mp, u0, X1, X2, ctx)

    def _edge_mp(self, x, side, ctx):
        """A square-root edge at precision ``ctx`` from the solution just outside it (``side`` = -1 for a
        left edge, +1 for a right one): ``u = x G(x) - 1``, ``X_mu = 1/omega_1`` (the unknown lives in
        ``1/z``), ``X_nu = x (1 + u)/(u X_mu)``.  The start is ``1e-9`` of ``x`` outside the edge (the support lies in
        ``(0, inf)``: a step ``1e-9 (1 + |x|)`` was 4e-5 of an edge at 2.8e-5, and put the start of an edge at 2.8e-10
        below 0, NoConvergence), and ``u = K_mu(X_mu)`` (:meth:`Measure._cauchy_psi_np`, no ``x G - 1``)."""
        xo = x * (1 + side * 1e-9)
        w1 = complex(self._omega_np(np.array([xo + 0j]))[0][0]).real
        X1 = 1 / w1
        u0 = float(np.real(self._mu._cauchy_psi_np(np.array([X1 + 0j]))[2][0]))
        return edges.mul_edge_mp(self._mu._cauchy_mp, self._nu._cauchy_mp, u0, X1, xo * (1 + u0) / (u0 * X1), ctx)

    def support_intervals(self):
        """Support intervals with edge kinds, from the real inverse map ``x(u) = X_mu(u) X_nu(u) u/(1 + u)``
        (``u = x G(x) - 1``) over every pair of branches (:func:`freetk.kernels.edges.mul_support`)."""
        if "support_intervals" not in self._cache:
            self._check_positive()
            mu, nu = self._mu, self._nu

            def zero_mass(m):
                return sum(float(w) for a, w in m.atoms() if float(a) == 0)
            breaks = []
            self._cache["support_intervals"] = edges.mul_support(
                mu.support(), [float(a) for a, _ in mu.atoms()], edges.real_pair(mu),
                nu.support(), [float(a) for a, _ in nu.atoms()], edges.real_pair(nu),
                _mean(mu), _mean(nu), zero_mass(mu), zero_mass(nu), breaks=breaks,
                mu_upair=edges.real_u_pair(mu), nu_upair=edges.real_u_pair(nu),
                params=self._cache.setdefault("edge_params", {}))
            self._cache["breaks"] = breaks
            self._cache["exact_edges"] = True
            self._finish_support()
        return self._cache["support_intervals"]

