"""Each demo site's base listings (variant 0), built from the tables, with hidden ground truth.

Each base entry carries ``truth`` (one of ``TRUTH_LABELS``) and ``note``. They are NEVER served by
the shops; use ``Catalogue.truth`` or ``ground_truth`` to evaluate the rule engine.

Clean listings carry the mix real marketplaces have (``REALISTIC``): most genuine listings show
no maker, address or registration/certificate number (flagship stores included); brands' second
official stores (自营) not on the watchlist; unauthorised resellers of genuine goods at 80-110%
(代购, 平行进口, 1688 wholesale); compatible parts naming what they fit; marks used as common
words; scale models and toys; a brand's own re-issue line; listings that deny counterfeit words;
sample and travel sizes; second-hand goods at used prices; ordinary cosmetics without a number;
exempt products. Their notes start with the kind (``CLEAN_KINDS``) and say why they are clean.

Nights (``day``): day 1 is the first crawl. From day 2 on, some listings are removed (a
takedown), and some removed ones reappear under another seller with a new listing id, a similar
title and the same images (``_schedule``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache

from monitor.demo.numbers import gtin13, digits, uniform
from monitor.demo.sellers import Seller, _sellers
from monitor.demo.tables import (AGRI_COUNTERFEIT_ZH, ATTR_EN, BRANDS, CATEGORY_TAG, CONTACTS_EN, CONTACTS_ZH,
                                 COUNTERFEIT_TITLES_EN, COUNTERFEIT_TITLES_ZH, FIRST_PRODUCT, HARD_NEGATIVES,
                                 LOOKALIKE_MAKERS, LOOKALIKES, PRODUCT_BY_KEY, PRODUCTS, REALISTIC, REGULATORY,
                                 REGULATORY_DESC_EN, SITES, SUB_DESC, SUBTYPE_TAGS, Clean)

# Listing number = variant * BLOCK + index of the base entry on its site.
BLOCK = 1000
_ID_PREFIX = {"greenmart": ("G", 100000), "baihuo": ("", 5800000), "kuaigou": ("KG", 300000)}

CLEAN_KINDS = ("official_no_number", "unauthorised_reseller", "compatible_part", "common_word", "scale_model",
               "heritage_line", "denies_counterfeit", "sample_size", "second_hand", "ordinary_cosmetic", "exempt")

CLEAN_ROLES_GENUINE = ("flagship", "official", "authorised")


def listing_id(site: str, number: int) -> str:
    prefix, offset = _ID_PREFIX[site]
    return f"{prefix}{offset + number}"


def parse_listing_id(site: str, lid: str) -> tuple[int, int] | None:
    """(variant, base index) of a listing id, or None if it is not one of this site's ids."""
    prefix, offset = _ID_PREFIX[site]
    if not lid.startswith(prefix) or not lid[len(prefix):].isdigit():
        return None
    number = int(lid[len(prefix):]) - offset
    if number < 0 or lid != listing_id(site, number):
        return None
    return divmod(number, BLOCK)


@dataclass
class Entry:
    """One base listing of a site (variant 0). Hidden fields: truth, note, mark, tags, schedule."""

    site: str
    index: int
    category: str
    sub: str
    lang: str
    title: str
    brand: str | None
    price: float
    description: str
    attributes: tuple[tuple[str, str], ...]
    seller_id: str
    image_key: str
    n_images: int
    sku: str | None
    gtin: str | None
    truth: str
    note: str
    mark: str | None = None  # the real brand concerned, if any
    tags: str = ""
    removed_day: int | None = None
    live_from: int = 1
    relist_of: int | None = None
    relisted_as: int | None = None
    price_style: str = "yuan"  # how baihuo prints it: "yuan" (¥1,299.00) or "yuan_word" (128元)

    def live_on(self, day: int) -> bool:
        return self.live_from <= day and (self.removed_day is None or day < self.removed_day)


def _lang_for(site: str, n: int) -> str:
    if site == "baihuo":
        return "zh"
    if site == "greenmart":
        return "en" if n % 2 == 0 else "zh"
    return "en" if n % 3 == 0 else "zh"


SPEC_EN = {"4片/套": "set of 4", "4支装": "4 pcs", "2支装": "2 pcs", "1条": "1 tyre", "1块": "1 pc",
           "4g×10袋": "4 g x 10 sachets", "2g×20袋": "2 g x 20 sachets", "4000粒": "4000 seeds"}


