"""Seller identity data in listing text: phone numbers, WeChat and QQ ids, e-mail addresses,
unified social credit codes (统一社会信用代码), old business registration numbers, licence
numbers and addresses, each with the listing and field it came from.

Careful rather than greedy: what is found here may end up in a police referral, so a match
needs either a format that is hard to hit by chance (an 11-digit mobile number, an
18-character credit code whose check character is right) or a label next to it (微信, QQ,
营业执照, 许可证, 地址). Text is NFKC-normalised first (full-width digits and letters become
ASCII) and URLs are left out (item ids in links look like phone numbers).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from monitor.i18n import N_, label

KINDS = ("phone", "wechat", "qq", "email", "uscc", "business_registration", "licence", "address")
# The kinds as a referral's reader names them (documents.po).
KIND_LABELS = {"phone": N_("Phone"), "wechat": N_("WeChat"), "qq": N_("QQ"), "email": N_("E-mail"),
               "uscc": N_("Unified social credit code"), "business_registration": N_("Business registration no."),
               "licence": N_("Licence no."), "address": N_("Address")}


def kind_label(kind: str) -> str:
    return label(KIND_LABELS, kind)


# GB/T 2260 province-level codes: the first two digits of the administrative division code
# that a unified social credit code carries in its characters 3-8.
PROVINCES = {
    "11": "北京", "12": "天津", "13": "河北", "14": "山西", "15": "内蒙古", "21": "辽宁", "22": "吉林",
    "23": "黑龙江", "31": "上海", "32": "江苏", "33": "浙江", "34": "安徽", "35": "福建", "36": "江西",
    "37": "山东", "41": "河南", "42": "湖北", "43": "湖南", "44": "广东", "45": "广西", "46": "海南",
    "50": "重庆", "51": "四川", "52": "贵州", "53": "云南", "54": "西藏", "61": "陕西", "62": "甘肃",
    "63": "青海", "64": "宁夏", "65": "新疆", "71": "台湾", "81": "香港", "82": "澳门",
}

# GB 32100-2015: 31 characters (no I, O, S, V, Z), weights 3^i mod 31, check = 31 - sum mod 31.
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_U = "0-9A-HJ-NP-RTUWXY"

_URL = re.compile(r"(?i)\b(?:https?://|www\.)\S+")
_NOT_ALNUM_BEFORE = r"(?<![0-9A-Za-z_-])"
MOBILE = re.compile(_NOT_ALNUM_BEFORE + r"(?:\+?86[ -]?)?(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?![0-9])")
LANDLINE = re.compile(_NOT_ALNUM_BEFORE + r"(?:\((0\d{2,3})\)\s?|(0\d{2,3})-)(\d{7,8})(?![0-9-])")
SERVICE = re.compile(_NOT_ALNUM_BEFORE + r"([48]00)[ -](\d{3})[ -]?(\d{4})(?![0-9])")
WECHAT = re.compile(
    r"(?:(?<![A-Za-z])(?i:v\s?x|w\s?x|weixin|we\s?chat|v信)|微信号?|威信|薇信|徽信|加\s?(?i:v)(?![A-Za-z])|加微)"
    r"(\s*(?:号|ID|id)?\s*[:：]?\s*)([A-Za-z][-_A-Za-z0-9]{5,19}|1[3-9]\d{9})(?![-_A-Za-z0-9])")
QQ = re.compile(r"(?:(?<![A-Za-z])(?i:qq)|扣扣|企鹅)\s*(?:群|号码|号)?\s*[:：]?\s*([1-9]\d{4,11})(?![0-9])")
EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![A-Za-z])")
USCC = re.compile(rf"(?<![0-9A-Za-z])([{_U}]{{2}}\d{{6}}[{_U}]{{10}})(?![0-9A-Za-z])")
USCC_LABEL = re.compile(r"(?:统一社会信用代码|社会信用代码|信用代码|营业执照|执照)[^0-9A-Za-z\n]{0,12}$")
REGISTRATION = re.compile(r"(?:营业执照|执照|工商注册号|注册号)(?:号码|号|编号)?\s*[:：]?\s*(?<!\d)(\d{15})(?!\d)")
LICENCE = re.compile(
    r"((?:[\u4e00-\u9fff]{0,8}许可证|备案)(?:编号|号码|号)?|(?i:licen[cs]e)(?i:\s*(?:no\.?|number))?)\s*[:：]\s*"
    r"((?:[\u4e00-\u9fff]{0,6}\([\u4e00-\u9fff]{1,3}\))?[A-Za-z0-9][A-Za-z0-9-]{4,39})(?![A-Za-z0-9-])")
ADDRESS = re.compile(r"(?:发货地址|公司地址|店铺地址|厂址|地址|(?i:address))\s*[:：]\s*([^\n，。；;|]{4,80})")
_ADDRESS_END = re.compile(r"\s*(?:电话|手机|联系|微信|(?i:qq|tel|phone|mobile|wechat)|[,，]\s*(?:[0-9]{5,}))")
ADDRESS_ATTRIBUTE = re.compile(r"(?i)地址|所在地|发货地|address|location|ships\s+from")


def uscc_valid(code: str) -> bool:
    """The check character (the 18th) of a unified social credit code is right."""
    if len(code) != 18 or any(c not in USCC_CHARS for c in code):
        return False
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(code[:17], USCC_WEIGHTS))
    return USCC_CHARS[(31 - total % 31) % 31] == code[17]


def _nfkc(text: str) -> str:
    """NFKC over the whole text, not the rules' folds (monitor.rules.normalise): identifiers are
    reported as written, so no case folding or homoglyph key, and, unlike ``fold``, characters
    may expand and brackets stay as they are (the licence pattern reads only ASCII brackets)."""
    return unicodedata.normalize("NFKC", text)


def _context(text: str, start: int, end: int, width: int = 24) -> str:
    snippet = text[max(0, start - width):end + width]
    snippet = "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in snippet)
    return re.sub(r" {2,}", " ", snippet).strip()


def _masked(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for a, b in spans:
        chars[a:b] = " " * (b - a)
    return "".join(chars)


def _overlaps(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(span[0] < y and x < span[1] for x, y in spans)


class _Finds:
    """The identifiers found so far in one text, and the spans nothing else is read inside."""

    def __init__(self, text: str):
        self.text = text
        self.out: list[dict[str, Any]] = []
        self.links = [m.span() for m in _URL.finditer(text)]
        self.hard: list[tuple[int, int]] = list(self.links)  # links and codes
        self.qq_spans: list[tuple[int, int]] = []

    def add(self, kind: str, value: str, m: re.Match, group: int = 0, **extra: Any) -> tuple[int, int]:
        a, b = m.span(group)
        self.out.append({"kind": kind, "value": value, "text": self.text[a:b], "context": _context(self.text, a, b),
                         "start": a, "end": b, **extra})
        return a, b


def _find_codes(f: _Finds) -> None:
    """E-mail addresses, credit codes (USCC), business registrations and licences."""
    text, hard = f.text, f.hard
    for m in EMAIL.finditer(text):
        if not _overlaps(m.span(), hard):
            hard.append(f.add("email", m.group(0).lower(), m))
    for m in USCC.finditer(text):
        if _overlaps(m.span(), hard):
            continue
        code = m.group(1)
        valid = uscc_valid(code)
        labelled = bool(USCC_LABEL.search(text[max(0, m.start() - 30):m.start()]))
        if valid or labelled:  # a random 18-character model number rarely has the right check character
            province = PROVINCES.get(code[2:4])
            hard.append(f.add("uscc", code, m, 1, checksum_valid=valid,
                              region={"division_code": code[2:8], "province": province} if province else None))
    for m in REGISTRATION.finditer(text):
        if not _overlaps(m.span(1), hard):
            hard.append(f.add("business_registration", m.group(1), m, 1))
    for m in LICENCE.finditer(text):
        if re.search(r"\d", m.group(2)) and not _overlaps(m.span(2), hard):
            hard.append(f.add("licence", m.group(2), m, 2, label=m.group(1)))


def _find_contacts(f: _Finds) -> None:
    """WeChat and QQ accounts, then phone numbers outside them and outside the codes."""
    text, hard = f.text, f.hard
    for m in WECHAT.finditer(text):
        separator, value = m.group(1), m.group(2)
        if _overlaps(m.span(2), hard):
            continue
        # "wechat account" is English, "vx: lk0910x" an id: a letters-only word after a Latin
        # label needs a colon
        if value.isalpha() and not re.search(r"[:：]", separator) and not re.match(r"[微威薇徽加]", m.group(0)):
            continue
        f.add("wechat", value, m, 2)
        if value.isdigit():  # a WeChat account found by its mobile number: that is a phone number too
            f.add("phone", value, m, 2)
            hard.append(m.span(2))
    for m in QQ.finditer(text):
        if not _overlaps(m.span(1), hard):
            f.qq_spans.append(f.add("qq", m.group(1), m, 1))
    for pattern, value in ((MOBILE, lambda m: "".join(m.groups())),
                           (LANDLINE, lambda m: f"{m.group(1) or m.group(2)}-{m.group(3)}"),
                           (SERVICE, lambda m: "".join(m.groups()))):
        for m in pattern.finditer(text):
            if not _overlaps(m.span(), hard) and not _overlaps(m.span(), f.qq_spans):
                f.add("phone", value(m), m)


def _find_addresses(f: _Finds) -> None:
    text = f.text
    for m in ADDRESS.finditer(text):
        value = _ADDRESS_END.split(m.group(1), maxsplit=1)[0].strip(" :：-")
        if len(value) >= 4 and re.search(r"[\u4e00-\u9fff]|\d", value) and not _overlaps(m.span(1), f.links):
            a = m.start(1)
            f.out.append({"kind": "address", "value": value, "text": value, "context": _context(text, a, a + len(value)),
                          "start": a, "end": a + len(value)})


def find_in_text(text: str) -> list[dict[str, Any]]:
    """Every identifier in one text: ``kind, value (normalised), text (as written, NFKC),
    context, start, end`` and for some kinds ``checksum_valid``, ``region``, ``label``."""
    finds = _Finds(_nfkc(text))
    _find_codes(finds)  # first: a code's digits are not read again as a phone number
    _find_contacts(finds)
    _find_addresses(finds)
    finds.out.sort(key=lambda f: f["start"])
    return finds.out


def listing_texts(listing: dict[str, Any]) -> Iterable[tuple[str, str]]:
    """(field, text) of a listing to search; attributes as ``name: value`` so a label in the
    attribute's name (客服微信: lk0910x) counts."""
    for name in ("title", "description", "brand", "seller_name", "seller_location"):
        if listing.get(name):
            yield name, str(listing[name])
    attributes = listing.get("attributes") or {}
    if isinstance(attributes, dict):
        for key, value in attributes.items():
            if value is None or value == "":
                continue
            yield f"attributes.{key}", f"{key}: {value}"


