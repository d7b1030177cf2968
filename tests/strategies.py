"""Hypothesis strategies shared by the tests: the public ones of :mod:`freetk.testing`."""
from freetk.testing import rational_atomic  # noqa: F401
