"""The :class:`AlgebraicLaw` value type: a probability measure given by the exact equation
``P(G, z) = 0`` of its Cauchy transform, closed under ⊞, ⊠ and Möbius maps.

A law is the pair (minimal polynomial ``P``, branch).  The branch is the Cauchy transform: the
root with ``G(z) = 1/z + m_1/z^2 + ...`` at infinity, pinned down by a few exact *seed* moments
(enough that Newton's iteration on the moment series is well defined, and that no other
irreducible factor of the eliminant shares them).  Every operation builds the eliminant by
resultants, factors it over ``Q`` (or ``Q(params)``) with FLINT, and keeps the factor that the
result's seed moments annihilate; the result's seed comes from the operands' exact moments by the
cumulant / S-transform algebra of :mod:`freetk.series`.
"""
from fractions import Fraction

import flint
import numpy as np
import sympy

from .. import series as _series
from ..errors import InvalidArgument, NotAMeasure
from .. import validation as _v
from ..precision import check_dps, round_to
from ..validation import check_order
from . import expand as _x
from . import poly as _p
from .poly import G_, Z_, T_, U_

#: symbols used to print equations
G_SYM, Z_SYM = sympy.symbols("G z")
R_SYM, W_SYM = sympy.symbols("R w")
S_SYM, Y_SYM = sympy.symbols("S y")

#: generic parameter values used to decide between factors of an eliminant with parameters
_GENERIC = [Fraction(17, 29), Fraction(23, 41), Fraction(31, 53), Fraction(41, 67), Fraction(47, 71),
            Fraction(59, 83), Fraction(61, 97), Fraction(71, 103)]

SEED_MIN = 6
SEED_MAX = 96
#: a law with numeric parameters is checked to be a probability measure on its moments up to this order (every
#: Hankel matrix positive semidefinite: a necessary condition, :func:`freetk.series.hankel_check`)
MEASURE_CHECK_ORDER = 16


