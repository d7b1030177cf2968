"""Numerics of an algebraic law from its equation alone: the physical branch, density, certified
edges and atoms (residues).

The physical branch is the root of ``P(., z)`` that equals ``sum m_k / z^(k+1)`` at large ``|z|``
(exact moments from the expansion at infinity).  It is continued down vertical lines
``x + i eta`` by the predictor-corrector root matching of :mod:`freetk.algebraic.branch`; in
the open upper half-plane the Cauchy transform is analytic, so this never leaves the branch.
A real target is reached from a quarter of its clearance (the distance to the nearest complex
root of ``disc_G(P) · lc_G(P)``).  Values of ``G`` at ``dps`` digits polish the double root by
Newton's method on ``P(., z)`` in an explicit mpmath context.  The density at ``dps`` digits takes
``x`` exactly, decides its gap exactly and runs Newton's method for the root below the axis at a
precision raised until a first-order error bound holds (next to a square-root edge the branch and
its conjugate are a near-double pair; next to a hard edge the branch is a large root where the
leading coefficient nearly vanishes).

Edges and atoms: the boundary values ``G(x + i0)`` are analytic in ``x`` except at the real roots
of ``disc_G(P) · lc_G(P)`` (collisions of roots, roots escaping to infinity).  Between two
consecutive such points the density is therefore either identically 0 or positive everywhere (a
zero inside would be a double root, a root of the discriminant).  Each gap is decided at one
rational point (:func:`_gap_status`: unbounded gaps and gaps where the certified roots of
``P(., x)`` are all real or all non-real need no branch; elsewhere the continued branch picks one
certified root).  A candidate is an edge exactly when the two sides differ; an atom when it is a
root of ``lc`` and the branch has a pole there with positive residue.  Edges are refined in exact
integer arithmetic (:func:`freetk.algebraic.poly.real_root`).
"""
from fractions import Fraction

import flint
import numpy as np
import sympy

from ..errors import InvalidArgument, NoConvergence
from ..numeric import to_mp
from ..precision import GUARD_DIGITS, context
from . import branch as _b
from . import poly as _p
from .poly import G_, Z_

def _ctx(dps):
    """Working context (``dps`` plus guard digits)."""
    return context(dps)


def _out_ctx(dps):
    """Context of returned values (exactly ``dps`` digits)."""
    return context(dps, guard=0)


# ------------------------------------------------------------------------------- cached data
def _data(law):
    """Derived polynomials of ``P``, computed once per law: the coefficient rows ``c_j(z)``
    (``fmpz_poly`` and integer lists), the float :class:`~freetk.algebraic.branch.Curve`, the
    discriminant and leading coefficient in ``G``, their real roots (certified balls, sorted, with
    their irreducible factor) and all their complex roots (floats, for the clearance of a point)."""
    c = law._cache
    if "num" in c:
        return c["num"]
    P = law.polynomial
    cs = _p.coeffs_in(P, G_)
    d = max(cs)
    coeffs = [(_p.univariate(cs[j], Z_) if j in cs else flint.fmpz_poly([])) for j in range(d + 1)]
    ints = [[int(v) for v in cp.coeffs()] for cp in coeffs]
    lc = coeffs[d]
    disc = _p.univariate(P.discriminant("G"), Z_) if d >= 2 else flint.fmpz_poly([1])
    factors = []
    for poly in (disc, lc):
        if poly.degree() >= 1:
            for f, _e in poly.factor()[1]:
                if f.degree() >= 1 and all(f != g for g in factors):
                    factors.append(f)
    roots, cplx = [], []
    for f in factors:
        for r, _m in f.complex_roots():
            cplx.append(complex(float(r.real.mid()), float(r.imag.mid())))
            if r.imag == 0:
                roots.append((r.real, f))
    roots.sort(key=lambda t: float(t[0].mid()))
    for (a, _), (b, _) in zip(roots, roots[1:]):
        if a.overlaps(b):
            raise NoConvergence("AlgebraicLaw: two critical points closer than 1e-15 cannot be ordered")
    B = max([abs(float(r.mid())) for r, _ in roots] + [1.0])
    out = {"d": d, "coeffs": coeffs, "ints": ints, "curve": _b.curve(ints), "lc": lc, "disc": disc,
           "crit": roots, "cplx": np.array(cplx, dtype=complex), "B": B}
    c["num"] = out
    return out


def _clearance(data, x):
    """Distance from each real ``x`` to the nearest complex root of ``disc_G(P) · lc_G(P)``: in the
    disc of that radius the ``d`` roots of ``P(., z)`` are distinct analytic functions of ``z``."""
    cp = data["cplx"]
    if len(cp) == 0:
        return np.full(len(x), np.inf)
    return np.min(np.abs(np.asarray(x, float)[:, None] - cp[None, :]), axis=1)


def _moments_float(law, n=24):
    """Float moments for the series at ``x + iH``: with ``|z| >= H >= 4R + 1`` and the support in
    ``[-R, R]`` the terms fall like ``4^-k``, so 24 of them give the branch to ~1e-14."""
    key = ("mfloat", n)
    if key not in law._cache:
        law._cache[key] = [int(v.p) / int(v.q) for v in law._moments_fmpq(n)]
    return law._cache[key]


