"""Evaluation helpers shared by every measure: scalar/array dispatch and precision.

A measure implements scalar kernels in mpmath (``_cauchy_mp``, ``_pdf_mp``,
``_cdf_mp``) that run in the mpmath context given to them, and optionally numpy
kernels (``_cauchy_np``, ...) for double precision.  :func:`evaluate` routes a
call: ``dps=None`` means double precision (numpy kernel when there is one,
otherwise the mpmath kernel at 15 digits plus guard digits, converted to
float/complex); ``dps=N`` runs the mpmath kernel at ``N`` digits plus guard
digits and rounds the results back to ``N`` digits.  The mpmath kernels take
the context they work in as an argument: ``_cauchy_mp(z, ctx)``.
"""
from fractions import Fraction
import functools
import numbers
import warnings

import mpmath
import numpy as np
import sympy

from . import validation as _v
from .errors import InvalidArgument, PrecisionWarning
from .precision import GUARD_DIGITS, check_dps, context, round_to


def _is_scalar(x):
    return np.ndim(x) == 0 and not isinstance(x, (list, tuple))


def exact(x):
    """Turn a Python number into an exact sympy number when it is exactly representable.

    ints and Fractions become sympy Rationals; floats stay floats (inexact input
    stays inexact); sympy expressions pass through.
    """
    if isinstance(x, sympy.Basic):
        return x
    if isinstance(x, bool):
        raise InvalidArgument(f"expected a number, got {x!r}")
    if isinstance(x, (int, np.integer)):
        return sympy.Integer(int(x))
    if isinstance(x, Fraction):
        return sympy.Rational(x.numerator, x.denominator)
    return x


def simplify(x):
    """The package's one simplification policy for exact values: sympy's ``simplify`` on sympy
    expressions, rationals and atoms returned as they are (no work, and no first-call import of
    sympy's unit system for plain numbers); anything else (int, Fraction, float) unchanged.  Never
    ``nsimplify``, which guesses a closed form from digits and can change the value.

    A *radical constant* (built from rationals and constants like pi by ``+``, ``*`` and powers only,
    e.g. the Hermite data ``(-2 + pi)/(4 pi)`` of ReLU) takes the cheap path of
    :func:`_simplify_constant`, which gives sympy's canonical form without the ~0.25 s first-call import of
    ``sympy.physics.units`` that ``sympy.simplify`` does (tests/test_numerics.py checks that both forms
    are the same, structurally)."""
    if not isinstance(x, sympy.Basic) or x.is_Rational or x.is_Atom:
        return x
    if x in _SIMPLIFIED or _is_monomial_constant(x):
        return x
    return _simplified(x)


#: sympy numbers known to be their own simplification (:func:`declare_simplified`)
_SIMPLIFIED = set()


def declare_simplified(*values):
    """Record closed forms written in the form ``sympy.simplify`` gives them (e.g. the Hermite data of the named
    activations, tests/test_hermite.py), so that :func:`simplify` returns them without work: the first call of
    sympy's simplification steps in a process costs ~10-20 ms of its lazily built machinery."""
    _SIMPLIFIED.update(v for v in values if isinstance(v, sympy.Basic))


def _is_monomial_constant(x):
    """True for a product of a rational and rational powers of number symbols (pi, E, ...) and of positive
    integers, e.g. ``1/(2 pi)``, ``3/(4 sqrt(pi))``: sympy's automatic evaluation already gives such a product its
    canonical form, which ``sympy.simplify`` returns unchanged (tests/test_numerics.py)."""
    if not (x.is_Mul or x.is_Pow):
        return False
    for f in sympy.Mul.make_args(x):
        if f.is_Rational or isinstance(f, sympy.NumberSymbol):
            continue
        if f.is_Pow and f.exp.is_Rational and (isinstance(f.base, sympy.NumberSymbol)
                                               or (f.base.is_Integer and f.base > 0)):
            continue
        return False
    return True


@functools.lru_cache(maxsize=4096)
def _simplified(x):
    """:func:`simplify` of a sympy expression, kept (expressions are immutable values; the same
    Hermite data and atoms are simplified again by every law built from them)."""
    if _is_radical_constant(x):
        return _simplify_constant(x)
    return sympy.simplify(x)


def _is_radical_constant(x):
    """True when every node of ``x`` is a sum, product or power of rationals and number symbols."""
    return all(isinstance(node, (sympy.Add, sympy.Mul, sympy.Pow, sympy.Rational, sympy.NumberSymbol))
               for node in sympy.preorder_traversal(x))


