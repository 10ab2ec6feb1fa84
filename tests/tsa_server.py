"""A throw-away RFC 3161 time-stamping authority on 127.0.0.1 for the package tests.

``make_ca(folder)`` makes a CA (``openssl req``) and a TSA certificate it signs (``openssl
ca``, with the critical timeStamping extended key usage RFC 3161 asks for); ``TsaServer`` is a
tiny HTTP server that answers each POSTed TimeStampReq with ``openssl ts -reply``. Everything
is real OpenSSL: the replies are what a public TSA would send, only from a CA nobody trusts.
"""

from __future__ import annotations

import subprocess
import tempfile
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CONFIG = """\
[ ca ]
default_ca = test_ca

[ test_ca ]
dir = {dir}
database = $dir/index.txt
serial = $dir/serial
new_certs_dir = $dir/certs
certificate = $dir/{name}-ca.pem
private_key = $dir/{name}-ca.key
default_md = sha256
default_days = 30
policy = anything
unique_subject = no
copy_extensions = none

[ anything ]
commonName = supplied

[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused

[ ca_ext ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[ tsa_ext ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[ tsa ]
default_tsa = tsa_config

[ tsa_config ]
dir = {dir}
serial = $dir/tsaserial
signer_cert = $dir/{name}-tsa.pem
signer_key = $dir/{name}-tsa.key
{certs}
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha512
accuracy = secs:1
ordering = no
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


@dataclass
class TestCa:
    folder: Path
    config: Path
    ca: Path  # the CA certificate (PEM): the bundle a verifier trusts

    @property
    def name(self) -> str:
        return self.ca.name.removesuffix("-ca.pem")


def _openssl(*args: str, cwd: Path) -> None:
    proc = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        raise RuntimeError(f"openssl {' '.join(args)} failed: {proc.stderr}")


def make_ca(folder: Path, name: str = "test", *, chain: bool = False) -> TestCa:
    """A CA and a TSA certificate signed by it, under ``folder``. ``chain``: the TSA puts the CA
    certificate into its replies too (OpenSSL writes that SET unsorted, as some real TSAs do)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "certs").mkdir(exist_ok=True)
    (folder / "index.txt").write_text("")
    (folder / "serial").write_text("1000\n")
    (folder / "tsaserial").write_text("01\n")
    config = folder / f"{name}.cnf"
    config.write_text(CONFIG.format(dir=folder, name=name, certs=f"certs = $dir/{name}-ca.pem" if chain else ""))
    _openssl("req", "-x509", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", f"{name}-ca.key", "-out", f"{name}-ca.pem", "-days", "30", "-subj", f"/CN={name} test CA",
             "-config", str(config), "-extensions", "ca_ext", cwd=folder)
    _openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", f"{name}-tsa.key", "-out", f"{name}-tsa.csr", "-subj", f"/CN={name} test TSA",
             "-config", str(config), cwd=folder)
    _openssl("ca", "-batch", "-config", str(config), "-in", f"{name}-tsa.csr", "-out", f"{name}-tsa.pem",
             "-extensions", "tsa_ext", "-notext", cwd=folder)
    return TestCa(folder, config, folder / f"{name}-ca.pem")


class TsaServer:
    """``with TsaServer(ca) as tsa:`` ... ``tsa.url``; ``tsa.requests`` counts the queries answered."""

    def __init__(self, ca: TestCa):
        self.ca = ca
        self.requests = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server API
                length = int(self.headers.get("Content-Length") or 0)
                query = self.rfile.read(min(length, 1 << 16))
                with tempfile.TemporaryDirectory() as tmp:
                    (Path(tmp) / "q.tsq").write_bytes(query)
                    proc = subprocess.run(["openssl", "ts", "-reply", "-config", str(ca.config), "-queryfile",
                                           "q.tsq", "-out", "r.tsr"], cwd=tmp, capture_output=True, timeout=60)
                    reply = (Path(tmp) / "r.tsr").read_bytes() if proc.returncode == 0 else b""
                server.requests += 1
                self.send_response(200 if reply else 500)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/tsa"

    def __enter__(self) -> TsaServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)
