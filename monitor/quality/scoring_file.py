"""Writing a calibration into ``rules/scoring.yaml`` in place: comments and layout kept, the
new file validated as rule packs before it replaces the old one.

The numbers come from ``monitor.quality.calibrate``; ``monitor rules calibrate --write``
calls :func:`write_scoring_file`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from monitor.rules.packs import RulePackError, load_packs


class LayoutError(ValueError):
    """The scoring file is not laid out as block mappings the writer can edit in place."""


_KEY = re.compile(r"^(?P<indent>[ \t]+)(?P<key>[A-Za-z0-9_]+)(?P<sep>[ \t]*:[ \t]*)(?P<value>[^\s#]+)(?P<rest>.*)$")
_TOP = re.compile(r"^(?P<key>[A-Za-z_][A-Za-z0-9_]*)[ \t]*:(?P<rest>.*)$")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(round(float(value), 4))


def _blocks(lines: list[str]) -> dict[str, tuple[int, int]]:
    """Top-level key -> (its line, the line after its block)."""
    starts = [(i, m.group("key")) for i, line in enumerate(lines) if (m := _TOP.match(line))]
    out = {}
    for n, (i, key) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        out[key] = (i, end)
    return out


def _set_block(lines: list[str], block: str, values: dict[str, float]) -> list[str]:
    spans = _blocks(lines)
    if block not in spans:
        raise LayoutError(f"no top-level `{block}:` block")
    start, end = spans[block]
    if _TOP.match(lines[start]).group("rest").split("#", 1)[0].strip():
        raise LayoutError(f"`{block}:` is written inline; the writer edits block mappings (one key a line)")
    left = dict(values)
    last, indent = start, "  "
    for i in range(start + 1, end):
        m = _KEY.match(lines[i])
        if not m:
            continue
        last, indent = i, m.group("indent")
        key = m.group("key")
        if key in left:
            value = left.pop(key)
            old = m.group("value")
            try:
                same = float(old) == float(value)
            except ValueError:
                same = False
            if same:  # an unchanged number keeps its spelling (4.0 stays 4.0)
                continue
            new = repr(round(float(value), 4)) if "." in old else _number(value)
            rest = m.group("rest")
            if rest[:1] in (" ", "\t") and len(new) != len(old):  # keep the comment column where there is room
                pad = len(rest) - len(rest.lstrip(" \t"))
                rest = " " * max(1, pad - (len(new) - len(old))) + rest.lstrip(" \t")
            lines[i] = f"{m.group('indent')}{key}{m.group('sep')}{new}{rest}"
    added = [f"{indent}{key}: {_number(value)}" for key, value in left.items()]
    return lines[:last + 1] + added + lines[last + 1:]


def updated_scoring_text(text: str, *, llr: dict[str, float], priors: dict[str, float],
                         thresholds: dict[str, float], calibrated: dict[str, Any]) -> str:
    """``text`` with the numbers of ``llr``/``priors``/``thresholds`` keys replaced in place
    (comments and layout kept; keys not there yet added at the end of their block) and the
    ``calibrated:`` block set. Raises LayoutError for a layout it cannot edit safely."""
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines()
    for block, values in (("llr", llr), ("priors", priors), ("thresholds", thresholds)):
        lines = _set_block(lines, block, values)
    entry = ["calibrated:                    # set by `monitor rules calibrate`"]
    for key in ("at", "source", "verdicts", "target_precision", "note"):
        if key in calibrated and calibrated[key] is not None:
            value = calibrated[key]
            shown = json.dumps(value, ensure_ascii=False) if isinstance(value, str) else _number(value)
            entry.append(f"  {key}: {shown}")
    spans = _blocks(lines)
    if "calibrated" in spans:
        start, end = spans["calibrated"]
        while end > start + 1 and not lines[end - 1].strip():  # keep blank lines before the next key
            end -= 1
        lines = lines[:start] + entry + lines[end:]
    else:
        while lines and not lines[-1].strip():
            lines.pop()
        lines += entry
    return newline.join(lines) + newline



class ScoringFileError(ValueError):
    """The scoring file could not be updated; it was left unchanged."""


def write_scoring_file(rules_folder: Path, *, llr: dict[str, float], priors: dict[str, float],
                       thresholds: dict[str, float], calibrated: dict[str, Any]) -> Path:
    """Update ``rules_folder/scoring.yaml`` (see updated_scoring_text) and return its path.

    The new text is first loaded as rule packs in a copy of the folder: a file that would be
    invalid is refused (ScoringFileError, with the real folder's paths) and nothing changes.
    The file is replaced in one step (a staging file renamed over it)."""
    path = rules_folder / "scoring.yaml"
    try:
        text = path.read_bytes().decode("utf-8")
        new_text = updated_scoring_text(text, llr=llr, priors=priors, thresholds=thresholds, calibrated=calibrated)
    except (OSError, UnicodeDecodeError, LayoutError) as exc:
        raise ScoringFileError(f"{path} cannot be updated: {exc}; it was not changed") from None
    with tempfile.TemporaryDirectory(prefix="calibrate-") as tmp:
        copy = Path(tmp) / rules_folder.name
        shutil.copytree(rules_folder, copy)
        (copy / "scoring.yaml").write_bytes(new_text.encode("utf-8"))
        try:
            load_packs(copy)
        except RulePackError as exc:
            shown = str(exc).replace(str(copy), str(rules_folder))
            raise ScoringFileError(f"the calibrated scoring file would be invalid; {path} was not changed:\n{shown}") \
                from None
    staging = path.with_name(f".{path.name}.calibrate-{os.getpid()}")
    try:
        staging.write_bytes(new_text.encode("utf-8"))
        os.replace(staging, path)
    finally:
        staging.unlink(missing_ok=True)
    return path
