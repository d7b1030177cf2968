r"""Exact random matrices that check every law (protocol in docs/ntk.md).

* :func:`ntk_matrix` / :func:`ntk_eigenvalues` — the NTK matrix of docs/paper.md itself,
  ``K = (1/d) X X^T ⊙ (1/p) phi(XW/sqrt d) D^2 phi(XW/sqrt d)^T``, never a surrogate.
  Memory O(n^2 + nd + dp): one n x n Gram matrix is formed, the second is formed in place.
* :func:`predicted_outliers`, :func:`remove_outliers` — c0 creates about ``d`` outliers and
  c1 one more; they are removed (and checked to sit apart from the bulk) before comparing.
* :func:`ks_distance`, :func:`w1_distance` — distances between a spectrum and a measure.
* Classical models to validate the toolkit: :func:`wigner`, :func:`wishart`,
  :func:`haar_orthogonal`, :func:`free_sum_sample`, :func:`free_product_sample`.
* :func:`sweep` — sizes x seeds with a progress bar, any ``concurrent.futures.Executor``
  (dask.distributed's ``client.get_executor()`` runs it on a cluster).
"""
from concurrent.futures import Executor

import numpy as np
import sympy

from .errors import InvalidArgument
from . import validation as _v
from .hermite import _phi_object, _resolve
from .measures import registry
from .measures.base import Measure, as_float

__all__ = ["ntk_matrix", "ntk_eigenvalues", "predicted_outliers", "remove_outliers", "ks_distance",
           "w1_distance", "compare", "wigner", "wishart", "haar_orthogonal", "free_sum_sample",
           "free_product_sample", "sweep", "plot_spectrum", "qq_plot", "ntk_check"]


def _size(func, name, v):
    """A matrix dimension: an integer >= 1 whose square matrix fits the memory cap."""
    v = _v.integer(func, name, v, lo=1)
    _v.matrix_size(func, (v, v)) if name == "n" else None
    return v


def _phi_numpy(activation, sigma_prime):
    """``phi`` as a vectorised double-precision function (sympy expressions printed for scipy/numpy,
    so ``erf`` works; numpy-, math- and mpmath-style callables; a callable ``sigma`` is differentiated
    by 4th-order central differences)."""
    phi, kind, desc = _resolve(activation, sigma_prime)
    obj = _phi_object(phi, kind, desc)

    def fn(u):
        return np.asarray(obj.np(np.asarray(u, dtype=np.float64)), dtype=u.dtype)
    return fn


def _draw_d(d_law, p, rng):
    """``p`` entries of ``D``: a named law's sampler, a registered family's exact sampler, else the
    inverse cdf on the support (all from :mod:`freetk.measures.registry`)."""
    if isinstance(d_law, str):
        return registry.d_law(d_law, "ntk_matrix").sample(rng, p)
    if isinstance(d_law, Measure):
        fam = registry.family_of(d_law)
        if fam is not None and fam.sample is not None:
            return fam.sample(d_law, rng, p)
        return _draw_by_cdf(d_law, p, rng)
    raise InvalidArgument(f"Argument `d_law` of `ntk_matrix` must be a Measure or a name, got {type(d_law).__name__}")


def _draw_by_cdf(measure, p, rng):
    """``p`` draws of a measure without an exact sampler: its atoms exactly (a categorical draw with their
    masses) and its continuous part by the inverse of its cdf (atoms removed) interpolated on a grid of
    every support interval."""
    atoms = list(measure.atoms_float())
    locs = np.array([x for x, _ in atoms], float)
    w = np.array([m for _, m in atoms], float)
    cont = max(0.0, 1.0 - float(np.sum(w)))
    kind = rng.choice(len(atoms) + 1, size=p, p=np.append(w, cont) / (np.sum(w) + cont))
    out = np.empty(p)
    out[kind < len(atoms)] = locs[kind[kind < len(atoms)]]
    todo = kind == len(atoms)
    if np.any(todo):
        grid = np.unique(np.concatenate([np.linspace(lo, hi, 4001) for lo, hi in measure.support()]))
        order = np.argsort(locs)
        below = np.concatenate([[0.0], np.cumsum(w[order])])[np.searchsorted(locs[order], grid, side="right")]
        F = np.asarray(measure.cdf(grid), float) - below      # the cdf of the continuous part
        F = np.maximum.accumulate(F) / F[-1]
        out[todo] = np.interp(rng.uniform(size=int(np.sum(todo))), F, grid)
    return out


