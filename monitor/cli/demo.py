"""`monitor demo`: start the demo marketplaces, crawl all three, and summarise."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter

import click
import uvicorn
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from monitor.demo.catalogue import ground_truth
from monitor.evidence import signing
from monitor.demo.marketplaces import MARKETPLACE_BASE_PORT, DemoMarketplaces
from monitor.review.accounts import AccountError, add_user, generate_password, set_password
from monitor.store import open_db, resolve_db_path
from monitor.web import create_app

DEMO_SITES = ("greenmart", "baihuo", "kuaigou")
PLANTED = ("counterfeit", "lookalike", "regulatory")


def report_flags(console: Console, db_path: str, day: int) -> tuple[int, int, int, int]:
    """Open flags by category and signal, and how many of the demo's planted cases were found."""
    db = open_db(db_path)
    flags = db.execute_returning_dicts(
        "SELECT l.site, l.listing_id, f.category, f.signal_names FROM flags f JOIN listings l ON l.id = f.listing "
        "WHERE f.status = 'open'")
    db.close()
    by_category = Counter(f["category"] or "-" for f in flags)
    by_signal = Counter(name for f in flags for name in (f["signal_names"] or "").split())
    table = Table("category", "open flags", title="Flags")
    for category, count in sorted(by_category.items()):
        table.add_row(category, str(count))
    console.print(table)
    table = Table("signal", "flags with it", title="Signals in open flags")
    for name, count in by_signal.most_common():
        table.add_row(name, str(count))
    console.print(table)
    flagged = {(f["site"], f["listing_id"]) for f in flags}
    truth = ground_truth(day=day)
    planted = [t for t in truth if t["truth"] in PLANTED]
    clean = [t for t in truth if t["truth"] not in PLANTED]
    found = sum((t["site"], t["listing_id"]) in flagged for t in planted)
    wrong = sum((t["site"], t["listing_id"]) in flagged for t in clean)
    console.print(f"planted cases found: {found} of {len(planted)}; genuine listings and hard negatives flagged: "
                  f"{wrong} of {len(clean)}")
    return found, len(planted), wrong, len(clean)


def crawl_subprocess(site: str, base_url: str, db_path: str, max_pages: int | None) -> subprocess.Popen:
    # One process per crawl: a Twisted reactor cannot restart, and a crash in one crawl
    # must not take the others down.
    cmd = [sys.executable, "-m", "monitor", "--db", db_path, "crawl", site, "--base-url", base_url]
    if max_pages:
        cmd += ["--max-pages", str(max_pages)]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@click.command()
@click.option("--day", default=1, show_default=True, type=click.IntRange(min=1),
              help="Which night the marketplaces show: prices move, listings vanish and reappear.")
@click.option("--max-pages", type=click.IntRange(min=1), help="Result pages per search.")
@click.option("--serve/--no-serve", default=True, help="Serve the review queue after the summary.")
@click.option("--port", default=8000, show_default=True, help="Port of the review app on 127.0.0.1.")
@click.pass_context
def demo(ctx, day, max_pages, serve, port):
    """Run the whole path on the bundled demo marketplaces.

    Starts three demo marketplaces on 127.0.0.1 (JSON-LD shop, plain-HTML bazaar with
    seller pages, JavaScript shop rendered in Chromium), crawls each in its own process
    (listings are scored as they are stored), prints listings per site, runs, flags by
    category and signal and how many planted cases were found, then serves the review
    queue with a demo login. Run it again with --day 2 to see a night pass: price changes,
    removals, relisting.

    Example:

        monitor demo --no-serve

        monitor --db /tmp/demo.db demo --day 2 --no-serve
    """
    # A pipe or a log file gets a wide table rather than 80 columns of wrapped cells.
    console = Console(highlight=False, width=None if sys.stdout.isatty() else 140)
    db_path = str(resolve_db_path(ctx.obj.get("db_path")))
    open_db(db_path).close()
    started = time.monotonic()
    markets = start_marketplaces(console, day, configured_ports=serve)
    try:
        _crawl_and_serve(console, db_path, day, max_pages, serve, port, markets, started)
    finally:
        markets.stop()


def _crawl_and_serve(console: Console, db_path: str, day: int, max_pages: int | None, serve: bool, port: int,
                     markets: DemoMarketplaces, started: float) -> None:
    failed = crawl_demo_sites(console, db_path, max_pages, markets)
    print_sites(console, db_path, day)
    db = open_db(db_path)
    total = db.execute("SELECT count(*) FROM listings WHERE site IN (?, ?, ?)", list(DEMO_SITES)).fetchone()[0]
    runs = db.execute("SELECT count(*) FROM crawl_runs").fetchone()[0]
    sellers = db.execute("SELECT count(*) FROM sellers").fetchone()[0]
    db.close()
    console.print(f"{total} listings from {len(DEMO_SITES)} marketplaces, {sellers} sellers, {runs} runs in all; "
                  f"took {time.monotonic() - started:.0f} s")
    report_flags(console, db_path, day)
    if failed:
        sys.exit(1)
    demo_signing_key(console, db_path)
    if serve:  # the marketplaces stay up: a complaint on a demo listing is crawled at once
        serve_review_app(console, db_path, port)


