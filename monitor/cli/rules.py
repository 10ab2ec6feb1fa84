"""`monitor rules`, `monitor watchlist`, `monitor prices`, `monitor score`, `monitor rescore`."""

from __future__ import annotations

import csv
import json
import sys
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import click

from monitor.categories import known_categories
from monitor.categories import rules_dir as default_rules
from monitor.cli._output import blocklist_counts
from monitor.ingest.normalise import RowError, normalise_row
from monitor.export.sheets import sheet_text
from monitor.ingest.parse import read_file, read_records
from monitor.listing import utc_now
from monitor.rules import normalise as text_fold  # its T2S_PROBLEM is read when the check runs
from monitor.rules.packs import RulePackError, load_packs
from monitor.rules.prices import load_prices, merge_prices, write_prices
from monitor.rules.watchlist import COLUMNS, load_watchlist, write_watchlist
from monitor.yamlfile import YamlError


def _load(rules_dir, **overrides):
    try:
        return load_packs(rules_dir, **overrides)
    except RulePackError as exc:
        click.echo(f"error: the rule packs are invalid and were not used:\n{exc}", err=True)
        sys.exit(2)


@click.group()
def rules():
    """Rule packs: check them, evaluate them.

    Example:

        monitor rules check
    """


@rules.command("check")
@click.argument("folder", required=False, type=click.Path(file_okay=False))
def rules_check(folder):
    """Validate the rule packs in FOLDER (default rules/) without scoring anything.

    Every problem is reported with file, line and field; exit code 2 if any.

    Example:

        monitor rules check rules/
    """
    packs = _load(folder)
    per_category = Counter(c for m in packs.watchlist.marks for c in m.categories)
    click.echo(f"rules {packs.folder}: valid, version {packs.version}")
    click.echo(f"  watchlist: {len(packs.watchlist.marks)} marks "
               f"({', '.join(f'{c} {n}' for c, n in sorted(per_category.items()))})")
    for line, fld, note in packs.watchlist.notes:
        click.echo(f"  note: watchlist.csv:{line}: {fld}: {note}")
    click.echo(f"  reference prices: {len(packs.prices)}")
    click.echo(f"  categories: {', '.join(packs.categories)}")
    click.echo(f"  block list: {len(packs.blocklist)} entries ({blocklist_counts(packs.blocklist)})")
    click.echo(f"  files: {', '.join(str(p.relative_to(packs.folder)) for p in packs.files)}")
    if text_fold.T2S_PROBLEM:
        click.echo(f"  warning: {text_fold.T2S_PROBLEM}")


DEFAULT_EVAL_SET = Path(__file__).resolve().parents[2] / "tests" / "data" / "eval"
DEFAULT_PRODUCT_PAGES = Path(__file__).resolve().parents[3] / "shared" / "data" / "product-pages"


@rules.command("eval")
@click.option("--set", "set_dir", type=click.Path(file_okay=False), default=str(DEFAULT_EVAL_SET), show_default=True,
              help="Folder with listings.jsonl (labelled), watchlist.csv and prices.csv.")
@click.option("--split", type=click.Choice(["all", "tune", "holdout"]), default="all", show_default=True)
@click.option("--rules", "rules_dir", type=click.Path(file_okay=False), help="Another rule folder.")
@click.option("--min-precision", type=float, default=None, help="Exit 1 if overall precision is below this.")
@click.option("--min-recall", type=float, default=None, help="Exit 1 if overall recall is below this.")
@click.option("--max-ece", type=float, default=None,
              help="Exit 1 if the expected calibration error (ten bins) is above this.")
@click.option("--product-pages", type=click.Path(file_okay=False),
              help="Also count flags on real shop pages with their brands watched (default ../shared/data/product-pages "
                   "when it exists).")
