"""Signals in, a 0-100 score out, by the documented formula in ``rules/scoring.yaml``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from monitor.rules.signals import KINDS, Signal
from monitor.yamlfile import YamlError, load_located, schema_problems

_WEIGHT = {"type": "number", "minimum": 0, "maximum": 1}
_THRESHOLD = {"type": "number", "minimum": 0, "maximum": 100}
SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["weights", "thresholds"],
    "properties": {
        "weights": {"type": "object", "propertyNames": {"pattern": "^[a-z][a-z0-9_]*$"},
                    "additionalProperties": _WEIGHT},
        "default_weight": _WEIGHT,
        "mitigates": {"type": "object", "propertyNames": {"pattern": "^[a-z][a-z0-9_]*$"},
                      "additionalProperties": {"type": "array", "items": {"enum": list(KINDS)}}},
        "thresholds": {"type": "object", "propertyNames": {"pattern": "^[a-z][a-z0-9_]*$"},
                       "additionalProperties": _THRESHOLD},
        "default_threshold": _THRESHOLD,
    },
}


@dataclass(frozen=True)
class Scoring:
    weights: dict[str, float] = field(default_factory=dict)
    default_weight: float = 0.5
    thresholds: dict[str, float] = field(default_factory=dict)
    default_threshold: float = 50.0
    mitigates: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def weight(self, signal: Signal) -> float:
        return self.weights.get(signal.name, self.default_weight)

    def threshold(self, category: str | None) -> float:
        return self.thresholds.get(category or "", self.default_threshold)

    def applies(self, mitigating: Signal, signal: Signal) -> bool:
        kinds = self.mitigates.get(mitigating.name, ("trademark", "seller", "price"))
        if signal.kind not in kinds:
            return False
        return not (mitigating.mark and signal.mark) or mitigating.mark == signal.mark

    def contributions(self, signals: list[Signal]) -> list[tuple[Signal, float]]:
        """Each aggravating signal's weight x strength after mitigation: how the score came about."""
        mitigating = [s for s in signals if s.kind == "mitigating"]
        out = []
        for signal in signals:
            if signal.kind == "mitigating":
                continue
            c = self.weight(signal) * signal.strength
            for m in mitigating:
                if self.applies(m, signal):
                    c *= 1.0 - self.weight(m) * m.strength
            out.append((signal, c))
        return out

    def score(self, signals: list[Signal]) -> int:
        left = 1.0  # product of (1 - c') over aggravating signals
        for _, c in self.contributions(signals):
            left *= 1.0 - c
        # 1e-9: a score of exactly 42.5 must not depend on float noise
        return int(100 * (1.0 - left) + 0.5 + 1e-9)


def load_scoring(path: Path) -> Scoring:
    located = load_located(path)
    problems = schema_problems(located, SCHEMA)
    if problems:
        raise YamlError(path, problems, "Fix the scoring file; the rules were not changed.")
    data = located.data
    return Scoring(
        weights={k: float(v) for k, v in data["weights"].items()},
        default_weight=float(data.get("default_weight", 0.5)),
        thresholds={k: float(v) for k, v in data["thresholds"].items()},
        default_threshold=float(data.get("default_threshold", 50)),
        mitigates={k: tuple(v) for k, v in (data.get("mitigates") or {}).items()},
    )
