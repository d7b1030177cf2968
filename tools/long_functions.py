"""List the functions of the freetk package longer than a limit (default 60 lines).

A function may stay long when a one-line reason is written beside it: a comment ``# long: <reason>``
on the line of its ``def`` or on the line just above.  Run ``python tools/long_functions.py [limit]``;
the exit status is 1 when a long function has no reason.
"""
import ast
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1] / "freetk"


def long_functions(limit=60, root=ROOT):
    """``[(path, line, name, length, reason or None)]`` for every function over ``limit`` lines."""
    out = []
    for path in sorted(root.rglob("*.py")):
        lines = path.read_text().splitlines()
        for node in ast.walk(ast.parse("\n".join(lines))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                start = min([node.lineno] + [d.lineno for d in node.decorator_list])
                n = node.end_lineno - start + 1
                if n > limit:
                    near = [lines[i] for i in (start - 2, node.lineno - 1) if 0 <= i < len(lines)]
                    reason = next((ln.split("# long:", 1)[1].strip() for ln in near if "# long:" in ln), None)
                    out.append((str(path.relative_to(root.parent)), node.lineno, node.name, n, reason))
    return out


if __name__ == "__main__":
    found = long_functions(int(sys.argv[1]) if len(sys.argv) > 1 else 60)
    for path, line, name, n, reason in found:
        print(f"{path}:{line} {name} ({n} lines): {reason or 'NO REASON'}")
    sys.exit(1 if any(r is None for *_, r in found) else 0)
