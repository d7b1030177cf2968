"""Families of measures, one module per family."""
from .base import Measure
from .semicircle import Semicircle, semicircle
from .marchenko_pastur import (FreePoisson, FreeCompoundPoisson, free_poisson, marchenko_pastur,
                               free_compound_poisson)
from .atoms import Atoms, atoms, dirac
from .classical import Uniform, Arcsine, UniformSquared, uniform, arcsine
from .general import FromMoments, FromDensity, Affine, from_moments, from_density, scale, shift
from .mixture import Mixture, mixture

__all__ = ["Measure", "Semicircle", "semicircle", "FreePoisson", "FreeCompoundPoisson", "free_poisson",
           "marchenko_pastur", "free_compound_poisson", "Atoms", "atoms", "dirac", "Uniform", "Arcsine", "UniformSquared",
           "uniform", "arcsine", "FromMoments", "FromDensity", "Affine", "from_moments", "from_density",
           "scale", "shift", "Mixture", "mixture"]
