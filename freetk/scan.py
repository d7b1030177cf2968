r"""Evaluate a law over a grid of parameters: edges, quantiles, moments, densities on a common grid.

>>> import freetk as ft, numpy as np
>>> res = ft.scan(ft.marchenko_pastur, [0.25, 0.5], what=("edges", "moments"), k=2, progress=False)
>>> res["upper"].round(4).tolist()
[2.25, 2.9142]
>>> m = res["moments"]
>>> m.T[2].tolist()                    # m2(MP(lam)) = 1 + lam
[1.25, 1.5]

Each grid point is one independent job ``builder(**params)`` (or ``builder(value)`` for a plain list of
values), so any ``concurrent.futures.Executor`` runs the scan in parallel: a ``ProcessPoolExecutor``,
or dask.distributed's ``Client(...).get_executor()`` on a cluster.  The builder and its parameters must
then be picklable (a module-level function or a ``functools.partial`` of ``ft.ntk_law``; dask also
accepts lambdas).
"""
from concurrent.futures import Executor
import itertools
import numbers

import numpy as np

from .errors import InvalidArgument

__all__ = ["scan", "plot_scan", "ScanResult"]

_WHAT = ("edges", "quantiles", "moments", "density", "cdf", "condition_number")
DEFAULT_Q = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)


class ScanResult(dict):
    """The arrays of a scan (a dict), one row per grid point, in grid order.

    Keys: ``params`` (list of dicts), ``x`` (the common grid, when asked), ``lower``/``upper`` (outer
    ends of the support, atoms included), ``intervals`` (array ``(n_grid, max_intervals, 2)`` padded
    with NaN), ``atoms`` (list of tuples per point), ``quantiles`` with ``q``, ``moments``
    (``(n_grid, k + 1)`` floats), ``density``/``cdf`` (``(n_grid, len(x))``), ``condition_number``.
    """

    def param(self, name):
        """The values of one parameter along the grid, as an array."""
        return np.array([p[name] for p in self["params"]])


def _grid(grid):
    """Normalise the grid: a list of dicts, a dict of lists (Cartesian product), or a list of values."""
    if isinstance(grid, dict):
        keys = list(grid)
        vals = [list(grid[k]) if not np.isscalar(grid[k]) else [grid[k]] for k in keys]
        return [dict(zip(keys, combo)) for combo in itertools.product(*vals)], True
    try:
        items = list(grid)
    except TypeError:
        raise InvalidArgument(f"Argument `grid` of `scan` must be a list of dicts, a dict of lists or a list of "
                              f"values, got {type(grid).__name__}") from None
    if not items:
        raise InvalidArgument("Argument `grid` of `scan` must not be empty")
    if all(isinstance(p, dict) for p in items):
        return [dict(p) for p in items], True
    if any(isinstance(p, dict) for p in items):
        raise InvalidArgument("Argument `grid` of `scan` mixes dicts and plain values")
    return [{"value": v} for v in items], False


def _one(job):
    """One grid point (module level, so that process and dask executors can pickle it)."""
    builder, params, keyword, what, x, q, k = job
    law = builder(**params) if keyword else builder(params["value"])
    from .measures.base import Measure
    if not isinstance(law, Measure):
        raise InvalidArgument(f"Argument `builder` of `scan` must return a Measure, got {type(law).__name__} at "
                              f"{params if keyword else params['value']!r}")
    out = {}
    if "edges" in what or "condition_number" in what:
        e = law.edges()
        out["intervals"] = e.intervals
        out["atoms"] = e.atoms
        out["lower"], out["upper"] = e.lower, e.upper
    if "quantiles" in what:
        out["quantiles"] = np.asarray(law.quantile(np.asarray(q, float)), float)
    if "moments" in what:
        out["moments"] = np.array([float(v) for v in law.moments(k)])
    if "density" in what:
        out["density"] = np.asarray(law.pdf(x), float)
    if "cdf" in what:
        out["cdf"] = np.asarray(law.cdf(x), float)
    if "condition_number" in what:
        out["condition_number"] = law.condition_number()
    return out


