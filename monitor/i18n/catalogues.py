"""The catalogue tooling: extract each area's messages, update its ``zh_CN`` .po, compile, check.

    python -m monitor.i18n.catalogues extract [AREA ...]   print the messages found (file:line)
    python -m monitor.i18n.catalogues update AREA ...      add new messages to AREA's .po (keeps translations)
    python -m monitor.i18n.catalogues compile [AREA ...]   .po -> .mo (only those changed; ./dev.sh setup runs it)
    python -m monitor.i18n.catalogues check [AREA ...]     every message missing, untranslated or fuzzy in zh_CN

Messages are the first arguments of ``_``, ``gettext``, ``N_`` and ``ngettext`` (singular, plural) in
Python, and the same calls plus ``{% trans %}`` blocks in Jinja templates
(``jinja2.ext.babel_extract``). A file belongs to the first area of ``monitor.i18n.AREAS``
whose globs match it, so ``monitor/web/complaints.py`` is the complaints area's, not the web's.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from monitor.i18n import AREAS, LOCALE_DIR

ROOT = LOCALE_DIR.parent.parent  # the globs of AREAS are relative to the repository root
TARGET = "zh_CN"  # the catalogue translated by hand; English is the source language
# N_: a message marked where it is defined (a table of labels), translated where it is shown.
# Msg: monitor.rules.explain's message templates of signal explanations (translated by explain()).
# pgettext: (context, message), for words that read differently in different places.
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2), "N_": None, "Msg": None}
# As monitor/web/deps.py make_templates sets them, so {% trans %} blocks extract as they render.
JINJA_OPTIONS = {"extensions": "jinja2.ext.do,jinja2.ext.loopcontrols", "newstyle_gettext": "true",
                 "trim_blocks": "true", "lstrip_blocks": "true"}


@dataclass(frozen=True)
class Problem:
    area: str
    where: str  # "path:line" of the first use (or of the .po entry for a bad translation)
    message: str | tuple[str, ...]
    what: str  # "missing", "untranslated", "fuzzy" or the checker's error

    def __str__(self) -> str:
        shown = self.message if isinstance(self.message, str) else " | ".join(self.message)
        return f"{self.where}: {self.what} in {self.area}.po ({TARGET}): {shown!r}"


def area_files(root: Path = ROOT) -> dict[str, list[Path]]:
    """{area: its source files}, each file in the first area whose globs match it."""
    claimed: set[Path] = set()
    out: dict[str, list[Path]] = {}
    for area, globs in AREAS.items():
        files: list[Path] = []
        for pattern in globs:
            for path in sorted(root.glob(pattern)):
                if path.is_file() and path not in claimed and "__pycache__" not in path.parts:
                    claimed.add(path)
                    files.append(path)
        out[area] = files
    return out


def _method(path: Path) -> str:
    return "python" if path.suffix == ".py" else "jinja2.ext.babel_extract"


def extract(area: str, root: Path = ROOT) -> Catalog:
    """The template catalogue (message ids with their file:line locations) of ``area``."""
    _known(area)
    template = Catalog(domain=area, project="listing-monitor", charset="utf-8",
                       creation_date=datetime(2026, 1, 1, tzinfo=timezone.utc))
    for path in area_files(root)[area]:
        rel = path.relative_to(root).as_posix()
        options = {} if _method(path) == "python" else JINJA_OPTIONS
        for lineno, message, comments, context in extract_from_file(
                _method(path), str(path), keywords=KEYWORDS, options=options, strip_comment_tags=True):
            flags = {"python-format"} if "%(" in "".join(_forms(message)) else set()
            template.add(message, None, [(rel, lineno)], auto_comments=comments, context=context, flags=flags)
    return template


def po_path(area: str, locale_dir: Path = LOCALE_DIR) -> Path:
    return locale_dir / TARGET / "LC_MESSAGES" / f"{area}.po"


def read_catalogue(area: str, locale_dir: Path = LOCALE_DIR) -> Catalog:
    path = po_path(area, locale_dir)
    if not path.is_file():
        return Catalog(locale=TARGET, domain=area, project="listing-monitor", charset="utf-8", fuzzy=False,
                       language_team="zh_CN", last_translator="listing-monitor", copyright_holder="listing-monitor")
    with path.open("rb") as fp:
        return read_po(fp, locale=TARGET, domain=area)


def update(area: str, root: Path = ROOT, locale_dir: Path = LOCALE_DIR) -> tuple[int, int]:
    """Bring ``area``'s .po in line with its sources: new messages added (empty), translations
    kept, messages no longer used kept as obsolete entries (#~), so nothing typed is lost.
    Returns (messages, still untranslated)."""
    template = extract(area, root)
    catalog = read_catalogue(area, locale_dir)
    # No fuzzy matching: a guessed translation of a similar message hides a missing one.
    kept = [m for m in catalog if m.id and m.locations and all(_from_rule_file(f) for f, _ in m.locations)]
    catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
    for message in kept:  # the sources' extractor never sees these: not obsolete
        catalog.obsolete.pop(message.id if message.context is None else (message.id, message.context), None)
        if catalog.get(message.id, context=message.context) is None:
            catalog[message.id] = message
    path = po_path(area, locale_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fp:
        write_po(fp, catalog, width=100, sort_output=False, omit_header=False)
    todo = sum(1 for m in catalog if m.id and not _translated(m))
    return len([m for m in catalog if m.id]), todo


def _from_rule_file(location: str) -> bool:
    """Whether a catalogue entry is located in rules/ (``#: rules/``): rule-file words that flags
    stored before the rule files carried their own Chinese (name_zh) still name, translated
    through the catalogue; written by hand, kept by ``update``."""
    return location == "rules/" or (location.startswith("rules/") and not location.startswith("rules/notices/"))


def compile_area(area: str, force: bool = False, locale_dir: Path = LOCALE_DIR) -> Path | None:
    """``<area>.po`` -> ``<area>.mo`` when the .mo is missing or older; None when no .po exists."""
    po = po_path(area, locale_dir)
    if not po.is_file():
        return None
    mo = po.with_suffix(".mo")
    if not force and mo.is_file() and mo.stat().st_mtime >= po.stat().st_mtime:
        return mo
    catalog = read_catalogue(area, locale_dir)
    errors = [f"{po}:{m.lineno}: {e}" for m, errs in catalog.check() for e in errs]
    if errors:
        raise ValueError("cannot compile, the translation does not fit its message:\n" + "\n".join(errors))
    partial = mo.with_suffix(".mo.partial")
    with partial.open("wb") as fp:
        write_mo(fp, catalog, use_fuzzy=False)
    partial.replace(mo)  # never a half-written .mo for a running app to read
    return mo


def check(areas: Iterable[str] | None = None, root: Path = ROOT, locale_dir: Path = LOCALE_DIR) -> list[Problem]:
    """Every message of the sources that the zh_CN catalogue of its area lacks, leaves empty
    or marks fuzzy, and every translation whose %(name)s parameters differ from its message's."""
    problems: list[Problem] = []
    for area in areas or AREAS:
        template = extract(area, root)
        catalog = read_catalogue(area, locale_dir)
        for message in template:
            if not message.id:
                continue
            where = ":".join(map(str, message.locations[0])) if message.locations else "?"
            found = catalog.get(message.id, context=message.context)
            if found is None:
                problems.append(Problem(area, where, message.id, "missing"))
            elif found.fuzzy:
                problems.append(Problem(area, where, message.id, "fuzzy"))
            elif not _translated(found):
                problems.append(Problem(area, where, message.id, "untranslated"))
        for message, errors in catalog.check():
            for error in errors:
                problems.append(Problem(area, f"{po_path(area, locale_dir)}:{message.lineno}",
                                        message.id, f"bad translation ({error})"))
    return problems


def clashes(areas: Iterable[str] | None = None, locale_dir: Path = LOCALE_DIR) -> list[Problem]:
    """Every message (id and context) that two areas translate differently. The areas' catalogues
    are merged at run time (monitor.i18n.translations), so one of the two translations would
    silently lose: a message has one translation wherever it is shown, and words that must read
    differently in different places get a context (``pgettext("unit", "listing")``)."""
    seen: dict[tuple, tuple[str, str]] = {}
    problems: list[Problem] = []
    for area in areas or AREAS:
        for message in read_catalogue(area, locale_dir):
            if not message.id or not _translated(message):
                continue
            key = (message.context, message.id if isinstance(message.id, str) else tuple(message.id))
            text = " | ".join(_forms(message.string))
            if key not in seen:
                seen[key] = (area, text)
            elif seen[key][1] != text:
                first, other = seen[key]
                problems.append(Problem(area, f"{po_path(area, locale_dir)}:{message.lineno}", message.id,
                                        f"translated {text!r} here but {other!r} in {first}.po: give both one "
                                        "translation, or the message a context (pgettext)"))
    return problems


def _forms(value: str | tuple | list) -> list[str]:
    return [value] if isinstance(value, str) else [v for v in value if v]


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, (tuple, list)) else [message.string]
    return bool(strings) and all(strings)


def _known(area: str) -> None:
    if area not in AREAS:
        raise SystemExit(f"error: no area {area!r}; the areas are {', '.join(AREAS)} (monitor/i18n/__init__.py AREAS)")


EPILOG = """Example:
  python -m monitor.i18n.catalogues update web      # new messages of the web area into its .po
  (translate the empty msgstr "" entries in monitor/locale/zh_CN/LC_MESSAGES/web.po)
  python -m monitor.i18n.catalogues check web       # nothing printed, exit 0: all translated
  python -m monitor.i18n.catalogues compile         # what ./dev.sh setup runs
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m monitor.i18n.catalogues", description=__doc__.split("\n\n")[0],
                                     epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["extract", "update", "compile", "check"])
    parser.add_argument("areas", nargs="*", metavar="AREA", help=f"areas ({', '.join(AREAS)}); default all "
                        "(update needs them named, or --all: each helper updates only the .po it owns)")
    parser.add_argument("--all", action="store_true", help="update: every area")
    parser.add_argument("--force", action="store_true", help="compile: even when the .mo is up to date")
    args = parser.parse_args(argv)
    for area in args.areas:
        _known(area)
    areas = args.areas or list(AREAS)
    if args.command == "extract":
        for area in areas:
            for message in extract(area):
                if message.id:
                    where = " ".join(":".join(map(str, loc)) for loc in message.locations)
                    print(f"{area}\t{where}\t{' | '.join(_forms(message.id))}")
    elif args.command == "update":
        if not args.areas and not args.all:
            parser.error("name the area(s) to update (or --all)")
        for area in areas:
            total, todo = update(area)
            print(f"{po_path(area).relative_to(ROOT)}: {total} messages, {todo} to translate")
    elif args.command == "compile":
        for area in areas:
            try:
                compile_area(area, force=args.force)
            except ValueError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 1
    else:
        problems = check(areas)
        for problem in problems:
            print(problem)
        if problems:
            print(f"{len(problems)} message(s) need a {TARGET} translation: run `python -m monitor.i18n.catalogues "
                  f"update AREA`, translate the empty msgstr entries, then check again", file=sys.stderr)
            return 1
        # Across all areas whichever were named: a clash is between two catalogues.
        two_ways = clashes()
        for problem in two_ways:
            print(problem)
        if two_ways:
            print(f"{len(two_ways)} message(s) translated two ways: the catalogues are merged when pages are "
                  "shown, so one translation would silently win", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
