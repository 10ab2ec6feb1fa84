"""The review vocabulary: the verdicts an analyst may give, which of them confirm a flag, the
reasons a dismissal may give, and the roles of the review app's users.

The one home of these words: the review migrations build their check trigger from them, the
review app offers them, the statistics and reports count by them. No monitor imports, so every
layer can read them.
"""

from __future__ import annotations

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
DISMISS_REASON_LABELS = {  # in the order the verdict form lists them; "other" last
    "authorised_seller": "authorised seller (授权经销商)",
    "reseller": "reseller of genuine goods (正品转售)",
    "genuine_goods": "genuine goods (正品)",
    "sample_second_hand": "sample, travel size or second-hand at a fitting price (小样/旅行装/二手)",
    "heritage_line": "the brand's own re-issue or heritage line (品牌复刻/经典系列)",
    "compatible_part": "compatible part, names what it fits (兼容配件)",
    "common_word": "mark used as an ordinary word (普通词汇)",
    "not_our_mark": "not our mark (非我方商标)",
    "other_brand": "honest unrelated brand (其他品牌)",
    "model_toy": "scale model or toy (模型/玩具)",
    "exempt_product": "product type needs no registration or certificate (免登记/免认证产品)",
    "other": "other, say why in the note (其他)",
}
DISMISS_REASONS = tuple(DISMISS_REASON_LABELS)

ROLES = ("analyst", "lead", "admin")  # in rank order: each can do what the ones before it can


def placeholders(values: tuple[str, ...]) -> str:
    """``?, ?, ?`` for an SQL ``IN (...)`` over ``values`` (pass the values as parameters)."""
    return ", ".join("?" * len(values))
