"""Numerics of an algebraic law from its equation alone: the physical branch, density, certified
edges and atoms (residues).

The physical branch is the root of ``P(., z)`` that equals ``sum m_k / z^(k+1)`` at large ``|z|``
(exact moments from the expansion at infinity).  It is continued down vertical lines
``x + i eta`` (``eta`` from far above the support to the target) by predictor-corrector root
matching: at each step the roots of ``P(., z)`` (companion eigenvalues) are computed and the one
nearest the Taylor prediction ``G + G' dz`` (``G' = -P_z/P_G``) is taken; a step whose nearest
root is not clearly nearer than the next one is halved.  In the open upper half-plane the
Cauchy transform is analytic, so this never leaves the branch.  Values at ``dps`` digits polish
the double root by Newton's method on ``P(., z)`` in an explicit mpmath context.

Edges and atoms: the boundary values ``G(x + i0)`` are analytic in ``x`` except at the real roots
of ``disc_G(P) · lc_G(P)`` (collisions of roots, roots escaping to infinity).  Between two
consecutive such points the density is therefore either identically 0 or positive everywhere (a
zero inside would be a double root, a root of the discriminant).  Each gap is tested at one
rational point, where FLINT isolates the roots of ``P(., x)`` with certified balls and the
continued branch picks one: real root -> density 0, non-real -> positive.  A candidate is an
edge exactly when the two sides differ; an atom when it is a root of ``lc`` and the branch has a
pole there with positive residue.
"""
from fractions import Fraction

import flint
import mpmath
import numpy as np
import sympy

from ..errors import InvalidArgument, NoConvergence
from . import poly as _p
from .poly import G_, Z_

GUARD = 10


def _ctx(dps):
    ctx = mpmath.MPContext()
    ctx.dps = int(dps) + GUARD
    return ctx


def _out_ctx(dps):
    ctx = mpmath.MPContext()
    ctx.dps = int(dps)
    return ctx


# ------------------------------------------------------------------------------- cached data
def _data(law):
    c = law._cache
    if "num" in c:
        return c["num"]
    P = law.polynomial
    cs = _p.coeffs_in(P, G_)
    d = max(cs)
    coeffs = [(_p.univariate(cs[j], Z_) if j in cs else flint.fmpz_poly([])) for j in range(d + 1)]
    ints = [[int(v) for v in cp.coeffs()] for cp in coeffs]
    top = max((abs(v) for row in ints for v in row if v), default=1)
    shift = max(0, top.bit_length() - 600)
    fl = [np.array([float(v >> shift) if v >= 0 else -float((-v) >> shift) for v in row[::-1]] or [0.0])
          for row in ints]                                    # highest power first for np.polyval
    lc = coeffs[d]
    if d >= 1:
        disc = _p.univariate(P.discriminant("G"), Z_)
    else:
        disc = flint.fmpz_poly([1])
    factors = []
    for poly in (disc, lc):
        if poly.degree() >= 1:
            for f, _e in poly.factor()[1]:
                if f.degree() >= 1 and all(f != g for g, _ in factors):
                    factors.append((f, None))
    roots = []
    for f, _ in factors:
        for r, _m in f.complex_roots():
            if r.imag == 0:
                roots.append((r.real, f))
    roots.sort(key=lambda t: float(t[0].mid()))
    for (a, _), (b, _) in zip(roots, roots[1:]):
        if a.overlaps(b):
            raise NoConvergence("AlgebraicLaw: two critical points closer than 1e-15 cannot be ordered")
    B = max([abs(float(r.mid())) for r, _ in roots] + [1.0])
    out = {"d": d, "coeffs": coeffs, "ints": ints, "fl": fl, "lc": lc, "disc": disc,
           "crit": roots, "B": B}
    c["num"] = out
    return out


def _moments_float(law, n=40):
    key = ("mfloat", n)
    if key not in law._cache:
        law._cache[key] = [float(v) for v in law.moments(n)]
    return law._cache[key]


# ------------------------------------------------------------------------------- double tracking
def _poly_vals(fl, z):
    return np.stack([np.polyval(row, z) for row in fl], axis=-1)       # (..., d+1), index = power of G


