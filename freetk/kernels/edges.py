"""Support edges from inverse maps on the real axis (pure functions, double precision).

Off the support, the Cauchy transform of a law built from simpler laws has a real-analytic inverse
``x = X(p)`` in a real parameter ``p``, strictly monotone there:

* free compound Poisson, rate ``r``, jumps ``J``: ``p = zeta = 1/G`` on a gap of ``J`` and
  ``x(zeta) = (1 - r) zeta + r zeta^2 G_J(zeta)`` (``= 1/G + r int t dJ(t)/(1 - t G)``), increasing
  off the support;
* ``mu ⊞ nu``: ``p = g = G``, ``x(g) = w_mu(g) + w_nu(g) - 1/g`` with ``w_mu`` the inverse of
  ``G_mu`` on a gap of ``mu`` (one branch per gap), decreasing off the support;
* ``mu ⊠ nu`` (both on ``[0, inf)``): ``p = u = x G(x) - 1 = psi(1/x)``,
  ``x(u) = X_mu(u) X_nu(u) u/(1 + u)`` with ``X_mu`` the inverse of ``u_mu`` on a gap (this is
  ``S_{mu⊠nu} = S_mu S_nu`` written for ``1/chi``), decreasing off the support.

The complement of the support is the union, over branches, of the images of the parameter intervals
where the derivative has the 'off-support' sign (for ⊞ this is exactly the condition that the real
subordination fixed point is attracting: ``x'(g) < 0  <=>  (F_mu' - 1)(F_nu' - 1) < 1``).  Edges are
the images of the sign changes of ``x'`` (critical points, square-root edges: kind ``"sqrt"``) and
of the ends of the admissible range where ``x'`` has not changed sign (the branch runs into the
support of an operand: the density vanishes faster than a square root, or blows up; kind ``"end"``).
A critical point is located by regula falsi (Illinois) on ``x'``; the edge value ``X(p*)`` is
insensitive to the error in ``p*`` to first order, so edges come out to full double precision.
"""
from collections import namedtuple

import numpy as np

from ..errors import NoConvergence
from ..numeric import gauss_legendre

#: samples of the parameter on each branch: Chebyshev points plus geometric grading at both ends
N_CHEB = 96
N_GRADED = 20
GRADE_MIN = 1e-14
#: root-refinement / safeguarded Newton iteration caps
MAX_ROOT = 60
MAX_INVERT = 200
#: support intervals shorter than this (relative to the overall scale) are atoms, not intervals
MIN_WIDTH = 1e-12
#: off-support intervals narrower than this (relative to the overall scale) are below the rounding
#: level of the edges themselves, and are not gaps
GAP_ROUNDING = 1e-14
#: a sign of x' is trusted only where |x'| exceeds this fraction of the sum of its terms' sizes
#: (near tangencies, e.g. the cusp of semicircle ⊞ (δ_-1 + δ_1)/2 at 0, the terms cancel)
SIGN_TOL = 1e-11
#: local maxima of x' (in the off-support sign, relative to its terms' sizes) above -NEAR_REL are
#: near-critical points: reported as interior breakpoints for the quadratures
NEAR_REL = 0.3

#: an edge this close (relative to the size of its pair's terms) to the limit of a pole pair whose masses add up to
#: exactly 1 is that limit (:func:`snap_ends`)
SNAP_REL = 1e-13

Interval = namedtuple("Interval", "lo hi lo_kind hi_kind")
Branch = namedtuple("Branch", "a b fa fb")   # gap (a, b) of a measure, f decreasing from fa to fb


# ----------------------------------------------------------------------------- real-axis pairs
def real_pair(measure):
    """``x -> (G(x), G'(x))`` on real points off the support of ``measure`` (real arrays)."""
    def pair(x):
        with np.errstate(all="ignore"):
            g, dg = measure._cauchy_pair_np(np.asarray(x, float) + 0j)
            # a real limit re - i inf (at an atom of a mixture: its continuous part's re) is a pole, not a value
            g = np.where(np.isfinite(g), g, np.nan)
            dg = np.where(np.isfinite(dg), dg, np.nan)
        return np.real(g), np.real(dg)
    return pair


def real_u_pair(measure):
    """``x -> (u, u')`` with ``u(x) = x G(x) - 1`` on real points off the support of ``measure`` (real arrays), from
    :meth:`Measure._cauchy_psi_np`: families whose mass sits at 0 give ``u`` without forming ``x G - 1`` (of size ``p``
    next to 1 for a measure with mass ``1 - p`` at 0).  ``f(x, size=True)`` also returns the size ``S`` of the terms ``u``
    was formed from (``|u|`` for those families, ``|x G| + 1`` where ``u = x G - 1``)."""
    def f(x, size=False):
        with np.errstate(all="ignore"):
            g, _, k, S, dk = measure._cauchy_psi_np(np.asarray(x, float) + 0j)
            k = np.where(np.isfinite(g) & np.isfinite(k), k, np.nan)     # a pole (see real_pair)
            dk = np.where(np.isfinite(dk), dk, np.nan)
        return (np.real(k), np.real(dk), np.real(S)) if size else (np.real(k), np.real(dk))
    return f


def real_var(measure):
    """``x -> G(x)^2 + G'(x)`` on real points off the support (:meth:`Measure._cauchy_var_np`), or ``None`` when the
    measure has no form of its own (the support search then adds ``1/G'`` and ``1/G^2`` as before)."""
    from ..measures.base import own_cauchy_var
    var = own_cauchy_var(measure)
    if var is None:
        return None

    def f(x):
        with np.errstate(all="ignore"):
            return np.real(var(np.asarray(x, float) + 0j))
    return f


def union(intervals):
    """The union of closed intervals ``(lo, hi)``, as sorted disjoint intervals."""
    merged = []
    for lo, hi in sorted(intervals):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def gaps(support, atom_locs, skip_zero=False):
    """Open gaps ``(a, b)`` of a measure (``a`` may be ``-inf``, ``b`` ``+inf``) between its support
    intervals and atoms (an atom at 0 is not a cut point when ``skip_zero``)."""
    cuts = [(float(lo), float(hi)) for lo, hi in support]
    cuts += [(float(x), float(x)) for x in atom_locs if not (skip_zero and float(x) == 0.0)]
    merged = union(cuts)
    ends = [-np.inf] + [v for iv in merged for v in iv] + [np.inf]
    return [(ends[2 * i], ends[2 * i + 1]) for i in range(len(merged) + 1)]


def _end_value(f, e, inward):
    """Limit of ``f`` at a gap end ``e`` from inside: ``f(e)`` when finite, else ±inf by the sign next to it."""
    if not np.isfinite(e):
        return None
    with np.errstate(all="ignore"):
        v = float(f(np.array([e]))[0][0])
    if np.isfinite(v):
        return v
    d = 1e-13 * max(1.0, abs(e))
    with np.errstate(all="ignore"):
        w = float(f(np.array([e + inward * d]))[0][0])
    return np.copysign(np.inf, w)


def branches(f, gap_list, at_inf):
    """The gaps with the limits ``fa = f(a+)``, ``fb = f(b-)`` of a function decreasing on each gap.
    ``at_inf(side)`` gives the limit at ``-inf`` / ``+inf`` (e.g. 0 for ``G``)."""
    out = []
    for a, b in gap_list:
        fa = at_inf(-1) if not np.isfinite(a) else _end_value(f, a, +1)
        fb = at_inf(+1) if not np.isfinite(b) else _end_value(f, b, -1)
        if fa is None or fb is None or not fa > fb:
            continue
        out.append(Branch(a, b, fa, fb))
    return out


