"""Site profiles: one YAML file per site under ``spiders/profiles/``, validated on load."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlparse

from parsel import Selector

from monitor.listing import LISTING_FIELDS
from monitor.settings import env
from monitor.yamlfile import YamlError, load_located, schema_problems

# Package data of the spiders package (finding it imports only spiders/__init__.py, a docstring).
PROFILES_DIR = Path(str(files("spiders") / "profiles"))
PROFILE_DIRS_ENV = "MONITOR_PROFILE_DIRS"  # extra folders, separated by os.pathsep

SELECTABLE_FIELDS = tuple(
    f for f in LISTING_FIELDS if f not in ("site", "listing_id", "url", "http_status", "observed_at", "currency_raw")
)

_SELECTOR = {
    "type": "object",
    "properties": {
        "css": {"type": "string", "minLength": 1},
        "xpath": {"type": "string", "minLength": 1},
        "regex": {"type": "string", "minLength": 1},
        "all": {"type": "boolean"},
        "join": {"type": "string"},
    },
    "additionalProperties": False,
    "oneOf": [{"required": ["css"]}, {"required": ["xpath"]}],
}
_ROWS_SELECTOR = {
    "type": "object",
    "properties": {"rows": {"type": "string"}, "name": {"type": "string"}, "value": {"type": "string"}},
    "required": ["rows", "name", "value"],
    "additionalProperties": False,
}
_ID_SELECTOR = {
    "type": "object",
    "properties": {**_SELECTOR["properties"], "url_regex": {"type": "string", "minLength": 1}},
    "additionalProperties": False,
    "oneOf": [{"required": ["css"]}, {"required": ["xpath"]}, {"required": ["url_regex"]}],
}
_WAIT_FOR = {"type": "string", "minLength": 1}

SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["site", "allowed_domains"],
    "additionalProperties": False,
    "properties": {
        "site": {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]*$"},
        "name": {"type": "string"},
        "allowed_domains": {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1},
        "base_url": {"type": "string", "pattern": "^https?://"},
        "start_urls": {"type": "array", "items": {"type": "string", "minLength": 1}},
        "search_url": {"type": "string", "minLength": 1},
        "keywords": {
            "type": "object",
            "propertyNames": {"pattern": "^[a-z][a-z0-9_]*$"},
            "additionalProperties": {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1},
        },
        "category": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
        "pagination": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "next": _SELECTOR,
                "page_param": {"type": "string", "minLength": 1},
                "max_pages": {"type": "integer", "minimum": 1},
            },
        },
        "listing_links": _SELECTOR,
        "listing_id": _ID_SELECTOR,
        "fields": {
            "type": "object",
            "propertyNames": {"enum": list(SELECTABLE_FIELDS)},
            "properties": {"attributes": _ROWS_SELECTOR},
            "additionalProperties": _SELECTOR,
        },
        "render": {"enum": ["http", "browser"]},
        "wait_for": {
            "oneOf": [
                _WAIT_FOR,
                {
                    "type": "object",
                    "properties": {"results": _WAIT_FOR, "listing": _WAIT_FOR},
                    "additionalProperties": False,
                },
            ]
        },
        "politeness": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "obey_robots": {"type": "boolean"},
                "download_delay": {"type": "number", "minimum": 0},
                "concurrency": {"type": "integer", "minimum": 1, "maximum": 8},
                "autothrottle": {"type": "boolean"},
                "user_agent": {"type": "string", "minLength": 1},
            },
        },
        "number_format": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "decimal": {"enum": [".", ","]},
                "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
            },
        },
        "coverage_threshold": {"type": "number", "minimum": 0, "maximum": 1},
        "allow_private": {"type": "boolean"},
        "item_gone": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"text": {"type": "string", "minLength": 1}, "css": {"type": "string", "minLength": 1}},
        },
    },
}


@dataclass
class Profile:
    """A validated site profile. Relative URLs are already resolved against ``base_url``."""

    site: str
    path: Path
    allowed_domains: list[str]
    name: str = ""
    base_url: str | None = None
    start_urls: list[str] = field(default_factory=list)
    search_url: str | None = None
    keywords: dict[str, list[str]] = field(default_factory=dict)
    category: str | None = None
    next_page: dict | None = None
    page_param: str | None = None
    max_pages: int = 5
    listing_links: dict | None = None
    listing_id: dict | None = None
    fields: dict[str, dict] = field(default_factory=dict)
    render: str = "http"
    wait_for_results: str | None = None
    wait_for_listing: str | None = None
    obey_robots: bool = True
    download_delay: float | None = None
    concurrency: int = 2
    autothrottle: bool = True
    user_agent: str | None = None
    decimal: str | None = None
    currency: str | None = None
    coverage_threshold: float = 0.9
    allow_private: bool = False
    item_gone: dict | None = None

    @property
    def number_format(self) -> dict:
        return {"decimal": self.decimal, "currency": self.currency}

    def with_base_url(self, base_url: str) -> "Profile":
        """The same profile pointed at another host (the demo marketplaces run on free ports)."""
        raw = _load_raw(self.path)
        raw["base_url"] = base_url
        host = urlparse(base_url).hostname
        if host and host not in raw["allowed_domains"]:
            raw["allowed_domains"] = [*raw["allowed_domains"], host]
        return _build(raw, self.path)


def _selector_problems(spec: dict, where: str, located, path: tuple) -> list[tuple[int | None, str, str]]:
    """Compile css/xpath/regex now, so a typo fails before any request is sent."""
    probe = Selector(text="<html><body></body></html>")
    problems = []
    for key, value in spec.items():
        line = located.line_of((*path, key))
        try:
            if key in ("css", "rows", "name", "value"):
                probe.css(value)
            elif key == "xpath":
                probe.xpath(value)
            elif key in ("regex", "url_regex"):
                if re.compile(value).groups < 1 and key == "url_regex":
                    problems.append((line, f"{where}.{key}", "needs a capture group around the id, e.g. /item/(\\d+)"))
        except re.error as exc:
            problems.append((line, f"{where}.{key}", f"invalid regular expression: {exc}"))
        except Exception as exc:  # parsel raises several types for bad selectors
            problems.append((line, f"{where}.{key}", f"invalid selector {value!r}: {exc}"))
    return problems


def _semantic_problems(raw: dict, located) -> list[tuple[int | None, str, str]]:
    problems = []
    if not raw.get("start_urls") and not raw.get("search_url"):
        problems.append((located.line_of(()), "start_urls", "give start_urls, a search_url, or both"))
    if raw.get("search_url"):
        if "{keyword}" not in raw["search_url"]:
            problems.append((located.line_of(("search_url",)), "search_url", "must contain {keyword}"))
        if not raw.get("keywords"):
            problems.append((located.line_of(("search_url",)), "keywords",
                             "a search_url needs keywords per category, e.g. keywords: {cosmetics: [面霜]}"))
    base = raw.get("base_url")
    for i, url in enumerate(raw.get("start_urls") or []):
        if not base and not re.match(r"^https?://", url):
            problems.append((located.line_of(("start_urls", i)), f"start_urls.{i}",
                             "a relative URL needs base_url, or write the full http(s):// URL"))
    if raw.get("search_url") and not base and not re.match(r"^https?://", raw["search_url"]):
        problems.append((located.line_of(("search_url",)), "search_url",
                         "a relative URL needs base_url, or write the full http(s):// URL"))
    if (raw.get("start_urls") or raw.get("search_url")) and not raw.get("listing_links"):
        problems.append((located.line_of(()), "listing_links", "required: the selector for links to listing pages"))
    if raw.get("render") != "browser" and raw.get("wait_for"):
        problems.append((located.line_of(("wait_for",)), "wait_for", "only used with render: browser"))
    pag = raw.get("pagination") or {}
    if pag.get("next") and pag.get("page_param"):
        problems.append((located.line_of(("pagination",)), "pagination", "use either next or page_param, not both"))
    for key in ("listing_links", "listing_id"):
        if isinstance(raw.get(key), dict):
            problems += _selector_problems(raw[key], key, located, (key,))
    if isinstance(pag.get("next"), dict):
        problems += _selector_problems(pag["next"], "pagination.next", located, ("pagination", "next"))
    for name, spec in (raw.get("fields") or {}).items():
        if isinstance(spec, dict):
            problems += _selector_problems(spec, f"fields.{name}", located, ("fields", name))
    return problems


def _load_raw(path: Path) -> dict:
    located = load_located(path)
    if not isinstance(located.data, dict):
        raise YamlError(path, [(1, "", "a profile must be a mapping of fields (site:, allowed_domains:, ...)")])
    problems = schema_problems(located, SCHEMA)
    if not problems:
        problems = _semantic_problems(located.data, located)
    if not problems and located.data["site"] != path.stem:
        problems.append((located.line_of(("site",)), "site",
                         f"must match the file name: site {located.data['site']!r} is in {path.name}"))
    if problems:
        raise YamlError(path, problems, "The profile was not used. Fix the fields above; see README 'Writing a site profile'.")
    return located.data


def _build(raw: dict, path: Path) -> Profile:
    base = raw.get("base_url")

    def absolute(url: str) -> str:
        return urljoin(base, url) if base else url

    pag = raw.get("pagination") or {}
    politeness = raw.get("politeness") or {}
    number = raw.get("number_format") or {}
    wait = raw.get("wait_for")
    if isinstance(wait, str):
        wait = {"results": wait, "listing": wait}
    wait = wait or {}
    return Profile(
        site=raw["site"],
        path=path,
        name=raw.get("name") or raw["site"],
        allowed_domains=list(raw["allowed_domains"]),
        base_url=base,
        start_urls=[absolute(u) for u in raw.get("start_urls") or []],
        search_url=absolute(raw["search_url"]) if raw.get("search_url") else None,
        keywords={k: list(v) for k, v in (raw.get("keywords") or {}).items()},
        category=raw.get("category"),
        next_page=pag.get("next"),
        page_param=pag.get("page_param"),
        max_pages=int(pag.get("max_pages", 5)),
        listing_links=raw.get("listing_links"),
        listing_id=raw.get("listing_id"),
        fields=dict(raw.get("fields") or {}),
        render=raw.get("render", "http"),
        wait_for_results=wait.get("results"),
        wait_for_listing=wait.get("listing"),
        obey_robots=bool(politeness.get("obey_robots", True)),
        download_delay=politeness.get("download_delay"),
        concurrency=int(politeness.get("concurrency", 2)),
        autothrottle=bool(politeness.get("autothrottle", True)),
        user_agent=politeness.get("user_agent"),
        decimal=number.get("decimal"),
        currency=number.get("currency"),
        coverage_threshold=float(raw.get("coverage_threshold", 0.9)),
        allow_private=bool(raw.get("allow_private", False)),
        item_gone=raw.get("item_gone"),
    )


def load_profile(path: str | Path) -> Profile:
    """Load and validate one profile; raises ``YamlError`` naming file, line and field."""
    path = Path(path)
    return _build(_load_raw(path), path)


def profile_dirs() -> list[Path]:
    return [*env(PROFILE_DIRS_ENV), PROFILES_DIR]


def profile_paths() -> dict[str, Path]:
    """site -> profile file; a folder earlier in ``MONITOR_PROFILE_DIRS`` wins."""
    found: dict[str, Path] = {}
    for folder in reversed(profile_dirs()):
        if folder.is_dir():
            for path in sorted(folder.glob("*.yaml")):
                found[path.stem] = path
    return found


def find_profile(site: str) -> Profile:
    paths = profile_paths()
    if site not in paths:
        known = ", ".join(sorted(paths)) or "none"
        raise LookupError(
            f"no site profile named {site!r} (known: {known}). Write spiders/profiles/{site}.yaml, "
            f"or put it in a folder listed in {PROFILE_DIRS_ENV}; or crawl a shop with: monitor crawl --url URL"
        )
    return load_profile(paths[site])
