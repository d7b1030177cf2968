"""One integration engine for a density on its support intervals (pure functions, double precision).

On a support interval ``[lo, hi]`` with ``x = c - h cos(theta)`` (``c, h`` its centre and half-width)
the mass element is ``f(x) h sin(theta) dtheta``.  At a square-root edge ``f ~ s^(1/2)``, at a hard
edge ``f ~ s^(-1/2)``, at a quadratic edge ``f ~ s^2`` (``s`` the distance to the edge, ``s ~ theta^2``):
in every such case ``g(theta) = f h sin(theta)`` is smooth, so its Chebyshev interpolant in ``theta``
(first-kind points ``t_k``, ``theta = (t + 1) pi/2``) converges geometrically, and its exact
antiderivative gives the cdf on the whole interval; its integral is the Fejér rule.  ``total_mass``,
``cdf``, ``expect`` and ``quantile`` all come from the values ``f(x_k)`` at these nodes: one vectorised
density call per interval and degree.

Ends of another kind (``"power"``: ``f ~ C s^alpha`` with ``alpha`` not a half-integer, e.g.
``x^(-2/3)``) get graded panels: breakpoints at distances ``W q^j`` (``j = 1..J``) from the end, each
panel with its own angle variable (the singularity then sits outside the panel at a distance
comparable to its width, so each panel converges geometrically); the last ``W q^J`` is integrated in
closed form from ``C s^alpha`` fitted there.

Degree: tripled (``n -> 3n``, reusing every density value) until the last eighth of the Chebyshev
coefficients of every panel is below ``TOL`` times the largest, or stops shrinking (the noise level of
the density values); the error estimate returned is the sum of those tails.
"""
from collections import namedtuple

import numpy as np

#: first number of points per panel (tripled: first-kind Chebyshev points nest under n -> 3n, so the
#: density values already computed are reused), cap, and target relative size of the coefficient tail
N_START = 33
N_MAX = 2673
TOL = 1e-13
#: the degree stops growing when a tripling shrinks the coefficient tail by less than this factor
#: (the tail has reached the noise level of the density values themselves)
PLATEAU = 8.0
#: ... but only once the tail is below this (relative): a larger tail that stalls is unresolved structure
PLATEAU_MAX = 1e-8
#: ... or once a tripling shrank the tail by FAST_DROP to below FAST_TOL (relative): the remaining tail is
#: the noise of the density values (measured: GELU, gamma1 = 1/2, gamma2 = 2, tail 2.6e-7 -> 5.0e-14 from
#: 99 to 297 points, then 9.4e-13 at 891: larger, all noise)
FAST_DROP = 1e4
FAST_TOL = 1e-12
#: a panel whose tail a tripling shrank by less than SPLIT_DROP from degree SPLIT_AT on (or that reached
#: N_MAX unresolved) is cut into parts (:func:`_cuts`), at most SPLIT_ROUNDS times, never below SPLIT_MIN of
#: its magnitude
SPLIT_AT = 297
SPLIT_DROP = 100.0
SPLIT_ROUNDS = 24
SPLIT_MAX_JOBS = 200
SPLIT_BUDGET = 4 * N_MAX
SPLIT_MIN = 1e-12
PLATEAU_CUT = 1e-12
#: grading at power-law ends: ratio of successive panel widths, and the innermost width (relative)
GRADE_Q = 0.1
GRADE_MIN = 1e-8
#: the closed-form tail's exponent is fitted from the density at its outer end and at this fraction of it
#: (the densities computed by the solvers stay accurate to ~1e-10 of the width from a hard edge)
TAIL_PROBE = 0.1
#: deepest probe (10^-k of the width) considered for the start of the closed-form tail
TAIL_DEPTH_MAX = 11
#: ... and the largest change of the local exponent over a decade at which the power law is trusted
TAIL_STABLE = 1e-3
#: an end exponent within this distance of a half-integer (>= -1/2) is treated as smooth in theta
HALF_INT_TOL = 0.05