def _spec(spec: str, lang: str) -> str:
    return spec if lang == "zh" else SPEC_EN.get(spec, spec)


def _attrs_for(attrs, lang: str, brand: str | None = None) -> tuple[tuple[str, str], ...]:
    """Attribute rows as the shop labels them; English listings use English labels."""
    if brand:
        attrs = [(k, brand if k == "品牌" else v) for k, v in attrs]
    if lang == "zh":
        return tuple(attrs)
    return tuple((ATTR_EN.get(k, k), v) for k, v in attrs)


# Attributes most real listings leave out: who made it, where, and its numbers.
PAPERWORK_KEYS = frozenset({"生产厂家", "生产企业", "生产地址", "境内责任人", "农药登记证号", "标签二维码", "肥料登记证号",
                            "审定编号", "种子生产经营许可证号", "备案编号", "注册证号", "批准文号", "CCC证书编号"})


def round_price(x: float) -> float:
    if x >= 100:
        return float(round(x))
    return round(round(x * 2) / 2, 2)


def _contact(site: str, n: int, lang: str) -> str:
    wx = f"{['lk', 'hx', 'mp', 'zs'][n % 4]}{digits(4, 'wx', site, n)}{['a', 'x', 'z'][n % 3]}"
    phone = f"1{'3578'[n % 4]}{digits(9, 'phone', site, n)}"
    qq = digits(9, "qq", site, n).lstrip("0") or "123456789"
    pool = CONTACTS_ZH if lang == "zh" else CONTACTS_EN
    return pool[n % len(pool)].format(wx=wx, phone=phone, qq=qq)


@dataclass(frozen=True)
class _Site:
    """What every kind of listing of one site is built from: the site, its number, its sellers."""

    site: str
    no: int  # index in SITES: spreads the products and cases over the three sites
    by_role: dict[str, list[Seller]]
    flag_by_brand: dict[str, Seller]  # brand key -> its flagship store on this site
    authorised: dict[str, Seller]  # category -> the authorised dealer


def _tags_for(category: str, sub: str) -> str:
    zh, en = SUBTYPE_TAGS[sub]
    return f"{CATEGORY_TAG[category]} {zh} {en}"


def _genuine_listings(s: _Site) -> list[dict]:
    """Genuine listings of every product, mostly by the brand's flagship, some by the authorised dealer."""
    site, site_no = s.site, s.no
    flag_by_brand = s.flag_by_brand
    authorised = s.authorised
    raw: list[dict] = []
    # Genuine: every product, mostly by the brand's flagship, some by the authorised dealer.
    # Like real listings (flagship stores included), two thirds show no maker, address,
    # registration, certificate or label code; each product shows them on one of the sites.
    for n, p in enumerate(PRODUCTS):
        lang = _lang_for(site, n + site_no)
        en, zh = BRANDS[p.brand][0], BRANDS[p.brand][1]
        seller = authorised[p.category] if (n + site_no) % 4 == 3 else flag_by_brand[p.brand]
        bare = (n + site_no) % 3 != 0
        attrs = tuple(a for a in p.attrs if a[0] not in PAPERWORK_KEYS) if bare else p.attrs
        shown = ("; no maker, address or registration/certificate number shown, as in most real listings" if bare
                 else "; shows maker and registration/certificate numbers")
        title = f"{zh} {p.name_zh} {p.spec}" if lang == "zh" else f"{en} {p.name_en}, {_spec(p.spec, lang)}"
        desc_zh, desc_en = SUB_DESC.get(p.sub, ("", ""))
        desc = (f"{zh}正品，{p.spec}。{desc_zh}" if lang == "zh" else f"Genuine {en} product, {_spec(p.spec, lang)}. {desc_en}")
        price = round_price(p.price * (1 + 0.04 * (uniform("gp", site, p.key) - 0.5)))
        raw.append(dict(category=p.category, sub=p.sub, lang=lang, title=title, brand=zh if lang == "zh" else en,
                        price=price, description=desc, attributes=_attrs_for(attrs, lang, zh if lang == "zh" else en), seller=seller,
                        image_key=f"{p.key}", n_images=3, sku=f"{p.brand[:3].upper()}-{p.key.upper()}",
                        gtin=gtin13(p.key), truth="genuine",
                        note=f"genuine {en} product sold by {'flagship store' if seller.role == 'flagship' else 'authorised dealer'}{shown}",
                        mark=en, tags=_tags_for(p.category, p.sub)))
    return raw


