"""The rules folder, and the configured product categories (``rules/categories.yaml``)."""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from monitor.listing import DEFAULT_CATEGORIES
from monitor.settings import env
from monitor.yamlfile import YamlError, load_located, schema_problems

# The rule packs ship inside the package as ``monitor/rulepacks``, which in the checkout is a
# link to the top-level ``rules/`` analysts edit: an editable install reads rules/ itself, a
# wheel carries a copy. Resolved so that messages name rules/..., the file one edits.
RULES_DIR = Path(str(files("monitor") / "rulepacks")).resolve()
RULES_DIR_ENV = "MONITOR_RULES"

SCHEMA = {
    "type": "object",
    "required": ["categories"],
    "additionalProperties": False,
    "properties": {
        "categories": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": {"pattern": "^[a-z][a-z0-9_]*$"},
            "additionalProperties": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "name_zh": {"type": "string"}, "covers": {"type": "string"}},
                "additionalProperties": False,
            },
        }
    },
}


def rules_dir() -> Path:
    """``MONITOR_RULES``, else the packaged rule packs."""
    return env(RULES_DIR_ENV) or RULES_DIR


def load_categories(path: Path) -> tuple[str, ...]:
    located = load_located(path)
    problems = schema_problems(located, SCHEMA)
    if problems:
        raise YamlError(path, problems, "Fix the category file; nothing in it was used.")
    return tuple(located.data["categories"])


@lru_cache(maxsize=8)
def _load(path: Path) -> tuple[str, ...]:
    return load_categories(path)


def known_categories() -> tuple[str, ...]:
    path = rules_dir() / "categories.yaml"
    if not path.exists():
        return DEFAULT_CATEGORIES
    return _load(path)
