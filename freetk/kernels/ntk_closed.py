r"""Cauchy transform of the closed-form NTK family, with a per-point singularity-aware rule.

For ``T = D^2`` constant (value ``tbar``) the dp x dp law ``mu`` is the mixture

    G_mu(z) = 1/(z - at) + (1/(2 gamma2)) [ G_{rho_B (*) rho_B}((z - at)/c) / c - 1/(z - at) ],

``at = a tbar``, ``c = c1^2``, where ``rho_B (*) rho_B`` is the law of ``lambda + lambda'`` for
``lambda, lambda'`` i.i.d. from ``rho_B`` = free Poisson with rate ``r = gamma2`` and jump ``alpha
= tbar`` (classical convolution).  In units of ``alpha`` (``u = zeta/alpha``) and with ``g`` the
Cauchy transform of the free Poisson law of rate ``r`` and jump 1 (atom ``A = max(0, 1 - r)`` at 0,
continuous part ``g^c = g - A/w`` with density ``p`` on ``[l, h] = [(1 - sqrt r)^2, (1 + sqrt r)^2]``),

    alpha G_{rho_B (*) rho_B}(alpha u) = A g(u) + A g^c(u) + I(u),   I(u) = int_l^h p(t) g^c(u - t) dt,

the atom-atom and atom-continuous terms in closed form (the pole of the atom never enters a
quadrature).  ``g^c(w) = 2r / (w - (1 - r) + S(w))`` for ``r < 1`` and ``2 / (w + 1 - r + S(w))``
otherwise, ``S(w) = sqrt(w - l) sqrt(w - h)``; ``S' = (w - 1 - r)/S``.

The integrand of ``I`` (and of ``I'``, with ``g^c'``) is singular at the edges ``t = l, h`` of
``p`` (square roots, or ``1/sqrt`` at a hard edge when ``r = 1``) and at the branch points
``t = u - l`` and ``t = u - h`` of ``g^c(u - t)``, which come close to the real interval as ``u``
approaches the real axis.  The rule, built per point:

1. split ``[l, h]`` at ``Re u - h`` and ``Re u - l`` (when inside): every singular point is then
   at, or straight above, an end of a piece;
2. on a piece ``[a, b]`` substitute ``t = a + (b - a) sin^2(theta/2)``: square-root (and
   ``1/sqrt``) behaviour at the ends becomes analytic in ``theta``;
3. a branch point at complex distance ``delta`` from an end sits at ``theta``-distance
   ``~ 2 sqrt(delta/(b - a))``: each half of ``[0, pi]`` is cut into ``K`` geometric panels shrinking
   towards that end down to that distance, with ``m`` Gauss-Legendre nodes per panel;
4. the error estimate is the difference with the same panels at ``m - 2`` nodes (conservative:
   the m-node rule converges geometrically faster than that difference).
"""
import numpy as np

from ..numeric import gauss_legendre

K_PANELS = 7          # geometric panels per half piece
M_NODES = 10          # Gauss-Legendre nodes per panel
Q_MIN, Q_MAX = 0.12, 0.5


def _mp_g(w, r, lo, hi):
    """``(g, g')`` of the free Poisson law (rate r, jump 1) in the cancellation-free form."""
    S = np.sqrt(w - lo) * np.sqrt(w - hi)
    p = w + 1 - r
    with np.errstate(all="ignore"):
        big = np.abs(p + S) >= np.abs(p - S)
        g = np.where(big, 2 / (p + S), (p - S) / (2 * w))
        dS = (w - 1 - r) / S
        dg = np.where(big, -2 * (1 + dS) / (p + S) ** 2, ((1 - dS) * w - (p - S)) / (2 * w * w))
    return g, dg


def _mp_gc(w, r, lo, hi):
    """``(g^c, g^c')``: the continuous part of ``g`` (atom ``max(0, 1 - r)`` at 0 removed)."""
    S = np.sqrt(w - lo) * np.sqrt(w - hi)
    with np.errstate(all="ignore"):
        dS = (w - 1 - r) / S
        D = w - (1 - r) + S if r < 1 else w + 1 - r + S
        num = 2 * r if r < 1 else 2.0
        return num / D, -num * (1 + dS) / (D * D)


def _panels(d, K, m):
    """Nodes/weights on ``[0, pi/2]`` graded towards 0 down to the distances ``d`` (array (N,))."""
    x, w = gauss_legendre(m)
    q = np.clip((np.maximum(d, 1e-14) / (np.pi / 2)) ** (1.0 / K), Q_MIN, Q_MAX)      # (N,)
    k = np.arange(K + 1)
    edges = (np.pi / 2) * q[:, None] ** k[None, :]                                    # (N, K+1) decreasing
    edges = np.concatenate([edges, np.zeros((d.size, 1))], axis=1)                   # ... down to 0
    t1, t0 = edges[:, :-1], edges[:, 1:]                                              # panel [t0, t1]
    half = (t1 - t0) / 2
    th = t0[..., None] + half[..., None] * (x + 1)                                    # (N, K+1, m)
    wt = half[..., None] * w
    return th.reshape(d.size, -1), wt.reshape(d.size, -1)


