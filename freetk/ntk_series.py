r"""Exact moments of mu(a, c1, gamma2, nu) by a two-variable power series (docs/ntk.md).

Derivation (recorded in docs/ntk.md).  With ``w = -1/z`` the jumps of ``rho_z`` are
``w T/(1 + a T w)``, so ``m_j(rho_z) = w^j mt_j(w)`` where ``mt_j`` are the moments of the
free compound Poisson law with rate ``r = gamma2`` and jumps ``T/(1 + a T w)``.  Its R-transform
is ``r h(u - a w)`` with ``h(v) = E[T/(1 - vT)] = sum_k E[T^{k+1}] v^k``, so by Lagrange
inversion of ``u = y (1 + r u h(u - a w))``

    [w^l] mt_n = 1/(n+1) sum_{k=0}^{n} C(n+1, k) r^k [v^{n-k+l}] h(v)^k C(n-k+l, l) (-a)^l.

Expanding ``log(1 + c(k + k'))`` (``c = c1^2``) under ``rho_z (x) rho_z``,

    Psi(w) = 1/(2r) sum_{n>=1} (-1)^{n+1} c^n w^n / n * sum_j C(n, j) mt_j(w) mt_{n-j}(w),

and ``G_mu = Phi'(z)`` gives ``m_K(mu) = a^K E[T^K] + (-1)^{K+1} K [w^K] Psi``.
Cost: O(N^3) scalar operations plus O(N^2) products of polynomials of degree <= N;
with FLINT polynomials (exact rationals, or arb balls with rigorous error radii)
64 moments take well under a second.
"""
from math import comb

import flint
from flint.utils.flint_exceptions import DomainError
import sympy

from . import series as _series
from .errors import InvalidArgument, NoConvergence
from .validation import check_order


class _ListAlgebra:
    """Polynomials as Python lists over any coefficient ring (sympy symbols included)."""

    def poly(self, coeffs):
        return list(coeffs)

    def mul(self, p, q, n):
        return _series.series_mul(list(p) + [0] * n, list(q) + [0] * n, n)

    def coeff(self, p, i):
        return p[i] if i < len(p) else 0

    def scalar(self, x):
        return x

    def simplify(self, x):
        return _series._expand(x)


class _FlintAlgebra:
    """Polynomials as FLINT ``fmpq_poly`` (exact) or ``arb_poly`` (balls)."""

    def __init__(self, poly_type, scalar_type):
        self.P = poly_type
        self.S = scalar_type

    def poly(self, coeffs):
        return self.P(list(coeffs))

    def mul(self, p, q, n):
        r = p * q
        return r.truncate(n) if hasattr(r, "truncate") else self.P(r.coeffs()[:n])

    def coeff(self, p, i):
        return p[i] if i <= p.degree() else self.S(0)

    def scalar(self, x):
        return self.S(x)

    def simplify(self, x):
        return x


