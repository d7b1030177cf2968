"""The command line (issue: user-facing layer).  In-process: ``main([...])`` returns the exit status."""
import json
import subprocess
import sys
from fractions import Fraction as F

import numpy as np
import pytest
import sympy

import freetk as ft
from freetk import cli
from freetk.cli import main


def test_ntk_main_job_writes_outputs(tmp_path, capsys, monkeypatch):
    # the default file names, written in the working directory, plus the JSON record
    monkeypatch.chdir(tmp_path)
    rc = main(["ntk", "--d", "30", "--p", "15", "--grid", "120", "--quiet", "--json", "run.json"])
    out = capsys.readouterr().out
    assert rc == 0
    assert "c0     = 1/2" in out and "KS distance" in out and "support of rho" in out
    data = np.loadtxt(tmp_path / "ntk_density.csv", delimiter=",", skiprows=1)
    assert data.shape == (120, 3) and np.all(data[:, 1] >= 0) and abs(data[-1, 2] - 1) < 1e-6
    assert (tmp_path / "ntk_density.png").stat().st_size > 10_000
    rec = json.loads((tmp_path / "run.json").read_text())
    # exact Hermite data of ReLU: c0 = 1/2, c1^2 = 1/(2 pi), norm2 = 1/2 (Gaussian integrals by hand)
    assert rec["hermite"]["exact"] is True and rec["hermite"]["c0"]["exact"] == "1/2"
    assert sympy.simplify(sympy.sympify(rec["hermite"]["c1"]["exact"]) ** 2 - 1 / (2 * sympy.pi)) == 0
    assert rec["hermite"]["c1"]["value"].startswith("0.39894228040143267793994605993")
    # m_1(rho) = m_1(mu) = (a + c1^2) E[T] = norm2 - c0^2 = 1/4
    assert sympy.sympify(rec["moments_rho"][1]["exact"]) == sympy.Rational(1, 4)
    assert np.allclose(rec["density"]["x"], data[:, 0]) and np.allclose(rec["density"]["pdf"], data[:, 1])
    lo, hi = rec["support"][0]
    assert rec["density"]["x"][0] == lo and rec["density"]["x"][-1] == hi
    assert rec["monte_carlo"]["n"] == 30 * 15 * 1 and rec["parameters"]["gamma2"]["exact"] == "1/2"


def test_failed_monte_carlo_is_reported_and_the_law_still_written(tmp_path, capsys, monkeypatch):
    # a sample that cannot be drawn: one line on stderr, exit status 1, the law's files written all the same
    monkeypatch.chdir(tmp_path)

    def broken(*args, **kwargs):
        raise MemoryError("no room for the sample")
    monkeypatch.setattr(ft.montecarlo, "ntk_eigenvalues", broken)
    rc = main(["ntk", "--d", "10", "--p", "5", "--grid", "50", "--quiet"])
    captured = capsys.readouterr()
    assert rc == 1 and "Monte Carlo check failed (MemoryError: no room for the sample)" in captured.err
    assert (tmp_path / "ntk_density.csv").exists() and (tmp_path / "ntk_density.png").exists()


