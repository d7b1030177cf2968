"""Pure power-series and moment/cumulant kernels.

Every function here acts on plain Python sequences of coefficients
``[a_0, a_1, ...]`` (index = power of ``z``) and works on sympy numbers and
symbols, mpmath numbers, Python ints/Fractions and floats alike.  When every
coefficient is rational the work is done exactly by FLINT (``python-flint``,
C speed: 200 free cumulants of the Catalan numbers take milliseconds); exact
values with symbols or constants (``1/pi``, ``sqrt 2``) run as FLINT multivariate
polynomials in their generators (:class:`MpolyRing`); otherwise a generic
implementation in the coefficients' own arithmetic is used.

Conventions (docs/conventions.md): ``M(z) = sum m_k z^k`` with ``m_0 = 1``;
free cumulants ``M(z) = C(z M(z))``, ``C(z) = 1 + sum kappa_k z^k``;
boolean cumulants ``M(z) = 1/(1 - B(z))``; classical cumulants are the
Taylor coefficients of ``log E exp(tX)``; ``S(z) = chi(z)(1+z)/z`` with
``chi`` the compositional inverse of ``psi = M - 1``.

Functions returning cumulants return ``[c_1, ..., c_N]`` (no ``c_0``).
"""
from fractions import Fraction
from math import comb
import numbers
import threading

import flint
from flint.utils.flint_exceptions import DomainError
import sympy

from .errors import InvalidArgument
from .validation import MAX_ORDER

__all__ = [
    "series_mul", "series_inverse", "series_compose", "series_reversion",
    "moments_to_free_cumulants", "free_cumulants_to_moments",
    "moments_to_boolean_cumulants", "boolean_cumulants_to_moments",
    "moments_to_classical_cumulants", "classical_cumulants_to_moments",
    "moments_to_s_transform", "s_transform_to_moments",
]


# ---------------------------------------------------------------- arguments of the public functions
def _seq(func, name, seq, nonempty=False):
    """``seq`` as a list of coefficients: a sequence (list, tuple, 1-d array) of numbers or sympy expressions, at
    most ``MAX_ORDER + 1`` long; strings, booleans, None and nested sequences are refused (InvalidArgument)."""
    if isinstance(seq, (str, bytes, dict)) or not hasattr(seq, "__iter__"):
        raise InvalidArgument(f"Argument `{name}` of `{func}` must be a sequence of coefficients, got "
                              f"{type(seq).__name__} {seq!r}")
    seq = list(seq)
    if nonempty and not seq:
        raise InvalidArgument(f"Argument `{name}` of `{func}` must not be empty")
    if len(seq) > MAX_ORDER + 1:
        raise InvalidArgument(f"Argument `{name}` of `{func}` has {len(seq)} coefficients; at most {MAX_ORDER + 1} "
                              "(exact computations beyond this order are refused: they would not finish)")
    for v in seq:
        if isinstance(v, (str, bytes, bool, list, tuple, dict, set)) or v is None or getattr(v, "ndim", 0):
            raise InvalidArgument(f"Argument `{name}` of `{func}` must contain numbers, got {type(v).__name__} {v!r}")
    return seq


def _count(func, n, lo=0):
    """A number of coefficients ``n``: None, or an integer in ``[lo, MAX_ORDER + 1]``."""
    if n is None:
        return None
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or not lo <= n <= MAX_ORDER + 1:
        raise InvalidArgument(f"Argument `n` of `{func}` must be None or an integer in [{lo}, {MAX_ORDER + 1}], "
                              f"got {n!r}")
    return int(n)