def mu_moments_kernel(a, c, r, tau, N, algebra=None):
    """Moments ``[1, m_1..m_N]`` of mu from ``a``, ``c = c1^2``, ``r = gamma2`` and ``tau[j] = E[T^j]``.

    ``tau`` must hold ``E[T^0..T^{N+1}]``.  Works over sympy (symbols allowed), Python
    Fractions, FLINT fmpq or arb numbers, depending on ``algebra``.
    """
    if len(tau) < N + 2:
        raise ValueError(f"mu_moments_kernel needs E[T^j] for j <= {N + 1}, got {len(tau)} values")
    A = algebra or _ListAlgebra()
    zero = A.scalar(0)
    one = A.scalar(1)
    # h(v) = sum_k tau_{k+1} v^k, degree <= N
    h = A.poly([tau[k + 1] for k in range(N + 1)])
    powers = [A.poly([one])]
    for k in range(1, N + 1):
        powers.append(A.mul(powers[-1], h, N + 1))
    # mt[n] as polynomial in w of degree <= N - n
    rpow = [one]
    for k in range(1, N + 2):
        rpow.append(rpow[-1] * r)
    mapow = [one]
    for l in range(1, N + 1):
        mapow.append(mapow[-1] * (-a))
    mt = []
    for n in range(N + 1):
        coeffs = []
        for l in range(N - n + 1):
            s = zero
            for k in range(n + 1):
                s = s + comb(n + 1, k) * comb(n - k + l, l) * rpow[k] * A.coeff(powers[k], n - k + l)
            coeffs.append(A.simplify(s * mapow[l] / (n + 1)) if not isinstance(s, int) else s)
        mt.append(A.poly(coeffs))
    # E_n(w) = sum_j C(n, j) mt_j mt_{n-j}, degree <= N - n
    psi = [zero] * (N + 1)
    cpow = one
    for n in range(1, N + 1):
        cpow = cpow * c
        deg = N - n + 1
        En = None
        for j in range(0, n // 2 + 1):
            term = A.mul(mt[j], mt[n - j], deg)
            mult = comb(n, j) * (1 if 2 * j == n else 2)
            term = term * mult if not isinstance(term, list) else [mult * t for t in term]
            En = term if En is None else (En + term if not isinstance(En, list) else
                                          [x + y for x, y in zip(En + [0] * deg, term + [0] * deg)])
        sign = 1 if n % 2 == 1 else -1
        for K in range(n, N + 1):
            psi[K] = psi[K] + sign * cpow * A.coeff(En, K - n) / n
    out = [one]
    for K in range(1, N + 1):
        val = a ** K * tau[K] + (-1) ** (K + 1) * K * psi[K] / (2 * r)
        out.append(A.simplify(val))
    return out


def mu_moments_exact(a, c, r, tau, N):
    """Exact moments ``[1, m_1..m_N]`` of mu.

    All inputs rational: FLINT ``fmpq`` polynomials.  Otherwise (symbols, ``pi``, square roots):
    FLINT multivariate polynomials in the generators of the inputs (:class:`freetk.series.MpolyRing`,
    e.g. ``QQ[1/pi]`` for ReLU), results returned as expanded sympy expressions; when that is not
    possible (division by ``r`` not exact in the ring) sympy's rational-function field.
    """
    vals = [a, c, r] + list(tau[:N + 2])
    if _series._kind(vals) == "rational":
        conv = _series._to_fmpq
        alg = _FlintAlgebra(flint.fmpq_poly, flint.fmpq)
        out = mu_moments_kernel(conv(a), conv(c), conv(r), [conv(t) for t in tau[:N + 2]], N, alg)
        as_sympy = any(isinstance(v, sympy.Basic) for v in vals)
        return [_series._from_fmpq(x, True) if as_sympy else _series._from_fmpq(x, False) for x in out]
    embedded = _series.MpolyRing.embed(vals)
    if embedded is not None:
        ring, e = embedded
        try:
            out = mu_moments_kernel(e[0], e[1], e[2], list(e[3:]), N, _MpolyAlgebra(ring))
        except DomainError:   # r does not divide in the ring: use the field below
            pass
        else:
            return [ring.to_sympy(v) for v in out]
    from sympy.polys.fields import sfield
    K, elems = sfield([sympy.sympify(v) for v in vals])
    out = mu_moments_kernel(elems[0], elems[1], elems[2], list(elems[3:]), N, _FieldAlgebra(K))
    return [sympy.cancel(v.as_expr()) if hasattr(v, "as_expr") else sympy.sympify(v) for v in out]


class _MpolyAlgebra(_ListAlgebra):
    """Polynomials in w as lists of FLINT ``fmpq_mpoly`` (exact polynomials in the generators)."""

    def __init__(self, ring):
        self.ring = ring
        self.zero = ring.ctx.from_dict({})

    def mul(self, p, q, n):
        out = []
        for k in range(n):
            s = self.zero
            for i in range(max(0, k - len(q) + 1), min(k, len(p) - 1) + 1):
                s = s + p[i] * q[k - i]
            out.append(s)
        return out

    def scalar(self, x):
        return self.ring.one() * x

    def simplify(self, x):
        return x


class _FieldAlgebra(_ListAlgebra):
    """Polynomials with coefficients in a sympy rational-function field (fast exact arithmetic)."""

    def __init__(self, K):
        self.K = K

    def mul(self, p, q, n):
        out = []
        for k in range(n):
            s = self.K.zero
            for i in range(max(0, k - len(q) + 1), min(k, len(p) - 1) + 1):
                s = s + p[i] * q[k - i]
            out.append(s)
        return out

    def simplify(self, x):
        return x


def mu_moments_arb(a, c, r, tau, N, prec_bits):
    """Moments of mu as FLINT ``arb`` balls at ``prec_bits`` (inputs: arb or exact numbers), by
    :func:`mu_moments_kernel_arb` (the same series as :func:`mu_moments_kernel`, arranged for FLINT)."""
    with _series.FlintPrec(prec_bits):
        conv = lambda v: v if isinstance(v, flint.arb) else to_arb(v)  # noqa: E731
        return mu_moments_kernel_arb(conv(a), conv(c), conv(r), [conv(t) for t in tau[:N + 2]], N)


def mu_moments_kernel_arb(a, c, r, tau, N):
    """:func:`mu_moments_kernel` over ``arb`` balls with the work in FLINT polynomial operations.

    The inner sum of ``[w^l] mt_n`` over ``k`` is a Taylor shift: with ``P_k = h^k``,
    ``sum_l C(m + l, l) [v^(m+l)] P_k s^l = P_k^(m)(s)/m!``, so
    ``mt_n(w) = 1/(n+1) sum_k C(n+1, k) r^k (P_k^(n-k)/(n-k)!)(s)`` at ``s = -a w``: one derivative per
    ``(k, m)`` instead of a Python loop over ``(n, l, k)`` (O(N^3) scalar operations, ~0.1 s at N = 63).
    The products ``mt_j mt_(n-j)`` are truncated before multiplying."""
    P = flint.arb_poly
    one = flint.arb(1)
    h = P([tau[k + 1] for k in range(N + 1)])
    rpow = [one]
    for _ in range(N + 1):
        rpow.append(rpow[-1] * r)
    # mt_n as polynomials in s (degree <= N - n)
    acc = [P([]) for _ in range(N + 1)]
    Q_k = P([one])
    for k in range(N + 1):
        Q = Q_k
        for m in range(N - k + 1):
            n = m + k
            acc[n] += Q.truncate(N - n + 1) * (rpow[k] * comb(n + 1, k) / (n + 1))
            Q = Q.derivative() * (one / (m + 1))
        Q_k = (Q_k * h).truncate(N + 1)
    mapow = [one]
    for _ in range(N):
        mapow.append(mapow[-1] * (-a))
    mt = []
    for n in range(N + 1):
        cs = acc[n].coeffs()
        mt.append(P([cs[l] * mapow[l] if l < len(cs) else flint.arb(0) for l in range(N - n + 1)]))
    psi = [flint.arb(0)] * (N + 1)
    cpow = one
    for n in range(1, N + 1):
        cpow = cpow * c
        deg = N - n + 1
        En = P([])
        for j in range(0, n // 2 + 1):
            term = (mt[j].truncate(deg) * mt[n - j].truncate(deg)).truncate(deg)
            En += term * (comb(n, j) * (1 if 2 * j == n else 2))
        cs = En.coeffs()
        f = cpow / n if n % 2 == 1 else -cpow / n
        for K in range(n, min(N, n + len(cs) - 1) + 1):
            psi[K] = psi[K] + f * cs[K - n]
    out = [one]
    for K in range(1, N + 1):
        out.append(a ** K * tau[K] + (-1) ** (K + 1) * K * psi[K] / (2 * r))
    return out


def rho_moments_arb(a, c, gamma1, r, tau, N, prec_bits):
    """Moments ``[1, m_1..m_N]`` of rho as ``arb`` balls: ``kappa_k(rho) = gamma1^(k-1) m_k(mu)``
    turned into moments by the generic series kernel in ball arithmetic."""
    with _series.FlintPrec(prec_bits):
        mu = mu_moments_arb(a, c, r, tau, N, prec_bits)
        g1 = to_arb(gamma1)
        kap = [g1 ** (j - 1) * mu[j] for j in range(1, N + 1)]
        return [flint.arb(1)] + _series.free_cumulants_to_moments(kap)[1:]


#: ball arithmetic is retried with doubled precision at most this many times
_MAX_DOUBLINGS = 6


def moments_to_dps(balls_at, N, dps, func):
    """Run ``balls_at(prec_bits)`` (a list of ``arb``) with the precision doubled until every ball
    is narrower than ``10^-(dps+2)`` relative; return the midpoints as mpmath numbers carrying
    ``dps + 10`` digits (global mpmath precision untouched).  Raises ``NoConvergence``.
    """
    import mpmath
    from mpmath import libmp
    prec = int(dps * 3.33) + 64
    tol = flint.arb(10) ** (-int(dps) - 2)
    worst = None
    for _ in range(_MAX_DOUBLINGS):
        vals = balls_at(prec)
        with _series.FlintPrec(prec):
            bad = [v for v in vals if not (v.rad() == 0 or v.rad() <= abs(v.mid()) * tol)]
            worst = max((float(v.rad() / abs(v.mid())) if v.mid() != 0 else float("inf")) for v in bad) \
                if bad else 0.0
        if not bad:
            out_prec = libmp.dps_to_prec(int(dps) + 10)
            res = []
            for v in vals:
                man, exp = v.mid().man_exp()
                res.append(mpmath.mp.make_mpf(libmp.from_man_exp(int(man), int(exp), out_prec, "n")))
            return res
        prec *= 2
    raise NoConvergence(f"{func}: ball arithmetic did not reach {dps} digits (widest relative radius "
                        f"{worst:.1e} at {prec // 2} bits)", residual=worst, iterations=_MAX_DOUBLINGS)


def mu_moments_numeric(a, c, r, tau, N, dps):
    """Moments ``[1, m_1..m_N]`` of mu as mpmath numbers correct to ``dps`` digits (balls)."""
    return moments_to_dps(lambda p: mu_moments_arb(a, c, r, tau, N, p), N, dps, "NTKMu.moments_numeric")


def rho_moments_numeric(law, k, dps=30):
    """``[m_0..m_k]`` of the NTK law ``rho`` as mpmath numbers correct to ``dps`` digits.

    The fast numeric route when the Hermite data contain ``pi`` or other constants (ReLU, GELU, ...):
    FLINT ball arithmetic on the moment series of ``mu`` and the free-cumulant relation
    ``kappa_k(rho) = gamma1^(k-1) m_k(mu)``; 64 moments take a fraction of a second.  The exact
    moments (``law.moments(k)``) are the same numbers as sympy expressions.

    Examples
    --------
    >>> import freetk as ft
    >>> from freetk.ntk_series import rho_moments_numeric
    >>> law = ft.ntk_law("relu", gamma1=1, gamma2=0.5)
    >>> m = rho_moments_numeric(law, 64, dps=20)
    >>> len(m), float(m[1])          # m_1(rho) = m_1(mu) = (a + c1^2) E[T] = 1/4
    (65, 0.25)
    """
    k = check_order("rho_moments_numeric", "k", k)
    dps = check_order("rho_moments_numeric", "dps", dps)
    if dps < 1:
        raise InvalidArgument(f"Argument `dps` of `rho_moments_numeric` must be >= 1, got {dps}")
    h = law.hermite
    tau = law.mu.t_law.tau(k + 1)
    return moments_to_dps(lambda p: rho_moments_arb(h.a, h.c1 ** 2, law.gamma1, law.gamma2, tau, k, p), k, dps,
                          "rho_moments_numeric")


def to_arb(v):
    """An exact sympy number, Fraction/int, or mpmath number as an arb ball at the current FLINT precision."""
    from fractions import Fraction
    import mpmath
    if isinstance(v, flint.arb):
        return v
    if isinstance(v, int):
        return flint.arb(v)
    if isinstance(v, Fraction):
        return flint.arb(flint.fmpq(v.numerator, v.denominator))
    if isinstance(v, sympy.Basic):
        if v.is_Rational:
            return flint.arb(flint.fmpq(int(v.p), int(v.q)))
        if v.free_symbols:   # a symbolic gamma2 reaching a numeric route (it was a raw ValueError from arb)
            raise InvalidArgument(f"numeric evaluation needs numeric parameters; {v} has symbols "
                                  f"{sorted(map(str, v.free_symbols))}")
        digits = int(flint.ctx.prec * 0.30103) + 10
        s = sympy.N(v, digits)
        if s == 0:
            return flint.arb(0, "1e-%d" % (digits - 2))
        # sympy.N gives `digits` significant digits: a relative radius of 10^-(digits-2) encloses v
        return flint.arb(str(s)) * flint.arb(1, "1e-%d" % (digits - 2))
    if isinstance(v, mpmath.mpf):
        man, exp = v.man_exp if hasattr(v, "man_exp") else mpmath.mpf(v).man_exp
        return flint.arb(flint.fmpz(int(man))) * flint.arb(2) ** int(exp)
    return flint.arb(v)