# ------------------------------------------------------------------------------- double tracking
def track(law, z):
    """Physical branch ``G(z)`` in double precision for an array of ``z`` with ``Im z >= 0``.

    The branch is matched to the moment series at ``x + iH`` and continued down the vertical
    line.  For real ``x`` the descent stops at a quarter of the clearance of ``x`` (no two roots
    of ``P(., z)`` meet within it) and goes onto the axis in one more step."""
    data = _data(law)
    cv = data["curve"]
    z = np.asarray(z, dtype=complex).ravel()
    if np.any(z.imag < 0):
        raise InvalidArgument("AlgebraicLaw.cauchy: use Im z >= 0 (G(conj z) = conj G(z))")
    B = data["B"]
    # the series at x + iH needs |z| >= 4R + 1, R a bound of the support: the hull of the edges
    # and atoms once the critical points are classified, else the largest critical point
    R = law._cache.get("hull", B)
    H = np.maximum(4 * R, z.imag) + 1.0
    zs = z.real + 1j * H
    m = _moments_float(law)
    pred = sum(mk / zs ** (k + 1) for k, mk in enumerate(m))
    G, d1, _ = _b.match(_b.roots(cv, zs), pred)
    if np.any(d1 > 1e-6 * np.abs(pred)) and data["d"] > 1:
        raise NoConvergence("AlgebraicLaw: no root of P matches the moment series at infinity",
                            residual=float(np.max(d1 / np.abs(pred))))
    real = z.imag <= 0
    x = z.real
    near = np.maximum(_clearance(data, x) / 4, 1e-13 * (B + np.abs(x) + 1))
    floor = np.where(real, np.minimum(near, H / 4), z.imag)
    return _b.descend(cv, G, x, H, floor, real)


def _exact_roots_complex(law, x, eta):
    return _b.roots_of_rows(_b.exact_values(_data(law)["ints"], x, eta)[None, :])[0]


def _track_exact(law, xq, max_halvings=30):
    """``G(x + i0)`` at the rational ``xq`` on the physical branch, followed down the vertical line
    like :func:`track` (moment series at ``x + iH``, halving heights down to a quarter of the clearance,
    then onto the axis; an ambiguous step -- nearest root not four times nearer than the next -- is
    halved) but with the coefficients of ``P(., z)`` evaluated exactly at the rational points of the
    path (:func:`branch.exact_values`): the double curve of :func:`track` evaluates them with cancellation,
    which for equations with large coefficients of both signs (8 atoms ⊞ 3 atoms: 37 digits) leaves
    the roots wrong in their second digit.  Raises NoConvergence when a step stays ambiguous."""
    data = _data(law)
    xq = Fraction(xq)
    R = law._cache.get("hull", data["B"])
    H = Fraction(int(np.ceil(4 * R)) + 1)
    m = _moments_float(law)
    z0 = complex(float(xq), float(H))
    pred = sum(mk / z0 ** (k + 1) for k, mk in enumerate(m))
    rts = _exact_roots_complex(law, xq, H)
    g = complex(rts[np.argmin(np.abs(rts - pred))])
    floor = Fraction(max(float(_clearance(data, np.array([float(xq)]))[0]) / 4, 1e-12)).limit_denominator(10 ** 15)

    def move(g, e0, e1, depth=0):
        rts = _exact_roots_complex(law, xq, e1) if e1 > 0 else _b.roots_of_rows(
            _exact_coeffs(data["ints"], xq)[None, :].astype(complex))[0]
        dist = np.sort(np.abs(rts - g))
        if len(dist) < 2 or dist[0] <= 0.25 * dist[1]:
            return complex(rts[np.argmin(np.abs(rts - g))])
        if depth >= max_halvings:
            raise NoConvergence(f"AlgebraicLaw: the branch could not be followed to x = {float(xq)!r} "
                                "with exact coefficients (roots too close)")
        mid = (e0 + e1) / 2
        return move(move(g, e0, mid, depth + 1), mid, e1, depth + 1)
    eta = H
    while eta > floor:
        new = max(eta / 2, floor)
        g = move(g, eta, new)
        eta = new
    return move(g, eta, Fraction(0))


# ------------------------------------------------------------------------------- high precision
def _polish(law, g0, z, ctx):
    ints = _data(law)["ints"]
    coeffs = [[ctx.mpf(v) for v in row] for row in ints]
    d = len(coeffs) - 1
    cz = [ctx.polyval(row[::-1], z) if row else ctx.mpf(0) for row in coeffs]
    dcz = [j * cz[j] for j in range(d + 1)]
    g = ctx.mpc(g0)
    tol = ctx.mpf(10) ** (-(ctx.dps - GUARD_DIGITS) - 4)
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


#: far from the support (|z| >= FAR (R + 1), R >= the support's radius) G is the moment series itself: its terms fall
#: like FAR^-k, so FAR_TERMS of them are exact to rounding (the roots of P(., z) in double lose |z|/R: 0 at 1e16)
FAR, FAR_TERMS = 16, 28
#: within this distance (relative to the scale) of a pole of P's branches (a root of P's leading coefficient in G: an
#: atom) the double root is polished at POLISH_DPS digits (the coefficients c_j(z) cancel there: 8e-9 at 1e-7 from an
#: atom)
NEAR_POLE, POLISH_DPS = 1e-3, 20


def _far_series(law, z):
    """``G(z) = w sum m_k w^k`` (``w = 1/z``) by Horner, for ``|z| >= FAR (R + 1)``."""
    w = 1 / z
    m = _moments_float(law, FAR_TERMS)
    acc = np.zeros(z.shape, complex)
    for mk in reversed(m):
        acc = acc * w + mk
    return w * acc


def _near_pole(law, z):
    """Points of ``z`` within ``NEAR_POLE`` (relative) of a root of the leading coefficient of P in G."""
    data = _data(law)
    if "lc_roots" not in data:
        lc = data["lc"]
        data["lc_roots"] = np.array([complex(float(r.real.mid()), float(r.imag.mid())) for r, _ in lc.complex_roots()]
                                    if lc.degree() >= 1 else [], complex)
    poles = data["lc_roots"]
    if poles.size == 0:
        return np.zeros(z.shape, bool)
    d = np.min(np.abs(z[:, None] - poles[None, :]), axis=1)
    return d <= NEAR_POLE * (data["B"] + np.abs(z) + 1)


