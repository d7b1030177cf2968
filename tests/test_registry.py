"""The registry of families and laws of D, and the parameters declared as data, drive validation, the
command line, the docs table and the strategies (one entry per family, read by every consumer)."""
from fractions import Fraction as F
import math
import pathlib

import numpy as np
import pytest
import sympy
from hypothesis import given, settings, strategies as st

import freetk as ft
from freetk import cli
from freetk.errors import InvalidArgument
from freetk.measures import registry
from freetk.measures.parameters import Interval, Sequence, Simplex
from freetk.testing import FAMILIES, measures, parameters_of

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_docs_table_is_generated_from_the_declarations():
    text = (ROOT / "docs" / "families.md").read_text()
    start, end = "<!-- registry table: start -->\n", "<!-- registry table: end -->"
    assert text[text.index(start) + len(start):text.index(end)] == registry.markdown_table()


def test_strategies_and_cli_read_the_registry():
    assert FAMILIES == tuple(registry.FAMILIES)
    for fam in registry.FAMILIES.values():
        assert fam.spec() in cli.MEASURE_HELP
    for name in registry.D_LAWS:
        assert name in cli.D_LAW_HELP


def _cli_text(fam, values):
    seq = any(isinstance(p.domain, (Sequence, Simplex)) for p in fam.parameters)
    show = lambda v: ",".join(str(sympy.Rational(x)) for x in v) if isinstance(v, list) else str(v)  # noqa: E731
    return fam.name + ":" + ("@" if seq else ",").join(show(values[p.name]) for p in fam.parameters)


@given(st.sampled_from(list(registry.FAMILIES.values())).flatmap(
    lambda fam: st.tuples(st.just(fam), parameters_of(fam))))
@settings(max_examples=40, deadline=None)
def test_declared_parameters_build_read_back_and_parse(case):
    fam, values = case
    m = fam.build(**values)
    assert isinstance(m, fam.cls)
    # the constructor's own closed forms agree with the parameters it reports
    if fam.name == "marchenko_pastur":          # a parameterization of FreePoisson: rate 1/ratio, jump ratio
        assert m.parameters["rate"] * m.parameters["jump"] == 1
        assert m.moments(2)[2] - m.moments(1)[1] ** 2 == values["ratio"]
    else:
        expected = {k: (tuple(sympy.Rational(x) for x in v) if isinstance(v, list) else v) for k, v in values.items()}
        assert dict(m.parameters) == expected
    # the command line, parsing the same values, builds the same law
    parsed = cli._measure(_cli_text(fam, values))
    assert dict(parsed.parameters) == dict(m.parameters) and parsed.moments(3) == m.moments(3)


@given(measures(positive=True))
@settings(max_examples=30, deadline=None)
def test_positive_replacements_put_every_law_on_the_half_line(m):
    assert m.edges().lower >= 0


@pytest.mark.parametrize("fam", list(registry.FAMILIES.values()), ids=list(registry.FAMILIES))
def test_domain_ends_are_enforced_with_a_message_naming_the_argument(fam):
    good = {p.name: p.default for p in fam.parameters}
    for p in fam.parameters:
        if p.required:
            good[p.name] = [1, 2] if isinstance(p.domain, Sequence) else 1
    if "weights" in good:
        good["weights"] = None
    fam.build(**good)
    for p in fam.parameters:
        dom = p.domain
        if not isinstance(dom, Interval) or isinstance(dom.lo, str) or dom.lo == -math.inf:
            continue
        bad = dict(good, **{p.name: dom.lo - (0 if dom.lo_open else 1)})
        with pytest.raises(InvalidArgument, match=rf"`{p.name}` of `{fam.build.__name__}` must be"):
            fam.build(**bad)
    with pytest.raises(InvalidArgument):
        registry.family("no_such_family")


def test_relation_between_parameters_is_checked():
    with pytest.raises(InvalidArgument, match="must satisfy lo < hi"):
        ft.arcsine(2, 2)
    x = sympy.Symbol("x")
    assert ft.uniform(x, 1).parameters["lo"] == x          # symbols are assumed valid


def test_parameters_are_read_only():
    m = ft.semicircle(F(1, 2), 2)
    with pytest.raises(TypeError):
        m.parameters["var"] = 3
    assert m.parameters["var"] == 2


@pytest.mark.parametrize("name", list(registry.D_LAWS))
def test_named_laws_of_d_sample_their_own_moments(name):
    """Sampler and law of one entry agree: E D^2 and E D^4 of 200000 draws within 5 standard errors of the
    law's exact moments (from the measure, or from the T-moments of an unbounded law)."""
    law = registry.D_LAWS[name]
    d = law.sample(np.random.default_rng(3), 200_000)
    if law.bounded:
        m = law.measure().moments(8)
        t1, t2, t4 = float(m[2]), float(m[4]), float(m[8])
    else:
        t1, t2, t4 = (float(law.t_moment(k)) for k in (1, 2, 4))
    for power, mean, second in ((2, t1, t2), (4, t2, t4)):
        se = math.sqrt((second - mean ** 2) / d.size)
        assert abs(np.mean(d ** power) - mean) < 5 * se + 1e-12


def test_monte_carlo_uses_the_family_sampler():
    """A uniform law of D on [0, 2] is drawn by its registry sampler: in [0, 2], mean 1, variance 1/3."""
    from freetk.montecarlo import _draw_d
    d = _draw_d(ft.uniform(0, 2), 100_000, np.random.default_rng(0))
    assert d.min() >= 0 and d.max() <= 2
    assert abs(d.mean() - 1) < 5 * math.sqrt(1 / 3 / d.size)
    with pytest.raises(InvalidArgument, match="`d_law` of `ntk_matrix`"):
        _draw_d("cauchy", 3, np.random.default_rng(0))


@pytest.mark.parametrize("name", list(registry.D_LAWS))
def test_ntk_law_reads_the_named_laws_of_d(name):
    """``ntk_law(d_law=name)`` takes its law of T = D^2 from the registry entry: E T^k from the entry's
    measure (its even moments) or from its T-moments, k <= 3; the command line passes the name through."""
    from freetk.ntk import TLaw
    law = registry.D_LAWS[name]
    expected = ([law.measure().moments(6)[2 * k] for k in range(4)] if law.bounded
                else [law.t_moment(k) for k in range(4)])
    assert TLaw(name).tau(3) == expected
    assert TLaw(name.upper()).tau(1) == expected[:2]
    assert cli._d_law(f" {name.upper()} ") == name
    with pytest.raises(InvalidArgument, match="`d_law` of `ntk_law` must be a Measure or one of"):
        TLaw("laplace")


@pytest.mark.parametrize("m", [ft.marchenko_pastur(2), ft.free_poisson(3, 2), ft.semicircle(1, 2),
                               ft.atoms([1, 2], [F(1, 3), F(2, 3)]), ft.uniform(0, 1), ft.arcsine(-1, 2)])
def test_family_of_rebuilds_the_measure_from_its_parameters(m):
    """family_of names the family whose builder takes the measure's parameters (a Marchenko–Pastur law is a
    free Poisson law with rate and jump), and that builder gives back the same law (exact moments)."""
    fam = registry.family_of(m)
    assert fam is not None and set(m.parameters) == {p.name for p in fam.parameters}
    assert fam.build(**m.parameters).moments(4) == m.moments(4)
