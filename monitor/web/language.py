"""The language of each request: the account's choice, else the browser's Accept-Language,
else ``monitor.yaml`` ``language`` (default zh_CN). The API answers in English unless the
request's Accept-Language asks for Chinese: its clients are scripts, and English error texts are
what their authors search for; a client that wants Chinese says so.

The locale is set by an ASGI middleware around the whole app (``i18n.use_locale``), not by a
FastAPI dependency: a context variable set in a dependency (run in a worker thread) would not
reach the handler, its error handlers, nor the template rendering.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Annotated

from babel.core import negotiate_locale
from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from monitor import i18n
from monitor.review import accounts
from monitor.web.deps import SESSION_COOKIE, FormCtx, connect, safe_next

logger = logging.getLogger(__name__)
router = APIRouter()
# What Accept-Language can ask for; "zh" also catches zh-TW, zh-Hans-CN (the catalogue is zh_CN).
NEGOTIABLE = ["zh_CN", "zh", "en"]


def accept_language(header: str | None) -> str | None:
    """``zh_CN`` or ``en`` from an Accept-Language header (q-values honoured), None if neither."""
    if not header:
        return None
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and tag != "*" and quality > 0:
            ranked.append((-quality, i, tag.strip().replace("-", "_")))
    found = negotiate_locale([tag for _, _, tag in sorted(ranked)], NEGOTIABLE, sep="_")
    return i18n.normalise(found) if found else None


def configured_language(config: str | Path | None = None) -> str:
    """``language`` of monitor.yaml (the file ``monitor schedule`` reads), normalised; the default
    when the file or the key is absent. A bad value is refused naming the file and line."""
    # lazy: the config readers are only needed once, when the app is built.
    from monitor.settings import resolve_config_path
    from monitor.yamlfile import YamlError, load_located

    path = resolve_config_path(config)
    if not Path(path).is_file():
        return i18n.DEFAULT_LANGUAGE
    located = load_located(path)
    value = located.data.get("language") if isinstance(located.data, dict) else None
    if value is None:
        return i18n.DEFAULT_LANGUAGE
    if value not in ("zh", "zh_CN", "en"):
        raise YamlError(path, [(located.line_of(("language",)), "language",
                                f"must be zh, zh_CN or en, not {value!r}")])
    return i18n.normalise(value)


class LocaleMiddleware:
    """Every request rendered in its language (see the module docstring)."""

    def __init__(self, app: ASGIApp, db_path: Path, default: str):
        self.app, self.db_path, self.default = app, db_path, default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with i18n.use_locale(await self.language(scope)):
            await self.app(scope, receive, send)

    async def language(self, scope: Scope) -> str:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        browser = accept_language(headers.get("accept-language"))
        path = scope.get("path", "")
        if path == "/api" or path.startswith("/api/"):
            return browser or "en"
        if path.startswith("/static/"):
            return self.default
        chosen = None
        token = _cookie(headers.get("cookie", ""), SESSION_COOKIE)
        if token:
            chosen = await run_in_threadpool(self._account_language, token)
        return chosen or browser or self.default

    def _account_language(self, token: str) -> str | None:
        db = connect(self.db_path)
        try:
            return accounts.session_language(db, token)
        except sqlite3.OperationalError as exc:  # e.g. the review migrations not applied yet
            logger.warning("cannot read the account's language (%s): the page follows the browser", exc)
            return None
        finally:
            db.close()


def _cookie(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value.strip('"')
    return None


@router.post("/account/language", include_in_schema=False)  # a page form, not the API
def choose_language(ctx: FormCtx, language: Annotated[str, Form(max_length=10)] = "",
                    next: Annotated[str, Form(max_length=2000)] = "/"):
    """The header's language switch: stored on the account, so every later page follows it."""
    accounts.set_language(ctx.db, ctx.user.name, language or None, actor=ctx.user.name)
    return RedirectResponse(safe_next(next), status_code=303)
