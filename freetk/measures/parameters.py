r"""Parameters of a measure family, declared as data.

Each family lists its parameters once (``Semicircle.PARAMETERS``): a :class:`Parameter` carries the
name, the :mod:`domain <freetk.measures.parameters>` (an :class:`Interval` of reals whose ends may be
other parameters, a :class:`Sequence` of reals, a :class:`Simplex` of weights, or a :class:`IsMeasure`),
the LaTeX symbol, the typical values and the default.  From these declarations alone come

* the validation of the constructor's arguments (:func:`validate`, with messages naming the function,
  the argument and the condition),
* the public read access ``measure.parameters`` (a read-only mapping name -> exact value),
* the command-line syntax ``family:p1,p2`` (:mod:`freetk.cli`),
* the table of families in ``docs/families.md`` (:func:`freetk.measures.registry.markdown_table`),
* the hypothesis strategies of :mod:`freetk.testing` (values drawn from the typical range).

Typical values ``(a, b)``: the test strategies draw small rationals ``p/q`` with ``p`` an integer in
``[a, b]`` and ``q`` in ``1..4``; when the lower end of the domain is another parameter (``hi`` of a
uniform law: ``hi > lo``) the drawn rational is added to that end.
"""
from dataclasses import dataclass
import math
import re

import sympy

from .. import validation as _v
from ..errors import InvalidArgument
from ..numeric import as_float, exact
from .spectral import SpectralMixin

__all__ = ["Parameter", "Interval", "Sequence", "Simplex", "IsMeasure", "REQUIRED", "REALS", "POSITIVE",
           "validate"]


class _Required:
    def __repr__(self):
        return "REQUIRED"


#: default of a parameter that must be given
REQUIRED = _Required()


#: functions allowed in an end that refers to other parameters
_FUNCTIONS = {"sqrt"}


def _symbolic(x):
    return isinstance(x, sympy.Basic) and bool(x.free_symbols)


@dataclass(frozen=True)
class Interval:
    """Real numbers between ``lo`` and ``hi``.  An end is a number, ``±inf``, or a sympy expression
    (as a string) in earlier parameters (``"lo"``, ``"2*sqrt(var)"``): the domain then depends on them."""

    lo: object = -math.inf
    hi: object = math.inf
    lo_open: bool = True
    hi_open: bool = True

    def refs(self):
        """Names of the other parameters the ends refer to."""
        return {n for e in (self.lo, self.hi) if isinstance(e, str)
                for n in re.findall(r"[A-Za-z_]\w*", e) if n not in _FUNCTIONS}

    def end(self, which, values):
        """The end ``"lo"`` or ``"hi"`` as a number or exact expression, given earlier parameters."""
        e = getattr(self, which)
        if isinstance(e, str):
            if e in values:                   # the end is another parameter itself (the common case)
                return values[e]
            return sympy.sympify(e, locals={k: values[k] for k in self.refs()})
        return e

    def check(self, func, name, x, values, symbols):
        numeric = {w: getattr(self, w) for w in ("lo", "hi")
                   if not isinstance(getattr(self, w), str) and getattr(self, w) not in (-math.inf, math.inf)}
        x = _v.real(func, name, x, symbols=symbols, lo=numeric.get("lo"), hi=numeric.get("hi"),
                    lo_open=self.lo_open, hi_open=self.hi_open)
        for which, sign, is_open in (("lo", 1, self.lo_open), ("hi", -1, self.hi_open)):
            named = getattr(self, which)
            if not isinstance(named, str) or _symbolic(x):
                continue
            e = self.end(which, values)
            if _symbolic(e):
                continue        # an end set by a symbolic parameter: assumed valid
            gap = sign * as_float(exact(x) - e)
            if gap < 0 or (is_open and gap == 0):       # a relation between parameters, e.g. lo < hi
                rel = f"{named} {'<' if is_open else '<='} {name}" if sign > 0 else \
                    f"{name} {'<' if is_open else '<='} {named}"
                raise InvalidArgument(f"Arguments of `{func}` must satisfy {rel}, got {name} = {x}, {named} = {e}")
        return x

    def latex(self):
        def show(e, inf):
            if e in (-math.inf, math.inf):
                return inf
            return sympy.latex(sympy.sympify(e)) if isinstance(e, str) else sympy.latex(exact(e))
        return "%s%s, %s%s" % ("(" if self.lo_open else "[", show(self.lo, r"-\infty"),
                               show(self.hi, r"\infty"), ")" if self.hi_open else "]")


