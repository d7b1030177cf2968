r"""The dp x dp law ``mu(a, c, gamma2, nu)`` for a general law ``nu`` of ``T = D^2``, without discretisation.

Route (derived in docs/ntk.md, section "General nu without discretisation").  With
``rho_z`` the free compound Poisson law (rate ``gamma2``, jumps ``F_z(T) = T/(aT - z)``),
``m_z = -G_{rho_z}`` and ``h_z(m) = E_T[1/(z - (a + m) T)]``,

    G_mu(z) = int d rho_z(k') h_z( m_z(-k' - 1/c) ).

The integral over ``rho_z`` is a contour integral ``(1/2 pi i) oint G_{rho_z}(w) psi(w) dw`` on a
line that separates the cut of ``G_{rho_z}`` from its point reflection about ``-1/(2c)``:

* ``Im z > 0``: the real line (``rho_z`` lives in the upper half-plane, its reflection in the
  lower one), with two small bumps around the atom of ``rho_z`` at 0 and its reflection ``-1/c``;
* real ``z < 0``: the vertical line ``Re w = -1/(2c)``.

``G_{rho_z}(w)`` is the physical root of ``w = 1/g + gamma2 E_T[T/((a - g) T - z)]``, found by
Newton's method continued from far away to every node on its own path (all paths stepped together);
the reflected point of a node is the mirror node, so one solve serves both factors.  The
``T``-expectations are rational in ``T`` and reduce to the Cauchy transform of ``nu`` and its
derivative: exact for atoms and for ``UniformSquared`` (the law of ``D^2``, ``D`` uniform), and for the
continuous components of ``freetk.ntk_nu`` (arcsine D, an entire density of D), whose ``G_nu`` is followed onto
its other sheets along the continuation (an integer per node and component).  The quadrature in the line parameter is
adaptive (Gauss-Legendre panels bisected until two levels agree), so it follows the
near-singularities that appear when ``z`` approaches the support of ``mu``.

Only ``nu`` of compact support is accepted: for unbounded ``D`` (``"gaussian"``) the jumps
``F_z(T)`` are unbounded for every ``z`` in the support of ``mu`` and the limit theorem does not
apply; see docs/ntk.md.
"""
import functools
import warnings

import flint
import mpmath
import numpy as np
import sympy
from scipy.optimize import brentq   # at import: scipy's modules add warning filters when first imported

from .errors import InvalidArgument, NoConvergence, PrecisionWarning
from .measures.atoms import Atoms
from .measures.base import Measure, as_float
from .numeric import gauss_legendre, simplify
from .measures.classical import UniformSquared
from .ntk_series import mu_moments_exact
from .ntk_nu import ArcsineSquared, DensitySquared

__all__ = ["GeneralMu"]

#: rounding level of a panel of the line quadrature, relative to the integral of |integrand| over it
_NOISE = 256 * 2.2e-16
#: GeneralMu.blind: within this many y0 of 0 or E, on the axis, G_mu continued from y0 is not bounded
_BLIND_Y0 = 128
#: Newton tolerance at the intermediate points of a root path (relative step: the root is then good to
#: ~1e-8 after the quadratic step; it only starts the next point, the node itself is solved to rounding)
_PATH_RTOL = 1e-4
#: initial panels of the line "h" without grading towards theta = pi/4 (GeneralMu._grade_level)
_NO_GRADE = 10 ** 6
#: continuation of roots in z (GeneralMu._continue_z, docs/ntk.md "Continuation in z"): every sub-step moves z by
#: at most _ZC_STEP times the point's distance scale r (Im z on the line "h", |z| on the vertical line), a point is
#: continued from an anchor at most _ZC_NSUB sub-steps away, and a node's Newton correction after the predictor
#: must stay below _ZC_CORR times the predicted move (else the node gets its own root path)
_ZC_STEP = 0.25
_ZC_NSUB = 4
_ZC_CORR = 0.1
_ZC_REACH = 2.0
#: points (with their accepted panels and roots) kept per line for the next batches to continue from
_ZC_CACHE = 600
_UNSET = object()


def _segment_distance0(z0, z1):
    """Distance from 0 to the segment ``[z0, z1]`` of the complex plane."""
    d = z1 - z0
    # -Re(z0 conj(d))/|d|^2 = -Re(z0/d): the complex division scales, |d|^2 underflowed to 0 for |d| ~ 1e-160
    t = 0.0 if d == 0 else min(1.0, max(0.0, -(z0 / d).real))
    return abs(z0 + t * d)


def _ranges(starts, counts):
    """``concatenate([arange(s, s + c) for s, c in zip(starts, counts)])`` without a Python loop."""
    counts = np.asarray(counts, np.int64)
    off = np.repeat(np.cumsum(counts) - counts, counts)
    return np.repeat(np.asarray(starts, np.int64), counts) + np.arange(int(counts.sum())) - off


def _record_subset(rec, points, npoints):
    """The panels of a record (:func:`_merge_records`) owned by ``points`` (sorted indices), renumbered 0, 1, ..."""
    newix = np.full(npoints, -1)
    newix[points] = np.arange(points.size)
    sel = newix[rec[0]] >= 0
    return (newix[rec[0][sel]],) + tuple(v[sel] if isinstance(v, np.ndarray) else tuple(u[sel] for u in v)
                                         for v in rec[1:])


def _merge_records(rec):
    """The accepted panels of every level of :meth:`GeneralMu._line_integral` as one record (arrays joined)."""
    def cat(parts):
        return tuple(np.concatenate(p) for p in zip(*parts))
    return (np.concatenate([r[0] for r in rec]), np.concatenate([r[1] for r in rec]),
            np.concatenate([r[2] for r in rec]), cat([r[3] for r in rec]), cat([r[4] for r in rec]),
            cat([r[5] for r in rec]))


def _mpval(x, ctx):
    """A parameter (sympy exact, Fraction, int, float) as a number of the mpmath context ``ctx``."""
    if isinstance(x, sympy.Basic):
        return ctx.mpf(str(sympy.N(x, int(ctx.dps) + 15)))
    if hasattr(x, "numerator") and not isinstance(x, float):
        return ctx.mpf(int(x.numerator)) / int(x.denominator)
    return ctx.mpf(x)


# ----------------------------------------------------------------------------- the law nu of T
#: up to this many atoms of T, the kernels loop over them (one reciprocal each, products on the points' arrays)
_ATOM_LOOP = 16
#: GeneralMu._far: from |z| >= _FAR times the bound M of mu's support on, G_mu and G_mu' are the series of mu's exact
#: moments m_0 .. m_{_FAR_TERMS - 1}; |m_k| <= M^k leaves a tail below 4^-32 (4/3) / |z| < 2e-19 |G| (G' likewise)
_FAR = 4.0
_FAR_TERMS = 33


class _TKernel:
    """``nu`` as a finite mixture of atoms, ``UniformSquared`` parts and other continuous components
    (``freetk.ntk_nu``: ``ArcsineSquared``, ``DensitySquared``), with the expectations of the rational functions
    of ``T`` that the route needs.  The sheet index ``j`` has one column per continuous part: the
    ``UniformSquared`` parts first (an integer ``j``), then the other components (their own integer state).

    With ``zeta = z/s``:  ``E[T/(sT - z)] = (1 - zeta G)/s``,  ``E[T/(sT - z)^2] = (-G - zeta G')/s^2``,
    ``E[T^2/(sT - z)^2] = (1 - 2 zeta G - zeta^2 G')/s^2``, where ``G = G_nu(zeta)``; for large
    ``|zeta|`` the three numerators come from the moment series (no cancellation).
    """

    def __init__(self, nu):
        parts = nu if isinstance(nu, (list, tuple)) else [(1, nu)]
        self.atoms = {}            # t -> weight (exact when given exactly)
        self.usq = []              # (weight, b)
        self.comp = []             # (weight, component) for ArcsineSquared / DensitySquared
        tot = 0
        for w, m in parts:
            if isinstance(m, Atoms):
                for t, wt in m.atoms():
                    if as_float(t) < 0:
                        raise InvalidArgument(f"Argument `nu` of `GeneralMu` must live on [0, oo) (law of T = D^2); "
                                              f"got an atom at {t}")
                    self.atoms[t] = self.atoms.get(t, 0) + w * wt
            elif isinstance(m, UniformSquared):
                self.usq.append((w, m.parameters["b"]))
            elif isinstance(m, (ArcsineSquared, DensitySquared)):
                self.comp.append((w, m))
            else:
                raise InvalidArgument("Argument `nu` of `GeneralMu` must be an Atoms, a UniformSquared, an "
                                      "ArcsineSquared, a DensitySquared or a list of (weight, measure) pairs of those; "
                                      f"got {type(m).__name__}")
            tot += w
        if abs(as_float(tot) - 1) > 1e-14:
            raise InvalidArgument(f"Argument `nu` of `GeneralMu`: mixture weights must sum to 1, got {tot}")
        self.t = np.array([as_float(t) for t in self.atoms], float)
        self.w = np.array([as_float(v) for v in self.atoms.values()], float)
        # the atoms at T = 0 add w/z to h_z(m) = E[1/(z - (a + m)T)] whatever m: the integrand of the line, which
        # needs h(m) - h(0) and its z-derivative only, leaves them out (e_h(..., zero=False)) instead of cancelling
        # w/z and w/z^2 against themselves (noise ~eps w/|z|^2 in G_mu' next to z = 0)
        self.tn, self.wn = self.t[self.t != 0], self.w[self.t != 0]
        self.uw = np.array([as_float(w) for w, _ in self.usq], float)
        self.ub = np.array([as_float(b) for _, b in self.usq], float)
        self.cw = np.array([as_float(w) for w, _ in self.comp], float)
        self.cmax = max([0.0] + [c.tmax for _, c in self.comp])
        self.tmax = max([0.0] + list(self.t) + list(self.ub ** 2) + [self.cmax])
        self.nmom = 60
        self.tau = np.array([self.moment(k) for k in range(self.nmom + 2)])
        # moments of the continuous part (weights included) for the large-|zeta| and small-b series
        nser = np.arange(49)
        self.utau = np.array([float(np.sum(self.uw * self.ub ** (2 * n) / (2 * n + 1))) for n in nser])
        self.nser = nser[:48]
        # the other components: their weighted moments of T (same series, ratio tmax/|zeta| <= 1/4)
        self.ctau = np.array([sum(w * c.moment(n) for w, c in zip(self.cw, (c for _, c in self.comp)))
                              for n in nser]) if self.comp else None

    def moment(self, k):
        out = float(np.sum(self.w * self.t ** k) + np.sum(self.uw * self.ub ** (2 * k) / (2 * k + 1)))
        return out + sum(w * c.moment(k) for w, (_, c) in zip(self.cw, self.comp)) if self.comp else out

    def exact_moment(self, k):
        s = sum(w * t ** k for t, w in self.atoms.items())
        if isinstance(s, float):
            return s
        return simplify(sympy.sympify(s + sum(w * b ** (2 * k) / (2 * k + 1) for w, b in self.usq)
                                      + sum(w * c.exact_moment(k) for w, c in self.comp)))

    def mass_at_zero(self):
        return sum(w for t, w in self.atoms.items() if as_float(t) == 0)

    # -- continuous part: numerators P = 1 - zeta G, Q = -G - zeta G', R = 1 - 2 zeta G - zeta^2 G'
    def _usq_GdG(self, zeta):
        """Principal ``G_nu``, ``G_nu'`` of the UniformSquared parts at ``zeta`` (used for ``|zeta|`` up to ``4 t_max``:
        the series takes larger ``|zeta|``).  ``log(s + b) - log(s - b)`` (``s = sqrt(zeta)``, ``Re s >= 0``) is one log of the
        ratio (docs/ntk.md, "Speed of one value of G_mu": the same branch except on the cut ``s`` in ``[0, b)``,
        where the difference is ``-i pi sign(Im s)``, and at ``s = b``: there the two logs are kept)."""
        s = np.sqrt(zeta)
        with np.errstate(divide="ignore", invalid="ignore"):
            rs = 1 / s              # (complex divisions cost ~12 ns each, a product ~2: one reciprocal, then products)
        G = dG = 0
        for w, b in zip(self.uw, self.ub):
            with np.errstate(divide="ignore", invalid="ignore"):
                L = np.log((s + b) / (s - b))
            cut = (s.imag == 0) & (s.real <= b)
            if np.any(cut):
                L = np.where(cut, np.log(s + b) - np.log(s - b), L)
            f = L * (rs / (2 * b))
            G = G + w * f
            dG = dG + w * ((-1 / (s * (s * s - b * b)) - f * rs) * (0.5 * rs))
        return G, dG

    def _usq_big(self, zeta):
        """Where ``P, Q, R`` of the UniformSquared parts come from the series (``|zeta| > 4 b^2``)."""
        return np.abs(zeta) > 4 * max(self.ub.max() ** 2, 1e-300)

    def _usq_PQR(self, zeta, GdG=None):
        """Numerators ``P, Q, R`` for the continuous part only (weights included).  (The whole batch in one
        piece when every point is on the same side of ``|zeta| = 4 b^2``: no masked copies.)  ``GdG``: the
        principal ``G, G'`` at the points of the closed form (default ``_usq_GdG``; :meth:`e_wh`)."""
        big = self._usq_big(zeta)
        nbig = int(np.count_nonzero(big))
        if nbig == 0:
            return self._usq_PQR_small(zeta, GdG)
        if nbig == zeta.size:
            return self._usq_PQR_big(zeta)
        P = np.empty(zeta.shape, complex)
        Q = np.empty(zeta.shape, complex)
        R = np.empty(zeta.shape, complex)
        P[~big], Q[~big], R[~big] = self._usq_PQR_small(zeta[~big], GdG)
        P[big], Q[big], R[big] = self._usq_PQR_big(zeta[big])
        return P, Q, R

    def _usq_PQR_small(self, zs, GdG=None):
        g, dg = (GdG or self._usq_GdG)(zs)
        wsum = self.uw.sum()
        return wsum - zs * g, -g - zs * dg, wsum - 2 * zs * g - zs * zs * dg

    def _usq_PQR_big(self, zb):
        """From the moment series in ``1/zeta`` (``|zeta| > 4 b^2``: no cancellation)."""
        iz = 1 / zb
        # every series starts at its first nonzero term: written as t_0 - sum_{n>=0} t_n zeta^-n, p and r lost
        # digits to cancellation (3e-11 relative at |zeta| = 1e5), and Newton on W then never reached rounding
        # (NaN in G_mu at 0.02895 + 1.46e-9 i, ReLU, D uniform)
        n, t1, t2 = self.nser + 1, self.utau[1:49], np.append(self.utau[2:49], 0.0)
        A, B, C = _horner(np.array([t1, n * t1, n * t2]), iz.ravel(), np.max(np.abs(iz)) * self.ub.max() ** 2)
        A, B, C = A.reshape(iz.shape), B.reshape(iz.shape), C.reshape(iz.shape)   # (_horner works on flat arrays)
        iz2 = iz * iz
        p = -iz * A                             # -sum_{n>=1} t_n zeta^-n
        q = iz2 * B                             # zeta^-1 sum_{n>=1} n t_n zeta^-n
        r = iz2 * C                             # sum_{n>=1} (n-1) t_n zeta^-n
        return p, q, r

    # -- sheets of G_nu for the continuous part (docs/ntk.md, "Sheets of G_nu")
    @property
    def nsheet(self):
        """Number of continuous components (each has its own sheet index)."""
        return self.uw.size + len(self.comp)

    def sheet0(self, shape):
        """The principal sheet for every point: integer array ``shape + (nsheet,)``."""
        return np.zeros(tuple(shape) + (self.nsheet,), np.int64)

    def sheet_step(self, zeta0, zeta1, j):
        """The sheet index after ``zeta`` moves on the straight segment ``zeta0 -> zeta1``.

        ``G_nu`` continued is ``G(zeta) + sum_k j_k w_k pi i/(b_k sqrt(zeta))`` (principal ``G`` and
        ``sqrt``): crossing ``(0, b_k^2)`` upwards adds 1 to ``j_k``, downwards subtracts 1; crossing the
        negative axis flips the sign of every ``j_k`` (the principal ``sqrt`` changes sign there)."""
        if self.nsheet == 0:
            return j
        if self.comp:
            return self._sheet_step_comp(zeta0, zeta1, j)
        return self._sheet_step_usq(zeta0, zeta1, j)

    def _sheet_step_usq(self, zeta0, zeta1, j):
        """``sheet_step`` for the UniformSquared columns ``j[..., :len(usq)]`` (the rule above)."""
        y0, y1 = zeta0.imag, zeta1.imag
        cross = ((y0 < 0) & (y1 >= 0)) | ((y0 >= 0) & (y1 < 0))
        if not np.any(cross):
            return j
        j = j.copy()
        with np.errstate(all="ignore"):
            xs = zeta0.real - y0 * (zeta1.real - zeta0.real) / (y1 - y0)
        up = cross & (y1 >= 0)
        neg = cross & (xs < 0)
        j[neg] = -j[neg]
        for k, b in enumerate(self.ub):
            seg = cross & (xs > 0) & (xs < b * b)
            j[seg & up, k] += 1
            j[seg & ~up, k] -= 1
        return j

    def _sheet_step_comp(self, zeta0, zeta1, j):
        """``sheet_step`` with other components: the UniformSquared columns by the rule above, then each
        component's own ``step`` on its column."""
        nu = self.uw.size
        out = np.array(j, copy=True)
        if nu:
            out[..., :nu] = self._sheet_step_usq(zeta0, zeta1, out[..., :nu])
        for k, (_, c) in enumerate(self.comp):
            out[..., nu + k] = c.step(zeta0, zeta1, out[..., nu + k])
        return out

    def _comp_PQR(self, zeta, j, GdG=None, ex=_UNSET):
        """Numerators ``P, Q, R`` of the other components (weights included), on the sheets ``j``: the principal
        part from the moment series for ``|zeta| > 4 tmax`` (no cancellation), else from each ``G``; plus the
        sheets' extra terms.  ``GdG``, ``ex``: the principal ``G, G'`` and the sheet terms given (:meth:`e_wh`)."""
        big = np.abs(zeta) > 4 * max(self.cmax, 1e-300)
        P = np.empty(zeta.shape, complex)
        Q = np.empty(zeta.shape, complex)
        R = np.empty(zeta.shape, complex)
        if np.any(big):
            P[big], Q[big], R[big] = _series_PQR(zeta[big], self.ctau, self.cmax)
        if np.any(~big):
            zs = zeta[~big]
            g, dg = (GdG or self._comp_GdG)(zs)
            wsum = self.cw.sum()
            P[~big], Q[~big], R[~big] = wsum - zs * g, -g - zs * dg, wsum - 2 * zs * g - zs * zs * dg
        ex = self._comp_extra(zeta, j) if ex is _UNSET else ex
        if ex is not None:
            e, de = ex
            P, Q, R = P - zeta * e, Q - e - zeta * de, R - 2 * zeta * e - zeta * zeta * de
        return P, Q, R

    def _comp_GdG(self, zeta):
        G = dG = 0
        for w, (_, c) in zip(self.cw, self.comp):
            g, dg = c.GdG(zeta)
            G, dG = G + w * g, dG + w * dg
        return G, dG

    def _comp_extra(self, zeta, j):
        if j is None:
            return None
        nu = self.uw.size
        jc = np.asarray(j)[..., nu:]
        if not np.any(jc):
            return None
        e = np.zeros(zeta.shape, complex)
        de = np.zeros(zeta.shape, complex)
        for k, (w, (_, c)) in enumerate(zip(self.cw, self.comp)):
            st = np.broadcast_to(jc[..., k], zeta.shape)
            if np.any(st):
                ek, dek = c.extra(zeta, st)
                e, de = e + w * ek, de + w * dek
        return e, de

    def _sheet_extra(self, zeta, j):
        """``e = sum_k j_k w_k pi i/(b_k sqrt(zeta))`` and ``de/dzeta`` (None when every point is on the
        principal sheet)."""
        if j is None or self.nsheet == 0:
            return None
        if self.comp:
            j = np.asarray(j)[..., :self.uw.size]
        if not np.any(j):
            return None
        c = np.sum(j * (self.uw * np.pi / self.ub), -1) * 1j
        r = np.sqrt(zeta)
        e = c / r
        return e, -e / (2 * zeta)

    def e_w(self, s, z, j=None, _k=None):
        """``E[T/(sT-z)], E[T^2/(sT-z)^2], E[T/(sT-z)^2]`` (arrays broadcast together); ``j``: the sheet
        of ``G_nu`` at ``zeta = z/s`` (``sheet0``; None = principal).  ``_k``: the shared kernels of :meth:`e_wh`."""
        s, z = np.broadcast_arrays(np.asarray(s, complex), np.asarray(z, complex))
        k = _k or {}
        E1 = E2 = E3 = np.zeros(s.shape, complex)
        if 0 < self.t.size <= _ATOM_LOOP:
            # a few atoms: one reciprocal per atom and products on the points' arrays (the (points, atoms) arrays and
            # their reductions cost more than the arithmetic: 2.7 s of e_w's 4.8 s in a 400-point cdf of SiLU with
            # |D| in {1/2, 3/2})
            for tk, wk in zip(self.t.tolist(), self.w.tolist()):
                r = 1 / (s * tk - z)
                wr = (wk * tk) * r
                wr2 = wr * r
                E1 = E1 + wr
                E3 = E3 + wr2
                E2 = E2 + tk * wr2
        elif self.t.size:
            d = s[..., None] * self.t - z[..., None]
            E1 = E1 + np.sum(self.w * self.t / d, -1)
            E2 = E2 + np.sum(self.w * self.t ** 2 / d ** 2, -1)
            E3 = E3 + np.sum(self.w * self.t / d ** 2, -1)
        if self.uw.size:
            zeta = z / s
            P, Q, R = self._usq_PQR(zeta, k.get("usq"))
            ex = k["uex"] if "uex" in k else self._sheet_extra(zeta, j)
            if ex is not None:
                e, de = ex
                P, Q, R = P - zeta * e, Q - e - zeta * de, R - 2 * zeta * e - zeta * zeta * de
            rs = 1 / s
            rs2 = rs * rs
            E1 = E1 + P * rs
            E2 = E2 + R * rs2
            E3 = E3 + Q * rs2
        if self.comp:
            P, Q, R = self._comp_PQR(z / s, j, k.get("comp"), k.get("cex", _UNSET))
            rs = 1 / s
            rs2 = rs * rs
            E1 = E1 + P * rs
            E2 = E2 + R * rs2
            E3 = E3 + Q * rs2
        return E1, E2, E3

    def e_h(self, b, z, j=None, _k=None, zero=True):
        """``E[1/(z - bT)], E[1/(z - bT)^2], E[T/(z - bT)^2]``; ``j``: the sheet of ``G_nu`` at ``z/b``.  ``_k``: the
        shared kernels of :meth:`e_wh`.  ``zero=False``: without the atoms of T at 0 (``w/z``, ``w/z^2``, 0: the same for
        every ``b``)."""
        b, z = np.broadcast_arrays(np.asarray(b, complex), np.asarray(z, complex))
        k = _k or {}
        H0 = np.zeros(b.shape, complex)
        H1 = np.zeros(b.shape, complex)
        H2 = np.zeros(b.shape, complex)
        t, w = (self.t, self.w) if zero else (self.tn, self.wn)
        if 0 < t.size <= _ATOM_LOOP:
            for tk, wk in zip(t.tolist(), w.tolist()):
                r = 1 / (z - b * tk)
                wr2 = wk * r * r
                H0 += wk * r
                H1 += wr2
                H2 += tk * wr2
        elif t.size:
            d = z[..., None] - b[..., None] * t
            H0 += np.sum(w / d, -1)
            H1 += np.sum(w / d ** 2, -1)
            H2 += np.sum(w * t / d ** 2, -1)
        if self.uw.size:
            _add_h(b, z, H0, H1, H2, self.tmax, self.utau, self.ub.max() ** 2, k.get("husq", self._usq_GdG))
            ex = k["uex"] if "uex" in k else (self._sheet_extra(z / b, j) if j is not None and np.any(j) else None)
            _add_h_extra(b, z, H0, H1, H2, ex)
        if self.comp:
            self._comp_h(b, z, j, H0, H1, H2, k)
        return H0, H1, H2

    def _comp_h(self, b, z, j, H0, H1, H2, k):
        """``e_h`` of the other components, added in place: the series in ``bT/z`` where ``|b| tmax <= |z|/4``,
        else from each ``G``; plus the sheets' extra terms (``k``: the shared kernels of :meth:`e_wh`)."""
        _add_h(b, z, H0, H1, H2, self.cmax, self.ctau, self.cmax, k.get("hcomp", self._comp_GdG))
        if j is None or not np.any(np.asarray(j)[..., self.uw.size:]):
            return
        with np.errstate(all="ignore"):
            _add_h_extra(b, z, H0, H1, H2, k["cex"] if "cex" in k else self._comp_extra(z / b, j))

    def e_wh(self, s, z, j=None, zero=True):
        """``e_w(s, z, j) + e_h(s, z, j)`` (six arrays), the same values as the two calls: both evaluate ``G_nu`` at
        ``zeta = z/s`` on the sheet ``j``, so the closed-form principal ``G, G'`` of the continuous parts (where either
        uses it rather than its series) and the sheets' extra terms are computed once (the integrand and the
        residue of the atom need ``W'``, ``W_z`` and ``h`` at the same root)."""
        s, z = np.broadcast_arrays(np.asarray(s, complex), np.asarray(z, complex))
        if s.ndim > 1:      # the kernels' series branches and the shared values take flat arrays
            jf = None if j is None else np.reshape(j, (s.size, self.nsheet))
            return tuple(np.reshape(v, s.shape) for v in self.e_wh(s.ravel(), z.ravel(), jf, zero))
        k = {}
        if self.uw.size or self.comp:
            zeta = z / s
            az = np.abs(z)
        if self.uw.size:
            hs = np.abs(s) * self.tmax <= 0.25 * az          # _add_h's series points (the same test)
            k["usq"], k["husq"] = _shared_GdG(self._usq_GdG, zeta, ~self._usq_big(zeta), ~hs)
            k["uex"] = self._sheet_extra(zeta, j)
        if self.comp:
            hs = np.abs(s) * self.cmax <= 0.25 * az
            k["comp"], k["hcomp"] = _shared_GdG(self._comp_GdG, zeta, ~(np.abs(zeta) > 4 * max(self.cmax, 1e-300)), ~hs)
            with np.errstate(all="ignore"):
                k["cex"] = self._comp_extra(zeta, j)
        return self.e_w(s, z, j, k) + self.e_h(s, z, j, k, zero)

    # -- mpmath versions (scalar, context ctx)
    def e_w_mp(self, s, z, ctx, exact_atoms, j=None):
        E1 = E2 = E3 = ctx.mpf(0)
        for t, w in exact_atoms:
            d = s * t - z
            E1 += w * t / d
            E2 += w * t * t / (d * d)
            E3 += w * t / (d * d)
        for k, (w, b) in enumerate(self._usq_mp(ctx)):
            zeta = z / s
            G, dG = _usq_mp_GdG(zeta, b, ctx, 0 if j is None else int(j[k]))
            E1 += w * (1 - zeta * G) / s
            E2 += w * (1 - 2 * zeta * G - zeta * zeta * dG) / (s * s)
            E3 += w * (-G - zeta * dG) / (s * s)
        for k, (w, c) in enumerate(self.comp):
            zeta = z / s
            G, dG = c.GdG_mp(zeta, ctx, 0 if j is None else int(j[self.uw.size + k]))
            w = _mpval(w, ctx)
            E1 += w * (1 - zeta * G) / s
            E2 += w * (1 - 2 * zeta * G - zeta * zeta * dG) / (s * s)
            E3 += w * (-G - zeta * dG) / (s * s)
        return E1, E2, E3

    def e_h_mp(self, b, z, ctx, exact_atoms, j=None):
        H0 = H1 = H2 = ctx.mpf(0)
        for t, w in exact_atoms:
            d = z - b * t
            H0 += w / d
            H1 += w / (d * d)
            H2 += w * t / (d * d)
        for k, (w, bb) in enumerate(self._usq_mp(ctx)):
            zeta = z / b
            G, dG = _usq_mp_GdG(zeta, bb, ctx, 0 if j is None else int(j[k]))
            H0 += w * G / b
            H1 += -w * dG / (b * b)
            H2 += w * (-G - zeta * dG) / (b * b)
        for k, (w, c) in enumerate(self.comp):
            zeta = z / b
            G, dG = c.GdG_mp(zeta, ctx, 0 if j is None else int(j[self.uw.size + k]))
            w = _mpval(w, ctx)
            H0 += w * G / b
            H1 += -w * dG / (b * b)
            H2 += w * (-G - zeta * dG) / (b * b)
        return H0, H1, H2

    def _usq_mp(self, ctx):
        return [(_mpval(w, ctx), _mpval(b, ctx)) for w, b in self.usq]