def scan(builder, grid, what=("edges", "quantiles", "density"), x=None, q=DEFAULT_Q, k=4, executor=None,
         progress=True):
    r"""Evaluate the law ``builder(**params)`` at every point of ``grid``.

    Parameters
    ----------
    builder : callable
        Returns a Measure: ``builder(**params)`` for a grid of dicts, ``builder(value)`` for a plain
        list of values.  E.g. ``functools.partial(ft.ntk_law, "relu", gamma2=0.5)`` with the grid
        ``{"gamma1": [0.25, 0.5, 1]}``; any parameter of ``ntk_law`` (activation, ``gamma2``,
        ``d_law``) may vary.
    grid : list of dicts, dict of lists (Cartesian product, last key fastest) or list of values
    what : subset of ``("edges", "quantiles", "moments", "density", "cdf", "condition_number")``
    x : array
        Common grid for ``"density"`` and ``"cdf"`` (required for them).
    q : quantile levels for ``"quantiles"``; k : highest moment for ``"moments"``.
    executor : ``concurrent.futures.Executor`` or None
        Runs the grid points in parallel (``ProcessPoolExecutor``, dask's ``client.get_executor()``).
    progress : bool
        Show a tqdm progress bar.

    Returns
    -------
    ScanResult
        A dict of numpy arrays, one row per grid point (see :class:`ScanResult`); each row is exactly
        what the measure's own methods return for that point.
    """
    what, x, q = _check_arguments(builder, what, x, q, k, executor)
    params, keyword = _grid(grid)
    jobs = [(builder, p, keyword, what, x, q, int(k)) for p in params]

    from tqdm.auto import tqdm
    bar = tqdm(total=len(jobs), disable=not progress, desc="scan")
    rows = [None] * len(jobs)
    try:
        if executor is None:
            for i, job in enumerate(jobs):
                rows[i] = _one(job)
                bar.update(1)
        else:
            futs = [executor.submit(_one, job) for job in jobs]
            for i, f in enumerate(futs):
                rows[i] = f.result()
                bar.update(1)
    finally:
        bar.close()
    return _collect(rows, params, what, x, q)


def _check_arguments(builder, what, x, q, k, executor):
    """The arguments of :func:`scan` checked; returns ``what`` as a tuple and ``x``, ``q`` as arrays."""
    if not callable(builder):
        raise InvalidArgument(f"Argument `builder` of `scan` must be callable, got {type(builder).__name__}")
    what = (what,) if isinstance(what, str) else tuple(what)
    bad = [w for w in what if w not in _WHAT]
    if bad or not what:
        raise InvalidArgument(f"Argument `what` of `scan` must be a non-empty subset of {_WHAT}, got {what!r}")
    if ("density" in what or "cdf" in what):
        if x is None:
            raise InvalidArgument("Argument `x` of `scan` is required for 'density' and 'cdf' (a common grid)")
        try:
            x = np.asarray(x, dtype=float)
        except (TypeError, ValueError):
            raise InvalidArgument("Argument `x` of `scan` must be a 1-d array of finite numbers") from None
        if x.ndim != 1 or not np.all(np.isfinite(x)):
            raise InvalidArgument("Argument `x` of `scan` must be a 1-d array of finite numbers")
    try:
        q = np.asarray(q, dtype=float)
    except (TypeError, ValueError):
        raise InvalidArgument(f"Argument `q` of `scan` must be a 1-d array of levels in [0, 1], got {q!r}") from None
    if "quantiles" in what and (q.ndim != 1 or np.any((q < 0) | (q > 1))):
        raise InvalidArgument("Argument `q` of `scan` must be a 1-d array of levels in [0, 1]")
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 0:
        raise InvalidArgument(f"Argument `k` of `scan` must be a non-negative integer, got {k!r}")
    if executor is not None and not (isinstance(executor, Executor) or hasattr(executor, "submit")):
        raise InvalidArgument("Argument `executor` of `scan` must be a concurrent.futures.Executor")
    return what, x, q