def ntk_matrix(activation=None, *, n, d, p, d_law="rademacher", x_law="gaussian", seed=0,
               sigma_prime=None, dtype=np.float64):
    """Sample the NTK matrix ``K`` (n x n) of docs/paper.md with a seeded generator."""
    n, d, p = (_size("ntk_matrix", k, v) for k, v in (("n", n), ("d", d), ("p", p)))
    if x_law not in ("gaussian", "rademacher"):
        raise InvalidArgument(f"Argument `x_law` of `ntk_matrix` must be 'gaussian' or 'rademacher', got {x_law!r}")
    dtype = _v.float_dtype("ntk_matrix", "dtype", dtype)
    for shape in ((n, n), (n, p), (n, d), (d, p)):
        _v.matrix_size("ntk_matrix", shape)
    rng = np.random.default_rng(_v.seed("ntk_matrix", "seed", seed))
    X = (rng.standard_normal((n, d)) if x_law == "gaussian" else rng.choice([-1.0, 1.0], size=(n, d))).astype(dtype)
    W = rng.standard_normal((d, p)).astype(dtype)
    D = _draw_d(d_law, p, rng).astype(dtype)
    phi = _phi_numpy(activation, sigma_prime)
    F = phi(X @ W / np.sqrt(d).astype(dtype))
    if not np.all(np.isfinite(F)):
        raise InvalidArgument("ntk_matrix: the activation derivative returned NaN or inf on the sample")
    F *= D[None, :]
    K = F @ F.T
    del F
    K *= 1.0 / (p * d)
    # Hadamard product with X X^T by row blocks: no second n x n matrix is ever formed
    step = 512
    for i in range(0, n, step):
        K[i:i + step] *= X[i:i + step] @ X.T
    return K


def ntk_eigenvalues(activation=None, *, n, d, p, d_law="rademacher", x_law="gaussian", seed=0,
                    sigma_prime=None, dtype=np.float64):
    """Eigenvalues (ascending) of one NTK sample (see :func:`ntk_matrix`)."""
    _v.seed("ntk_eigenvalues", "seed", seed)
    _v.float_dtype("ntk_eigenvalues", "dtype", dtype)
    K = ntk_matrix(activation, n=n, d=d, p=p, d_law=d_law, x_law=x_law, seed=seed,
                   sigma_prime=sigma_prime, dtype=dtype)
    return np.linalg.eigvalsh(K).astype(np.float64)


def predicted_outliers(hermite, d):
    """Number of outliers of K above the bulk: ``d + 1`` when c0 != 0, 1 when only c1 != 0 (zero as far as the
    data know: :meth:`HermiteData.negligible`)."""
    z0, z1 = hermite.negligible(hermite.c0), hermite.negligible(hermite.c1)
    if not z0:
        return d + 1 if not z1 else d
    return 1 if not z1 else 0


def remove_outliers(eigs, k, bulk_edge=None):
    """Drop the ``k`` largest eigenvalues; return ``(bulk, outliers, gap)``.

    ``gap`` is (smallest outlier - largest bulk eigenvalue) / (bulk width): positive when
    the outliers sit apart from the bulk.  With ``bulk_edge`` (the predicted right edge),
    gap is measured from it instead.
    """
    k = _v.integer("remove_outliers", "k", k, lo=0)
    try:
        e = np.sort(np.asarray(eigs, float).ravel())
    except (TypeError, ValueError):
        raise InvalidArgument("Argument `eigs` of `remove_outliers` must be an array of real numbers") from None
    if not np.all(np.isfinite(e)):
        raise InvalidArgument("Argument `eigs` of `remove_outliers` must be finite (NaN or inf found)")
    if k >= e.size:
        raise InvalidArgument(f"remove_outliers: k must be in [0, {e.size}), got {k}")
    bulk, out = (e[:e.size - k], e[e.size - k:]) if k else (e, e[:0])
    width = max(bulk[-1] - bulk[0], 1e-300)
    ref = bulk[-1] if bulk_edge is None else bulk_edge
    gap = (out[0] - ref) / width if k else np.inf
    return bulk, out, gap


