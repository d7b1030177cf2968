r"""One vectorised solver for the analytic fixed-point equations of free probability.

Every equation is written as ``u = Phi(u, z)`` where ``Phi(., z)`` is an analytic self-map of a
half-plane (the upper one, ``half = +1``, or the lower one, ``half = -1``) for ``Im z > 0``:

* free compound Poisson with rate ``r`` and jump law ``J`` (and the NTK law, ``r = 1/gamma1``,
  ``J = gamma1 mu``), unknown ``zeta = 1/G``:
  ``Phi(zeta) = z - r (zeta^2 G_J(zeta) - zeta)``, i.e. ``z = 1/G + r int t dJ(t)/(1 - t G)``;
* free additive convolution (Belinschi-Bercovici), unknown ``omega_1``:
  ``Phi(w) = z + h_nu(z + h_mu(w))``, ``h(w) = 1/G(w) - w``, ``G_{mu+nu}(z) = G_mu(omega_1)``;
* free multiplicative convolution, unknown ``omega_1`` in the variable ``xi = 1/z``:
  ``Phi(w) = xi h_nu(xi h_mu(w))``, ``h(w) = 1/w - 1/G(1/w)``.

A system supplies ``phi(u, z) -> (Phi, dPhi/du, dPhi/dz)`` computed from ``G`` and ``G'`` of the
operands (:meth:`freetk.measures.base.Measure._cauchy_pair_np`): Newton's method on
``F(u) = Phi(u) - u`` uses the analytic derivative ``F' = Phi_u - 1``.  The solution wanted is the
Denjoy-Wolff point of ``Phi``: for ``Im z > 0`` the only fixed point inside the half-plane, where
``|Phi_u| < 1``; on the real axis the limit of those (``|Phi_u| <= 1``).

:func:`solve` works on all requested points at once, and the value at a point depends on that point
alone (never on the other points asked for, nor on earlier calls: results are the same bits in any
order and any thread), unless only the last-resort walk of step 3 solves it:

1. points high above the axis (``Im z >= scale``) start from the plain iteration of ``Phi`` from
   ``init(z)`` and are polished by Newton's method;
2. every other point starts from its *anchors*: the two points of a dyadic grid
   ``x_j = j H/2^k`` (``H`` the scale rounded up to a power of 2) around its real part, at its
   height, solved once per measure and kept (``memory``), each a function of its own location: on
   the coarsest grid (spacing ``H/32``) followed down from ``Im z = scale`` by a geometric descent in
   ``Im z`` with adaptive ratio (:func:`descend`: a tangent predictor ``du/dz = Phi_z/(1 - Phi_u)``
   and a few Newton steps per level), all of them in one batch; on a finer grid polished by Newton's
   method from the mean of its two neighbours on the grid above (descended only if that fails).  The
   start of the point is the linear interpolation of its anchors, polished by Newton's method; grids
   down to spacing ``H/2^18`` are tried until the polish converges;
3. a point that fails is retried by a descent of its own, then by a walk along the segment from the
   nearest converged point, halving the step on failure;
4. a point that still fails is NaN (with :func:`solve` ``on_fail="nan"``) or raises
   :class:`~freetk.errors.NoConvergence` naming it.

:func:`polish_mp` is the same Newton iteration in an mpmath context, started from the double
solution: quadratic convergence gives any precision in a few steps.
"""
from dataclasses import dataclass
import warnings
from typing import Callable, Optional

import numpy as np

from ..errors import NoConvergence, PrecisionWarning

EPS = np.finfo(float).eps
TINY = np.finfo(float).tiny   # guards a division by a scale; not 1e-300, which dominated scales of |z| ~ 1e-300
NEWTON_ITERS = 40          # Newton steps of a polish (quadratic convergence needs ~5)
LEVEL_ITERS = 12           # Newton steps per level of a descent
MAX_RATIO = 8.0            # largest ratio eta_old / eta_new of a descent step
MIN_RATIO = 1.001          # a descent gives up when its step ratio falls below this
MAX_LEVELS = 600           # descent levels at most
FLOOR = 1e-11              # below FLOOR * scale a descent jumps straight to its target height
FROZEN = 1e-9              # a point that stops below FROZEN * scale keeps the value reached there
PHYS_SLACK = 1e-6          # |Phi_u| <= 1 + PHYS_SLACK on the axis (rounding near edges)
STALL = 1e-11              # a Newton iteration that cannot decrease a residual this small (relative) has
                           # reached the rounding level of the map (cancellation can make that level
                           # much larger than machine epsilon, e.g. near atoms)
STEP_SMALL = 1e-8          # a Newton iteration out of steps with a residual below STALL is converged only if its
                           # last step was below this (relative): a point still moving towards its root is not
STUCK_HEIGHT = 1e-2        # ... and one stuck at such a residual inside the half-plane only if the Newton
                           # correction |F/F'| it could not take is below this fraction of its height |Im u| (the
                           # density is Im G: a correction larger than the height leaves it unknown).  Next to a
                           # pole of G_mu the residual's terms are O(1) while the root sits 3e-6 from the pole: a
                           # residual of 3e-11 (a correction of 2.5e-4, 2e4 times the height 1.2e-8) was accepted
                           # 1e-8 from the pole, a density 100 times too large.  At a cusp (u ~ 1e3 i, the map
                           # flat) the correction is 2e-6 of the height
STUCK_REAL = 1e-6          # ... or, on (or next to) the real axis, below this fraction of |u|: a real u stuck 1.5e-5
                           # from its root next to the hard edge 1/21 of a ⊠ of atoms was accepted, density 0
                           # instead of 2.4e6 at 1e-13 from the edge


@dataclass(frozen=True)
class System:
    """A fixed-point equation ``u = Phi(u, z)``.

    ``phi(u, z)`` returns ``(Phi, Phi_u, Phi_z)`` on complex arrays, optionally three more: ``Phi - u`` computed
    without cancelling ``u`` against itself (the Newton residual; else ``Phi - u`` is formed, which loses ``eps |u|``
    absolutely where the root is a small difference of large terms), the size of its terms (the residual tests
    take the smaller of that and their former scales, ``|u| + |z|``, ``+ |Phi|`` for the stall test, so only where the
    terms are small against ``|u|``, a hard edge at 0, is anything stricter) and the residual's derivative
    ``Phi_u - 1`` without cancellation (Newton's denominator: ``Phi_u = 1 - O(u)`` at a hard edge); ``phi_mp`` may
    likewise return ``(Phi, Phi_u, Phi - u, Phi_u - 1)``; ``init(z)`` is a start valid
    for ``Im z >= scale`` (where the plain iteration of ``Phi`` converges); ``half`` is the sign
    of ``Im u`` on the solution branch; ``phi_mp(u, z, ctx)`` the same map in an mpmath context.
    """
    phi: Callable
    init: Callable
    half: int
    scale: float
    phi_mp: Optional[Callable] = None
    name: str = "fixed-point equation"


