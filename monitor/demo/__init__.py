"""Bundled demo marketplaces: three fake shops served over real HTTP on 127.0.0.1.

- ``monitor.demo.catalogue``: the listings, generated deterministically from the tables
  (``tables``, ``sellers``, ``listings``), with a hidden ground-truth label per listing (never
  served) for evaluating the rule engine.
- ``monitor.demo.shops``: each shop's pages and URL scheme.
- ``monitor.demo.marketplaces``: the HTTP servers (``DemoMarketplaces``).

Sites: ``greenmart`` (schema.org JSON-LD, sitemap, next links), ``baihuo`` (plain HTML,
CSS selectors, page parameter, 200 "商品已下架" pages for removed items) and ``kuaigou``
(pages rendered by JavaScript from JSON endpoints).
"""

from monitor.demo.catalogue import Catalogue, ground_truth
from monitor.demo.tables import CATEGORIES, SITES, TRUTH_LABELS

__all__ = ["CATEGORIES", "SITES", "TRUTH_LABELS", "Catalogue", "ground_truth", "DemoMarketplaces"]


def __getattr__(name: str):
    if name == "DemoMarketplaces":
        # lazy: the servers (http.server, the shop apps) only serve; the catalogue alone needs none of them
        from monitor.demo.marketplaces import DemoMarketplaces

        return DemoMarketplaces
    raise AttributeError(name)
