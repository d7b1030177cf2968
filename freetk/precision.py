"""Scoped working precision.

All high-precision code runs inside :func:`workdps`, which raises mpmath's
working precision by guard digits and restores it afterwards (never leaving
the global precision changed).  Results are rounded back with ``+x``.
"""
from contextlib import contextmanager

import mpmath

GUARD_DIGITS = 10


@contextmanager
def workdps(dps, guard=GUARD_DIGITS):
    """Run a block at ``dps + guard`` decimal digits, restoring the old precision."""
    old = mpmath.mp.prec
    try:
        mpmath.mp.dps = int(dps) + int(guard)
        yield mpmath.mp
    finally:
        mpmath.mp.prec = old


def round_back(x):
    """Round an mpmath number (or a list of them) to the current precision."""
    if isinstance(x, (list, tuple)):
        return type(x)(round_back(v) for v in x)
    return +x


def ae(a, b, dps=None, rel=True):
    """Approximate equality with tolerance following precision.

    ``|a - b| <= 10**(-dps + 5) * max(1, |b|)`` (relative when ``rel``), with
    ``dps`` the current mpmath precision when not given.  Used by all tests.
    """
    if dps is None:
        dps = mpmath.mp.dps
    tol = mpmath.mpf(10) ** (-dps + 5)
    scale = max(1, abs(mpmath.mpmathify(b))) if rel else 1
    return abs(mpmath.mpmathify(a) - mpmath.mpmathify(b)) <= tol * scale
