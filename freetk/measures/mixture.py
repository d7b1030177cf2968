"""Classical mixtures ``sum_i w_i mu_i`` of measures (e.g. atoms and a continuous law of D)."""
import numpy as np
import sympy

from ..errors import InvalidArgument
from ..kernels.edges import union
from ..numeric import simplify
from .base import Measure, as_float, as_mp


class Mixture(Measure):
    r"""``sum_i w_i mu_i``: weights ``w_i > 0`` summing to 1, each ``mu_i`` a Measure.

    Moments, Cauchy transform, density and cdf are the weighted sums; the atoms are those of the atomic parts
    (merged); the support is the union of the parts' supports.  As ``d_law`` of ``ntk_law`` it gives a law of D
    with atoms and continuous parts.
    """

    def _closed_mp(self, name, method):
        """Closed forms at dps when every part has one (the cdf at dps is integrated)."""
        return name != "cdf" and all(m._closed_mp(name, method) for _, m in self._parts)

    def _param_values(self):
        return [w for w, _ in self._parts] + [m for _, m in self._parts]

    def __init__(self, parts):
        super().__init__()
        if not isinstance(parts, (list, tuple)) or not parts:
            raise InvalidArgument("Argument `parts` of `mixture` must be a non-empty list of (weight, Measure) pairs")
        out = []
        for p in parts:
            if not (isinstance(p, (list, tuple)) and len(p) == 2 and isinstance(p[1], Measure)):
                raise InvalidArgument(f"Argument `parts` of `mixture`: every item must be a (weight, Measure) pair, "
                                      f"got {p!r}")
            w = sympy.nsimplify(p[0]) if isinstance(p[0], float) else sympy.sympify(p[0])
            if not as_float(w) > 0:
                raise InvalidArgument(f"Argument `parts` of `mixture`: weights must be > 0, got {p[0]}")
            out.append((w, p[1]))
        tot = sum(w for w, _ in out)
        if abs(as_float(tot) - 1) > 1e-14:
            raise InvalidArgument(f"Argument `parts` of `mixture`: weights must sum to 1, got {tot}")
        self._parts = out
        self._latex_name = r"\mu"

    @property
    def parts(self):
        """``[(weight, measure), ...]`` (weights exact)."""
        return list(self._parts)

    def _moments(self, k):
        ms = [(w, m.moments(k)) for w, m in self._parts]
        return [simplify(sum(w * mm[j] for w, mm in ms)) for j in range(k + 1)]

    def atoms(self):
        acc = {}
        for w, m in self._parts:
            for x, v in m.atoms():
                acc[x] = acc.get(x, 0) + w * v
        return sorted(((x, simplify(v)) for x, v in acc.items()), key=lambda p: as_float(p[0]))

    def support(self, dps=None):
        out = union(iv for _, m in self._parts for iv in m.support())
        if dps is not None:     # the parts' edges at dps, merged like the double intervals
            return self._support_mp(dps) if not out else union(iv for _, m in self._parts for iv in m.support(dps=dps))
        return out

    def _cauchy_np(self, z):
        # real and imaginary parts summed apart: a part's limit at its real pole (re - i inf, docs/numerics.md) times
        # a weight in complex arithmetic would make re NaN (0 * inf)
        out = np.zeros(np.shape(z), complex)
        for w, m in self._parts:
            G = np.asarray(m.cauchy(np.asarray(z, complex)), complex)
            out.real += as_float(w) * G.real
            out.imag += as_float(w) * G.imag
        return out

    def _cauchy_pair_np(self, z):
        """``(G, G')`` as the weighted sums of the parts' own pairs (closed forms where the parts have them).  The
        base class's central difference takes a step ~1e-5 |z| along the axis: next to an atom of a part (closer
        than that step) it returned a derivative of the wrong sign, and the support of ``free_add`` /
        ``free_mul`` with such a mixture lost the piece around the atom.  At real points on a part's support
        or atom, ``G`` is the limit from above (:meth:`_cauchy_np`)."""
        return self._parts_sum(z, "_cauchy_pair_np")

    def _cauchy_psi_np(self, z):
        """``(G, G', K, S, K')``, ``K = z G - 1``, as the weighted sums of the parts' own (a part ``delta_0`` adds 0 to ``K``: a
        mixture almost all atom at 0 keeps the digits of the rest)."""
        return self._parts_sum(z, "_cauchy_psi_np")

    def _parts_sum(self, z, method):
        """The weighted sums of the parts' ``method(z)`` (a tuple whose first entry is ``G``); at real points on a
        part's support or atom ``G`` is the limit from above (:meth:`_cauchy_np`) and ``K = z G - 1``."""
        z = np.asarray(z, complex)
        if "pair_parts" not in self._cache:
            closed = [(float(lo), float(hi)) for _, m in self._parts for lo, hi in m.support()]
            closed += [(as_float(x), as_float(x)) for x, _ in self.atoms()]
            self._cache["pair_parts"] = ([(as_float(w), m) for w, m in self._parts], closed)
        parts, closed = self._cache["pair_parts"]
        out = None
        with np.errstate(all="ignore"):
            for w, m in parts:
                vals = [np.asarray(v, complex) for v in getattr(m, method)(z)]
                out = [np.zeros(z.shape, complex) for _ in vals] if out is None else out
                for o, v in zip(out, vals):
                    o.real += w * v.real                # parts apart: 0 * inf would make a finite part NaN
                    o.imag += w * v.imag
        on = np.zeros(z.shape, bool)
        for lo, hi in closed:
            on |= (z.imag == 0) & (z.real >= lo) & (z.real <= hi)
        if np.any(on):
            out[0][on] = self._cauchy_np(z[on])
            if len(out) > 2:
                out[2][on] = z[on] * out[0][on] - 1
                out[3][on] = np.abs(z[on] * out[0][on]) + 1
        if len(out) > 3:
            out[3] = out[3].real
        return tuple(out)

    def _cauchy_mp(self, z, ctx):
        G = [(as_mp(w, ctx), m._cauchy_mp_limited(z, ctx)) for w, m in self._parts]
        return ctx.mpc(ctx.fsum(w * ctx.re(g) for w, g in G), ctx.fsum(w * ctx.im(g) for w, g in G))

    def _pdf_np(self, x):
        return sum(as_float(w) * np.asarray(m.pdf(np.asarray(x, float)), float) for w, m in self._parts)

    def _pdf_mp(self, x, ctx):
        return ctx.fsum(as_mp(w, ctx) * m._pdf_mp(x, ctx) for w, m in self._parts if hasattr(m, "_pdf_mp"))

    def _cdf_np(self, x):
        return sum(as_float(w) * np.asarray(m.cdf(np.asarray(x, float)), float) for w, m in self._parts)

    def latex(self):
        return " + ".join(r"%s\,\left(%s\right)" % (sympy.latex(w), m.latex()) for w, m in self._parts)


def mixture(parts):
    """The classical mixture ``sum w_i mu_i`` of ``parts = [(w_i, mu_i), ...]`` (weights summing to 1)."""
    return Mixture(parts)