# ----------------------------------------------------------------------------- double precision
def _eval(system, u, z, terms=False):
    """``(Phi, Phi_u, Phi_z, Phi - u)``, and with ``terms=True`` the size of the residual's terms (``inf`` when the
    system does not give it) and the residual's derivative ``Phi_u - 1`` (the system's own when it gives one)."""
    with np.errstate(all="ignore"):
        out = system.phi(u, z)
        P, Pu, Pz = (np.asarray(v, complex) for v in out[:3])
        if len(out) > 3:
            F, T = np.asarray(out[3], complex), np.abs(out[4])
        else:
            F, T = P - np.asarray(u, complex), np.full(P.shape, np.inf)
        Fu = np.asarray(out[5], complex) if len(out) > 5 else Pu - 1
    return (P, Pu, Pz, F, T, Fu) if terms else (P, Pu, Pz, F)


def physical(system, u, Pu, z, slack=PHYS_SLACK):
    """Mask of solutions on the right branch: finite, in the half-plane, and attracting."""
    with np.errstate(all="ignore"):
        ok = np.isfinite(u) & np.isfinite(Pu)
        ok &= system.half * u.imag >= -1e-12 * np.abs(u)
        ok &= np.abs(Pu) <= 1 + slack
    return ok


def newton(system, u, z, iters=NEWTON_ITERS):
    """Damped Newton on ``Phi(u, z) - u = 0`` for arrays; returns ``(u, converged, Phi_u, Phi_z)``.

    A step is halved (up to 8 times) while it does not decrease ``|F|``; a point whose residual
    stagnates at the rounding level counts as converged.
    """
    u = np.array(u, dtype=complex, copy=True).ravel()
    z = np.asarray(z, dtype=complex).ravel()
    n = u.size
    P, Pu, Pz, F, T, Fu = _eval(system, u, z, terms=True)
    conv = np.zeros(n, bool)
    dead = ~np.isfinite(F)
    last = np.full(n, np.inf)                  # the last accepted step, relative to |u|
    for _ in range(iters):
        idx = np.nonzero(~conv & ~dead)[0]
        if idx.size == 0:
            break
        ui, zi, Fi = u[idx], z[idx], F[idx]
        with np.errstate(all="ignore"):
            step = -Fi / Fu[idx]
        bad = ~np.isfinite(step)
        step[bad] = Fi[bad]                     # fall back to a plain fixed-point step
        lam = np.ones(idx.size)
        pending = np.ones(idx.size, bool)
        newu, newP, newPu, newPz, newF, newT, newFu = ui.copy(), P[idx], Pu[idx], Pz[idx], Fi.copy(), T[idx], Fu[idx]
        for _ in range(9):
            k = np.nonzero(pending)[0]
            if k.size == 0:
                break
            cand = ui[k] + lam[k] * step[k]
            Pk, Puk, Pzk, Fk, Tk, Fuk = _eval(system, cand, zi[k], terms=True)
            good = np.isfinite(Fk) & np.isfinite(Puk) & (np.abs(Fk) < np.abs(Fi[k]))
            g = k[good]
            newu[g], newP[g], newPu[g], newPz[g], newF[g] = cand[good], Pk[good], Puk[good], Pzk[good], Fk[good]
            newT[g], newFu[g] = Tk[good], Fuk[good]
            pending[g] = False
            lam[k[~good]] /= 2
        scale = np.minimum(T[idx], np.abs(ui) + np.abs(zi) + np.abs(P[idx])) + TINY
        # rounding floor: no step decreases |F| although it is already at the level of rounding
        with np.errstate(all="ignore"):
            height = np.abs(ui.imag)
            settled = np.abs(Fi) <= np.abs(Fu[idx]) * np.maximum(STUCK_HEIGHT * height, STUCK_REAL * np.abs(ui))
        stuck = pending & (np.abs(Fi) <= STALL * scale) & settled
        failed = pending & ~stuck
        moved = ~pending
        u[idx[moved]], P[idx[moved]], Pu[idx[moved]] = newu[moved], newP[moved], newPu[moved]
        Pz[idx[moved]], F[idx[moved]], T[idx[moved]] = newPz[moved], newF[moved], newT[moved]
        Fu[idx[moved]] = newFu[moved]
        with np.errstate(all="ignore"):
            last[idx[moved]] = np.abs(lam * step)[moved] / np.abs(newu[moved])
        small = moved & ((np.abs(lam * step) <= 4 * EPS * np.abs(newu))
                         | (np.abs(newF) <= 4 * EPS * np.minimum(newT, np.abs(newu) + np.abs(zi))))
        conv[idx[small | stuck]] = True
        dead[idx[failed]] = True
    res = np.abs(F) / (np.minimum(T, np.abs(u) + np.abs(z)) + TINY)
    # out of iterations with a small residual: converged only if the steps had also become small (a point still
    # moving, e.g. halving its way down a square root from a far start, is not: 1e-12 relative was accepted so)
    conv |= np.isfinite(res) & (res <= STALL) & (last <= STEP_SMALL)
    return u, conv, Pu, Pz


def _fixed_point_start(system, z, iters=300):
    """Plain iteration of ``Phi`` from ``init(z)``; a point stops as soon as it is converged (so its
    start never depends on the other points of the batch)."""
    u = np.array(system.init(z), dtype=complex).ravel()
    z = np.asarray(z, complex).ravel()
    active = np.ones(u.shape, bool)
    for _ in range(iters):
        idx = np.nonzero(active)[0]
        if idx.size == 0:
            break
        P, _, _, F = _eval(system, u[idx], z[idx])
        done = np.abs(F) <= 1e-9 * (1 + np.abs(u[idx]))
        u[idx] = P
        active[idx[done | ~np.isfinite(P)]] = False
    return u