def _shared_GdG(GdG, zeta, mw, mh):
    """``GdG`` at ``zeta[mw | mh]`` once; returns the two kernels that give its values at ``zeta[mw]`` and ``zeta[mh]``
    (the points where ``e_w`` and ``e_h`` call it; elementwise, so the same values as separate calls)."""
    need = mw | mh
    G = np.zeros(zeta.shape, complex)
    dG = np.zeros(zeta.shape, complex)
    if np.any(need):
        G[need], dG[need] = GdG(zeta[need])
    def part(m):
        # (the whole arrays when every point uses it: e_w's closed form then takes zeta's shape)
        return (lambda _z: (G, dG)) if np.all(m) else (lambda _z: (G[m], dG[m]))
    return part(mw), part(mh)


def _add_h(b, z, H0, H1, H2, tmax, taus, scale, GdG):
    """Adds ``E[1/(z - bT)], E[1/(z - bT)^2], E[T/(z - bT)^2]`` of a continuous part of ``nu`` (weights in its moments
    ``taus``, 49 of them; support in ``[0, tmax]``) to ``H0, H1, H2`` in place: the series in ``bT/z`` where
    ``|b| tmax <= |z|/4`` (terms bounded by ``(|bT/z|)^n``, ``scale`` the largest ``T`` of the series' ratio), else from
    ``G, G' = GdG(z/b)`` on the principal sheet."""
    small = np.abs(b) * tmax <= 0.25 * np.abs(z)
    if np.any(small):
        bs, zs = b[small], z[small]
        x = bs / zs
        n, tn, tn1 = np.arange(48), taus[:48], taus[1:49]
        h0, h1, h2 = _horner(np.array([tn, (n + 1) * tn, (n + 1) * tn1]), x, np.max(np.abs(x)) * scale)
        H0[small] += h0 / zs
        H1[small] += h1 / zs ** 2
        H2[small] += h2 / zs ** 2
    if np.any(~small):
        bb, zz = b[~small], z[~small]
        zeta = zz / bb
        G, dG = GdG(zeta)
        H0[~small] += G / bb
        H1[~small] += -dG / bb ** 2
        H2[~small] += (-G - zeta * dG) / bb ** 2


def _add_h_extra(b, z, H0, H1, H2, ex):
    """Adds the terms of a continued ``G_nu`` off its principal sheet, ``ex = (e, e')`` at ``zeta = z/b`` (or None), to
    ``E[1/(z - bT)], E[1/(z - bT)^2], E[T/(z - bT)^2]`` in place (as ``G/b``, ``-G'/b^2``, ``(-G - zeta G')/b^2``)."""
    if ex is None:
        return
    e, de = ex
    zeta = z / b
    H0 += e / b
    H1 += -de / b ** 2
    H2 += (-e - zeta * de) / b ** 2


def _horner(coef, x, ratio):
    """``sum_n coef[k, n] x^n`` for every row ``k`` (Horner), truncated where ``ratio^n`` (the geometric
    bound of the terms relative to the first, ``ratio <= 1/4`` here) falls below ``1e-18``."""
    m = coef.shape[1] if not 0 < ratio < 1 else min(coef.shape[1], int(np.ceil(-18 * np.log(10) / np.log(ratio))) + 2)
    shape = np.shape(x)
    x = np.ravel(x)
    acc = np.broadcast_to(coef[:, m - 1:m], (coef.shape[0], x.size)).astype(complex)
    for j in range(m - 2, -1, -1):
        acc = acc * x + coef[:, j:j + 1]
    return acc.reshape((coef.shape[0],) + shape)


def _series_PQR(zb, taus, tmax):
    """``P, Q, R`` from the moment series in ``1/zeta`` (``|zeta| > 4 tmax``: no cancellation); ``taus``: the
    weighted moments of ``T``, 49 of them."""
    iz = 1 / zb
    # every series from its first nonzero term (as in _TKernel._usq_PQR_big: t_0 - sum_{n>=0} t_n zeta^-n cancels)
    n, t1, t2 = np.arange(1, 49), taus[1:49], np.append(taus[2:49], 0.0)
    A, B, C = _horner(np.array([t1, n * t1, n * t2]), iz, np.max(np.abs(iz)) * tmax)
    iz2 = iz * iz
    return -iz * A, iz2 * B, iz2 * C


def _usq_mp_GdG(zeta, b, ctx, j=0):
    """``G_nu``, ``G_nu'`` of ``UniformSquared(b)`` on sheet ``j`` (``+ j pi i/(b sqrt(zeta))``)."""
    s = ctx.sqrt(zeta)
    f = (ctx.log(s + b) - ctx.log(s - b)) / (2 * b * s)
    df = (-1 / (s * (s * s - b * b)) - f / s) / (2 * s)
    if j:
        e = j * ctx.pi * ctx.mpc(0, 1) / (b * s)
        f, df = f + e, df - e / (2 * zeta)
    return f, df