@click.option("--errors", is_flag=True, help="List every false positive and false negative with its signals.")
def rules_eval(set_dir, split, rules_dir, min_precision, min_recall, max_ece, product_pages, errors):
    """Precision, recall and F1 of the rules on the labelled set, per category and kind.

    The set's own watchlist and reference prices replace the shipped ones; vocabulary,
    category checks and scoring are the ones under test. Rows marked holdout were never
    used to tune the rules: `--split holdout` is the honest figure.

    The folder is either this project's format (listings.jsonl with a `label` per line) or
    listings.jsonl beside labels.jsonl ({"id", "flag", "kind", "note"} per listing). The
    report adds average precision of the ranking by score, a reliability table over ten
    bins and the expected calibration error (`--max-ece`).

    Example:

        monitor rules eval --split holdout --min-precision 0.9 --min-recall 0.9
        monitor rules eval --set ../shared/data/labelled-listings --min-precision 0.9 --min-recall 0.9 --max-ece 0.1
    """
    # lazy: the engine and the evaluation add about 0.6 s of imports the other rules commands do not need
    from monitor.quality.evaluate import evaluate, format_report
    from monitor.quality.labelled import DEV_SPLIT, LabelledSetError, load_labelled_set
    from monitor.rules.engine import Engine

    folder = Path(set_dir)
    packs = _load(rules_dir, watchlist=folder / "watchlist.csv", prices=folder / "prices.csv")
    engine = Engine(packs)

    def scorer(listing):
        result = engine.assess(listing)
        return result.flagged, result.signals, result.score

    pages = Path(product_pages) if product_pages else DEFAULT_PRODUCT_PAGES
    if product_pages and not pages.is_dir():
        click.echo(f"error: --product-pages {pages}: no such folder (it holds the shared real shop pages; "
                   "leave the option out where they are absent)", err=True)
        sys.exit(2)
    try:
        records = load_labelled_set(folder)
    except LabelledSetError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    if split != "all" and all(r["label"].get("split") == DEV_SPLIT for r in records):
        click.echo(f"error: {folder} has no {split} split (labels.jsonl sets carry none); use --split all", err=True)
        sys.exit(2)
    report = evaluate(records, scorer, split=None if split == "all" else split)
    click.echo(format_report(report) if not errors else format_report(report, errors=True))
    if pages.is_dir():
        _echo_real_pages(pages, rules_dir)
    else:  # said, not silently left out: the default folder lives beside the checkout
        click.echo(f"real shop pages: not checked ({pages} is absent; --product-pages DIR names the folder)")
    failed = _below_floors(report, min_precision, min_recall, max_ece)
    if failed:
        click.echo("below the floor: " + "; ".join(failed), err=True)
        sys.exit(1)


def _echo_real_pages(pages: Path, rules_dir) -> None:
    """The real shop pages' line of `monitor rules eval`: how many are flagged, and which."""
    # lazy: the page extractor loads only when the shared pages are there
    from monitor.quality.realpages import check_real_pages

    real = check_real_pages(pages, rules_dir)
    click.echo(f"real shop pages ({pages}): {len(real.flagged)} of {real.pages} flagged with their own brands "
               f"watched ({real.with_brand} pages name a brand)")
    for url, value, names in real.flagged:
        click.echo(f"  flagged {value}: {url} ({', '.join(names)})")


def _below_floors(report, min_precision, min_recall, max_ece) -> list[str]:
    """What of `--min-precision`, `--min-recall` and `--max-ece` the report misses."""
    # lazy: as in rules_eval
    from monitor.quality.evaluate import calibration

    failed = []
    if min_precision is not None and report.precision < min_precision:
        failed.append(f"precision {report.precision:.3f} < {min_precision}")
    if min_recall is not None and report.recall < min_recall:
        failed.append(f"recall {report.recall:.3f} < {min_recall}")
    if max_ece is not None:
        _, ece, _ = calibration(report)
        if ece is None or ece > max_ece:
            failed.append(f"expected calibration error {'-' if ece is None else f'{ece:.3f}'} > {max_ece}")
    return failed


@rules.command("calibrate")
@click.option("--set", "set_dir", type=click.Path(file_okay=False, exists=True),
              help="A labelled folder (listings.jsonl with labels; its watchlist.csv and prices.csv replace the shipped ones).")
