"""Seller signals: a watched mark sold by someone not authorised, repeat infringers, block list."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from monitor.rules.csvfile import RuleFileError, read_rows
from monitor.rules.signals import Evidence, Signal, span
from monitor.rules.watchlist import Watchlist

BLOCKLIST_COLUMNS = ("site", "seller_id", "reason")


@dataclass(frozen=True)
class BlockedSeller:
    site: str
    seller_id: str
    reason: str
    line: int


def load_blocklist(path: Path) -> dict[tuple[str, str], BlockedSeller]:
    if not Path(path).exists():
        return {}
    out, problems = {}, []
    for line, row in read_rows(Path(path), ("site", "seller_id"), BLOCKLIST_COLUMNS):
        if not row["site"] or not row["seller_id"]:
            problems.append((line, "site" if not row["site"] else "seller_id", "empty"))
            continue
        out[(row["site"], row["seller_id"])] = BlockedSeller(row["site"], row["seller_id"], row.get("reason", ""), line)
    if problems:
        raise RuleFileError(path, problems, "The block list was not changed. Fix the rows above.")
    return out


def seller_evidence(listing: dict) -> list[Evidence]:
    name = listing.get("seller_name") or ""
    return [span(listing, "seller_name", 0, len(name))] if name else []


def seller_signals(listing: dict, claimed_marks: list[tuple[str, Evidence]], watchlist: Watchlist,
                   blocklist: dict[tuple[str, str], BlockedSeller],
                   confirmed_verdicts: Callable[[str, str], int] | None = None) -> list[Signal]:
    """``claimed_marks``: (mark, evidence) for marks the listing presents as its own brand."""
    site, seller_id = listing.get("site"), listing.get("seller_id")
    seller = listing.get("seller_name") or seller_id or "the seller"
    out: list[Signal] = []
    for mark, evidence in claimed_marks:
        if not (site and (seller_id or listing.get("seller_name"))):
            continue
        if watchlist.is_authorised(mark, site, seller_id, listing.get("seller_name")):
            out.append(Signal("authorised_seller", "mitigating", 1.0,
                              f"{seller} is an authorised seller of {mark} on {site} (rules/watchlist.csv)",
                              seller_evidence(listing), mark=mark))
        else:
            out.append(Signal("unauthorised_seller", "seller", 1.0,
                              f"The listing presents itself as {mark}, and {seller} is not among the authorised "
                              f"sellers of {mark} on {site} (rules/watchlist.csv)",
                              [evidence, *seller_evidence(listing)], mark=mark))
    if site and seller_id:
        blocked = blocklist.get((site, seller_id))
        if blocked:
            out.append(Signal("seller_history", "seller", 1.0,
                              f"{seller} is on the block list (rules/blocklist.csv line {blocked.line}): "
                              f"{blocked.reason or 'no reason given'}", seller_evidence(listing)))
        elif confirmed_verdicts:
            count = confirmed_verdicts(site, seller_id)
            if count:
                out.append(Signal("seller_history", "seller", min(1.0, 0.6 + 0.2 * count),
                                  f"{seller} has {count} earlier confirmed verdict{'s' if count > 1 else ''} "
                                  "(repeat infringer)", seller_evidence(listing), details={"confirmed": count}))
    return out
