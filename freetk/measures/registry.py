r"""The one registry of named measure families and named laws of ``D``.

``FAMILIES`` lists the families a user names in a string (the command line's ``semicircle:1/2,2``, the
test strategies): the public constructor, its parameters (declared as data on the family, see
:mod:`freetk.measures.parameters`), aliases, and an exact sampler when there is one.  ``D_LAWS`` lists
the laws of the entries of ``D`` that :func:`freetk.ntk_law`, the Monte Carlo samplers and the command
line accept by name.  Adding a family or a law of ``D`` is one entry here; the API
(:class:`freetk.ntk.TLaw`), :func:`freetk.montecarlo.ntk_matrix`, :mod:`freetk.cli`, the docs table
(:func:`markdown_table`, in docs/families.md) and :mod:`freetk.testing` read these tables and nothing else.
"""
from dataclasses import dataclass, replace
from typing import Callable

import numpy as np
import sympy

from ..errors import InvalidArgument
from ..numeric import as_float
from .atoms import Atoms, atoms
from .classical import Arcsine, Uniform, arcsine, uniform
from .marchenko_pastur import MP_PARAMETERS, FreePoisson, free_poisson, marchenko_pastur
from .parameters import Interval, Sequence, REQUIRED
from .semicircle import Semicircle, semicircle

__all__ = ["Family", "DLaw", "FAMILIES", "D_LAWS", "family", "family_of", "d_law", "markdown_table"]


@dataclass(frozen=True)
class Family:
    """A named family: ``build(**parameters)`` makes a measure of class ``cls``.

    ``positive``: replacements of some parameters (``{name: {field: value}}``) under which every law of
    the family lives on ``[0, inf)`` (used by the strategies' ``positive=True``).  ``sample(measure,
    rng, size)``: an exact sampler (the Monte Carlo otherwise inverts the cdf)."""

    name: str
    build: Callable
    parameters: tuple
    cls: type
    summary: str
    aliases: tuple = ()
    positive: tuple = ()
    sample: Callable = None

    def positive_parameters(self):
        """``parameters`` with the replacements that put the law on ``[0, inf)``."""
        over = dict(self.positive)
        return tuple(replace(p, **over[p.name]) if p.name in over else p for p in self.parameters)

    def spec(self):
        """The command-line syntax, e.g. ``free_poisson:rate[,jump]`` (sequences ``x1,x2,...``, the next
        one after ``@``)."""
        seq = any(isinstance(p.domain, Sequence) for p in self.parameters)
        sep = "@" if seq else ","
        req = [p for p in self.parameters if p.required]
        opt = [p for p in self.parameters if not p.required]
        show = lambda p: f"{p.name}..." if seq else p.name  # noqa: E731
        head = self.name + (":" + sep.join(show(p) for p in req) if req else "")
        if opt:
            tail = sep.join(show(p) for p in opt)
            head += f"[{sep if req else ':'}{tail}]"
        return head


def _sample_atoms(m, rng, size):
    locs = np.array([as_float(x) for x, _ in m.atoms()])
    w = np.array([as_float(v) for _, v in m.atoms()])
    return rng.choice(locs, size=size, p=w / w.sum())


def _sample_uniform(m, rng, size):
    return rng.uniform(as_float(m.parameters["lo"]), as_float(m.parameters["hi"]), size=size)


_HALF_LINE = {"domain": Interval(0, lo_open=False), "typical": (0, 8)}

FAMILIES = {f.name: f for f in (
    Family("semicircle", semicircle, Semicircle.PARAMETERS, Semicircle, "Wigner's semicircle law",
           positive=(("mean", {"domain": Interval("2*sqrt(var)"), "typical": (1, 8)}),)),
    Family("marchenko_pastur", marchenko_pastur, MP_PARAMETERS, FreePoisson,
           "Marchenko–Pastur law, mean 1 and variance ratio", aliases=("mp",)),
    Family("free_poisson", free_poisson, FreePoisson.PARAMETERS, FreePoisson,
           "free Poisson law, free cumulants rate·jump^k"),
    Family("atoms", atoms, Atoms.PARAMETERS, Atoms, "finitely many atoms",
           positive=(("locations", {"typical": (1, 6)}),), sample=_sample_atoms),
    Family("uniform", uniform, Uniform.PARAMETERS, Uniform, "uniform law on [lo, hi]",
           positive=(("lo", _HALF_LINE),), sample=_sample_uniform),
    Family("arcsine", arcsine, Arcsine.PARAMETERS, Arcsine, "arcsine law on [lo, hi]",
           positive=(("lo", _HALF_LINE),)),
)}


