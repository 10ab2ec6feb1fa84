"""The shape the code keeps to (issue 12): small modules, and imports at the top unless a reason
is written down. Each check reads the source tree; the synthetic cases prove the checks can fail."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 500
# Data, not code: rows of the demo's invented catalogue. Splitting a table gains no clarity.
DATA_TABLES = {"monitor/demo/tables.py"}


def sources(root: Path) -> list[Path]:
    return sorted([*root.glob("monitor/**/*.py"), *root.glob("spiders/**/*.py")])


def oversized(root: Path) -> list[str]:
    found = []
    for path in sources(root):
        rel = path.relative_to(root).as_posix()
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES and rel not in DATA_TABLES:
            found.append(f"{rel}: {lines} lines (at most {MAX_LINES}; split it along what it does)")
    return found


def _has_reason(lines: list[str], lineno: int) -> bool:
    """A ``# lazy: why`` comment on the import's line or above it (over a block of imports)."""
    i = lineno - 1
    if "# lazy:" in lines[i]:
        return True
    j = i - 1
    while j >= 0 and lines[j].strip().startswith(("from ", "import ", "#")):
        if "# lazy:" in lines[j]:
            return True
        j -= 1
    return False


def unexplained_local_imports(root: Path) -> list[str]:
    found = []
    for path in sources(root):
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        seen = set()
        for node in ast.walk(ast.parse(text, str(path))):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for inner in ast.walk(node):
                if isinstance(inner, (ast.Import, ast.ImportFrom)) and inner.lineno not in seen:
                    seen.add(inner.lineno)
                    if not _has_reason(lines, inner.lineno):
                        found.append(f"{path.relative_to(root).as_posix()}:{inner.lineno}: "
                                     f"{lines[inner.lineno - 1].strip()}")
    return found


def test_no_module_is_over_500_lines_except_data_tables():
    problems = oversized(ROOT)
    assert not problems, "\n".join(problems)


def test_every_function_local_import_says_why_it_is_late():
    problems = unexplained_local_imports(ROOT)
    assert not problems, ("move these to the top of the module, or write `# lazy: <reason>` above them "
                          "(start-up time, an optional part, an import cycle):\n" + "\n".join(problems))


def test_the_checks_find_a_long_module_and_an_unexplained_late_import(tmp_path):
    (tmp_path / "monitor").mkdir()
    (tmp_path / "monitor" / "big.py").write_text("x = 1\n" * (MAX_LINES + 1))
    (tmp_path / "monitor" / "late.py").write_text(
        "def f():\n    import json\n\n\ndef g():\n    # lazy: matplotlib costs 0.3 s at start-up\n"
        "    import matplotlib\n    from matplotlib import pyplot\n"
    )
    assert oversized(tmp_path) == [f"monitor/big.py: {MAX_LINES + 1} lines (at most {MAX_LINES}; split it along what it does)"]
    assert unexplained_local_imports(tmp_path) == ["monitor/late.py:2: import json"]