def _track_all(law, z):
    """:func:`track` with the far field from the moment series and the points next to a pole polished."""
    R = law._cache.get("hull", _data(law)["B"])
    far = np.abs(z) >= FAR * (R + 1)
    G = np.zeros(z.shape, complex)
    if np.any(far):
        G[far] = _far_series(law, z[far])
    if np.any(~far):
        G[~far] = track(law, z[~far])
        near = np.flatnonzero(~far)[_near_pole(law, z[~far])]
        if near.size:
            ctx = _ctx(POLISH_DPS)
            for i in near:
                try:
                    G[i] = complex(_polish(law, G[i], ctx.mpc(z[i].real, z[i].imag), ctx))
                except NoConvergence:
                    pass        # the double root is kept (as before); it is the branch's to ~1e-8
    return G


def cauchy(law, z, dps=None):
    scalar = np.ndim(z) == 0
    zz = np.atleast_1d(np.asarray(z, dtype=complex))
    flip = zz.imag < 0
    G = _track_all(law, np.where(flip, np.conj(zz), zz).ravel()).reshape(zz.shape)
    if dps is None:
        G = np.where(flip, np.conj(G), G)
        return G[0] if scalar else G.reshape(np.shape(z))
    ctx, out = _ctx(dps), _out_ctx(dps)
    zin = np.atleast_1d(np.asarray(z, dtype=object)).ravel()
    vals = []
    for zi, gi, fi in zip(zin, G, flip):
        zc = ctx.mpc(to_mp(zi, ctx))
        zc = ctx.conj(zc) if fi else zc
        g = _polish(law, gi, zc, ctx)
        vals.append(out.mpc(ctx.conj(g) if fi else g))
    return vals[0] if scalar else np.array(vals, dtype=object).reshape(np.shape(z))


def pdf(law, x, dps=None):
    scalar = np.ndim(x) == 0
    if dps is not None:
        ctx, o = _ctx(dps), _out_ctx(dps)
        xin = np.atleast_1d(np.asarray(x, dtype=object)).ravel()
        vals = [o.mpf(_pdf_mp(law, xi, ctx, dps)) for xi in xin]
        return vals[0] if scalar else np.array(vals, dtype=object).reshape(np.shape(x))
    xx = np.atleast_1d(np.asarray(x, dtype=float)).ravel()
    atoms = [float(a) for a, _ in atoms_float(law)]
    at = np.array([any(abs(v - a) <= 1e-12 * (1 + abs(a)) for a in atoms) for v in xx], dtype=bool)
    out = np.zeros(len(xx))
    keep = ~at
    # at an edge itself (the double nearest to it; as with dps=): +inf where the density blows up, else 0
    kinds, _, _ = classify(law)
    at_edge = {_refine(r, f, None): i for i, (r, f, kind) in enumerate(kinds) if kind.endswith("edge")}
    for j in np.where(keep)[0]:
        if xx[j] in at_edge:
            keep[j] = False
            out[j] = np.inf if _unbounded_at(law, at_edge[xx[j]]) else 0.0
    # within rounding of a critical point (where boundary_values falls back to the vertical continuation,
    # which cannot resolve a hard edge: MP(1) at 1e-300 gave 0) the exact-gap route at 16 digits decides
    crit = np.array([float(r.mid()) for r, _ in _data(law)["crit"]])
    for j in np.where(keep)[0]:
        if np.any(np.abs(crit - xx[j]) <= 1e-14 * (1 + abs(xx[j]))):
            keep[j] = False
            out[j] = float(_pdf_mp(law, xx[j], _ctx(16), 16))
    G = np.zeros(len(xx), dtype=complex)
    if np.any(keep):
        G[keep] = boundary_values(law, xx[keep])
        out[keep] = np.maximum(-G[keep].imag / np.pi, 0.0)
    return out[0] if scalar else out.reshape(np.shape(x))


def _exact_real(v):
    """``v`` as the exact Fraction it is (mpf, float, integer, Fraction, sympy Rational), else None."""
    if hasattr(v, "_mpf_"):
        return _p.mpf_fraction(v)
    if isinstance(v, (bool, np.bool_)):
        return None
    if isinstance(v, (int, np.integer)):
        return Fraction(int(v))
    if isinstance(v, (float, np.floating)):
        return Fraction(float(v)) if np.isfinite(v) else None
    if isinstance(v, Fraction):
        return v
    if isinstance(v, sympy.Rational):
        return Fraction(int(v.p), int(v.q))
    return None


def _side(x, r, f):
    """``-1, 0, 1``: the rational ``x`` lies below, at, above the real root of the irreducible
    integer polynomial ``f`` isolated in the ball ``r`` (exact: ``f`` changes sign at its simple root)."""
    c = [int(v) for v in f.coeffs()]
    if len(c) == 2:
        root = Fraction(-c[0], c[1])
        return (x > root) - (x < root)
    mid, rad = _p.arb_fraction(r), _p.arb_fraction(r.rad())
    lo, hi = mid - rad, mid + rad
    if x < lo or x > hi:
        return -1 if x < lo else 1
    val = lambda t: sum(a * t ** k for k, a in enumerate(c))     # noqa: E731
    fx = val(x)
    return -1 if (fx > 0) == (val(lo) > 0) else 1


