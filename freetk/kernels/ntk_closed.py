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
   at, or straight above, an end of a piece (pieces of zero length are dropped);
2. on a piece ``[a, b]`` substitute ``t = a + (b - a) sin^2(theta/2)``: square-root (and
   ``1/sqrt``) behaviour at the ends becomes analytic in ``theta``;
3. a singular point at complex distance ``delta`` from an end (the branch points, the density's pole
   at ``t = 0`` and its edges when they are not that end) sits at ``theta``-distance
   ``~ 2 sqrt(delta/(b - a))``: the half of ``[0, pi]`` at that end is cut into geometric panels of
   ratio ``Q_GRADE`` shrinking towards the end past that distance, as many as it takes (two for a
   point far from the axis), with ``m`` Gauss-Legendre nodes per panel;
4. the error estimate is the difference with the same panels at ``m - 2`` nodes (conservative:
   the m-node rule converges geometrically faster than that difference).
"""
import numpy as np

from ..numeric import gauss_legendre

#: ratio of successive graded panels in the angle variable and Gauss-Legendre nodes per panel: with
#: the singular point at angle distance s, the panels ``[(pi/2) q^(k+1), (pi/2) q^k]`` run down past s,
#: so every panel sees it at a distance comparable to its own width (measured: 5e-16 relative against a
#: rule with 18 panels of 26 nodes, for rates 1/4 .. 4 and points 1e-12 .. 3 from the axis)
Q_GRADE = 0.4
M_NODES = 14
#: deepest grading: panels down to ``(pi/2) Q_GRADE^K_MAX`` ~ 1e-12 (branch points ~1e-24 of the interval away)
K_MAX = 30


def _mp_gc(w, r, lo, hi):
    """``(g^c, g^c')``: the continuous part of ``g`` (atom ``max(0, 1 - r)`` at 0 removed)."""
    S = np.sqrt(w - lo)
    S *= np.sqrt(w - hi)
    with np.errstate(all="ignore"):
        D = w - (1 - r) if r < 1 else w + (1 - r)
        D += S
        num = 2 * r if r < 1 else 2.0
        g = np.divide(num, D, out=D)
        # g' = -num (1 + S') / D^2 = -(g^2 / num) (S + w - 1 - r) / S: one complex division fewer
        # (in place on the node arrays: the same operations in the same order)
        q = w - 1
        q -= r
        q += S
        q /= S
        dg = g * g
        dg /= -num
        dg *= q
        return g, dg


def _mp_g_gc(w, r, lo, hi):
    """``(g, g', g^c, g^c')`` for ``r < 1`` (the atom terms): ``g`` of the free Poisson law (rate r, jump 1)
    in the cancellation-free form and its continuous part ``g^c`` (as :func:`_mp_gc`), on one ``S``."""
    S = np.sqrt(w - lo) * np.sqrt(w - hi)
    p = w + (1 - r)
    with np.errstate(all="ignore"):
        big = np.abs(p + S) >= np.abs(p - S)
        g = np.where(big, 2 / (p + S), (p - S) / (2 * w))
        dS = (w - 1 - r) / S
        dg = np.where(big, -2 * (1 + dS) / (p + S) ** 2, ((1 - dS) * w - (p - S)) / (2 * w * w))
        num = 2 * r
        gc = num / (w - (1 - r) + S)
        return g, dg, gc, (gc * gc / -num) * ((S + (w - 1 - r)) / S)


def panel_count(s, q=Q_GRADE, k_max=K_MAX):
    """Number ``K`` of geometric panels below the first one on a half ``[0, pi/2]`` of the angle
    variable, for a singular point at angle distance ``s`` from 0: the smallest ``K`` with
    ``(pi/2) q^K <= s`` (at most ``k_max``); 0 when ``s >= pi/2``."""
    with np.errstate(divide="ignore"):
        k = np.ceil(np.log(np.maximum(s, 1e-300) / (np.pi / 2)) / np.log(q))
    return np.clip(k, 0, k_max).astype(int)


def half_rule(K, m, q=Q_GRADE):
    """Nodes and weights on ``[0, pi/2]``: panels ``[(pi/2) q^(k+1), (pi/2) q^k]``, ``k < K``, and
    ``[0, (pi/2) q^K]``, ``m`` Gauss-Legendre nodes each (cached by ``(K, m)``); also the weights
    times ``sin(theta)/2`` and ``sin^2(theta/2)`` at the nodes (the factors of the substitution)."""
    key = (K, m, q)
    if key not in _HALF_CACHE:
        x, w = gauss_legendre(m)
        edges = np.concatenate([(np.pi / 2) * q ** np.arange(K + 1), [0.0]])
        t1, t0 = edges[:-1, None], edges[1:, None]
        half = (t1 - t0) / 2
        th, wt = (t0 + half * (x + 1)).ravel(), (half * w).ravel()
        _HALF_CACHE[key] = (th, wt, wt * np.sin(th) / 2, np.sin(th / 2) ** 2)
    return _HALF_CACHE[key]


_HALF_CACHE = {}


def _rules(m):
    """``(fw, s2, start)``: the factors of :func:`half_rule` (weights times ``sin(theta)/2``, and
    ``sin^2(theta/2)``) for every panel count ``K = 0 .. K_MAX`` one after the other in two flat arrays, the
    rule of ``K`` at ``start[K]`` (``(K + 1) m`` values); built once per ``m``."""
    if m not in _RULES:
        rules = [half_rule(k, m) for k in range(K_MAX + 1)]
        start = np.concatenate([[0], np.cumsum([(k + 1) * m for k in range(K_MAX + 1)])[:-1]])
        _RULES[m] = (np.concatenate([r[2] for r in rules]), np.concatenate([r[3] for r in rules]), start)
    return _RULES[m]


_RULES = {}


def _end_distance(ub, e, lo, hi):
    """Distance from piece ends ``e`` to the nearest singular point of the integrand of
    :func:`rho_b_self_conv` other than the density's own edge at ``e`` (which the angle variable makes
    regular): the branch points ``u - l``, ``u - h`` of ``g^c(u - t)``, the density's edges ``l``,
    ``h`` and its pole at 0 (``ub``: each piece's point ``u``)."""
    d = np.minimum(np.abs(ub - lo - e), np.abs(ub - hi - e))
    for sing in (0.0, lo, hi):
        # an end at the singular point is regular there (at 0 only when 0 is also the density's edge l)
        far = np.abs(e - sing)
        far[(e == sing) | ((sing == 0.0) & (lo == 0.0) & (e == 0.0))] = np.inf
        np.minimum(d, far, out=d)
    return d


def _nodes(a, b, L, K, side, piece, pt, lo, hi, mm):
    """``(t, ww, p)``: the nodes, the weights times the density ``p(t)`` (the substitution's factors
    included) and the point of every node, for the half-pieces of :func:`_integrate_pieces`."""
    fws, s2s, start = _rules(mm)
    cnt = (K + 1) * mm
    # the rule of each half-piece, one after the other: its panel count's rule from the flat table
    first = np.cumsum(cnt) - cnt
    at = np.arange(int(np.sum(cnt))) + np.repeat(start[K] - first, cnt)
    fw = fws[at]                                         # weight * sin(theta) / 2
    s2 = s2s[at]                                         # sin^2(theta / 2)
    j = np.repeat(piece, cnt)                           # the piece of every node
    Lj = L[j]
    c2 = 1 - s2
    right = np.repeat(side == 1, cnt)
    off_a = Lj * np.where(right, c2, s2)                # t - a and b - t, without cancellation
    off_b = Lj * np.where(right, s2, c2)
    aj = a[j]
    t = aj + off_a
    tl = (aj - lo) + off_a
    tu = (hi - b[j]) + off_b
    ww = fw * Lj * np.sqrt(np.maximum(tl * tu, 0)) / (2 * np.pi * t)
    return t, ww, pt[j]


def _integrate_pieces(u, r, lo, hi, pieces, mm):
    """The integral ``I(u)`` of :func:`rho_b_self_conv` and its derivative, summed per point over the
    half-pieces ``pieces = (pt, a, b, L, K, side, piece)`` (point index, ends and length of each piece;
    panel count, graded side and piece of each half-piece, ordered by point), ``mm`` nodes per panel.

    All nodes of all half-pieces form one flat array (half-piece ``i`` contributes ``(K_i + 1) mm``
    nodes, in the order of the half-pieces, so the nodes of a point are contiguous) evaluated at once;
    the sum over a point's nodes (``np.add.reduceat``) depends on those nodes alone, never on the batch."""
    pt, a, b, L, K, side, piece = pieces
    n = u.size
    t, ww, p = _nodes(a, b, L, K, side, piece, pt, lo, hi, mm)
    gc, dgc = _mp_gc(u[p] - t, r, lo, hi)
    # contiguous nodes per point: one reduction per point, over its own nodes only
    first = np.zeros(n, np.intp)
    npt = np.bincount(p, minlength=n)
    first[1:] = np.cumsum(npt)[:-1]
    has = npt > 0
    tot = np.zeros(n, complex)
    dtot = np.zeros(n, complex)
    if np.any(has):
        both = np.add.reduceat(np.stack([ww * gc, ww * dgc]), first[has], axis=1)
        tot[has], dtot[has] = both[0], both[1]
    return tot, dtot


def _point_pieces(u, r, lo, hi):
    """The half-pieces of every point's rule (see :func:`rho_b_self_conv`): ``(pt, a, b, L, K, side, piece)``
    as :func:`_integrate_pieces` takes them."""
    n = u.size
    # the cuts lo <= c1 <= c2 <= hi of every point, as rows of (n, 4)
    cuts = np.empty((n, 4))
    cuts[:, 0] = lo
    cuts[:, 3] = hi
    ur = u.real
    np.clip(ur - hi, lo, hi, out=cuts[:, 1])
    np.clip(ur - lo, lo, hi, out=cuts[:, 2])
    a, b = cuts[:, :-1].ravel(), cuts[:, 1:].ravel()              # (3n,) pieces
    keep = b > a
    pt = np.repeat(np.arange(n), 3)[keep]
    a, b = a[keep], b[keep]
    L = b - a

    # half-pieces: (piece, side) with side 0 graded towards a, 1 towards b
    # (ordered by piece, hence by point: the nodes of a point are contiguous)
    ends = np.empty((a.size, 2))
    ends[:, 0], ends[:, 1] = a, b
    ends = ends.ravel()
    L2 = np.repeat(L, 2)
    K = panel_count(2 * np.sqrt(_end_distance(np.repeat(u[pt], 2), ends, lo, hi) / L2))
    side = np.zeros(2 * a.size, np.intp)
    side[1::2] = 1
    piece = np.repeat(np.arange(a.size), 2)
    return pt, a, b, L, K, side, piece


def rho_b_self_conv(u, r, m=M_NODES, error=False):
    """``(F, F', err)`` with ``F(u) = A g(u) + A g^c(u) + I(u)`` (see the module docstring) on a
    complex array ``u`` (``Im u >= 0``); ``err`` the estimated absolute error of ``F`` (or None).

    Each point's interval is split at the projections of its branch points; each piece ``[a, b]``
    is integrated in ``t = a + (b - a) sin^2(theta/2)`` on its two halves in ``theta``, each graded
    towards its end with as many panels as the distance of that end's nearest singular point asks
    (:func:`panel_count`): a point far from the axis gets two panels per half, one next to it up to
    ``K_MAX + 1``.  All the nodes are evaluated together (:func:`_integrate_pieces`)."""
    u = np.asarray(u, complex).ravel()
    sr = np.sqrt(r)
    lo, hi = (1 - sr) ** 2, (1 + sr) ** 2
    A = max(0.0, 1 - r)
    pieces = _point_pieces(u, r, lo, hi)
    I, dI = _integrate_pieces(u, r, lo, hi, pieces, m)
    F, dF = I, dI
    if A > 0:
        g, dg, gc, dgc = _mp_g_gc(u, r, lo, hi)
        F = F + A * (g + gc)
        dF = dF + A * (dg + dgc)
    err = None
    if error:
        I2, _ = _integrate_pieces(u, r, lo, hi, pieces, m - 2)
        err = np.abs(I - I2)
    return F, dF, err


def _arg_upper(w):
    """``arg w`` in ``[0, pi]`` for ``w`` in the closed upper half-plane (a real ``w`` as the limit from above,
    whatever the sign of its zero imaginary part)."""
    return np.arctan2(np.abs(w.imag), w.real)


def theta_c(w, r, lo, hi):
    r"""``Theta^c(w) = int p(t) arg(w - t) dt`` (``Im w >= 0``): the imaginary part of the logarithmic
    potential ``Lambda^c(w) = int p(t) log(w - t) dt`` of the continuous part of the free Poisson law (rate
    ``r``, jump 1).  Its whole law has ``w = 1/g + r/(1 - g)`` (``g`` its Cauchy transform), so
    ``Lambda = int g dw = int g w'(g) dg = -log g + r log(1 - g) + r g/(1 - g)`` (the constant from
    ``Lambda(w) - log w -> 0`` at infinity); ``g`` lies in the lower half-plane and ``1 - g`` in the upper one,
    where the principal logarithms are continuous: ``Theta = -arg g + r arg(1 - g) + r Im(g/(1 - g))``, and
    ``Theta^c = Theta - A arg w`` removes the atom ``A = max(0, 1 - r)`` at 0."""
    A = max(0.0, 1 - r)
    g, _ = _mp_gc(w, r, lo, hi)
    with np.errstate(all="ignore"):
        if A > 0:
            g = g + A / w
        om = 1 - g
        out = np.arctan2(np.abs(g.imag), g.real)         # -arg g, arg g in [-pi, 0]
        out += r * np.arctan2(np.abs(g.imag), om.real)   # r arg(1 - g), in [0, pi]
        out += r * (g / om).imag
        if A > 0:
            out -= A * _arg_upper(w)
    return out


def rho_b_self_conv_arg(u, r, m=M_NODES):
    """``E arg(u - lambda - lambda')`` for ``lambda, lambda'`` i.i.d. free Poisson (rate ``r``, jump 1) on a
    complex array ``u`` (``Im u >= 0``): ``A^2 arg u + 2 A Theta^c(u) + int p(t) Theta^c(u - t) dt``
    (:func:`theta_c`; the imaginary part of the logarithmic potential of ``rho_B (*) rho_B``), the integral on
    the nodes of :func:`rho_b_self_conv`'s rule (``Theta^c`` is continuous with ``(w - l)^(3/2)`` behaviour at
    the branch points, smoother than the ``g^c`` that rule is built for)."""
    u = np.asarray(u, complex).ravel()
    n = u.size
    sr = np.sqrt(r)
    lo, hi = (1 - sr) ** 2, (1 + sr) ** 2
    A = max(0.0, 1 - r)
    pt, a, b, L, K, side, piece = _point_pieces(u, r, lo, hi)
    t, ww, p = _nodes(a, b, L, K, side, piece, pt, lo, hi, m)
    first = np.zeros(n, np.intp)
    npt = np.bincount(p, minlength=n)
    first[1:] = np.cumsum(npt)[:-1]
    has = npt > 0
    tot = np.zeros(n)
    if np.any(has):
        tot[has] = np.add.reduceat(ww * theta_c(u[p] - t, r, lo, hi), first[has])
    if A > 0:
        tot += A * A * _arg_upper(u) + 2 * A * theta_c(u, r, lo, hi)
    return tot


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


def mu_cauchy_log_arg(z, at, c, gamma2, alpha):
    """``(G_mu, Im L_mu)`` at complex points ``z`` (``Im z >= 0``), ``L_mu(z) = int log(z - t) dmu(t)`` the
    logarithmic potential of the closed-form mixture: with ``u = (z - at)/(c alpha)``,
    ``Im L_mu = (1 - 1/(2 gamma2)) arg u + (1/(2 gamma2)) E arg(u - lambda - lambda')``
    (:func:`rho_b_self_conv_arg`; ``c alpha > 0`` leaves the arguments unchanged)."""
    z = np.asarray(z, complex)
    shape = z.shape
    z = z.ravel()
    G, _, _ = mu_cauchy_pair(z, at, c, gamma2, alpha)
    with np.errstate(all="ignore"):
        u = (z - at) / (c * alpha)
    im_l = (1 - 1 / (2 * gamma2)) * _arg_upper(u) + rho_b_self_conv_arg(u, gamma2) / (2 * gamma2)
    return G.reshape(shape), im_l.reshape(shape)
