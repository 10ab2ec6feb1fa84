"""Finding a Chromium for pages that need a browser, and launching it for scrapy-playwright."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from monitor.crawl.netguard import BlockedURL, check_url
from monitor.settings import env

CHROMIUM_ENV = "MONITOR_CHROMIUM"
SYSTEM_CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

logger = logging.getLogger(__name__)


class BrowserNotFound(RuntimeError):
    pass


def _playwright_own_chromium() -> str | None:
    """Playwright's downloaded browser, where `playwright install chromium` was run."""
    root = env("PLAYWRIGHT_BROWSERS_PATH") or Path.home() / ".cache" / "ms-playwright"
    for pattern in ("chromium-*/chrome-linux*/chrome", "chromium_headless_shell-*/chrome-*/headless_shell"):
        for candidate in sorted(root.glob(pattern), reverse=True):
            if os.access(candidate, os.X_OK):
                return str(candidate)
    return None


def find_chromium(configured: str | None = None) -> str:
    """The browser to launch: the setting or MONITOR_CHROMIUM, else the system Chromium,
    else Playwright's own. Raises ``BrowserNotFound`` saying how to get one."""
    explicit = configured or env(CHROMIUM_ENV)
    explicit = str(explicit) if explicit else None
    if explicit:
        path = shutil.which(explicit) or explicit
        if not os.access(path, os.X_OK):
            raise BrowserNotFound(f"the MONITOR_CHROMIUM setting points at {explicit!r}, which is not an executable")
        return path
    for name in SYSTEM_CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    own = _playwright_own_chromium()
    if own:
        return own
    raise BrowserNotFound(
        "This site needs a browser (render: browser) and no Chromium was found. Either install the "
        "system package (Debian/Ubuntu: `apt-get install chromium`), or Playwright's own browser "
        "(`playwright install chromium`), or set MONITOR_CHROMIUM=/path/to/chromium."
    )


def launch_options(executable: str) -> dict:
    args = [
        "--disable-gpu",
        # Without these Chromium phones home at start; on a closed network that is a stream of
        # refused connections, and it is traffic nobody asked for.
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to start its sandbox as root
    return {"headless": True, "executable_path": executable, "args": args, "timeout": 30_000}


# Whether the crawl running in this process may reach private addresses (one crawl per
# process): set by the profile spider. The page's own sub-requests (scripts, XHR) do not pass
# through Scrapy's downloader middlewares, so the network guard is applied here too.
ALLOW_PRIVATE = False
_RESOLVED: dict[str, list[str]] = {}


def is_heavy(request) -> bool:
    """Images, fonts and media are never needed to read a listing."""
    return request.resource_type in ("image", "font", "media")


async def abort_heavy_resources(request) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST: images, fonts and media are never needed to read a listing; a
    sub-request to a private, loopback or link-local host is refused unless the site allows it
    (a hostile page must not make the browser probe the operator's network)."""
    if is_heavy(request):
        return True
    url = request.url
    if not url.startswith(("http://", "https://")):
        return False  # data:, blob: and about: never leave the browser
    try:
        await check_url(url, allow_private=ALLOW_PRIVATE, cache=_RESOLVED)
    except BlockedURL as exc:
        logger.warning("Browser sub-request refused: %s", exc)
        return True
    return False
