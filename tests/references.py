"""Reference objects the tests build from the definitions, sharing no code with freetk."""
import numpy as np


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
