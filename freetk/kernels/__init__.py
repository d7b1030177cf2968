"""Pure numerical kernels (functions on arrays and mpmath numbers, no measure classes).

* :mod:`freetk.kernels.fixed_point` — the vectorised solver of the analytic fixed-point equations
  of free probability (free compound Poisson / NTK, additive and multiplicative subordination).
* :mod:`freetk.kernels.ntk_closed` — the Cauchy transform (and its derivative) of the closed-form
  NTK family with a per-point quadrature rule clustered at the integrand's singularities.
"""
