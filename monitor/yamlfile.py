"""YAML loading that remembers the line of every key, so errors can name file, line and field."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


class YamlError(ValueError):
    """A YAML file that cannot be used. ``problems`` are ``(line, field, message)`` triples."""

    def __init__(self, path: str | Path, problems: list[tuple[int | None, str, str]], hint: str = ""):
        self.path = str(path)
        self.problems = problems
        self.hint = hint
        super().__init__(self.render())

    def render(self) -> str:
        lines = []
        for line, fld, message in self.problems:
            where = f"{self.path}:{line}" if line else self.path
            lines.append(f"{where}: {fld or '(file)'}: {message}")
        if self.hint:
            lines.append(self.hint)
        return "\n".join(lines)


@dataclass
class LocatedYaml:
    data: Any
    lines: dict[tuple, int] = field(default_factory=dict)  # path tuple -> 1-based line

    def line_of(self, path: tuple) -> int | None:
        # The nearest enclosing key that has a line: a missing key is reported at its parent.
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


def _construct(node: yaml.Node, path: tuple, lines: dict[tuple, int], loader: yaml.SafeLoader) -> Any:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            child = (*path, key)
            lines[child] = key_node.start_mark.line + 1
            out[key] = _construct(value_node, child, lines, loader)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(item, (*path, i), lines, loader) for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


def load_located(path: str | Path) -> LocatedYaml:
    """Parse a YAML file into plain data plus a key-path -> line map."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise YamlError(path, [(None, "", "file not found")]) from None
    except UnicodeDecodeError as exc:
        raise YamlError(path, [(None, "", f"not UTF-8 text ({exc.reason} at byte {exc.start})")]) from None
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        lines: dict[tuple, int] = {}
        data = _construct(node, (), lines, loader) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise YamlError(path, [(line, "", f"invalid YAML: {exc.problem or exc}")],
                        "Fix the YAML syntax (indentation, quotes, colons) at that line.") from None
    finally:
        loader.dispose()
    return LocatedYaml(data, lines)


def schema_problems(located: LocatedYaml, schema: dict) -> list[tuple[int | None, str, str]]:
    """Validate against a JSON Schema; each problem carries the line of the field it is about."""
    # lazy: jsonschema costs ~45 ms; most importers of this base module only catch YamlError
    from jsonschema import Draft202012Validator

    problems = []
    validator = Draft202012Validator(schema)
    for error in sorted(validator.iter_errors(located.data), key=lambda e: list(map(str, e.absolute_path))):
        path = tuple(error.absolute_path)
        message = error.message
        if error.validator == "additionalProperties":
            # Name the unknown key itself, on its own line: usually a typo.
            extra = [k for k in (error.instance or {}) if k not in error.schema.get("properties", {})]
            for key in extra:
                known = ", ".join(sorted(error.schema.get("properties", {})))
                problems.append((located.line_of((*path, key)), ".".join(map(str, (*path, key))),
                                 f"unknown field; expected one of: {known}"))
            continue
        if "propertyNames" in error.absolute_schema_path:
            # A bad key: point at the key's own line, named as part of the path.
            key = error.instance
            where = (*path, key)
            if error.validator == "enum":
                message = f"unknown name; expected one of: {', '.join(map(str, error.validator_value))}"
            else:
                message = f"invalid name: {error.message}"
            problems.append((located.line_of(where), ".".join(map(str, where)), message))
            continue
        if error.validator in ("oneOf", "anyOf") and error.context:
            message = "; or ".join(sorted({c.message for c in error.context}))
        problems.append((located.line_of(path), ".".join(map(str, path)), message))
    return problems
