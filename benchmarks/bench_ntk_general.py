"""General law of D without discretisation (ntk_law(..., method="exact"), freetk.ntk_general): time of
rho's density and cdf, including building the route and the support, as a ratio to one Monte Carlo sample
measured in the same run, with accuracy figures beside.

Run: python benchmarks/bench_ntk_general.py [n_points] [--cdf]     (default 400 points; --cdf: the cdf at 5 points)
     python benchmarks/bench_ntk_general.py [n_points] --speed   (n-point density AND cdf of three general-D laws,
                                                                  each from a fresh law, vs one MC sample)
     python benchmarks/bench_ntk_general.py [n_points] --breakdown   (where the time of --speed goes: values of
                                                                  G_mu per stage, quadrature panels per value)
     python benchmarks/bench_ntk_general.py --interp     (how many density values a rational interpolant in the
                                                                  Chebyshev angle of the support would need)
     python benchmarks/bench_ntk_general.py --supports   (support() with an atom of D at 0; log_det at gamma1 = 1)
"""
import os
import sys
import warnings

import numpy as np
import sympy

import freetk as ft
from _common import timed, mc_sample  # noqa: E402 (benchmarks/ is the script's path)


def main(n, with_cdf):
    _, t_mc = timed(mc_sample)
    print(f"one Monte Carlo sample (n = 1800, d = 60, p = 30): {t_mc:.2f} s")
    half = sympy.Rational(1, 2)

    # accuracy: D = +-1 (nu = delta_1) against the closed route (independent formula), gamma1 = 3
    cl = ft.ntk_law("relu", gamma1=3, gamma2=half, d_law="rademacher")
    lo, hi = cl.support()[0]
    xs = lo + (hi - lo) * np.array([0.01, 0.1, 0.5, 0.9, 0.99])

    def exact_pdf():
        ex = ft.ntk_law("relu", gamma1=3, gamma2=half, d_law="rademacher", method="exact")
        ex._cache["edges"] = (lo, hi, None, None)     # edges are timed below, on the uniform law
        return ex.pdf(xs)
    f, t1 = timed(exact_pdf)
    err = np.abs(f - cl.pdf(xs)) / cl.pdf(xs)
    print(f"D = +-1, gamma1 = 3: exact route vs closed form at 1/10/50/90/99 % of the support: rel err "
          f"{', '.join(f'{e:.1e}' for e in err)} ({t1:.1f} s = {t1 / t_mc:.1f} MC samples for 5 points)")

    # fixed cost of one contour evaluation of G_mu (one point, off the axis) and per point in a batch
    from freetk.ntk_general import GeneralMu
    relu = ft.hermite_data("relu")
    gm = GeneralMu(relu.a, relu.c1 ** 2, half, ft.UniformSquared(1))
    _, t_one = timed(lambda: gm.cauchy_np(np.array([0.3 + 0.03j])))
    zb = np.linspace(0.02, 0.58, 100) + 0.03j
    _, t_100 = timed(lambda: gm.cauchy_np(zb))
    print(f"G_mu (ReLU, D uniform), one point 0.3 + 0.03i: {t_one:.2f} s = {t_one / t_mc:.2f} MC samples; "
          f"100 points at Im z = 0.03: {t_100:.1f} s = {t_100 / t_mc:.1f} MC samples")

    # moments of rho as a contour integral of G_rho (32 points of an ellipse around the support)
    for g1 in (half, sympy.Integer(5)):
        def contour_moments():
            law = ft.ntk_law("relu", gamma1=g1, gamma2=half, d_law="uniform", method="exact")
            lo, hi = law._edges()[:2]
            L, R = min(lo, 0) - 0.1 * (hi - lo), hi + 0.1 * (hi - lo)
            c, h = (L + R) / 2, (R - L) / 2
            th = np.pi * (np.arange(32) + 0.5) / 32
            z = c + h * np.cos(th) + 0.5j * h * np.sin(th)
            dz = -h * np.sin(th) + 0.5j * h * np.cos(th)
            G = law.cauchy(z)
            return law, [np.sum(z ** k * G * dz).imag / 32 for k in range(13)]
        (law, mk), tm = timed(contour_moments)
        ex = [float(v) for v in law.moments(12)]
        err = max(abs(a - b) / b for a, b in zip(mk, ex))
        print(f"gamma1 = {g1}: moments k <= 12 of rho from G_rho on a contour (build + edges + 32 points): "
              f"max rel err {err:.1e} against the exact moments; {tm:.1f} s = {tm / t_mc:.1f} MC samples")

    # gamma1 = 1/2: route + edges + n-point density across the support, including within 1e-6 of the edges,
    # then the support and the mass from the real-axis rule (accuracy: mass - 1 and the moments k <= 12)
    law, tb = timed(lambda: ft.ntk_law("relu", gamma1=half, gamma2=half, d_law="uniform", method="exact"))
    (lo, hi), te = timed(lambda: law._edges()[:2])
    w = hi - lo
    xs = np.concatenate([lo + w * np.array([1e-6, 1e-4, 1e-3]), np.linspace(lo, hi, n - 4)[1:-1],
                         hi - w * np.array([1e-3, 1e-4, 1e-6])])
    f, tp = timed(lambda: law.pdf(xs))
    sup, ts = timed(law.support)
    print(f"ReLU, D ~ U[-1, 1], gamma1 = gamma2 = 1/2: build {tb:.1f} s + edges {te:.1f} s + {xs.size}-point density "
          f"(down to 1e-6 of the width from both edges) {tp:.1f} s = {(tb + te + tp) / t_mc:.1f} MC samples; "
          f"NaN at {int(np.isnan(f).sum())} points; support() {ts:.1f} s")
    tab, tt = timed(law.real_axis_table)
    ex = [float(v) for v in law.moments(12)]
    err = max(abs(tab.integral(lambda x, k=k: x ** k) - ex[k]) / ex[k] for k in range(13))   # atoms included
    npts = tab.x.size + sum(z.size for z in tab.z)
    print(f"  total_mass - 1 = {law.total_mass() - 1:.1e}; moments k <= 12 of density + half circles + atoms vs "
          f"exact: max rel err {err:.1e}; {npts} points, {tt:.1f} s = {tt / t_mc:.1f} MC samples")

    # time: ReLU, D uniform, gamma1 = 5, gamma2 = 1/2: route + support + n-point density (+ cdf)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        law, tb = timed(lambda: ft.ntk_law("relu", gamma1=5, gamma2=half, d_law="uniform", method="exact"))
        sup, ts = timed(law.support)
        lo, hi = sup[0]
        xs = np.linspace(lo, hi, n + 2)[1:-1]
        f, tp = timed(lambda: law.pdf(xs))
        print(f"ReLU, D ~ U[-1, 1], gamma1 = 5, gamma2 = 1/2: support {sup} ({ts:.1f} s); {n}-point density "
              f"{tp:.1f} s; build + support + density = {(tb + ts + tp) / t_mc:.1f} MC samples; "
              f"NaN at {int(np.isnan(f).sum())} points")
        if with_cdf:
            # the exact route's cdf is a contour integral of G_rho per point (docs/ntk.md); 5 points, beside
            # the moment route's cdf (32-node Gauss rule of mu; its own error ~1e-6)
            xc = np.array([0.05, 0.5, 1.5, 2.5, 3.0])
            c, tc = timed(lambda: law.cdf(xc))
            cm = ft.ntk_law("relu", gamma1=5, gamma2=half, d_law="uniform").cdf(xc)
            print(f"  cdf at {xc.size} points: {tc:.1f} s = {tc / t_mc:.1f} MC samples; minus the moment route's: "
                  f"{', '.join(f'{v:.1e}' for v in c - cm)}")
    msgs = sorted({str(w.message)[:120] for w in caught})
    if msgs:
        print("warnings:", *msgs, sep="\n  ")