class AlgebraicLaw:
    r"""A law whose Cauchy transform solves ``P(G, z) = 0`` (``P`` irreducible over ``Q(params)``).

    Build one with :func:`algebraic_of` (from a freetk measure) or :meth:`from_equation`;
    combine with :meth:`add` (⊞), :meth:`mul` (⊠), :meth:`affine`, :meth:`mobius`, :meth:`inverse`,
    :meth:`power` (⊞-powers) and :meth:`compress`.  Read it with :meth:`equation`,
    :meth:`r_equation`, :meth:`s_equation`, :meth:`moments` (exact), and numerically with
    :meth:`cauchy`, :meth:`pdf`, :meth:`edges`, :meth:`support`, :meth:`atoms`.

    Examples
    --------
    >>> import freetk as ft
    >>> ft.algebraic_of(ft.semicircle()).equation()
    G**2 - G*z + 1
    >>> law = ft.algebraic_of(ft.semicircle()).add(ft.algebraic_of(ft.semicircle()))
    >>> law.equation(), law.moments(4)
    (2*G**2 - G*z + 1, [1, 0, 2, 0, 8])
    """

    def __init__(self, P, ring, seed, name=None):
        P = _p.normalize(P)
        if _p.degree(P, G_) < 1:
            raise InvalidArgument("AlgebraicLaw: the equation must involve G")
        for i in (T_, U_):
            if _p.involved(P, i):
                raise InvalidArgument("AlgebraicLaw: internal error, elimination variable left over")
        object.__setattr__(self, "_P", P)
        object.__setattr__(self, "_ring", ring)
        object.__setattr__(self, "_seed", tuple(sympy.sympify(s) for s in seed))
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_cache", {})

    def __setattr__(self, name, value):
        raise AttributeError("AlgebraicLaw is immutable; operations return new laws")

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_equation(cls, expr, moments, G=G_SYM, z=Z_SYM, name=None):
        """Law from an equation ``expr(G, z) = 0`` and its first exact moments ``[1, m_1, ...]``.

        ``expr`` may contain other sympy symbols (parameters).  The factor of ``expr`` that the
        moments annihilate is kept; enough moments must be given to single it out.
        """
        expr = sympy.sympify(expr)
        if isinstance(expr, sympy.Equality):
            expr = expr.lhs - expr.rhs
        params = sorted(expr.free_symbols - {G, z}, key=str)
        ring = _p.Ring(params)
        num, _den = sympy.fraction(sympy.together(expr))
        P, _ = ring.from_sympy(num.subs({G: ring.symbols[G_], z: ring.symbols[Z_]}, simultaneous=True))
        moments = [sympy.sympify(m) for m in moments]
        if not moments or moments[0] != 1:
            raise InvalidArgument("Argument `moments` of `AlgebraicLaw.from_equation` must start with m_0 = 1")
        cands = _p.factors_with(P, [G_])
        return _select(cands, ring, lambda n: moments[:n + 1] if n < len(moments) else None,
                       "AlgebraicLaw.from_equation", name=name)

    # ------------------------------------------------------------------ accessors
    @property
    def ring(self):
        return self._ring

    @property
    def params(self):
        """Parameters (sympy symbols) of the equation."""
        return self._ring.params

    @property
    def polynomial(self):
        """``P`` as a FLINT ``fmpz_mpoly`` in ``G, z, t, u, params`` (``t, u`` unused)."""
        return self._P

    def degree(self):
        """``(deg_G P, deg_z P)``."""
        return _p.degree(self._P, G_), _p.degree(self._P, Z_)

    def equation(self, G=G_SYM, z=Z_SYM):
        """``P(G, z)`` as a sympy expression (the equation is ``P = 0``)."""
        e = self._ring.to_sympy(self._P)
        e = e.subs({self._ring.symbols[G_]: G, self._ring.symbols[Z_]: z}, simultaneous=True)
        return e

    def seed(self):
        """The exact moments that select the branch (``[m_0, ..., m_n]``)."""
        return list(self._seed)

    def __eq__(self, other):
        return (isinstance(other, AlgebraicLaw) and self._ring is other._ring and self._P == other._P
                and self._seed[:2] == other._seed[:2])

    def __hash__(self):
        return hash((self._ring.names, str(self._P)))

    # ------------------------------------------------------------------ presentation
    def latex(self):
        r"""``P(G, z) = 0`` in LaTeX, collected in powers of ``G`` (highest first), a bracketed coefficient before its
        power of ``G``: ``G \left(2 - 3 z\right)`` would read as G applied to ``2 - 3z``, by people and by LaTeX
        parsers (sympy's ``parse_latex``)."""
        parts = sympy.collect(sympy.expand(self.equation()), G_SYM, evaluate=False)
        power = lambda g: sympy.degree(g, G_SYM) if g != 1 else 0      # noqa: E731
        terms = []
        for g in sorted(parts, key=power, reverse=True):
            c = parts[g]
            if c.is_Add and g != 1:
                terms.append(r"\left(%s\right)" % sympy.latex(c, order="lex") + ("" if g == 1 else " " + sympy.latex(g)))
            else:
                terms.append(sympy.latex(c * g, order="lex"))
        return " + ".join(terms).replace("+ - ", "- ").replace("+ -", "- ") + " = 0"

    def _repr_latex_(self):
        return "$" + self.latex() + "$"

    def __repr__(self):
        return f"<AlgebraicLaw {self.equation()} = 0>"

    # ------------------------------------------------------------------ parameters
    def subs(self, values):
        """Law with parameters replaced by rational numbers ``{symbol: value}``."""
        values = {sympy.sympify(k): sympy.Rational(v) if not isinstance(v, sympy.Basic) else v
                  for k, v in values.items()}
        for k, v in values.items():
            if k not in self.params:
                raise InvalidArgument(f"Argument `values` of `AlgebraicLaw.subs`: {k} is not a parameter "
                                      f"(parameters: {list(self.params)})")
            if not (isinstance(v, sympy.Basic) and v.is_Rational):
                raise InvalidArgument(f"Argument `values` of `AlgebraicLaw.subs` must map to rationals, "
                                      f"got {k} = {v}")
        rest = [p for p in self.params if p not in values]
        ring = _p.Ring(rest)
        idx = {self._ring.names.index(str(k)): v for k, v in values.items()}
        P = _p.specialize(self._P, idx)
        P = _project(P, self._ring, ring)
        seed = [sympy.cancel(sympy.sympify(s).subs(values)) for s in self._seed]
        cands = _p.factors_with(P, [G_])
        return _select(cands, ring, _seed_from(seed), "AlgebraicLaw.subs", name=self._name)

    def _numeric_required(self, func):
        if self.params:
            raise InvalidArgument(f"AlgebraicLaw.{func} needs numeric parameters; call .subs({{...}}) "
                                  f"for {list(self.params)}")

    # ------------------------------------------------------------------ exact moments
    def moments(self, k):
        """Exact moments ``[m_0, ..., m_k]`` from the expansion of the branch at infinity."""
        k = check_order("AlgebraicLaw.moments", "k", k)
        key = ("moments", k)
        if key in self._cache:
            return list(self._cache[key])
        if not self.params:
            out = [sympy.Rational(int(v.p), int(v.q)) for v in self._moments_fmpq(k)]
        else:
            F = _x.moment_equation(self._P, self._ring)
            out = _x.lift_symbolic(F, self._ring, list(self._seed), k)
        self._cache[key] = out
        return list(out)

    def _moments_fmpq(self, k):
        """``[m_0..m_k]`` as FLINT rationals (numeric parameters only)."""
        if "fq" not in self._cache:
            F = _x.moment_equation(self._P, self._ring)
            self._cache["fq"] = {j: _x._to_qpoly(row) for j, row in F.items()}
        return _x.lift_rational(self._cache["fq"], list(self._seed), k)

    def free_cumulants(self, k):
        """Exact free cumulants ``[kappa_1..kappa_k]``."""
        return _series.moments_to_free_cumulants(self.moments(k))

    # ------------------------------------------------------------------ closure
    def add(self, other):
        """``self ⊞ other``: ``z = z_1 + z_2 - 1/G`` with ``P_1(G, z_1) = P_2(G, z_2) = 0``
        (the R-transforms add), eliminated by a resultant in ``z_1``."""
        ring, P1, P2 = _common_ring("add", self, other)
        g = ring.gens
        A = _p.rename(P1, {Z_: T_})                                       # P1(G, t)
        B = _p.subs_frac(P2, Z_, g[G_] * g[Z_] - g[G_] * g[T_] + 1, g[G_])  # P2(G, z - t + 1/G)
        R = A.resultant(B, "t")
        return _select(_p.factors_with(R, [G_, Z_]), ring, _add_seed(self, other), "AlgebraicLaw.add")

    def mul(self, other):
        """``self ⊠ other``: with ``ζ = z G``, ``z ζ = (ζ - 1) z_1 z_2`` and ``z_i G_i(z_i) = ζ``
        (the S-transforms multiply), eliminated by a resultant in ``z_1``."""
        ring, P1, P2 = _common_ring("mul", self, other)
        g = ring.gens
        Q1 = _p.subs_frac(_p.rename(P1, {Z_: T_}), G_, g[U_], g[T_])              # P1(u/t, t)
        Q2 = _p.subs_frac(P2, G_, g[U_], g[Z_])                                 # P2(u/z2, z2)
        Q2 = _p.subs_frac(Q2, Z_, g[Z_] * g[U_], (g[U_] - 1) * g[T_])           # z2 = z u/((u-1) t)
        R = Q1.resultant(Q2, "t")
        args = list(g)
        args[U_] = g[Z_] * g[G_]
        R = R.compose(*args)
        return _select(_p.factors_with(R, [G_, Z_]), ring, _mul_seed(self, other), "AlgebraicLaw.mul")

    def affine(self, a, b=0):
        """Law of ``a X + b`` (``a != 0``): ``G_Y(z) = G_X((z - b)/a)/a``."""
        a, b = _param(a, "affine", "a"), _param(b, "affine", "b")
        if a == 0:
            raise InvalidArgument("Argument `a` of `AlgebraicLaw.affine` must be non-zero")
        ring = _p.union(self._ring, _p.Ring(_syms(a, b)))
        P = ring.convert(self._P, self._ring)
        G, z = ring.symbols[G_], ring.symbols[Z_]
        P = _substitute(P, ring, (z - b) / a, a * G)

        def seed(n):
            m = self.moments(n)
            return [sympy.expand(sum(sympy.binomial(k, j) * a ** j * m[j] * b ** (k - j) for j in range(k + 1)))
                    for k in range(n + 1)]
        return _select(_p.factors_with(P, [G_, Z_]), ring, seed, "AlgebraicLaw.affine")

    def shift(self, b):
        """Law of ``X + b``."""
        return self.affine(1, b)

    def scale(self, a):
        """Law of ``a X``."""
        return self.affine(a, 0)

    def power(self, t):
        """Free additive power ``μ^{⊞t}`` (``t >= 1``): ``R_t = t R``, so
        ``P_t(G, z) = P(G, (z - 1/G)/t + 1/G)``."""
        t = _param(t, "power", "t")
        if not (isinstance(t, sympy.Basic) and t.free_symbols) and t < 1:
            raise InvalidArgument(f"Argument `t` of `AlgebraicLaw.power` must be >= 1 (μ^(⊞t) is a "
                                  f"measure for every law only when t >= 1), got {t}")
        ring = _p.union(self._ring, _p.Ring(_syms(t)))
        P = ring.convert(self._P, self._ring)
        G, z = ring.symbols[G_], ring.symbols[Z_]
        P = _p.subs_frac(P, Z_, *ring.frac((z - 1 / G) / t + 1 / G))

        def seed(n):
            k = self.free_cumulants(n)
            return _series.free_cumulants_to_moments([sympy.expand(t * x) for x in k])
        return _select(_p.factors_with(P, [G_, Z_]), ring, seed, "AlgebraicLaw.power")

    def compress(self, t):
        """Law of ``P A P`` compressed to the range of a free projection ``P`` of trace ``t``
        (``0 < t <= 1``): ``D_t(μ^{⊞1/t})`` (Nica–Speicher)."""
        t = _param(t, "compress", "t")
        if not (isinstance(t, sympy.Basic) and t.free_symbols) and not (0 < t <= 1):
            raise InvalidArgument(f"Argument `t` of `AlgebraicLaw.compress` must be in (0, 1], got {t}")
        return self.power(1 / t).affine(t, 0)

    def mobius(self, p, q, r, s):
        """Law of ``(p X + q)/(r X + s)`` (``p s - q r != 0``; ``X`` must not charge ``-s/r``)."""
        p, q, r, s = (_param(v, "mobius", n) for v, n in zip((p, q, r, s), "pqrs"))
        if any(isinstance(v, sympy.Basic) and v.free_symbols for v in (p, q, r, s)):
            raise InvalidArgument("AlgebraicLaw.mobius needs rational coefficients")
        det = p * s - q * r
        if det == 0:
            raise InvalidArgument("Arguments of `AlgebraicLaw.mobius` must satisfy p s - q r != 0")
        if r == 0:
            return self.affine(p / s, q / s)
        self._numeric_required("mobius")
        ring = self._ring
        G, z = ring.symbols[G_], ring.symbols[Z_]
        alpha = r * z - p
        P = _substitute(self._P, ring, (q - s * z) / alpha, (alpha ** 2 * G - r * alpha) / det)
        return _select(_p.factors_with(P, [G_, Z_]), ring, _mobius_seed(self, p, q, r, s),
                       "AlgebraicLaw.mobius")

    def inverse(self):
        """Law of ``X^{-1}`` (``X`` must not charge 0): ``G_X(1/z) = z - z^2 G_Y(z)``."""
        return self.mobius(0, 1, 1, 0)

    @classmethod
    def free_compound_poisson(cls, rate, jump):
        """Free compound Poisson law with rate ``r`` and algebraic jump law ``J``:
        ``z = 1/G + r (G_J(1/G)/G - 1)/G``, i.e. ``P_J(G (z G - 1 + r)/r, 1/G) = 0``."""
        _check_law("free_compound_poisson", jump)
        r = _param(rate, "free_compound_poisson", "rate")
        if not (isinstance(r, sympy.Basic) and r.free_symbols) and not r > 0:
            raise InvalidArgument(f"Argument `rate` of `AlgebraicLaw.free_compound_poisson` must be > 0, got {r}")
        ring = _p.union(jump._ring, _p.Ring(_syms(r)))
        P = ring.convert(jump._P, jump._ring)
        G, z = ring.symbols[G_], ring.symbols[Z_]
        P = _substitute(P, ring, 1 / G, G * (z * G - 1 + r) / r)

        def seed(n):
            m = jump.moments(n)
            return _series.free_cumulants_to_moments([sympy.expand(r * x) for x in m[1:]])
        return _select(_p.factors_with(P, [G_, Z_]), ring, seed, "AlgebraicLaw.free_compound_poisson")

    # ------------------------------------------------------------------ transforms
    def r_equation(self):
        """``L(R, w) = 0`` satisfied by the R-transform: ``L(R, w) = P(w, R + 1/w)`` (numerator)."""
        ring = self._ring
        g = ring.gens
        L = _p.subs_frac(self._P, Z_, g[T_] * g[G_] + 1, g[G_])   # R in t, w in G
        kap = lambda n: self.free_cumulants(n)                      # noqa: E731
        return _transform_equation(L, ring, G_, kap, (R_SYM, W_SYM), "AlgebraicLaw.r_equation")

    def s_equation(self):
        """``L(S, y) = 0`` satisfied by the S-transform: ``G = y S``, ``z = (1 + y)/(y S)``."""
        ring = self._ring
        g = ring.gens
        L = _p.subs_frac(self._P, Z_, 1 + g[U_], g[U_] * g[T_])
        args = list(g)
        args[G_] = g[U_] * g[T_]
        L = L.compose(*args)
        coeffs = lambda n: _series.moments_to_s_transform(self.moments(n))  # noqa: E731
        return _transform_equation(L, ring, U_, coeffs, (S_SYM, Y_SYM), "AlgebraicLaw.s_equation")

    # ------------------------------------------------------------------ numerics (see numerics.py)
    def cauchy(self, z, dps=None):
        """``G(z)`` on the physical branch (continued from infinity); scalar or array, any ``dps`` (numbers of
        mpmath's global context with ``dps`` digits).  NaN gives NaN at its position; ``±inf`` is refused."""
        func = "AlgebraicLaw.cauchy"
        self._numeric_required("cauchy")
        dps = check_dps(func, dps)
        _v.points(func, "z", z, complex_ok=True, finite=True, double=dps is None)
        from .numerics import cauchy
        return _pointwise(z, lambda v: cauchy(self, v, dps), dps, complex)

    def pdf(self, x, dps=None):
        """Density ``-Im G(x + i0)/π`` of the continuous part (0 at atoms and at ``±inf``; NaN gives NaN)."""
        func = "AlgebraicLaw.pdf"
        self._numeric_required("pdf")
        dps = check_dps(func, dps)
        _v.points(func, "x", x, double=dps is None)
        from .numerics import pdf
        return _pointwise(x, lambda v: pdf(self, v, dps), dps, float)

    def edges(self, dps=None):
        """Certified support edges (sorted) as floats, or mpmath numbers to ``dps`` digits."""
        self._numeric_required("edges")
        dps = check_dps("AlgebraicLaw.edges", dps)
        from .numerics import edges
        return _global(edges(self, dps), dps)

    def support(self, dps=None):
        """Support intervals of the continuous part ``[(lo, hi), ...]``."""
        self._numeric_required("support")
        dps = check_dps("AlgebraicLaw.support", dps)
        from .numerics import support
        return _global(support(self, dps), dps)

    def atoms(self, dps=None):
        """Atoms ``[(location, mass)]``: exact (sympy) when the location is rational, else numeric."""
        self._numeric_required("atoms")
        dps = check_dps("AlgebraicLaw.atoms", dps)
        from .numerics import atoms
        return _global(atoms(self, dps), dps)

    def critical_points(self):
        """Exact candidates for edges and atoms: the real roots of ``disc_G(P) · lc_G(P)`` with, for
        each, whether it is an edge, an atom, or neither (decided on the physical branch)."""
        self._numeric_required("critical_points")
        from .numerics import classify
        return classify(self)


