"""Names inside packages: made safe when written, refused when unsafe on reading."""

from __future__ import annotations

import re

_NAME_PART = re.compile(r"[^A-Za-z0-9._-]+")


def safe_part(text: str, limit: int = 60) -> str:
    """A path component made only of safe characters (never "", "." or "..")."""
    part = _NAME_PART.sub("_", str(text)).strip("._")[:limit]
    return part or "x"


def unsafe_name(name: str) -> str | None:
    """Why an archive entry name is unsafe, or None."""
    if not name or name.startswith(("/", "\\")) or "\\" in name or re.match(r"^[A-Za-z]:", name):
        return "an absolute path"
    parts = name.split("/")  # not PurePosixPath: it would quietly drop "." and empty parts
    if any(p in ("..", ".") for p in parts) or "" in parts[:-1] or not parts[-1]:
        return "a path with '..', '.' or an empty part"
    if any(ord(c) < 32 for c in name):
        return "a control character"
    return None