SPEED_LAWS = {
    "ReLU, D ~ U[-1, 1], gamma1 = gamma2 = 1/2": dict(activation="relu", gamma1=sympy.Rational(1, 2),
                                                     gamma2=sympy.Rational(1, 2), d_law="uniform"),
    "ReLU, D ~ U[-1, 1], gamma1 = 5, gamma2 = 1/2": dict(activation="relu", gamma1=5, gamma2=sympy.Rational(1, 2),
                                                        d_law="uniform"),
    "SiLU, |D| in {1/2, 3/2}, gamma1 = gamma2 = 1/2": dict(
        activation="silu", gamma1=sympy.Rational(1, 2), gamma2=sympy.Rational(1, 2),
        d_law=ft.atoms([-sympy.Rational(3, 2), -sympy.Rational(1, 2), sympy.Rational(1, 2), sympy.Rational(3, 2)])),
}


def speed(n):
    """The issue's target: an n-point density and an n-point cdf of rho (each from a fresh law: building mu's
    route and rho's edges included) against one Monte Carlo sample measured in the same run (before and after).
    Accuracy beside: the cdf table against the contour cdf (another integration of the same G_rho) at 3 points and
    at the first and last point (inside the half circles around the edges),
    and the density against the 32-node moment route (whose own error is ~1e-6: a sanity figure only)."""
    _, t_mc = timed(mc_sample)
    print(f"load average {os.getloadavg()[0]:.1f}; one Monte Carlo sample (n = 1800, d = 60, p = 30): {t_mc:.2f} s")
    rows = []
    for name, kw in SPEED_LAWS.items():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")

            def pdf_run():
                law = ft.ntk_law(method="exact", **kw)
                lo, hi = law._edges()[:2]
                xs = np.linspace(lo, hi, n + 2)[1:-1]
                return law, xs, law.pdf(xs)
            (law, xs, f), tp = timed(pdf_run)

            def cdf_run():
                law2 = ft.ntk_law(method="exact", **kw)
                return law2.cdf(xs)
            F, tc = timed(cdf_run)
            lo, hi = law._edges()[:2]
            probe = lo + (hi - lo) * np.array([0.05, 0.5, 0.95])
            Fc = law.cdf(probe)                                   # contour per point (untimed)
            Ft = law.cdf(np.concatenate([probe, xs[:5]]))[:3]     # table (untimed)
            # the first and last points of xs lie inside the half circles around the edges (small circle each): vs
            # the contour from the arc's end (another path of integration of the same G_rho; untimed)
            rule = law.real_axis_table()
            ends = np.array([xs[0], xs[-1]])
            ends = ends[rule.inside_arcs(ends)]
            L = np.array([b for a, b in rule.arcs])[rule.arc_index(ends)]
            Fa = law._cdf_in_arcs(rule, ends, hi) - law._cdf_contour(ends, hi, L, rule.cdf(L))
            fm = ft.ntk_law(method="moments", **kw).pdf(xs)
        rows.append((name, tp, tc))
        print(f"{name}: {n}-point pdf {tp:.1f} s = {tp / t_mc:.1f} MC samples; {n}-point cdf {tc:.1f} s = "
              f"{tc / t_mc:.1f} MC samples; cdf table - contour at 5/50/95 %: "
              f"{', '.join(f'{v:.1e}' for v in Ft - Fc)}; inside the half circles (first, last point) - contour: "
              f"{', '.join(f'{v:.1e}' for v in Fa)}; max |pdf - moment route| / max pdf "
              f"{np.nanmax(np.abs(f - fm)) / np.nanmax(f):.1e}; NaN {int(np.isnan(f).sum())}, cdf monotone "
              f"{bool(np.all(np.diff(F) >= 0))}; load {os.getloadavg()[0]:.1f}")
        msgs = sorted({str(w.message)[:120] for w in caught})
        if msgs:
            print("  warnings:", *msgs, sep="\n    ")
    _, t_mc2 = timed(mc_sample)
    print(f"one Monte Carlo sample again: {t_mc2:.2f} s (load average {os.getloadavg()[0]:.1f})")
    # the sample's eigvalsh uses every core: on a shared machine one of the two timings can be 10-50x the other;
    # the ratios against both, so that neither is hidden
    for name, tp, tc in rows:
        print(f"{name}: pdf {tp / t_mc:.1f} / {tp / t_mc2:.1f} MC samples (first / last sample), cdf "
              f"{tc / t_mc:.1f} / {tc / t_mc2:.1f}")


