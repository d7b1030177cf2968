r"""Hermite data of the activation derivative ``phi = sigma'`` (docs/paper.md).

With ``g ~ N(0, 1)``:

* ``c0 = E phi(g)``, ``c1 = E[g phi(g)]``, ``norm2 = E phi(g)^2``,
* ``a = norm2 - c0^2 - c1^2 >= 0``.

Normalisation of :func:`hermite_coefficients`: probabilists' Hermite polynomials
``He_k`` (``He_0 = 1, He_1 = x, He_2 = x^2 - 1``), ``c_k = E[phi(g) He_k(g)]``, so that
``phi = sum_k c_k He_k / k!`` and Parseval reads ``E phi^2 = sum_k c_k^2 / k!``.

Exact values come from sympy when ``phi`` is built from polynomials, steps, ``Abs``,
``sign``, exponentials of polynomials of degree <= 2 and ``erf`` of linear arguments,
integrated piece by piece.  Everything else is numeric, split at every kink and
discontinuity of ``phi``:

* double precision (``dps=None``, the default): composite Gauss-Legendre on the pieces between
  breakpoints, with a second rule of another size whose difference is the error estimate;
* ``dps=k``: mpmath quadrature in a private context (tanh-sinh and Gauss-Legendre, whose
  disagreement is the error estimate).  No computation touches mpmath's global context.

Callables are accepted in numpy style (``lambda t: np.tanh(t)``), ``math`` style and mpmath
style (``mpmath.tanh``).  A callable that only returns double-precision numbers cannot
support more than about 15 digits: asked for more, the data are computed honestly in
double precision, ``error`` says how good they are and a :class:`PrecisionWarning` is issued.
A callable ``sigma`` (not ``phi``) is differentiated numerically: by mpmath in a private
context when it computes in mpmath, by one-sided-at-breakpoints finite differences otherwise.
"""
from dataclasses import dataclass, field
import math

import types
import warnings

import mpmath
import numpy as np
import sympy
from scipy.special import erf as _scipy_erf

from .errors import InvalidArgument, PrecisionWarning
from .validation import check_order
from .numeric import declare_simplified, gauss_legendre, simplify
from .precision import MpFunction, check_dps, context, round_to

X = sympy.Symbol("x", real=True)
_SQ2 = sympy.sqrt(2)

#: activation name -> sigma(x) as a sympy expression in ``x`` (real)
ACTIVATIONS = {
    "relu": sympy.Max(0, X),
    "leaky_relu": sympy.Piecewise((X, X >= 0), (X / 100, True)),
    "elu": sympy.Piecewise((X, X > 0), (sympy.exp(X) - 1, True)),
    "tanh": sympy.tanh(X),
    "erf": sympy.erf(X),
    "gelu": X * (1 + sympy.erf(X / _SQ2)) / 2,
    "sigmoid": 1 / (1 + sympy.exp(-X)),
    "softplus": sympy.log(1 + sympy.exp(X)),
    "silu": X / (1 + sympy.exp(-X)),
    "softsign": X / (1 + sympy.Abs(X)),
    "sin": sympy.sin(X),
    "quadratic": X ** 2 / 2,
    "cubic": X ** 3 / 3,
    "logcosh": sympy.log(sympy.cosh(X)),
}


@dataclass(frozen=True)
class HermiteData:
    """The Hermite numbers of ``phi`` that enter the NTK law.

    ``exact`` tells whether ``c0, c1, norm2, a`` are exact sympy numbers; otherwise they
    are mpmath numbers with ``error`` an estimate of their absolute error.
    """
    c0: object
    c1: object
    norm2: object
    a: object
    exact: bool
    phi: object = None
    error: float = 0.0
    dps: int = 0
    description: str = ""
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def c1_squared(self):
        return simplify(self.c1 ** 2) if self.exact else self.c1 ** 2

    def numeric(self, dps=15):
        """``(c0, c1, norm2, a)`` as mpmath numbers at ``dps`` digits (no global state touched)."""
        dps = check_dps("HermiteData.numeric", dps, allow_none=False)
        ctx = context(dps)
        return tuple(round_to(_to_ctx(v, ctx), dps) for v in (self.c0, self.c1, self.norm2, self.a))

    def negligible(self, value):
        """Is ``value`` (``c0`` or ``c1``) zero as far as the data know?  Exactly for exact data; else when it is
        within ten error estimates, or below ``1e-12 sqrt(norm2)`` (the rounding of a double-precision integral:
        ``c0`` of ``log cosh`` is 5.6e-17, not a coefficient; its ``d`` outliers were predicted inside the bulk)."""
        if self.exact and isinstance(value, sympy.Basic) and not isinstance(value, sympy.Float):
            return bool(value == 0)
        v = abs(float(value))
        return v <= max(10 * float(self.error), 1e-12 * float(self.norm2) ** 0.5)

    @property
    def digits(self):
        """Correct digits the numbers carry (``inf`` when exact)."""
        if self.exact:
            return math.inf
        return int(self.extra.get("digits", self.dps or 15))

    def refine(self, dps):
        """The same data computed again by mpmath at ``dps`` digits (``self`` when already that good).

        Needs ``phi`` (kept by :func:`hermite_data`).  A callable that computes in double precision only
        cannot be refined: a :class:`PrecisionWarning` is issued and the result has ~15 digits.
        """
        dps = check_dps("HermiteData.refine", dps, allow_none=False)
        if self.exact or self.digits >= dps:
            return self
        if self.phi is None:
            warnings.warn(f"HermiteData.refine: no phi kept; the data stay at {self.digits} digits",
                          PrecisionWarning, stacklevel=2)
            return self
        h = hermite_data(sigma_prime=self.phi, dps=dps)
        return HermiteData(h.c0, h.c1, h.norm2, h.a, h.exact, h.phi, h.error, h.dps, self.description, h.extra)

    def latex(self):
        """``c_0 = ..., c_1 = ..., \\|\\phi\\|^2 = ..., a = ...`` (exact values when known)."""
        def f(v):
            if isinstance(v, sympy.Basic):
                return sympy.latex(v)
            return mpmath.nstr(v, max(5, min(self.dps or 15, 20)))
        return (r"c_0 = %s,\quad c_1 = %s,\quad \|\phi\|^2 = %s,\quad a = %s"
                % (f(self.c0), f(self.c1), f(self.norm2), f(self.a)))

    def _repr_latex_(self):
        return "$" + self.latex() + "$"



# ----------------------------------------------------------------------------- inputs
def _to_ctx(v, ctx):
    """A sympy number, mpmath number or float as a number of context ``ctx`` (full precision kept)."""
    if isinstance(v, sympy.Basic):
        f = sympy.Float(sympy.N(v, ctx.dps + 5), ctx.dps + 5)
        return ctx.make_mpf(f._mpf_)
    return ctx.convert(v)