# ----------------------------------------------------------------------------- mu
class GeneralMu(Measure):
    r"""``mu(a, c, gamma2, nu)``: the limiting spectral law of ``a U D^2 + c (U B^T B + B U^T B)``.

    Parameters
    ----------
    a, c : numbers >= 0 (``c = c1^2 > 0``)
    gamma2 : number > 0
    nu : Atoms, UniformSquared, ArcsineSquared, DensitySquared (``freetk.ntk_nu``), or a list of
        ``(weight, measure)`` pairs of those.  The law of ``T = D^2`` (compact support); ``freetk.ntk_nu.t_parts``
        builds it from a law of D.

    ``cauchy_np(z)`` returns ``(G_mu(z), G_mu'(z))`` on a complex array; ``cauchy_mp(z, ctx)`` the
    same at the precision of the mpmath context ``ctx``.
    """

    def __init__(self, a, c, gamma2, nu, tol=1e-14):
        super().__init__()
        for name, v, pos in (("a", a, False), ("c", c, True), ("gamma2", gamma2, True)):
            f = as_float(v)
            if not np.isfinite(f) or f < 0 or (pos and f == 0):
                raise InvalidArgument(f"Argument `{name}` of `GeneralMu` must be {'> 0' if pos else '>= 0'}, got {v}")
        self._a_ex, self._c_ex, self._r_ex = a, c, gamma2
        self._a, self._c, self._r = as_float(a), as_float(c), as_float(gamma2)
        self._T = _TKernel(nu)
        self._tol = tol
        q = 1 - as_float(self._T.mass_at_zero())
        self._A = max(0.0, 1 - self._r * q)       # atom of rho_z at 0
        self._latex_name = r"\mu"

    # ------------------------------------------------------------------ exact layer
    def _moments(self, k):
        tau = [self._T.exact_moment(j) for j in range(k + 2)]
        return mu_moments_exact(self._a_ex, self._c_ex, self._r_ex, tau, k)

    def atoms(self):
        """Atoms with exact masses (zeros minus poles of the finite-size determinant at ``z = a t``)."""
        a, r = self._a_ex, self._r_ex
        q = 1 - self._T.mass_at_zero()
        if as_float(a) == 0:
            mass = (1 - q + r * q ** 2 / 2) if as_float(r * q) <= 1 else (1 - 1 / (2 * r))
            return [(0, simplify(mass))] if as_float(mass) > 0 else []
        out = []
        for t, w in sorted(self._T.atoms.items(), key=lambda p: as_float(p[0])):
            if as_float(t) == 0:
                out.append((0, w))
            else:
                mass = r * w ** 2 / 2 if as_float(r * w) <= 1 else w - 1 / (2 * r)
                out.append((simplify(a * t), simplify(mass)))
        return out

    # ------------------------------------------------------------------ the inverse map of rho_z
    def _W(self, g, z, j=None):
        s = self._a - g
        E1, E2, E3 = self._T.e_w(s, z, j)
        rg = 1 / g
        return rg + self._r * E1, -rg * rg + self._r * E2, self._r * E3

    def _W_h(self, g, z, j=None, zero=True):
        """``_W(g, z, j)`` and ``_TKernel.e_h(a - g, z, j, zero=zero)`` together (``_TKernel.e_wh``: ``G_nu`` once per
        point)."""
        s = self._a - g
        E1, E2, E3, H0, H1, H2 = self._T.e_wh(s, z, j, zero)
        rg = 1 / g
        return rg + self._r * E1, -rg * rg + self._r * E2, self._r * E3, H0, H1, H2

    def _newton(self, w, z, g, j=None, rtol=None, slope=False, maxit=60, strict=True):
        """Vectorised Newton for ``W(g) = w`` on the sheet ``j`` of ``G_nu`` (None: principal), the sheet
        followed along the iterates (``_TKernel.sheet_step``); returns ``(g, j)``.  Each element stops when
        its step is at rounding level (``|dg| <= 4 eps |g|``) or its residual is
        (``|W - w| <= 8 eps (|w| + |1/g|)``), or when the step, already below ``1e-10 |g|``, stopped
        shrinking (the rounding floor of ``W``: cancellation between ``1/g`` and the expectation).
        ``rtol``: also stop once ``|dg| <= rtol |g|`` (an intermediate point of a path: the root is then
        good to ``~rtol^2``, ample for the next start).  ``slope=True``: also return ``W'`` at the last
        iterate (for the Euler predictor of the next point of a path).  ``strict=False``: after ``maxit``
        iterations return ``(g, j, ok)`` (``ok`` False where Newton has not converged) instead of raising."""
        g = np.array(g, complex)
        j = self._T.sheet0(g.shape) if j is None else np.array(j)
        act = np.arange(g.size)
        eps = 2.2e-16
        a = self._a
        prev = np.full(g.size, np.inf)
        dW = np.empty(g.size, complex) if slope else None
        for it in range(maxit):
            ga, wa, za, ja = g[act], w[act], z[act], j[act]
            Wv, Wd, _ = self._W(ga, za, ja)
            res = np.abs(Wv - wa)
            dg = (Wv - wa) / Wd
            fin = np.isfinite(dg)
            dg[~fin] = 0
            adg = np.abs(dg)
            floor = (adg <= 1e-10 * np.abs(ga)) & (adg >= 0.5 * prev[act])
            prev[act] = adg
            gn = ga - dg
            g[act] = gn
            if slope:
                dW[act] = Wd
            if self._T.nsheet:
                with np.errstate(all="ignore"):
                    j[act] = self._T.sheet_step(za / (a - ga), za / (a - gn), ja)
            done = fin & ((adg <= 4 * eps * np.abs(ga)) | (res <= 8 * eps * (np.abs(wa) + 1 / np.abs(ga))) | floor)
            if rtol is not None:
                done |= fin & (adg <= rtol * np.abs(ga))
            act = act[~done]
            if act.size == 0:
                break
        if not strict:
            ok = np.ones(g.size, bool)
            ok[act] = False
            return g, j, ok
        if act.size == 0:
            return (g, j, dW) if slope else (g, j)
        raise NoConvergence("GeneralMu: Newton for G_{rho_z} did not converge", best=g,
                            residual=float(np.nanmax(res)), iterations=maxit)

    def _solve_from(self, w, z, w0, g0, j0, kind="h", slope=False):
        """Roots of ``W(g) = w`` continued from a known root ``g0`` at ``w0`` (same z): first by the straight move
        (:meth:`_chord`), the nodes it does not accept along the half circle (:meth:`_half_circle`).  ``slope=True``:
        also ``W'(g0)`` (the chord's, for :meth:`_child_roots`)."""
        g, j, ok, Wd0 = self._chord(w, z, w0, g0, j0)
        if not np.all(ok):
            bad = np.flatnonzero(~ok)
            g[bad], j[bad] = self._half_circle(w[bad], z[bad], np.asarray(w0)[bad], np.asarray(g0)[bad],
                                               np.asarray(j0)[bad], kind)
        return (g, j, Wd0) if slope else (g, j)

    def _chord(self, w, z, w0, g0, j0):
        """The roots at ``w`` from those at ``w0`` by one straight move: Newton from ``g0`` (its first step is the
        Euler predictor ``dg = (W(g0) - w)/W'(g0)``; the sheets followed along it), then :meth:`_newton` to rounding
        (its rules, not the looser ones of :meth:`_newton_z`: with those, roots next to a critical point of W moved by up
        to 4e-13 and G_mu' by 2e-14).  Returns ``(g, j, ok, W'(g0))``: ``ok`` where Newton converged with a correction below
        ``_ZC_CORR`` times the predicted move (the rule of the continuation in z, :meth:`_continue_z`: the move is
        small against the root's distance to a singularity, so the root followed is the continuation).  The segment
        joins two nodes of the same line at the same z: on the line "h" it passes below the sector of ``rho_z``'s
        support (which touches the real axis at 0 only, where the line dips below 0, and lies above the bump at
        ``-1/c``), on the vertical line it is on the line; so it never crosses the cut of ``G_{rho_z}`` (docs/ntk.md,
        "Speed of one value of G_mu")."""
        eps = 2.2e-16
        g0, j0 = np.asarray(g0, complex), np.asarray(j0)
        with np.errstate(all="ignore"):
            Wv, Wd, _ = self._W(g0, z, j0)
            dg = (Wv - w) / Wd
        fin = np.isfinite(dg)
        gp, jp = self._predict(g0, j0, z, -dg)
        with np.errstate(all="ignore"):   # a finite but huge Euler step next to a critical point of W: overflow there,
            g, j, conv = self._newton(w, z, gp, jp, maxit=8, strict=False)   # not accepted (the half circle takes it)
        ok = conv & fin & (np.abs(g - gp) <= _ZC_CORR * np.abs(dg) + 64 * eps * np.abs(g))
        return g, j, ok, Wd

    def _half_circle(self, w, z, w0, g0, j0, kind):
        """Roots of ``W(g) = w`` continued from a known root ``g0`` at ``w0`` (same z) along a half
        circle from ``w0`` to ``w`` through the lower half-plane, where ``G_{rho_z}`` is analytic for
        ``Im z > 0`` (so the physical branch is followed, never a neighbouring root); 4, then 32 steps."""
        for K in (4, 32, 256):
            g, j = np.array(g0, complex), j0
            try:
                wprev, dW = w0, None
                for k in range(1, K + 1):
                    t = np.pi * k / K
                    wk = (w0 + w) / 2 - (w - w0) / 2 * np.cos(t) - 1j * np.abs(w - w0) / 2 * np.sin(t)
                    if kind == "v":
                        wk = (w0 + w) / 2 - (w - w0) / 2 * np.cos(t) - np.abs(w - w0) / 2 * np.sin(t)
                    if dW is not None:      # Euler predictor for 1/g, as in _roots_direct
                        with np.errstate(all="ignore"):
                            g, j = self._predict(g, j, z, 1 / (1 / g - (wk - wprev) / (g * g * dW)) - g)
                    if k < K:
                        g, j, dW = self._newton(wk, z, g, j, rtol=_PATH_RTOL, slope=True)
                    else:
                        g, j = self._newton(wk, z, g, j)
                    wprev = wk
                return g, j
            except NoConvergence:
                continue
        raise NoConvergence("GeneralMu: no continuation of G_{rho_z} reached the node", best=g)

    # ------------------------------------------------------------------ line contours
    def _line(self, theta, kind, dl=None):
        """Points ``w(theta)`` and ``dw/dtheta`` on the contour (mirror: ``w(-theta) = -w - 1/c``)."""
        c = self._c
        x0 = -1 / (2 * c)
        L = self._L
        t = L * np.tan(theta)
        dt = L / np.cos(theta) ** 2
        if kind == "v":
            return x0 + 1j * t, 1j * dt
        s = x0 + t
        dl = self._delta if dl is None else dl
        b1, b0 = np.exp(-((s + 1 / c) / dl) ** 2), np.exp(-(s / dl) ** 2)
        db1, db0 = -2 * (s + 1 / c) / dl ** 2 * b1, -2 * s / dl ** 2 * b0
        return s + 1j * dl * (b1 - b0), (1 + 1j * dl * (db1 - db0)) * dt

    @property
    def _L(self):
        return 1 / (2 * self._c)

    def _dl(self, z):
        """Bump height per point: small against Im z, where the cuts come close to the real line, and below
        the sector that holds the support of ``rho_z`` at ``Re w = -1/c`` (:meth:`_dl_cap`)."""
        z = np.asarray(z)
        return np.minimum(np.minimum(self._delta, 0.1 * np.abs(z.imag) + 1e-300), self._dl_cap(z))

    def _dl_cap(self, z):
        """Half the height of the sector ``{arg w in [phi_min, phi_max]}`` that holds the support of ``rho_z`` at
        ``Re w = -1/c``, where the line's bump over the reflected singularity ``-1/c`` must pass below it.

        ``rho_z`` lives in the numerical range of ``C = sum F_k u_k u_k^T``, i.e. in the sector spanned by the jumps
        ``F_z(T) = T/(aT - z)``, ``T`` in ``[0, t_max]``; ``arg F_z(T) = -arg(aT - z)`` decreases in T (``aT - z``
        moves right along ``Im = -Im z``), so ``phi_max <= pi - arg z`` (T = 0), and at ``Re w = -1/c`` the sector
        starts at the height ``tan(arg z)/c = Im z/(c Re z)`` when ``Re z > 0`` (no bound otherwise).  A bump of
        height ``Im z/10`` entered it for ``Re z > 5/c`` (the issue's law, ``z = 10.485 + 0.9i``: the root at the
        mirror node jumped sheets, ``G_mu`` off by ~1e-4 with no warning)."""
        z = np.asarray(z)
        with np.errstate(all="ignore"):
            cap = np.where(z.real > 0, 0.5 * np.abs(z.imag) / (self._c * np.where(z.real > 0, z.real, 1.0)), np.inf)
        return cap + 1e-300

    @property
    def _delta(self):
        return 0.25 / self._c

    def _roots_direct(self, w, z, kind, q=0.3, dmin_rel=1e-3):
        """``(G_{rho_z}(w), sheet)`` at arbitrary nodes ``w`` of the contour ``kind`` (arrays, one ``z`` per
        node), every node on its own path, all paths stepped together (one vectorised Newton per step).

        * ``"h"`` (``Im z > 0``): from ``w - i D`` straight up to ``w``.  ``G_{rho_z}`` is analytic in the
          lower half-plane and near the real line away from ``rho_z``'s support (which lies in the upper
          half-plane, touching the axis at most at the atom at 0, below which the contour passes);
        * ``"v"`` (vertical line ``Re w = -1/(2c)``): along the line from ``x0 + i D sign(t)`` to ``w``
          (the cuts lie on the real axis).

        ``D`` is ten times a bound of the support of ``rho_z`` plus ``|w|``, so ``1/w`` starts Newton at the
        first point; the distance ``d`` to the node shrinks geometrically (ratio ``q``), so each step is a
        fixed fraction of the distance to every singularity still ahead of the path (those lie beyond the
        node, at distance ``>= d``)."""
        w = np.asarray(w, complex).ravel()
        z = np.asarray(z, complex).ravel()
        T = self._T
        tmax = T.tmax
        # distance of z to the segment a [0, tmax] bounds |F_z(T)| = T/|aT - z| <= tmax/dist
        if self._a > 0:
            tt = np.clip(z.real / self._a, 0, tmax)
            dist = np.abs(self._a * tt - z)
        else:
            dist = np.abs(z)
        Fmax = tmax / np.maximum(dist, 1e-300)
        bound = Fmax * (1 + np.sqrt(self._r)) ** 2 + 1 / self._c
        if kind == "h":
            D = 10 * (np.abs(w) + bound)
            dmin = dmin_rel * np.minimum(self._dl(z), np.abs(w) + 1e-300)
            path = lambda d: w - 1j * d              # noqa: E731
        else:
            t = w.imag
            D = 10 * (np.abs(w) + bound)
            x0 = w.real
            path = lambda d: x0 + 1j * np.sign(t) * (np.abs(t) + d)   # noqa: E731
            dmin = np.maximum(dmin_rel * np.abs(t), 1e-300)
        K = int(np.ceil(np.max(np.log(D / dmin)) / np.log(1 / q)))
        ratio = (dmin / D) ** (1 / K)
        try:
            return self._path_predicted(path, w, z, D, ratio, K)
        except NoConvergence:
            # the predicted, loosely solved path lost its root (quadratic sigma, D uniform, at
            # z = -0.00114 + 0.0614i): the same path again with every point solved to rounding, no predictor
            d = D.copy()
            g, j = self._newton(path(d), z, 1 / path(d))
            for _ in range(K):
                d = d * ratio
                g, j = self._newton(path(d), z, g, j)
            return self._newton(w, z, g, j)

    def _path_predicted(self, path, w, z, D, ratio, K):
        """The root paths of :meth:`_roots_direct` from the distance ``D`` down by ``ratio`` in ``K`` steps, then
        the node ``w``: an Euler predictor along the path for ``y = 1/g`` (``dy = -dw/(g^2 W')``; exact for
        ``g = 1/w``, so the far part of the path, where ``g ~ 1/w`` shrinks by the ratio per step, is predicted
        well), then Newton to the path tolerance; the last point is the node itself, to rounding."""
        d = D.copy()
        wk = path(d)
        g, j, dW = self._newton(wk, z, 1 / wk, rtol=_PATH_RTOL, slope=True)
        for k in range(1, K + 2):
            d = d * ratio
            wn = path(d) if k <= K else w
            with np.errstate(all="ignore"):
                g, j = self._predict(g, j, z, 1 / (1 / g - (wn - wk) / (g * g * dW)) - g)
            wk = wn
            if k <= K:
                g, j, dW = self._newton(wk, z, g, j, rtol=_PATH_RTOL, slope=True)
        return self._newton(w, z, g, j)

    def _predict(self, g, j, z, dg):
        """``g + dg`` with the sheets of ``G_nu`` followed along the straight move of ``zeta = z/(a - g)``
        (a NaN or infinite ``dg`` leaves ``g`` unchanged)."""
        dg = np.where(np.isfinite(dg), dg, 0)
        gn = g + dg
        if self._T.nsheet:
            with np.errstate(all="ignore"):
                j = self._T.sheet_step(z / (self._a - g), z / (self._a - gn), j)
        return gn, j

    def _integrand(self, th, z, gp, gm, jp, jm, kind, deriv):
        """Folded integrand at ``theta`` (and ``-theta``): ``g psi w'`` at both, and its z-derivative.

        gp = G_{rho_z}(w(theta)), gm = G_{rho_z}(w(-theta)) = G at the mirror point; jp, jm their sheets
        of ``G_nu``: ``psi`` at theta evaluates ``G_nu`` at ``z/(a - gm)``, on the sheet reached by the
        continuation of ``gm`` (the same composite function of w)."""
        wp, dwp = self._line(th, kind, self._dl(z))
        wm, dwm = self._line(-th, kind, self._dl(z))
        a = self._a

        def flat(fun, s, zz, j=None):
            # the kernels of _TKernel on flat arrays (its series branch takes 1-d arrays only)
            out = fun(np.ravel(s), np.ravel(zz), None if j is None else np.reshape(j, (np.size(s), self._T.nsheet)))
            return tuple(np.reshape(v, np.shape(zz)) for v in out)
        # h without the atoms of T at 0 throughout: they add the same w/z to h(m) and h(0) (_TKernel.e_h)
        W_h = functools.partial(self._W_h, zero=False)
        e_h = functools.partial(self._T.e_h, zero=False)
        if deriv:       # W', W_z at the roots (for dg/dz) with h at the same zeta: G_nu once per node
            _, Wdm, Wzm, H0p, H1p, H2p = flat(W_h, gm, z, jm)     # h(m) at m = -gm (psi at theta)
            _, Wdp, Wzp, H0m, H1m, H2m = flat(W_h, gp, z, jp)     # psi at -theta
        else:
            H0p, H1p, H2p = flat(e_h, a - gm, z, jm)
            H0m, H1m, H2m = flat(e_h, a - gp, z, jp)
        # h at m = 0 depends on z only: once per row of nodes (every row of a panel shares its z)
        zr = z[..., :1] if z.ndim == 2 else z
        h00, h01, _ = flat(e_h, np.full(zr.shape, a + 0j), zr)
        # the pole A/w of the atom of rho_z at 0 is integrated exactly (_atom_residue): only the rest of g
        # multiplies psi, on both halves of the line (g inside psi, at the mirror node, keeps its pole)
        sub = kind == "h" and self._A > 0
        gq = gp - self._A / wp if sub else gp
        gr = gm - self._A / wm if sub else gm
        f = gq * (H0p - h00) * dwp + gr * (H0m - h00) * dwm
        if not deriv:
            return f, None
        # dg/dz = -W_z/W' at fixed w
        gdp, gdm = -Wzp / Wdp, -Wzm / Wdm
        # psi' = dh/dz(m) + dh/dm * dm/dz - dh/dz(0),  dh/dz = -H1, dh/dm = H2, m = -g_mirror
        psip = -H1p + H2p * (-gdm) + h01
        psim = -H1m + H2m * (-gdp) + h01
        df = (gdp * (H0p - h00) + gq * psip) * dwp + (gdm * (H0m - h00) + gr * psim) * dwm
        return f, df

    def _atom_residue(self, z, deriv=True):
        """``int (A/w)(psi(w) - psi(oo)) dw`` over the line ``"h"`` and its z-derivative: ``2 pi i A (psi(0) -
        psi(oo))``.  The line passes below the pole at 0 and above every singularity of ``psi`` (the reflection
        of those of ``G_{rho_z}``, in the lower half-plane, and the reflected point ``-1/c`` of the pole), so
        closing it through the upper half-plane encloses the pole alone.  ``psi(0) = h_z(-G_{rho_z}(-1/c))``
        with ``G_{rho_z}(-1/c)`` (and its sheet of ``G_nu``) on the straight path from below, like every node."""
        z = np.asarray(z, complex).ravel()
        A = self._A
        if A == 0:
            return np.zeros(z.size, complex), np.zeros(z.size, complex)
        a = self._a
        g, j = self._roots_direct(np.full(z.size, -1 / self._c + 0j), z, "h")
        _, Wd, Wz, H0, H1, H2 = self._W_h(g, z, j, zero=False)       # T = 0 cancels in H0 - h00 (_integrand)
        h00, h01, _ = self._T.e_h(np.full(z.shape, a + 0j), z, zero=False)
        R = 2j * np.pi * A * (H0 - h00)
        if not deriv:
            return R, np.zeros_like(R)
        gd = -Wz / Wd
        return R, 2j * np.pi * A * (-H1 - H2 * gd + h01)

    def _grade_level(self, z):
        """Level of the initial grading towards ``theta = pi/4`` on the line "h": ``floor(log4(dl c))`` (dl the
        bump height of each point), ``_NO_GRADE`` where ``dl c >= 0.05`` (no graded panels)."""
        d = np.asarray(self._dl(z), float) * self._c
        with np.errstate(divide="ignore"):
            lev = np.floor(np.log(d) / np.log(4)).astype(np.int64)
        return np.where(d < 0.05, lev, _NO_GRADE)

    def _initial_panels(self, z, kind):
        """First-level panels ``(a, b, point index)`` on (0, pi/2): 12 uniform panels per point; on the line "h",
        plus panels graded geometrically (ratio 4) towards theta = pi/4, where w = 0 and its mirror -1/c carry the
        bumps of height and width dl: with the pole of the atom integrated exactly, nothing else would make the
        bisection look at that narrow piece of the path (dw/dtheta = 1/c there).  The grading goes down to
        ``d/4``, ``d = dl c`` rounded down to a power of 4, so that points whose bumps are within a factor 4 of
        each other have the same first panels (the continuation in z, :meth:`_zcont_plan`)."""
        edges = np.linspace(0, np.pi / 2, 13)
        if kind != "h":
            return np.tile(edges[:-1], z.size), np.tile(edges[1:], z.size), np.repeat(np.arange(z.size), 12)
        lev = self._grade_level(z)
        pa, pb, pz = [], [], []
        for m in np.unique(lev):
            e = edges
            if m != _NO_GRADE:
                e = np.unique(np.concatenate([edges, _pi4_grading(4.0 ** m)]))
            idx = np.flatnonzero(lev == m)
            pa.append(np.tile(e[:-1], idx.size))
            pb.append(np.tile(e[1:], idx.size))
            pz.append(np.repeat(idx, e.size - 1))
        return np.concatenate(pa), np.concatenate(pb), np.concatenate(pz)

    # long: adaptive panels whose closures share the roots met
    def _line_integral(self, z, kind, deriv=True, seed=None, record=False):
        """``int g psi dw`` over the line (folded on theta in (0, pi/2)), adaptive, vectorised over z.

        ``seed = (pa, pb, pz, P, C)``: first-level panels with the roots at their nodes ``P = (gp, jp, gm, jm)``
        and at the nodes of their halves ``C`` (left halves, then right halves), continued in z from an anchor
        point (:meth:`_zcont_seed`), instead of root paths from far below.  ``record=True``: also return the
        accepted panels with the same data (the seeds of the points continued from these)."""
        z = np.asarray(z, complex).ravel()
        n = 16
        x, wx = gauss_legendre(n)

        def panel_values(iz, a_, b_, gp0, gm0, given=None):
            th = (a_[:, None] + b_[:, None]) / 2 + (b_[:, None] - a_[:, None]) / 2 * x[None, :]
            zz = np.repeat(z[iz][:, None], n, 1)
            dlz = self._dl(zz)
            wp, _ = self._line(th, kind, dlz)
            wm, _ = self._line(-th, kind, dlz)
            ns = self._T.nsheet
            if given is not None:   # continued in z from an anchor point
                gp, jp, gm, jm = given
            elif gp0 is None:     # first level: every node on its own path from far below (all at once)
                g, j = self._roots_direct(np.concatenate([wp.ravel(), wm.ravel()]),
                                          np.concatenate([zz.ravel(), zz.ravel()]), kind)
                gp, gm = g[:wp.size], g[wp.size:]
                jp, jm = j[:wp.size], j[wp.size:]
            else:               # children: continued from the nearest node of the parent panel
                (gp0, tp0, jp0), (gm0, tm0, jm0) = gp0, gm0
                wp0, _ = self._line(np.asarray(tp0).ravel(), kind, dlz.ravel())
                wm0, _ = self._line(np.asarray(tm0).ravel(), kind, dlz.ravel())
                gp, jp, gm, jm = self._child_roots(
                    zz.ravel(), kind, (wp.ravel(), wp0, np.asarray(gp0).ravel(), np.asarray(jp0).reshape(wp.size, ns)),
                    (wm.ravel(), wm0, np.asarray(gm0).ravel(), np.asarray(jm0).reshape(wm.size, ns)))
            gp, gm = gp.reshape(th.shape), gm.reshape(th.shape)
            jp, jm = jp.reshape(th.shape + (ns,)), jm.reshape(th.shape + (ns,))
            f, df = self._integrand(th, zz, gp, gm, jp, jm, kind, deriv)
            hw = (b_ - a_)[:, None] / 2 * wx[None, :]
            I = np.sum(f * hw, 1)
            dI = np.sum(df * hw, 1) if deriv else np.zeros_like(I)
            # rounding level of the panel sums (for the acceptance test's floor)
            noise = np.sum(np.abs(f * hw), 1), (np.sum(np.abs(df * hw), 1) if deriv else np.zeros(I.shape))
            return I, dI, th, (gp, jp), (gm, jm), noise

        def child_guess(g_par, j_par, th_par, a_, b_):
            th = (a_[:, None] + b_[:, None]) / 2 + (b_[:, None] - a_[:, None]) / 2 * x[None, :]
            k = np.abs(th_par[:, None, :] - th[:, :, None]).argmin(2)
            return (np.take_along_axis(g_par, k, 1), np.take_along_axis(th_par, k, 1),
                    np.take_along_axis(j_par, k[..., None], 1))

        if kind == "h":
            total, dtotal = self._atom_residue(z, deriv)
        else:
            total = np.zeros(z.size, complex)
            dtotal = np.zeros(z.size, complex)
        if seed is None:
            pa, pb, pz = self._initial_panels(z, kind)
            first = second = None
        else:
            pa, pb, pz, first, second = seed
        Ip, dIp, thp, (gpp, jpp), (gmp, jmp), _ = panel_values(pz, pa, pb, None, None, first)
        scale = np.abs(np.bincount(pz, weights=np.abs(Ip), minlength=z.size)) + np.abs(total) + 1e-300
        dscale = np.abs(np.bincount(pz, weights=np.abs(dIp), minlength=z.size)) + np.abs(dtotal) + 1e-300
        rec = []
        for level in range(60):
            mid = (pa + pb) / 2
            ia = np.concatenate([pz, pz])
            ca = np.concatenate([pa, mid])
            cb = np.concatenate([mid, pb])
            if level == 0 and second is not None:
                Ic, dIc, thc, (gpc, jpc), (gmc, jmc), (nc, dnc) = panel_values(ia, ca, cb, None, None, second)
            else:   # children: guesses from the parent's nodes (nearest)
                thp2 = np.concatenate([thp, thp])
                gp0 = child_guess(np.concatenate([gpp, gpp]), np.concatenate([jpp, jpp]), thp2, ca, cb)
                gm0 = child_guess(np.concatenate([gmp, gmp]), np.concatenate([jmp, jmp]), thp2, ca, cb)
                gm0 = (gm0[0], -gm0[1], gm0[2])
                Ic, dIc, thc, (gpc, jpc), (gmc, jmc), (nc, dnc) = panel_values(ia, ca, cb, gp0, gm0)
            m = pa.size
            Isum = Ic[:m] + Ic[m:]
            dIsum = dIc[:m] + dIc[m:]
            err = np.abs(Isum - Ip)
            # accepted: the two halves agree with the panel to tol of the whole integral, or to the rounding
            # level of the panel's own values (near the atom of rho_z at 0, |integrand| ~ 1/distance: there the
            # integrand values carry relative errors of a few eps, and bisecting further only adds noise)
            floor = _NOISE * (nc[:m] + nc[m:])
            ok = err <= np.maximum(self._tol * scale[pz], floor)
            if deriv:
                ok &= np.abs(dIsum - dIp) <= np.maximum(self._tol * dscale[pz], _NOISE * (dnc[:m] + dnc[m:]))
            np.add.at(total, pz[ok], Isum[ok])
            np.add.at(dtotal, pz[ok], dIsum[ok])
            if record:
                rec.append((pz[ok], pa[ok], pb[ok], (gpp[ok], jpp[ok], gmp[ok], jmp[ok]),
                            (gpc[:m][ok], jpc[:m][ok], gmc[:m][ok], jmc[:m][ok]),
                            (gpc[m:][ok], jpc[m:][ok], gmc[m:][ok], jmc[m:][ok])))
            bad = ~ok
            if not np.any(bad):
                return (total, dtotal, _merge_records(rec)) if record else (total, dtotal)
            keep = np.concatenate([bad, bad])
            pz = ia[keep]
            pa, pb = ca[keep], cb[keep]
            Ip, dIp = Ic[keep], dIc[keep]
            thp, gpp, gmp = thc[keep], gpc[keep], gmc[keep]
            jpp, jmp = jpc[keep], jmc[keep]
            if (pb - pa).min() < 1e-15:
                resid = float(np.max(err[bad]))
                break
        raise NoConvergence("GeneralMu: adaptive line quadrature did not converge", best=total,
                            residual=resid, iterations=level)

    def _child_roots(self, z, kind, *sides):
        """Roots at the nodes of bisected panels, on both sides ``(w, w0, g0, j0)`` of the folded line (theta and
        -theta): continued from the parent's nearest nodes ``w0`` (roots ``g0``, sheets ``j0``) by
        :meth:`_solve_from`, each checked against the Euler step from its parent for ``y = 1/g``
        (``dy = -dw/(g0^2 W'(g0))``, exact where ``g = 1/w``): a node whose root differs from that prediction by
        more than ``_ZC_CORR`` times the predicted move (plus rounding) gets its own root path from far below
        (:meth:`_roots_direct`; one call for the flagged nodes of both sides).  The difference is the step's
        second-order term, ``~|dw|/(4R)`` of the move next to a square-root branch point at distance ``R`` from the
        parent: a large one means the step was not small against ``R``, and the half circle may have ended on the
        other root of the pair (docs/ntk.md, Derivation 9: the issue's law at ``2.8289 + 4e-8 i``, a parent node
        4e-7 from an edge of ``rho_z``, children 1.4e-3 away on the other root over a stretch of the line).  On the
        line "h" a root with ``Im g < 0`` at a real node is flagged too (the physical root has ``Im g >= 0`` there).
        Returns ``(g, j)`` of each side, concatenated."""
        out, flag = [], []
        for w, w0, g0, j0 in sides:
            g, j, Wd0 = self._solve_from(w, z, w0, g0, j0, kind, slope=True)    # W'(g0): the chord's
            with np.errstate(all="ignore"):
                y0 = 1 / g0
                dy = -(w - w0) * y0 * y0 / Wd0
                good = np.abs(1 / g - (y0 + dy)) <= _ZC_CORR * np.abs(dy) + 64 * 2.2e-16 * np.abs(1 / g)
                if kind == "h":
                    # and, free: Im G_{rho_z}(w) >= 0 at real w when Im z > 0 (Im C >= 0; docs/ntk.md Derivation 9)
                    good &= ~((w.imag == 0) & (z.imag > 0) & (g.imag < -64 * 2.2e-16 * np.abs(g)))
            out.append([g, j])
            flag.append(np.flatnonzero(~good))
        nb = sum(b.size for b in flag)
        self._child_count[0] += sum(s_[0].size for s_ in sides)
        self._child_count[1] += nb
        if nb:
            gb, jb = self._roots_direct(np.concatenate([s_[0][b] for s_, b in zip(sides, flag)]),
                                        np.concatenate([z[b] for b in flag]), kind)
            k = 0
            for (g, j), b in zip(out, flag):
                # a flagged root equal to its root path's (the half circle followed the branch) is kept as it was
                gk, jk = gb[k:k + b.size], jb[k:k + b.size]
                jump = ~(np.abs(g[b] - gk) <= 1e-10 * np.abs(gk)) | np.any(j[b] != jk, axis=-1)
                g[b[jump]], j[b[jump]] = gk[jump], jk[jump]
                self._child_count[2] += int(np.sum(jump))
                k += b.size
        return tuple(v for gj in out for v in gj)

    @property
    def _child_count(self):
        """Child nodes continued by :meth:`_child_roots`, of which flagged (given their own root path), of which on
        another root than their path's (diagnostics)."""
        if "_cc" not in self.__dict__:
            self.__dict__["_cc"] = [0, 0, 0]
        return self.__dict__["_cc"]

    # ------------------------------------------------------------------ Cauchy transform
    def cauchy_np(self, z):
        """``(G_mu(z), G_mu'(z))`` for a complex array ``z`` (any half-plane; real ``z`` off or on the support,
        where the value is the limit from above).

        Points with ``Im z >= y0`` (``y0 = 1e-9`` times the scale of mu, :meth:`_y0`) and real ``z < 0`` are
        evaluated directly.  Closer to the real axis the line contour gets pinched; there ``G`` and ``G'`` are
        computed at ``Re z + i y0`` and ``Re z + 2 i y0`` and continued to ``z`` by the cubic Hermite
        interpolant (error ``~ (y0/R)^4 |G|``, ``R`` the distance to the nearest singularity of the
        continuation of ``G``, e.g. an edge of the support; ``cauchy_error_np`` estimates it)."""
        return self._cauchy_np2(z, self._y0())

    def _y0(self):
        return 1e-9 * self._scale()

    def _cauchy_np2(self, z, y0):
        z = np.asarray(z, complex)
        shape = z.shape
        z = z.ravel()
        low = z.imag < 0
        if np.any(low):          # G(conj z) = conj G(z), point by point (a mixed batch is split, not flipped)
            out, dout = self._cauchy_np2(np.where(low, np.conj(z), z), y0)
            return (np.where(low, np.conj(out), out).reshape(shape), np.where(low, np.conj(dout), dout).reshape(shape))
        G = np.empty(z.size, complex)
        dG = np.empty(z.size, complex)
        far = np.abs(z) >= _FAR * self._norm_bound()
        if np.any(far):
            G[far], dG[far] = self._far(z[far])
        # the vertical line: Re z < 0 (any Im z: Re F_z(T) > 0, so rho_z lives in Re w >= 0 and its reflection in
        # Re w <= -1/c), and real z right of mu's support
        left = ((z.real < 0) | ((z.imag == 0) & (z.real > self.right_edge() * (1 + 1e-12)))) & ~far
        direct = (z.imag >= y0) & ~left & ~far
        near = ~left & ~direct & ~far
        for sel, kind in ((left, "v"), (direct, "h")):
            if np.any(sel):
                I, dI = self._line_integral_robust(z[sel], kind)
                h0, h1, _ = self._T.e_h(np.full(sel.sum(), self._a + 0j), z[sel])
                sgn = -1 if kind == "v" else 1
                G[sel] = h0 + sgn * I / (2j * np.pi)
                dG[sel] = -h1 + sgn * dI / (2j * np.pi)
        if np.any(near):
            zn = z[near]
            t1, t2 = 1j * y0, 2j * y0
            pts = np.concatenate([zn.real + t1, zn.real + t2])
            g, dg = self._cauchy_np2(pts, y0)
            # mu's atoms (exact) are taken out before the continuation and put back at z: a pole w/(z - x_k)
            # next to x would dominate the interpolant's error (y0/|x - x_k|)^4
            pa, dpa = self._atom_poles(pts)
            g, dg = g - pa, dg - dpa
            m = zn.size
            f1, f2, d1, d2 = g[:m], g[m:], dg[:m], dg[m:]
            h = t2 - t1
            f12 = (f2 - f1) / h
            f112 = (f12 - d1) / h
            f122 = (d2 - f12) / h
            f1122 = (f122 - f112) / h
            t = 1j * zn.imag
            pa, dpa = self._atom_poles(zn)
            G[near] = f1 + d1 * (t - t1) + f112 * (t - t1) ** 2 + f1122 * (t - t1) ** 2 * (t - t2) + pa
            dG[near] = d1 + 2 * f112 * (t - t1) + f1122 * (2 * (t - t1) * (t - t2) + (t - t1) ** 2) + dpa
        return G.reshape(shape), dG.reshape(shape)

    def _norm_bound(self):
        """``M = (a + 2 c (1 + sqrt gamma2)^2) tmax``, a bound of ``||Sigma||`` at every size, hence of ``|t|`` on mu's
        support (the bracket of :meth:`right_edge`)."""
        return (self._a + 2 * self._c * (1 + np.sqrt(self._r)) ** 2) * self._T.tmax + 1e-300

    def _far(self, z):
        """``(G_mu, G_mu')`` at ``|z| >= _FAR M`` (:meth:`_norm_bound`) from mu's exact moments: ``G = sum_k m_k/z^(k+1)``,
        ``G' = -sum_k (k + 1) m_k/z^(k+2)``, ``k < _FAR_TERMS``; with ``|m_k| <= M^k`` the tails are below
        ``q^K/(1 - q)/|z|`` and ``K q^(K-1)/(1 - q)^2/|z|^2`` (``q = M/|z| <= 1/4``, ``K = _FAR_TERMS``): below 1e-17 of
        ``|G| ~ 1/|z|`` and ``|G'| ~ 1/|z|^2``.  The line integral there followed roots over paths ~|z| long, and its
        cost grew with |z| (0.33 s at 1e5 i, and without bound: a user's ``cauchy(1e10j)`` of the NTK law ran for
        minutes and took 7 GB)."""
        if "far_moments" not in self._cache:
            self._cache["far_moments"] = np.array([float(v) for v in self.moments(_FAR_TERMS - 1)])
        m = self._cache["far_moments"]
        r = 1 / np.asarray(z, complex)
        G = np.zeros(r.shape, complex)
        dG = np.zeros(r.shape, complex)
        for k in range(_FAR_TERMS - 1, -1, -1):        # Horner in r = 1/z
            G = m[k] + r * G
            dG = (k + 1) * m[k] + r * dG
        return r * G, -r * r * dG

    def _far_mp(self, z, ctx):
        """:meth:`_far` at the precision of ``ctx``: the moment series with ``K`` terms, ``K`` the least with
        ``q^K/(1 - q)`` and ``K q^(K-1)/(1 - q)^2`` below ``10^-(dps + 5)`` (``q = M/|z| <= 1/4``), summed 20 bits finer
        with mu's exact moments (:meth:`moments`, cached up to the largest ``K`` asked)."""
        q = float(self._norm_bound() * (1 + 1e-12) / abs(complex(z)))
        K = 2
        while max(q ** K / (1 - q), K * q ** (K - 1) / (1 - q) ** 2) > 10.0 ** -(ctx.dps + 5) and K < 100000:
            K += 1
        have = self.moments(K - 1)
        w = mpmath.MPContext()
        w.prec = ctx.prec + 20
        r = 1 / w.mpc(w.mpf(ctx.re(z)), w.mpf(ctx.im(z)))
        G = dG = w.mpc(0)
        for k in range(K - 1, -1, -1):
            mk = _mpval(have[k], w)
            G = mk + r * G
            dG = (k + 1) * mk + r * dG
        conv = lambda v: ctx.mpc(ctx.mpf(w.re(v)), ctx.mpf(w.im(v)))  # noqa: E731
        return conv(r * G), conv(-r * r * dG)

    def _atom_poles(self, z):
        """``sum_k w_k/(z - x_k)`` and its derivative over mu's atoms (exact masses, ``atoms()``)."""
        z = np.asarray(z, complex)
        P = np.zeros(z.shape, complex)
        dP = np.zeros(z.shape, complex)
        for loc, w in self.atoms_float():
            with np.errstate(all="ignore"):
                P += w / (z - loc)
                dP -= w / (z - loc) ** 2
        return P, dP

    def _line_integral_robust(self, z, kind):
        """The vectorised line integral; if it fails, on the two halves of the batch recursively, NaN (with a
        PrecisionWarning naming the points) at single points where even that fails.  Batches of several points
        go through the continuation in z (:meth:`_line_integral_zcont`) unless ``_ZCONT`` is False."""
        bad = []

        def run(zz):
            # the batch, else its two halves (a failing point costs O(log n) batches, not n single runs)
            try:
                return self._line_integral(zz, kind)
            except NoConvergence:
                if zz.size == 1:
                    bad.append(zz[0])
                    return np.array([np.nan + 0j]), np.array([np.nan + 0j])
                h = zz.size // 2
                (a1, b1), (a2, b2) = run(zz[:h]), run(zz[h:])
                return np.concatenate([a1, a2]), np.concatenate([b1, b2])
        I, dI = self._line_integral_zcont(z, kind, run) if self._ZCONT else run(z)
        if bad:
            warnings.warn(f"GeneralMu: the root continuation failed at {len(bad)} point(s), e.g. "
                          f"z = {bad[0]:.6g}; NaN returned there", PrecisionWarning, stacklevel=3)
        return I, dI

    #: continue the roots in z across a batch (False: every point on its own, the reference of the tests)
    _ZCONT = True

    def _line_integral_zcont(self, z, kind, run):
        """The line integrals of a batch with the roots continued in z (docs/ntk.md, "Continuation in z").

        Points within reach of a point of the previous batches on the same line (the next Newton step of u, the
        refined panels of a density table) are continued from it; the others are planned by :meth:`_zcont_plan`:
        anchors exactly as one batch of :meth:`_line_integral` (its accepted panels recorded), every other point
        from its anchor's accepted panels with the roots continued along its chain (:meth:`_zcont_seed`), then
        the same acceptance test and bisection.  A batch that fails is run plainly by ``run`` (the robust batch
        without continuation).  A point equal to one computed before gets that value again."""
        if "_zc_cache" not in self.__dict__:
            self._zc_cache = {}
        I = np.full(z.size, np.nan + 0j)
        dI = np.full(z.size, np.nan + 0j)
        recs = []
        done = np.zeros(z.size, bool)
        prev = self._zc_cache.get(kind)
        if prev is not None:
            # a point met before (rho's edges are probed at every call): its value again
            where = {v: i for i, v in enumerate(prev[0].tolist())}
            hit = np.array([where.get(v, -1) for v in z.tolist()])
            done = hit >= 0
            I[done], dI[done] = prev[2][hit[done]], prev[3][hit[done]]
            self._zcont_from_previous(prev[:2], z, kind, I, dI, recs, done)
        rest = np.flatnonzero(~done)
        if rest.size:
            zr = z[rest]
            plan = self._zcont_plan(zr, kind)
            ia, idp = np.flatnonzero(plan[0]), np.flatnonzero(~plan[0])
            try:
                I[rest[ia]], dI[rest[ia]], rec = self._line_integral(zr[ia], kind, record=True)
                recs.append((rest[ia], rec))
            except NoConvergence:
                I[rest], dI[rest] = run(zr)
                idp = idp[:0]
            if idp.size:
                try:
                    seed = self._zcont_seed(rec, zr, ia, idp, plan, kind)
                    I[rest[idp]], dI[rest[idp]], rd = self._line_integral(zr[idp], kind, seed=seed, record=True)
                    recs.append((rest[idp], rd))
                except NoConvergence:
                    I[rest[idp]], dI[rest[idp]] = run(zr[idp])
        if recs:
            self._zcont_store(kind, prev, z, I, dI, recs)
        return I, dI

    def _zcont_store(self, kind, prev, z, I, dI, recs):
        """Keep the accepted panels, roots and values of the points of this batch that have a record (points run
        plainly are left out: never continued from) beside those of the previous batches, the most recent
        ``_ZC_CACHE`` points in all."""
        keep = np.zeros(z.size, bool)
        for ix, _ in recs:
            keep[ix] = True
        newix = np.cumsum(keep) - 1
        off = 0 if prev is None else prev[0].size
        parts = ([] if prev is None else [prev[1]]) + [(newix[ix[r[0]]] + off,) + r[1:] for ix, r in recs]
        zs = z[keep] if prev is None else np.concatenate([prev[0], z[keep]])
        Is = I[keep] if prev is None else np.concatenate([prev[2], I[keep]])
        dIs = dI[keep] if prev is None else np.concatenate([prev[3], dI[keep]])
        rec = _merge_records(parts)
        drop = zs.size - _ZC_CACHE
        if drop > 0:
            rec = _record_subset(rec, np.arange(drop, zs.size), zs.size)
            zs, Is, dIs = zs[drop:], Is[drop:], dIs[drop:]
        self._zc_cache[kind] = (zs, rec, Is, dIs)

    def _zcont_from_previous(self, prev, z, kind, I, dI, recs, done):
        """The points of ``z`` within reach of a point of the previous batch ``prev = (zc, record)``, continued
        from it (one link each); fills ``I``, ``dI``, ``done`` and appends their record to ``recs``."""
        zc, recc = prev
        near, nsub = self._zcont_nearest(zc, z, kind)
        ib = np.flatnonzero((near >= 0) & ~done)
        if ib.size == 0:
            return
        # only the previous points continued from (the record of all of them would cost its size at every call)
        used, src_ib = np.unique(near[ib], return_inverse=True)
        zc, recc = zc[used], _record_subset(recc, used, zc.size)
        zz = np.concatenate([zc, z[ib]])
        nc = zc.size
        src = np.concatenate([np.arange(nc), src_ib.ravel()])
        plan = (np.arange(zz.size) < nc, src, src, (np.arange(zz.size) >= nc).astype(np.int64),
                np.concatenate([np.zeros(nc, np.int64), nsub[ib]]))
        try:
            seed = self._zcont_seed(recc, zz, np.arange(nc), nc + np.arange(ib.size), plan, kind)
            I[ib], dI[ib], rb = self._line_integral(z[ib], kind, seed=seed, record=True)
        except NoConvergence:
            return
        recs.append((ib, rb))
        done[ib] = True

    def _zcont_nearest(self, zc, z, kind):
        """For every point of ``z`` the nearest point of ``zc`` (a previous batch) from which the rule of
        :meth:`_zcont_plan` allows a continuation in at most ``_ZC_NSUB`` sub-steps (-1: none), and the number of
        sub-steps."""
        near = np.full(z.size, -1)
        nsub = np.zeros(z.size, np.int64)
        if zc.size == 0 or zc.size * z.size > 4e6:
            return near, nsub
        k = np.abs(z[:, None] - zc[None, :]).argmin(1)
        z0, z1 = zc[k], z
        if kind == "h":
            r = np.minimum(z0.imag, z1.imag)
            same = self._grade_level(z0) == self._grade_level(z1)
        else:
            r = np.array([_segment_distance0(u, v) for u, v in zip(z0.tolist(), z1.tolist())])
            same = (z0.real < 0) & (z1.real < 0)
        with np.errstate(all="ignore"):
            m = np.ceil(np.abs(z1 - z0) / (_ZC_STEP * r))
        ok = same & (r > 0) & (m <= _ZC_NSUB)
        near[ok] = k[ok]
        nsub[ok] = np.maximum(m[ok], 1).astype(np.int64)
        return near, nsub

    def _zcont_plan(self, z, kind):
        """Anchors of a batch; for every other point its anchor, the point it is continued from (the anchor or
        the previous point of the same chain), its rank in the chain and its number of sub-steps (docs/ntk.md,
        "Continuation in z").

        In the batch's order, a point joins the current chain when it uses the same first panels as the anchor
        (line "h": the same grading level), lies within ``_ZC_REACH r`` of the anchor and its move from the
        chain's last point takes at most ``_ZC_NSUB`` sub-steps of ``_ZC_STEP r``, ``r`` the smallest distance
        scale along the segment: ``min(Im z0, Im z1)`` on the line "h" (the bump height is ``Im z/10``; the cut
        of ``G_{rho_z}`` comes within ~Im z of the line), the distance of the segment to 0 on the vertical line
        (both points left of 0, where ``|z|`` is the distance to ``a[0, tmax]``); otherwise it starts a new
        chain as its anchor.  Scalar bookkeeping only."""
        n = z.size
        anchor = np.ones(n, bool)
        anc, src = np.arange(n), np.arange(n)
        rank, nsub = np.zeros(n, np.int64), np.zeros(n, np.int64)
        if kind == "h":
            lev = self._grade_level(z).tolist()
            elig = (z.imag > 0).tolist()
        else:
            lev = [0] * n
            elig = (z.real < 0).tolist()
        zl = z.tolist()

        def scale(z0, z1):
            return min(z0.imag, z1.imag) if kind == "h" else _segment_distance0(z0, z1)
        cur = last = -1
        for i in range(n):
            if not elig[i]:
                continue
            if cur >= 0 and lev[i] == lev[cur] and abs(zl[i] - zl[cur]) <= _ZC_REACH * scale(zl[cur], zl[i]):
                r = scale(zl[last], zl[i])
                # (the step in units of r, without forming _ZC_STEP r: it underflowed to 0 at r = 5e-324)
                q = abs(zl[i] - zl[last]) / r / _ZC_STEP if r > 0 else np.inf
                k = int(np.ceil(q)) if q <= _ZC_NSUB else _ZC_NSUB + 1
                if k <= _ZC_NSUB:
                    anchor[i], anc[i], src[i], rank[i], nsub[i] = False, cur, last, rank[last] + 1, max(k, 1)
                    last = i
                    continue
            cur = last = i
        return anchor, anc, src, rank, nsub

    # long: index bookkeeping of the chains (node blocks of anchors and of their points)
    def _zcont_seed(self, rec, z, ia, idp, plan, kind):
        """Seed of :meth:`_line_integral` for the points ``z[idp]``: their anchors' accepted panels, and the roots
        at the nodes of those panels and of their halves (both sides, theta and -theta), continued in z along
        each chain, point after point (all chains at once: round k moves the k-th point of every chain), by
        :meth:`_continue_z`.  ``rec``: the anchors' record (panel owners index ``ia``)."""
        anchor, anc, src, rank, nsub = plan
        pz, pa, pb, P, CL, CR = rec
        x = gauss_legendre(16)[0]
        n, ns = x.size, self._T.nsheet
        order = np.argsort(pz, kind="stable")
        cpan = np.bincount(pz, minlength=ia.size)          # accepted panels per anchor
        # node block of an anchor: [P, CL, CR] at theta, then the same at -theta (6 c n nodes)
        rows = order
        qa, qb = pa[rows], pb[rows]
        mid = (qa + qb) / 2
        nodes = lambda a_, b_: ((a_ + b_)[:, None] + (b_ - a_)[:, None] * x) / 2     # noqa: E731
        tP, tL, tR = nodes(qa, qb), nodes(qa, mid), nodes(mid, qb)
        owner = pz[rows]
        boff = np.cumsum(6 * cpan * n) - 6 * cpan * n       # block offsets of the anchors
        # assemble per anchor block with vectorised index maps: position of each (panel row, part, node)
        prow = np.arange(rows.size) - (np.cumsum(cpan) - cpan)[owner]        # panel's rank within its anchor
        th_a = np.empty(int(np.sum(6 * cpan * n)))
        g_a = np.empty(th_a.size, complex)
        j_a = np.empty((th_a.size, ns), np.int64)
        for part, (t, G, J) in enumerate(((tP, P[0], P[1]), (tL, CL[0], CL[1]), (tR, CR[0], CR[1]),
                                          (-tP, P[2], P[3]), (-tL, CL[2], CL[3]), (-tR, CR[2], CR[3]))):
            pos = (boff[owner] + part * cpan[owner] * n + prow * n)[:, None] + np.arange(n)
            th_a[pos] = t
            g_a[pos] = G[rows]
            j_a[pos] = J[rows].reshape(rows.size, n, ns)
        pos_a = np.full(z.size, -1)
        pos_a[ia] = np.arange(ia.size)
        # dependents' blocks: the same layout as their anchor's
        dcnt = 6 * cpan[pos_a[anc[idp]]] * n
        doff = np.cumsum(dcnt) - dcnt
        pos_d = np.full(z.size, -1)
        pos_d[idp] = np.arange(idp.size)
        g_d = np.empty(int(dcnt.sum()), complex)
        j_d = np.empty((g_d.size, ns), np.int64)
        Wd_d = np.empty(g_d.size, complex)
        Wz_d = np.empty(g_d.size, complex)
        th_d = np.empty(g_d.size)
        for r in range(1, int(rank.max()) + 1):
            dr = idp[rank[idp] == r]
            k = pos_d[dr]
            ix = _ranges(doff[k], dcnt[k])
            first = r == 1
            if first:
                sx = _ranges(boff[pos_a[anc[dr]]], dcnt[k])
                th, g0, j0 = th_a[sx], g_a[sx], j_a[sx]
                with np.errstate(all="ignore"):      # W', W_z at the anchors' roots (start of the predictor)
                    _, wd0, wz0 = self._W(g0, np.repeat(z[anc[dr]], dcnt[k]), j0)
            else:
                sx = _ranges(doff[pos_d[src[dr]]], dcnt[k])
                th, g0, j0, wd0, wz0 = th_d[sx], g_d[sx], j_d[sx], Wd_d[sx], Wz_d[sx]
            z0 = np.repeat(z[src[dr]], dcnt[k])
            z1 = np.repeat(z[dr], dcnt[k])
            th_d[ix] = th
            g_d[ix], j_d[ix], Wd_d[ix], Wz_d[ix] = self._continue_z(th, kind, z0, z1, g0, j0,
                                                                     np.repeat(nsub[dr], dcnt[k]), wd0, wz0)
        # the seed: panels of each dependent (its anchor's), then the roots by part
        dpan = cpan[pos_a[anc[idp]]]
        arow = _ranges((np.cumsum(cpan) - cpan)[pos_a[anc[idp]]], dpan)       # rows (in `rows` order) per dependent
        sa, sb = qa[arow], qb[arow]
        sz = np.repeat(np.arange(idp.size), dpan)

        def part(p):
            return _ranges(doff + p * dpan * n, dpan * n)
        P_ = [part(0), part(3)]
        C_ = [np.concatenate([part(1), part(2)]), np.concatenate([part(4), part(5)])]
        first = (g_d[P_[0]], j_d[P_[0]], g_d[P_[1]], j_d[P_[1]])
        second = (g_d[C_[0]], j_d[C_[0]], g_d[C_[1]], j_d[C_[1]])
        return sa, sb, sz, first, second

    def _continue_z(self, th, kind, z0, z1, g, j, nsub, Wd, Wz):
        """Roots ``G_{rho_z}(w(theta; z))`` (and their sheets of ``G_nu``) continued from ``(w(theta; z0), z0)`` to
        ``(w(theta; z1), z1)`` in ``nsub`` equal sub-steps per node (the node moves with z through the bump height
        ``dl(z)``): predictor ``dg = (dw - W_z dz)/W'`` (``W'``, ``W_z`` given at the start: from the last
        Newton evaluation of the previous move), the sheets followed along the predicted move of
        ``zeta = z/(a - g)``, then Newton with the stopping rules of :meth:`_newton`.  A node whose Newton fails,
        or whose correction exceeds ``_ZC_CORR`` times the predicted move (the step is not small against the
        root's distance to a singularity), gets its own root path from far below (:meth:`_roots_direct`).
        Returns ``(g, j, W', W_z)`` at ``z1``."""
        a, eps = self._a, 2.2e-16
        g, j = np.array(g, complex), np.array(j)
        Wd, Wz = np.array(Wd, complex), np.array(Wz, complex)
        ok = np.isfinite(g) & np.isfinite(Wd) & np.isfinite(Wz)
        zk = np.array(z0, complex)
        wk, _ = self._line(th, kind, self._dl(zk))
        for k in range(1, int(nsub.max()) + 1):
            act = np.flatnonzero(ok & (k <= nsub))
            if act.size == 0:
                break
            last = k == nsub[act]
            zn = np.where(last, z1[act], z0[act] + (z1[act] - z0[act]) * (k / nsub[act]))
            wn, _ = self._line(th[act], kind, self._dl(zn))
            ga, ja, za = g[act], j[act], zk[act]
            with np.errstate(all="ignore"):
                dg = ((wn - wk[act]) - Wz[act] * (zn - za)) / Wd[act]
                gp = ga + np.where(np.isfinite(dg), dg, 0)
                jp = self._T.sheet_step(za / (a - ga), zn / (a - gp), ja)
            gn, jn, wd, wz, conv = self._newton_z(wn, zn, gp, jp)
            good = conv & np.isfinite(dg) & (np.abs(gn - gp) <= _ZC_CORR * np.abs(dg) + 64 * eps * np.abs(gn))
            g[act], j[act], zk[act], wk[act], Wd[act], Wz[act] = gn, jn, zn, wn, wd, wz
            ok[act[~good]] = False
        if "_zc_count" not in self.__dict__:
            self._zc_count = [0, 0]         # nodes continued in z, of which given their own root path
        self._zc_count[0] += g.size
        self._zc_count[1] += int(np.sum(~ok))
        if not np.all(ok):
            bad = np.flatnonzero(~ok)
            wb, _ = self._line(th[bad], kind, self._dl(z1[bad]))
            g[bad], j[bad] = self._roots_direct(wb, z1[bad], kind)
            with np.errstate(all="ignore"):
                _, Wd[bad], Wz[bad] = self._W(g[bad], z1[bad], j[bad])
        return g, j, Wd, Wz

    def _newton_z(self, w, z, g, j, maxit=8):
        """Newton for ``W(g) = w`` with the stopping rules of :meth:`_newton` (rounding step, rounding residual,
        stalled step below ``1e-10 |g|``) and one more: a step below ``1e-9 |g|`` that is visibly quadratic
        (``|dg| <= 10 |dg_prev|^2/|g|``), after which the error is ~``|dg|^2/|g|``; returning also ``W'`` and ``W_z`` of the last evaluation (the next
        predictor's) and the convergence mask (no exception: the caller falls back per node)."""
        a, eps = self._a, 2.2e-16
        g, j = g.copy(), j.copy()
        Wd, Wz = np.full(g.size, np.nan + 0j), np.full(g.size, np.nan + 0j)
        act = np.arange(g.size)
        prev = np.full(g.size, np.inf)
        for _ in range(maxit):
            ga, wa, za, ja = g[act], w[act], z[act], j[act]
            with np.errstate(all="ignore"):
                Wv, wd, wz = self._W(ga, za, ja)
                dg = (Wv - wa) / wd
            fin = np.isfinite(dg)
            dg[~fin] = 0
            adg = np.abs(dg)
            res = np.abs(Wv - wa) <= 8 * eps * (np.abs(wa) + 1 / np.abs(ga))
            floor = (adg <= 1e-10 * np.abs(ga)) & (adg >= 0.5 * prev[act])
            # visibly quadratic convergence below 1e-9 |g|: the error after this step is ~ |dg|^2/|g| <= 1e-18 |g|
            quad = (adg <= 1e-9 * np.abs(ga)) & (adg <= 10 * prev[act] ** 2 / np.abs(ga))
            prev[act] = adg
            # a residual at rounding level: keep g (W', W_z are then those of the root itself)
            gn = np.where(res, ga, ga - dg)
            g[act], Wd[act], Wz[act] = gn, wd, wz
            if self._T.nsheet:
                with np.errstate(all="ignore"):
                    j[act] = self._T.sheet_step(za / (a - ga), za / (a - gn), ja)
            done = fin & (res | (adg <= 4 * eps * np.abs(ga)) | floor | quad)
            act = act[~done]
            if act.size == 0:
                break
        ok = np.ones(g.size, bool)
        ok[act] = False
        return g, j, Wd, Wz, ok & np.isfinite(g)

    def cauchy_error_np(self, z):
        """Estimated error of ``cauchy_np(z)[0]``: ``10 tol |G|`` (the line quadrature's tolerance, ``tol = 1e-14``,
        is relative to the integral: measured errors against the closed route, nu = delta_1, are <= 5e-14 |G|)
        plus, next to the support (``Im z < y0``), the difference with the same continuation from ``2 y0, 4 y0``."""
        z = np.asarray(z, complex)
        near = (np.abs(z.imag) < self._y0()) & ~((z.real < 0) | ((z.imag == 0) & (z.real > self.right_edge())))
        out = np.zeros(z.shape)
        if np.any(near):
            a = self._cauchy_np2(z[near], self._y0())[0]
            b = self._cauchy_np2(z[near], 2 * self._y0())[0]
            out[near] = np.abs(a - b) + 10 * self._tol * np.abs(a)
        if np.any(~near):
            out[~near] = 10 * self._tol * np.abs(self._cauchy_np2(z[~near], self._y0())[0])
        return out

    def _scale(self):
        return (self._a + self._c) * self._T.tmax * (1 + 2 * np.sqrt(self._r)) ** 2 + 1e-300

    # ------------------------------------------------------------------ the right edge of mu
    def _kappa_min(self, z):
        """Left end of the support of ``rho_z`` for real ``z > a tmax`` (jumps ``F_z(T) < 0``): the value of
        the real inverse map ``W(g)`` at its critical point nearest to 0 on ``(a - z/tmax, 0)`` (a local
        maximum: ``W -> -inf`` at both ends of that interval); ``-inf`` if ``W`` has no critical point."""
        tmax = self._T.tmax
        glo = self._a - z / tmax
        zz = np.array([complex(z)])

        def Wd(g):
            with np.errstate(all="ignore"):
                return self._W(np.array([complex(g)]), zz)[1][0].real
        gs = -np.geomspace(1e-10 * abs(glo), abs(glo) * (1 - 1e-12), 600)     # from 0- towards glo
        with np.errstate(all="ignore"):
            vals = self._W(gs + 0j, np.full(gs.size, complex(z)))[1].real
        k = np.nonzero((vals[:-1] < 0) & (vals[1:] >= 0))[0]
        if k.size == 0:
            return -np.inf
        i = int(k[0])
        gstar = brentq(Wd, gs[i + 1], gs[i], xtol=1e-16 * abs(gs[i]), rtol=8.9e-16, maxiter=200)
        return self._W(np.array([complex(gstar)]), zz)[0][0].real

    def right_edge(self):
        """Right end ``E`` of the support of mu (exact to rounding): for real ``z > a tmax`` the
        log-determinant ``int int log(1 + c(k + k')) d rho_z d rho_z`` is singular exactly when the left end
        ``kappa_min(z)`` of the support of ``rho_z`` reaches ``-1/(2c)``; so ``E`` solves
        ``kappa_min(E) = -1/(2c)`` (``kappa_min`` increases with ``z``; brentq to rounding).  Right of
        ``E`` the contour ``Re w = -1/(2c)`` separates the cut of ``G_{rho_z}`` from its reflection."""
        if "right_edge" not in self._cache:
            lo = self._a * self._T.tmax
            hi = self._norm_bound()
            f = lambda z: self._kappa_min(z) + 1 / (2 * self._c)     # noqa: E731
            a_ = lo + 1e-12 * hi
            while f(a_) > 0 and a_ > 1e-300:   # (kappa_min > -1/2c already just right of a tmax)
                a_ = lo + (a_ - lo) / 1e3 if lo > 0 else a_ / 1e3
            if not f(hi * (1 + 1e-9)) > 0:
                raise NoConvergence("GeneralMu.right_edge: kappa_min + 1/(2c) not positive at the norm bound",
                                    best=hi, residual=f(hi))
            self._cache["right_edge"] = brentq(f, a_, hi * (1 + 1e-9), xtol=1e-16 * hi, rtol=8.9e-16, maxiter=200)
        return self._cache["right_edge"]

    def atom_point(self):
        """The interior singular point ``x*`` of mu's density when ``rho_z`` has an atom at 0 (``A = 1 - gamma2 nu(T > 0)
        > 0``): the log-determinant ``int int log(1 + c(k + k')) d rho_z d rho_z`` is singular where ``1 + c k = 0`` for
        ``k`` in the support of ``rho_z`` and ``k' = 0`` (the atom), first reached at ``kappa_min(x*) = -1/c`` (as E at
        ``-1/(2c)``, docs/ntk.md, Derivation 11).  None when ``A = 0`` or no root lies in ``(a tmax, E)``.  ReLU, D
        uniform, gamma2 = 1/2: 0.333708 (a density scan shows a square-root-like drop there); sigma = x^2/2: E/2."""
        if "atom_point" not in self._cache:
            out = None
            if self._A > 0:
                E = self.right_edge()
                lo = self._a * self._T.tmax
                f = lambda z: self._kappa_min(z) + 1 / self._c     # noqa: E731
                zs = lo + (E - lo) * np.linspace(0, 1, 65)[1:]       # kappa_min increases with z (-inf: no edge yet)
                fs = np.array([f(z) for z in zs])
                k = np.nonzero((fs[:-1] < 0) & (fs[1:] >= 0))[0]
                if k.size and fs[k[0] + 1] == 0:
                    out = float(zs[k[0] + 1])
                elif k.size:
                    i = int(k[0])
                    while not np.isfinite(fs[i]):       # a finite bracket (-inf where W has no critical point)
                        zm = (zs[i] + zs[i + 1]) / 2
                        fm = f(zm)
                        zs[i], fs[i], zs[i + 1], fs[i + 1] = (zm, fm, zs[i + 1], fs[i + 1]) if fm < 0 else (zs[i], fs[i], zm, fm)
                    out = brentq(f, zs[i], zs[i + 1], xtol=1e-16 * E, rtol=8.9e-16, maxiter=200)
            self._cache["atom_point"] = out
        return self._cache["atom_point"]

    def _cauchy_np(self, z):
        return self.cauchy_np(z)[0]

    def _cauchy_mp(self, z, ctx):
        return self.cauchy_mp(z, ctx)[0]

    # ------------------------------------------------------------------ not yet: the real axis
    _MISSING = ("GeneralMu.{}: not available on this route: the density on the real axis is the continuation of "
                "G_mu from Im z = y0 > 0 in double precision (cauchy_np); cauchy_mp needs Im z != 0 or z off [0, E]")

    def _inside(self, x):
        """Points of ``x`` where mu's continuous part may have mass: ``(0, E)`` (E exact), and for atomic nu inside the
        proved pieces of ``support()`` (outside them the density is 0 exactly, not a continued ~1e-9)."""
        inside = (x > 0) & (x < self.right_edge())
        if self._atomic_exact() is not None and np.any(inside):
            ivs = self.support()
            inside &= np.any([(x >= float(lo)) & (x <= float(hi)) for lo, hi in ivs], 0) if ivs else False
        return inside

    def blind(self, z):
        """Where ``G_mu`` continued from ``Im z = y0`` to ``z`` is not good to double precision and no estimate sees it:
        ``|Im z| < y0`` within ``_BLIND_Y0 y0`` of 0 or of the right edge E (the singular points the continuation meets:
        the hard edge ``~x^(-1/2)`` at 0, the edge E).  Measured, ReLU + uniform D, gamma2 = 1/2: ``sqrt(x) f(x)`` off
        by 1e-3 at 4 y0, 1.5e-5 at 16 y0, 1.2e-6 at 32 y0, < 2e-7 from 64 y0 on (docs/ntk.md, "Next to 0 and E")."""
        z = np.asarray(z, complex)
        y0 = self._y0()
        d = np.minimum(np.abs(z), np.abs(z - self.right_edge()))
        return (np.abs(z.imag) < y0) & (d < _BLIND_Y0 * y0)

    def _pdf_np(self, x):
        """``-Im G_mu(x + i0)/pi`` on ``_inside(x)``, 0 elsewhere; ``G`` continued from ``x + i y0`` (``cauchy_np``);
        NaN with a PrecisionWarning where that continuation is :meth:`blind`."""
        x = np.asarray(x, float)
        out = np.zeros(x.shape)
        inside = self._inside(x)
        blind = inside & self.blind(x + 0j)
        inside &= ~blind
        if np.any(inside):
            G, _ = self.cauchy_np(x[inside] + 0j)
            out[inside] = np.clip(-G.imag / np.pi, 0, None)
        if np.any(blind):
            out[blind] = np.nan
            warnings.warn(f"GeneralMu.pdf: {int(np.sum(blind))} point(s) within {_BLIND_Y0} y0 = "
                          f"{_BLIND_Y0 * self._y0():.2g} of 0 or of the right edge E = {self.right_edge():.6g} (e.g. "
                          f"x = {x[blind].ravel()[0]:.6g}), where G_mu continued from Im z = y0 is not good to double "
                          "precision and no estimate bounds it: NaN returned there", PrecisionWarning, stacklevel=3)
        return out

    def pdf_error(self, x, dps=None):
        """Estimated absolute error of ``pdf(x)`` (see ``cauchy_error_np``); 0 where the density is 0 exactly."""
        x = np.asarray(x, float)
        out = np.zeros(x.shape)
        inside = self._inside(x)
        if np.any(inside):
            out[inside] = self.cauchy_error_np(x[inside] + 0j) / np.pi
            out[inside & self.blind(x + 0j)] = np.inf      # not bounded there (blind)
        return out

    def _pdf_mp(self, x):
        raise NotImplementedError(self._MISSING.format("pdf"))

    def _atomic_exact(self):
        """``(gamma2, positive atoms t, their weights, a)`` as exact ``flint.fmpq`` (sorted by t), or None when nu has
        a continuous part."""
        if self._T.usq or self._T.comp:
            return None
        ts = sorted((t for t in self._T.atoms if as_float(t) > 0), key=as_float)
        return _fmpq(self._r_ex), [_fmpq(t) for t in ts], [_fmpq(self._T.atoms[t]) for t in ts], _fmpq(self._a_ex)

    def rho_z_support(self, z):
        """Support of ``rho_z`` (the spectral law of ``C(z)``) for real ``z`` off the atoms, atomic nu only
        (:func:`rho_z_support`): ``[(lo, hi), ...]``, ``(0, 0)`` for its atom at 0."""
        data = self._atomic_exact()
        if data is None:
            raise InvalidArgument("GeneralMu.rho_z_support: needs a law nu with finitely many atoms")
        r, ts, ws, a = data
        return rho_z_support(r, ts, ws, a, _fmpq(z))

    def cauchy_off_support(self, u):
        """``(G_mu(u), G_mu'(u))`` (real) at real ``u`` off mu's support and atoms.  ``u < 0`` and ``u > E``: the vertical
        line ``Re w = -1/(2c)`` of the contour route (the cut of ``rho_u`` on one side, its reflection on the other).
        ``0 < u < E`` (a gap of mu, atomic nu): :func:`cauchy_in_gap`, ellipses around the components of the support
        of ``rho_u``; where its continuation fails (within ~1e-9 of an edge of mu) ``cauchy_np``'s continuation from
        ``Im u = y0``."""
        u = np.asarray(u, float).ravel()
        G = np.empty(u.size)
        dG = np.empty(u.size)
        E = self.right_edge()
        out = (u < 0) | (u > E)
        if np.any(out):
            z = u[out] + 0j
            I, dI = self._line_integral_robust(z, "v")
            h0, h1, _ = self._T.e_h(np.full(z.size, self._a + 0j), z)
            G[out] = (h0 - I / (2j * np.pi)).real
            dG[out] = (-h1 - dI / (2j * np.pi)).real
        rest = []
        for i in np.nonzero(~out)[0]:
            try:
                if self._atomic_exact() is None:
                    raise NoConvergence("no gaps inside (0, E) for this nu")
                G[i], dG[i] = cauchy_in_gap(self, float(u[i]))
            except NoConvergence:
                rest.append(i)
        if rest:
            g, dg = self.cauchy_np(u[rest] + 0j)
            G[rest], dG[rest] = g.real, dg.real
        return G, dG

    def support(self):
        """Support intervals of mu's continuous part, ``[(lo, hi), ...]``, for nu with finitely many atoms: the real
        ``z`` where ``-1/c`` lies in ``S(z) + S(z)``, ``S(z)`` the support of ``rho_z``, every piece proved
        (:func:`mu_support_atomic`; docs/ntk.md, "Support of mu for atomic nu").  The atoms are ``atoms()``.
        Other laws of nu: not available on this route (NotImplementedError)."""
        if "support" not in self._cache:
            data = self._atomic_exact()
            if data is None:
                self._cache["support"] = self._support_continuous()
                return self._cache["support"]
            r, ts, ws, a = data
            top = (self._a + 2 * self._c * (1 + np.sqrt(self._r)) ** 2) * self._T.tmax * (1 + 1e-9)
            ivs, edges, unresolved = mu_support_atomic(r, ts, ws, a, self._c, top)
            if unresolved:
                warnings.warn(f"GeneralMu.support: {len(unresolved)} stretch(es) of width below 1e-13 of the scale "
                              f"near z = {unresolved[0][0]:.15g} were neither proved inside nor outside the support "
                              "(their status is that of their ends)", PrecisionWarning, stacklevel=2)
            self._cache["support"] = ivs
        return self._cache["support"]

    def _support_continuous(self):
        """``[(0, E)]`` for nu with a continuous part whose ``T`` reaches 0 and no atom but at 0 (D uniform, centred
        arcsine, a density of D on an interval containing 0): mu's continuous part is then one piece from 0 (measured:
        docs/ntk.md, "Continuous laws of D on the exact route").  Otherwise refused: an atom of nu next to a
        continuous part can open a gap of mu (as atoms alone do), and ``T`` bounded away from 0 can leave one next to 0;
        the proof of the pieces (``mu_support_atomic``) exists for atomic nu only."""
        T = self._T
        pos = [t for t in T.atoms if as_float(t) > 0]
        low = [0.0] * len(T.usq) + [c.lo_t for _, c in T.comp]
        if not pos and max(low) == 0:
            return [(0.0, float(self.right_edge()))]
        why = "an atom of nu at t > 0 next to a continuous part" if pos else "T = D^2 bounded away from 0"
        raise NotImplementedError(f"GeneralMu.support: not available for this law of T ({why}): mu may have gaps that "
                                  "this route cannot prove or exclude; the atoms are atoms(), the right edge "
                                  "right_edge(), and pdf/cauchy_np are exact")

    def _cdf_np(self, x):
        """``mu((-inf, x])``: the atoms ``<= x`` (exact) plus ``(1/pi) Im int G_c dz`` over the upper half of the ellipse
        from ``x`` to ``L = -0.1 max(E, x)`` (docs/ntk.md, "mu on the real axis"), ``G_c`` = ``G_mu`` minus the atoms'
        poles; ``theta = pi t^2`` and Gauss-Legendre rules of 60 and 90 points, a PrecisionWarning when they differ by
        more than 1e-12.  0 below 0, 1 from the exact right edge E on; for atomic nu the continuous part is 0 left of
        the first proved piece of ``support()`` and complete right of the last."""
        x = np.asarray(x, float)
        out = np.zeros(x.shape)
        E = self.right_edge()
        atoms = self.atoms_float()
        for loc, w in atoms:
            out[x >= loc] += w
        out[x >= E] = 1.0
        pos = (x > 0) & (x < E)
        if self._atomic_exact() is not None and self.support():
            ivs = self.support()            # proved pieces: no continuous mass left of the first, none right of the last
            pos &= (x > float(ivs[0][0])) & (x < float(ivs[-1][1]))
            out[(x >= float(ivs[-1][1])) & (x < E)] += 1 - sum(w for _, w in atoms)
        pos = np.nonzero(pos)
        if pos[0].size:
            out[pos] += self._cdf_contour(self._cdf_points(x[pos]), E)
        return out

    def _cdf_points(self, xs):
        """Where the contour of ``_cdf_np`` ends for ``xs``: ``x`` itself, but for atomic nu a point ``x`` in a gap of mu
        (an atom sits in a gap or next to one) moves to the middle of the widest stretch of its gap between the gap's
        ends and the atoms in it (the continuous part is constant across the gap; at an atom ``G_mu`` has its pole and
        the root continuation fails next to it)."""
        if self._atomic_exact() is None:
            return xs
        ivs = [(float(lo), float(hi)) for lo, hi in self.support()]
        if not ivs:
            return xs
        ends = [0.0] + [v for iv in ivs for v in iv] + [self.right_edge()]
        locs = [loc for loc, _ in self.atoms_float()]
        out = xs.copy()
        for k in range(0, len(ends), 2):
            g0, g1 = ends[k], ends[k + 1]          # a gap [g0, g1] (the first from 0, the last to E)
            sel = (xs > g0) & (xs < g1)
            if not np.any(sel) or g1 <= g0:
                continue
            cuts = sorted([g0, g1] + [v for v in locs if g0 < v < g1])
            i = int(np.argmax(np.diff(cuts)))
            out[sel] = (cuts[i] + cuts[i + 1]) / 2
        return out

    def _cdf_contour(self, xs, E):
        """The continuous part of ``mu((-inf, x])`` on the half ellipses of ``_cdf_np`` (every node but ``x`` off the
        real axis; next to ``x`` the continuation of ``cauchy_np``)."""
        L = -0.1 * max(E, float(np.max(xs)))
        c, h = (xs + L) / 2, (xs - L) / 2
        zs, ws = [], []
        for n in (60, 90):
            t, wt = gauss_legendre(n)
            t, wt = (t + 1) / 2, wt / 2
            th, dth = np.pi * t * t, 2 * np.pi * t * wt
            zs.append(c[:, None] + h[:, None] * np.exp(1j * th))
            ws.append(1j * h[:, None] * np.exp(1j * th) * dth)
        z = np.concatenate(zs, 1)
        G = self.cauchy_np(z.ravel())[0].reshape(z.shape) - self._atom_poles(z)[0]
        F1 = np.sum(G[:, :60] * ws[0], 1).imag / np.pi
        F2 = np.sum(G[:, 60:] * ws[1], 1).imag / np.pi
        diff = np.abs(F1 - F2)
        if np.any(~(diff <= 1e-12)):
            warnings.warn(f"GeneralMu.cdf: the 60- and 90-point contour rules differ by up to {np.nanmax(diff):.2g} "
                          "(x close to an edge or an atom); the 90-point value is returned", PrecisionWarning,
                          stacklevel=4)
        return F2

    def latex(self):
        return r"\mu"

    # ------------------------------------------------------------------ mpmath route
    def cauchy_mp(self, z, ctx, n=None):
        """``(G_mu(z), G_mu'(z))`` at the precision of ``ctx`` (an ``mpmath.MPContext``, left unchanged),
        for ``Im z != 0`` or real ``z < 0``.  The work runs in a private context 40 bits finer; the
        Gauss-Legendre panel count is doubled until two results agree to the precision of ``ctx``,
        else a PrecisionWarning gives the difference."""
        z = ctx.mpc(z)
        if ctx.im(z) < 0:
            g, dg = self.cauchy_mp(ctx.conj(z), ctx, n)
            return ctx.conj(g), ctx.conj(dg)
        if abs(z) >= _FAR * self._norm_bound():
            return self._far_mp(z, ctx)
        if ctx.im(z) == 0 and not (ctx.re(z) < 0 or ctx.re(z) > self.right_edge() * (1 + 1e-12)):
            raise InvalidArgument("Argument `z` of `GeneralMu.cauchy_mp` must have Im z != 0 or be real outside "
                                  f"[0, right_edge()] (the mpmath route has no continuation to the support); got {z}")
        w = mpmath.MPContext()
        w.prec = ctx.prec + 40
        zw = w.mpc(w.mpf(ctx.re(z)), w.mpf(ctx.im(z)))
        kind = "v" if w.im(zw) == 0 else "h"
        atoms = [(_mpval(t, w), _mpval(wt, w)) for t, wt in self._T.atoms.items()]
        prev = None
        npan = n or 8
        dl = float(self._dl(np.array([complex(zw)]))[0]) if kind == "h" else self._delta
        base = self._mp_base_panels(complex(zw), kind, dl * float(_mpval(self._c_ex, w)))   # once for all doublings
        for _ in range(6):
            val = self._mp_line(zw, w, kind, atoms, npan, dl, base)
            if prev is not None:
                diff = abs(val[0] - prev[0]) + abs(val[1] - prev[1])
                if diff <= w.mpf(2) ** (-ctx.prec - 8) * (abs(val[0]) + abs(val[1])):
                    break
            prev = val
            npan *= 2
        else:
            warnings.warn(f"GeneralMu.cauchy_mp: panel doubling stopped at {npan // 2} panels; "
                          f"estimated error {mpmath.nstr(diff, 3)}", PrecisionWarning, stacklevel=2)
        conv = lambda v: ctx.mpc(ctx.mpf(w.re(v)), ctx.mpf(w.im(v)))  # noqa: E731
        return conv(val[0]), conv(val[1])

    # long: the integrand and its root continuation share ctx state
    def _mp_line(self, z, ctx, kind, atoms, npan, dl, base):
        """The line integral at ``z`` in ``ctx``: bump height ``dl`` (the double line's), panels from the ends ``base``
        (:meth:`_mp_base_panels`) each cut into ``max(1, npan // 8)``."""
        a, c, r = _mpval(self._a_ex, ctx), _mpval(self._c_ex, ctx), _mpval(self._r_ex, ctx)
        L = ctx.mpf(self._L)
        dl = ctx.mpf(dl)
        A = self._A
        x0 = -1 / (2 * c)
        deg = max(20, int(ctx.dps * 0.6))
        nodes, weights = _mp_gl(ctx, deg)

        def line(th):
            t = L * ctx.tan(th)
            dt = L / ctx.cos(th) ** 2
            if kind == "v":
                return x0 + ctx.mpc(0, 1) * t, ctx.mpc(0, 1) * dt
            s = x0 + t
            b1, b0 = ctx.exp(-((s + 1 / c) / dl) ** 2), ctx.exp(-(s / dl) ** 2)
            db1, db0 = -2 * (s + 1 / c) / dl ** 2 * b1, -2 * s / dl ** 2 * b0
            return s + ctx.mpc(0, 1) * dl * (b1 - b0), (1 + ctx.mpc(0, 1) * dl * (db1 - db0)) * dt

        def W(g, j):
            E1, E2, E3 = self._T.e_w_mp(a - g, z, ctx, atoms, j)
            return 1 / g + r * E1, -1 / g ** 2 + r * E2, r * E3

        def solve(w, g0, j):
            # a polish of the double-precision root (steps at rounding level: the sheet j stays).  W itself is
            # evaluated only to ~2^-93 relative at some nodes (ReLU, uniform D, dps 20: residual floor 3e-28 at
            # |w| = 10), above tol: once the steps stop shrinking (the noise floor of W) and are below
            # 2^(-prec+24) |g| (16 bits under the precision asked, the working context has 40 more), g is kept;
            # its error is about that step, and the panel doubling still compares results at 2^(-prec_ctx-8).
            g = g0
            tol = ctx.mpf(2) ** (-ctx.prec + 8)
            floor = ctx.mpf(2) ** (-ctx.prec + 24)
            prev = None
            for _ in range(100):
                Wv, Wd, _ = W(g, j)
                dg = (Wv - w) / Wd
                g -= dg
                if abs(dg) <= tol * abs(g) or abs(Wv - w) <= tol * (abs(w) + 1 / abs(g)):
                    return g
                if prev is not None and abs(dg) > prev / 2 and abs(dg) <= floor * abs(g):
                    return g
                prev = abs(dg)
            raise NoConvergence("GeneralMu.cauchy_mp: Newton did not converge", best=g, residual=abs(dg))

        # double-precision roots at every node (independent paths, with their sheets), then polished
        zc = complex(z)
        th_all = []
        for lo, hi in _mp_panels(ctx, base, npan):
            for xx, ww in zip(nodes, weights):
                th_all.append(((lo + hi) / 2 + (hi - lo) / 2 * xx, (hi - lo) / 2 * ww))
        ths = np.array([float(t) for t, _ in th_all])
        thf = np.concatenate([-ths[::-1], ths])
        gd, jd = self._guesses(zc, thf, kind)
        m = len(ths)
        tot = ctx.mpf(0)
        dtot = ctx.mpf(0)
        h00, h01, _ = self._T.e_h_mp(a, z, ctx, atoms)
        for i, (th, wt) in enumerate(th_all):
            wp, dwp = line(th)
            wm, dwm = line(-th)
            jp, jm = jd[m + i], jd[m - 1 - i]
            gp = solve(wp, ctx.mpc(gd[m + i]), jp)
            gm = solve(wm, ctx.mpc(gd[m - 1 - i]), jm)
            H0p, H1p, H2p = self._T.e_h_mp(a - gm, z, ctx, atoms, jm)
            H0m, H1m, H2m = self._T.e_h_mp(a - gp, z, ctx, atoms, jp)
            f = gp * (H0p - h00) * dwp + gm * (H0m - h00) * dwm
            _, Wdp, Wzp = W(gp, jp)
            _, Wdm, Wzm = W(gm, jm)
            gdp, gdm = -Wzp / Wdp, -Wzm / Wdm
            psip = -H1p - H2p * gdm + h01
            psim = -H1m - H2m * gdp + h01
            df = (gdp * (H0p - h00) + gp * psip) * dwp + (gdm * (H0m - h00) + gm * psim) * dwm
            tot += wt * f
            dtot += wt * df
        sign = -1 if kind == "v" else 1
        G = h00 + sign * tot / (2 * ctx.pi * ctx.mpc(0, 1))
        dG = -h01 + sign * dtot / (2 * ctx.pi * ctx.mpc(0, 1))
        return G, dG

    def _guesses(self, z, thf, kind):
        """Double-precision roots (and their sheets of ``G_nu``) at the parameters ``thf`` (``_roots_direct``)."""
        dl = self._dl(np.array([complex(z)]))[0] if kind == "h" else None
        w, _ = self._line(thf, kind, dl)
        return self._roots_direct(w, np.full(w.shape, complex(z)), kind)

    def _mp_base_panels(self, z, kind, d):
        """Panel ends on ``theta in (0, pi/2)`` for the mpmath line at ``z``: those the adaptive double-precision line
        integral accepted at ``z`` (its bisection found the narrow features of the integrand), plus on the line "h"
        panels graded by 4 towards ``pi/4`` down to ``d/4`` (``d = dl c``: the pole of the atom of ``rho_z`` at 0,
        integrated as a residue by the double line, is in the mpmath integrand)."""
        _, _, rec = self._line_integral(np.array([complex(z)]), kind, deriv=False, record=True)
        e = np.concatenate([rec[1], rec[2], np.linspace(0, np.pi / 2, 13)])
        if kind == "h" and d < 0.05:
            e = np.concatenate([e, _pi4_grading(d)])
        return np.unique(e)


