"""Case packages: a seller's confirmed listings (or chosen listings) with their evidence, as a
self-checking zip (see ``package``): a readable summary, per listing the kept WARC records,
screenshots, the extracted fields, the signals and the verdict history."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from sqlite_utils import Database

from monitor import __version__
from monitor.evidence.paths import evidence_root, resolve
from monitor.evidence.warcfile import read_record
from monitor.export.package import PackageWriter, safe_part
from monitor.listing import utc_now

HERE = Path(__file__).parent


class CaseError(ValueError):
    pass


@dataclass
class CaseSpec:
    seller: str | None = None
    site: str | None = None
    listings: tuple[int, ...] = ()
    include_open: bool = False  # also listings whose flag is still open (default: confirmed only)


def _json(text, default):
    try:
        return json.loads(text) if text else default
    except ValueError:
        return default


def case_listings(db: Database, spec: CaseSpec) -> list[dict[str, Any]]:
    if spec.listings:
        marks = ", ".join("?" * len(spec.listings))
        rows = list(db.execute_returning_dicts(f"SELECT * FROM listings WHERE id IN ({marks}) ORDER BY id",
                                               list(spec.listings)))
        missing = set(spec.listings) - {r["id"] for r in rows}
        if missing:
            raise CaseError(f"no listing with id {', '.join(map(str, sorted(missing)))}")
        return rows
    if not spec.seller:
        raise CaseError("name a seller (--seller ID) or listings (--listing ID)")
    statuses = ("confirmed", "open") if spec.include_open else ("confirmed",)
    where = ["l.seller_id = ?"]
    params: list[Any] = [spec.seller]
    if spec.site:
        where.append("l.site = ?")
        params.append(spec.site)
    rows = list(db.execute_returning_dicts(
        f"SELECT l.* FROM listings l WHERE {' AND '.join(where)} AND EXISTS (SELECT 1 FROM flags f WHERE "
        f"f.listing = l.id AND f.status IN ({', '.join('?' * len(statuses))})) ORDER BY l.site, l.id",
        [*params, *statuses]))
    if not rows:
        sites = [r[0] for r in db.execute("SELECT DISTINCT site FROM listings WHERE seller_id = ?", [spec.seller])]
        hint = (f"the seller has listings on {', '.join(sites)} but none confirmed; review them first or pass "
                "--include-open") if sites else "no listing has this seller id; check `monitor export leads`"
        raise CaseError(f"no case for seller {spec.seller!r}{' on ' + spec.site if spec.site else ''}: {hint}")
    return rows


def _listing_record(db: Database, row: dict[str, Any]) -> dict[str, Any]:
    listing = {k: v for k, v in row.items()}
    listing["images"] = _json(row.get("images"), [])
    listing["attributes"] = _json(row.get("attributes"), {})
    flags = list(db.execute_returning_dicts("SELECT * FROM flags WHERE listing = ? ORDER BY id", [row["id"]]))
    for f in flags:
        f["signals"] = _json(f["signals"], [])
    reviews = list(db.execute_returning_dicts(
        "SELECT id, flag, verdict, reason, note, analyst, decided_at FROM reviews WHERE listing = ? ORDER BY id",
        [row["id"]]))
    history = list(db.execute_returning_dicts(
        "SELECT observed_at, run_id, source, http_status, title, price, currency, availability, seller_name "
        "FROM observations WHERE listing = ? ORDER BY observed_at", [row["id"]]))
    return {"listing": listing, "flags": flags, "verdicts": reviews, "observations": history}


def pack_listing(db: Database, writer: PackageWriter, root: Path, row: dict[str, Any]) -> dict[str, Any]:
    """Add one listing to a package: its kept WARC records and screenshots as files, and
    ``listing.json`` (fields, flags, verdicts, observations, evidence). Returns that record
    with ``folder`` (the listing's folder in the package). Evidence that no longer matches
    its recorded hash is still packed (it is what there is), marked ``intact_at_packing: false``."""
    folder = f"listings/{row['id']}-{safe_part(row['site'])}-{safe_part(row['listing_id'])}"
    record = _listing_record(db, row)
    kept = []
    for ev in db.execute_returning_dicts("SELECT * FROM evidence WHERE listing = ? ORDER BY id", [row["id"]]):
        try:
            source = resolve(root, ev["path"])
            with open(source, "rb") as f:
                if ev["offset"] is not None:
                    f.seek(ev["offset"])
                    data = f.read(ev["length"])
                    intact = read_record(source, ev["offset"]).raw_payload_sha256 == ev["sha256"]
                    name = f"{folder}/evidence-{ev['id']}-{safe_part(ev['kind'])}.warc.gz"
                else:
                    data = f.read()
                    intact = hashlib.sha256(data).hexdigest() == ev["sha256"]
                    name = f"{folder}/evidence-{ev['id']}-screenshot.png"
        except (OSError, ValueError) as exc:
            kept.append({**ev, "packed_as": None, "intact_at_packing": False, "problem": str(exc)})
            continue
        writer.add(name, data, describes=f"evidence {ev['id']}: {ev['kind']} of {ev['url']}")
        kept.append({**ev, "packed_as": name, "intact_at_packing": intact})
    record["evidence"] = kept
    writer.add(f"{folder}/listing.json",
               json.dumps(record, ensure_ascii=False, indent=1, default=str).encode(),
               describes=f"listing {row['id']}: fields, signals, verdicts, observations")
    return {**record, "folder": folder}


def build_case(db: Database, db_path: Path, spec: CaseSpec, out: Path, *, actor: str = "cli") -> dict[str, Any]:
    """Write the package; returns its manifest. Evidence that no longer matches its recorded
    hash is still packed (it is what there is) but marked so in listing.json and the summary."""
    rows = case_listings(db, spec)
    root = evidence_root(db_path)
    created = utc_now()
    title = (f"Case: seller {spec.seller}" + (f" on {spec.site}" if spec.site else "")) if spec.seller and not \
        spec.listings else f"Case: {len(rows)} listing(s)"
    meta = {"package": "listing-monitor case", "title": title, "created_at": created, "created_by": actor,
            "crawler_version": __version__, "seller": spec.seller, "site": spec.site,
            "listings": [r["id"] for r in rows]}
    writer = PackageWriter(out, meta)
    summary_items = []
    try:
        for row in rows:
            summary_items.append(pack_listing(db, writer, root, row))
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(HERE / "templates")), autoescape=True,
                                 undefined=jinja2.StrictUndefined)
        html = env.get_template("case.html").render(meta=meta, items=summary_items)
        writer.add("summary.html", html.encode(), describes="readable summary")
        writer.add("summary.pdf", case_pdf(meta, summary_items), describes="readable summary (PDF)")
    except BaseException:
        writer.zip.close()
        out.unlink(missing_ok=True)  # never leave half a package behind
        raise
    return writer.close()


def case_pdf(meta: dict[str, Any], items: list[dict[str, Any]]) -> bytes:
    """The summary as PDF (monitor/export/pdf.py; fpdf2 is a required dependency)."""
    # lazy: fpdf2 costs ~0.5 s; the web app and `monitor export` import this module at start-up
    from monitor.export.pdf import case_summary_pdf

    return case_summary_pdf(meta, items)
