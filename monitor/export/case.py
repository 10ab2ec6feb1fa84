"""Case packages: a seller's confirmed listings (or chosen listings) with their evidence, as a
signed and timestamped WACZ file (see ``wacz``): a readable summary, the kept WARC records,
per listing the screenshots, the extracted fields, the signals and the verdict history."""

from __future__ import annotations

import hashlib
import io
import json
import os
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from sqlite_utils import Database
from warcio.archiveiterator import ArchiveIterator

from monitor import __version__
from monitor.evidence import signing
from monitor.evidence.paths import evidence_root, resolve
from monitor.evidence.warcfile import read_record
from monitor.export.package import safe_part
from monitor.export.wacz import WARC_NAME, WaczWriter
from monitor.export.words import capture_time, evidence_kind
from monitor.i18n import current, install_jinja, ngettext, use_locale
from monitor.i18n import gettext as _
from monitor.listing import utc_now
from monitor.rules.explain import category_words, explain, field_words, signal_words
from monitor.settings import env
from monitor.verdicts import status_label, verdict_label

HERE = Path(__file__).parent


class CaseError(ValueError):
    pass


@dataclass
class CaseSpec:
    seller: str | None = None
    site: str | None = None
    listings: tuple[int, ...] = ()
    include_open: bool = False  # also listings whose flag is still open (default: confirmed only)
    lang: str | None = None  # the cover pages' language (zh_CN, en); None: the current locale


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


def _member(f, offset: int, limit: int = 1 << 30) -> bytes:
    """The gzip member (one WARC record, as the store writes them) starting at ``offset``."""
    f.seek(offset)
    inflate, kept = zlib.decompressobj(31), bytearray()
    while not inflate.eof:
        chunk = f.read(1 << 16)
        if not chunk:
            raise ValueError(f"the gzip member at offset {offset} is cut short")
        inflate.decompress(chunk, 1 << 20)
        while inflate.unconsumed_tail:
            inflate.decompress(inflate.unconsumed_tail, 1 << 20)
        kept += chunk[: len(chunk) - len(inflate.unused_data)]
        if len(kept) > limit:
            raise ValueError(f"the record at offset {offset} is larger than {limit} bytes")
    return bytes(kept)


def _concurrent(source: Path, after: int, record_id: str | None) -> bytes | None:
    """The record right after a response or rendered record when it belongs to it (its request or
    navigation metadata, written with it): a replay tool and a reader want both."""
    if not record_id:
        return None
    try:
        with open(source, "rb") as f:
            data = _member(f, after)
        record = next(iter(ArchiveIterator(io.BytesIO(data))), None)
    except (OSError, ValueError, EOFError, zlib.error):
        return None
    if record is not None and record.rec_headers.get_header("WARC-Concurrent-To") == record_id:
        return data
    return None


def listing_folder(row: dict[str, Any]) -> str:
    # one folder deep (`wacz validate` reads names so), no dots (its file glob would take the folder for a file)
    return f"listing-{row['id']}-{safe_part(row['site'])}-{safe_part(row['listing_id'])}".replace(".", "_")


def pack_listing(db: Database, writer: WaczWriter, root: Path, row: dict[str, Any]) -> dict[str, Any]:
    """Add one listing to a package: its kept WARC records (with the request or navigation
    record written with each) to the package's WARC file, its screenshots and ``listing.json``
    (fields, flags, verdicts, observations, evidence) to its folder. Returns that record with
    ``folder``. Evidence that no longer matches its recorded hash is still packed (it is what
    there is), marked ``intact_at_packing: false``."""
    folder = listing_folder(row)
    record = _listing_record(db, row)
    kept = []
    for ev in db.execute_returning_dicts("SELECT * FROM evidence WHERE listing = ? ORDER BY id", [row["id"]]):
        try:
            source = resolve(root, ev["path"])
            if ev["offset"] is not None:
                with open(source, "rb") as f:
                    data = _member(f, ev["offset"])
                intact = read_record(source, ev["offset"]).raw_payload_sha256 == ev["sha256"]
            else:
                data = source.read_bytes()
                intact = hashlib.sha256(data).hexdigest() == ev["sha256"]
        except (OSError, ValueError, EOFError, zlib.error) as exc:
            kept.append({**ev, "packed_as": None, "intact_at_packing": False, "problem": str(exc)})
            continue
        if ev["offset"] is None:
            name = f"{folder}/evidence-{ev['id']}-screenshot.png"
            writer.add_file(name, data, describes=f"evidence {ev['id']}: {ev['kind']} of {ev['url']}")
            kept.append({**ev, "packed_as": name, "intact_at_packing": intact})
            continue
        packed = writer.add_record(data)
        with_it = _concurrent(source, ev["offset"] + len(data), ev.get("record_id"))
        if with_it is not None:
            writer.add_record(with_it)
        if ev["kind"] in ("response", "rendered") and packed.url:
            writer.add_page(packed.url, packed.date or ev["captured_at"], row.get("title"), row["id"])
        kept.append({**ev, "packed_as": WARC_NAME, "warc_offset": packed.offset, "warc_length": packed.length,
                     "intact_at_packing": intact})
    record["evidence"] = kept
    writer.add_file(f"{folder}/listing.json", json.dumps(record, ensure_ascii=False, indent=1, default=str).encode(),
                    describes=f"listing {row['id']}: fields, signals, verdicts, observations")
    return {**record, "folder": folder}