def _finite_out(func, seq, out):
    """``out``, unless floating-point inputs gave an infinite or NaN coefficient (overflow: S of [1, 1e-300, 1]
    was [1e300, -inf]); exact inputs have no overflow."""
    def bad(v):
        try:
            return not (abs(complex(v)) < float("inf"))
        except (TypeError, ValueError, OverflowError):
            return False
    if any(not bad(v) for v in seq) and not any(bad(v) for v in seq) and any(bad(v) for v in out):
        raise InvalidArgument(f"`{func}`: the result overflows floating point (a coefficient is infinite or NaN "
                              "although the input is finite); pass exact numbers (int, Fraction, sympy) or mpmath "
                              "numbers at a higher precision")
    return out


def _public(func_name, name, nonempty=False):
    """Check the sequence argument (first) of a public moment/cumulant function and its float output."""
    import functools

    def deco(func):
        @functools.wraps(func)
        def wrapper(seq, *args, **kwargs):
            seq = _seq(func_name, name, seq, nonempty)
            return _finite_out(func_name, seq, func(seq, *args, **kwargs))
        return wrapper
    return deco


# ---------------------------------------------------------------- coefficient kinds
def _is_rational(x):
    if isinstance(x, bool):
        return False
    if isinstance(x, (numbers.Integral, Fraction)):
        return True
    if isinstance(x, sympy.Basic):
        return bool(x.is_Rational)
    return False


def _kind(seq):
    """'rational', 'sympy', or 'generic' (mpmath numbers, floats, complex)."""
    seq = list(seq)
    if all(_is_rational(x) for x in seq):
        return "rational"
    if any(isinstance(x, sympy.Basic) for x in seq):
        return "sympy"
    return "generic"


def _sympy_out(seq):
    return any(isinstance(x, sympy.Basic) for x in seq)


def _to_fmpq(x):
    if isinstance(x, sympy.Basic):
        return flint.fmpq(int(x.p), int(x.q))
    if isinstance(x, Fraction):
        return flint.fmpq(x.numerator, x.denominator)
    return flint.fmpq(int(x))


def _from_fmpq(x, as_sympy):
    p, q = int(x.p), int(x.q)
    if as_sympy:
        return sympy.Rational(p, q)
    return p if q == 1 else Fraction(p, q)


#: FLINT keeps its series length (``flint.ctx.cap``) and ball precision (``flint.ctx.prec``) in one
#: process-wide context; every freetk section that sets them holds this lock, so that calls from
#: several threads never see each other's settings.
FLINT_LOCK = threading.RLock()


class _FlintSetting:
    """Set one attribute of FLINT's context (``flint.ctx.cap``, ``flint.ctx.prec``) for a block,
    holding :data:`FLINT_LOCK`, and restore it on exit."""

    def __init__(self, attr, value):
        self.attr, self.value = attr, value

    def __enter__(self):
        FLINT_LOCK.acquire()
        self.old = getattr(flint.ctx, self.attr)
        setattr(flint.ctx, self.attr, self.value)

    def __exit__(self, *exc):
        setattr(flint.ctx, self.attr, self.old)
        FLINT_LOCK.release()


def _FlintCap(n):
    """FLINT's series length (``flint.ctx.cap``) set to ``n`` for a block."""
    return _FlintSetting("cap", max(int(n), 1))


def FlintPrec(bits):
    """FLINT's ball precision (``flint.ctx.prec``, bits) set for a block."""
    return _FlintSetting("prec", int(bits))


def _fs(seq):
    return flint.fmpq_series([_to_fmpq(x) for x in seq])


def _coeffs(s, n):
    c = list(s.coeffs())
    return (c + [flint.fmpq(0)] * n)[:n]


def _one_over(x, as_sympy):
    if _is_mpoly(x):
        if not x.is_constant():
            raise _NotInRing("division by a non-constant polynomial")
        return 1 / x
    if isinstance(x, numbers.Integral) and not isinstance(x, bool) and abs(int(x)) == 1:
        return int(x)        # exact in every coefficient arithmetic (sympy, FLINT, mpmath, floats)
    if isinstance(x, numbers.Integral) and not as_sympy:
        return sympy.Rational(1, int(x))
    if _is_rational(x):
        return sympy.Rational(1, 1) / sympy.Rational(x) if as_sympy else 1 / Fraction(x)
    return 1 / x


