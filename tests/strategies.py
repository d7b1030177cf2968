"""Hypothesis strategies shared by the tests."""
from fractions import Fraction

from hypothesis import strategies as st

import freetk as ft


@st.composite
def rational_atomic(draw, min_atoms=1, max_atoms=4, positive=False, nonzero_mean=False):
    n = draw(st.integers(min_atoms, max_atoms))
    lo = 1 if positive else -6
    locs = [Fraction(draw(st.integers(lo, 6)), draw(st.integers(1, 4))) for _ in range(n)]
    raw = [draw(st.integers(1, 5)) for _ in range(n)]
    tot = sum(raw)
    ws = [Fraction(r, tot) for r in raw]
    m = ft.atoms(locs, ws)
    if nonzero_mean and m.moments(1)[1] == 0:
        m = ft.atoms([x + 1 for x in locs], ws)
    return m
