"""Finding a Chromium for pages that need a browser, launching it for scrapy-playwright, and
the guard proxy every connection of that browser goes through (``GuardProxy``)."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

from monitor.crawl.netguard import (BlockedURL, LookupFailed, Policy, check_literal, lookup_failure_message,
                                    query_name_servers, resolve, vet_addresses)
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


def launch_options(executable: str, proxy: str | None = None) -> dict:
    """Playwright's launch options; with ``proxy`` (a ``GuardProxy.url``) every connection of
    the browser goes through the guard proxy, which vets the address it connects to."""
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
    if proxy:
        args += [
            f"--proxy-server={proxy}",
            # Chromium sends localhost straight past a proxy unless told not to.
            "--proxy-bypass-list=<-loopback>",
            # The browser itself resolves nothing (the proxy does): a path around the proxy
            # finds no address instead of an unvetted one.
            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
            # WebRTC's UDP (STUN to any address a script names) would not pass the proxy.
            "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
        ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to start its sandbox as root
    return {"headless": True, "executable_path": executable, "args": args, "timeout": 30_000}


# Whether the crawl running in this process may reach private addresses (one crawl per
# process): set by the profile spider, read by the guard proxy at each request.
ALLOW_PRIVATE = False
ALLOWED_NETWORKS: tuple = ()  # MONITOR_ALLOWED_NETWORKS of the crawl
_CRAWL_PROXY: GuardProxy | None = None


def crawl_policy() -> Policy:
    return Policy(allow_private=ALLOW_PRIVATE, allowed=ALLOWED_NETWORKS)


def crawl_proxy(*, servers=(), allowed=()) -> GuardProxy:
    """The guard proxy of this process's crawl (started once, stopped with the process)."""
    global _CRAWL_PROXY, ALLOWED_NETWORKS
    ALLOWED_NETWORKS = tuple(allowed)
    if _CRAWL_PROXY is None:
        _CRAWL_PROXY = GuardProxy(crawl_policy, servers=servers).start()
    return _CRAWL_PROXY


def crawl_refusal(host: str) -> str | None:
    """Why the crawl's guard proxy refused ``host``, if it did."""
    return _CRAWL_PROXY.refused_hosts.get(host) if _CRAWL_PROXY is not None else None


def crawl_connected(host: str) -> str | None:
    """The address the crawl's guard proxy last connected to for ``host`` (the page's server)."""
    return _CRAWL_PROXY.connected.get(host) if _CRAWL_PROXY is not None else None


def is_heavy(request) -> bool:
    """Images, fonts and media are never needed to read a listing."""
    return request.resource_type in ("image", "font", "media")


