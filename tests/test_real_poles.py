"""The Cauchy transform at its real poles (atoms, and ends where the density is not integrable against 1/(x - t)):
the limit from above G(x + i0), with -i inf for an atom and the rest's value as real part, +-inf - i inf at an
inverse-square-root end (docs/numerics.md, "The Cauchy transform at its real poles").  References: the density's
integral -int f(t)/t dt by scipy.integrate.quad (closed-form densities), the other atoms' sum, and the transform at
x + iy for small y (the limit's direction)."""
import warnings

import mpmath
import numpy as np
import pytest
from scipy import integrate

import freetk as ft


def rest_at_zero(law, lo, hi):
    """-int f(t)/t dt over [lo, hi] (0 outside it): Re G(0 + i0) of the continuous part, by quad of the density."""
    return -integrate.quad(lambda t: float(law.pdf(t)) / t, lo, hi, epsabs=0, epsrel=1e-13, limit=200)[0]


@pytest.fixture(autouse=True)
def _errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")      # no RuntimeWarning (0/0) or PrecisionWarning at a pole
        yield


def test_marchenko_pastur_atom_and_hard_edge():
    m = ft.marchenko_pastur(2)                      # atom 1/2 at 0, continuous part on [(1 - sqrt 2)^2, (1 + sqrt 2)^2] / ...
    lo, hi = m.support()[0]
    G = complex(m.cauchy(0))
    assert G.imag == -np.inf
    assert abs(G.real - rest_at_zero(m, lo, hi)) < 1e-13
    v = m.cauchy(0, dps=30)
    assert v.imag == -mpmath.inf and abs(v.real - mpmath.mpf(G.real)) < 1e-15
    fp = ft.free_poisson(mpmath.mpf(1) / 3, 3)      # rate 1/3, jump 3: -r/((1 - r) a) = -1/6
    assert abs(mpmath.mpf(fp.cauchy(0, dps=30).real) + mpmath.mpf(1) / 6) < 1e-28
    assert complex(ft.marchenko_pastur(1).cauchy(0)) == complex(-np.inf, -np.inf)
    # the direction of the limit: G(iy) sqrt(y) -> -(1 + i)/sqrt 2 for MP(1) (G ~ -1/sqrt(-z))
    for y in (1e-10, 1e-14):
        assert abs(complex(ft.marchenko_pastur(1).cauchy(1j * y)) * np.sqrt(y) + (1 + 1j) / np.sqrt(2)) < 1e-4


def test_atoms_and_mixture():
    a = ft.atoms([0, 1, 3], [0.5, 0.25, 0.25])
    G = a.cauchy(np.array([0, 1, 3, 2]))
    assert np.all(G[:3].imag == -np.inf)
    assert np.allclose(G[:3].real, [0.25 / -1 + 0.25 / -3, 0.5 / 1 + 0.25 / -2, 0.5 / 3 + 0.25 / 2], rtol=1e-15)
    assert G[3] == 0.5 / 2 + 0.25 / 1 + 0.25 / -1
    assert a.cauchy(1, dps=25).imag == -mpmath.inf
    mix = ft.mixture([(0.5, a), (0.5, ft.semicircle())])
    g = complex(mix.cauchy(1))
    sc = complex(ft.semicircle().cauchy(1))
    assert g.imag == -np.inf and abs(g.real - (0.5 * (0.5 + 0.25 / -2) + 0.5 * sc.real)) < 1e-15
    gm = mix.cauchy(1, dps=25)
    assert gm.imag == -mpmath.inf and abs(gm.real - g.real) < 1e-15


@pytest.mark.parametrize("law, ends", [
    (ft.arcsine(-2, 2), [(-2.0, complex(-np.inf, -np.inf)), (2.0, complex(np.inf, -np.inf))]),
    (ft.uniform(-1, 3), [(-1.0, complex(-np.inf, -np.pi / 8)), (3.0, complex(np.inf, -np.pi / 8))]),
    (ft.UniformSquared(2), [(0.0, complex(-np.inf, -np.inf)), (4.0, complex(np.inf, -np.pi / 16))]),
])
def test_inverse_sqrt_and_log_ends(law, ends):
    for x, want in ends:
        assert complex(law.cauchy(x)) == want
        v = law.cauchy(x, dps=20)
        assert (float(v.real), float(v.imag)) == pytest.approx((want.real, want.imag), rel=1e-15)
        # the limit is approached along x + iy: the signs of both parts, and a finite imaginary limit
        g = [complex(law.cauchy(x + 1j * y)) for y in (1e-8, 1e-12)]
        assert np.sign(g[1].real) == np.sign(want.real) and abs(g[1].real) > abs(g[0].real)
        if np.isfinite(want.imag):
            assert abs(g[1].imag - want.imag) < 1e-10
        else:
            assert g[1].imag < 0 and abs(g[1].imag) > 10 * abs(g[0].imag)


def test_free_compound_poisson_at_zero():
    J = ft.atoms([1, 2], [0.5, 0.5])
    law = ft.free_compound_poisson(0.5, J)          # atom 1/2 at 0; -r E/w = -(1/2)(3/4)/(1/2)
    (lo, hi), = law.support()
    G = complex(law.cauchy(0))
    assert G.imag == -np.inf
    assert abs(G.real - rest_at_zero(law, lo, hi)) < 1e-11
    assert abs(G.real + 0.75) < 1e-15
    v = law.cauchy(0, dps=30)
    assert v.imag == -mpmath.inf and abs(v.real + mpmath.mpf(3) / 4) < 1e-28
    uni = ft.free_compound_poisson(0.5, ft.uniform(1, 2))
    (lo, hi), = uni.support()
    assert abs(complex(uni.cauchy(0)).real - rest_at_zero(uni, lo, hi)) < 1e-11
    # rate 1: a hard edge at 0, on the side of the jumps' mean of 1/t
    assert complex(ft.free_compound_poisson(1, J).cauchy(0)) == complex(-np.inf, -np.inf)
    assert complex(ft.free_compound_poisson(1, ft.atoms([-1, 2], [0.5, 0.5])).cauchy(0)) == complex(np.inf, -np.inf)
    assert ft.free_compound_poisson(1, J).cauchy(0, dps=20) == mpmath.mpc(-mpmath.inf, -mpmath.inf)


def test_affine_images_carry_the_limits():
    """A review: Affine (and free_add with a point mass, which returns one) evaluated its base at the pole: NaN."""
    from freetk.measures.general import Affine
    assert complex(Affine(ft.arcsine(-1, 3), 2, 1).cauchy(-1.0)) == complex(-np.inf, -np.inf)
    g = complex(Affine(ft.atoms([0, 1], [0.5, 0.5]), 2, 1).cauchy(1.0))      # atoms 1 and 3: 0.5/(1 - 3) - i inf
    assert g.imag == -np.inf and g.real == -0.25
    v = Affine(ft.atoms([0, 1], [0.5, 0.5]), 2, 1).cauchy(1.0, dps=20)
    assert v.imag == -mpmath.inf and v.real == -0.25
