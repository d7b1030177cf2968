"""Double-precision branches of a plane algebraic curve ``P(G, z) = sum_j c_j(z) G^j = 0``.

Pure kernels on a :class:`Curve` (float coefficient rows), no law involved: all roots in ``G`` at
many ``z`` (companion eigenvalues), the slope ``G' = -P_z/P_G``, and predictor-corrector root
matching that moves a branch from ``z0`` to ``z1`` (halving a step whose nearest root is not four
times nearer than the next one), down vertical lines and along the real axis.
"""
from fractions import Fraction
from typing import NamedTuple

import numpy as np

from ..errors import NoConvergence

#: height ratio of one step of the vertical descent (an ambiguous step is halved by :func:`step`)
RATIO = 0.5


class Curve(NamedTuple):
    """``P(G, z)`` in double precision: ``A[j]`` the coefficients of ``c_j(z)`` (highest power of
    ``z`` first, rows padded to one length), ``dA[j]`` those of ``c_j'(z)``."""
    A: np.ndarray
    dA: np.ndarray


def curve(int_rows):
    """:class:`Curve` from integer rows (``int_rows[j]`` = coefficients of ``c_j``, lowest power
    first).  All rows are scaled by one power of 2 so that the largest coefficient fits a double
    (the roots in ``G`` do not change)."""
    top = max((abs(v) for row in int_rows for v in row if v), default=1)
    shift = max(0, top.bit_length() - 600)
    m = max((len(row) for row in int_rows), default=1) or 1
    A = np.zeros((len(int_rows), m))
    for j, row in enumerate(int_rows):
        for k, v in enumerate(row):
            A[j, m - 1 - k] = float(v >> shift) if v >= 0 else -float((-v) >> shift)
    dA = A[:, :-1] * np.arange(m - 1, 0, -1, dtype=float)
    return Curve(A, dA)


def _rows_at(A, z):
    """``(n, rows)``: every row of ``A`` (highest power first) evaluated at the points ``z``
    (one Vandermonde product: the rows are short, so this beats Horner's loop of array operations)."""
    if A.shape[1] == 0:
        return np.zeros((len(z), A.shape[0]), dtype=complex)
    return np.vander(z, A.shape[1]) @ A.T


def roots(cv, z):
    """All roots in ``G`` of ``P(G, z)`` for an array of ``z``: shape ``(n, d)`` (``inf`` where the
    leading coefficient vanishes)."""
    return roots_of_rows(_rows_at(cv.A, z))


def roots_of_rows(C):
    """All roots of the polynomials ``sum_j C[i, j] G^j`` (one row each): companion eigenvalues."""
    d = C.shape[-1] - 1
    with np.errstate(all="ignore"):
        mon = C[:, :d] / C[:, d][:, None]
    comp = np.zeros((C.shape[0], d, d), dtype=complex)
    if d > 1:
        comp[:, 1:, :-1] = np.eye(d - 1)
    comp[:, :, -1] = -mon
    bad = ~np.isfinite(comp).all(axis=(1, 2))
    comp[bad] = 0
    r = np.linalg.eigvals(comp)
    r[bad] = np.inf
    return r


def slope(cv, G, z):
    """``G'(z) = -P_z/P_G`` at the points ``(G, z)``."""
    C = _rows_at(cv.A, z)
    D = _rows_at(cv.dA, z)
    d = C.shape[-1] - 1
    Gp = G[:, None] ** np.arange(d + 1)
    Pz = np.sum(D * Gp, axis=1)
    PG = np.sum(C[:, 1:] * np.arange(1, d + 1) * Gp[:, :-1], axis=1)
    with np.errstate(all="ignore"):
        return -Pz / PG


def match(rts, pred):
    """Root nearest to each prediction, its distance and the distance of the next nearest."""
    dist = np.abs(rts - pred[:, None])
    dist = np.where(np.isfinite(dist), dist, np.inf)
    order = np.argsort(dist, axis=1)
    rows = np.arange(len(pred))
    d2 = dist[rows, order[:, 1]] if rts.shape[1] > 1 else np.full(len(pred), np.inf)
    return rts[rows, order[:, 0]], dist[rows, order[:, 0]], d2