def _cdf_callable(law):
    if callable(law) and not hasattr(law, "cdf"):
        return law
    if not hasattr(law, "cdf"):
        raise InvalidArgument(f"a measure with a cdf is needed, got {type(law).__name__}")
    return lambda x: np.asarray(law.cdf(x), float)


def ks_distance(sample, law):
    """Kolmogorov-Smirnov distance ``sup_x |F_n(x) - F(x)|`` between a sample and a law (its cdf).

    Both are right-continuous and monotone, so the supremum is reached at a jump of either: at each
    sample point and each atom of the law ``t`` (when ``law`` lists its atoms), ``|F_n(t) - F(t)|`` and
    the left limits ``|F_n(t-) - F(t-)|``, with ``F(t-)`` the cdf at the next double below ``t`` (a jump
    of the law at ``t`` must not be compared with ``F_n(t-)``: an atom met by tied sample values, such
    as exactly vanishing eigenvalues, would count as a distance)."""
    cdf = _cdf_callable(law)
    try:
        x = np.sort(np.asarray(sample, float).ravel())
    except (TypeError, ValueError):
        raise InvalidArgument(f"Argument `sample` of `ks_distance` must be an array of real numbers, got "
                              f"{type(sample).__name__}") from None
    if x.size == 0 or not np.all(np.isfinite(x)):
        raise InvalidArgument("Argument `sample` of `ks_distance` must be a non-empty array of finite numbers")
    n = x.size
    t = x
    if hasattr(law, "atoms"):
        t = np.union1d(x, [float(a) for a, _ in law.atoms()])
    Fn_right = np.searchsorted(x, t, side="right") / n
    Fn_left = np.searchsorted(x, t, side="left") / n
    F = cdf(np.concatenate([t, np.nextafter(t, -np.inf)]))
    return float(max(np.max(np.abs(Fn_right - F[:t.size])), np.max(np.abs(Fn_left - F[t.size:]))))


def w1_distance(sample, law, grid=4000):
    """Wasserstein-1 distance ``int |F_n - F| dx`` (law: a measure with cdf, or a cdf callable)."""
    cdf = _cdf_callable(law)
    x = np.sort(np.asarray(sample, float))
    lo, hi = x[0], x[-1]
    if hasattr(law, "support"):
        for a, b in law.support():
            lo, hi = min(lo, a), max(hi, b)
        for a, _ in law.atoms():
            lo, hi = min(lo, float(a)), max(hi, float(a))
    t = np.union1d(np.linspace(lo, hi, grid), x)
    # F_n is constant on each [t_i, t_i+1) (its jumps are at sample points, all in t); F is integrated there by a
    # 4-point Gauss-Legendre rule (a left Riemann sum was 3-6 % low against semicircle samples of 1000-3000 points)
    Fn = np.searchsorted(x, t[:-1], side="right") / x.size
    g, w = np.polynomial.legendre.leggauss(4)
    h = np.diff(t) / 2
    nodes = (t[:-1] + h)[:, None] + h[:, None] * g[None, :]
    F = np.asarray(cdf(nodes.ravel()), float).reshape(nodes.shape)
    return float(np.sum(h * np.sum(w * np.abs(Fn[:, None] - F), axis=1)))


def compare(law, eigs, n_outliers=0):
    """KS and W1 distances between a spectrum (outliers removed) and ``law``."""
    bulk, out, gap = remove_outliers(eigs, n_outliers)
    return {"n": len(eigs), "ks": ks_distance(bulk, law), "w1": w1_distance(bulk, law),
            "outliers": len(out), "gap": gap}


