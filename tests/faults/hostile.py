"""A hostile shop on 127.0.0.1 for the fault suite: each test scripts what each path does.

The shop answers from ``routes`` (path -> behaviour); a behaviour is a callable taking the
request handler, so a test can send any status, header or byte sequence, hang, reset the
connection or stream forever. Every request is recorded in ``hits`` (path, monotonic time,
User-Agent) so a test can check what the crawler asked for, and when.
"""

from __future__ import annotations

import gzip
import http.server
import json
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

Behaviour = Callable[[http.server.BaseHTTPRequestHandler], None]


def product_html(name: str, *, sku: str | None = None, brand: str = "Bosch", price: str = "99.00",
                 extra_ld: dict | None = None) -> str:
    """A product page with JSON-LD, as the generic spider reads it. ``name`` is put in as given
    (json.dumps with ensure_ascii=True, so a lone surrogate arrives as the escape ``\\ud800``)."""
    data = {"@type": "Product", "name": name, "sku": sku or name, "brand": brand,
            "offers": {"price": price, "priceCurrency": "CNY"}}
    data.update(extra_ld or {})
    return (f"<html><head><title>product</title><script type=\"application/ld+json\">{json.dumps(data)}"
            f"</script></head><body><h1>product</h1></body></html>")


def links_html(paths: list[str]) -> str:
    return "<html><body>" + "".join(f'<a href="{p}">x</a>' for p in paths) + "</body></html>"


def reply(status: int = 200, body: str | bytes = "", *, content_type: str = "text/html; charset=utf-8",
          headers: dict[str, str] | None = None) -> Behaviour:
    data = body.encode() if isinstance(body, str) else body

    def send(handler):
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(data)
    return send


def hang(seconds: float = 3600) -> Behaviour:
    """Accept the request and never answer (until the test ends)."""
    def send(handler):
        handler.server.stopping.wait(seconds)
    return send


def reset() -> Behaviour:
    """Close the connection with a TCP reset before any byte of a response."""
    def send(handler):
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        handler.connection.close()
        handler.close_connection = True
    return send


def truncated(body: bytes, *, claimed: int | None = None) -> Behaviour:
    """Announce ``claimed`` bytes (default twice the body), send fewer, then close."""
    def send(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(claimed or 2 * len(body) + 10))
        handler.end_headers()
        handler.wfile.write(body)
        handler.wfile.flush()
        handler.connection.shutdown(socket.SHUT_RDWR)
        handler.close_connection = True
    return send


def endless(chunk: bytes = b"<p>" + b"x" * 8192 + b"</p>") -> Behaviour:
    """A body that never ends (no Content-Length), until the client gives up or the test ends."""
    def send(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.end_headers()
        try:
            while not handler.server.stopping.is_set():
                handler.wfile.write(chunk)
        except OSError:
            pass
        handler.close_connection = True
    return send


def gzip_bomb(expanded_bytes: int = 200 * 1024 * 1024) -> Behaviour:
    """A small gzip body (Content-Encoding: gzip) that expands to ``expanded_bytes`` of zeros."""
    compressor_input = b"\0" * (1024 * 1024)
    out = bytearray()
    with gzip.GzipFile(fileobj=_Sink(out), mode="wb", compresslevel=9) as gz:
        for _ in range(expanded_bytes // len(compressor_input)):
            gz.write(compressor_input)
    return reply(200, bytes(out), headers={"Content-Encoding": "gzip"})


class _Sink:
    def __init__(self, out: bytearray):
        self.out = out

    def write(self, data):
        self.out.extend(data)
        return len(data)

    def flush(self):
        pass


@dataclass
class Hit:
    path: str
    at: float
    user_agent: str
    headers: dict = field(default_factory=dict)


class HostileShop:
    """``with HostileShop() as shop: shop.routes["/robots.txt"] = reply(503); shop.url("/")``."""

    def __init__(self):
        self.routes: dict[str, Behaviour] = {}
        self.default: Behaviour = reply(404, "not found")
        self.hits: list[Hit] = []
        shop = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                shop.hits.append(Hit(self.path, time.monotonic(), self.headers.get("User-Agent", ""),
                                     dict(self.headers)))
                shop.routes.get(self.path, shop.default)(self)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.stopping = threading.Event()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def url(self, path: str = "/") -> str:
        return self.base + path

    def paths(self) -> list[str]:
        return [hit.path for hit in self.hits]

    def times(self, path: str) -> list[float]:
        return [hit.at for hit in self.hits if hit.path == path]

    def __enter__(self) -> HostileShop:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.stopping.set()
        self.server.shutdown()
        self.server.server_close()
