"""Every setting in one place: the environment variables and the ``monitor.yaml`` keys.

Each entry has its name, type, default and meaning; the README's settings tables are
generated from here (``python -m monitor.settings --write-readme``) and a test fails when
they differ. Every environment read of the package goes through :func:`env` (or
:func:`named_secret` for the variables an analyst names in ``monitor.yaml``), so a bad
value is an error naming the variable, its value and what is accepted, never a silent
default. The ``monitor.yaml`` sections are validated where they are read
(``monitor/schedule/config.py``, ``monitor/alerts/config.py``); their defaults come from here.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

README_START = "<!-- settings:start -->"
README_END = "<!-- settings:end -->"

# What kind of name an entry is: read from the environment by the package, a Scrapy setting
# (`-s NAME=VALUE`, never the environment), read only by the test suite, another program's
# variable the package honours, or an example of a name analysts choose in monitor.yaml.
KINDS = ("env", "scrapy", "test", "external", "example")

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")
LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")


class SettingError(ValueError):
    """An environment variable with a value the package cannot use."""


@dataclass(frozen=True)
class EnvSetting:
    name: str
    type: str  # path, paths, bool, int, str, level
    default: Any  # the value when unset (None: nothing)
    meaning: str
    kind: str = "env"
    default_text: str | None = None  # how the default reads where the value alone says little
    minimum: int = 0  # for int

    @property
    def shown_default(self) -> str:
        if self.default_text is not None:
            return self.default_text
        if isinstance(self.default, bool):
            return "1" if self.default else "0"
        return "(none)" if self.default in (None, "") else str(self.default)


ENV: tuple[EnvSetting, ...] = (
    EnvSetting("MONITOR_DB", "path", None, "The SQLite store (same as `--db`, which wins).",
               default_text="data/monitor.db (under the working directory)"),
    EnvSetting("MONITOR_CONFIG", "path", None, "The scheduler's jobs, campaigns and alerts file (same as `--config`, "
               "which wins).", default_text="./monitor.yaml if present, else the project's monitor.yaml"),
    EnvSetting("MONITOR_RULES", "path", None, "The rules folder (rule packs, scoring, notice templates) instead "
               "of the one shipped with the package.",
               default_text="the packaged rule packs (rules/ of the checkout in an editable install)"),
    EnvSetting("MONITOR_PROFILE_DIRS", "paths", (), "Extra folders of site profiles, separated by `:`; an earlier "
               "folder wins, the packaged spiders/profiles/ is searched last.", default_text="(none)"),
    EnvSetting("MONITOR_EVIDENCE_DIR", "path", None, "Where WARC files and screenshots go.",
               default_text="evidence/ beside the database file"),
    EnvSetting("MONITOR_EVIDENCE", "bool", True, "Keep every fetched page in the run's WARC file (and screenshots "
               "of browser pages); 0 only for benchmarks."),
    EnvSetting("MONITOR_CHROMIUM", "path", None, "The Chromium to launch for pages that need a browser.",
               default_text="the system chromium, else Playwright's own"),
    EnvSetting("MONITOR_CONTACT", "str", "", "How a site operator reaches you, put in the crawler's User-Agent "
               "(an e-mail address or URL)."),
    EnvSetting("MONITOR_LOG_LEVEL", "level", "INFO", "Scrapy's log level for `scrapy crawl` run directly "
               "(`monitor crawl` logs INFO, DEBUG with `--verbose`)."),
    EnvSetting("MONITOR_STORE_BATCH", "int", 200, "Listings per write transaction of a crawl.", minimum=1),
    EnvSetting("MONITOR_SCORE", "bool", True, "Score listings with the rule engine as a crawl stores them."),
    EnvSetting("MONITOR_SCORE_WORKER", "bool", True, "Score in a second process beside the crawl; 0: in the "
               "crawl process itself."),
    EnvSetting("MONITOR_RECHECK_LIMIT", "int", 200, "After a profile crawl, known listings it did not meet that "
               "are re-fetched to see whether they were removed; 0 turns it off."),
    EnvSetting("MONITOR_RETRY_AFTER_MAX", "int", 3600, "The longest Retry-After (seconds) a crawl waits for: "
               "a 429/503 with Retry-After pauses every request to that host that long; a host asking for "
               "more is given up for the run (logged, counted).", minimum=0),
    EnvSetting("MONITOR_CRAWL_DELAY_MAX", "int", 60, "The longest robots.txt Crawl-delay (seconds) a crawl or "
               "evidence capture keeps between two requests to one host; a longer one is cut to this, "
               "with a warning.", minimum=1),
    EnvSetting("MONITOR_ALLOW_PRIVATE", "bool", False, "Let every request of a crawl reach private, loopback "
               "and link-local addresses (per site: the profile's `allow_private`, `monitor crawl --allow-private`).", kind="scrapy"),
    EnvSetting("MONITOR_ALLOWED_NETWORKS", "str", "", "Networks a crawl may reach although private "
               "(comma-separated, e.g. `10.1.2.0/24, fd00::1`): a shop on your own network without "
               "`allow_private` opening every private address.", kind="scrapy"),
    EnvSetting("MONITOR_DNS_SERVERS", "str", "", "Name servers (ADDRESS[:PORT], comma-separated) the crawl and "
               "its browser ask instead of the system's resolver (the fault tests' scripted name server).",
               kind="scrapy"),
    EnvSetting("MONITOR_CONFIRMED_RECHECK_LIMIT", "int", 1000, "`monitor crawl --confirmed`: at most this many "
               "listings with a confirmed verdict are re-fetched.", kind="scrapy"),
    # Case and referral packages (monitor/export/wacz.py, issue 13): signing, timestamping, limits of verify.
    EnvSetting("MONITOR_SIGNING_KEY", "path", None, "The deployment's Ed25519 private key (PEM) that signs case "
               "and referral packages; `monitor evidence keygen` creates it (mode 0600) and prints the fingerprint "
               "to publish. No key there: packages say \"not signed\", with a warning.",
               default_text="signing-key.pem beside the database file"),
    EnvSetting("MONITOR_TSA_URL", "str", "", "An RFC 3161 time-stamping authority: each package's digest is "
               "timestamped there. Unset: packages say \"not timestamped\", with a warning."),
    EnvSetting("MONITOR_TSA_CA", "path", None, "The CA certificates (PEM) the TSA's certificate must chain to; "
               "`monitor evidence verify PACKAGE` checks the timestamp against them (same as `--tsa-ca`)."),
    EnvSetting("MONITOR_PACKAGE_MAX_ENTRY_MB", "int", 4096, "`monitor evidence verify PACKAGE`: an entry (or a "
               "WARC file's records, unpacked) larger than this many MiB is refused.", minimum=1),
    EnvSetting("MONITOR_PACKAGE_MAX_ENTRIES", "int", 100000, "`monitor evidence verify PACKAGE`: a package with "
               "more entries (or WARC records) than this is refused.", minimum=1),
    EnvSetting("MONITOR_PACKAGE_MAX_RATIO", "int", 200, "`monitor evidence verify PACKAGE`: an entry (or a "
               "WARC file) that unpacks to more than this many times its packed size is refused (a zip bomb).",
               minimum=1),
    EnvSetting("MONITOR_REQUIRE_SHARED", "bool", False, "Tests that read ../shared fail instead of skipping when "
               "it is absent (`.ci/run` sets 1 when ../shared is there, as on CI).", kind="test"),
    EnvSetting("CI", "bool", False, "Set by CI (`.ci/run` exports CI=true): tests that need Chromium fail "
               "instead of skipping when none is found.", kind="test"),
    EnvSetting("PLAYWRIGHT_BROWSERS_PATH", "path", None, "Playwright's own variable: where `playwright install "
               "chromium` put its browser.", kind="external", default_text="~/.cache/ms-playwright"),
    EnvSetting("MONITOR_SMTP_PASSWORD", "str", None, "An example: the SMTP password, in the variable named by "
               "`alerts.email.password_env` (any name you choose).", kind="example"),
    EnvSetting("MONITOR_WEBHOOK_AUTH", "str", None, "An example: a webhook header's value, in the variable named "
               "by `alerts.webhook.headers_env` (any name you choose).", kind="example"),
)
_BY_NAME = {s.name: s for s in ENV}


def setting(name: str) -> EnvSetting:
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"{name} is not a setting described in monitor/settings.py") from None


def _invalid(spec: EnvSetting, raw: str, accepted: str) -> SettingError:
    return SettingError(f"{spec.name}={raw!r} is not valid: {accepted} (unset, it is {spec.shown_default}). "
                        f"Fix or unset {spec.name}.")


def parse(spec: EnvSetting, raw: str) -> Any:
    """``raw`` as the setting's type; raises :class:`SettingError` naming variable, value and what is accepted."""
    value = raw.strip()
    if spec.type == "bool":
        if value.lower() in _TRUE:
            return True
        if value.lower() in _FALSE:
            return False
        raise _invalid(spec, raw, "use 1/0, true/false, yes/no or on/off")
    if spec.type == "int":
        try:
            number = int(value)
        except ValueError:
            number = None
        if number is None or number < spec.minimum:
            raise _invalid(spec, raw, f"use a whole number of at least {spec.minimum}")
        return number
    if spec.type == "level":
        if value.upper() not in LOG_LEVELS:
            raise _invalid(spec, raw, f"use one of {', '.join(LOG_LEVELS)}")
        return value.upper()
    if spec.type == "paths":
        return tuple(Path(p) for p in value.split(os.pathsep) if p)
    if spec.type == "path":
        return Path(value)
    return raw


