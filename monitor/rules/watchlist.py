"""The watchlist of marks (``rules/watchlist.csv``): who owns what, and who may sell it where."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from monitor.rules.csvfile import RuleFileError, parse_bool, read_rows, split_list, write_rows

REQUIRED = ("mark", "owner", "category", "aliases", "authorized_sellers")
COLUMNS = (*REQUIRED, "registrations", "well_known", "official_domains", "common_word")
_CATEGORY = re.compile(r"^[a-z][a-z0-9_]*$")
_SELLER = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*):(.+)$")


@dataclass(frozen=True)
class WatchedMark:
    name: str
    owner: str
    categories: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    authorized_sellers: frozenset[tuple[str, str]] = frozenset()  # (site, seller_id)
    # entries without a site: a bare seller id or a shop name, as analysts' spreadsheets hold
    # them; matched against the seller id or the shop name on any site (folded)
    authorized_anywhere: frozenset[str] = frozenset()
    registrations: tuple[str, ...] = ()
    well_known: bool = False
    official_domains: tuple[str, ...] = ()
    common_word: bool = False
    line: int | None = None
    authorized_anywhere_raw: tuple[str, ...] = ()  # as written, for export

    def to_row(self) -> dict[str, str]:
        return {
            "mark": self.name,
            "owner": self.owner,
            "category": "|".join(self.categories),
            "aliases": "|".join(self.aliases),
            "authorized_sellers": "|".join([f"{s}:{i}" for s, i in sorted(self.authorized_sellers)]
                                           + sorted(self.authorized_anywhere_raw)),
            "registrations": "|".join(self.registrations),
            "well_known": "true" if self.well_known else "false",
            "official_domains": "|".join(self.official_domains),
            "common_word": "true" if self.common_word else "false",
        }


def seller_key(text: str | None) -> str:
    """A seller id or shop name for comparison: NFKC, case-folded, without spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).casefold()


@dataclass
class Watchlist:
    marks: list[WatchedMark] = field(default_factory=list)
    notes: list[tuple[int | None, str, str]] = field(default_factory=list)  # (line, field, note): reported, not refused

    def __post_init__(self) -> None:
        self.by_name = {m.name.casefold(): m for m in self.marks}

    def get(self, name: str) -> WatchedMark | None:
        return self.by_name.get(name.casefold())

    def is_authorised(self, mark: str, site: str | None, seller_id: str | None,
                      seller_name: str | None = None) -> bool:
        """``site:seller_id`` entries match on that site; bare ids and shop names on any site."""
        entry = self.get(mark)
        if not entry:
            return False
        if site and seller_id and (site, seller_id) in entry.authorized_sellers:
            return True
        if entry.authorized_anywhere:
            return bool({seller_key(seller_id), seller_key(seller_name)} & entry.authorized_anywhere - {""})
        return False

    def merged_with(self, other: "Watchlist") -> "Watchlist":
        """Marks of ``other`` replace ours with the same name (case-insensitive); new ones are added."""
        merged = {m.name.casefold(): m for m in self.marks}
        merged.update({m.name.casefold(): m for m in other.marks})
        return Watchlist(list(merged.values()))


def _parse(line: int, row: dict[str, str], categories: tuple[str, ...] | None,
           sites: set[str] | None = None) -> WatchedMark:
    if not row["mark"]:
        raise ValueError("mark: empty")
    cats = split_list(row["category"])
    if not cats:
        raise ValueError("category: empty; give one or more category ids separated by |")
    for cat in cats:
        if not _CATEGORY.match(cat):
            raise ValueError(f"category: {cat!r} is not a category id (lowercase, digits, _)")
        if categories is not None and cat not in categories:
            raise ValueError(f"category: {cat!r} is not configured in rules/categories.yaml ({', '.join(categories)})")
    sellers, anywhere = set(), []
    for entry in split_list(row["authorized_sellers"]):
        match = _SELLER.match(entry)
        if match and (sites is None or match.group(1) in sites):
            sellers.add((match.group(1), match.group(2).strip()))
        else:
            anywhere.append(entry.strip())
    return WatchedMark(
        name=row["mark"],
        owner=row["owner"],
        categories=cats,
        aliases=split_list(row["aliases"]),
        authorized_sellers=frozenset(sellers),
        authorized_anywhere=frozenset(seller_key(e) for e in anywhere),
        authorized_anywhere_raw=tuple(anywhere),
        registrations=split_list(row.get("registrations", "")),
        well_known=parse_bool(row.get("well_known", ""), "well_known"),
        official_domains=split_list(row.get("official_domains", "")),
        common_word=parse_bool(row.get("common_word", ""), "common_word"),
        line=line,
    )


def load_watchlist(path: Path, categories: tuple[str, ...] | None = None) -> Watchlist:
    """Read and validate the whole file; any bad row refuses the file (nothing half-applies)."""
    problems, marks, seen, notes = [], [], {}, []
    for line, row in read_rows(Path(path), REQUIRED, COLUMNS):
        try:
            mark = _parse(line, row, categories)
            for entry in mark.authorized_anywhere_raw:
                notes.append((line, "authorized_sellers",
                              f"{entry!r} names no site (site:seller_id): it is taken as a seller id or shop name "
                              f"on any site for {mark.name}"))
        except ValueError as exc:
            fld, _, msg = str(exc).partition(": ")
            problems.append((line, fld, msg))
            continue
        key = mark.name.casefold()
        if key in seen:
            problems.append((line, "mark", f"{mark.name!r} is already on line {seen[key]}; merge the two rows"))
            continue
        seen[key] = line
        marks.append(mark)
    if problems:
        raise RuleFileError(path, problems, "The watchlist was not changed. Fix the rows above.")
    return Watchlist(marks, notes)


def write_watchlist(path: Path, watchlist: Watchlist) -> None:
    write_rows(Path(path), COLUMNS, (m.to_row() for m in sorted(watchlist.marks, key=lambda m: m.name.casefold())))
