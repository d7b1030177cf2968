"""The check of the line integral's child roots (GeneralMu._child_roots, docs/ntk.md Derivation 9): values and cost
with the check against the children continued by the half circle alone (the former code), on 6 laws x 100 points
(Im z = 0.3 E, 0.05 E, 3e-3 E, 3e-5 E over [-0.1 E, 1.1 E], and 1e-12: continued from y0) and, with --axis, on
800 points x + i y0, x + 2 i y0 across the issue's law's support.  Reports the largest relative change of G_mu and
G_mu', how many values are bit for bit the same, the number of W evaluations (elements) and the time as a ratio to
one Monte Carlo sample measured in the same run, and the child nodes flagged / found on another root.

Run: python benchmarks/bench_ntk_line_check.py [--axis]
"""
import os
import sys
from fractions import Fraction as F

import numpy as np
import sympy

import freetk as ft
from freetk.ntk_general import GeneralMu
from freetk.ntk_nu import ArcsineSquared
from _common import timed, mc_sample  # noqa: E402 (benchmarks/ is the script's path)

x = sympy.Symbol("x")
RELU = ft.hermite_data("relu")
EXPX = ft.hermite_data(sigma_prime=sympy.exp(-x ** 2) + x)
HALF = sympy.Rational(1, 2)
LAWS = {
    "relu_uniform": (RELU.a, RELU.c1 ** 2, HALF, ft.UniformSquared(1)),
    "quadratic_uniform": (sympy.Integer(0), sympy.Integer(1), HALF, ft.UniformSquared(1)),
    "expx_two_point": (EXPX.a, EXPX.c1 ** 2, sympy.Integer(1), ft.atoms([4, F(1, 4)], [F(1, 3), F(2, 3)])),
    "relu_atom_at_zero": (RELU.a, RELU.c1 ** 2, sympy.Integer(2), ft.atoms([0, 1, 4], [F(1, 4), F(1, 2), F(1, 4)])),
    "relu_mixture": (RELU.a, RELU.c1 ** 2, HALF, [(F(1, 2), ft.atoms([1], [1])), (F(1, 2), ft.UniformSquared(1))]),
    "relu_arcsine": (RELU.a, RELU.c1 ** 2, HALF, ArcsineSquared(1)),
}
CHECKED = GeneralMu._child_roots
W = GeneralMu._W
COUNT = [0]


def half_circle_only(self, z, kind, *sides):
    """The former children: the half circle (GeneralMu._half_circle; before the chord, all of _solve_from), unchecked."""
    return tuple(v for w, w0, g0, j0 in sides for v in self._half_circle(w, z, w0, g0, j0, kind))


def counted_W(self, g, z, j=None):
    COUNT[0] += np.size(g)
    return W(self, g, z, j)


def run(args, zs, children):
    GeneralMu._child_roots = children
    mu = GeneralMu(*args)
    COUNT[0] = 0
    (G, dG), t = timed(lambda: mu.cauchy_np(zs))
    return G, dG, t, COUNT[0], list(mu._child_count)


def main(axis):
    GeneralMu._W = counted_W
    _, t_mc = timed(mc_sample)
    print(f"one Monte Carlo sample: {t_mc:.2f} s, load average {os.getloadavg()[0]:.1f}")
    cases = []
    for name, args in LAWS.items():
        if axis and name != "expx_two_point":
            continue
        mu = GeneralMu(*args)
        E = mu.right_edge()
        if axis:
            xs = np.linspace(0.001 * E, 0.999 * E, 400)
            zs = np.concatenate([xs + 1j * mu._y0(), xs + 2j * mu._y0()])
        else:
            re = np.linspace(-0.1 * E, 1.1 * E, 20)
            zs = np.concatenate([re + 1j * h * E for h in (0.3, 0.05, 3e-3, 3e-5)] + [re + 1e-12j])
        cases.append((name, args, zs))
    for name, args, zs in cases:
        G0, dG0, t0, c0, _ = run(args, zs, half_circle_only)
        G1, dG1, t1, c1, cc = run(args, zs, CHECKED)
        rel, reld = np.abs(G1 - G0) / np.abs(G1), np.abs(dG1 - dG0) / np.abs(dG1)
        print(f"{name}: {zs.size} points, G bit for bit {np.sum(G1 == G0)}, G' {np.sum(dG1 == dG0)}, max change "
              f"{np.nanmax(rel):.1e} (G), {np.nanmax(reld):.1e} (G'); W evaluations {c0} -> {c1} ({c1 / c0:.3f}); "
              f"time {t0 / t_mc:.2f} -> {t1 / t_mc:.2f} MC samples; children {cc[0]}, flagged {cc[1]}, "
              f"on another root {cc[2]}", flush=True)
    GeneralMu._child_roots, GeneralMu._W = CHECKED, W


if __name__ == "__main__":
    main("--axis" in sys.argv)
