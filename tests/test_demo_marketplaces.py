"""The bundled demo marketplaces, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import importlib.util
import json
import re
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
import yaml
from parsel import Selector

from monitor.demo import listings as cat_mod
from monitor.demo.catalogue import Catalogue, base_entries, ground_truth
from monitor.demo.tables import CATEGORIES, SITES, TRUTH_LABELS
from monitor.demo.marketplaces import DemoMarketplaces

ROOT = Path(__file__).resolve().parents[1]
PROFILES = ROOT / "spiders" / "profiles"


def fetch(url: str) -> tuple[int, str, str]:
    """(status, content type, body) without raising on 4xx."""
    try:
        with urllib.request.urlopen(quote(url, safe=":/?&=%#"), timeout=10) as resp:
            return resp.status, resp.headers["Content-Type"], resp.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read().decode("utf-8", "replace")


def fetch_json(url: str) -> tuple[int, dict]:
    status, ctype, body = fetch(url)
    assert ctype.startswith("application/json")
    return status, json.loads(body)


def profile(site: str) -> dict:
    return yaml.safe_load((PROFILES / f"{site}.yaml").read_text(encoding="utf-8"))


def select(sel: Selector, spec: dict):
    found = sel.css(spec["css"]) if "css" in spec else sel.xpath(spec["xpath"])
    values = [v.strip() for v in found.getall() if v.strip()]
    if "regex" in spec:
        values = [m.group(1) for v in values if (m := re.search(spec["regex"], v))]
    return values


@pytest.fixture(scope="module")
def demo():
    with DemoMarketplaces(day=1) as m:
        yield m


def live_entry(site: str, truth: str | None = None, day: int = 1, **where):
    for e in base_entries(site):
        if e.live_on(day) and (truth is None or e.truth == truth) and all(getattr(e, k) == v for k, v in where.items()):
            return e
    raise LookupError((site, truth, where))


# --------------------------------------------------------------------------- catalogue


def test_day_one_counts_and_labels():
    cat = Catalogue()
    counts = {site: cat.count(site, 1) for site in SITES}
    assert all(n >= 80 for n in counts.values()), counts
    assert sum(counts.values()) >= 240
    for site in SITES:
        live = [e for e in base_entries(site) if e.live_on(1)]
        assert set(Counter(e.truth for e in live)) == set(TRUTH_LABELS)
        assert set(e.category for e in live) == set(CATEGORIES)
        assert {e.lang for e in live} >= ({"zh"} if site == "baihuo" else {"zh", "en"})
        assert len({(e.seller_id) for e in live}) >= 10


def test_catalogue_is_deterministic():
    cat_mod.base_entries.cache_clear()
    cat_mod._sellers.cache_clear()
    first = json.dumps(ground_truth(), ensure_ascii=False, sort_keys=True)
    page = Catalogue().query("baihuo", 3, keyword="农资")
    cat_mod.base_entries.cache_clear()
    cat_mod._sellers.cache_clear()
    assert json.dumps(ground_truth(), ensure_ascii=False, sort_keys=True) == first
    assert Catalogue().query("baihuo", 3, keyword="农资") == page


def test_planted_ccc_and_three_no_cases_say_what_makes_them_breaches():
    """Issue 11: a number or maker a listing merely does not show is no flag, so every planted
    CCC or 三无 case says it has none or is sold loose, in each language it is shown in, and
    the mere-absence listings are hard negatives with a note saying why."""
    said = re.compile(r"无3C|no CCC|without CCC|散装|分装|无厂名|自制")
    planted = [e for site in SITES for e in base_entries(site)
               if e.truth == "regulatory" and ("CCC" in e.note or "三无" in e.note)]
    assert {e.lang for e in planted} == {"zh", "en"}
    for e in planted:
        attrs = dict(e.attributes)
        denied = attrs.get("3C认证") == "无" or attrs.get("CCC certification") == "无"
        assert denied or said.search(f"{e.title} {e.description}"), (e.site, e.title, e.note)
    cleared = [e for site in SITES for e in base_entries(site) if "not a flag under issue 11's policy" in e.note]
    assert len(cleared) >= 9 and all(e.truth == "hard_negative" for e in cleared)


def test_identifier_formats():
    entries = [e for site in SITES for e in base_entries(site)]
    attrs = [dict(e.attributes) for e in entries]
    regs = {a.get("农药登记证号") or a.get("Pesticide registration No.") for a in attrs} - {None}
    assert "PD20092927" in regs and all(re.fullmatch(r"(PD|WP|LS|WL)\d{8}", r) for r in regs)
    for e in entries:
        a = dict(e.attributes)
        reg = a.get("农药登记证号") or a.get("Pesticide registration No.")
        code = a.get("标签二维码") or a.get("Label QR code")
        if reg and code:
            assert re.fullmatch(r"\d{32}", code)
            assert (code[1:7] == reg[-6:]) == ("do not match" not in e.note), e.note
        ccc = a.get("CCC证书编号") or a.get("CCC certificate No.")
        if ccc:
            assert re.fullmatch(r"20\d{2}01\d{10}", ccc)
    values = " ".join(v for a in attrs for v in a.values())
    for pattern in (r"农肥（\d{4}）准字\d+号", r"国妆特进字J\d{8}", r"国妆特字G\d{8}", r"[粤沪苏滇浙]G妆网备字\d{10}",
                    r"国妆网备进字（沪）\d{10}", r"卫妆准字", r"[A-Z]（[湘鲁]）农种许字（\d{4}）第\d{4}号"):
        assert re.search(pattern, values), pattern


def test_profile_keywords_find_every_listing():
    cat = Catalogue()
    for site in SITES:
        keywords = profile(site)["keywords"]
        for category in CATEGORIES:
            found = set()
            for kw in keywords[category]:
                items, total = cat.query(site, 1, keyword=kw, per_page=1000)
                found |= {it["id"] for it in items}
            items, _ = cat.query(site, 1, category=category, per_page=1000)
            assert {it["id"] for it in items} <= found, (site, category)


# --------------------------------------------------------------------------- greenmart


def test_greenmart_jsonld_search_robots_sitemap(demo):
    base = demo.urls["greenmart"]
    status, _, robots = fetch(base + "/robots.txt")
    assert status == 200 and "Disallow: /cart" in robots
    status, ctype, sitemap = fetch(base + "/sitemap.xml")
    assert status == 200 and "xml" in ctype
    locs = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert len(locs) == demo.catalogue.count("greenmart", 1)

    prof = profile("greenmart")
    status, ctype, html = fetch(base + "/search?" + urlencode({"q": "农资"}))
    assert status == 200 and ctype == "text/html; charset=utf-8"
    sel = Selector(text=html)
    links = select(sel, prof["listing_links"])
    assert len(links) == 20
    nxt = select(sel, prof["pagination"]["next"])
    assert nxt and "page=2" in nxt[0]
    page2 = Selector(text=fetch(base + nxt[0])[2])
    assert set(select(page2, prof["listing_links"])).isdisjoint(links)

    shapes = set()
    for url in locs[:12]:
        status, _, html = fetch(url)
        assert status == 200
        blocks = Selector(text=html).css('script[type="application/ld+json"]::text').getall()
        assert len(blocks) == 1
        data = json.loads(blocks[0])
        shapes.add("@graph" in data)
        products = [o for o in data.get("@graph", [data]) if o.get("@type") == "Product"]
        assert len(products) == 1
        offer = products[0]["offers"]
        assert float(offer["price"]) > 0 and offer["priceCurrency"] == "CNY"
        assert offer["availability"].startswith("https://schema.org/")
        assert offer["seller"]["name"] and products[0]["additionalProperty"]
        assert Selector(text=html).css("nav.breadcrumb::attr(data-category)").get() in CATEGORIES
    assert shapes == {True, False}  # both plain Product and @graph pages


# --------------------------------------------------------------------------- baihuo


def test_baihuo_plain_html_spec_table_and_shop(demo):
    base = demo.urls["baihuo"]
    prof = profile("baihuo")
    sel = Selector(text=fetch(base + "/s?" + urlencode({"kw": "农药"}))[2])
    links = select(sel, prof["listing_links"])
    assert links and all(re.search(prof["listing_id"]["url_regex"], link) for link in links)
    # Page parameter pagination: p=2 gives other results, far pages give none.
    p2 = select(Selector(text=fetch(base + "/s?" + urlencode({"kw": "农资", "p": 2}))[2]), prof["listing_links"])
    p1 = select(Selector(text=fetch(base + "/s?" + urlencode({"kw": "农资", "p": 1}))[2]), prof["listing_links"])
    assert p1 and p2 and set(p1).isdisjoint(p2)
    assert not select(Selector(text=fetch(base + "/s?" + urlencode({"kw": "农资", "p": 99}))[2]), prof["listing_links"])

    # Most genuine listings show no registration; take one that does.
    e = next(e for e in base_entries("baihuo") if e.live_on(1) and e.truth == "genuine" and e.sub == "pesticide"
             and "农药登记证号" in dict(e.attributes))
    status, _, html = fetch(base + f"/item/{demo.catalogue.listing_id('baihuo', e.index)}.html")
    assert status == 200 and "application/ld+json" not in html
    sel = Selector(text=html)
    fields = prof["fields"]
    assert select(sel, fields["title"]) == [e.title]
    assert re.fullmatch(r"¥[\d,]+\.\d\d|\d+元", select(sel, fields["price"])[0])
    rows = dict(zip(sel.css("table.spec tr th::text").getall(), sel.css("table.spec tr td::text").getall()))
    assert rows["品牌"] and rows["农药登记证号"].startswith("PD") and len(rows["标签二维码"]) == 32 and rows["生产厂家"]
    assert select(sel, fields["category"]) == ["agri_inputs"]
    seller_url = select(sel, fields["seller_url"])[0]
    assert select(sel, fields["seller_id"]) == [e.seller_id]
    shop = Selector(text=fetch(base + seller_url)[2])
    assert shop.css("span.loc::text").get() and float(shop.css("span.rating::text").get()) > 0
    assert int(shop.css("span.rating-count::text").get()) > 0
    assert f"/item/{demo.catalogue.listing_id('baihuo', e.index)}.html" in shop.css("a.title::attr(href)").getall()
    assert any("元" in t for t in Selector(text=fetch(base + "/c/auto_parts")[2]).css("span.price::text").getall() +
               Selector(text=fetch(base + "/c/agri_inputs")[2]).css("span.price::text").getall())
    assert fetch(base + "/item/9999999.html")[0] == 404


# --------------------------------------------------------------------------- kuaigou


def test_kuaigou_needs_javascript(demo):
    base = demo.urls["kuaigou"]
    e = live_entry("kuaigou", "genuine")
    lid = demo.catalogue.listing_id("kuaigou", e.index)
    status, _, shell = fetch(base + f"/item/{lid}")
    assert status == 200 and e.title not in shell and 'id="item-detail"></div>' in shell
    assert Selector(text=shell).css("#item-detail .title, #results a.item-link").get() is None
    status, data = fetch_json(base + f"/api/item/{lid}")
    assert status == 200 and data["title"] == e.title and data["seller"]["name"] and data["attributes"]
    assert data["category"] in CATEGORIES

    status, _, shell = fetch(base + "/search?" + urlencode({"q": "刹车片"}))
    assert status == 200 and "item-link" not in shell and 'id="results"></div>' in shell
    status, data = fetch_json(base + "/api/search?" + urlencode({"q": "汽配"}))
    assert data["total"] > 20 and len(data["items"]) == 20 and data["next"].startswith("/search?")
    assert not any(it["title"] in shell for it in data["items"])
    status, js_type, js = fetch(base + "/static/app.js")
    assert status == 200 and "javascript" in js_type
    assert "innerHTML" not in js and "textContent" in js and not re.search(r"https?://", js)
    assert "item-link" in js and "data-loaded" in js
    assert fetch(base + "/item/KG999999")[0] == 404
    assert fetch_json(base + "/api/item/KG999999")[0] == 404


# --------------------------------------------------------------------------- nights


def test_day_two_removals_price_changes_and_relisting():
    cat = Catalogue()
    with DemoMarketplaces(day=1) as m:
        removed = {site: next(e for e in base_entries(site) if e.removed_day == 2) for site in SITES}
        relisted = {site: next(e for e in base_entries(site) if e.relist_of is not None and e.live_from == 2)
                    for site in SITES}
        for site, e in removed.items():
            assert m.catalogue.status(site, cat.listing_id(site, e.index), 1) == "live"
        m.set_day(2)
        g, b, k = (m.urls[s] for s in SITES)
        assert fetch(g + f"/p/{cat.listing_id('greenmart', removed['greenmart'].index)}")[0] == 404
        status, _, html = fetch(b + f"/item/{cat.listing_id('baihuo', removed['baihuo'].index)}.html")
        assert status == 200 and "商品已下架" in html
        assert fetch(k + f"/item/{cat.listing_id('kuaigou', removed['kuaigou'].index)}")[0] == 404
        assert fetch_json(k + f"/api/item/{cat.listing_id('kuaigou', removed['kuaigou'].index)}")[0] == 404

        # Relisting: new id, another seller, similar title, same images; absent on day 1.
        new = relisted["kuaigou"]
        old = base_entries("kuaigou")[new.relist_of]
        status, data = fetch_json(k + f"/api/item/{cat.listing_id('kuaigou', new.index)}")
        assert status == 200 and data["seller"]["id"] != old.seller_id and old.title in data["title"]
        assert data["images"] == cat.render(old, 0, 1)["images"]
        status, _, html = fetch(b + f"/item/{cat.listing_id('baihuo', relisted['baihuo'].index)}.html")
        assert status == 200
        m.set_day(1)
        assert fetch(b + f"/item/{cat.listing_id('baihuo', relisted['baihuo'].index)}.html")[0] == 404
        assert fetch_json(k + f"/api/item/{cat.listing_id('kuaigou', new.index)}")[0] == 404

    for site in SITES:
        day1 = {i: cat.get(site, i, 1)["price"] for i in cat.live_ids(site, 1)}
        day2 = {i: cat.get(site, i, 2)["price"] for i in cat.live_ids(site, 2)}
        changed = [i for i in day1.keys() & day2.keys() if day1[i] != day2[i]]
        assert changed and len(changed) < len(day1) / 2
        assert len(day1.keys() - day2.keys()) >= 3 and len(day2.keys() - day1.keys()) >= 2
        assert cat.count(site, 2) >= 80


# --------------------------------------------------------------------------- scale and layout


def test_scale_multiplies_listings():
    with DemoMarketplaces(scale=3) as m:
        assert m.catalogue.count("greenmart", 1) == 3 * Catalogue().count("greenmart", 1)
        locs = re.findall(r"<loc>([^<]+)</loc>", fetch(m.urls["greenmart"] + "/sitemap.xml")[2])
        assert len(locs) == len(set(locs)) == m.catalogue.count("greenmart", 1)
        status, _, html = fetch(locs[-1])
        assert status == 200 and "application/ld+json" in html
        status, data = fetch_json(m.urls["kuaigou"] + "/api/search?" + urlencode({"q": "农资"}))
        assert data["total"] == 3 * Catalogue().query("kuaigou", 1, keyword="农资")[1]
        ids = list(m.catalogue.live_ids("baihuo", 1))
        assert len(ids) == len(set(ids))
        assert fetch(m.urls["baihuo"] + f"/item/{ids[-1]}.html")[0] == 200
    assert Catalogue(250).count("baihuo", 1) > 20000  # cheap: nothing is pre-rendered


def test_broken_layout_misses_profile_selectors():
    fields = profile("baihuo")["fields"]
    e = live_entry("baihuo", "genuine")
    lid = Catalogue().listing_id("baihuo", e.index)
    with DemoMarketplaces(broken_layout={"baihuo"}) as m:
        broken = Selector(text=fetch(m.urls["baihuo"] + f"/item/{lid}.html")[2])
        good = Selector(text=fetch(m.urls["greenmart"] + "/p/" + Catalogue().listing_id("greenmart", 0))[2])
    with DemoMarketplaces() as m:
        normal = Selector(text=fetch(m.urls["baihuo"] + f"/item/{lid}.html")[2])
    for name in ("title", "price"):
        assert select(normal, fields[name]) and not select(broken, fields[name]), name
    assert broken.css("h1.goods-title::text").get() == e.title
    assert good.css('script[type="application/ld+json"]').get()  # other sites unchanged
    with pytest.raises(ValueError):
        DemoMarketplaces(broken_layout={"nosuchsite"})


# --------------------------------------------------------------------------- ground truth


def test_ground_truth_is_never_served(demo):
    truth = ground_truth(day=1)
    assert {t["truth"] for t in truth} == set(TRUTH_LABELS)
    notes = {t["note"] for t in truth}
    forbidden = re.compile(r"hard_negative|lookalike|\btruth\b|look-alike of|genuine reseller|relisted on day")
    cat = demo.catalogue
    pages = []
    for site in SITES:
        base = demo.urls[site]
        for lid in cat.live_ids(site, 1):
            path = {"greenmart": f"/p/{lid}", "baihuo": f"/item/{lid}.html", "kuaigou": f"/api/item/{lid}"}[site]
            pages.append(fetch(base + path)[2])
        pages.append(fetch(base + "/sitemap.xml" if site == "greenmart" else base + "/")[2])
    pages.append(fetch(demo.urls["kuaigou"] + "/api/search?" + urlencode({"q": "汽配"}))[2])
    assert len(pages) > 240
    for body in pages:
        assert not forbidden.search(body)
        assert not any(note in body for note in notes)


# --------------------------------------------------------------------------- CLI


def _cli_module():
    # Load the command module by path: monitor/cli/__init__.py imports sibling commands.
    spec = importlib.util.spec_from_file_location("_demo_cli_marketplaces", ROOT / "monitor" / "cli" / "marketplaces.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_marketplaces():
    from click.testing import CliRunner

    module = _cli_module()
    assert module.COMMANDS == [module.marketplaces]
    runner = CliRunner()
    help_text = runner.invoke(module.marketplaces, ["--help"]).output
    assert "Example:" in help_text and "monitor marketplaces --day 2" in help_text
    result = runner.invoke(module.marketplaces, ["--port-base", "0", "--day", "2", "--broken-layout", "baihuo",
                                                 "--serve-seconds", "0.2"])
    assert result.exit_code == 0, result.output
    assert len(re.findall(r"http://127\.0\.0\.1:\d+", result.output)) == 3 and "broken layout" in result.output
    bad = runner.invoke(module.marketplaces, ["--broken-layout", "amazon", "--serve-seconds", "0"])
    assert bad.exit_code != 0


def test_clean_listings_carry_the_realistic_mix():
    """Genuine listings and hard negatives look like real ones: most show no maker or numbers,
    and every shop has each kind of realistic clean listing, labelled with why it is clean."""
    paperwork = cat_mod.PAPERWORK_KEYS | {cat_mod.ATTR_EN.get(k, k) for k in cat_mod.PAPERWORK_KEYS}
    for site in SITES:
        live = [e for e in base_entries(site) if e.live_on(1)]
        genuine = [e for e in live if e.truth == "genuine"]
        bare = [e for e in genuine if not paperwork & {k for k, _ in e.attributes}]
        assert len(bare) > len(genuine) / 2 and len(bare) < len(genuine)
        kinds = Counter(e.note.split(":")[0] for e in base_entries(site) if e.relist_of is None
                        and e.note.split(":")[0] in cat_mod.CLEAN_KINDS)
        assert set(kinds) == set(cat_mod.CLEAN_KINDS), (site, kinds)
        for e in base_entries(site):
            if e.note.split(":")[0] in cat_mod.CLEAN_KINDS:
                assert e.truth in ("genuine", "hard_negative") and e.note.split(": ", 1)[1]
