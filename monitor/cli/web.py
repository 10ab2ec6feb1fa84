"""`monitor serve` (the review web app) and `monitor users` (accounts)."""

from __future__ import annotations

import click
import uvicorn

from monitor.review.accounts import (MIN_PASSWORD_LENGTH, AccountError, add_user, disable_user,
                                     generate_password, list_users, new_api_token, set_language, set_password, set_role)
from monitor.store import open_db
from monitor.store.migrations_review import REVIEW_MIGRATIONS
from monitor.web import create_app


def _open(ctx):
    db = open_db(ctx.obj.get("db_path"))
    # open_db will apply the review set itself; until then (and harmless after) apply it here
    if REVIEW_MIGRATIONS.pending(db):
        REVIEW_MIGRATIONS.apply(db)
    return db


def _account_change(ctx, change, *args):
    """``change(db, *args, actor="cli")`` on the store; a refusal (AccountError) is the command's error."""
    db = _open(ctx)
    try:
        return change(db, *args, actor="cli")
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        db.close()


def _new_password(generate: bool, prompt: str) -> str:
    """A generated password, or one asked twice without echo."""
    if generate:
        return generate_password()
    return click.prompt(f"{prompt} (at least {MIN_PASSWORD_LENGTH} characters)", hide_input=True,
                        confirmation_prompt=True)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--proxy-headers/--no-proxy-headers", default=False, show_default=True,
              help="Trust X-Forwarded-Proto/For from 127.0.0.1 (behind a TLS-terminating proxy; cookies become Secure).")
@click.pass_context
def serve(ctx, host, port, proxy_headers):
    """Serve the review web app (queue, listings, sellers, dashboard, JSON API).

    Create an account first with `monitor users add`. Behind a reverse proxy with TLS,
    pass --proxy-headers so that cookies are marked Secure.

    Example:

        monitor users add alice --role lead --generate
        monitor serve --port 8000
    """
    db = _open(ctx)
    path = db.conn.execute("PRAGMA database_list").fetchone()[2]
    db.close()
    click.echo(f"Review app on http://{host}:{port}/ (database {path})")
    uvicorn.run(create_app(path), host=host, port=port, proxy_headers=proxy_headers,
                forwarded_allow_ips="127.0.0.1" if proxy_headers else None, server_header=False, log_level="info")


@click.group()
def users():
    """Manage review accounts: add, list, passwords, roles, page language, disable, API tokens.

    Example:

        monitor users add bob --role analyst
        monitor users list
    """


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["analyst", "lead", "admin"]), default="analyst", show_default=True,
              help="analysts review; leads also reassign and export; admins also manage users.")
@click.option("--generate", is_flag=True, help="Generate a password and print it instead of asking for one.")
@click.pass_context
def users_add(ctx, name, role, generate):
    """Add an account. The password is asked twice (or generated with --generate).

    A password has at least 12 characters and is not easy to guess: common and leaked
    passwords, keyboard walks and the like are refused (OWASP ASVS 2.1).

    Example:

        monitor users add alice --role admin --generate
    """
    password = _new_password(generate, "Password")
    _account_change(ctx, add_user, name, role, password)
    click.echo(f"Added {name} ({role}).")
    if generate:
        click.echo(f"Password: {password}")


@users.command("password")
@click.argument("name")
@click.option("--generate", is_flag=True, help="Generate a password and print it instead of asking for one.")
@click.pass_context
def users_password(ctx, name, generate):
    """Set a new password for an account (asked twice, or generated); its sessions end.

    At least 12 characters, not a common or leaked password (OWASP ASVS 2.1).

    Example:

        monitor users password bob --generate
    """
    password = _new_password(generate, "New password")
    _account_change(ctx, set_password, name, password)
    click.echo(f"New password set for {name}; their sessions ended.")
    if generate:
        click.echo(f"Password: {password}")


@users.command("list")
@click.pass_context
def users_list(ctx):
    """List accounts with their roles.

    Example:

        monitor users list
    """
    db = _open(ctx)
    rows = list_users(db)
    db.close()
    for u in rows:
        state = f"disabled {u['disabled_at']}" if u["disabled_at"] else "active"
        language = u.get("language") or "browser"
        click.echo(f"{u['name']}\t{u['role']}\t{state}\tlanguage={language}\ttoken={'yes' if u['has_token'] else 'no'}")


@users.command("role")
@click.argument("name")
@click.argument("role", type=click.Choice(["analyst", "lead", "admin"]))
@click.pass_context
def users_role(ctx, name, role):
    """Change an account's role.

    Example:

        monitor users role bob lead
    """
    _account_change(ctx, set_role, name, role)
    click.echo(f"{name} is now {role}.")


# What an account's pages may be in: the catalogues kept, by their short names too, or "browser"
# (follow the browser's Accept-Language, then monitor.yaml language:).
LANGUAGE_NAMES = {"zh": "zh_CN", "zh_CN": "zh_CN", "en": "en", "browser": None}


@users.command("language")
@click.argument("name")
@click.argument("language", type=click.Choice(list(LANGUAGE_NAMES)))
@click.pass_context
def users_language(ctx, name, language):
    """Set the language of an account's pages: zh (Chinese), en, or browser (follow the
    browser's Accept-Language, then monitor.yaml language:). The user can change it in the
    app's header too; each change is in the audit trail.

    Example:

        monitor users language bob en
    """
    _account_change(ctx, set_language, name, LANGUAGE_NAMES[language])
    shown = LANGUAGE_NAMES[language] or "the browser's language"
    click.echo(f"{name}'s pages are now in {shown}.")


@users.command("disable")
@click.argument("name")
@click.pass_context
def users_disable(ctx, name):
    """Disable an account: its sessions end and its API token stops working.

    Example:

        monitor users disable bob
    """
    _account_change(ctx, disable_user, name)
    click.echo(f"Disabled {name}.")


@users.command("token")
@click.argument("name")
@click.pass_context
def users_token(ctx, name):
    """Create a new API token for an account (replacing the old one) and print it once.

    Example:

        monitor users token alice
        curl -H "Authorization: Bearer mt_..." http://127.0.0.1:8000/api/queue
    """
    token = _account_change(ctx, new_api_token, name)
    click.echo(token)


COMMANDS = [serve, users]
