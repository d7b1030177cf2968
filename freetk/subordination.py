"""Analytic fixed-point equations of free probability, solved numerically.

Three equations share one solver:

* free compound Poisson (and the NTK law): ``G = 1/(z - r int t dJ(t)/(1 - tG))``;
* free additive convolution (Belinschi-Bercovici): ``w1 = z + h_nu(z + h_mu(w1))``,
  ``h(w) = 1/G(w) - w``, ``G_{mu+nu}(z) = G_mu(w1)``;
* free multiplicative convolution: ``w1 = z h_nu(z h_mu(w1))``, ``h(w) = eta(w)/w``,
  ``eta_{mu x nu}(z) = eta_mu(w1)``.

Each fixed-point map is an analytic self-map of a half-plane that converges globally
far from the real axis.  :func:`continuation_solve` runs the fixed-point iteration at
``Im z = eta0``, then follows the solution down to the requested ``Im z`` (0 for a
density) by a geometric sequence of levels, polishing each by damped Newton steps
(derivative by finite differences).  A point that does not converge raises
:class:`~freetk.errors.NoConvergence` carrying the best values reached.
"""
import numpy as np

from .errors import NoConvergence

TOL_NP = 1e-15


def _fd_newton_np(R, u, z, iters=30, tol=TOL_NP):
    """Damped Newton on ``R(u, z) = 0`` (vectorised, finite-difference derivative)."""
    r = R(u, z)
    for _ in range(iters):
        scale = np.abs(u) + 1e-300
        if np.all(np.abs(r) <= tol * scale):
            break
        h = 1e-7 * (1 + np.abs(u))
        d = (R(u + h, z) - r) / h
        bad = ~np.isfinite(d) | (d == 0)
        d = np.where(bad, -1.0, d)  # fall back to a fixed-point step
        step = -r / d
        lam = np.ones(u.shape)
        for _ in range(12):
            un = u + lam * step
            rn = R(un, z)
            worse = ~np.isfinite(rn) | (np.abs(rn) > np.abs(r))
            if not np.any(worse):
                break
            lam = np.where(worse, lam / 2, lam)
        u, r = un, rn
    return u, r


def _attracting(fixed_map, u, z, strict):
    h = 1e-6 * (1 + np.abs(u))
    with np.errstate(all="ignore"):
        d = np.abs((fixed_map(u + h, z) - fixed_map(u - h, z)) / (2 * h))
    lim = np.where(strict, 1 + 1e-6, 1 + 1e-3)
    return np.isfinite(d) & (d <= lim)


