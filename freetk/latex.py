"""LaTeX export of closed forms (tested as exact strings)."""
import sympy

from .measures.base import W, Z


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
    from .ntk import ntk_moments_symbolic
    mom, _ = ntk_moments_symbolic(k)
    lines = [r"m_{%d}(\rho) &= %s" % (j, sympy.latex(sympy.collect(mom[j], sympy.Symbol("gamma_1", positive=True))))
             for j in range(1, k + 1)]
    return "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"


def mu_cauchy_latex():
    r"""Closed-form Cauchy transform of mu for ``D^2 = t`` constant (SPEC 3.1), as LaTeX.

    ``G_mu(z) = (1 - 1/(2 gamma2))/(z - a t) + 1/(2 gamma2 c1^2) int G_B((z - a t)/c1^2 - lambda) d rho_B``
    with the free Poisson ``rho_B`` (rate gamma2, jump t) whose ``G_B`` is printed too.
    """
    z, g2, t = sympy.symbols("z gamma_2 t", positive=True)
    lo, hi = t * (1 - sympy.sqrt(g2)) ** 2, t * (1 + sympy.sqrt(g2)) ** 2
    GB = (z + t * (1 - g2) - sympy.sqrt((z - lo) * (z - hi))) / (2 * t * z)
    main = (r"G_\mu(z) = \frac{1 - \frac{1}{2\gamma_2}}{z - a t} + \frac{1}{2\gamma_2 c_1^2}"
            r"\int G_{\rho_B}\!\left(\frac{z - a t}{c_1^2} - \lambda\right) d\rho_B(\lambda)")
    return main + r",\qquad G_{\rho_B}(z) = " + sympy.latex(GB)