# ============================================================================ helpers
def _global(v, dps):
    """``v`` (numbers, lists/tuples/arrays of them) with its mpmath numbers as numbers of the global context rounded to
    ``dps`` digits (:func:`freetk.precision.round_to`): the working context's numbers would carry its precision into
    the user's arithmetic (an edge at dps=5 plus ``mpf(1)/3`` with 50 global digits gave 6 digits)."""
    if dps is None:
        return v
    if isinstance(v, np.ndarray):
        out = np.empty(v.shape, dtype=object)
        out.ravel()[:] = [_global(x, dps) for x in v.ravel()]
        return out
    if isinstance(v, (list, tuple)):
        return type(v)(_global(x, dps) for x in v)
    return round_to(v, dps)


def _pointwise(x, fn, dps, kind):
    """``fn`` on the non-NaN entries of ``x`` (scalar or array), NaN at the NaN ones (as :func:`freetk.numeric.evaluate`);
    a real infinite ``x`` (pdf) gives 0."""
    scalar = np.ndim(x) == 0
    arr = np.asarray(x, dtype=object)
    flat = arr.ravel()
    nan = np.array([v != v for v in flat], bool)
    inf = np.array([not n and kind is float and _is_inf(v) for v, n in zip(flat, nan)], bool)
    ok = ~(nan | inf)
    if np.all(ok):
        return _global(fn(x), dps)
    if dps is None:
        out = np.full(flat.shape, complex(np.nan, np.nan) if kind is complex else np.nan, dtype=kind)
        out[inf] = 0.0
        if np.any(ok):
            out[ok] = np.asarray(fn(np.array(flat[ok].tolist(), dtype=kind)), dtype=kind)
    else:
        import mpmath
        nan_v = mpmath.mpc("nan", "nan") if kind is complex else mpmath.mpf("nan")
        out = np.array([nan_v if n else mpmath.mpf(0) for n in nan], dtype=object)
        if np.any(ok):
            vals = _global(fn(np.array(flat[ok].tolist(), dtype=object)), dps)
            out[np.flatnonzero(ok)] = list(np.atleast_1d(vals))
    return out[0] if scalar else out.reshape(arr.shape)


