"""The credit blacklist (``rules/blocklist.csv``): shops and companies, validated whole.

One row is one entry: a shop (``site`` + ``seller_id``), a company (``company`` name and/or
its 统一社会信用代码 ``uscc``), or both on one row when the shop is known to be the company's.
A company entry says where it comes from (``source``: one of ``SOURCES``) and since when
(``listed_on``), because a credit punishment rests on a decision someone can be asked for.
Shop-only rows may leave both empty (the block list's first form, ``site,seller_id,reason``).

The file is validated whole: every problem of every row is reported as ``file:line: field:
message`` with what to do, and a file with any problem is not used at all (the rule packs load
all-or-nothing, ``monitor/rules/packs.py``). ``merge`` adds an import to the file the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from monitor.rules.companies import bare_company_form, company_key, compact_uscc, uscc_problem
from monitor.rules.csvfile import RuleFileError, read_rows, write_rows
from monitor.rules.explain import N_

# No column is required: a list of companies (company,uscc,source,listed_on) needs no shop columns,
# the first form (site,seller_id,reason) no company ones. A row that names nothing is refused.
REQUIRED: tuple[str, ...] = ()
COLUMNS = ("site", "seller_id", "company", "uscc", "source", "listed_on", "reason")
FIX_HINT = "The block list was not changed. Fix the rows above."


@dataclass(frozen=True)
class Source:
    id: str
    label: str  # an English message id, translated where the signal is shown (the nested `source` message)
    names: tuple[str, ...]  # what a file may write for it, the id and the Chinese names first


SOURCES = (
    Source("serious_illegal", N_("list of seriously illegal and dishonest enterprises"),
           ("serious_illegal", "严重违法失信名单", "严重违法失信企业名单", "严重违法失信")),
    Source("abnormal_operations", N_("list of enterprises with abnormal operations"),
           ("abnormal_operations", "经营异常名录", "经营异常")),
    Source("court", N_("court list of dishonest judgment debtors"),
           ("court", "失信被执行人名单", "失信被执行人", "法院")),
    Source("platform", N_("platform penalty"), ("platform", "平台", "平台处罚", "平台黑名单")),
    Source("own_office", N_("this office's own findings"),
           ("own_office", "本单位认定", "本单位", "本局", "own office", "office")),
)
_SOURCE_NAMES = {name.casefold(): s for s in SOURCES for name in s.names}
SOURCE_BY_ID = {s.id: s for s in SOURCES}

_SITE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


@dataclass(frozen=True)
class BlockEntry:
    line: int
    site: str = ""
    seller_id: str = ""
    company: str = ""
    uscc: str = ""
    source: str = ""  # a Source id
    listed_on: str = ""  # ISO date
    reason: str = ""
    company_key: str = field(default="", compare=False)

    @property
    def shop(self) -> tuple[str, str] | None:
        return (self.site, self.seller_id) if self.site and self.seller_id else None

    def to_row(self) -> dict[str, str]:
        return {c: getattr(self, c) for c in COLUMNS}

    def same_content(self, other: BlockEntry) -> bool:
        return self.to_row() == other.to_row()


@dataclass
class Blocklist:
    entries: list[BlockEntry] = field(default_factory=list)
    path: Path | None = None

    def __post_init__(self) -> None:
        self.by_shop = {e.shop: e for e in self.entries if e.shop}
        self.by_uscc: dict[str, BlockEntry] = {}
        self.by_company: dict[str, BlockEntry] = {}
        for entry in self.entries:  # a company with several shops: its first row speaks for it
            if entry.uscc:
                self.by_uscc.setdefault(entry.uscc, entry)
            if entry.company_key:
                self.by_company.setdefault(entry.company_key, entry)

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, shop: tuple[str, str]) -> BlockEntry | None:
        """The entry of a shop (``(site, seller_id)``), as the block list's first form answered."""
        return self.by_shop.get(shop)

    def counts(self) -> dict[str, int]:
        return {"shops": len(self.by_shop), "companies": sum(1 for e in self.entries if e.company or e.uscc),
                "codes": len(self.by_uscc)}


def parse_date(value: str, today: date | None = None) -> str:
    """``2026-03-05``, ``2026/3/5``, ``2026.3.5``, ``2026年3月5日`` -> ``2026-03-05``; ValueError otherwise."""
    match = _DATE.match(value.strip())
    if not match:
        raise ValueError(f"{value!r} is not a date; write it as 2026-03-05")
    try:
        day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise ValueError(f"{value!r} is not a date of the calendar; write it as 2026-03-05") from None
    if day > (today or date.today()):
        raise ValueError(f"{value!r} is in the future; check the year")
    return day.isoformat()


