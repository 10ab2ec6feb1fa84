"""Signals in, a 0-100 score out: the log-odds model documented in ``rules/scoring.yaml``.

Each signal carries a log-likelihood ratio (how much more often it is seen on listings
that should be flagged than on those that should not, as a natural log), a category has a
prior, and the score is the resulting probability x 100. Unlike the noisy-OR it replaced,
the terms add up without saturating at the first two signals, each term can be shown to
the analyst, and the weights can be fitted from verdicts by logistic regression
(``monitor rules calibrate``), whose coefficients are exactly such log-likelihood ratios.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from monitor.rules.signals import KINDS, Signal
from monitor.yamlfile import YamlError, load_located, schema_problems

_LLR = {"type": "number", "minimum": -20, "maximum": 20}
_PERCENT = {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 100}
_THRESHOLD = {"type": "number", "minimum": 0, "maximum": 100}
_NAME = {"pattern": "^[a-z][a-z0-9_]*$"}
SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["llr", "priors", "thresholds"],
    "properties": {
        "llr": {"type": "object", "propertyNames": _NAME, "additionalProperties": _LLR},
        "default_llr": _LLR,
        "priors": {"type": "object", "propertyNames": _NAME, "additionalProperties": _PERCENT},
        "default_prior": _PERCENT,
        "mitigates": {"type": "object", "propertyNames": _NAME,
                      "additionalProperties": {"type": "array", "items": {"enum": list(KINDS)}}},
        "thresholds": {"type": "object", "propertyNames": _NAME, "additionalProperties": _THRESHOLD},
        "default_threshold": _THRESHOLD,
        "calibrated": {
            "type": "object",
            "additionalProperties": False,
            "required": ["at", "source"],
            "properties": {"at": {"type": "string", "minLength": 1}, "source": {"type": "string"},
                           "verdicts": {"type": "integer", "minimum": 0},
                           "target_precision": {"type": "number", "minimum": 0, "maximum": 1},
                           "note": {"type": "string"}},
        },
    },
}

# Mitigating signals that name no kinds in ``mitigates`` soften these.
DEFAULT_MITIGATES = ("trademark", "seller", "price")


def logit(percent: float) -> float:
    p = min(max(percent / 100.0, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def probability(log_odds: float) -> float:
    if log_odds >= 0:
        return 1.0 / (1.0 + math.exp(-log_odds))
    e = math.exp(log_odds)
    return e / (1.0 + e)


@dataclass(frozen=True)
class Term:
    """What one signal adds to the log-odds (negative for mitigating context)."""

    signal: Signal
    value: float


@dataclass(frozen=True)
class Scoring:
    llr: dict[str, float] = field(default_factory=dict)
    default_llr: float = 1.0
    priors: dict[str, float] = field(default_factory=dict)  # percent
    default_prior: float = 10.0
    thresholds: dict[str, float] = field(default_factory=dict)
    default_threshold: float = 50.0
    mitigates: dict[str, tuple[str, ...]] = field(default_factory=dict)
    calibrated: dict[str, Any] | None = None

    def weight(self, signal: Signal | str) -> float:
        """The signal's log-likelihood ratio at strength 1."""
        name = signal if isinstance(signal, str) else signal.name
        return self.llr.get(name, self.default_llr)

    def prior(self, category: str | None) -> float:
        """The prior probability (percent) that a listing of ``category`` should be flagged."""
        return self.priors.get(category or "", self.default_prior)

    def threshold(self, category: str | None) -> float:
        return self.thresholds.get(category or "", self.default_threshold)

    def applies(self, mitigating: Signal, signal: Signal) -> bool:
        kinds = self.mitigates.get(mitigating.name, DEFAULT_MITIGATES)
        if signal.kind not in kinds:
            return False
        if mitigating.mark and signal.mark and mitigating.mark != signal.mark:
            return False
        # an exemption from one requirement says nothing about another ("复合肥" is exempt from
        # fertilizer registration, not from the pesticide registration its 杀虫 claim needs)
        mine, theirs = mitigating.details.get("requirement"), signal.details.get("requirement")
        return not (mine and theirs) or mine == theirs

    def terms(self, signals: list[Signal]) -> list[Term]:
        """Each signal's term in the log-odds, in the order of ``signals``.

        An aggravating signal adds llr x strength. A mitigating one subtracts |llr| x strength,
        but never more than the signals it concerns added (its kinds, the same mark): "fits
        Toyota" can cancel what was said about Toyota, never a missing CCC certificate.
        """
        aggravating = {id(s): 0.0 if s.kind == "context" else self.weight(s) * s.strength
                       for s in signals if s.kind != "mitigating"}
        left = dict(aggravating)  # what mitigation may still take from each signal
        out = []
        for s in signals:
            if s.kind != "mitigating":
                out.append(Term(s, aggravating[id(s)]))
                continue
            want = abs(self.weight(s)) * s.strength
            taken = 0.0
            for other in signals:
                if other.kind == "mitigating" or not self.applies(s, other):
                    continue
                room = left[id(other)]
                if room <= 0 or want <= taken:
                    continue
                take = min(room, want - taken)
                left[id(other)] -= take
                taken += take
            out.append(Term(s, -taken))
        return out

    def log_odds(self, signals: list[Signal], category: str | None = None) -> float:
        return logit(self.prior(category)) + sum(t.value for t in self.terms(signals))

    def probability(self, signals: list[Signal], category: str | None = None) -> float:
        return probability(self.log_odds(signals, category))

    def score(self, signals: list[Signal], category: str | None = None) -> int:
        # 1e-9: a score of exactly 42.5 must not depend on float noise
        return int(100 * self.probability(signals, category) + 0.5 + 1e-9)


def load_scoring(path: Path) -> Scoring:
    located = load_located(path)
    if located.data is None:
        raise YamlError(path, [(1, "", "the file is empty")], "Give at least `llr:`, `priors:` and `thresholds:`.")
    problems = schema_problems(located, SCHEMA)
    data = located.data
    if not problems:
        for name in data.get("mitigates") or {}:
            if name in data["llr"] and data["llr"][name] > 0:
                problems.append((located.line_of(("llr", name)), f"llr.{name}",
                                 f"{data['llr'][name]} is positive, but {name} is listed under mitigates: "
                                 "a mitigating signal lowers the score, give it a negative llr"))
    if problems:
        raise YamlError(path, problems, "Fix the scoring file; the rules were not changed.")
    return Scoring(
        llr={k: float(v) for k, v in data["llr"].items()},
        default_llr=float(data.get("default_llr", 1.0)),
        priors={k: float(v) for k, v in data["priors"].items()},
        default_prior=float(data.get("default_prior", 10)),
        thresholds={k: float(v) for k, v in data["thresholds"].items()},
        default_threshold=float(data.get("default_threshold", 50)),
        mitigates={k: tuple(v) for k, v in (data.get("mitigates") or {}).items()},
        calibrated=dict(data["calibrated"]) if data.get("calibrated") else None,
    )