def _is_inf(v):
    """``v`` is ±inf (an integer beyond the double range is not: it is evaluated with ``dps``)."""
    try:
        return abs(float(v)) == np.inf and not isinstance(v, (int, np.integer, sympy.Integer))
    except OverflowError:
        return False


def _check_law(func, other):
    if not isinstance(other, AlgebraicLaw):
        raise InvalidArgument(f"Argument of `AlgebraicLaw.{func}` must be an AlgebraicLaw, got "
                              f"{type(other).__name__}")


def _common_ring(func, law, other):
    """The ring of both operands and their equations in it."""
    _check_law(func, other)
    ring = _p.union(law._ring, other._ring)
    return ring, ring.convert(law._P, law._ring), ring.convert(other._P, other._ring)


def _substitute(P, ring, z_new, G_new):
    """Numerator of ``P(G_new, z_new)`` (rational functions of the new ``G``, ``z`` over the ring)."""
    P = _p.rename(P, {G_: T_})
    P = _p.subs_frac(P, Z_, *ring.frac(z_new))
    return _p.subs_frac(P, T_, *ring.frac(G_new))


def _transform_equation(L, ring, i_arg, coeff_fn, syms, func):
    """The factor of ``L`` (transform in slot ``t``, its argument in slot ``i_arg``) whose branch
    has the transform's series, as a sympy expression in ``syms = (transform, argument)``."""
    F = _select_series(_p.factors_with(L, [T_]), ring, T_, i_arg, coeff_fn, func)
    e = ring.to_sympy(F).subs({ring.symbols[T_]: syms[0], ring.symbols[i_arg]: syms[1]}, simultaneous=True)
    return sympy.collect(sympy.expand(e), syms[0])