def _np_call(f, u):
    """``f`` on a float array, whatever its style (numpy ufunc, math, mpmath): a float array."""
    try:
        with np.errstate(all="ignore"):
            v = f(u)
        arr = np.asarray(v)
        if arr.shape == u.shape and arr.dtype.kind in "fiub":
            return arr.astype(float)
        if arr.shape == u.shape and arr.dtype.kind == "c":
            _check_real_values(arr.real, arr.imag)
            return arr.real.astype(float)
    except _ComplexValues:
        raise
    except Exception:   # noqa: BLE001 - not vectorised: fall back to one call per point
        pass
    out = np.empty(u.shape, float)
    for i, t in np.ndenumerate(u):
        out[i] = _scalar_float(f, float(t))
    return out


def _scalar_float(f, t):
    try:
        v = f(t)
    except (OverflowError, ZeroDivisionError, ValueError):
        return float("nan")
    if isinstance(v, (complex, np.complexfloating)) or hasattr(v, "_mpc_"):
        v = complex(v)
        _check_real_values(np.array([v.real]), np.array([v.imag]))
        v = v.real
    return float(v)


class _ComplexValues(InvalidArgument):
    """A callable phi or sigma returned complex values (renamed with the argument by ``_check_phi``)."""


def _check_real_values(re, im):
    """Refuse complex values beyond rounding (a real function computed in complex arithmetic, e.g. an
    mpmath root of a negative rounding error, keeps its tiny imaginary part dropped)."""
    with np.errstate(all="ignore"):
        bad = np.abs(im) > 1e-12 * (1 + np.abs(re))
    if np.any(bad):
        i = int(np.argmax(bad))
        raise _ComplexValues(f"`hermite_data`: the callable returns complex values ({complex(re[i], im[i])}); "
                             "phi = sigma' must be real-valued")


_MP_NAMES = {}


def _mp_name(v):
    """The name of an mpmath function (``mpmath.tanh`` -> 'tanh'), or None."""
    if not _MP_NAMES:
        for n in dir(mpmath):
            obj = getattr(mpmath, n)
            if callable(obj) and not isinstance(obj, type) and hasattr(mpmath.mp, n):
                _MP_NAMES[id(obj)] = (n, obj)
    hit = _MP_NAMES.get(id(v))
    if hit is not None and hit[1] is v:
        return hit[0]
    if getattr(v, "__self__", None) is mpmath.mp:
        return getattr(v, "__name__", None)
    return None


def _rebind(f, ctx):
    """``f`` with the mpmath functions it uses taken from ``ctx`` instead of the global ``mpmath.mp``.

    Works for mpmath's own functions (``mpmath.tanh``) and for plain Python functions whose global
    names refer to the ``mpmath`` module or to its functions.  Anything else is returned unchanged
    (its precision is then measured by :func:`_is_full_precision`).
    """
    n = _mp_name(f)
    if n is not None and hasattr(ctx, n):
        return getattr(ctx, n)
    if isinstance(f, types.FunctionType) and not f.__closure__:
        g = f.__globals__
        ns = {}
        for n in f.__code__.co_names:
            if n not in g:
                continue
            v = g[n]
            if v is mpmath:
                ns[n] = ctx
            else:
                m = _mp_name(v)
                if m is not None and hasattr(ctx, m):
                    ns[n] = getattr(ctx, m)
        if ns:
            glob = dict(g)
            glob.update(ns)
            return types.FunctionType(f.__code__, glob, f.__name__, f.__defaults__)
    return f


_PROBES = ("0.3183098861837906715377675", "-1.414213562373095048801688", "2.718281828459045235360287",
           "-0.5772156649015328606065121", "1.618033988749894848204587")


def _is_full_precision(f, ctx):
    """Does the callable ``f`` (already rebound to ``ctx``) compute at ``ctx``'s precision?

    Python/numpy floats are double precision.  mpmath numbers are inspected: a value carrying
    more than 53 significant bits somewhere means high precision; values of 54 bits or fewer at
    non-dyadic points, unless they are short exact dyadics (steps, constants), mean a double
    computation.
    """
    long_bits = short_only = 0
    for s in _PROBES:
        t = ctx.mpf(s)
        try:
            v = f(t)
        except (TypeError, ValueError, OverflowError, ZeroDivisionError):
            return False
        if isinstance(v, (float, np.floating, complex, np.complexfloating)):
            return False
        if isinstance(v, (int, np.integer)):
            short_only += 1
            continue
        if hasattr(v, "_mpc_"):
            v = ctx.re(v)
        if not hasattr(v, "_mpf_"):
            return False
        man = v._mpf_[1]
        bits = int(man).bit_length() if man else 0
        if bits > 54:
            long_bits += 1
        elif bits <= 24:
            short_only += 1
        else:
            return False
    return True


#: sympy functions that lambdify's numpy namespace evaluates (no scipy needed)
_NUMPY_FUNCS = {sympy.exp, sympy.log, sympy.sin, sympy.cos, sympy.tan, sympy.sinh, sympy.cosh, sympy.tanh,
                sympy.asin, sympy.acos, sympy.atan, sympy.asinh, sympy.acosh, sympy.atanh, sympy.Abs,
                sympy.sign, sympy.Heaviside, sympy.Piecewise, sympy.Max, sympy.Min}

#: arrays with at least this many values take erf from scipy.special (vectorised; importing it costs
#: ~0.3 s, as much as ``math.erf`` on ~10^6 values); smaller ones (the validation probes, the Hermite
#: quadratures: <= 720 nodes, a Monte Carlo feature matrix of 1800 x 30) use ``math.erf`` per value
_ERF_SCIPY_SIZE = 1 << 16
_math_erf = np.frompyfunc(math.erf, 1, 1)


def _erf_np(u):
    """``erf`` on a float array, accurate to double precision either way: ``math.erf`` (the C library's)
    value by value below :data:`_ERF_SCIPY_SIZE` values, ``scipy.special.erf`` from there on."""
    u = np.asarray(u, dtype=float)
    if u.size >= _ERF_SCIPY_SIZE:
        return _scipy_erf(u)
    return np.asarray(_math_erf(u), dtype=float)     # (a 0-d input gives a Python float: erf(1) in phi)


def _np_modules(expr):
    """lambdify's namespaces for ``expr``: the numpy module object (not the string "numpy", whose
    ``from numpy import *`` imports numpy.f2py and numpy.testing, ~0.2 s) with ``erf`` from
    :func:`_erf_np`; scipy's namespace only for functions neither has."""
    fns = {type(f) for f in expr.atoms(sympy.Function)}
    own = {"Heaviside": lambda x, h=0.5: np.heaviside(x, h)}
    if fns <= _NUMPY_FUNCS | {sympy.erf}:
        return [dict(own, erf=_erf_np), np]
    return [own, "scipy", np]


