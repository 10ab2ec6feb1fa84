"""`monitor export ...`: leads, case packages, takedown notices and referral packages for enforcement."""

from __future__ import annotations

import hashlib
import io
import re
import sys
from pathlib import Path

import click

from monitor.evidence import custody
from monitor.evidence.signing import SigningError
from monitor.evidence.timestamp import TimestampError
from monitor.export.case import CaseError, CaseSpec, build_case
from monitor.export.leads import LEAD_COLUMNS, LeadFilter, lead_rows
from monitor.export.package import file_sha256
from monitor.export.notices import NoticeError, NoticeRefused, NoticeRequest, prepare_notice, write_notice
from monitor.casework.referrals import KINDS as REFERRAL_KINDS, ReferralError as RecordError, create_referral, \
    find_referral
from monitor.export.referral import ReferralError, ReferralSpec, build_referral, organisation_from
from monitor.i18n import use_locale
from monitor.export.sheets import write_csv, write_json, write_xlsx
from monitor.store import open_db, resolve_db_path
from monitor.store.db import durable_transaction, write_transaction
from monitor.yamlfile import YamlError


@click.group()
def export():
    """Exports for enforcement: leads as CSV, XLSX or JSON, case packages, takedown notices,
    referral packages.

    Example:

        monitor export leads --status confirmed --format xlsx -o leads.xlsx
    """


@export.command()
@click.option("--status", default="confirmed", show_default=True,
              type=click.Choice(["open", "confirmed", "dismissed", "superseded", "all"]),
              help="Flag status (confirmed = confirmed counterfeit, infringement or regulatory violation).")
@click.option("--since", metavar="DATE", help="Decided (or, undecided, flagged) on or after this date, YYYY-MM-DD.")
@click.option("--category", help="Only this category.")
@click.option("--site", help="Only this site.")
@click.option("--analyst", help="Only verdicts by this analyst.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "json"]), default="csv", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write here (default: standard output for csv/json; required for xlsx).")
@click.pass_context
def leads(ctx, status, since, category, site, analyst, fmt, output):
    """One row per listing: site, URL, title, seller, price, marks, signals, score, verdict,
    analyst, decided at and the SHA-256 of its kept evidence.

    Text cells that a spreadsheet would run as a formula (starting with = + - @, tab or
    carriage return) are prefixed with an apostrophe in CSV and XLSX. The export is written
    to the custody log with the file's SHA-256.

    Example:

        monitor export leads --status confirmed --since 2026-11-01 --format xlsx -o leads.xlsx

        monitor export leads --analyst alice --format csv > alice.csv
    """
    if since and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", since):
        raise click.BadParameter(f"{since!r} is not a date; use YYYY-MM-DD, e.g. 2026-11-01", param_hint="--since")
    if fmt == "xlsx" and output is None:
        raise click.UsageError("--format xlsx needs -o FILE (a workbook is not text for the terminal)")
    db = open_db(ctx.obj.get("db_path"))
    rows = lead_rows(db, LeadFilter(status=status, since=since, category=category, site=site, analyst=analyst))
    if fmt == "xlsx":
        n = write_xlsx(rows, LEAD_COLUMNS, output)
        data = output.read_bytes()
    else:
        buffer = io.StringIO()
        n = (write_csv if fmt == "csv" else write_json)(rows, LEAD_COLUMNS, buffer)
        data = buffer.getvalue().encode("utf-8")
        if output:
            output.write_bytes(data)
        else:
            sys.stdout.write(buffer.getvalue())
    digest = hashlib.sha256(data).hexdigest()
    with durable_transaction(db):  # records an act already done
        custody.append(db, actor="cli", action="export", obj=f"leads:{output.name if output else 'stdout'}",
                       sha256=digest, detail={"format": fmt, "rows": n, "status": status, "since": since,
                                              "category": category, "site": site, "analyst": analyst})
    db.close()
    if output:
        click.echo(f"{n} leads written to {output} (SHA-256 {digest})", err=True)