@click.option("--from-store", is_flag=True, help="Use the analysts' verdicts in the database instead.")
@click.option("--rules", "rules_dir", type=click.Path(file_okay=False), help="Another rule folder.")
@click.option("--shrink", type=click.FloatRange(min=0), default=30.0, show_default=True,
              help="k: each number moves (n x fitted + k x shipped) / (n + k), n its listings.")
@click.option("--target-precision", type=click.FloatRange(0, 1, min_open=True), default=0.9, show_default=True,
              help="Per category, the lowest threshold reaching this cross-validated precision.")
@click.option("--folds", type=click.IntRange(min=2), default=5, show_default=True, help="Cross-validation folds.")
@click.option("--write", is_flag=True, help="Update scoring.yaml in place (validated first; comments kept).")
@click.pass_context
def rules_calibrate(ctx, set_dir, from_store, rules_dir, shrink, target_precision, folds, write):
    """Fit the signal llrs, category priors and thresholds of scoring.yaml from labelled listings.

    Each labelled listing is assessed with the current rules; a logistic regression on its
    signals gives the llrs (and the category columns the priors), shrunk toward the shipped
    values; per category the lowest threshold whose cross-validated precision reaches
    --target-precision is chosen (kept with fewer than 20 listings). Precision, recall and
    calibration error are shown before and after, k-fold cross-validated. Nothing changes
    without --write; then run `monitor rescore`.

    Example:

        monitor rules calibrate --set tests/data/eval
        monitor rules calibrate --from-store --target-precision 0.95 --write
    """
    # lazy: calibration loads scikit-learn (about a second); only this command needs it
    from monitor.quality.calibrate import CalibrationError, calibrate, format_calibration

    if bool(set_dir) == bool(from_store):
        click.echo("error: give either --set DIR or --from-store", err=True)
        sys.exit(2)
    if set_dir:
        packs, examples = _examples_from_set(Path(set_dir), rules_dir)
        source = str(set_dir)
    else:
        packs, examples = _examples_from_store(ctx.obj.get("db_path"), rules_dir)
        source = "store verdicts"
    try:
        result = calibrate(packs.scoring, examples, shrink=shrink, target_precision=target_precision, folds=folds)
    except CalibrationError as exc:
        click.echo(f"error: {exc}; nothing was fitted", err=True)
        sys.exit(2)
    click.echo(format_calibration(result, source))
    if not write:
        click.echo("\n(not written: add --write to update scoring.yaml)")
        return
    _write_calibration(result, rules_dir, source=source, shrink=shrink, target_precision=target_precision)


def _examples_from_set(folder: Path, rules_dir):
    """(packs, calibration examples) from a labelled folder in either format (see
    load_labelled_set), its watchlist and prices replacing the shipped ones."""
    # lazy: as in rules_calibrate
    from monitor.quality.calibrate import Example
    from monitor.quality.labelled import LabelledSetError, load_labelled_set
    from monitor.rules.engine import Engine

    overrides = {name: folder / f"{name}.csv" for name in ("watchlist", "prices") if (folder / f"{name}.csv").is_file()}
    packs = _load(rules_dir, **overrides)
    try:
        records = load_labelled_set(folder)
    except LabelledSetError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    engine = Engine(packs)
    examples = []
    for record in records:
        listing = {k: v for k, v in record.items() if k not in ("label", "line")}
        examples.append(Example(tuple(engine.assess(listing).signals), listing.get("category"),
                                bool(record["label"]["flagged"])))
    return packs, examples


def _examples_from_store(db_path, rules_dir):
    """(packs, calibration examples) from the analysts' latest decided verdicts in the store."""
    # lazy: as in rules_calibrate
    from monitor.quality.calibrate import Example
    from monitor.quality.verdict_examples import assess_reviewed, reviewed_listings
    from monitor.store import open_db

    packs = _load(rules_dir)
    db = open_db(db_path)
    try:
        return packs, [Example(tuple(assessment.signals), item.listing.get("category"), item.flag)
                       for item, assessment in assess_reviewed(db, packs, reviewed_listings(db))]
    finally:
        db.close()