def ntk_check(law, *, d, p, activation=None, sigma_prime=None, d_law="rademacher", x_law="gaussian",
              seed=0, n=None):
    """Sample the NTK at ``n = round(gamma1 d p)`` and compare with ``law`` (outliers removed)."""
    g1 = as_float(law.gamma1)
    n = n or int(round(g1 * d * p))
    eigs = ntk_eigenvalues(activation, n=n, d=d, p=p, d_law=d_law, x_law=x_law, seed=seed,
                           sigma_prime=sigma_prime)
    k = predicted_outliers(law.hermite, d)
    res = compare(law, eigs, k)
    res.update({"d": d, "p": p, "seed": seed})
    return res, eigs


# ----------------------------------------------------------------------------- classical models
def wigner(n, seed=0):
    """Eigenvalues of a GOE matrix normalised to the standard semicircle on [-2, 2]."""
    n = _size("wigner", "n", n)
    rng = np.random.default_rng(_v.seed("wigner", "seed", seed))
    A = rng.standard_normal((n, n))
    H = (A + A.T) / np.sqrt(2 * n)
    return np.linalg.eigvalsh(H)


def wishart(n, m, population=None, seed=0):
    """Eigenvalues of ``(1/m) Σ^{1/2} Z Z^T Σ^{1/2}`` (n x n, Z n x m Gaussian).

    ``population``: eigenvalues of Σ (array of length n) or a Measure sampled at quantiles.
    The limit is ``MP(n/m) ⊠ population``.
    """
    n, m = _size("wishart", "n", n), _size("wishart", "m", m)
    _v.matrix_size("wishart", (n, m))
    rng = np.random.default_rng(_v.seed("wishart", "seed", seed))
    s = _population(population, n)
    Z = rng.standard_normal((n, m))
    Y = np.sqrt(s)[:, None] * Z
    return np.linalg.eigvalsh(Y @ Y.T / m)


