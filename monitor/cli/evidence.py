"""`monitor evidence verify`: recompute the hash of everything kept and check the custody chain;
`monitor evidence capture`: a browser capture of newly flagged listings."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from monitor.cli.runs import parse_since
from monitor.crawl.browser import BrowserNotFound
from monitor.evidence import custody
from monitor.evidence.capture import capture_flagged, capture_stem, flagged_targets
from monitor.evidence.paths import evidence_root
from monitor.evidence.verify import seal_late, verify_store
from monitor.cli.packages import TRUSTED_KEY_HELP, TSA_CA_HELP, keygen, report_package
from monitor.store import open_db, resolve_db_path
from monitor.store.db import durable_transaction
from spiders.settings import USER_AGENT


@click.group()
def evidence():
    """Evidence kept by the crawls (WARC files, screenshots) and its custody log.

    Example:

        monitor evidence verify

        monitor evidence capture --run 42
    """


@evidence.command()
@click.argument("package", required=False, type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--trusted-key", type=click.Path(dir_okay=False, exists=True, path_type=Path), help=TRUSTED_KEY_HELP)
@click.option("--tsa-ca", type=click.Path(dir_okay=False, exists=True, path_type=Path), help=TSA_CA_HELP)
@click.pass_context
def verify(ctx, package, trusted_key, tsa_ca):
    """Check every evidence file, every WARC record and the custody chain; or, given a
    PACKAGE (a case or referral package), check that package on its own.

    Streams every file under the evidence folder: its SHA-256 against the seal the custody log
    took when the file was finished (nothing appended, nothing cut), every WARC record's block
    and payload digests, the record count; files on disk the log does not know and sealed files
    that are gone; each evidence row's record; and the custody chain. Names the file, the record
    (offset, WARC-Record-ID) or the custody entry of each problem, and what to do.

    A PACKAGE (a case or referral WACZ) is checked on its own: every file's SHA-256 against
    datapackage.json, the Ed25519 signature (against --trusted-key, or beside a store its own
    signing key), the RFC 3161 timestamp (against --tsa-ca), every WARC record's digests, entry
    sizes and packing ratios (a zip bomb is refused), and, beside the store, its export entry in
    the custody log. Exit code 1 when anything is wrong. A store check is written to the
    custody log.

    Example:

        monitor --db data/monitor.db evidence verify

        monitor evidence verify case-gm-generic-1.wacz --trusted-key signing-key.pem.pub
    """
    if package is not None:
        _verify_package(package)
        return
    console = Console(highlight=False, stderr=False, soft_wrap=True)  # a problem is one whole line
    path = resolve_db_path(ctx.obj.get("db_path"))
    if not path.exists():
        raise click.ClickException(f"no database at {path}; pass --db or set MONITOR_DB")
    db = open_db(path)
    try:
        root = evidence_root(path)
        report = verify_store(db, root)
        with durable_transaction(db):
            custody.append(db, actor="cli", action="verify", obj=f"store:{path.name}",
                           detail={"checked": report.checked, "records": report.records,
                                   "files": len(report.files), "problems": len(report.problems)})
    finally:
        db.close()
    for problem in report.problems:
        console.print(f"[red]✗[/red] {escape(problem)}")
    counts = (f"{len(report.files)} files under {escape(str(root))}, {report.records} WARC records, "
              f"{report.checked} evidence rows")
    late = (f" {len(report.late)} file(s) were sealed late (`monitor evidence seal`), not when captured: "
            f"{escape(', '.join(sorted(report.late)[:5]))}{' …' if len(report.late) > 5 else ''}.") if report.late else ""
    if report.ok:
        console.print(f"[green]OK[/green]: {counts}: every file matches its seal in the custody log, every record "
                      f"its digests, every row its record; the custody chain is intact.{late}")
        return
    console.print(f"[red]{len(report.problems)} problem(s)[/red] in {counts}.{late}")
    sys.exit(1)


@evidence.command()
@click.option("--dry-run", is_flag=True, help="List what would be sealed and what is refused; write nothing.")
@click.pass_context
def seal(ctx, dry_run):
    """Seal evidence files the custody log does not cover, after checking them.

    A file without a seal (kept before seals were, or by a crawl killed before it closed its
    file) and the unsealed end of a file whose sealed start is intact are sealed in the custody
    log, marked late, with who sealed them: only when every WARC record passes its digests. A
    file whose sealed part changed, or whose records do not pass, is refused and named (restore
    it from a backup). `monitor evidence verify` then passes, and says which files were sealed
    late. Exit code 1 when any file is refused.

    Example:

        monitor evidence seal --dry-run

        monitor --db data/monitor.db evidence seal
    """
    console = Console(highlight=False, soft_wrap=True)
    path = resolve_db_path(ctx.obj.get("db_path"))
    if not path.exists():
        raise click.ClickException(f"no database at {path}; pass --db or set MONITOR_DB")
    db = open_db(path)
    try:
        done, refused = seal_late(db, evidence_root(path), actor="cli", apply=not dry_run,
                                  detail={"os_user": getpass.getuser(), "by": "monitor evidence seal"})
    finally:
        db.close()
    verb = "would seal" if dry_run else "sealed late"
    for late in done:
        part = f"bytes {late.sealed_before}-{late.size}" if late.sealed_before else f"{late.size} bytes"
        records = f", {late.records} records" if late.records is not None else ""
        console.print(f"[green]✓[/green] {escape(late.relative)}: {verb} ({part}{records}, SHA-256 {late.sha256})")
    for problem in refused:
        console.print(f"[red]✗[/red] refused: {escape(problem)}")
    console.print(f"{len(done)} file(s) {verb}, {len(refused)} refused.")
    if refused:
        sys.exit(1)


@evidence.command()
@click.option("--run", "run_id", type=int, metavar="RUN_ID", help="Listings whose open flag this crawl run raised.")
@click.option("--since", metavar="TIME",
              help="Listings with an open flag raised since: a date, a date-time (UTC) or an age such as 24h or 7d.")
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True,
              help="Capture at most this many listings (highest queue priority first).")
@click.option("--allow-private", is_flag=True, help="Allow private, loopback and link-local addresses.")
@click.option("--timeout", type=click.IntRange(min=1), default=30, show_default=True,
              help="Seconds for each page's navigation (and again for its screenshot).")
@click.pass_context
def capture(ctx, run_id, since, limit, allow_private, timeout):
    """Open newly flagged listings in headless Chromium and keep a full-page screenshot and the
    rendered page, tied to the listing's response record.

    Takes the listings with an open flag raised by crawl run RUN_ID (or since a time) that
    have no screenshot yet. Each page is fetched with the crawler's User-Agent, only where
    robots.txt allows it, through the network guard, without images, fonts or media; it is
    kept in warc/<site>/capture-run-<id>.warc.gz (rendered HTML, navigation status and
    headers) with the screenshot beside it, recorded in the evidence table (the rendered
    record refers to the listing's latest response record) and in the custody log. A listing
    that fails is reported and the others go on. Exit code 1 when any failed (or SIGTERM ended the batch).

    A scheduled job with capture_flagged: true runs this after each completed or degraded run.

    Example:

        monitor evidence capture --run 42

        monitor evidence capture --since 24h --limit 20 --allow-private
    """
    if (run_id is None) == (since is None):
        raise click.UsageError("give --run RUN_ID or --since TIME (one of them)")
    since_utc = parse_since(since) if since else None
    console = Console(highlight=False, soft_wrap=True)  # one line per listing, whole, also in log files
    path = resolve_db_path(ctx.obj.get("db_path"))
    if not path.exists():
        raise click.ClickException(f"no database at {path}; pass --db or set MONITOR_DB")
    db = open_db(path)
    try:
        try:
            targets, already = flagged_targets(db, run_id=run_id, since=since_utc)
        except LookupError as exc:
            raise click.ClickException(str(exc)) from None
        which = f"run {run_id}" if run_id is not None else f"since {since_utc}"
        more = max(0, len(targets) - limit)
        targets = targets[:limit]
        console.print(f"{len(targets)} newly flagged listing(s) of {which} to capture"
                      + (f" ({more} more over --limit {limit})" if more else "")
                      + (f"; {already} already have a screenshot" if already else "") + ".")
        outcome = _capture(console, db, evidence_root(path), targets, run_id=run_id, allow_private=allow_private,
                           timeout=timeout)
    finally:
        db.close()
    print_capture_outcome(console, outcome, len(targets), already)
    if outcome.failed or outcome.interrupted:
        sys.exit(1)


def _capture(console: Console, db, root: Path, targets, *, run_id, allow_private: bool, timeout: int):
    """Capture TARGETS in the browser, one line per listing; a browser that does not start is one error line."""
    marks = {"captured": "[green]✓[/green]", "skipped": "[yellow]-[/yellow]", "failed": "[red]✗[/red]"}

    def report(status, target, text):
        console.print(f"{marks[status]} {escape(target.name)} {status}: {escape(text)}")

    try:
        return capture_flagged(db, root, targets, run_id=run_id, stem=capture_stem(run_id), user_agent=USER_AGENT,
                               allow_private=allow_private, timeout=timeout, report=report)
    except BrowserNotFound as exc:
        raise click.ClickException(str(exc)) from None
    except Exception as exc:  # noqa: BLE001 - the browser did not start: say so, in one line
        raise click.ClickException(f"the browser could not be started or failed: "
                                   f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0]}") from None


def print_capture_outcome(console: Console, outcome, tried: int, already: int) -> None:
    """The batch's totals, skipped listings by kind, the files written, and what an interruption left."""
    kinds: dict[str, int] = {}
    for _, kind, _why in outcome.skipped:
        kinds[kind] = kinds.get(kind, 0) + 1
    skipped = f"skipped {len(outcome.skipped)}" + (
        f" ({', '.join(f'{kind} {n}' for kind, n in kinds.items())})" if kinds else "")
    files = ", ".join(sorted(outcome.files))
    console.print(f"Captured {len(outcome.captured)}, {skipped}, failed {len(outcome.failed)}"
                  + (f", already captured {already}" if already else "")
                  + (f" ({escape(files)})" if files else "") + ".")
    if outcome.interrupted:
        untried = tried - len(outcome.captured) - len(outcome.skipped) - len(outcome.failed)
        console.print(f"[red]Interrupted[/red] ({escape(outcome.interrupted)}): {untried} listing(s) not tried.")


def _verify_package(package: Path) -> None:
    """A case or referral package (monitor/cli/packages.py), with verify's --trusted-key and --tsa-ca."""
    ctx = click.get_current_context()
    report_package(package, trusted_key=ctx.params.get("trusted_key"), tsa_ca=ctx.params.get("tsa_ca"),
                   db_path=(ctx.obj or {}).get("db_path"))


evidence.add_command(keygen)
COMMANDS = [evidence]