def _exact_gap(law, x):
    """``(k, on)`` for the rational ``x``: the index of its gap between critical points (as in
    :func:`classify`) and whether ``x`` is a critical point, decided exactly."""
    crit = _data(law)["crit"]
    k = 0
    for r, f in crit:
        s = _side(x, r, f)
        if s == 0:
            return k, True
        if s < 0:
            break
        k += 1
    return k, False


def _pdf_mp(law, xi, ctx, dps):
    """The density at ``xi`` to ``dps`` digits.  ``x`` is taken exactly when it is a binary or
    rational number (mpf, float, int, Fraction, sympy Rational: next to an edge the density
    depends on the digits of ``x`` far beyond ``dps``), else as its value in ``ctx``; its gap is
    decided exactly (:func:`_exact_gap`).  On a gap without density the value is 0; on a gap
    with density ``G(x + i0)`` is the root of ``P(., x)`` below the axis that the double branch
    picks (:func:`_lower_root_mp`).  At an edge itself the value is exact: ``+inf`` where the density
    blows up (a hard edge: :func:`_unbounded_at`), else 0 (the limit of ``G`` is real from the side
    without density)."""
    xq = _exact_real(xi)
    if xq is None:
        xq = _p.mpf_fraction(ctx.mpf(to_mp(xi, ctx)))
    x = ctx.mpf(xq.numerator) / xq.denominator
    out, status, _ = classify(law)
    k, on = _exact_gap(law, xq)
    if on:
        if any(kind.startswith("atom") for r, f, kind in out if _side(xq, r, f) == 0):
            return ctx.mpf(0)
        if not (status[k] or status[k + 1]):
            return ctx.mpf(0)
        if _unbounded_at(law, k):
            return ctx.inf
        if out[k][2].endswith("edge"):
            # a bounded end: G has a finite limit, real from the side without density (0 exactly)
            return ctx.mpf(0)
        # an interior critical point (density on both sides, e.g. a cusp): P(., x) may have a multiple
        # root there, where Newton's method divides by P_G = 0; the certified roots of P(., x) (FLINT,
        # multiplicities separated exactly) decide: a real root means density 0
        gi = complex(track(law, np.array([float(x) + 0j]))[0])
        roots, _poly, mult = _exact_roots_at(law, xq)
        r = _nearest_root(roots, gi)
        if r.imag == 0:
            return ctx.mpf(0)
        if mult[roots.index(r)] > 1:
            raise NoConvergence(f"AlgebraicLaw.pdf: x = {xi} is a multiple non-real root of P(., x); its "
                                "density is not evaluated to dps digits there")
        g = _polish(law, complex(float(r.real.mid()), float(r.imag.mid())), ctx.mpc(x), ctx)
        v = -ctx.im(g) / ctx.pi
        return v if v > 0 else ctx.mpf(0)
    if not status[k]:
        return ctx.mpf(0)
    g = _lower_root_mp(law, xq, k, dps)
    return -g.imag / g.context.pi


def _unbounded_at(law, i):
    """Whether the density blows up at the critical point ``i`` (a hard edge, ``G ~ s^(-1/2)``, or any
    end where the physical branch runs off to infinity).  Only a root of the leading coefficient
    ``lc_G(P)`` can be one (a root of ``P(., x)`` escapes to infinity there; this is decided exactly:
    the critical point's irreducible factor divides ``lc``); the escaping root is the physical branch
    when ``|G(x +- s + i0)|`` on a side with density grows as ``s`` decreases from ``1e-8`` to
    ``1e-11`` of the scale (by at least ``10^(3/4)``: ``|G| ~ s^-alpha`` with ``alpha >= 1/4``; a finite
    limit changes it by ``O(s)``)."""
    key = ("unbounded", int(i))
    c = law._cache
    if key in c:
        return c[key]
    data = _data(law)
    r, f = data["crit"][i]
    result = False
    if data["lc"].degree() >= 1 and data["lc"] % f == 0:
        out, status, _ = classify(law)
        x0 = float(r.mid())
        scale = 1 + abs(x0)
        for side, has in ((-1, status[i]), (+1, status[i + 1])):
            if has:
                g = np.abs(boundary_values(law, x0 + side * scale * np.array([1e-8, 1e-11])))
                if np.all(np.isfinite(g)) and g[1] >= 10 ** 0.75 * g[0]:
                    result = True
    c[key] = result
    return result


def _inside(law, xq, k):
    """A double inside the gap ``k`` next to the rational ``xq`` (``float(xq)`` itself unless its
    rounding leaves the gap or lands on a critical point; then a point 1e-13 of the scale in)."""
    crit = [float(r.mid()) for r, _ in _data(law)["crit"]]
    lo, hi = crit[k - 1], crit[k]
    xd = float(xq)
    tiny = 4e-14 * (1 + abs(lo) + abs(hi))
    return min(max(xd, lo + min(tiny, (hi - lo) / 4)), hi - min(tiny, (hi - lo) / 4))


