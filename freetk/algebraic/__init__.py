"""Algebraic laws: exact equations ``P(G, z) = 0`` for Cauchy transforms, closed under ⊞, ⊠ and
Möbius maps, with certified edges, atoms (residues), densities at any precision and exact moments.

See ``docs/algebraic.md`` for the derivations.
"""
from .law import AlgebraicLaw
from .families import algebraic_of

__all__ = ["AlgebraicLaw", "algebraic_of"]