def _roots(fl, z):
    """All roots in G of P(G, z) for an array of z: shape (n, d)."""
    C = _poly_vals(fl, z)                                           # (n, d+1)
    d = C.shape[-1] - 1
    lead = C[:, d]
    with np.errstate(all="ignore"):
        mon = C[:, :d] / lead[:, None]
    n = len(z)
    comp = np.zeros((n, d, d), dtype=complex)
    if d > 1:
        comp[:, 1:, :-1] = np.eye(d - 1)
    comp[:, :, -1] = -mon
    bad = ~np.isfinite(comp).all(axis=(1, 2))
    comp[bad] = 0
    r = np.linalg.eigvals(comp)
    r[bad] = np.inf
    return r


_DZ = {}


def _dz(fl):
    """z-derivatives of the coefficient rows (cached with the rows they belong to)."""
    key = id(fl)
    hit = _DZ.get(key)
    if hit is None or hit[0] is not fl:
        hit = (fl, [np.polyder(row) if len(row) > 1 else np.array([0.0]) for row in fl])
        if len(_DZ) > 256:
            _DZ.clear()
        _DZ[key] = hit
    return hit[1]


def _deriv(fl, G, z):
    """``G'(z) = -P_z/P_G`` at (G, z)."""
    d = len(fl) - 1
    dz = _dz(fl)
    Pz = np.zeros(np.shape(G), dtype=complex)
    PG = np.zeros(np.shape(G), dtype=complex)
    Gp = np.ones(np.shape(G), dtype=complex)
    for j in range(d + 1):
        Pz = Pz + np.polyval(dz[j], z) * Gp
        if j < d:
            PG = PG + (j + 1) * np.polyval(fl[j + 1], z) * Gp
        Gp = Gp * G
    with np.errstate(all="ignore"):
        return -Pz / PG


def _match(roots, pred):
    dist = np.abs(roots - pred[:, None])
    dist = np.where(np.isfinite(dist), dist, np.inf)
    order = np.argsort(dist, axis=1)
    i0 = order[:, 0]
    best = roots[np.arange(len(pred)), i0]
    d1 = dist[np.arange(len(pred)), i0]
    d2 = dist[np.arange(len(pred)), order[:, 1]] if roots.shape[1] > 1 else np.full(len(pred), np.inf)
    return best, d1, d2


def _step(fl, G, z0, z1, depth=0):
    """Move the branch from z0 (value G) to z1 for arrays; halve ambiguous steps."""
    pred = G + _deriv(fl, G, z0) * (z1 - z0)
    pred = np.where(np.isfinite(pred), pred, G)
    r = _roots(fl, z1)
    best, d1, d2 = _match(r, pred)
    bad = ~(d1 <= 0.25 * d2)
    if np.any(bad) and depth < 40:
        zm = (z0[bad] + z1[bad]) / 2
        Gm = _step(fl, G[bad], z0[bad], zm, depth + 1)
        best[bad] = _step(fl, Gm, zm, z1[bad], depth + 1)
    elif np.any(bad) and np.any(np.imag(z1[bad]) > 0):
        raise NoConvergence("AlgebraicLaw: the physical branch could not be followed (roots too close)",
                            residual=float(np.max(d1[bad])), iterations=depth)
    return best


def track(law, z):
    """Physical branch ``G(z)`` in double precision for an array of ``z`` with ``Im z >= 0``."""
    data = _data(law)
    fl = data["fl"]
    z = np.asarray(z, dtype=complex).ravel()
    if np.any(z.imag < 0):
        raise InvalidArgument("AlgebraicLaw.cauchy: use Im z >= 0 (G(conj z) = conj G(z))")
    B = data["B"]
    H = np.maximum(4 * B + 4 * np.abs(z.real), z.imag) + 1.0
    zs = z.real + 1j * H
    m = _moments_float(law)
    pred = sum(mk / zs ** (k + 1) for k, mk in enumerate(m))
    G, d1, d2 = _match(_roots(fl, zs), pred)
    if np.any(d1 > 1e-6 * np.abs(pred)) and data["d"] > 1:
        raise NoConvergence("AlgebraicLaw: no root of P matches the moment series at infinity",
                            residual=float(np.max(d1 / np.abs(pred))))
    return descend(fl, G, z.real, H, np.maximum(z.imag, 0), B)