def _lower_root_mp(law, xq, k, dps):
    """``G(x + i0)`` at the rational ``xq`` of the density gap ``k`` with ``Im G`` to ``dps``
    digits (relative), as an mpc of a working context.

    Newton's method on ``P(., x)`` is started from the candidate root at ``x`` (exactly evaluated
    coefficients) and, failing that, from the double branch at a point of the gap next to ``xq``
    (:func:`boundary_values`), pushed below the axis: next to a square-root edge the branch and its conjugate are a near-double pair
    ``a -+ i eps``, for which Newton's basins are the two half-planes.  The error of the root is
    bounded to first order by ``u * sum_jk |a_jk| |x|^k |G|^j / |P_G(G)|`` (``u`` the unit roundoff;
    ``P_G`` is small at a near-double root); the precision is raised until that bound and the
    last Newton step are below ``10^-(dps+1) |Im G|``.  With several pairs of non-real roots on the
    gap, the root found must also be the double root nearest to the double value."""
    data = _data(law)
    pairs = law._cache["pairs"][k]
    xd = _inside(law, xq, k)
    gd = complex(boundary_values(law, np.array([xd]))[0])
    # start: the candidate root of P(., x) at x itself, from exactly evaluated coefficients (a
    # start taken at xd would be far off next to a hard edge, where G ~ (x - e)^(-1/2))
    try:
        with np.errstate(all="ignore"):
            cand = _b.lower(np.roots(_exact_coeffs(data["ints"], xq)[::-1])[None, :], pairs)[0]
    except np.linalg.LinAlgError:       # coefficients beyond double range (x = 5e-324 next to MP(1)'s hard edge)
        cand = np.array([], complex)
    cand = cand[np.isfinite(cand)]
    g0 = complex(cand[np.argmin(np.abs(cand - gd))]) if len(cand) else gd
    # next to a square-root edge the double roots at x cannot resolve the pair (a start from the
    # branch a little inside, gd, then does): both starts are tried
    err = None
    for start in ([g0, gd] if g0 != gd else [g0]):
        try:
            return _newton_mp(data, xq, start, dps, pairs, gd, xd)
        except NoConvergence as e:
            err = e
    raise err


def _newton_mp(data, xq, g, dps, pairs, gd, xd, max_rounds=12):
    """Newton's method for the root below the axis from ``g`` with the precision raised until the
    error bound of :func:`_lower_root_mp` holds."""
    g = complex(g.real, min(g.imag, -1e-8 * (1 + abs(g))))
    digits = dps + GUARD_DIGITS
    max_digits = 4 * digits + 400
    rows = data["ints"]
    for _round in range(max_rounds):
        ctx = context(digits, guard=0)
        x = ctx.mpf(xq.numerator) / xq.denominator
        cz = [ctx.polyval([ctx.mpf(v) for v in row[::-1]], x) if row else ctx.mpf(0) for row in rows]
        az = [ctx.polyval([ctx.mpf(abs(v)) for v in row[::-1]], abs(x)) if row else ctx.mpf(0) for row in rows]
        d = len(cz) - 1
        gm = ctx.mpc(g)
        step = ctx.inf
        for _it in range(200):
            f, fp = _horner(cz, gm)
            if fp == 0:
                break
            delta = f / fp
            gm -= delta
            # near a double root Newton halves the distance per step until it resolves the pair
            if abs(delta) <= ctx.eps * abs(gm) or (_it > 8 and abs(delta) >= step):
                step = min(step, abs(delta))
                break
            step = abs(delta)
        fp = _horner(cz, gm)[1]
        size = _horner(az, abs(gm))[0]
        bound = 4 * (d + len(rows[-1]) + 2) * ctx.eps * size / abs(fp) + step if fp != 0 else ctx.inf
        target = ctx.mpf(10) ** (-(dps + 1)) * abs(ctx.im(gm))
        if ctx.im(gm) < 0 and bound <= target:
            _check_choice(data, gm, gd, xd, pairs)
            return gm
        if digits >= max_digits:
            break
        if ctx.im(gm) < 0 and bound < ctx.inf and target > 0:
            digits += int(ctx.ceil(ctx.log10(bound / target))) + 10
        else:
            digits *= 2
        digits = min(digits, max_digits)
        if abs(complex(gm)) < ctx.inf and ctx.im(gm) < 0:
            g = gm
    raise NoConvergence(f"AlgebraicLaw.pdf: the density at x = {float(xq)!r} could not be certified to "
                        f"{dps} digits (working precision reached {digits} digits)", best=-ctx.im(gm) / ctx.pi)


def _exact_coeffs(int_rows, xq):
    """``c_j(x)`` at the rational ``x`` (lowest ``j`` first) as doubles (:func:`branch.exact_values`),
    vanishing leading coefficients removed."""
    vals = list(_b.exact_values(int_rows, xq).real)
    while len(vals) > 1 and vals[-1] == 0:
        vals.pop()
    return np.array(vals)


def _horner(c, g):
    """``(p(g), p'(g))`` for the coefficients ``c`` (lowest power first)."""
    f, fp = c[-1] * 0, c[-1] * 0
    for cj in reversed(c):
        fp = fp * g + f
        f = f * g + cj
    return f, fp


def _check_choice(data, g, gd, xd, pairs):
    """With one pair of non-real roots any root below the axis is the branch; with more, ``g`` must
    be nearer to the double value ``gd`` than half the distance from ``gd`` to the other roots
    below the axis."""
    if pairs == 1:
        return
    cand = _b.lower(_b.roots(data["curve"], np.array([xd + 0j])), pairs)[0]
    cand = cand[np.isfinite(cand)]
    others = sorted(np.abs(cand - gd))[1:]
    if others and not abs(complex(g) - gd) < 0.5 * others[0]:
        raise NoConvergence("AlgebraicLaw.pdf: the high-precision root is not the one the branch takes",
                            residual=abs(complex(g) - gd))


