"""Request plumbing shared by the pages: the database connection, the signed-in user, CSRF,
role checks, templates."""

from __future__ import annotations

import hmac
import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import jinja2
import sqlite_utils
from fastapi import Depends, Form, Header, Path as PathParam, Request, Security
from fastapi.responses import HTMLResponse
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from monitor.store.db import BUSY_TIMEOUT_SECONDS
from monitor.review import accounts
from monitor.review.accounts import Session, User
from monitor.urls import http_link
from monitor import i18n
from monitor.verdicts import (DISMISS_REASON_LABELS, DISMISS_REASONS, VERDICTS, reason_label, role_label,
                              status_label, verdict_label)
from monitor.web.render import path_part
from monitor.i18n import N_, gettext as _, label
from monitor.export.words import evidence_kind
from monitor.rules.explain import category_words, explain, signal_words

# The explanation renderer of the rules (issue 14, another change): used once it exists.
SESSION_COOKIE = "monitor_session"
LANGUAGE_CHOICES = {"zh_CN": "中文", "en": "English"}  # the header's switch, each named in its own language
LOGIN_CSRF_COOKIE = "monitor_login_csrf"
HERE = Path(__file__).parent
# Ids are SQLite integers: a larger number in a URL or a form would overflow in the query (a 500),
# so every id parameter is bounded and a number out of range is refused as invalid (422/400).
SQLITE_INT_MAX = 2**63 - 1


def row_id(what: str) -> Any:
    """The FastAPI parameter of an id of ``what`` in a path: 1 to 2**63-1."""
    return PathParam(ge=1, le=SQLITE_INT_MAX, description=f"the {what}'s id", examples=[1])


ListingId = Annotated[int, row_id("listing")]
EvidenceId = Annotated[int, row_id("evidence record")]
# The API's two ways in, as OpenAPI security schemes (either one); auto_error=False: the
# dependency below answers 401 itself, with the API's error body.
BEARER = HTTPBearer(auto_error=False, scheme_name="apiToken",
                    description="An API token: `monitor users token NAME` prints one.")
SESSION = APIKeyCookie(name=SESSION_COOKIE, auto_error=False, scheme_name="sessionCookie",
                       description="The review app's session cookie (sign in at /login); writes also need "
                                   "the X-CSRF-Token header (GET /api/me gives it).")


class LoginRequired(Exception):
    pass


class Forbidden(Exception):
    def __init__(self, message: str | None = None):
        message = message or _("You are not allowed to do this.")
        super().__init__(message)
        self.message = message


def connect(path: Path) -> sqlite_utils.Database:
    """A connection for one request. Handlers run in a thread pool and a dependency may be set
    up in another thread than the handler, so the connection is not tied to its thread (it is
    still used by one request at a time). Same settings as ``monitor.store.open_db``."""
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
    conn.execute("PRAGMA foreign_keys = ON")
    return sqlite_utils.Database(conn)


def make_templates() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(HERE / "templates")),
        autoescape=True,  # every template, whatever its extension: scraped content is hostile
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pathpart"] = path_part
    env.filters["safe_url"] = http_link
    i18n.install_jinja(env)  # _(), ngettext(), |date, |datetime, |money in the request's locale
    # Stored codes shown as words of the current locale (monitor/verdicts.py).
    env.filters.update(verdict=verdict_label, reason=reason_label, status=status_label, role=role_label)
    env.globals.update(VERDICTS=VERDICTS, DISMISS_REASONS=DISMISS_REASONS, LANGUAGE_CHOICES=LANGUAGE_CHOICES,
                       REASON_LABELS=TranslatedLabels(DISMISS_REASON_LABELS), has_page=has_page,
                       explain=explain, category_words=category_words, signal_words=signal_words)
    # Stored codes of the rules (categories, signals, signal kinds) as the reader's words.
    env.filters.update(category=category_words, signal=signal_words, signal_kind=signal_kind_words,
                       availability=availability_words, evidence_kind=evidence_kind)
    return env


# Signal kinds (monitor/rules/signals.py KINDS) as the listing page names them.
SIGNAL_KIND_WORDS = {"trademark": N_("trademark"), "counterfeit": N_("counterfeit"), "price": N_("price"),
                     "seller": N_("seller"), "regulatory": N_("regulatory"), "contact": N_("contact"),
                     "mitigating": N_("mitigating"), "context": N_("context")}


# schema.org availability (monitor/listing.py AVAILABILITY_VALUES) as the listing page says it.
AVAILABILITY_WORDS = {"InStock": N_("in stock"), "OutOfStock": N_("out of stock"),
                      "LimitedAvailability": N_("limited stock"), "PreOrder": N_("pre-order"),
                      "Discontinued": N_("discontinued")}


def availability_words(value: str | None) -> str:
    return label(AVAILABILITY_WORDS, value)


def signal_kind_words(kind: str) -> str:
    """A signal kind in the reader's words; an unknown kind as it is."""
    return label(SIGNAL_KIND_WORDS, kind)


def has_page(request: Request, path: str) -> bool:
    """Whether the app serves ``path`` (a nav link to a part another change adds only once it exists)."""
    return path in _paths(request.app.routes)


def _paths(routes) -> set[str]:
    """Every path of ``routes``, inside included routers too (FastAPI may keep those as one entry)."""
    out: set[str] = set()
    for route in routes:
        if getattr(route, "path", None):
            out.add(route.path)
        inner = getattr(route, "original_router", None)
        if inner is not None:
            out |= _paths(inner.routes)
    return out


