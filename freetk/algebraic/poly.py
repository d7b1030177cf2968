"""Exact multivariate polynomial kernels (FLINT ``fmpz_mpoly``) for algebraic laws.

Every polynomial lives in ``Z[G, z, t, u, p_1, ..., p_k]``: ``G`` the Cauchy transform, ``z`` the
spectral variable, ``t``, ``u`` two elimination variables, and the parameters ``p_i`` (sympy symbols,
kept as polynomial variables so that an equation over ``Q(p)`` is an integer polynomial after clearing
denominators).  The functions here are pure: polynomials in, polynomials out.
"""
import flint
import sympy

from ..errors import InvalidArgument

BASE = ("G", "z", "t", "u")
G_, Z_, T_, U_ = range(4)


class Ring:
    """The polynomial ring ``Z[G, z, t, u, params]`` (FLINT context plus sympy symbols)."""

    _cache = {}

    def __new__(cls, params=()):
        params = tuple(sorted(set(params), key=str))
        if params in cls._cache:
            return cls._cache[params]
        self = super().__new__(cls)
        self.params = params
        for p in params:
            if str(p) in BASE:
                raise InvalidArgument(f"algebraic: parameter names {BASE} are reserved, got {p}")
        self.names = BASE + tuple(str(p) for p in params)
        self.ctx = flint.fmpz_mpoly_ctx.get(self.names, "lex")
        self.symbols = tuple(sympy.Symbol(n) for n in BASE) + params
        self.gens = self.ctx.gens()
        cls._cache[params] = self
        return self

    def __repr__(self):
        return f"Ring{self.names}"

    # ------------------------------------------------------------------ conversions
    def from_sympy(self, expr):
        """``(poly, c)`` with ``poly = c * expr`` an integer polynomial (``expr`` polynomial over Q)."""
        expr = sympy.sympify(expr)
        extra = expr.free_symbols - set(self.symbols)
        if extra:
            raise InvalidArgument(f"algebraic: unexpected symbols {sorted(map(str, extra))} in {expr}")
        try:
            pol = sympy.Poly(expr, *self.symbols, domain="QQ")
        except sympy.PolynomialError as e:
            raise InvalidArgument(f"algebraic: {expr} is not a polynomial over Q in {self.names}") from e
        c, pol = pol.clear_denoms(convert=True)
        d = {tuple(m): int(v) for m, v in pol.terms() if v != 0}
        return self.ctx.from_dict(d) if d else self.ctx.from_dict({}), sympy.Rational(c)

    def frac(self, expr):
        """``(N, D)`` integer polynomials with ``expr == N / D`` (``expr`` rational over Q)."""
        num, den = sympy.fraction(sympy.together(sympy.sympify(expr)))
        pn, cn = self.from_sympy(num)
        pd, cd = self.from_sympy(den)
        # num = pn / cn, den = pd / cd  ->  num/den = (cd pn) / (cn pd)
        return pn * int(cd.p) * int(cn.q), pd * int(cn.p) * int(cd.q)

    def to_sympy(self, p):
        out = sympy.Integer(0)
        for mon, c in p.to_dict().items():
            term = sympy.Integer(int(c))
            for s, e in zip(self.symbols, mon):
                if e:
                    term *= s ** e
            out += term
        return out

    def convert(self, p, other):
        """The polynomial ``p`` of ring ``other`` in this ring (a superset of its variables)."""
        if other is self:
            return p
        idx = [self.names.index(n) for n in other.names]
        d = {}
        for mon, c in p.to_dict().items():
            m = [0] * len(self.names)
            for i, e in zip(idx, mon):
                m[i] = e
            d[tuple(m)] = c
        return self.ctx.from_dict(d)

    def const(self, c):
        c = sympy.Rational(c)
        if c.q != 1:
            raise InvalidArgument("algebraic: internal error, non-integer constant")
        return self.ctx.from_dict({(0,) * len(self.names): int(c.p)}) if c != 0 else self.ctx.from_dict({})


def union(r1, r2):
    return Ring(tuple(r1.params) + tuple(r2.params))


# ---------------------------------------------------------------------- structure
def degree(p, i):
    return p.degrees()[i] if not p.is_zero() else -1


def coeffs_in(p, i):
    """``{k: c_k}`` with ``p = sum_k c_k x_i^k`` (``c_k`` free of ``x_i``)."""
    ctx = p.context()
    groups = {}
    for mon, c in p.to_dict().items():
        k = mon[i]
        m = list(mon)
        m[i] = 0
        groups.setdefault(k, {})[tuple(m)] = c
    return {k: ctx.from_dict(d) for k, d in groups.items()}


def subs_frac(p, i, N, D):
    """Numerator of ``p`` with ``x_i`` replaced by ``N/D``: ``sum_k c_k N^k D^(d-k)``."""
    cs = coeffs_in(p, i)
    d = max(cs)
    out = p.context().from_dict({})
    Npow = {0: p.context().from_dict({(0,) * p.context().nvars(): 1})}
    for k in range(1, d + 1):
        Npow[k] = Npow[k - 1] * N
    Dpow = {0: Npow[0]}
    for k in range(1, d + 1):
        Dpow[k] = Dpow[k - 1] * D
    for k, c in cs.items():
        out += c * Npow[k] * Dpow[d - k]
    return out