def descend(fl, G, x, eta, target, B):
    """Continue a branch of the curve with float coefficients ``fl`` from ``x + i eta`` (values
    ``G``) down to ``x + i target`` (``target = 0``: onto the real axis)."""
    eta = np.asarray(eta, float).copy()
    floor = np.where(target > 0, target, 1e-13 * (B + np.abs(x) + 1))
    cur = x + 1j * eta
    for _ in range(400):
        new_eta = np.maximum(eta * 0.5, floor)
        if np.all(new_eta == eta):
            break
        nz = x + 1j * new_eta
        G = _step(fl, G, cur, nz)
        cur, eta = nz, new_eta
    real = target == 0
    if np.any(real):
        G[real] = _step(fl, G[real], cur[real], x[real] + 0j)
    return G


# ------------------------------------------------------------------------------- high precision
def _polish(law, g0, z, ctx):
    ints = _data(law)["ints"]
    coeffs = [[ctx.mpf(v) for v in row] for row in ints]
    d = len(coeffs) - 1
    cz = [ctx.polyval(row[::-1], z) if row else ctx.mpf(0) for row in coeffs]
    dcz = [j * cz[j] for j in range(d + 1)]
    g = ctx.mpc(g0)
    tol = ctx.mpf(10) ** (-(ctx.dps - GUARD) - 4)
    for it in range(200):
        f = ctx.fsum(cz[j] * g ** j for j in range(d + 1))
        fp = ctx.fsum(dcz[j] * g ** (j - 1) for j in range(1, d + 1))
        delta = f / fp
        g -= delta
        if abs(delta) <= tol * abs(g):
            if abs(g - g0) > 1e-6 * abs(g) + 1e-12:
                raise NoConvergence("AlgebraicLaw: Newton polishing left the double-precision root")
            return g
    raise NoConvergence("AlgebraicLaw: Newton polishing did not converge", best=g, residual=abs(delta),
                        iterations=200)


def cauchy(law, z, dps=None):
    scalar = np.ndim(z) == 0
    zz = np.atleast_1d(np.asarray(z, dtype=complex))
    flip = zz.imag < 0
    G = track(law, np.where(flip, np.conj(zz), zz))
    if dps is None:
        G = np.where(flip, np.conj(G), G)
        return G[0] if scalar else G.reshape(np.shape(z))
    ctx, out = _ctx(dps), _out_ctx(dps)
    zin = np.atleast_1d(np.asarray(z, dtype=object)).ravel()
    vals = []
    for zi, gi, fi in zip(zin, G, flip):
        zc = ctx.mpc(zi) if not isinstance(zi, (Fraction, sympy.Basic)) else ctx.mpc(ctx.mpf(sympy.Rational(zi).p) / sympy.Rational(zi).q)
        zc = ctx.conj(zc) if fi else zc
        g = _polish(law, gi, zc, ctx)
        vals.append(out.mpc(ctx.conj(g) if fi else g))
    return vals[0] if scalar else np.array(vals, dtype=object).reshape(np.shape(z))


def pdf(law, x, dps=None):
    scalar = np.ndim(x) == 0
    xx = np.atleast_1d(np.asarray(x, dtype=float)).ravel()
    atoms = [float(a) for a, _ in atoms_float(law)]
    at = np.array([any(abs(v - a) <= 1e-12 * (1 + abs(a)) for a in atoms) for v in xx], dtype=bool)
    out = np.zeros(len(xx))
    keep = ~at
    G = np.zeros(len(xx), dtype=complex)
    if np.any(keep):
        G[keep] = boundary_values(law, xx[keep])
        out[keep] = np.maximum(-G[keep].imag / np.pi, 0.0)
    if dps is None:
        return out[0] if scalar else out.reshape(np.shape(x))
    ctx, o = _ctx(dps), _out_ctx(dps)
    xin = np.atleast_1d(np.asarray(x, dtype=object)).ravel()
    vals = []
    for xi, gi, a in zip(xin, G, at):
        if a or gi.imag == 0:
            vals.append(o.mpf(0))
            continue
        g = _polish(law, gi, ctx.mpc(_mp_real(xi, ctx)), ctx)
        v = -ctx.im(g) / ctx.pi
        vals.append(o.mpf(v if v > 0 else 0))
    return vals[0] if scalar else np.array(vals, dtype=object).reshape(np.shape(x))


