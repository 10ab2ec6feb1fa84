"""Captured pages made inert for viewing: no scripts, no live links, no outside loads.

The review app shows a captured page in a sandboxed frame under its own strict
Content-Security-Policy (no scripts, nothing loaded from anywhere); this is the layer before
that: the markup itself loses everything that could run, navigate or fetch. Loading the
seller's images or stylesheets would tell the seller an analyst is looking (and from where),
so those go too; link targets stay readable in a title attribute.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Comment

# Elements removed with their content.
_DROP = {"script", "noscript", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "link", "meta",
         "template", "portal", "audio", "video", "source", "track"}
# Attributes that load, navigate or submit somewhere.
_URL_ATTRS = {"src", "srcset", "href", "action", "formaction", "data", "poster", "background", "ping", "xlink:href",
              "codebase", "cite", "longdesc", "manifest", "lowsrc", "dynsrc", "srcdoc"}
_CSS_URL = re.compile(r"url\s*\(|@import|expression\s*\(", re.I)

BANNER = ("<div style=\"font:12px sans-serif;background:#fff3cd;color:#333;padding:4px 8px;border-bottom:1px solid #ccc\">"
          "Captured page, made inert: scripts, links and outside resources removed.</div>")


def inert_html(html: str | bytes) -> str:
    soup = BeautifulSoup(html, "html.parser")
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()  # conditional comments can carry markup for old engines
    for tag in soup.find_all(list(_DROP)):
        tag.decompose()
    for tag in soup.find_all(True):
        for name in list(tag.attrs):
            lower = name.lower()
            value = tag.attrs[name]
            text = " ".join(value) if isinstance(value, list) else str(value)
            if lower.startswith("on"):
                del tag.attrs[name]
            elif lower in _URL_ATTRS:
                del tag.attrs[name]
                if lower == "href" and text:
                    tag.attrs["title"] = f"link: {text}"[:500]
            elif lower == "style" and _CSS_URL.search(text):
                del tag.attrs[name]
        if tag.name == "style" and _CSS_URL.search(tag.get_text()):
            tag.string = _CSS_URL.sub("/*removed*/(", tag.get_text())
        if tag.name == "img":
            alt = tag.get("alt") or "image"
            tag.attrs = {"alt": f"[{alt}]"}
    styles = "".join(str(t) for t in (soup.head.find_all("style") if soup.head else []))
    body = soup.body or soup
    body.insert(0, BeautifulSoup(BANNER, "html.parser"))
    head = f'<!doctype html><html><head><meta charset="utf-8"><title>captured page</title>{styles}</head>'
    inner = "".join(str(c) for c in (soup.body.contents if soup.body else soup.contents))
    return head + "<body>" + inner + "</body></html>"
