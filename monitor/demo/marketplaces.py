"""Three demo marketplaces served over real HTTP (stdlib ``ThreadingHTTPServer``).

::

    from monitor.demo.marketplaces import DemoMarketplaces
    with DemoMarketplaces(day=1, scale=1) as m:
        m.urls      # {"greenmart": "http://127.0.0.1:41234", "baihuo": ..., "kuaigou": ...}
        m.set_day(2)

The shops' pages and URL schemes are in ``shops.py``; this module is the HTTP plumbing.
"""

from __future__ import annotations

import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterable
from urllib.parse import parse_qs, unquote, urlsplit

from monitor.demo.catalogue import SITES, Catalogue
from monitor.demo.shops import APPS, TEXT

logger = logging.getLogger("monitor.demo")


class _Handler(BaseHTTPRequestHandler):
    server_version = "DemoMarketplace/1.0"
    protocol_version = "HTTP/1.1"
    timeout = 30  # idle keep-alive connections are closed after this

    def do_GET(self) -> None:  # noqa: N802
        self._serve(head=False)

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve(head=True)

    def do_POST(self) -> None:  # noqa: N802 - the cart form; nothing is stored
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(min(length, 1 << 16))
        self._serve(head=False)

    def _serve(self, head: bool) -> None:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        host = self.headers.get("Host") or "%s:%s" % self.server.server_address[:2]
        try:
            status, ctype, body, headers = self.server.app.handle(unquote(parts.path), query, host)
        except Exception:  # a demo server must not die on one bad request; the fault is logged
            logger.exception("demo %s: %s failed", type(self.server.app).__name__, self.path)
            status, ctype, body, headers = 500, TEXT, b"internal error", {}
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # silence per-request logging
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address) -> None:  # broken pipes from impatient clients
        pass


class _Server6(_Server):
    address_family = socket.AF_INET6


# The ports of `monitor marketplaces` and of the demo while it serves the review app: greenmart,
# baihuo, kuaigou on 8101, 8102, 8103, the base_url of each site in monitor.yaml.
MARKETPLACE_BASE_PORT = 8101


class DemoMarketplaces:
    """The three demo shops on ``host``; ``base_port=None`` picks free ports.

    ``day`` (1 = first night) and ``scale`` select the catalogue state; ``broken_layout``
    names sites served with a changed layout (renamed classes, no JSON-LD) so that a
    profile's selectors miss.
    """

    def __init__(self, host: str = "127.0.0.1", base_port: int | None = None, day: int = 1, scale: int = 1,
                 broken_layout: Iterable[str] = ()):
        broken = frozenset(broken_layout or ())
        unknown = broken - set(SITES)
        if unknown:
            raise ValueError(f"unknown site(s) in broken_layout: {', '.join(sorted(unknown))}; known: {', '.join(SITES)}")
        if int(day) < 1:
            raise ValueError("day must be >= 1")
        self.host = host
        self.base_port = base_port
        self.day = int(day)
        self.scale = int(scale)
        self.catalogue = Catalogue(self.scale)
        self.broken_layout = broken
        self.urls: dict[str, str] = {}
        self._servers: dict[str, _Server] = {}
        self._threads: list[threading.Thread] = []

    def set_day(self, day: int) -> None:
        """Switch the marketplaces to another night without restarting."""
        if int(day) < 1:
            raise ValueError("day must be >= 1")
        self.day = int(day)

    def start(self) -> "DemoMarketplaces":
        if self._servers:
            return self
        cls = _Server6 if ":" in self.host else _Server
        try:
            for i, site in enumerate(SITES):
                port = 0 if self.base_port is None else self.base_port + i
                server = cls((self.host, port), _Handler)
                server.app = APPS[site](self)
                self._servers[site] = server
                host = f"[{self.host}]" if ":" in self.host else self.host
                self.urls[site] = f"http://{host}:{server.server_address[1]}"
                thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                                          name=f"demo-{site}", daemon=True)
                thread.start()
                self._threads.append(thread)
        except Exception:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for server in self._servers.values():
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers.clear()
        self._threads.clear()
        self.urls = {}

    def __enter__(self) -> "DemoMarketplaces":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"DemoMarketplaces(day={self.day}, scale={self.scale}, urls={self.urls})"