def env(name: str) -> Any:
    """The value of a described environment variable, parsed; its default when unset or empty."""
    spec = setting(name)
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return spec.default
    return parse(spec, raw)


def named_secret(name: str) -> str | None:
    """A variable whose name an analyst chose in monitor.yaml (``password_env``, ``headers_env``):
    its value, or None when unset. The name is the analyst's, so it cannot be described above."""
    return os.environ.get(name)


# The monitor.yaml the scheduler, the CLI's casework commands and the review app read, unless told another.
CONFIG_ENV = "MONITOR_CONFIG"
DEFAULT_CONFIG_NAME = "monitor.yaml"
# The file shipped with the project (jobs for the demo marketplaces), at the repository root.
PROJECT_CONFIG = Path(__file__).resolve().parents[1] / DEFAULT_CONFIG_NAME


def resolve_config_path(cli_value: str | os.PathLike | None = None) -> Path:
    """``--config`` wins, then ``MONITOR_CONFIG``, then ``monitor.yaml`` in the working directory,
    then the one shipped at the project root (the demo marketplaces' jobs)."""
    if cli_value:
        return Path(cli_value)
    configured = env(CONFIG_ENV)
    if configured:
        return configured
    local = Path(DEFAULT_CONFIG_NAME)
    return local if local.exists() else PROJECT_CONFIG