def family(name):
    """The family called ``name`` (or one of its aliases, any case)."""
    key = name.strip().lower()
    for f in FAMILIES.values():
        if key == f.name or key in f.aliases:
            return f
    raise InvalidArgument(f"unknown measure family {name!r}; known: "
                          f"{', '.join(n for f in FAMILIES.values() for n in (f.name,) + f.aliases)}")


def family_of(measure):
    """The registered family that builds ``measure`` from its parameters: its class and the names of
    ``measure.parameters`` match (a Marchenko–Pastur law is a ``FreePoisson`` with ``rate`` and ``jump``: the
    ``free_poisson`` family), or None."""
    names = set(measure.parameters)
    for f in FAMILIES.values():
        if type(measure) is f.cls and names == {p.name for p in f.parameters}:
            return f
    return None


# ----------------------------------------------------------------------------- laws of D
@dataclass(frozen=True)
class DLaw:
    """A named law of the entries of ``D``: ``measure()`` builds it (None for a law that is not a
    bounded freetk measure, whose ``T = D^2`` moments ``t_moment(k)`` are then given), ``sample(rng, p)``
    draws ``p`` entries."""

    name: str
    summary: str
    sample: Callable
    measure: Callable = None
    t_moment: Callable = None

    @property
    def bounded(self):
        return self.measure is not None


D_LAWS = {d.name: d for d in (
    DLaw("rademacher", "±1 with equal probability", lambda rng, p: rng.choice([-1.0, 1.0], size=p),
         measure=lambda: Atoms([-1, 1])),
    DLaw("uniform", "uniform on [-1, 1]", lambda rng, p: rng.uniform(-1.0, 1.0, size=p),
         measure=lambda: Uniform(-1, 1)),
    DLaw("gaussian", "standard normal (unbounded: exact moments only, numerics refused)", lambda rng, p: rng.standard_normal(p),
         t_moment=lambda k: sympy.factorial2(2 * k - 1) if k > 0 else sympy.Integer(1)),
)}


def d_law(name, func="ntk_law"):
    """The law of ``D`` called ``name`` (any case); ``func`` names the caller in the error."""
    law = D_LAWS.get(name.strip().lower()) if isinstance(name, str) else None
    if law is None:
        raise InvalidArgument(f"Argument `d_law` of `{func}` must be a Measure or one of "
                              f"{', '.join(repr(k) for k in D_LAWS)}; got {name!r}")
    return law


# ----------------------------------------------------------------------------- docs
def markdown_table():
    """The table of families and laws of D in docs/families.md, generated from the declarations."""
    rows = ["| family | command line | parameter | symbol | domain | default | typical |",
            "|---|---|---|---|---|---|---|"]
    for f in FAMILIES.values():
        names = ", ".join(f"`{n}`" for n in (f.name,) + f.aliases)
        for i, p in enumerate(f.parameters):
            default = "required" if p.default is REQUIRED else ("equal" if p.default is None else f"${sympy.latex(p.default)}$")
            first = (f"{names}: {f.summary}", f"`{f.spec()}`") if i == 0 else ("", "")
            base = f"{p.domain.lo} + " if isinstance(getattr(p.domain, "lo", None), str) else ""
            rows.append(f"| {first[0]} | {first[1]} | `{p.name}` ({p.doc}) | ${p.symbol}$ | "
                        f"${p.domain.latex()}$ | {default} | {base}{p.typical[0]} … {base}{p.typical[1]} |")
    rows += ["", "| law of D (`d_law=`) | description |", "|---|---|"]
    rows += [f"| `{d.name}` | {d.summary} |" for d in D_LAWS.values()]
    return "\n".join(rows) + "\n"