def rename(p, mapping):
    """Substitute generators for generators (``{i: j}``: ``x_i -> x_j``)."""
    ctx = p.context()
    gens = list(ctx.gens())
    args = [gens[mapping.get(i, i)] for i in range(len(gens))]
    return p.compose(*args)


def is_free_of(p, i):
    return degree(p, i) <= 0


def involved(p, i):
    return degree(p, i) > 0


def normalize(p):
    """Primitive part with a positive leading coefficient (lex order, ``G`` first)."""
    if p.is_zero():
        raise InvalidArgument("algebraic: the zero polynomial defines no law")
    c, _ = p.primitive()
    q = p / c if c != 1 else p
    if q.leading_coefficient() < 0:
        q = -q
    return q


def factors_with(p, needed):
    """Distinct irreducible factors of ``p`` that involve every variable index in ``needed``."""
    _, fac = p.factor()
    out = []
    for f, _e in fac:
        if all(involved(f, i) for i in needed):
            out.append(normalize(f))
    return out


def univariate(p, i):
    """``p`` (involving only ``x_i``) as an ``fmpz_poly``."""
    cs = coeffs_in(p, i)
    n = max(cs) + 1 if cs else 0
    out = [0] * n
    for k, c in cs.items():
        if not c.is_constant():
            raise InvalidArgument("algebraic: internal error, polynomial is not univariate")
        out[k] = int(c.leading_coefficient()) if not c.is_zero() else 0
    return flint.fmpz_poly(out)


def specialize(p, values):
    """Substitute rational values ``{i: Fraction-like}`` and clear denominators (integer poly)."""
    ctx = p.context()
    out = p
    for i, v in values.items():
        v = sympy.Rational(v)
        N = ctx.from_dict({(0,) * ctx.nvars(): int(v.p)})
        D = ctx.from_dict({(0,) * ctx.nvars(): int(v.q)})
        if involved(out, i):
            out = subs_frac(out, i, N, D)
    return out


# ---------------------------------------------------------------------- univariate, exact
def arb_fraction(x):
    """The exact midpoint of an ``arb`` ball as a Fraction."""
    from fractions import Fraction
    m, e = x.mid().man_exp()
    m, e = int(m), int(e)
    return Fraction(m * 2 ** e) if e >= 0 else Fraction(m, 2 ** -e)


def mpf_fraction(x):
    """An mpmath real number (a binary number) as the exact Fraction it is."""
    from fractions import Fraction
    sign, man, exp, _bc = x._mpf_
    if not man:
        if exp:
            raise ValueError("mpf_fraction: not a finite number")
        return Fraction(0)
    v = Fraction(int(man) << int(exp)) if exp >= 0 else Fraction(int(man), 1 << -int(exp))
    return -v if sign else v


def _scaled_values(c, X, N):
    """``f(x) 2^(N d)`` and ``f'(x) 2^(N (d - 1))`` at ``x = X / 2^N`` (exact integers; ``c`` the
    coefficients of ``f``, lowest power first, ``d`` its degree)."""
    d = len(c) - 1
    f = c[d]
    for k in range(d - 1, -1, -1):
        f = f * X + (c[k] << (N * (d - k)))
    df = d * c[d]
    for k in range(d - 2, -1, -1):
        df = df * X + (((k + 1) * c[k + 1]) << (N * (d - 1 - k)))
    return f, df


def real_root(f, lo, hi, bits):
    """``X`` with ``|X / 2^bits - a| < 2^(1 - bits)``, ``a`` the only root of the integer polynomial
    ``f`` in ``[lo, hi]`` (Fractions; a simple root, so ``f`` changes sign there).

    Newton's method in exact integer fixed point, safeguarded by bisection; the result is certified
    by the sign change of ``f`` (evaluated exactly) across ``[X - 1, X + 1] / 2^bits``."""
    import math
    from ..errors import NoConvergence
    c = [int(v) for v in f.coeffs()]
    N = int(bits)
    a = math.floor(lo * 2 ** N)
    b = math.ceil(hi * 2 ** N)
    sign = lambda X: (_scaled_values(c, X, N)[0] > 0) - (_scaled_values(c, X, N)[0] < 0)  # noqa: E731
    sa, sb = sign(a), sign(b)
    if sa == 0 or sb == 0:
        return a if sa == 0 else b
    if sa == sb:
        raise NoConvergence("algebraic: the isolating interval of a real root shows no sign change")
    X = (a + b) // 2
    for _ in range(4 * N + 200):
        if b - a <= 2:
            return (a + b) // 2
        v, dv = _scaled_values(c, X, N)
        if v == 0:
            return X
        if (v > 0) == (sa > 0):
            a = X
        else:
            b = X
        Xn = X - v // dv if dv != 0 else None
        if Xn is not None and abs(X - Xn) <= 1:
            # Newton has converged: bracket [X - 1, X + 1] if the signs allow, else keep bisecting
            lo_s, hi_s = sign(max(a, X - 1)), sign(min(b, X + 1))
            if lo_s != hi_s or lo_s == 0:
                return X
        X = Xn if Xn is not None and a < Xn < b else (a + b) // 2
    raise NoConvergence("algebraic: real root refinement did not converge", best=X)
