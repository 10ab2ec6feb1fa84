"""The ``alerts:`` section of ``monitor.yaml``: where alerts go and what counts as a quiet site.

    alerts:
      no_runs_hours: 24               # a site with no completed or degraded run started this long ago
      expected:                       # optional; default: every site with a run in the last 30 days
        sites: [greenmart, baihuo]
        jobs: [greenmart-nightly]
      email:
        host: smtp.example.org
        port: 587                     # default 465 with ssl, 587 with starttls, else 25
        starttls: true
        username: monitor
        password_env: MONITOR_SMTP_PASSWORD   # the NAME of an environment variable, never the password
        from: monitor@example.org
        to: [analysts@example.org]
        subject_prefix: "[monitor]"
        timeout: 30
      webhook:
        url: https://hooks.example.org/monitor
        headers: {X-Source: listing-monitor}
        headers_env: {Authorization: MONITOR_WEBHOOK_AUTH}   # header value read from the environment
        timeout: 10

Validated by hand so that each message names the field, says what is wrong and what to write
instead: ``alerts.email.port: must be an integer from 1 to 65535, e.g. 587``.
"""

from __future__ import annotations

import dataclasses

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from monitor.settings import named_secret, yaml_default
from monitor.i18n import DEFAULT_LANGUAGE, normalise
from monitor.yamlfile import YamlError, load_located

# Each key's type, default and meaning: monitor/settings.py (the README's table comes from there).
DEFAULT_NO_RUNS_HOURS = yaml_default("alerts.no_runs_hours")
DEFAULT_EMAIL_TIMEOUT = yaml_default("alerts.email.timeout")
DEFAULT_WEBHOOK_TIMEOUT = yaml_default("alerts.webhook.timeout")
DEFAULT_SUBJECT_PREFIX = yaml_default("alerts.email.subject_prefix")
# Without expected sites, a site is expected to run if it had any run this recently.
DEFAULT_EXPECTED_DAYS = 30

SECTION_KEYS = ("email", "expected", "no_runs_hours", "webhook")
EMAIL_KEYS = ("from", "host", "password_env", "port", "ssl", "starttls", "subject_prefix", "timeout", "to",
              "username")
WEBHOOK_KEYS = ("headers", "headers_env", "timeout", "url")
EXPECTED_KEYS = ("jobs", "sites")

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")  # an RFC 9110 token
_ADDRESS = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+$")


@dataclass(frozen=True)
class EmailSettings:
    host: str
    sender: str
    to: tuple[str, ...]
    port: int = 25
    starttls: bool = False
    ssl: bool = False
    username: str | None = None
    password_env: str | None = None
    subject_prefix: str = DEFAULT_SUBJECT_PREFIX
    timeout: float = DEFAULT_EMAIL_TIMEOUT

    def password(self) -> str | None:
        """The password from the environment; raises ``LookupError`` when the variable is unset."""
        if not self.password_env:
            return None
        value = named_secret(self.password_env)
        if value is None:
            raise LookupError(f"alerts.email.password_env: the environment variable {self.password_env} is not set; "
                              f"export it with the SMTP password")
        return value


@dataclass(frozen=True)
class WebhookSettings:
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    headers_env: dict[str, str] = field(default_factory=dict)  # header name -> environment variable name
    timeout: float = DEFAULT_WEBHOOK_TIMEOUT

    def all_headers(self) -> dict[str, str]:
        """Fixed headers plus those read from the environment; raises ``LookupError`` for an unset variable."""
        out = dict(self.headers)
        for name, env in self.headers_env.items():
            value = named_secret(env)
            if value is None:
                raise LookupError(f"alerts.webhook.headers_env.{name}: the environment variable {env} is not set")
            out[name] = value
        return out


