"""The README's example runs and prints what it says."""
import re
from pathlib import Path

README = Path(__file__).parent.parent / "README.md"


def test_readme_starts_with_two_commands():
    text = README.read_text()
    block = re.search(r"```bash\n(.*?)```", text, re.S).group(1).strip().splitlines()
    assert len(block) == 2
    assert block[0].startswith("pip install -e . && freetk ntk")
    assert "pytest" in block[1]
    assert text.index("```bash") < text.index("## ")


def test_readme_example_runs():
    text = README.read_text()
    code = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    ns = {}
    lines = code.strip().splitlines()
    for line in lines:
        exec(line.split("  #")[0] if "  #" in line else line, ns)
    import sympy
    ft = ns["ft"]
    assert ft.free_mul(ns["mu"], ns["nu"]).moments(3) == [1, sympy.Rational(5, 4), sympy.Rational(107, 32),
                                                          sympy.Rational(2815, 256)]
    assert abs(ns["s"].pdf(1.0) - 0.26410284347791846) < 1e-13
