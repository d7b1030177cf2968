"""The command line (issue: user-facing layer)."""
import subprocess
import sys

import numpy as np

from freetk.cli import main


def test_ntk_main_job_writes_outputs(tmp_path, capsys):
    csv, png = tmp_path / "d.csv", tmp_path / "d.png"
    rc = main(["ntk", "--d", "30", "--p", "15", "--grid", "120", "--csv", str(csv), "--png", str(png), "--quiet"])
    out = capsys.readouterr().out
    assert rc == 0
    assert "c0     = 1/2" in out and "KS distance" in out and "support of rho" in out
    data = np.loadtxt(csv, delimiter=",", skiprows=1)
    assert data.shape == (120, 3) and np.all(data[:, 1] >= 0) and abs(data[-1, 2] - 1) < 1e-6
    assert png.stat().st_size > 10_000


def test_bad_input_one_line_exit_2(capsys):
    assert main(["ntk", "--gamma1", "-1", "--no-mc", "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "gamma1" in err[0]
    assert main(["moments", "nonsense"]) == 2
    assert main(["ntk", "--activation", "swish9", "--quiet"]) == 2
    assert "known names" in capsys.readouterr().err


def test_moments_convolve_latex(capsys):
    assert main(["moments", "mp:1/2", "-k", "3"]) == 0
    assert "moments: 1, 1, 3/2, 11/4" in capsys.readouterr().out
    assert main(["convolve", "mul", "mp:1", "mp:1", "-k", "3"]) == 0
    assert "moments: 1, 1, 3, 12" in capsys.readouterr().out
    assert main(["latex", "hermite", "--activation", "relu"]) == 0
    assert capsys.readouterr().out.startswith(r"c_0 = \frac{1}{2}")
    assert main(["latex", "mu-cauchy"]) == 0
    assert r"G_\mu(z)" in capsys.readouterr().out


def test_console_entry_point():
    r = subprocess.run([sys.executable, "-m", "freetk", "moments", "semicircle", "-k", "4"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "moments: 1, 0, 1, 0, 2" in r.stdout