def _counterfeit_listings(s: _Site) -> list[dict]:
    """Counterfeits: the real brand with counterfeit vocabulary, a far-below price, an off-platform contact."""
    site, site_no = s.site, s.no
    suspicious = s.by_role["suspicious"]
    raw: list[dict] = []
    # Counterfeits: real brand plus counterfeit vocabulary, far-below price, off-platform contact.
    for j in range(14):
        n = j * 3 + site_no * 5 + 1
        p = PRODUCTS[n % len(PRODUCTS)]
        en, zh = BRANDS[p.brand][0], BRANDS[p.brand][1]
        lang = "zh" if site == "baihuo" else ("en" if j % 3 == (site_no % 3) else "zh")
        if p.category == "agri_inputs" and lang == "zh":
            title = AGRI_COUNTERFEIT_ZH[j % 2].format(brand=zh, name=p.name_zh)
        elif lang == "zh":
            title = COUNTERFEIT_TITLES_ZH[(j + site_no) % len(COUNTERFEIT_TITLES_ZH)].format(brand=zh, name=p.name_zh)
        else:
            title = COUNTERFEIT_TITLES_EN[(j + site_no) % len(COUNTERFEIT_TITLES_EN)].format(brand=en, name=p.name_en)
        factor = 0.1 + 0.15 * uniform("cf", site, j)
        attrs = [a for a in p.attrs if a[0] not in ("标签二维码", "生产地址")]
        if j % 3 == 0:  # copied registration numbers are common; sometimes they are dropped
            attrs = [a for a in attrs if a[0] not in ("农药登记证号", "肥料登记证号", "CCC证书编号", "注册证号", "备案编号")]
        contact = _contact(site, j, lang)
        desc = (f"{'工厂直供，品质保证' if j % 2 else '和专柜一模一样，放心购买'}，{p.spec}。{contact}" if lang == "zh"
                else f"Same as the store version, {_spec(p.spec, lang)}. {contact}")
        raw.append(dict(category=p.category, sub=p.sub, lang=lang, title=title, brand=zh if lang == "zh" else en,
                        price=round_price(p.price * factor), description=desc,
                        attributes=_attrs_for(attrs, lang, zh if lang == "zh" else en), seller=suspicious[j % len(suspicious)],
                        image_key=p.key if j % 2 == 0 else f"cf-{site}-{j}", n_images=2, sku=None, gtin=None,
                        truth="counterfeit",
                        note=f"counterfeit {en} {p.key}: counterfeit vocabulary, price {factor:.0%} of normal, off-platform contact",
                        mark=en, tags=_tags_for(p.category, p.sub)))
    return raw


def _lookalike_listings(s: _Site) -> list[dict]:
    """Look-alike marks: every third one of LOOKALIKES goes to this site."""
    site, site_no = s.site, s.no
    suspicious = s.by_role["suspicious"]
    generic = s.by_role["generic"]
    raw: list[dict] = []
    # Look-alike marks: every third one of LOOKALIKES goes to this site.
    for j, (bkey, mark, mechanism) in enumerate(LOOKALIKES):
        if j % 3 != site_no:
            continue
        prods = FIRST_PRODUCT[bkey]
        p = prods[j % len(prods)]
        en, zh = BRANDS[p.brand][0], BRANDS[p.brand][1]
        latin = mark.isascii() or any("\u0400" <= c <= "\u04ff" for c in mark)
        lang = "en" if (latin and site != "baihuo") else "zh"
        title = f"{mark} {p.name_zh} {p.spec}" if lang == "zh" else f"{mark} {p.name_en}, {_spec(p.spec, lang)}"
        maker, address = LOOKALIKE_MAKERS[p.category]
        attrs = [("品牌", mark)]
        for k, v in p.attrs:
            if k in ("品牌", "规格", "标签二维码"):
                continue
            if k in ("生产厂家", "生产企业", "境内责任人"):
                attrs.append((k, maker))
                attrs.append(("生产地址", address))
            elif k in ("农药登记证号", "肥料登记证号", "CCC证书编号", "注册证号", "备案编号", "审定编号", "种子生产经营许可证号"):
                if j % 2 == 0:
                    attrs.append((k, v))  # borrowed from the real product
            else:
                attrs.append((k, v))
        attrs.append(("规格", p.spec))
        factor = 0.3 + 0.3 * uniform("lk", site, j)
        desc = (f"{mark}品牌，{p.spec}，品质保证，欢迎选购。" if lang == "zh"
                else f"{mark} brand, {_spec(p.spec, lang)}. Quality guaranteed.")
        seller = suspicious[j % len(suspicious)] if j % 4 else generic[j % len(generic)]
        raw.append(dict(category=p.category, sub=p.sub, lang=lang, title=title, brand=mark,
                        price=round_price(p.price * factor), description=desc, attributes=_attrs_for(attrs, lang),
                        seller=seller, image_key=f"lk-{bkey}-{j}", n_images=2, sku=None, gtin=None,
                        truth="lookalike", note=f"look-alike of {en} {zh}: {mark} ({mechanism})",
                        mark=en, tags=_tags_for(p.category, p.sub)))
    return raw