def _collect(rows, params, what, x, q):
    res = ScanResult(params=params, what=what)
    if x is not None:
        res["x"] = x
    if "edges" in what or "condition_number" in what:
        res["lower"] = np.array([r["lower"] for r in rows])
        res["upper"] = np.array([r["upper"] for r in rows])
        m = max(1, max(len(r["intervals"]) for r in rows))
        iv = np.full((len(rows), m, 2), np.nan)
        for i, r in enumerate(rows):
            for j, (lo, hi) in enumerate(r["intervals"]):
                iv[i, j] = lo, hi
        res["intervals"] = iv
        res["atoms"] = [r["atoms"] for r in rows]
    if "quantiles" in what:
        res["q"] = q
        res["quantiles"] = np.array([r["quantiles"] for r in rows])
    for key in ("moments", "density", "cdf"):
        if key in what:
            res[key] = np.array([r[key] for r in rows])
    if "condition_number" in what:
        res["condition_number"] = np.array([r["condition_number"] for r in rows])
    return res


def _plot_arguments(result, param, cmap):
    """The arguments of :func:`plot_scan` checked; returns the parameter drawn against, its values and the
    colormap."""
    import matplotlib
    if not isinstance(result, ScanResult):
        raise InvalidArgument("Argument `result` of `plot_scan` must be what `scan` returned")
    if not isinstance(cmap, matplotlib.colors.Colormap) and cmap not in matplotlib.colormaps:
        raise InvalidArgument(f"Argument `cmap` of `plot_scan` must be a matplotlib colormap or its name, got {cmap!r}")
    params = result["params"]
    if param is None:
        varying = [key for key in params[0] if len({repr(p[key]) for p in params}) > 1]
        if len(varying) != 1:
            raise InvalidArgument(f"plot_scan: pass `param`, the parameter to draw against (varying: {varying})")
        param = varying[0]
    try:
        t = np.array([float(p[param]) for p in params])
    except (KeyError, TypeError, ValueError):
        raise InvalidArgument(f"Argument `param` of `plot_scan` must name a numeric parameter, got {param!r}") from None
    return param, t, (cmap if isinstance(cmap, matplotlib.colors.Colormap) else matplotlib.colormaps[cmap])


def plot_scan(result, param=None, fig=None, cmap="viridis"):
    """Draw a scan: the family of densities (left, coloured by the parameter) and the support edges
    against the parameter (right; every interval end, atoms as dots).  Returns the Figure: without ``fig``, a
    ``matplotlib.figure.Figure`` of its own, not registered with pyplot (nothing stays open; Jupyter displays it,
    ``fig.savefig`` writes it).

    ``param`` names the varying parameter (default: the only one that varies along the grid).
    Never changes the matplotlib backend.
    """
    import matplotlib
    from matplotlib.figure import Figure
    param, t, cmap = _plot_arguments(result, param, cmap)
    has_density = "density" in result
    has_edges = "intervals" in result
    ncols = int(has_density) + int(has_edges)
    if ncols == 0:
        raise InvalidArgument("plot_scan needs a scan with 'density' or 'edges'")
    if fig is None:     # not pyplot's: its registry kept every figure open (global state)
        fig = Figure(figsize=(5.5 * ncols, 4))
    axes = [fig.add_subplot(1, ncols, i + 1) for i in range(ncols)]
    colors = cmap(np.linspace(0, 1, len(t)))
    label = param.replace("gamma", "γ")
    if has_density:
        ax = axes.pop(0)
        for c, tv, f in zip(colors, t, result["density"]):
            ax.plot(result["x"], f, color=c, lw=1.2, label=f"{label} = {tv:g}")
        ax.set_xlabel("x")
        ax.set_ylabel("density")
        if len(t) <= 8:
            ax.legend(fontsize=8)
        else:
            sm = matplotlib.cm.ScalarMappable(cmap=cmap, norm=matplotlib.colors.Normalize(t.min(), t.max()))
            fig.colorbar(sm, ax=ax, label=label)
    if has_edges:
        ax = axes.pop(0)
        iv = result["intervals"]
        order = np.argsort(t)
        for j in range(iv.shape[1]):
            ax.plot(t[order], iv[order, j, 0], "o-", color="tab:blue", ms=3, label="lower edge" if j == 0 else None)
            ax.plot(t[order], iv[order, j, 1], "o-", color="tab:red", ms=3, label="upper edge" if j == 0 else None)
        for tv, ats in zip(t, result["atoms"]):
            for x0, w in ats:
                ax.plot([tv], [x0], "k.", ms=4 + 10 * w)
        ax.set_xlabel(label)
        ax.set_ylabel("support edges")
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
