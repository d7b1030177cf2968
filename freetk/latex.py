"""LaTeX export of closed forms and of the symbolic NTK moments (tested as exact strings and by round trip)."""
import sympy

from .errors import InvalidArgument
from .validation import check_order
from .measures.base import W, Z
from .ntk import ntk_moments_symbolic
from .ntk_series import mu_moments_kernel


def measure_latex(m, k=4):
    """``name; moments; R-transform; S-transform`` of a measure as one LaTeX ``aligned`` block."""
    lines = [r"\mu &= %s" % m.latex()]
    lines.append(r"m_{0..%d} &= %s" % (k, ", ".join(sympy.latex(sympy.sympify(v)) for v in m.moments(k))))
    try:
        lines.append(r"R(w) &= %s" % sympy.latex(m.r_transform()))
    except Exception:
        lines.append(r"R(w) &= %s + O(w^{%d})" % (sympy.latex(m.r_transform(k)), k))
    try:
        lines.append(r"S(z) &= %s" % sympy.latex(m.s_transform()))
    except Exception:
        pass
    return "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"


def ntk_moments_latex(k=3):
    r"""``m_j(\rho)`` for ``j <= k`` as polynomials in gamma1, gamma2, a, c1^2 and ``\tau_j = E[T^j]``."""
    mom, _ = ntk_moments_symbolic(k)
    lines = [r"m_{%d}(\rho) &= %s" % (j, sympy.latex(sympy.collect(mom[j], sympy.Symbol("gamma_1", positive=True))))
             for j in range(1, k + 1)]
    return "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"


def mu_cauchy_latex():
    r"""Closed-form Cauchy transform of mu for ``D^2 = t`` constant (docs/ntk.md), as LaTeX.

    ``G_mu(z) = (1 - 1/(2 gamma2))/(z - a t) + 1/(2 gamma2 c1^2) int G_B((z - a t)/c1^2 - lambda) d rho_B``
    with the free Poisson ``rho_B`` (rate gamma2, jump t) whose ``G_B`` is printed too.
    """
    z, g2, t = sympy.symbols("z gamma_2 t", positive=True)
    lo, hi = t * (1 - sympy.sqrt(g2)) ** 2, t * (1 + sympy.sqrt(g2)) ** 2
    GB = (z + t * (1 - g2) - sympy.sqrt((z - lo) * (z - hi))) / (2 * t * z)
    main = (r"G_\mu(z) = \frac{1 - \frac{1}{2\gamma_2}}{z - a t} + \frac{1}{2\gamma_2 c_1^2}"
            r"\int G_{\rho_B}\!\left(\frac{z - a t}{c_1^2} - \lambda\right) d\rho_B(\lambda)")
    return main + r",\qquad G_{\rho_B}(z) = " + sympy.latex(GB)


# ----------------------------------------------------------------------------- moments for papers
LEGEND = (
    (r"\rho", r"limiting spectral law of the $n\times n$ NTK matrix $K$"),
    (r"\mu", r"limiting spectral law of the $dp\times dp$ population operator "
             r"$\Sigma(U) = a\,U D^2 + c_1^2 (U B^\top B + B U^\top B)$, $B = W D/\sqrt{d}$"),
    (r"\gamma_1, \gamma_2", r"$n/(dp) \to \gamma_1$, $p/d \to \gamma_2$"),
    (r"c_0, c_1", r"$c_0 = \mathbb{E}\,\varphi(g)$, $c_1 = \mathbb{E}\,g\varphi(g)$, $g\sim N(0,1)$, "
                  r"$\varphi = \sigma'$"),
    (r"a", r"$a = \mathbb{E}\,\varphi(g)^2 - c_0^2 - c_1^2 \ge 0$ (so $a + c_1^2 = \mathbb{E}\,\varphi(g)^2 - c_0^2$)"),
    (r"\tau_j", r"$\tau_j = \mathbb{E}[D^{2j}]$, the moments of $T = D^2$ ($\tau_0 = 1$)"),
)


def ntk_symbols(k):
    """The sympy symbols of the symbolic NTK moments: ``(gamma1, gamma2, a, c1, tau)`` with
    ``tau = [1, tau_1, ..., tau_{k+1}]`` (the same names as :func:`freetk.ntk.ntk_moments_symbolic`)."""
    g1, g2, a, c1 = sympy.symbols("gamma_1 gamma_2 a c_1", positive=True)
    tau = [sympy.Integer(1)] + list(sympy.symbols("tau_1:%d" % (k + 2), positive=True))
    return g1, g2, a, c1, tau


def mu_moments_symbolic(k):
    r"""``m_j(\mu)``, ``j <= k``, as polynomials in gamma2, a, c1 and ``tau_j = E[T^j]`` (exact kernel of
    :mod:`freetk.ntk_series` run over sympy symbols).  Returns ``(moments, symbols)`` like
    :func:`freetk.ntk.ntk_moments_symbolic`."""
    g1, g2, a, c1, tau = ntk_symbols(k)
    mu = mu_moments_kernel(a, c1 ** 2, g2, tau, k)
    return [sympy.expand(v) for v in mu], (g1, g2, a, c1, tau)