Panel = namedtuple("Panel", "lo hi anti total x fj")   # antiderivative coefficients in t; nodes, f dx/dt
#: f = sum_k C_k |x - edge|^alpha_k (C, alpha: numbers, or arrays of the terms of a Puiseux ladder)
PowerEnd = namedtuple("PowerEnd", "lo hi edge side C alpha total")
Table = namedtuple("Table", "pieces total error")


def _cheb_points(n):
    k = np.arange(n)
    t = -np.cos(np.pi * (k + 0.5) / n)       # ascending first-kind points in (-1, 1)
    return t


def _coefficients(values):
    """Chebyshev coefficients of the interpolant at the ascending first-kind points (DCT-II)."""
    n = len(values)
    a = _dct2(np.asarray(values, float)[::-1]) / n    # the DCT's cos(pi k (2j + 1)/(2n)): descending points
    a[0] /= 2
    return a


def _dct2(x):
    """Unnormalised DCT-II, ``y_k = 2 sum_j x_j cos(pi k (2j + 1)/(2n))``, by one complex FFT of the
    even-odd reordered values (Makhoul 1980); numpy's FFT, so no scipy.fft import on the first cdf."""
    n = len(x)
    v = np.concatenate([x[::2], x[1::2][::-1]])
    V = np.fft.fft(v)
    return 2 * np.real(np.exp(-0.5j * np.pi * np.arange(n) / n) * V)


def _antiderivative(a):
    """Coefficients of ``int_{-1}^t p`` for the Chebyshev series ``a`` (exact)."""
    from numpy.polynomial import chebyshev as C
    return C.chebint(a, lbnd=-1)


def panel_nodes(lo, hi, n):
    """Nodes ``x`` (ascending) of a panel and the factor ``dx/dt = h sin(theta) pi/2``."""
    t = _cheb_points(n)
    theta = (t + 1) * np.pi / 2
    c, h = (lo + hi) / 2, (hi - lo) / 2
    x = c - h * np.cos(theta)
    # h sin(theta) = sqrt((x - lo)(hi - x)), taken at the rounded node: a density with a 1/sqrt edge,
    # evaluated at that node, then gives a smooth product (h sin(theta) itself would be off by the
    # relative rounding error of x - lo, ~1e-16 h / (x - lo))
    s = np.sqrt(np.clip((x - lo) * (hi - x), 0, None))
    return x, s * np.pi / 2


def panels_for(lo, hi, lo_kind, hi_kind, lo_depth=GRADE_MIN, hi_depth=GRADE_MIN):
    """Breakpoints of the panels of ``[lo, hi]`` (graded towards ``"power"`` ends, down to ``depth``
    times the width) and the closed-form tails ``[(a, b, edge, side)]`` left for the power-law fits."""
    W = hi - lo

    def levels(depth):
        ks, j = [], 1
        while GRADE_Q ** j > depth * (1 + 1e-9):
            ks.append(GRADE_Q ** j)
            j += 1
        return ks + [depth]
    cuts = [lo, hi]
    tails = []
    if lo_kind == "power":
        ks = levels(lo_depth)
        cuts += [lo + W * q for q in ks]
        tails.append((lo, lo + W * ks[-1], lo, +1))
    if hi_kind == "power":
        ks = levels(hi_depth)
        cuts += [hi - W * q for q in ks]
        tails.append((hi - W * ks[-1], hi, hi, -1))
    cuts = sorted(set(cuts))
    pans = list(zip(cuts[:-1], cuts[1:]))
    pans = [p for p in pans if not any(p[0] == a and p[1] == b for a, b, _, _ in tails)]
    return pans, tails


