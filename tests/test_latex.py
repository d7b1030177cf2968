"""LaTeX for papers: grouped symbolic moments of rho and mu, round trip through sympy's LaTeX parser,
and (when pdflatex is installed) compilation of the equation and of the standalone document."""
import shutil
import subprocess

import pytest
import sympy

import freetk as ft
from freetk import latex as L

K_MAX = 6


def _parse(tex, symbols):
    """Parse a RHS printed by freetk.latex back to sympy, mapping the parser's symbol names
    (``gamma_{1}``, ``c_{1}``, ``tau_{2}``) onto the given symbols."""
    parse_latex = pytest.importorskip("sympy.parsing.latex").parse_latex
    pytest.importorskip("antlr4")
    g1, g2, a, c1, tau = symbols
    by_name = {s.name: s for s in [g1, g2, a, c1] + [t for t in tau if isinstance(t, sympy.Symbol)]}
    body = tex.replace("\\\\\n&\\quad", "")            # alignment markup of break_lines
    e = parse_latex(body)
    return e.subs({s: by_name[s.name.replace("{", "").replace("}", "")] for s in e.free_symbols})


_CASES = [(w, j) if j <= 4 else pytest.param(w, j, marks=pytest.mark.slow)
          for w in ("rho", "mu") for j in range(1, K_MAX + 1)]


@pytest.mark.parametrize("which,j", _CASES)
def test_round_trip_moments_up_to_6(which, j):
    moms, syms = (ft.ntk_moments_symbolic(j) if which == "rho" else L.mu_moments_symbolic(j))
    for brk in (False, True) if j <= 3 else (True,):
        tex = L.grouped_latex(moms[j], syms, break_lines=brk)
        assert sympy.expand(_parse(tex, syms) - moms[j]) == 0, (which, j)


def test_grouping_is_in_natural_variables():
    moms, syms = L.mu_moments_symbolic(3)
    g1, g2, a, c1, tau = syms
    # m2(mu) = (a + c1^2)^2 tau2 + 2 gamma2 c1^4 tau1^2 (first two moments of the population operator)
    assert sympy.expand(moms[2] - ((a + c1 ** 2) ** 2 * tau[2] + 2 * g2 * c1 ** 4 * tau[1] ** 2)) == 0
    tex = L.grouped_latex(moms[2], syms)
    assert tex == r"\left(a + c_{1}^{2}\right)^{2} \tau_{2} + 2 c_{1}^{4} \gamma_{2} \tau_{1}^{2}"
    # rho: m_k(rho) is grouped by powers of gamma1, one aligned line each
    rho, syms = ft.ntk_moments_symbolic(3)
    tex = L.grouped_latex(rho[3], syms, break_lines=True)
    assert tex.count("&\\quad") == 2 and "\\gamma_{1}^{2}" in tex
    # the complaint: the fully expanded m4 line was 1,639 characters
    rho4, syms4 = ft.ntk_moments_symbolic(4)
    assert len(L.grouped_latex(rho4[4], syms4)) < 0.6 * len(sympy.latex(rho4[4]))


def test_mu_moments_symbolic_agree_with_numeric_law():
    moms, (g1, g2, a, c1, tau) = L.mu_moments_symbolic(4)
    law = ft.ntk_law("relu", gamma1=sympy.Rational(1, 2), gamma2=sympy.Rational(1, 3), d_law="uniform")
    h = law.hermite
    sub = {g2: sympy.Rational(1, 3), a: h.a, c1: h.c1}
    sub.update({tau[j]: sympy.Rational(1, 2 * j + 1) for j in range(1, 6)})      # E[D^{2j}], D ~ U[-1, 1]
    assert all(sympy.simplify(moms[j].subs(sub) - law.mu.moments(4)[j]) == 0 for j in range(5))


def test_equation_and_document_structure():
    eq = L.ntk_moments_equation(2, label="eq:ntk")
    assert eq.startswith("\\begin{equation}\n\\label{eq:ntk}\n\\begin{aligned}")
    assert "m_{2}(\\rho)" in eq and "m_{2}(\\mu)" in eq and "\\tau_j = \\mathbb{E}[D^{2j}]" in eq
    doc = L.ntk_moments_document(2)
    assert doc.startswith("\\documentclass{article}") and doc.rstrip().endswith("\\end{document}")
    with pytest.raises(ft.InvalidArgument, match="`which`"):
        L.ntk_moments_equation(2, which="nu")


def _compile(tex, tmp_path):
    (tmp_path / "doc.tex").write_text(tex)
    r = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"], cwd=tmp_path,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout[-2000:]
    assert (tmp_path / "doc.pdf").stat().st_size > 1000


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
def test_standalone_document_compiles(tmp_path):
    _compile(L.ntk_moments_document(4), tmp_path)


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
def test_equation_compiles_alone(tmp_path):
    eq = L.ntk_moments_equation(3, which="mu")
    _compile("\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n\\begin{document}\n" + eq +
             "\n\\end{document}\n", tmp_path)