def grouped_latex(expr, symbols, break_lines=False):
    r"""LaTeX of a moment polynomial grouped in its natural variables.

    ``a`` enters through ``a + c_1^2`` (substituted first), the polynomial is ordered by powers of
    gamma1, then gamma2, and each coefficient (a polynomial in ``a + c_1^2``, ``c_1`` and the
    ``tau_j``) is factored; a power of gamma1 multiplies its group in square brackets.  With ``break_lines`` each power of gamma1 starts a new aligned line
    (``\\ &\quad``).  The string parses back to ``expr`` (tested with sympy's LaTeX parser).
    """
    g1, g2, a, c1, _ = symbols
    beta = sympy.Symbol("beta_ac")
    e = sympy.expand(sympy.sympify(expr).subs(a, beta - c1 ** 2))
    names = {beta: r"\left(a + c_{1}^{2}\right)"}
    if e == 0:
        return "0"
    outer = sympy.Poly(e, g1)
    pieces = []
    for (j,), cj in sorted(outer.terms(), key=lambda t: t[0][0]):
        inner = sympy.Poly(cj, g2)
        terms = [g2 ** i * sympy.factor(ci) for (i,), ci in sorted(inner.terms(), key=lambda t: t[0][0])]
        inner_tex = " + ".join(_mul_latex(t, names) for t in terms).replace("+ -", "- ")
        if j == 0:
            pieces.append(inner_tex)
            continue
        head = sympy.latex(g1 ** j)
        pieces.append(f"{head} \\left[{inner_tex}\\right]" if len(terms) > 1 else
                      f"{head} {_mul_latex(terms[0], names)}")
    sep = " \\\\\n&\\quad + " if break_lines else " + "
    return sep.join(pieces)


def _mul_latex(term, names):
    """LaTeX of a product with its bracketed factors first (after the number): ``\\tau_2 (x)`` would
    read as a function applied to ``x``, by people and by LaTeX parsers."""
    coeff, factors = sympy.sympify(term).as_coeff_mul()
    texs = []
    for f in sympy.Mul(*factors).as_ordered_factors() if factors else []:
        t = sympy.latex(f, symbol_names=names)
        if f.is_Add:
            t = r"\left(%s\right)" % t
        for tex in names.values():          # a power of the group gets one pair of brackets, not two
            t = t.replace(r"\left(%s\right)" % tex, tex)
        texs.append(t)
    texs = [t for t in texs if t.startswith(r"\left(")] + [t for t in texs if not t.startswith(r"\left(")]
    head = "" if coeff == 1 else "-" if coeff == -1 else sympy.latex(coeff)
    return " ".join(([head] if head else []) + texs) if texs else sympy.latex(coeff)


def ntk_moments_equation(k=4, which=("rho", "mu"), label=None):
    r"""The symbolic moments ``m_1..m_k`` of rho (n x n) and/or mu (dp x dp) as one LaTeX
    ``equation`` environment (an ``aligned`` block inside; needs ``amsmath``), grouped by
    :func:`grouped_latex`, followed by the legend of symbols as a sentence.  Compiles in any LaTeX
    document that loads ``amsmath`` and ``amssymb``."""
    which = (which,) if isinstance(which, str) else tuple(which)
    if not which or any(w not in ("rho", "mu") for w in which):
        raise InvalidArgument(f"Argument `which` of `ntk_moments_equation` must be 'rho', 'mu' or both, got {which!r}")
    k = check_order("ntk_moments_equation", "k", k)
    if k < 1:
        raise InvalidArgument("Argument `k` of `ntk_moments_equation` must be >= 1")
    lines = []
    for w in which:
        moms, syms = _symbolic(w, k)
        name = r"\rho" if w == "rho" else r"\mu"
        for j in range(1, k + 1):
            lines.append(r"m_{%d}(%s) &= %s" % (j, name, grouped_latex(moms[j], syms, break_lines=True)))
    lab = f"\\label{{{label}}}\n" if label else ""
    eq = "\\begin{equation}\n" + lab + "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}\n\\end{equation}"
    legend = "where " + "; ".join(f"${s}$: {d}" for s, d in LEGEND) + "."
    return eq + "\n" + legend


def ntk_moments_document(k=4, which=("rho", "mu"), title="Moments of the NTK spectral law"):
    """A complete standalone LaTeX document (article class, amsmath, amssymb) with the moments and
    the legend of :func:`ntk_moments_equation`."""
    body = ntk_moments_equation(k, which)
    return ("\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n\\usepackage[margin=1.5cm]{geometry}\n"
            "\\begin{document}\n\\section*{%s}\n%s\n\\end{document}\n" % (title, body))


def _symbolic(which, k):
    if which == "rho":
        return ntk_moments_symbolic(k)
    return mu_moments_symbolic(k)
