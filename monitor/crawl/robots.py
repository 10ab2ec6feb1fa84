"""What a site's robots.txt lets us fetch, as RFC 9309 says: the one policy of crawl and capture.

The crawl (``spiders/middlewares/robots.py``) and the evidence capture
(``monitor/evidence/capture.py``) fetch robots.txt each their own way (Scrapy's downloader,
urllib in a thread) and hand what they got to :func:`rules_for_status` or
:func:`unreachable`; this module alone decides what that means:

- **2xx**: the first :data:`ROBOTS_MAX_BYTES` (512 KiB; RFC 9309 2.5 asks for at least 500 KiB)
  are parsed with Protego, Scrapy's own RFC 9309 parser (longest match, ``*`` and ``$``,
  the group of our product token ``listing-monitor`` before ``*``). A line cut by the limit is
  dropped, not parsed half (``Allow: /private/x`` cut to ``Allow: /`` would allow too much).
- **3xx**: redirects are followed, at most :data:`MAX_REDIRECTS` (5) hops, each through the
  network guard, across hosts too (RFC 9309 2.3.1.2). More hops, a hop the guard refuses, or a
  3xx without a usable Location: we could not read the rules, so **complete disallow** (the RFC
  allows treating them as "unavailable"; we take the cautious reading).
- **4xx** ("unavailable", RFC 9309 2.3.1.3), 401 and 403 included: **everything allowed**, as
  the RFC says. (urllib's robotparser, which the capture used before, read 401/403 as "nothing
  allowed"; RFC 9309 does not, and the pages themselves still answer 401/403 if they are closed.)
  The exception is **429 Too Many Requests**: a host asking us to slow down is not telling us
  its rules are absent, so 429 counts as unreachable (as Google's crawler does).
- **5xx, and network errors** (connection refused or reset, timeout after
  :data:`ROBOTS_TIMEOUT`, DNS failure, a body cut short, a body over the downloader's size
  limit) ("unreachable", RFC 9309 2.3.1.4): **complete disallow**. The fetch is retried
  :data:`ROBOTS_RETRIES` time(s) at once; if it still fails, nothing of that origin is fetched
  for the rest of this run (a warning names the URL and what to do, the run's errors say so),
  and the next run asks again: robots.txt is never cached across runs. We do not take the
  RFC's option to assume "allow" after 30 days unreachable: a site whose robots.txt stays
  unreachable stays uncrawled, and each run says so.

``Crawl-delay`` (not in RFC 9309, but widely sent) is honoured: :func:`host_delay` keeps at
least that many seconds between two requests to the host, never less than the crawler's own
delay, and at most the configured maximum (``MONITOR_CRAWL_DELAY_MAX``, default 60 s); a longer
one is cut to the maximum with a warning.
"""

from __future__ import annotations

from dataclasses import dataclass

from protego import Protego

from monitor.settings import env

ROBOTS_MAX_BYTES = 512 * 1024  # parsed; the rest ignored (RFC 9309 2.5: at least 500 KiB)
MAX_REDIRECTS = 5  # RFC 9309 2.3.1.2: follow at least five
ROBOTS_TIMEOUT = 10.0  # seconds for one robots.txt fetch; a file of a few KB needs far less
ROBOTS_RETRIES = 1  # immediate retries of a failed fetch before the host counts as unreachable

RFC_UNAVAILABLE = "RFC 9309 2.3.1.3"
RFC_UNREACHABLE = "RFC 9309 2.3.1.4"


@dataclass(frozen=True)
class RobotsRules:
    """One origin's robots.txt as we read it: parsed rules, everything allowed, or nothing."""

    url: str  # the robots.txt asked for
    parser: Protego | None = None  # the rules of a 2xx answer
    allow_all: bool = False  # a 4xx: no rules, everything allowed
    why: str | None = None  # why everything is allowed or nothing is (for logs and errors)

    @property
    def reachable(self) -> bool:
        """False: the rules could not be had, so nothing of the origin may be fetched."""
        return self.parser is not None or self.allow_all

    def allowed(self, url: str, user_agent: str | bytes) -> bool:
        if self.allow_all:
            return True
        if self.parser is None:
            return False
        return self.parser.can_fetch(url, _text(user_agent))

    def crawl_delay(self, user_agent: str | bytes) -> float | None:
        """The Crawl-delay of our group (seconds), as the site wrote it; None when it gives none."""
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(_text(user_agent))
        return float(delay) if delay is not None and delay >= 0 else None

    def refusal(self, url: str) -> str:
        """Why ``url`` is not fetched (for the IgnoreRequest and the skip reason)."""
        if not self.reachable:
            return f"{self.url} unreachable ({self.why}): nothing of this site is fetched ({RFC_UNREACHABLE})"
        return f"{self.url} disallows {url} for our User-Agent"


def _text(value: str | bytes) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


def parse_body(url: str, body: bytes) -> RobotsRules:
    """The rules of a 2xx answer: the first ROBOTS_MAX_BYTES, without a line the limit cut."""
    if len(body) > ROBOTS_MAX_BYTES:
        body = body[:ROBOTS_MAX_BYTES]
        cut = max(body.rfind(b"\n"), body.rfind(b"\r"))
        body = body[:cut + 1] if cut >= 0 else b""
    text = body.decode("utf-8-sig", errors="replace")
    try:
        parser = Protego.parse(text)
    except Exception as exc:  # noqa: BLE001 - Protego is lenient; anything it cannot read is no rules at all
        return unreachable(url, f"it could not be parsed: {type(exc).__name__}: {exc}")
    return RobotsRules(url, parser=parser)


def rules_for_status(url: str, status: int, body: bytes = b"") -> RobotsRules:
    """What the final answer (after redirects) to a robots.txt request means."""
    if 200 <= status < 300:
        return parse_body(url, body)
    if status == 429:
        return unreachable(url, "it answered 429 Too Many Requests")
    if 400 <= status < 500:
        return RobotsRules(url, allow_all=True,
                           why=f"it answered {status}: no rules, every page allowed ({RFC_UNAVAILABLE})")
    if 300 <= status < 400:
        return unreachable(url, f"it answered {status} with no redirect we could follow")
    return unreachable(url, f"it answered {status}")


def unreachable(url: str, why: str) -> RobotsRules:
    """No rules could be had (5xx, network error, too many or refused redirects): nothing allowed."""
    return RobotsRules(url, why=why)


def unreachable_warning(rules: RobotsRules) -> str:
    """The warning for a robots.txt that could not be had: which, why, what follows, what to do."""
    return (f"robots.txt {rules.url} is unreachable ({rules.why}): nothing of this site is fetched in this run "
            f"({RFC_UNREACHABLE}: complete disallow). The next run asks again; if the site should be crawled, "
            f"check that {rules.url} answers from this machine.")


def crawl_delay_max() -> float:
    """The longest Crawl-delay kept (MONITOR_CRAWL_DELAY_MAX; the crawl reads it as a Scrapy setting)."""
    return float(env("MONITOR_CRAWL_DELAY_MAX"))


def host_delay(crawl_delay: float | None, *, floor: float, ceiling: float) -> tuple[float, bool]:
    """(seconds between two requests to the host, whether the site's Crawl-delay was cut to
    ``ceiling``): the site's Crawl-delay, never less than our own ``floor`` (DOWNLOAD_DELAY)."""
    wanted = max(floor, crawl_delay or 0.0)
    if wanted > ceiling:
        return max(floor, ceiling), True
    return wanted, False
