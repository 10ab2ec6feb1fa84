"""Loading the rule packs under ``rules/`` as one validated, versioned whole."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from monitor.categories import RULES_DIR, load_categories, rules_dir
from monitor.rules.checks import load_checks
from monitor.rules.marks import Mark, MarkIndex
from monitor.rules.prices import load_prices
from monitor.rules.scoring import load_scoring
from monitor.rules.seller_signals import load_blocklist
from monitor.rules.shops import load_shops
from monitor.rules.vocabulary import load_vocabulary
from monitor.rules.watchlist import load_watchlist
from monitor.yamlfile import YamlError

# Every file that changes how listings are scored; the version hash covers exactly these.
PACK_FILES = ("categories.yaml", "scoring.yaml", "watchlist.csv", "prices.csv", "vocabulary.yaml",
              "blocklist.csv", "shops.yaml", "checks/*.yaml")


class RulePackError(ValueError):
    """One or more rule files are invalid. ``errors`` holds each file's problems."""

    def __init__(self, errors: list[YamlError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


@dataclass
class RulePacks:
    folder: Path
    version: str
    categories: tuple[str, ...]
    scoring: Any
    watchlist: Any
    prices: list
    vocabulary: Any
    checks: Any
    blocklist: dict
    mark_index: Any = field(repr=False, default=None)
    shops: Any = None
    files: list[Path] = field(default_factory=list)


def pack_files(folder: Path) -> list[Path]:
    found = []
    for pattern in PACK_FILES:
        found += sorted(folder.glob(pattern))
    return found


def version_of(files: list[Path], folder: Path, overrides: dict[str, Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    for name, path in sorted(overrides.items()):
        digest.update(f"override:{name}".encode() + b"\0" + Path(path).read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def load_packs(folder: str | Path | None = None, *, watchlist: str | Path | None = None,
               prices: str | Path | None = None) -> RulePacks:
    """Load and validate every pack; all errors of all files are collected, then raised
    together, so a broken pack never half-applies. ``watchlist`` / ``prices`` replace the
    folder's files for this load (``monitor score --watchlist``)."""
    folder = Path(folder) if folder else rules_dir()
    if not folder.is_dir():
        raise RulePackError([YamlError(folder, [(None, "", "not a folder of rule packs")])])
    errors: list[YamlError] = []

    def attempt(loader, *args, **kwargs):
        try:
            return loader(*args, **kwargs)
        except YamlError as exc:
            errors.append(exc)
            return None

    categories = attempt(load_categories, folder / "categories.yaml")
    scoring = attempt(load_scoring, folder / "scoring.yaml")
    watch = attempt(load_watchlist, Path(watchlist) if watchlist else folder / "watchlist.csv", categories)
    refs = attempt(load_prices, Path(prices) if prices else folder / "prices.csv")
    vocabulary = attempt(load_vocabulary, folder)
    checks = attempt(load_checks, folder)
    blocklist = attempt(load_blocklist, folder / "blocklist.csv")
    shops = attempt(load_shops, folder / "shops.yaml")
    if errors:
        raise RulePackError(errors)
    overrides = {k: Path(v) for k, v in (("watchlist", watchlist), ("prices", prices)) if v}
    files = pack_files(folder)
    index = MarkIndex([
        Mark(name=m.name, owner=m.owner, categories=m.categories, aliases=m.aliases, well_known=m.well_known,
             common_word=m.common_word)
        for m in watch.marks
    ])
    return RulePacks(folder=folder, version=version_of(files, folder, overrides), categories=categories,
                     scoring=scoring, watchlist=watch, prices=refs, vocabulary=vocabulary, checks=checks,
                     blocklist=blocklist, mark_index=index, files=files, shops=shops)


__all__ = ["RULES_DIR", "RulePackError", "RulePacks", "load_packs"]
