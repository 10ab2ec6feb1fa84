"""Crawl throughput: the real profile crawl (fetch, extract, store) vs a bare Scrapy spider.

Usage: .venv/bin/python benchmarks/crawl_throughput.py [--scale K] [--sites greenmart,baihuo] [--quick]

The demo marketplaces run in their own process at ``scale`` K (about 99 listings per site
per unit of K). For each site, in one run:

1. real: ``monitor.crawl.runner.run_crawl`` with the site's profile spider (search and
   category pages, listing pages, extraction, StorePipeline into a fresh SQLite store),
   in its own process; every URL it fetched is recorded.
2. bare: a plain ``scrapy.Spider`` in its own process that fetches exactly those URLs and
   does nothing with the responses.

Both with politeness off at cmdline priority (DOWNLOAD_DELAY=0, AUTOTHROTTLE_ENABLED=False,
CONCURRENT_REQUESTS=16, CONCURRENT_REQUESTS_PER_DOMAIN=16) and ROBOTSTXT_OBEY as the profile
says. Throughput is pages per second over Scrapy's elapsed_time_seconds (spider open to
close; interpreter start-up excluded). Goal: real >= 0.8x bare.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

from _common import DemoServer, machine, mib, parse_settings, run_crawl_child  # noqa: E402

GOAL = 0.8


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=20, help="demo catalogue scale (default 20: ~2,000 listings a site)")
    parser.add_argument("--sites", default="greenmart,baihuo", help="comma-separated http demo sites")
    parser.add_argument("--repeat", type=int, default=1, help="crawl pairs per site (real, bare, real, bare ...)")
    parser.add_argument("--quick", action="store_true", help="scale 1, greenmart only: a smoke run")
    parser.add_argument("--keep", type=Path, help="keep the store, URL lists and logs here")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="an extra Scrapy setting for BOTH crawls (an experiment, e.g. CONCURRENT_ITEMS=16)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    extra = parse_settings(args.set)
    scale = 1 if args.quick else args.scale
    sites = ["greenmart"] if args.quick else [s.strip() for s in args.sites.split(",") if s.strip()]

    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-crawl-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"machine: {machine()}")
    if extra:
        print(f"extra Scrapy settings, both crawls: {extra}")
    results = []
    try:
        server = DemoServer(scale)
        with server as urls:
            print(f"demo marketplaces (separate process), scale {scale}: "
                  + ", ".join(f"{s} {urls[s]}" for s in sites))
            for site in sites:
                for rep in range(args.repeat):
                    db = work / f"{site}-{rep}" / "monitor.db"
                    db.parent.mkdir(parents=True, exist_ok=True)
                    url_list = db.parent / "urls.txt"
                    cpu0 = server.cpu_seconds()
                    real = run_crawl_child("real", site=site, base_url=urls[site], db=db, urls_file=url_list,
                                           settings=extra)
                    cpu1 = server.cpu_seconds()
                    bare = run_crawl_child("bare", site=site, base_url=urls[site], db=db, urls_file=url_list,
                                           settings=extra)
                    cpu2 = server.cpu_seconds()
                    ratio = real.pages_per_second / bare.pages_per_second
                    status = real.run["status"] if real.run else "?"
                    results.append({
                        "site": site, "scale": scale, "pages": real.pages, "listings": real.items,
                        "real_seconds": round(real.seconds, 2), "bare_seconds": round(bare.seconds, 2),
                        "real_pages_per_s": round(real.pages_per_second, 1),
                        "bare_pages_per_s": round(bare.pages_per_second, 1), "ratio": round(ratio, 3),
                        "real_wall": round(real.wall, 2), "bare_wall": round(bare.wall, 2),
                        "real_peak_rss": real.peak_rss, "bare_peak_rss": bare.peak_rss, "run_status": status,
                        "real_cpu": round(real.cpu, 2), "bare_cpu": round(bare.cpu, 2),
                        "server_cpu_real": round(cpu1 - cpu0, 2), "server_cpu_bare": round(cpu2 - cpu1, 2),
                        "same_pages": real.pages == bare.pages,
                    })
                    print(f"\n[{site}] {real.pages:,} pages ({real.items:,} listings stored, run {status}); "
                          f"bare fetched {bare.pages:,} pages")
                    print(f"  real crawl  {real.seconds:7.2f}s  {real.pages_per_second:7.1f} pages/s  "
                          f"(process {real.wall:.1f}s, {real.cpu:.1f} CPU-s; server {cpu1 - cpu0:.1f} CPU-s; "
                          f"peak RSS {mib(real.peak_rss)})")
                    print(f"  bare spider {bare.seconds:7.2f}s  {bare.pages_per_second:7.1f} pages/s  "
                          f"(process {bare.wall:.1f}s, {bare.cpu:.1f} CPU-s; server {cpu2 - cpu1:.1f} CPU-s; "
                          f"peak RSS {mib(bare.peak_rss)})")
                    print(f"  real/bare = {ratio:.2f}x; goal {GOAL}x {'met' if ratio >= GOAL else 'MISSED'}")
        if args.json:
            print(json.dumps(results, indent=2))
        return 0 if all(r["same_pages"] and r["run_status"] in ("completed", "degraded") for r in results) else 1
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