class _Phi:
    """How to evaluate ``phi = sigma'``: in double precision (numpy) and in an mpmath context.

    ``np(u, lo, hi)`` evaluates at the nodes ``u`` of a quadrature piece ``[lo, hi]`` (finite
    differences of a callable ``sigma`` stay inside the piece, so they never straddle a kink);
    ``mp(t, ctx)`` evaluates at the precision of ``ctx``; ``full_precision(ctx)`` tells whether the
    mpmath evaluation really carries ``ctx``'s precision.
    """

    def __init__(self, kind, desc, expr=None, func=None, sigma=None, pts=()):
        self.kind, self.desc, self.expr = kind, desc, expr
        self._func, self._sigma = func, sigma
        self.pts = sorted(float(p) for p in pts)
        self._f = self._mpf_obj = None      # compiled at first use (the exact route of a named sigma never needs them)

    def _np(self, u):
        if self._f is None:
            self._f = sympy.lambdify(X, self.expr, modules=_np_modules(self.expr))
        return np.array(np.broadcast_to(np.asarray(self._f(u), dtype=float), u.shape))

    def _mpf(self, t, ctx):
        if self._mpf_obj is None:
            self._mpf_obj = MpFunction(X, self.expr)
        return self._mpf_obj(t, ctx)

    def np(self, u, lo=-np.inf, hi=np.inf):
        u = np.asarray(u, float)
        if self.expr is not None:
            with np.errstate(all="ignore"):
                return self._np(u)
        if self._sigma is None:
            return _np_call(self._func, u)
        return _fd_derivative(self._sigma, u, lo, hi, _FD_STEP)

    def mp(self, t, ctx):
        if self.expr is not None:
            return ctx.convert(self._mpf(t, ctx))
        if self._sigma is None:
            v = _rebind(self._func, ctx)(t)
        else:
            s = _rebind(self._sigma, ctx)
            direction = 0
            lo = max([p for p in self.pts if p <= t], default=None)
            hi = min([p for p in self.pts if p >= t], default=None)
            if lo is not None or hi is not None:   # one-sided next to a breakpoint
                dlo = t - lo if lo is not None else ctx.inf
                dhi = hi - t if hi is not None else ctx.inf
                direction = 1 if dlo < dhi else -1
            v = ctx.diff(s, t, direction=direction)
        if hasattr(v, "_mpc_") or isinstance(v, complex):
            v = ctx.convert(v)
            if abs(ctx.im(v)) > ctx.mpf(10) ** (-ctx.dps + 3) * (1 + abs(ctx.re(v))):
                raise _ComplexValues(f"`hermite_data`: the callable returns complex values ({v}); "
                                     "phi = sigma' must be real-valued")
            v = ctx.re(v)
        return ctx.convert(v)

    def full_precision(self, ctx):
        if self.expr is not None:
            return True
        return _is_full_precision(_rebind(self._sigma if self._sigma is not None else self._func, ctx), ctx)


_FD_STEP = 2.0 ** -10


def _fd_derivative(sigma, u, lo, hi, h):
    """4th-order finite differences of a double-precision ``sigma`` at ``u``, inside ``[lo, hi]``."""
    u = np.asarray(u, float)
    central = (u - 2 * h >= lo) & (u + 2 * h <= hi)
    fwd = ~central & (u - 2 * h < lo)
    bwd = ~central & ~fwd
    out = np.empty(u.shape)
    s = lambda v: _np_call(sigma, v)  # noqa: E731
    if np.any(central):
        c = u[central]
        out[central] = (8 * (s(c + h) - s(c - h)) - (s(c + 2 * h) - s(c - 2 * h))) / (12 * h)
    for mask, sgn in ((fwd, 1.0), (bwd, -1.0)):
        if np.any(mask):
            c = u[mask]
            hh = sgn * h
            out[mask] = (-25 * s(c) + 48 * s(c + hh) - 36 * s(c + 2 * hh) + 16 * s(c + 3 * hh)
                         - 3 * s(c + 4 * hh)) / (12 * hh)
    return out


def _resolve(activation, sigma_prime):
    """Return ``(phi, kind, description)`` with kind 'sympy' or 'callable' (phi a sympy expression or
    a :class:`_Phi`)."""
    if (activation is None) == (sigma_prime is None):
        raise InvalidArgument("hermite_data: give exactly one of `activation` or `sigma_prime`")
    src = activation if activation is not None else sigma_prime
    name = "activation" if activation is not None else "sigma_prime"
    if isinstance(src, str):
        key = src.strip().lower().replace("-", "_")
        if key not in ACTIVATIONS:
            raise InvalidArgument(f"Argument `{name}` of `hermite_data`: unknown activation {src!r}; "
                                  f"known names: {', '.join(sorted(ACTIVATIONS))}")
        if name == "sigma_prime":
            raise InvalidArgument("Argument `sigma_prime` of `hermite_data` takes an expression or callable, "
                                  "not a name; pass the name as `activation`")
        sigma = ACTIVATIONS[key]
        return (_PHI_FORMS[key]() if key in _PHI_FORMS else _diff(sigma)), "sympy", f"sigma = {key}"
    if isinstance(src, sympy.Basic):
        expr = _one_real_expression(src, name, "hermite_data")
        if name == "activation":
            _check_no_jump_sympy(expr)
        phi = _diff(expr) if name == "activation" else expr
        return phi, "sympy", f"{'sigma' if name == 'activation' else 'phi'} = {src}"
    if isinstance(src, _Phi):
        return src, "callable", src.desc
    if callable(src):
        if name == "activation":
            _check_no_jump_callable(src)
            return (_Phi("callable", "sigma = <callable>, phi by numerical differentiation", sigma=src, pts=[0.0]),
                    "callable", "sigma = <callable>, phi by numerical differentiation")
        return _Phi("callable", "phi = <callable>", func=src, pts=[0.0]), "callable", "phi = <callable>"
    raise InvalidArgument(f"Argument `{name}` of `hermite_data` must be a name, a sympy expression or a "
                          f"callable, got {type(src).__name__}")


_DELTA_MSG = ("Argument `activation` of `hermite_data`: sigma jumps at x = {0} (by {1}), so phi = sigma' has a "
              "Dirac delta there: phi is not square-integrable against the Gaussian (E phi(g)^2 would be infinite)")


def _check_no_jump_sympy(expr):
    """Refuse a symbolic sigma with a jump (a step, a sign): its derivative has a Dirac delta."""
    eps = sympy.Rational(1, 10 ** 30)     # exact points next to the breakpoint (sympy.limit of a Piecewise
    for p in _breakpoints(expr):           # is unreliable: it gives 1 from both sides of (0, x<1), (x, True))
        try:
            left, right = (complex(sympy.N(expr.subs(X, p + d), 30)) for d in (-eps, eps))
        except (TypeError, ValueError, ZeroDivisionError):
            continue      # not a number next to p (a pole): the square-integrability checks of phi decide
        if abs(right - left) > 1e-12 * (1 + abs(left) + abs(right)):
            raise InvalidArgument(_DELTA_MSG.format(p, f"{(right - left).real:.6g}"))


