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
from functools import lru_cache
from pathlib import Path
from typing import Any

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
    "reports": ("monitor/report/**/*.py", "monitor/report/templates/*.html", "monitor/regions/**/*.py"),
    "documents": ("monitor/rules/**/*.py", "monitor/export/**/*.py", "monitor/export/templates/*.html",
                  "monitor/alerts/**/*.py", "rules/notices/*"),
    "web": ("monitor/web/**/*.py", "monitor/web/templates/*.html", "monitor/review/**/*.py"),
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
    # lazy: the .po reader is only needed when no up-to-date .mo exists (an installed wheel).
    from io import BytesIO

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

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


_ = gettext


def install_jinja(env) -> None:
    """Give a Jinja environment ``_``, ``gettext`` and ``ngettext`` in the current locale
    (new-style: ``{{ _("%(n)s flags", n=3) }}``, escaped like any other value)."""
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(
        lambda message, **params: gettext(message, **params),
        lambda singular, plural, n, **params: ngettext(singular, plural, n, **params),
        newstyle=True,
    )
