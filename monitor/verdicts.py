"""The review vocabulary: the verdicts an analyst may give, which of them confirm a flag, the
reasons a dismissal may give, and the roles of the review app's users.

The one home of these words: the review migrations build their check trigger from them, the
review app offers them, the statistics and reports count by them. Only the ground floor's
monitor.i18n is imported, so every layer can read them. The codes are stored and never
translated; what a person reads is the label, in the current locale (``verdict_label``,
``reason_label``, ``status_label``), its English text the message id of the web catalogue.
"""

from __future__ import annotations

from monitor.i18n import N_, label


VERDICTS = ("confirmed_counterfeit", "confirmed_infringement", "regulatory_violation", "needs_test_purchase",
            "escalate", "dismissed")
# The verdicts that set a flag to "confirmed": counterfeit, infringement, regulatory violation.
CONFIRMING = ("confirmed_counterfeit", "confirmed_infringement", "regulatory_violation")
DISMISSED = "dismissed"
# The flag status a verdict leaves; a verdict not listed (escalate, needs test purchase) keeps it open.
VERDICT_STATUS = {**{v: "confirmed" for v in CONFIRMING}, DISMISSED: "dismissed"}

# Why a flag was dismissed: what the rules must learn (a mitigating signal, an exception). The
# reviews trigger accepts exactly these (monitor/store/migrations_review.py: adding one needs a
# migration that rewrites the trigger).
DISMISS_REASON_LABELS = {  # in the order the verdict form lists them; "other" last (English message ids)
    "authorised_seller": N_("authorised seller"),
    "reseller": N_("reseller of genuine goods"),
    "genuine_goods": N_("genuine goods"),
    "sample_second_hand": N_("sample, travel size or second-hand at a fitting price"),
    "heritage_line": N_("the brand's own re-issue or heritage line"),
    "compatible_part": N_("compatible part, names what it fits"),
    "common_word": N_("mark used as an ordinary word"),
    "not_our_mark": N_("not our mark"),
    "other_brand": N_("honest unrelated brand"),
    "model_toy": N_("scale model or toy"),
    "exempt_product": N_("product type needs no registration or certificate"),
    "other": N_("other, say why in the note"),
}
DISMISS_REASONS = tuple(DISMISS_REASON_LABELS)

VERDICT_LABELS = {
    "confirmed_counterfeit": N_("confirmed counterfeit"),
    "confirmed_infringement": N_("confirmed infringement"),
    "regulatory_violation": N_("regulatory violation"),
    "needs_test_purchase": N_("needs a test purchase"),
    "escalate": N_("escalate"),
    "dismissed": N_("dismissed"),
}
# The states of a flag, as the queue's tabs and the listing page show them.
STATUS_LABELS = {"open": N_("open"), "confirmed": N_("confirmed"), "dismissed": N_("dismissed"),
                 "superseded": N_("superseded"), "all": N_("all")}
ROLE_LABELS = {"analyst": N_("analyst"), "lead": N_("lead"), "admin": N_("admin")}

ROLES = ("analyst", "lead", "admin")  # in rank order: each can do what the ones before it can


def placeholders(values: tuple[str, ...]) -> str:
    """``?, ?, ?`` for an SQL ``IN (...)`` over ``values`` (pass the values as parameters)."""
    return ", ".join("?" * len(values))


def verdict_label(code: str | None) -> str:
    """确认假冒 / confirmed counterfeit for ``confirmed_counterfeit`` (an unknown code as it is)."""
    return label(VERDICT_LABELS, code)


def reason_label(code: str | None) -> str:
    return label(DISMISS_REASON_LABELS, code)


def status_label(code: str | None) -> str:
    return label(STATUS_LABELS, code)


def role_label(code: str | None) -> str:
    return label(ROLE_LABELS, code)