def find_in_listing(listing: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for fld, text in listing_texts(listing):
        for hit in find_in_text(text):
            hit.update(field=fld, listing=listing.get("id"), site=listing.get("site"),
                       listing_id=listing.get("listing_id"))
            found.append(hit)
        if fld.startswith("attributes.") and ADDRESS_ATTRIBUTE.search(fld) and \
                not any(h["field"] == fld and h["kind"] == "address" for h in found):
            value = _nfkc(str((listing.get("attributes") or {}).get(fld.split(".", 1)[1]) or "")).strip()
            if 2 <= len(value) <= 120:
                found.append({"kind": "address", "value": value, "text": value, "context": _context(text, 0, len(text)),
                              "field": fld, "listing": listing.get("id"), "site": listing.get("site"),
                              "listing_id": listing.get("listing_id"), "start": 0, "end": len(value)})
    return found


def group_identifiers(hits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per (kind, value) with every place it was found, in order of kind, then value."""
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for h in hits:
        key = (h["kind"], h["value"].casefold() if h["kind"] in ("wechat", "email") else h["value"])
        g = groups.get(key)
        if g is None:
            g = groups[key] = {"kind": h["kind"], "value": h["value"], "as_written": [], "checksum_valid":
                               h.get("checksum_valid"), "region": h.get("region"), "label": h.get("label"),
                               "sources": []}
        if h["text"] not in g["as_written"]:
            g["as_written"].append(h["text"])
        source = {"listing": h["listing"], "site": h["site"], "listing_id": h["listing_id"], "field": h["field"],
                  "context": h["context"]}
        if source not in g["sources"]:
            g["sources"].append(source)
    return sorted(groups.values(), key=lambda g: (KINDS.index(g["kind"]), g["value"]))