def _div_int(x, k):
    """``x / k`` for a positive integer ``k``, exact for ints and in every coefficient arithmetic."""
    if isinstance(x, numbers.Integral):
        return Fraction(int(x), k) if int(x) % k else int(x) // k
    return x / k


def _expand(x):
    """Coefficients of a series kept expanded (a canonical form for the ring arithmetic, not a
    simplification)."""
    return sympy.expand(x) if isinstance(x, sympy.Basic) else x


class _NotInRing(ArithmeticError):
    """A kernel needed to divide by a non-constant polynomial (internal: fall back to the field)."""


class MpolyRing:
    """Exact sympy values as FLINT multivariate polynomials ``fmpq_mpoly`` in their generators.

    ``sympy.polys.rings.sring`` finds generators (symbols, ``1/pi``, ``sqrt(2)``, ...) in which every
    value is a polynomial over QQ; the values are then carried as FLINT polynomials (C arithmetic,
    orders of magnitude faster than sympy expression trees or sympy's field elements).  Evaluating
    the generators is a ring homomorphism, so ring operations on the images give the images of the
    results even when the generators satisfy relations (``sqrt(2)**2 = 2`` is applied when a result
    is turned back into a sympy expression).  Only ring operations and division by constants are
    possible: a kernel that needs more raises ``_NotInRing``.
    """

    def __init__(self, gens):
        self.gens = tuple(gens)
        names = tuple("x%d" % i for i in range(len(self.gens))) or ("x0",)
        self.ctx = flint.fmpq_mpoly_ctx.get(names, "lex")
        self._nv = len(names)
        self._pow = {}

    @classmethod
    def embed(cls, values):
        """``(ring, images)`` for exact sympy values, or None when sympy finds no polynomial ring."""
        from sympy.polys.rings import sring
        try:
            R, polys = sring([sympy.sympify(v) for v in values], domain=sympy.QQ)
        except Exception:   # sympy raises several kinds (GeneratorsNeeded, CoercionFailed, ...)
            return None
        ring = cls(R.symbols)
        return ring, [ring._from_dict(dict(p)) for p in polys]

    @classmethod
    def with_symbols(cls, symbols):
        """A ring whose generators are the given sympy symbols; returns ``(ring, generators)``."""
        ring = cls(symbols)
        return ring, list(ring.ctx.gens())[:len(symbols)]

    def _from_dict(self, d):
        pad = (0,) * (self._nv - len(self.gens))
        return self.ctx.from_dict({tuple(m) + pad: flint.fmpq(int(c.numerator), int(c.denominator))
                                   for m, c in d.items()})

    def one(self):
        return self.ctx.from_dict({(0,) * self._nv: 1})

    def _gpow(self, i, e):
        key = (i, e)
        if key not in self._pow:
            self._pow[key] = self.gens[i] ** e
        return self._pow[key]

    def to_sympy(self, p):
        """A ring element (or int/fmpq) back to an expanded sympy expression."""
        if isinstance(p, (int, Fraction)):
            return sympy.Rational(p)
        if isinstance(p, flint.fmpq):
            return sympy.Rational(int(p.p), int(p.q))
        terms = []
        for mono, c in p.to_dict().items():
            factors = [self._gpow(i, e) for i, e in enumerate(mono[:len(self.gens)]) if e]
            terms.append(sympy.Mul(sympy.Rational(int(c.p), int(c.q)), *factors))
        return sympy.Add(*terms)


def _is_mpoly(x):
    return isinstance(x, flint.fmpq_mpoly)


