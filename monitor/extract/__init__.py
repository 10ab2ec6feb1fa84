"""Generic listing extraction from one product page: structured data, profile selectors, prices."""

from monitor.extract.page import extract_listing
from monitor.extract.prices import Price, parse_price
from monitor.extract.selectors import apply_selectors
from monitor.extract.structured import extract_structured

__all__ = ["Price", "apply_selectors", "extract_listing", "extract_structured", "parse_price"]
