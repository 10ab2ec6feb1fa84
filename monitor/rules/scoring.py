"""Signals in, a 0-100 score out, by the documented formula in ``rules/scoring.yaml``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from monitor.rules.signals import Signal
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

    def weight(self, signal: Signal) -> float:
        return self.weights.get(signal.name, self.default_weight)

    def threshold(self, category: str | None) -> float:
        return self.thresholds.get(category or "", self.default_threshold)

    def score(self, signals: list[Signal]) -> int:
        suspicion_left = 1.0  # product of (1 - c) over aggravating signals
        mitigation = 1.0
        for signal in signals:
            c = self.weight(signal) * signal.strength
            if signal.kind == "mitigating":
                mitigation *= 1.0 - c
            else:
                suspicion_left *= 1.0 - c
        return round(100 * (1.0 - suspicion_left) * mitigation)

    def contributions(self, signals: list[Signal]) -> list[tuple[Signal, float]]:
        """Each signal's weight x strength, for showing an analyst how the score came about."""
        return [(s, round(self.weight(s) * s.strength, 3)) for s in signals]


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
    )