def _field_wrap(func):
    """Run a kernel on sympy inputs in a fast exact algebra.

    Exact inputs with symbols or irrational constants (``1/pi``, ``sqrt 2``) are first carried as
    FLINT polynomials in their generators (:class:`MpolyRing`; results come back expanded); if the
    kernel needs to divide by a non-constant element, the inputs are mapped instead to elements of
    sympy's rational-function field ``QQ(generators)`` and results put in canonical form with
    ``cancel``.
    """
    import functools

    @functools.wraps(func)
    def wrapper(seq, *args, **kwargs):
        seq = list(seq)
        if _kind(seq) != "sympy":
            return func(seq, *args, **kwargs)
        embedded = MpolyRing.embed(seq)
        if embedded is not None:
            ring, elems = embedded
            try:
                out = func(elems, *args, **kwargs)
            except (_NotInRing, DomainError):
                pass
            else:
                return [ring.to_sympy(v) for v in out]
        from sympy.polys.fields import sfield
        try:
            K, elems = sfield([sympy.sympify(x) for x in seq])
        except Exception:
            return func(seq, *args, **kwargs)
        out = func(list(elems), *args, **kwargs)
        return [sympy.cancel(v.as_expr()) if hasattr(v, "as_expr") else sympy.sympify(v) for v in out]
    return wrapper


# ---------------------------------------------------------------- basic series operations
def series_mul(a, b, n=None):
    """Truncated product of two series, ``n`` coefficients (default ``min(len)``)."""
    a, b = _seq("series_mul", "a", a), _seq("series_mul", "b", b)
    n = _count("series_mul", n)
    n = min(len(a), len(b)) if n is None else n
    out = []
    for k in range(n):
        s = 0
        for i in range(max(0, k - len(b) + 1), min(k, len(a) - 1) + 1):
            s = s + a[i] * b[k - i]
        out.append(_expand(s))
    return out


def series_inverse(a, n=None):
    """Coefficients of ``1/A(z)``; requires ``a[0] != 0``."""
    a = _seq("series_inverse", "a", a, nonempty=True)
    n = _count("series_inverse", n)
    n = len(a) if n is None else n
    if n == 0:
        return []
    if a[0] == 0:
        raise InvalidArgument("Argument `a` of `series_inverse` must have a[0] != 0")
    if _kind(a) == "rational":
        with _FlintCap(n):
            return [_from_fmpq(c, _sympy_out(a)) for c in _coeffs(_fs(a[:n]).inv(), n)]
    inv0 = _one_over(a[0], _sympy_out(a))
    out = [inv0]
    for k in range(1, n):
        s = 0
        for i in range(1, min(k, len(a) - 1) + 1):
            s = s + a[i] * out[k - i]
        out.append(_expand(-s * inv0))
    return out


def series_compose(f, g, n=None):
    """Coefficients of ``f(g(z))``; requires ``g[0] == 0``."""
    f, g = _seq("series_compose", "f", f), _seq("series_compose", "g", g)
    n = _count("series_compose", n)
    n = min(len(f), len(g)) if n is None else n
    if len(g) and g[0] != 0:
        raise InvalidArgument("Argument `g` of `series_compose` must have g[0] == 0")
    if _kind(list(f) + list(g)) == "rational":
        with _FlintCap(n):
            F = _fs(f[:n])
            G = _fs(g[:n])
            # Horner in FLINT series arithmetic
            acc = flint.fmpq_series([0])
            for c in reversed(list(F.coeffs())):
                acc = acc * G + c
            return [_from_fmpq(c, _sympy_out(list(f) + list(g))) for c in _coeffs(acc, n)]
    acc = [0] * n
    for c in reversed(list(f[:n])):
        acc = series_mul(acc, list(g) + [0] * n, n)
        acc[0] = acc[0] + c
    return [_expand(x) for x in acc]


