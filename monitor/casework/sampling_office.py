"""Who issues a printed 双随机 draw (公示): monitor.yaml's top-level ``office_name``
(monitor/settings.py describes it). Empty or absent: the printed draw leaves a line for the
office's name and seal, written by hand."""

from __future__ import annotations

from pathlib import Path

from monitor.settings import resolve_config_path, yaml_default
from monitor.yamlfile import YamlError, load_located

MAX_LENGTH = 200  # as monitor.yaml's schema (monitor/schedule/config.py) accepts it: one line of print


def office_name(config: str | Path | None = None) -> str:
    """``office_name`` of monitor.yaml (``config``, else the file `monitor schedule` reads),
    stripped; the default ("") when the file or the key is absent. A value that is not text is
    refused naming the file and line: a number or a list printed as the issuer would be wrong."""
    path = resolve_config_path(config)
    if not Path(path).is_file():
        return yaml_default("office_name")
    located = load_located(path)
    value = located.data.get("office_name") if isinstance(located.data, dict) else None
    if value is None:
        return yaml_default("office_name")
    if not isinstance(value, str) or len(value) > MAX_LENGTH:
        raise YamlError(path, [(located.line_of(("office_name",)), "office_name",
                                f"must be text (the office's name) of at most {MAX_LENGTH} characters, "
                                f"not {str(value)[:40]!r}")])
    return value.strip()
