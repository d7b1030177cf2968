import mpmath
import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("freetk", deadline=None, max_examples=40,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("freetk")


@pytest.fixture(autouse=True)
def _reset_mpmath_precision():
    """Every test starts and ends at mpmath's default precision (STYLE 4)."""
    old = mpmath.mp.prec
    mpmath.mp.dps = 15
    yield
    assert mpmath.mp.prec == 53, "a test or library call leaked a changed mpmath precision"
    mpmath.mp.prec = old
