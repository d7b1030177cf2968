"""Seed sweep of the NTK law against exact random matrices (the data behind the Monte Carlo tests).

Run: python benchmarks/sweep_ntk_montecarlo.py   (about 5 minutes on 2 cores)
"""
import time
from fractions import Fraction as F

import numpy as np
import sympy as sp

import freetk as ft
from freetk import montecarlo as mc

x = sp.Symbol("x")
CASES = {
    "logcosh": dict(act=sp.log(sp.cosh(x)), g1=F(1, 2), g2=F(1, 2), dl="rademacher", sizes=[(20, 10), (40, 20), (80, 40)]),
    "softplus": dict(act="softplus", g1=F(1, 2), g2=2, dl="rademacher", sizes=[(14, 28), (28, 56), (40, 80)]),
    "quad-unif": dict(act=x ** 2 / 2, g1=F(1, 2), g2=F(1, 2), dl="uniform", sizes=[(20, 10), (40, 20), (80, 40)]),
    "silu-2pt": dict(act="silu", g1=F(1, 2), g2=F(1, 2), dl=ft.atoms([F(-3, 2), F(-1, 2), F(1, 2), F(3, 2)]),
                     sizes=[(20, 10), (40, 20), (80, 40)]),
}


def main():
    for name, c in CASES.items():
        t = time.time()
        law = ft.ntk_law(c["act"], gamma1=c["g1"], gamma2=c["g2"], d_law=c["dl"])
        law.support()
        law.cdf(0.1)
        print(name, law.mu.route, "law ready", round(time.time() - t, 1), flush=True)
        for d, p in c["sizes"]:
            rows = mc.sweep(lambda d, p, seed: mc.ntk_check(law, d=d, p=p, activation=c["act"], d_law=c["dl"],
                                                            seed=seed)[0],
                            [{"d": d, "p": p}], seeds=range(4), progress=False)
            ks = [r["ks"] for r in rows]
            w1 = [r["w1"] for r in rows]
            print(f"   d={d} p={p} n={rows[0]['n']} KS mean {np.mean(ks):.4f} sd {np.std(ks):.4f}  "
                  f"W1 mean {np.mean(w1):.4f} gap {rows[-1]['gap']:.2f}", flush=True)


if __name__ == "__main__":
    main()