def _check_no_jump_callable(sigma):
    """Refuse a callable sigma with a jump on [-8, 8] (e.g. ``lambda t: t > 0``): on a grid, follow the
    cell where sigma changes most by bisection; a continuous sigma changes there by ``O(width)``, a jump
    by its size at every width."""
    grid = np.linspace(-8.0, 8.0, 2049)
    v = _np_call(sigma, grid)
    if not np.all(np.isfinite(v)):
        return      # non-finite values are reported by the checks of phi
    d = np.abs(np.diff(v))
    i = int(np.argmax(d))
    lo, hi, vlo, vhi = grid[i], grid[i + 1], v[i], v[i + 1]
    for _ in range(44):
        mid = 0.5 * (lo + hi)
        vm = float(_np_call(sigma, np.array([mid]))[0])
        if abs(vm - vlo) >= abs(vhi - vm):
            hi, vhi = mid, vm
        else:
            lo, vlo = mid, vm
    if abs(vhi - vlo) > 1e-6 * (1 + abs(vlo) + abs(vhi)):
        raise InvalidArgument(_DELTA_MSG.format(f"{lo:.12g}", f"{vhi - vlo:.6g}"))


def _diff(expr):
    d = sympy.diff(expr, X)
    d = d.rewrite(sympy.Piecewise) if d.has(sympy.Heaviside) else d
    d = d.replace(sympy.DiracDelta, lambda *args: sympy.Integer(0))  # measure zero for a density
    return sympy.piecewise_fold(d)


def _phi_object(phi, kind, desc):
    """A :class:`_Phi` for what :func:`_resolve` returned."""
    if kind == "callable":
        return phi
    pts = [float(p) for p in _breakpoints(phi)] + _real_singularities(phi)
    return _Phi("sympy", desc, expr=phi, pts=sorted(set(pts)))


def _real_singularities(expr):
    """Real points where a sympy ``phi`` is singular (poles, log and root singularities), as floats."""
    if not expr.has(X) or expr.is_polynomial(X):
        return []
    try:
        sing = sympy.singularities(expr, X, sympy.S.Reals)
    except Exception:   # noqa: BLE001 - sympy cannot decide: no known singular points
        return []
    if not isinstance(sing, sympy.FiniteSet):
        return []
    return [float(s) for s in sing if s.is_real]


# ----------------------------------------------------------------------------- breakpoints
def _breakpoints(expr):
    pts = set()
    for pw in expr.atoms(sympy.Piecewise):
        for _, cond in pw.args:
            for rel in ([cond] if isinstance(cond, sympy.core.relational.Relational) else
                        list(cond.atoms(sympy.core.relational.Relational))):
                pts.update(s for s in _zeros(rel.lhs - rel.rhs) if s.is_real)
    for fn in (sympy.Abs, sympy.sign, sympy.Heaviside):
        for at in expr.atoms(fn):
            pts.update(s for s in _zeros(at.args[0]) if s.is_real)
    for fn in (sympy.Max, sympy.Min):   # a kink where two arguments cross (Max(0, x - 1/2) was integrated across it)
        for at in expr.atoms(fn):
            args = [a for a in at.args]
            for i in range(len(args)):
                for j in range(i + 1, len(args)):
                    if (args[i] - args[j]).has(X):
                        pts.update(s for s in _zeros(args[i] - args[j]) if s.is_real)
    return sorted(pts, key=lambda s: float(s))


def _zeros(expr):
    """Real-or-complex zeros in ``X`` of ``expr``: ``-b/a`` for ``a X + b`` (the kinks of the named
    activations, without ``sympy.solve``'s ~10 ms per call), else ``sympy.solve``."""
    a, b = expr.diff(X), expr.subs(X, 0)
    if not a.has(X) and sympy.expand(expr - (a * X + b)) == 0:
        return [] if a == 0 else [-b / a]
    return sympy.solve(sympy.Eq(expr, 0), X)


# ----------------------------------------------------------------------------- exact path
_ALLOWED = (sympy.Add, sympy.Mul, sympy.Pow, sympy.exp, sympy.erf, sympy.Symbol, sympy.Number,
            sympy.NumberSymbol)


def _exact_ok(expr):
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, sympy.Pow) and not (node.exp.is_Integer and node.exp >= 0) and node.base.has(X):
            return False
        if isinstance(node, sympy.exp) and sympy.degree(sympy.expand(node.args[0]), X) > 2:
            return False
        if isinstance(node, sympy.erf) and sympy.degree(sympy.expand(node.args[0]), X) > 1:
            return False
        if node.is_Function and not isinstance(node, (sympy.exp, sympy.erf)):
            return False
        if not isinstance(node, _ALLOWED) and not node.is_Atom:
            return False
    # erf at most linearly in each expanded term
    for term in sympy.Add.make_args(sympy.expand(expr)):
        if sum(int(p) if p.is_Integer else 99 for b, p in
               [t.as_base_exp() for t in sympy.Mul.make_args(term)] if isinstance(b, sympy.erf)) > 1:
            return False
    return True


def _pieces(expr):
    """Split into ``[(expr_i, lo_i, hi_i)]`` on consecutive intervals without Piecewise/Abs/sign."""
    pts = _breakpoints(expr)
    edges = [-sympy.oo] + pts + [sympy.oo]
    out = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        if lo == -sympy.oo and hi == sympy.oo:
            mid = sympy.Integer(0)
        elif lo == -sympy.oo:
            mid = hi - 1
        elif hi == sympy.oo:
            mid = lo + 1
        else:
            mid = (lo + hi) / 2
        e = expr
        for pw in e.atoms(sympy.Piecewise):
            for val, cond in pw.args:
                if bool(cond.subs(X, mid)):
                    e = e.xreplace({pw: val})
                    break
        e = e.replace(sympy.Abs, lambda u: u if float(u.subs(X, mid)) >= 0 else -u)
        e = e.replace(sympy.sign, lambda u: sympy.Integer(1) if float(u.subs(X, mid)) > 0 else sympy.Integer(-1))
        e = e.replace(sympy.Heaviside, lambda *u: sympy.Integer(1) if float(u[0].subs(X, mid)) > 0 else sympy.Integer(0))
        out.append((e, lo, hi))
    return out