def continuation_solve(fixed_map, z_of, x, eta_target, eta0, init, tol=TOL_NP, fp_iters=400, max_rounds=400,
                       half=0, return_eta=False, poles=()):
    """Solve ``u = fixed_map(u, z)`` at ``z = z_of(x, eta_target)`` for arrays ``x``.

    Fixed-point iteration at ``Im = eta0``, then an adaptive descent in ``eta`` per point:
    each point tries ``eta/8``; a step whose Newton polish does not converge is undone and
    retried with a smaller ratio (down to ``eta/1.01``).  ``poles`` are the locations of atoms of the
    law: near them a point may only stop within a small fraction of its distance to the atom.
    With ``return_eta`` the imaginary parts
    actually reached are returned too (non-zero only for points frozen just above the axis).  A step is accepted only if the
    solution is the attracting fixed point (``|map'| < 1``) and lies in the half-plane the map
    preserves (``half * Im u >= 0``; ``half = 0`` skips that check).  Raises NoConvergence (with the
    best values) when a point cannot reach its target within ``max_rounds``.
    """
    x = np.asarray(x, dtype=float)
    shape = x.shape
    eta_target = np.broadcast_to(np.asarray(eta_target, dtype=float), shape).ravel().copy()
    x = x.ravel()
    R = lambda u, z: fixed_map(u, z) - u  # noqa: E731
    eta = np.maximum(eta0, eta_target)
    z = z_of(x, eta)
    u = init(z)
    for _ in range(fp_iters):
        un = fixed_map(u, z)
        if np.all(np.abs(un - u) <= 1e-6 * (1 + np.abs(u))):
            u = un
            break
        u = un
    u, _ = _fd_newton_np(R, u, z)
    ratio = np.full(x.shape, 8.0)
    frozen = np.zeros(x.shape, dtype=bool)
    eta_frozen = eta_target.copy()
    floor = 1e-7 * np.minimum(eta0, np.abs(x)) + 1e-15 * eta0
    for _ in range(max_rounds):
        active = eta > eta_target
        if not np.any(active):
            break
        idx = np.nonzero(active)[0]
        new_eta = np.maximum(eta[idx] / ratio[idx], eta_target[idx])
        new_eta = np.where(new_eta < floor[idx], eta_target[idx], new_eta)
        zi = z_of(x[idx], new_eta)
        ui, ri = _fd_newton_np(R, u[idx], zi, iters=15, tol=1e-13)
        # residual small relative to the solution, measured against the previous level's size too
        # (a diverging Newton sequence would otherwise look converged relative to itself)
        ok = np.isfinite(ui) & (np.abs(ri) <= 1e-9 * (1 + np.minimum(np.abs(ui), np.abs(u[idx]))))
        # the right solution is the attracting (Denjoy-Wolff) fixed point: |map'| < 1 off the axis
        ok &= _attracting(fixed_map, ui, zi, new_eta > eta_target[idx])
        if half:
            ok &= half * ui.imag >= -1e-12 * np.abs(ui)
        # accept converged steps; shrink the step of the others
        acc = idx[ok]
        u[acc] = ui[ok]
        eta[acc] = new_eta[ok]
        ratio[acc] = np.minimum(ratio[acc] * 2, 8.0)
        rej = idx[~ok]
        # a point already within 1e-9 * eta0 of the axis that cannot take the last step keeps its
        # value at that eta (the density it gives is the Poisson smoothing at that width)
        near = np.full(rej.shape, float(eta0))                   # distance scale of each point
        for pl in poles:
            near = np.minimum(near, 1e3 * np.abs(x[rej] - pl) + 1e-12 * eta0)
        tiny = rej[(eta[rej] <= 1e-9 * near) | ((ratio[rej] < 1.05) & (eta[rej] <= 1e-7 * near))]
        frozen[tiny] = True
        eta_frozen[tiny] = eta[tiny]
        eta[tiny] = eta_target[tiny]
        rej = rej[eta[rej] > eta_target[rej]]
        ratio[rej] = 1 + (ratio[rej] - 1) / 3
        if np.any(ratio[rej] < 1.01):
            break
    z = z_of(x, eta_target)
    live = ~frozen
    u0 = u[live]
    r0 = R(u0, z[live])
    u_l, r_l = _fd_newton_np(R, u0, z[live], iters=40, tol=tol)
    good = np.isfinite(u_l) & _attracting(fixed_map, u_l, z[live], False)
    if half:
        good &= half * u_l.imag >= -1e-9 * np.abs(u_l)
    # keep the polished value only where it is still the attracting, half-plane solution
    u_l = np.where(good, u_l, u0)
    r_l = np.where(good, r_l, r0)
    u[live] = u_l
    res = np.zeros(x.shape)
    res[live] = np.abs(r_l) / (1 + np.abs(u_l))
    if half:
        res = np.where(half * u.imag >= -1e-9 * np.abs(u), res, np.inf)
    if not np.all(np.isfinite(u)) or np.any(res > 1e-7) or np.any(eta > eta_target):
        res = np.where(eta > eta_target, np.inf, res)
        worst = int(np.nanargmax(np.where(np.isfinite(res), res, np.inf)))
        raise NoConvergence(f"subordination equation did not converge at x = {x[worst]!r} "
                            f"(stopped at Im z = {eta[worst]:.3g}, target {eta_target[worst]:.3g})",
                            best=u, residual=float(np.nanmax(np.where(np.isfinite(res), res, 1e300))),
                            iterations=max_rounds)
    if return_eta:
        return u.reshape(shape), eta_frozen.reshape(shape)
    return u.reshape(shape)


