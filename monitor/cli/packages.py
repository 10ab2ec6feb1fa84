"""The package half of `monitor evidence`: `verify PACKAGE` (a case or referral WACZ) and `keygen`
(the deployment's signing key). `monitor evidence` (monitor/cli/evidence.py) offers both."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from monitor.evidence import custody, signing
from monitor.export.package import check_custody, file_sha256, verify_package
from monitor.store import open_db, resolve_db_path
from monitor.store.db import durable_transaction

TRUSTED_KEY_HELP = ("A public key (PEM, e.g. the sender's signing-key.pem.pub) the package must be signed with. "
                    "Without it, beside a store the store's own signing key is the trusted one.")
TSA_CA_HELP = "The TSA's CA certificates (PEM) to check the timestamp against [env MONITOR_TSA_CA]."


def _configured_key(db_path: Path | None) -> Path | None:
    """The deployment's own key beside the store (its public half is a trusted key there)."""
    path = signing.key_path(db_path)
    return path if path.exists() else None


def report_package(package: Path, *, trusted_key: Path | None = None, tsa_ca: Path | None = None,
                   db_path: str | None = None) -> None:
    """`monitor evidence verify PACKAGE`: print each problem and warning, exit 1 on a problem."""
    console = Console(highlight=False, soft_wrap=True)  # a finding is one whole line
    store = resolve_db_path(db_path)
    beside_store = store.exists()
    own_key = _configured_key(store) if beside_store else None
    trusted = trusted_key or own_key
    try:
        report = verify_package(package, trusted_key=trusted, tsa_ca=tsa_ca)
    except signing.SigningError as exc:
        raise click.ClickException(str(exc)) from None
    if beside_store and not report.refused:
        db = open_db(store, migrate=False)
        try:
            found = check_custody(db, package, report)
            if found == "unknown" and not trusted_key and own_key and report.signed_by:
                report.problems.append(f"signed with this store's own key ({own_key}) but this store's custody log "
                                       "records no export of this file: it was not exported from here as it is")
            try:
                with durable_transaction(db):  # the check is an act on the evidence: the log keeps it, as a store check
                    custody.append(db, actor="cli", action="verify", obj=f"package:{package.name}",
                                   sha256=file_sha256(package),
                                   detail={"problems": len(report.problems), "warnings": len(report.warnings),
                                           "signed_by": report.signed_by, "timestamp": report.gen_time,
                                           "custody": found})
            except sqlite3.Error as exc:  # a store on read-only media: the check stands, unrecorded, and says so
                report.warnings.append(f"this check could not be written to the custody log of {store} ({exc})")
        finally:
            db.close()
    for problem in report.problems:
        console.print(f"[red]✗[/red] {escape(problem)}")
    for warning in report.warnings:
        console.print(f"[yellow]![/yellow] {escape(warning)}")
    if not report.ok:
        what = "refused" if report.refused else f"{len(report.problems)} problem(s)"
        console.print(f"[red]{what}[/red] in {escape(str(package))}.")
        sys.exit(1)
    parts = [f"{report.files} files match datapackage.json", f"{report.records} WARC records match their digests"]
    if report.signed_by:
        parts.append(f"signed by {report.signed_by}" + (f" (the trusted key {escape(str(trusted))})" if trusted
                                                        else ""))
    if report.gen_time:
        parts.append(f"timestamped {report.gen_time}")
    if report.custody:
        parts.append(f"recorded in the custody log ({escape(report.custody)})")
    console.print(f"[green]OK[/green]: {escape(str(package))}: " + "; ".join(parts) + ".")


@click.command()
@click.option("--key", "key_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the key [env MONITOR_SIGNING_KEY; default signing-key.pem beside the database].")
@click.option("--force", is_flag=True, help="Replace an existing key (packages signed with it then need its old "
                                            "fingerprint to be checked).")
@click.option("--show", is_flag=True, help="Create nothing: print the existing key's fingerprint (to publish it again).")
@click.pass_context
def keygen(ctx, key_file, force, show):
    """Create the deployment's Ed25519 signing key for case and referral packages, and print the
    fingerprint to publish.

    The private key is written with mode 0600 (PEM, PKCS #8), its public key beside it as
    KEY.pub. Every package exported afterwards is signed with it and carries the public key;
    recipients compare the fingerprint printed here (publish it, e.g. on your website or in the
    covering letter) with the one `monitor evidence verify` reports, or pass the .pub file as
    --trusted-key.

    Example:

        monitor evidence keygen

        monitor evidence keygen --key /etc/listing-monitor/signing-key.pem

        monitor evidence keygen --show
    """
    default = signing.key_path(resolve_db_path((ctx.obj or {}).get("db_path")))
    path = key_file or default
    if show:
        try:
            public = signing.load_public(path)
        except signing.SigningError as exc:
            raise click.ClickException(f"{exc}; create the key with `monitor evidence keygen`") from None
        click.echo(f"{path}: fingerprint (SHA-256 of the Ed25519 public key) {signing.fingerprint(public)}")
        return
    try:
        key = signing.generate(path, force=force)
    except signing.SigningError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"signing key written to {path} (mode 0600), public key to {path}.pub")
    click.echo(f"fingerprint (SHA-256 of the Ed25519 public key), publish it: {signing.fingerprint(key.public_key())}")
    if path.resolve() != default.resolve():
        click.echo(f"set MONITOR_SIGNING_KEY={path} where packages are exported", err=True)