def _monomial_gauss(term, lo, hi):
    """``int_lo^hi c x^k phi(x) dx`` (``phi`` the standard normal density) in closed form when ``term``
    is ``c x^k`` (else None): ``J_0 = Phi(hi) - Phi(lo)``, ``J_1 = phi(lo) - phi(hi)``,
    ``J_k = lo^(k-1) phi(lo) - hi^(k-1) phi(hi) + (k - 1) J_(k-2)`` (integration by parts; the
    boundary terms vanish at infinite ends).  Piecewise polynomials (ReLU, steps) then cost no sympy
    integration (``sympy.integrate`` took ~0.5 s of Meijer-G work for ReLU)."""
    c, k = term.as_coeff_exponent(X)
    if c.has(X) or not (k.is_Integer and k >= 0):
        return None
    k = int(k)

    def dens(x):
        return sympy.Integer(0) if x.is_infinite else sympy.exp(-x ** 2 / 2) / sympy.sqrt(2 * sympy.pi)

    def cdf(x):
        if x.is_infinite:
            return sympy.Integer(1) if x > 0 else sympy.Integer(0)
        return (1 + sympy.erf(x / sympy.sqrt(2))) / 2

    def bterm(x, j):          # x^j phi(x), zero at an infinite end
        return sympy.Integer(0) if x.is_infinite else x ** j * dens(x)
    J = [cdf(hi) - cdf(lo), dens(lo) - dens(hi)]
    for j in range(2, k + 1):
        J.append(bterm(lo, j - 1) - bterm(hi, j - 1) + (j - 1) * J[j - 2])
    return c * J[k]


def _erf_exp_gauss(term):
    """``E[c Z^k erf(a Z)^e exp(-b Z^2)]`` (``e`` in {0, 1}, ``b > -1/2``) over the whole line in closed form
    (else None).  With ``s = (1 + 2b)^(-1/2)``, ``exp(-b z^2) phi(z) = s phi_s(z)`` (``phi_s`` the
    N(0, s^2) density), so the value is ``c s^(k+1) E[Y^k erf(a s Y)]``; ``E[Y^k] = (k - 1)!!`` for even
    ``k``; by Stein's identity ``E[Y^k erf(a Y)] = (k - 1) E[Y^(k-2) erf(a Y)] + (2a/sqrt(pi))
    E[Y^(k-1) exp(-a^2 Y^2)]`` for odd ``k`` (0 for even ``k``).  GELU's ``c0``, ``c1`` then need no
    Meijer-G integration (~1 s of sympy)."""
    c, rest = term.as_independent(X, as_Add=False)
    k, a, b = 0, None, sympy.Integer(0)
    for f in sympy.Mul.make_args(rest):
        base, ex = f.as_base_exp()
        if base == X and ex.is_Integer and ex >= 0:
            k += int(ex)
        elif isinstance(f, sympy.erf) and a is None:
            a = sympy.cancel(f.args[0] / X)
            if a.has(X):
                return None
        elif isinstance(f, sympy.exp):
            q = sympy.cancel(-f.args[0] / X ** 2)
            if q.has(X):
                return None
            b += q
        elif f != 1:
            return None
    if not (1 + 2 * b).is_positive:
        return None
    s = 1 / sympy.sqrt(1 + 2 * b)

    def moment_exp(j, beta):         # E[Y^j exp(-beta Y^2)], Y ~ N(0, 1)
        if j % 2:
            return sympy.Integer(0)
        return sympy.factorial2(j - 1) * (1 + 2 * beta) ** sympy.Rational(-(j + 1), 2)

    def moment_erf(j, alpha):        # E[Y^j erf(alpha Y)]
        if j % 2 == 0:
            return sympy.Integer(0)
        lower = (j - 1) * moment_erf(j - 2, alpha) if j >= 3 else sympy.Integer(0)
        return lower + 2 * alpha / sympy.sqrt(sympy.pi) * moment_exp(j - 1, alpha ** 2)
    inner = moment_exp(k, 0) if a is None else moment_erf(k, a * s)
    return c * s ** (k + 1) * inner


def _gauss_exact(expr):
    """``E[expr(g)]`` exactly, or None when outside the supported class."""
    pieces = _pieces(expr)
    w = sympy.exp(-X ** 2 / 2) / sympy.sqrt(2 * sympy.pi)
    total = sympy.Integer(0)
    for e, lo, hi in pieces:
        if e.has(sympy.Piecewise) or not _exact_ok(e):
            return None
        for term in sympy.Add.make_args(sympy.expand(e)):
            r = _monomial_gauss(term, lo, hi)
            if r is None and lo == -sympy.oo and hi == sympy.oo:
                r = _erf_exp_gauss(term)
            if r is None:
                r = sympy.integrate(term * w, (X, lo, hi))
            if r.has(sympy.Integral) or r.has(sympy.oo) or r.has(sympy.zoo) or r.has(sympy.nan):
                return None
            total += r
    return simplify(total)


# ----------------------------------------------------------------------------- numeric path
_L_DOUBLE = 12.0       # |t| > 12: Gaussian weight below 1e-31, far beyond double precision
_GL_NODES = (20, 30)   # per panel of width <= 1


def _expect_double(g, pts):
    """``E[g(G)]``, G ~ N(0, 1), in double precision; ``g(u, lo, hi)`` vectorised on a piece.

    Composite Gauss-Legendre on the pieces of ``[-12, 12]`` between breakpoints (panels of width <= 1).  Two
    rules of different sizes; their difference (plus rounding) is the error estimate.  (Not Gauss-Hermite:
    its 120- and 160-node rules need a dense eigenvalue problem each, which a multi-threaded BLAS makes cost
    15-50 ms on the first call, and for ``tanh``-like ``phi`` it does not converge anyway.)
    Returns ``(value, error)`` as floats.
    """
    cuts = [p for p in pts if -_L_DOUBLE < p < _L_DOUBLE]
    vals = []
    edges = [-_L_DOUBLE] + cuts + [_L_DOUBLE]
    for n in _GL_NODES:
        x0, w0 = gauss_legendre(n)
        tot = absm = 0.0
        for lo, hi in zip(edges[:-1], edges[1:]):
            k = max(1, int(np.ceil(hi - lo)))
            bounds = np.linspace(lo, hi, k + 1)
            a, b = bounds[:-1, None], bounds[1:, None]
            u = ((a + b) / 2 + (b - a) / 2 * x0[None, :]).ravel()
            ww = ((b - a) / 2 * w0[None, :]).ravel() * np.exp(-u * u / 2) / np.sqrt(2 * np.pi)
            y = g(u, lo, hi)
            tot += float(np.dot(ww, y))
            absm += float(np.dot(ww, np.abs(y)))
        vals.append((tot, absm))
    (v1, m1), (v2, m2) = vals
    if not (np.isfinite(v2) and np.isfinite(v1) and np.isfinite(m2)):
        return float("nan"), float("inf")
    return v2, abs(v2 - v1) + 64 * np.finfo(float).eps * m2