def continuation_solve_mp(fixed_map, z, eta0, init, ctx, maxiter=200, start=None):
    """Scalar mpmath version of :func:`continuation_solve` in the mpmath context ``ctx``.

    With ``start`` (a callable returning the double-precision solution at the same ``z``, from
    the vectorised solver) the continuation is skipped: Newton's method polishes that value at the
    working precision (quadratic convergence from 16 correct digits); if the double solve or the
    polish fails, the full path is taken.
    """
    x, eta_t = ctx.re(z), ctx.im(z)
    eps = ctx.mpf(10) ** (-ctx.dps + 3)
    if start is not None:
        try:
            start = complex(start())
        except (NoConvergence, ArithmeticError, ValueError):
            start = None
    if start is not None and np.isfinite(start):
        u = ctx.mpc(complex(start))
        r = fixed_map(u, z) - u
        for _ in range(60):
            if abs(r) <= eps * abs(u):
                break
            h = ctx.sqrt(eps) * (1 + abs(u))
            d = (fixed_map(u + h, z) - (u + h) - r) / h
            u = u - r / d
            r = fixed_map(u, z) - u
        if abs(r) <= eps * abs(u) and abs(u - complex(start)) <= 1e-6 * abs(u):
            return u
    eta = max(ctx.mpf(eta0), eta_t)
    zz = ctx.mpc(x, eta)
    u = init(zz)
    for _ in range(400):
        un = fixed_map(u, zz)
        if abs(un - u) <= ctx.mpf(10) ** -6 * (1 + abs(u)):
            u = un
            break
        u = un

    def newton(u, zz, iters, tol):
        r = fixed_map(u, zz) - u
        for it in range(iters):
            if abs(r) <= tol * (1 + abs(u)):
                return u, r
            h = ctx.sqrt(eps) * (1 + abs(u))
            d = (fixed_map(u + h, zz) - (u + h) - r) / h
            step = -r / d if d != 0 else r
            lam = ctx.mpf(1)
            for _ in range(20):
                un = u + lam * step
                rn = fixed_map(un, zz) - un
                if abs(rn) < abs(r) or lam < 1e-6:
                    break
                lam /= 2
            u, r = un, rn
        return u, r

    u, _ = newton(u, zz, 20, ctx.mpf(10) ** -12)
    while eta > eta_t:
        eta = max(eta / 3, eta_t)
        if eta < eta0 * ctx.mpf(10) ** -12:
            eta = eta_t
        u, _ = newton(u, ctx.mpc(x, eta), 15, ctx.mpf(10) ** -12)
    u, r = newton(u, z, maxiter, eps)
    if abs(r) > ctx.sqrt(eps) * (1 + abs(u)):
        raise NoConvergence(f"subordination equation did not converge at z = {z}", best=u,
                            residual=float(abs(r)), iterations=maxiter)
    return u


# ----------------------------------------------------------------------------- compound Poisson
def _fcp_map_np(r, J):
    def fmap(G, z):
        zeta = 1 / G
        return 1 / (z - r * zeta * (zeta * J._cauchy_vec(zeta) - 1))
    return fmap


def fcp_cauchy_np(z, r, J, scale, return_eta=False, poles=()):
    """Cauchy transform of the free compound Poisson law (rate ``r``, jumps ``J``), double."""
    z = np.asarray(z, dtype=complex)
    fmap = _fcp_map_np(r, J)
    G, eta = continuation_solve(fmap, lambda x, e: x + 1j * e, z.real, z.imag, eta0=scale,
                                init=lambda zz: 1 / zz, half=-1, return_eta=True, poles=poles)
    return (G.reshape(z.shape), eta.reshape(z.shape)) if return_eta else G.reshape(z.shape)


def density_from_cauchy(x, G, eta, atoms):
    """``-Im G/pi`` at ``x + i eta`` minus the Poisson kernels of the known atoms (exact at eta = 0;
    for points that stopped just above the axis it removes the atoms' smoothed spikes)."""
    f = -np.imag(G) / np.pi
    for a, w in atoms:
        a, w = float(a), float(w)
        with np.errstate(divide="ignore", invalid="ignore"):
            f = f - np.where(eta > 0, w * eta / (np.pi * ((x - a) ** 2 + eta ** 2)), 0.0)
    return np.clip(f, 0, None)


def fcp_cauchy_mp(z, r, J, scale, ctx):
    """Cauchy transform of the free compound Poisson law in the mpmath context ``ctx``."""
    def fmap(G, zz):
        zeta = 1 / G
        return 1 / (zz - r * zeta * (zeta * J._cauchy_mp(zeta, ctx) - 1))
    return continuation_solve_mp(fmap, ctx.mpc(z), scale, lambda zz: 1 / zz, ctx,
                                 start=lambda: fcp_cauchy_np(np.array([complex(z)]), float(r), J, scale)[0])
