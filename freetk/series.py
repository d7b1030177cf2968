"""Pure power-series and moment/cumulant kernels.

Every function here acts on plain Python sequences of coefficients
``[a_0, a_1, ...]`` (index = power of ``z``) and works on sympy numbers and
symbols, mpmath numbers, Python ints/Fractions and floats alike.  When every
coefficient is rational the work is done exactly by FLINT (``python-flint``,
C speed: 200 free cumulants of the Catalan numbers take milliseconds);
otherwise a generic implementation in the coefficients' own arithmetic is used.

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

import flint
import mpmath
import sympy

from .errors import InvalidArgument

__all__ = [
    "series_mul", "series_inverse", "series_compose", "series_reversion",
    "moments_to_free_cumulants", "free_cumulants_to_moments",
    "moments_to_boolean_cumulants", "boolean_cumulants_to_moments",
    "moments_to_classical_cumulants", "classical_cumulants_to_moments",
    "moments_to_s_transform", "s_transform_to_moments",
]


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


class _FlintCap:
    """Temporarily set FLINT's series precision (``flint.ctx.cap``)."""

    def __init__(self, n):
        self.n = n

    def __enter__(self):
        self.old = flint.ctx.cap
        flint.ctx.cap = max(int(self.n), 1)

    def __exit__(self, *exc):
        flint.ctx.cap = self.old


def _fs(seq):
    return flint.fmpq_series([_to_fmpq(x) for x in seq])


def _coeffs(s, n):
    c = list(s.coeffs())
    return (c + [flint.fmpq(0)] * n)[:n]


def _one_over(x, as_sympy):
    if isinstance(x, numbers.Integral) and not as_sympy:
        return sympy.Rational(1, int(x))
    if _is_rational(x):
        return sympy.Rational(1, 1) / sympy.Rational(x) if as_sympy else 1 / Fraction(x)
    return 1 / x


def _simplify(x):
    return sympy.expand(x) if isinstance(x, sympy.Basic) else x


def _field_wrap(func):
    """Run a kernel on sympy inputs inside a sympy rational-function field.

    Exact inputs with symbols or irrational constants (``1/pi``, ``sqrt 2``) are mapped to
    elements of ``QQ(generators)`` so that the kernel's arithmetic is polynomial arithmetic
    (orders of magnitude faster than expression trees); results are mapped back and put in
    canonical form with ``cancel``.
    """
    import functools

    @functools.wraps(func)
    def wrapper(seq, *args, **kwargs):
        seq = list(seq)
        if _kind(seq) != "sympy":
            return func(seq, *args, **kwargs)
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
    n = min(len(a), len(b)) if n is None else n
    out = []
    for k in range(n):
        s = 0
        for i in range(max(0, k - len(b) + 1), min(k, len(a) - 1) + 1):
            s = s + a[i] * b[k - i]
        out.append(_simplify(s))
    return out


def series_inverse(a, n=None):
    """Coefficients of ``1/A(z)``; requires ``a[0] != 0``."""
    n = len(a) if n is None else n
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
        out.append(_simplify(-s * inv0))
    return out


def series_compose(f, g, n=None):
    """Coefficients of ``f(g(z))``; requires ``g[0] == 0``."""
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
    return [_simplify(x) for x in acc]


def series_reversion(f, n=None):
    """Compositional inverse of ``f`` (``f[0] == 0``, ``f[1] != 0``), ``n`` coefficients."""
    n = len(f) if n is None else n
    if len(f) < 2 or f[0] != 0 or f[1] == 0:
        raise InvalidArgument("Argument `f` of `series_reversion` must have f[0] == 0 and f[1] != 0")
    if _kind(f) == "rational":
        with _FlintCap(n):
            return [_from_fmpq(c, _sympy_out(f)) for c in _coeffs(_fs(f[:n]).reversion(), n)]
    # Lagrange inversion: [u^k] r = (1/k) [z^(k-1)] (z/f(z))^k
    h = series_inverse(list(f[1:n]) + [0], n - 1)  # z/f(z)
    out = [0]
    power = [1] + [0] * (n - 2)
    for k in range(1, n):
        power = series_mul(power, h, n - 1)
        out.append(_simplify(power[k - 1] * _one_over(k, _sympy_out(f))))
    return out


# ---------------------------------------------------------------- moment/cumulant algebra
def _check_moments(m, func):
    if len(m) == 0 or m[0] != 1:
        raise InvalidArgument(f"Argument `m` of `{func}` must start with m_0 = 1, got {list(m)[:1]}")


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
        kap[n] = _simplify(s_)
    return kap[1:]


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
            row.append(_simplify(acc))
            val = val + kap[s] * row[j]
        m[n] = _simplify(val)
    return m


@_field_wrap
def moments_to_boolean_cumulants(m):
    """Boolean cumulants ``[beta_1..beta_N]``: ``M = 1/(1 - B)``."""
    _check_moments(m, "moments_to_boolean_cumulants")
    inv = series_inverse(list(m))
    return [_simplify(-c) for c in inv[1:]]


@_field_wrap
def boolean_cumulants_to_moments(beta):
    """Moments ``[1, m_1..m_N]`` from boolean cumulants ``[beta_1..beta_N]``."""
    return series_inverse([1] + [-b for b in beta])


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
        c[n] = _simplify(s)
    return c[1:]


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
        m[n] = _simplify(s)
    return m


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
    return [_simplify(q[k] + (q[k - 1] if k else 0)) for k in range(N)]


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
    return [1] + [_simplify(x) for x in psi[1:]]


def hankel_check(m, func="from_moments"):
    """Raise :class:`NotAMeasure` if a Hankel determinant of ``m`` is negative.

    Checks ``det[m_{i+j}]_{i,j<=k} >= 0`` for every ``k`` with ``2k <= N`` via
    exact (or high-precision) LDL^T elimination.  Returns the first order at which
    the Hankel matrix becomes singular (the number of support points), or None.
    """
    from .errors import NotAMeasure
    N = len(m) - 1
    K = N // 2
    exact = _kind(m) == "rational"
    if exact:
        H = [[(Fraction(int(sympy.Rational(m[i + j]).p), int(sympy.Rational(m[i + j]).q))
               if isinstance(m[i + j], sympy.Basic) else Fraction(m[i + j]))
              for j in range(K + 1)] for i in range(K + 1)]
    elif _kind(m) == "sympy":
        return None  # symbolic: cannot decide
    else:
        H = [[mpmath.mpmathify(m[i + j]) for j in range(K + 1)] for i in range(K + 1)]
    singular_at = None
    # Cholesky-like pivots d_k = det H_k / det H_{k-1}
    for k in range(K + 1):
        piv = H[k][k]
        if exact:
            neg, zero = piv < 0, piv == 0
        else:
            scale = max(abs(H[k][k]), mpmath.mpf(1)) * mpmath.mpf(10) ** (-mpmath.mp.dps + 8)
            neg, zero = piv < -scale, abs(piv) <= scale
        if neg and singular_at is None:
            raise NotAMeasure(
                f"Argument `m` of `{func}` is not the moment sequence of a probability measure: "
                f"the Hankel determinant of order {k} (moments up to m_{2 * k}) is negative", order=k)
        if zero:
            if singular_at is None:
                singular_at = k
            continue
        if singular_at is not None:
            continue
        for i in range(k + 1, K + 1):
            f = H[i][k] / piv
            for j in range(k + 1, K + 1):
                H[i][j] -= f * H[k][j]
    return singular_at
