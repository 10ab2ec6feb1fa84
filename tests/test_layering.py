"""The import layering of docs/architecture.md, checked on the source tree.

An arrow only points down a layer or along it: a module may import from its own layer or a
lower one, never from a higher one. Two more promises: the rule engine and the extractors are
pure (they never touch the store), and packages on one layer do not import each other in a
cycle. Function-local imports count as well; a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Top to bottom. The first segment after ``monitor.`` names the part (``spiders`` is its own
# top-level package). docs/architecture.md draws the same table: change both together.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("cli", "__main__", "web", "schedule", "demo"),  # entry points
    ("review", "casework", "export", "report", "alerts", "quality"),  # services
    ("spiders", "ingest", "scoring"),  # listings in, flags out
    ("rules", "extract", "evidence", "crawl"),  # matching, extraction, WARC and custody formats
    ("store", "settings", "listing", "categories", "verdicts", "yamlfile", "urls", "i18n", "regions", "periods",
     "monitor"),  # ground floor
)
PURE = {"rules", "extract"}  # never import these from the store
STORE = {"store"}


def part_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] == "spiders":
        return "spiders"
    if parts[0] != "monitor":
        return None
    return parts[1] if len(parts) > 1 else "monitor"


def layer_of(part: str) -> int:
    for i, names in enumerate(LAYERS):
        if part in names:
            return i
    raise AssertionError(
        f"monitor.{part} is in no layer: add it to LAYERS in tests/test_layering.py and to the "
        "table in docs/architecture.md"
    )


def _module_name(path: Path, root: Path) -> str:
    rel = path.relative_to(root).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports_of(path: Path, root: Path) -> list[tuple[int, str]]:
    """Every project module ``path`` imports, with the line, relative imports resolved."""
    module = _module_name(path, root)
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.append((node.lineno, target))
    return [(line, t) for line, t in found if part_of(t)]


def violations(root: Path) -> list[str]:
    problems = []
    edges: dict[str, set[str]] = {}
    for path in sorted([*root.glob("monitor/**/*.py"), *root.glob("spiders/**/*.py")]):
        source = part_of(_module_name(path, root))
        if source is None:
            continue
        for line, target in imports_of(path, root):
            dest = part_of(target)
            if dest == source:
                continue
            where = f"{path.relative_to(root)}:{line} imports {target}"
            if layer_of(dest) < layer_of(source):
                problems.append(f"{where}: {dest} is on a higher layer than {source}")
            if source in PURE and dest in STORE:
                problems.append(f"{where}: the {source} layer is pure and never touches the store")
            edges.setdefault(source, set()).add(dest)
    problems += [f"import cycle between parts: {' -> '.join(c)}" for c in _cycles(edges)]
    return problems


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    cycles, done = [], set()

    def visit(node: str, trail: list[str]) -> None:
        if node in trail:
            cycle = trail[trail.index(node):] + [node]
            if frozenset(cycle) not in done:
                done.add(frozenset(cycle))
                cycles.append(cycle)
            return
        for nxt in sorted(edges.get(node, ())):
            visit(nxt, trail + [node])

    for start in sorted(edges):
        visit(start, [])
    return cycles


def test_no_module_imports_from_a_higher_layer():
    problems = violations(ROOT)
    assert not problems, "layering broken (see docs/architecture.md):\n" + "\n".join(problems)


def test_the_check_finds_an_upward_import_a_store_import_in_rules_and_a_cycle(tmp_path):
    files = {
        "monitor/__init__.py": "",
        "monitor/store/__init__.py": "from monitor.web import app\n",  # ground floor reaching up
        "monitor/rules/engine.py": "def f():\n    from monitor.store import db\n",  # impure, lazily
        "monitor/export/a.py": "from monitor.report import b\n",
        "monitor/report/b.py": "from ..export import a\n",  # relative import closing a cycle
        "monitor/web/app.py": "",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    found = violations(tmp_path)
    assert any("monitor/store/__init__.py:1 imports monitor.web" in p and "higher layer" in p for p in found)
    assert any("monitor/rules/engine.py:2" in p and "pure" in p for p in found)
    assert any("cycle" in p and "export" in p and "report" in p for p in found)
    assert len(found) == 3, found


def test_every_part_of_the_tree_has_a_layer():
    parts = {part_of(_module_name(p, ROOT)) for p in ROOT.glob("monitor/**/*.py")}
    for part in sorted(p for p in parts if p):
        layer_of(part)