def package_settings(db_path: Path) -> dict[str, Any]:
    """The signing key, TSA and its CA the deployment configured (monitor/settings.py)."""
    return {"key_path": signing.key_path(db_path), "tsa_url": env("MONITOR_TSA_URL") or None,
            "tsa_ca": env("MONITOR_TSA_CA")}


def proof_sentence(settings: dict[str, Any]) -> str:
    """What the cover page may say the package proves, from what the deployment configured: a key
    that exists signs it, a TSA timestamps it (or the package is not written at all). A cover
    claiming a signature the package lacks would be the first thing a defence points at."""
    signed = bool(settings.get("key_path")) and Path(settings["key_path"]).exists()
    stamped = bool(settings.get("tsa_url"))
    if signed and stamped:
        return _("Every file of this package is listed with its SHA-256 in datapackage.json, which is signed "
                 "and timestamped in datapackage-digest.json (a WACZ file); check it with:")
    if signed:
        return _("Every file of this package is listed with its SHA-256 in datapackage.json, which is signed "
                 "in datapackage-digest.json (a WACZ file) but not timestamped; check it with:")
    if stamped:
        return _("Every file of this package is listed with its SHA-256 in datapackage.json, which is "
                 "timestamped in datapackage-digest.json (a WACZ file) but not signed; check it with:")
    return _("Every file of this package is listed with its SHA-256 in datapackage.json (a WACZ file); the "
             "package is neither signed nor timestamped, so it shows only that its files agree; check it with:")


def summary_of(result: dict[str, Any], meta: dict[str, Any]) -> dict[str, Any]:
    """What a caller reports and writes to the custody log about a package just written."""
    digest = result["digest"]
    signature, stamp = digest["signature"], digest["timestamp"]
    return {"listings": meta["listings"], "files": result["datapackage"]["resources"],
            "manifest_sha256": digest["hash"].removeprefix("sha256:"),
            "signed_by": signature.get("fingerprint"), "signature": signature["status"],
            "timestamp": stamp["status"], "timestamp_gen_time": stamp.get("gen_time"),
            "warnings": result["warnings"]}


def build_case(db: Database, db_path: Path, spec: CaseSpec, out: Path, *, actor: str = "cli") -> dict[str, Any]:
    """Write the package (a WACZ, see ``wacz``); returns its summary (``summary_of``). Evidence
    that no longer matches its recorded hash is still packed (it is what there is) but marked
    so in listing.json and the summary."""
    rows = case_listings(db, spec)
    root = evidence_root(db_path)
    created = utc_now()
    title = (f"Case: seller {spec.seller}" + (f" on {spec.site}" if spec.site else "")) if spec.seller and not \
        spec.listings else f"Case: {len(rows)} listing(s)"
    meta = {"package": "listing-monitor case", "created_by": actor, "crawler_version": __version__,
            "seller": spec.seller, "site": spec.site, "listings": [r["id"] for r in rows]}
    out = Path(out)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    writer = WaczWriter(tmp, title, meta, created)
    try:
        summary_items = [pack_listing(db, writer, root, row) for row in rows]
        with use_locale(spec.lang or current()):  # the cover pages in the reader's language
            page_meta = {**meta, "title": case_title(spec, len(rows)), "created_at": created,
                         "proof": proof_sentence(package_settings(db_path))}
            html = document_env().get_template("case.html").render(meta=page_meta, items=summary_items)
            pdf = case_pdf(page_meta, summary_items)
        writer.add_file("package/summary.html", html.encode(), describes="readable summary")
        writer.add_file("package/summary.pdf", pdf, describes="readable summary (PDF)")
        result = writer.close(**package_settings(db_path))
        os.replace(tmp, out)
    except BaseException:
        writer.abort()
        tmp.unlink(missing_ok=True)  # never leave half a package behind
        raise
    return summary_of(result, meta)


def document_env() -> jinja2.Environment:
    """The environment of the packages' cover pages: escaped, strict, translated (documents.po)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(HERE / "templates")), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    install_jinja(env)
    env.globals.update(explain=explain, verdict_label=verdict_label, status_label=status_label, signal_label=signal_words,
                       field_label=field_words, evidence_kind=evidence_kind)
    env.filters.update(captured=capture_time, category=category_words)
    return env


def case_title(spec: CaseSpec, n: int) -> str:
    if spec.seller and not spec.listings:
        if spec.site:
            return _("Case: seller %(seller)s on %(site)s", seller=spec.seller, site=spec.site)
        return _("Case: seller %(seller)s", seller=spec.seller)
    return ngettext("Case: %(num)d listing", "Case: %(num)d listings", n)


def case_pdf(meta: dict[str, Any], items: list[dict[str, Any]]) -> bytes:
    """The summary as PDF (monitor/export/pdf.py; fpdf2 is a required dependency)."""
    # lazy: fpdf2 costs ~0.5 s; the web app and `monitor export` import this module at start-up
    from monitor.export.pdf import case_summary_pdf

    return case_summary_pdf(meta, items)