#: the real line and the positive half-line
REALS = Interval()
POSITIVE = Interval(0)


@dataclass(frozen=True)
class Sequence:
    """A non-empty sequence of reals, each in ``element``; ``length`` is the typical length range."""

    element: Interval = REALS
    length: tuple = (1, 4)

    def check(self, func, name, x, values, symbols):
        _v.real_sequence(func, name, x, symbols=symbols)
        return tuple(exact(self.element.check(func, f"{name}[{i}]", v, values, symbols)) for i, v in enumerate(x))

    def latex(self):
        return r"%s^n" % self.element.latex()


class _FixedLatex:
    """A domain whose LaTeX is a constant of its class."""

    LATEX = ""

    def latex(self):
        return self.LATEX


@dataclass(frozen=True)
class Simplex(_FixedLatex):
    """Weights ``>= 0`` summing to 1, one per entry of the parameter ``of`` (``None``: equal weights)."""

    of: str
    LATEX = r"\Delta^{n-1}"

    def check(self, func, name, x, values, symbols):
        n = len(values[self.of])
        if x is None:
            return (sympy.Rational(1, n),) * n
        ws = tuple(exact(w) for w in _v.real_sequence(func, name, x, symbols=symbols))
        if len(ws) != n:
            raise InvalidArgument(f"Arguments `{self.of}` and `{name}` of `{func}` must have the same length, "
                                  f"got {n} {self.of} but {len(ws)} {name}")
        if all(not _symbolic(w) for w in ws):
            for i, w in enumerate(ws):
                if as_float(w) < 0:
                    raise InvalidArgument(f"Argument `{name}` of `{func}` must be >= 0; {name}[{i}] = {w}")
            tot = sum(ws)
            exact_w = all(isinstance(w, sympy.Basic) for w in ws)
            if (exact_w and tot != 1) or (not exact_w and abs(float(tot) - 1) > 1e-12):
                raise InvalidArgument(f"Argument `{name}` of `{func}` must sum to 1, got {tot}")
        return ws


@dataclass(frozen=True)
class IsMeasure(_FixedLatex):
    """A :class:`~freetk.measures.base.Measure` (every measure is a :class:`SpectralMixin`)."""

    LATEX = r"\text{a measure}"

    def check(self, func, name, x, values, symbols):
        if not isinstance(x, SpectralMixin):
            raise InvalidArgument(f"Argument `{name}` of `{func}` must be a Measure, got {type(x).__name__}")
        return x


@dataclass(frozen=True)
class Parameter:
    """One parameter of a family: ``name``, ``domain``, LaTeX ``symbol``, ``typical`` values, ``default``
    (``REQUIRED`` when it must be given), whether sympy symbols are accepted, and a one-line ``doc``."""

    name: str
    domain: object
    symbol: str
    typical: tuple = (1, 4)
    default: object = REQUIRED
    symbols: bool = True
    doc: str = ""

    @property
    def required(self):
        return self.default is REQUIRED


def validate(func, parameters, values):
    """Check ``values`` (name -> value) against the declared ``parameters`` in order; return a dict of
    the validated values (exact sympy numbers where the input was exact).  ``func`` names the public
    constructor in error messages."""
    out = {}
    for p in parameters:
        x = values.get(p.name, p.default)
        if x is REQUIRED:
            raise InvalidArgument(f"Argument `{p.name}` of `{func}` is required")
        v = p.domain.check(func, p.name, x, out, p.symbols)
        out[p.name] = exact(v) if isinstance(p.domain, Interval) else v
    return out
