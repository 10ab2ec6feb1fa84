"""The rule engine: one listing in, signals with explanations and a score out. No I/O inside."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from monitor.rules.brand_field import extension_signals
from monitor.rules.explain import Msg
from monitor.rules.packs import RulePacks
from monitor.rules.price_signals import PricePoint, price_point, price_signals
from monitor.rules.regulatory import regulatory_signals
from monitor.rules.scoring import logit, probability
from monitor.rules.seller_signals import seller_evidence, seller_signals
from monitor.rules.shops import brand_names, own_store
from monitor.rules.signals import Signal, span
from monitor.rules.vocabulary import contact_signals, context_signals, counterfeit_signals, kind_signals

# A look-alike on goods the mark is not registered for weighs less, unless the mark is well known.
OTHER_GOODS_FACTOR = 0.5


@dataclass
class Assessment:
    score: int
    flagged: bool
    threshold: float
    signals: list[Signal]
    rules_version: str
    price_points: list[PricePoint] = field(default_factory=list)
    prior: float | None = None  # percent, the category's prior before any signal

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "flagged": self.flagged,
            "threshold": self.threshold,
            "prior": self.prior,
            "rules_version": self.rules_version,
            "signals": [s.to_dict() for s in self.signals],
        }


class Engine:
    def __init__(self, packs: RulePacks, *, comparables: Callable[[PricePoint], list[float]] | None = None,
                 confirmed_verdicts: Callable[[str, str], int] | None = None,
                 relisting: Callable[[dict], Any] | None = None):
        self.packs = packs
        self.comparables = comparables
        self.confirmed_verdicts = confirmed_verdicts
        # Store context: was this listing posted again after another was confirmed?
        # (monitor/store/relisting.py; None when scoring without a store)
        self.relisting = relisting

    def mark_signals(self, listing: dict) -> tuple[list[Signal], list]:
        """One signal per mark and kind, with every place it was seen as evidence.

        The same look-alike in the title, the brand and the description is one reason, not
        three: counted three times it would inflate the score.
        """
        hits = self.packs.mark_index.find(listing)
        category = listing.get("category")
        grouped: dict[tuple[str, str], list] = {}
        for hit in hits:
            grouped.setdefault((hit.mark.name, hit.kind), []).append(hit)
        out = []
        for (name, kind), group in grouped.items():
            best = max(group, key=lambda h: h.similarity)
            mark = best.mark
            evidence = [h.evidence for h in group]
            elsewhere = sorted({h.evidence.field for h in group} - {best.evidence.field})
            explanation = best.explanation
            if elsewhere:
                explanation = Msg("%(explanation)s (also in %(fields)s)", explanation=explanation, fields=elsewhere)
            if kind == "exact":
                out.append(Signal("mark_exact", "trademark", 1.0, explanation, evidence, mark=name,
                                  details={"form": best.form, "matched": best.matched}))
                continue
            strength = best.similarity
            if category and mark.categories and category not in mark.categories and not mark.well_known:
                strength *= OTHER_GOODS_FACTOR
                explanation = Msg("%(explanation)s (the mark is registered for %(categories)s, not %(category)s)",
                                  explanation=explanation, categories=list(mark.categories), category=category)
            out.append(Signal("mark_lookalike", "trademark", strength, explanation, evidence, mark=name,
                              details={"form": best.form, "matched": best.matched, "visual": best.visual,
                                       "phonetic": best.phonetic, "conceptual": best.conceptual,
                                       "mechanisms": sorted({m for h in group for m in h.mechanisms})}))
        return out, hits

    def vouched(self, listing: dict, claimed: list) -> Msg | str | None:
        """Why the seller's standing explains a registration number not shown, or None: an
        authorised seller of a mark the listing claims, or the brand's own (vetted) store."""
        watchlist = self.packs.watchlist
        names = brand_names(listing.get("brand"))
        for mark, _ in claimed:
            if watchlist.is_authorised(mark, listing.get("site"), listing.get("seller_id"), listing.get("seller_name")):
                return Msg("the seller is an authorised seller of %(mark)s (rules/watchlist.csv)", mark=mark)
            entry = watchlist.get(mark)
            names += [mark, *(entry.aliases if entry else ())]
        attrs = listing.get("attributes") or {}
        names += [n for k, v in attrs.items() if k in ("品牌", "Brand", "brand") for n in brand_names(v)]
        return own_store(listing, self.packs.shops, names) if self.packs.shops else None

    def assess(self, listing: dict) -> Assessment:
        packs = self.packs
        signals, hits = self.mark_signals(listing)
        # Only a mark named as written can be what a part fits: "for Kubata tractors" is no fitment.
        context = context_signals(listing, packs.vocabulary, [h for h in hits if h.kind == "exact"])

        # A listing "claims" a mark when it names it as its own brand (title or brand field),
        # not when it says which car or printer a part fits.
        compatible = {s.mark for s in context if s.name == "compatible_part"}
        claimed = [(h.mark.name, h.evidence) for h in hits
                   if h.kind == "exact" and h.evidence.field in ("title", "brand") and h.mark.name not in compatible]
        claimed = list({m: (m, e) for m, e in claimed}.values())
        vouched = self.vouched(listing, claimed)
        if vouched is None:
            lookalikes = {s.mark for s in signals if s.name == "mark_lookalike"}
            signals += [s for s in extension_signals(listing, hits, packs.vocabulary.brand_neutral)
                        if s.mark not in lookalikes]
        signals += counterfeit_signals(listing, packs.vocabulary, hits, official=vouched is not None)
        signals += contact_signals(listing, packs.vocabulary)
        signals += context
        signals += kind_signals(listing, packs.vocabulary)
        signals += regulatory_signals(listing, packs.checks, vouched=vouched)

        mentioned = [h.mark.name for h in hits]
        prices = price_signals(listing, mentioned, packs.prices, self.comparables)
        signals += prices

        sellers = seller_signals(listing, claimed, packs.watchlist, packs.blocklist, self.confirmed_verdicts)
        cheap = {s.mark for s in prices}
        # An authorised seller lowers suspicion only at a normal price.
        signals += [s for s in sellers if not (s.name == "authorised_seller" and s.mark in cheap)]

        if self.relisting is not None:
            found = self.relisting(listing)
            if found is not None:
                evidence = seller_evidence(listing) if found.reason == "same_seller" else (
                    [span(listing, "title", 0, len(listing.get("title") or ""))] if listing.get("title") else [])
                signals.append(Signal("relisted", "seller", 1.0, Msg(found.message, **found.params), evidence,
                                      details={"original": found.original, "reason": found.reason,
                                               "similarity": found.similarity}))

        category = listing.get("category")
        scoring = packs.scoring
        log_odds = logit(scoring.prior(category))
        for term in scoring.terms(signals):
            term.signal.term = round(term.value, 3)
            log_odds += term.value
        score = int(100 * probability(log_odds) + 0.5 + 1e-9)
        threshold = scoring.threshold(category)
        points = [p for p in (price_point(listing, m, packs.prices) for m in dict.fromkeys(mentioned)) if p]
        return Assessment(score=score, flagged=score >= threshold, threshold=threshold, signals=signals,
                          rules_version=packs.version, price_points=points, prior=scoring.prior(category))