@dataclass(frozen=True)
class AlertSettings:
    email: EmailSettings | None = None
    webhook: WebhookSettings | None = None
    no_runs_hours: float = DEFAULT_NO_RUNS_HOURS
    # None: every site with a run in the last DEFAULT_EXPECTED_DAYS days, no jobs.
    expected_sites: tuple[str, ...] | None = None
    expected_jobs: tuple[str, ...] = ()
    # The language of the e-mails (monitor.yaml's top-level ``language:``, see configured_language).
    language: str = DEFAULT_LANGUAGE

    @property
    def channels(self) -> tuple[str, ...]:
        return tuple(name for name, value in (("email", self.email), ("webhook", self.webhook)) if value)

    @classmethod
    def from_mapping(cls, section: dict[str, Any] | None) -> "AlertSettings":
        """Settings from a validated ``alerts:`` section (``None`` or ``{}``: no channels, defaults).

        Raises ``ValueError`` listing the problems when the section is not valid.
        """
        section = {} if section is None else section
        problems = alert_problems(section)
        if problems:
            raise ValueError("; ".join(problems))
        email = webhook = None
        if section.get("email"):
            raw = section["email"]
            ssl = bool(raw.get("ssl", False))
            starttls = bool(raw.get("starttls", False))
            to = raw["to"]
            email = EmailSettings(
                host=raw["host"],
                port=int(raw.get("port", 465 if ssl else 587 if starttls else 25)),
                starttls=starttls,
                ssl=ssl,
                username=raw.get("username"),
                password_env=raw.get("password_env"),
                sender=raw["from"],
                to=(to,) if isinstance(to, str) else tuple(to),
                subject_prefix=raw.get("subject_prefix", DEFAULT_SUBJECT_PREFIX),
                timeout=float(raw.get("timeout", DEFAULT_EMAIL_TIMEOUT)),
            )
        if section.get("webhook"):
            raw = section["webhook"]
            webhook = WebhookSettings(
                url=raw["url"],
                headers={str(k): str(v) for k, v in (raw.get("headers") or {}).items()},
                headers_env={str(k): str(v) for k, v in (raw.get("headers_env") or {}).items()},
                timeout=float(raw.get("timeout", DEFAULT_WEBHOOK_TIMEOUT)),
            )
        expected = section.get("expected")
        return cls(
            email=email,
            webhook=webhook,
            no_runs_hours=float(section.get("no_runs_hours", DEFAULT_NO_RUNS_HOURS)),
            expected_sites=None if expected is None else tuple((expected or {}).get("sites") or ()),
            expected_jobs=() if expected is None else tuple((expected or {}).get("jobs") or ()),
        )


# -- validation ------------------------------------------------------------------------------

def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def alert_problem_paths(section: Any) -> list[tuple[tuple, str]]:
    """Every problem as ``(path inside the section, message)``: for callers that know the lines."""
    problems: list[tuple[tuple, str]] = []

    def add(path: tuple, message: str) -> None:
        problems.append((path, message))

    def unknown(raw: dict, known: tuple[str, ...], where: tuple) -> None:
        for key in raw:
            if key not in known:
                add((*where, key), f"unknown field; expected one of: {', '.join(known)}")

    if section is None:
        return problems
    if not isinstance(section, dict):
        add((), "must be a mapping (email:, webhook:, no_runs_hours:, expected:), e.g. alerts: {no_runs_hours: 24}")
        return problems
    unknown(section, SECTION_KEYS, ())

    if "no_runs_hours" in section:
        hours = section["no_runs_hours"]
        if not _is_number(hours) or hours <= 0:
            add(("no_runs_hours",), "must be a positive number of hours, e.g. 24; "
                                    "to check no site, write expected: {sites: []}")

    if "expected" in section:
        expected = section["expected"]
        if expected is not None and not isinstance(expected, dict):
            add(("expected",), "must be a mapping with sites: and/or jobs: lists, e.g. expected: {sites: [greenmart]}")
        elif expected:
            unknown(expected, EXPECTED_KEYS, ("expected",))
            for key in EXPECTED_KEYS:
                if key not in expected or expected[key] is None:
                    continue
                values = expected[key]
                if not isinstance(values, list):
                    add(("expected", key), f"must be a list of {key[:-1]} names, e.g. {key}: [greenmart]")
                    continue
                for i, value in enumerate(values):
                    if not isinstance(value, str) or not value.strip():
                        add(("expected", key, i), f"must be a {key[:-1]} name (text)")

    if "email" in section and section["email"] is not None:
        problems += [((("email",) + p), m) for p, m in _email_problems(section["email"])]
    if "webhook" in section and section["webhook"] is not None:
        problems += [((("webhook",) + p), m) for p, m in _webhook_problems(section["webhook"])]
    return problems


