"""mu(sigma, D)'s own density, cdf and moments on the exact route (freetk.ntk_general.GeneralMu on the real axis).

References are independent of the route: mpmath quadrature of the defining integrals of G_nu, the closed route of
ntk.py (nu a point mass, D = +-1), and the exact moments of mu (freetk.ntk_series: power series, no equation for G
solved).
"""
import warnings

import mpmath
import numpy as np
import pytest
import sympy

import freetk as ft
from freetk.ntk_general import GeneralMu, _TKernel

x = sympy.Symbol("x")
RELU = ft.hermite_data("relu")
HALF = sympy.Rational(1, 2)


# ----------------------------------------------------------------------------- the kernel of nu (default suite)
def test_uniform_kernel_large_zeta_against_mpmath():
    """The numerators P = 1 - zeta G, Q = -G - zeta G', R = 1 - 2 zeta G - zeta^2 G' of D uniform (G = G_nu, nu the
    law of D^2) from the series in 1/zeta, against mpmath quadrature of G_nu(zeta) = int_0^1 du/(zeta - u^2) at 40
    digits, to 1e-15 relative, on a 2-d batch (the shape the line integrand passes).  The series written as
    t_0 - sum_{n>=0} lost up to 1e-6 relative in R and 6e-12 in P at |zeta| = 1e5 (Newton on W then stalled and
    G_mu came out NaN at 0.02895 + 1.46e-9 i), and a 2-d batch raised a broadcast error."""
    T = _TKernel(ft.UniformSquared(1))
    zs = np.array([[5.0 + 0.1j, 30 - 2j, 1e3 + 1e3j, 9.2e4 + 8.7e4j],
                   [2.4e4 + 3e3j, -7.0 + 0.01j, 1e8j, 4.1 - 1e-12j]])
    P, Q, R = T._usq_PQR_big(zs)
    assert P.shape == zs.shape
    with mpmath.workdps(40):
        for k, z in enumerate(zs.ravel()):
            zm = mpmath.mpc(z)
            G = mpmath.quad(lambda u: 1 / (zm - u * u), [0, 1])
            dG = mpmath.quad(lambda u: -1 / (zm - u * u) ** 2, [0, 1])
            ref = [1 - zm * G, -G - zm * dG, 1 - 2 * zm * G - zm * zm * dG]
            for v, r in zip((P.ravel()[k], Q.ravel()[k], R.ravel()[k]), ref):
                assert abs(v - complex(r)) <= 1e-15 * abs(complex(r)), (z, v, r)
