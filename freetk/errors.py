"""Exceptions raised by freetk.

Every error names the function, the argument and the condition that failed.
"""


class FreetkError(Exception):
    """Base class of freetk errors."""


class InvalidArgument(FreetkError, ValueError):
    """An argument violates a stated condition (e.g. ``ratio <= 0``)."""


class NotAMeasure(InvalidArgument):
    """A moment sequence is not the moment sequence of a probability measure.

    Attributes
    ----------
    order : int
        The first Hankel order at which positivity fails.
    """

    def __init__(self, message, order=None):
        super().__init__(message)
        self.order = order


class NoConvergence(FreetkError, ArithmeticError):
    """An iteration did not reach the requested tolerance.

    Attributes
    ----------
    best : object
        The best value reached.
    residual : float
        Its residual (or estimated error).
    iterations : int
        How many iterations were done.
    """

    def __init__(self, message, best=None, residual=None, iterations=None):
        super().__init__(
            f"{message} (reached residual {residual!r} after {iterations} iterations)"
            if residual is not None else message)
        self.best = best
        self.residual = residual
        self.iterations = iterations


class PrecisionWarning(UserWarning):
    """The data given cannot support the precision requested."""