def _regulatory_listings(s: _Site) -> list[dict]:
    """Regulatory breaches (not famous marks)."""
    site, site_no = s.site, s.no
    generic = s.by_role["generic"]
    raw: list[dict] = []
    # Regulatory breaches (not famous marks).
    for j, (key, cat, sub, brand, t_zh, t_en, price, attrs, d_zh, note) in enumerate(REGULATORY):
        lang = "en" if (t_en and site != "baihuo" and (j + site_no) % 2 == 0) else "zh"
        title = t_en if lang == "en" else t_zh
        raw.append(dict(category=cat, sub=sub, lang=lang, title=title, brand=brand,
                        price=round_price(price * (1 + 0.1 * (uniform("rg", site, key) - 0.5))),
                        description=d_zh if lang == "zh" else REGULATORY_DESC_EN.get(key, title + "."),
                        attributes=_attrs_for(attrs, lang),
                        seller=generic[(j + site_no) % len(generic)], image_key=f"rg-{key}", n_images=1,
                        sku=None, gtin=None, truth="regulatory", note=note, mark=None, tags=_tags_for(cat, sub)))
    return raw


def _hard_negative_listings(s: _Site) -> list[dict]:
    """Hard negatives: fixed templates, genuine resellers and a grey import."""
    site, site_no = s.site, s.no
    by_role = s.by_role
    authorised = s.authorised
    generic = s.by_role["generic"]
    raw: list[dict] = []
    # Hard negatives: fixed templates, genuine resellers and a grey import.
    for j, (key, cat, sub, brand, t_zh, t_en, price, attrs, d_zh, note) in enumerate(HARD_NEGATIVES):
        lang = "en" if (t_en and site != "baihuo" and (j + site_no) % 2 == 0) else "zh"
        title = t_en if lang == "en" else t_zh
        raw.append(dict(category=cat, sub=sub, lang=lang, title=title, brand=brand,
                        price=round_price(price * (1 + 0.1 * (uniform("hn", site, key) - 0.5))),
                        description=d_zh if lang == "zh" else title + ".", attributes=_attrs_for(attrs, lang),
                        seller=generic[(j + site_no + 1) % len(generic)], image_key=f"hn-{key}", n_images=2,
                        sku=None, gtin=gtin13(key), truth="hard_negative", note=note, mark=None, tags=_tags_for(cat, sub)))
    for j in range(3):
        p = PRODUCTS[(j * 11 + site_no * 4 + 2) % len(PRODUCTS)]
        en, zh = BRANDS[p.brand][0], BRANDS[p.brand][1]
        lang = "zh" if site == "baihuo" or j != 1 else "en"
        title = (f"{zh} {p.name_zh} {p.spec} 授权经销 正品保障" if lang == "zh"
                 else f"{en} {p.name_en}, {_spec(p.spec, lang)} (authorised dealer)")
        factor = 0.85 + 0.1 * uniform("rs", site, j)
        raw.append(dict(category=p.category, sub=p.sub, lang=lang, title=title, brand=zh if lang == "zh" else en,
                        price=round_price(p.price * factor),
                        description=(f"{zh}授权经销商，可查授权书，{p.spec}。" if lang == "zh" else f"Authorised {en} dealer, {_spec(p.spec, lang)}."),
                        attributes=_attrs_for(p.attrs, lang, zh if lang == "zh" else en), seller=authorised[p.category], image_key=p.key,
                        n_images=3, sku=None, gtin=gtin13(p.key), truth="hard_negative",
                        note=f"genuine reseller of {en} at {factor:.0%} of the flagship price", mark=en,
                        tags=_tags_for(p.category, p.sub)))
    grey = PRODUCT_BY_KEY["fte" if site_no != 1 else "uv_expert"]
    en, zh = BRANDS[grey.brand][0], BRANDS[grey.brand][1]
    grey_attrs = tuple((k, v) for k, v in grey.attrs if k not in ("备案编号", "注册证号", "境内责任人")) + (("原产国", "日本"),)
    raw.append(dict(category="cosmetics", sub=grey.sub, lang="zh", title=f"日本代购 {zh} {grey.name_zh} {grey.spec} 日版 现货",
                    brand=zh, price=round_price(grey.price * 0.82),
                    description="日本专柜采购，附购物小票，日版包装无中文标签。", attributes=grey_attrs,
                    seller=by_role["reseller"][0], image_key=f"{grey.key}-jp", n_images=2, sku=None, gtin=None,
                    truth="hard_negative", note=f"grey import of real {en} goods (Japanese packaging)", mark=en,
                    tags=_tags_for("cosmetics", grey.sub)))
    return raw


