"""Scoped working precision without global state.

Every high-precision computation in freetk runs in an mpmath context of its own
(:func:`context`), created per call, so that no computation ever changes
``mpmath.mp`` and calls at different precisions can run in parallel threads.
Kernels receive the context as an explicit argument ``ctx`` and use ``ctx.mpf``,
``ctx.quad``, ... (mpmath's own style).  Results are rounded back to the digits
asked for and returned as ordinary ``mpmath.mpf`` / ``mpmath.mpc`` values
(:func:`round_to`).
"""
import numbers

import mpmath
from mpmath import libmp
from .errors import InvalidArgument

GUARD_DIGITS = 10
MAX_DPS = 10_000      # larger requests are refused (the work grows like dps^2 or faster)


def context(dps, guard=GUARD_DIGITS):
    """A fresh mpmath context working at ``dps + guard`` decimal digits."""
    ctx = mpmath.MPContext()
    ctx.dps = int(dps) + int(guard)
    return ctx


def round_to(v, dps):
    """``v`` (an mpf/mpc of any context) rounded to ``dps`` digits, as a global-context number.

    The value keeps all its ``dps`` digits whatever ``mpmath.mp.dps`` is (mpmath numbers carry
    their own precision); nothing global is changed.
    """
    prec = libmp.dps_to_prec(int(dps))
    if hasattr(v, "_mpf_"):
        return mpmath.mp.make_mpf(libmp.mpf_pos(v._mpf_, prec, "n"))
    if hasattr(v, "_mpc_"):
        re, im = v._mpc_
        return mpmath.mp.make_mpc((libmp.mpf_pos(re, prec, "n"), libmp.mpf_pos(im, prec, "n")))
    return v


def check_dps(func, dps, allow_none=True):
    """Validate a ``dps`` argument: None (double precision) or an integer in ``[1, MAX_DPS]``."""
    if dps is None and allow_none:
        return None
    if isinstance(dps, bool) or not isinstance(dps, numbers.Integral):
        raise InvalidArgument(f"Argument `dps` of `{func}` must be None or a positive integer, got {dps!r}")
    if not 1 <= dps <= MAX_DPS:
        raise InvalidArgument(f"Argument `dps` of `{func}` must be between 1 and {MAX_DPS}, got {dps}")
    return int(dps)


#: ``pdf_error(x, dps)``: the fewest digits of a reference that checks a double-precision value (its own error is
#: then below a tenth of the double's rounding unit, so the difference measures the double value's error)
MIN_REFERENCE_DPS = 17


def check_reference_dps(func, dps):
    """Validate the ``dps`` of an a-posteriori reference (``pdf_error``): an integer, at least
    ``MIN_REFERENCE_DPS`` (with fewer digits the difference would be the reference's own error)."""
    dps = check_dps(func, dps, allow_none=False)
    if dps < MIN_REFERENCE_DPS:
        raise InvalidArgument(f"Argument `dps` of `{func}` must be at least {MIN_REFERENCE_DPS}, got {dps}: the "
                              "estimate is the difference with a dps-digit reference, which must be more accurate than "
                              "the double-precision value it checks (~16 digits)")
    return dps


def ae(a, b, dps=15, rel=True):
    """Approximate equality with tolerance following precision.

    ``|a - b| <= 10**(-dps + 5) * max(1, |b|)`` (relative when ``rel``).  Used by all tests.
    """
    ctx = context(dps, guard=10)
    a, b = ctx.convert(a), ctx.convert(b)
    tol = ctx.mpf(10) ** (-dps + 5)
    scale = max(1, abs(b)) if rel else 1
    return abs(a - b) <= tol * scale


class MpFunction:
    """A sympy expression in one variable compiled once, evaluated in any mpmath context.

    ``f(x, ctx)`` evaluates at the precision of ``ctx``: the code that sympy's ``lambdify``
    generates for mpmath refers to bare names (``mpf``, ``pi``, ``exp``, ``erf``...); they are
    bound to the methods and constants of ``ctx`` (not of the global ``mpmath.mp``), so constants
    and rationals in the expression carry the precision asked for.
    """

    def __init__(self, var, expr):
        import sympy
        self._fn = sympy.lambdify(var, expr, "mpmath")
        self._names = self._fn.__code__.co_names
        self._glob = self._fn.__globals__

    def __call__(self, x, ctx):
        import types
        ns = {n: getattr(ctx, n) if hasattr(ctx, n) else self._glob[n] for n in self._names if n in self._glob
              or hasattr(ctx, n)}
        return types.FunctionType(self._fn.__code__, ns)(x)
