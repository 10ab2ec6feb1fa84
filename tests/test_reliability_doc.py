"""docs/reliability.md maps each promise to its test: every test it names must exist, so the
page cannot keep pointing at a test that was renamed or removed."""

from __future__ import annotations

import ast
import re

from tests.conftest import ROOT

DOC = ROOT / "docs" / "reliability.md"
REFERENCE = re.compile(r"(tests/[\w/]+\.py)::(\w+)")


def test_every_test_named_in_the_reliability_page_exists():
    text = DOC.read_text(encoding="utf-8")
    named = REFERENCE.findall(text)
    assert len(named) >= 50, "docs/reliability.md should name the test of each promise"
    missing = []
    for path, name in sorted(set(named)):
        file = ROOT / path
        if not file.is_file():
            missing.append(f"{path} (no such file)")
            continue
        tree = ast.parse(file.read_text(encoding="utf-8"))
        defined = {node.name for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
        if name not in defined:
            missing.append(f"{path}::{name}")
    assert not missing, "docs/reliability.md names tests that do not exist: " + ", ".join(missing)