def _param(v, func, name):
    from ..measures.base import exact
    v = exact(v)
    if isinstance(v, float):
        raise InvalidArgument(f"Argument `{name}` of `AlgebraicLaw.{func}` must be exact (int, Fraction, "
                              f"sympy rational or symbol), got the float {v}")
    v = sympy.sympify(v)
    if not (v.is_Rational or v.free_symbols):
        raise InvalidArgument(f"Argument `{name}` of `AlgebraicLaw.{func}` must be rational or symbolic, got {v}")
    return v


def _syms(*vals):
    out = set()
    for v in vals:
        if isinstance(v, sympy.Basic):
            out |= v.free_symbols
    return tuple(out)


def _project(P, big, small):
    """Drop unused parameter variables from a polynomial of ``big`` into ``small``."""
    keep = [big.names.index(n) for n in small.names]
    d = {}
    for mon, c in P.to_dict().items():
        if any(e for i, e in enumerate(mon) if i not in keep):
            raise InvalidArgument("algebraic: internal error, parameter left after substitution")
        d[tuple(mon[i] for i in keep)] = c
    return small.ctx.from_dict(d)


def _seed_from(seq):
    return lambda n: list(seq[:n + 1]) if n < len(seq) else None


def _add_seed(a, b):
    def seed(n):
        k1, k2 = a.free_cumulants(n), b.free_cumulants(n)
        return _series.free_cumulants_to_moments([sympy.expand(x + y) for x, y in zip(k1, k2)])
    return seed


