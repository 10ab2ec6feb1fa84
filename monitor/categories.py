"""The configured product categories (``rules/categories.yaml``)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from monitor.listing import DEFAULT_CATEGORIES
from monitor.yamlfile import YamlError, load_located, schema_problems

RULES_DIR = Path(__file__).resolve().parents[1] / "rules"
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
    return Path(os.environ.get(RULES_DIR_ENV) or RULES_DIR)


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