def boundary_values(law, x):
    """``G(x + i0)`` on the physical branch for real ``x`` (double precision).

    The certified classification says which gaps between critical points carry density.  On a
    gap without density ``G`` is real and only its value is needed for the density (0): it is not
    computed (reported as 0).  On a gap with density the branch is found at one point by the
    vertical continuation, then marched along the real axis through the sorted points of the gap
    among the roots with ``Im G <= 0`` (the conjugate roots are excluded), with the Taylor
    predictor and step halving as in :func:`track`; critical points themselves use :func:`track`."""
    out, status, _ = classify(law)
    fl = _data(law)["fl"]
    crit = np.array([float(r.mid()) for r, _, _ in out])
    x = np.asarray(x, float)
    G = np.zeros(len(x), dtype=complex)
    gap = np.searchsorted(crit, x)               # gap index: status[gap]
    on = np.array([np.any(np.abs(crit - v) <= 1e-14 * (1 + abs(v))) for v in x], dtype=bool)
    if np.any(on):
        G[on] = track(law, x[on] + 0j)
    for k in np.unique(gap[~on]):
        if not status[k]:
            continue
        idx = np.where((gap == k) & ~on)[0]
        idx = idx[np.argsort(x[idx])]
        xs = x[idx]
        vals = np.zeros(len(xs), dtype=complex)
        i0 = len(xs) // 2
        vals[i0] = track(law, np.array([xs[i0] + 0j]))[0]
        roots = _roots(fl, xs + 0j)
        for rng_ in (range(i0 + 1, len(xs)), range(i0 - 1, -1, -1)):
            prev = i0
            for i in rng_:
                try:
                    vals[i] = _march(fl, vals[prev], xs[prev], xs[i], roots[i])
                except NoConvergence:
                    # roots crowd together (next to an edge): the vertical continuation decides
                    vals[i] = track(law, np.array([xs[i] + 0j]))[0]
                prev = i
        G[idx] = vals
    return G


def _march(fl, g, x0, x1, roots=None, depth=0):
    """Move the lower-half-plane root ``g`` at real ``x0`` to ``x1`` (halving ambiguous steps)."""
    if roots is None:
        roots = _roots(fl, np.array([x1 + 0j]))[0]
    pred = g + _deriv(fl, np.array([g]), np.array([x0 + 0j]))[0] * (x1 - x0)
    if not np.isfinite(pred):
        pred = g
    cand = roots[np.isfinite(roots) & (roots.imag <= 1e-8 * (1 + np.abs(roots)))]
    if len(cand) == 0:
        raise NoConvergence("AlgebraicLaw.pdf: no root below the real axis inside the support")
    d = np.sort(np.abs(cand - pred))
    best = cand[np.argmin(np.abs(cand - pred))]
    if len(d) > 1 and not d[0] <= 0.25 * d[1]:
        if depth >= 12:
            raise NoConvergence("AlgebraicLaw.pdf: the branch could not be followed along the real axis",
                                residual=float(d[0]), iterations=depth)
        xm = (x0 + x1) / 2
        gm = _march(fl, g, x0, xm, None, depth + 1)
        return _march(fl, gm, xm, x1, roots, depth + 1)
    return best


def _mp_real(x, ctx):
    if isinstance(x, (Fraction, sympy.Rational)):
        x = sympy.Rational(x)
        return ctx.mpf(int(x.p)) / int(x.q)
    if isinstance(x, sympy.Basic):
        return ctx.mpf(sympy.N(x, ctx.dps))
    return ctx.mpf(x)


# ------------------------------------------------------------------------------- exact root picking
def _exact_roots_at(law, x):
    """Certified roots (acb balls) of ``P(., x)`` at a rational ``x``, and the fmpq coefficients."""
    x = sympy.Rational(x)
    cs = [sympy.Rational(sum(sympy.Integer(int(v)) * x ** k for k, v in enumerate(row)))
          for row in _data(law)["ints"]]
    while cs and cs[-1] == 0:
        cs.pop()
    q = flint.fmpq_poly([flint.fmpq(int(c.p), int(c.q)) for c in cs])
    num = q.numer() if hasattr(q, "numer") else q
    return [r for r, _m in flint.fmpz_poly([int(v) for v in (q * q.denom()).coeffs()]).complex_roots()], q