def _population(pop, n):
    if pop is None:
        return np.ones(n)
    if isinstance(pop, Measure):
        return _quantiles(pop, n)
    try:
        arr = np.asarray(pop, float)
    except (TypeError, ValueError):
        raise InvalidArgument(f"population must be a Measure or {n} real numbers, got {type(pop).__name__}") from None
    if arr.shape != (n,):
        raise InvalidArgument(f"population must have length {n}, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise InvalidArgument("population eigenvalues must be finite and >= 0")
    return arr


def _quantiles(measure, n):
    """``n`` deterministic quantiles of a measure (atoms and continuous parts)."""
    atoms = [(as_float(x), as_float(w)) for x, w in measure.atoms()]
    if not measure.support():
        locs = np.array([a for a, _ in atoms])
        w = np.array([b for _, b in atoms])
        counts = np.floor(w * n).astype(int)
        rest = n - counts.sum()
        order = np.argsort(-(w * n - counts))
        counts[order[:rest]] += 1
        return np.repeat(locs, counts)
    lo = min([a for a, _ in measure.support()] + [a for a, _ in atoms])
    hi = max([b for _, b in measure.support()] + [a for a, _ in atoms])
    grid = np.linspace(lo, hi, 20001)
    F = np.maximum.accumulate(np.asarray(measure.cdf(grid), float))
    q = (np.arange(n) + 0.5) / n
    return grid[np.minimum(np.searchsorted(F, q), grid.size - 1)]


def haar_orthogonal(n, rng):
    """Haar-distributed orthogonal matrix (QR of a Gaussian matrix with the sign fix); ``rng`` a numpy
    ``Generator`` or anything :func:`numpy.random.default_rng` takes (a seed)."""
    n = _size("haar_orthogonal", "n", n)
    rng = np.random.default_rng(_v.seed("haar_orthogonal", "rng", rng))     # a Generator is returned unaltered
    A = rng.standard_normal((n, n))
    Q, R = np.linalg.qr(A)
    return Q * np.sign(np.diag(R))[None, :]


def free_sum_sample(a, b, n, seed=0):
    """Eigenvalues of ``A + O B O^T`` with A, B diagonal (quantiles of measures a, b) and Haar O."""
    n = _size("free_sum_sample", "n", n)
    rng = np.random.default_rng(_v.seed("free_sum_sample", "seed", seed))
    A, B = _population(a, n), _population(b, n)
    O = haar_orthogonal(n, rng)
    return np.linalg.eigvalsh(np.diag(A) + (O * B[None, :]) @ O.T)


def free_product_sample(a, b, n, seed=0):
    """Eigenvalues of ``A^{1/2} O B O^T A^{1/2}`` (A, B >= 0 diagonal, Haar O)."""
    n = _size("free_product_sample", "n", n)
    rng = np.random.default_rng(_v.seed("free_product_sample", "seed", seed))
    A, B = _population(a, n), _population(b, n)
    if np.any(A < 0) or np.any(B < 0):
        raise InvalidArgument("free_product_sample needs measures on [0, inf)")
    O = haar_orthogonal(n, rng)
    M = (O * B[None, :]) @ O.T
    s = np.sqrt(A)
    return np.linalg.eigvalsh(s[:, None] * M * s[None, :])


# ----------------------------------------------------------------------------- sweeps
def _run_one(job):
    fn, kwargs = job
    return fn(**kwargs)


def sweep(fn, grid, seeds=(0,), executor=None, progress=True):
    """Run ``fn(**params, seed=s)`` over a list of parameter dicts and seeds.

    Returns a tidy list of dicts (params, seed, and whatever dict ``fn`` returns).  With an
    ``executor`` (any ``concurrent.futures.Executor``, e.g. ``ProcessPoolExecutor`` or
    dask.distributed's ``client.get_executor()``) the jobs run in parallel; seeds make
    each job reproducible and independent wherever it runs.
    """
    if executor is not None and not isinstance(executor, Executor) and not hasattr(executor, "submit"):
        raise InvalidArgument("Argument `executor` of `sweep` must be a concurrent.futures.Executor")
    jobs = [(fn, dict(params, seed=int(s))) for params in grid for s in seeds]
    from tqdm.auto import tqdm
    bar = tqdm(total=len(jobs), disable=not progress, desc="sweep")
    rows = []
    try:
        if executor is None:
            for job in jobs:
                out = _run_one(job)
                rows.append({**job[1], **out})
                bar.update(1)
        else:
            futs = [(job, executor.submit(_run_one, job)) for job in jobs]
            for job, f in futs:
                rows.append({**job[1], **f.result()})
                bar.update(1)
    finally:
        bar.close()
    return rows


# ----------------------------------------------------------------------------- plots
def plot_spectrum(eigs, law=None, ax=None, bins=80, grid=600, title=None):
    """Histogram of a spectrum with the density of ``law`` overlaid (atoms as markers)."""
    if ax is None:   # pyplot with the user's backend: matplotlib.use is never called
        import matplotlib.pyplot as plt
        _, ax = plt.subplots(figsize=(7, 4))
    e = np.asarray(eigs, float)
    ax.hist(e, bins=bins, density=True, alpha=0.45, color="tab:blue", label=f"Monte Carlo (n={e.size})")
    if law is not None:
        lo, hi = e.min(), e.max()
        for a, b in law.support():
            lo, hi = min(lo, a), max(hi, b)
        xs = np.linspace(lo, hi, grid)
        ax.plot(xs, law.pdf(xs), color="tab:red", lw=1.6, label="limit density")
        for x0, w in law.atoms():
            ax.axvline(float(x0), color="tab:red", ls=":", lw=1)
    ax.set_xlabel("eigenvalue")
    ax.set_ylabel("density")
    if title:
        ax.set_title(title)
    ax.legend()
    return ax


def qq_plot(eigs, law, ax=None, grid=4000):
    """QQ plot of a spectrum against the quantiles of ``law``."""
    if ax is None:
        import matplotlib.pyplot as plt
        _, ax = plt.subplots(figsize=(4, 4))
    e = np.sort(np.asarray(eigs, float))
    q = _quantiles(law, e.size)
    ax.plot(q, e, ".", ms=2)
    lims = [min(q.min(), e.min()), max(q.max(), e.max())]
    ax.plot(lims, lims, "k--", lw=0.8)
    ax.set_xlabel("limit quantiles")
    ax.set_ylabel("empirical quantiles")
    return ax
