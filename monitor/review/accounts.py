"""Accounts, the review app's users: users, password hashing (argon2id), sessions, API tokens,
sign-in throttling. (The cookies that carry a session are the web app's: monitor/web/deps.py.)

Used by the web app and by ``monitor users``. Every function takes an open
``sqlite_utils.Database``; writes go through ``write_transaction`` (BEGIN IMMEDIATE).
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlite_utils import Database
from zxcvbn import zxcvbn

from monitor import i18n
from monitor.i18n import LANGUAGES, N_, gettext as _
from monitor.listing import utc_now
from monitor.review.audit import audit
from monitor.store.db import BUSY_TIMEOUT_SECONDS, write_transaction
from monitor.verdicts import ROLES

SESSION_DAYS = 7
# A session also ends after this long without a request (sessions.last_seen). last_seen is
# written at most every SESSION_TOUCH_SECONDS, so a page view is not a write every time.
SESSION_IDLE_HOURS = 8
SESSION_TOUCH_SECONDS = 300
# Failed sign-ins within the window before further attempts are refused. Each attempt is written
# to login_failures before its password is checked (and removed on success), in the same
# BEGIN IMMEDIATE transaction that counts the earlier ones: parallel guesses cannot all pass the
# count before any of them is recorded, so at most these many passwords are ever checked.
THROTTLE_WINDOW_MINUTES = 15
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_IP = 20
# OWASP ASVS 4.0 2.1.1 (at least 12 characters), 2.1.2 (64 and more allowed), 2.1.7 (not a
# breached or common password: zxcvbn's lists of leaked passwords, words and names, and its
# patterns: keyboard walks, dates, repeats, l33t). Score 3 of 0-4 is "safely unguessable" for an
# online attack and most offline ones (< 10^10 guesses is 0-2). No composition rules (2.1.9).
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128
MIN_PASSWORD_SCORE = 3
ZXCVBN_MAX_LENGTH = 72  # zxcvbn refuses longer input; the first 72 characters decide
RANK = {role: i for i, role in enumerate(ROLES)}  # analyst < lead < admin

# zxcvbn's feedback sentences (zxcvbn/feedback.py, 4.x), message ids of the web catalogue.
ZXCVBN_TEXTS = frozenset((
    N_("Add another word or two. Uncommon words are better."), N_("Capitalization doesn't help very much."),
    N_("Reversed words aren't much harder to guess."),
    N_("Predictable substitutions like '@' instead of 'a' don't help very much."),
    N_("Use a few words, avoid common phrases."), N_("No need for symbols, digits, or uppercase letters."),
    N_("Straight rows of keys are easy to guess."), N_("Short keyboard patterns are easy to guess."),
    N_("This is a top-10 common password."), N_("This is a top-100 common password."),
    N_("This is a very common password."), N_("This is similar to a commonly used password."),
    N_("A word by itself is easy to guess."), N_("All-uppercase is almost as easy to guess as all-lowercase."),
    N_("Use a longer keyboard pattern with more turns."), N_('Repeats like "aaa" are easy to guess.'),
    N_('Repeats like "abcabcabc" are only slightly harder to guess than "abc".'),
    N_("Names and surnames by themselves are easy to guess."), N_("Common names and surnames are easy to guess."),
    N_("Avoid repeated words and characters."), N_('Sequences like "abc" or "6543" are easy to guess.'),
    N_("Avoid sequences."), N_("Recent years are easy to guess."), N_("Dates are often easy to guess."),
    N_("Avoid recent years."), N_("Avoid years that are associated with you."),
    N_("Avoid dates and years that are associated with you."),
))
PATTERN_WARNING = N_("It follows a pattern that is quick to guess.")  # zxcvbn gave no warning
ZXCVBN_OTHER = N_("The password is too easy to guess; make it longer or use less common words.")

_hasher = PasswordHasher()
# Verifying against this when the user does not exist keeps the timing the same.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


class AccountError(ValueError):
    pass


class Throttled(AccountError):
    """Sign-in refused for now: too many recent failures for the account or the address (429)."""


@dataclass
class User:
    id: int
    name: str
    role: str
    language: str | None = None  # the pages' language chosen by the account (None: browser, then config)

    def can(self, role: str) -> bool:
        """At least ``role``: leads can do what analysts can, admins what leads can."""
        return RANK[self.role] >= RANK[role]


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _iso(dt: datetime) -> str:
    return dt.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _now_dt() -> datetime:
    return datetime.now(timezone.utc)


def generate_password() -> str:
    while True:  # 20 random characters: the policy refuses one in never, but the rule is the rule
        password = secrets.token_urlsafe(15)
        if password_problem(password) is None:
            return password


def password_problem(password: str, *, name: str = "") -> str | None:
    """Why ``password`` may not be used (a sentence for a form or the command line), or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("A password needs at least %(min)s characters (this one has %(n)s); a phrase of several unrelated "
                 "words is easiest to remember.", min=MIN_PASSWORD_LENGTH, n=len(password))
    if len(password) > MAX_PASSWORD_LENGTH:
        return _("A password may have at most %(max)s characters (this one has %(n)s).", max=MAX_PASSWORD_LENGTH,
                 n=len(password))
    result = zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=[name, "monitor", "listing", "review"])
    if result["score"] >= MIN_PASSWORD_SCORE:
        return None
    feedback = result["feedback"]
    why = _zxcvbn_text(feedback.get("warning") or PATTERN_WARNING).rstrip(".。")
    hints = [_zxcvbn_text(text) for text in feedback.get("suggestions") or []]
    hints = list(dict.fromkeys(hints))  # two unknown hints are one generic sentence
    return (_("This password is too easy to guess: %(why)s. Choose another one, for example a phrase of four or "
              "more unrelated words.", why=why[:1].lower() + why[1:])
            + ("" if i18n.current().startswith("zh") else " ") + _zxcvbn_join(hints)).strip()