def physical_root_at(law, x, g=None):
    """The certified root of ``P(., x)`` (``x`` rational, real) that the physical branch takes
    (``g``: the double-precision value of the branch there, if already known)."""
    if g is None:
        g = complex(track(law, np.array([float(x) + 0j]))[0])
    roots, q = _exact_roots_at(law, x)
    if not roots:
        raise InvalidArgument("AlgebraicLaw: P(., x) has no root (x is a pole of every branch)")
    dist = sorted(((abs(complex(float(r.real.mid()), float(r.imag.mid())) - g), r) for r in roots),
                  key=lambda t: t[0])
    if len(dist) > 1 and not dist[0][0] < 0.25 * dist[1][0]:
        raise NoConvergence("AlgebraicLaw: cannot tell which root the branch takes at a test point")
    return dist[0][1], q


def physical_root_exact(law, u0):
    """``G(u0)`` as an exact rational (``u0`` real rational outside the support), or raise."""
    r, q = physical_root_at(law, u0)
    if r.imag != 0:
        raise InvalidArgument(f"AlgebraicLaw.mobius: {u0} is inside the support (G is not real there)")
    for f, _e in q.factor()[1]:
        if f.degree() == 1:
            c = f.coeffs()
            root = -flint.fmpq(c[0]) / flint.fmpq(c[1])
            if r.real.contains(flint.arb(root)):
                return sympy.Rational(int(root.p), int(root.q))
    raise InvalidArgument("AlgebraicLaw.mobius: G(-s/r) is irrational; the moments of the image are "
                          "not rational, so the branch cannot be pinned by exact moments")


# ------------------------------------------------------------------------------- classification
def _test_points(crit):
    mids = [float(r.mid()) for r, _ in crit]
    if not mids:
        return [Fraction(0)]
    pts = [Fraction(mids[0]) - 1]
    for a, b in zip(mids, mids[1:]):
        pts.append((Fraction(a) + Fraction(b)) / 2)
    pts.append(Fraction(mids[-1]) + 1)
    return pts


def classify(law):
    """``[(point_ball, factor, kind)]`` for every real critical point, ``kind`` in
    {"edge", "atom", "atom+edge", "inner", "spurious"}; plus the gap statuses."""
    c = law._cache
    if "classify" in c:
        return c["classify"]
    data = _data(law)
    crit = data["crit"]
    pts = _test_points(crit)
    status = []
    gs = track(law, np.array([float(x) for x in pts]) + 0j)
    for x, g in zip(pts, gs):
        r, _ = physical_root_at(law, x, complex(g))
        if r.imag == 0:
            status.append(False)
        else:
            if not (r.imag < 0):
                raise NoConvergence("AlgebraicLaw: the continued branch has Im G > 0 on the real axis")
            status.append(True)
    out = []
    atom_list = _atoms(law, crit)
    for i, (r, f) in enumerate(crit):
        left, right = status[i], status[i + 1]
        is_atom = any(j == i for j, _ in atom_list)
        kind = "edge" if left != right else ("inner" if left else "spurious")
        if is_atom:
            kind = "atom" if kind == "spurious" else "atom+" + kind
        out.append((r, f, kind))
    c["classify"] = (out, status, atom_list)
    return c["classify"]


def _refine(r, f, dps):
    """The real root of the irreducible ``f`` in the ball ``r`` to ``dps`` digits."""
    # evaluating f near its root cancels about as many digits as its coefficients have
    ctx = _ctx(dps + max(len(str(abs(int(v)))) for v in f.coeffs()))
    cs = [ctx.mpf(int(v)) for v in f.coeffs()][::-1]
    dcs = [ctx.mpf(int(v)) for v in f.derivative().coeffs()][::-1]
    x = ctx.mpf(float(r.mid()))
    tol = ctx.mpf(10) ** (-dps - 3)
    for it in range(200):
        delta = ctx.polyval(cs, x) / ctx.polyval(dcs, x)
        x -= delta
        if abs(delta) <= tol * max(1, abs(x)):
            break
    else:
        raise NoConvergence("AlgebraicLaw: edge refinement did not converge", best=x, residual=abs(delta))
    if abs(x - float(r.mid())) > 1e-6 * (1 + abs(x)):
        raise NoConvergence("AlgebraicLaw: edge refinement left its isolating interval")
    return _out_ctx(dps).mpf(x)


def edges(law, dps=None):
    out, _, _ = classify(law)
    e = [(r, f) for r, f, k in out if k.endswith("edge")]
    if dps is None:
        return [float(_refine(r, f, 20)) for r, f in e]
    return [_refine(r, f, dps) for r, f in e]