def step(cv, G, z0, z1, depth=0):
    """Move the branch values ``G`` at ``z0`` to ``z1`` (arrays); ambiguous steps are halved."""
    pred = G + slope(cv, G, z0) * (z1 - z0)
    pred = np.where(np.isfinite(pred), pred, G)
    best, d1, d2 = match(roots(cv, z1), pred)
    bad = ~(d1 <= 0.25 * d2)
    if np.any(bad) and depth < 40:
        zm = (z0[bad] + z1[bad]) / 2
        Gm = step(cv, G[bad], z0[bad], zm, depth + 1)
        best[bad] = step(cv, Gm, zm, z1[bad], depth + 1)
    elif np.any(bad) and np.any(np.imag(z1[bad]) > 0):
        raise NoConvergence("AlgebraicLaw: the physical branch could not be followed (roots too close)",
                            residual=float(np.max(d1[bad])), iterations=depth)
    return best


def descend(cv, G, x, eta, floor, real):
    """Continue the branch values ``G`` at ``x + i eta`` down to ``x + i floor`` by halving the
    height, then (where ``real``) onto the real axis in one more (self-halving) step."""
    eta = np.asarray(eta, float).copy()
    cur = x + 1j * eta
    for _ in range(400):
        new_eta = np.maximum(eta * RATIO, floor)
        if np.all(new_eta == eta):
            break
        nz = x + 1j * new_eta
        G = step(cv, G, cur, nz)
        cur, eta = nz, new_eta
    if np.any(real):
        G[real] = step(cv, G[real], cur[real], x[real] + 0j)
    return G


def lower(rts, pairs):
    """The roots of a real polynomial that lie below the real axis, ``inf`` elsewhere (same shape as
    ``rts``), knowing that ``pairs`` of its roots are non-real conjugate pairs: in each row the
    ``2 pairs`` roots of largest ``|Im| / |G|`` are the non-real ones (the computed real roots carry
    only rounding in their imaginary part, relative to their size), and of these the ``pairs`` with ``Im < 0`` are kept."""
    rts = np.atleast_2d(rts)
    out = np.full(rts.shape, np.inf, dtype=complex)
    if pairs <= 0:
        return out
    with np.errstate(all="ignore"):
        key = np.where(np.isfinite(rts) & (rts != 0), np.abs(rts.imag) / np.abs(rts), -1.0)
    order = np.argsort(-key, axis=1)[:, :2 * pairs]
    rows = np.arange(rts.shape[0])[:, None]
    sel = rts[rows, order]
    keep = np.isfinite(sel) & (sel.imag <= 0)
    out[rows, order] = np.where(keep, sel, np.inf)
    return out


def _candidates(rts, pairs):
    """Roots allowed for a boundary value: below the axis (``pairs`` known: :func:`lower`), or
    (``pairs`` None) every root with ``Im G <= 0`` up to rounding (the conjugate partner excluded)."""
    if pairs is not None:
        return lower(rts, pairs)
    rts = np.asarray(rts)
    return np.where(np.isfinite(rts) & (rts.imag <= 1e-8 * (1 + np.abs(rts))), rts, np.inf)


def march(cv, g, x0, x1, rts=None, depth=0, pairs=None):
    """Move the root ``g`` (``Im g <= 0``) of ``P(., x0)`` to real ``x1`` among the roots with
    ``Im G <= 0`` (its conjugate partner excluded; with ``pairs`` given, among the non-real roots
    below the axis, see :func:`lower`), halving ambiguous steps."""
    if rts is None:
        rts = roots(cv, np.array([x1 + 0j]))[0]
    pred = g + slope(cv, np.array([g]), np.array([x0 + 0j]))[0] * (x1 - x0)
    if not np.isfinite(pred):
        pred = g
    cand = np.ravel(_candidates(rts, pairs))
    cand = cand[np.isfinite(cand)]
    if len(cand) == 0:
        raise NoConvergence("AlgebraicLaw.pdf: no root below the real axis inside the support")
    d = np.sort(np.abs(cand - pred))
    if len(d) > 1 and not d[0] <= 0.25 * d[1]:
        if depth >= 12:
            raise NoConvergence("AlgebraicLaw.pdf: the branch could not be followed along the real axis",
                                residual=float(d[0]), iterations=depth)
        xm = (x0 + x1) / 2
        gm = march(cv, g, x0, xm, None, depth + 1, pairs)
        return march(cv, gm, xm, x1, rts, depth + 1, pairs)
    return cand[np.argmin(np.abs(cand - pred))]