def _piece_rule(a, b, dl, dr, K, m):
    """Nodes ``t`` and weights (``dt`` included) on pieces ``[a, b]`` (arrays), graded in
    ``theta`` towards ends with singularities at distances ``dl``, ``dr``; also ``t - l`` offsets."""
    L = np.maximum(b - a, 1e-300)
    thl, wl = _panels(2 * np.sqrt(np.abs(dl) / L), K, m)
    thr, wr = _panels(2 * np.sqrt(np.abs(dr) / L), K, m)
    th = np.concatenate([thl, np.pi - thr], axis=1)
    wt = np.concatenate([wl, wr], axis=1)
    s2 = np.sin(th / 2) ** 2
    c2 = np.cos(th / 2) ** 2
    Lc = (b - a)[:, None]
    wt = wt * Lc / 2 * np.sin(th)
    return a[:, None] + Lc * s2, Lc * s2, Lc * c2, wt


def rho_b_self_conv(u, r, K=K_PANELS, m=M_NODES, error=False):
    """``(F, F', err)`` with ``F(u) = A g(u) + A g^c(u) + I(u)`` (see the module docstring) on a
    complex array ``u`` (``Im u >= 0``); ``err`` the estimated absolute error of ``F`` (or None)."""
    u = np.asarray(u, complex).ravel()
    sr = np.sqrt(r)
    lo, hi = (1 - sr) ** 2, (1 + sr) ** 2
    A = max(0.0, 1 - r)
    c1 = np.clip(u.real - hi, lo, hi)
    c2 = np.clip(u.real - lo, lo, hi)
    cuts = np.stack([np.full(u.shape, lo), c1, c2, np.full(u.shape, hi)], axis=1)
    sing = np.stack([u - lo, u - hi], axis=1)                       # branch points of g^c(u - t)

    def dist(e):
        return np.min(np.abs(sing - e[:, None]), axis=1)

    def integrate(mm):
        tot = np.zeros(u.shape, complex)
        dtot = np.zeros(u.shape, complex)
        for j in range(3):
            # only the points whose piece j is not empty (an empty piece at lo = 0, gamma2 = 1, would
            # put its nodes on the pole t = 0 of the density: 0 * inf = NaN)
            k = np.nonzero(cuts[:, j + 1] > cuts[:, j])[0]
            if k.size == 0:
                continue
            a, b = cuts[k, j], cuts[k, j + 1]
            # the density's pole at t = 0 lies at distance a from the left end (close to it when gamma2
            # is near 1: lo = (1 - sqrt r)^2 is tiny and p ~ 1/sqrt(t) just inside): grade towards it too
            # (at a = 0, gamma2 = 1, the pole is the end itself: the substitution makes it smooth)
            dl = dist(cuts[:, j])[k]
            dl = np.where(a > 0, np.minimum(dl, a), dl)
            t, off_a, off_b, wt = _piece_rule(a, b, dl, dist(cuts[:, j + 1])[k], K, mm)
            # t - lo and hi - t from the offsets of the piece (no cancellation at the edges)
            tl = (a - lo)[:, None] + off_a
            th = (hi - b)[:, None] + off_b
            dens = np.sqrt(np.maximum(tl * th, 0)) / (2 * np.pi * t)
            gc, dgc = _mp_gc(u[k, None] - t, r, lo, hi)
            ww = wt * dens
            tot[k] += np.sum(ww * gc, axis=1)
            dtot[k] += np.sum(ww * dgc, axis=1)
        return tot, dtot

    I, dI = integrate(m)
    F, dF = I, dI
    if A > 0:
        g, dg = _mp_g(u, r, lo, hi)
        gc, dgc = _mp_gc(u, r, lo, hi)
        F = F + A * (g + gc)
        dF = dF + A * (dg + dgc)
    err = None
    if error:
        I2, _ = integrate(m - 2)
        err = np.abs(I - I2)
    return F, dF, err


def mu_cauchy_pair(z, at, c, gamma2, alpha, error=False):
    """``(G_mu, G_mu', err)`` of the closed-form NTK family at complex points ``z`` (``Im z >= 0``)."""
    z = np.asarray(z, complex)
    shape = z.shape
    z = z.ravel()
    with np.errstate(all="ignore"):
        first = 1 / (z - at)
        u = (z - at) / (c * alpha)
        F, dF, err = rho_b_self_conv(u, gamma2, error=error)
        inner = F / alpha
        dinner = dF / (alpha * alpha * c)
        G = first + (inner / c - first) / (2 * gamma2)
        dG = -first ** 2 + (dinner / c + first ** 2) / (2 * gamma2)
    if err is not None:
        err = (err / (alpha * c * 2 * gamma2)).reshape(shape)
    return G.reshape(shape), dG.reshape(shape), err
