"""freetk — a symbolic-numeric free probability toolkit.

Conventions (docs/conventions.md): ``G(z) = int dmu(t)/(z - t)``; moments ``m_k``; free cumulants
``M(z) = C(z M(z))``; ``R(w) = sum kappa_{k+1} w^k``; ``S(z) = chi(z)(1+z)/z``;
``MP(lam)`` has mean 1 and variance ``lam``.
"""
from .errors import FreetkError, InvalidArgument, NotAMeasure, NoConvergence, PrecisionWarning
from .measures import *  # noqa: F401,F403
from .measures import __all__ as _measures_all
from .convolution import free_add, free_mul
from . import series
from .hermite import hermite_data, hermite_coefficients, parseval_check, HermiteData
from .ntk import ntk_law, ntk_moments_symbolic
from . import montecarlo, latex
from .measures.spectral import ntk_outliers
from .scan import scan, plot_scan
from .algebraic import AlgebraicLaw, algebraic_of

__version__ = "0.2.0.dev0"

__all__ = list(_measures_all) + ["free_add", "free_mul", "series", "FreetkError", "InvalidArgument",
                                 "NotAMeasure", "NoConvergence", "PrecisionWarning", "hermite_data",
                                 "hermite_coefficients", "parseval_check", "HermiteData", "ntk_law",
                                 "ntk_moments_symbolic", "montecarlo", "latex", "ntk_outliers", "scan", "plot_scan",
                                 "AlgebraicLaw", "algebraic_of"]