def _email_problems(raw: Any) -> list[tuple[tuple, str]]:
    out: list[tuple[tuple, str]] = []
    if not isinstance(raw, dict):
        return [((), "must be a mapping with host:, from: and to:, e.g. email: {host: smtp.example.org, ...}")]
    for key in raw:
        if key not in EMAIL_KEYS:
            hint = ""
            if key == "password":
                hint = ("; never write the password in the file: set password_env: NAME and "
                        "export NAME=... in the environment of the scheduler")
            out.append(((key,), f"unknown field; expected one of: {', '.join(EMAIL_KEYS)}{hint}"))
    for key, example in (("host", "smtp.example.org"), ("from", "monitor@example.org")):
        if key not in raw:
            out.append(((key,), f"required, e.g. {key}: {example}"))
    host = raw.get("host")
    if "host" in raw and (not isinstance(host, str) or not host.strip() or any(c.isspace() for c in host)):
        out.append((("host",), "must be the SMTP server's host name, e.g. smtp.example.org"))
    if "port" in raw and (not _is_int(raw["port"]) or not 1 <= raw["port"] <= 65535):
        out.append((("port",), "must be an integer from 1 to 65535, e.g. 587 (STARTTLS) or 465 (SSL)"))
    for key in ("starttls", "ssl"):
        if key in raw and not isinstance(raw[key], bool):
            out.append(((key,), "must be true or false"))
    if raw.get("starttls") is True and raw.get("ssl") is True:
        out.append((("ssl",), "give ssl: true (port 465) or starttls: true (port 587), not both"))
    if "username" in raw and (not isinstance(raw["username"], str) or not raw["username"]):
        out.append((("username",), "must be the SMTP user name (text)"))
    if "password_env" in raw:
        name = raw["password_env"]
        if not isinstance(name, str) or not _ENV_NAME.match(name):
            out.append((("password_env",), "must be the name of an environment variable holding the password, "
                                           "e.g. MONITOR_SMTP_PASSWORD (letters, digits, _), not the password"))
    if raw.get("username") and "password_env" not in raw:
        out.append((("password_env",), "required with username: the name of an environment variable holding "
                                       "the password, e.g. password_env: MONITOR_SMTP_PASSWORD"))
    if "password_env" in raw and "username" not in raw:
        out.append((("username",), "required with password_env: the SMTP user name"))
    if "from" in raw and (not isinstance(raw["from"], str) or not _ADDRESS.match(raw["from"])):
        out.append((("from",), "must be one e-mail address, e.g. monitor@example.org"))
    if "to" not in raw:
        out.append((("to",), "required: a list of e-mail addresses, e.g. to: [analysts@example.org]"))
    else:
        to = raw["to"]
        if isinstance(to, str):
            to = [to]
        if not isinstance(to, list) or not to:
            out.append((("to",), "must be a non-empty list of e-mail addresses, e.g. to: [analysts@example.org]"))
        else:
            for i, address in enumerate(to):
                if not isinstance(address, str) or not _ADDRESS.match(address):
                    path = ("to", i) if isinstance(raw["to"], list) else ("to",)
                    out.append((path, f"must be an e-mail address like analysts@example.org, not {address!r}"))
    if "subject_prefix" in raw:
        prefix = raw["subject_prefix"]
        if not isinstance(prefix, str) or any(c in prefix for c in "\r\n"):
            out.append((("subject_prefix",), "must be one line of text, e.g. \"[monitor]\""))
    if "timeout" in raw and (not _is_number(raw["timeout"]) or not 0 < raw["timeout"] <= 600):
        out.append((("timeout",), "must be a number of seconds from 1 to 600, e.g. 30"))
    return out


