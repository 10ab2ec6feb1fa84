"""Signing in and out; user management (admins)."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from monitor.review import accounts
from monitor.verdicts import ROLES
from monitor.web.deps import DB, LOGIN_CSRF_COOKIE, SESSION_COOKIE, FormCtx, PageCtx, render, safe_next, tokens_match
from monitor.i18n import gettext as _

router = APIRouter(include_in_schema=False)


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _login_page(request: Request, next_url: str, *, error: str = "", name: str = "", status: int = 200) -> Response:
    token = secrets.token_urlsafe(24)
    response = render(request, "login.html", status_code=status, login_csrf=token, next_url=next_url,
                      error=error, name=name)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="lax", secure=_secure(request),
                        path="/login", max_age=3600)
    return response


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    return _login_page(request, safe_next(next))


@router.post("/login")
def login(request: Request, db: DB, name: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
          csrf_token: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/") -> Response:
    next_url = safe_next(next)
    if not tokens_match(csrf_token, request.cookies.get(LOGIN_CSRF_COOKIE)):
        return _login_page(request, next_url, error=_("The sign-in form expired. Please try again."), name=name,
                           status=403)
    ip = request.client.host if request.client else "-"
    name = name.strip()[:64]
    try:
        user = accounts.authenticate(db, name, password, ip)
    except accounts.Throttled as exc:
        return _login_page(request, next_url, error=str(exc), name=name, status=429)
    if not user:
        return _login_page(request, next_url, error=_("Wrong user name or password."), name=name, status=401)
    session = accounts.create_session(db, user, ip=ip, user_agent=request.headers.get("user-agent", ""),
                                      replaces=request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse(next_url, status_code=303)
    response.set_cookie(SESSION_COOKIE, session.token, httponly=True, samesite="lax", secure=_secure(request),
                        path="/", max_age=accounts.SESSION_DAYS * 86400)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(ctx: FormCtx) -> Response:
    if ctx.session:
        accounts.end_session(ctx.db, ctx.session, ip=ctx.ip)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response


# -- the signed-in user's own password ---------------------------------------------------

@router.get("/account/password")
def password_form(ctx: PageCtx, done: int = 0) -> Response:
    return ctx.render("password.html", error="", message=_("Password changed.") if done == 1 else "")


@router.post("/account/password")
def change_password(ctx: FormCtx, current: Annotated[str, Form()] = "", new: Annotated[str, Form()] = "",
                    confirm: Annotated[str, Form()] = "") -> Response:
    try:
        accounts.change_password(ctx.db, ctx.session, current, new, confirm, ip=ctx.ip)
    except accounts.AccountError as exc:
        status = 429 if isinstance(exc, accounts.Throttled) else 400
        return ctx.render("password.html", status_code=status, error=str(exc), message="")
    return RedirectResponse("/account/password?done=1", status_code=303)


# -- admins: users ------------------------------------------------------------------------

@router.get("/admin/users")
def users_page(ctx: PageCtx, created: str = "", error: str = "") -> Response:
    ctx.require("admin")
    return ctx.render("users.html", users=accounts.list_users(ctx.db), roles=ROLES, error=error[:200],
                      created=created[:64], generated="")


@router.post("/admin/users")
def add_user(ctx: FormCtx, name: Annotated[str, Form()] = "", role: Annotated[str, Form()] = "analyst") -> Response:
    ctx.require("admin")
    password = accounts.generate_password()
    try:
        accounts.add_user(ctx.db, name, role, password, actor=ctx.user.name)
    except accounts.AccountError as exc:
        return ctx.render("users.html", status_code=400, users=accounts.list_users(ctx.db), roles=ROLES,
                          error=str(exc), created="", generated="")
    # shown once, on this response only (not in a URL, not stored)
    return ctx.render("users.html", users=accounts.list_users(ctx.db), roles=ROLES, error="", created=name,
                      generated=password)


@router.post("/admin/users/{name}/role")
def change_role(ctx: FormCtx, name: str, role: Annotated[str, Form()]) -> Response:
    ctx.require("admin")
    accounts.set_role(ctx.db, name, role, actor=ctx.user.name)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{name}/disable")
def disable(ctx: FormCtx, name: str) -> Response:
    ctx.require("admin")
    accounts.disable_user(ctx.db, name, actor=ctx.user.name)
    return RedirectResponse("/admin/users", status_code=303)