def test_bad_input_one_line_exit_2(capsys):
    assert main(["ntk", "--gamma1", "-1", "--no-mc", "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "gamma1" in err[0]
    assert main(["moments", "nonsense"]) == 2
    assert main(["ntk", "--activation", "swish9", "--quiet"]) == 2
    assert "known names" in capsys.readouterr().err


@pytest.fixture
def no_law(monkeypatch):
    """Make any attempt to compute an NTK law fail the test: errors must come before computing."""
    import freetk.ntk

    def forbidden(*a, **k):
        raise AssertionError("the law was computed before the input was checked")
    monkeypatch.setattr(freetk.ntk, "ntk_law", forbidden)


@pytest.mark.parametrize("option", ["--csv", "--png", "--json"])
def test_unwritable_output_fails_before_computing(no_law, capsys, tmp_path, option):
    rc = main(["ntk", "--quiet", option, str(tmp_path / "no" / "such" / "dir" / "x.out")])
    err = capsys.readouterr().err
    assert rc == 2 and option in err and "does not exist" in err and len(err.strip().splitlines()) == 1
    assert main(["ntk", "--quiet", option, str(tmp_path)]) == 2       # a directory is not a file
    assert "is a directory" in capsys.readouterr().err
    assert main(["convolve", "add", "semicircle", "semicircle", "--csv", "/nonexistent/x.csv"]) == 2


@pytest.mark.parametrize("argv, match", [
    (["moments", "semicircle:nan"], "'nan' must be a finite real number"),
    (["moments", "semicircle:0,inf"], "'inf' must be a finite real number"),
    (["moments", "uniform:0,oo"], "'oo' must be a finite real number"),
    (["moments", "semicircle:1+I"], "must be a finite real number"),
    (["moments", "mp:abc"], "'abc' is not a number .*--symbolic"),
    (["moments", "mp:1/2", "-k", "-1"], "-k must be between 1 and"),
    (["moments", "mp:1/2", "-k", "1000000000"], "-k must be between 1 and"),
    (["latex", "ntk-moments", "-k", "-1"], "-k must be between 1 and 10"),
    (["latex", "ntk-moments", "-k", "0"], "-k must be between 1 and 10"),
    (["moments", "atoms:-2,0.5@1/3"], "2 locations but 1 weights"),
    (["ntk", "--gamma2", "nan", "--quiet"], "--gamma2: 'nan' must be a finite real number"),
    (["ntk", "--activation", "x*y", "--quiet"], "single variable x"),
    (["ntk", "--sigma-prime", "exp(", "--quiet"], "--sigma-prime"),
    (["ntk", "--activation", "relu", "--sigma-prime", "x", "--quiet"], "not both"),
    (["ntk", "--d-law", "atoms:1,nan", "--quiet"], "finite real number"),
    (["ntk", "--grid", "1", "--quiet"], "--grid must be between 2"),
    (["ntk", "--seed", "-1", "--quiet"], "--seed must be between 0"),
])
def test_rejected_input(no_law, capsys, argv, match):
    import re
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and re.search(match, err[0]), err


def test_symbols_only_when_asked(capsys):
    assert main(["moments", "mp:abc", "-k", "2", "--symbolic"]) == 0
    assert "moments: 1, 1, abc + 1" in capsys.readouterr().out


def test_numbers_are_read_exactly(capsys):
    assert main(["moments", "mp:1/2", "-k", "3"]) == 0
    assert "moments: 1, 1, 3/2, 11/4" in capsys.readouterr().out
    assert main(["moments", "mp:0.5", "-k", "3"]) == 0          # 0.5 is read as 1/2, not as a float
    assert "moments: 1, 1, 3/2, 11/4" in capsys.readouterr().out


def test_atoms_with_weights(capsys):
    mu = cli._measure("atoms:-2,0.5@1/3,2/3")
    assert mu.atoms() == [(-2, F(1, 3)), (sympy.Rational(1, 2), sympy.Rational(2, 3))]
    assert main(["moments", "atoms:-2,0.5@1/3,2/3", "-k", "2"]) == 0
    # m1 = -2/3 + 1/3 = -1/3, m2 = 4/3 + 1/6 = 3/2
    assert "moments: 1, -1/3, 3/2" in capsys.readouterr().out


def test_ntk_options_reach_the_law(monkeypatch, capsys):
    """The expression, sigma', gammas and the law of D arrive in ntk_law exactly as typed."""
    import freetk.ntk
    seen = {}

    class Stop(Exception):
        pass

    def fake(activation=None, **kw):
        seen.update(kw, activation=activation)
        raise Stop
    monkeypatch.setattr(freetk.ntk, "ntk_law", fake)
    x = sympy.Symbol("x")
    with pytest.raises(Stop):
        main(["ntk", "--quiet", "--activation", "x/(1+exp(-1.702*x))", "--gamma1", "1/3", "--gamma2", "0.25",
              "--d-law", "atoms:-2,0.5@1/3,2/3"])
    assert seen["activation"] == x / (1 + sympy.exp(-sympy.Rational(851, 500) * x))
    assert seen["gamma1"] == sympy.Rational(1, 3) and seen["gamma2"] == sympy.Rational(1, 4)
    assert seen["d_law"].atoms() == [(-2, F(1, 3)), (sympy.Rational(1, 2), sympy.Rational(2, 3))]
    with pytest.raises(Stop):
        main(["ntk", "--quiet", "--sigma-prime", "(1+sign(x))/2"])
    assert seen["activation"] is None and seen["sigma_prime"] == (1 + sympy.sign(x)) / 2
    with pytest.raises(Stop):
        main(["ntk", "--quiet", "--activation", "GELU"])
    assert seen["activation"] == "gelu"


def test_expression_activation_gives_the_same_hermite_data_as_the_name():
    # Max(0, x) is ReLU: the CLI's expression route must give ReLU's exact Hermite data
    class A:
        activation, sigma_prime, activation_given = "Max(0, x)", None, True
    act, phi, _ = cli._activation(A)
    h, r = ft.hermite_data(act), ft.hermite_data("relu")
    assert h.exact and all(sympy.simplify(getattr(h, k) - getattr(r, k)) == 0 for k in ("c0", "c1", "norm2", "a"))


def test_figure_marks_support_edges():
    sup = [(0.0, 1.0), (2.0, 3.5)]
    xs = np.linspace(0, 3.5, 50)
    fig = cli.density_figure(xs, np.ones_like(xs), sup, hist=(np.random.default_rng(0).random(100), "sample"))
    ax = fig.axes[0]
    vertical = sorted(line.get_xdata()[0] for line in ax.lines
                      if len(set(np.atleast_1d(line.get_xdata()))) == 1)
    assert vertical == [0.0, 1.0, 2.0, 3.5]
    assert "support edges" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_moments_convolve_latex(capsys):
    assert main(["convolve", "mul", "mp:1", "mp:1", "-k", "3"]) == 0
    assert "moments: 1, 1, 3, 12" in capsys.readouterr().out
    assert main(["latex", "hermite", "--activation", "relu"]) == 0
    assert capsys.readouterr().out.startswith(r"c_0 = \frac{1}{2}")
    assert main(["latex", "mu-cauchy"]) == 0
    assert r"G_\mu(z)" in capsys.readouterr().out


def test_help_documents_d_law_syntax(capsys):
    assert main(["ntk", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "atoms:-2,0.5@1/3,2/3" in out and "sympy expression in x" in out and "--json" in out


def test_console_entry_point():
    r = subprocess.run([sys.executable, "-m", "freetk", "moments", "semicircle", "-k", "4"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "moments: 1, 0, 1, 0, 2" in r.stdout
    r = subprocess.run([sys.executable, "-m", "freetk", "moments", "semicircle:nan"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "finite real number" in r.stderr


# ----------------------------------------------------------------------------- issue 12, round 3
@pytest.mark.parametrize("spec, match", [
    ("mp:9**9**9", "tower"),                 # ran unbounded: 9**(9**9) has 3.7e8 digits
    ("mp:10**10**10", "tower"),
    ("mp:2**100000", "power must be an integer literal of at most 64"),
    ("mp:1_0", "without '_'"),              # was read as 10
    ("mp:0x10", "'0x10'"),                   # was read as 16
    ("mp:2pi", "'2pi'"),
    ("mp:factorial(999999999)", "unknown function 'factorial'"),
    ("mp:1e100000", "exponent"),
    ("mp:1+nan", "'nan' must be a finite real number"),
])
def test_number_reader_is_bounded_and_strict(no_law, capsys, spec, match):
    import re
    assert main(["moments", spec, "-k", "2"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and re.search(match, err[0]), err


def test_number_reader_still_reads_exact_numbers(capsys):
    for spec, want in (("mp:2**-3", "moments: 1, 1, 9/8"), ("mp:(1/2)**2", "moments: 1, 1, 5/4"),
                       ("mp:sqrt(2)/2", "moments: 1, 1, sqrt(2)/2 + 1"), ("mp:2.5e-1", "moments: 1, 1, 5/4")):
        assert main(["moments", spec, "-k", "2"]) == 0, spec
        assert want in capsys.readouterr().out, spec


def test_finite_but_huge_parameter_is_not_called_infinite(capsys):
    """1e400 is a finite number: the message says it is too large, naming the argument the user gave."""
    assert main(["moments", "semicircle:1e400,1"]) == 2
    err = capsys.readouterr().err
    assert "must be finite" not in err and "`mean`" in err and "too large" in err
    assert main(["moments", "mp:1e-320"]) == 2
    err = capsys.readouterr().err
    assert "`ratio`" in err and "marchenko_pastur" in err and "rate" in err.split("`ratio`")[1]


def test_output_write_error_is_one_line(capsys):
    """--csv /dev/full passes the up-front check (the device exists and is writable) but the write fails
    after the computation: one line naming the option, exit 1, no traceback."""
    import os
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    assert main(["convolve", "add", "semicircle", "semicircle", "--csv", "/dev/full"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--csv /dev/full" in err[0] and "cannot write" in err[0]


@pytest.mark.slow
def test_ntk_exact_method_for_a_general_law_of_d(tmp_path, capsys, monkeypatch):
    """``--method exact`` with D uniform: the law's own error estimates at the five points (propagated from G_mu,
    not a 17-digit re-evaluation, tens of seconds a point there), a Monte Carlo KS distance (the cdf at the
    sample's points inside the half circles from graded panels: minutes before), mass 1."""
    monkeypatch.chdir(tmp_path)
    rc = main(["ntk", "--d-law", "uniform", "--method", "exact", "--d", "30", "--p", "15", "--grid", "60", "--quiet",
               "--json", "run.json"])
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "route for mu: exact" in out and "KS distance" in out
    rec = json.loads((tmp_path / "run.json").read_text())
    assert rec["parameters"]["method"] == "exact" and rec["parameters"]["route"] == "exact"
    errs = [float(line.split("(±")[1].strip(" )")) for line in out.splitlines() if "(±" in line]
    assert len(errs) == 5 and all(0 < e < 1e-10 for e in errs)
    assert "total mass (continuous + atoms) = 1.000000000000" in out


def test_digits_of_the_density_have_a_progress_bar_of_their_own(tmp_path, capsys, monkeypatch):
    """``--dps 300`` takes minutes for its five points (the main bar stood still on "density of rho"): each point
    now advances a bar of its own; ``--quiet`` shows none."""
    monkeypatch.chdir(tmp_path)
    assert main(["ntk", "--no-mc", "--grid", "20", "--dps", "20"]) == 0
    err = capsys.readouterr().err
    assert "density at 20 digits" in err and "5/5" in err
    assert main(["ntk", "--no-mc", "--grid", "20", "--dps", "20", "--quiet"]) == 0
    assert "density at 20 digits" not in capsys.readouterr().err