def _simplify_constant(x):
    """``sympy.simplify(x)`` for a radical constant ``x``: the steps of sympy's ``simplify`` that can
    change such a number, in its order (sympy 1.14, ``sympy/simplify/simplify.py``; the others only act on
    functions, floats, sums, integrals or units, which a radical constant has none of)."""
    from sympy import (Mul, S, cancel, count_ops, factor_terms, fraction, powsimp, radsimp, signsimp,
                       together, expand_mul, expand_power_exp)
    from sympy.core.function import _mexpand
    from sympy.core.rules import Transform
    from sympy.simplify.simplify import _bottom_up

    def shorter(*choices):            # the fewest operations; ties to the first
        return choices[0] if len(set(choices)) == 1 else min(choices, key=count_ops)

    if x.is_zero:
        return S.Zero
    original = expr = signsimp(x)
    if not expr.args:
        return expr
    expr = _bottom_up(expr, lambda w: getattr(w, "normal", lambda: w)())
    expr = Mul(*powsimp(expr).as_content_primitive())
    _e = cancel(expr)
    expr1 = shorter(_e, _mexpand(_e).cancel())
    expr2 = shorter(together(expr, deep=True), together(expr1, deep=True))
    expr = factor_terms(shorter(expr2, expr1, expr), sign=False)
    short = shorter(powsimp(expr, combine="exp", deep=True), powsimp(expr), expr)
    short = shorter(short, cancel(short))
    short = shorter(short, factor_terms(short), expand_power_exp(expand_mul(short)))
    # sympy's "hollow" 2-argument products (a number times a sum) are evaluated
    expr = short.xreplace(Transform(lambda e: Mul(*e.args), lambda e: e.is_Mul and len(e.args) == 2
                                    and e.args[0].is_Number and e.args[1].is_Add and e.is_commutative))
    numer, denom = expr.as_numer_denom()
    if denom.is_Add:
        n, d = fraction(radsimp(1 / denom, symbolic=False, max_terms=1))
        if n is not S.One:
            expr = (numer * n).expand() / d
    if expr.could_extract_minus_sign():
        n, d = fraction(expr)
        if d != 0:
            expr = signsimp(-n / (-d))
    if count_ops(expr) > 1.7 * count_ops(original):
        expr = original
    return expr.doit()


def as_float(x):
    """Numeric value of an exact or inexact parameter (raises on free symbols)."""
    if isinstance(x, sympy.Basic):
        if x.free_symbols:
            raise InvalidArgument(f"numeric evaluation needs numeric parameters; {x} has symbols "
                                  f"{sorted(map(str, x.free_symbols))}")
        return float(x)
    return float(x)


def to_mp(x, ctx):
    """A real or complex number (float, int, Fraction, numpy scalar, sympy number, mpmath number) in the
    mpmath context ``ctx``; irrational sympy numbers are evaluated at the context's precision.

    An exact non-integer input (a rational, or a sympy number built from rationals) gets, on top of the context's
    precision, as many bits as it takes to write its rationals: kernels subtract edges and atoms from x in mpmath,
    and ``-1 + 10^-50`` rounded to the working precision was the edge -1 itself at every precision of
    :func:`evaluate`'s verification, which then agreed on a wrong 0 (docs/numerics.md, "Points next to an edge at
    dps")."""
    if isinstance(x, (complex, np.complexfloating)):
        return ctx.mpc(float(x.real), float(x.imag))
    if isinstance(x, (int, np.integer)):
        return ctx.mpf(int(x))
    if isinstance(x, numbers.Rational):
        with ctx.extraprec(_exact_bits(x.numerator, x.denominator)):
            return ctx.mpf(x.numerator) / x.denominator
    if isinstance(x, np.floating):
        return ctx.mpf(x.item())
    if isinstance(x, sympy.Basic):
        if isinstance(x, sympy.Rational):
            with ctx.extraprec(_exact_bits(int(x.p), int(x.q))):
                return ctx.mpf(int(x.p)) / int(x.q)
        extra = sum(_exact_bits(int(r.p), int(r.q)) for r in x.atoms(sympy.Rational))
        with ctx.extraprec(extra):
            return ctx.convert(sympy.N(x, ctx.dps + 5))
    return ctx.convert(x)


def _exact_bits(p, q):
    """Bits that write the rational ``p/q`` (0 for an integer, exact at any precision it fits in)."""
    return 0 if q == 1 else abs(p).bit_length() + q.bit_length()


