"""The rights holder (and the organisation issuing referrals): a YAML file the analyst fills in.

Validated on load; every problem names the file, the line and the field
(``holder.yaml:7: rights_holder.contact.email: 'x' does not match ...``). The shipped
example (``rules/notices/rights_holder.example.yaml``) carries ``example: true`` and is
refused, so that no notice ever goes out in the name of the example company.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from monitor.yamlfile import YamlError, load_located, schema_problems

_TEXT = {"type": "string", "minLength": 1, "pattern": r"\S"}
_CONTACT = {
    "type": "object",
    "additionalProperties": False,
    "required": ["email"],
    "properties": {
        "person": _TEXT,
        "email": {"type": "string", "pattern": r"^[^@\s]+@[^@\s]+\.[^@\s]+$"},
        "phone": _TEXT,
    },
}
_PARTY = {  # a company or office: name, address, contact
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "address", "contact"],
    "properties": {"name": _TEXT, "name_zh": _TEXT, "address": _TEXT, "address_zh": _TEXT, "contact": _CONTACT},
}
SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["rights_holder", "signatory"],
    "properties": {
        "example": {"type": "boolean"},
        "rights_holder": {
            **_PARTY,
            "properties": {**_PARTY["properties"],
                           "marks": {"type": "array", "minItems": 1, "items": _TEXT}},
        },
        "agent": {  # a law firm or agency sending notices for the rights holder
            **_PARTY,
            "required": [*_PARTY["required"], "authorisation"],
            "properties": {**_PARTY["properties"], "authorisation": _TEXT},
        },
        "signatory": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name"],
            "properties": {"name": _TEXT, "name_zh": _TEXT, "title": _TEXT, "title_zh": _TEXT},
        },
        "organisation": {  # who issues referral packages (default: the agent, else the rights holder)
            **_PARTY,
            "properties": {**_PARTY["properties"], "unit": _TEXT},
        },
    },
}


def load_rights_holder(path: str | Path) -> dict[str, Any]:
    """The validated file as a dict; raises ``YamlError`` naming file, line and field."""
    path = Path(path)
    located = load_located(path)
    if not isinstance(located.data, dict):
        raise YamlError(path, [(1, "", "expected a mapping with rights_holder:, signatory: (see "
                                       "rules/notices/rights_holder.example.yaml)")])
    problems = schema_problems(located, SCHEMA)
    if problems:
        raise YamlError(path, problems, "Fix the rights-holder file (see rules/notices/rights_holder.example.yaml); "
                                        "nothing was written.")
    if located.data.get("example"):
        raise YamlError(path, [(located.line_of(("example",)), "example",
                                "this is the shipped example: copy it, fill in the rights holder's real details and "
                                "remove `example: true`")])
    return located.data


def issuing_organisation(data: dict[str, Any]) -> dict[str, Any]:
    """Who issues a referral: ``organisation:``, else the ``agent:``, else the rights holder."""
    for key in ("organisation", "agent", "rights_holder"):
        if data.get(key):
            org = data[key]
            return {k: org[k] for k in ("name", "name_zh", "unit", "address", "address_zh") if org.get(k)} | {
                "contact": dict(org["contact"])}
    raise ValueError("no organisation, agent or rights holder in the file")
