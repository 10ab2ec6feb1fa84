"""Chinese first, English second: the message catalogues of everything a person reads.

Messages are written in English in the source (``_("Open flags")``, with ``%(name)s``
parameters, never formatted before translation) and translated in gettext catalogues compiled
by Babel: ``monitor/locale/<locale>/LC_MESSAGES/<area>.po``, one file per area of the product
(``AREAS``), so that the people who own an area edit their own file. At run time every area's
catalogue of a locale is merged into one, so ``gettext`` finds a message whatever its area.

The locale of the current request, report or notice is a context variable set with
``use_locale``; code that renders for a person calls ``gettext``/``ngettext`` (or the
templates' ``_``/``ngettext``, installed by ``install_jinja``) and never picks a language itself.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, timezone
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any

from babel import dates as babel_dates, numbers as babel_numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

logger = logging.getLogger(__name__)

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"  # monitor/locale
LANGUAGES = ("zh_CN", "en")  # the catalogues kept; messages are written in English
DEFAULT_LANGUAGE = "zh_CN"  # the offices this serves work in Chinese

# Area -> the source files whose messages its catalogue holds (globs from the repository root,
# first match wins): each area is one .po file per locale, owned by whoever owns that code.
AREAS: dict[str, tuple[str, ...]] = {
    "complaints": ("monitor/casework/complaints*.py", "monitor/web/complaints.py", "monitor/cli/complaints.py",
                   "monitor/web/templates/complaints*.html"),
    "sampling": ("monitor/casework/sampling*.py", "monitor/web/sampling.py", "monitor/cli/sampling.py",
                 "monitor/web/templates/sampl*.html"),
    "referrals": ("monitor/casework/referrals*.py", "monitor/web/referrals.py", "monitor/cli/referrals.py",
                  "monitor/web/templates/referral*.html"),
    "reports": ("monitor/report/**/*.py", "monitor/report/templates/*.html", "monitor/regions/**/*.py",
                "monitor/periods.py"),
    "alerts": ("monitor/alerts/**/*.py", "monitor/store/runs.py", "spiders/pipelines/reasons.py"),
    "documents": ("monitor/rules/**/*.py", "monitor/store/relisting.py", "monitor/export/**/*.py",
                  "monitor/export/templates/*.html", "rules/notices/*"),
    "web": ("monitor/web/**/*.py", "monitor/web/templates/*.html", "monitor/review/**/*.py", "monitor/verdicts.py"),
}

_locale: ContextVar[str] = ContextVar("monitor_locale", default=DEFAULT_LANGUAGE)


def normalise(language: str | None) -> str:
    """``zh``, ``zh-CN``, ``zh_Hans_CN`` -> ``zh_CN``; ``en-GB`` -> ``en``; anything else: the default."""
    if not language:
        return DEFAULT_LANGUAGE
    code = language.strip().replace("-", "_").lower()
    if code.startswith("zh"):
        return "zh_CN"
    if code.startswith("en"):
        return "en"
    return DEFAULT_LANGUAGE


def current() -> str:
    """The locale being rendered for (``zh_CN`` or ``en``)."""
    return _locale.get()


@contextmanager
def use_locale(language: str | None) -> Iterator[str]:
    """Render for ``language`` inside the block (normalised; the default when None)."""
    token = _locale.set(normalise(language))
    try:
        yield _locale.get()
    finally:
        _locale.reset(token)


@lru_cache(maxsize=None)
def translations(locale: str) -> NullTranslations:
    """Every area's catalogue of ``locale``, merged; English needs none (messages are
    written in it). A missing Chinese catalogue is logged: the pages would fall back to English."""
    merged: NullTranslations | None = None
    folder = LOCALE_DIR / locale / "LC_MESSAGES"
    for area in AREAS:
        loaded = load_catalogue(folder, area)
        if loaded is None:
            if locale != "en":
                logger.warning("No %s catalogue %s: its messages show in English "
                               "(run ./dev.sh setup, which compiles the catalogues)", locale, folder / f"{area}.po")
            continue
        if merged is None:
            merged = loaded
        else:
            merged.merge(loaded)
    return merged or NullTranslations()


def load_catalogue(folder: Path, area: str) -> Translations | None:
    """The compiled ``<area>.mo`` when it is at least as new as its ``.po``; else the ``.po``
    compiled in memory (an installed wheel carries the .po files, and a .po edited since the
    last ``./dev.sh setup`` must not show stale text); None when the area has no catalogue."""
    mo, po = folder / f"{area}.mo", folder / f"{area}.po"
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fp:
            return Translations(fp, domain=area)
    if not po.is_file():
        return None
    with po.open("rb") as fp:
        catalog = read_po(fp, locale=folder.parent.name, domain=area)
    buffer = BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)  # a fuzzy guess is not a translation
    buffer.seek(0)
    return Translations(buffer, domain=area)


def gettext(message: str, **params: Any) -> str:
    """``message`` in the current locale, its ``%(name)s`` parameters filled in."""
    text = translations(current()).ugettext(message)
    return text % params if params else text


def ngettext(singular: str, plural: str, n: int, **params: Any) -> str:
    """The singular or plural form for ``n`` in the current locale (``%(num)d`` is ``n``)."""
    text = translations(current()).ungettext(singular, plural, n)
    return text % {"num": n, **params}


def label(labels: dict[str, str], code: str | None) -> str:
    """A stored code in the reader's words: ``labels`` maps codes to English message ids (marked
    with ``N_``); an unknown code is shown as it is, underscores as spaces; no code is ""."""
    if not code:
        return ""
    return gettext(labels[code]) if code in labels else code.replace("_", " ")


def pgettext(context: str, message: str, **params: Any) -> str:
    """``message`` in ``context`` (a short word saying where it is used: "unit", "column"), for
    the same English words that read differently in Chinese in different places; every other
    message has one translation wherever it is shown (tests/test_i18n_catalogue.py)."""
    text = translations(current()).upgettext(context, message)
    return text % params if params else text


_ = gettext


def N_(message: str) -> str:
    """Marks a message for the catalogue without translating it here (a table of labels, defined
    once, translated with ``gettext`` where it is shown)."""
    return message


def install_jinja(env) -> None:
    """Give a Jinja environment ``_``, ``gettext``, ``ngettext`` and ``pgettext`` in the current locale
    (new-style: ``{{ _("%(n)s flags", n=3) }}``, escaped like any other value)."""
    env.add_extension("jinja2.ext.i18n")
    # Only the look-up: Jinja's new-style wrappers call these with the message ids alone and fill
    # the %(name)s parameters themselves (``num`` is n; escaped under autoescape). Filling them
    # here as well ran ngettext's "%" with {"num": n} alone: any other parameter failed.
    env.install_gettext_callables(
        lambda message: translations(current()).ugettext(message),
        lambda singular, plural, n: translations(current()).ungettext(singular, plural, n),
        newstyle=True,
        pgettext=lambda context, message: translations(current()).upgettext(context, message),
    )
    env.filters.update(date=format_date, datetime=format_datetime, money=format_money)
    env.globals["language"] = current


def _as_datetime(value: Any) -> datetime | date | None:
    if value is None or value == "":
        return None
    if isinstance(value, (datetime, date)):
        return value
    text = str(value).strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def format_date(value: Any) -> str:
    """A day as the current locale writes it: 2026年12月7日 / December 7, 2026 (an ISO string,
    date or datetime; text that is no date is shown as it is, never hidden)."""
    parsed = _as_datetime(value)
    if parsed is None:
        return "" if value is None else str(value)
    return babel_dates.format_date(parsed, "long", locale=current())


def format_datetime(value: Any) -> str:
    """A stored UTC time: 2026年12月7日 08:00 UTC / December 7, 2026 08:00 UTC."""
    parsed = _as_datetime(value)
    if not isinstance(parsed, datetime):
        return format_date(value)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(timezone.utc)
    return f"{babel_dates.format_date(parsed, 'long', locale=current())} {parsed:%H:%M} UTC"


def format_money(amount: Any, currency: str | None = None) -> str:
    """¥40.00 in Chinese, CN¥40.00 in English (CLDR); an amount without a currency as a number."""
    if amount is None or amount == "":
        return ""
    try:
        number = float(amount)
    except (TypeError, ValueError):
        return str(amount)
    if not currency:
        return babel_numbers.format_decimal(number, locale=current())
    return babel_numbers.format_currency(number, currency.upper(), locale=current())