def _clean_listings(s: _Site) -> list[dict]:
    """The realistic clean mix (``REALISTIC``) that this site carries."""
    site, site_no = s.site, s.no
    by_role = s.by_role
    flag_by_brand = s.flag_by_brand
    authorised = s.authorised
    raw: list[dict] = []
    # The realistic clean mix: official stores without numbers, unauthorised resellers,
    # compatible parts, common words, toys, re-issues, denials, samples, used goods, ...
    for j, c in enumerate(REALISTIC):
        if "gbk"[site_no] not in c.sites:
            continue
        raw.append(_clean_entry(site, site_no, j, c, by_role, flag_by_brand, authorised))
    return raw


def _build_site(site: str) -> list[Entry]:
    sellers = _sellers(site)
    by_role: dict[str, list[Seller]] = {}
    for seller in sellers:
        by_role.setdefault(seller.role, []).append(seller)
    s = _Site(site, SITES.index(site), by_role, dict(zip(BRANDS, [x for x in sellers if x.role == "flagship"])),
              {x.category: x for x in by_role["authorised"]})
    raw = (_genuine_listings(s) + _counterfeit_listings(s) + _lookalike_listings(s) + _regulatory_listings(s)
           + _hard_negative_listings(s) + _clean_listings(s))
    # Shuffle deterministically so search results mix the kinds, then number them.
    random.Random(f"order:{site}").shuffle(raw)
    entries = [_entry(site, i, d) for i, d in enumerate(raw)]
    _schedule(site, entries, by_role, s.authorised)
    return entries


_GENERIC_BY_CATEGORY = {"agri_inputs": 0, "cosmetics": 1, "auto_parts": 2}  # the generic pools' order


def _clean_seller(site: str, c: Clean, by_role: dict, flag_by_brand: dict, authorised: dict) -> Seller:
    if c.seller == "official":
        own = [s for s in by_role["official"] if s.brand == c.brand]
        return own[0] if own else flag_by_brand[c.brand]
    if c.seller == "flagship":
        return flag_by_brand[c.brand]
    if c.seller == "authorised":
        return authorised[c.category]
    if c.seller == "generic":
        return by_role["generic"][_GENERIC_BY_CATEGORY[c.category]]
    pool = by_role[c.seller]
    return next((s for s in pool if s.category == c.category), pool[0])


def _clean_entry(site: str, site_no: int, j: int, c: Clean, by_role: dict, flag_by_brand: dict,
                 authorised: dict) -> dict:
    if c.kind not in CLEAN_KINDS:
        raise ValueError(f"clean listing {c.key}: kind {c.kind!r} is not one of CLEAN_KINDS")
    if c.title_zh and c.title_en and site != "baihuo":
        lang = "en" if (j % (2 if site == "greenmart" else 3)) == 0 else "zh"
    else:
        lang = "zh" if c.title_zh else "en"
    title = c.title_zh if lang == "zh" else c.title_en
    if c.shown_brand is not None:
        brand = c.shown_brand[0] if lang == "zh" else c.shown_brand[1]
    elif c.brand:
        brand = BRANDS[c.brand][1] if lang == "zh" else BRANDS[c.brand][0]
    else:
        brand = None
    if isinstance(c.price, tuple):
        price = PRODUCT_BY_KEY[c.price[0]].price * c.price[1]
    else:
        price = c.price
    price = round_price(price * (1 + 0.08 * (uniform("clean", site, c.key) - 0.5)))
    if lang == "zh":
        desc = c.desc_zh or "下单前请确认规格型号，欢迎咨询。"
    else:
        desc = c.desc_en or f"{title}."
    seller = _clean_seller(site, c, by_role, flag_by_brand, authorised)
    truth = "genuine" if seller.role in CLEAN_ROLES_GENUINE else "hard_negative"
    return dict(category=c.category, sub=c.sub, lang=lang, title=title, brand=brand, price=price, description=desc,
                attributes=_attrs_for(c.attrs, lang, brand), seller=seller, image_key=f"cl-{c.key}", n_images=2,
                sku=None, gtin=gtin13(c.price[0]) if isinstance(c.price, tuple) else None, truth=truth,
                note=f"{c.kind}: {c.note}", mark=BRANDS[c.brand][0] if c.brand else c.mark,
                tags=_tags_for(c.category, c.sub))


