"""Seller signals: a watched mark sold by someone not authorised, repeat infringers, block list.

The block list (``rules/blocklist.csv``, ``monitor/rules/blocklist.py``) holds shops and
companies. A listing's seller is on it when, in this order:

1. the listing shows a 统一社会信用代码 on the list (its text or attributes: ``companies.uscc_in_listing``);
2. its shop (site and seller id) is on the list;
3. it names a listed company as its seller: the shop's name, a licence attribute (企业名称,
   经营者名称, ...) or "企业名称：…" in its text, compared as ``companies.company_key``.

One ``seller_history`` signal says which, with the list's line, source and date. A name alone
identifies a company less surely than its code or its shop (two companies in two places may
share a name), so a match by name weighs ``COMPANY_STRENGTH``.
"""

from __future__ import annotations

from collections.abc import Callable

from monitor.rules.blocklist import SOURCE_BY_ID, BlockEntry, Blocklist, load_blocklist
from monitor.rules.companies import companies_in_listing, company_key, uscc_in_listing
from monitor.rules.explain import Msg
from monitor.rules.signals import Evidence, Signal, span
from monitor.rules.watchlist import Watchlist

COMPANY_STRENGTH = 0.8


def seller_evidence(listing: dict) -> list[Evidence]:
    name = listing.get("seller_name") or ""
    return [span(listing, "seller_name", 0, len(name))] if name else []


def _blocked(entry: BlockEntry, matched_by: str, evidence: list[Evidence], match: Msg, strength: float) -> Signal:
    reason = entry.reason or Msg("no reason given")  # the file's reason is shown as written
    source = SOURCE_BY_ID.get(entry.source)
    if source and entry.listed_on:
        text = Msg("%(match)s (rules/blocklist.csv line %(line)s; %(source)s, listed on %(listed_on)s): %(reason)s",
                   match=match, line=entry.line, source=Msg(source.label), listed_on=entry.listed_on, reason=reason)
    else:
        text = Msg("%(match)s (rules/blocklist.csv line %(line)s): %(reason)s", match=match, line=entry.line,
                   reason=reason)
    details = {"blocklist": {k: v for k, v in (("matched_by", matched_by), ("line", entry.line),
                                                ("source", entry.source), ("listed_on", entry.listed_on),
                                                ("uscc", entry.uscc), ("company", entry.company),
                                                ("shop", f"{entry.site}:{entry.seller_id}" if entry.shop else ""))
                             if v}}
    return Signal("seller_history", "seller", strength, text, evidence, details=details)


def blocklist_signal(listing: dict, blocklist: Blocklist | dict | None) -> Signal | None:
    """The ``seller_history`` signal of a seller on the block list, or None."""
    if not blocklist:
        return None
    if not isinstance(blocklist, Blocklist):  # a bare {(site, seller_id): entry} map
        blocklist = Blocklist(list(blocklist.values()))
    if blocklist.by_uscc:
        for found in uscc_in_listing(listing):
            entry = blocklist.by_uscc.get(found.value)
            if entry:
                match = (Msg("The listing shows the unified social credit code %(uscc)s of %(company)s, which is on "
                             "the block list", uscc=found.value, company=entry.company) if entry.company else
                         Msg("The listing shows the unified social credit code %(uscc)s, which is on the block list",
                             uscc=found.value))
                return _blocked(entry, "uscc", [found.evidence], match, 1.0)
    site, seller_id = listing.get("site"), listing.get("seller_id")
    if site and seller_id:
        entry = blocklist.get((site, seller_id))
        if entry:
            seller = listing.get("seller_name") or seller_id
            return _blocked(entry, "shop", seller_evidence(listing),
                            Msg("%(seller)s is on the block list", seller=seller), 1.0)
    if blocklist.by_company:
        for found in companies_in_listing(listing):
            entry = blocklist.by_company.get(company_key(found.value))
            if entry:
                match = Msg("The listing names the company %(company)s as the seller, which is on the block list",
                            company=found.value)
                return _blocked(entry, "company", [found.evidence], match, COMPANY_STRENGTH)
    return None


def seller_signals(listing: dict, claimed_marks: list[tuple[str, Evidence]], watchlist: Watchlist,
                   blocklist: Blocklist | dict | None,
                   confirmed_verdicts: Callable[[str, str], int] | None = None) -> list[Signal]:
    """``claimed_marks``: (mark, evidence) for marks the listing presents as its own brand."""
    site, seller_id = listing.get("site"), listing.get("seller_id")
    seller = listing.get("seller_name") or seller_id or Msg("the seller")
    out: list[Signal] = []
    for mark, evidence in claimed_marks:
        if not (site and (seller_id or listing.get("seller_name"))):
            continue
        if watchlist.is_authorised(mark, site, seller_id, listing.get("seller_name")):
            out.append(Signal("authorised_seller", "mitigating", 1.0,
                              Msg("%(seller)s is an authorised seller of %(mark)s on %(site)s (rules/watchlist.csv)",
                                  seller=seller, mark=mark, site=site),
                              seller_evidence(listing), mark=mark))
        else:
            out.append(Signal("unauthorised_seller", "seller", 1.0,
                              Msg("The listing presents itself as %(mark)s, and %(seller)s is not among the "
                                  "authorised sellers of %(mark)s on %(site)s (rules/watchlist.csv)",
                                  mark=mark, seller=seller, site=site),
                              [evidence, *seller_evidence(listing)], mark=mark))
    blocked = blocklist_signal(listing, blocklist)
    if blocked:
        out.append(blocked)
    elif site and seller_id and confirmed_verdicts:
        count = confirmed_verdicts(site, seller_id)
        if count:
            text = (Msg("%(seller)s has 1 earlier confirmed verdict (repeat infringer)", seller=seller) if count == 1
                    else Msg("%(seller)s has %(count)s earlier confirmed verdicts (repeat infringer)",
                             seller=seller, count=count))
            out.append(Signal("seller_history", "seller", min(1.0, 0.6 + 0.2 * count), text,
                              seller_evidence(listing), details={"confirmed": count}))
    return out


__all__ = ["COMPANY_STRENGTH", "blocklist_signal", "load_blocklist", "seller_evidence", "seller_signals"]