def start_marketplaces(console: Console, day: int, *, configured_ports: bool) -> DemoMarketplaces:
    """The demo marketplaces of DAY. Served for the review app, they listen on the ports
    monitor.yaml names (8101-8103, as `monitor marketplaces`), so that the listings' URLs are those
    of the configured sites and a complaint or re-check on one is crawled; otherwise (and when
    those ports are taken) on free ports."""
    if configured_ports:
        try:
            return DemoMarketplaces(host="127.0.0.1", base_port=MARKETPLACE_BASE_PORT, day=day).start()
        except OSError as exc:
            console.print(f"[yellow]warning:[/yellow] ports {MARKETPLACE_BASE_PORT}-{MARKETPLACE_BASE_PORT + 2} are "
                          f"taken ({exc.strerror}; is `monitor marketplaces` running?): the demo marketplaces run on "
                          "free ports, and complaints on their listings will not be crawled (monitor.yaml names "
                          f"{MARKETPLACE_BASE_PORT}-{MARKETPLACE_BASE_PORT + 2})")
    return DemoMarketplaces(host="127.0.0.1", base_port=None, day=day).start()


def demo_signing_key(console: Console, db_path: str) -> None:
    """A signing key for the demo's case and referral packages, made once beside its store, so
    the packages downloaded from the demo verify as signed (a deployment makes its own with
    `monitor evidence keygen` and publishes the fingerprint)."""
    path = signing.key_path(db_path)
    if path.exists():
        return
    key = signing.generate(path)
    console.print(f"demo signing key {path} (fingerprint {signing.fingerprint(key.public_key())}): "
                  "case and referral packages are signed with it")


def crawl_demo_sites(console: Console, db_path: str, max_pages: int | None, markets: DemoMarketplaces) -> list[str]:
    """Crawl each running demo marketplace in its own process; the sites whose crawl failed."""
    for site, url in markets.urls.items():
        console.print(f"demo marketplace [bold]{site}[/bold] at {url}")
    procs = {site: crawl_subprocess(site, markets.urls[site], db_path, max_pages) for site in DEMO_SITES}
    outputs = {}
    for site, proc in procs.items():
        out, _ = proc.communicate()
        outputs[site] = (proc.returncode, out)
    failed = [site for site, (code, _) in outputs.items() if code != 0]
    for site in failed:
        console.print(f"[red]crawl of {site} failed (exit {outputs[site][0]}):[/red]\n{escape(outputs[site][1])}")
    return failed


def print_sites(console: Console, db_path: str, day: int) -> None:
    """Listings per demo site and its last run: status, pages, new, changed, removed, flags, coverage."""
    db = open_db(db_path)
    table = Table("site", "listings", "last run", "status", "pages", "new", "changed", "removed", "flags", "errors",
                  "title/price coverage",
                  title=f"Demo, day {day} — database {db_path}")
    for site in DEMO_SITES:
        count = db.execute("SELECT count(*) FROM listings WHERE site = ?", [site]).fetchone()[0]
        found = db.execute_returning_dicts("SELECT * FROM crawl_runs WHERE site = ? ORDER BY id DESC LIMIT 1", [site])
        run = found[0] if found else None
        if run:
            cov = json.loads(run["coverage"] or "{}")
            table.add_row(site, str(count), str(run["id"]), run["status"], str(run["pages"]), str(run["listings_new"]),
                          str(run["listings_changed"]), str(run["listings_removed"]), str(run["flags_raised"]),
                          str(run["errors"]), f"{cov.get('title', 0):.0%} / {cov.get('price', 0):.0%}")
        else:
            table.add_row(site, str(count), "-", "no run", "", "", "", "", "", "", "")
    db.close()
    console.print(table)


def serve_review_app(console: Console, db_path: str, port: int) -> None:
    """The review queue on the demo's flags, with a demo account (a new password each run)."""
    password = generate_password()
    db = open_db(db_path)
    try:
        add_user(db, "demo", "lead", password, actor="demo")
    except AccountError:
        set_password(db, "demo", password, actor="demo")
    db.close()
    console.print(f"\nReview queue: http://127.0.0.1:{port}/  — log in as [bold]demo[/bold] with password "
                  f"[bold]{password}[/bold]  (Ctrl-C to stop)")
    uvicorn.run(create_app(db_path), host="127.0.0.1", port=port, server_header=False, log_level="warning")


COMMANDS = [demo]