def _entry(site: str, index: int, d: dict) -> Entry:
    style = "yuan_word" if (d["price"] == int(d["price"]) and uniform("style", site, index) < 0.4) else "yuan"
    return Entry(site=site, index=index, category=d["category"], sub=d["sub"], lang=d["lang"], title=d["title"],
                 brand=d["brand"], price=d["price"], description=d["description"], attributes=tuple(d["attributes"]),
                 seller_id=d["seller"].seller_id, image_key=d["image_key"], n_images=d["n_images"], sku=d["sku"],
                 gtin=d["gtin"], truth=d["truth"], note=d["note"], mark=d["mark"],
                 tags=f"{d['title']} {d['brand'] or ''} {d['tags']}".casefold(), price_style=style)


def _schedule(site: str, entries: list[Entry], by_role: dict, authorised: dict) -> None:
    """Removals from day 2 on; two thirds of the removed suspect listings come back relisted."""
    rng = random.Random(f"schedule:{site}")
    suspect = [e for e in entries if e.truth in ("counterfeit", "lookalike")]
    others = [e for e in entries if e.truth not in ("counterfeit", "lookalike")]
    rng.shuffle(suspect)
    rng.shuffle(others)
    plan: list[tuple[Entry, int, bool]] = []
    for j, e in enumerate(suspect[: len(suspect) // 2]):
        plan.append((e, 2 + j // 3, j % 3 != 2))
    for j, e in enumerate(others[: len(others) // 8]):
        plan.append((e, 2 + j // 2, j % 4 == 0))
    sellers = {s.seller_id: s for s in _sellers(site)}
    for e, day, relist in plan:
        e.removed_day = day
        if not relist:
            continue
        old = sellers[e.seller_id]
        if old.role in ("suspicious", "generic", "independent", "secondhand", "toyshop", "aftermarket"):
            pool = [s for s in by_role[old.role] if s.seller_id != old.seller_id] or by_role["generic"]
            new_seller = pool[int(uniform("relist", site, e.index) * len(pool))]
        elif old.role == "official":
            new_seller = by_role["flagship"][list(BRANDS).index(old.brand)]
        else:
            new_seller = authorised[e.category] if old.role == "flagship" else sellers[next(
                s.seller_id for s in by_role["flagship"] if s.category == e.category)]
        if e.lang == "zh":
            title = ("【新品】" + e.title) if e.index % 2 else (e.title + " 现货速发")
        else:
            title = ("NEW " + e.title) if e.index % 2 else (e.title + " - in stock")
        new = Entry(site=site, index=len(entries), category=e.category, sub=e.sub, lang=e.lang, title=title,
                    brand=e.brand, price=round_price(e.price * (0.9 + 0.2 * uniform("relist-price", site, e.index))),
                    description=e.description, attributes=e.attributes, seller_id=new_seller.seller_id,
                    image_key=e.image_key, n_images=e.n_images, sku=e.sku, gtin=e.gtin, truth=e.truth,
                    note=f"{e.note}; relisted on day {day} after removal of {listing_id(site, e.index)}",
                    mark=e.mark, tags=e.tags, live_from=day, relist_of=e.index, price_style=e.price_style)
        e.relisted_as = new.index
        entries.append(new)


@lru_cache(maxsize=None)
def base_entries(site: str) -> tuple[Entry, ...]:
    """The base listings of a site (variant 0), including ones relisted on later days."""
    if site not in SITES:
        raise KeyError(f"unknown demo site {site!r}; known: {', '.join(SITES)}")
    return tuple(_build_site(site))