def invert(f, br, y, w0=None):
    """``w`` in the gap ``(br.a, br.b)`` with ``f(w) = y`` for each ``y`` in ``(br.fb, br.fa)``, by a
    safeguarded Newton iteration (bisection whenever a step leaves the bracket); vectorised.
    ``f(w)`` returns ``(value, derivative)``; ``f`` is decreasing on the gap.  ``w0`` (optional, the
    shape of ``y``): starting points (e.g. the solutions at nearby ``y``); the midpoint of the bracket
    is used where ``w0`` is not strictly inside it, or lies next to a finite end of the gap (a pole of
    ``f`` there: the Newton step and the residual test both scale with the distance to the pole, so
    a start next to it would pass the convergence tests far from the root)."""
    y = np.asarray(y, float)
    lo = np.full(y.shape, br.a)
    hi = np.full(y.shape, br.b)
    # finite brackets on infinite sides: step outwards, doubling, until f crosses y
    for side, arr in ((-1, lo), (1, hi)):
        end = br.b if side < 0 else br.a
        if np.isfinite(arr).all():
            continue
        base = end if np.isfinite(end) else 0.0
        with np.errstate(divide="ignore"):
            step = (1.0 + abs(base)) * (1 + np.minimum(1 / np.abs(y), 1e300))   # G ~ 1/w, u ~ m_1/w
        cand = base + side * step
        inner = np.full(y.shape, np.nan)       # last point passed on the way out (f not yet across y)
        for _ in range(1100):
            v, _ = f(cand)
            done = (v < y) if side > 0 else (v > y)
            if np.all(done):
                break
            inner = np.where(done, inner, cand)
            step = np.where(done, step, 2 * step)
            cand = base + side * step
        arr[:] = cand
        other = hi if side < 0 else lo
        ok = np.isfinite(inner)
        other[ok] = inner[ok]
    w = _start(br, lo, hi, w0)
    active = np.ones(y.shape, bool)
    for _ in range(MAX_INVERT):
        v, dv = f(w)
        r = v - y
        # update the bracket (f decreasing: r > 0 means w is left of the root)
        left = r > 0
        lo = np.where(active & left, w, lo)
        hi = np.where(active & ~left & (r != 0), w, hi)
        with np.errstate(all="ignore"):
            wn = w - r / dv
        tiny = np.abs(wn - w) <= 1e-15 * np.abs(w) + 1e-300
        # next to a pole of f (an atom at a finite end of the gap) the Newton step and the rounding
        # level |w f'| both scale with the distance to the pole: a tiny step or a 'rounding-level'
        # residual there says nothing when the residual is large; bisect instead
        big = ~(np.abs(r) <= 1e-6 * (1 + np.abs(y)))
        bad = ~np.isfinite(wn) | (wn <= lo) | (wn >= hi) | (tiny & big)
        wn = np.where(bad, 0.5 * (lo + hi), wn)
        # converged at w: residual at the rounding level of f at w (w itself is kept)
        at_w = (r == 0) | ((np.abs(r) <= 4e-16 * (np.abs(y) + np.abs(w * dv))) & ~big)
        # converged after the step: tiny Newton step, or bracket at rounding level
        after = (~bad & tiny) | (hi - lo <= 4e-16 * np.abs(w))
        w = np.where(active & ~at_w, wn, w)
        active &= ~(at_w | after)
        if not np.any(active):
            break
    return w


def _start(br, lo, hi, w0):
    """Starting points of :func:`invert`: ``w0`` where it lies inside the bracket ``(lo, hi)`` and not
    next to a finite end of the gap ``br``, else the midpoint of the bracket."""
    w = 0.5 * (lo + hi)
    if w0 is None:
        return w
    w0 = np.broadcast_to(np.asarray(w0, float), w.shape)
    inside = np.isfinite(w0) & (w0 > lo) & (w0 < hi)
    for end in (br.a, br.b):
        if np.isfinite(end):
            inside &= np.abs(w0 - end) > 1e-6 * (1 + abs(end))
    return np.where(inside, w0, w)


def _samples(p0, p1, n=N_CHEB, ng=N_GRADED):
    """Points of the open parameter interval ``(p0, p1)``, graded towards both ends (either may be infinite)."""
    s = np.concatenate([(1 - np.cos(np.pi * (np.arange(1, n) / n))) / 2,
                        np.geomspace(GRADE_MIN, 0.05, ng), 1 - np.geomspace(GRADE_MIN, 0.05, ng)])
    s = np.sort(s[(s > 0) & (s < 1)])
    s = s[np.concatenate([[True], s[1:] != s[:-1]])]     # distinct values (np.unique imports numpy.ma: 8 ms)
    if np.isfinite(p0) and np.isfinite(p1):
        return p0 + (p1 - p0) * s
    if np.isfinite(p0):
        L = 1.0 + abs(p0)
        return p0 + L * s / (1 - s)
    if np.isfinite(p1):
        L = 1.0 + abs(p1)
        return p1 - L * (1 - s) / s
    return np.tan(np.pi * (s - 0.5))


#: times :func:`outside_images` samples again the run of parameters where the inversion works, when that run is short
ZOOMS = 4