def _zxcvbn_text(text: str) -> str:
    """One of zxcvbn's warnings or suggestions (English: the library has no catalogue of ours)
    in the reader's language; one this module does not know (a newer zxcvbn) is English only in
    English, in another language a generic sentence of its own."""
    if text in ZXCVBN_TEXTS or text == PATTERN_WARNING:
        return _(text)
    return text if i18n.current() == "en" else _(ZXCVBN_OTHER)


def _zxcvbn_join(hints: list[str]) -> str:
    return ("" if i18n.current().startswith("zh") else " ").join(hints)


def _check_password(password: str, name: str) -> None:
    problem = password_problem(password, name=name)
    if problem:
        raise AccountError(problem)


def add_user(db: Database, name: str, role: str, password: str, *, actor: str = "cli") -> User:
    name = name.strip()
    if not name or len(name) > 64 or any(c.isspace() for c in name):
        raise AccountError(_("a user name is 1-64 characters without spaces"))
    if role not in ROLES:
        raise AccountError(_("role must be one of %(roles)s", roles=", ".join(ROLES)))
    _check_password(password, name)
    with write_transaction(db):
        if db.execute("SELECT 1 FROM users WHERE name = ?", [name]).fetchone():
            raise AccountError(_("user %(name)r already exists", name=name))
        user_id = db["users"].insert({"name": name, "role": role, "password_hash": _hasher.hash(password),
                                      "created_at": utc_now()}).last_pk
        audit(db, actor, "user_add", f"user:{name}", None, {"name": name, "role": role})
    return User(user_id, name, role)


def set_password(db: Database, name: str, password: str, *, actor: str) -> None:
    """A new password; every session of the user ends."""
    _check_password(password, name)
    with write_transaction(db):
        row = db.execute("SELECT id FROM users WHERE name = ?", [name]).fetchone()
        if not row:
            raise AccountError(_("no user %(name)r", name=name))
        db.execute("UPDATE users SET password_hash = ? WHERE id = ?", [_hasher.hash(password), row[0]])
        db.execute("DELETE FROM sessions WHERE user = ?", [row[0]])
        audit(db, actor, "user_password", f"user:{name}", None, None)


def set_role(db: Database, name: str, role: str, *, actor: str) -> None:
    if role not in ROLES:
        raise AccountError(_("role must be one of %(roles)s", roles=", ".join(ROLES)))
    with write_transaction(db):
        row = db.execute("SELECT role FROM users WHERE name = ?", [name]).fetchone()
        if not row:
            raise AccountError(_("no user %(name)r", name=name))
        db.execute("UPDATE users SET role = ? WHERE name = ?", [role, name])
        audit(db, actor, "user_role", f"user:{name}", {"role": row[0]}, {"role": role})


def disable_user(db: Database, name: str, *, actor: str) -> None:
    with write_transaction(db):
        row = db.execute("SELECT id, disabled_at FROM users WHERE name = ?", [name]).fetchone()
        if not row:
            raise AccountError(_("no user %(name)r", name=name))
        now = utc_now()
        db.execute("UPDATE users SET disabled_at = ?, api_token_hash = NULL WHERE id = ?", [now, row[0]])
        db.execute("DELETE FROM sessions WHERE user = ?", [row[0]])
        audit(db, actor, "user_disable", f"user:{name}", {"disabled_at": row[1]}, {"disabled_at": now})