def series_reversion(f, n=None):
    """Compositional inverse of ``f`` (``f[0] == 0``, ``f[1] != 0``), ``n`` coefficients."""
    f = _seq("series_reversion", "f", f)
    n = _count("series_reversion", n)
    n = len(f) if n is None else n
    if len(f) < 2 or f[0] != 0 or f[1] == 0:
        raise InvalidArgument("Argument `f` of `series_reversion` must have f[0] == 0 and f[1] != 0")
    if n <= 1:                          # [0][:n] (FLINT refuses n < 2)
        return [0][:n]
    if _kind(f) == "rational":
        with _FlintCap(n):
            return [_from_fmpq(c, _sympy_out(f)) for c in _coeffs(_fs(f[:n]).reversion(), n)]
    # Lagrange inversion: [u^k] r = (1/k) [z^(k-1)] (z/f(z))^k
    h = series_inverse(list(f[1:n]) + [0], n - 1)  # z/f(z)
    out = [0]
    power = [1] + [0] * (n - 2)
    for k in range(1, n):
        power = series_mul(power, h, n - 1)
        out.append(_expand(_div_int(power[k - 1], k)))
    return out


# ---------------------------------------------------------------- moment/cumulant algebra
def _check_moments(m, func):
    if len(m) == 0 or m[0] != 1:
        raise InvalidArgument(f"Argument `m` of `{func}` must start with m_0 = 1, got {list(m)[:1]}")


@_public("moments_to_free_cumulants", "m")
@_field_wrap
def moments_to_free_cumulants(m):
    """Free cumulants ``[kappa_1..kappa_N]`` of moments ``[1, m_1..m_N]``."""
    _check_moments(m, "moments_to_free_cumulants")
    N = len(m) - 1
    if N == 0:
        return []
    if _kind(m) == "rational":
        with _FlintCap(N + 2):
            f = _fs(m) * flint.fmpq_series([0, 1])  # z M(z)
            z = f.reversion()                        # z(u)
            C = flint.fmpq_series([0, 1]) / z        # C(u) = u / z(u)
            return [_from_fmpq(c, _sympy_out(m)) for c in _coeffs(C, N + 1)[1:N + 1]]
    # generic: m_n = sum_s kappa_s [z^(n-s)] M^s, powers of M built along antidiagonals
    pw = {1: list(m)}
    kap = [None] * (N + 1)
    for s in range(2, N + 1):
        prev = pw[s - 1]
        pw[s] = series_mul(prev, m, N - s + 1)
    for n in range(1, N + 1):
        s_ = m[n]
        for s in range(1, n):
            s_ = s_ - kap[s] * pw[s][n - s]
        kap[n] = _expand(s_)
    return kap[1:]


@_public("free_cumulants_to_moments", "kappa")
@_field_wrap
def free_cumulants_to_moments(kappa):
    """Moments ``[1, m_1..m_N]`` of free cumulants ``[kappa_1..kappa_N]``."""
    N = len(kappa)
    if N == 0:
        return [1]
    if _kind(kappa) == "rational":
        with _FlintCap(N + 2):
            C = _fs([1] + list(kappa))
            g = flint.fmpq_series([0, 1]) / C      # u / C(u)
            f = g.reversion()                      # z M(z)
            c = _coeffs(f, N + 2)
            return [_from_fmpq(x, _sympy_out(kappa)) for x in c[1:N + 2]]
    kap = [None] + list(kappa)
    m = [1] + [None] * N
    pw = {}  # pw[s][j] = [z^j] M^s
    for n in range(1, N + 1):
        # entries on antidiagonal s + j = n - 1 .. needed: pw[s][n - s] for s >= 2
        pw.setdefault(1, [])
        pw[1] = m[:n]
        val = kap[1] * m[n - 1]
        for s in range(2, n + 1):
            row = pw.setdefault(s, [])
            j = n - s
            prev = pw[s - 1]
            acc = 0
            for i in range(j + 1):
                acc = acc + prev[i] * m[j - i]
            row.append(_expand(acc))
            val = val + kap[s] * row[j]
        m[n] = _expand(val)
    return m