def descend(system, x, eta_t, u=None, eta=None, max_levels=MAX_LEVELS, level_iters=LEVEL_ITERS,
            min_ratio=MIN_RATIO, max_ratio=MAX_RATIO, floor=FLOOR):
    """Follow the solution at ``x + i eta`` from ``eta = max(scale, eta_t)`` (or the given start
    ``u`` at ``eta``) down to ``eta_t``, all points at once, with adaptive geometric steps.

    Returns ``(u, reached, eta_reached)``.
    """
    x = np.asarray(x, float).ravel()
    eta_t = np.broadcast_to(np.asarray(eta_t, float), x.shape).copy()
    if u is None:
        eta = np.maximum(system.scale, eta_t)
        u = _fixed_point_start(system, x + 1j * eta)
    else:
        u = np.array(u, complex).ravel()
        eta = np.array(eta, float).ravel()
    u, ok, Pu, Pz = newton(system, u, x + 1j * eta)
    alive = ok & physical(system, u, Pu, x + 1j * eta)
    ratio = np.full(x.shape, 4.0)
    floor = floor * system.scale
    # below the floor a level first jumps straight to the target; a point whose jump failed takes one
    # geometric step before jumping again (next to a hard edge the solution at x + i eta is the one at x only
    # for eta below the distance to the edge, which may be far below the floor)
    geometric = np.zeros(x.shape, bool)
    for _ in range(max_levels):
        idx = np.nonzero(alive & (eta > eta_t))[0]
        if idx.size == 0:
            break
        new = np.maximum(eta[idx] / ratio[idx], eta_t[idx])
        jump = (new < floor) & ~geometric[idx]
        new = np.where(jump, eta_t[idx], new)
        z_new = x[idx] + 1j * new
        # tangent predictor du/d(eta) = i Phi_z / (1 - Phi_u), used only when it is a modest move
        with np.errstate(all="ignore"):
            du = 1j * Pz[idx] / (1 - Pu[idx]) * (new - eta[idx])
        du = np.where(np.isfinite(du) & (np.abs(du) <= 0.25 * (np.abs(u[idx]) + eta[idx])), du, 0)
        ui, oki, Pui, Pzi = newton(system, u[idx] + du, z_new, iters=level_iters)
        # strictly above the axis the fixed point is strictly attracting; on the axis allow rounding
        oki &= physical(system, ui, Pui, z_new)
        acc = idx[oki]
        u[acc], Pu[acc], Pz[acc], eta[acc] = ui[oki], Pui[oki], Pzi[oki], new[oki]
        # below the floor the ratio may grow past max_ratio (a hard edge at distance 1e-300 is ~290 decades down)
        ratio[acc] = np.minimum(ratio[acc] * 2, np.where(new[oki] < floor, 2.0 ** 30, max_ratio))
        geometric[acc] = False
        failed_jump = ~oki & jump
        geometric[idx[failed_jump]] = True           # a failed jump costs no ratio: the next level is geometric
        rej = idx[~oki & ~jump]
        ratio[rej] = 1 + (ratio[rej] - 1) / 3
        alive[rej[ratio[rej] < min_ratio]] = False
    reached = alive & (eta <= eta_t)
    return u, reached, eta


def _polish(system, u0, z):
    u, ok, Pu, _ = newton(system, u0, z)
    return u, ok & physical(system, u, Pu, z)


def _walk(system, z_from, u_from, z_to, max_halvings=40):
    """Continuation along the segment from a solved point to ``z_to``, halving the step on failure."""
    t, h, u = 0.0, 1.0, complex(u_from)
    for _ in range(4 * max_halvings):
        tn = min(1.0, t + h)
        zn = np.array([z_from + tn * (z_to - z_from)])
        un, ok = _polish(system, np.array([u]), zn)
        if ok[0]:
            t, u = tn, complex(un[0])
            if t >= 1.0:
                return u, True
            h = min(2 * h, 1.0 - t)
        else:
            h /= 2
            if h < 2.0 ** -max_halvings:
                break
    return u, False


ANCHOR_LEVEL_ITERS = 6     # Newton steps per level of an anchor's descent (a level that needs more is retried
ANCHOR_MIN_RATIO = 2.0     # with a smaller ratio; an anchor whose ratio falls below 2 is left out: measured on
                           # the ReLU, GELU, tanh, SiLU laws, only anchors at a support edge fail, and they
                           # fail at any setting)
ANCHOR_MAX_RATIO = 32.0    # an anchor's descent: steps of ratio up to 32, and from ANCHOR_FLOOR * scale straight
ANCHOR_FLOOR = 1e-6        # to the target height (measured on the same laws: the same anchors found, to
                           # rounding, in half the evaluations of ratio 8 and FLOOR)
ANCHOR_SKIP = 3            # a point whose start fails on the coarsest grid tries every third finer grid only
                           # (and the finest): the anchors of the grids between are computed anyway (each
                           # from its coarser neighbours), the Newton polish of the point there is skipped
ANCHOR_LEVEL0 = 5          # coarsest anchor grid: spacing H / 2^5 (H = scale rounded up to a power of 2)
ANCHOR_LEVELS = 14         # finest anchor grid tried: spacing H / 2^(5 + 14 - 1)
ANCHOR_DESCENT = 20        # descent levels at most for an anchor (a successful one takes ~14: from scale
                           # to FLOOR * scale at ratio 8; one that fails, e.g. at an edge, would use them all)


def _canonical(k, j):
    """The coarsest name ``(k, j)`` of the anchor ``x_j = j H / 2^k`` (an even ``j`` is the anchor
    ``j/2`` of level ``k - 1``, down to ``ANCHOR_LEVEL0``)."""
    while k > ANCHOR_LEVEL0 and j % 2 == 0:
        k, j = k - 1, j // 2
    return k, j