class TranslatedLabels(Mapping):
    """A code -> label table whose labels read in the current locale (``REASON_LABELS[r]``)."""

    def __init__(self, labels: dict[str, str]):
        self.labels = labels

    def __getitem__(self, code: str) -> str:
        return i18n.gettext(self.labels[code])

    def __iter__(self):
        return iter(self.labels)

    def __len__(self) -> int:
        return len(self.labels)


@dataclass
class Ctx:
    request: Request
    db: sqlite_utils.Database
    session: Session | None
    user: User

    @property
    def ip(self) -> str:
        return self.request.client.host if self.request.client else "-"

    def require(self, role: str) -> None:
        if not self.user.can(role):
            raise Forbidden(_("This needs the “%(role)s” role or a higher one; your role is “%(yours)s”.",
                                    role=role_label(role), yours=role_label(self.user.role)))

    def render(self, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        return render(self.request, template, status_code=status_code, user=self.user,
                      csrf=self.session.csrf if self.session else "", **context)


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    env: jinja2.Environment = request.app.state.templates
    context.setdefault("user", None)
    context.setdefault("csrf", "")
    html = env.get_template(template).render(request=request, **context)
    return HTMLResponse(html, status_code=status_code)


def error_page(request: Request, status_code: int, title: str, message: str) -> HTMLResponse:
    """A refusal or an error as a page of the app: the header and navigation of the signed-in
    user (if any), what went wrong, and a way back to the page the user came from (the Referer
    when it is this site's, else the queue). The messages are already in the reader's language."""
    user, csrf = _viewer(request)
    back = referer_path(request)
    return render(request, "error.html", status_code=status_code, user=user, csrf=csrf, title=title,
                  message=message, back=back or "/")


def _viewer(request: Request) -> tuple[User | None, str]:
    """The signed-in user of a request that failed before (or without) its handler's context."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None, ""
    try:
        db = connect(request.app.state.db_path)
        try:
            session = accounts.load_session(db, cookie)
        finally:
            db.close()
    except sqlite3.Error:
        return None, ""
    return (session.user, session.csrf) if session else (None, "")


def referer_path(request: Request) -> str | None:
    """The local path (and query) of the Referer when it is a page of this site, and not the
    address that failed itself (a reload of a missing page): the page the user came from."""
    referer = request.headers.get("referer") or ""
    parts = urlsplit(referer)
    own = f"{request.url.scheme}://{request.headers.get('host', '')}".lower()
    if not referer or f"{parts.scheme}://{parts.netloc}".lower() != own:
        return None
    target = safe_next((parts.path or "/") + (f"?{parts.query}" if parts.query else ""), "")
    if not target or (request.method == "GET" and parts.path == request.url.path
                      and parts.query == request.url.query):
        return None
    return target


def open_request_db(request: Request) -> Iterator[sqlite_utils.Database]:
    db = connect(request.app.state.db_path)
    try:
        yield db
    finally:
        db.close()


DB = Annotated[sqlite_utils.Database, Depends(open_request_db)]


def page_ctx(request: Request, db: DB) -> Ctx:
    """A signed-in user for a page (GET); otherwise a redirect to /login."""
    session = accounts.load_session(db, request.cookies.get(SESSION_COOKIE))
    if not session:
        raise LoginRequired()
    return Ctx(request, db, session, session.user)


def form_ctx(request: Request, db: DB, csrf_token: Annotated[str, Form()] = "") -> Ctx:
    """A signed-in user for a form POST, with the session's CSRF token checked (403 if wrong)."""
    session = accounts.load_session(db, request.cookies.get(SESSION_COOKIE))
    if not session:
        raise LoginRequired()
    if not tokens_match(csrf_token, session.csrf):
        raise Forbidden(_("The form's security token is missing or out of date. Reload the page and try again."))
    return Ctx(request, db, session, session.user)


def api_ctx(request: Request, db: DB,
            bearer: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)] = None,
            cookie: Annotated[str | None, Security(SESSION)] = None,
            x_csrf_token: Annotated[str | None, Header(max_length=200, description=(
                "With the session cookie, writes need the session's CSRF token (GET /api/me gives it); "
                "not needed with an API token."))] = None) -> Ctx:
    """The API: an API token (``Authorization: Bearer ...``) or the session cookie; with the
    cookie, writes need the session's CSRF token in ``X-CSRF-Token``."""
    if bearer:
        user = accounts.user_for_token(db, bearer.credentials.strip())
        if not user:
            raise LoginRequired()
        return Ctx(request, db, None, user)
    session = accounts.load_session(db, cookie)
    if not session:
        raise LoginRequired()
    if request.method not in ("GET", "HEAD", "OPTIONS") and not tokens_match(x_csrf_token, session.csrf):
        raise Forbidden(_("missing or wrong X-CSRF-Token header"))
    return Ctx(request, db, session, session.user)


PageCtx = Annotated[Ctx, Depends(page_ctx)]
FormCtx = Annotated[Ctx, Depends(form_ctx)]
ApiCtx = Annotated[Ctx, Depends(api_ctx)]


def tokens_match(a: str | None, b: str | None) -> bool:
    """A CSRF token as sent against the one issued, in constant time."""
    return bool(a) and bool(b) and hmac.compare_digest(str(a).encode(), str(b).encode())


def safe_next(target: str | None, default: str = "/") -> str:
    """Only local paths: no scheme, no //host, no backslashes."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    if any(ord(c) < 32 for c in target):
        return default
    return target