def _pi4_grading(d):
    """Panel ends graded by 4 towards ``theta = pi/4`` on the line "h" (where ``w = 0`` and its mirror ``-1/c`` carry
    the bumps of height and width ``dl``, ``d = dl c``): ``pi/4 +- (d/4) 4^k`` from ``d/4`` up to past ``0.05``."""
    k = np.arange(int(np.ceil(np.log(0.05 / d) / np.log(4))) + 1)
    return np.concatenate([np.pi / 4 + d / 4 * 4.0 ** k, np.pi / 4 - d / 4 * 4.0 ** k])


def _mp_panels(ctx, e, npan):
    """Panels ``(lo, hi)`` (numbers of ``ctx``) between the sorted ends ``e`` (floats, from 0 to pi/2), each split into
    ``max(1, npan // 8)``.  Uniform panels alone (as before) could hold no node inside the narrow features of the
    integrand at ``n`` and ``2n`` panels alike: the two results then agreed and the doubling stopped on a wrong value
    (the issue's law at ``2.8289 + 0.01i``: off by 1.8e-9 at 20 digits, 3e-5 at ``Im z = 10^-3``)."""
    m = max(1, npan // 8)
    out = []
    for a, b in zip(e[:-1], e[1:]):
        a, b = ctx.mpf(a), ctx.mpf(b)
        out += [(a + (b - a) * i / m, a + (b - a) * (i + 1) / m) for i in range(m)]
    out[-1] = (out[-1][0], ctx.pi / 2)
    return out


_MPGL = {}


def _mp_gl(ctx, n):
    key = (n, ctx.prec)
    if key not in _MPGL:
        _MPGL[key] = _mp_gl_nodes(ctx, n)
    xs, ws = _MPGL[key]
    return [ctx.mpf(x) for x in xs], [ctx.mpf(v) for v in ws]


def _mp_gl_nodes(ctx, n):
    """Gauss-Legendre nodes and weights at the precision of ctx, by Newton on P_n."""
    # Gauss-Legendre nodes by Newton on P_n from the double-precision nodes
    x0, _ = np.polynomial.legendre.leggauss(n)
    xs, ws = [], []
    for v in x0:
        x = ctx.mpf(v)
        for _ in range(10):
            p0, p1 = ctx.mpf(1), x
            for k in range(2, n + 1):
                p0, p1 = p1, ((2 * k - 1) * x * p1 - (k - 1) * p0) / k
            dp = n * (x * p1 - p0) / (x * x - 1)
            dx = p1 / dp
            x -= dx
            if abs(dx) < ctx.mpf(2) ** (-ctx.prec):
                break
        p0, p1 = ctx.mpf(1), x
        for k in range(2, n + 1):
            p0, p1 = p1, ((2 * k - 1) * x * p1 - (k - 1) * p0) / k
        dp = n * (x * p1 - p0) / (x * x - 1)
        xs.append(x)
        ws.append(2 / ((1 - x * x) * dp * dp))
    return xs, ws


# ----------------------------------------------------------------------------- the support of mu, atomic nu
def _fmpq(v):
    """A parameter as an exact ``flint.fmpq``: integers and rationals (sympy, Fraction) exactly, a float at
    its binary value, any other real sympy number at its double value (e.g. ``a`` for ReLU, ``(pi-2)/4pi``)."""
    if isinstance(v, flint.fmpq):
        return v
    if isinstance(v, sympy.Basic) and v.is_Rational:
        return flint.fmpq(int(v.p), int(v.q))
    if hasattr(v, "numerator") and not isinstance(v, float):
        return flint.fmpq(int(v.numerator), int(v.denominator))
    n, d = float(as_float(v)).as_integer_ratio()
    return flint.fmpq(n, d)


def rho_z_support(r, ts, ws, a, z):
    """Support of ``rho_z`` for real ``z`` (not a pole ``a t_i``), ``nu = sum w_i delta_{t_i}`` (``t_i > 0``) plus
    ``1 - sum w_i`` at 0: the free compound Poisson law with rate ``r`` and jumps ``f_i = t_i/(a t_i - z)`` (of
    both signs), every piece however narrow, as sorted ``[(lo, hi), ...]`` (``(0, 0)``: the atom at 0).

    Its real inverse map ``W(g) = 1/g + r sum w_i f_i/(1 - f_i g)`` has ``g^2 prod (1 - f_k g)^2 W'(g) = P(g)``,

        P(g) = r sum_i w_i f_i^2 g^2 prod_{k != i} (1 - f_k g)^2 - prod_k (1 - f_k g)^2,

    a polynomial of degree ``2n`` with exact rational coefficients (every input is taken as an exact rational:
    ``flint.fmpq``).  The real line minus the support is the image by ``W`` (decreasing there) of
    ``{g real: P(g) < 0}`` minus ``{0}``: its pieces lie between consecutive real roots of ``P`` (isolated by FLINT,
    rigorously: a real root has an exactly real enclosure, so none is missed) and 0; ``P > 0`` next to every pole
    ``1/f_i``, ``P(0) = -1``, and ``P ~ -(1 - r sum w_i) prod f_k^2 g^{2n}`` at infinity.  ``W(0+) = +inf``,
    ``W(0-) = -inf``, ``W(+-inf) = 0``.  The edges are ``W`` at the roots (critical values), evaluated in ball
    arithmetic at the roots' enclosures."""
    f = [t / (a * t - z) for t in ts]
    g = flint.fmpq_poly([0, 1])
    lin = [flint.fmpq_poly([1, -fi]) for fi in f]
    sq = [L * L for L in lin]
    prod = flint.fmpq_poly([1])
    for s in sq:
        prod *= s
    P = -prod
    for i, fi in enumerate(f):
        term = flint.fmpq_poly([r * ws[i] * fi * fi]) * g * g
        for k, s in enumerate(sq):
            if k != i:
                term *= s
        P += term
    roots = sorted((rt.real for rt, _m in P.complex_roots() if rt.imag == 0), key=lambda v: float(v.mid()))

    def W(gb):
        return float((1 / gb + sum(r * w * fi / (1 - fi * gb) for w, fi in zip(ws, f))).mid())

    # pieces of the parameter line between consecutive breakpoints (roots, 0); poles never bound a piece with
    # P < 0 (P > 0 next to them), and its sign is constant on each piece: read exactly at a rational point inside
    brk = [(float(v.mid()), W(v)) for v in roots]
    brk = sorted(brk + [(0.0, None)])
    off = []
    ends = [(-np.inf, 0.0)] + brk + [(np.inf, 0.0)]
    for (p, Wp), (q, Wq) in zip(ends[:-1], ends[1:]):
        if p == q:
            continue
        m = (p + q) / 2 if np.isfinite(p) and np.isfinite(q) else (q - 1 - abs(q) if np.isfinite(q) else p + 1 + abs(p))
        if P(_fmpq(m)) >= 0:
            continue
        hi = np.inf if p == 0.0 and Wp is None else Wp       # W(p+): +inf at 0+, 0 at -inf
        lo = -np.inf if q == 0.0 and Wq is None else Wq      # W(q-): -inf at 0-, 0 at +inf
        off.append((lo, hi))
    off.sort()
    out = []
    reach = -np.inf
    for lo, hi in off:
        if lo >= reach and np.isfinite(reach):
            out.append((reach, lo))
        reach = max(reach, hi)
    return out


def _pair_margin(comp, level):
    """``max over pairs i <= j of min(level - (l_i + l_j), (r_i + r_j) - level)``: positive when ``level`` lies
    inside ``S + S`` (``S`` the union of the components), negative outside (minus the distance to it)."""
    best = -np.inf
    for i, (l1, r1) in enumerate(comp):
        for l2, r2 in comp[i:]:
            best = max(best, min(level - (l1 + l2), (r1 + r2) - level))
    return best


def _same_shape(Sa, Sb):
    return len(Sa) == len(Sb) and all((l1 == r1) == (l2 == r2) for (l1, r1), (l2, r2) in zip(Sa, Sb))


def _certify(Sa, Sb, level):
    """``"in"`` / ``"out"`` when every ``z`` between two points of a pole-free interval is proved inside / outside
    the support of mu from the components ``Sa``, ``Sb`` of ``rho_z`` at its ends, else None.

    Between poles every edge of ``rho_z`` is nondecreasing in ``z`` (``C(z) = sum_k F_k(z) u_k u_k^T`` increases:
    ``dF/dz = T/(aT - z)^2 >= 0``, so the counting function of ``rho_z`` decreases at every point while the mass of
    each component stays).  With the same components at both ends: a pair ``(i, j)`` with ``l_i + l_j <= level``
    at ``zb`` and ``r_i + r_j >= level`` at ``za`` straddles ``level`` throughout (inside); if every pair lies below
    ``level`` at ``zb`` or above it at ``za``, none straddles anywhere (outside)."""
    if not _same_shape(Sa, Sb):
        return None
    n = len(Sa)
    below_or_above = True
    for i in range(n):
        for j in range(i, n):
            lb, ra = Sb[i][0] + Sb[j][0], Sa[i][1] + Sa[j][1]
            if lb <= level <= ra:
                return "in"
            if not (Sb[i][1] + Sb[j][1] < level or Sa[i][0] + Sa[j][0] > level):
                below_or_above = False
    return "out" if below_or_above else None


# long: the recursive proof of the stretches, the edges and the assembly of the pieces share one cache of S(z)
def mu_support_atomic(r, ts, ws, a, c, top, grid=24):
    """Support of the continuous part of ``mu(a, c, r, nu)`` for ``nu`` with finitely many atoms (positive ones
    ``ts``, weights ``ws``, all exact ``flint.fmpq``; ``c``, ``top`` floats, ``top`` above mu's support), as
    ``[(lo, hi), ...]`` and the list of unresolved stretches (empty when every point was proved).

    A real ``z`` off the atoms is outside the support exactly when ``-1/c`` is not in ``S(z) + S(z)``, ``S(z)``
    the support of ``rho_z`` (:func:`rho_z_support`): the finite-size determinant vanishes where
    ``1 + c (kappa_i(z) + kappa_j(z)) = 0`` (docs/ntk.md, "Support of mu for atomic nu").  Below the smallest
    positive pole ``a t_1`` every jump is positive and ``S(z) >= 0``: no support.  Each pole-free interval is
    sampled (graded geometrically towards its ends), every pair of neighbouring samples is proved inside or
    outside by :func:`_certify` or bisected, and an edge (a change of sign of the pair margin, a continuous
    function of ``z``) is solved for by brentq: ``l_i(z) + l_j(z) = -1/c`` or ``r_i(z) + r_j(z) = -1/c`` with
    ``l``, ``r`` critical values of ``W``."""
    level = -1.0 / c
    af = float(a.p) / float(a.q)
    poles = sorted({af * float(t.p) / float(t.q) for t in ts}) if af > 0 else [0.0]
    cache = {}

    def S(z):
        if z not in cache:
            cache[z] = rho_z_support(r, ts, ws, a, _fmpq(z))
        return cache[z]

    def margin(z):
        return _pair_margin(S(z), level)

    unresolved = []
    pieces = []            # (za, zb, status) in increasing order
    edges = []

    def resolve(za, zb, depth):
        Sa, Sb = S(za), S(zb)
        cert = _certify(Sa, Sb, level)
        if cert is not None:
            pieces.append((za, zb, cert))
            return
        ma, mb = margin(za), margin(zb)
        if (ma > 0) != (mb > 0):
            e = brentq(margin, za, zb, xtol=4e-16 * abs(zb), rtol=8.9e-16, maxiter=200)
            edges.append(e)
            d = 1e-12 * abs(e)
            if e - d > za:
                resolve(za, e - d, depth + 1)
            pieces.append((e - d, e, "in" if ma > 0 else "out"))
            pieces.append((e, e + d, "in" if mb > 0 else "out"))
            if e + d < zb:
                resolve(e + d, zb, depth + 1)
            return
        if zb - za <= 1e-13 * top or depth > 60:
            unresolved.append((za, zb))
            pieces.append((za, zb, "in" if ma > 0 else "out"))
            return
        zm = 0.5 * (za + zb)
        resolve(za, zm, depth + 1)
        resolve(zm, zb, depth + 1)

    s = np.unique(np.concatenate([np.geomspace(1e-13, 0.25, grid), 1 - np.geomspace(1e-13, 0.25, grid),
                                  np.linspace(0, 1, 2 * grid + 1)[1:-1]]))
    bounds = poles + [top]
    for p, q in zip(bounds[:-1], bounds[1:]):
        zs = p + (q - p) * s
        start = len(pieces)
        for za, zb in zip(zs[:-1], zs[1:]):
            resolve(float(za), float(zb), 0)
        # the stretches next to the poles (and top) take the status of the sample nearest to them
        seg = sorted(pieces[start:])
        pieces[start:] = [(p, float(zs[0]), seg[0][2])] + seg + [(float(zs[-1]), q, seg[-1][2])]
    # merge the "in" stretches into intervals (a pole with "in" stretches on both sides stays inside one)
    out = []
    for za, zb, st in pieces:
        if st != "in":
            continue
        if out and za <= out[-1][1]:
            out[-1][1] = max(out[-1][1], zb)
        else:
            out.append([za, zb])
    return [tuple(iv) for iv in out], sorted(edges), unresolved


# ----------------------------------------------------------------------------- G_mu on the real axis in gaps of mu
class _AtomicW:
    """For one real ``z`` and nu with finitely many atoms: ``W(g) = 1/g + r sum_i w_i f_i/(1 - f_i g)`` (the inverse
    map of ``rho_z``, jumps ``f_i = t_i/(a t_i - z)``) with ``dW/dg`` and ``dW/dz`` (``df/dz = f^2/t``), and
    ``h_z(m) = E_T[1/(z - (a + m) T)] = -sum_i w_i f_i/(t_i (1 + m f_i)) + nu{0}/z`` with ``dh/dz``, ``dh/dm``.  The
    jumps are computed from the exact rationals (``a t_i - z`` cancels next to a pole), every other quantity in
    double precision from them: a plain copy of the sums, kept apart from the contour route's kernels."""

    def __init__(self, gm, z):
        r, ts, ws, a = gm._atomic_exact()
        zq = _fmpq(z)
        self.r = float(gm._r)
        self.z = float(z)
        self.t = np.array([float(t.p) / float(t.q) for t in ts])
        self.w = np.array([float(w.p) / float(w.q) for w in ws])
        self.f = np.array([float(v.p) / float(v.q) for v in (t / (a * t - zq) for t in ts)])
        self.w0 = 1.0 - float(sum(ws))          # nu{0}
        self._rows = [(float(self.r * w), float(f)) for w, f in zip(self.w, self.f)]
        self._ab = None
        self._real = {}         # real_root's values by x (both rules of cauchy_in_gap start and end at the same points)

    def poly_ab(self):
        """Coefficients ``(a, b)`` (highest degree first, both of length ``n + 2``) with
        ``g prod_k (1 - f_k g) (W(g) - w) = a(g) - w b(g)``: ``b = g prod_k (1 - f_k g)``, ``a = prod_k (1 - f_k g) +
        g sum_i r w_i f_i prod_{k != i} (1 - f_k g)`` (degree ``n``).  The roots of ``a - w b`` are exactly the ``n + 1``
        solutions of ``W(g) = w`` (``a(0) = 1``, and ``a(1/f_i) != 0``)."""
        if self._ab is None:
            f = self.f
            prod = np.array([1.0])
            for fk in f:
                prod = np.polymul(prod, [-fk, 1.0])
            b = np.polymul(prod, [1.0, 0.0])
            a = np.concatenate([[0.0], prod])
            for i, fi in enumerate(f):
                term = np.array([self.r * self.w[i] * fi, 0.0])
                for k, fk in enumerate(f):
                    if k != i:
                        term = np.polymul(term, [-fk, 1.0])
                a[a.size - term.size:] += term
            self._ab = (a, b)
        return self._ab

    def roots_at(self, w):
        """All ``n + 1`` roots of ``W(g) = w`` at every point of the complex array ``w`` (``(N, n + 1)``): eigenvalues of
        the companion matrices of ``a - w b`` (:meth:`poly_ab`), all points in one batched call."""
        a, b = self.poly_ab()
        w = np.asarray(w, complex)
        C = a[None, :] - w[:, None] * b[None, :]
        n = a.size - 1
        M = np.zeros((w.size, n, n), complex)
        M[:, 0, :] = -C[:, 1:] / C[:, :1]
        M[:, np.arange(1, n), np.arange(n - 1)] = 1
        return np.linalg.eigvals(M)

    def W1(self, g):
        """``(W(g), W'(g))`` at one complex ``g`` in plain Python arithmetic (the continuation's Newton is sequential
        along its path, a few terms per call: numpy's per-call overhead was ~95 % of it)."""
        rg = 1 / g
        W, Wg = rg, -rg * rg
        for rw, f in self._rows:
            d = 1 - g * f
            q = rw * f / d
            W += q
            Wg += q * f / d
        return W, Wg

    def W(self, g, z=None):
        f = self.f
        d = 1 - np.asarray(g)[..., None] * f
        W = 1 / g + self.r * np.sum(self.w * f / d, -1)
        Wg = -1 / g ** 2 + self.r * np.sum(self.w * f * f / d ** 2, -1)
        Wz = self.r * np.sum(self.w * f * f / self.t / d ** 2, -1)
        return W, Wg, Wz

    def h(self, m, z=None):
        f, t = self.f, self.t
        d = 1 + np.asarray(m)[..., None] * f
        H0 = -np.sum(self.w * f / (t * d), -1)
        H1 = np.sum(self.w * f * f / (t * t * d * d), -1)
        H2 = np.sum(self.w * f * f / (t * d * d), -1)
        if self.w0:         # nu{0}/z: only with an atom of T at 0 (z = 0 is then an atom of mu, not a gap point)
            H0, H1 = H0 + self.w0 / self.z, H1 + self.w0 / self.z ** 2
        return H0, H1, H2

    def real_root(self, x, z):
        """``G_{rho_z}(x)`` for real ``x`` off the support of ``rho_z``: the root of ``W(g) = x`` with ``W'(g) < 0``
        (unique: ``W`` is a bijection from ``{W' < 0}`` onto the complement of the support), from the polynomial
        ``g prod (1 - f_k g) (W(g) - x)`` of degree ``n + 1``, polished by Newton."""
        x = float(x)
        if x in self._real:
            return self._real[x]
        rts = self.roots_at(np.array([x]))[0]
        cand = [float(v.real) for v in rts if abs(v.imag) <= 1e-9 * max(abs(v), 1e-300) and v.real != 0]
        good = []
        for g in cand:
            try:
                for _ in range(4):
                    Wv, Wg = self.W1(g)
                    g = g - (Wv - x) / Wg
                Wv, Wg = self.W1(g)
            except ZeroDivisionError:
                continue
            if Wg < 0 and abs(Wv - x) <= 1e-10 * (abs(x) + abs(1 / g)):
                good.append(g)
        if len(good) != 1:
            raise NoConvergence(f"GeneralMu: {len(good)} real roots of W(g) = {x:.6g} with W' < 0 at z = {z:.6g} "
                                "(expected one: the point is not off the support of rho_z)", best=good)
        self._real[x] = good[0]
        return good[0]


def cauchy_in_gap(gm, z, tol=1e-14):
    """``(G_mu(z), G_mu'(z))`` at one real ``z`` in a gap of mu (off its support and atoms), atomic nu, with no
    continuation from the complex plane:

        G_mu(z) = int psi d rho_z = A psi(0) + sum_k (1/2 pi i) oint_{C_k} G_{rho_z}(w) psi(w) dw,
        psi(w) = h_z(-G_{rho_z}(-w - 1/c)),

    ``A`` the atom of ``rho_z`` at 0 and ``C_k`` a contour around the k-th continuous component ``[l, r]`` of the
    support ``S`` of ``rho_z`` (:func:`rho_z_support`).  ``z`` is off mu's support exactly when ``S`` and its
    reflection ``-1/c - S`` are disjoint (``-1/c`` not in ``S + S``), so ``psi`` is analytic on ``[l, r]``.  ``C_k`` is
    the rectangle through ``x_R = r + d_r/2`` and ``x_L = l - d_l/2`` (``d_r``, ``d_l`` the distances to the nearest
    other point of ``S`` or of its reflection, all real) of height ``r - l``; its reflection ``-1/c - C_k`` then
    encloses no point of ``S``.  Upper half only (the lower half is its conjugate): the right side, the top and the
    left side, Gauss-Legendre panels graded geometrically (ratio 2) from the real axis, where the nearest
    singularities are (at distance ``d/2``).  ``G_{rho_z}`` on ``C_k`` and on its reflection is continued by Newton
    from the real root with ``W' < 0`` at ``x_R`` (resp. its reflection), node to node, and must arrive at the real
    root at the other end (:func:`_continue_on`).  Rules with 20 and 30 points per panel must agree to ``tol``.
    ``G_mu'`` is the same integral differentiated at fixed ``w`` (``dG_{rho_z}/dz = -W_z/W_g``)."""
    K = _AtomicW(gm, z)
    c = gm._c
    S = gm.rho_z_support(z)
    A = max(0.0, 1 - K.r * (1 - K.w0)) if any(l == r == 0 for l, r in S) else 0.0
    G = 0.0
    dG = 0.0

    def psi_parts(gt):
        _, Wgt, Wzt = K.W(gt)
        H0, H1, H2 = K.h(-gt)
        return H0, -H1 - H2 * (-Wzt / Wgt)
    if A > 0:
        p0, dp0 = psi_parts(np.array([K.real_root(-1 / c, z)]))
        G += A * p0[0]
        dG += A * dp0[0]
    for l, r, H, d_r, d_l in _gap_rectangles(S, c):
        xR, xL = r + d_r / 2, l - d_l / 2
        vals = []
        for n in (20, 30):
            w, dw = _rectangle_nodes(xR, xL, H, d_r, d_l, n)
            g = _continue_on(K, w, xR, xL, z)
            gt = _continue_on(K, -w - 1 / c, -xR - 1 / c, -xL - 1 / c, z)
            _, Wg, Wz = K.W(g)
            H0, dpsi = psi_parts(gt)
            # (1/2 pi i) oint (counterclockwise) = (1/2 pi i) 2 i Im(int over the upper half, from x_R to x_L)
            vals.append((np.sum(g * H0 * dw).imag / np.pi, np.sum(((-Wz / Wg) * H0 + g * dpsi) * dw).imag / np.pi))
        (v1, d1), (v2, d2) = vals
        if not (abs(v1 - v2) <= tol * max(abs(v2), abs(G), 1e-300)
                and abs(d1 - d2) <= 10 * tol * max(abs(d2), abs(dG))):
            raise NoConvergence(f"GeneralMu.cauchy_in_gap: the rules around [{l:.6g}, {r:.6g}] differ by "
                                f"{abs(v1 - v2):.2g} at z = {z:.6g}", best=v2, residual=abs(v1 - v2))
        G += v2
        dG += d2
    return G, dG


def _gap_rectangles(S, c):
    """For each continuous component ``[l, r]`` of the support ``S`` of ``rho_z`` (real z in a gap of mu): ``(l, r, H,
    d_r, d_l)``, ``H = r - l`` the rectangle's height and ``d_r``, ``d_l`` the distances (at most ``H``) to the nearest
    other point of ``S`` or of its reflection ``-1/c - S`` on each side (:func:`cauchy_in_gap`)."""
    refl = [(-1 / c - r, -1 / c - l) for l, r in S]
    out = []
    for l, r in [(l, r) for l, r in S if r > l]:
        pts = np.array([v for iv in S + refl if iv != (l, r) for v in iv])
        right, left = pts[pts > r], pts[pts < l]
        H = r - l
        out.append((l, r, H, min(float(np.min(right - r)) if right.size else H, H),
                    min(float(np.min(l - left)) if left.size else H, H)))
    return out


def _rectangle_nodes(xR, xL, H, d_r, d_l, n):
    """Nodes ``w`` and weights ``dw`` (Gauss-Legendre, ``n`` per panel) on the path
    ``x_R -> x_R + iH -> x_L + iH -> x_L``, in order; panels on the vertical sides graded geometrically (ratio 2)
    from ``d/4`` at the real axis."""
    x, wx = gauss_legendre(n)
    ws, dws = [], []

    def side(y_edges, x0, down):
        for a_, b_ in zip(y_edges[:-1], y_edges[1:]):
            y = (a_ + b_) / 2 + (b_ - a_) / 2 * x
            wt = (b_ - a_) / 2 * wx
            if down:
                y, wt = y[::-1], wt[::-1]
            ws.append(x0 + 1j * y)
            dws.append((-1j if down else 1j) * wt)

    def grades(d):
        e = [0.0]
        s = d / 4
        while s < H:
            e.append(s)
            s *= 2
        return np.array(e + [H])
    side(grades(d_r), xR, False)
    top = np.linspace(xR, xL, 9)
    for a_, b_ in zip(top[:-1], top[1:]):
        ws.append((a_ + b_) / 2 + (b_ - a_) / 2 * x + 1j * H)
        dws.append((b_ - a_) / 2 * wx + 0j)
    e = grades(d_l)
    side(e, xL, True)
    # the left side runs downwards: its panels from the top one
    ws[-(e.size - 1):] = ws[-(e.size - 1):][::-1]
    dws[-(e.size - 1):] = dws[-(e.size - 1):][::-1]
    return np.concatenate(ws), np.concatenate(dws)


def _continue_on(K, w, x_start, x_end, z):
    """``G_{rho_z}`` at the nodes ``w`` (in order along a path from the real point ``x_start`` to the real point
    ``x_end``, both off the support), continued by Newton from the real root at ``x_start``, each node from the previous
    one (the step split in 4, 16, 64 straight sub-steps when Newton does not settle).  The continuation is carried on
    to ``x_end`` and must arrive at the real root there (else NoConvergence): a jump to another root of ``W(g) = w``
    on the way (near a branch point) cannot pass unnoticed."""

    fast = _follow_roots(K, w, x_start, x_end, z)
    if fast is not None:
        return fast

    def newton(g, wk):
        prev = np.inf
        for _ in range(30):
            try:
                Wv, Wg = K.W1(g)
                step = (Wv - wk) / Wg
            except ZeroDivisionError:       # g at a pole of W (numpy's W gave inf there): not settled
                return None
            g = g - step
            # done at rounding level, or when the steps, below 1e-12 |g|, stop shrinking (rounding floor of W)
            if abs(step) <= 4e-16 * abs(g) or (abs(step) <= 1e-12 * abs(g) and abs(step) >= 0.5 * prev):
                return g
            prev = abs(step)
        return None
    g = complex(K.real_root(float(x_start), z))
    wprev = complex(x_start)
    out = np.empty(w.size, complex)
    for k, wk in enumerate(w):
        for sub in (1, 4, 16, 64):
            gk = g
            for s in range(1, sub + 1):
                gk = newton(gk, wprev + (wk - wprev) * s / sub)
                if gk is None:
                    break
            if gk is not None:
                break
        else:
            raise NoConvergence("GeneralMu.cauchy_in_gap: Newton along the ellipse did not converge", best=g)
        out[k] = g = gk
        wprev = wk
    end = newton(g, complex(x_end))
    ref = K.real_root(float(x_end), z)
    if end is None or not abs(end - ref) <= 1e-9 * abs(ref):
        raise NoConvergence("GeneralMu.cauchy_in_gap: the continuation along the ellipse did not return to the real "
                            "root at its other end", best=end)
    return out


def _follow_roots(K, w, x_start, x_end, z, sep=0.25):
    """:func:`_continue_on` from all roots at once: the ``n + 1`` roots of ``W(g) = w`` at every node
    (:meth:`_AtomicW.roots_at`, one batched eigenvalue call), and along the path, node after node, the root nearest to
    the Euler prediction ``g + dw/W'(g)`` from the previous node, accepted only when it is nearer than ``sep`` times
    the distance to every other root (the branch followed is then unambiguous: a prediction error small against the
    roots' separation); Newton on all nodes at once polishes them (the stopping rule of the node-by-node Newton).
    Ends at ``x_end`` with the same test and must arrive at the real root there.  ``None`` when a node is ambiguous or the arrival fails: the caller continues
    node by node with Newton (smaller steps near a branch point)."""
    pts = np.concatenate([np.asarray(w, complex), [complex(x_end)]])
    R = K.roots_at(pts).tolist()
    g = complex(K.real_root(float(x_start), z))
    wprev = complex(x_start)
    out = []
    for wk, row in zip(pts.tolist(), R):
        try:
            _, Wg = K.W1(g)
            pred = g + (wk - wprev) / Wg
        except ZeroDivisionError:
            return None
        ds = [abs(v - pred) for v in row]
        j = min(range(len(ds)), key=ds.__getitem__)
        d2 = min(ds[:j] + ds[j + 1:], default=np.inf)
        if not ds[j] <= sep * d2:
            return None
        g, wprev = row[j], wk
        out.append(g)
    g = np.array(out)
    # Newton at every node with the stopping rule of the node-by-node continuation: a step at rounding level, or
    # steps below 1e-12 |g| that stop shrinking (W's rounding floor; near a double root Newton is only linear)
    act = np.ones(g.size, bool)
    prev = np.full(g.size, np.inf)
    with np.errstate(all="ignore"):
        for _ in range(30):
            Wv, Wg, _ = K.W(g[act])
            dg = (Wv - pts[act]) / Wg
            g[act] -= dg
            step = np.abs(dg)
            ga = np.abs(g[act])
            done = (step <= 4e-16 * ga) | ((step <= 1e-12 * ga) & (step >= 0.5 * prev[act]))
            prev[act] = step
            idx = np.flatnonzero(act)
            act[idx[done | ~np.isfinite(step)]] = False
            if not act.any():
                break
    if act.any() or not np.all(np.isfinite(g)):
        return None
    ref = K.real_root(float(x_end), z)
    if not abs(g[-1] - ref) <= 1e-9 * abs(ref):
        return None
    return g[:-1]


# ----------------------------------------------------------------------------- rho from the exact G_mu
def rho_map(gm, g1, u):
    """The real/complex inverse map of rho (n x n law, rate 1/gamma1, jumps gamma1 mu) in the variable
    ``u = 1/(gamma1 G_rho)``: ``X(u) = (gamma1 - 1) u + u^2 G_mu(u)`` and ``X'(u)`` (docs/ntk.md)."""
    G, dG = gm.cauchy_np(u)
    return (g1 - 1) * u + u * u * G, (g1 - 1) + 2 * u * G + u * u * dG


def rho_u_solve(gm, g1, z, u0, tol=1e-15, iters=40):
    """``u(z)`` with ``X(u) = z``, by Newton's method from ``u0`` (all points at once: one call of
    ``gm.cauchy_np`` per step).  A step that would leave the closed upper half-plane is halved.  Each
    point stops when its step is below ``tol |u|`` (the step before reached ``sqrt(tol)``: quadratic
    convergence); points that do not converge are NaN with a PrecisionWarning."""
    z = np.asarray(z, complex).ravel()
    u = np.array(u0, complex).ravel()
    # a real start for a real z (off rho's support, ExactNTKLaw._u): the root is real and G_mu real there; Newton is
    # kept on the real line (rounding of G_mu's imaginary part, ~1e-26 next to a hard edge at 0, made u leave it and the
    # steps halved at the axis never counted as converged: NaN at z = -1.15e-9 for gamma1 = 1, D uniform)
    on_axis = (z.imag == 0) & (u.imag == 0)
    dX = np.full(z.shape, np.nan + 0j)
    imX = np.zeros(z.shape)          # |Im X| relative to |X| at the last evaluation (on the axis: must be rounding)
    prev = np.full(z.shape, np.inf)
    act = np.arange(z.size)
    for _ in range(iters):
        if act.size == 0:
            break
        with np.errstate(all="ignore"):
            X, Xd = rho_map(gm, g1, u[act])
            step = (X - z[act]) / Xd
            step = np.where(on_axis[act], (X.real - z[act].real) / Xd.real + 0j, step)
        dX[act] = Xd
        with np.errstate(all="ignore"):
            imX[act] = np.abs(X.imag) / (np.abs(X) + np.abs(z[act]))
        new = u[act] - step
        halved = np.zeros(act.size, bool)
        for _h in range(30):
            bad = new.imag < 0
            if not np.any(bad):
                break
            halved |= bad
            step[bad] /= 2
            new[bad] = u[act][bad] - step[bad]
        with np.errstate(all="ignore"):
            rel = np.abs(step) / np.abs(u[act])
        # done: the step is at rounding level, or convergence is visibly quadratic (rel <= 10 prev^2) and
        # rel <= 1e-9, so that the error after this step is ~ rel^2 <= 1e-18
        # or the steps stopped shrinking below 1e-9 |u| (the rounding floor of X near an edge of rho, where
        # X' -> 0 amplifies the rounding of G_mu: the error is then ~ the step); never after a step halved to stay
        # in the upper half-plane (not a Newton step: pinned at the real axis it is tiny and "stalls" far from the
        # root, |X(u) - x| ~ 1e-2 for the issue's law at x = 3.448 .. 3.458)
        done = ~halved & ((rel <= tol) | ((rel <= 1e-9) & ((rel <= 10 * prev[act] ** 2) | (rel >= 0.5 * prev[act]))))
        prev[act] = rel
        fail = ~np.isfinite(new)
        u[act] = new
        u[act[fail]] = np.nan
        act = act[~done & ~fail]
    if act.size:
        u[act] = np.nan
    # kept on the axis, Newton sees only Re X: a real u where Re X(u) = x but Im X(u) != 0 (u inside mu's support, where
    # G_mu is not real) is no root; off mu's support Im X is rounding (<= ~1e-15 relative)
    u[on_axis & (imX > 1e-10)] = np.nan
    if np.any(~np.isfinite(u)):
        warnings.warn(f"ntk_law(method='exact'): Newton for u = 1/(gamma1 G_rho) failed at {int(np.sum(~np.isfinite(u)))} "
                      f"point(s); NaN returned there", PrecisionWarning, stacklevel=3)
    return u, dX


def rho_u_solve_mp(gm, g1, z, u0, ctx, iters=60):
    """``u(z)`` at the precision of ``ctx`` by Newton from ``u0`` with ``gm.cauchy_mp``; raises NoConvergence."""
    u = ctx.mpc(u0)
    z = ctx.mpc(z)
    tol = ctx.mpf(2) ** (-ctx.prec + 6)
    for _ in range(iters):
        G, dG = gm.cauchy_mp(u, ctx)
        step = ((g1 - 1) * u + u * u * G - z) / ((g1 - 1) + 2 * u * G + u * u * dG)
        u -= step
        if abs(step) <= tol * abs(u):
            return u
    raise NoConvergence("ntk_law(method='exact'): Newton for u at working precision did not converge",
                        best=u, residual=float(abs(step)))


def _illinois(f, a, b, fa, fb, tol=1e-15, iters=100):
    """Root of a scalar ``f`` in the bracket ``[a, b]`` (``fa``, ``fb`` of opposite signs)."""
    for _ in range(iters):
        if abs(b - a) <= tol * max(abs(a), abs(b)):
            break
        c = (a * fb - b * fa) / (fb - fa)
        if not min(a, b) < c < max(a, b):
            c = (a + b) / 2
        fc = f(c)
        if np.sign(fc) != np.sign(fb):
            a, fa = b, fb
        else:
            fa /= 2
        b, fb = c, fc
    return b


def _mu_blocks(gm):
    """The singular set of ``G_mu`` on ``(0, oo)`` as sorted closed blocks ``[lo, hi]``: the continuous support
    (atomic nu: :meth:`GeneralMu.support`; otherwise ``[0, E]``) and the atoms at ``t > 0`` (``[t, t]``), merged."""
    E = gm.right_edge()
    if gm._atomic_exact() is None:
        ivs = [(0.0, E)]
    else:
        ivs = list(gm.support())
    ivs += [(float(as_float(t)), float(as_float(t))) for t, m in gm.atoms() if as_float(t) > 0 and as_float(m) > 0]
    ivs.sort()
    out = []
    for lo, hi in ivs:
        if out and lo <= out[-1][1]:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return out


# long: the samples serve the convexity bound, the bracket of the minimum and the two crossings
def _rho_gap_in(gm, g1, p, q, rounds=40):
    """``{u in (p, q): X'(u) > 0}`` for a bounded gap ``(p, q)`` of mu (between blocks of :func:`_mu_blocks`):
    ``None`` or ``(ua, ub)`` (``None`` for an end of the gap reached by that set: a soft edge of mu).

    ``X'(u) = gamma1 - h(u)``, ``h(u) = int t^2 d mu(t)/(u - t)^2``: ``h`` is convex on every real interval off
    mu's support and atoms (each term is), so the set is one interval at most (docs/ntk.md, "Edges of rho").
    From samples graded towards both ends, the smallest sample ``v2`` and its neighbours ``v1 < v2 < v3`` bracket the
    minimum of ``h``; the bracket is halved around the smallest sample until a sample falls below ``gamma1`` (a gap of
    rho: its two ends solved on the brackets the samples give) or a lower bound of ``h`` is above ``gamma1`` (no gap
    of rho there: proved).  The bound, by convexity: ``h >= h(v1)`` left of ``v1``, ``h >= h(v3)`` right of ``v3``, and
    on ``[v1, v3]`` ``h`` is above the secants through ``(v0, v1)`` and ``(v3, v4)`` (a secant lies below a convex
    function outside its segment)."""
    def hval(u):
        G, dG = gm.cauchy_off_support(np.asarray(u, float))
        return g1 - (g1 - 1 + 2 * u * G + u * u * dG)
    s = np.unique(np.concatenate([np.geomspace(1e-4, 0.5, 8), 1 - np.geomspace(1e-4, 0.5, 8)]))
    us = p + (q - p) * s
    hs = hval(us)
    for _ in range(rounds):
        if np.any(hs < g1):
            break
        m = int(np.argmin(hs))
        if m == 0 or m == us.size - 1:        # the minimum next to an end: a bound, else sample closer to it
            e, u0 = (p, us[0]) if m == 0 else (q, us[-1])
            if us.size >= 3:
                # by convexity h decreases towards that end from the second sample on (h >= h there), and above the
                # secants of the last three samples extended towards the end (each line's least value at the far
                # end of its stretch): a soft edge of mu with h finite there is then proved off rho's gaps
                u3, h3 = (us[:3], hs[:3]) if m == 0 else (us[-1:-4:-1], hs[-1:-4:-1])   # from the end inwards
                s_out = (h3[0] - h3[1]) / (u3[0] - u3[1])
                s_in = (h3[1] - h3[2]) / (u3[1] - u3[2])
                bound = min(h3[1], h3[1] + s_in * (u3[0] - u3[1]), h3[0] + s_out * (e - u3[0]))
                if bound > g1:
                    return None       # proved: h > gamma1 on the whole gap
            if abs(u0 - e) <= 1e-10 * (q - p):
                break
            new = np.array([e + 0.1 * (u0 - e)])
        else:
            ext = lambda k: (us[k], hs[k]) if 0 <= k < us.size else None      # noqa: E731
            v1, v3 = ext(m - 1), ext(m + 1)
            bound = min(v1[1], v3[1])
            L1, L2 = ext(m - 2), ext(m + 2)
            if L1 is not None and L2 is not None:
                s1 = (v1[1] - L1[1]) / (v1[0] - L1[0])
                s2 = (L2[1] - v3[1]) / (L2[0] - v3[0])
                # the two secants on [v1, v3]: their max is smallest at their crossing (or at an end)
                cand = [v1[0], v3[0]]
                if s1 != s2:
                    xc = (v3[1] - v1[1] + s1 * v1[0] - s2 * v3[0]) / (s1 - s2)
                    if v1[0] < xc < v3[0]:
                        cand.append(xc)
                inner = min(max(v1[1] + s1 * (xx - v1[0]), v3[1] + s2 * (xx - v3[0])) for xx in cand)
                bound = min(bound, inner)
                if bound > g1:
                    return None       # proved: h > gamma1 on the whole gap
            new = np.array([(v1[0] + us[m]) / 2, (us[m] + v3[0]) / 2])
        us = np.concatenate([us, new])
        hs = np.concatenate([hs, hval(new)])
        o = np.argsort(us)
        us, hs = us[o], hs[o]
    if not np.any(hs < g1):
        warnings.warn(f"rho's support: in mu's gap ({p:.15g}, {q:.15g}) h = gamma1 - X' comes within "
                      f"{np.min(hs) - g1:.2g} of gamma1 and no bound decides; no gap of rho is reported there",
                      PrecisionWarning, stacklevel=3)
        return None
    below = np.nonzero(hs < g1)[0]
    i, j = below[0], below[-1]

    def Xd(u):
        return float(g1 - hval(np.array([u]))[0])
    if i == 0:
        ua = _soft_end(hval, g1, p, us[0], -1)
    else:
        ua = _illinois(Xd, us[i - 1], us[i], g1 - hs[i - 1], g1 - hs[i])
    if j == us.size - 1:
        ub = _soft_end(hval, g1, q, us[-1], 1)
    else:
        ub = _illinois(Xd, us[j], us[j + 1], g1 - hs[j], g1 - hs[j + 1])
    return ua, ub


def _soft_end(hval, g1, e, u0, side):
    """The crossing of ``h = gamma1`` between the sample ``u0`` (below) and the end ``e`` of the gap, or None when
    ``h`` stays below ``gamma1`` up to ``1e-10`` of the distance (a soft edge of mu: rho's edge is ``X(e)``)."""
    d = np.geomspace(abs(u0 - e), 1e-10 * max(abs(u0 - e), abs(e)), 24)
    us = e - side * d
    hs = hval(us)
    k = np.nonzero(hs >= g1)[0]
    if k.size == 0:
        return None
    i = int(k[0])
    a_, b_ = (u0, us[0]) if i == 0 else (us[i - 1], us[i])
    ha = g1 - (hval(np.array([a_]))[0] if i == 0 else hs[i - 1])
    return _illinois(lambda u: float(g1 - hval(np.array([u]))[0]), a_, us[i], ha, g1 - hs[i])


def _X_at(gm, g1, u):
    G, _ = gm.cauchy_off_support(np.array([u], float))
    return float((g1 - 1) * u + u * u * G[0])


def _X_end(gm, g1, e, side, with_slope=False):
    """``X(e)`` at a soft edge ``e`` of mu, from outside (``side = +1``: right of ``e``): ``X(e + d) - d X'(e + d)``,
    ``d = side 1e-10 max(|e|, ...)`` (error ``O(d^{3/2})``); with ``with_slope``, ``(X(e), X'(e + d))``."""
    u = e + side * 1e-10 * abs(e)
    G, dG = gm.cauchy_off_support(np.array([u], float))
    X = (g1 - 1) * u + u * u * G[0]
    Xd = g1 - 1 + 2 * u * G[0] + u * u * dG[0]
    val = float(X - (u - e) * Xd)
    return (val, float(Xd)) if with_slope else val


# long: the three kinds of real intervals off mu's singular set (left, bounded gaps, right) share X and the blocks
def rho_support(gm, g1):
    """Support of rho's continuous part, every piece: ``[(lo, hi, u_lo, u_hi), ...]`` (``u`` the critical point of
    ``X`` whose value is the edge; None for an edge that is the image ``X(e)`` of a soft edge ``e`` of mu, or for a
    continuous part reaching 0).

    Off rho's support ``u = 1/(gamma1 G_rho)`` is real, off the support and atoms of mu, with ``X'(u) > 0``; the real
    line minus rho's support is the image by ``X`` of ``{u real off mu's singular set: X'(u) > 0}``.  With
    ``X'(u) = gamma1 - int t^2 d mu(t)/(u - t)^2`` (convex ``h = gamma1 - X'`` on every interval off mu's singular
    set) that set is one interval at most on each such interval: on ``(-oo, b1)`` (``h`` increasing from 0) it is
    ``(-oo, u1)``, on ``(E, oo)`` (``h`` decreasing to 0) ``(u2, oo)``, on each bounded gap of mu at most one
    interval (:func:`_rho_gap_in`), i.e. at most one gap of rho per gap of mu (docs/ntk.md)."""
    blocks = _mu_blocks(gm)
    E = blocks[-1][1]

    def Xd_arr(u):
        G, dG = gm.cauchy_off_support(np.asarray(u, float))
        return g1 - 1 + 2 * u * G + u * u * dG

    def Xd(u):
        return float(Xd_arr(np.array([u]))[0])
    # right: (E, oo), X' increasing to gamma1 (h = gamma1 - X' decreases there: each t^2/(u - t)^2 does), so X' > 0 at
    # E + d (the point from which X(E+) is extrapolated) proves X' > 0 on (E + d, oo): no critical point, the edge is
    # X(E+), one value of G_mu (the scan below costs 28, those next to E the dearest)
    end = _X_end(gm, g1, E, 1, with_slope=True)
    k = np.zeros(0, int)
    if not end[1] > 0:
        s = E * np.geomspace(1e-8, 8, 28)
        vals = Xd_arr(E + s)
        k = np.nonzero((vals[:-1] < 0) & (vals[1:] >= 0))[0]
    if k.size == 0:
        u_hi, hi = None, end[0]
    else:
        i = int(k[-1])
        u_hi = _illinois(Xd, E + s[i], E + s[i + 1], vals[i], vals[i + 1])
        hi = _X_at(gm, g1, u_hi)
    # left: (-oo, b1), X' decreasing from gamma1
    b1 = blocks[0][0]
    if b1 > 0 and g1 == 1 and sum(float(as_float(m)) for t, m in gm.atoms() if as_float(t) == 0) == 0:
        # G_mu analytic at 0, so X'(0) = gamma1 - 1 + [2uG + u^2 G']_0 = 0: the crossing is u = 0 itself, X(0) = 0, a hard
        # edge of rho at 0 (the bracketing converged to it through u ~ 1e-162, where W's terms overflow)
        u_lo, lo = None, 0.0
    else:
        if b1 > 0:      # (0, b1): a gap of mu below its first atom or piece (ellipse-free: cauchy_in_gap, point by point)
            us = np.concatenate([-E * np.geomspace(8, 1e-6, 20), b1 * (1 - np.geomspace(0.9, 1e-9, 12))])
        else:
            us = np.sort(-E * np.geomspace(1e-6, 8, 24))
        vals = Xd_arr(us)
        k = np.nonzero((vals[:-1] > 0) & (vals[1:] <= 0))[0]
        if k.size == 0:
            u_lo = None
            lo = 0.0 if b1 == 0 else _X_end(gm, g1, b1, -1)
        else:
            i = int(k[0])
            u_lo = _illinois(Xd, us[i], us[i + 1], vals[i], vals[i + 1])
            lo = _X_at(gm, g1, u_lo)
    # the gaps of mu between blocks: at most one gap of rho each
    cuts = []
    for (_, p), (q, _) in zip(blocks[:-1], blocks[1:]):
        r = _rho_gap_in(gm, g1, p, q)
        if r is None:
            continue
        ua, ub = r
        xa = _X_at(gm, g1, ua) if ua is not None else _X_end(gm, g1, p, 1)
        xb = _X_at(gm, g1, ub) if ub is not None else _X_end(gm, g1, q, -1)
        cuts.append((xa, xb, ua, ub))
    cuts.sort()
    pieces = []
    start, us_ = lo, u_lo
    for xa, xb, ua, ub in cuts:
        pieces.append((start, xa, us_, ua))
        start, us_ = xb, ub
    pieces.append((start, hi, us_, u_hi))
    return pieces