def _expect_mp(g, pts, ctx):
    """``E[g(G)]`` in context ``ctx`` by tanh-sinh and Gauss-Legendre split at ``pts``; ``(value, error)``."""
    w = lambda t: g(t) * ctx.exp(-t * t / 2) / ctx.sqrt(2 * ctx.pi)  # noqa: E731
    cuts = [-ctx.inf] + [ctx.mpf(p) for p in pts] + [ctx.inf]
    v1 = ctx.quad(w, cuts, method="tanh-sinh")
    # Gauss-Legendre on finite pieces (the Gaussian tail beyond |t| = L is below 10^-dps)
    L = ctx.sqrt(2 * (ctx.dps + 20) * ctx.log(10)) + 1
    fin = [max(min(c, L), -L) for c in cuts]
    fin = [fin[0]] + [c for c in fin[1:-1] if -L < c < L] + [fin[-1]]
    segs = []
    for lo, hi in zip(fin[:-1], fin[1:]):
        n = max(2, int(ctx.ceil((hi - lo) / 2)))
        segs += [lo + (hi - lo) * k / n for k in range(n)]
    segs.append(fin[-1])
    v2 = ctx.quad(w, segs, method="gauss-legendre")
    return v1, abs(v1 - v2)


def _check_phi(phi, name):
    """Reject phi with non-finite values or not square-integrable against N(0,1)."""
    samples = np.array([-7.3, -3.1, -1.0, -0.37, 0.21, 0.5, 1.3, 2.9, 6.1])
    try:
        vals = phi.np(samples)
    except _ComplexValues as exc:
        raise InvalidArgument(f"Argument `{name}` of {exc}") from None
    for t, v in zip(samples, vals):
        if not np.isfinite(v):
            raise InvalidArgument(f"Argument `{name}` of `hermite_data`: phi({t}) = {v} is not finite")
    # growth test: log(phi^2 exp(-t^2/2)) must eventually decrease
    ctx = context(5)
    for sgn in (1, -1):
        out = []
        for t in (6, 12, 24):
            try:
                v = phi.mp(ctx.mpf(sgn * t), ctx) if phi.expr is not None else ctx.mpf(phi.np(np.array([sgn * t]))[0])
            except (OverflowError, ValueError, ZeroDivisionError):
                v = ctx.inf
            out.append(ctx.log(abs(v) ** 2 + ctx.mpf(10) ** -300) - t * t / 2 if ctx.isfinite(v) else ctx.inf)
        if not (out[2] < out[1] < out[0] or out[2] < -100):
            raise InvalidArgument(f"Argument `{name}` of `hermite_data`: phi is not square-integrable "
                                  "against the standard Gaussian (phi(x)^2 exp(-x^2/2) does not decay)")
    # interior singularities of a sympy phi: phi^2 must be integrable there
    if phi.expr is not None:
        for s in _real_singularities(phi.expr):
            for side in (1, -1):
                try:
                    lim = sympy.limit(abs(X - s) * phi.expr ** 2, X, s, "+" if side > 0 else "-")
                except Exception:   # noqa: BLE001
                    lim = sympy.oo
                if lim != 0:
                    raise InvalidArgument(f"Argument `{name}` of `hermite_data`: phi = {phi.expr} is not "
                                          f"square-integrable near x = {s} (|x - {s}| phi(x)^2 -> {lim}); "
                                          "E phi(g)^2 would be infinite")


def _numeric_data(phi, want, dps, name):
    """The numeric Hermite integrals ``E phi, E g phi, E phi^2`` (those with ``want[i]``).

    Returns ``(values, errors, dps_reached)``: mpmath numbers, error estimates (floats) and the
    digits the values really carry (15 when only double precision is available).
    """
    funcs_np = (lambda u, lo, hi: phi.np(u, lo, hi), lambda u, lo, hi: u * phi.np(u, lo, hi),
                lambda u, lo, hi: phi.np(u, lo, hi) ** 2)
    use_mp = dps is not None
    if use_mp:
        ctx = context(dps, guard=15)
        if not phi.full_precision(ctx):
            use_mp = False
            if dps > 15:
                warnings.warn(f"hermite_data: the callable computes in double precision only; the Hermite data "
                              f"cannot have {dps} digits (error estimate in `.error`)", PrecisionWarning, stacklevel=3)
    vals, errs = [], []
    if use_mp:
        funcs_mp = (lambda t: phi.mp(t, ctx), lambda t: t * phi.mp(t, ctx), lambda t: phi.mp(t, ctx) ** 2)
        for i in range(3):
            if not want[i]:
                vals.append(None), errs.append(0.0)
                continue
            v, e = _expect_mp(funcs_mp[i], phi.pts, ctx)
            vals.append(round_to(v, dps + 10)), errs.append(float(e) + float(abs(v)) * 10.0 ** (-dps - 10))
        reached = dps
    else:
        for i in range(3):
            if not want[i]:
                vals.append(None), errs.append(0.0)
                continue
            v, e = _expect_double(funcs_np[i], phi.pts)
            if phi._sigma is not None and np.isfinite(v):   # finite-difference error: step h against 2h
                v2, _ = _expect_double(lambda u, lo, hi, i=i: _with_step(phi, u, lo, hi, 2 * _FD_STEP, i), phi.pts)
                e += abs(v - v2)
            vals.append(mpmath.mpf(v)), errs.append(e)
        reached = 15
    for i, (v, e) in enumerate(zip(vals, errs)):
        if v is not None and (not mpmath.isfinite(v) or not np.isfinite(e) or e > 1e-3 * max(1.0, abs(float(v)))):
            what = ("E phi(g)", "E g phi(g)", "E phi(g)^2")[i]
            raise InvalidArgument(f"Argument `{name}` of `hermite_data`: the integral {what} does not converge "
                                  f"(value {mpmath.nstr(v, 5)}, error estimate {e:.2g}); phi must be finite and "
                                  "square-integrable against the standard Gaussian")
    # the digits the error estimates leave (relative to the norm E phi^2, the data's scale): a kink the quadrature
    # is not told about (a callable's step at 1/2) gave errors of 5e-4 with 30 digits claimed
    scale = max([abs(float(v)) for v in vals if v is not None] + [1e-300])
    worst = max([e for v, e in zip(vals, errs) if v is not None] + [0.0])
    if worst > 0:
        left = int(np.floor(-np.log10(worst / scale)))
        if left < reached:
            if dps is not None and left < dps:
                warnings.warn(f"hermite_data: the quadrature's error estimate {worst:.2g} leaves about {max(left, 0)} "
                              f"digits, not the {dps} asked (a kink or a jump of phi that the quadrature does not "
                              "see: give phi as a sympy expression with Piecewise, Max, Min, Abs or Heaviside)",
                              PrecisionWarning, stacklevel=3)
            reached = max(left, 0)
    return vals, errs, reached


