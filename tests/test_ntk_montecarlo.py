"""The NTK law against exact random matrices (the Monte Carlo protocol of docs/ntk.md).

Thresholds come from the measured sweep recorded in docs/benchmarks.md (4 seeds per size):
KS = finite-size error (about 1/sqrt(d)) + the sampling noise of the law of D from p draws
(the dominant part for uniform / four-point D).  Default tests use 2 seeds at one size and
assert the mean KS below (measured mean + 4 measured sd); the slow tests check that the mean
KS shrinks along three sizes, and that a wrong law is rejected at the same size.
"""
from fractions import Fraction as F

import numpy as np
import pytest
import sympy

import freetk as ft
from freetk import montecarlo as mc

x = sympy.Symbol("x")

CASES = {
    # name: (activation, gamma1, gamma2, d_law, default size, KS threshold, sizes for the slow test)
    "logcosh": (sympy.log(sympy.cosh(x)), F(1, 2), F(1, 2), "rademacher", (40, 20), 0.06,
                [(20, 10), (40, 20), (80, 40)]),
    "softplus": ("softplus", F(1, 2), 2, "rademacher", (28, 56), 0.17, [(14, 28), (28, 56), (40, 80)]),
    "quadratic-uniform": (x ** 2 / 2, F(1, 2), F(1, 2), "uniform", (80, 40), 0.11,
                          [(20, 10), (40, 20), (80, 40)]),
    "silu-two-point": ("silu", F(1, 2), F(1, 2), ft.atoms([F(-3, 2), F(-1, 2), F(1, 2), F(3, 2)]), (80, 40), 0.18,
                       [(20, 10), (40, 20), (80, 40)]),
}

_LAWS = {}


def law_for(name):
    if name not in _LAWS:
        act, g1, g2, dl, *_ = CASES[name]
        _LAWS[name] = ft.ntk_law(act, gamma1=g1, gamma2=g2, d_law=dl)
    return _LAWS[name]


def mean_ks(name, d, p, seeds):
    act, g1, g2, dl, *_ = CASES[name]
    law = law_for(name)
    out = [mc.ntk_check(law, d=d, p=p, activation=act, d_law=dl, seed=s)[0] for s in seeds]
    for r in out:
        assert r["gap"] > 0, "the removed outliers must sit above the bulk"
    return float(np.mean([r["ks"] for r in out]))


@pytest.mark.parametrize("name", list(CASES))
def test_ntk_law_matches_monte_carlo(name):
    d, p = CASES[name][4]
    assert mean_ks(name, d, p, seeds=[0, 1]) < CASES[name][5]


def test_wrong_law_is_rejected():
    # same matrices, law with gamma2 and D^2 changed: KS several times the threshold
    act, g1, g2, dl, (d, p), thr, _ = CASES["logcosh"]
    wrong = ft.ntk_law(act, gamma1=g1, gamma2=2, d_law=ft.atoms([F(-1, 2), F(1, 2)]))
    res, _ = mc.ntk_check(wrong, d=d, p=p, activation=act, d_law=dl, seed=0, n=int(g1 * d * p))
    assert res["ks"] > 3 * thr


def test_rademacher_data_universality():
    act, g1, g2, dl, (d, p), thr, _ = CASES["logcosh"]
    law = law_for("logcosh")
    ks = np.mean([mc.ntk_check(law, d=d, p=p, activation=act, d_law=dl, x_law="rademacher", seed=s)[0]["ks"]
                  for s in (0, 1)])
    assert ks < thr


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CASES))
def test_ks_shrinks_with_size(name):
    sizes = CASES[name][6]
    ks = [mean_ks(name, d, p, seeds=range(4)) for d, p in sizes]
    assert ks[2] < ks[0] and ks[2] < CASES[name][5]