def evaluate(x, np_kernel, mp_kernel, dps=None, complex_out=False, name=None, arg=None, verify=None):
    """Evaluate a measure kernel at ``x`` (scalar or array) at the precision asked.

    ``name`` (e.g. ``"Semicircle.pdf"``) names the public method in errors.  ``mp_kernel(v, ctx)`` runs
    in a fresh mpmath context (:func:`freetk.precision.context`), so no
    call changes mpmath's global precision and calls are safe in threads.  NaN inputs give NaN at
    their position only.  ``x`` is checked first (:func:`freetk.validation.points`, named ``arg``):
    booleans, strings, ``None``, complex values of a real-valued function, and infinite points of the
    Cauchy transform are refused.

    ``verify`` (closed-form kernels, cheap at any precision: the number of bits that write the law's exact
    parameters, else None): with ``dps`` every value is computed with twice the bits of the point and of the
    parameters on top of the working precision, at rising working precisions until two successive ones agree to
    ``dps + 3`` digits (:func:`_verified`): a point next to an edge or an atom lost the digits of that cancellation
    (``uniform(-1, 1).cdf(-1 + 10^-40, dps=15)`` was 0; docs/numerics.md, "Points next to an edge at dps").
    """
    func = name or _public_name(mp_kernel)
    dps = check_dps(func, dps)
    _v.points(func, arg or ("z" if complex_out else "x"), x, complex_ok=complex_out, finite=complex_out,
              double=dps is None)
    scalar = _is_scalar(x)
    if dps is None:
        if np_kernel is not None:
            arr = np.asarray(x, dtype=complex if complex_out or np.iscomplexobj(x) else float)
            flat = np.atleast_1d(arr).ravel()
            bad = np.isnan(flat)
            if np.any(bad):
                res = np.full(flat.shape, np.nan, dtype=complex if complex_out or np.iscomplexobj(arr) else float)
                if np.any(~bad):
                    res[~bad] = np.asarray(np_kernel(flat[~bad]))
            else:
                res = np.asarray(np_kernel(flat))
            res = res.reshape(arr.shape)
            return res[()] if scalar else res
        dtype = complex if complex_out else float
        ctx = context(15)
        vals = []
        for v in np.atleast_1d(np.asarray(x, dtype=object)).ravel():
            if _isnan(v):
                vals.append(np.nan)
                continue
            r = mp_kernel(to_mp(v, ctx), ctx)
            vals.append(complex(r) if complex_out else float(ctx.re(r)))
        vals = np.array(vals, dtype=dtype).reshape(np.shape(x))
        return vals[()] if scalar else vals
    xs = np.atleast_1d(np.asarray(x, dtype=object))
    ctx = context(dps)
    if verify is not None:
        flat = [mpmath.mpf("nan") if _isnan(v) else round_to(_verified(mp_kernel, v, dps, func, verify), dps)
                for v in xs.ravel()]
    else:
        flat = [mpmath.mpf("nan") if _isnan(v) else round_to(mp_kernel(to_mp(v, ctx), ctx), dps) for v in xs.ravel()]
    if scalar:
        return flat[0]
    out = np.empty(len(flat), dtype=object)
    out[:] = flat
    return out.reshape(xs.shape)


#: largest guard (extra working digits) of :func:`_verified`: a point 10^-1200 from an edge still gets its digits
_VERIFY_MAX_GUARD = 1270


def _verified(kernel, v, dps, func, law_bits=0):
    """``kernel`` at the point ``v`` with guard digits 10, 30, 70, 150, ... (each ``2g + 10``) until two successive
    values agree to ``dps + 3`` digits relative to the larger (NaN with NaN, equal infinities); returns the value at
    the higher precision.  Every level also carries twice the bits that write ``v`` and the law's exact parameters
    (``law_bits``): a rational point and a rational end of small height are then apart by far more than the
    working precision's rounding (two levels rounding ``-1 + 10^-50`` to the end -1 agreed on a wrong 0), and the
    rounding of an irrational end (``sqrt``) changes from level to level, so the values agree only once the
    cancellation is resolved.  Beyond ``_VERIFY_MAX_GUARD`` a PrecisionWarning gives the last difference."""
    extra = 2 * (law_bits + exact_bits(v))
    guard, prev = GUARD_DIGITS, None
    while True:
        ctx = context(dps, guard)
        ctx.prec += extra
        cur = kernel(to_mp(v, ctx), ctx)
        if prev is not None:
            diff = _disagreement(prev, cur, ctx)
            if diff <= mpmath.mpf(10) ** -(dps + 3):
                return cur
            if guard >= _VERIFY_MAX_GUARD:
                warnings.warn(f"{func}: at x = {mpmath.nstr(ctx.convert(v), 8)} the values at {dps + guard} and "
                              f"{dps + (guard - 10) // 2} working digits differ by {mpmath.nstr(diff, 3)} (relative): "
                              f"fewer than the {dps} digits asked are certain", PrecisionWarning, stacklevel=4)
                return cur
        prev, guard = cur, 2 * guard + 10