def check_environment() -> None:
    """Every described variable that is set, parsed at once: one error naming each bad one."""
    problems = []
    for spec in ENV:
        if spec.kind in ("env", "test") and os.environ.get(spec.name, "").strip():
            try:
                parse(spec, os.environ[spec.name])
            except SettingError as exc:
                problems.append(str(exc))
    if problems:
        raise SettingError("\n".join(problems))


# ---------------------------------------------------------------- monitor.yaml keys


@dataclass(frozen=True)
class YamlKey:
    path: str  # dotted; "[]" marks a list item: jobs[].cron
    type: str
    default: Any  # None: no default (optional unless `required`)
    meaning: str
    required: bool = False
    default_text: str | None = None

    @property
    def shown_default(self) -> str:
        if self.required:
            return "required"
        if self.default_text is not None:
            return self.default_text
        if isinstance(self.default, bool):
            return "true" if self.default else "false"
        return "(none)" if self.default is None else str(self.default)


def _keys(prefix: str, *rows: tuple) -> tuple[YamlKey, ...]:
    out = []
    for name, type_, default, meaning, *rest in rows:
        extra = rest[0] if rest else {}
        out.append(YamlKey(f"{prefix}{name}", type_, default, meaning, **extra))
    return tuple(out)


_REQ = {"required": True}
_DURATION = "seconds or 90s / 30m / 2h"
YAML: tuple[YamlKey, ...] = (
    *_keys("",
           ("language", "zh, zh_CN or en", "zh_CN", "The review app's language for accounts that chose none and "
            "browsers whose Accept-Language asks for neither Chinese nor English (the API answers in English "
            "unless Accept-Language asks for Chinese)."),
           ("office_name", "string", "", "The office printed as the issuer of a 双随机 draw (the review app's "
            "/sampling/ID, `monitor sample show`), e.g. 某市市场监督管理局; empty: a line is left for the name "
            "and seal.", {"default_text": "(none)"})),
    *_keys("settings.",
           ("timezone", "string", "UTC", "The zone cron expressions and campaign dates are read in."),
           ("misfire_grace_seconds", "integer", 900, "A fire time missed by at most this much (a busy or "
            "restarting host) still runs, once."),
           ("max_parallel", "integer", 2, "Crawls at once, each its own process; others wait by priority."),
           ("kill_grace_seconds", "integer", 15, "A crawl past its time limit gets SIGTERM, then SIGKILL this "
            "much later."),
           ("default_time_limit", _DURATION, 7200, "The time limit of jobs without `time_limit`.",
            {"default_text": "2h"})),
    *_keys("jobs[].",
           ("id", "string", None, "Stable id: the scheduler's job id and the runs' `job`.", _REQ),
           ("site", "string", None, "A site profile to crawl (this or `url`)."),
           ("url", "URL", None, "A shop to crawl without a profile (this or `site`)."),
           ("categories", "list of strings", None, "The profile's categories to search.",
            {"default_text": "all the profile's"}),
           ("keywords", "list of strings", None, "Search words instead of the profile's."),
           ("cron", "cron expression", None, "When it runs: minute hour day month weekday (this or "
            "`interval_seconds`)."),
           ("interval_seconds", "integer", None, "Runs every this many seconds (this or `cron`)."),
           ("campaign_cron", "cron expression", None, "Also runs this often while a campaign covers the job."),
           ("campaign_interval_seconds", "integer", None, "Also runs every this many seconds in a campaign."),
           ("max_pages", "integer", None, "Search result pages per keyword.", {"default_text": "the crawl's"}),
           ("time_limit", _DURATION, None, "The crawl is stopped at this age.",
            {"default_text": "settings.default_time_limit"}),
           ("priority", "integer 1-10", 5, "When crawls wait for a slot, higher goes first."),
           ("base_url", "URL", None, "Point the profile at another host."),
           ("allow_private", "boolean", False, "Allow private and loopback addresses."),
           ("recheck", "boolean", True, "Revisit known listings the crawl did not meet."),
           ("confirmed", "boolean", False, "Fetch only the site's listings with a confirmed verdict."),
           ("capture_flagged", "boolean", False, "After a completed or degraded run, screenshots of its new "
            "flags."),
           ("enabled", "boolean", True, "false: kept in the file, never scheduled.")),
    *_keys("campaigns[].",
           ("name", "string", None, "The campaign's name (e.g. double-11).", _REQ),
           ("start", "date or MM-DD", None, "First day; MM-DD for every year.", _REQ),
           ("end", "date or MM-DD", None, "Last day, inclusive.", _REQ),
           ("categories", "list of strings", None, "Jobs searching these categories are covered."),
           ("marks", "list of strings", None, "Jobs with these marks among their keywords are covered; neither "
            "this nor `categories`: every job."),
           ("priority_boost", "integer 0-100", 10, "Open flags it covers rank in the queue as if they scored "
            "this many points more."),
           ("note", "string", None, "Free text.")),
    *_keys("alerts.",
           ("no_runs_hours", "number", 24.0, "A site with no completed or degraded run started this long ago "
            "raises an alert."),
           ("expected.sites", "list of strings", None, "Sites expected to run.",
            {"default_text": "every site with a run in the last 30 days"}),
           ("expected.jobs", "list of strings", None, "Jobs expected to run."),
           ("email.host", "string", None, "SMTP server; with `email:`, required.", _REQ),
           ("email.port", "integer", None, "SMTP port.", {"default_text": "465 with ssl, 587 with starttls, else 25"}),
           ("email.ssl", "boolean", False, "SMTP over TLS from the start."),
           ("email.starttls", "boolean", False, "Upgrade the connection with STARTTLS."),
           ("email.username", "string", None, "SMTP login (needs `password_env`)."),
           ("email.password_env", "environment variable name", None, "The NAME of the variable holding the "
            "password (e.g. MONITOR_SMTP_PASSWORD), never the password."),
           ("email.from", "e-mail address", None, "The sender.", _REQ),
           ("email.to", "list of e-mail addresses", None, "The recipients.", _REQ),
           ("email.subject_prefix", "string", "[monitor]", "Put before every subject."),
           ("email.timeout", "seconds", 30.0, "SMTP connection timeout."),
           ("webhook.url", "URL", None, "Where alerts are POSTed as JSON; with `webhook:`, required.", _REQ),
           ("webhook.headers", "mapping", None, "Fixed request headers."),
           ("webhook.headers_env", "mapping", None, "Header name -> NAME of the variable holding its value "
            "(e.g. {Authorization: MONITOR_WEBHOOK_AUTH})."),
           ("webhook.timeout", "seconds", 10.0, "Request timeout.")),
    # Casework (issue 14; docs/complaints.md, docs/referrals.md).
    *_keys("complaints.",
           ("response_days", "integer 1-365", 15, "Working days (statutory holidays off, make-up days on) a "
            "complaint has for its answer, counted from the day after it was received."),
           ("near_days", "integer 0-60", 3, "A complaint with this many working days left or fewer is shown as "
            "near its deadline."),
           ("crawl_time_limit", "seconds 10-3600", 120, "The crawl of a complained listing, run while the person "
            "who entered it waits, stops at this age.")),
    *_keys("referrals.criminal_thresholds.",
           ("illegal_business_amount", "number", 50000.0, "CNY: a referral whose estimated illegal business amount "
            "(非法经营数额 = displayed sales count × price) reaches it is marked for transfer to the police; check "
            "the judicial interpretation in force (docs/referrals.md)."),
           ("currency", "string", "CNY", "The threshold's currency; only CNY.")),
)
_YAML_BY_PATH = {k.path: k for k in YAML}