def _mul_seed(a, b):
    def seed(n):
        m1, m2 = a.moments(n), b.moments(n)
        if m1[1] == 0 or m2[1] == 0:
            raise InvalidArgument("AlgebraicLaw.mul: both laws need a non-zero mean (the branch is "
                                  "selected through the S-transform)")
        s = _series.series_mul(_series.moments_to_s_transform(m1), _series.moments_to_s_transform(m2), n)
        return _series.s_transform_to_moments(s)
    return seed


def _mobius_seed(law, p, q, r, s):
    """Moments of ``(pX + q)/(rX + s)`` from the Taylor series of ``G_X`` at ``u0 = -s/r``.

    ``G_X(u0)`` is the physical value (continued from infinity, an exact real root of
    ``P(., u0)`` certified by FLINT); it must be rational and simple for the series to be rational."""
    from .numerics import physical_root_exact
    u0 = -s / r
    g0 = physical_root_exact(law, u0)          # rational sympy number, or raises

    def seed(n):
        # Taylor series of G_X at u0: H(e) = G_X(u0 + e), root of P(H, u0 + e) with H(0) = g0
        ring = law.ring
        g = ring.gens
        Pe = _p.subs_frac(law.polynomial, Z_, *ring.frac(ring.symbols[Z_] + u0))    # P(G, u0 + z)
        cp = _x.coefficient_polys(Pe, G_, Z_)
        fq = {j: _x._to_qpoly(row) for j, row in cp.items()}
        # shift H = g0 + h: evaluate with the lifting kernel on F(H, e) directly (seed [g0])
        H = _x.lift_rational(fq, [g0], n + 2, "AlgebraicLaw.mobius")
        # with w = 1/z:  u - u0 = -det w / (r (r - p w)),  r/alpha = r w/(r - p w),
        # det/alpha^2 = det w^2/(r - p w)^2; all as series in w modulo w^(n + 2) (FLINT fmpq_poly)
        N = n + 2
        q_ = lambda v: flint.fmpq(int(sympy.Rational(v).p), int(sympy.Rational(v).q))  # noqa: E731
        det = p * s - q * r
        inv = flint.fmpq_poly([q_(sympy.Rational(p, 1) ** k / r ** (k + 1)) for k in range(N)])  # 1/(r - p w)
        w = flint.fmpq_poly([0, 1])
        du = (w * inv * q_(-det / r)).truncate(N)
        Gx = flint.fmpq_poly([])
        for hk in reversed(H[:N]):
            Gx = (Gx * du).truncate(N) + flint.fmpq_poly([hk])
        Gy = (w * inv * q_(r)).truncate(N) + (w * w * (inv * inv).truncate(N) * Gx * q_(det)).truncate(N)
        c = list(Gy.coeffs()) + [flint.fmpq(0)] * (N + 1)
        return [sympy.Rational(int(c[k + 1].p), int(c[k + 1].q)) for k in range(n + 1)]
    return seed