@_public("moments_to_boolean_cumulants", "m")
@_field_wrap
def moments_to_boolean_cumulants(m):
    """Boolean cumulants ``[beta_1..beta_N]``: ``M = 1/(1 - B)``."""
    _check_moments(m, "moments_to_boolean_cumulants")
    inv = series_inverse(list(m))
    return [_expand(-c) for c in inv[1:]]


@_public("boolean_cumulants_to_moments", "beta")
@_field_wrap
def boolean_cumulants_to_moments(beta):
    """Moments ``[1, m_1..m_N]`` from boolean cumulants ``[beta_1..beta_N]``."""
    return series_inverse([1] + [-b for b in beta])


@_public("moments_to_classical_cumulants", "m")
@_field_wrap
def moments_to_classical_cumulants(m):
    """Classical cumulants ``[c_1..c_N]`` of moments ``[1, m_1..m_N]``."""
    _check_moments(m, "moments_to_classical_cumulants")
    N = len(m) - 1
    c = [None] * (N + 1)
    for n in range(1, N + 1):
        s = m[n]
        for k in range(1, n):
            s = s - comb(n - 1, k - 1) * c[k] * m[n - k]
        c[n] = _expand(s)
    return c[1:]


@_public("classical_cumulants_to_moments", "c")
@_field_wrap
def classical_cumulants_to_moments(c):
    """Moments ``[1, m_1..m_N]`` from classical cumulants ``[c_1..c_N]``."""
    N = len(c)
    cc = [None] + list(c)
    m = [1] + [None] * N
    for n in range(1, N + 1):
        s = 0
        for k in range(1, n + 1):
            s = s + comb(n - 1, k - 1) * cc[k] * m[n - k]
        m[n] = _expand(s)
    return m


@_public("moments_to_s_transform", "m")
@_field_wrap
def moments_to_s_transform(m):
    """Coefficients ``[s_0..s_{N-1}]`` of the S-transform from ``[1, m_1..m_N]``.

    Requires ``m_1 != 0``.  ``S(z) = chi(z)(1+z)/z``, ``chi = psi^<-1>``, ``psi = M - 1``.
    """
    _check_moments(m, "moments_to_s_transform")
    if len(m) < 2 or m[1] == 0:
        raise InvalidArgument("Argument `m` of `moments_to_s_transform` needs m_1 != 0 "
                              "(the S-transform is defined for measures with non-zero mean)")
    N = len(m) - 1
    psi = [0] + list(m[1:])
    chi = series_reversion(psi, N + 1)
    q = chi[1:]                       # chi(z)/z, N coefficients
    return [_expand(q[k] + (q[k - 1] if k else 0)) for k in range(N)]


@_public("s_transform_to_moments", "s")
@_field_wrap
def s_transform_to_moments(s):
    """Moments ``[1, m_1..m_N]`` from S-transform coefficients ``[s_0..s_{N-1}]``."""
    N = len(s)
    if N == 0:
        return [1]
    if s[0] == 0:
        raise InvalidArgument("Argument `s` of `s_transform_to_moments` needs s_0 != 0")
    # chi(z) = z S(z) / (1 + z)
    geo = [(-1) ** k for k in range(N)]
    q = series_mul(list(s), geo, N)
    chi = [0] + q
    psi = series_reversion(chi, N + 1)
    return [1] + [_expand(x) for x in psi[1:]]


def hankel_check(m, func="from_moments"):
    """Raise :class:`NotAMeasure` if ``m`` cannot be the moments of a probability measure.

    O(N^2) exact test by the Chebyshev algorithm (:func:`freetk.inversion.hankel_positivity`):
    every Hankel matrix ``[m_{i+j}]`` positive definite, or positive semidefinite of rank ``p`` with
    all later moments those of the ``p``-atomic measure.  Returns ``p`` in that case, else None.
    """
    from .inversion import hankel_positivity   # (inversion imports this module)
    return hankel_positivity(m, func)