@export.command()
@click.option("--seller", help="The seller id (as the site shows it); the package holds its confirmed listings.")
@click.option("--site", help="Only the seller's listings on this site.")
@click.option("--listing", "listings", multiple=True, type=int, help="A listing id (repeatable), instead of --seller.")
@click.option("--include-open", is_flag=True, help="Also listings whose flag is still open.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="The language of the cover pages (summary.html, summary.pdf); the data files are the same.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The WACZ file to write (FILE.wacz).")
@click.pass_context
def case(ctx, seller, site, listings, include_open, lang, output):
    """A case package: a WACZ 1.1.1 file with the kept WARC records (replayable in any WACZ
    viewer), a readable summary (HTML and PDF) and per listing the screenshots, extracted
    fields, signals and verdict history; datapackage.json lists every file's SHA-256.

    It is signed with the deployment's Ed25519 key (MONITOR_SIGNING_KEY; `monitor evidence
    keygen`) and timestamped by the RFC 3161 authority at MONITOR_TSA_URL; without either it
    says "not signed" / "not timestamped" and a warning is printed. The file's SHA-256 goes to
    the custody log. Check it anywhere with `monitor evidence verify PACKAGE.wacz`, and with
    `wacz validate -f PACKAGE.wacz`. The summary is in Chinese (--lang zh, the default) or
    English (--lang en), dates as that language writes them; listing.json and the manifest
    are data, the same in both.

    Example:

        monitor export case --seller gm-generic-1 -o case-gm-generic-1.wacz

        monitor export case --listing 12 --listing 40 --lang en -o case-en.wacz
    """
    if not seller and not listings:
        raise click.UsageError("name a seller (--seller ID) or listings (--listing ID ...)")
    path = resolve_db_path(ctx.obj.get("db_path"))
    db = open_db(path)
    try:
        summary = build_case(db, path, CaseSpec(seller=seller, site=site, listings=tuple(listings),
                                                include_open=include_open, lang=lang), output)
    except (CaseError, SigningError, TimestampError) as exc:
        db.close()
        raise click.ClickException(str(exc)) from None
    digest = _record_package(db, f"case:{output.name}", output, summary,
                             {"seller": seller, "site": site, "lang": lang})
    click.echo(f"{output}: {len(summary['listings'])} listing(s), {len(summary['files'])} files, "
               f"{_proof(summary)}, datapackage SHA-256 {summary['manifest_sha256']}, package SHA-256 {digest}")


def _record_package(db, obj: str, output: Path, summary: dict, detail: dict) -> str:
    """The package's whole-file SHA-256 in the custody log (what `evidence verify` beside the store
    compares a package with), the warnings on standard error; returns that SHA-256."""
    digest = file_sha256(output)
    with durable_transaction(db):  # the custody entry records an act already done: on disk before we say so
        custody.append(db, actor="cli", action="export", obj=obj, sha256=digest,
                       detail={**detail, "listings": summary["listings"], "files": len(summary["files"]),
                               "manifest_sha256": summary["manifest_sha256"], "format": "WACZ 1.1.1",
                               "signature": summary["signature"], "signed_by": summary["signed_by"],
                               "timestamp": summary["timestamp"], "timestamp_gen_time": summary["timestamp_gen_time"]})
    db.close()
    for warning in summary["warnings"]:
        click.echo(f"warning: {warning}", err=True)
    return digest


def _proof(summary: dict) -> str:
    signed = f"signed by key {summary['signed_by']}" if summary["signed_by"] else "NOT SIGNED"
    stamped = f"timestamped {summary['timestamp_gen_time']}" if summary["timestamp_gen_time"] else "NOT TIMESTAMPED"
    return f"{signed}, {stamped}"


@export.command()
@click.option("--platform", required=True, metavar="SITE", help="The site the notice goes to (its listings only).")
@click.option("--mark", required=True, help="The watched mark (as in rules/watchlist.csv, or one of its aliases).")
@click.option("--seller", "sellers", multiple=True, metavar="ID",
              help="A seller id on the platform (repeatable): its listings confirmed for the mark.")
@click.option("--listing", "listings", multiple=True, type=int, metavar="ID",
              help="A listing id (repeatable); each must be confirmed, on the platform and about the mark.")
@click.option("--rights-holder", "rights_holder", required=True, metavar="FILE",
              type=click.Path(dir_okay=False, path_type=Path),
              help="YAML naming the rights holder, contact and signatory (see rules/notices/rights_holder.example.yaml).")
@click.option("--registration", "registrations", multiple=True, metavar="NUMBER",
              help="A registration number of the mark, e.g. CN:1234567 (repeatable); replaces the watchlist's.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The notice to write (plain text, UTF-8).")
@click.pass_context
def notice(ctx, platform, mark, sellers, listings, rights_holder, registrations, lang, output):
    """A takedown notice to one platform, as plain text in Chinese or English: the rights
    holder, the mark and its registration numbers, each listing's URL with its reason (the
    verdict and the signals), a good-faith statement, a statement of accuracy and a signature
    block. Only listings with a confirmed verdict on that platform that concern the mark go in.

    The wording comes from rules/notices/PLATFORM.LANG.txt.j2, else default.LANG.txt.j2.
    Registration numbers come from the watchlist's `registrations` column unless given with
    --registration. A notice that would lack a part (a listing without URL, a mark without
    registration number, a listing without a confirmed verdict or signals) is refused: each
    missing part is named with how to supply it, nothing is written, exit code 1.

    The notice is recorded (status drafted; `monitor notices` tracks it) with the file's
    SHA-256, and written to the custody log.

    Example:

        monitor export notice --platform baihuo --mark Bosch --seller 10931 --rights-holder holder.yaml --registration CN:1234567 -o notice.txt

        monitor export notice --platform greenmart --mark Syngenta --listing 12 --listing 40 --rights-holder holder.yaml --lang en -o notice-en.txt
    """
    if not sellers and not listings:
        raise click.UsageError("name the listings: --seller ID or --listing ID (repeatable)")
    db = open_db(ctx.obj.get("db_path"))
    try:
        draft = prepare_notice(db, NoticeRequest(platform=platform, mark=mark, rights_holder=rights_holder,
                                                 sellers=tuple(sellers), listings=tuple(listings),
                                                 registrations=tuple(registrations), lang=lang))
        result = write_notice(db, draft, output)
    except NoticeRefused as exc:
        db.close()
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    except NoticeError as exc:
        db.close()
        raise click.ClickException(str(exc)) from None
    db.close()
    for warning in draft.warnings:
        click.echo(f"note: {warning}", err=True)
    if draft.skipped:
        click.echo(f"note: {draft.skipped} other listing(s) of the seller(s) on {platform} left out (no confirmed "
                   f"verdict concerning {draft.context['mark']['name']})", err=True)
    click.echo(f"notice {result['id']} ({result['reference']}): {result['listings']} listing(s) to {platform}, "
               f"written to {output} (SHA-256 {result['file_sha256']}); status drafted. After sending it: "
               f"monitor notices mark {result['id']} sent")


@export.command()
@click.option("--seller", required=True, metavar="ID", help="The seller id (as the site shows it).")
@click.option("--site", help="Only the seller's listings on this site (default: the seller id on every site).")
@click.option("--include-open", is_flag=True, help="Also listings whose flag is still open (default: confirmed only).")
@click.option("--rights-holder", "--organisation-file", "org_file", metavar="FILE",
              type=click.Path(dir_okay=False, path_type=Path),
              help="YAML with the issuing organisation (its organisation: section, else agent:, else rights_holder:).")
@click.option("--organisation", metavar="NAME", help="The issuing organisation, instead of (or overriding) the file.")
@click.option("--contact", metavar="TEXT", help="Contact for the case: person, phone, e-mail.")
@click.option("--case-ref", metavar="REF", help="The case reference (default: LM-R-<UTC time>-<seller>).")
@click.option("--to", "receiver", metavar="NAME", help="The receiving authority (接收机关), for the referral record.")
@click.option("--to-kind", "receiver_kind", type=click.Choice(REFERRAL_KINDS),
              help="The receiving authority's kind, for the referral record.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="The language of the cover pages (summary.html, summary.pdf); the data files are the same.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The WACZ file to write (FILE.wacz).")
@click.pass_context
def referral(ctx, seller, site, include_open, org_file, organisation, contact, case_ref, receiver, receiver_kind,
             lang, output):
    """A referral package for a market regulator or police unit (transfer of clues), for
    hand-over between agencies and regions: a signed, timestamped WACZ file (as `export case`)
    with package/referral.json (schema monitor/export/schemas/referral-2.json, validated
    before writing), a readable summary (package/summary.html, package/summary.pdf), the kept
    WARC records, and per listing the screenshots and listing.json, all listed with their
    SHA-256 in datapackage.json.

    It names the issuing organisation, contact, date and case reference; the seller's
    identity data found (shop names and URLs, seller ids per site, locations, phone numbers,
    WeChat / QQ ids, e-mail, unified social credit codes with their check character and
    province, business registration and licence numbers, addresses; each with the listing it
    came from, and other listings in the store showing the same number); the listings with
    their verdicts; notices already sent. Check it with `monitor evidence verify FILE.wacz`.
The summary is in Chinese (--lang zh, the default) or English (--lang en), dates as that
language writes them; referral.json is data, the same in both.

    The referral is recorded (state drafted, with the package's file name and SHA-256; see
    `monitor referrals`): --to and --to-kind name the receiving authority, or name it later.

    Example:

        monitor export referral --seller gm-generic-1 --rights-holder org.yaml -o referral.wacz

        monitor export referral --seller 10931 --site baihuo --organisation "XX市市场监督管理局" --contact "王科长 010-12345678" --case-ref XS-2026-014 --to "XX市公安局" --to-kind public_security -o referral.wacz

        monitor export referral --seller gm-generic-1 --rights-holder org.yaml --lang en -o referral-en.wacz
    """
    try:
        org = organisation_from(org_file, organisation, contact)
    except (ReferralError, YamlError) as exc:
        raise click.ClickException(str(exc)) from None
    path = resolve_db_path(ctx.obj.get("db_path"))
    db = open_db(path)
    if case_ref and find_referral(db, case_ref.strip()) is not None:
        db.close()
        raise click.ClickException(f"a referral with reference {case_ref.strip()!r} is recorded already "
                                   "(`monitor referrals list`); give another --case-ref")
    try:
        summary, document = build_referral(db, path, ReferralSpec(seller=seller, site=site, organisation=org,
                                                                  include_open=include_open,
                                                                  case_reference=case_ref, lang=lang), output)
    except (ReferralError, SigningError, TimestampError) as exc:
        db.close()
        raise click.ClickException(str(exc)) from None
    with use_locale("en"):  # the record's own problems, if any, in the CLI's language
        try:  # the package is written: its record goes in before the custody entry closes the store
            referral_id = create_referral(db, actor="cli", listings=summary["listings"], authority=receiver,
                                          authority_kind=receiver_kind, seller_site=site, seller_id=seller,
                                          reference=document["case_reference"], package_file=output.name,
                                          package_sha256=file_sha256(output), source="export")
        except RecordError as exc:
            db.close()
            raise click.ClickException(f"{output} was written, but its referral could not be recorded: {exc}; "
                                       "record it with `monitor referrals create`") from None
    digest = _record_package(db, f"referral:{output.name}", output, summary,
                             {"case_reference": document["case_reference"], "seller": seller, "site": site,
                              "lang": lang, "organisation": org.get("name"), "identifiers": len(document["identifiers"]),
                              "referral": referral_id})
    kinds: dict[str, int] = {}
    for g in document["identifiers"]:
        kinds[g["kind"]] = kinds.get(g["kind"], 0) + 1
    found = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in kinds.items()) or "no identity data in the text"
    click.echo(f"{output}: referral {document['case_reference']}, {len(summary['listings'])} listing(s), "
               f"{len(document['sellers'])} seller account(s), {found}; {len(summary['files'])} files, "
               f"{_proof(summary)}, datapackage SHA-256 {summary['manifest_sha256']}, package SHA-256 {digest}")
    click.echo(f"referral {referral_id} recorded (state drafted); move it on with `monitor referrals update` "
               "or in the review app")


COMMANDS = [export]