def _vanishes(F, i_fun, i_arg, series, n, ring):
    """Does ``F(series(arg), arg) = 0 mod arg^(n)``?  Returns ``(ok, v)`` with ``v`` the valuation
    of ``F_fun`` along the series (None if it vanishes to order n)."""
    if ring.params:
        vals = {ring.names.index(str(p)): _GENERIC[i % len(_GENERIC)] for i, p in enumerate(ring.params)}
        F = _p.specialize(F, vals)
        sub = {p: sympy.Rational(vals[ring.names.index(str(p))].numerator,
                                 vals[ring.names.index(str(p))].denominator) for p in ring.params}
        series = [sympy.sympify(s).subs(sub) for s in series]
    cp = _x.coefficient_polys(F, i_fun, i_arg)
    fq = {j: _x._to_qpoly(row) for j, row in cp.items()}
    for row in cp.values():
        for c in row.values():
            if not c.is_constant():
                raise InvalidArgument("algebraic: internal error, stray variable in an equation")
    return _x.check_seed(fq, list(series[:n]))


def _select(cands, ring, seed_fn, func, name=None):
    """The factor whose branch at infinity starts with the seed moments; the law with that seed."""
    if not cands:
        raise InvalidArgument(f"{func}: the equation has no factor involving G and z")
    n = SEED_MIN
    while True:
        seed = seed_fn(n)
        if seed is None:
            raise InvalidArgument(f"{func}: the moments given do not single out one factor / branch "
                                  f"of the equation (give more moments)")
        seed = [sympy.sympify(s) for s in seed]
        alive = []
        for f in cands:
            F = _moment_form(f, ring)
            ok, v = _vanishes(F, G_, Z_, seed, n + 1, ring)
            if ok:
                alive.append((f, v))
        if len(alive) == 1 and alive[0][1] is not None and n + 1 >= 2 * alive[0][1] + 1:
            f, v = alive[0]
            return _checked(AlgebraicLaw(f, ring, seed, name=name), func)
        if not alive:
            raise InvalidArgument(f"{func}: no factor of the eliminant has the law's moments "
                                  "(internal error or invalid operands)")
        if n >= SEED_MAX:
            raise InvalidArgument(f"{func}: {len(alive)} factors share the first {n} moments; cannot decide")
        n *= 2


