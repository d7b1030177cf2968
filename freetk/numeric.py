"""Evaluation helpers shared by every measure: scalar/array dispatch and precision.

A measure implements scalar kernels in mpmath (``_cauchy_mp``, ``_pdf_mp``,
``_cdf_mp``) that run at the current mpmath precision, and optionally numpy
kernels (``_cauchy_np``, ...) for double precision.  :func:`evaluate` routes a
call: ``dps=None`` means double precision (numpy kernel when there is one,
otherwise the mpmath kernel at 15 digits plus guard digits, converted to
float/complex); ``dps=N`` runs the mpmath kernel at ``N`` digits plus guard
digits and rounds the results back to ``N`` digits.
"""
import numbers

import mpmath
import numpy as np

from .precision import workdps


def _is_scalar(x):
    return np.ndim(x) == 0 and not isinstance(x, (list, tuple))


def _to_mp(x):
    if isinstance(x, (complex, np.complexfloating)):
        return mpmath.mpc(x.real, x.imag)
    if isinstance(x, (numbers.Real, np.floating, np.integer)):
        return mpmath.mpf(x) if not isinstance(x, numbers.Rational) or isinstance(x, int) \
            else mpmath.mpf(x.numerator) / x.denominator
    return mpmath.mpmathify(x)


def evaluate(x, np_kernel, mp_kernel, dps=None, complex_out=False):
    """Evaluate a measure kernel at ``x`` (scalar or array) at the precision asked."""
    scalar = _is_scalar(x)
    if dps is None:
        if np_kernel is not None:
            arr = np.asarray(x, dtype=complex if complex_out or np.iscomplexobj(x) else float)
            out = np_kernel(np.atleast_1d(arr))
            out = np.asarray(out).reshape(arr.shape)
            return out[()] if scalar else out
        dtype = complex if complex_out else float
        with workdps(15):
            flat = [mp_kernel(_to_mp(v)) for v in np.atleast_1d(np.asarray(x, dtype=object)).ravel()]
            vals = np.array([complex(v) if complex_out else float(mpmath.re(v)) for v in flat], dtype=dtype)
        vals = vals.reshape(np.shape(x))
        return vals[()] if scalar else vals
    dps = int(dps)
    xs = np.atleast_1d(np.asarray(x, dtype=object))
    with workdps(dps):
        flat = [mp_kernel(_to_mp(v)) for v in xs.ravel()]
    # round back to the precision asked
    old = mpmath.mp.prec
    try:
        mpmath.mp.dps = dps
        flat = [+v for v in flat]
    finally:
        mpmath.mp.prec = old
    if scalar:
        return flat[0]
    out = np.empty(len(flat), dtype=object)
    out[:] = flat
    return out.reshape(xs.shape)


def gauss_legendre(n):
    """Cached Gauss-Legendre nodes and weights on [-1, 1] (double precision)."""
    key = int(n)
    if key not in _GL_CACHE:
        _GL_CACHE[key] = np.polynomial.legendre.leggauss(key)
    return _GL_CACHE[key]


_GL_CACHE = {}


def edge_nodes(lo, hi, n):
    """Nodes/weights for ``int_lo^hi f(x) dx`` after ``x = c - h cos(theta)``.

    Returns ``(x, w, s)`` with ``s = sqrt((x - lo)(hi - x)) = h sin(theta)``, so that a
    density with square-root edges becomes smooth in ``theta`` and the quadrature
    ``sum w f(x)`` converges exponentially.  ``w`` already includes ``dx = s dtheta``.
    """
    t, wt = gauss_legendre(n)
    theta = (t + 1) * np.pi / 2
    c, h = (lo + hi) / 2, (hi - lo) / 2
    x = c - h * np.cos(theta)
    s = h * np.sin(theta)
    return x, wt * np.pi / 2 * s, s