def exact_bits(v):
    """Bits that write an exact number (int, Fraction, sympy number: its integers and rationals; summed over lists,
    tuples and dicts); 0 for floats and anything else (a double is exact in any mpmath context)."""
    if isinstance(v, bool):
        return 0
    if isinstance(v, (int, np.integer)):
        return int(v).bit_length()
    if isinstance(v, numbers.Rational):
        return abs(v.numerator).bit_length() + v.denominator.bit_length()
    if isinstance(v, sympy.Basic):
        return sum(abs(int(r.p)).bit_length() + int(r.q).bit_length() for r in v.atoms(sympy.Rational))
    if isinstance(v, (list, tuple)):
        return sum(exact_bits(u) for u in v)
    if isinstance(v, dict):
        return sum(exact_bits(u) for u in v.values())
    return 0


def _disagreement(a, b, ctx):
    """Relative difference of two kernel values, part by part (real and imaginary), relative to the largest finite
    part: 0 where both are NaN or the same infinity (a real pole's limit ``re - i inf``), infinite where only one is."""
    num = scale = 0
    for x, y in ((ctx.re(a), ctx.re(b)), (ctx.im(a), ctx.im(b))):
        if _isnan(x) or _isnan(y):
            if not (_isnan(x) and _isnan(y)):
                return mpmath.inf
            continue
        if ctx.isinf(x) or ctx.isinf(y):
            if x != y:
                return mpmath.inf
            continue
        num, scale = max(num, abs(x - y)), max(scale, abs(x), abs(y))
    return 0 if num == 0 else num / scale


def _public_name(kernel):
    """``Semicircle.pdf`` for the kernel ``Semicircle._pdf_mp`` (used in error messages)."""
    owner = getattr(kernel, "__self__", None)
    name = getattr(kernel, "__name__", "evaluate").strip("_")
    name = name[:-3] if name.endswith("_mp") else name
    return f"{type(owner).__name__}.{name}" if owner is not None else name


def _isnan(v):
    try:
        return bool(v != v)
    except TypeError:
        return False


def gauss_legendre(n):
    """Cached Gauss-Legendre nodes and weights on [-1, 1] (double precision)."""
    key = int(n)
    if key not in _GL_CACHE:
        _GL_CACHE[key] = np.polynomial.legendre.leggauss(key) if key < GL_NEWTON else _gl_newton(key)
    return _GL_CACHE[key]


#: from this size on the nodes come from Newton's method on the three-term recurrence (O(n^2) flops,
#: no dense eigenvalue problem: numpy's ``leggauss`` solves one of size n, which costs a third of a
#: second at n = 256 when the BLAS threads compete with other processes)
GL_NEWTON = 64


def _gl_newton(n):
    """Gauss-Legendre rule by Newton's method from Tricomi's initial guesses, vectorised over the
    nodes (ascending, as ``leggauss``); weights ``2 / ((1 - x^2) P_n'(x)^2)``."""
    k = np.arange(1, n + 1)
    x = -np.cos(np.pi * (k - 0.25) / (n + 0.5))
    for _ in range(100):
        p0, p1 = np.ones_like(x), x
        for j in range(2, n + 1):
            p0, p1 = p1, ((2 * j - 1) * x * p1 - (j - 1) * p0) / j
        dp = n * (x * p1 - p0) / (x * x - 1)
        dx = p1 / dp
        x = x - dx
        if np.max(np.abs(dx)) <= 1e-16:
            break
    p0, p1 = np.ones_like(x), x
    for j in range(2, n + 1):
        p0, p1 = p1, ((2 * j - 1) * x * p1 - (j - 1) * p0) / j
    dp = n * (x * p1 - p0) / (x * x - 1)
    return x, 2 / ((1 - x * x) * dp * dp)


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