def _parents(k, j):
    """The two anchors of level ``k - 1`` around the anchor ``(k, j)`` (``j`` odd), canonical names."""
    return _canonical(k - 1, (j - 1) // 2), _canonical(k - 1, (j + 1) // 2)


def _anchor_values(system, memory, eta, k, js, H, poles=()):
    """Solutions at the anchors ``x_j = j H / 2^k`` (height ``eta``) of level ``k``, computed once per
    measure and kept in ``memory``; NaN where no solution was found.  Each anchor is a deterministic
    function of its own location:

    * an anchor of the coarsest level ``ANCHOR_LEVEL0`` is followed down from ``Im z = scale`` by
      :func:`descend` (the first time a height is seen, all of them over ``[-scale, scale]`` in one
      batch; the value at a point of the batch never depends on the others).  On the axis, an anchor
      at an atom (a pole of ``G``) is NaN;
    * an anchor of a finer level (odd ``j``) starts from the mean of the solutions at its two neighbours
      of the level above (themselves anchors, computed first), polished by Newton's method; only when that
      fails (or a neighbour is NaN) is it descended from ``scale`` like a coarsest one.
    """
    table = memory.setdefault(("anchors", float(eta)), {})
    keys = [_canonical(k, int(j)) for j in js]
    missing = set(key for key in keys if key not in table)
    if missing and not any(key[0] == ANCHOR_LEVEL0 for key in table):
        # the first anchors at this height: every coarsest anchor over [-scale, scale] (which holds the
        # support) in the same batch (one descent costs its slowest point, not the number of points)
        jmax = int(np.ceil(system.scale / (H / 2.0 ** ANCHOR_LEVEL0)))
        missing |= {(ANCHOR_LEVEL0, j) for j in range(-jmax, jmax + 1)}
    # close the missing set under "parents of a finer anchor"
    frontier = list(missing)
    while frontier:
        nxt = []
        for kk, jj in frontier:
            if kk > ANCHOR_LEVEL0:
                for par in _parents(kk, jj):
                    if par not in table and par not in missing:
                        missing.add(par)
                        nxt.append(par)
        frontier = nxt
    for level in sorted({kk for kk, _ in missing}):
        _solve_anchor_level(system, table, eta, level, sorted(key for key in missing if key[0] == level),
                            H, poles)
    return np.array([table[key] for key in keys], complex)


def _solve_anchor_level(system, table, eta, level, batch, H, poles):
    """Solve the anchors ``batch`` of one level into ``table`` (see :func:`_anchor_values`; the
    neighbours of a finer anchor one level up are already there)."""
    h = H / 2.0 ** level
    xa = np.array([j * h for _, j in batch])
    ua = np.full(xa.size, np.nan + 0j)
    ok = np.zeros(xa.size, bool)
    if level > ANCHOR_LEVEL0:
        pa = np.array([[table[par] for par in _parents(*key)] for key in batch], complex)
        start = pa.mean(axis=1)
        fin = np.nonzero(np.isfinite(start))[0]
        if fin.size:
            up, okp = _polish(system, start[fin], xa[fin] + 1j * float(eta))
            ua[fin[okp]] = up[okp]
            ok[fin[okp]] = True
    todo = np.nonzero(~ok)[0]
    if eta == 0 and len(poles):
        at_pole = np.any(np.abs(xa[todo, None] - np.asarray(poles, float)[None, :])
                         <= 1e-12 * system.scale, axis=1)
        todo = todo[~at_pole]
    if todo.size:
        # (an anchor is only a start: one whose descent is slow, e.g. at a hard edge, is left out)
        ud, okd, _ = descend(system, xa[todo], np.full(todo.size, float(eta)), max_levels=ANCHOR_DESCENT,
                             level_iters=ANCHOR_LEVEL_ITERS, min_ratio=ANCHOR_MIN_RATIO,
                             max_ratio=ANCHOR_MAX_RATIO, floor=ANCHOR_FLOOR)
        ua[todo[okd]] = ud[okd]
        ok[todo[okd]] = True
    for key, v, good in zip(batch, ua, ok):
        table[key] = complex(v) if good else complex(np.nan, np.nan)


def _anchored(system, z, memory, poles=()):
    """Solve at the points ``z`` (one height) from starts that depend on each point alone: the linear
    interpolation of the solutions at the two anchors around it, on dyadic grids of decreasing
    spacing (the first level whose start converges wins; after the coarsest, only every
    ``ANCHOR_SKIP``-th level and the finest are tried).  Returns ``(u, done)``."""
    n = z.size
    u = np.full(n, np.nan + 0j)
    done = np.zeros(n, bool)
    H = 2.0 ** np.ceil(np.log2(max(system.scale, 1e-300)))
    eta = z.imag[0]
    for k in range(ANCHOR_LEVEL0, ANCHOR_LEVEL0 + ANCHOR_LEVELS):
        todo = np.nonzero(~done)[0]
        if todo.size == 0:
            break
        h = H / 2.0 ** k
        x = z.real[todo]
        j0 = np.floor(x / h)
        uab = _anchor_values(system, memory, eta, k, np.concatenate([j0, j0 + 1]), H, poles)
        ua, ub = uab[:todo.size], uab[todo.size:]
        t = x / h - j0
        start = np.where(np.isfinite(ua) & np.isfinite(ub), (1 - t) * ua + t * ub,
                         np.where(np.isfinite(ua), ua, ub))
        ok_start = np.isfinite(start)
        if (k - ANCHOR_LEVEL0) % ANCHOR_SKIP and k < ANCHOR_LEVEL0 + ANCHOR_LEVELS - 1:
            continue
        if not np.any(ok_start):
            continue
        sel = todo[ok_start]
        un, okn = _polish(system, start[ok_start], z[sel])
        u[sel[okn]] = un[okn]
        done[sel[okn]] = True
    return u, done


def _distinct(a):
    """The distinct values of ``a``, ascending (as ``np.unique``, whose first call imports ``numpy.ma``: 8 ms)."""
    a = np.sort(np.asarray(a).ravel())
    return a[np.concatenate([[True], a[1:] != a[:-1]])] if a.size else a


# long: one cascade of starts (anchors, descent, walk) over shared masks
def solve(system, z, poles=(), on_fail="raise", memory=None, heights=False):
    """Solve ``u = Phi(u, z)`` at every point of the complex array ``z`` (``Im z >= 0``).

    Returns ``(u, eta)``: the solutions and the heights actually reached (equal to ``Im z`` except
    for points that could only be followed to within ``FROZEN * scale`` of the axis; the value
    there is the solution at that height — a Poisson smoothing of width ``eta``).  ``poles`` are
    atoms of the resulting law: a point very close to one may stop proportionally closer.
    ``on_fail="raise"`` raises :class:`NoConvergence` naming the first unsolved point;
    ``on_fail="nan"`` returns NaN there.  ``memory``: a dict the measure keeps between calls (the
    solutions at the anchors; a fresh dict gives the same values, only slower).  ``heights``: polish the
    imaginary parts of the solutions to relative accuracy (:func:`polish_heights`).
    """
    z = np.asarray(z, dtype=complex)
    shape = z.shape
    z = z.ravel()
    n = z.size
    u = np.full(n, np.nan + 0j)
    eta_r = z.imag.copy()
    done = np.zeros(n, bool)
    # 1. far from the axis: the iteration converges from init
    far = np.nonzero(z.imag >= system.scale)[0]
    if far.size:
        uf, okf = _polish(system, _fixed_point_start(system, z[far]), z[far])
        u[far[okf]] = uf[okf]
        done[far[okf]] = True
    # 2. starts from the anchors around each point (the value at a point never depends on the other
    #    points asked for, nor on earlier calls: results are reproducible in any thread and order)
    if memory is None:
        memory = {}
    for h in _distinct(z.imag[~done]):
        tt = np.nonzero(~done & (z.imag == h))[0]
        un, okn = _anchored(system, z[tt], memory, poles)
        u[tt[okn]] = un[okn]
        done[tt[okn]] = True
    # 3a. a descent of their own
    todo = np.nonzero(~done)[0]
    frozen_u = {}
    if todo.size:
        ud, okd, etad = descend(system, z.real[todo], z.imag[todo])
        u[todo[okd]] = ud[okd]
        done[todo[okd]] = True
        for i, k in enumerate(todo):
            if not okd[i] and np.isfinite(ud[i]):
                frozen_u[k] = (ud[i], etad[i])
    # 3b. a walk from the nearest converged point, halving the step on failure (the only step in which
    #     a value depends on another point: reached only when every anchored start and the descent failed)
    todo = np.nonzero(~done)[0]
    for k in todo:
        good = np.nonzero(done)[0]
        if good.size == 0:
            break
        j = good[np.argmin(np.abs(z[good] - z[k]))]
        uk, ok = _walk(system, z[j], u[j], z[k])
        if ok:
            u[k], done[k] = uk, True
    # 3c. points followed to within FROZEN * scale of the axis keep that value
    for k in np.nonzero(~done)[0]:
        if k in frozen_u:
            val, et = frozen_u[k]
            near_scale = system.scale
            for p in poles:
                near_scale = min(near_scale, 1e3 * abs(z.real[k] - p) + 1e-12 * system.scale)
            if et <= FROZEN * near_scale:
                u[k], eta_r[k], done[k] = val, et, True
    if heights:
        k = np.nonzero(done & np.isfinite(u))[0]
        u[k] = polish_heights(system, u[k], z.real[k] + 1j * eta_r[k])
    # solutions accepted with a rounding-size imaginary part of the wrong sign lie on the boundary
    # line: put them on it, on the side of the half-plane (boundary values are taken from there)
    wrong = done & (system.half * u.imag < 0)
    u[wrong] = u[wrong].real + 1j * np.copysign(0.0, system.half)
    if not np.all(done):
        bad = np.nonzero(~done)[0]
        if on_fail == "raise":
            k = bad[0]
            raise NoConvergence(f"{system.name}: no solution found at z = {complex(z[k])!r} "
                                f"({bad.size} of {n} points unsolved)", best=u.reshape(shape),
                                residual=None, iterations=MAX_LEVELS)
    return u.reshape(shape), eta_r.reshape(shape)


#: a height polish step is taken where it changes Im u by more than HEIGHT_REL of |Im u| (a converged point off the
#: axis is not touched: its step is ~eps |u|) and by less than HEIGHT_STEP of |u| (a polish, not a new solve)
HEIGHT_REL = 1e-12
HEIGHT_STEP = 1e-9
HEIGHT_ROUNDS = 4
#: ... and larger than HEIGHT_FLOOR of |u| (also for the reflection of a root on the wrong side): a real solution in a
#: gap ends with heights and Im F of 1e-38 .. 1e-100 from rounding, and a height made of them left G there with an
#: imaginary part (-9e-40) where it is real
HEIGHT_FLOOR = 1e-30


def polish_heights(system, u, z):
    """The imaginary parts of converged solutions ``u`` to relative accuracy: steps ``u -> u - i Im(F/F_u)`` kept
    while they decrease ``|Im F|``.

    Newton's stopping test measures ``|F|``, whose real part is rounding noise of the size of the map's terms
    (``eps |u|``), so a solution whose height ``Im u`` is itself that small is accepted with a height that is mostly
    noise, or real.  Next to a pole of an operand's ``G`` the density needs exactly that height: for ``(1/4
    semicircle + 3/4 δ_1) ⊞ (δ_0 + δ_3)/2`` at ``x = 1 + 3e-7`` (an atom of the law inside its support) the solution
    is ``ω = 1 + 9e-7 + 4.7e-13 i`` and the term ``3/4 /(ω - 1)`` carries two thirds of the density in its imaginary
    part ``-3/4 Im ω/|ω - 1|^2``; with ``ω`` real the density came out a third of the true one.  ``Im F`` is free of
    that noise (``G``'s parts are computed componentwise), so the step on the imaginary part alone converges.  ``z``:
    the points where the ``u`` were solved."""
    u = np.array(u, complex, copy=True)
    if u.size == 0:
        return u
    # on the real axis the mirror image of a root is a root (real measures: Phi(conj u, x) = conj Phi(u, x)); a solve
    # that ended a rounding-size height on the wrong side of the axis (-4.7e-13 i above) is reflected, not flattened
    mirror = (np.asarray(z).imag == 0) & (system.half * u.imag < -HEIGHT_FLOOR * np.abs(u))
    u[mirror] = np.conj(u[mirror])
    _, _, _, F, _, Fu = _eval(system, u, z, terms=True)
    for _ in range(HEIGHT_ROUNDS):
        with np.errstate(all="ignore"):
            d = np.imag(F / Fu)
            go = (np.isfinite(d) & (np.abs(d) > HEIGHT_REL * np.abs(u.imag)) & (np.abs(d) <= HEIGHT_STEP * np.abs(u))
                  & (np.abs(d) > HEIGHT_FLOOR * np.abs(u)))
        k = np.nonzero(go)[0]
        if k.size == 0:
            break
        cand = u[k] - 1j * d[k]
        below = system.half * cand.imag < 0
        cand[below] = cand[below].real + 1j * np.copysign(0.0, system.half)
        _, _, _, Fc, _, Fuc = _eval(system, cand, z[k], terms=True)
        better = np.isfinite(Fc) & np.isfinite(Fuc) & (np.abs(Fc.imag) < np.abs(F[k].imag))
        if not np.any(better):
            break
        kk = k[better]
        u[kk], F[kk], Fu[kk] = cand[better], Fc[better], Fuc[better]
    return u


# ----------------------------------------------------------------------------- any precision
def polish_mp(system, u0, z, ctx, iters=None):
    """Newton's method with the analytic derivative in the mpmath context ``ctx``, from the double
    solution ``u0`` at ``z``.  Raises NoConvergence (naming ``z``) if it does not converge to a
    solution within 1e-6 (relative) of ``u0`` on the right half-plane.  ``iters``: at most that many
    steps; by default enough for an operand whose ``G'`` is known in double precision only (Newton then
    gains about 15 digits per step, not twice the digits: 1000 digits take ~65 steps)."""
    if iters is None:
        iters = max(60, ctx.dps // 12 + 20)
    u = ctx.mpc(complex(u0))
    z = ctx.mpc(z)
    tol = ctx.mpf(2) ** (-ctx.prec + 8)
    for it in range(iters):
        out = system.phi_mp(u, z, ctx)
        P, Pu = out[:2]
        # the residual and its derivative without cancellation, if given
        dF = out[3] if len(out) > 3 else Pu - 1
        step = -(out[2] if len(out) > 2 else P - u) / dF
        u = u + step
        # converged: a step below tol, or steps that stopped shrinking (at the rounding floor of the residual's terms,
        # which can exceed |u| eps many times over) while 5 digits below the working precision: semicircle ⊞ (δ_-1 +
        # δ_1)/2 at 0.001 (|F_u| = 0.03) and the NTK law of ReLU at gamma2 = 1e-5 made steps of 1e-38 .. 1e-37 at 40
        # digits forever and raised NoConvergence "reached residual 7.6e-37"
        if abs(step) <= tol * abs(u) or (it and abs(step) >= prev / 4 and abs(step) <= ctx.mpf(10) ** (5 - ctx.dps) * abs(u)):
            break
        prev = abs(step)
    else:
        raise NoConvergence(f"{system.name}: Newton at {ctx.dps} digits did not converge at z = {z}",
                            best=u, residual=float(abs(step)), iterations=iters)
    if abs(u - ctx.mpc(complex(u0))) > 1e-6 * abs(u) or system.half * ctx.im(u) < -1e-12 * abs(u):
        raise NoConvergence(f"{system.name}: the {ctx.dps}-digit Newton iteration left the double-precision "
                            f"solution {complex(u0)!r} at z = {z}", best=u, residual=None, iterations=it + 1)
    return u


# ----------------------------------------------------------------------------- the three systems
def derivative(system, u, z):
    """``du/dz = Phi_z / (1 - Phi_u)`` at solutions ``u`` (implicit function theorem), with the system's own
    ``Phi_u - 1`` when it gives one (next to a hard edge ``1 - Phi_u`` formed is rounding: G' of a rate-1 free compound
    Poisson law off by 22 % at z = -1e-32)."""
    _, _, Pz, _, _, Fu = _eval(system, np.asarray(u, complex), np.asarray(z, complex), terms=True)
    with np.errstate(all="ignore"):
        return -Pz / Fu


def warn_frozen(name, z, eta, G=None, at=None):
    """A PrecisionWarning when :func:`solve` returned, at some points, the solution at a height ``eta`` above ``z``
    (step 3c: followed to within ``FROZEN * scale`` of the axis, no further): ``G`` there is ``G(Re z + i eta)``, a
    Poisson smoothing of width ``eta``, not ``G(z)``; next to a hard edge or an atom it can be off by any amount
    (``free_mul`` of two Marchenko-Pastur laws at ``z = 1e-150``: 23 orders of magnitude).  With the values ``G`` and
    ``at(zz)`` (G at other points, without this check) a point is passed over when ``G`` at twice the height differs
    by at most 1e-14 relative: to first order ``G(x + i eta) - G(x)`` is that difference (a frozen point of ``free_mul``
    at z = 0 with the support away from 0 is exact); else the warning reports that difference, which is no bound (at a
    hard edge it understated the error by factors up to 1e100)."""
    z = np.asarray(z, complex).ravel()
    eta = np.asarray(eta, float).ravel()
    k = np.nonzero(eta > z.imag)[0]
    est = np.full(k.size, np.nan)
    if k.size and G is not None and at is not None:
        Gk = np.asarray(G, complex).ravel()[k]
        with np.errstate(all="ignore"):
            est = np.abs(np.asarray(at(z.real[k] + 2j * eta[k]), complex) - Gk)
            keep = ~(est <= 1e-14 * np.abs(Gk))
        k, est = k[keep], est[keep]
    if k.size:
        i = int(np.argmax(eta[k]))
        # the difference with G at twice the height is no bound (at a hard edge it understated the error by 1e100, a
        # review found): it is only reported
        tail = (f" and differs from G at twice that height by {est[i]:.1e}; its distance to G(z) is not bounded"
                if np.isfinite(est[i]) else ", and its distance to G(z) is not bounded")
        warnings.warn(f"{name}: at {k.size} point(s) the equation could be followed only to a height above the "
                      f"real axis (e.g. z = {complex(z[k[i]])!r}: height {eta[k[i]]:.3g}); the value there is G at that "
                      f"height (a Poisson smoothing of width the height), not G(z){tail}", PrecisionWarning,
                      stacklevel=5)


def upper(z):
    """``(z or its conjugate in the closed upper half-plane, mask of conjugated points)``."""
    z = np.asarray(z, complex)
    low = z.imag < 0
    return np.where(low, np.conj(z), z), low


def fcp_system(r, pair, pair_mp=None, scale=1.0, r_mp=None):
    """Free compound Poisson with rate ``r``; ``pair(zeta) -> (G_J, G_J')`` of the jump law.

    Unknown ``zeta = 1/G``: ``Phi = z - r (zeta^2 G_J(zeta) - zeta)``, ``Phi_z = 1``.  ``r_mp(ctx)``
    gives the rate in an mpmath context (exact rates stay exact at any precision).
    """
    r_mp = r_mp or (lambda ctx: ctx.mpf(r))

    def phi(zeta, z):
        g, dg = pair(zeta)
        P = z - r * zeta * (zeta * g - 1)
        Pu = -r * (2 * zeta * g + zeta * zeta * dg - 1)
        # Phi - zeta = z - r zeta^2 G_J + (r - 1) zeta, without zeta - zeta: next to a hard edge at 0 (r = 1, zeta ~
        # sqrt|z|) forming P - zeta left eps |zeta| in a residual of size |z| (G_rho(-1e-14) off by 1e-10 relative)
        t1, t2 = r * zeta * zeta * g, (r - 1) * zeta
        F = z - t1 + t2
        # and F' = Phi_u - 1 without 1 - 1: there Phi_u = 1 - O(zeta), and Phi_u - 1 is rounding once |zeta| ~ eps
        # (G_rho(-1e-40) off by 100 %: Newton's steps were noise)
        Fu = -r * (2 * zeta * g + zeta * zeta * dg) + (r - 1)
        return P, Pu, np.ones_like(P), F, np.abs(z) + np.abs(t1) + np.abs(t2), Fu

    def phi_mp(zeta, z, ctx):
        g, dg = pair_mp(zeta, ctx)
        rr = r_mp(ctx)
        return (z - rr * zeta * (zeta * g - 1), -rr * (2 * zeta * g + zeta * zeta * dg - 1),
                z - rr * zeta * zeta * g + (rr - 1) * zeta, -rr * (2 * zeta * g + zeta * zeta * dg) + (rr - 1))

    return System(phi, lambda z: np.array(z, complex), +1, float(scale), phi_mp if pair_mp else None,
                  "free compound Poisson equation")


def add_system(cp_mu, cp_nu, pair_mu_mp=None, pair_nu_mp=None, scale=1.0, var_mu=None, var_nu=None):
    """Additive subordination: ``Phi(w) = z + h_nu(z + h_mu(w))``, ``h = 1/G - id``.  ``cp_mu``, ``cp_nu`` give
    ``(G, G', K, S, K')`` (:meth:`Measure._cauchy_psi_np`), ``var_mu``, ``var_nu`` (optional) ``G^2 + G'``
    (:meth:`Measure._cauchy_var_np`).

    Where ``G`` is small (next to a zero of ``G`` between an operand's atoms, ``w ~ 1/G`` far out on the partner)
    ``1/G - w`` is a difference of terms of size ``1/|G|`` with a result of size the mean: it is taken as ``-K/G``,
    whose rounding is ``eps S/|G|`` (``S`` the size of ``K``'s terms), when that is the smaller; and
    ``h' = -(G^2 + G')/G^2`` from ``var`` without the cancellation of ``-G'/G^2 - 1``.  Formed the old way the
    residual carried ``eps/|G|``: at ``G ~ 2e-6`` next to a square-root edge of atoms ⊞ atoms the density 1e-9
    inside the edge was 0.4 % off (docs/numerics.md)."""
    def h(cp, var, w):
        g, d, K, S, _ = cp(w)
        with np.errstate(all="ignore"):
            old = 1 / g - w
            new = -K / g
            use = np.isfinite(new) & np.isfinite(K) & (S < np.abs(w) * np.abs(g))
            val = np.where(use, new, old)
            dd = -d / (g * g) - 1
            if var is not None:
                dv = -var(w) / (g * g)
                dd = np.where(np.isfinite(dv), dv, dd)
        return val, dd

    def phi(w, z):
        h1, hmu_d = h(cp_mu, var_mu, w)
        w2 = z + h1
        h2, hnu_d = h(cp_nu, var_nu, w2)
        return z + h2, hnu_d * hmu_d, 1 + hnu_d

    def phi_mp(w, z, ctx):
        g1, d1 = pair_mu_mp(w, ctx)
        w2 = z + 1 / g1 - w
        g2, d2 = pair_nu_mp(w2, ctx)
        return z + 1 / g2 - w2, (-d2 / (g2 * g2) - 1) * (-d1 / (g1 * g1) - 1)

    return System(phi, lambda z: np.array(z, complex), +1, float(scale),
                  phi_mp if pair_mu_mp and pair_nu_mp else None, "additive subordination equation")


def mul_system(cp_mu, cp_nu, m1_nu, pair_mu_mp=None, pair_nu_mp=None, scale=1.0):
    """Multiplicative subordination in ``xi = 1/z``: ``Phi(w) = xi h_nu(xi h_mu(w))``,
    ``h(w) = 1/w - 1/G(1/w)``, ``h'(w) = -1/w^2 - G'(1/w) / (w G(1/w))^2``; unknown in the lower
    half-plane.  ``cp_mu``, ``cp_nu`` give ``(G, G', K, S, K')`` with ``K(z) = z G(z) - 1`` (:meth:`Measure._cauchy_psi_np`),
    and ``h = K/G`` at ``1/w``: no difference of terms of size 1 when a measure is almost all atom at 0 (there ``K`` is
    small; ``free_mul(marchenko_pastur(1e5), marchenko_pastur(1))`` lost its density's digits in ``1/w - 1/G``), nor at
    a hard edge at 0 (``z G -> 0``, where ``1/(1 + K)`` would be the difference)."""
    def h(cp, w):
        """``(h, h', size)``: ``size`` the terms' size behind ``h`` (its rounding is ``~eps size``)."""
        zeta = 1 / w
        g, d, K, S, _ = cp(zeta)
        val = K / g
        size = S / np.abs(g)                                            # S >= |K|: at least |h|
        # K formed as zeta G - 1 (its terms larger than itself): zeta - 1/G, the same rounding, as it always was; and
        # at a pole of G (= zeta)
        old = ~(np.isfinite(val) & np.isfinite(g) & np.isfinite(K)) | (S > 2 * np.abs(K))
        if np.any(old):
            val = np.where(old, zeta - 1 / g, val)
            size = np.where(old, np.abs(zeta), size)
        # h'(w) = -zeta^2 (1 + G'/G^2) -> the variance as w -> 0, where 1 + G'/G^2 = O(w^2) is formed from terms of
        # size 1: once below their rounding it is noise times zeta^2 (|Phi_u| ~ 17 at z ~ -5e16 made the solution
        # there unphysical); the true Phi_u there is O(w^2), so the noise is set to 0 (a plain fixed-point step)
        t = 1 + d / (g * g)
        t = np.where(np.abs(t) <= 4 * EPS * (1 + np.abs(d / (g * g))), 0, t)
        return val, -zeta * zeta * t, size

    def h_mp(pair, w):
        g, d = pair(1 / w)
        return 1 / w - 1 / g, -1 / (w * w) - d / (w * w * g * g)

    def phi(w, z):
        xi = 1 / z
        h1, d1, s1 = h(cp_mu, w)
        w2 = xi * h1
        h2, d2, s2 = h(cp_nu, w2)
        dxi = h2 + xi * d2 * h1
        P = xi * h2
        # the residual's terms: w and the terms behind P (h_nu's, at least |h_nu|, and h_mu's carried through h_nu'),
        # of size 1/|z| (the unknown lives in 1/z).  The default |w| + |z| made the stopping level |z|^2 times too
        # coarse where the support lies far from 1 (free_mul(marchenko_pastur(1e4), marchenko_pastur(1)), support
        # near 1e4: w good to 1e-10 relative, the density to 1e-5)
        axi = np.abs(xi)
        return P, xi * xi * d2 * d1, -xi * xi * dxi, P - w, np.abs(w) + axi * (s2 + np.abs(d2) * axi * s1)

    def phi_mp(w, z, ctx):
        xi = 1 / z
        h1, d1 = h_mp(lambda v: pair_mu_mp(v, ctx), w)
        h2, d2 = h_mp(lambda v: pair_nu_mp(v, ctx), xi * h1)
        return xi * h2, xi * xi * d2 * d1

    return System(phi, lambda z: m1_nu / np.asarray(z, complex), -1, float(scale),
                  phi_mp if pair_mu_mp and pair_nu_mp else None, "multiplicative subordination equation")


def density_from_cauchy(x, G, eta, atoms):
    """``-Im G/pi`` at ``x + i eta`` minus the Poisson kernels of the known atoms (exact at eta = 0;
    for points that stopped just above the axis it removes the atoms' smoothed spikes)."""
    f = -np.imag(G) / np.pi
    for a, w in atoms:
        with np.errstate(divide="ignore", invalid="ignore"):
            f = f - np.where(eta > 0, w * eta / (np.pi * ((x - a) ** 2 + eta ** 2)), 0.0)
    return np.where(np.isnan(f), np.nan, np.clip(f, 0, None))


#: heights ratio of the extrapolation of a density to the axis from points that stopped above it
LIMIT_Q = 8.0


def boundary_density(x, f, eta, cauchy, atoms):
    """Densities on the real axis from :func:`density_from_cauchy` values ``f`` at heights ``eta``.

    Where a solve stopped above the axis (``eta > 0``: a degenerate point of the equation, e.g. a cusp
    where a subordination function runs off to infinity, or a point where the map is the identity),
    ``f`` is the density smoothed at width ``eta``.  The limit ``eta -> 0`` is taken from the values at
    ``eta``, ``Q eta``, ``Q^2 eta`` (``cauchy(z)`` gives them) for ``f(eta) = f0 + C eta^alpha``,
    ``alpha > 0`` (Aitken's extrapolation): exact for an analytic density (``alpha = 1``, e.g. the
    identity map of Bernoulli ⊞ Bernoulli at 0) and for a power-law zero (``|x|^(1/3)`` at a cusp gives
    ``f(eta) ~ eta^(1/3)`` and the limit 0).  Where the three values do not follow such a law (no
    ``0 < alpha``), ``f`` is kept."""
    x = np.asarray(x, float)
    f = np.array(f, float, copy=True)
    eta = np.broadcast_to(np.asarray(eta, float), x.shape)
    k = np.nonzero((eta > 0) & np.isfinite(f))[0]
    if k.size == 0:
        return f
    xs, e = x[k], eta[k]
    f2 = density_from_cauchy(xs, np.asarray(cauchy(xs + 1j * LIMIT_Q * e), complex), LIMIT_Q * e, atoms)
    f3 = density_from_cauchy(xs, np.asarray(cauchy(xs + 1j * LIMIT_Q ** 2 * e), complex), LIMIT_Q ** 2 * e, atoms)
    d1, d2 = f2 - f[k], f3 - f2
    with np.errstate(all="ignore"):
        ratio = d2 / d1
        f0 = f[k] - d1 / (ratio - 1)
    ok = np.isfinite(f0) & (d1 != 0) & (ratio > 1)
    # for an analytic density (alpha = 1) the extrapolation is exact up to O(eta^2); for a power-law
    # zero (alpha < 1, e.g. eta^(1/3) at a cusp) the next term of the expansion is not removed: the value
    # is then only good to the size of the correction made, which the caller is told
    with np.errstate(all="ignore"):
        alpha = np.log(ratio) / np.log(LIMIT_Q)
    rough = ok & (alpha < 0.9)
    if np.any(rough):
        i = int(np.argmax(np.where(rough, np.abs(f0 - f[k]), -1)))
        warnings.warn(f"density at x = {float(xs[i])!r}: a degenerate point of the equation (the solve stops "
                      f"{e[i]:.1e} above the axis, density ~ eta^{alpha[i]:.2f} there); the value is the limit "
                      f"extrapolated from three heights, good to about {abs(f0[i] - f[k][i]):.1e} only",
                      PrecisionWarning, stacklevel=4)
    f[k[ok]] = np.clip(f0[ok], 0, None)
    kept = ~ok & np.isfinite(f[k])
    if np.any(kept):
        i = int(np.argmax(np.where(kept, e, -1)))
        warnings.warn(f"density at x = {float(xs[i])!r} ({int(kept.sum())} point(s)): the solve stops {e[i]:.1e} above "
                      "the axis and the values at three heights follow no law f0 + C eta^alpha (alpha > 0; e.g. a density "
                      "that blows up at a hard edge next to x): the value is the density smoothed at that height, not "
                      "its limit, and its error is not bounded", PrecisionWarning, stacklevel=4)
    return f