def breakdown(n):
    """Where the time of ``--speed`` goes, per law: the edges (rho's support), the n-point density, the n-point cdf
    (fresh law), each as a ratio to one Monte Carlo sample of the same run, with the number of values of G_mu
    computed (points passed to ``GeneralMu.cauchy_np``, outside the edges' real-axis values) and, at 11 points of the
    density's u-curve, the accepted panels of the adaptive line quadrature of one value (16 Gauss-Legendre nodes each,
    on both halves of the folded line, accepted when its two halves agree: 48 nodes per panel and side)."""
    from freetk.ntk_general import GeneralMu
    _, t_mc = timed(mc_sample)
    print(f"load average {os.getloadavg()[0]:.1f}; one Monte Carlo sample (n = 1800, d = 60, p = 30): {t_mc:.2f} s")
    orig = GeneralMu.cauchy_np
    count = [0]

    def counted(self, z):
        count[0] += np.size(z)
        return orig(self, z)
    GeneralMu.cauchy_np = counted
    try:
        for name, kw in SPEED_LAWS.items():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                law = ft.ntk_law(method="exact", **kw)
                count[0] = 0
                (lo, hi), te = timed(lambda: law._edges()[:2])
                ce = count[0]
                xs = np.linspace(lo, hi, n + 2)[1:-1]
                count[0] = 0
                _, tp = timed(lambda: law.pdf(xs))
                cp = count[0]
                law2 = ft.ntk_law(method="exact", **kw)
                law2._edges()
                count[0] = 0
                _, tc = timed(lambda: law2.cdf(xs))
                cc = count[0]
                u, _ = law._u(xs[::n // 10] + 0j)
                gm = law._gm()
                panels = [gm._line_integral(np.array([v]), "h", record=True)[2][0].size for v in u]
            print(f"{name}: edges {te / t_mc:.1f} MC samples ({ce} values of G_mu besides the real-axis ones); "
                  f"{n}-point pdf {tp / t_mc:.1f} ({cp} values, {tp / max(cp, 1) * 1e3:.2f} ms each); {n}-point cdf "
                  f"{tc / t_mc:.1f} ({cc} values); accepted panels per value on the u-curve: min {min(panels)}, "
                  f"median {int(np.median(panels))}, max {max(panels)} (x 96 nodes)")
    finally:
        GeneralMu.cauchy_np = orig
    _, t_mc2 = timed(mc_sample)
    print(f"one Monte Carlo sample again: {t_mc2:.2f} s (load average {os.getloadavg()[0]:.1f})")


def supports():
    """support() of rho for laws of D with an atom at 0 (the gap continuation and the left-edge search next to
    z = 0), and log_det at gamma1 = 1 (hard edge at 0: the resolvent's integral), each from a fresh law, as ratios to
    one Monte Carlo sample; accuracy beside: log_det against the closed route for D = +-1 plus E log D^2."""
    _, t_mc = timed(mc_sample)
    print(f"load average {os.getloadavg()[0]:.1f}; one Monte Carlo sample (n = 1800, d = 60, p = 30): {t_mc:.2f} s")
    half = sympy.Rational(1, 2)
    for g1 in (half, 1, 2, 5):
        def run():
            law = ft.ntk_law("relu", gamma1=g1, gamma2=half, d_law=ft.atoms([0, half, -1]), method="exact")
            return law.support(), law.atoms()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            (sup, at), t = timed(run)
        print(f"ReLU, D uniform on {{0, 1/2, -1}}, gamma1 = {g1}: support() {t / t_mc:.1f} MC samples: {sup}, atoms {at}")
    ref = ft.ntk_law("relu", gamma1=1, gamma2=half, d_law="rademacher").log_det()
    for name, d_law, elog in (("D = +-1", "rademacher", 0.0), ("D uniform", "uniform", -2.0),
                              ("D in {1/2, -1}", ft.atoms([half, -1]), -np.log(2))):
        def run():
            return ft.ntk_law("relu", gamma1=1, gamma2=half, d_law=d_law, method="exact").log_det()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            v, t = timed(run)
        print(f"gamma1 = 1, {name}: log_det {v:.15f} in {t / t_mc:.1f} MC samples; minus (closed D = +-1 + E log D^2): "
              f"{v - ref - elog:.1e}")
    _, t_mc2 = timed(mc_sample)
    print(f"one Monte Carlo sample again: {t_mc2:.2f} s (load average {os.getloadavg()[0]:.1f})")


def interp(n_ref=601):
    """A measured probe for issue 11's speed (not a route of the library): how many values of rho's density would a
    rational interpolant need.  On each law's support ``[lo, hi]`` (one piece) with the Chebyshev angle
    ``x = lo + (hi - lo)(1 - cos t)/2`` (in which a square-root edge is analytic), ``u(t)`` (``G_rho = 1/(gamma1 u)``)
    is computed at ``n_ref`` points; scipy's AAA interpolant from every k-th of them is compared with the density at
    all of them: the largest error relative to the density's maximum, overall, in the interior (2 % of the angle off
    each end) and at the ends.  Times as ratios to one Monte Carlo sample of the same run."""
    from scipy.interpolate import AAA
    _, t_mc = timed(mc_sample)
    print(f"load average {os.getloadavg()[0]:.1f}; one Monte Carlo sample (n = 1800, d = 60, p = 30): {t_mc:.2f} s")
    for name, kw in list(SPEED_LAWS.items())[:2]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            law = ft.ntk_law(method="exact", **kw)
            lo, hi = law._edges()[:2]
            t = np.linspace(0, np.pi, n_ref + 2)[1:-1]
            xs = lo + (hi - lo) * (1 - np.cos(t)) / 2
            (u, _), tu = timed(lambda: law._u(xs + 0j))
        g1 = float(kw["gamma1"])
        f = -(1 / (g1 * u)).imag / np.pi
        inner = (t > 0.02 * np.pi) & (t < 0.98 * np.pi)
        print(f"{name}: u at {n_ref} points {tu / t_mc:.1f} MC samples ({tu / n_ref * 1e3:.1f} ms a point)")
        for m in (20, 30, 40, 60, 80, 120):
            idx = np.unique(np.round(np.linspace(0, n_ref - 1, m)).astype(int))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                r = AAA(t[idx], u[idx], rtol=1e-15, max_terms=m)
            err = np.abs(-(1 / (g1 * r(t))).imag / np.pi - f) / f.max()
            print(f"  {idx.size:3d} values: max error {err.max():.1e}, interior {err[inner].max():.1e}, median "
                  f"{np.median(err):.1e}, ends {err[~inner].max():.1e} (worst at x = lo + "
                  f"{(xs[np.argmax(err)] - lo) / (hi - lo):.1e} (hi - lo))")
    _, t_mc2 = timed(mc_sample)
    print(f"one Monte Carlo sample again: {t_mc2:.2f} s (load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if "--breakdown" in sys.argv:
        breakdown(int(args[0]) if args else 400)
    elif "--interp" in sys.argv:
        interp()
    elif "--supports" in sys.argv:
        supports()
    elif "--speed" in sys.argv:
        speed(int(args[0]) if args else 400)
    else:
        main(int(args[0]) if args else 400, "--cdf" in sys.argv)