def boundary_values(law, x):
    """``G(x + i0)`` on the physical branch for real ``x`` (double precision).

    The certified classification says which gaps between critical points carry density.  On a
    gap without density ``G`` is real and only its value is needed for the density (0): it is not
    computed (reported as 0).  On a gap with density ``G(x + i0)`` is a root of ``P(., x)`` below
    the real axis (``Im G = -pi f < 0``), never a real one; the number of conjugate pairs of
    non-real roots is fixed on the gap (:func:`classify`), so the candidates are known
    (:func:`~freetk.algebraic.branch.lower`).  With one pair the branch is the only candidate.
    Otherwise every point takes the candidate nearest to the Taylor prediction from the nearest of
    fixed anchors (:func:`_anchors`), all points at once, provided the step stays within half
    the anchor's clearance (the Taylor radius there: a longer step toward an edge, where ``G``
    behaves like ``sqrt`` or ``1/sqrt`` of the distance, predicts badly) and the root is four
    times nearer than the next; a point that fails the ratio is marched from its anchor with step
    halving, one too far from every anchor (next to an edge), and the critical points themselves,
    go to :func:`track`.  A value does not depend on the other points asked for."""
    out, status, _ = classify(law)
    pairs = law._cache["pairs"]
    data = _data(law)
    cv = data["curve"]
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
        # roots from exactly evaluated coefficients: near a root of lc the rounded coefficients
        # turn two large real roots into a spurious conjugate pair
        roots = _b.roots_of_rows(_b.exact_rows(data["ints"], xs).astype(complex))
        if pairs[k] == 1:
            cand = _b.lower(roots, 1)
            G[idx] = _b.newton(data["ints"], cand[np.arange(len(xs)), np.argmin(np.abs(cand), axis=1)], xs)
            continue
        ax, ag = _anchors(law, k, crit)
        j = np.argmin(np.abs(ax[None, :] - xs[:, None]), axis=1)
        vals, ok = _b.jump(cv, ag[j], ax[j], xs, roots, pairs[k])
        near = np.abs(xs - ax[j]) <= _clearance(data, ax[j]) / 2
        for i in np.where(~ok & near)[0]:
            vals[i] = _march_or_track(law, cv, ag[j[i]], ax[j[i]], xs[i], roots[i], pairs[k])
        far = ~near
        if np.any(far):
            vals[far] = track(law, xs[far] + 0j)
        G[idx] = _b.newton(data["ints"], vals, xs)
    return G


def _march_or_track(law, cv, g, x0, x1, roots, pairs):
    try:
        return _b.march(cv, g, x0, x1, roots, pairs=pairs)
    except NoConvergence:
        # roots crowd together (next to an edge): the vertical continuation decides
        return track(law, np.array([x1 + 0j]))[0]


ANCHORS = 32


def _anchors(law, k, crit):
    """``(x, G(x + i0))`` at ``ANCHORS`` Chebyshev points inside the density gap ``k`` (between
    the critical points ``k - 1`` and ``k``), found once per law by one vectorised descent: every
    real point then starts its march close by, at a fixed place (values do not depend on the order
    of calls)."""
    key = ("anchors", int(k))
    if key not in law._cache:
        lo, hi = crit[k - 1], crit[k]
        t = np.cos(np.pi * (np.arange(ANCHORS) + 0.5) / ANCHORS)
        xs = (lo + hi) / 2 + (hi - lo) / 2 * t
        law._cache[key] = (xs, track(law, xs + 0j))
    return law._cache[key]


# ------------------------------------------------------------------------------- exact root picking
def _exact_roots_at(law, x):
    """Certified roots (acb balls) of ``P(., x)`` at a rational ``x``, ``q^m P(., x)`` as an ``fmpz_poly``
    in ``G`` (``x = p/q``, ``m = deg_z P``; exact integer evaluation) and the roots' multiplicities."""
    x = Fraction(x) if not isinstance(x, sympy.Basic) else Fraction(int(x.p), int(x.q))
    p, q = x.numerator, x.denominator
    rows = _data(law)["ints"]
    m = max(len(row) for row in rows) - 1
    pw = [p ** k * q ** (m - k) for k in range(m + 1)]
    cs = [sum(v * pw[k] for k, v in enumerate(row)) for row in rows]
    while cs and cs[-1] == 0:
        cs.pop()
    poly = flint.fmpz_poly(cs)
    found = poly.complex_roots()
    return [r for r, _m in found], poly, [m for _r, m in found]


def _nearest_root(roots, g):
    """The certified root nearest to the double value ``g``, which must be four times nearer to it
    than any other root."""
    if not roots:
        raise InvalidArgument("AlgebraicLaw: P(., x) has no root (x is a pole of every branch)")
    dist = sorted(((abs(complex(float(r.real.mid()), float(r.imag.mid())) - g), i) for i, r in enumerate(roots)))
    if len(dist) > 1 and not dist[0][0] < 0.25 * dist[1][0]:
        raise NoConvergence("AlgebraicLaw: cannot tell which root the branch takes at a test point")
    return roots[dist[0][1]]


def physical_root_exact(law, u0):
    """``G(u0)`` as an exact rational (``u0`` real rational outside the support), or raise."""
    roots, poly, _ = _exact_roots_at(law, u0)
    r = _nearest_root(roots, complex(track(law, np.array([float(u0) + 0j]))[0]))
    if r.imag != 0:
        raise InvalidArgument(f"AlgebraicLaw.mobius: {u0} is inside the support (G is not real there)")
    for f, _e in poly.factor()[1]:
        if f.degree() == 1:
            c = f.coeffs()
            root = -flint.fmpq(c[0]) / flint.fmpq(c[1])
            if r.real.contains(flint.arb(root)):
                return sympy.Rational(int(root.p), int(root.q))
    raise InvalidArgument("AlgebraicLaw.mobius: G(-s/r) is irrational; the moments of the image are "
                          "not rational, so the branch cannot be pinned by exact moments")