def new_api_token(db: Database, name: str, *, actor: str = "cli") -> str:
    """Create (or replace) the user's API token; only its hash is stored."""
    token = "mt_" + secrets.token_urlsafe(32)
    with write_transaction(db):
        row = db.execute("SELECT id FROM users WHERE name = ? AND disabled_at IS NULL", [name]).fetchone()
        if not row:
            raise AccountError(_("no active user %(name)r", name=name))
        db.execute("UPDATE users SET api_token_hash = ? WHERE id = ?", [_sha(token), row[0]])
        audit(db, actor, "api_token", f"user:{name}", None, {"created": True})
    return token


def user_for_token(db: Database, token: str) -> User | None:
    row = db.execute("SELECT id, name, role, language FROM users WHERE api_token_hash = ? AND disabled_at IS NULL",
                     [_sha(token)]).fetchone()
    return User(*row) if row else None


def list_users(db: Database) -> list[dict[str, Any]]:
    return list(db.execute_returning_dicts(
        "SELECT id, name, role, language, created_at, disabled_at, api_token_hash IS NOT NULL AS has_token "
        "FROM users ORDER BY name"))


# -- signing in ---------------------------------------------------------------------------

def throttled(db: Database, name: str, ip: str) -> str | None:
    """Why sign-in is refused right now, or None. (A look only: ``authenticate`` decides.)"""
    since = _iso(_now_dt() - timedelta(minutes=THROTTLE_WINDOW_MINUTES))
    by_user = db.execute("SELECT count(*) FROM login_failures WHERE name = ? AND at >= ?", [name, since]).fetchone()[0]
    if by_user >= MAX_FAILURES_PER_USER:
        return _("Too many failed sign-ins for this account. Wait %(n)s minutes and try again, or ask an admin.",
                 n=THROTTLE_WINDOW_MINUTES)
    by_ip = db.execute("SELECT count(*) FROM login_failures WHERE ip = ? AND at >= ?", [ip, since]).fetchone()[0]
    if by_ip >= MAX_FAILURES_PER_IP:
        return _("Too many failed sign-ins from your address. Wait %(n)s minutes and try again.", n=THROTTLE_WINDOW_MINUTES)
    return None


def _reserve_attempt(db: Database, name: str, ip: str) -> int:
    """Count the recent failures and record this attempt as one more, in one write transaction
    (BEGIN IMMEDIATE: one at a time across threads and processes), before its password is
    checked. Raises Throttled instead when a limit is reached. Returns the attempt's row id."""
    with write_transaction(db):
        reason = throttled(db, name, ip)
        if reason:
            raise Throttled(reason)
        return db["login_failures"].insert({"name": name, "ip": ip, "at": utc_now()}).last_pk


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        # with no user, a dummy hash: the answer takes as long as for a real one
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def authenticate(db: Database, name: str, password: str, ip: str) -> User | None:
    """Check a password, throttled: raises Throttled when the account or the address had too
    many recent failures (the password is not checked then). The attempt counts as a failure
    from before the check until it succeeds, when the account's failures are cleared."""
    _reserve_attempt(db, name, ip)
    row = db.execute("SELECT id, name, role, password_hash FROM users WHERE name = ? AND disabled_at IS NULL",
                     [name]).fetchone()
    if not _verify(row[3] if row else None, password):
        return None  # the reserved row stays: it is this failure
    with write_transaction(db):
        db.execute("DELETE FROM login_failures WHERE name = ?", [name])
        if _hasher.check_needs_rehash(row[3]):
            db.execute("UPDATE users SET password_hash = ? WHERE id = ?", [_hasher.hash(password), row[0]])
    return User(row[0], row[1], row[2])


@dataclass
class Session:
    token: str  # the cookie value (only its hash is stored)
    csrf: str
    user: User


