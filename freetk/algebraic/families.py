"""Equations of the named families, and the dispatch ``measure -> AlgebraicLaw``.

Closed forms (each is ``P(G, z)`` with ``G`` the Cauchy transform):

- semicircle (mean ``m``, variance ``v``): ``v G^2 - (z - m) G + 1``;
- free Poisson (rate ``r``, jump ``α``), ``R(w) = r α/(1 - α w)``: ``α z G^2 - (z + α - r α) G + 1``
  (``MP(λ)``: ``λ z G^2 - (z + λ - 1) G + 1``);
- arcsine on ``[a, b]``, ``G = 1/sqrt((z - a)(z - b))``: ``(z - a)(z - b) G^2 - 1``;
- atoms ``sum w_i δ_{x_i}``: ``prod(z - x_i) G - sum_i w_i prod_{j != i}(z - x_j)``;
- free compound Poisson, affine images, ``free_add`` and ``free_mul`` results: by the closure
  operations of :class:`AlgebraicLaw`, recursively.
"""
import sympy

from ..convolution import FreeAdditiveConvolution, FreeMultiplicativeConvolution
from ..errors import InvalidArgument
from ..measures.atoms import Atoms
from ..measures.base import Measure
from ..measures.classical import Arcsine
from ..measures.general import Affine
from ..measures.marchenko_pastur import FreeCompoundPoisson, FreePoisson
from ..measures.semicircle import Semicircle
from ..ntk import NTKMu
from . import poly as _p
from .law import AlgebraicLaw, G_SYM, Z_SYM
from .poly import G_, Z_

SEED = 8


def _exact(v, what):
    v = sympy.sympify(v)
    if isinstance(v, sympy.Float) or (v.is_number and not v.is_Rational):
        raise InvalidArgument(f"algebraic_of: {what} = {v} is not rational; the equation is built over Q "
                              "(pass Fractions, sympy Rationals or symbols)")
    return v


def _from_expr(expr, measure, params_of=()):
    G, z = G_SYM, Z_SYM
    params = sorted(set().union(*[sympy.sympify(v).free_symbols for v in params_of]) if params_of else set(),
                    key=str)
    ring = _p.Ring(params)
    e = sympy.expand(sympy.sympify(expr).subs({G: ring.symbols[G_], z: ring.symbols[Z_]}, simultaneous=True))
    P, _ = ring.from_sympy(e)
    seed = measure.moments(SEED)
    return AlgebraicLaw(P, ring, seed, name=measure.latex())


def _atoms_law(measure, pairs):
    xs = [_exact(x, "atom location") for x, _ in pairs]
    ws = [_exact(w, "atom weight") for _, w in pairs]
    z, G = Z_SYM, G_SYM
    prod = sympy.Integer(1)
    for x in xs:
        prod *= (z - x)
    num = sum(w * sympy.prod([(z - y) for j, y in enumerate(xs) if j != i]) for i, (x, w) in enumerate(zip(xs, ws)))
    seed_measure = measure if isinstance(measure, Atoms) else Atoms(xs, ws)
    return _from_expr(prod * G - num, seed_measure, xs + ws)


def algebraic_of(measure):
    """The :class:`AlgebraicLaw` of a freetk measure (its Cauchy transform's minimal equation).

    Supported: semicircle, free Poisson / Marchenko–Pastur, arcsine, atoms (rational or symbolic
    locations and weights), free compound Poisson with an algebraic jump law (atomic jumps
    included, and the NTK law when ``c1 = 0`` with atomic D), affine images, and the results of
    ``free_add`` / ``free_mul`` of supported measures (recursively).  Other measures (uniform,
    measures given by moments or by a numeric density) raise :class:`InvalidArgument`.

    Examples
    --------
    >>> import freetk as ft
    >>> ft.algebraic_of(ft.marchenko_pastur(2)).equation()
    2*G**2*z - G*z - G + 1
    """
    if not isinstance(measure, Measure):
        raise InvalidArgument(f"Argument `measure` of `algebraic_of` must be a Measure, got {type(measure).__name__}")
    key = "algebraic"
    if key in measure._cache:
        return measure._cache[key]
    law = _dispatch(measure)
    measure._cache[key] = law
    return law


def _dispatch(measure):
    G, z = G_SYM, Z_SYM
    par = measure.parameters
    if isinstance(measure, Semicircle):
        m, v = _exact(par["mean"], "mean"), _exact(par["var"], "variance")
        return _from_expr(v * G ** 2 - (z - m) * G + 1, measure, [m, v])
    if isinstance(measure, FreePoisson):
        r, a = _exact(par["rate"], "rate"), _exact(par["jump"], "jump")
        return _from_expr(a * z * G ** 2 - (z + a - r * a) * G + 1, measure, [r, a])
    if isinstance(measure, Arcsine):
        lo, hi = _exact(par["lo"], "lo"), _exact(par["hi"], "hi")
        return _from_expr((z - lo) * (z - hi) * G ** 2 - 1, measure, [lo, hi])
    if isinstance(measure, Atoms):
        return _atoms_law(measure, measure.atoms())
    if isinstance(measure, NTKMu):
        if measure.route != "c1=0":
            raise InvalidArgument("algebraic_of: the NTK law μ is algebraic here only when c1 = 0 "
                                  "(μ is then the atomic law of a T)")
        return _atoms_law(measure, measure.atoms())
    if isinstance(measure, FreeCompoundPoisson):
        r = _exact(par["rate"], "rate")
        return AlgebraicLaw.free_compound_poisson(r, algebraic_of(par["jump_law"]))
    if isinstance(measure, Affine):
        return algebraic_of(par["base"]).affine(par["scale"], par["shift"])
    if isinstance(measure, FreeAdditiveConvolution):
        mu, nu = measure.operands
        return algebraic_of(mu).add(algebraic_of(nu))
    if isinstance(measure, FreeMultiplicativeConvolution):
        mu, nu = measure.operands
        return algebraic_of(mu).mul(algebraic_of(nu))
    raise InvalidArgument(f"algebraic_of: {type(measure).__name__} has no algebraic Cauchy transform "
                          "(or none that freetk knows)")