def _with_step(phi, u, lo, hi, h, i):
    d = _fd_derivative(phi._sigma, u, lo, hi, h)
    return (d, u * d, d * d)[i]


def _parity(phi, expr, sign):
    """Is ``phi(-x) = sign * phi(x)`` (a quick numeric test, then a symbolic proof)?"""
    t = np.array([0.37, 1.21, 2.9])
    with np.errstate(all="ignore"):
        if not np.allclose(phi.np(-t), sign * phi.np(t), rtol=1e-12, atol=1e-14):
            return False
    return simplify(expr.subs(X, -X) - sign * expr) == 0


def hermite_data(activation=None, *, sigma_prime=None, dps=None, exact=True):
    """Hermite data ``(c0, c1, norm2, a)`` of ``phi = sigma'``.

    Parameters
    ----------
    activation : str, sympy expression in one variable, or callable
        The activation ``sigma``; it is differentiated (symbolically for names and
        expressions, numerically for callables).  Callables may be numpy-, math- or
        mpmath-style.
    sigma_prime : sympy expression or callable, optional
        ``phi`` given directly (exclusive with ``activation``).
    dps : int or None
        Digits for the numeric path: None (default) is double precision (Gauss quadrature,
        fast); an integer runs mpmath quadrature in a private context at that many digits.
    exact : bool
        Try exact sympy integration first.

    Raises
    ------
    InvalidArgument
        Bad input, ``phi`` not finite or not square-integrable against the Gaussian.

    Warns
    -----
    PrecisionWarning
        ``dps`` above 15 with a callable that computes in double precision only.

    Examples
    --------
    >>> import freetk as ft
    >>> h = ft.hermite_data("relu")
    >>> h.c0, h.c1, h.norm2
    (1/2, sqrt(2)/(2*sqrt(pi)), 1/2)
    """
    dps = check_dps("hermite_data", dps)
    if not isinstance(exact, bool):
        raise InvalidArgument(f"Argument `exact` of `hermite_data` must be True or False, got {exact!r}")
    # a name alone (with sigma_prime too, the call must reach _hermite_data's refusal: the cache returned ReLU's data for
    # hermite_data("relu", sigma_prime=x) once ReLU had been computed)
    key = (activation.strip().lower().replace("-", "_"), dps, exact) if (
        isinstance(activation, str) and sigma_prime is None) else None
    if key is not None and key in _NAMED_CACHE:
        return _NAMED_CACHE[key]
    out = _hermite_data(activation, sigma_prime, dps, exact)
    if key is not None:
        _NAMED_CACHE[key] = out     # HermiteData is immutable; names always mean the same sigma
    return out


_NAMED_CACHE = {}


#: ``phi = sigma'`` of named activations written out (``_diff`` gives the same expression, tests/test_hermite.py;
#: sympy's differentiation of ``erf`` costs ~10-20 ms on its first call in a process)
_PHI_FORMS = {"gelu": lambda: (sympy.sqrt(2) * X * sympy.exp(-X ** 2 / 2) / (2 * sympy.sqrt(sympy.pi))
                               + sympy.erf(sympy.sqrt(2) * X / 2) / 2 + sympy.Rational(1, 2))}


def _closed_forms(key):
    """``(c0, c1, norm2)`` of a named activation with elementary Hermite data, or None.  With ``g ~ N(0, 1)``:
    ReLU ``phi = 1(x > 0)``: ``P(g > 0) = 1/2``, ``E g 1(g > 0) = 1/sqrt(2 pi)``; leaky ReLU ``phi = 1`` on
    ``x >= 0``, ``s = 1/100`` below: ``(1 + s)/2``, ``(1 - s)/sqrt(2 pi)``, ``(1 + s^2)/2``; erf ``phi =
    (2/sqrt(pi)) exp(-x^2)``: ``E exp(-k g^2) = (1 + 2k)^(-1/2)`` gives ``2/sqrt(3 pi)``, 0 (even), ``4/(sqrt(5)
    pi)``; quadratic ``phi = x``: 0, 1, 1; cubic ``phi = x^2``: ``E g^2 = 1``, ``E g^3 = 0``, ``E g^4 = 3``; GELU
    ``phi = Phi(x) + x phi_N(x)``: ``E Phi(g) = 1/2``, ``E g phi_N(g) = 0``, ``E g Phi(g) = E phi_N(g) = 1/(2 sqrt(pi))``
    (Stein), ``E g^2 phi_N(g) = 1/(4 sqrt(pi))``: ``c0 = 1/2``, ``c1 = 3/(4 sqrt(pi))``, ``norm2`` (None) numeric.  The
    general path (sympy integration on the pieces between kinks) gives the same expressions
    (tests/test_hermite.py), in ~20-800 ms of sympy per name instead of ~1 ms."""
    pi, sqrt, R = sympy.pi, sympy.sqrt, sympy.Rational
    s = R(1, 100)
    forms = {"relu": lambda: (R(1, 2), 1 / sqrt(2 * pi), R(1, 2)),
             "leaky_relu": lambda: ((1 + s) / 2, (1 - s) / sqrt(2 * pi), (1 + s ** 2) / 2),
             "erf": lambda: (2 / sqrt(3 * pi), sympy.Integer(0), 4 / (sqrt(5) * pi)),
             "quadratic": lambda: (sympy.Integer(0), sympy.Integer(1), sympy.Integer(1)),
             "cubic": lambda: (sympy.Integer(1), sympy.Integer(0), sympy.Integer(3)),
             "gelu": lambda: (R(1, 2), 3 / (4 * sqrt(pi)), None)}
    return forms[key]() if key in forms else None