def _webhook_problems(raw: Any) -> list[tuple[tuple, str]]:
    out: list[tuple[tuple, str]] = []
    if not isinstance(raw, dict):
        return [((), "must be a mapping with url:, e.g. webhook: {url: https://hooks.example.org/monitor}")]
    for key in raw:
        if key not in WEBHOOK_KEYS:
            out.append(((key,), f"unknown field; expected one of: {', '.join(WEBHOOK_KEYS)}"))
    if "url" not in raw:
        out.append((("url",), "required, e.g. url: https://hooks.example.org/monitor"))
    else:
        problem = webhook_url_problem(raw["url"])
        if problem:
            out.append((("url",), problem))
    for key in ("headers", "headers_env"):
        if key not in raw or raw[key] is None:
            continue
        headers = raw[key]
        if not isinstance(headers, dict):
            if key == "headers_env":
                what, example = "environment variable names", "{Authorization: MONITOR_WEBHOOK_AUTH}"
            else:
                what, example = "values", "{X-Source: monitor}"
            out.append(((key,), f"must be a mapping of header names to {what}, e.g. {key}: {example}"))
            continue
        for name, value in headers.items():
            if not isinstance(name, str) or not _HEADER_NAME.match(name):
                out.append(((key, name), "not a valid HTTP header name (letters, digits, -)"))
            if key == "headers":
                if (not isinstance(value, (str, int, float)) or isinstance(value, bool)
                        or any(c in str(value) for c in "\r\n")):
                    out.append(((key, name), "must be one line of text"))
            elif not isinstance(value, str) or not _ENV_NAME.match(value):
                out.append(((key, name), "must be the name of an environment variable holding the header's value, "
                                         "e.g. MONITOR_WEBHOOK_AUTH"))
    if "timeout" in raw and (not _is_number(raw["timeout"]) or not 0 < raw["timeout"] <= 600):
        out.append((("timeout",), "must be a number of seconds from 1 to 600, e.g. 10"))
    return out


def webhook_url_problem(url: Any) -> str | None:
    """Why a webhook URL is unusable, or None: only http(s) with a host."""
    if not isinstance(url, str):
        return "must be an http:// or https:// URL, e.g. https://hooks.example.org/monitor"
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 (raises on a bad port)
    except ValueError as exc:
        return f"not a valid URL ({exc}); write e.g. https://hooks.example.org/monitor"
    if parts.scheme.lower() not in ("http", "https"):
        return f"only http:// and https:// URLs are allowed, not {parts.scheme or 'no scheme'}:"
    if not parts.hostname:
        return "the URL has no host; write e.g. https://hooks.example.org/monitor"
    if any(c.isspace() for c in url.strip()):
        return "the URL contains spaces; percent-encode them"
    return None


def alert_problems(section: Any) -> list[str]:
    """Problems with an ``alerts:`` section, each "alerts.FIELD: what is wrong, what to write"."""
    return [f"{_dotted(path)}: {message}" for path, message in alert_problem_paths(section)]


def located_alert_problems(located: Any, base: tuple = ("alerts",)) -> list[tuple[int | None, str, str]]:
    """The same problems as ``(line, field, message)`` for ``monitor.yamlfile.YamlError``, given the
    ``LocatedYaml`` of the whole file and where the section sits in it."""
    data = located.data
    for key in base:
        data = data.get(key) if isinstance(data, dict) else None
    return [(located.line_of((*base, *path)), _dotted(path, base), message)
            for path, message in alert_problem_paths(data)]


def _dotted(path: tuple, base: tuple = ("alerts",)) -> str:
    return ".".join(str(p) for p in (*base, *path))


def load_alert_settings(path: Any) -> AlertSettings:
    """The ``alerts:`` section of a ``monitor.yaml`` file (the rest of the file is the scheduler's).

    Raises ``monitor.yamlfile.YamlError`` naming file, line and field. A file without an
    ``alerts:`` section gives the defaults (no channels, no_runs after 24 hours).
    """
    located = load_located(path)
    data = located.data
    if data is None:
        return AlertSettings()
    if not isinstance(data, dict):
        raise YamlError(path, [(1, "", "the file must be a mapping (jobs:, alerts:, ...)")])
    problems = located_alert_problems(located)
    if problems:
        raise YamlError(path, problems, "No alert was checked or sent. Fix the alerts: section; "
                                        "see README 'Alerts'.")
    return dataclasses.replace(AlertSettings.from_mapping(data.get("alerts")), language=configured_language(data))


def configured_language(data: Any) -> str:
    """The office's language from a monitor.yaml mapping: ``language:`` (zh, zh_CN or en, checked
    by the scheduler's schema), else Chinese."""
    value = data.get("language") if isinstance(data, dict) else None
    return normalise(value if isinstance(value, str) else None)
