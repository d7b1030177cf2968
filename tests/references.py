"""Reference objects the tests build from the definitions, sharing no code with freetk's routes: finite random
operators, contour moments, and Gauss rules of mu from ball-arithmetic moments (the power series of
freetk.ntk_series and the Chebyshev algorithm of freetk.inversion: no equation for G is solved)."""
import mpmath
import numpy as np
import sympy

from freetk.inversion import gauss_from_jacobi, jacobi_from_moments
from freetk.ntk_series import mu_moments_arb
from freetk.precision import context


def sigma_matrix(a, c, D, W):
    """The dp x dp population operator Sigma(U) = a U D^2 + c (U B^T B + B U^T B), built column by column."""
    d, p = W.shape
    B = W * D[None, :] / np.sqrt(d)
    BtB = B.T @ B
    M = np.zeros((d * p, d * p))
    for col in range(d * p):
        U = np.zeros(d * p)
        U[col] = 1
        U = U.reshape(d, p)
        M[:, col] = (a * U * (D ** 2)[None, :] + c * (U @ BtB + B @ U.T @ B)).ravel()
    return M


def contour_moments(cauchy, L, R, n, kmax):
    """``int x^k d rho`` for ``k <= kmax`` (density plus atoms) as ``(1/2 pi i) oint z^k G(z) dz`` on the ellipse
    through ``L < R`` (both off the support, real) with semi-axes ``h = (R - L)/2`` and ``h/2``: the real-axis
    integral deformed by Cauchy's theorem, the midpoint rule on ``n`` points of the upper half (the lower half
    by symmetry); ``cauchy`` is G at complex points.  Converges like ``1.7^(-2n)``."""
    c, h = (L + R) / 2, (R - L) / 2
    th = np.pi * (np.arange(n) + 0.5) / n
    z = c + h * np.cos(th) + 0.5j * h * np.sin(th)
    dz = -h * np.sin(th) + 0.5j * h * np.cos(th)
    G = cauchy(z)
    return [float(np.sum(z ** k * G * dz).imag / n) for k in range(kmax + 1)]    # (1/pi) Im, weights pi/n


def assert_rho_contour_moments(law, kmax=12, tol=1e-11, n=32):
    """The moments ``k <= kmax`` of an NTK law ``law`` (density plus atoms) by :func:`contour_moments` on the ellipse
    through ``min(lo, 0) - w/10`` and ``hi + w/10`` (``lo, hi`` the law's outer edges, ``w = hi - lo``) equal its exact
    moments ``law.moments(kmax)`` to ``tol`` relative."""
    lo, hi = law._edges()[:2]
    L, R = min(lo, 0) - 0.1 * (hi - lo), hi + 0.1 * (hi - lo)
    mks = contour_moments(law.cauchy, L, R, n, kmax)
    exact = law.moments(kmax)
    for k, mk in enumerate(mks):
        assert abs(mk - float(exact[k])) < tol * float(exact[k]), (k, mk, exact[k])


def gauss_rule_from_arb(vals, n, dps, atom0=0):
    """The n-point Gauss rule ``(nodes, weights)`` (mpmath numbers at ``dps`` digits) of the measure whose moments
    ``vals[k]`` (``k <= 2n``) are arb balls: their midpoints to ``dps + 20`` digits, the Chebyshev algorithm.
    ``atom0`` (exact rational): an atom at 0 of that mass taken out first (from ``m_0`` only)."""
    with mpmath.workdps(dps):
        m = [mpmath.mpf(v.mid().str(dps + 20, radius=False)) for v in vals[:2 * n + 1]]
        m[0] -= mpmath.mpf(sympy.Rational(atom0).p) / sympy.Rational(atom0).q
        al, be = jacobi_from_moments(m, n, context(dps, guard=0))
    return gauss_from_jacobi(al, be, dps)


def mu_gauss_rule(a, c, gamma2, tau, n, dps, bits):
    """n-point Gauss rule of mu(a, c, gamma2, nu) from its 2n moments in ball arithmetic at ``bits`` bits;
    ``tau(k) = E[T^k]`` (exact, sympy)."""
    vals = mu_moments_arb(a, c, gamma2, [tau(k) for k in range(2 * n + 2)], 2 * n, bits)
    return gauss_rule_from_arb(vals, n, dps)


def ref_cauchy(rule, z, dps=40):
    """``(G(z), G'(z))`` of a Gauss rule, summed at ``dps`` digits."""
    xs, ws = rule
    with mpmath.workdps(dps):
        zz = mpmath.mpc(z)
        return (complex(mpmath.fsum(w / (zz - t) for t, w in zip(xs, ws))),
                complex(-mpmath.fsum(w / (zz - t) ** 2 for t, w in zip(xs, ws))))