async def abort_heavy_resources(request) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST: images, fonts and media are never needed to read a listing; a
    sub-request to a private, loopback or link-local address in its URL is refused at once
    unless the site allows it. Host names are vetted by the guard proxy, where the browser's
    connection is made (a lookup here, then another by the proxy, is what rebinding beats)."""
    if is_heavy(request):
        return True
    url = request.url
    if not url.startswith(("http://", "https://")):
        return False  # data:, blob: and about: never leave the browser
    try:
        check_literal(url, crawl_policy())
    except BlockedURL as exc:
        logger.warning("Browser sub-request refused: %s", exc)
        return True
    return False


# -- the guard proxy: the browser's connections, vetted where they are made ------------------

MAX_HEAD = 64 * 1024  # a request or response head larger than this is not a browser's
_HOP_HEADERS = {"connection", "keep-alive", "proxy-connection", "proxy-authorization", "proxy-authenticate"}
WHERE = "at connection time (browser)"


def _split_host_port(target: str, default: int) -> tuple[str, int]:
    parts = urlsplit(f"//{target}")
    return parts.hostname or "", parts.port or default


def _rewrite_head(first_line: str, head: bytes) -> bytes:
    """A head with ``first_line``, without hop-by-hop headers, and ``Connection: close``: one
    exchange per connection, so a connection never carries a request for another host."""
    lines = [first_line]
    for line in head.decode("latin-1").split("\r\n")[1:]:
        if line and line.split(":", 1)[0].strip().lower() not in _HOP_HEADERS:
            lines.append(line)
    return ("\r\n".join([*lines, "Connection: close"]) + "\r\n\r\n").encode("latin-1")


class GuardProxy:
    """An HTTP proxy on 127.0.0.1 that the browser must use (``launch_options(proxy=...)``).

    Chromium resolves names by itself, so a check before the navigation is beaten by DNS
    rebinding just as Scrapy's was. Through this proxy the browser resolves nothing: each
    CONNECT (https, wss) or absolute-URL request (http) names its host, the proxy looks it up
    once (cached for the proxy's life), refuses it with 403 when any answer is private under
    ``policy`` (a ``Policy`` or a callable returning one, read at each request), and connects
    to the vetted address itself. TLS stays end to end (the proxy only pipes a tunnel's bytes).
    Refusals are kept in ``refusals``; ``connected[host]`` is the address last connected to
    (the server address to record: the browser only sees the proxy's).
    """

    def __init__(self, policy, *, servers=(), timeout: float = 30.0):
        self._policy = policy if callable(policy) else (lambda: policy)
        self.servers = list(servers)
        self.timeout = timeout
        self.refusals: list[str] = []
        self.refused_hosts: dict[str, str] = {}
        self.connected: dict[str, str] = {}
        self._cache: dict[str, list[str]] = {}
        self._lookups: dict[str, asyncio.Future] = {}  # in flight: one per name
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self.port: int | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- life ----------------------------------------------------------------------------
    def start(self) -> GuardProxy:
        """Serve in a thread of its own (its own event loop): usable from the crawl's reactor
        and from ``asyncio.run`` alike."""
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            try:
                server = loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0, limit=MAX_HEAD))
            except OSError as exc:
                failure.append(exc)
                ready.set()
                return
            self.port = server.sockets[0].getsockname()[1]
            ready.set()
            loop.run_forever()
            server.close()
            pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(server.wait_closed())
            loop.close()

        self._thread = threading.Thread(target=run, name="guard-proxy", daemon=True)
        self._thread.start()
        ready.wait(10)
        if failure or self.port is None:
            raise RuntimeError(f"the browser's guard proxy could not listen on 127.0.0.1: {failure or 'timed out'}")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    def __enter__(self) -> GuardProxy:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- vetting -------------------------------------------------------------------------
    async def vetted(self, host: str) -> list[str]:
        """The addresses a connection to ``host`` may use, or ``BlockedURL`` saying why not."""
        addresses = self._cache.get(host)
        if addresses is None:
            lookup = self._lookups.get(host)
            if lookup is None:  # else a lookup of this name is in flight: its answer, not a second one
                lookup = self._lookups[host] = asyncio.ensure_future(self._cached_lookup(host))
                lookup.add_done_callback(lambda _: self._lookups.pop(host, None))
            addresses = await asyncio.shield(lookup)
        vet_addresses(WHERE, host, addresses, self._policy())
        self.refused_hosts.pop(host, None)  # an earlier failed lookup is no reason for a later failure
        return addresses

    async def _cached_lookup(self, host: str) -> list[str]:
        try:
            addresses = await asyncio.wait_for(self._lookup(host), self.timeout)
        except (OSError, TimeoutError, UnicodeError) as exc:  # UnicodeError: a name IDNA cannot encode
            reason = f"no answer within {self.timeout:g} s" if isinstance(exc, TimeoutError) else str(exc)
            raise LookupFailed(lookup_failure_message(WHERE, host, reason or type(exc).__name__)) from None
        self._cache[host] = addresses
        return addresses

    async def _lookup(self, host: str) -> list[str]:
        if self.servers:
            return await asyncio.to_thread(query_name_servers, host, self.servers, self.timeout)
        return await resolve(host)

    # -- serving -------------------------------------------------------------------------
    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream = None
        try:
            try:
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), self.timeout)
                method, target, version = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ")
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ValueError):
                return await self._reply(writer, 400, "not an HTTP proxy request")
            if method == "CONNECT":
                host, port = _split_host_port(target, 443)
            else:
                parts = urlsplit(target)
                if parts.scheme != "http" or not parts.hostname:
                    return await self._reply(writer, 400, f"{target}: only http:// URLs and CONNECT are proxied")
                host, port = parts.hostname, parts.port or 80
            try:
                addresses = await self.vetted(host)
            except BlockedURL as exc:
                self.refusals.append(str(exc))
                self.refused_hosts[host] = str(exc)
                # A name that does not resolve is the browser's own background traffic as often
                # as a page's; a navigation's failure reaches the run through the middleware.
                logger.log(logging.INFO if isinstance(exc, LookupFailed) else logging.WARNING,
                           "Browser request refused: %s", exc)
                return await self._reply(writer, 403, str(exc))
            try:
                upstream = await self._connect(host, addresses, port)
            except OSError as exc:
                return await self._reply(writer, 502, f"{host}:{port}: {exc}")
            up_reader, up_writer = upstream
            if method == "CONNECT":
                writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            else:
                parts = urlsplit(target)
                path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
                up_writer.write(_rewrite_head(f"{method} {path} {version}", head))
                try:
                    answer = await asyncio.wait_for(up_reader.readuntil(b"\r\n\r\n"), self.timeout)
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
                    return await self._reply(writer, 502, f"{host}:{port} sent no HTTP answer")
                writer.write(_rewrite_head(answer.split(b"\r\n", 1)[0].decode("latin-1"), answer))
            await writer.drain()
            await self._pipe_both(reader, writer, up_reader, up_writer)
        except (ConnectionError, OSError):
            pass  # either side went away: nothing to tell anyone
        finally:
            for w in (writer, upstream[1] if upstream else None):
                if w is not None:
                    w.close()

    async def _connect(self, host: str, addresses: list[str], port: int):
        errors = []
        for address in addresses:
            try:
                streams = await asyncio.wait_for(asyncio.open_connection(address, port, limit=MAX_HEAD),
                                                 self.timeout)
            except (OSError, TimeoutError) as exc:
                errors.append(f"{address}: {exc or type(exc).__name__}")
                continue
            self.connected[host] = address
            return streams
        raise OSError("; ".join(errors) or "no address")

    @staticmethod
    async def _pipe_both(reader, writer, up_reader, up_writer) -> None:
        async def pipe(source, sink):
            while data := await source.read(65536):
                sink.write(data)
                await sink.drain()

        tasks = [asyncio.ensure_future(pipe(reader, up_writer)), asyncio.ensure_future(pipe(up_reader, writer))]
        _, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    @staticmethod
    async def _reply(writer: asyncio.StreamWriter, status: int, message: str) -> None:
        body = (message + "\n").encode("utf-8")
        reason = {400: "Bad Request", 403: "Forbidden", 502: "Bad Gateway"}[status]
        mark = "X-Monitor-Netguard: refused\r\n" if status == 403 else ""
        writer.write(f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\n"
                     f"Content-Length: {len(body)}\r\n{mark}Connection: close\r\n\r\n".encode("latin-1") + body)
        try:
            await writer.drain()
        except (ConnectionError, OSError):
            pass
