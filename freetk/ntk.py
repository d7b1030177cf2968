r"""The eigenvalue law of the two-layer NTK in the quadratic scaling (docs/paper.md, docs/ntk.md).

``ntk_law`` returns the **n x n** law ``rho`` of ``K`` (an :class:`NTKLaw`): the free
compound Poisson law with rate ``1/gamma1`` and jumps ``gamma1 * mu``, where ``mu``
(:class:`NTKMu`, attribute ``law.mu``) is the **dp x dp** law of the population operator
``Sigma(U) = a U D^2 + c1^2 (U B^T B + B U^T B)``.  ``law.companion`` is the dp x dp law
``MP(1/gamma1) ⊠ mu`` of ``(1/n) sum_i z_i z_i^T``.

Routes for ``mu`` (``method=``):

* ``"closed"`` — the closed-form family (docs/ntk.md): ``D^2`` constant or ``a = 0``.  ``mu`` is
  an explicit mixture of an atom and the law of ``a t + c1^2 (lambda + lambda')`` with
  ``lambda, lambda'`` i.i.d. from ``rho_B`` (free compound Poisson, rate gamma2, jumps nu);
  ``G_mu`` is one integral of the closed-form ``G_{rho_B}`` against ``rho_B`` with
  edge-adapted quadrature.
* ``"moments"`` — general ``nu`` (docs/ntk.md): exact/ball-arithmetic moments of ``mu`` from the
  two-variable series (:mod:`freetk.ntk_series`), Jacobi matrix, Gauss quadrature, then
  ``rho`` through its equation.  The error is estimated by comparing two rule sizes.
* ``"exact"`` — general ``nu`` without discretisation (atoms, ``D`` uniform on a symmetric interval, or
  mixtures): ``G_mu`` from the contour integral of :class:`freetk.ntk_general.GeneralMu`, ``rho`` from
  its explicit inverse map in ``u = 1/(gamma1 G_rho)`` (:class:`ExactNTKLaw`).  Opt-in: exact in the bulk
  but slow (docs/benchmarks.md); ``"auto"`` keeps the moment route for general ``nu``.
* ``c1 = 0`` (even ``phi``): ``mu`` is the law of ``a T`` exactly, whatever ``method``.
"""
from dataclasses import dataclass
from fractions import Fraction
import functools
import warnings

import flint
import mpmath
import numpy as np
import sympy

from . import series as _series
from . import validation as _v
from .convolution import free_mul
from .errors import InvalidArgument, NoConvergence, NotAMeasure, PrecisionWarning
from .validation import check_order
from .hermite import HermiteData, hermite_data
from .inversion import gauss_from_jacobi, jacobi_from_moments, terminated_cf
from .kernels.edges import (Interval, fcp_discrete_support, free_poisson_real_pair, free_poisson_unit_edges,
                            ntk_mu_real_pair, real_pair)
from .kernels.edges import union as _union
from .kernels.fixed_point import fcp_system, upper
from .kernels import fixed_point, quadrature
from .kernels.ntk_closed import mu_cauchy_log_arg, mu_cauchy_pair
from .measures import registry
from .measures.atoms import Atoms
from .measures.base import Measure, as_float, as_mp, check_positive, exact
from .measures.classical import Uniform, UniformSquared
from .measures.mixture import Mixture
from .measures.general import Affine, FromDensity, FromMoments
from .measures.marchenko_pastur import FreeCompoundPoisson, FreePoisson, marchenko_pastur
from .ntk_nu import t_parts
from .ntk_general import GeneralMu, rho_map, rho_support, rho_u_solve, rho_u_solve_mp
from .ntk_series import mu_moments_arb, mu_moments_exact, mu_moments_kernel, mu_moments_numeric, to_arb
from .numeric import edge_nodes, gauss_legendre, simplify
from .precision import check_dps, check_reference_dps, context, round_to


METHODS = ("auto", "closed", "moments", "exact")


# ----------------------------------------------------------------------------- the law of T = D^2

def _squared_atoms(atoms):
    """Atoms ``(t, w)`` of ``T = D^2`` from atoms ``(x, w)`` of D (``x`` and ``-x`` merged), sorted by ``t``."""
    acc = {}
    for x, w in atoms:
        t = sympy.expand(sympy.sympify(x) ** 2)
        acc[t] = acc.get(t, 0) + w
    return sorted(acc.items(), key=lambda p: as_float(p[0]))

class TLaw:
    """The law ``nu`` of ``T = D^2``: exact moments, a Measure, and its point mass if any."""

    def __init__(self, d_law):
        self.unbounded = False
        self._t_atoms = None        # atoms of T of a mixture's atomic parts (below)
        if isinstance(d_law, str):
            named = registry.d_law(d_law)
            if not named.bounded:
                self.unbounded = True
                self.D = None
                self.name = named.name
                self._tau = named.t_moment
                self.measure = FromMoments(lambda k: self._tau(k))
                self.point = None
                return
            d_law = named.measure()
        if not isinstance(d_law, Measure):
            raise InvalidArgument(f"Argument `d_law` of `ntk_law` must be a Measure or a name, got "
                                  f"{type(d_law).__name__}")
        self.D = d_law
        self.name = d_law.latex()
        if isinstance(d_law, Atoms):
            # floats are taken at their exact binary value: the moment route needs exact T-moments; float weights are
            # then divided by their exact sum (0.3 and 0.7 sum to 1 - 2^-54 in binary: Atoms refused the rebuilt law,
            # naming `atoms` instead of `d_law`)
            ws = [sympy.Rational(w) if isinstance(w, float) else w for _, w in d_law.atoms()]
            total = sum(ws)
            d_law = Atoms([sympy.Rational(x) if isinstance(x, float) else x for x, _ in d_law.atoms()],
                          [w / total for w in ws] if total != 1 and all(v.is_Rational for v in ws) else ws)
            tw = _squared_atoms(d_law.atoms())
            self.measure = Atoms([t for t, _ in tw], [w for _, w in tw])
            self.point = tw[0][0] if len(tw) == 1 else None
        elif isinstance(d_law, Uniform) and d_law.parameters["lo"] == -d_law.parameters["hi"]:
            self.measure = UniformSquared(d_law.parameters["hi"])
            self.point = None
        else:
            self.measure = FromMoments(lambda k: d_law.moments(2 * k)[2 * k])
            self.point = None
            if isinstance(d_law, Mixture):      # its atomic parts give atoms of T (mu's atoms need them)
                self._t_atoms = _squared_atoms(d_law.atoms())
        # all moments of D up to 2k in one call (a call per k recomputed them all: O(k^2) sympy work)
        self._tau = None
        self._d_law = d_law

    def tau(self, k):
        """``[E T^0, ..., E T^k]`` (exact)."""
        if self._tau is None:
            m = self._d_law.moments(2 * k)
            return [m[2 * j] for j in range(k + 1)]
        return [self._tau(j) for j in range(k + 1)]

    def atoms(self):
        if self._t_atoms is not None:
            return list(self._t_atoms)
        return self.measure.atoms() if isinstance(self.measure, Atoms) else []


# ----------------------------------------------------------------------------- mu
class NTKMu(Measure):
    """The dp x dp law ``mu(a, c1, gamma2, nu)`` (docs/ntk.md)."""

    def __init__(self, a, c, gamma2, tlaw, method="auto", nodes=32):
        super().__init__()
        self._a, self._c, self._r, self._T = a, c, gamma2, tlaw
        self._nodes = int(nodes)
        symbolic = any(isinstance(v, sympy.Basic) and v.free_symbols for v in (a, c, gamma2))
        self._symbolic = symbolic
        if method not in METHODS:
            raise InvalidArgument(f"Argument `method` of `ntk_law` must be one of {', '.join(map(repr, METHODS))}, "
                                  f"got {method!r}")
        c_zero = (not symbolic) and as_float(c) == 0
        # numerics of the closed-form family need a closed-form rho_B: D^2 constant.  (For a = 0 and
        # a general nu the closed-form formula holds too, but rho_B is then itself the solution of an
        # equation and nesting the two solvers costs ~10^4 more; the moment route is used and the
        # formula is checked against it at the level of exact moments.)
        closed_ok = tlaw.point is not None
        if method == "closed" and not closed_ok and not c_zero:
            raise InvalidArgument("ntk_law(method='closed') needs D^2 constant (the closed-form family) for its numerics; "
                                  "use method='moments' (or 'auto') for this d_law")
        self._impl = make_route(self, method, closed_ok, c_zero)
        if hasattr(self._impl, "cdf_np"):      # the route's own cdf (exact route: contour integrals of G_mu)
            self._cdf_np = self._impl.cdf_np
        self._latex_name = r"\mu"

    # ---- parameters
    @property
    def route(self):
        """Which route computes the numerics: 'closed', 'moments', 'exact' or 'c1=0'."""
        return self._impl.name

    @property
    def t_law(self):
        return self._T

    def _tbar(self):
        return self._T.point if self._T.point is not None else sympy.Integer(0)

    # ---- exact layer
    def _moments(self, k):
        return mu_moments_exact(self._a, self._c, self._r, self._T.tau(k + 1), k)

    def moments_numeric(self, k, dps=30):
        """``[m_0..m_k]`` as mpmath numbers correct to ``dps`` digits: FLINT ball arithmetic on the
        moment series, precision doubled until every ball is that narrow.  Fast also when the exact
        moments carry ``pi`` (ReLU: 64 moments in a fraction of a second); ``moments(k)`` gives the
        same numbers exactly."""
        k = check_order("NTKMu.moments_numeric", "k", k)
        dps = check_order("NTKMu.moments_numeric", "dps", dps)
        if dps < 1:
            raise InvalidArgument(f"Argument `dps` of `NTKMu.moments_numeric` must be >= 1, got {dps}")
        return mu_moments_numeric(self._a, self._c, self._r, self._T.tau(k + 1), k, dps)

    # ---- atoms (finite-size determinant identity, docs/ntk.md: zeros minus poles at z = a t)
    def atoms(self):
        if self._symbolic:
            return []
        a, c, r = self._a, self._c, self._r
        if as_float(c) == 0:
            acc = {}
            for t, w in self._T.atoms():
                acc[simplify(a * t)] = acc.get(simplify(a * t), 0) + w
            return sorted(acc.items(), key=lambda p: as_float(p[0]))
        if as_float(a) == 0:
            q = 1 - sum(w for t, w in self._T.atoms() if as_float(t) == 0)
            mass = simplify(1 - q + r * q ** 2 / 2) if as_float(r * q) <= 1 else simplify(1 - 1 / (2 * r))
            return [(sympy.Integer(0), mass)]
        out = []
        for t, w in self._T.atoms():
            if as_float(t) == 0:
                out.append((sympy.Integer(0), w))
            else:
                mass = simplify(r * w ** 2 / 2) if as_float(r * w) <= 1 else simplify(w - 1 / (2 * r))
                out.append((simplify(a * t), mass))
        return out

    # ---- rho_B for the closed-form family
    def rho_B(self):
        """The law of ``B B^T`` (d x d): free compound Poisson, rate gamma2, jumps nu."""
        if "rhoB" not in self._cache:
            if self._T.point is not None:
                rb = FreePoisson(self._r, self._T.point)
            else:
                rb = FreeCompoundPoisson(self._r, self._T.measure)
            self._cache["rhoB"] = rb
        return self._cache["rhoB"]

    def _closed_parts(self):
        """Atom of rho_B at 0, its support intervals, and t-bar."""
        rb = self.rho_B()
        A = sum(as_float(w) for x, w in rb.atoms() if as_float(x) == 0)
        return rb, A, rb.support(), as_float(self._a * self._tbar())

    def support(self, dps=None):
        """Support intervals of ``mu``; with ``dps=N`` (closed-form family) the edges ``at + c (e1 + e2)``
        and ``at + c e`` (``e`` the edges of ``rho_B``) to ``N`` digits from the exact parameters."""
        if dps is not None:
            dps = check_dps("NTKMu.support", dps)
            if self.route != "closed":
                raise InvalidArgument(f"NTKMu.support(dps=...) is available on the closed-form route, not on "
                                      f"{self.route!r}; use dps=None")
            ctx = context(dps)
            rb, A, c, r, at = self._impl._parts_mp(ctx)
            ivs = _mixture_support(_mp_support(rb, ctx), A, at, c)
            return [(round_to(lo, dps), round_to(hi, dps)) for lo, hi in ivs]
        if "support" not in self._cache:
            self._cache["support"] = self._impl.support()
        return self._cache["support"]

    def smooth_pieces(self):
        return self._impl.smooth_pieces()

    # ---- Gauss rule from the moments (general route)
    def _recurrence(self, n, continuous, extra_digits):
        """Recurrence coefficients (mpmath) of mu, or of its continuous part (the known atoms removed
        from the moments and the rest renormalised), from ``2n`` moments in ball arithmetic.  The
        Chebyshev algorithm runs at ``1.2 n + 30 + extra_digits`` digits, doubled while a coefficient
        comes out non-positive (the Hankel matrix worse conditioned than guessed)."""
        atoms = self.atoms() if continuous else []
        key = ("recurrence", n, bool(atoms), extra_digits)     # no atoms: the continuous part is mu itself
        if key not in self._cache:
            work = max(40, int(1.2 * n) + 30) + extra_digits
            for _ in range(4):
                m = self.moments_numeric(2 * n - 1, dps=work)
                try:
                    ctx = context(work)
                    if atoms:
                        wa = [(as_mp(x0, ctx), as_mp(w, ctx)) for x0, w in atoms]
                        rest = 1 - ctx.fsum(w for _, w in wa)
                        m = [(ctx.convert(m[k]) - ctx.fsum(w * x0 ** k for x0, w in wa)) / rest
                             for k in range(len(m))]
                    self._cache[key] = jacobi_from_moments(m, n, ctx)
                    break
                except NotAMeasure:
                    work *= 2
            else:
                raise NotAMeasure(f"NTKMu: no {n}-term recurrence even at {work} digits")
        return self._cache[key]

    def gauss(self, n=None, dps=None):
        """``n``-point Gauss rule of ``mu`` from its first ``2n`` moments (default n = nodes)."""
        n = n or self._nodes
        key = ("gauss", n, dps)
        if key not in self._cache:
            a, b = self._recurrence(n, False, dps or 15)
            self._cache[key] = gauss_from_jacobi(a, b, dps)
        return self._cache[key]

    def jacobi(self, n=None, continuous=False):
        """Recurrence coefficients ``(alpha, beta)`` (double) of the first ``n`` orthogonal polynomials
        of mu, or with ``continuous=True`` of its continuous part."""
        a, b = self._recurrence(n or self._nodes, continuous, 15)
        return np.array([float(v) for v in a]), np.array([float(v) for v in b])

    def _pdf_cf(self, x, n):
        """Density of mu (moment route) by Stieltjes inversion of the Jacobi continued fraction of its
        continuous part (atoms known exactly and removed) with a square-root terminator.  Converges
        like ~1/n^2 in the bulk (measured: 1.5e-4 relative at n = 48 against the closed form for
        nu = delta_1); ``pdf_error`` compares n and n/2."""
        a, b = self.jacobi(n, continuous=True)
        rest = 1 - sum(w for _, w in self.atoms_float())
        g = terminated_cf(np.asarray(x, float) + 0j, a, b, np.sqrt)
        return rest * np.clip(-g.imag / np.pi, 0, None)

    def pdf_error(self, x, dps=30):
        """Estimated absolute error of ``pdf(x)``: the route's own estimate when it has one (moment
        route: continued fractions with ``n`` and ``n/2`` coefficients), else a ``dps``-digit
        re-evaluation."""
        check_reference_dps(f"{type(self).__name__}.pdf_error", dps)
        _v.points(f"{type(self).__name__}.pdf_error", "x", x)
        err = self._impl.pdf_error(np.asarray(x, float))
        return err if err is not None else super().pdf_error(x, dps=dps)

    # ---- numerics: delegated to the route
    def _cauchy_np(self, z):
        return self._impl.cauchy_pair_np(np.asarray(z, complex))[0]

    def _cauchy_pair_np(self, z):
        return self._impl.cauchy_pair_np(np.asarray(z, complex))

    def _cauchy_mp(self, z, ctx):
        return self._impl.cauchy_mp(z, ctx)

    def _pdf_np(self, x):
        return self._impl.pdf_np(np.asarray(x, float))

    def _pdf_mp(self, x, ctx):
        return self._impl.pdf_mp(x, ctx)

    def _cdf_generic_mp(self, x, ctx):
        # the generic cdf integrates pdf(dps=...) (``x`` is validated before): where the route refuses that, the cdf
        # is refused under its own name, with the density's reason
        try:
            return super()._cdf_generic_mp(x, ctx)
        except InvalidArgument as e:
            raise InvalidArgument(f"NTKMu.cdf(dps=...) is not available on the {self.route!r} route, where it would "
                                  f"integrate pdf(dps=...): {e}") from None

    def latex(self):
        return r"\mu"


