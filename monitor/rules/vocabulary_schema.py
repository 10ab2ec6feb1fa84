"""The JSON schema of ``rules/vocabulary.yaml``, a data table: what :mod:`monitor.rules.vocabulary`
validates the file against before building its vocabulary."""

from __future__ import annotations

_WEIGHT = {"type": "number", "minimum": 0, "maximum": 1}
_STR_LIST = {"type": "array", "items": {"type": "string", "minLength": 1}}
_WINDOW = {"type": "integer", "minimum": 0, "maximum": 500}
_TEXT_ZH = {"type": "string", "minLength": 1}  # the Chinese beside an English word shown to people

SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["counterfeit"],
    "properties": {
        "counterfeit": {
            "type": "object",
            "additionalProperties": False,
            "required": ["terms"],
            "properties": {
                "window": _WINDOW,
                "terms": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["weight"],
                        "properties": {
                            "term": {"type": ["string", "number"]},
                            "pattern": {"type": "string", "minLength": 1},
                            "label": {"type": "string"},
                            "weight": _WEIGHT,
                            "needs_mark": {"type": "boolean"},
                            "window": _WINDOW,
                            "categories": {"type": "array", "items": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"}},
                            "official_use": {"type": "boolean"},
                            "note": {"type": "string"},
                        },
                        "oneOf": [{"required": ["term"]}, {"required": ["pattern"]}],
                    },
                },
            },
        },
        "contact": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name", "pattern", "weight"],
                "properties": {"name": {"type": "string"}, "name_zh": _TEXT_ZH, "pattern": {"type": "string", "minLength": 1},
                               "weight": _WEIGHT, "note": {"type": "string"}},
            },
        },
        "brand_neutral": _STR_LIST,
        "negation": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"before": _STR_LIST, "window": _WINDOW},
        },
        "context": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name", "explain"],
                "properties": {
                    "name": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
                    "explain": {"type": "string", "minLength": 1},
                    "explain_zh": _TEXT_ZH,
                    "label": {"type": "string", "minLength": 1},  # the signal's name for people
                    "label_zh": _TEXT_ZH,
                    "words": _STR_LIST,
                    "patterns": {"type": "array", "items": {"type": "string", "minLength": 1}},
                    "fields": {"type": "array", "items": {"enum": ["title", "brand", "description", "attributes"]}},
                    "strength": _WEIGHT,
                    "note": {"type": "string"},
                },
            },
        },
        "compatibility": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "window": _WINDOW,
                "before_mark": _STR_LIST,
                "after_mark": _STR_LIST,
                "attributes": _STR_LIST,
                "genuine_claims": _STR_LIST,
                "genuine_window": _WINDOW,
                "strength": _WEIGHT,
            },
        },
    },
}
