"""Argument checks shared by every public constructor and function.

Every check raises :class:`freetk.errors.InvalidArgument` with a message naming the
function, the argument and the condition that failed, and returns the value unchanged
when it passes (so that checks compose: ``x = real("f", "x", x)``).

What counts as a valid number: an int, a Fraction, a float, a numpy real scalar, a real
mpmath number or a real sympy number, finite.  NaN, ``±inf``, complex values, booleans,
strings and ``None`` are rejected.  Sympy expressions with free symbols are accepted where a
function works symbolically (``symbols=True``) and are then assumed valid.

Sizes are capped (``MAX_ORDER`` for moment orders, ``MAX_NODES`` for quadrature nodes,
``MAX_MATRIX_ENTRIES`` for random matrices) so that a typo such as ``moments(10**9)`` fails at
once with the cap in the message instead of running for hours.
"""
from fractions import Fraction
import math
import numbers

import mpmath
import numpy as np
import sympy

from .errors import InvalidArgument

#: largest moment / cumulant order computed exactly
MAX_ORDER = 20_000
#: largest number of Gauss nodes of a discretised law
MAX_NODES = 256
#: largest number of entries of one dense matrix a Monte Carlo sample may form (8 GB of float64)
MAX_MATRIX_ENTRIES = 10 ** 9
#: largest magnitude of a number in double precision
_DOUBLE_MAX = float(np.finfo(float).max)


def _float_value(x):
    """``float(x)`` for a real number (raises TypeError/ValueError when it is not one)."""
    if isinstance(x, bool) or x is None or isinstance(x, (str, bytes)):
        raise TypeError
    if isinstance(x, (complex, np.complexfloating)) or hasattr(x, "_mpc_"):
        # a complex value is refused even with a zero imaginary part: it is a complex number (the
        # caller's data are complex somewhere upstream), and numpy would drop the part with a warning
        raise ValueError("complex")
    if isinstance(x, sympy.Basic):
        if x.has(sympy.nan, sympy.zoo):
            return math.nan
        if x.is_real is False or x.has(sympy.I):
            raise ValueError("complex")
        if x in (sympy.oo, -sympy.oo):
            return math.inf if x == sympy.oo else -math.inf
        v = sympy.N(x)
        if not v.is_real:
            raise ValueError("complex")
        return float(v)
    if isinstance(x, (numbers.Real, Fraction, np.floating, np.integer)) or hasattr(x, "_mpf_"):
        return float(x)
    raise TypeError


def _infinite_object(x):
    """True for an infinity (float, numpy, mpmath or sympy), False for a finite number however large."""
    if isinstance(x, sympy.Basic):
        return x in (sympy.oo, -sympy.oo, sympy.zoo)
    try:
        return bool(mpmath.isinf(x)) if hasattr(x, "_mpf_") else math.isinf(float(x))
    except (OverflowError, TypeError, ValueError):
        return False


def _short(v):
    """``str(v)``, or its length for a number of more than 40 characters (``10**400``)."""
    t = str(v)
    return t if len(t) <= 40 else f"a number of {len(t)} characters"


def _infinite_point(v):
    """True for an infinite real or complex point (not for a finite mpmath number beyond the float range)."""
    if isinstance(v, (complex, np.complexfloating)):
        return math.isinf(abs(v))
    if hasattr(v, "_mpc_"):
        return bool(mpmath.isinf(v.real) or mpmath.isinf(v.imag))
    if isinstance(v, sympy.Basic) and v.has(sympy.I):
        return v.has(sympy.oo, -sympy.oo, sympy.zoo)
    return _infinite_object(v)


def _is_symbolic(x):
    return isinstance(x, sympy.Basic) and bool(x.free_symbols)


def _converted(convert, x, func, name, what):
    """``convert(x)``, its ValueError (a complex value) and TypeError (not a number) as InvalidArgument naming
    the argument; an OverflowError (beyond the double range) is left to the caller."""
    try:
        return convert(x)
    except ValueError:
        raise InvalidArgument(f"Argument `{name}` of `{func}` must be real, got {x!r}") from None
    except TypeError:
        raise InvalidArgument(f"Argument `{name}` of `{func}` must be {what}, got "
                              f"{type(x).__name__} {x!r}") from None


