"""The review web app: the application factory, security headers, the Origin check."""

from __future__ import annotations

import os
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from monitor import i18n
from monitor.review import CountCache, ReviewError
from monitor.review.accounts import AccountError
from monitor.web import (api, auth, complaints, dashboard, evidence, language as languages, listing, queue,
                         referrals, sampling, seller)
from monitor.web.deps import HERE, Forbidden, LoginRequired, error_page, make_templates
from monitor.i18n import N_, gettext as _

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: http:; "
       "connect-src 'self'; form-action 'self'; frame-src 'self'; frame-ancestors 'none'; base-uri 'none'")
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
# A captured page (monitor/web/evidence.py): a sandbox without scripts, nothing loaded from
# anywhere (the seller's servers must not learn an analyst is looking), framed only by us.
CAPTURE_CSP = ("sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
               "form-action 'none'; frame-ancestors 'self'; base-uri 'none'")
CAPTURE_HEADERS = [
    (b"content-security-policy", CAPTURE_CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
# Starlette's own error details, translated when a page shows them (app.http_error).
HTTP_DETAILS = (N_("Not Found"), N_("Method Not Allowed"), N_("Bad Request"), N_("Unauthorized"), N_("Forbidden"))
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
COUNTS_TTL_SECONDS = 30.0  # the status tab counts of the queue (see review.CountCache)
COUNTS_BUDGET_MS = 30.0  # longer counts go on in the background; the page shows none meanwhile


class ServerTimingMiddleware:
    """``Server-Timing: app;dur=<ms>`` on every response: the time from the request entering
    the app to its response headers (session check, queries, rendering; a page is rendered
    whole before its headers go out). Read by ``benchmarks/review_app.py``; browsers show it
    in their network panel."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()

        async def timed(message: Message) -> None:
            if message["type"] == "http.response.start":
                ms = (time.perf_counter() - start) * 1000
                message = {**message, "headers": [*message.get("headers", []),
                                                   (b"server-timing", f"app;dur={ms:.1f}".encode())]}
            await send(message)

        await self.app(scope, receive, timed)


class SecurityMiddleware:
    """Security headers on every response (errors and static files too), and refusal (403) of
    writes whose Origin, or failing that Referer, is another site than this one."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] in UNSAFE_METHODS and not _same_origin(scope):
            message = _("Cross-site request refused (Origin/Referer is another site).")
            response = (JSONResponse({"error": message}, status_code=403) if _is_api(scope["path"])
                        else PlainTextResponse(message, status_code=403))
            await response(scope, receive, self._with_headers(send, scope))
            return
        await self.app(scope, receive, self._with_headers(send, scope))

    @staticmethod
    def _with_headers(send: Send, scope: Scope) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                own = CAPTURE_HEADERS if scope["path"].startswith("/capture/") else SECURITY_HEADERS
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.lower() not in {name for name, _ in own}]
                headers += own
                if scope["scheme"] == "https":
                    headers.append((b"strict-transport-security", b"max-age=31536000"))
                if not scope["path"].startswith("/static/"):
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        return wrapped


def _is_api(path: str) -> bool:
    """The JSON API answers errors with its ErrorOut body (monitor/web/api.py), the pages with HTML."""
    return path == "/api" or path.startswith("/api/")


def _same_origin(scope: Scope) -> bool:
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
    host = headers.get("host", "")
    own = f"{scope['scheme']}://{host}".lower()
    origin = headers.get("origin")
    if origin is not None:
        return origin.lower() == own  # "null" (sandboxed frames, file:) is foreign too
    referer = headers.get("referer")
    if referer:
        parts = urlsplit(referer)
        return f"{parts.scheme}://{parts.netloc}".lower() == own
    return True  # neither header (curl, API clients): the CSRF token or API token decides


def create_app(db_path: str | os.PathLike, language: str | None = None) -> FastAPI:
    """The app for one database file. Apply the migrations (both sets) before serving.
    ``language``: of pages for accounts and browsers that ask for none (default: monitor.yaml's)."""
    app = FastAPI(title="Listing monitor review API", version="1",
                  openapi_url="/api/openapi.json", docs_url=None, redoc_url=None,
                  description="Review queue, listings, sellers and verdicts. Authenticate with "
                              "`Authorization: Bearer <token>` (`monitor users token NAME`) or the "
                              "web session cookie plus an `X-CSRF-Token` header for writes. Every "
                              "error answers `{\"error\": ..., \"detail\": [...]}` (ErrorOut; `detail` "
                              "with 422 only), and each operation lists the statuses it can answer.")
    app.state.db_path = Path(db_path)
    app.state.templates = make_templates()
    app.state.counts = CountCache(app.state.db_path, ttl=COUNTS_TTL_SECONDS, budget_ms=COUNTS_BUDGET_MS)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        if _is_api(request.url.path):
            return JSONResponse({"error": _("authentication required: send Authorization: Bearer <token> "
                                            "(monitor users token NAME) or sign in at /login")}, status_code=401,
                                headers={"WWW-Authenticate": "Bearer"})
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.method != "GET":
            target = "/"
        return RedirectResponse("/login?next=" + quote(target, safe=""), status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        if _is_api(request.url.path):
            return JSONResponse({"error": exc.message}, status_code=403)
        return error_page(request, 403, _("Not allowed"), exc.message)

    @app.exception_handler(ReviewError)
    async def review_error(request: Request, exc: ReviewError) -> Response:
        if _is_api(request.url.path):
            return JSONResponse({"error": str(exc)}, status_code=exc.status)
        return error_page(request, exc.status, _("Not found") if exc.status == 404 else _("Not done"), str(exc))

    @app.exception_handler(AccountError)
    async def account_error(request: Request, exc: AccountError) -> Response:
        return error_page(request, 400, _("Not done"), str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        """Routing's own answers (404 no such path, 405 with its Allow header): ErrorOut in the API."""
        if _is_api(request.url.path):
            return JSONResponse({"error": f"{exc.detail} ({request.method} {request.url.path})"},
                                status_code=exc.status_code, headers=exc.headers)
        if exc.status_code == 404:
            title, message = _("Page not found"), _("There is no page at %(path)s.", path=request.url.path)
        elif exc.status_code == 405:
            title, message = _("Not done"), _("%(path)s does not take %(method)s requests.",
                                              path=request.url.path, method=request.method)
        else:
            detail = _(str(exc.detail))  # Starlette's "Not Found", "Method Not Allowed" are in the catalogue
            title, message = detail, f"{request.method} {request.url.path}: {detail}"
        page = error_page(request, exc.status_code, title, message)
        page.headers.update(exc.headers or {})
        return page

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        if _is_api(request.url.path):
            return JSONResponse({"error": _("invalid request: see detail for each parameter or field to correct"),
                                 "detail": jsonable(exc.errors())}, status_code=422)
        return error_page(request, 400, _("Invalid request"), _("Some fields of the request are missing or invalid."))

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        """Browsers ask for it whatever the page links (base.html links /static/favicon.svg)."""
        return RedirectResponse("/static/favicon.svg", status_code=301)

    for module in (auth, queue, listing, seller, dashboard, evidence, api, languages, complaints, sampling, referrals):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.add_middleware(SecurityMiddleware)
    app.add_middleware(languages.LocaleMiddleware, db_path=app.state.db_path,
                       default=i18n.normalise(language) if language else languages.configured_language())
    app.add_middleware(ServerTimingMiddleware)  # outermost: times everything below it
    return app


def jsonable(errors) -> list:
    return [{"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg"))} for e in errors]
