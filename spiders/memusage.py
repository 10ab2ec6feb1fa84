"""Scrapy's memory limit, measured on the crawl's own memory.

Scrapy's MemoryUsage reads ``ru_maxrss``, the PEAK resident size, and Linux keeps that figure
across fork and exec: a crawl started by a process that once held 2 GB (a scheduler after a
large import, a test worker after a bomb test) starts "over the limit" and is closed before its
first request. This extension reads the crawl's CURRENT resident size from /proc instead (the
peak where /proc is missing), so the limit judges what the crawl itself holds.
"""

from __future__ import annotations

import os

from scrapy.extensions.memusage import MemoryUsage

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def resident_bytes() -> int | None:
    """The current resident set size of this process, in bytes (None without /proc)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            return int(handle.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return None


class CurrentMemoryUsage(MemoryUsage):
    def get_virtual_size(self) -> int:
        current = resident_bytes()
        return current if current is not None else super().get_virtual_size()
