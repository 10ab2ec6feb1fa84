"""The JSON schema of a category check file (``rules/checks/<category>.yaml``), a data table:
what :mod:`monitor.rules.checks` validates a file against before building its checks."""

from __future__ import annotations

_STR_LIST = {"type": "array", "items": {"type": "string", "minLength": 1}}
_ID = {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"}
_ID_LIST = {"type": "array", "items": _ID, "minItems": 1}
_STRENGTH = {"type": "number", "minimum": 0, "maximum": 1}
_YEAR = {"type": "integer", "minimum": 1900, "maximum": 2100}
_REGEX = {"type": "string", "minLength": 1}
# Words shown to people: ``name``/``explain``/``describe`` in English, ``*_zh`` the same in Chinese.
_TEXT = {"type": "string"}
_TEXT_ZH = {"type": "string", "minLength": 1}
_REGULATORY_SIGNALS = ["regulatory_missing", "regulatory_malformed", "regulatory_inconsistent", "regulatory_legacy",
                       "regulatory_special_claim", "regulatory_ccc_missing", "regulatory_three_no",
                       "regulatory_prohibited"]

_IDENTIFIER = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "pattern"],
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "name_zh": _TEXT_ZH,
        "pattern": _REGEX,
        "loose": _REGEX,
        "labels": _STR_LIST,
        "context": _REGEX,
        "context_window": {"type": "integer", "minimum": 1, "maximum": 200},
        "min_year": _YEAR,
        "superseded_by": _ID_LIST,
        "legacy_strength": _STRENGTH,
        "note": {"type": "string"},
        "suspect": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["when"],
                "properties": {
                    "when": {"type": "object", "minProperties": 1,
                             "additionalProperties": {"type": "array", "items": {"type": "string"}, "minItems": 1}},
                    "year_from": _YEAR,
                    "signal": {"enum": _REGULATORY_SIGNALS},
                    "strength": _STRENGTH,
                    "explain": _TEXT,
                    "explain_zh": _TEXT_ZH,
                },
            },
        },
    },
}

_REQUIREMENT = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "requires", "strength"],
    "properties": {
        "id": _ID,
        "name": _TEXT,
        "name_zh": _TEXT_ZH,
        "signal": {"enum": ["regulatory_missing", "regulatory_ccc_missing"]},
        "applies_to": {
            "type": "object",
            "additionalProperties": False,
            "minProperties": 1,
            "properties": {"words": _STR_LIST, "attributes": _STR_LIST},
        },
        "unless": _STR_LIST,
        "exempt": _STR_LIST,
        "exempt_strength": _STRENGTH,
        "requires": _ID_LIST,
        "accepts_words": _STR_LIST,
        "strength": _STRENGTH,
        "absence_strength": _STRENGTH,
        "denials": {"type": "object", "additionalProperties": False, "minProperties": 1,
                    "properties": {"words": _STR_LIST, "attributes": _STR_LIST}},
        "explain": _TEXT,
        "explain_zh": _TEXT_ZH,
    },
}

_PROHIBITED = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "words", "strength"],
    "properties": {
        "id": _ID,
        "name": _TEXT,
        "name_zh": _TEXT_ZH,
        "words": {**_STR_LIST, "minItems": 1},
        "with_any": _STR_LIST,
        "strength": _STRENGTH,
        "explain": _TEXT,
        "explain_zh": _TEXT_ZH,
    },
}

_CROSS_RULE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["positions"],
    "properties": {
        "positions": {"type": "string", "pattern": r"^[1-9][0-9]*(-[1-9][0-9]*)?$"},
        "equals_group": {"type": "string"},
        "map": {"type": "object", "additionalProperties": {"type": "string"}},
        "equals_last_digits": {"const": True},
        "one_of": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "describe": _TEXT,
        "describe_zh": _TEXT_ZH,
    },
    "oneOf": [{"required": ["equals_group", "map"]}, {"required": ["equals_last_digits"]}, {"required": ["one_of"]}],
}

_SIDE = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"attributes": _STR_LIST, "patterns": {"type": "array", "items": _REGEX}},
}

SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "category": _ID,
        "currencies": {"type": "array", "items": {"type": "string", "pattern": "^[A-Z]{3}$"}, "minItems": 1},
        "prohibited": {"type": "array", "items": _PROHIBITED},
        "identifiers": {"type": "object", "propertyNames": {"pattern": "^[a-z][a-z0-9_]*$"},
                        "additionalProperties": _IDENTIFIER},
        "requirements": {"type": "array", "items": _REQUIREMENT},
        "cross_checks": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["id", "identifier", "against", "rules"],
                "properties": {
                    "id": _ID,
                    "name": _TEXT,
                    "name_zh": _TEXT_ZH,
                    "identifier": _ID,
                    "against": _ID,
                    "strength": _STRENGTH,
                    "rules": {"type": "array", "items": _CROSS_RULE, "minItems": 1},
                },
            },
        },
        "special_claims": {
            "type": "object",
            "additionalProperties": False,
            "required": ["requires", "claims"],
            "properties": {
                "requires": _ID_LIST,
                "ordinary": _ID_LIST,
                "strength": _STRENGTH,
                "strength_without_any": _STRENGTH,
                "exempt": _STR_LIST,
                "claims": {
                    "type": "object",
                    "minProperties": 1,
                    "propertyNames": {"pattern": "^[a-z][a-z0-9_]*$"},
                    "additionalProperties": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["words"],
                        "properties": {"name": _TEXT, "name_zh": _TEXT_ZH, "words": {**_STR_LIST, "minItems": 1}},
                    },
                },
            },
        },
        "not_required": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name", "words"],
                "properties": {"name": _TEXT, "name_zh": _TEXT_ZH, "words": {**_STR_LIST, "minItems": 1},
                               "note": {"type": "string"}},
            },
        },
        "three_no": {
            "type": "object",
            "additionalProperties": False,
            "required": ["manufacturer", "address"],
            "properties": {
                "manufacturer": _SIDE,
                "address": _SIDE,
                "licences": _ID_LIST,
                "admissions": _STR_LIST,
                "loose": _STR_LIST,
                "exempt": _STR_LIST,
                "brand_attributes": _STR_LIST,
                "no_brand": _STR_LIST,
                "strength_all": _STRENGTH,
                "strength_absent": _STRENGTH,
                "strength_two": _STRENGTH,
            },
        },
    },
}