def yaml_default(path: str) -> Any:
    """The default of a ``monitor.yaml`` key, e.g. ``yaml_default("settings.max_parallel")``."""
    try:
        return _YAML_BY_PATH[path].default
    except KeyError:
        raise KeyError(f"{path} is not a monitor.yaml key described in monitor/settings.py") from None


# ---------------------------------------------------------------- the README's tables


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown() -> str:
    """The README's settings tables."""
    lines = ["Environment variables (these tables are generated from `monitor/settings.py`: edit there, then",
             "run `python -m monitor.settings --write-readme`):", "",
             "| Variable | Type | Default | Meaning |", "|---|---|---|---|"]
    notes = {"scrapy": "Scrapy setting (`-s NAME=VALUE`), not read from the environment. ",
             "test": "Test suite only. ", "external": "", "example": ""}
    for spec in ENV:
        lines.append(f"| `{spec.name}` | {spec.type} | {_cell(spec.shown_default)} | "
                     f"{_cell(notes.get(spec.kind, '') + spec.meaning)} |")
    lines += ["", "`monitor.yaml` keys (validated with file, line and field when the file is read):", "",
              "| Key | Type | Default | Meaning |", "|---|---|---|---|"]
    for key in YAML:
        lines.append(f"| `{key.path}` | {_cell(key.type)} | {_cell(key.shown_default)} | {_cell(key.meaning)} |")
    return "\n".join(lines) + "\n"


def readme_with_tables(readme: str) -> str:
    """``readme`` with the text between the settings markers replaced by :func:`markdown`."""
    start, end = readme.find(README_START), readme.find(README_END)
    if start < 0 or end < start:
        raise ValueError(f"README has no {README_START} ... {README_END} markers to write the settings tables between")
    return readme[: start + len(README_START)] + "\n" + markdown() + readme[end:]


def main(argv: list[str]) -> int:
    usage = "usage: python -m monitor.settings (--markdown | --write-readme [README.md] | --check)"
    if argv[:1] == ["--markdown"]:
        sys.stdout.write(markdown())
        return 0
    if argv[:1] == ["--write-readme"]:
        path = Path(argv[1] if len(argv) > 1 else "README.md")
        path.write_text(readme_with_tables(path.read_text(encoding="utf-8")), encoding="utf-8")
        return 0
    if argv[:1] == ["--check"]:
        try:
            check_environment()
        except SettingError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        return 0
    print(usage, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