# ------------------------------------------------------------------------------- classification
def _test_points(crit):
    """One rational point inside each gap between consecutive real critical points (and beyond
    the ends): the simplest fraction within an eighth of the gap from its midpoint (small
    numerators and denominators keep the exact evaluation of ``P(., x)`` cheap)."""
    mids = [float(r.mid()) for r, _ in crit]
    if not mids:
        return [Fraction(0)]
    pts = [Fraction(mids[0]) - 1]
    for a, b in zip(mids, mids[1:]):
        pts.append(Fraction((a + b) / 2).limit_denominator(int(np.ceil(8 / (b - a)))))
    pts.append(Fraction(mids[-1]) + 1)
    return pts


def _gap_status(law, crit):
    """Does the density charge the gap around each test point?  (One bool per gap.)

    The two unbounded gaps never do: the moment series is algebraic with rational coefficients,
    so it converges near 0 and the support is compact (inside the hull of the critical points).
    ``G(x + i0)`` is a root of ``P(., x)`` (``x`` is not a root of ``lc``): a bounded gap where
    every root is real has no density, one where no root is real has density.  Elsewhere the
    branch is continued to ``x`` in double precision and matched to one certified root: the gap
    carries density iff that root is not real.

    Also returns, for each gap, the number of conjugate pairs of non-real roots of ``P(., x)``:
    constant across the gap (roots meet only at roots of the discriminant), it tells the
    non-real roots from the real ones at any point of the gap (:func:`~freetk.algebraic.branch.lower`)."""
    pts = _test_points(crit)
    status = [False] * len(pts)
    pairs = [0] * len(pts)
    ask = []
    for i in range(1, len(pts) - 1):
        roots, _, _ = _exact_roots_at(law, pts[i])
        real = [r.imag == 0 for r in roots]
        pairs[i] = sum(1 for r in roots if r.imag < 0)
        if not any(real):
            status[i] = True
        elif not all(real):
            ask.append((i, roots))
    if ask:
        try:
            gs = track(law, np.array([float(pts[i]) for i, _ in ask]) + 0j)
        except NoConvergence:
            gs = [None] * len(ask)
        for (i, roots), g in zip(ask, gs):
            try:
                if g is None:
                    raise NoConvergence("AlgebraicLaw: the double branch could not be followed")
                r = _nearest_root(roots, complex(g))
            except NoConvergence:
                # the double curve evaluates c_j(z) with cancellation (large coefficients of both signs):
                # follow the branch again with exactly evaluated coefficients
                r = _nearest_root(roots, _track_exact(law, pts[i]))
            if r.imag != 0 and not r.imag < 0:
                raise NoConvergence("AlgebraicLaw: the continued branch has Im G > 0 on the real axis")
            status[i] = r.imag != 0
    return status, pairs


def classify(law):
    """``[(point_ball, factor, kind)]`` for every real critical point, ``kind`` in
    {"edge", "atom", "atom+edge", "inner", "spurious"}; plus the gap statuses."""
    c = law._cache
    if "classify" in c:
        return c["classify"]
    crit = _data(law)["crit"]
    status, pairs = _gap_status(law, crit)
    c["pairs"] = pairs
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
    c["hull"] = max([abs(float(r.mid())) for r, f, k in out if k != "spurious"], default=0.0) * 1.01
    return c["classify"]


def _refine(r, f, dps, out=None):
    """The real root of the irreducible ``f`` in the ball ``r``: a float (``dps`` None) or an mpf of
    the context ``out`` (``dps`` digits).  Exact when ``f`` is linear; else certified to
    ``2^-bits`` by :func:`~freetk.algebraic.poly.real_root` (exact integer arithmetic)."""
    c = [int(v) for v in f.coeffs()]
    if len(c) == 2:
        root = Fraction(-c[0], c[1])
        return float(root) if dps is None else out.mpf(root.numerator) / root.denominator
    mid, rad = _p.arb_fraction(r), _p.arb_fraction(r.rad())
    digits = 17 if dps is None else dps
    # absolute error 2^-bits: add the binary exponent of a small root to keep relative digits
    bits = int(digits * 3.33) + 16 + max(0, -int(np.floor(np.log2(abs(float(mid)) + 1e-300))))
    X = _p.real_root(f, mid - rad, mid + rad, bits)
    if dps is None:
        return float(Fraction(X, 1 << bits))
    return out.ldexp(out.mpf(X), -bits)


def edges(law, dps=None):
    out, _, _ = classify(law)
    e = [(r, f) for r, f, k in out if k.endswith("edge")]
    o = None if dps is None else _out_ctx(dps)
    return [_refine(r, f, dps, o) for r, f in e]


def support(law, dps=None):
    """Intervals between consecutive edges: the gaps alternate (no density / density) at edges."""
    pts = edges(law, dps)
    return list(zip(pts[0::2], pts[1::2]))


# ------------------------------------------------------------------------------- atoms (residues)
def _split(p, f):
    """``(v, q)`` with ``p = f^v q`` and ``f`` not dividing ``q`` (``p`` a non-zero fmpz_poly)."""
    v = 0
    while True:
        qq, rr = divmod(p, f)
        if rr != 0:
            return v, p
        p, v = qq, v + 1


def _residue_poly(law, f, a):
    """Coefficients ``[r_0..r_d]`` (floats) of the Newton-polygon polynomial whose roots are the
    residues ``lim (z - a) G`` of the branches with a simple pole at the root ``a`` (an arb ball)
    of the irreducible ``f``: ``sum_{j in J} f'(a)^{v_j} q_j(a) w^j`` with ``c_j = f^{v_j} q_j`` and
    ``J`` the indices minimising ``v_j + d - j``."""
    coeffs = _data(law)["coeffs"]
    d = len(coeffs) - 1
    split = {j: _split(cj, f) for j, cj in enumerate(coeffs) if not cj.is_zero()}
    low = min(v + d - j for j, (v, _q) in split.items())
    ev = lambda p: flint.arb_poly([int(c) for c in p.coeffs()])(a)   # noqa: E731
    fpa = ev(f.derivative())
    out = [0.0] * (d + 1)
    for j, (v, q) in split.items():
        if v + d - j == low:
            out[j] = float((fpa ** v * ev(q)).mid())
    return out