def real(func, name, x, *, symbols=False, lo=None, hi=None, lo_open=False, hi_open=False):
    """A finite real number, optionally in ``[lo, hi]`` (open ends with ``lo_open``/``hi_open``)."""
    if symbols and _is_symbolic(x):
        return x
    if _is_symbolic(x):
        raise InvalidArgument(f"Argument `{name}` of `{func}` must be a number, got the expression {x} "
                              f"with symbols {sorted(map(str, x.free_symbols))}")
    try:
        v = _converted(_float_value, x, func, name, "a real number")
    except OverflowError:
        v = math.inf
    if math.isinf(v) and not _infinite_object(x):
        shown = f"{x:.6g}" if isinstance(x, float) else _short(x)
        raise InvalidArgument(f"Argument `{name}` of `{func}` is too large: its magnitude exceeds "
                              f"{_DOUBLE_MAX:.4g}, the largest double-precision number, got {shown}")
    if not math.isfinite(v):
        raise InvalidArgument(f"Argument `{name}` of `{func}` must be finite, got {x!r}")
    if lo is not None and (v < lo or (lo_open and v == lo)):
        raise InvalidArgument(f"Argument `{name}` of `{func}` must be {'>' if lo_open else '>='} {lo}, got {x}")
    if hi is not None and (v > hi or (hi_open and v == hi)):
        raise InvalidArgument(f"Argument `{name}` of `{func}` must be {'<' if hi_open else '<='} {hi}, got {x}")
    return x


def positive(func, name, x, *, allow_zero=False, symbols=True):
    """A finite real number ``> 0`` (``>= 0`` with ``allow_zero``); symbols pass when ``symbols``."""
    return real(func, name, x, symbols=symbols, lo=0, lo_open=not allow_zero)


def integer(func, name, n, *, lo=None, hi=None, why=""):
    """A Python/numpy integer (not bool) in ``[lo, hi]``; ``why`` explains an upper cap."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise InvalidArgument(f"Argument `{name}` of `{func}` must be an integer, got {type(n).__name__} {n!r}")
    n = int(n)
    if lo is not None and n < lo:
        raise InvalidArgument(f"Argument `{name}` of `{func}` must be >= {lo}, got {n}")
    if hi is not None and n > hi:
        raise InvalidArgument(f"Argument `{name}` of `{func}` must be <= {hi}{why}, got {n}")
    return n


def order(func, name, k):
    """A moment/cumulant order: an integer in ``[0, MAX_ORDER]``."""
    return integer(func, name, k, lo=0, hi=MAX_ORDER,
                   why=" (exact computations beyond this order are refused: they would not finish)")


def check_order(func, name, k):
    """Validate a non-negative integer order argument ``k`` (booleans and non-integers refused first,
    with the plain message; then the range of :func:`order`)."""
    if isinstance(k, bool) or not isinstance(k, numbers.Integral):
        raise InvalidArgument(f"Argument `{name}` of `{func}` must be a non-negative integer, got {k!r}")
    return order(func, name, k)


def nodes(func, name, n, lo=1):
    """A number of quadrature/Gauss nodes in ``[lo, MAX_NODES]``."""
    return integer(func, name, n, lo=lo, hi=MAX_NODES)


def real_sequence(func, name, seq, *, symbols=False, nonempty=True):
    """A non-empty sequence of finite real numbers (each checked by :func:`real`)."""
    if isinstance(seq, (str, bytes)) or not hasattr(seq, "__len__") or not hasattr(seq, "__iter__"):
        raise InvalidArgument(f"Argument `{name}` of `{func}` must be a sequence of numbers, got "
                              f"{type(seq).__name__}")
    if nonempty and len(seq) == 0:
        raise InvalidArgument(f"Argument `{name}` of `{func}` must be non-empty")
    for i, v in enumerate(seq):
        real(func, f"{name}[{i}]", v, symbols=symbols)
    return seq


def float_dtype(func, name, dtype):
    """A real floating numpy dtype (float32/float64/...); integer and complex dtypes are refused."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise InvalidArgument(f"Argument `{name}` of `{func}` must be a numpy dtype, got {dtype!r}") from None
    if dt.kind != "f":
        raise InvalidArgument(f"Argument `{name}` of `{func}` must be a real floating dtype (float32 or float64), "
                              f"got {dt}: an integer dtype would truncate the Gaussian data to zeros")
    if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise InvalidArgument(f"Argument `{name}` of `{func}` must be float32 or float64 (the dtypes LAPACK's "
                              f"eigensolvers take), got {dt}")
    return dt


