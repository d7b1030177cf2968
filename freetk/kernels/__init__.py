"""Pure numerical kernels (functions on arrays and mpmath numbers, no measure classes, no global state).

* :mod:`freetk.kernels.fixed_point` — the vectorised solver of the analytic fixed-point equations
  of free probability (free compound Poisson / NTK, additive and multiplicative subordination).
* :mod:`freetk.kernels.ntk_closed` — the Cauchy transform (and its derivative) of the closed-form
  NTK family with a per-point quadrature rule clustered at the integrand's singularities.
* :mod:`freetk.kernels.edges` — support edges from the real inverse maps (critical points and the
  ends of the admissible ranges), with the kind of each end.
* :mod:`freetk.kernels.quadrature` — the integration engine: a Chebyshev expansion of the density in
  the angle variable of each support piece, from which mass, cdf, expectations and quantiles follow.
"""