def _write_calibration(result, rules_dir, *, source: str, shrink: float, target_precision: float) -> None:
    """--write: the calibration into scoring.yaml, stamped with when, from what and how well."""
    # lazy: as in rules_calibrate
    from monitor.quality.scoring_file import ScoringFileError, write_scoring_file

    rules_folder = Path(rules_dir) if rules_dir else default_rules()
    m = result.after
    note = (f"shrink k={shrink:g}, {result.folds}-fold cross-validated precision "
            f"{'-' if m.precision is None else f'{m.precision:.3f}'}, recall {'-' if m.recall is None else f'{m.recall:.3f}'}")
    stamp = {"at": utc_now(), "source": source, "verdicts": result.n, "target_precision": target_precision,
             "note": note}
    try:
        path = write_scoring_file(rules_folder, llr=result.changed_llr, priors=result.changed_priors,
                                  thresholds=result.changed_thresholds, calibrated=stamp)
    except ScoringFileError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    version = _load(rules_folder).version
    click.echo(f"\nwrote {path}: rules version {version}; run `monitor rescore` to re-score stored listings")


def _read_listings(path: Path):
    """(line, listing or None, error) from a JSON Lines or CSV file in the import columns.

    The file itself is checked first, as `monitor import` does (UTF-8, required columns):
    ValueError names what is wrong. Rows are then read lazily.
    """

    text, fmt, _ = read_file(path)
    return _listings(path, text, fmt)


def _listings(path: Path, text: str, fmt: str):

    default_time = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).isoformat()
    categories = known_categories()
    repairs: list[tuple[int, str]] = []
    for line, raw, error in read_records(path, text, fmt, repairs):
        # Repaired text is scored as stored (monitor import repairs the same way); say so.
        while repairs:
            fixed_line, what = repairs.pop(0)
            click.echo(f"{path}:{fixed_line}: repaired: {what}", err=True)
        if error:
            yield line, None, error
            continue
        try:
            listing = normalise_row(raw, default_site=raw.get("site") or "file", default_time=default_time,
                                    csv_mode=fmt == "csv", categories=categories)
        except RowError as exc:
            yield line, None, str(exc)
            continue
        yield line, listing, None


@click.command("score")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--watchlist", type=click.Path(exists=True, dir_okay=False), help="Use this watchlist CSV instead.")
@click.option("--prices", type=click.Path(exists=True, dir_okay=False), help="Use these reference prices instead.")
@click.option("--rules", "rules_dir", type=click.Path(file_okay=False), help="Another rule folder.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write JSON lines here instead of stdout.")
def score(file, watchlist, prices, rules_dir, output):
    """Score listings from a JSON Lines or CSV file (the import columns), without a database.

    Writes one JSON line per listing: site, id, score, flagged, signals (name, strength,
    explanation, evidence). Bad rows are reported on stderr with their line and skipped.

    Example:

        monitor score listings.csv --watchlist brands.csv > scored.jsonl
    """
    # lazy: the engine and its matchers add about 0.6 s of imports the other rules commands do not need
    from monitor.rules.engine import Engine

    packs = _load(rules_dir, watchlist=watchlist, prices=prices)
    engine = Engine(packs)
    try:
        listings = _read_listings(Path(file))
    except ValueError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    out = open(output, "w", encoding="utf-8") if output else sys.stdout
    bad = 0
    try:
        for line, listing, error in listings:
            if error:
                bad += 1
                click.echo(f"{file}:{line}: skipped: {error}", err=True)
                continue
            result = engine.assess(listing)
            record = {"site": listing["site"], "id": listing["listing_id"], "score": result.score,
                      "flagged": result.flagged, "threshold": result.threshold,
                      "rules_version": result.rules_version,
                      "signals": [{"name": s.name, "kind": s.kind, "strength": round(s.strength, 3),
                                   "explanation": s.explanation, "mark": s.mark,
                                   "evidence": [e.__dict__ for e in s.evidence]} for s in result.signals]}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    finally:
        if output:
            out.close()
    if bad:
        sys.exit(1)