def _ratio(v):
    man, exp = mpmath.mpf(v).man_exp
    return (int(man) * 2 ** int(exp), 1) if exp >= 0 else (int(man), 2 ** int(-exp))


# ----------------------------------------------------------------------------- routes for mu
class MuRoute:
    """How the numerics of ``mu`` are computed: one class per route, chosen by :func:`make_route`.

    A route implements ``cauchy_pair_np(z) -> (G, G')`` (complex arrays), ``cauchy_mp(z, ctx)``,
    ``pdf_np(x)``, ``pdf_mp(x, ctx)``, ``support()``; ``smooth_pieces()`` and ``pdf_error(x)``
    (None: the generic re-evaluation at higher precision) have defaults.  A new route is one class
    here and one line in :func:`make_route`.
    """

    name = ""

    def __init__(self, mu):
        self.mu = mu

    def smooth_pieces(self):
        return self.mu.support()

    def pdf_error(self, x):
        return None

    def pdf_mp(self, x, ctx):
        raise InvalidArgument(f"NTKMu.pdf(dps=...) is not available on the {self.name!r} route; use dps=None")


class EvenPhiRoute(MuRoute):
    """``c1 = 0`` (even ``phi``): ``mu`` is the law of ``a T``."""

    name = "c1=0"

    def cauchy_pair_np(self, z):
        mu = self.mu
        a = as_float(mu._a)
        if a == 0:
            return 1 / z, -1 / z ** 2
        g, dg = mu._T.measure._cauchy_pair_np(z / a)
        return g / a, dg / (a * a)

    def cauchy_mp(self, z, ctx):
        mu = self.mu
        a = as_mp(mu._a, ctx)
        return 1 / z if a == 0 else mu._T.measure._cauchy_mp(z / a, ctx) / a

    def pdf_np(self, x):
        mu = self.mu
        a = as_float(mu._a)
        return np.asarray(mu._T.measure.pdf(x / a), float) / a if a > 0 else np.zeros_like(x)

    def pdf_mp(self, x, ctx):
        mu = self.mu
        a = as_mp(mu._a, ctx)
        return mu._T.measure._pdf_mp(x / a, ctx) / a if a > 0 else ctx.mpf(0)

    def support(self):
        mu = self.mu
        return [(as_float(mu._a) * lo, as_float(mu._a) * hi) for lo, hi in mu._T.measure.support()]