def _residue_curve(law, f):
    """For a rational root ``a = p/q`` of ``lc``: the integer polynomials ``Q_j(z)`` of
    ``Q(H, z) = sum_j Q_j(z) H^j``, the numerator of ``P(H/(z - a), z)`` with every power of
    ``(q z - p)`` removed.  ``H = (z - a) G`` is bounded near ``a``; ``Q(., a)`` has the residues."""
    coeffs = _data(law)["coeffs"]
    d = len(coeffs) - 1
    c = f.coeffs()
    L = flint.fmpz_poly([int(c[0]), int(c[1])])       # q z - p (up to sign)
    Q = [cj * L ** (d - j) * int(c[1]) ** j for j, cj in enumerate(coeffs)]
    low = min(_split(qj, L)[0] for qj in Q if not qj.is_zero())
    Q = [divmod(qj, L ** low)[0] if not qj.is_zero() else qj for qj in Q]
    while len(Q) > 1 and Q[-1].is_zero():
        Q.pop()
    return Q


def _residues_rational(Q, f):
    """Certified roots of ``Q(., a)``, ``a`` the root of the linear ``f``: ``[(value, ball, factor)]``."""
    c = f.coeffs()
    a = flint.fmpq(-int(c[0]), int(c[1]))
    vals = [sum((flint.fmpq(int(v)) * a ** k for k, v in enumerate(qj.coeffs())), flint.fmpq(0)) for qj in Q]
    den = 1
    for v in vals:
        den = den * int(v.q) // np.gcd(den, int(v.q))
    ip = flint.fmpz_poly([int(v * den) for v in vals])
    return [(complex(float(b.real.mid()), float(b.imag.mid())), b, fac)
            for fac, _e in ip.factor()[1] for b, _m in fac.complex_roots()]


def _descend_residue(law, Q, x, eta):
    """``H = (z - a) G`` near ``a``: the branch is followed to ``a + i eta``, then ``H`` down its
    own curve ``Q(H, z) = 0`` (bounded there) to ``a + i eta'``, ``eta'`` at most 1e-6 of the scale
    and 1e-3 of the distance from ``a`` to the nearest other root of ``disc · lc``.  On the atom's
    branch ``H`` is analytic in that disc (error O(eta'/distance)); bounded branches all tend to
    ``H = 0`` and crowd together, so a step that cannot tell roots apart stops the descent."""
    data = _data(law)
    B = data["B"]
    dist = np.abs(data["cplx"] - x[0])
    others = dist[dist > 1e-15 * (1 + abs(x[0]))]
    floor = min(1e-6 * (B + 1), 1e-3 * float(np.min(others)) if len(others) else np.inf)
    cv = _b.curve([[int(v) for v in qj.coeffs()] for qj in Q])
    h, e = 1j * eta * track(law, x + 1j * eta), eta
    while e > floor:
        try:
            h = _b.step(cv, h, x + 1j * e, x + 1j * e / 2)
        except NoConvergence:
            break
        e /= 2
    return complex(h[0])


def _atoms(law, crit, eta_rel=1e-2):
    """``[(index, (value, ball, factor))]`` for the critical points that are atoms.

    Rational candidates ``a`` (roots of ``lc``): the residues are the certified roots of ``Q(., a)``
    (:func:`_residue_curve`); when none is positive real there is no atom, else the branch's ``H``
    (:func:`_descend_residue`) is matched to them.  Irrational candidates: ``i eta G(a + i eta)`` at
    ``eta`` = 1e-7 of the scale, matched to the roots of the Newton-polygon polynomial at ``a``."""
    data = _data(law)
    lc, B = data["lc"], data["B"]
    out = []
    for i, r, f in [(i, r, f) for i, (r, f) in enumerate(crit) if lc.degree() >= 1 and lc % f == 0]:
        x = np.array([float(r.mid())])
        if f.degree() == 1:
            Q = _residue_curve(law, f)
            rts = _residues_rational(Q, f)
            if not any(b.imag == 0 and b.real > 0 for _v, b, _f in rts):
                continue                     # no branch has a positive residue: not an atom
            h = _descend_residue(law, Q, x, eta_rel * (B + 1))
        else:
            eta = 1e-7 * (B + 1)
            h = complex((1j * eta * track(law, x + 1j * eta))[0])
            rts = [(complex(v), None, None) for v in np.roots(_residue_poly(law, f, r)[::-1])]
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
    _, _, atom_list = classify(law)
    crit = _data(law)["crit"]
    o = None if dps is None else _out_ctx(dps)
    res = []
    for i, (val, ball, fac) in atom_list:
        r, f = crit[i]
        loc = sympy.Rational(-int(f.coeffs()[0]), int(f.coeffs()[1])) if f.degree() == 1 else _refine(r, f, dps, o)
        if fac is not None and fac.degree() == 1:
            mass = sympy.Rational(-int(fac.coeffs()[0]), int(fac.coeffs()[1]))
        elif fac is not None:
            mass = _refine(ball.real, fac, dps, o)
        else:
            mass = val.real
        res.append((loc, mass))
    return res


def atoms_float(law):
    key = "atoms_float"
    if key not in law._cache:
        _, _, atom_list = classify(law)
        crit = _data(law)["crit"]
        law._cache[key] = [(float(crit[i][0].mid()), 0.0) for i, _ in atom_list]
    return law._cache[key]
