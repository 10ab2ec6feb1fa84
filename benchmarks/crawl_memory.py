"""Crawl memory: peak resident memory of a ~20,000-page profile crawl vs a bare Scrapy spider.

Usage: .venv/bin/python benchmarks/crawl_memory.py [--scale K] [--site greenmart] [--quick]

The demo marketplaces run in their own process (their memory is reported but not counted)
at ``scale`` K; the default, 200, gives ~19,800 listings on greenmart plus ~1,000 search
and category pages. Then, each in its own process:

1. real: ``run_crawl`` with the site's profile spider, StorePipeline into a fresh store;
2. bare: a plain ``scrapy.Spider`` fetching exactly the URLs the real crawl fetched.

Peak RSS is the crawl process's own high-water mark: ``getrusage(RUSAGE_SELF).ru_maxrss``
read by the child as it exits, cross-checked with ``/proc/<pid>/status`` VmHWM polled by
this process. Goal: the real crawl stays under 500 MB.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

from _common import DemoServer, machine, mib, parse_settings, run_crawl_child  # noqa: E402

GOAL_BYTES = 500 * 10**6  # "500 MB"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=200, help="demo catalogue scale (default 200: ~20,000 pages)")
    parser.add_argument("--site", default="greenmart", choices=("greenmart", "baihuo"))
    parser.add_argument("--quick", action="store_true", help="scale 2: a smoke run")
    parser.add_argument("--keep", type=Path, help="keep the store, URL list and logs here")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="an extra Scrapy setting for BOTH crawls (an experiment, e.g. CONCURRENT_ITEMS=16)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    extra = parse_settings(args.set)
    scale = 2 if args.quick else args.scale

    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-mem-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"machine: {machine()}")
    if extra:
        print(f"extra Scrapy settings, both crawls: {extra}")
    try:
        server = DemoServer(scale)
        with server as urls:
            site = args.site
            print(f"demo marketplaces (separate process), scale {scale}: {site} {urls[site]}")
            db = work / "monitor.db"
            url_list = work / "urls.txt"
            real = run_crawl_child("real", site=site, base_url=urls[site], db=db, urls_file=url_list,
                                           settings=extra)
            bare = run_crawl_child("bare", site=site, base_url=urls[site], db=db, urls_file=url_list,
                                           settings=extra)
            server_peak = server.peak_rss()
        ok = real.peak_rss < GOAL_BYTES
        status = real.run["status"] if real.run else "?"
        print(f"\n[{site}] {real.pages:,} pages, {real.items:,} listings stored (run {status}); "
              f"bare fetched {bare.pages:,} pages")
        print(f"  real crawl  peak RSS {mib(real.peak_rss):>9} ({real.peak_rss / 1e6:.0f} MB)  "
              f"{real.seconds:.1f}s, {real.pages_per_second:.0f} pages/s")
        print(f"  bare spider peak RSS {mib(bare.peak_rss):>9} ({bare.peak_rss / 1e6:.0f} MB)  "
              f"{bare.seconds:.1f}s, {bare.pages_per_second:.0f} pages/s")
        print(f"  real - bare = {mib(real.peak_rss - bare.peak_rss)}, real/bare = {real.peak_rss / bare.peak_rss:.2f}x")
        if server_peak:
            print(f"  (demo server process, not counted: peak RSS {mib(server_peak)})")
        print(f"  goal < 500 MB: {'met' if ok else 'MISSED'}")
        if args.json:
            print(json.dumps({"site": site, "scale": scale, "pages": real.pages, "listings": real.items,
                              "real_peak_rss": real.peak_rss, "bare_peak_rss": bare.peak_rss,
                              "server_peak_rss": server_peak, "real_seconds": real.seconds,
                              "bare_seconds": bare.seconds, "run_status": status}, indent=2))
        return 0 if ok and real.pages == bare.pages else 1
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