def seed(func, name, s):
    """A random seed: None, a non-negative integer (not a bool), or a numpy ``SeedSequence``,
    ``BitGenerator`` or ``Generator`` (what ``numpy.random.default_rng`` takes)."""
    if s is None or isinstance(s, (np.random.SeedSequence, np.random.BitGenerator, np.random.Generator)):
        return s
    if isinstance(s, (bool, np.bool_)) or not isinstance(s, numbers.Integral):
        raise InvalidArgument(f"Argument `{name}` of `{func}` must be None or a non-negative integer, got "
                              f"{type(s).__name__} {s!r}")
    if s < 0:
        raise InvalidArgument(f"Argument `{name}` of `{func}` must be >= 0, got {s}")
    return int(s)


def matrix_size(func, shape):
    """Refuse dense matrices with more than ``MAX_MATRIX_ENTRIES`` entries."""
    entries = 1
    for s in shape:
        entries *= int(s)
    if entries > MAX_MATRIX_ENTRIES:
        raise InvalidArgument(f"`{func}` would form a {' x '.join(map(str, shape))} matrix ({entries:.3g} entries, "
                              f"{8 * entries / 1e9:.3g} GB in float64); the cap is {MAX_MATRIX_ENTRIES:.0e} entries")
    return shape


def _point_value(x, complex_ok):
    """``complex(x)`` or ``float(x)`` of one evaluation point (TypeError/ValueError when it is not a
    number of the right kind; OverflowError when it has no double-precision value)."""
    if isinstance(x, bool) or x is None or isinstance(x, (str, bytes, np.bool_)):
        raise TypeError
    if isinstance(x, (complex, np.complexfloating)) or hasattr(x, "_mpc_"):
        if not complex_ok:
            raise ValueError("complex")
        return complex(x)
    if complex_ok and isinstance(x, sympy.Basic) and not x.free_symbols and x.has(sympy.I):
        return complex(sympy.N(x))
    return _float_value(x)


def points(func, name, x, *, complex_ok=False, finite=False, double=True):
    """Evaluation points ``x`` of ``pdf``/``cdf`` (real) or ``cauchy`` (``complex_ok``): a number or an
    array of numbers.  NaN passes (it gives NaN at its position); booleans, strings, ``None``, complex
    values where reals are asked (also with a zero imaginary part), symbols and, with ``finite``,
    ``±inf`` are refused.  With ``double`` (a double-precision evaluation) a number beyond the range of
    a float (``10**400``) is refused too: it has no double-precision value.  Returns ``x`` unchanged."""
    try:
        arr = np.asarray(x)
    except Exception:  # noqa: BLE001 - ragged nested sequences and other non-arrays
        raise InvalidArgument(f"Argument `{name}` of `{func}` must be a number or an array of numbers, "
                              f"got {type(x).__name__}") from None
    kind = arr.dtype.kind
    what = "a real or complex number" if complex_ok else "a real number"
    if kind in "fiuc":
        if kind == "c" and not complex_ok:
            raise InvalidArgument(f"Argument `{name}` of `{func}` must be real, got complex values ({x!r})"
                                  if arr.ndim == 0 else
                                  f"Argument `{name}` of `{func}` must be real, got an array of dtype {arr.dtype}")
        if finite and np.any(np.isinf(arr)):
            raise InvalidArgument(f"Argument `{name}` of `{func}` must be finite (or NaN), got "
                                  f"{x!r}" if arr.ndim == 0 else f"Argument `{name}` of `{func}` must be finite "
                                  f"(or NaN); the array contains ±inf")
        return x
    if kind != "O":
        shown = repr(x) if arr.ndim == 0 else f"an array of dtype {arr.dtype}"
        raise InvalidArgument(f"Argument `{name}` of `{func}` must be {what}, got {shown}")
    for v in arr.ravel():
        if isinstance(v, sympy.Basic) and v.free_symbols:
            raise InvalidArgument(f"Argument `{name}` of `{func}` must be a number, got the expression {v}")
        try:
            val = _converted(lambda t: _point_value(t, complex_ok), v, func, name, what)
        except OverflowError:
            if double:
                raise InvalidArgument(f"Argument `{name}` of `{func}` has no double-precision value (|{name}| > "
                                      f"{_DOUBLE_MAX:.4g}); pass dps= to evaluate it, got {_short(v)}") from None
            continue
        if double and val == val and np.isinf(abs(val)) and not _infinite_point(v):
            raise InvalidArgument(f"Argument `{name}` of `{func}` has no double-precision value (|{name}| > "
                                  f"{_DOUBLE_MAX:.4g}); pass dps= to evaluate it, got {_short(v)}")
        if finite and val == val and np.isinf(abs(val)) and _infinite_point(v):
            raise InvalidArgument(f"Argument `{name}` of `{func}` must be finite (or NaN), got {v!r}")
    return x
