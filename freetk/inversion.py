"""Moments to quadrature, and locating supports.

* :func:`jacobi_from_moments` — the Chebyshev algorithm (Gautschi 2004, Alg. 2.1),
  run exactly on rational moments or in mpmath with guard digits; the precision
  it needs grows linearly with the number of nodes, so :func:`gauss_from_moments`
  runs it at two precisions and reports (or warns about) the disagreement.
* :func:`gauss_from_jacobi` — nodes/weights from the Jacobi matrix (Golub-Welsch).
* :func:`find_support` — intervals where a density is positive, edges by bisection.
"""
from fractions import Fraction
import warnings

import flint
import mpmath
import numpy as np
import sympy

from .errors import InvalidArgument, NotAMeasure, PrecisionWarning
from .numeric import to_mp
from .precision import context, round_to
from .series import _kind, _to_fmpq


def _fmpq_to_fraction(x):
    return Fraction(int(x.p), int(x.q))


def jacobi_from_moments(m, n, ctx=None):
    """Recurrence coefficients ``(alpha_0..alpha_{n-1}, beta_0..beta_{n-1})`` from ``m_0..m_{2n-1}``.

    The Chebyshev algorithm (Gautschi 2004, Alg. 2.1), O(n^2) operations.  Works in the arithmetic
    of the moments: exact for rationals (FLINT ``fmpq`` inside, Fractions returned), else in the
    mpmath context ``ctx`` (15 digits when not given).  Raises :class:`NotAMeasure` when some
    ``beta_k <= 0``.
    """
    if len(m) < 2 * n:
        raise InvalidArgument(f"`jacobi_from_moments` needs 2n = {2 * n} moments, got {len(m)}")
    exact = _kind(m[:2 * n]) == "rational"
    if exact:
        mm = [_to_fmpq(x) for x in m[:2 * n]]
        zero = flint.fmpq(0)
    else:
        ctx = ctx or context(15)
        mm = [to_mp(x, ctx) for x in m[:2 * n]]
        zero = ctx.mpf(0)
    alpha, beta = [], []
    prev = [zero] * (2 * n)
    cur = list(mm)
    alpha.append(cur[1] / cur[0])
    beta.append(cur[0])
    for k in range(1, n):
        nxt = [zero] * (2 * n)
        for l in range(k, 2 * n - k):
            nxt[l] = cur[l + 1] - alpha[k - 1] * cur[l] - beta[k - 1] * prev[l]
        if nxt[k] <= 0:
            raise NotAMeasure(f"moments give a non-positive recurrence coefficient beta_{k} = "
                              f"{float(nxt[k] / cur[k - 1]):.3e}: not a measure with >= {k + 1} support points, "
                              "or not enough precision", order=k)
        alpha.append(nxt[k + 1] / nxt[k] - cur[k] / cur[k - 1])
        beta.append(nxt[k] / cur[k - 1])
        prev, cur = cur, nxt
    if exact:
        return [_fmpq_to_fraction(v) for v in alpha], [_fmpq_to_fraction(v) for v in beta]
    return alpha, beta