def _hermite_data(activation, sigma_prime, dps, exact):
    phi_raw, kind, desc = _resolve(activation, sigma_prime)
    name = "activation" if activation is not None else "sigma_prime"
    closed = _closed_forms(activation.strip().lower().replace("-", "_")) if (
        isinstance(activation, str) and exact) else None
    if closed is not None and None not in closed:
        c0, c1, n2 = closed
        a = sympy.factor_terms(sympy.together(n2 - c0 ** 2 - c1 ** 2))
        declare_simplified(c0, c1, n2, a)      # (they are sympy.simplify's forms: tests/test_hermite.py)
        return HermiteData(c0, c1, n2, a, True, phi_raw, 0.0, 0, desc)
    phi = _phi_object(phi_raw, kind, desc)
    if not isinstance(activation, str):
        _check_phi(phi, name)       # (the named activations pass it: tests/test_hermite.py)
    vals = [None, None, None]
    if closed is not None:      # some in closed form, the others (None) numeric
        vals = list(closed)
        declare_simplified(*[v for v in vals if v is not None])
    elif kind == "sympy" and exact:
        # sympy Floats (a breakpoint 0.5, a coefficient 0.1) as the exact binary numbers they are: symbolic integrals
        # with Floats come out as 15-digit Floats, which were then declared exact (c1 off by 2e-17, error 0; a review)
        ph = phi_raw.xreplace({f: sympy.Rational(f) for f in phi_raw.atoms(sympy.Float)})
        vals = [_gauss_exact(ph), _gauss_exact(X * ph), _gauss_exact(ph ** 2)]
        if all(v is not None for v in vals):
            c0, c1, n2 = vals
            a = simplify(n2 - c0 ** 2 - c1 ** 2)
            return HermiteData(c0, c1, n2, a, True, phi_raw, 0.0, 0, desc)
    if kind == "sympy" and vals[1] is None and _parity(phi, phi_raw, 1):
        vals[1] = sympy.Integer(0)      # even phi (odd sigma): c1 = 0 exactly by symmetry
    if kind == "sympy" and vals[0] is None and _parity(phi, phi_raw, -1):
        vals[0] = sympy.Integer(0)      # odd phi (even sigma): c0 = 0 exactly by symmetry
    num, errs, reached = _numeric_data(phi, [v is None for v in vals], dps, name)
    c0, c1, n2 = (v if v is not None else w for v, w in zip(vals, num))
    e0, e1, e2 = errs
    work = context(max(reached, 15) + 10)
    m = [_to_ctx(v, work) for v in (c0, c1, n2)]
    a = m[2] - m[0] ** 2 - m[1] ** 2
    err = e0 + e1 + e2 + 2 * float(abs(m[0])) * e0 + 2 * float(abs(m[1])) * e1
    err = max(err, float(abs(m[2])) * 10.0 ** (-reached))
    a = round_to(a, reached + 10)
    if a < -10 * err:
        raise InvalidArgument(f"hermite_data: a = norm2 - c0^2 - c1^2 = {mpmath.nstr(a, 5)} < 0; "
                              "the quadrature failed (phi too irregular?)")
    return HermiteData(c0, c1, n2, a, False, phi_raw if kind == "sympy" else phi, err,
                       dps if dps is not None else 15, desc, {"digits": reached})


def _he(j, t, ctx=None):
    """Probabilists' Hermite polynomial ``He_j(t)`` by its three-term recurrence (numpy or ctx)."""
    a, b = (t * 0 + 1), t
    if j == 0:
        return a
    for k in range(1, j):
        a, b = b, t * b - k * a
    return b


def hermite_coefficients(f, k, dps=30):
    """``[c_0, ..., c_k]`` with ``c_j = E[f(g) He_j(g)]`` (probabilists' Hermite).

    ``f`` is a sympy expression in one variable (exact when possible) or a callable.
    With this normalisation ``f = sum c_j He_j / j!`` and ``E f^2 = sum c_j^2 / j!``.
    ``dps=None`` computes the numeric coefficients in double precision.
    """
    k = check_order("hermite_coefficients", "k", k)
    dps = check_dps("hermite_coefficients", dps)
    phi = _coef_phi(f, "hermite_coefficients")
    out = []
    for j in range(k + 1):
        if phi.expr is not None:
            he = sympy.hermite_prob_poly(j, X) if hasattr(sympy, "hermite_prob_poly") else \
                sympy.expand(2 ** sympy.Rational(-j, 2) * sympy.hermite(j, X / _SQ2))
            v = _gauss_exact(sympy.expand(phi.expr * he))
            if v is not None:
                out.append(v)
                continue
        out.append(_coef_numeric(phi, lambda y, t, j=j: y * _he(j, t), dps))
    return out


def _one_real_expression(src, name, func):
    """``src`` (a sympy expression) in the variable ``X``: one free symbol at most, finite, real; InvalidArgument
    naming the argument ``name`` of ``func`` otherwise."""
    syms = src.free_symbols
    if len(syms) > 1:
        raise InvalidArgument(f"Argument `{name}` of `{func}` must be an expression in one "
                              f"variable, got symbols {sorted(map(str, syms))}")
    expr = src.subs({s: X for s in syms})
    if expr.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        raise InvalidArgument(f"Argument `{name}` of `{func}` must be a finite expression, got {src} "
                              "(it contains an infinity or NaN)")
    if expr.has(sympy.I) or any(not a.is_real for a in expr.atoms(sympy.Number)):
        raise InvalidArgument(f"Argument `{name}` of `{func}` must be a real expression, got {src}")
    return expr


def _coef_phi(f, func):
    """``f`` of :func:`hermite_coefficients` and :func:`parseval_check`, checked as ``hermite_data`` checks ``phi``: one
    real variable, finite, square-integrable against the Gaussian (``exp(x^2)`` gave ``c_0 = 1.4e+100999777``, ``I x`` a
    complex coefficient, ``x y`` two symbols merged into one, a NaN-valued callable NaN, all silently)."""
    if isinstance(f, sympy.Basic):
        expr = _one_real_expression(f, "f", func)
        phi = _phi_object(expr, "sympy", str(expr))
    elif callable(f):
        phi = _Phi("callable", "f = <callable>", func=f, pts=[0.0])
    else:
        raise InvalidArgument(f"Argument `f` of `{func}` must be a sympy expression or callable")
    try:
        _check_phi(phi, "f")
    except InvalidArgument as exc:
        raise InvalidArgument(str(exc).replace("`hermite_data`", f"`{func}`").replace("phi", "f")) from None
    return phi


def _coef_numeric(phi, comb, dps):
    if dps is not None:
        ctx = context(dps, guard=15)
        if phi.full_precision(ctx):
            v, _ = _expect_mp(lambda t: comb(phi.mp(t, ctx), t), phi.pts, ctx)
            return round_to(v, dps + 10)
        if dps > 15:
            warnings.warn(f"the callable computes in double precision only; the result cannot have {dps} digits",
                          PrecisionWarning, stacklevel=3)
    v, _ = _expect_double(lambda u, lo, hi: comb(phi.np(u, lo, hi), u), phi.pts)
    return mpmath.mpf(v)


def parseval_check(f, k, dps=30):
    """``(norm2, partial, remainder)`` with ``partial = sum_{j<=k} c_j^2/j!`` (remainder >= 0 to rounding)."""
    cs = hermite_coefficients(f, k, dps)
    phi = _coef_phi(f, "parseval_check")
    n2 = _gauss_exact(sympy.expand(phi.expr ** 2)) if phi.expr is not None else None
    if n2 is None:
        n2 = _coef_numeric(phi, lambda y, t: y * y, dps)
    partial = sum(c ** 2 / math.factorial(j) for j, c in enumerate(cs))
    rem = n2 - partial
    return n2, partial, (simplify(rem) if isinstance(rem, sympy.Basic) else rem)