def edge_polynomials(law):
    """Exact minimal polynomials (sympy, in z) of the edges, in the order of :func:`edges`."""
    out, _, _ = classify(law)
    z = sympy.Symbol("z")
    return [sympy.Poly([int(v) for v in f.coeffs()][::-1], z).as_expr() for r, f, k in out if k.endswith("edge")]


def support(law, dps=None):
    out, status, _ = classify(law)
    pts = edges(law, dps)
    ivs = []
    it = iter(pts)
    # the status list alternates around edges only
    inside = False
    lo = None
    for (r, f, k), e in zip([o for o in out if o[2].endswith("edge")], pts):
        if not inside:
            lo, inside = e, True
        else:
            ivs.append((lo, e))
            inside = False
    return ivs


# ------------------------------------------------------------------------------- atoms (residues)
def _residue_poly(law, f, a=None):
    """Coefficients ``[r_0..r_d]`` of the polynomial whose roots are the residues ``lim (z - a) G``
    of the branches with a simple pole at the root ``a`` of the irreducible ``f`` (exact fmpq when
    ``f`` is linear, else evaluated at the mpmath number ``a``)."""
    coeffs = _data(law)["coeffs"]
    d = len(coeffs) - 1
    vs, qs = [], []
    for cj in coeffs:
        if cj.is_zero():
            vs.append(None)
            qs.append(None)
            continue
        v, q = 0, cj
        while True:
            qq, rr = divmod(q, f)
            if rr != 0:
                break
            q, v = qq, v + 1
        vs.append(v)
        qs.append(q)
    vals = [vs[j] + d - j for j in range(d + 1) if vs[j] is not None]
    low = min(vals)
    J = [j for j in range(d + 1) if vs[j] is not None and vs[j] + d - j == low]
    fp = f.derivative()
    if f.degree() == 1:
        c = f.coeffs()
        root = flint.fmpq(-int(c[0]), int(c[1]))
        ev = lambda p: sum((flint.fmpq(int(v)) * root ** k for k, v in enumerate(p.coeffs())), flint.fmpq(0))  # noqa: E731
        out = [flint.fmpq(0)] * (d + 1)
        for j in J:
            out[j] = ev(fp) ** vs[j] * ev(qs[j])
        return out, True
    out = [0] * (d + 1)
    for j in J:
        out[j] = a ** 0 * (mpmath_polyval(fp, a) ** vs[j]) * mpmath_polyval(qs[j], a)
    return out, False


def mpmath_polyval(p, a):
    return sum(int(v) * a ** k for k, v in enumerate(p.coeffs()))


def _residue_curve(law, f):
    """For a rational root ``a = p/q`` of ``lc``: the integer polynomials ``Q_j(z)`` of
    ``Q(H, z) = sum_j Q_j(z) H^j``, the numerator of ``P(H/(z - a), z)`` with every power of
    ``(q z - p)`` removed.  ``H = (z - a) G`` is bounded near ``a``; ``Q(., a)`` has the residues."""
    coeffs = _data(law)["coeffs"]
    d = len(coeffs) - 1
    c = f.coeffs()
    L = flint.fmpz_poly([int(c[0]), int(c[1])])       # q z - p (up to sign)
    Q = []
    for j, cj in enumerate(coeffs):
        Q.append(cj * L ** (d - j) * int(c[1]) ** j)
    low = None
    for qj in Q:
        if qj.is_zero():
            continue
        v, t = 0, qj
        while True:
            qq, rr = divmod(t, L)
            if rr != 0:
                break
            t, v = qq, v + 1
        low = v if low is None else min(low, v)
    Q = [divmod(qj, L ** low)[0] if not qj.is_zero() else qj for qj in Q]
    while len(Q) > 1 and Q[-1].is_zero():
        Q.pop()
    return Q


