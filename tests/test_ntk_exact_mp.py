"""GeneralMu.cauchy_mp next to the real axis (issue 11): the Newton polish of the roots stalled at the noise floor of
W (evaluated to ~2^-93 relative at some nodes, above its tolerance 2^(-prec+8)) and raised NoConvergence."""
import numpy as np
import mpmath
import pytest
import sympy

import freetk as ft
from freetk.ntk_general import GeneralMu


def _relu_uniform():
    relu = ft.hermite_data("relu")
    return GeneralMu(relu.a, relu.c1 ** 2, sympy.Rational(1, 2), ft.UniformSquared(1))


@pytest.mark.slow
def test_cauchy_mp_relu_uniform_near_axis():
    """ReLU, D uniform, z = 0.3 E + 1e-5 i scale (raised NoConvergence before, residual 2e-30 at dps 20).
    dps 20 vs the double line cauchy_np (other quadrature, other root finder): <= 1e-13 relative (measured 5.4e-15);
    dps 30 vs dps 20: <= 1e-19 relative."""
    mu = _relu_uniform()
    z = 0.3 * mu.right_edge() + 1e-5j * mu._scale()
    c20 = mpmath.MPContext()
    c20.dps = 20
    g20, dg20 = mu.cauchy_mp(z, c20)
    ref, dref = mu.cauchy_np(np.array([z]))
    assert abs(complex(g20) - ref[0]) <= 1e-13 * abs(ref[0])
    assert abs(complex(dg20) - dref[0]) <= 1e-11 * abs(dref[0])
    c30 = mpmath.MPContext()
    c30.dps = 30
    g30, dg30 = mu.cauchy_mp(z, c30)
    err = abs(g30 - g20) / abs(g30)
    print("dps30 vs dps20", err, abs(dg30 - dg20) / abs(dg30))
    assert err <= 1e-19
    assert abs(dg30 - dg20) <= 1e-18 * abs(dg30)
