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
import mpmath
import numpy as np

from .errors import NoConvergence

TOL_NP = 1e-13


def _fd_newton_np(R, u, z, iters=30, tol=TOL_NP):
    """Damped Newton on ``R(u, z) = 0`` (vectorised, finite-difference derivative)."""
    r = R(u, z)
    for _ in range(iters):
        scale = 1 + np.abs(u)
        if np.all(np.abs(r) <= tol * scale):
            break
        h = 1e-7 * scale
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


def continuation_solve(fixed_map, z_of, x, eta_target, eta0, init, tol=TOL_NP, fp_iters=400):
    """Solve ``u = fixed_map(u, z)`` at ``z = z_of(x, eta_target)`` for arrays ``x``.

    Returns ``u``.  Raises NoConvergence when the final residual is above ``sqrt(tol)``
    relative (the solution is then not trustworthy).
    """
    x = np.asarray(x, dtype=float)
    eta_target = np.broadcast_to(np.asarray(eta_target, dtype=float), x.shape)
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
    while True:
        done = eta <= eta_target
        if np.all(done):
            break
        eta = np.where(done, eta, np.maximum(eta / 8, eta_target))
        eta = np.where(eta < 1e-7 * np.minimum(eta0, np.abs(x)) + 1e-15 * eta0, eta_target, eta)
        z = z_of(x, eta)
        u, _ = _fd_newton_np(R, u, z, iters=12)
    z = z_of(x, eta_target)
    u, r = _fd_newton_np(R, u, z, iters=40, tol=tol)
    res = np.abs(r) / (1 + np.abs(u))
    if not np.all(np.isfinite(u)) or np.any(res > 1e-7):
        worst = int(np.nanargmax(np.where(np.isfinite(res), res, np.inf)))
        raise NoConvergence(f"subordination equation did not converge at x = {x.ravel()[worst]!r}",
                            best=u, residual=float(np.nanmax(res)), iterations=40)
    return u


def continuation_solve_mp(fixed_map, z, eta0, init, maxiter=200):
    """Scalar mpmath version of :func:`continuation_solve` at the current precision."""
    x, eta_t = mpmath.re(z), mpmath.im(z)
    eps = mpmath.mpf(10) ** (-mpmath.mp.dps + 3)
    eta = max(mpmath.mpf(eta0), eta_t)
    zz = mpmath.mpc(x, eta)
    u = init(zz)
    for _ in range(400):
        un = fixed_map(u, zz)
        if abs(un - u) <= mpmath.mpf(10) ** -6 * (1 + abs(u)):
            u = un
            break
        u = un

    def newton(u, zz, iters, tol):
        r = fixed_map(u, zz) - u
        for it in range(iters):
            if abs(r) <= tol * (1 + abs(u)):
                return u, r
            h = mpmath.sqrt(eps) * (1 + abs(u))
            d = (fixed_map(u + h, zz) - (u + h) - r) / h
            step = -r / d if d != 0 else r
            lam = mpmath.mpf(1)
            for _ in range(20):
                un = u + lam * step
                rn = fixed_map(un, zz) - un
                if abs(rn) < abs(r) or lam < 1e-6:
                    break
                lam /= 2
            u, r = un, rn
        return u, r

    u, _ = newton(u, zz, 20, mpmath.mpf(10) ** -12)
    while eta > eta_t:
        eta = max(eta / 3, eta_t)
        if eta < eta0 * mpmath.mpf(10) ** -12:
            eta = eta_t
        u, _ = newton(u, mpmath.mpc(x, eta), 15, mpmath.mpf(10) ** -12)
    u, r = newton(u, z, maxiter, eps)
    if abs(r) > mpmath.sqrt(eps) * (1 + abs(u)):
        raise NoConvergence(f"subordination equation did not converge at z = {z}", best=u,
                            residual=float(abs(r)), iterations=maxiter)
    return u


# ----------------------------------------------------------------------------- compound Poisson
def _fcp_map_np(r, J):
    def fmap(G, z):
        zeta = 1 / G
        return 1 / (z - r * zeta * (zeta * J._cauchy_vec(zeta) - 1))
    return fmap


def fcp_cauchy_np(z, r, J, scale):
    """Cauchy transform of the free compound Poisson law (rate ``r``, jumps ``J``), double."""
    z = np.asarray(z, dtype=complex)
    fmap = _fcp_map_np(r, J)
    G = continuation_solve(fmap, lambda x, e: x + 1j * e, z.real, z.imag, eta0=scale,
                           init=lambda zz: 1 / zz)
    return G


def fcp_cauchy_mp(z, r, J, scale):
    """Cauchy transform of the free compound Poisson law at the current mpmath precision."""
    def fmap(G, zz):
        zeta = 1 / G
        return 1 / (zz - r * zeta * (zeta * J._cauchy_mp(zeta) - 1))
    return continuation_solve_mp(fmap, mpmath.mpc(z), scale, lambda zz: 1 / zz)