def jump(cv, g0, x0, x1, rts, pairs=None):
    """Vectorised single step of :func:`march` without halving: for each ``i`` the root of
    ``rts[i]`` (roots of ``P(., x1[i])``) with ``Im G <= 0`` (see :func:`march` for ``pairs``)
    nearest to ``g0 + G'(x0) (x1 - x0)``, and whether it is four times nearer than the next one
    (else :func:`march` must decide)."""
    pred = g0 + slope(cv, g0, x0 + 0j) * (x1 - x0)
    pred = np.where(np.isfinite(pred), pred, g0)
    best, d1, d2 = match(_candidates(rts, pairs), pred)
    return best, np.isfinite(d1) & (d1 <= 0.25 * d2)


def exact_values(int_rows, x, eta=0):
    """The coefficients ``c_j(x + i eta)`` at rationals ``x``, ``eta`` (or doubles, taken exactly),
    evaluated exactly in (Gaussian) integers and rounded once to complex doubles, up to one positive
    factor common to the row (the roots in ``G`` unchanged).  No cancellation where
    ``c_j`` is small (near its roots), whatever the size and signs of the coefficients."""
    x, eta = Fraction(x), Fraction(eta)
    q = x.denominator * eta.denominator
    p, r = int(x * q), int(eta * q)
    m = max(len(row) for row in int_rows) - 1
    pw = [(1, 0)]                                    # (p + i r)^k q^(m - k), real and imaginary parts
    for _ in range(m):
        a, b = pw[-1]
        pw.append((a * p - b * r, a * r + b * p) if r else (a * p, 0))
    qs = [q ** (m - k) for k in range(m + 1)]
    vals = [(sum(c * pw[k][0] * qs[k] for k, c in enumerate(row)),
             sum(c * pw[k][1] * qs[k] for k, c in enumerate(row)) if r else 0) for row in int_rows]
    # the numerators scaled together so that the largest is about 2^1000: finite, and the smallest
    # representable relative to it (the common factor q^m and the power of 2 leave the roots unchanged)
    shift = max((max(abs(a), abs(b)).bit_length() for a, b in vals), default=0) - 1000
    if shift >= 0:                                   # int / int and float(int) round correctly
        return np.array([complex(a / (1 << shift), b / (1 << shift)) for a, b in vals])
    return np.array([complex(float(a << -shift), float(b << -shift)) for a, b in vals])


def exact_rows(int_rows, x):
    """:func:`exact_values` at the real doubles ``x``, one row per point (real doubles, each row up
    to its own positive factor)."""
    x = np.asarray(x, float)
    out = np.zeros((len(x), len(int_rows)))
    for i, v in enumerate(x):
        out[i] = exact_values(int_rows, float(v)).real
    return out


def newton(int_rows, G, x, steps=3):
    """A few Newton steps on ``P(., x)`` from the roots ``G`` at real ``x`` (arrays), in double
    precision with exactly evaluated coefficients (:func:`exact_rows`): the companion eigenvalues
    of rounded coefficients lose accuracy where the leading coefficient is small (a large root
    next to a pole of a branch).  A step is kept only where it is a small correction
    (``|dG| <= 1e-3 |G|``), so a root is never exchanged for another."""
    G = np.array(G, dtype=complex)
    C = exact_rows(int_rows, x)
    d = C.shape[-1] - 1
    j = np.arange(d + 1)
    for _ in range(steps):
        with np.errstate(all="ignore"):
            Gp = G[:, None] ** j
            f = np.sum(C * Gp, axis=1)
            fp = np.sum(C[:, 1:] * j[1:] * Gp[:, :-1], axis=1)
            dG = f / fp
        ok = np.isfinite(dG) & (np.abs(dG) <= 1e-3 * np.abs(G))
        G = np.where(ok, G - dG, G)
    return G