class MomentRoute(MuRoute):
    """General ``nu``: Gauss rule of ``mu`` from its exact moments (``mu.gauss()``)."""

    name = "moments"

    def _bounded(self):
        """Every numeric of this route stands for mu by a Gauss rule or a continued fraction with a bounded-support
        terminator: refused for unbounded D (docs/ntk.md, "What ntk_law returns")."""
        T = self.mu._T
        if T.unbounded:
            raise InvalidArgument(
                f"ntk_law(d_law={T.name!r}): D is unbounded, so mu and rho have unbounded support and the moment route's "
                "discretised mu (a Gauss rule from the moments, a continued fraction closed as on a bounded interval) "
                "does not stand for them: for ReLU, gamma1 = 3, gamma2 = 1 the first moment of mu's density came out "
                "0.164 against the exact 1/4. Only the exact moments are available for this law (moments, "
                "free cumulants, latex); density, cdf, support and Cauchy transform are refused")

    def rule(self, dps=None):
        """Nodes and weights standing for mu: its atoms, exactly (known in closed form), and the
        Gauss rule of its continuous part scaled by the continuous mass.  (A Gauss rule of the whole
        of mu puts a node next to each atom instead of on it, e.g. at 3e-7 for an atom at 0: rho then
        carries a narrow bump there besides its exact atom, and its mass exceeds 1.)"""
        self._bounded()
        mu = self.mu
        key = ("moment rule", dps)
        if key not in mu._cache:
            atoms = mu.atoms()
            if not atoms:
                mu._cache[key] = mu.gauss(dps=dps) if dps is not None else gauss_from_jacobi(*mu.jacobi())
            else:
                a, b = mu._recurrence(mu._nodes, True, dps or 15)
                x, w = gauss_from_jacobi(a, b, dps)
                if dps is None:
                    rest = 1 - sum(wa for _, wa in mu.atoms_float())
                    mu._cache[key] = (np.concatenate([[xa for xa, _ in mu.atoms_float()], x]),
                                      np.concatenate([[wa for _, wa in mu.atoms_float()], rest * np.asarray(w)]))
                else:
                    ctx = context(dps)
                    wa = [as_mp(v, ctx) for _, v in atoms]
                    rest = 1 - ctx.fsum(wa)
                    mu._cache[key] = ([as_mp(v, ctx) for v, _ in atoms] + [ctx.convert(v) for v in x],
                                      wa + [rest * ctx.convert(v) for v in w])
        return mu._cache[key]

    def cauchy_pair_np(self, z):
        return _discrete_pair(*self.rule())(z)

    def cauchy_mp(self, z, ctx):
        x, w = self.rule(dps=ctx.dps)
        return ctx.fsum(ctx.convert(wi) / (z - ctx.convert(xi)) for xi, wi in zip(x, w))

    def pdf_np(self, x):
        self._bounded()
        return self.mu._pdf_cf(x, self.mu._nodes)

    def pdf_mp(self, x, ctx):
        self._bounded()
        raise InvalidArgument("NTKMu.pdf(dps=...): the density of mu on the moment route is a "
                              "continued-fraction approximation (about 4 digits); use dps=None")

    def pdf_error(self, x):
        self._bounded()
        mu = self.mu
        return np.abs(mu._pdf_cf(x, mu._nodes) - mu._pdf_cf(x, mu._nodes // 2))

    def support(self):
        x, _ = self.rule()       # the rule rho is computed from (one Jacobi matrix per law, not two)
        return [(0.0, float(max(x)) * 1.02)]


def _discrete_pair(x, w):
    """``z -> (G, G')`` of the discrete law ``sum_i w_i delta_{x_i}`` on complex arrays: one division per
    (point, node).  (Sums, not matrix-vector products: a multi-threaded BLAS makes those 3x slower on a
    loaded machine.)"""
    x, w = np.asarray(x, float), np.asarray(w, float)

    def pair(z):
        z = np.asarray(z, complex)
        inv = 1 / (z.reshape(-1, 1) - x)
        wi = inv * w
        return wi.sum(axis=1).reshape(z.shape), -(wi * inv).sum(axis=1).reshape(z.shape)
    return pair


class ClosedRoute(MuRoute):
    """``D^2`` constant: the explicit mixture, ``G_mu`` by the singularity-aware rule of
    :mod:`freetk.kernels.ntk_closed`."""

    name = "closed"

    def cauchy_pair_np(self, z):
        G, dG, _ = self.closed_pair(z)
        return G, dG

    def closed_pair(self, z, error=False):
        """``(G, G', err)`` on complex ``z`` (``Im z < 0`` by conjugation)."""
        low = z.imag < 0
        zu = np.where(low, np.conj(z), z)
        G, dG, err = mu_cauchy_pair(zu, *self._float_params(), error=error)
        return np.where(low, np.conj(G), G), np.where(low, np.conj(dG), dG), err

    def cauchy_log_arg(self, z):
        """``(G_mu, Im L_mu)`` on complex ``z`` with ``Im z >= 0`` (``L_mu`` the logarithmic potential,
        :func:`freetk.kernels.ntk_closed.mu_cauchy_log_arg`)."""
        return mu_cauchy_log_arg(np.asarray(z, complex), *self._float_params())

    def _float_params(self):
        """``(a t, c, gamma2, t)`` as floats, converted once (the pair is the solver's inner loop: a
        sympy-to-float conversion per call cost more than the quadrature itself)."""
        if not hasattr(self, "_floats"):
            mu = self.mu
            self._floats = (as_float(mu._a * mu._tbar()), as_float(mu._c), as_float(mu._r), as_float(mu._T.point))
        return self._floats

    def _parts_mp(self, ctx):
        """``rho_B``, its atom at 0, ``c``, ``gamma2`` and ``a t`` in the context ``ctx``."""
        mu = self.mu
        rb = mu.rho_B()
        A = sum(as_mp(w, ctx) for x, w in rb.atoms() if as_float(x) == 0)
        return rb, A, as_mp(mu._c, ctx), as_mp(mu._r, ctx), as_mp(mu._a * mu._tbar(), ctx)

    def cauchy_mp(self, z, ctx):
        # G_rho_B = A/w + G^c; the atom-atom and atom-continuous terms in closed form, the rest by
        # tanh-sinh quadrature split where the branch points of G^c(zeta - t) project on the interval
        rb, A, c, r, at = self._parts_mp(ctx)
        first = 1 / (z - at)
        zeta = (z - at) / c

        def gc(w):
            return rb._cauchy_mp(w, ctx) - A / w if A else rb._cauchy_mp(w, ctx)
        inner = A * rb._cauchy_mp(zeta, ctx) + A * gc(zeta) if A else ctx.mpf(0)
        integrand = _free_poisson_integrand(rb, A, zeta, ctx) if isinstance(rb, FreePoisson) else (
            lambda t: rb._pdf_mp(t, ctx) * gc(zeta - t))
        for lo, hi in _mp_support(rb, ctx):
            cuts = sorted({lo, hi} | {v for v in (ctx.re(zeta) - hi, ctx.re(zeta) - lo) if lo < v < hi})
            inner += ctx.quad(integrand, cuts)
        return first + (inner / c - first) / (2 * r)

    def pdf_np(self, x):
        mu = self.mu
        rb, A, sup, at = mu._closed_parts()
        c, r = as_float(mu._c), as_float(mu._r)
        s = (x - at) / c
        out = 2 * A * np.asarray(rb.pdf(s), float)
        for l1, h1 in sup:
            for l2, h2 in sup:
                for i, si in enumerate(s):
                    lo, hi = max(l1, si - h2), min(h1, si - l2)
                    if hi > lo:
                        lam, wq, _ = edge_nodes(lo, hi, 128)
                        out[i] += np.sum(wq * np.asarray(rb.pdf(lam), float) * np.asarray(rb.pdf(si - lam), float))
        return out / (2 * r * c)

    def pdf_mp(self, x, ctx):
        rb, A, c, r, at = self._parts_mp(ctx)
        s = (x - at) / c
        out = 2 * A * rb._pdf_mp(s, ctx)
        for l1, h1 in _mp_support(rb, ctx):
            for l2, h2 in _mp_support(rb, ctx):
                lo, hi = max(l1, s - h2), min(h1, s - l2)
                if hi > lo:
                    out += ctx.quad(lambda t: rb._pdf_mp(t, ctx) * rb._pdf_mp(s - t, ctx), [lo, hi])
        return out / (2 * r * c)

    def support(self):
        mu = self.mu
        c = as_float(mu._c)
        rb, A, sup, at = mu._closed_parts()
        return _mixture_support(sup, A, at, c)

    def smooth_pieces(self):
        mu = self.mu
        rb, A, sup, at = mu._closed_parts()
        c = as_float(mu._c)
        ends = [v for iv in sup for v in iv]
        pts = {at + c * (e1 + e2) for e1 in ends for e2 in ends}   # the limits of the convolution switch
        if A > 0:
            pts |= {at + c * l for l, _ in sup} | {at + c * h for _, h in sup}
        out = []
        for lo, hi in mu.support():
            cuts = sorted([lo, hi] + [t for t in pts if lo < t < hi])
            out += list(zip(cuts[:-1], cuts[1:]))
        return out


def _mixture_support(sup, A, at, c):
    """Support of the closed-form mu, ``at + c (lambda + lambda')`` (``lambda, lambda'`` i.i.d. from rho_B, whose
    continuous part lives on the intervals ``sup`` and whose atom at 0 has mass ``A``): the unions of the sums of two
    intervals, and of the intervals themselves when ``A > 0`` (floats or mpmath numbers alike)."""
    ivs = [(at + c * (l1 + l2), at + c * (h1 + h2)) for l1, h1 in sup for l2, h2 in sup]
    if A > 0:
        ivs += [(at + c * lo, at + c * hi) for lo, hi in sup]
    return _union(ivs)


def _free_poisson_integrand(rb, A, zeta, ctx):
    """``t -> p(t) G^c(zeta - t)`` for the free Poisson law ``rb`` (atom ``A`` at 0 removed from ``G``): the
    operations of ``rb._pdf_mp`` and ``rb._cauchy_mp`` in the same order (the same values, bit for bit),
    with the parameters read once instead of twice per node (the integrand of the quadratures at ``dps``:
    the 17-digit error estimate of ``freetk ntk`` spends its time here)."""
    r, a, lo, hi = rb._params_mp(ctx)
    alo, ahi = a * lo, a * hi
    tpa = 2 * ctx.pi * a
    sqrt = ctx.sqrt

    def f(t):
        q = (ahi - t) * (t - alo)
        if not (q > 0 and t != 0):
            return ctx.mpf(0) * zeta
        w = zeta - t
        u = w / a
        p, s = u + (1 - r), sqrt(u - lo) * sqrt(u - hi)
        g = (2 / (p + s) if abs(p + s) >= abs(p - s) else (p - s) / (2 * u)) / a
        return sqrt(q) / (tpa * t) * (g - A / w if A else g)
    return f


def _mp_support(rb, ctx):
    if isinstance(rb, FreePoisson):
        r, t = as_mp(rb.parameters["rate"], ctx), as_mp(rb.parameters["jump"], ctx)
        lo, hi = free_poisson_unit_edges(r, ctx.sqrt)
        return [(t * lo, t * hi)]
    return [(ctx.mpf(lo), ctx.mpf(hi)) for lo, hi in rb.support()]


class ExactRoute(MuRoute):
    """General ``nu`` without discretisation (``method="exact"``): ``G_mu`` and ``G_mu'`` from the contour
    integral of :class:`freetk.ntk_general.GeneralMu` (docs/ntk.md, "General nu without discretisation").
    The law of D: atoms, uniform, centred arcsine, ``from_density`` with an entire sympy density, or a
    ``mixture`` of those (:func:`freetk.ntk_nu.t_parts` builds the law of ``T``; others refused with the reason).
    ``support()``: for atoms every piece of mu's continuous part, proved (``GeneralMu.support``); for continuous
    laws whose ``T`` reaches 0 ``[(0, E)]``, ``E`` the exact right edge; refused otherwise."""

    name = "exact"

    def __init__(self, mu):
        super().__init__(mu)
        nu = mu._T.measure
        if not isinstance(nu, (Atoms, UniformSquared)):
            if mu._T.D is None:
                raise InvalidArgument("ntk_law(method='exact') needs a bounded law of D; got "
                                      f"{mu._T.name}. Use method='moments' for this d_law")
            nu = t_parts(mu._T.D)       # arcsine, from_density, non-centred uniform, mixtures (InvalidArgument if not)
        self.gm = GeneralMu(mu._a, mu._c, mu._r, nu)

    def cauchy_pair_np(self, z):
        return self.gm.cauchy_np(z)

    def cauchy_mp(self, z, ctx):
        return self.gm.cauchy_mp(z, ctx)[0]

    def pdf_np(self, x):
        E = self.gm.right_edge()
        out = np.zeros(x.shape)
        inside = (x > 0) & (x < E)
        if np.any(inside):
            out[inside] = self.gm.pdf(x[inside])
        return out

    def pdf_error(self, x):
        return self.gm.pdf_error(x)

    def cdf_np(self, x):
        """``mu((-inf, x])`` from contour integrals of ``G_mu`` (:meth:`freetk.ntk_general.GeneralMu._cdf_np`)."""
        return self.gm._cdf_np(x)

    def support(self):
        """Support intervals of mu's continuous part: for a law of D with finitely many atoms every piece, proved
        (:meth:`freetk.ntk_general.GeneralMu.support`); for a continuous law of D whose ``T = D^2`` reaches 0
        (uniform, centred arcsine, a density on an interval containing 0) ``[(0, E)]``, ``E`` the exact right edge;
        otherwise (atoms next to a continuous part, T bounded away from 0) refused (:meth:`GeneralMu.support`)."""
        if isinstance(self.mu._T.measure, Atoms):
            return [(float(lo), float(hi)) for lo, hi in self.gm.support()]
        return [(float(lo), float(hi)) for lo, hi in self.gm.support()]


#: small ratios narrow mu's pieces (width ~ 4 sqrt(gamma2) around a + c1^2 and a + 2 c1^2) and rho (rate 1/gamma1) for
#: the free compound Poisson solver in double precision.  Measured (ReLU, D = +-1, density at 5 points against the same
#: law at dps=25): relative error 1.4e-14 at gamma2 = 1e-2, 1.0e-13 at 1e-3, 1.4e-12 at 1e-4, 1.3e-11 at 1e-5; 3.8e-12 at
#: gamma1 = 1e-4, 1.9e-9 at 1e-6, NoConvergence at 1e-8; gamma2 = 1e-7 gave NaN densities and 1e-10 a law of mass 0,
#: gamma1 = 1e-9 NaN, all without a warning (a review).  Below the MIN values: refused (gamma1 below 1e-4 loses faster
#: than 1e-16/gamma1); below the WARN values: a PrecisionWarning
CLOSED_GAMMA1_MIN, CLOSED_GAMMA2_MIN = 1e-4, 1e-5
CLOSED_GAMMA_WARN = 1e-3


def _check_closed_range(gamma1, gamma2):
    """Refuse (InvalidArgument) ratios below those where the closed route's numerics work; warn below those where its
    double-precision density is good to ~1e-13."""
    for name, v, lo in (("gamma1", gamma1, CLOSED_GAMMA1_MIN), ("gamma2", gamma2, CLOSED_GAMMA2_MIN)):
        if isinstance(v, sympy.Basic) and v.free_symbols:
            continue
        if as_float(v) < lo:
            # method='exact' evaluates mu without the narrow pieces (checked at gamma2 = 1e-5); a small gamma1 narrows
            # rho itself, whose solve every route shares (the exact route at gamma1 = 1e-5 did not finish in 100 s)
            hint = ("; method='exact' evaluates mu without them" if name == "gamma2" else
                    "; no route of freetk is verified there (rho itself, of rate 1/gamma1, is that narrow)")
            raise InvalidArgument(f"Argument `{name}` of `ntk_law` is {as_float(v):.3g}, below {lo:g}, where the closed "
                                  "route (D^2 constant) works: its solver loses the narrow pieces of the law there "
                                  f"(mass 0, NaN densities){hint}")
        if as_float(v) < CLOSED_GAMMA_WARN:
            warnings.warn(f"ntk_law: `{name}` = {as_float(v):.3g} < {CLOSED_GAMMA_WARN:g}: the closed route's double-precision "
                          "values lose accuracy like ~1e-16/gamma (measured 1.4e-12 at gamma2 = 1e-4, 3.8e-12 at gamma1 = "
                          "1e-4); pdf_error(x) measures it, dps= avoids it", PrecisionWarning,
                          stacklevel=4)


def make_route(mu, method, closed_ok, c_zero):
    """The route for ``mu``: ``c1 = 0`` whatever ``method``; ``method="exact"``: the contour route; the closed
    form when ``D^2`` is constant (unless ``method="moments"``); otherwise the moment route."""
    if c_zero:
        return EvenPhiRoute(mu)
    if method == "exact":
        return ExactRoute(mu)
    if method == "moments" or not closed_ok:
        return MomentRoute(mu)
    return ClosedRoute(mu)


# ----------------------------------------------------------------------------- integrals of rho on the real axis
def edge_arc_rule(e, r, n):
    """Nodes ``z`` and weights ``dz`` of ``n``-point Gauss-Legendre in the angle on the upper half circle
    ``z = e + r e^(i theta)``, ``theta`` from 0 to pi.  For a law whose Cauchy transform ``G`` is analytic in the
    upper half-plane with boundary values continuous at ``e +- r`` (no atom there),
    ``int_[e-r, e+r] g d rho = (1/pi) Im sum dz g(z) G(z)`` (Cauchy's theorem on the half disc, with
    ``-Im G(x + i0)/pi = rho``), atoms inside included, for ``g`` analytic on the half disc and real on the real
    axis."""
    if not (isinstance(n, (int, np.integer)) and n >= 1) or not r > 0:
        raise InvalidArgument(f"edge_arc_rule: needs a radius r > 0 and a node count n >= 1, got r = {r!r}, n = {n!r}")
    t, wt = gauss_legendre(n)
    ei = np.exp(1j * np.pi * (t + 1) / 2)
    return e + r * ei, 1j * r * ei * (np.pi / 2) * wt


@functools.lru_cache(maxsize=None)
def _fejer2(n):
    """Nodes ``t_k = cos(k pi/(n + 1))``, k = 1..n, and weights of Fejér's second rule on [-1, 1] (the integral of the
    interpolant: the weights solve the Chebyshev moment equations ``sum_k w_k T_j(t_k) = int T_j``, j < n).  The rules
    with ``n = 2^m - 1`` points are nested: the nodes of ``n`` are every other node of ``2n + 1``."""
    from numpy.polynomial import chebyshev as C
    t = np.cos(np.arange(1, n + 1) * np.pi / (n + 1))
    j = np.arange(n)
    mom = np.zeros(n)
    mom[::2] = 2 / (1 - j[::2].astype(float) ** 2)
    return t, np.linalg.solve(C.chebvander(t, n - 1).T, mom)


def nested_arc_rule(c, r, n):
    """Nodes ``z`` and weights ``dz`` of Fejér's second rule (``n = 2^m - 1`` points, :func:`_fejer2`) in the angle on
    the upper half circle ``z = c + r e^(i theta)``, theta from 0 to pi, for arrays ``c``, ``r`` (shape ``(P,)``: one
    circle per row of the ``(P, n)`` results); the same use as :func:`edge_arc_rule`, but the rule of ``n`` points
    contains that of ``(n - 1)/2`` (every other node), which gives an error estimate without new values."""
    c, r = np.atleast_1d(np.asarray(c, float))[:, None], np.atleast_1d(np.asarray(r, float))[:, None]
    if not (isinstance(n, (int, np.integer)) and n >= 1 and (n + 1) & n == 0 and np.all(r > 0)):
        raise InvalidArgument(f"nested_arc_rule: needs radii r > 0 and a node count n = 2^m - 1, got n = {n!r}")
    t, w = _fejer2(n)
    ei = np.exp(1j * np.pi * (t[::-1] + 1) / 2)
    return c + r * ei, 1j * r * ei * (np.pi / 2) * w[::-1]


#: Chebyshev panels of the real-axis rule: first-kind points per panel, the density's relative rounding level (a
#: panel whose coefficient tail is below it times its mass is accepted), bisection rounds
_AXIS_N = 24
_AXIS_NOISE = 1e-13
_AXIS_ROUNDS = 40


@functools.lru_cache(maxsize=None)
def _fejer(n):
    """Weights of the first-kind Chebyshev points on [-1, 1] (Fejér's first rule: the integral of the interpolant,
    from the exact antiderivative of its Chebyshev series)."""
    from numpy.polynomial import chebyshev as C
    return np.array([C.chebval(1.0, quadrature._antiderivative(quadrature._coefficients(e))) for e in np.eye(n)])


@dataclass(frozen=True)
class ChebPanels:
    """Accepted panels of :func:`chebyshev_panels` (sorted): ``ends`` (P, 2), nodes ``x`` and values ``f`` (P, n),
    antiderivative coefficients ``anti`` (P, n + 1: ``int_a^x f = (b - a)/2 sum anti_k T_k(t)``), each panel's mass
    ``total``, its coefficient tail ``tail``; ``err`` the panels left unresolved (``(a, b, tail)``)."""

    ends: np.ndarray
    x: np.ndarray
    f: np.ndarray
    anti: np.ndarray
    total: np.ndarray
    tail: np.ndarray
    err: tuple

    def weights(self):
        """Fejér weights of every node (``int g f ~ sum w g(x) f``)."""
        return (self.ends[:, 1:] - self.ends[:, :1]) / 2 * _fejer(self.x.shape[1])

    def partial(self, j, x):
        """``int_{a_j}^x f`` for points ``x`` in the panels ``j`` (arrays of the same shape)."""
        from numpy.polynomial import chebyshev as C
        a, b = self.ends[j, 0], self.ends[j, 1]
        t = np.clip((2 * x - a - b) / (b - a), -1, 1)
        return (b - a) / 2 * C.chebval(t, self.anti[j].T, tensor=False)


def chebyshev_panels(f, a, b, tol=1e-15, noise=_AXIS_NOISE, n=_AXIS_N, rounds=_AXIS_ROUNDS, min_width=0.0, radius=None):
    """``f`` (vectorised) interpolated on the panels ``[a_i, b_i]`` at ``n`` first-kind Chebyshev points, each panel
    bisected while its coefficient tail ``(b - a) sum |c_{n-3..n-1}|`` (an estimate of the interpolant's error in
    mass) exceeds ``tol`` and ``noise`` times the panel's ``int |f|`` (the rounding level of the values): one call of
    ``f`` per round, all panels at once.  A panel still unresolved after ``rounds`` rounds, narrower than
    ``min_width``, or with a non-finite value, is kept and reported in ``err``.  ``radius`` (optional, vectorised):
    a lower bound of the distance from ``x`` to the nearest singularity of ``f`` in the complex plane; a panel
    narrower than a quarter of it at all its nodes has a Bernstein ellipse of parameter > 8 inside the region of
    analyticity (its interpolant converges like ``8^-n``), so a tail still above the tolerances there means values
    that are not those of an analytic function (rounding far above ``noise``, or an error of ``f``): the panel is
    kept and reported, not bisected on.  Returns :class:`ChebPanels`."""
    t = quadrature._cheb_points(n)
    fej = _fejer(n)
    a, b = np.atleast_1d(np.asarray(a, float)), np.atleast_1d(np.asarray(b, float))
    keep, bad = [], []
    for rnd in range(rounds + 1):
        if a.size == 0:
            break
        x = (a + b)[:, None] / 2 + (b - a)[:, None] / 2 * t
        fx = np.asarray(f(x.ravel()), float).reshape(x.shape)
        coef = np.array([quadrature._coefficients(v) for v in fx])
        half = (b - a) / 2
        tail = 2 * half * np.sum(np.abs(coef[:, -3:]), 1)
        absmass = half * (np.abs(fx) @ fej)
        finite = np.all(np.isfinite(fx), 1)
        ok = finite & ((tail <= tol) | (tail <= noise * absmass))
        stop = ~ok & (~finite | (b - a <= min_width) | (rnd == rounds))
        if radius is not None:
            rad = np.asarray(radius(x.ravel()), float).reshape(x.shape)
            stop |= ~ok & (b - a < np.min(rad, 1) / 4)
        for i in np.nonzero(ok | stop)[0]:
            anti = quadrature._antiderivative(coef[i])
            keep.append((a[i], b[i], x[i], fx[i], anti, half[i] * (fx[i] @ fej), tail[i] if finite[i] else np.inf))
            if stop[i]:
                bad.append((float(a[i]), float(b[i]), float(tail[i]) if finite[i] else np.inf))
        split = ~(ok | stop)
        m = (a + b) / 2
        a, b = np.concatenate([a[split], m[split]]), np.concatenate([m[split], b[split]])
    keep.sort(key=lambda p: p[0])
    return ChebPanels(np.array([[p[0], p[1]] for p in keep]), np.array([p[2] for p in keep]),
                      np.array([p[3] for p in keep]), np.array([p[4] for p in keep]),
                      np.array([p[5] for p in keep]), np.array([p[6] for p in keep]), tuple(bad))


def _check_table_args(n, levels, tol, max_splits, arc_nodes):
    """InvalidArgument naming the argument of ``ExactNTKLaw.real_axis_table`` that is out of range."""
    for name, v, least in (("n", n, 2), ("levels", levels, 1), ("max_splits", max_splits, 0)):
        if not (isinstance(v, (int, np.integer)) and v >= least):
            raise InvalidArgument(f"Argument `{name}` of `ExactNTKLaw.real_axis_table` must be an integer >= {least}, "
                                  f"got {v!r}")
    if not (tol > 0 and (arc_nodes is None or (len(arc_nodes) == 2 and min(arc_nodes) >= 1))):
        raise InvalidArgument("ExactNTKLaw.real_axis_table: needs tol > 0 and `arc_nodes` None (nested rules) or two "
                              f"node counts >= 1, got tol = {tol!r}, arc_nodes = {arc_nodes!r}")


@dataclass(frozen=True)
class AxisRule:
    """``int g d rho = sum w g(x) f + (1/pi) Im sum wz g(z) G + atoms`` (:meth:`ExactNTKLaw.real_axis_table`): the
    density on Chebyshev panels (:class:`ChebPanels` ``panels``: interpolants with exact antiderivatives, Fejér
    weights) between the half circles, and ``G_rho`` at the nodes ``z`` (weights ``wz``) of the half circles around
    the edges, which stand for ``rho`` on the intervals ``arcs`` (atoms there included: the atom at 0 when an arc
    encloses 0).  ``g`` must be analytic on the half discs (a polynomial); ``bound`` estimates the error of the mass
    (on the half circles the difference of the last two nested rules, or of the two Gauss-Legendre rules of
    ``arc_nodes``; coefficient tails of the panels); ``atoms`` are rho's atoms
    outside the arcs."""

    panels: ChebPanels
    z: tuple
    wz: tuple
    G: tuple
    arcs: tuple
    atoms: tuple
    bound: float

    @property
    def x(self):
        return self.panels.x

    @property
    def f(self):
        return self.panels.f

    @property
    def ends(self):
        return self.panels.ends

    def _arc(self, i, g=None):
        gz = 1.0 if g is None else np.asarray(g(self.z[i]), complex)
        return float(np.sum(self.wz[i] * gz * self.G[i]).imag / np.pi)

    def integral(self, g):
        """``int g d rho``, atoms included; ``g`` vectorised, taking complex arguments (analytic on the half discs)."""
        p = self.panels
        real = float(np.sum(p.weights() * p.f * np.asarray(g(p.x), float)))
        return (real + sum(self._arc(i, g) for i in range(len(self.z)))
                + sum(m * float(np.real(g(np.array([loc + 0j]))[0])) for loc, m in self.atoms))

    def arc_index(self, x):
        """For each of the points ``x``, the index of the arc whose interval holds it strictly inside, -1 if none."""
        x = np.asarray(x, float)
        out = np.full(x.shape, -1)
        for i, (a, b) in enumerate(self.arcs):
            out[(x > a) & (x < b)] = i
        return out

    def inside_arcs(self, x):
        """Which of the points ``x`` lie strictly inside one of the arcs' intervals (where :meth:`cdf` has no value)."""
        return self.arc_index(x) >= 0

    def cdf(self, x):
        """``rho((-oo, x])`` for ``x`` outside the arcs' intervals (NaN inside them): the arcs' masses and atoms left of
        ``x``, the panels' masses left of ``x``, and the exact antiderivative of the interpolant on the panel that
        holds ``x``; all points at once, no new density value."""
        x = np.asarray(x, float)
        out = np.zeros(x.shape)
        for i, (a, b) in enumerate(self.arcs):
            out += np.where(x >= b, self._arc(i), 0.0)
        for loc, m in self.atoms:
            out += np.where(x >= loc, m, 0.0)
        p = self.panels
        cum = np.concatenate([[0.0], np.cumsum(p.total)])
        j = np.searchsorted(p.ends[:, 0], x, side="right") - 1
        jc = np.clip(j, 0, len(p.ends) - 1)
        inner = (j >= 0) & (x < p.ends[jc, 1])
        part = np.where(inner, p.partial(jc, np.where(inner, x, p.ends[jc, 0])), 0.0)
        out += np.where(j >= 0, cum[jc] + np.where(inner, part, p.total[jc]), 0.0)
        return np.where(self.inside_arcs(x), np.nan, out)


# ----------------------------------------------------------------------------- rho
def _discrete_support(law, g1, breaks):
    """Support of the free compound Poisson law whose jumps are ``g1`` times the moment route's rule for mu
    (its atoms and Gauss nodes; :func:`freetk.kernels.edges.fcp_discrete_support`)."""
    x, w = law._mu._impl.rule()
    x = np.asarray(x, float)
    # mu lives on [0, inf): a node below 0 is a node at 0 rounded (eigenvalues good to eps |J|)
    x = np.where((x < 0) & (x >= -1e-13 * np.max(np.abs(x))), 0.0, x)
    return fcp_discrete_support(1 / g1, g1 * x, np.asarray(w, float), breaks)


class NTKLaw(FreeCompoundPoisson):
    """The **n x n** limiting spectral law ``rho`` of the NTK matrix ``K``.

    Free compound Poisson with rate ``1/gamma1`` and jumps ``gamma1 mu``:
    ``kappa_k(rho) = gamma1^(k-1) m_k(mu)``.  Attributes: ``mu`` (dp x dp law),
    ``hermite`` (c0, c1, norm2, a), ``gamma1``, ``gamma2``, ``companion``.
    """

    side = "n x n"

    def __init__(self, hermite, gamma1, gamma2, tlaw, method="auto", nodes=32):
        a = hermite.a
        c = hermite.c1 ** 2
        if isinstance(c, sympy.Basic):
            c = simplify(c)
        mu = NTKMu(a, c, gamma2, tlaw, method=method, nodes=nodes)
        if mu.route == "closed":
            _check_closed_range(gamma1, gamma2)
        super().__init__(1 / gamma1, Affine(mu, gamma1, 0), latex_name=r"\rho")
        self._mu = mu
        self._h = hermite
        self._g1, self._g2 = gamma1, gamma2

    @property
    def mu(self):
        return self._mu

    @property
    def hermite(self):
        return self._h

    @property
    def gamma1(self):
        return self._g1

    @property
    def gamma2(self):
        return self._g2

    @property
    def companion(self):
        """The dp x dp law ``MP(1/gamma1) ⊠ mu``."""
        return free_mul(marchenko_pastur(1 / self._g1), self._mu, method="generic")

    def _free_cumulants(self, k):
        m = self._mu.moments(k)
        return [simplify(self._g1 ** (j - 1) * m[j]) for j in range(1, k + 1)]

    def _moments(self, k):
        # the moments from the cumulants kept expanded (sympy's canonical sum, no simplification): the
        # moment-cumulant sums expand their result anyway, so the moments are the same expressions as from
        # the simplified cumulants, without simplifying cumulants nobody asked for (0.06 s at k = 4)
        m = self._mu.moments(k)
        return _series.free_cumulants_to_moments([_series._expand(self._g1 ** (j - 1) * m[j])
                                                  for j in range(1, k + 1)])

    def _scale(self):
        lo, hi = self._range()
        return max(hi - lo, 1e-3)

    def _jump_real_pair(self):
        """``(G_J, G_J')`` on the real axis for the jumps ``J = gamma1 mu``: from the closed form of
        ``mu`` (an integral against ``rho_B``) or ``mu = law of a T`` (c1 = 0); None on the moment
        route (there ``G_mu`` is a Gauss sum whose real-axis inverse map has the nodes as poles)."""
        mu, g1 = self._mu, as_float(self._g1)
        if mu.route == "closed":
            rb, A, sup, at = mu._closed_parts()
            rb_pair = free_poisson_real_pair(as_float(rb._r), as_float(rb._a)) if isinstance(rb, FreePoisson) else (
                lambda w: rb._cauchy_pair_np(np.asarray(w, float) + 0j))
            inner = ntk_mu_real_pair(at, as_float(mu._c), as_float(mu._r), A, rb_pair, rb.pdf, sup)
        elif mu.route == "c1=0" and as_float(mu._a) > 0:
            inner = real_pair(Affine(mu.t_law.measure, mu._a, 0))
        else:
            return None

        def pair(x):
            g, dg = inner(np.asarray(x, float) / g1)
            return g / g1, dg / (g1 * g1)
        return pair

    def support_intervals(self):
        """Support intervals with edge kinds.  Moment route: the support of the free compound Poisson law
        whose jumps are ``gamma1`` times the rule standing for mu (its atoms and the Gauss nodes of its
        continuous part) -- a discrete jump law, whose support is computed exactly, every piece of the
        comb however narrow (:func:`freetk.kernels.edges.fcp_discrete_support`)."""
        if self._mu.route != "moments":
            return super().support_intervals()
        key = "support_intervals"
        if key not in self._cache:
            g1 = as_float(self._g1)
            breaks = []
            ivs = _discrete_support(self, g1, breaks)
            self._warn_if_discretisation_shows(ivs, g1)
            self._cache["breaks"] = breaks
            self._cache["exact_edges"] = True
            self._cache[key] = ivs
            self._cache[key] = self._classify_ends(ivs)
        return self._cache[key]

    def _coarser(self):
        """The same law on the moment route with 8 Gauss nodes fewer (built once; its error estimates)."""
        if "coarser" not in self._cache:
            self._cache["coarser"] = NTKLaw(self._h, self._g1, self._g2, self._mu.t_law, method="moments",
                                            nodes=self._mu._nodes - 8)
        return self._cache["coarser"]

    def _warn_if_discretisation_shows(self, ivs, g1):
        """A PrecisionWarning when the support of the discretised law depends on the rule: its pieces (and the
        density next to them) are then those of the discretisation, not of the law (e.g. the comb of pieces
        at gamma1 >= 1 with D uniform)."""
        other = _discrete_support(self._coarser(), g1, [])
        span = max(iv.hi for iv in ivs) - min(iv.lo for iv in ivs)
        same = len(other) == len(ivs) and all(abs(a.lo - b.lo) <= 1e-6 * span and abs(a.hi - b.hi) <= 1e-6 * span
                                              for a, b in zip(ivs, other))
        if not same:
            n = self._mu._nodes
            warnings.warn(f"NTK law on the moment route (mu stood for by its atoms and a {n}-node Gauss rule): its "
                          f"support depends on the rule ({len(ivs)} piece(s) with {n} nodes, {len(other)} with "
                          f"{n - 8}), so the pieces and the density next to them are those of the discretised mu, "
                          "not of the true law; mass and the moments of the density are exact, pdf_error(x) "
                          "estimates the density's error, and method='exact' computes the true law",
                          PrecisionWarning, stacklevel=5)

    def _system(self):
        """The free compound Poisson equation; on the moment route with the jumps' ``(G, G')`` summed directly
        over the rule (``gamma1`` times its nodes), not through the affine image of mu."""
        if self._mu.route != "moments":
            return super()._system()
        if "system" not in self._cache:
            x, w = self._mu._impl.rule()
            g1 = as_float(self._g1)
            rate = self.parameters["rate"]
            self._cache["system"] = fcp_system(1 / g1, _discrete_pair(g1 * np.asarray(x, float), w),
                                               self._J._cauchy_pair_mp, scale=self._scale(),
                                               r_mp=lambda ctx: as_mp(rate, ctx))
        return self._cache["system"]

    def _quad_table(self):
        """The cumulative table of the density (:func:`freetk.kernels.quadrature.build`); on the moment route
        the pieces between the near-critical points inside a support interval are known to be smooth there
        (the density is analytic and positive at such a point), so no end is classified by probing."""
        return super()._quad_table(interior="smooth" if self._mu.route == "moments" else "end")

    #: largest number of points whose cdf comes from the logarithmic potential (see :meth:`_cdf_np`)
    CDF_FORMULA_MAX = 512

    def _solve(self, z, on_fail="raise"):
        """:meth:`FreeCompoundPoisson._solve`, the last array of points remembered with its solutions: ``pdf(x)``
        then ``cdf(x)`` on the same grid (a plot, ``freetk ntk``) solve once.  The solutions at a set of points
        depend on those points alone (never on earlier calls), so the remembered ones are the very values a new
        solve would give."""
        z = np.asarray(z, complex)
        last = self._cache.get("last_solve")
        if last is not None and last[0].shape == z.shape and np.array_equal(last[0], z) and (
                on_fail == last[3] or not np.any(np.isnan(last[1]))):
            return last[1].copy(), last[2].copy()
        u, eta = super()._solve(z, on_fail=on_fail)
        if z.size <= self.CDF_FORMULA_MAX:     # (larger calls never reach the cdf's formula: nothing kept)
            self._cache["last_solve"] = (z.copy(), u.copy(), np.array(eta, copy=True), on_fail)
        return u, eta

    def _cdf_mp(self, x, ctx):
        """``dps`` on the closed route is refused at once: it would integrate the density at working precision, every
        value a Newton solve with ``G_mu`` at that precision (~1 s at dps = 30: the classical convolution of rho_B with
        itself is a quadrature per value), hundreds of them near the edges alone: it ran for minutes or raised
        NoConvergence at the left edge (a review).  Other routes integrate at ``dps``."""
        if self._mu.route == "closed":
            raise InvalidArgument("NTKLaw.cdf(dps=...) is not available on the closed route (D^2 constant): every value "
                                  "of the density at dps digits costs a Newton solve with G_mu at that precision (~1 s "
                                  "at dps = 30) and the cdf needs hundreds of them; use dps=None (the closed-form cdf, "
                                  "~1e-14) or pdf(x, dps=...) point by point")
        return self._cdf_generic_mp(x, ctx)

    def _cdf_np(self, x):
        r"""``rho((-inf, x])``: on the closed-form route from the solution ``zeta = 1/G_rho`` at ``x`` itself
        (docs/ntk.md, "cdf from the logarithmic potential"), elsewhere the generic table.

        With ``x = z(zeta) = zeta + r (zeta^2 G_J(zeta) - zeta)`` (``r = 1/gamma1``, ``J = gamma1 mu``) the
        logarithmic potential ``L_rho(z) = int log(z - t) drho(t)`` is ``int G dz = int z'(zeta)/zeta dzeta
        = (1 - r) log zeta + r zeta G_J(zeta) + r L_J(zeta) - r``, and ``Im L_rho(x + i0) = pi rho((x, oo))``:
        ``F(x) = 1 - [(1 - r) arg zeta + r Im(w G_mu(w)) + r Im L_mu(w)]/pi``, ``w = zeta/gamma1``
        (:func:`freetk.kernels.ntk_closed.mu_cauchy_log_arg`).  Atoms are included.  Points where the solve
        stopped above the axis, and laws with a gap in their support, take the table.

        A call with more than ``CDF_FORMULA_MAX`` points takes the table as well (built once per law from ~300
        density values, then ~1 us a point, where the formula costs a solve per point: a Kolmogorov-Smirnov or
        Wasserstein comparison with thousands of eigenvalues).  The two agree to ~2e-15 (8e-13 at 1e-9 of the
        width from a hard edge, where the formula is the accurate one, docs/ntk.md); the route depends on the
        number of points asked for only, never on earlier calls."""
        x = np.asarray(x, float)
        if self._mu.route != "closed" or x.size > self.CDF_FORMULA_MAX:
            return self._cdf_generic_np(x)
        ivs = self.support_intervals()
        if len(ivs) != 1:
            return self._cdf_generic_np(x)
        lo, hi = float(ivs[0].lo), float(ivs[0].hi)
        flat = x.ravel()
        out = np.zeros(flat.shape)
        atoms = self.atoms_float()
        for loc, w in atoms:
            out += w * (flat >= loc)
        out[flat >= hi] = 1.0
        # the points the density solves at (closed intervals, 0 left out), so that pdf(x) then cdf(x) solve once;
        # the edges themselves take the values set above
        solved = np.nonzero((flat >= lo) & (flat <= hi) & (flat != 0))[0]
        if solved.size:
            zeta, eta = self._solve(flat[solved] + 0j, on_fail="nan")
            keep = (flat[solved] > lo) & (flat[solved] < hi)
            inside, zeta, eta = solved[keep], zeta[keep], eta[keep]
        if solved.size and inside.size:
            g1 = as_float(self._g1)
            r = 1 / g1
            w = zeta / g1
            G, im_l = self._mu._impl.cauchy_log_arg(w)
            with np.errstate(invalid="ignore"):
                val = 1 - ((1 - r) * np.arctan2(np.abs(zeta.imag), zeta.real) + r * (w * G).imag + r * im_l) / np.pi
            good = np.isfinite(val) & (eta == 0)
            out[inside[good]] = val[good]
            bad = inside[~good]
            if bad.size:
                out[bad] = self._cdf_generic_np(flat[bad])
        return np.clip(out, 0.0, 1.0).reshape(x.shape)

    def support(self, dps=None):
        """Support intervals ``[(lo, hi), ...]``; ``dps=N`` as for any free compound Poisson law, except on the
        moment route (the edges there are those of the discretised mu, in double precision: refused)."""
        if dps is not None and self._mu.route == "moments":
            check_dps("NTKLaw.support", dps)
            raise InvalidArgument("NTKLaw.support(dps=...) needs edges from the inverse map of the law itself; on the "
                                  "moment route the edges are those of the discretised mu (its atoms and a Gauss rule "
                                  "of its continuous part), computed in double precision only; use dps=None")
        return super().support(dps=dps)

    def pdf_error(self, x, dps=30):
        """Estimated absolute error of ``pdf(x)`` in double precision.

        Closed-form family: the difference with a ``dps``-digit evaluation of the same formulas.
        Moment route: the difference between the densities from ``n`` and ``n - 8`` Gauss nodes
        (the discretisation of mu dominates the rounding error).
        """
        check_reference_dps("NTKLaw.pdf_error", dps)
        _v.points("NTKLaw.pdf_error", "x", x)
        x = np.asarray(x, float)
        if self._mu.route == "moments":
            return np.abs(self.pdf(x) - self._coarser().pdf(x))
        return super().pdf_error(x, dps=dps)

    def summary(self):
        """A dict of the main numbers (Hermite data, moments, support, atoms)."""
        return {
            "c0": self._h.c0, "c1": self._h.c1, "norm2": self._h.norm2, "a": self._h.a,
            "gamma1": self._g1, "gamma2": self._g2, "route": self._mu.route,
            "moments_mu": self._mu.moments(4), "moments_rho": self.moments(4),
            "support": self.support(), "atoms": self.atoms(), "mu_atoms": self._mu.atoms(),
        }


def _gamma(name, value):
    """``gamma1``/``gamma2`` of :func:`ntk_law`: positive, exact when given exactly, and a float that is
    exactly a simple rational (e.g. 0.5) taken as that rational."""
    g = exact(_v.positive("ntk_law", name, value))
    if isinstance(g, float):
        q = sympy.nsimplify(g)
        g = q if abs(g - float(q)) == 0 else g
    return g


def _carried(hd):
    """Numeric Hermite data carried as the exact rationals of their mpmath values (all the digits computed
    are kept: the mantissa is read directly, never through a double); exact data unchanged."""
    if hd.exact:
        return hd

    def conv(v):
        if isinstance(v, sympy.Basic):
            return v
        man, ex = (v.man_exp if hasattr(v, "man_exp") else mpmath.mpf(v).man_exp)
        return sympy.Integer(int(man)) * sympy.Integer(2) ** int(ex)
    return HermiteData(conv(hd.c0), conv(hd.c1), conv(hd.norm2), conv(hd.a), False, hd.phi, hd.error,
                       hd.dps, hd.description, dict(hd.extra, digits=hd.digits))


# long: a 37-line docstring (parameters, precision, example); the body is 25 lines
def ntk_law(activation=None, *, sigma_prime=None, gamma1, gamma2, d_law="rademacher", method="auto",
            nodes=32, hermite=None):
    r"""Limiting eigenvalue law (n x n side) of the two-layer NTK ``K`` (docs/paper.md).

    Parameters
    ----------
    activation : str, sympy expression or callable
        ``sigma`` (differentiated); or give ``sigma_prime`` (``phi``) directly.  Callables may be
        numpy-, math- or mpmath-style.
    gamma1, gamma2 : positive numbers or sympy symbols
        ``n/(dp) -> gamma1``, ``p/d -> gamma2``.  Symbols are allowed for the exact methods.
    d_law : Measure or "rademacher" | "uniform" | "gaussian"
        Law of the entries of ``D``.  "gaussian" is unbounded (outside the theorem's
        hypotheses); its moments are used as they are and a warning is issued.
    method : "auto" | "closed" | "moments" | "exact"
        "exact": ``G_mu`` without discretisation (docs/ntk.md, "General nu without discretisation");
        laws of D with finitely many atoms or uniform on a symmetric interval.
    nodes : int
        Gauss nodes of ``mu`` for the moment route (uses ``2 * nodes`` exact moments), 16 to 256.
    hermite : HermiteData, optional
        Hermite data computed beforehand (e.g. ``hermite_data(..., dps=50)``).

    Notes
    -----
    Numeric Hermite data are computed in double precision (fast) and carried into the law
    exactly as computed (their error is ``law.hermite.error``).  A ``dps=`` evaluation of
    ``cauchy``, ``stieltjes``, ``pdf`` or ``cdf`` asking for more digits than the Hermite data carry
    recomputes them at that precision first (once per precision); when that is impossible (a
    callable computing in double precision only) a :class:`~freetk.errors.PrecisionWarning` says so.

    Examples
    --------
    >>> import freetk as ft
    >>> law = ft.ntk_law("relu", gamma1=0.5, gamma2=0.5, d_law="rademacher")
    >>> law.hermite.c0
    1/2
    >>> law.mu.moments(1)[1]          # (a + c1^2) E[T] = norm2 - c0^2 = 1/4
    1/4
    """
    g1, g2 = _gamma("gamma1", gamma1), _gamma("gamma2", gamma2)
    nodes = _v.nodes("ntk_law", "nodes", nodes, lo=16)
    if method not in METHODS:
        raise InvalidArgument(f"Argument `method` of `ntk_law` must be one of {', '.join(map(repr, METHODS))}, "
                              f"got {method!r}")
    if hermite is not None and (activation is not None or sigma_prime is not None):
        raise InvalidArgument("ntk_law: give `hermite` or an activation, not both")
    h = hermite if hermite is not None else hermite_data(activation, sigma_prime=sigma_prime)
    if not isinstance(h, HermiteData):
        raise InvalidArgument("Argument `hermite` of `ntk_law` must be a HermiteData")
    if hermite is not None:
        _check_hermite_numbers(h)
    tlaw = TLaw(d_law)
    if tlaw.unbounded:
        warnings.warn("ntk_law: d_law='gaussian' is unbounded; the limit theorem assumes bounded D. "
                      "The law returned is the one defined by the same moment formulas: its exact moments only "
                      "(density, cdf, support and Cauchy transform are refused).", stacklevel=2)

    def build(hd):
        lw = NTKLaw(_carried(hd), g1, g2, tlaw, method=method, nodes=nodes)
        if _mean_is_zero(lw) or _below_error(hd):
            # mu = delta_0 (E[T] = 0, i.e. D = 0, or a + c1^2 = 0: sigma affine or constant): K = 0 in the
            # limit, rho = delta_0 -- not a free compound Poisson law with a continuous part to solve for
            return DegenerateNTKLaw(lw.hermite, g1, g2, tlaw, method=method, nodes=nodes)
        if lw.mu.route == "exact":
            lw = ExactNTKLaw(lw.hermite, lw.gamma1, lw.gamma2, tlaw, nodes=nodes)
        return lw

    law = build(h)
    if not h.exact:
        _refine_on_demand(law, h, build)
    return law


def _mean_is_zero(law):
    """True when ``m_1(mu) = (a + c1^2) E[T]`` is exactly 0.  Its double value decides when it is clearly
    not 0 (the exact moment series builds a sympy polynomial ring: ~20-40 ms on the first call in a process);
    a value within rounding of 0, or symbolic parameters, take the exact first moment."""
    mu = law.mu
    try:
        v = (as_float(mu._a) + as_float(mu._c)) * as_float(mu.t_law.tau(1)[1])
        scale = (abs(as_float(mu._a)) + abs(as_float(mu._c))) * abs(as_float(mu.t_law.tau(1)[1]))
    except (InvalidArgument, TypeError, ValueError):
        v = scale = None
    if v is not None and np.isfinite(v) and abs(v) > 1e-9 * scale:
        return False
    return _is_zero(mu.moments(1)[1])


def _is_zero(v):
    """True when the exact or numeric value ``v`` is exactly 0 (never for a symbolic expression that may
    vanish for some values of its symbols)."""
    if isinstance(v, sympy.Basic):
        return bool(v.is_zero)
    return v == 0


def _below_error(h):
    """True (with a PrecisionWarning) when numeric Hermite data cannot tell ``a + c1^2`` from 0: then
    ``mu``'s scale is below the data's own error (e.g. ``sigma = lambda t: 2*t``, for which quadrature gives
    ``a = -1e-31``, ``c1 = -3e-16``) and the only law they determine is ``delta_0``."""
    if h.exact:
        return False
    v = abs(float(h.a) + float(h.c1) ** 2)
    if v > float(h.error):
        return False
    warnings.warn(f"ntk_law: a + c1^2 = {v:.3g} is below the error {float(h.error):.3g} of the numeric Hermite data "
                  "(phi is constant to that accuracy: sigma affine or constant), so mu = delta_0 and rho = delta_0",
                  PrecisionWarning, stacklevel=4)
    return True


class DegenerateNTKLaw(NTKLaw):
    r"""``rho = delta_0``: the NTK law when ``mu = delta_0``, i.e. ``m_1(mu) = (a + c1^2) E[T] = 0``.

    That happens for ``D = 0`` (``T = 0``) and for an affine or constant ``sigma`` (``phi`` constant, so
    ``a = c1 = 0``): ``K`` tends to the zero matrix (``c0`` only adds finite-rank outliers).  The law keeps
    the attributes of an NTK law (``hermite``, ``gamma1``, ``gamma2``, ``mu``; ``mu`` is ``delta_0`` with
    the given law of ``T``) and the numerics of ``delta_0``: no support, density 0, cdf the unit step at 0,
    ``G(z) = 1/z``, mass 1."""

    def __init__(self, hermite, gamma1, gamma2, tlaw, method="auto", nodes=32):
        super().__init__(hermite, gamma1, gamma2, tlaw, method=method, nodes=nodes)
        if self._mu.route != "c1=0":
            # the closed, moment and exact routes build laws with the jumps (a + c1^2) T: 0 here; mu = delta_0
            # has the same exact moments with a = c = 0, whose route ("c1=0") is the law of 0 * T
            self.__dict__["_mu"] = NTKMu(0, 0, gamma2, tlaw, method="auto", nodes=nodes)

    def atoms(self):
        return [(0, 1)]

    def support(self, dps=None):
        if dps is not None:
            check_dps("NTKLaw.support", dps)
        return []

    def support_intervals(self):
        return []

    def smooth_pieces(self):
        return []

    def _cauchy_np(self, z):
        with np.errstate(divide="ignore", invalid="ignore"):
            return 1 / np.asarray(z, complex)

    def _cauchy_pair_np(self, z):
        z = np.asarray(z, complex)
        with np.errstate(divide="ignore", invalid="ignore"):
            return 1 / z, -1 / (z * z)

    def _cauchy_mp(self, z, ctx):
        return 1 / ctx.convert(z)

    def _cauchy_pair_mp(self, z, ctx):
        z = ctx.convert(z)
        return 1 / z, -1 / (z * z)

    def _pdf_np(self, x):
        return np.zeros(np.shape(x))

    def _pdf_mp(self, x, ctx):
        return ctx.mpf(0)

    def _cdf_np(self, x):
        return (np.asarray(x, float) >= 0).astype(float)

    def _cdf_mp(self, x, ctx):
        return ctx.mpf(1) if x >= 0 else ctx.mpf(0)

    def total_mass(self):
        return 1.0

    def quadrature_error(self):
        return 0.0

    def _expect_density(self, g, tol=None):
        return float(np.asarray(g(np.array([0.0])), float)[0])

    def _quantile_np(self, q):
        return np.zeros(np.shape(q))

    def pdf_error(self, x, dps=30):
        check_reference_dps("NTKLaw.pdf_error", dps)
        _v.points("NTKLaw.pdf_error", "x", x)
        out = np.where(np.isnan(np.asarray(x, float)), np.nan, 0.0)
        return out[()]      # a scalar for a scalar x, NaN for NaN: as pdf and the other laws' pdf_error


#: ExactNTKLaw.cdf: up to this many points each gets its own contour (150 values of G_rho each) while the default
#: real-axis rule is not built; more points (or any number once it is built) share the rule
#: (:meth:`ExactNTKLaw.real_axis_table`)
_CDF_CONTOUR_MAX = 5
#: ExactNTKLaw.cdf: from this many points inside one half circle of the real-axis rule on, graded panels of the
#: density there (:meth:`ExactNTKLaw._cdf_arc_panels`) instead of a small half circle per point (31 values of G_rho)
_ARC_PANELS_MIN = 8
#: ... down to ``r 2^-_ARC_LEVELS`` from the edge at most (closer points: a half circle each)
_ARC_LEVELS = 48
#: ... with this many Chebyshev points each
_ARC_N = 20
#: cache key of ``ExactNTKLaw.real_axis_table()`` with its default arguments
_DEFAULT_TABLE = ("real_axis_table", _AXIS_N, 3, 1e-15, _AXIS_ROUNDS, None)


@functools.lru_cache(maxsize=None)
def _contour_rule(m):
    """Angles ``theta = pi t^2`` and weights ``d theta`` of ``m``-point Gauss-Legendre in ``t`` on [0, 1] (the contour
    cdf of :meth:`ExactNTKLaw._cdf_contour`)."""
    t, wt = gauss_legendre(m)
    t, wt = (t + 1) / 2, wt / 2
    return np.pi * t * t, 2 * np.pi * t * wt


class ExactNTKLaw(NTKLaw):
    """``rho`` with ``method="exact"``: its equation solved with the exact ``G_mu`` (docs/ntk.md).

    In ``u = 1/(gamma1 G_rho)`` the equation is explicit, ``z = X(u) = (gamma1 - 1) u + u^2 G_mu(u)``;
    where rho has positive density ``u`` lies in the open upper half-plane, where the contour route of
    ``G_mu`` is exact, so ``u`` is found by Newton's method with ``G_mu'`` from the moment route's solution
    (only a start: the result does not depend on it).  Edges: critical points of ``X`` on the real axis off
    the support of mu, on every real gap of mu (:func:`freetk.ntk_general.rho_support`)."""

    # log_det by the resolvent's integral for every support in [0, inf): rho's resolvent at real t > 0 is the cheapest
    # value of the exact route (mu's vertical line, no pinch), and with lo > 0 next to 0 the density route's half circle
    # around lo encloses 0, where log has its branch point: its estimate was 2e-11 .. 3e-9 (ReLU + D uniform, SiLU with
    # |D| in {1/2, 3/2}; docs/ntk.md, "log_det and the law of D")
    _LOG_DET_BY_RESOLVENT = True

    def __init__(self, hermite, gamma1, gamma2, tlaw, nodes=32):
        super().__init__(hermite, gamma1, gamma2, tlaw, method="exact", nodes=nodes)

    def _gm(self):
        return self._mu._impl.gm

    def _start_law(self):
        if "start_law" not in self._cache:
            self._cache["start_law"] = NTKLaw(self._h, self._g1, self._g2, self._mu.t_law, method="moments",
                                              nodes=self._mu._nodes)
        return self._cache["start_law"]

    def _start_cauchy(self, z):
        """``G_rho`` of the moment route (the start of Newton in :meth:`_u`) at the points ``z`` (closed upper
        half-plane).  Points off the axis are followed down from ``Im z = scale`` by the solver's descent, all in
        one batch: the solver's default starts them from anchors computed per height (reproducible point by point),
        and points of distinct heights (the half circles of the real-axis rule, 31 to 127 per circle) each paid a
        table of anchors — 0.16-0.67 s per call, as much as the exact values themselves.  Where the descent fails,
        the default solve."""
        st = self._start_law()
        z = np.asarray(z, complex)
        G0 = np.full(z.shape, np.nan + 0j)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with np.errstate(all="ignore"):
                off = z.imag > 0
                if np.any(off):
                    zeta, ok, _ = fixed_point.descend(st._system(), z.real[off], z.imag[off])
                    G0[off] = np.where(ok, 1 / zeta, np.nan)
                rest = ~np.isfinite(G0)
                if np.any(rest):
                    G0[rest] = np.asarray(st._cauchy_np(z[rest]), complex)
        return G0

    def _u(self, z):
        """``u(z)`` for ``z`` in the closed upper half-plane (real ``z``: limit from above)."""
        g1 = as_float(self._g1)
        G0 = self._start_cauchy(z)
        with np.errstate(all="ignore"):          # (where G0 is 0 or not finite the other branch is taken)
            u0 = np.where(np.isfinite(G0) & (G0 != 0), 1 / (g1 * G0), z / g1)
        # into the open upper half-plane: Newton from a real start stays real (e.g. where the moment route
        # puts a spurious gap or a too early edge); off rho's support the root is real and Newton returns there
        # (not beyond rho's outer edges on the real axis: there the root is real, the moment route's real start is good
        # and G_mu is evaluated on the axis itself; pushed up, the continuation failed from z ~ 50 hi on, NaN)
        z = np.asarray(z, complex)
        real = z.imag == 0
        out = np.zeros(z.shape, bool)
        out[real] = self._outside(z.real[real])
        u0 = np.where(out, u0.real + 0j, u0.real + 1j * np.maximum(np.abs(u0.imag), 1e-4 * np.abs(u0)))
        u0 = self._edge_start(z, u0)
        return rho_u_solve(self._gm(), g1, z, u0)

    def _outside(self, x):
        """Real ``x`` beyond rho's outer edges (right of ``hi``, or left of ``lo`` and of 0), once the edges are known
        (:meth:`_cauchy_pair_np` computes them for real points)."""
        x = np.asarray(x, float)
        if x.size == 0 or "edges" not in self._cache:
            return np.zeros(x.shape, bool)
        lo, hi = self._edges()[:2]
        return (x > hi) | (x < min(lo, 0.0))

    def _edge_start(self, z, u0):
        """Newton starts from the local expansion of ``X`` at rho's edges, for real z within 2 % of the width
        from them (where the moment route's start is poor and Newton on ``X(u) = x`` is ill-conditioned):
        * square-root edge ``X(u*)``, ``X'(u*) = 0``: ``u = u* + i sqrt(2 |x - X(u*)| / |X''(u*)|)``;
        * right edge ``X(E+)`` (image of mu's edge E): ``u = E - (hi - x)/X'(E+) + i 1e-3 (hi - x)``.
        Only starts: the root is Newton's, and does not depend on them."""
        if "edges" not in self._cache:
            return u0
        lo, hi, u_lo, u_hi = self._edges()
        w = hi - lo
        gm = self._gm()
        g1 = as_float(self._g1)
        x = z.real
        real = z.imag == 0
        u0 = u0.copy()
        for edge, ue, side in ((lo, u_lo, 1), (hi, u_hi, -1)):
            sel = real & (side * (x - edge) > 0) & (side * (x - edge) < 0.02 * w)
            if not np.any(sel):
                continue
            d = np.abs(x[sel] - edge)
            if ue is not None:
                h = 1e-4 * max(abs(ue), w)
                Xd = rho_map(gm, g1, np.array([ue - h, ue + h], complex))[1].real
                X2 = abs((Xd[1] - Xd[0]) / (2 * h))
                u0[sel] = ue + 1j * np.sqrt(2 * d / X2)
            elif side == -1:
                E = gm.right_edge()
                Xd = rho_map(gm, g1, np.array([E * (1 + 1e-10)], complex))[1][0].real
                u0[sel] = E - d / Xd + 1e-3j * d
        return u0

    def _cauchy_pair_np(self, z):
        z = np.asarray(z, complex)
        shape = z.shape
        zu, low = upper(z.ravel())
        g1 = as_float(self._g1)
        if np.any(zu.imag == 0):
            self._edges()       # real points beyond the edges start Newton on the real axis (_u)
        u, dX = self._u(zu)
        G = 1 / (g1 * u)
        dG = -1 / (g1 * u * u * dX)
        return (np.where(low, np.conj(G), G).reshape(shape), np.where(low, np.conj(dG), dG).reshape(shape))

    def _cauchy_np(self, z):
        return self._cauchy_pair_np(z)[0]

    def _cauchy_mp(self, z, ctx):
        low = ctx.im(z) < 0
        zu = ctx.conj(z) if low else ctx.mpc(z)
        u0 = self._u(np.array([complex(zu)]))[0][0]
        u = rho_u_solve_mp(self._gm(), as_mp(self._g1, ctx), zu, u0, ctx)
        G = 1 / (as_mp(self._g1, ctx) * u)
        return ctx.conj(G) if low else G

    def _pdf_np(self, x):
        x = np.asarray(x, float)
        out = np.zeros(x.shape)
        lo, hi = self._edges()[:2]
        inside = (x > lo) & (x < hi) & (x != 0)
        if np.any(inside):
            u, _ = self._u(x[inside] + 0j)
            out[inside] = np.clip(-(1 / (as_float(self._g1) * u)).imag / np.pi, 0, None)
            # u where G_mu continued from y0 is not bounded (next to 0 or mu's edge E): NaN, warned
            blind = self._gm().blind(u)
            if np.any(blind):
                ib = np.flatnonzero(inside)[blind]
                out[ib] = np.nan
                warnings.warn(f"ExactNTKLaw.pdf: {ib.size} point(s) (e.g. x = {x[ib[0]]:.6g}) where u = 1/(gamma1 G_rho) "
                              "lies next to 0 or to mu's edge E, below Im u = y0, where G_mu is not good to double "
                              "precision and no estimate bounds it: NaN returned there", PrecisionWarning, stacklevel=3)
        return out

    def _pdf_mp(self, x, ctx):
        lo, hi = self._edges()[:2]
        if not lo < x < hi or x == 0:
            return ctx.mpf(0)
        v = -ctx.im(self._cauchy_mp(ctx.mpc(x, 0), ctx)) / ctx.pi
        return v if v > 0 else ctx.mpf(0)

    def _cdf_mp(self, x, ctx):
        """Refused: ``cdf(dps=...)`` would integrate the density at working precision, i.e. need hundreds of values of
        ``G_rho`` at ``dps`` digits (each a Newton solve with ``GeneralMu.cauchy_mp``, ~25 s at 20 digits): hours, where
        the double-precision cdf carries its own error bound."""
        raise InvalidArgument("ExactNTKLaw.cdf(dps=...) is not available: at dps digits every value of G_rho costs a "
                              "Newton solve with G_mu at that precision (~25 s at dps = 20) and the cdf needs hundreds "
                              "of them; use dps=None (double precision; a PrecisionWarning gives the error bound when "
                              "it exceeds 1e-12). pdf(dps=...) and cauchy(dps=...) are available point by point")

    _cdf_generic_mp = _cdf_mp

    def support(self, dps=None):
        """Support intervals ``[(lo, hi), ...]`` (every piece of rho's continuous part, :func:`rho_support`); ``dps=N``
        is refused: the edges are critical points of ``X`` (or images of mu's edges) located with the double-precision
        ``G_mu``.  The kinds of the ends (:meth:`support_intervals`, measured from the density's exponent next to an
        image of a soft edge of mu: ~1 s) are not needed here and not computed."""
        if dps is not None:
            check_dps("ExactNTKLaw.support", dps)
            raise InvalidArgument("ExactNTKLaw.support(dps=...) is not available: the exact route locates the edges "
                                  "(critical points of the inverse map X, images of the edges of mu) with G_mu in "
                                  "double precision only; use dps=None")
        return [(float(lo), float(hi)) for lo, hi, _, _ in self._pieces()]

    def _cdf_np(self, x):
        """``rho((-inf, x])``.  Up to ``_CDF_CONTOUR_MAX`` points in ``(0, hi)`` while the default real-axis rule is not
        built: a contour integral of ``G_rho`` per point (:meth:`_cdf_contour`).  More (or once it is built): the
        real-axis rule (:meth:`real_axis_table`: Chebyshev interpolants of
        the density with exact antiderivatives between half circles around the edges) for all points at once, and
        for the points inside the half circles a small half circle each (:meth:`_cdf_in_arcs`: 31 values of
        ``G_rho``; none on the arcs' gap sides).  ``F = rho{0}`` at 0, 0 below, 1 from ``hi`` (the exact
        right edge) on.  A PrecisionWarning gives the rule's error bound when it exceeds 1e-12."""
        x = np.asarray(x, float)
        out = np.zeros(x.shape)
        atom0 = sum(w for loc, w in self.atoms_float() if loc == 0)
        out[x == 0] = atom0
        hi = self._edges()[1]
        out[x >= hi] = 1.0
        flat = out.reshape(-1)
        pos = np.nonzero(((x > 0) & (x < hi)).ravel())[0]
        if 0 < pos.size <= _CDF_CONTOUR_MAX and _DEFAULT_TABLE not in self._cache and self._contour_ok(x.ravel()[pos]):
            flat[pos] = self._cdf_contour(x.ravel()[pos], hi)
        elif pos.size:
            rule = self.real_axis_table()
            if not rule.bound <= 1e-12:
                warnings.warn(f"ExactNTKLaw.cdf: estimated error {rule.bound:.2g} of the real-axis rule (half circles' "
                              "two rules, Chebyshev coefficient tails)", PrecisionWarning, stacklevel=3)
            xp = x.ravel()[pos]
            F = rule.cdf(xp)
            near = np.isnan(F)
            if np.any(near):
                F[near] = self._cdf_in_arcs(rule, xp[near], hi)
            flat[pos] = F
        return out if x.ndim else float(out)

    def _contour_ok(self, xs):
        """The contour per point only away from the edges and atoms (farther than the real-axis rule's half circles,
        ``w/128``): next to the atom at 0 it passes by the pole and was off by the atom's mass (1/3 at ``x = 1e-10``,
        D = +-1, gamma1 = 3) with a bound of 1e-10; there the rule is built instead."""
        marks = [e for p in self._pieces() for e in p[:2]] + [loc for loc, _ in self.atoms_float()]
        w = self._edges()[1] - self._edges()[0]
        return bool(np.all(np.min(np.abs(np.asarray(xs)[:, None] - np.array(marks)[None, :]), 1) > w / 128))

    def _arc_circles(self, rule, xs):
        """For points ``xs`` inside the arcs' intervals of ``rule``: the exact F of the points on the arcs' gap sides,
        and for the others a half circle through x whose other end y lies on the same gap side (F(y) exact) with
        the edge and every atom well inside or outside it (docs/ntk.md, "cdf inside the half circles").  Returns
        ``(F, rows)``: F with NaN where a circle is needed, rows ``(k, centre, radius, sign, F(y))``, sign +1 when x
        lies right of y; points with no such circle are left out of rows (NaN in F: the caller's fallback)."""
        atoms = self.atoms_float()
        F, rows = np.full(xs.shape, np.nan), []
        for k, (x, i) in enumerate(zip(xs.tolist(), rule.arc_index(xs).tolist())):
            a, b = rule.arcs[i]
            e, r = (a + b) / 2, (b - a) / 2
            s = 1 if i % 2 == 0 else -1         # arcs come as (left, right) edge of every piece: the support side
            end = a if s == 1 else b            # the arc's end on the gap side
            Fend = float(rule.cdf(np.array([end]))[0])

            def gap_F(y):
                if s == 1:
                    return Fend + sum(m for loc, m in atoms if end < loc <= y)
                return Fend - sum(m for loc, m in atoms if y < loc <= end)
            d = s * (x - e)
            if d <= 0:                          # between the edge and the arc's end: no continuous mass
                F[k] = gap_F(x)
                continue
            c = e
            close = [loc for loc, m in atoms if abs(abs(loc - e) - d) < d / 3]
            if close:                           # an atom next to the mirror circle: centre the circle on it
                c = close[0]
            R, y = abs(x - c), 2 * c - x
            ok = s * (e - c) >= 0 and s * (y - end) > 0 and s * (y - e) <= 0
            if ok and all(abs(abs(loc - c) - R) >= R / 4 for loc, m in atoms):
                rows.append((k, c, R, s, gap_F(y)))
        return F, rows

    def _cdf_in_arcs(self, rule, xs, hi, tol=1e-14, n_max=127):
        """``rho((-inf, x])`` for points ``xs`` inside the half circles of ``rule`` (docs/ntk.md, "cdf inside the half
        circles"): on the support side of an edge e, at the distance d, F(x) = F(y) +- rho([e - d, e + d]) with the
        mirror point y = 2e - x on the gap side (where F is the arc end's plus atoms) and the mass from Cauchy's
        theorem on the half circle |z - e| = d (around an atom instead when one lies next to that circle).  Nested
        Fejér rules in the angle (31 points, then 63, 127 where the rule of half as many points differs by more than
        ``tol``): 31 values of ``G_rho`` per point, all points in one batch.  Points with no such circle (or NaN
        values) get the contour of :meth:`_cdf_contour` from the arc's right end.  A PrecisionWarning when the last
        two rules differ by more than 1e-12."""
        F, rows = self._arc_circles(rule, xs)
        idx = rule.arc_index(xs)
        for i in np.unique(idx):
            sel = np.flatnonzero((idx == i) & np.isnan(F))
            if sel.size >= _ARC_PANELS_MIN:     # many points in one arc: graded panels instead of a circle each
                G = self._cdf_arc_panels(rule, int(i), xs[sel])
                F[sel] = G
        rows = [row for row in rows if np.isnan(F[row[0]])]
        if rows:
            k, c, R, s, Fy = (np.array(v) for v in zip(*rows))
            mass, diff, eG = self._circle_masses(c, R, tol, n_max)
            diff = diff + eG
            F[k] = Fy + s * mass                # NaN where a value of G_rho is: the contour below
            bad = np.isfinite(mass) & ~(diff <= 1e-12)
            if np.any(bad):
                worst = np.max(diff[bad])
                what = (f"estimated error up to {worst:.2g}" if np.isfinite(worst) else
                        f"error not bounded at x = {', '.join(f'{v:.3g}' for v in xs[k[bad & ~np.isfinite(diff)]])}")
                warnings.warn(f"ExactNTKLaw.cdf: inside the half circles, {what} (the last two nested rules' difference "
                              "plus the errors of G_rho from those of G_mu, which is continued to the real axis from "
                              "y0 and has no error estimate within a few y0 of 0 or of mu's edge)", PrecisionWarning,
                              stacklevel=4)
        miss = np.isnan(F)
        if np.any(miss):
            # the contour from the arc's right end (its F from the rule), of the arc's size; not for points next to an
            # atom on the scale of the contour (its end then meets the atom's pole, which both rules miss alike: at
            # x = 1e-300, atom 1/2 at 0, the value was off by 1/4 with the rules agreeing to 3e-10): NaN, warned
            L = np.array([b for a, b in rule.arcs])[rule.arc_index(xs[miss])]
            locs = np.array([loc for loc, _ in self.atoms_float()] or [np.inf])
            pole = np.min(np.abs(xs[miss][:, None] - locs[None, :]), 1) < 1e-6 * np.abs(L - xs[miss])
            F[miss] = np.nan
            if np.any(~pole):
                im = np.flatnonzero(miss)[~pole]
                F[im] = self._cdf_contour(xs[im], hi, L[~pole], rule.cdf(L[~pole]))
            if np.any(pole):
                warnings.warn(f"ExactNTKLaw.cdf: x = {', '.join(f'{v:.3g}' for v in xs[miss][pole])} lies next to an "
                              "atom (closer than 1e-6 of the arc's size): no half circle separates them and the contour "
                              "ends at the atom's pole; NaN returned there", PrecisionWarning, stacklevel=4)
        return F

    def _graded_panels(self, e, r, s, K):
        """:class:`ChebPanels` of the density on ``e + s r [2^-(k+1), 2^-k]``, ``k < K`` (``_cdf_arc_panels``), NaN
        where ``u`` is blind; kept per edge, radius, side and depth."""
        key = ("arc_panels", e, r, s, K)
        if key not in self._cache:
            fu = self._density_memo()
            gm = self._gm()

            def f(x):
                v = fu(x)
                u = np.array([fu.memo[t][1] for t in np.ravel(x).tolist()]).reshape(np.shape(x))
                return np.where(gm.blind(u), np.nan, v)
            dist = r * 2.0 ** -np.arange(K + 1)
            lo, hi = np.sort(np.stack([e + s * dist[1:], e + s * dist[:-1]]), 0)
            self._cache[key] = chebyshev_panels(f, lo, hi, tol=1e-15, n=_ARC_N, rounds=12)
        return self._cache[key]

    def _cdf_arc_panels(self, rule, i, xs):
        """``rho((-inf, x])`` for many points ``xs`` inside the half circle ``i`` of ``rule``, on its support side
        (docs/ntk.md, "cdf inside the half circles"): the density interpolated at ``_ARC_N`` Chebyshev points on
        panels graded towards the edge e, ``e +- r [2^-(k+1), 2^-k]`` (each as long as its distance to e: a Bernstein
        ellipse of parameter 3 + sqrt 8 inside the region where ``(x - e)^alpha`` is analytic; bisected while the
        coefficient tail exceeds 1e-15), down to the fifth point nearest to e; F from the arc's end on the support
        side, where the rule gives it: ``F(x) = F(b) - int_x^b f - atoms in (x, b]`` (left edge) or ``F(a) +
        int_a^x f + atoms in (a, x]`` (right edge).  Used only when the panels cost fewer values of ``G_rho`` than a
        half circle per point (31 each).  NaN for points closer to e than the panels, in an unresolved panel or
        beyond one, or where the density is NaN (u blind): the circles then.  A PrecisionWarning when the panels'
        tails exceed 1e-12.  Panels are kept per arc and depth."""
        a, b = rule.arcs[i]
        e, r = (a + b) / 2, (b - a) / 2
        s = 1 if i % 2 == 0 else -1
        d = s * (xs - e)
        out = np.full(xs.shape, np.nan)
        sup = d > 0
        if not np.any(sup):
            return out
        ds = np.sort(d[sup])
        target = ds[min(4, ds.size - 1)]
        K = int(min(_ARC_LEVELS, max(1, np.ceil(np.log2(r / target)))))
        if K * _ARC_N >= 31 * int(np.sum(d >= r * 2.0 ** -K)):
            return out
        p = self._graded_panels(e, r, s, K)
        ends, total = p.ends, p.total
        unresolved = {(q[0], q[1]) for q in p.err}
        bad = np.array([(pa, pb) in unresolved for pa, pb in ends.tolist()], bool) | ~np.isfinite(total)
        atoms = self.atoms_float()
        tails = 0.0
        for k in np.flatnonzero(sup):
            x = xs[k]
            j = np.flatnonzero((ends[:, 0] <= x) & (x <= ends[:, 1]))
            if j.size == 0:
                continue
            j = int(j[0])
            far = (ends[:, 0] >= ends[j, 1]) if s == 1 else (ends[:, 1] <= ends[j, 0])   # panels between x and the end
            if bad[j] or np.any(bad[far]):
                continue
            part = float(p.partial(np.array([j]), np.array([x]))[0])
            if s == 1:
                integral = float(np.sum(total[far])) + float(total[j]) - part
                F = float(rule.cdf(np.array([b]))[0]) - integral - sum(m for loc, m in atoms if x < loc <= b)
            else:
                integral = float(np.sum(total[far])) + part
                F = float(rule.cdf(np.array([a]))[0]) + integral + sum(m for loc, m in atoms if a < loc <= x)
            out[k] = F
            tails = max(tails, float(np.sum(p.tail[far])) + float(p.tail[j]))
        if not tails <= 1e-12:
            warnings.warn(f"ExactNTKLaw.cdf: inside the half circle around {e:.6g}, the graded panels' coefficient "
                          f"tails reach {tails:.2g}", PrecisionWarning, stacklevel=4)
        return out

    def _G_bounded(self, z):
        """``G_rho(z)`` (z in the upper half-plane) and a bound of its error from that of ``G_mu(u)``: a change
        ``delta`` of ``G_mu`` moves the root of ``X(u) = z`` by ``-u^2 delta/X'(u)``, i.e. ``G_rho = 1/(gamma1 u)`` by
        ``delta/(gamma1 X'(u))``; ``delta`` is ``GeneralMu.cauchy_error_np`` where ``Im u < y0`` (G_mu continued
        from ``y0`` to the axis), else ``10 tol |G_mu|`` (the line quadrature's tolerance, the same estimate)."""
        g1 = as_float(self._g1)
        gm = self._gm()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PrecisionWarning)   # NaN where Newton fails: the caller's fallback
            u, dX = self._u(z)
        with np.errstate(invalid="ignore", divide="ignore"):
            Gm = (z - (g1 - 1) * u) / (u * u)
        err = 10 * gm._tol * np.abs(Gm)
        # a u that is not finite (Newton failed: z within ~1e-300 of the atom at 0) has no bound, and its error
        # estimate must not be asked for (its NaN/inf real part crashed the continuation plan: OverflowError)
        err[~np.isfinite(u)] = np.inf
        near = np.isfinite(u) & (np.abs(u.imag) < gm._y0())
        if np.any(near):
            try:
                err[near] = gm.cauchy_error_np(u[near])
            except (ValueError, FloatingPointError, OverflowError, NoConvergence):
                # the estimate's continuations fail (seen at u within ~20 y0 of mu's edge E): not bounded
                err[near] = np.inf
            err[near] = np.where(np.isnan(err[near]), np.inf, err[near])
            # that estimate compares continuations from y0 and 2 y0: no estimate within a few y0 of a singular point
            # of G_mu (0, mu's right edge E), where the continuation itself fails (e.g. |x| < ~1e-9 with an atom of
            # rho at 0 and mu's support reaching 0: G_rho off by 1e-7 relative)
            sing = np.array([0.0, gm.right_edge()])
            blind = np.min(np.abs(u[near][:, None] - sing), 1) < 16 * gm._y0()
            err[np.nonzero(near)[0][blind]] = np.inf
        with np.errstate(all="ignore"):
            return 1 / (g1 * u), err / (g1 * np.abs(dX))

    def _circle_masses(self, c, R, tol, n_max, nodes=False):
        """``rho([c - R, c + R])`` (atoms inside included) from ``G_rho`` on the upper half circles (centres ``c``,
        radii ``R``), nested Fejér rules from 31 points up to ``n_max`` until two successive rules agree to ``tol``
        plus rounding (``16 eps`` of the mass); returns the masses, the last two rules' differences and the bounds of
        ``G_rho``'s errors summed with the weights (:meth:`_G_bounded`), and with ``nodes`` the last rule's
        ``(z, dz, G)`` of every circle."""
        n = 31
        z, w = nested_arc_rule(c, R, n)
        G, eG = (v.reshape(z.shape) for v in self._G_bounded(z.ravel()))
        with np.errstate(invalid="ignore"):        # (a circle through a pole: NaN, reported by the caller)
            mass = np.sum(w * G, 1).imag / np.pi
            eG = np.sum(np.abs(w) * eG, 1) / np.pi
            diff = np.abs(mass - np.sum(nested_arc_rule(c, R, n // 2)[1] * G[:, 1::2], 1).imag / np.pi)
        last = [list(z), list(w), list(G)]

        def open_(i):     # not yet agreed to tol plus rounding (16 eps of the mass), and still finite
            return i[~(diff[i] <= tol + 16 * np.finfo(float).eps * np.abs(mass[i])) & np.isfinite(diff[i])]
        todo = open_(np.arange(c.size))
        while todo.size and n < n_max:
            n = 2 * n + 1
            z, w = nested_arc_rule(c[todo], R[todo], n)
            G2 = np.empty(z.shape, complex)
            G2[:, 1::2] = G[todo]
            G_new, e_new = self._G_bounded(z[:, 0::2].ravel())
            G2[:, 0::2] = G_new.reshape(todo.size, -1)
            m2 = np.sum(w * G2, 1).imag / np.pi
            diff[todo], mass[todo] = np.abs(m2 - mass[todo]), m2
            eG[todo] += np.sum(np.abs(w[:, 0::2]) * e_new.reshape(todo.size, -1), 1) / np.pi
            G = np.zeros((c.size, n), complex)
            G[todo] = G2
            for j, i in enumerate(todo):
                last[0][i], last[1][i], last[2][i] = z[j], w[j], G2[j]
            todo = open_(todo)
        return (mass, diff, eG, last) if nodes else (mass, diff, eG)

    def quantile(self, q, xtol=1e-13, max_iter=200):
        """Quantiles (:meth:`SpectralMixin.quantile`: brackets at the support's ends and atoms, Illinois iteration on the
        cdf), with the default real-axis rule built first, so that every cdf call of the iteration, however few its
        points, is the rule's (panels' antiderivatives, a small half circle for points inside the arcs) and not a
        contour per point.  The arguments are checked before the rule is built."""
        qa = self._quantile_args(q, xtol, max_iter)
        if np.any((qa > 0) & (qa < 1)):         # 0, 1 and NaN need no cdf: no rule for them
            self.real_axis_table()
        return super().quantile(q, xtol=xtol, max_iter=max_iter)

    def _cdf_contour(self, xs, hi, L=None, FL=None):
        """``rho((-inf, x])`` at a few points ``xs`` in ``(0, hi)``, each from ``G_rho`` on its own contour
        (docs/ntk.md, "cdf of rho on a contour"): ``F(x) = F(L) + (1/pi) Im int G_rho(z) dz`` on the upper half of the
        circle (ellipse) from ``x`` to ``L`` (default ``L < 0``, ``F(L) = 0``; else the points ``L`` with their cdf
        ``FL``), ``theta = pi t^2``; Gauss-Legendre rules of 60 and 90 points (:func:`_contour_rule`, cached), a
        PrecisionWarning when they differ by more than 1e-12 (150 evaluations of ``G_rho`` per point)."""
        if L is None:
            L, FL = np.full(xs.shape, -0.1 * max(hi, float(np.max(xs)))), np.zeros(xs.shape)
        c, h = (xs + L) / 2, (xs - L) / 2
        zs, ws = [], []
        for m in (60, 90):
            th, dth = _contour_rule(m)
            zs.append(c[:, None] + h[:, None] * np.cos(th) + 1j * np.abs(h[:, None]) * np.sin(th))
            ws.append((-h[:, None] * np.sin(th) + 1j * np.abs(h[:, None]) * np.cos(th)) * dth)
        G = self._cauchy_np(np.concatenate(zs, 1).ravel()).reshape(xs.size, -1)
        n1 = zs[0].shape[1]
        F1 = np.sum(G[:, :n1] * ws[0], 1).imag / np.pi
        F2 = np.sum(G[:, n1:] * ws[1], 1).imag / np.pi
        diff = np.abs(F1 - F2)
        if np.any(~(diff <= 1e-12)):
            warnings.warn(f"ExactNTKLaw.cdf: the 60- and 90-point contour rules differ by up to {np.nanmax(diff):.2g} "
                          "(x close to an edge or to the atom at 0); the 90-point value is returned", PrecisionWarning,
                          stacklevel=3)
        return FL + F2

    def real_axis_table(self, n=_AXIS_N, levels=3, tol=1e-15, max_splits=_AXIS_ROUNDS, arc_nodes=None):
        """A rule for ``int g d rho`` from rho on and next to the real axis (docs/ntk.md, "Mass, moments and cdf on
        the real axis"), as an :class:`AxisRule`; every piece of rho's support (:meth:`_pieces`) is covered.

        *Next to each edge* ``e`` of every piece, ``rho([e - r, e + r])`` comes from Cauchy's theorem on the half
        circle ``|z - e| = r`` in the upper half-plane (:func:`nested_arc_rule`), ``r = (w/2) 4^-levels`` (w the
        piece's width), at most a third of the distance to the next edge: ``int_[e-r, e+r] g d rho =
        (1/pi) Im int_arc g G_rho dz`` for ``g`` analytic on the half disc and real on the real axis (polynomials),
        atoms inside included.  Every arc point is at the distance ``r`` from the edge, so a rule in the angle
        converges geometrically whatever the edge's exponent.  Default ``arc_nodes=None``: nested Fejér rules, 31
        points (63, 127 while the 15- and 31-point masses differ by more than ``tol`` plus rounding); two node
        counts: the two Gauss-Legendre rules (:func:`edge_arc_rule`) are compared and the larger is kept.  A
        PrecisionWarning when the estimate exceeds ``tol`` plus rounding.

        *Between the arcs* the density is interpolated at ``n`` first-kind Chebyshev points on panels graded
        towards the edges (``e +- (w/2) 4^-k``: each panel at a third of its length from its edge), with break
        points where ``u`` passes close to the real axis (:meth:`_feature_breaks`: there rho's density has a steep,
        analytic feature), each panel bisected while its coefficient tail exceeds ``tol`` and ``_AXIS_NOISE`` times
        its mass (:func:`chebyshev_panels`, at most ``max_splits`` rounds; else a PrecisionWarning, and the tails
        count in ``bound``)."""
        _check_table_args(n, levels, tol, max_splits, arc_nodes)
        key = ("real_axis_table", n, levels, tol, max_splits, None if arc_nodes is None else tuple(arc_nodes))
        if key in self._cache:
            return self._cache[key]
        pieces = [p[:2] for p in self._pieces()]
        edges, radii = self._arc_radii(pieces, levels)
        arc, bound = self._edge_arcs(edges, radii, arc_nodes, tol)
        a, b = self._first_panels(pieces, radii, levels)
        fu = self._density_memo()
        xs0 = ((a + b)[:, None] / 2 + (b - a)[:, None] / 2 * quadrature._cheb_points(n)).ravel()
        fu(xs0)
        a, b = self._feature_breaks(a, b, fu)
        w = pieces[-1][1] - pieces[0][0]
        panels = chebyshev_panels(fu, a, b, tol=tol, n=n, rounds=max_splits, min_width=1e-13 * w,
                                  radius=lambda x: [abs(fu.memo[v][2]) * fu.memo[v][1].imag for v in x.tolist()])
        if panels.err:
            worst = max(panels.err, key=lambda e: e[2])
            warnings.warn(f"ExactNTKLaw.real_axis_table: {len(panels.err)} panel(s) unresolved (coefficient tails not "
                          "shrinking on panels well inside the density's region of analyticity, NaN values, or "
                          f"{max_splits} bisections), the worst on {worst[0]:.8g} .. {worst[1]:.8g} (coefficient tail "
                          f"{worst[2]:.2g}); counted in the bound", PrecisionWarning, stacklevel=2)
        bound += float(np.sum(panels.tail))
        arcs = tuple((e - r, e + r) for e, r in zip(edges, radii))
        atoms = tuple((loc, m) for loc, m in self.atoms_float() if not any(p < loc < q for p, q in arcs))
        out = AxisRule(panels, tuple(q[0] for q in arc), tuple(q[1] for q in arc), tuple(q[2] for q in arc),
                       arcs, atoms, bound)
        self._cache[key] = out
        return out

    @staticmethod
    def _arc_radii(pieces, levels):
        """Every edge of the pieces and its half circle's radius: ``(w/2) 4^-levels`` of its piece, at most a third
        of the distance to the nearest other edge, and not within a third of the radius of 0 when 0 is not an edge
        (the atom at 0 is then either well inside the arc or well outside it)."""
        edges = [e for p in pieces for e in p]
        radii = []
        for i, e in enumerate(edges):
            lo, hi = pieces[i // 2]
            r = (hi - lo) / 2 * 4.0 ** -levels
            others = [abs(e - o) for j, o in enumerate(edges) if j != i]
            if others:
                r = min(r, min(others) / 3)
            if e != 0 and abs(abs(e) - r) < r / 3:
                r = abs(e) / 2
            radii.append(r)
        return edges, radii

    @staticmethod
    def _first_panels(pieces, radii, levels):
        """Panels between the arcs of every piece, graded towards its edges: ends ``lo + (w/2) 4^-k`` and
        ``hi - (w/2) 4^-k`` down to the arcs (``k >= levels`` only where an arc was made smaller)."""
        a, b = [], []
        for i, (lo, hi) in enumerate(pieces):
            h = (hi - lo) / 2
            rl, rh = radii[2 * i], radii[2 * i + 1]
            pts = {lo + rl, hi - rh, lo + h}
            k = 1
            while h * 4.0 ** -k > min(rl, rh) * 1.5 and k < 60:
                if h * 4.0 ** -k > 1.5 * rl:
                    pts.add(lo + h * 4.0 ** -k)
                if h * 4.0 ** -k > 1.5 * rh:
                    pts.add(hi - h * 4.0 ** -k)
                k += 1
            pts = sorted(pts)
            a += pts[:-1]
            b += pts[1:]
        return np.array(a), np.array(b)

    def _density_memo(self):
        """``f(x)`` (vectorised), rho's density from ``u(x + i0)``: ``-Im 1/(gamma1 u)/pi``, values kept (by x) with
        ``u`` and ``X'(u)`` for :meth:`_feature_breaks`; NaN where Newton failed."""
        g1 = as_float(self._g1)
        memo = {}

        def f(x):
            x = np.asarray(x, float)
            new = np.array(sorted({v for v in x.ravel().tolist() if v not in memo}))
            if new.size:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", PrecisionWarning)
                    u, dX = self._u(new + 0j)
                fx = np.clip(-(1 / (g1 * u)).imag / np.pi, 0, None)
                for v, fv, uv, dv in zip(new.tolist(), fx, u, dX):
                    memo[v] = (fv, uv, dv)
            return np.array([memo[v][0] for v in x.ravel().tolist()]).reshape(x.shape)
        f.memo = memo
        return f

    def _feature_breaks(self, a, b, fu):
        """Break points where rho's density has a steep interior feature (docs/ntk.md, "Where the density has
        features").  ``x -> u(x)`` is the inverse of ``X``; its singularities are the images ``X(s)`` of the real
        singular points ``s`` of ``G_mu`` (atoms, edges, kinks of mu's density), at the distance
        ``~|X'(u)| |s - u|`` from ``x``, at least ``delta = |X'(u)| Im u``.  At every local minimum of ``Im u``
        along the axis (from the values already computed) where ``delta`` is below 1/16 of its panel, the panel is
        cut at ``x*`` (the minimum of the parabola through the three values) and at ``x* +- delta 4^k``."""
        memo = fu.memo
        xs = np.array(sorted(memo))
        if xs.size < 3:
            return a, b
        u = np.array([memo[v][1] for v in xs])
        dX = np.array([memo[v][2] for v in xs])
        im = u.imag
        cuts = []
        for j in range(1, xs.size - 1):
            if not (im[j] < im[j - 1] and im[j] <= im[j + 1] and np.isfinite(dX[j])):
                continue
            k = np.searchsorted(b, xs[j])
            if k >= a.size or not a[k] <= xs[j] <= b[k] or not (a[k] <= xs[j - 1] and xs[j + 1] <= b[k]):
                continue
            x0, x1, x2 = xs[j - 1:j + 2]
            y0, y1, y2 = im[j - 1:j + 2]
            den = (x1 - x0) * (y1 - y2) - (x1 - x2) * (y1 - y0)
            xm = x1 - 0.5 * ((x1 - x0) ** 2 * (y1 - y2) - (x1 - x2) ** 2 * (y1 - y0)) / den if den else x1
            xm = min(max(xm, x0), x2)
            delta = abs(dX[j]) * im[j]
            L = b[k] - a[k]
            if not 0 < delta < L / 16:
                continue
            cuts.append(xm)
            d = delta
            while d < L:
                cuts += [xm - d, xm + d]
                d *= 4
        if not cuts:
            return a, b
        pts = np.unique(np.concatenate([a, b, cuts]))
        # only cuts inside the panels (the arcs' intervals and gaps between pieces stay uncovered)
        out_a, out_b = [], []
        for lo, hi in zip(a, b):
            inner = pts[(pts > lo) & (pts < hi)]
            q = np.concatenate([[lo], inner, [hi]])
            out_a += q[:-1].tolist()
            out_b += q[1:].tolist()
        return np.array(out_a), np.array(out_b)

    def _edge_arcs(self, edges, radii, arc_nodes, tol):
        """``(z, dz, G_rho)`` on the half circle of radius ``r`` around each edge, and the sum of the masses' error
        estimates (a PrecisionWarning where one exceeds ``tol`` plus rounding); all points in one batch.
        ``arc_nodes=None``: nested Fejér rules (:meth:`_circle_masses`: 31 points, 63 and 127 where the 15- and 31-point
        rules differ; estimate: that difference, as for the panels).  Two node counts: Gauss-Legendre rules
        of both (the larger kept; estimate: their difference)."""
        if arc_nodes is None:
            mass, err, _, (z, w, G) = self._circle_masses(np.array(edges, float), np.array(radii, float), max(tol, 1e-15),
                                                       127, nodes=True)
            for e, r, m, d in zip(edges, radii, mass, err):
                if not d <= max(tol, 1e-15) + 16 * np.finfo(float).eps * abs(m):
                    warnings.warn(f"ExactNTKLaw.real_axis_table: on the half circle |z - {e:.6g}| = {r:.3g} the mass has "
                                  f"the estimated error {d:.2g} (nested rules up to 127 points)",
                                  PrecisionWarning, stacklevel=3)
            return list(zip(z, w, G)), float(np.sum(err))
        rules = [edge_arc_rule(e, r, m) for e, r in zip(edges, radii) for m in arc_nodes]
        allG = self._cauchy_np(np.concatenate([q[0] for q in rules]))
        parts, i = [], 0
        for q in rules:
            parts.append((q[0], q[1], allG[i:i + q[0].size]))
            i += q[0].size
        bound = 0.0
        for j, (e, r) in enumerate(zip(edges, radii)):
            (_, w1, G1), (_, w2, G2) = parts[2 * j], parts[2 * j + 1]
            m1, m2 = np.sum(w1 * G1).imag / np.pi, np.sum(w2 * G2).imag / np.pi
            diff = abs(m1 - m2)
            if not diff <= max(tol, 1e-15) + 16 * np.finfo(float).eps * abs(m2):
                warnings.warn(f"ExactNTKLaw.real_axis_table: the {arc_nodes[0]}- and {arc_nodes[1]}-point rules on the "
                              f"half circle |z - {e:.6g}| = {r:.3g} differ by {diff:.2g}", PrecisionWarning, stacklevel=3)
            bound += diff
        return parts[1::2], bound

    def total_mass(self):
        """The mass of :meth:`real_axis_table` (density between the edges' half circles, the half circles' masses,
        atoms)."""
        return self.real_axis_table().integral(np.ones_like)

    def quadrature_error(self):
        """Error estimate of :meth:`total_mass` and of the cdf from :meth:`real_axis_table` (its ``bound``)."""
        return self.real_axis_table().bound

    #: expect of a function: degree of its Chebyshev interpolant on each half circle's interval
    _ARC_DEGREE = 16

    def _arc_values(self, i, a, b):
        """``(z, w127, w63, G_rho)`` on the half circle ``i`` of the default rule (radius ``(b - a)/2`` around its
        centre): Fejér's second rule of 127 points and its 63-point subrule (every other node), computed once per
        law for :meth:`_expect_arc` (the table keeps 31 points where the mass has converged, too few for ``T_16``)."""
        key = ("expect_arc", a, b)
        if key not in self._cache:
            e, r = (a + b) / 2, (b - a) / 2
            z, w = nested_arc_rule(e, r, 127)
            _, w63 = nested_arc_rule(e, r, 63)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", PrecisionWarning)
                G = self._cauchy_np(z[0])
            self._cache[key] = (z[0], w[0], w63[0], G)
        return self._cache[key]

    def _expect_arc(self, h, i, a, b, atoms):
        """``(value, error estimate, max |c_j|)`` of ``int h d rho`` over the interval ``[a, b]`` of half circle ``i``
        (:meth:`_expect_density`): ``h`` interpolated at Chebyshev points of the interval, or of its support side when
        ``h`` is not finite or not defined on the gap side; Chebyshev moments of rho there from 127 values of
        ``G_rho`` on the half circle, the atoms inside taken out of them and added as ``m h(loc)`` (exact, inf and
        NaN propagated); error: the moments' change from the 63-point subrule, the interpolant's tail times ``M_0``,
        and the rounding of the moments."""
        from numpy.polynomial import chebyshev as C
        e, r = (a + b) / 2, (b - a) / 2
        try:
            with np.errstate(invalid="ignore", divide="ignore"):
                cj = C.chebinterpolate(lambda t: h(e + r * t), self._ARC_DEGREE)
            full = bool(np.all(np.isfinite(cj)))
        except InvalidArgument:                  # h raised or gave complex values off the support
            full = False
        if not full:                             # the support side [e, e + r] (left edge) or [e - r, e] only
            s_ = 1 if i % 2 == 0 else -1
            e, r = e + s_ * r / 2, r / 2
            cj = C.chebinterpolate(lambda t: h(e + r * t), self._ARC_DEGREE)
        z, w, w63, G = self._arc_values(i, a, b)
        T = C.chebvander((z - e) / r, self._ARC_DEGREE)
        M = (T.T @ (w * G)).imag / np.pi
        M63 = (T[1::2].T @ (w63 * G[1::2])).imag / np.pi
        val = 0.0
        for loc, m in atoms:                     # the atoms inside: exactly, not through the interpolant
            Ta = C.chebvander(np.array([(loc - e) / r]), self._ARC_DEGREE)[0]
            M, M63 = M - m * Ta, M63 - m * Ta
            val += m * float(h(np.array([loc]))[0])
        val += float(cj @ M)
        eps = np.finfo(float).eps
        err = (float(np.abs(cj) @ np.abs(M - M63)) + abs(M[0]) * float(np.sum(np.abs(cj[-3:])))
               + eps * float(np.abs(cj) @ (np.abs(T).T @ np.abs(w * G))) / np.pi)
        return val, err, float(np.max(np.abs(cj)))

    def _expect_density(self, g, tol=None):
        """``int g d rho`` for a real vectorised ``g`` on :meth:`real_axis_table` (docs/ntk.md, "Expectations of a
        function"); ``g`` is called at real points only.

        *Between the half circles*: the panels' Fejér rule on ``f g`` (``f`` the density at the panels' Chebyshev
        points); its error is the coefficient tail of ``f g`` on each panel.  *On the interval* ``[e - r, e + r]``
        *of a half circle*: ``g`` is interpolated at ``_ARC_DEGREE + 1`` Chebyshev points there, ``p = sum c_j
        T_j(t)`` with ``t = (x - e)/r``, and ``int p d rho`` over the interval is ``sum c_j M_j`` with the Chebyshev
        moments ``M_j = (1/pi) Im int_arc T_j((z - e)/r) G_rho dz`` (Cauchy's theorem: ``p`` is a polynomial; atoms
        inside the interval included); the error ``int (g - p) d rho`` is at most ``M_0`` times the interpolant's
        error, estimated by its last three coefficients, plus the rounding of ``M_j`` (``|T_j|`` grows like
        ``(1 + sqrt 2)^j`` on the half circle).  Everything is shifted by ``g(c)`` at the support's centre (``int g
        d rho = int (g - g(c)) d rho + g(c)``, rho of mass 1), and the rule's own ``bound`` times ``max |g - g(c)|``
        is added.  A PrecisionWarning gives the total when it exceeds ``tol``."""
        from numpy.polynomial import chebyshev as C
        rule = self.real_axis_table()
        p = rule.panels
        pieces = self._pieces()
        c = 0.5 * (pieces[0][0] + pieces[-1][1]) if pieces else 0.0
        gc = float(g(np.array([c]))[0])
        if not np.isfinite(gc):
            gc = 0.0

        def h(t):
            return g(t) - gc

        hx = h(p.x)
        val = float(np.sum(p.weights() * p.f * hx))
        half = (p.ends[:, 1] - p.ends[:, 0]) / 2
        coef = np.array([quadrature._coefficients(v) for v in p.f * hx]) if len(half) else np.zeros((0, 3))
        err = float(np.sum(2 * half * np.sum(np.abs(coef[:, -3:]), 1)))
        hmax = float(np.max(np.abs(hx))) if hx.size else 0.0
        eps = np.finfo(float).eps
        atoms_all = self.atoms_float()
        for i, (a, b) in enumerate(rule.arcs):
            v, e_, hm = self._expect_arc(h, i, a, b, [(loc, m) for loc, m in atoms_all if a < loc < b])
            val, err, hmax = val + v, err + e_, max(hmax, hm)
        for loc, m in rule.atoms:
            val += m * float(h(np.array([loc]))[0])
        err += rule.bound * hmax
        if tol is not None and not err <= tol and np.isfinite(val):
            warnings.warn(f"ExactNTKLaw.expect: the value is good to about {err:.1e} only (asked {tol:.1e}): the "
                          "coefficient tails of g times the density on the real-axis rule, of g's interpolants on the "
                          "half circles' intervals, and the rule's own bound", PrecisionWarning, stacklevel=3)
        return val + gc

    def _pieces(self):
        """Every piece of rho's continuous support: ``[(lo, hi, u_lo, u_hi), ...]``
        (:func:`freetk.ntk_general.rho_support`)."""
        if "pieces" not in self._cache:
            self._cache["pieces"] = rho_support(self._gm(), as_float(self._g1))
        return self._cache["pieces"]

    def _edges(self):
        """``(lo, hi, u_lo, u_hi)``: the outer edges of rho's continuous part and their critical points (None for an
        edge that is the image of a soft edge of mu, or a continuous part reaching 0)."""
        if "edges" not in self._cache:
            p = self._pieces()
            self._cache["edges"] = (p[0][0], p[-1][1], p[0][2], p[-1][3])
        return self._cache["edges"]

    def _range(self):
        lo, hi = self._edges()[:2]
        return lo, hi

    def support_intervals(self):
        """Every piece of rho's continuous support, edges from the critical points of ``X`` on the real gaps of mu
        (kind ``"sqrt"``) or images of soft edges of mu / a continuous part reaching 0 (``"end"``, classified from
        the density)."""
        if "support_intervals" not in self._cache:
            ivs = [Interval(lo, hi, "sqrt" if ua is not None else "end", "sqrt" if ub is not None else "end")
                   for lo, hi, ua, ub in self._pieces()]
            self._cache["exact_edges"] = True
            self._cache["support_intervals"] = self._classify_ends(ivs)
        return self._cache["support_intervals"]

    def pdf_error(self, x, dps=None):
        """Estimated absolute error of ``pdf(x)`` in double precision.

        ``dps=None`` (default): the route's own estimate, propagated to first order from the error of ``G_mu`` at the
        solution ``u`` (docs/ntk.md, "Error of the density"): ``X(u) = x`` with ``X(u) = (gamma1 - 1) u + u^2
        G_mu(u)``, so an error ``dG`` of ``G_mu`` (:meth:`GeneralMu.cauchy_error_np`) and the Newton residual ``R =
        X(u) - x`` move ``G_rho = 1/(gamma1 u)`` by ``(u^2 dG + R)/(gamma1 u^2 X'(u))``; plus the rounding of
        ``-Im G_rho/pi``.  Large next to the edges (``X' -> 0``); ``inf`` where ``u`` is blind (NaN density);
        0 where the density is 0 exactly (off the support).  ``dps=k`` (at least 17): the difference with a
        ``k``-digit evaluation (Newton at working precision with ``GeneralMu.cauchy_mp``; tens of seconds a
        point)."""
        if dps is not None:
            return Measure.pdf_error(self, x, dps=dps)
        _v.points("ExactNTKLaw.pdf_error", "x", x)
        x0 = np.asarray(x, float)
        xs = x0.ravel()
        out = np.where(np.isnan(xs), np.nan, 0.0)
        inside = np.zeros(xs.shape, bool)
        for p in self._pieces():                 # 0 exactly off every piece (gaps included)
            inside |= (xs > p[0]) & (xs < p[1])
        inside &= xs != 0
        if np.any(inside):
            g1 = as_float(self._g1)
            gm = self._gm()
            u, dX = self._u(xs[inside] + 0j)
            err = np.full(u.shape, np.inf)
            ok = ~gm.blind(u) & np.isfinite(u)
            if np.any(ok):
                uo = u[ok]
                with np.errstate(all="ignore"):
                    try:
                        G, _ = gm.cauchy_np(uo)
                        dG = gm.cauchy_error_np(uo)
                    except (ValueError, FloatingPointError, NoConvergence):
                        G, dG = np.full(uo.shape, np.nan), np.full(uo.shape, np.inf)   # not bounded
                    R = np.abs((g1 - 1) * uo + uo * uo * G - xs[inside][ok])
                    e = ((np.abs(uo) ** 2 * dG + R) / (g1 * np.abs(uo) ** 2 * np.abs(dX[ok]))
                         + 4 * np.finfo(float).eps * np.abs(1 / (g1 * uo))) / np.pi
                err[ok] = np.where(np.isfinite(e), e, np.inf)
            out[inside] = err
        return out.reshape(x0.shape)[()]


def _check_hermite_numbers(h):
    """Hermite data given by hand: ``c0, c1, norm2, a`` real finite numbers with ``norm2 >= 0``, ``a >= 0`` and
    ``norm2 = c0^2 + c1^2 + a`` (``a`` is the rest of Parseval's sum).  A NaN ``c1`` gave an empty support, a negative
    ``a`` a law (``a`` is a variance), a string a ValueError from inside."""
    vals = {}
    if any(isinstance(getattr(h, n), sympy.Basic) and getattr(h, n).free_symbols for n in ("c0", "c1", "norm2", "a")):
        return      # symbolic data (exact moments in symbols): nothing numeric to check
    for name in ("c0", "c1", "norm2", "a"):
        v = getattr(h, name)
        try:
            f = float(v)
        except (TypeError, ValueError):
            raise InvalidArgument(f"Argument `hermite` of `ntk_law`: {name} must be a real number, got {v!r}") from None
        if not np.isfinite(f):
            raise InvalidArgument(f"Argument `hermite` of `ntk_law`: {name} must be finite, got {v!r}")
        vals[name] = f
    tol = 1e-12 * max(1.0, vals["norm2"]) + 10 * float(h.error or 0)
    if vals["a"] < -tol or vals["norm2"] < -tol:
        raise InvalidArgument(f"Argument `hermite` of `ntk_law`: a = norm2 - c0^2 - c1^2 and norm2 must be >= 0, got "
                              f"a = {vals['a']:.6g}, norm2 = {vals['norm2']:.6g}")
    if abs(vals["norm2"] - vals["c0"] ** 2 - vals["c1"] ** 2 - vals["a"]) > tol + 1e-12 * vals["norm2"]:
        raise InvalidArgument(f"Argument `hermite` of `ntk_law`: norm2 must equal c0^2 + c1^2 + a, got "
                              f"{vals['norm2']:.12g} against {vals['c0'] ** 2 + vals['c1'] ** 2 + vals['a']:.12g}")


def _refine_on_demand(law, h, build):
    """Route ``dps=`` calls needing more digits than ``h`` carries to a law built from refined data."""
    refined = {}

    def at(dps):
        if dps is None or dps + 5 <= h.digits:
            return law, None
        target = max(dps + 10, 50)
        if target not in refined:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", PrecisionWarning)
                hr = h.refine(target)
            refined[target] = (build(hr) if hr is not h else law,
                               [w for w in caught if issubclass(w.category, PrecisionWarning)])
        return refined[target]

    for name in ("cauchy", "stieltjes", "pdf", "cdf"):
        method = getattr(law, name)

        def wrapper(x, dps=None, _name=name, _method=method, **kw):
            other, caught = at(dps)
            if caught:
                hd = other.hermite
                warnings.warn(f"{type(law).__name__}.{_name}(dps={dps}): the Hermite data carry about "
                              f"{hd.digits} digits (error {hd.error:.2g}); the result cannot be better",
                              PrecisionWarning, stacklevel=2)
            if other is law:
                return _method(x, dps=dps, **kw)
            return getattr(other, _name)(x, dps=dps, **kw)
        wrapper.__doc__ = method.__doc__
        object.__setattr__(law, name, wrapper)   # set once, at construction (the law stays immutable)


def ntk_moments_symbolic(k):
    """``m_j(rho)``, ``j <= k``, as polynomials in gamma1, gamma2, a, c1^2 and E[T^j] (sympy).

    Returns ``(moments, symbols)`` with ``symbols = (gamma1, gamma2, a, c1, tau)`` where
    ``tau[j]`` stands for ``E[T^j]``.  The moment series of mu and the free-cumulant relation
    ``kappa_j(rho) = gamma1^(j-1) m_j(mu)`` run on FLINT multivariate polynomials over QQ
    (k = 8 in a fraction of a second); the results are expanded sympy expressions.
    """
    k = check_order("ntk_moments_symbolic", "k", k)
    g1, g2, a, c1 = sympy.symbols("gamma_1 gamma_2 a c_1", positive=True)
    tau_syms = list(sympy.symbols("tau_1:%d" % (k + 2), positive=True))
    ring, gens = _series.MpolyRing.with_symbols([g1, g2, a, c1] + tau_syms)
    G1, G2, A, C1 = gens[:4]
    tau = [ring.one()] + gens[4:]
    mu = mu_moments_kernel(A, C1 * C1, G2, tau, k)
    kap = [G1 ** (j - 1) * mu[j] for j in range(1, k + 1)]
    rho = _series.free_cumulants_to_moments(kap)
    return [ring.to_sympy(x) for x in rho], (g1, g2, a, c1, [sympy.Integer(1)] + tau_syms)
