"""The three demo shops' pages: each shop routes a path and query to a response (status,
content type, body, headers); ``marketplaces.py`` serves them over HTTP.

URL schemes:

- greenmart: ``/``, ``/search?q=KW&page=N`` (next link ``a.next``), ``/c/<category>?page=N``,
  ``/p/<id>`` (schema.org Product JSON-LD, some pages as ``@graph``), ``/seller/<id>``,
  ``/robots.txt`` (Disallow: /cart), ``/sitemap.xml``, ``/img/<key>.png``. Removed: 404.
- baihuo: ``/s?kw=KW&p=N``, ``/c/<category>?p=N``, ``/item/<id>.html`` (spec table, no
  structured data), ``/shop/<id>``. Removed: HTTP 200 page saying 商品已下架.
- kuaigou: HTML shells ``/search?q=KW&page=N``, ``/c/<category>``, ``/item/<id>``,
  ``/shop/<id>`` filled by ``/static/app.js`` from ``/api/search?q=&page=&category=``,
  ``/api/item/<id>``, ``/api/shop/<id>``. Removed: 404 (shell and API).

Ground truth from the catalogue is never rendered.
"""

from __future__ import annotations

import hashlib
import json
import struct
import zlib
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from monitor.demo.catalogue import Catalogue
from monitor.demo.tables import CATEGORIES, CATEGORY_NAMES

if TYPE_CHECKING:  # the owner of the shops' day and catalogue; imported only for the annotation
    from monitor.demo.marketplaces import DemoMarketplaces

PER_PAGE = 20
STATIC_DIR = Path(__file__).resolve().parent / "static"

HTML = "text/html; charset=utf-8"
JSON = "application/json; charset=utf-8"
TEXT = "text/plain; charset=utf-8"

Response = tuple[int, str, bytes, dict]


def _e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def _html(status: int, body: str) -> Response:
    return status, HTML, body.encode("utf-8"), {}


def _json(status: int, data: Any) -> Response:
    return status, JSON, json.dumps(data, ensure_ascii=False).encode("utf-8"), {"Cache-Control": "no-store"}


