"""Crawling the page a complaint names, at once, through the crawl path every crawl takes.

Which site: the profile whose base URL (or a monitor.yaml job's ``base_url`` for it, the way a
deployment points a profile at its host) has the URL's host and port; failing that, the one
profile whose ``allowed_domains`` hold the host. How: ``run_crawl`` with that profile's spider
and ``listing_url`` (one page, no search), in a process of its own (a Twisted reactor runs once
per process, and the web app must not host one), so the page goes through the network guard,
the evidence middleware (WARC), the store pipeline and scoring like any crawled page.

The listing keeps the URL the store has for it: the complainant's copy of the address (a link
shared with ?spm=...&utm_source=..., a trailing slash) fetches the page, and the complaint keeps
it, but the run stores the listing under its stored URL (a listing first met this way: the URL
without its tracking parameters, ``strip_tracking``). Left to the crawl, each complaint would
rewrite the listing's URL to the form its complainant pasted.

``python -m monitor.casework.complaints_crawl --db DB --site SITE --url URL`` is that process.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from monitor.casework.complaints_rules import ComplaintSettings
from monitor.crawl.profile import find_profile, load_profile, profile_paths
from monitor.listing import Listing
from monitor.store import open_db
from monitor.urls import strip_tracking
from monitor.yamlfile import YamlError



@dataclass(frozen=True)
class SiteMatch:
    site: str
    base_url: str | None  # the base URL to point the profile at (a deployment's override), else None
    allow_private: bool


def _netloc(url: str) -> tuple[str, int | None]:
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    return (parts.hostname or "").lower(), parts.port or default


def match_site(url: str, settings: ComplaintSettings) -> SiteMatch | None:
    """The known site whose host serves ``url``, or None (see the module's docstring)."""
    where = _netloc(url)
    exact: list[SiteMatch] = []
    by_domain: list[SiteMatch] = []
    for override in settings.overrides:
        if _netloc(override.base_url) == where:
            exact.append(SiteMatch(override.site, override.base_url, override.allow_private))
    for site, path in sorted(profile_paths().items()):
        try:
            profile = load_profile(path)
        except YamlError:
            continue  # a broken profile is refused loudly by `monitor sites`; it cannot match
        if profile.base_url and _netloc(profile.base_url) == where:
            exact.append(SiteMatch(site, None, profile.allow_private))
        elif any(where[0] == d or where[0].endswith("." + d) for d in profile.allowed_domains):
            by_domain.append(SiteMatch(site, None, profile.allow_private))
    sites = {m.site for m in exact}
    if len(sites) == 1:
        return exact[0]
    if not exact and len({m.site for m in by_domain}) == 1:
        return by_domain[0]
    return None


@dataclass(frozen=True)
class CrawlResult:
    ok: bool
    run_id: int | None
    status: str | None
    note: str


def crawl_listing(db_path: str | Path, match: SiteMatch, url: str, *, time_limit: int) -> CrawlResult:
    """Crawl ``url`` with ``match``'s profile spider in a child process; the run's outcome."""
    cmd = [sys.executable, "-m", "monitor.casework.complaints_crawl", "--db", str(db_path), "--site", match.site,
           "--url", url, "--time-limit", str(time_limit)]
    if match.base_url:
        cmd += ["--base-url", match.base_url]
    if match.allow_private:
        cmd.append("--allow-private")
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=time_limit + 60)
    except subprocess.TimeoutExpired:
        return CrawlResult(False, None, None, f"the crawl of {url} did not end within {time_limit + 60} s")
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        return CrawlResult(False, None, None, f"the crawl process exited {proc.returncode}: {' '.join(tail)[:500]}")
    out = json.loads(lines[-1])
    return CrawlResult(bool(out.get("ok")), out.get("run"), out.get("status"), out.get("note") or "")


def stored_url(db_path: str | Path, site: str, listing_id: str) -> str | None:
    """The URL the store has for the listing, or None for a listing it does not know yet."""
    db = open_db(db_path, migrate=False)
    try:
        row = db.execute("SELECT url FROM listings WHERE site = ? AND listing_id = ?", [site, listing_id]).fetchone()
    finally:
        db.close()
    return row[0] if row and row[0] else None


def keeping_stored_url(spider: type) -> type:
    """The profile spider whose listing keeps its stored URL (see the module's docstring); the
    page is fetched, and kept as evidence, at the complaint's address all the same."""

    class ComplaintSpider(spider):
        def parse_listing(self, response):
            for item in super().parse_listing(response):
                if isinstance(item, Listing):
                    url = stored_url(self.settings.get("MONITOR_DB"), item.site, item.listing_id)
                    item = dataclasses.replace(item, url=url or strip_tracking(item.url))
                yield item

    return ComplaintSpider


def main(argv: list[str] | None = None) -> int:
    # lazy: Scrapy and the spiders load only in this child process, never in the web app
    from monitor.crawl.runner import run_crawl
    from spiders.sites import spider_class

    parser = argparse.ArgumentParser(prog="python -m monitor.casework.complaints_crawl",
                                     description="Crawl one listing page a complaint names (prints the run as JSON).")
    parser.add_argument("--db", required=True)
    parser.add_argument("--site", required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--base-url")
    parser.add_argument("--allow-private", action="store_true")
    parser.add_argument("--time-limit", type=int, default=120)
    args = parser.parse_args(argv)
    profile = find_profile(args.site)
    kwargs = {"listing_url": args.url, "base_url": args.base_url, "allow_private": args.allow_private,
              "recheck": False}
    outcome = run_crawl(keeping_stored_url(spider_class(profile)), kwargs, db_path=args.db, site=args.site,
                        time_limit=args.time_limit)
    run = outcome.run or {}
    note = run.get("finish_reason") or ""
    if outcome.run is None:
        note = f"the crawl did not start; see {outcome.log_path}"
    print(json.dumps({"ok": outcome.ok, "run": run.get("id"), "status": run.get("status"), "note": note}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
