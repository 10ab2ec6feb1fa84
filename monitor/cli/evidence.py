"""`monitor evidence verify`: recompute the hash of everything kept and check the custody chain."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape


@click.group()
def evidence():
    """Evidence kept by the crawls (WARC files, screenshots) and its custody log.

    Example:

        monitor evidence verify
    """


@evidence.command()
@click.argument("package", required=False, type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.pass_context
def verify(ctx, package):
    """Recompute the SHA-256 of every kept record and screenshot and check the custody chain;
    or, given a PACKAGE.zip (a case or referral package), check that package on its own.

    Names each record whose file is missing, unreadable or changed, and each custody entry
    that was edited, removed or reordered. A package is checked against its manifest.json:
    every file's SHA-256, the manifest's own hash, no unlisted or missing file, no unsafe
    entry name. Exit code 1 when anything is wrong. A store check is written to the custody log.

    Example:

        monitor --db data/monitor.db evidence verify

        monitor evidence verify case-gm-generic-1.zip
    """
    if package is not None:
        _verify_package(package)
        return
    from monitor.evidence import custody
    from monitor.evidence.paths import evidence_root
    from monitor.evidence.verify import verify_store
    from monitor.store import open_db, resolve_db_path
    from monitor.store.db import write_transaction

    console = Console(highlight=False, stderr=False)
    path = resolve_db_path(ctx.obj.get("db_path"))
    if not path.exists():
        raise click.ClickException(f"no database at {path}; pass --db or set MONITOR_DB")
    db = open_db(path)
    root = evidence_root(path)
    report = verify_store(db, root)
    with write_transaction(db):
        custody.append(db, actor="cli", action="verify", obj=f"store:{path.name}",
                       detail={"checked": report.checked, "files": len(report.files),
                               "problems": len(report.problems)})
    db.close()
    for problem in report.problems:
        console.print(f"[red]✗[/red] {escape(problem)}")
    if report.ok:
        console.print(f"[green]OK[/green]: {report.checked} records in {len(report.files)} files under {escape(str(root))} "
                      "match their SHA-256; the custody chain is intact.")
        return
    console.print(f"[red]{len(report.problems)} problem(s)[/red] in {report.checked} records.")
    sys.exit(1)


def _verify_package(package: Path) -> None:
    from monitor.export.package import verify_package

    console = Console(highlight=False)
    report = verify_package(package)
    for problem in report.problems:
        console.print(f"[red]✗[/red] {escape(problem)}")
    if report.ok:
        sha = report.manifest.get("manifest_sha256", "") if report.manifest else ""
        console.print(f"[green]OK[/green]: {report.files} files in {escape(str(package))} match manifest.json "
                      f"(manifest SHA-256 {sha}).")
        return
    console.print(f"[red]{len(report.problems)} problem(s)[/red] in {escape(str(package))}.")
    sys.exit(1)


COMMANDS = [evidence]