def _sampled(p0, p1, D):
    """``(ps, d, size)``: ``D`` at the samples of ``(p0, p1)``.  Where the inversion works on a short run of them only
    (fewer than a quarter, contiguous: a branch whose parameter range outruns what doubles resolve, e.g. ``u = K(x)``
    next to the log-singular end 2 of ``uniform(1, 2)`` carrying mass 1e-6 saturates at ~5e-5 of a range ``(0, 0.7)``),
    that run and the gaps to its failed neighbours are sampled again, up to ``ZOOMS`` times (with the 8 samples left
    there the critical point was missed and the support of a ⊠ reported ``[1, 4.83]`` instead of ``[1, 2.0001]``)."""
    ps = _samples(p0, p1)
    with np.errstate(all="ignore"):
        d, size = D(ps)
    for _ in range(ZOOMS):
        fin = np.flatnonzero(np.isfinite(d))
        if not (0 < fin.size < len(ps) // 4 and fin[-1] - fin[0] + 1 == fin.size):
            break
        q0 = ps[fin[0] - 1] if fin[0] > 0 else p0
        q1 = ps[fin[-1] + 1] if fin[-1] < len(ps) - 1 else p1
        ps2 = _samples(q0, q1)
        with np.errstate(all="ignore"):
            d2, size2 = D(ps2)
        order = np.argsort(np.concatenate([ps, ps2]), kind="stable")
        ps, d, size = (np.concatenate(v)[order] for v in ((ps, ps2), (d, d2), (size, size2)))
    return ps, d, size


def outside_images(p0, p1, X, D, off_sign, x_at, near=None, params=None):
    """Open ``x``-intervals off the support coming from one branch parameterised on ``(p0, p1)``.

    ``X(p)`` is the inverse map, ``D(p)`` returns ``(d, size)`` with ``d`` of the sign of ``X'(p)`` and
    ``size`` the sum of the sizes of the terms of ``d``; points where ``off_sign * d > 0`` are off the
    support, samples where ``|d| <= SIGN_TOL * size`` (sign lost to cancellation) are not used.  ``x_at(p_end)`` gives the limit of ``X`` at an end of
    the parameter interval (±inf allowed).  Returns ``[(x_left, x_right, kind_left, kind_right)]``.

    ``params`` (a dict), when given, receives ``x -> (p, kind)`` for every edge returned: the parameter
    behind it (the critical point, or the end of the parameter interval), for a polish at higher
    precision (:func:`fcp_edge_mp`).

    ``near`` (a list), when given, receives the images of the interior local maxima of
    ``off_sign * d / size`` that stay below 0 but above ``-NEAR_REL``: near-critical points, where the
    support almost splits and the density has a deep, narrow dip (quadratures cut there).
    """
    ps, d, size = _sampled(p0, p1, D)
    with np.errstate(all="ignore"):
        d = off_sign * d
    # samples where an inversion failed, or whose sign is lost to cancellation, carry no information
    keep = np.isfinite(d) & (np.abs(d) > SIGN_TOL * size)
    ps, d, size = ps[keep], d[keep], size[keep]
    good = d > 0
    if near is not None and len(ps) > 2:
        rel = d / size
        peaks = [i for i in range(1, len(ps) - 1)
                 if rel[i] >= rel[i - 1] and rel[i] >= rel[i + 1] and -NEAR_REL < rel[i] <= 0]
        if peaks:
            at = _argmax(lambda p: off_sign * D(p)[0], ps[[i - 1 for i in peaks]], ps[[i + 1 for i in peaks]])
            near.extend(float(v) for v in X(at))
    if not np.any(good):
        return []
    runs, n = _runs(good), len(ps)
    brackets = []
    for i, j in runs:
        brackets.append((i - 1, i) if i > 0 else None)
        brackets.append((j + 1, j) if j < n - 1 else None)
    roots = _sign_changes(ps, d, brackets, lambda p: off_sign * D(p)[0])
    out = []
    for r, (i, j) in enumerate(runs):
        pl, pr = roots[2 * r], roots[2 * r + 1]
        kl = "sqrt" if pl is not None else "end"
        kr = "sqrt" if pr is not None else "end"
        with np.errstate(all="ignore"):
            xl = float(X(np.array([pl]))[0]) if pl is not None else x_at(p0)
            xr = float(X(np.array([pr]))[0]) if pr is not None else x_at(p1)
        if not (np.isfinite(xl) or np.isinf(xl)) or not (np.isfinite(xr) or np.isinf(xr)):
            continue
        out.append((xl, xr, kl, kr))
        if params is not None:
            params[xl] = (pl if pl is not None else p0, kl)
            params[xr] = (pr if pr is not None else p1, kr)
    return out


def _runs(good):
    """The maximal runs ``(i, j)`` (inclusive) of consecutive ``True`` in the boolean array ``good``."""
    runs, i, n = [], 0, len(good)
    while i < n:
        if not good[i]:
            i += 1
            continue
        j = i
        while j + 1 < n and good[j + 1]:
            j += 1
        runs.append((i, j))
        i = j + 1
    return runs


def _sign_changes(ps, d, brackets, fn):
    """The zeros of ``fn`` in the brackets ``(i, j)`` of samples ``ps`` (values ``d``, opposite signs at
    ``i`` and ``j``; None: no bracket), all refined at once by the Illinois (modified regula falsi)
    method; a point where ``fn`` is not finite is treated as lying on the far side."""
    idx = [k for k, b in enumerate(brackets) if b is not None]
    roots = [None] * len(brackets)
    if not idx:
        return roots
    a = np.array([ps[brackets[k][0]] for k in idx])
    fa = np.array([d[brackets[k][0]] for k in idx])
    b = np.array([ps[brackets[k][1]] for k in idx])
    fb = np.array([d[brackets[k][1]] for k in idx])
    for _ in range(MAX_ROOT):
        if np.all(np.abs(b - a) <= 1e-15 * np.maximum(np.abs(a), np.abs(b)) + 1e-300):
            break
        with np.errstate(all="ignore"):
            c = (a * fb - b * fa) / (fb - fa)
        out_ = ~np.isfinite(c) | (c <= np.minimum(a, b)) | (c >= np.maximum(a, b))
        c = np.where(out_, 0.5 * (a + b), c)
        with np.errstate(all="ignore"):
            fc = fn(c)
        fc = np.where(np.isfinite(fc), fc, -np.abs(fb) * np.sign(fa))
        swap = np.sign(fc) != np.sign(fb)
        a, fa = np.where(swap, b, a), np.where(swap, fb, fa / 2)
        b, fb = c, fc
    for t, k in enumerate(idx):
        roots[k] = b[t]
    return roots


def complement(off, scale, increasing=True):
    """Support intervals: the complement in the real line of the union of open off-support intervals.

    ``off`` holds ``(x1, x2, kind1, kind2)`` with ``x1`` the image of the smaller parameter; when the
    map is decreasing the interval runs from ``x2`` to ``x1``.  Intervals shorter than
    ``MIN_WIDTH * scale`` (atoms, or touching images) are dropped.
    """
    ivs = []
    for x1, x2, k1, k2 in off:
        if not increasing:
            x1, x2, k1, k2 = x2, x1, k2, k1
        if x2 > x1:
            ivs.append((x1, x2, k1, k2))
    ivs.sort()
    merged = []
    for iv in ivs:
        if merged and iv[0] <= merged[-1][1]:
            last = merged[-1]
            if iv[1] > last[1]:
                merged[-1] = (last[0], iv[1], last[2], iv[3])
        else:
            merged.append(iv)
    # a gap narrower than the rounding level of the edges is no gap: the images of a branch pair that
    # meet at a point of the support (e.g. x -> a1 a2 at a pole pair when mu{a1} + nu{a2} = 1)
    merged = [iv for iv in merged if not iv[1] - iv[0] <= GAP_ROUNDING * scale]
    out = []
    for left, right in zip(merged[:-1], merged[1:]):
        lo, hi = left[1], right[0]
        # an edge computed at a critical point at the origin (x(0) = 0) comes out as +-1e-100-ish
        lo = 0.0 if abs(lo) <= 1e-15 * MIN_WIDTH * scale else lo
        hi = 0.0 if abs(hi) <= 1e-15 * MIN_WIDTH * scale else hi
        if hi - lo > MIN_WIDTH * scale:
            out.append(Interval(lo, hi, left[3], right[2]))
    return out


def snap_ends(intervals, points):
    """Support intervals with every end within ``SNAP_REL * size`` of one of ``points`` moved onto it
    (kind ``"sqrt"``).

    ``points``: pairs ``(c, size)``, ``size`` that of the terms of the inverse map next to ``c`` (``|a| + |b|``,
    ``|a b|``), with ``c`` the limits ``a + b`` (``a b`` for ⊠) of the pole pairs of atoms with ``mu{a} + nu{b} = 1``
    exactly.  Along such a pair the inverse map tends to the limit like ``c/p^2`` (the ``1/p`` terms cancel
    with the masses), so the limit is an edge with a ``1/sqrt`` density next to it (no atom: its mass
    ``mu{a} + nu{b} - 1`` is 0).  The critical-point search stops where the sign of ``x'`` (``~ 1/p^3`` against
    terms ``~ 1/p^2``) is lost to rounding, a few ulps off the limit; next to a ``1/sqrt`` edge those ulps
    are what the angle variable of the quadrature sees (``f`` off by ``delta/(2 s)`` at distance ``s``)."""
    out = []
    for lo, hi, kl, kh in intervals:
        for c, size in points:
            if abs(lo - c) <= SNAP_REL * size:
                lo, kl = c, "sqrt"
            if abs(hi - c) <= SNAP_REL * size:
                hi, kh = c, "sqrt"
        # two pole pairs with the same limit from both sides (a = b = 3/4 δ_{13/2} + 1/4 δ_{21/4}, ⊠: the pairs
        # (13/2, 21/4) and (21/4, 13/2) both end at 273/8): the pieces meet there, no gap; the density crosses the
        # point smoothly (0.0377515177 on both sides, as the algebraic equation's), so the two are one interval
        if out and out[-1].hi == lo and any(lo == c for c, _ in points):
            out[-1] = Interval(out[-1].lo, hi, out[-1].lo_kind, kh)
            continue
        out.append(Interval(lo, hi, kl, kh))
    return out


# ----------------------------------------------------------------------------- the three laws
def fcp_support(rate, j_support, j_atoms, j_pair, breaks=None, params=None):
    """Support intervals (with edge kinds) of the free compound Poisson law with rate ``rate`` and
    jump law ``J`` given by its support intervals, atom locations and real-axis pair ``(G_J, G_J')``.

    ``x(zeta) = (1 - r) zeta + r zeta^2 G_J(zeta)``, ``x'(zeta) = 1 - r + r(2 zeta G_J + zeta^2 G_J')``,
    increasing off the support; on each gap of ``J`` (atoms at 0 are not poles of ``x``).
    """
    r = float(rate)

    def X(z):
        g, _ = j_pair(z)
        return (1 - r) * z + r * z * z * g

    def D(z):
        g, dg = j_pair(z)
        return 1 - r + r * (2 * z * g + z * z * dg), abs(1 - r) + r * (np.abs(2 * z * g) + np.abs(z * z * dg))

    def f(z):    # only for the end values (not monotone in general; used pointwise)
        return X(z), None

    off = []
    scale = 1.0
    def end_value(e, inward):
        if not np.isfinite(e):
            return inward * -np.inf
        if e == 0:      # zeta G_J(zeta) -> J({0}) by dominated convergence: x(0) = 0
            return 0.0
        return _end_value(f, e, inward)

    for a, b in gaps(j_support, j_atoms, skip_zero=True):
        xa, xb = end_value(a, +1), end_value(b, -1)
        ends = {a: xa, b: xb}
        off += outside_images(a, b, X, D, +1, lambda p, ends=ends: ends[p], breaks, params)
        for v in (a, b):
            if np.isfinite(v):
                scale = max(scale, abs(v))
    return complement(off, scale, increasing=True)


def fcp_edge_mp(rate, j_cauchy_mp, p, kind, ctx, p_mp=None, max_iter=20):
    """One support edge of the free compound Poisson law at the precision of the mpmath context ``ctx``,
    from the double-precision parameter ``p = zeta`` behind it (``params`` of :func:`fcp_support`).

    ``x(zeta) = (1 - r) zeta + r zeta^2 G_J(zeta)`` with ``G_J`` from ``j_cauchy_mp(zeta, ctx)`` (real
    ``zeta`` off the support of ``J``).  A critical point (``kind == "sqrt"``) is polished by Newton's
    method on ``x'(zeta) = 0`` (``x'``, ``x''`` by mpmath's numerical differentiation in ``ctx``); the
    edge ``x(zeta*)`` is insensitive to the error in ``zeta*`` to first order, so the iteration stops
    once the step is below the square root of the working precision.  Any other edge is the value at the
    end ``p_mp`` (in ``ctx``) of the admissible range; ``x(0) = 0``.  ``rate`` is an mpmath number.
    Raises :class:`~freetk.errors.NoConvergence` when Newton's method does not settle next to ``p``.
    """
    r = rate

    def X(z):
        return (1 - r) * z + r * z * z * ctx.re(j_cauchy_mp(z, ctx))
    if kind != "sqrt":
        z = ctx.mpf(p) if p_mp is None else p_mp
        return ctx.mpf(0) if z == 0 else X(z)
    if p == 0:
        return ctx.mpf(0)
    return _critical_value_mp(X, p, ctx, "fcp_edge_mp", max_iter, leave=1e-6)


def _critical_value_mp(X, p0, ctx, name, max_iter=20, leave=1e-3):
    """``X(p*)`` at the critical point ``p*`` of ``X`` next to ``p0``: Newton's method on ``X'(p) = 0``
    with ``X'``, ``X''`` by mpmath's numerical differentiation in ``ctx`` (which raises the working
    precision of ``ctx`` while it differentiates: ``X`` must compute at the precision of ``ctx``).  The
    value is insensitive to the error in ``p*`` to first order: the iteration stops once the step is
    below the square root of the working precision.  Raises :class:`~freetk.errors.NoConvergence` when
    Newton's method does not settle, or settles farther than ``leave`` (relative) from ``p0``."""
    p = ctx.convert(p0)
    tol = ctx.mpf(2) ** (-ctx.prec // 2 - 8)
    for _ in range(max_iter):
        step = ctx.diff(X, p, 1) / ctx.diff(X, p, 2)
        p -= step
        if abs(step) <= tol * (1 + abs(p)):
            break
    else:
        raise NoConvergence(f"{name}: Newton on the derivative of the inverse map did not converge from "
                            f"{complex(p0)!r}", best=p, residual=float(abs(step)), iterations=max_iter)
    if abs(p - ctx.convert(p0)) > leave * (1 + abs(p)):
        raise NoConvergence(f"{name}: Newton on the derivative of the inverse map left the start {complex(p0)!r} "
                            f"(reached {ctx.nstr(p, 17)})", best=p, residual=None, iterations=max_iter)
    return X(p)


def _inverse_mp(f, target, w0, ctx):
    """The real ``w`` near ``w0`` with ``f(w) = target``, ``f`` real on the gap of the operand that holds
    ``w0``: a secant iteration in ``ctx`` from ``w0``; when it fails or leaves the gap (``f`` no longer
    real: an operand's support edge can be very close), a bracket around ``w0`` of doubling width whose
    ends stay in the gap, refined by the Anderson-Bjorck method."""
    w0 = ctx.convert(w0)
    tol = ctx.eps * 2 ** 8

    def F(w):
        v = f(w)
        return ctx.re(v) - target, ctx.im(v) == 0
    try:
        w = ctx.findroot(lambda v: ctx.re(f(v)) - target, w0, tol=tol)
        if F(w)[1] and abs(w - w0) <= 1e-3 * (1 + abs(w0)):
            return w
    except (ValueError, ZeroDivisionError):
        pass
    f0, ok0 = F(w0)
    base = ctx.mpf(2) ** (-ctx.prec // 2) * (1 + abs(w0))
    for k in range(2 * ctx.prec):
        h = base * 2 ** k
        for a in (w0 - h, w0 + h):
            fa, oka = F(a)
            if ok0 and oka and fa * f0 <= 0:
                try:
                    return ctx.findroot(lambda v: F(v)[0], (min(a, w0), max(a, w0)), solver="anderson", tol=tol)
                except (ValueError, ZeroDivisionError):
                    # mpmath's own 'could not find root' (a bracket across a pole): ours, naming the target
                    break
    raise NoConvergence(f"inverse map: no real solution of f(w) = {ctx.nstr(target, 17)} next to "
                        f"w = {ctx.nstr(w0, 17)}", best=w0, residual=None, iterations=2 * ctx.prec)


def add_edge_mp(mu_cauchy_mp, nu_cauchy_mp, g0, w1, w2, ctx):
    """A square-root edge of ``mu ⊞ nu`` in ``ctx``: the critical value of ``x(g) = w_mu(g) + w_nu(g) - 1/g``
    (``w_mu`` the inverse of ``G_mu`` on the real axis, by a secant iteration in ``ctx``) next to ``g0``,
    from the double-precision ``g0 = G(x)`` and subordination values ``w1``, ``w2`` just outside the edge."""
    memo = {"w1": w1, "w2": w2}

    def X(g):
        a = _inverse_mp(lambda w: mu_cauchy_mp(w, ctx), g, memo["w1"], ctx)
        b = _inverse_mp(lambda w: nu_cauchy_mp(w, ctx), g, memo["w2"], ctx)
        memo["w1"], memo["w2"] = a, b
        return a + b - 1 / g
    return _critical_value_mp(X, g0, ctx, "add_edge_mp")


def mul_edge_mp(mu_cauchy_mp, nu_cauchy_mp, u0, X1, X2, ctx):
    """A square-root edge of ``mu ⊠ nu`` in ``ctx``: the critical value of ``x(u) = X_mu(u) X_nu(u) u/(1 + u)``
    (``X_mu`` the inverse of ``u_mu(X) = X G_mu(X) - 1`` on the real axis, by a secant iteration in
    ``ctx``) next to ``u0``, from double-precision values ``u0``, ``X1``, ``X2`` just outside the edge."""
    memo = {"X1": X1, "X2": X2}

    def X(u):
        a = _inverse_mp(lambda t: t * mu_cauchy_mp(t, ctx) - 1, u, memo["X1"], ctx)
        b = _inverse_mp(lambda t: t * nu_cauchy_mp(t, ctx) - 1, u, memo["X2"], ctx)
        memo["X1"], memo["X2"] = a, b
        return a * b * u / (1 + u)
    return _critical_value_mp(X, u0, ctx, "mul_edge_mp")


#: an operation's inverse map on a pair of branches: ``x(w1, w2, p)`` and ``dx(w1, w2, p) -> (d, size)``
#: (``d`` of the sign of ``x'``), ``off_sign`` (the sign of ``d`` off the support), parameter ``cuts``;
#: limits at ``p = 0`` when neither branch is outer (``inner_zero(first_end)``) and when one is
#: (``outer_zero(mean of the outer operand, zero of the other)``); at an infinite parameter
#: (``at_poles(b1, b2, p)``); ``special(p, p0, b1, b2)``: the limit at a parameter value with its own
#: limit (``p0`` the left end of the parameter interval being followed), else None
PairMap = namedtuple("PairMap", "x dx off_sign cuts inner_zero outer_zero at_poles special")


def _pair_off_support(m, f1, f2, bm, bn, means, breaks, params=None):
    """Open off-support ``x``-intervals of ``mu ⊞ nu`` or ``mu ⊠ nu`` (``m``, a :data:`PairMap`) over
    every pair of branches ``(b1, b2)`` of the operands' inverse functions ``f1``, ``f2`` (one
    parameter ``p`` common to both, on the overlap of their ranges cut at ``m.cuts``).

    At ``p = 0`` an outer branch (``w -> ±inf``) meets the other operand: both outer gives ``x -> ±inf``;
    one outer gives a finite limit (recorded in ``breaks``: a cusp or kink of the density sits there).

    ``params`` (a dict), when given, receives ``x -> (p, w1, w2)`` for every square-root edge ``x``: the critical
    parameter and both inverses there (the start of the edge's polish at higher precision)."""
    off = []
    for b1 in bm:
        for b2 in bn:
            lo, hi = max(b1.fb, b2.fb), min(b1.fa, b2.fa)
            if not lo < hi:
                continue
            for p0, p1 in _split(lo, hi, m.cuts):
                memo = {}

                def W(p, b1=b1, b2=b2, memo=memo):
                    # successive calls of a root or maximum search move the parameters a little: start
                    # from the last solutions (the bracket of :func:`invert` keeps the answer safe)
                    p = np.asarray(p, float)
                    warm = memo.get("p") is not None and memo["p"].shape == p.shape
                    w1 = invert(f1, b1, p, memo["w1"] if warm else None)
                    w2 = invert(f2, b2, p, memo["w2"] if warm else None)
                    memo.update(p=p, w1=w1, w2=w2)
                    return w1, w2

                def X(p, W=W):
                    return m.x(*W(p), p)

                def D(p, W=W):
                    return m.dx(*W(p), p)

                def x_at(p, b1=b1, b2=b2, p0=p0, X=X):
                    if p == 0:
                        o1, o2 = _outer(b1), _outer(b2)
                        if o1 and o2:
                            return np.inf if p == p0 else -np.inf
                        if not (o1 or o2):
                            return m.inner_zero(p == p0)
                        if o1:
                            return _note(breaks, m.outer_zero(means[0], float(invert(f2, b2, np.array([0.0]))[0])))
                        return _note(breaks, m.outer_zero(means[1], float(invert(f1, b1, np.array([0.0]))[0])))
                    if np.isinf(p):
                        return m.at_poles(b1, b2, p)
                    v = m.special(p, p0, b1, b2)
                    if v is not None:
                        return v
                    w1 = b1.a if p == b1.fa else (b1.b if p == b1.fb else float(invert(f1, b1, np.array([p]))[0]))
                    w2 = b2.a if p == b2.fa else (b2.b if p == b2.fb else float(invert(f2, b2, np.array([p]))[0]))
                    return m.x(w1, w2, p)
                found = {}
                off += outside_images(p0, p1, X, D, m.off_sign, x_at, breaks, found)
                _record_edges(params, found, W)
                if breaks is not None and (p0 == 0 or p1 == 0):
                    x_at(0.0)     # records the finite limit at p = 0
    return off


def _record_edges(params, found, W):
    """``params[x] = (p, w1, w2)`` for the square-root edges ``x -> (p, kind)`` of ``found`` (``params`` may be None)."""
    if params is None:
        return
    for xe, (pe, kind) in found.items():
        if kind == "sqrt":
            w1, w2 = W(np.array([pe]))
            params[xe] = (float(pe), float(w1[0]), float(w2[0]))


def _at_inf(side):
    return 0.0


def add_support(mu_support, mu_atoms, mu_pair, nu_support, nu_atoms, nu_pair, mu_mean, nu_mean, breaks=None,
                mu_var=None, nu_var=None, mu_upair=None, nu_upair=None, params=None):
    """Support intervals (with edge kinds) of ``mu ⊞ nu`` from both operands' supports, atoms and
    real-axis ``(G, G')`` pairs: ``x(g) = w_mu(g) + w_nu(g) - 1/g`` over every pair of branches,
    ``x'(g) = 1/G_mu'(w_mu) + 1/G_nu'(w_nu) + 1/g^2 < 0`` off the support.  At ``g = 0`` an outer branch
    (``w -> ±inf``) meets a finite zero of the other ``G``: ``x -> mean + w_other(0)``, a finite point.

    On the outer branch (``w ~ 1/g``) ``1/G'(w) + 1/g^2`` is a difference of terms of size ``1/g^2`` with a result of
    size ~ the variance; with ``mu_var``/``nu_var`` (:func:`real_var`: ``G^2 + G'`` without that cancellation) it is
    ``(G^2 + G')/(g^2 G')`` on the branch with the larger ``|w|``.  Without it the sign of ``x'`` was lost next to
    ``g = 0`` (below ``SIGN_TOL`` of the terms), and an edge at a critical point 5e-4 from ``g = 0`` was reported at the
    limit ``g -> 0`` instead, 2.7e-7 too far (atoms ⊞ atoms, a random example of the property test).

    The value ``x = w + w_other - 1/g`` has the same cancellation (``w ~ 1/g``, absolute error ``eps/|g|``): with
    ``mu_upair``/``nu_upair`` (:func:`real_u_pair`, ``K = w G(w) - 1``) the outer branch's ``w - 1/g`` is taken as
    ``w - 1/G(w) = K(w)/G(w)``, of size the mean.  An edge at a critical point ``g = -2e-6`` came out 4.9e-11 inside the
    support (``eps/|g|``) before (atoms ⊞ atoms, another example of the property test)."""
    def x(w1, w2, g):
        v = w1 + w2 - 1 / g
        for upair, pair, w, w_other, mine in ((mu_upair, mu_pair, w1, w2, np.abs(w1) >= np.abs(w2)),
                                              (nu_upair, nu_pair, w2, w1, np.abs(w2) > np.abs(w1))):
            if upair is not None and np.any(mine):
                with np.errstate(all="ignore"):
                    t = upair(w)[0] / pair(w)[0] + w_other
                v = np.where(mine & np.isfinite(t), t, v)
        return v

    def dx(w1, w2, g):
        d1, d2 = mu_pair(w1)[1], nu_pair(w2)[1]
        t1, t2, t3 = 1 / d1, 1 / d2, 1 / (g * g)
        d, size = t1 + t2 + t3, np.abs(t1) + np.abs(t2) + t3
        for var, w, dd, t_other, mine in ((mu_var, w1, d1, t2, np.abs(w1) >= np.abs(w2)),
                                          (nu_var, w2, d2, t1, np.abs(w2) > np.abs(w1))):
            if var is not None and np.any(mine):
                with np.errstate(all="ignore"):
                    t13 = var(w) / (g * g * dd)
                ok = mine & np.isfinite(t13)
                d = np.where(ok, t13 + t_other, d)
                size = np.where(ok, np.abs(t13) + np.abs(t_other), size)
        return d, size

    def at_poles(b1, b2, p):
        # both branches end at atoms (poles): the limit is the sum of their locations
        return (b1.a if p == b1.fa else b1.b) + (b2.a if p == b2.fa else b2.b)

    m = PairMap(x=x, dx=dx, off_sign=-1, cuts=(0.0,),
                inner_zero=lambda first: -np.inf if first else np.inf,      # both finite: x ~ -1/g
                outer_zero=lambda mean, w0: mean + w0,                      # w ~ 1/g + mean on the outer one
                at_poles=at_poles, special=lambda p, p0, b1, b2: None)
    bm = branches(mu_pair, gaps(mu_support, mu_atoms), _at_inf)
    bn = branches(nu_pair, gaps(nu_support, nu_atoms), _at_inf)
    scale = 1.0 + sum(abs(v) for iv in list(mu_support) + list(nu_support) for v in iv)
    return complement(_pair_off_support(m, mu_pair, nu_pair, bm, bn, (mu_mean, nu_mean), breaks, params), scale,
                      increasing=False)


def _u_pair(pair):
    """``x -> (u, u')`` with ``u(x) = x G(x) - 1`` from the real-axis pair ``(G, G')``."""
    def f(x, size=False):
        g, dg = pair(x)
        if not size:
            return x * g - 1, g + x * dg
        with np.errstate(all="ignore"):
            return x * g - 1, g + x * dg, np.abs(x * g) + 1
    return f


def _u_branches(f, support, atoms, zero_mass):
    out = []
    for br in branches(f, gaps(support, atoms, skip_zero=True), _at_inf):
        # at a support end at 0, u -> -mu((0, inf)) by dominated convergence (t/(x - t) -> -1)
        fa = -(1 - zero_mass) if br.a == 0 else br.fa
        fb = -(1 - zero_mass) if br.b == 0 else br.fb
        out.append(Branch(br.a, br.b, fa, fb))
    return out


def mul_support(mu_support, mu_atoms, mu_pair, nu_support, nu_atoms, nu_pair, mu_mean, nu_mean,
                mu_zero=0.0, nu_zero=0.0, breaks=None, mu_upair=None, nu_upair=None, params=None):
    """Support intervals (with edge kinds) in ``(0, inf)`` of ``mu ⊠ nu`` for laws on ``[0, inf)``.

    ``u(x) = x G(x) - 1`` is decreasing on each gap (``u' = -int t/(x - t)^2 dmu``; an atom at 0 is not
    a pole of ``u``); with ``X_mu`` its inverse on a gap, ``x(u) = X_mu(u) X_nu(u) u/(1 + u)`` and
    ``(log x)' = X_mu'/X_mu + X_nu'/X_nu + 1/(u (1 + u))``, ``X_mu' = 1/(G_mu + X_mu G_mu')``.
    Off the support ``x > 0`` and the real subordination fixed point is attracting (``|F'| < 1``, see
    :func:`_mul_map_derivative`); ``F' = 1`` exactly where ``x'(u) = 0``.  ``mu_zero``, ``nu_zero``: the operands' masses at 0.
    ``mu_upair``, ``nu_upair``: ``x -> (u, u')`` (:func:`real_u_pair`), else formed from the ``(G, G')`` pairs; with
    ``size=True`` also the size ``S`` of the terms ``u`` was formed from (the sign test's loss).
    """
    fm = mu_upair or _u_pair(mu_pair)
    fn = nu_upair or _u_pair(nu_pair)
    scale = 1.0 + sum(abs(v) for iv in list(mu_support) + list(nu_support) for v in iv)

    def x(w1, w2, u):
        return w1 * w2 * u / (1 + u)

    def dx(w1, w2, u):
        xv = x(w1, w2, u)
        _, du1, s1 = fm(w1, size=True)
        _, du2, s2 = fn(w2, size=True)
        fp, size = _mul_map_derivative(xv, u, w1, du1, w2, du2)
        # u = X G(X) - 1 loses digits like 1/|u| on an outer branch (X G -> 1), and like
        # 1/|1 + u| where an inverse passes through 0 (X -> 0 against u/(1 + u) -> inf); so does
        # u' = G + X G' (-m_1/X^2 from two terms of size 1/X), provided G' itself has no cancellation
        # (the measures' G' must be accurate far from their support: e.g. uniform's -1/((z-lo)(z-hi))).
        # The loss is that of the terms u was formed from (S of Measure._cauchy_psi_np, |X G| + 1 when formed as
        # X G - 1: the factor 1 + 1/|u|); a family that gives u without X G - 1 has S ~ |u| (a mixture almost all atom
        # at 0: u of size p, no loss, where 1/|u| wrongly declared the sign of x' lost and the search missed the edge)
        with np.errstate(all="ignore"):
            loss = np.maximum(s1, s2) / (1 + np.abs(1 + u))
        return (np.where(xv > 0, 1 - np.abs(fp), np.nan),
                (1 + size) * (1 + loss / np.abs(u)) * (1 + 1 / np.abs(1 + u)))

    def special(p, p0, b1, b2):
        if p != -1:
            return None
        return _mul_limit_at_minus_one(p == p0, (fm, mu_pair, b1, mu_zero), (fn, nu_pair, b2, nu_zero))

    def at_poles(b1, b2, p):
        # u -> ±inf: both inverses end at atoms (poles of u), u/(1 + u) -> 1: x -> the product of the atoms
        return (b1.a if p == b1.fa else b1.b) * (b2.a if p == b2.fa else b2.b)

    m = PairMap(x=x, dx=dx, off_sign=+1, cuts=(-1.0, 0.0),
                inner_zero=lambda first: 0.0,
                outer_zero=lambda mean, w0: mean * w0,            # X u -> mean on the outer branch
                at_poles=at_poles, special=special)
    bm = _u_branches(fm, mu_support, mu_atoms, mu_zero)
    bn = _u_branches(fn, nu_support, nu_atoms, nu_zero)
    off = [(0.0, -np.inf, "end", "end")]    # nothing of the continuous part lies in (-inf, 0]
    off += _pair_off_support(m, fm, fn, bm, bn, (mu_mean, nu_mean), breaks, params)
    ivs = complement([iv for iv in off if not (np.isnan(iv[0]) or np.isnan(iv[1]))], scale, increasing=False)
    return [iv for iv in ivs if iv.hi > 0]


def _mul_limit_at_minus_one(from_above, first, second):
    """The limit of ``x(u) = X_mu(u) X_nu(u) u/(1 + u)`` at ``u -> -1`` (from above when ``from_above``),
    each operand given as ``(u pair, (G, G') pair, branch, mass at 0)``.

    An inverse through 0 cancels the pole of ``u/(1 + u)``: ``X(u) -> 0`` as ``u -> -1`` on the branch
    whose gap holds (or ends at) 0 when there is no mass at 0 (``u(0) = -mu((0, inf)) = -1``), with
    ``X(u)/(1 + u) -> 1/u'(0) = 1/G(0)`` (``u' = G + x G'``; ``G(0) = -int dmu(t)/t``, which is
    ``-inf`` when the support reaches 0 with ``1/t`` not integrable: the limit is then 0).  Both
    inverses through 0: ``x -> 0``; one (say ``X_nu``): ``x -> -X_mu(-1)/G_nu(0)``, a finite point of a
    gap of ``mu ⊠ nu`` (where its ``G`` vanishes: ``x G(x) = 1 + u = 0``); none: ``x -> ±inf``."""
    def through_zero(op):
        _, _, br, zero_mass = op
        return zero_mass == 0 and br.a < 0 <= br.b

    def at_minus_one(op):
        f, _, br, _ = op
        return float(invert(f, br, np.array([-1.0]))[0])

    def slope(op):
        _, pair, br, _ = op
        g = _end_value(pair, 0.0, -1) if br.b == 0 else float(pair(np.array([0.0]))[0][0])
        return 0.0 if np.isinf(g) else 1 / g

    z1, z2 = through_zero(first), through_zero(second)
    if z1 and z2:
        return 0.0
    if z1 or z2:
        vanishing, other = (first, second) if z1 else (second, first)
        return -at_minus_one(other) * slope(vanishing)
    # sign of X_mu X_nu u/(1 + u) next to u = -1 (1 + u > 0 from above)
    return np.copysign(np.inf, -at_minus_one(first) * at_minus_one(second) * (1.0 if from_above else -1.0))


def _mul_map_derivative(x, u, X1, du1, X2, du2):
    """Derivative of the multiplicative subordination map ``w -> z h_nu(z h_mu(w))`` at its real fixed
    point (``z = 1/x``, ``h(w) = eta(w)/w``, ``eta = psi/(1 + psi)``, ``psi(w) = u(1/w)``; the fixed
    points are ``w1 = 1/X1``, ``w2 = 1/X2``).  With ``h'(w) = eta'(w) X - eta X^2`` and
    ``eta'(w) = -u'(X) X^2/(1 + u)^2``: ``F' = z^2 h_mu'(w1) h_nu'(w2)``.  The point ``x`` is off the
    support iff the fixed point is attracting, ``|F'| < 1``; edges are where ``F' = 1``.  Returns
    ``(F', size)`` with ``size`` the product of the sizes of the terms (for the sign test)."""
    eta = u / (1 + u)
    a1, b1 = -du1 * X1 ** 3 / (1 + u) ** 2, -eta * X1 * X1
    a2, b2 = -du2 * X2 ** 3 / (1 + u) ** 2, -eta * X2 * X2
    return (a1 + b1) * (a2 + b2) / (x * x), (np.abs(a1) + np.abs(b1)) * (np.abs(a2) + np.abs(b2)) / (x * x)


def _argmax(fn, a, b, iters=40):
    """Golden-section search for a maximum of ``fn`` on each ``[a[k], b[k]]`` (arrays; ``fn`` vectorised:
    all intervals are searched at once)."""
    a, b = np.array(a, float), np.array(b, float)
    g = (np.sqrt(5) - 1) / 2
    c, d = b - g * (b - a), a + g * (b - a)
    fc, fd = fn(c), fn(d)
    for _ in range(iters):
        left = fc >= fd                      # the maximum lies in [a, d]: d <- c, c <- new
        a, b = np.where(left, a, c), np.where(left, d, b)
        c_new = np.where(left, b - g * (b - a), d)
        d_new = np.where(left, c, a + g * (b - a))
        fe = fn(np.where(left, c_new, d_new))
        fc, fd = np.where(left, fe, fd), np.where(left, fc, fe)
        c, d = c_new, d_new
    return (a + b) / 2


def _note(breaks, x):
    """Record ``x`` as an interior breakpoint candidate (a finite limit of the inverse map where one
    subordination function passes through infinity: cusps and kinks of the density sit there)."""
    if breaks is not None and np.isfinite(x):
        breaks.append(float(x))
    return x


def _outer(br):
    return not (np.isfinite(br.a) and np.isfinite(br.b))


def _split(lo, hi, points):
    cuts = [lo] + sorted(p for p in points if lo < p < hi) + [hi]
    return list(zip(cuts[:-1], cuts[1:]))


# ----------------------------------------------------------------------------- NTK: G_mu on the real axis
#: Gauss nodes in the angle variable for the rho_B integral of G_mu, G_mu' on the real axis
NTK_REAL_NODES = 256


def free_poisson_unit_edges(r, sqrt=np.sqrt):
    """``((1 - sqrt r)^2, (1 + sqrt r)^2)``: the support of the free Poisson law of rate ``r`` and jump 1, the lower end
    written ``(1 - r)^2/(1 + sqrt r)^2`` (no cancellation for r next to 1: 2.2e-7 relative at 1 + 1e-9 in the other
    form).  ``sqrt``: ``ctx.sqrt`` for mpmath numbers."""
    return (1 - r) ** 2 / (1 + sqrt(r)) ** 2, (1 + sqrt(r)) ** 2


def free_poisson_real_pair(rate, jump):
    """``w -> (G, G')`` of the free Poisson law (rate ``r``, jump ``a``) at real ``w`` off its support, in real
    arithmetic: the operations of its complex closed form (``u = w/a``, ``q = sqrt(u - lo) sqrt(u - hi)``,
    ``g = 2/(p + q)`` or ``(p - q)/(2u)``, ``p = u + 1 - r``, ``g' = (g^2 - g)/q``) on numbers whose imaginary
    parts are 0, which give the same real parts bit for bit (below ``lo`` both square roots are imaginary and
    their product is ``-sqrt(lo - u) sqrt(hi - u)``), at a third of the cost."""
    r, a = float(rate), float(jump)
    lo, hi = free_poisson_unit_edges(r)

    def pair(w):
        # (numpy divides complex numbers by multiplying with the reciprocal: so do the real operations here)
        u = np.asarray(w, float) * (1 / a)
        q = np.sqrt(np.abs(u - lo)) * np.sqrt(np.abs(u - hi))
        q = np.where(u < lo, -q, q)
        p = u + (1 - r)
        with np.errstate(divide="ignore", invalid="ignore"):
            g = np.where(np.abs(p + q) >= np.abs(p - q), 2 * (1 / (p + q)), (p - q) * (1 / (2 * u)))
            return g * (1 / a), ((g * g - g) * (1 / q)) * (1 / (a * a))
    return pair


def ntk_mu_real_pair(at, c, r, A, rb_pair, rb_pdf, rb_support, nodes=NTK_REAL_NODES):
    """``x -> (G_mu(x), G_mu'(x))`` on real ``x`` off the support of the closed-form NTK law ``mu``.

    ``G_mu(z) = 1/(z - at) + (I(zeta)/c - 1/(z - at)) / (2 r)``, ``zeta = (z - at)/c``, with
    ``I(zeta) = A G_B(zeta) + int rho_B(l) G_B(zeta - l) dl`` (``rho_B`` the law of ``B B^T``, ``A`` its
    mass at 0); ``G_mu'`` differentiates under the integral (``I' = A G_B' + int rho_B G_B'(zeta - l)``).
    Off the support of ``mu`` every ``zeta - l`` is off the support of ``rho_B``; at the top of the
    support the integrands are bounded (square root times inverse square root), and smooth in the angle
    variable ``l = m - h cos(theta)`` used here.  ``rb_pair`` takes real arrays (off the support of ``rho_B``,
    e.g. :func:`free_poisson_real_pair`).
    """
    t, wt = gauss_legendre(nodes)
    theta = (t + 1) * np.pi / 2
    rules = []
    for lo, hi in rb_support:
        m, h = (lo + hi) / 2, (hi - lo) / 2
        lam = m - h * np.cos(theta)
        rules.append((lam, wt * np.pi / 2 * h * np.sin(theta) * np.asarray(rb_pdf(lam), float)))

    def pair(x):
        x = np.asarray(x, float)
        zeta = (x - at) / c
        with np.errstate(all="ignore"):
            gb, dgb = rb_pair(zeta) if A else (0.0, 0.0)
            inner = A * np.real(gb)
            dinner = A * np.real(dgb)
            for lam, wf in rules:
                g, dg = rb_pair(zeta[..., None] - lam)
                inner = inner + np.sum(wf * np.real(g), axis=-1)
                dinner = dinner + np.sum(wf * np.real(dg), axis=-1)
            first = 1 / (x - at)
            g_mu = first + (inner / c - first) / (2 * r)
            dg_mu = -first * first + (dinner / (c * c) + first * first) / (2 * r)
        return g_mu, dg_mu
    return pair


# ----------------------------------------------------------------------------- discrete jumps
#: bisection steps of :func:`fcp_discrete_support` (each halves a bracket: 2^-200 is below any double)
DISCRETE_BISECT = 200
#: an atom at 0 of mass 1 - r (1 - w_0) below this is rounding: the support then reaches 0
DISCRETE_MASS0 = 1e-13


def fcp_discrete_support(rate, locs, weights, breaks=None):
    """Support intervals (with edge kinds) of the free compound Poisson law with rate ``r`` and a
    DISCRETE jump law ``sum_i w_i delta_{t_i}`` (``t_i >= 0``), every piece, however narrow.

    With ``G`` real, ``x(G) = 1/G + r sum_i w_i t_i/(1 - t_i G)`` and
    ``x'(G) = (r f(G) - 1)/G^2``, ``f(G) = sum_i w_i u_i^2``, ``u_i = t_i G/(1 - t_i G)``.  Off the
    support ``x`` is decreasing (``G`` is), i.e. ``f(G) < 1/r``; the real line minus the support is
    the image of ``{G real, not a pole, f(G) < 1/r}`` (Silverstein-Choi).  The shape of ``f`` makes
    every piece computable exactly:

    * ``d^2 (u^2)/dG^2 = 2 t^2 (1 + 2 y)/(1 - y)^4`` with ``y = t G``: every term is convex where
      ``y > -1/2``, in particular on every interval of ``G > 0`` between consecutive poles
      ``1/t_i``.  There ``f`` runs from ``+inf`` to ``+inf`` and is convex: ``f' = 0`` has exactly one
      root (found by bisection on the sign of ``f'``), and ``f < 1/r`` holds on an interval ``(a, b)``
      around it exactly when ``f`` is below ``1/r`` there (``a``, ``b`` by bisection on the two
      monotone sides): a gap ``(x(b), x(a))`` of the support.
    * On ``(0, 1/t_max)`` ``f`` increases from 0 to ``+inf``: one root ``g1``, the right edge ``x(g1)``
      (``(0, g1)`` maps onto ``(x(g1), +inf)``).
    * On ``(1/t_min, +inf)`` ``f`` decreases (convex, with limit) to ``1 - w_0`` (``w_0`` the weight at
      ``t = 0``); on ``(-inf, 0)`` it decreases from ``1 - w_0`` to 0 (``|u_i|`` increases with
      ``|G|``).  With ``r (1 - w_0) < 1`` (an atom ``1 - r (1 - w_0)`` at 0) the first has a root
      ``gR`` and ``(gR, inf)`` maps onto ``(0, x(gR))``, while all of ``(-inf, 0)`` maps onto
      ``(-inf, 0)``; with ``r (1 - w_0) > 1`` the second has a root ``gL`` and ``(gL, 0)`` maps onto
      ``(-inf, x(gL))``; with equality the support reaches 0 (kind ``"end"``: an inverse square root).

    Every edge is the value of ``x`` at a critical point (kind ``"sqrt"``), where ``x`` is stationary:
    an error ``dG`` in the root moves the edge by ``O(dG^2)``, so edges have full double precision.
    Pieces narrower than ``MIN_WIDTH`` times the scale (jump weights below ~1e-25) are dropped, and
    two pieces are merged only when the gap between them is below the rounding level of the edges
    (``GAP_ROUNDING``), as in :func:`complement`.

    ``breaks`` (a list), when given, receives ``x(G_min)`` for every interval between poles where ``f``
    stays above ``1/r``: the near-critical points, where the support almost splits and the density has
    a deep narrow dip (quadratures cut there).
    """
    r = float(rate)
    t = np.asarray(locs, float)
    w = np.asarray(weights, float)
    if t.ndim != 1 or t.shape != w.shape or np.any(t < 0) or np.any(w < 0) or not np.all(np.isfinite(t)):
        raise ValueError("fcp_discrete_support: jump locations must be finite and >= 0, weights >= 0")
    pos = t > 0
    if not np.any(pos):
        return []
    order = np.argsort(t[pos])[::-1]           # poles 1/t ascending
    tp, wp = t[pos][order], w[pos][order]

    def X(G):
        G = np.asarray(G, float)
        with np.errstate(divide="ignore"):
            return 1 / G + r * np.sum(w * t / (1 - t * G[..., None]), axis=-1)
    off = _discrete_off_support(1 / r, tp, wp, 1 - r * (1 - float(np.sum(w[~pos]))), X, breaks)
    # images: x decreasing on each parameter interval; x(0-) = -inf, x(0+) = +inf, x(-inf) = x(+inf) = 0
    images = []
    for p, q, kp, kq in off:
        xp = (np.inf if p == 0.0 and q > 0 else 0.0) if p in (0.0, -np.inf) else float(X(np.array([p]))[0])
        xq = (-np.inf if q == 0.0 else 0.0) if q in (0.0, np.inf) else float(X(np.array([q]))[0])
        images.append((xp, xq, kp, kq))
    return complement(images, 1.0 + float(tp[0]), increasing=False)


def _discrete_f(tp, wp):
    """``f(G) = sum_i w_i u_i^2`` (``u_i = t_i G/(1 - t_i G)``) and ``f'`` on real arrays."""
    def f(G):
        y = tp * np.asarray(G, float)[..., None]
        u = y / (1 - y)
        return np.sum(wp * u * u, axis=-1)

    def df(G):
        y = tp * np.asarray(G, float)[..., None]
        return np.sum(wp * 2 * y * tp / (1 - y) ** 3, axis=-1)
    return f, df


def _bisect(fn, lo, hi, up):
    """Roots of the monotone ``fn`` (increasing where ``up``) in ``(lo, hi)``, all brackets at once, to
    the last bit."""
    lo, hi = np.array(lo, float), np.array(hi, float)
    for _ in range(DISCRETE_BISECT):
        mid = 0.5 * (lo + hi)
        done = (mid <= lo) | (mid >= hi)
        if np.all(done):
            break
        with np.errstate(all="ignore"):
            right = (fn(mid) > 0) == up      # the root lies left of mid
        hi = np.where(~done & right, mid, hi)
        lo = np.where(~done & ~right, mid, lo)
    return 0.5 * (lo + hi)


def _discrete_off_support(level, tp, wp, mass0, X, breaks):
    """The parameter intervals ``(p, q, kind_p, kind_q)`` of ``G`` where ``f(G) < level`` (off the support)
    for :func:`fcp_discrete_support`; ``tp`` the positive jumps in decreasing order, ``mass0`` the atom at 0."""
    f, df = _discrete_f(tp, wp)
    poles = 1 / tp
    g1 = float(_bisect(lambda G: f(G) - level, [0.0], [poles[0]], True)[0])
    off = [(0.0, g1, "end", "sqrt")]           # images: +inf (G -> 0+) down to x(g1)
    if tp.size > 1:                            # between consecutive poles: convex f
        a, b = poles[:-1], poles[1:]
        gm = _bisect(df, a, b, True)
        below = f(gm) < level
        if breaks is not None:
            breaks.extend(float(v) for v in X(gm[~below]))
        if np.any(below):
            a, b, gm = a[below], b[below], gm[below]
            left = _bisect(lambda G: f(G) - level, a, gm, False)
            right = _bisect(lambda G: f(G) - level, gm, b, True)
            off += [(float(p), float(q), "sqrt", "sqrt") for p, q in zip(left, right)]
    if abs(mass0) <= DISCRETE_MASS0:
        mass0 = 0.0          # at the rounding level of r (1 - w0): the support reaches 0
    if mass0 > 0:            # f decreases from +inf to 1 - w0 < level on (1/t_min, inf)
        hi = 2 * poles[-1]
        while f(np.array([hi]))[0] >= level and np.isfinite(hi):
            hi *= 2
        gR = float(_bisect(lambda G: f(G) - level, [poles[-1]], [hi], False)[0])
        off += [(gR, np.inf, "sqrt", "end"), (-np.inf, 0.0, "end", "end")]
    elif mass0 < 0:          # f decreases from 1 - w0 > level to 0 on (-inf, 0)
        lo = -poles[0]
        while f(np.array([lo]))[0] <= level and np.isfinite(lo):
            lo *= 2
        gL = float(_bisect(lambda G: f(G) - level, [lo], [0.0], False)[0])
        off.append((gL, 0.0, "sqrt", "end"))
    else:
        off.append((-np.inf, 0.0, "end", "end"))
    return off
