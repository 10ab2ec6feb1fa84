"""Profile selectors, their precedence over structured data, and normalisation."""

from __future__ import annotations

import json

import pytest
from parsel import Selector

from monitor.extract.page import extract_listing
from monitor.extract.selectors import SelectorSpecError, apply_selectors

URL = "https://shop.example/p/1"
HTML = """<html><head>
<script type="application/ld+json">{"@type": "Product", "name": "Structured name", "brand": "Acme",
 "offers": {"price": "10.00", "priceCurrency": "USD"}}</script></head><body>
<h1 class="t">  Ｇｌｙｐｈｏｓａｔｅ
   41%  </h1>
<div class="price">价格：￥1.299,00</div>
<ul class="tags"><li>a</li><li> b </li><li>a</li></ul>
<div class="gallery"><img src="/i/1.jpg"><img data-src="//cdn.example/2.jpg"><img src="/i/1.jpg"></div>
<a class="shop" href="/store/9">Green Farm Store</a>
<span class="rating">4,8 von 5</span><span class="count">(1.234 Bewertungen)</span>
<table class="spec">
  <tr><th>生产厂家：</th><td> 某某化工 </td></tr>
  <tr><th>登记证号</th><td>PD20070123</td></tr>
  <tr><th>Weight</th><td>1 kg</td></tr>
</table>
<p class="code">Item code: AB-123 (new)</p>
</body></html>"""


def test_css_xpath_regex_all_join() -> None:
    spec = {
        "title": {"css": "h1.t"},
        "sku": {"xpath": "//p[@class='code']/text()", "regex": r"code:\s*([A-Z]+-\d+)"},
        "description": {"css": "ul.tags li::text", "join": " | "},
        "category": {"css": "ul.tags li::text", "all": True},
        "images": {"css": ".gallery img"},
        "seller_url": {"css": "a.shop::attr(href)"},
        "brand": {"css": ".missing"},
    }
    out = apply_selectors(Selector(text=HTML), URL, spec)
    assert out["title"] == "Glyphosate 41%"  # whitespace collapsed, full-width letters folded (NFKC)
    assert out["sku"] == "AB-123"
    assert out["description"] == "a | b | a"
    assert out["category"] == ["a", "b"]
    assert out["images"] == ["https://shop.example/i/1.jpg", "https://cdn.example/2.jpg"]
    assert out["seller_url"] == "https://shop.example/store/9"
    assert "brand" not in out


def test_attribute_rows_css_and_xpath() -> None:
    css = {"attributes": {"rows": "table.spec tr", "name": "th", "value": "td"}}
    expected = {"生产厂家": "某某化工", "登记证号": "PD20070123", "Weight": "1 kg"}
    assert apply_selectors(HTML, URL, css)["attributes"] == expected
    xpath = {"attributes": {"rows_xpath": "//table[@class='spec']//tr", "name_xpath": "./th", "value_xpath": "./td"}}
    assert apply_selectors(HTML, URL, xpath)["attributes"] == expected


def test_list_of_specs_is_a_fallback_chain() -> None:
    spec = {"brand": [{"css": ".nothing"}, {"css": "a.shop::text"}]}
    assert apply_selectors(HTML, URL, spec)["brand"] == "Green Farm Store"


@pytest.mark.parametrize(
    "spec",
    [{"css": "h1", "xpath": "//h1"}, {}, {"css": "h1[["}, {"xpath": "//h1[", "all": True}, {"css": "h1", "regex": "("}, 5],
)
def test_bad_specs_raise_clear_errors(spec: object) -> None:
    with pytest.raises(SelectorSpecError, match="title"):
        apply_selectors(HTML, URL, {"title": spec})


def test_selectors_override_structured_data_field_by_field() -> None:
    fields = {
        "title": {"css": "h1.t"},
        "price": {"css": ".price"},
        "brand": {"css": ".not-there"},
        "images": {"css": ".gallery img"},
        "seller_name": {"css": "a.shop"},
        "seller_url": {"css": "a.shop::attr(href)"},
        "seller_rating": {"css": ".rating"},
        "seller_rating_count": {"css": ".count"},
        "attributes": {"rows": "table.spec tr", "name": "th", "value": "td"},
    }
    listing = extract_listing(HTML, URL, fields=fields, number_format={"decimal": ",", "currency": "JPY"})
    assert listing["title"] == "Glyphosate 41%"  # NFKC turned the full-width letters into ASCII
    assert listing["brand"] == "Acme"  # the selector found nothing, structured data stays
    assert listing["price"] == 1299.0
    assert (listing["currency"], listing["currency_raw"]) == ("JPY", "¥")
    assert listing["images"] == ["https://shop.example/i/1.jpg", "https://cdn.example/2.jpg"]
    assert listing["seller_url"] == "https://shop.example/store/9"
    assert listing["seller_rating"] == 4.8
    assert listing["seller_rating_count"] == 1234
    assert listing["attributes"]["登记证号"] == "PD20070123"
    assert not {"site", "listing_id", "url"} & set(listing)


def test_without_selectors_structured_data_and_default_currency() -> None:
    listing = extract_listing(HTML, URL)
    assert (listing["title"], listing["price"], listing["currency"]) == ("Structured name", 10.0, "USD")
    html = "<html><body><h1>X</h1><span class='price'>12,50</span></body></html>"
    listing = extract_listing(html, URL, number_format={"decimal": ",", "currency": "EUR"})
    assert (listing["price"], listing["currency"]) == (12.5, "EUR")
    json.dumps(listing)  # plain JSON types only