def create_session(db: Database, user: User, *, ip: str, user_agent: str, replaces: str | None = None) -> Session:
    """A fresh session id on every sign-in; the session the browser had before is dropped."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = _now_dt()
    with write_transaction(db):
        if replaces:
            db.execute("DELETE FROM sessions WHERE id = ?", [_sha(replaces)])
        db.execute("DELETE FROM sessions WHERE expires_at < ?", [_iso(now)])
        db["sessions"].insert({"id": _sha(token), "user": user.id, "csrf": csrf, "created_at": _iso(now),
                               "last_seen": _iso(now), "expires_at": _iso(now + timedelta(days=SESSION_DAYS)),
                               "ip": ip, "user_agent": user_agent[:300]})
        audit(db, user.name, "login", f"user:{user.name}", ip=ip)
    return Session(token, csrf, user)


def load_session(db: Database, token: str | None) -> Session | None:
    """The live session of a cookie: not past its 7 days, not idle for SESSION_IDLE_HOURS, the
    user not disabled. Records the activity (see SESSION_TOUCH_SECONDS)."""
    if not token or len(token) > 200:
        return None
    now = _now_dt()
    row = db.execute(
        "SELECT s.csrf, u.id, u.name, u.role, s.last_seen, u.language FROM sessions s JOIN users u ON u.id = s.user "
        "WHERE s.id = ? AND s.expires_at > ? AND coalesce(s.last_seen, s.created_at) > ? AND u.disabled_at IS NULL",
        [_sha(token), _iso(now), _iso(now - timedelta(hours=SESSION_IDLE_HOURS))]).fetchone()
    if not row:
        return None
    if not row[4] or row[4] < _iso(now - timedelta(seconds=SESSION_TOUCH_SECONDS)):
        _touch(db, _sha(token), _iso(now))
    return Session(token, row[0], User(row[1], row[2], row[3], row[5]))


def session_language(db: Database, token: str | None) -> str | None:
    """The language chosen by the account of a session cookie (None: not chosen, or no live
    session). Read before the request's handler runs, to render everything in that language."""
    if not token or len(token) > 200:
        return None
    row = db.execute("SELECT u.language FROM sessions s JOIN users u ON u.id = s.user "
                     "WHERE s.id = ? AND s.expires_at > ? AND u.disabled_at IS NULL",
                     [_sha(token), _iso(_now_dt())]).fetchone()
    return row[0] if row else None


def set_language(db: Database, name: str, language: str | None, *, actor: str) -> None:
    """The account's language of the pages: ``zh_CN``, ``en``, or None to follow the browser."""
    if language is not None and language not in LANGUAGES:
        raise AccountError(_("language must be one of %(languages)s (or none: follow the browser)",
                               languages=", ".join(LANGUAGES)))
    with write_transaction(db):
        row = db.execute("SELECT language FROM users WHERE name = ?", [name]).fetchone()
        if not row:
            raise AccountError(_("no user %(name)r", name=name))
        db.execute("UPDATE users SET language = ? WHERE name = ?", [language, name])
        audit(db, actor, "user_language", f"user:{name}", {"language": row[0]}, {"language": language})


def _touch(db: Database, session_id: str, now: str) -> None:
    """Best effort: a page view must not wait behind a long import transaction for this."""
    conn = db.conn
    if conn.in_transaction:
        return
    conn.execute("PRAGMA busy_timeout = 250")
    try:
        conn.execute("UPDATE sessions SET last_seen = ? WHERE id = ?", [now, session_id])
    except sqlite3.OperationalError:
        pass  # locked: the next request tries again
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")


def change_password(db: Database, session: Session, current: str, new: str, confirm: str, *, ip: str) -> int:
    """The signed-in user changes their own password: the current one is required (a wrong one
    counts as a failed sign-in for throttling, checked as in ``authenticate``). The user's other sessions end; this one stays.
    Returns how many other sessions ended. Raises AccountError with a message for the form."""
    user = session.user
    # the new password first: a form refused anyway spends none of the attempts on the current one
    if new != confirm:
        raise AccountError(_("The new password and its confirmation differ."))
    if new == current:
        raise AccountError(_("The new password is the same as the current one."))
    _check_password(new, user.name)
    _reserve_attempt(db, user.name, ip)  # raises Throttled (its message is for the form)
    row = db.execute("SELECT password_hash FROM users WHERE id = ? AND disabled_at IS NULL", [user.id]).fetchone()
    if not _verify(row[0] if row else None, current):
        raise AccountError(_("The current password is wrong."))
    with write_transaction(db):
        db.execute("UPDATE users SET password_hash = ? WHERE id = ?", [_hasher.hash(new), user.id])
        ended = db.execute("DELETE FROM sessions WHERE user = ? AND id != ?", [user.id, _sha(session.token)]).rowcount
        db.execute("DELETE FROM login_failures WHERE name = ?", [user.name])
        audit(db, user.name, "password_change", f"user:{user.name}", None, {"other_sessions_ended": ended}, ip=ip)
    return ended


def end_session(db: Database, session: Session, *, ip: str | None = None) -> None:
    with write_transaction(db):
        db.execute("DELETE FROM sessions WHERE id = ?", [_sha(session.token)])
        audit(db, session.user.name, "logout", f"user:{session.user.name}", ip=ip)