def _atoms(law, crit, eta_rel=1e-2):
    """``[(index, (value, ball, factor))]`` for the critical points that are atoms.

    Rational candidates ``a``: the branch is followed to ``a + i eta`` (``eta`` = 1e-2 of the
    scale), then ``H = (z - a) G`` is followed down to ``a`` on its own curve ``Q(H, z) = 0``
    (no blow-up) and matched to the certified roots of ``Q(., a)``: a positive real root is the
    mass.  Irrational candidates: ``i eta G(a + i eta)`` at ``eta`` = 1e-7 of the scale, matched to
    the roots of the Newton-polygon polynomial evaluated at ``a``."""
    lc = _data(law)["lc"]
    B = _data(law)["B"]
    cands = [(i, r, f) for i, (r, f) in enumerate(crit) if lc.degree() >= 1 and lc % f == 0]
    if not cands:
        return []
    out = []
    for i, r, f in cands:
        x = np.array([float(r.mid())])
        if f.degree() == 1:
            eta = eta_rel * (B + 1)
            H0 = 1j * eta * track(law, x + 1j * eta)
            Q = _residue_curve(law, f)
            ints = [[int(v) for v in qj.coeffs()] for qj in Q]
            top = max((abs(v) for row in ints for v in row if v), default=1)
            shift = max(0, top.bit_length() - 600)
            flq = [np.array([float(v >> shift) if v >= 0 else -float((-v) >> shift) for v in row[::-1]] or [0.0])
                   for row in ints]
            # stop at eta = 1e-6 of the scale: H is analytic at a on the atom's branch (error O(eta)),
            # while bounded branches all tend to H = 0 and crowd together there
            # (a step that cannot be told apart from a neighbour root stops the descent: the branch is
            # then entering a cluster of bounded branches, all tending to H = 0)
            h, e = H0, eta
            while e > 1e-6 * (B + 1):
                try:
                    h = _step(flq, h, x + 1j * e, x + 1j * e / 2)
                except NoConvergence:
                    break
                e /= 2
            h = complex(h[0])
            c = f.coeffs()
            a = flint.fmpq(-int(c[0]), int(c[1]))
            vals = [sum((flint.fmpq(int(v)) * a ** k for k, v in enumerate(qj.coeffs())), flint.fmpq(0)) for qj in Q]
            den = 1
            for v in vals:
                den = den * int(v.q) // np.gcd(den, int(v.q))
            ip = flint.fmpz_poly([int(v * den) for v in vals])
            rts = [(complex(float(b.real.mid()), float(b.imag.mid())), b, fac)
                   for fac, _e in ip.factor()[1] for b, _m in fac.complex_roots()]
        else:
            eta = 1e-7 * (B + 1)
            h = complex((1j * eta * track(law, x + 1j * eta))[0])
            coeffs, _ = _residue_poly(law, f, mpmath.mpf(float(r.mid())))
            rts = [(complex(v), None, None) for v in np.roots([float(c) for c in coeffs[::-1]])]
        if all(t[0] != 0 for t in rts):
            rts.append((0j, None, None))      # a branch that stays bounded: H -> 0
        rts.sort(key=lambda t: abs(t[0] - h))
        best = rts[0]
        if best[0] != 0 and len(rts) > 1 and not abs(best[0] - h) < 0.25 * abs(rts[1][0] - h):
            raise NoConvergence("AlgebraicLaw.atoms: cannot tell which residue the branch takes",
                                residual=abs(best[0] - h))
        if best[0] == 0 or (best[1] is not None and best[1].imag != 0) or best[0].real <= 0:
            continue
        out.append((i, best))
    return out


def atoms(law, dps=None):
    out, _, atom_list = classify(law)
    crit = _data(law)["crit"]
    res = []
    for i, best in atom_list:
        r, f = crit[i]
        loc = _loc(r, f, dps)
        val, ball, fac = best
        if fac is not None and fac.degree() == 1:
            c = fac.coeffs()
            mass = sympy.Rational(-int(c[0]), int(c[1]))
        elif fac is not None:
            mass = _refine(ball.real, fac, dps or 20)
            mass = float(mass) if dps is None else mass
        else:
            mass = val.real
        res.append((loc, mass))
    return res


def _loc(r, f, dps):
    if f.degree() == 1:
        c = f.coeffs()
        return sympy.Rational(-int(c[0]), int(c[1]))
    v = _refine(r, f, dps or 20)
    return float(v) if dps is None else v


def atoms_float(law):
    key = "atoms_float"
    if key not in law._cache:
        out, _, atom_list = classify(law)
        crit = _data(law)["crit"]
        law._cache[key] = [(float(crit[i][0].mid()), 0.0) for i, _ in atom_list]
    return law._cache[key]