def _checked(law, func):
    """``law``, once its moments up to ``MEASURE_CHECK_ORDER`` pass the Hankel test (numeric parameters only; symbolic
    ones are checked by :meth:`AlgebraicLaw.subs`).  An operation outside its conditions (⊠ of laws not in [0, inf),
    the inverse of a law with an atom at 0, a negative rate, a parameter substituted out of its range) gives an
    equation whose branch at infinity is not a Cauchy transform: NotAMeasure, never a law with negative moments."""
    if law.params:
        return law
    try:
        _series.hankel_check(law.moments(MEASURE_CHECK_ORDER), func)
    except NotAMeasure as err:
        raise NotAMeasure(f"{func}: the result is not a probability measure: its moments up to m_{2 * err.order} "
                          f"fail the Hankel test (order {err.order}); check the operation's conditions (⊠ needs "
                          "laws in [0, inf), inverse/mobius a law not charging the pole, power t >= 1, compress "
                          "0 < t <= 1, rates > 0, variances >= 0)", order=err.order) from None
    return law


def _moment_form(P, ring):
    """``F(M, w) = w^e P(w M, 1/w)`` as a polynomial in the ring (M in slot G, w in slot z)."""
    F = _x.moment_equation(P, ring)
    d = {}
    ctxn = len(ring.names)
    for j, row in F.items():
        for k, c in row.items():
            for mon, v in c.to_dict().items():
                m = list(mon)
                m[G_] += j
                m[Z_] += k
                d[tuple(m)] = d.get(tuple(m), 0) + int(v)
    return ring.ctx.from_dict(d) if ctxn else None


def _select_series(cands, ring, i_fun, i_arg, coeff_fn, func):
    if not cands:
        raise InvalidArgument(f"{func}: no factor left")
    n = SEED_MIN
    while True:
        c = coeff_fn(n + 1)
        alive = [f for f in cands if _vanishes(f, i_fun, i_arg, c, n + 1, ring)[0]]
        if len(alive) == 1:
            return alive[0]
        if not alive:
            raise InvalidArgument(f"{func}: no factor has the transform's series (internal error)")
        if n >= SEED_MAX:
            raise InvalidArgument(f"{func}: several factors share {n} coefficients")
        n *= 2