@click.command("rescore")
@click.option("--site", help="Only listings of this site.")
@click.option("--category", help="Only listings of this category.")
@click.option("--rules", "rules_dir", type=click.Path(file_okay=False), help="Another rule folder.")
@click.pass_context
def rescore_cmd(ctx, site, category, rules_dir):
    """Re-score stored listings after a rule change.

    Verdicts are never lost; flags that fall below the threshold are marked superseded,
    not deleted; a dismissed flag is not raised again for unchanged listing content.

    Example:

        monitor rescore --category cosmetics
    """
    # lazy: as in rules_eval: the engine is not needed by the other rules commands
    from monitor.scoring.active import remember
    from monitor.scoring.score import engine_for, rescore
    from monitor.store import open_db

    packs = _load(rules_dir)
    db = open_db(ctx.obj.get("db_path"))
    remember(db, packs)
    outcomes = rescore(db, engine_for(db, packs), site=site, category=category)
    db.close()
    click.echo(f"rules {packs.version}: " + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())) or "nothing to score")


@click.group()
def watchlist():
    """The watchlist of marks (rules/watchlist.csv), kept in spreadsheets by analysts.

    Example:

        monitor watchlist export > marks.csv
    """


@watchlist.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--replace", is_flag=True, help="Replace the whole watchlist instead of merging by mark.")
@click.option("--rules", "rules_dir", type=click.Path(file_okay=False), help="Another rule folder.")
def watchlist_import(file, replace, rules_dir):
    """Import marks from a CSV: mark,owner,category,aliases,authorized_sellers.

    Lists inside a cell are separated by |; authorized_sellers entries are site:seller_id,
    or a bare seller id or shop name (matched on any site, and reported). More columns are allowed: registrations, well_known, official_domains, common_word.
    The file is validated whole first: one bad row and nothing changes.

    Example:

        monitor watchlist import brands.csv
    """
    folder = Path(rules_dir) if rules_dir else default_rules()
    packs = _load(folder)
    try:
        incoming = load_watchlist(Path(file), packs.categories)
    except YamlError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    for line, fld, note in incoming.notes:
        click.echo(f"note: {file}:{line}: {fld}: {note}", err=True)
    result = incoming if replace else packs.watchlist.merged_with(incoming)
    write_watchlist(folder / "watchlist.csv", result)
    click.echo(f"watchlist: {len(incoming.marks)} marks imported, {len(result.marks)} in all ({folder / 'watchlist.csv'})")


@watchlist.command("export")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write here instead of stdout.")
@click.option("--rules", "rules_dir", type=click.Path(file_okay=False), help="Another rule folder.")
def watchlist_export(output, rules_dir):
    """Export the watchlist as CSV (formula-like cells neutralised for spreadsheets).

    Example:

        monitor watchlist export --output marks.csv
    """
    packs = _load(rules_dir)
    handle = open(output, "w", encoding="utf-8", newline="") if output else sys.stdout
    writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for mark in sorted(packs.watchlist.marks, key=lambda m: m.name.casefold()):
        writer.writerow({k: sheet_text(v) for k, v in mark.to_row().items()})
    if output:
        handle.close()


@click.group()
def prices():
    """Reference prices (rules/prices.csv): mark,product,price,currency[,unit].

    Example:

        monitor prices import prices.csv
    """


@prices.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--replace", is_flag=True, help="Replace all reference prices instead of merging.")
@click.option("--rules", "rules_dir", type=click.Path(file_okay=False), help="Another rule folder.")
def prices_import(file, replace, rules_dir):
    """Import reference prices; product is the product or model words a title would contain.

    Example:

        monitor prices import brand-prices.csv
    """
    folder = Path(rules_dir) if rules_dir else default_rules()
    packs = _load(folder)
    try:
        incoming = load_prices(Path(file))
    except YamlError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    result = incoming if replace else merge_prices(packs.prices, incoming)
    write_prices(folder / "prices.csv", result)
    click.echo(f"prices: {len(incoming)} imported, {len(result)} in all ({folder / 'prices.csv'})")


COMMANDS = [rules, score, rescore_cmd, watchlist, prices]
