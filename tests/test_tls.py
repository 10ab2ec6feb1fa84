"""TLS certificates are verified: a shop with a self-signed certificate is not crawled."""

from __future__ import annotations

import http.server
import shutil
import ssl
import subprocess
import threading

import pytest
import sqlite_utils

from tests.conftest import run_monitor

PAGE = b"""<html><head><script type="application/ld+json">
{"@type": "Product", "name": "Test", "offers": {"price": "1.00", "priceCurrency": "USD"}}
</script></head><body>x</body></html>"""


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, *args):
        pass


@pytest.mark.skipif(not shutil.which("openssl"), reason="needs the openssl command to make a certificate")
def test_self_signed_certificate_fails_the_crawl(tmp_path):
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=127.0.0.1"], check=True, capture_output=True)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        db_path = tmp_path / "m.db"
        proc = run_monitor("crawl", "--url", f"https://127.0.0.1:{server.server_port}/", "--max-pages", "3",
                           "--allow-private", db_path=db_path, timeout=120)
    finally:
        server.shutdown()
    assert proc.returncode == 1, proc.stdout
    db = sqlite_utils.Database(db_path)
    run = db.execute_returning_dicts("SELECT * FROM crawl_runs")[0]
    assert run["status"] == "failed"
    assert "TLS error: certificate verify failed" in run["finish_reason"]
    assert db["listings"].count == 0
