"""Branches of an algebraic function as exact power series (Newton iteration / Hensel lifting).

The moment series ``M(w) = sum m_k w^k`` of a law with equation ``P(G, z) = 0`` is a root of
``F(M, w) = w^(d_z) P(w M, 1/w)`` (``G(z) = w M(w)`` with ``w = 1/z``).  Given the first ``n`` terms
of the branch, with ``v`` the valuation of ``F_M`` along it and ``n >= 2 v + 1``, Newton's step
``M <- M - F(M)/F_M(M)`` is well defined and takes ``n`` correct terms to ``2 n - v``.
"""
import flint
import sympy

from ..errors import InvalidArgument
from . import poly as _p


def coefficient_polys(P, i_fun, i_arg):
    """``{j: {k: c}}``: ``P = sum c x_fun^j x_arg^k`` for a polynomial in two variables
    (coefficients ``c`` are polynomials in the parameters, as fmpz_mpoly)."""
    out = {}
    for j, cj in _p.coeffs_in(P, i_fun).items():
        out[j] = _p.coeffs_in(cj, i_arg)
    return out


def moment_equation(P, ring):
    """``F(M, w)`` as ``{j: {k: coeff}}`` from ``P(G, z)``: ``F = w^e P(w M, 1/w)``, lowest power of w removed."""
    cp = coefficient_polys(P, _p.G_, _p.Z_)
    dz = max(k for row in cp.values() for k in row)
    F = {}
    for j, row in cp.items():
        for k, c in row.items():
            F.setdefault(j, {})[j - k + dz] = c
    low = min(k for row in F.values() for k in row)
    return {j: {k - low: c for k, c in row.items()} for j, row in F.items()}


# ---------------------------------------------------------------------------------- rational case
def _to_qpoly(row):
    n = max(row) + 1
    c = [0] * n
    for k, v in row.items():
        c[k] = int(v.leading_coefficient()) if not v.is_zero() else 0
    return flint.fmpq_poly(c)


def _eval(fq, M, N):
    """``F(M)`` and ``F_M(M)`` modulo ``w^N`` (Horner)."""
    d = max(fq)
    zero = flint.fmpq_poly([])
    F = fq.get(d, zero)
    dF = zero
    for j in range(d - 1, -1, -1):
        dF = (dF * M).truncate(N) + F
        F = (F * M).truncate(N) + fq.get(j, zero)
    return F.truncate(N), dF.truncate(N)


def _val(p):
    c = p.coeffs()
    for i, x in enumerate(c):
        if x != 0:
            return i
    return None


def _inv_series(B, N):
    inv = flint.fmpq_poly([1 / flint.fmpq(B.coeffs()[0])])
    k = 1
    while k < N:
        k = min(2 * k, N)
        inv = (inv * (2 - (B * inv).truncate(k))).truncate(k)
    return inv


def check_seed(fq, seed):
    """``(ok, v)``: does the seed annihilate ``F`` to its length, and the valuation ``v`` of ``F_M``
    (``None`` when ``F_M`` vanishes to the seed's length: the seed is too short to tell)."""
    n = len(seed)
    M = flint.fmpq_poly([flint.fmpq(int(sympy.Rational(x).p), int(sympy.Rational(x).q)) for x in seed])
    F, dF = _eval(fq, M, n)
    return F.is_zero(), _val(dF)


def lift_rational(fq, seed, K, func="AlgebraicLaw.moments"):
    """``[m_0..m_K]`` (fmpq) of the branch of ``F`` that starts with ``seed``."""
    n = len(seed)
    M = flint.fmpq_poly([flint.fmpq(int(sympy.Rational(x).p), int(sympy.Rational(x).q)) for x in seed])
    F, dF = _eval(fq, M, n)
    if not F.is_zero():
        raise InvalidArgument(f"{func}: the seed moments are not a branch of the equation")
    v = _val(dF)
    if v is None or n < 2 * v + 1:
        raise InvalidArgument(f"{func}: {n} seed moments do not determine the branch (F_M has valuation "
                              f"{v}); internal error")
    while n < K + 1:
        N = 2 * n - v
        F, dF = _eval(fq, M, N + v)
        A = flint.fmpq_poly(F.coeffs()[v:]) if F.length() > v else flint.fmpq_poly([])
        B = flint.fmpq_poly(dF.coeffs()[v:])
        delta = (A * _inv_series(B, N)).truncate(N)
        M = (M - delta).truncate(N)
        n = N
    c = list(M.coeffs()) + [flint.fmpq(0)] * (K + 1)
    return c[:K + 1]


# ---------------------------------------------------------------------------------- symbolic case
def lift_symbolic(F, ring, seed, K, func="AlgebraicLaw.moments"):
    """Same as :func:`lift_rational` over ``Q(params)`` (order-by-order lifting, sympy field)."""
    from sympy.polys.fields import field
    from sympy import QQ
    if not ring.params:
        raise InvalidArgument(f"{func}: internal error, symbolic lifting without parameters")
    K_, *pgens = field(list(ring.params), QQ)
    conv = lambda c: K_(0) if c.is_zero() else sum(  # noqa: E731
        (int(v) * _mono(pgens, mon[4:]) for mon, v in c.to_dict().items()), K_(0))
    Fk = {j: {k: conv(c) for k, c in row.items()} for j, row in F.items()}
    d = max(Fk)
    M = [_sym_to_field(x, K_, ring) for x in seed]

    def ev(M, N):
        Fv = [K_(0)] * N
        dFv = [K_(0)] * N
        for j in range(d, -1, -1):
            # dF = dF * M + F ; F = F * M + f_j
            dFv = [a + b for a, b in zip(_mul(dFv, M, N), Fv)]
            fj = Fk.get(j, {})
            Fv = [a + fj.get(k, K_(0)) for k, a in enumerate(_mul(Fv, M, N))]
        return Fv, dFv

    n = len(M)
    Fv, dFv = ev(M, n)
    if any(x != 0 for x in Fv):
        raise InvalidArgument(f"{func}: the seed moments are not a branch of the equation")
    v = next((i for i, x in enumerate(dFv) if x != 0), None)
    if v is None or n < 2 * v + 1:
        raise InvalidArgument(f"{func}: the seed moments do not determine the branch; internal error")
    while len(M) < K + 1:
        n = len(M)
        Fv, dFv = ev(M + [K_(0)], n + v + 1)
        M.append(-Fv[n + v] / dFv[v])
    return [sympy.factor(x.as_expr()) for x in M[:K + 1]]


def _mono(gens, exps):
    out = 1
    for g, e in zip(gens, exps):
        out = out * g ** int(e)
    return out


def _mul(a, b, N):
    out = [a[0] * 0] * N if a else []
    for i, x in enumerate(a[:N]):
        if x == 0:
            continue
        for j, y in enumerate(b[:N - i]):
            out[i + j] += x * y
    return out


def _sym_to_field(x, K_, ring):
    num, den = sympy.fraction(sympy.together(sympy.sympify(x)))
    return K_.from_expr(num) / K_.from_expr(den)