class _Refine:
    """The Chebyshev refinement of one interval's panels (``n -> 3n`` on first-kind points, reusing every
    density value): :meth:`nodes` gives the new points of degree ``m``, :meth:`accept` their densities."""

    def __init__(self, pans, fits, tail_err, floor=0.0):
        self.pans, self.fits, self.tail_err, self.floor = pans, fits, tail_err, floor
        self.prev_tail, self.fprev, self.done = np.inf, None, not pans
        self.out, self.tails_sz, self.ptails, self.scale, self.capped = [], 0.0, [], 0.0, False

    @classmethod
    def finished(cls, panel, tail):
        job = cls([], [], 0.0)
        job.out, job.tails_sz = [panel], tail
        return job

    def nodes(self, m):
        self.xs, self.jac = zip(*[panel_nodes(a, b, m) for a, b in self.pans])
        self.allx = np.concatenate(list(self.xs))
        self.new = np.ones(self.allx.shape, bool)
        if self.fprev is not None:     # the previous points are every third point (from index 1) of each panel
            self.new.reshape(len(self.pans), m)[:, 1::3] = False
        self.xnew = self.allx[self.new]

    def accept(self, fnew, m, tol, n_max):
        f = np.empty(self.allx.shape)
        f[self.new] = fnew
        if self.fprev is not None:
            f[~self.new] = self.fprev
        k = 0
        out, ptails, scale = [], [], self.floor
        for (a, b), x, jj in zip(self.pans, self.xs, self.jac):
            g = f[k:k + m] * jj
            k += m
            coef = _coefficients(g)
            anti = _antiderivative(coef)
            tot = float(np.polynomial.chebyshev.chebval(1.0, anti))
            out.append(Panel(a, b, anti, tot, x, g))
            ptails.append(float(np.sum(np.abs(coef[-max(2, m // 8):]))))
            scale = max(scale, float(np.max(np.abs(coef))))
        tails_sz = sum(ptails)
        # (a part cut out of an unresolved panel is not let off at the plateau level: its slow decay is the
        # algebraic convergence next to the cliff it was cut at, not noise)
        level = PLATEAU_MAX if self.floor == 0 else PLATEAU_CUT
        plateau = tails_sz * PLATEAU > self.prev_tail and tails_sz <= level * scale
        # a tail that fell by FAST_DROP in one tripling converges so fast that what is left of it is the
        # rounding noise of the density values (the next tripling only adds noise coefficients)
        fast = tails_sz * FAST_DROP <= self.prev_tail and tails_sz <= FAST_TOL * scale
        converged = tails_sz <= tol * max(scale, 1e-300) or plateau or fast
        if not converged and self.floor > 0:
            # a part cut out next to a cliff that holds less than the tolerance in all: its integral
            # (bounded by 2 max |f dx/dt| in t) is taken as its error
            bound = sum(2 * float(np.max(np.abs(p.fj))) for p in out)
            if bound <= tol * scale:
                converged, tails_sz = True, max(tails_sz, bound)
        self.out, self.tails_sz, self.ptails, self.scale, self.tol = out, tails_sz, ptails, scale, tol
        # a tail still above the plateau's level that a tripling did not shrink by SPLIT_DROP (from degree
        # SPLIT_AT on), or the cap reached: structure this degree cannot resolve, e.g. a cliff where a
        # near-critical point of an inverse map sits close to the axis — the panel is cut instead
        stalled = m >= SPLIT_AT and tails_sz * SPLIT_DROP > self.prev_tail and tails_sz > level * scale
        self.capped = not converged and (m * 3 > n_max or stalled)
        self.done = converged or m * 3 > n_max or stalled
        self.prev_tail, self.fprev = tails_sz, f

    def split(self):
        """Jobs of one panel each: every unresolved panel cut next to its cliff (:func:`_cuts`; the parts
        cluster their nodes at the cuts) and refined again from the first degree; the others kept as they
        are.  Each new job measures its tail against this job's scale."""
        jobs = []
        for (a, b), p, t in zip(self.pans, self.out, self.ptails):
            if t > self.tol * self.scale and b - a > SPLIT_MIN * (abs(a) + abs(b)):
                ends = [a] + _cuts(p) + [b]
                jobs += [_Refine([pan], [], 0.0, self.scale) for pan in zip(ends[:-1], ends[1:])]
            else:
                jobs.append(_Refine.finished(p, t))
        jobs[0].fits, jobs[0].tail_err = self.fits, self.tail_err
        return jobs


# long: the end classification, closed-form tails and the joint refinement of all intervals
def build(pdf, intervals, tol=TOL, n=N_START, n_max=N_MAX):
    """The cumulative table of a density on its support intervals.

    ``intervals``: ``Interval(lo, hi, lo_kind, hi_kind)`` records (kinds ``"sqrt"``, ``"hard"`` and
    ``"quadratic"`` are smooth in the angle variable; ``"power"`` ends are graded; ``"end"`` (not yet
    classified) ends are classified first by :func:`classify_end`).
    ``pdf``: vectorised density.  Returns a :class:`Table` (pieces in increasing order, total continuous
    mass, error estimate).
    """
    jobs = []
    for iv in intervals:
        kl = classify_end(pdf, iv.lo, +1, iv.hi - iv.lo)[0] if iv.lo_kind == "end" else iv.lo_kind
        kh = classify_end(pdf, iv.hi, -1, iv.hi - iv.lo)[0] if iv.hi_kind == "end" else iv.hi_kind
        fit = [_tail_depth(pdf, e, side, iv.hi - iv.lo) if k == "power" else (GRADE_MIN, np.inf)
               for e, side, k in ((iv.lo, +1, kl), (iv.hi, -1, kh))]
        pans, tails = panels_for(iv.lo, iv.hi, kl, kh, fit[0][0], fit[1][0])
        stable = [fit[i][1] for i, k in enumerate((kl, kh)) if k == "power"]    # one per tail, in order
        probes = []
        for a, b, edge, side in tails:
            d = (b - a)
            probes += [edge + side * d, edge + side * d * TAIL_PROBE, edge + side * d * TAIL_PROBE ** 2]
        fp = _density(pdf, np.asarray(probes, float))
        # a closed-form tail only where the density behaves like s^alpha, -1 < alpha < 1, with an
        # exponent that holds over decades (a blow-up, or a cusp like |x|^(1/3), whose last part no
        # quadrature reaches); elsewhere (e.g. a crossover from square-root-like to quadratic
        # vanishing next to a range end) the tail is one more panel
        fits = []
        tail_err = 0.0
        for t, (a, b, edge, side) in enumerate(tails):
            f1, f2, f3 = fp[3 * t], fp[3 * t + 1], fp[3 * t + 2]
            alpha = float(np.log(f2 / f1) / np.log(TAIL_PROBE)) if f1 > 0 and f2 > 0 else np.nan
            if -1 < alpha < 1 and stable[t] <= TAIL_STABLE:
                ladder = _puiseux_tail(pdf, edge, side, b - a, alpha)
                if ladder is not None:
                    fits.append(PowerEnd(a, b, edge, side, ladder[0], ladder[1], ladder[2]))
                    tail_err += ladder[3]
                    continue
                C = f1 / (b - a) ** alpha
                total_t = C * (b - a) ** (alpha + 1) / (alpha + 1)
                fits.append(PowerEnd(a, b, edge, side, C, alpha, total_t))
                # error estimate of the closed-form tail: its difference with the same fit one decade
                # deeper (the next term of the expansion bends the exponent), times 3: the fit's distance
                # to the limit is a geometric series of such differences
                if f3 > 0:
                    a2 = float(np.log(f3 / f2) / np.log(TAIL_PROBE))
                    d2 = (b - a) * TAIL_PROBE
                    C2 = f2 / d2 ** a2
                    tail_err += 3 * abs(C2 * (b - a) ** (a2 + 1) / (a2 + 1) - total_t) if -1 < a2 < 1 \
                        else abs(total_t)
            else:
                pans.append((a, b))
        pans.sort()
        jobs.append(_Refine(pans, fits, tail_err))
    _refine_jointly(pdf, jobs, n, tol, n_max)
    # panels that the degree does not resolve are cut at their steepest step and refined again
    spent = 0
    for _ in range(SPLIT_ROUNDS):
        # (beyond SPLIT_MAX_JOBS parts or SPLIT_BUDGET new density values the density is noise, not a
        # cliff: the tails left say so in the error estimate)
        if not any(jb.capped for jb in jobs) or len(jobs) > SPLIT_MAX_JOBS or spent > SPLIT_BUDGET:
            break
        jobs = [new for jb in jobs for new in (jb.split() if jb.capped else [jb])]
        spent += _refine_jointly(pdf, [jb for jb in jobs if not jb.done], n, tol, n_max)
    pieces = sorted([p for jb in jobs for p in jb.out + jb.fits], key=lambda p: p.lo)
    total = sum(p.total for p in pieces)
    error = sum(jb.tails_sz + jb.tail_err for jb in jobs)
    return Table(pieces, total, error)


def _cuts(panel):
    """Where a panel is cut when its degree cannot resolve it: around the node where the interpolant of
    the previous degree (every third node) misses ``f dx/dt`` most — next to the cliff of the density
    that the degree does not resolve.  The outer parts then see the cliff beyond their ends, the short
    middle part is cut again if need be."""
    g, x = panel.fj, panel.x
    m = len(g)
    if m >= 9 and m % 3 == 0:
        coarse = _coefficients(g[1::3])
        i = int(np.argmax(np.abs(np.polynomial.chebyshev.chebval(_cheb_points(m), coarse) - g)))
    else:
        i = int(np.argmax(np.abs(np.diff(g))))
    w = panel.hi - panel.lo
    cuts = [c for c in (x[max(i - 1, 0)], x[min(i + 1, m - 1)]) if panel.lo + 1e-9 * w < c < panel.hi - 1e-9 * w]
    return sorted(set(cuts)) or [0.5 * (panel.lo + panel.hi)]


def _refine_jointly(pdf, jobs, n, tol, n_max):
    """The degrees of all jobs grow together: one density call per round for every job not yet
    converged (each job's test only looks at its own coefficients, as if it were alone)."""
    m, count = n, 0
    while True:
        live = [jb for jb in jobs if not jb.done]
        if not live:
            break
        for jb in live:
            jb.nodes(m)
        fnew = _density(pdf, np.concatenate([jb.xnew for jb in live] + [np.zeros(0)]))
        count += fnew.size
        k = 0
        for jb in live:
            jb.accept(fnew[k:k + jb.xnew.size], m, tol, n_max)
            k += jb.xnew.size
        m = 3 * m
    return count


#: Puiseux ladder at a power end: largest denominator q of the exponent p/q recognised, distance of the
#: measured exponent to p/q accepted, number of terms, probes (from the tail's outer end outwards, over
#: PUISEUX_SPAN decades)
PUISEUX_QMAX = 6
PUISEUX_TOL = 0.02
PUISEUX_TERMS = 4
PUISEUX_PROBES = 8
PUISEUX_SPAN = 3


def _puiseux_tail(pdf, edge, side, d, alpha):
    """The closed-form tail on ``[0, d]`` (distance to the end) as the first terms of a Puiseux
    expansion ``f = sum_k C_k s^(p/q + k/q)``, the form of an algebraic density at an end where its
    exponent is ``p/q`` (e.g. ``s^(-2/3) (C_0 + C_1 s^(1/3) + ...)`` at the end at 0 of
    ``free_poisson ⊠ free_poisson``; one term ``C s^alpha`` fitted over a decade misses the correction
    and the mass by ~1e-8 there).  ``alpha`` is the measured exponent; ``p/q`` the nearest fraction with
    ``q <= PUISEUX_QMAX`` within ``PUISEUX_TOL``.  The coefficients are the least-squares fit at
    ``PUISEUX_PROBES`` points from ``d`` to ``d 10^PUISEUX_SPAN``; the error estimate is the difference
    of the tail masses with ``PUISEUX_TERMS`` and one term fewer, times 3.  Returns
    ``(C, exponents, mass, error)``, or None (no such fraction, or a fit that is not a density)."""
    best = None
    for q in range(1, PUISEUX_QMAX + 1):
        pq = round(alpha * q) / q
        if abs(alpha - pq) <= PUISEUX_TOL and -1 < pq:
            best = (pq, q)
            break
    if best is None:
        return None
    a0, q = best
    s = d * np.geomspace(1, 10.0 ** PUISEUX_SPAN, PUISEUX_PROBES)
    f = _density(pdf, edge + side * s)
    if not np.all(f > 0):
        return None
    masses = []
    for k in (PUISEUX_TERMS - 1, PUISEUX_TERMS):
        ex = a0 + np.arange(k) / q
        A = s[:, None] ** ex[None, :] / f[:, None]         # relative residuals
        C = np.linalg.lstsq(A, np.ones_like(f), rcond=None)[0]
        masses.append((C, ex, float(np.sum(C * d ** (ex + 1) / (ex + 1)))))
    C, ex, mass = masses[-1]
    if not mass > 0:
        return None
    return C, ex, mass, 3 * abs(mass - masses[0][2])


def _power_mass(p, s):
    """Mass of the closed-form tail ``p`` between the end and distance ``s`` (array)."""
    C, ex = np.atleast_1d(p.C), np.atleast_1d(p.alpha)
    s = np.asarray(s, float)
    return np.sum(C[:, None] * s.reshape(1, -1) ** (ex[:, None] + 1) / (ex[:, None] + 1), axis=0).reshape(s.shape)


def _tail_depth(pdf, edge, side, width):
    """Depth (fraction of the width) of the closed-form tail at a power-law end: among probes at
    ``10^-k`` (``k = 3..TAIL_DEPTH_MAX``) of the width, where the local exponent changes least between
    successive decades (farther out the next terms of the expansion bend it, closer in a solver's
    density may lose accuracy next to a cusp or hard edge)."""
    ks = np.arange(3, TAIL_DEPTH_MAX + 1)
    f = _density(pdf, edge + side * width * 10.0 ** -ks)
    if np.any(f <= 0):
        return GRADE_MIN, np.inf
    alpha = np.log10(f[:-1] / f[1:])          # exponent between 10^-k and 10^-(k+1): log10 of the ratio
    change = np.abs(np.diff(alpha))           # change[j]: between the pairs ending at 10^-(k_j+1), 10^-(k_j+2)
    j = int(np.max(np.nonzero(change <= 3 * np.min(change))[0]))    # the deepest of the most stable
    # the fit then uses 10^-(k_j+1) and 10^-(k_j+2) (TAIL_PROBE = 1/10); change[j]: how well it holds
    return 10.0 ** -ks[j + 1], float(change[j])


def _density(pdf, x):
    if x.size == 0:
        return np.zeros(0)
    return np.clip(np.nan_to_num(np.asarray(pdf(x), dtype=float), nan=0.0, posinf=0.0), 0, None)


def cdf(table, x, atoms=()):
    """``mu((-inf, x])`` from the table plus the atoms ``[(location, mass)]``; vectorised."""
    from numpy.polynomial import chebyshev as C
    x = np.asarray(x, float)
    out = np.zeros(x.shape)
    for loc, w in atoms:
        out += w * (x >= loc)
    for p in table.pieces:
        inside = (x > p.lo) & (x < p.hi)
        if np.any(inside):
            xi = x[inside]
            if isinstance(p, PowerEnd):
                if p.side > 0:
                    val = _power_mass(p, xi - p.edge) if p.total else 0 * xi
                else:
                    val = p.total - (_power_mass(p, p.edge - xi) if p.total else 0 * xi)
            else:
                c, h = (p.lo + p.hi) / 2, (p.hi - p.lo) / 2
                theta = np.arccos(np.clip((c - xi) / h, -1, 1))
                val = C.chebval(2 * theta / np.pi - 1, p.anti)
            out[inside] += val
        out[x >= p.hi] += p.total
    return out


def integrate(table, g, with_error=False):
    """``int g f dx`` over the table's pieces for a vectorised ``g``: the Chebyshev interpolant in each
    panel's angle variable of ``g f dx/dt`` at the table's nodes (no new density values), integrated
    exactly; the closed-form tails use ``g`` at their edge.  With ``with_error`` also an estimate of what
    ``g`` adds to the error (the density's own is the table's ``error``), from the decay of the coefficients of
    ``g f dx/dt`` between the middle and the end of each panel's series, ``r = max|c_end| / max|c_mid|``:

    * ``r > 1e-2``: algebraic decay (a kink or a jump of ``g``: ``c_k ~ k^-2`` gives ``r ~ 1/4``), error ``n max|c_end|``
      (``max(t, 0)`` against the semicircle was 2.4e-3 off with no warning; docs/errors.md);
    * else geometric decay with the ratio ``q = r^(2/n)`` per term: ``max|c_end| q/(1 - q) 2/n^2`` (the integral of
      ``T_k`` is ``-2/(k^2 - 1)``);

    nothing where the last coefficients are at the density's own noise on the panel (ten times its coefficient tail
    times ``max|g|``, or the rounding of the products): the table's error covers that."""
    total = err = 0.0
    for p in table.pieces:
        if isinstance(p, PowerEnd):
            total += float(np.asarray(g(np.array([p.edge])), float)[0]) * p.total
            continue
        gx = np.asarray(g(p.x), float)
        coef = _coefficients(p.fj * gx)
        total += 2 * coef[0] - 2 * float(np.sum(coef[2::2] / (np.arange(2, len(coef), 2) ** 2 - 1)))
        if with_error:
            # the density's own noise on this panel: its coefficient tail (and the rounding of the products), times g
            tail_f = float(np.max(np.abs(_coefficients(p.fj)[-3:])))
            noise = max(10 * float(np.max(np.abs(gx))) * tail_f, 64 * np.finfo(float).eps * float(np.max(np.abs(coef))))
            err += _tail_error(coef, noise)
    return (total, err) if with_error else total


def _tail_error(coef, noise):
    """The error estimate of :func:`integrate` for one panel's coefficients of ``g f dx/dt``; ``noise`` is the level
    below which they are the density's own rounding (its values' noise times ``max|g|``): coefficients there say
    nothing about ``g`` (their ratio is ~1 and read as algebraic decay: ``t^k`` against a ⊠ law warned "good to
    1e-10" for values right to 1e-15)."""
    n = len(coef)
    end = float(np.max(np.abs(coef[-3:])))
    mid = float(np.max(np.abs(coef[n // 2 - 1:n // 2 + 2])))
    if not np.isfinite(end):
        return np.inf
    if end <= noise:
        return 0.0
    r = end / mid if mid > 0 else 1.0
    if r > 1e-2:
        return n * end
    q = r ** (2 / n)
    return end * q / (1 - q) * 2 / n ** 2


def classify_end(pdf, edge, inward, width, d1=1e-3, d2=1e-4):
    """Kind and exponent of the density at a support end from two probes at distances ``d1, d2`` (of
    the width): ``f ~ C s^alpha``.  ``"hard"`` (alpha = -1/2), ``"sqrt"`` (1/2), ``"quadratic"`` (2),
    other half-integers and exponents above 1 (smooth enough in the angle variable) ``"smooth"``, else
    ``"power"`` (graded panels).  A density that vanishes at both probes is ``"smooth"``."""
    f = np.asarray(pdf(np.array([edge + inward * d1 * width, edge + inward * d2 * width])), float)
    if not (np.all(np.isfinite(f)) and f[0] > 0 and f[1] > 0):
        return "smooth", np.nan
    alpha = float(np.log(f[1] / f[0]) / np.log(d2 / d1))
    for kind, a in (("hard", -0.5), ("sqrt", 0.5), ("quadratic", 2.0)):
        if abs(alpha - a) <= HALF_INT_TOL:
            return kind, alpha
    if alpha > 1 or abs(2 * alpha - round(2 * alpha)) <= 2 * HALF_INT_TOL:
        return "smooth", alpha
    return "power", alpha


def quantile(table, q, atoms=()):
    """Smallest ``x`` with ``cdf(x) >= q`` (bisection on the monotone cdf, vectorised over ``q``)."""
    q = np.asarray(q, float)
    pts = [p.lo for p in table.pieces] + [p.hi for p in table.pieces] + [float(a) for a, _ in atoms]
    lo = np.full(q.shape, min(pts))
    hi = np.full(q.shape, max(pts))
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if np.all((hi - lo) <= 4e-16 * np.maximum(np.abs(lo), np.abs(hi)) + 1e-300):
            break
        c = cdf(table, mid, atoms)
        lo = np.where(c < q, mid, lo)
        hi = np.where(c < q, hi, mid)
    return hi