def _parse(line: int, row: dict[str, str]) -> tuple[BlockEntry | None, list[tuple[int, str, str]]]:
    problems: list[tuple[int, str, str]] = []
    site, seller_id = row.get("site", ""), row.get("seller_id", "")
    company, code = row.get("company", ""), row.get("uscc", "")
    if bool(site) != bool(seller_id):
        problems.append((line, "seller_id" if site else "site",
                         "empty; a shop needs both its site and its seller id (or leave both empty for a company)"))
    if site and not _SITE.match(site):
        problems.append((line, "site", f"{site!r} is not a site id (letters, digits, . _ -), e.g. baihuo"))
    if not (site or seller_id or company or code):
        problems.append((line, "", "names nothing; give a shop (site, seller_id), a company or a uscc"))
    key = company_key(company) if company else ""
    if company and bare_company_form(key):
        problems.append((line, "company", f"{company!r} is no company name; write the name as registered, "
                                          "e.g. 某某贸易有限公司"))
    if code:
        problem = uscc_problem(code)
        if problem:
            what, todo = problem
            problems.append((line, "uscc", f"{what}; {todo}"))
        code = compact_uscc(code)
    source = ""
    if row.get("source"):
        found = _SOURCE_NAMES.get(row["source"].strip().casefold())
        if found is None:
            problems.append((line, "source", f"{row['source']!r} is not a known source; use one of "
                                             + ", ".join(f"{s.names[0]} ({s.names[1]})" for s in SOURCES)))
        else:
            source = found.id
    listed_on = ""
    if row.get("listed_on"):
        try:
            listed_on = parse_date(row["listed_on"])
        except ValueError as exc:
            problems.append((line, "listed_on", str(exc)))
    if company or code:
        if not row.get("source"):
            problems.append((line, "source", "empty; say where the company's listing comes from: "
                                             + ", ".join(s.names[0] for s in SOURCES)))
        if not row.get("listed_on"):
            problems.append((line, "listed_on", "empty; give the date the company was listed, e.g. 2026-03-05"))
    if problems:
        return None, problems
    return BlockEntry(line, site, seller_id, company, code, source, listed_on, row.get("reason", ""), key), []


def read_blocklist(path: Path) -> Blocklist:
    """Every entry of ``path``, or RuleFileError naming each problem (file:line: field: message)."""
    path = Path(path)
    entries, problems = [], []
    for line, row in read_rows(path, REQUIRED, COLUMNS):
        entry, found = _parse(line, row)
        problems += found
        if entry is not None:
            entries.append(entry)
    problems += _duplicates(entries)
    if problems:
        raise RuleFileError(path, sorted(problems, key=lambda p: (p[0] or 0, p[1])), FIX_HINT)
    return Blocklist(entries, path)


def load_blocklist(path: Path) -> Blocklist:
    """The rule pack's block list; an empty one when the (optional) file does not exist."""
    if not Path(path).exists():
        return Blocklist([], Path(path))
    return read_blocklist(path)


def identity(entry: BlockEntry) -> tuple[str, ...]:
    """What one row stands for: its shop; else its code; else its company name. A company with
    several shops has one row per shop (each may carry the company's code)."""
    if entry.shop:
        return ("shop", *entry.shop)
    if entry.uscc:
        return ("uscc", entry.uscc)
    return ("company", entry.company_key)


def _duplicates(entries: Iterable[BlockEntry]) -> list[tuple[int, str, str]]:
    problems, seen = [], {}
    for e in entries:
        kind, *value = identity(e)
        if (kind, *value) in seen:
            what = {"shop": f"the shop {e.site}:{e.seller_id}", "uscc": e.uscc, "company": repr(e.company)}[kind]
            problems.append((e.line, {"shop": "seller_id"}.get(kind, kind),
                             f"{what} is also on line {seen[(kind, *value)]}; keep one row"))
        seen.setdefault((kind, *value), e.line)
    return problems


# --------------------------------------------------------------------------- merging an import

@dataclass
class Merged:
    blocklist: Blocklist
    added: list[BlockEntry]
    updated: list[BlockEntry]
    unchanged: list[BlockEntry]


def merge(current: Blocklist, incoming: Blocklist) -> Merged:
    """``incoming`` added to ``current``: an incoming entry updates the entry that stands for the
    same shop, code or company (``identity``) and is added otherwise. An import never blanks a
    field: what an incoming row leaves empty is kept from the entry it updates.

    A row that gives a listed shop another company's code is refused (RuleFileError naming the
    incoming file's line): one of the two codes is wrong, and the import must not decide which.
    """
    rows = list(current.entries)
    where = {identity(e): i for i, e in enumerate(rows)}
    added, updated, unchanged, problems = [], [], [], []
    for entry in incoming.entries:
        i = where.get(identity(entry))
        if i is None:
            new = replace(entry, line=max((r.line for r in rows), default=1) + 1)
            where[identity(new)] = len(rows)
            rows.append(new)
            added.append(new)
            continue
        old = rows[i]
        if old.uscc and entry.uscc and old.uscc != entry.uscc:
            problems.append((entry.line, "uscc", f"the shop {old.site}:{old.seller_id} is on line {old.line} of "
                                                 f"{current.path or 'the block list'} with {old.uscc}, this row "
                                                 f"gives {entry.uscc}; correct the one that is wrong"))
            continue
        filled = {c: getattr(entry, c) or getattr(old, c) for c in COLUMNS}
        new = replace(entry, line=old.line, company_key=company_key(filled["company"]) if filled["company"] else "",
                      **filled)
        (unchanged if old.same_content(new) else updated).append(new)
        rows[i] = new
    if problems:
        raise RuleFileError(incoming.path or "import", problems, FIX_HINT)
    return Merged(Blocklist(rows, current.path), added, updated, unchanged)


def write_blocklist(path: Path, blocklist: Blocklist) -> None:
    """The whole file in one step (a crash never leaves half of it), rows in their line order."""
    write_rows(Path(path), COLUMNS, (e.to_row() for e in sorted(blocklist.entries, key=lambda e: e.line)))


__all__ = ["COLUMNS", "SOURCES", "SOURCE_BY_ID", "BlockEntry", "Blocklist", "Merged", "identity", "load_blocklist", "merge",
           "parse_date", "read_blocklist", "write_blocklist"]
