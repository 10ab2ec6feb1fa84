"""Companies in listings: 统一社会信用代码 (USCC, GB 32100) and company names, found and compared.

A credit blacklist names companies by their USCC and by name; a listing shows them on the
seller's licence (营业执照) as an attribute or in its text ("统一社会信用代码：…", "企业名称：…").

**Codes.** A candidate is 18 characters of the GB 32100 alphabet (digits and capital letters
without I, O, S, V, Z) standing alone (no letter or digit right before or after it), with
digits in places 3–8 (the registering region) as python-stdnum requires, *and* a check
character that matches the first 17 (``stdnum.cn.uscc``): a random 18-character string, an
order number or a tracking number does not pass the check (30 in 31 fail it).

**Names.** ``company_key`` is the form two names are compared in, equal keys meaning the same
name:

1. NFKC: full-width letters, digits and brackets become half-width (（广州） → (广州), ＡＢＣ → ABC);
2. Traditional to Simplified Chinese (OpenCC ``t2s``: 廣州 → 广州);
3. case folded (Latin letters);
4. whitespace, brackets of every kind and punctuation dropped, their content kept: the
   registry writes a region in brackets (某某(广州)有限公司), shops and lists write it with
   full-width brackets, square brackets or none;
5. 有限责任公司 becomes 有限公司: the Company Law lets a 有限责任公司 call itself 有限公司 and
   both forms appear for one company. 股份有限公司 stays different (another company form).

Names are compared whole, never as parts of longer text: "某某贸易有限公司" does not match
"某某贸易有限公司义乌分公司" (a branch is its own registration with its own code).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength

from monitor.rules.normalise import fold, fold_name, load_t2s
from monitor.rules.signals import Evidence, listing_texts

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CHAR = "0-9A-HJ-NP-RTUW-Y"
# 2 characters (authority, entity type), 6 digits (region), 10 characters (organisation code, check)
_USCC_IN_TEXT = re.compile(rf"(?<![0-9A-Za-z])[{_CHAR}]{{2}}[0-9]{{6}}[{_CHAR}]{{10}}(?![0-9A-Za-z])", re.IGNORECASE)

# Attribute names (folded, as fold_name gives them) under which a shop shows its licence holder.
# The manufacturer (生产企业, 生产厂家) is deliberately not among them: a blacklisted maker named on
# a genuine product does not make its reseller blacklisted.
LICENCE_LABELS = frozenset(fold_name(n) for n in (
    "企业名称", "公司名称", "经营者名称", "经营者", "营业执照名称", "营业执照企业名称", "主体名称", "经营主体",
    "商家名称", "店铺主体", "卖家主体", "company", "company name", "business name", "licensee"))
# "企业名称：某某有限公司" inside a description or a licence attribute's text.
_LABELLED_NAME = re.compile(
    r"(?:企业名称|公司名称|经营者名称|营业执照名称|主体名称)\s*[:：]\s*"
    r"([^\s:：,，;；|/\\<>]{2,60}?(?:股份有限公司|有限责任公司|有限公司|公司|厂|商行|经营部|合作社))")

_DROP = re.compile(r"[\s()\[\]{}<>（）【】〔〕［］｛｝〈〉《》「」『』〖〗·・.,，、;；:：'\"“”‘’\-－_/\\|]+")
_BARE_FORMS = ("股份有限公司", "有限公司", "公司")


@lru_cache(maxsize=1)
def _t2s():
    return load_t2s()[0]  # None: logged by load_t2s, and reported by `monitor rules check`


@lru_cache(maxsize=20_000)
def company_key(name: str) -> str:
    """The comparable form of a company name (see the module's notes); "" for no name."""
    text = unicodedata.normalize("NFKC", name or "")
    converter = _t2s()
    if converter is not None and not text.isascii():
        text = converter.convert(text)
    text = _DROP.sub("", text.casefold())
    return text.replace("有限责任公司", "有限公司")


def bare_company_form(key: str) -> bool:
    """True for a key that is only a company form ("有限公司") or one character more: no name."""
    for form in _BARE_FORMS:
        if key.endswith(form):
            return len(key) - len(form) < 2
    return len(key) < 2


# --------------------------------------------------------------------------- codes

def uscc_problem(value: str) -> tuple[str, str] | None:
    """None for a valid code, else (what is wrong, what to do), for an analyst's file."""
    code = compact_uscc(value)
    try:
        stdnum_uscc.validate(code)
    except InvalidLength:
        return (f"{value!r} has {len(code)} characters; a 统一社会信用代码 has 18",
                "copy the whole code from the licence or the 国家企业信用信息公示系统")
    except InvalidFormat:
        where = next((i for i, c in enumerate(code) if (c not in "0123456789" if i < 8 else c not in USCC_ALPHABET)),
                     None)
        what = (f"character {where + 1} ({code[where]!r}) is not allowed there" if where is not None
                else "not a 统一社会信用代码")
        return (f"{value!r}: {what}; places 1-8 are digits, places 9-18 digits or capital letters other "
                "than I, O, S, V, Z", "check for a letter O typed for the digit 0, or I for 1")
    except InvalidChecksum:
        return (f"{value!r}: the check character (the 18th, {code[-1]!r}) does not match the first 17 "
                "(GB 32100), so one character is mistyped",
                "copy the code again from the licence or the 国家企业信用信息公示系统")
    return None


def compact_uscc(value: str) -> str:
    """A code as written in a file: full-width folded, spaces and dashes removed, upper case."""
    return stdnum_uscc.compact(unicodedata.normalize("NFKC", value or ""))


def is_uscc(value: str) -> bool:
    return stdnum_uscc.is_valid(compact_uscc(value))


@dataclass(frozen=True)
class Found:
    """A code or company name found in a listing, with where."""

    value: str  # the code (upper case) or the company name as the listing writes it
    evidence: Evidence


def uscc_in_listing(listing: dict) -> Iterator[Found]:
    """Every valid USCC the listing's texts and attribute values show, in field order."""
    texts = listing_texts(listing)
    for field, text in texts.fields:
        if len(text) < 18:
            continue
        upper = texts.upper(field)  # full-width digits and letters folded, same length as the text
        for match in _USCC_IN_TEXT.finditer(upper):
            code = match.group().upper()
            if stdnum_uscc.is_valid(code):
                yield Found(code, texts.span(listing, field, match.start(), match.end()))


def companies_in_listing(listing: dict) -> Iterator[Found]:
    """Company names the listing gives for its seller: the seller's name itself, licence
    attributes (企业名称, 经营者名称, ...) and "企业名称：…" written in the text."""
    texts = listing_texts(listing)
    for field, text in texts.fields:
        if field == "seller_name" or (field.startswith("attributes.")
                                      and fold_name(field.split(".", 1)[1]) in LICENCE_LABELS):
            start = len(text) - len(text.lstrip())
            yield Found(text.strip(), texts.span(listing, field, start, start + len(text.strip())))
        if field != "seller_name" and ("名称" in text):
            folded = fold(text, lower=False)
            for match in _LABELLED_NAME.finditer(folded):
                yield Found(text[match.start(1):match.end(1)], texts.span(listing, field, match.start(1), match.end(1)))


__all__ = ["Found", "LICENCE_LABELS", "USCC_ALPHABET", "bare_company_form", "companies_in_listing", "company_key",
           "compact_uscc", "is_uscc", "uscc_in_listing", "uscc_problem"]