@lru_cache(maxsize=4096)
def png_image(name: str) -> bytes:
    """A small deterministic 48x48 PNG: a 6x6 block pattern in two colours derived from the name."""
    h = hashlib.sha256(name.encode("utf-8")).digest()
    base, accent = h[0:3], bytes(255 - b for b in h[3:6])
    size, cell = 48, 8
    rows = bytearray()
    for y in range(size):
        rows.append(0)
        bits = h[6 + y // cell]
        for x in range(size):
            rows += accent if (bits >> (x // cell)) & 1 else base

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + chunk(b"IEND", b""))


def _page_number(query: dict, name: str) -> int:
    try:
        return max(1, int(query.get(name, ["1"])[0]))
    except ValueError:
        return 1


def _q(query: dict, name: str) -> str:
    return (query.get(name) or [""])[0].strip()


class _App:
    """One marketplace: routes a GET to a response. ``owner`` holds day, catalogue, layout."""

    site = ""
    title = ""
    lang = "zh-CN"
    css = ""

    def __init__(self, owner: "DemoMarketplaces"):
        self.owner = owner

    @property
    def cat(self) -> Catalogue:
        return self.owner.catalogue

    @property
    def day(self) -> int:
        return self.owner.day

    @property
    def broken(self) -> bool:
        return self.site in self.owner.broken_layout

    def page(self, title: str, body: str, status: int = 200, head: str = "") -> Response:
        doc = (f'<!DOCTYPE html>\n<html lang="{self.lang}"><head><meta charset="utf-8">'
               f'<meta name="viewport" content="width=device-width, initial-scale=1">'
               f"<title>{_e(title)} - {_e(self.title)}</title><style>{self.css}</style>{head}</head>"
               f"<body>{self.header()}{body}{self.footer()}</body></html>")
        return _html(status, doc)

    def header(self) -> str:
        return ""

    def footer(self) -> str:
        return f'<footer class="site-footer">{_e(self.title)} — demo marketplace, not a real shop.</footer>'

    def not_found(self) -> Response:
        return self.page("Not found", '<main class="not-found"><h1>404</h1><p>Page not found / 页面不存在</p></main>', 404)

    def robots(self, host: str) -> Response:
        return 200, TEXT, f"User-agent: *\nDisallow: /cart\n".encode(), {}

    def common(self, path: str, query: dict, host: str) -> Response | None:
        if path == "/robots.txt":
            return self.robots(host)
        if path.startswith("/img/") and path.endswith(".png"):
            return 200, "image/png", png_image(path[5:-4]), {"Cache-Control": "max-age=86400"}
        if path == "/favicon.ico":
            return 200, "image/png", png_image(self.site), {}
        if path == "/cart":
            return self.page("Cart", '<main class="cart"><h1>购物车 / Cart</h1><p>Your cart is empty.</p></main>')
        return None

    def handle(self, path: str, query: dict, host: str) -> Response:
        return self.common(path, query, host) or self.route(path, query, host) or self.not_found()

    def route(self, path: str, query: dict, host: str) -> Response | None:  # pragma: no cover - abstract
        raise NotImplementedError

    def pages_of(self, total: int) -> int:
        return max(1, -(-total // PER_PAGE))


# --------------------------------------------------------------------------- greenmart


class GreenmartApp(_App):
    site = "greenmart"
    title = "GreenMart 绿市"
    lang = "en"
    css = ("body{font-family:sans-serif;margin:0}header{background:#2e7d32;color:#fff;padding:8px}"
           "header a{color:#fff}.results li{margin:6px 0}.price,.amount,.pdp-price{color:#c62828;font-weight:bold}"
           "table.specs th{text-align:left;padding-right:1em}main{padding:12px}")

    def header(self) -> str:
        cats = " ".join(f'<a href="/c/{c}">{_e(CATEGORY_NAMES[c][1])}</a>' for c in CATEGORIES)
        return (f'<header><a class="logo" href="/">GreenMart</a> <nav class="cats">{cats}</nav>'
                f'<form class="search" action="/search"><input name="q" placeholder="Search / 搜索">'
                f'<button>Search</button></form> <a href="/cart">Cart</a></header>')

    def route(self, path: str, query: dict, host: str) -> Response | None:
        if path == "/":
            return self.home()
        if path == "/sitemap.xml":
            return self.sitemap(host)
        if path == "/search":
            kw = _q(query, "q")
            page = _page_number(query, "page")
            items, total = self.cat.query(self.site, self.day, keyword=kw or None, page=page) if kw else ([], 0)
            return self.results(f"Search: {kw}", items, total, page, lambda n: "/search?" + urlencode({"q": kw, "page": n}))
        if path.startswith("/c/"):
            category = path[3:].strip("/")
            if category not in CATEGORIES:
                return None
            page = _page_number(query, "page")
            items, total = self.cat.query(self.site, self.day, category=category, page=page)
            return self.results(CATEGORY_NAMES[category][1], items, total, page,
                                lambda n: f"/c/{category}?page={n}", category)
        if path.startswith("/p/"):
            listing = self.cat.get(self.site, path[3:].strip("/"), self.day)
            return self.product(listing, host) if listing else None
        if path.startswith("/seller/"):
            return self.seller(path[8:].strip("/"))
        return None

    def robots(self, host: str) -> Response:
        return 200, TEXT, f"User-agent: *\nDisallow: /cart\n\nSitemap: http://{host}/sitemap.xml\n".encode(), {}

    def home(self) -> Response:
        cats = "".join(f'<li><a href="/c/{c}">{_e(CATEGORY_NAMES[c][1])} {_e(CATEGORY_NAMES[c][0])}</a></li>'
                       for c in CATEGORIES)
        return self.page("Home", f'<main><h1>GreenMart</h1><ul class="categories">{cats}</ul></main>')

    def sitemap(self, host: str) -> Response:
        urls = "".join(f"<url><loc>http://{host}/p/{lid}</loc></url>\n" for lid in self.cat.live_ids(self.site, self.day))
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{urls}</urlset>\n')
        return 200, "application/xml; charset=utf-8", body.encode("utf-8"), {}

    def results(self, heading: str, items: list[dict], total: int, page: int, link, category: str | None = None) -> Response:
        rows = "".join(
            f'<li class="result" data-id="{_e(it["id"])}"><a class="product-link" href="/p/{_e(it["id"])}">'
            f'<img src="{_e(it["images"][0])}" alt="" width="48" height="48"> <span class="name">{_e(it["title"])}</span></a>'
            f' <span class="price">{_e(it["price_text"])}</span> <span class="seller">{_e(it["seller"]["name"])}</span></li>'
            for it in items)
        pager = ""
        if page > 1:
            pager += f'<a class="prev" rel="prev" href="{_e(link(page - 1))}">‹ Previous</a> '
        pager += f'<span class="page">Page {page} of {self.pages_of(total)}</span>'
        if page * PER_PAGE < total:
            pager += f' <a class="next" rel="next" href="{_e(link(page + 1))}">Next ›</a>'
        crumb = (f'<nav class="breadcrumb" data-category="{category}"><a href="/">Home</a> › {_e(CATEGORY_NAMES[category][1])}</nav>'
                 if category else "")
        empty = "" if items else '<p class="no-results">No products found.</p>'
        return self.page(heading, f'<main>{crumb}<h1>{_e(heading)}</h1><p class="count">{total} products</p>'
                                  f'<ul class="results">{rows}</ul>{empty}<div class="pager">{pager}</div></main>')

    def product(self, it: dict, host: str) -> Response:
        base = f"http://{host}"
        seller = it["seller"]
        url = f"{base}/p/{it['id']}"
        cat_en = CATEGORY_NAMES[it["category"]][1]
        offer = {
            "@type": "Offer", "url": url, "price": f"{it['price']:.2f}", "priceCurrency": it["currency"],
            "availability": f"https://schema.org/{it['availability']}", "itemCondition": "https://schema.org/NewCondition",
            "seller": {"@type": "Organization", "name": seller["name"], "url": f"{base}/seller/{seller['id']}",
                       "aggregateRating": {"@type": "AggregateRating", "ratingValue": seller["rating"],
                                           "ratingCount": seller["rating_count"]}},
        }
        product: dict[str, Any] = {
            "@type": "Product", "@id": url + "#product", "name": it["title"], "description": it["description"],
            "image": [base + src for src in it["images"]], "category": cat_en, "url": url, "offers": offer,
            "additionalProperty": [{"@type": "PropertyValue", "name": k, "value": v} for k, v in it["attributes"]],
        }
        number = int("".join(c for c in it["id"] if c.isdigit()))
        if it["brand"]:
            product["brand"] = {"@type": "Brand", "name": it["brand"]} if number % 4 else it["brand"]
        if it["sku"]:
            product["sku"] = it["sku"]
        if it["gtin"]:
            product["gtin13"] = it["gtin"]
        crumbs = {"@type": "BreadcrumbList", "itemListElement": [
            {"@type": "ListItem", "position": 1, "name": "Home", "item": base + "/"},
            {"@type": "ListItem", "position": 2, "name": cat_en, "item": f"{base}/c/{it['category']}"}]}
        if number % 3 == 0:
            data = {"@context": "https://schema.org", "@graph": [crumbs, product]}
        else:
            data = {"@context": "https://schema.org", **product}
        jsonld = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
        b = self.broken
        cls = {"title": "pdp-name" if b else "product-title", "price": "pdp-price" if b else "amount",
               "seller": "merchant" if b else "seller-name"}
        specs = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in it["attributes"])
        gallery = "".join(f'<img src="{_e(src)}" alt="{_e(it["title"])}" width="48" height="48">' for src in it["images"])
        avail = "In stock" if it["availability"] == "InStock" else "Out of stock"
        body = (
            f'<nav class="breadcrumb" data-category="{it["category"]}"><a href="/">Home</a> › '
            f'<a href="/c/{it["category"]}">{_e(cat_en)}</a></nav>'
            f'<main class="product" data-product-id="{_e(it["id"])}">'
            f'<h1 class="{cls["title"]}">{_e(it["title"])}</h1>'
            f'<div class="brand">{_e(it["brand"] or "")}</div>'
            f'<div class="price"><span class="{cls["price"]}">{_e(it["price_text"])}</span></div>'
            f'<div class="availability">{avail}</div>'
            f'<div class="gallery">{gallery}</div>'
            f'<table class="specs">{specs}</table>'
            f'<div class="description">{_e(it["description"])}</div>'
            f'<aside class="seller" data-seller-id="{_e(seller["id"])}">Sold by '
            f'<a class="{cls["seller"]}" href="/seller/{_e(seller["id"])}">{_e(seller["name"])}</a> · '
            f'<span class="seller-location">{_e(seller["location"])}</span> · '
            f'<span class="seller-rating">{seller["rating"]}</span> '
            f'(<span class="seller-rating-count">{seller["rating_count"]}</span> ratings)</aside>'
            f'<form action="/cart" method="post"><button>Add to cart</button></form></main>')
        head = "" if b else f'<script type="application/ld+json">{jsonld}</script>'
        return self.page(it["title"], body, head=head)

    def seller(self, seller_id: str) -> Response | None:
        seller = self.cat.sellers(self.site).get(seller_id)
        if not seller:
            return None
        items, total = self.cat.query(self.site, self.day, seller_id=seller_id, per_page=50)
        rows = "".join(f'<li class="result"><a class="product-link" href="/p/{_e(it["id"])}">{_e(it["title"])}</a>'
                       f' <span class="price">{_e(it["price_text"])}</span></li>' for it in items)
        return self.page(seller.name, (
            f'<main class="seller-page" data-seller-id="{_e(seller.seller_id)}"><h1 class="seller-name">{_e(seller.name)}</h1>'
            f'<p>Location: <span class="seller-location">{_e(seller.location)}</span> · Rating '
            f'<span class="seller-rating">{seller.rating}</span> (<span class="seller-rating-count">{seller.rating_count}</span> ratings)</p>'
            f'<p class="count">{total} products</p><ul class="results">{rows}</ul></main>'))


# --------------------------------------------------------------------------- baihuo


class BaihuoApp(_App):
    site = "baihuo"
    title = "百货网"
    css = ("body{font-family:sans-serif;margin:0}.top{background:#d32f2f;color:#fff;padding:8px}.top a{color:#fff}"
           ".result{border-bottom:1px solid #eee;padding:6px}.price,.sale-price{color:#d32f2f}"
           "table.spec th,table.params th{background:#fafafa;text-align:left}main{padding:12px}")

    def header(self) -> str:
        cats = " ".join(f'<a href="/c/{c}">{_e(CATEGORY_NAMES[c][0])}</a>' for c in CATEGORIES)
        return (f'<div class="top"><a class="logo" href="/">百货网</a> {cats}'
                f'<form class="search" action="/s"><input name="kw" placeholder="搜索商品"><button>搜索</button></form>'
                f' <a href="/cart">购物车</a></div>')

    def robots(self, host: str) -> Response:
        return 200, TEXT, b"User-agent: *\nDisallow: /cart\nDisallow: /member/\n", {}

    def route(self, path: str, query: dict, host: str) -> Response | None:
        if path == "/":
            cats = "".join(f'<li><a href="/c/{c}">{_e(CATEGORY_NAMES[c][0])}</a></li>' for c in CATEGORIES)
            return self.page("首页", f'<main><h1>百货网</h1><ul class="cats">{cats}</ul></main>')
        if path == "/s":
            kw = _q(query, "kw")
            page = _page_number(query, "p")
            items, total = self.cat.query(self.site, self.day, keyword=kw, page=page) if kw else ([], 0)
            return self.results(f"“{kw}”的搜索结果", items, total, page, lambda n: "/s?" + urlencode({"kw": kw, "p": n}))
        if path.startswith("/c/"):
            category = path[3:].strip("/")
            if category not in CATEGORIES:
                return None
            page = _page_number(query, "p")
            items, total = self.cat.query(self.site, self.day, category=category, page=page)
            return self.results(CATEGORY_NAMES[category][0], items, total, page, lambda n: f"/c/{category}?p={n}", category)
        if path.startswith("/item/") and path.endswith(".html"):
            lid = path[6:-5]
            status = self.cat.status(self.site, lid, self.day)
            if status == "live":
                return self.item(self.cat.get(self.site, lid, self.day))
            if status == "removed":
                return self.page("商品已下架", '<main class="item-gone"><div class="gone-box"><h1>商品已下架</h1>'
                                             '<p>该商品已下架或不存在，去看看其他商品吧。</p><a href="/">返回首页</a></div></main>')
            return None
        if path.startswith("/shop/"):
            return self.shop(path[6:].strip("/"))
        return None

    def results(self, heading: str, items: list[dict], total: int, page: int, link, category: str | None = None) -> Response:
        rows = "".join(
            f'<div class="result" data-id="{_e(it["id"])}"><img src="{_e(it["images"][0])}" width="48" height="48" alt="">'
            f'<a class="title" href="/item/{_e(it["id"])}.html">{_e(it["title"])}</a>'
            f' <span class="price">{_e(it["price_text"])}</span>'
            f' <a class="shop" href="/shop/{_e(it["seller"]["id"])}">{_e(it["seller"]["name"])}</a>'
            f' <span class="loc">{_e(it["seller"]["location"])}</span></div>'
            for it in items)
        pages = self.pages_of(total)
        pager = "".join(f'<a class="num{" cur" if n == page else ""}" href="{_e(link(n))}">{n}</a> '
                        for n in range(max(1, page - 3), min(pages, page + 3) + 1))
        if page < pages and items:
            pager += f'<a class="next" href="{_e(link(page + 1))}">下一页</a>'
        crumb = (f'<div class="crumbs" data-category="{category}"><a href="/">首页</a> &gt; {_e(CATEGORY_NAMES[category][0])}</div>'
                 if category else "")
        empty = "" if items else '<p class="empty">没有找到相关商品</p>'
        return self.page(heading, f'<main>{crumb}<h1>{_e(heading)}</h1><p class="total">共 {total} 件商品</p>'
                                  f'<div class="results">{rows}</div>{empty}<div class="pager">{pager}</div></main>')

    def item(self, it: dict) -> Response:
        b = self.broken
        seller = it["seller"]
        title_tag = (f'<h1 class="goods-title">{_e(it["title"])}</h1>' if b else f'<h1 class="item-title">{_e(it["title"])}</h1>')
        price_tag = (f'<em class="sale-price">{_e(it["price_text"])}</em>' if b else f'<span class="price">{_e(it["price_text"])}</span>')
        rows = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in it["attributes"])
        gallery = "".join(f'<img src="{_e(src)}" width="48" height="48" alt="">' for src in it["images"])
        stock = "有货" if it["availability"] == "InStock" else "暂时缺货"
        body = (
            f'<div class="crumbs" data-category="{it["category"]}"><a href="/">首页</a> &gt; '
            f'<a href="/c/{it["category"]}">{_e(CATEGORY_NAMES[it["category"]][0])}</a> &gt; 商品详情</div>'
            f'<main class="item" data-id="{_e(it["id"])}">{title_tag}'
            f'<div class="price-box">价格：{price_tag} <span class="stock" data-availability="{it["availability"]}">{stock}</span>'
            f' <span class="sold">{_e(it["sales_text"])}</span></div>'
            f'<div class="gallery">{gallery}</div>'
            f'<h2>规格参数</h2><table class="{"params" if b else "spec"}">{rows}</table>'
            f'<h2>商品描述</h2><div class="desc"><p>{_e(it["description"])}</p></div>'
            f'<div class="shop"><a class="shop-name" href="/shop/{_e(seller["id"])}">{_e(seller["name"])}</a>'
            f' 所在地：<span class="loc">{_e(seller["location"])}</span>'
            f' 店铺评分：<span class="rating">{seller["rating"]}</span>'
            f'（<span class="rating-count">{seller["rating_count"]}</span>条评价）</div></main>')
        return self.page(it["title"], body)

    def shop(self, seller_id: str) -> Response | None:
        seller = self.cat.sellers(self.site).get(seller_id)
        if not seller:
            return None
        items, total = self.cat.query(self.site, self.day, seller_id=seller_id, per_page=50)
        rows = "".join(f'<div class="result" data-id="{_e(it["id"])}"><a class="title" href="/item/{_e(it["id"])}.html">'
                       f'{_e(it["title"])}</a> <span class="price">{_e(it["price_text"])}</span></div>' for it in items)
        return self.page(seller.name, (
            f'<main class="shop-page" data-shop-id="{_e(seller.seller_id)}"><h1 class="shop-name">{_e(seller.name)}</h1>'
            f'<p>所在地：<span class="loc">{_e(seller.location)}</span> 店铺评分：<span class="rating">{seller.rating}</span>'
            f'（<span class="rating-count">{seller.rating_count}</span>条评价）</p>'
            f'<p class="total">共 {total} 件商品</p><div class="results">{rows}</div></main>'))


# --------------------------------------------------------------------------- kuaigou


class KuaigouApp(_App):
    site = "kuaigou"
    title = "快购 KuaiGou"

    def page(self, title: str, body: str, status: int = 200, head: str = "") -> Response:
        doc = (f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
               f'<meta name="viewport" content="width=device-width, initial-scale=1">'
               f'<title>{_e(title)} - {_e(self.title)}</title><link rel="stylesheet" href="/static/app.css">{head}</head>'
               f'<body><header class="bar"><a class="logo" href="/">快购</a>'
               f'<form class="search" action="/search"><input name="q" placeholder="搜索"><button>搜索</button></form></header>'
               f"{body}</body></html>")
        return _html(status, doc)

    def shell(self, title: str, page: str, status: int = 200, **data: str) -> Response:
        attrs = "".join(f' data-{k}="{_e(v)}"' for k, v in data.items())
        layout = ' data-layout="v2"' if self.broken else ""
        body = (f'<div id="app" data-page="{page}"{layout}{attrs}><div id="results"></div><div id="item-detail"></div>'
                f'<div id="shop"></div><noscript>请启用 JavaScript / Please enable JavaScript.</noscript></div>'
                f'<script src="/static/app.js"></script>')
        return self.page(title, body, status)

    def route(self, path: str, query: dict, host: str) -> Response | None:
        if path == "/":
            cats = "".join(f'<li><a href="/c/{c}">{_e(CATEGORY_NAMES[c][0])}</a></li>' for c in CATEGORIES)
            return self.page("首页", f'<main id="home"><ul class="cats">{cats}</ul></main>')
        if path.startswith("/static/"):
            name = path[8:]
            if name in ("app.js", "app.css"):
                ctype = "application/javascript; charset=utf-8" if name.endswith(".js") else "text/css; charset=utf-8"
                return 200, ctype, (STATIC_DIR / f"kuaigou.{name.split('.')[1]}").read_bytes(), {}
            return None
        if path == "/search":
            return self.shell("搜索", "search")
        if path.startswith("/c/"):
            category = path[3:].strip("/")
            return self.shell(CATEGORY_NAMES[category][0], "category", category=category) if category in CATEGORIES else None
        if path.startswith("/item/"):
            lid = path[6:].strip("/")
            if self.cat.status(self.site, lid, self.day) != "live":
                return None
            return self.shell("商品详情", "item", id=lid)
        if path.startswith("/shop/"):
            sid = path[6:].strip("/")
            return self.shell("店铺", "shop", id=sid) if sid in self.cat.sellers(self.site) else None
        if path == "/api/search":
            kw = _q(query, "q")
            category = _q(query, "category") or None
            if category and category not in CATEGORIES:
                return _json(400, {"error": "unknown category"})
            page = _page_number(query, "page")
            items, total = (self.cat.query(self.site, self.day, keyword=kw or None, category=category, page=page)
                            if (kw or category) else ([], 0))
            nxt = None
            if page * PER_PAGE < total:
                nxt = ("/search?" + urlencode({"q": kw, "page": page + 1}) if kw
                       else f"/c/{category}?page={page + 1}")
            return _json(200, {"query": kw, "category": category, "page": page, "per_page": PER_PAGE, "total": total,
                               "pages": self.pages_of(total), "next": nxt,
                               "items": [self.card(it) for it in items]})
        if path.startswith("/api/item/"):
            listing = self.cat.get(self.site, path[10:].strip("/"), self.day)
            if not listing:
                return _json(404, {"error": "not found", "message": "商品不存在或已下架"})
            data = {k: listing[k] for k in ("id", "title", "brand", "category", "category_name", "price", "currency",
                                             "price_text", "availability", "description", "images", "sku", "gtin")}
            data["attributes"] = listing["attributes"]
            data["seller"] = {**listing["seller"], "url": f"/shop/{listing['seller']['id']}"}
            data["url"] = f"/item/{listing['id']}"
            return _json(200, data)
        if path.startswith("/api/shop/"):
            sid = path[10:].strip("/")
            seller = self.cat.sellers(self.site).get(sid)
            if not seller:
                return _json(404, {"error": "not found"})
            items, total = self.cat.query(self.site, self.day, seller_id=sid, per_page=50)
            return _json(200, {"seller": seller.public(), "total": total, "items": [self.card(it) for it in items]})
        return None

    @staticmethod
    def card(it: dict) -> dict:
        return {"id": it["id"], "title": it["title"], "price": it["price"], "price_text": it["price_text"],
                "image": it["images"][0], "url": f"/item/{it['id']}", "seller_name": it["seller"]["name"],
                "category": it["category"]}


APPS = {"greenmart": GreenmartApp, "baihuo": BaihuoApp, "kuaigou": KuaigouApp}