def hankel_positivity(m, func="from_moments"):  # long: one recursion; its rows, pivots and tolerances share state
    r"""Check that ``m_0..m_N`` can be the moments of a probability measure (Hamburger), in O(N^2).

    The Chebyshev algorithm computes ``sigma_{k,l} = L(pi_k x^l)`` for the monic orthogonal
    polynomials ``pi_k`` of the moment functional ``L``.  Its diagonal is the ratio of Hankel
    determinants, ``sigma_{k,k} = det H_k / det H_{k-1}`` (``H_k = [m_{i+j}]_{i,j<=k}``), so the
    Hankel matrices are positive definite up to order ``K`` exactly when ``sigma_{k,k} > 0`` for
    ``k <= K`` (equivalently every ``beta_k > 0``).  When ``sigma_{p,p} = 0`` the only candidate
    is the ``p``-atomic measure with the first ``2p`` moments; its ``pi_p`` vanishes on the atoms,
    so the remaining moments are consistent exactly when ``sigma_{p,l} = 0`` for all ``l`` the data
    reach (``p + l <= N``).

    Exact for rational moments (FLINT ``fmpq``); for inexact moments the signs are decided against
    the rounding error of each step at the precision the moments carry, and the
    flat-extension test is skipped.  Symbolic moments cannot be decided: returns None.

    Returns the number of atoms ``p`` when the data determine a ``p``-atomic measure, else None.
    Raises :class:`NotAMeasure` with ``order`` the Hankel order at which positivity fails.
    """
    N = len(m) - 1
    kind = _kind(m)
    if kind == "sympy":
        return None
    exact = kind == "rational"
    if exact:
        sig_prev, sig = [flint.fmpq(0)] * (N + 1), [_to_fmpq(x) for x in m]
    else:
        # work at the precision the moments carry (their mantissa length), never less than double
        ctx = mpmath.MPContext()
        ctx.prec = max([53] + [x._mpf_[3] for x in m if hasattr(x, "_mpf_")])
        sig_prev, sig = [ctx.mpf(0)] * (N + 1), [ctx.convert(x) for x in m]
        eps = ctx.mpf(2) ** (-ctx.prec + 8)
    scale = [abs(x) for x in sig] if not exact else None
    alpha = beta = None
    for k in range(0, N // 2 + 1):
        if k > 0:   # row k from rows k-1 and k-2: sigma_{k,l} for l = k..N-k
            new = [0] * (N + 1)
            new_scale = [0] * (N + 1) if not exact else None
            for l in range(k, N - k + 1):
                new[l] = sig[l + 1] - alpha * sig[l] - beta * sig_prev[l]
                if not exact:
                    new_scale[l] = scale[l + 1] + abs(alpha) * scale[l] + abs(beta) * abs(sig_prev[l])
            sig_prev, sig, scale = sig, new, new_scale
        piv = sig[k]
        if exact:
            neg, zero = piv < 0, piv == 0
        else:
            tol = eps * scale[k] * (k + 1)
            neg, zero = piv < -tol, abs(piv) <= tol
        if neg:
            raise NotAMeasure(
                f"Argument `m` of `{func}` is not the moment sequence of a probability measure: "
                f"the Hankel determinant of order {k} (moments up to m_{2 * k}) is negative", order=k)
        if zero:
            if exact:
                for l in range(k + 1, N - k + 1):
                    if sig[l] != 0:
                        raise NotAMeasure(
                            f"Argument `m` of `{func}` is not the moment sequence of a probability measure: "
                            f"the Hankel matrix of order {k} is singular (only a measure with {k} atoms "
                            f"fits m_0..m_{2 * k}) but m_{k + l} is not that measure's moment",
                            order=(k + l + 1) // 2)
            return k
        if 2 * k + 1 <= N:
            prev_piv = sig_prev[k - 1] if k > 0 else None
            alpha = sig[k + 1] / piv - (sig_prev[k] / prev_piv if k > 0 else 0)
            beta = piv / prev_piv if k > 0 else piv
    return None


def gauss_from_jacobi(alpha, beta, dps=None):
    """Gauss nodes and weights from recurrence coefficients (Golub-Welsch).

    Double precision through LAPACK when ``dps`` is None (numpy's dense ``eigh`` on the ``n x n`` Jacobi
    matrix, n <= 256: the accuracy of a tridiagonal solver without importing ``scipy.linalg``, 0.3 s on first
    use), mpmath ``eigsy`` at ``dps`` digits (in a context of its own, plus guard digits) otherwise.
    """
    n = len(alpha)
    if dps is None:
        a = np.array([float(x) for x in alpha])
        b = np.sqrt(np.array([float(x) for x in beta[1:]]))
        x, v = np.linalg.eigh(np.diag(a) + np.diag(b, 1) + np.diag(b, -1))
        return x, float(beta[0]) * v[0, :] ** 2
    ctx = context(dps)
    J = ctx.zeros(n, n)
    for i in range(n):
        J[i, i] = to_mp(alpha[i], ctx)
        if i + 1 < n:
            J[i, i + 1] = J[i + 1, i] = ctx.sqrt(to_mp(beta[i + 1], ctx))
    E, Q = ctx.eigsy(J)
    b0 = to_mp(beta[0], ctx)
    nodes = [E[i] for i in range(n)]
    weights = [b0 * Q[0, i] ** 2 for i in range(n)]
    order = sorted(range(n), key=lambda i: nodes[i])
    return [round_to(nodes[i], dps) for i in order], [round_to(weights[i], dps) for i in order]


def gauss_from_moments(m, n, dps=None, check=True):
    """``n``-point Gauss rule of the measure with moments ``m`` (needs ``m_0..m_{2n-1}``).

    Exact moments are processed exactly.  Inexact ones are processed at the precision asked
    (``dps``, or double); the moments are perturbed at that precision and the rule recomputed: if
    the two disagree by more than the precision asked, a :class:`PrecisionWarning` says how many
    digits survive.
    """
    target = 15 if dps is None else dps
    if _kind(m[:2 * n]) == "rational":
        alpha, beta = jacobi_from_moments(m, n)
        return gauss_from_jacobi(alpha, beta, dps)
    ctx = context(target, guard=0)
    a1, b1 = jacobi_from_moments(m, n, ctx)
    if check:
        # perturb the moments at their own precision: the disagreement measures the loss
        eps = ctx.mpf(2) ** (-ctx.prec + 4)
        mp_ = [to_mp(x, ctx) * (1 + eps * ((-1) ** j)) for j, x in enumerate(m[:2 * n])]
        a2, b2 = jacobi_from_moments(mp_, n, ctx)
        err = max(abs(x - y) / (1 + abs(x)) for x, y in zip(a1 + b1, a2 + b2))
        lost = float(ctx.log10(err / eps)) if err > 0 else 0.0
        survive = ctx.dps - lost
        if err > 0 and survive < target:
            warnings.warn(f"gauss_from_moments: the {2 * n} moments given support about {survive:.0f} digits "
                          f"of the {n}-point rule, fewer than the {target} asked", PrecisionWarning, stacklevel=2)
    return gauss_from_jacobi(a1, b1, dps)


def terminated_cf(z, alpha, beta, sqrt=np.sqrt):
    """Cauchy transform from recurrence coefficients: the Jacobi continued fraction
    ``beta_0/(z - alpha_0 - beta_1/(z - alpha_1 - ...))`` closed by a square-root terminator (the
    coefficients frozen at their last values, i.e. the semicircle tail on
    ``alpha_{n-1} ± 2 sqrt(beta_{n-1})``).  Exact for measures whose coefficients become constant;
    for one-interval laws (Nevai class) it gives the density in the bulk by Stieltjes inversion.
    ``sqrt`` is ``numpy.sqrt`` for arrays or ``ctx.sqrt`` of an mpmath context.
    """
    ai, bi = alpha[-1], beta[-1]
    s2 = 2 * sqrt(bi)
    g = 2 / ((z - ai) + sqrt(z - ai - s2) * sqrt(z - ai + s2))   # rationalised terminator
    for k in range(len(alpha) - 2, -1, -1):
        g = 1 / (z - alpha[k] - beta[k + 1] * g)
    return beta[0] * g


def find_support(measure, lo, hi, n=600, rel_threshold=1e-10, hints=()):
    """Intervals ``[(a, b), ...]`` inside ``[lo, hi]`` where ``measure.pdf`` is positive.

    Scans a grid (uniform, plus geometric grids towards ``lo`` and around each ``hint``, where
    narrow pieces of support may hide, e.g. near atoms of a jump law), then locates each edge by
    bracket refinement on the sign of the density above a threshold relative to its maximum.
    """
    span = hi - lo
    parts = [np.linspace(lo, hi, n), lo + np.geomspace(1e-9 * span, span, n // 3)]
    for h in hints:
        h = float(h)
        if lo < h < hi:
            off = np.geomspace(1e-6 * max(abs(h), 1e-12 * span), max(abs(h), 1e-9 * span), 60)
            parts += [h - off, h + off]
    xs = np.unique(np.clip(np.concatenate(parts), lo, hi))
    n = xs.size
    f = np.nan_to_num(np.asarray(measure.pdf(xs), dtype=float))
    top = f.max() if f.size else 0
    if top <= 0:
        return []
    thr = rel_threshold / span   # relative to the density scale 1/span, not to a possibly singular maximum
    pos = f > thr
    # brackets (outside, inside) for every edge, refined together: 16 points per round
    idx_l = [i for i in range(n) if pos[i] and (i == 0 or not pos[i - 1])]
    idx_r = [j for j in range(n) if pos[j] and (j == n - 1 or not pos[j + 1])]
    brackets = []
    for i in idx_l:
        brackets.append([xs[i - 1], xs[i]] if i > 0 else [xs[0], xs[0]])
    for j in idx_r:
        brackets.append([xs[j + 1], xs[j]] if j + 1 < n else [xs[-1], xs[-1]])
    brackets = np.array(brackets, dtype=float).reshape(-1, 2)
    span = hi - lo
    for _ in range(12):
        width = np.abs(brackets[:, 1] - brackets[:, 0])
        if np.all(width <= 1e-13 * max(span, 1.0)):
            break
        t = np.linspace(0, 1, 17)[1:-1]
        pts = brackets[:, :1] + (brackets[:, 1:] - brackets[:, :1]) * t[None, :]
        vals = np.nan_to_num(np.asarray(measure.pdf(pts.ravel()), float)).reshape(pts.shape) > thr
        for e in range(len(brackets)):
            if width[e] == 0:
                continue
            ins = np.nonzero(vals[e])[0]
            k = ins[0] if len(ins) else len(t)       # first point (from outside) that is inside
            o = brackets[e, 0] if k == 0 else pts[e, k - 1]
            i_ = brackets[e, 1] if k == len(t) else pts[e, k]
            brackets[e] = [o, i_]
    edges = brackets.mean(axis=1)
    out = []
    for a, b in zip(edges[:len(idx_l)], edges[len(idx_l):]):
        a = lo if abs(a - lo) < 1e-9 * span else a   # snap edges that sit on the bounds
        b = hi if abs(b - hi) < 1e-9 * span else b
        out.append((float(a), float(b)))
    return out


def _bisect_edge(measure, outside, inside, thr, iters=40):
    for _ in range(iters):
        mid = (outside + inside) / 2
        if float(measure.pdf(mid)) > thr:
            inside = mid
        else:
            outside = mid
        if abs(inside - outside) <= 1e-14 * max(1.0, abs(mid)):
            break
    return (inside + outside) / 2


def _monic_orthogonal(alpha, beta, x):
    """``(pi_{p-1}, pi_p)`` over Q from the three-term recurrence
    ``pi_{k+1} = (x - alpha_k) pi_k - beta_k pi_{k-1}``."""
    prev, cur = sympy.Poly(1, x, domain="QQ"), sympy.Poly(x - sympy.Rational(alpha[0]), x, domain="QQ")
    for k in range(1, len(alpha)):
        prev, cur = cur, (sympy.Poly(x, x, domain="QQ") - sympy.Rational(alpha[k])) * cur \
            - sympy.Rational(beta[k]) * prev
    return prev, cur


def extend_atomic_moments(m, p, k):
    """``m_0..m_k`` of the ``p``-atomic law with moments ``m`` (rational, ``len(m) >= 2p``), exactly.

    Every moment of that law satisfies ``L(x^j pi_p) = 0``: with ``pi_p = sum_i c_i x^i`` (monic),
    ``m_{j+p} = -sum_{i<p} c_i m_{j+i}``, a rational recurrence.
    """
    alpha, beta = jacobi_from_moments(m, p)
    c = [sympy.Rational(v) for v in reversed(_monic_orthogonal(alpha, beta, sympy.Symbol("x"))[1].all_coeffs())]
    out = [sympy.Rational(v) for v in m]
    while len(out) <= k:
        j = len(out) - p
        out.append(-sum((c[i] * out[j + i] for i in range(p)), sympy.Integer(0)))
    return out[:k + 1]


def atoms_from_moments(m, p):
    """The ``p``-atomic probability measure whose moments start with the rational ``m_0..m_{2p-1}``.

    Used when the Hankel matrices of ``m`` have rank ``p`` (:func:`hankel_positivity` returned
    ``p``): the measure is then determined and is the ``p``-point Gauss rule of the moment
    functional.  Exact: the recurrence coefficients are rational (Chebyshev algorithm over Q),
    the atoms are the roots of the monic orthogonal polynomial ``pi_p`` (rationals, radicals for
    quadratic factors, ``CRootOf`` otherwise: ``pi_p`` has ``p`` simple real roots), and the
    weights are the Christoffel numbers
    ``lambda_j = beta_0 beta_1 ... beta_{p-1} / (pi_{p-1}(x_j) pi_p'(x_j))``,
    evaluated as ``c q(x_j)`` with ``q = (pi_{p-1} pi_p')^{-1} mod f`` for each irreducible factor
    ``f`` of ``pi_p`` (a polynomial of degree ``< deg f`` in the root).  The last weight is written
    ``1 - (sum of the others)`` (the same number: the weights sum to ``m_0 = 1``) so that the sum is
    exactly 1 to sympy as well.

    Returns ``(locations, weights)``, sympy numbers sorted by location.
    """
    alpha, beta = jacobi_from_moments(m, p)
    x = sympy.Symbol("x")
    prev, cur = _monic_orthogonal(alpha, beta, x)
    norm = sympy.Mul(*[sympy.Rational(b) for b in beta[:p]])
    denom = prev * cur.diff(x)
    pairs = []
    for f, _ in cur.factor_list()[1]:
        q = sympy.invert(denom.rem(f).as_expr(), f.as_expr(), x) if f.degree() > 1 else None
        for r in f.all_roots():
            if f.degree() == 1:
                w = norm / denom.eval(r)
            else:
                w = sympy.expand(norm * q.subs(x, r)) if not isinstance(r, sympy.CRootOf) else norm * q.subs(x, r)
            pairs.append((r, w))
    pairs.sort(key=lambda t: float(t[0]))
    locs = [r for r, _ in pairs]
    ws = [w for _, w in pairs]
    ws[-1] = 1 - sum(ws[:-1], sympy.Integer(0))
    return locs, ws
