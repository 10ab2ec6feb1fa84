"""The deployment's Ed25519 key, which signs case and referral packages.

The private key is a PEM file (PKCS #8, unencrypted: the deployment signs unattended), mode
0600, at ``MONITOR_SIGNING_KEY`` or ``signing-key.pem`` beside the database. Its public key
goes into every package it signs, and its fingerprint (SHA-256 of the 32 raw public-key bytes,
hex) is what a deployment publishes so that a recipient can tell its packages from a forger's
who signed with a key of their own.

What is signed is text, so any Ed25519 tool can check it: ``SIGNED_PREFIX`` followed by the
package's ``datapackage.json`` hash as written in ``datapackage-digest.json``
(``sha256:<hex>``), UTF-8.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from monitor.settings import env
from monitor.store.db import PRIVATE_FILE_MODE, private_dir

ALGORITHM = "Ed25519"
SIGNED_PREFIX = "listing-monitor package v1 "
DEFAULT_NAME = "signing-key.pem"


class SigningError(ValueError):
    pass


def key_path(db_path: str | os.PathLike | None) -> Path:
    """``MONITOR_SIGNING_KEY``, else ``signing-key.pem`` beside the database file."""
    configured = env("MONITOR_SIGNING_KEY")
    if configured:
        return Path(configured)
    base = Path(db_path).resolve().parent if db_path else Path.cwd()
    return base / DEFAULT_NAME


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint(key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw public key, hex: what a deployment publishes."""
    return hashlib.sha256(raw_public(key)).hexdigest()


def public_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def generate(path: Path, *, force: bool = False) -> Ed25519PrivateKey:
    """A new key written to ``path`` with mode 0600 (never readable by others, not even for a
    moment: the file is created with that mode), and its public key to ``path.pub``."""
    if path.exists() and not force:
        raise SigningError(f"{path} already exists; a new key would make packages signed with the old one look "
                           "foreign. Pass --force to replace it (publish the new fingerprint).")
    private_dir(path.parent)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    try:
        os.write(fd, pem)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    path.with_name(path.name + ".pub").write_bytes(public_pem(key.public_key()))
    return key


def _read_key(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SigningError(f"cannot read the {what} {path}: {exc.strerror}") from None


def load_private(path: Path) -> Ed25519PrivateKey:
    data = _read_key(path, "signing key")
    if os.name == "posix" and path.stat().st_mode & 0o077:
        raise SigningError(f"the signing key {path} can be read by others (mode {path.stat().st_mode & 0o777:o}); "
                           f"run: chmod 600 {path}")
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise SigningError(f"{path} is not an unencrypted PEM private key ({exc}); create one with "
                           "`monitor evidence keygen`") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningError(f"{path} holds a {type(key).__name__}, not an Ed25519 key; create one with "
                           "`monitor evidence keygen`")
    return key


def load_public(path: Path) -> Ed25519PublicKey:
    """A public key from a PEM file, or the public half of a private key file."""
    data = _read_key(path, "key")
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError:
        try:
            key = serialization.load_pem_private_key(data, password=None).public_key()
        except (ValueError, TypeError) as exc:
            raise SigningError(f"{path} is neither a PEM public key nor a PEM private key ({exc})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise SigningError(f"{path} holds a {type(key).__name__}, not an Ed25519 key")
    return key


def message(datapackage_hash: str) -> bytes:
    return (SIGNED_PREFIX + datapackage_hash).encode()


def sign(key: Ed25519PrivateKey, datapackage_hash: str) -> dict[str, str]:
    """The ``signature`` object of ``datapackage-digest.json``."""
    public = key.public_key()
    return {"algorithm": ALGORITHM, "signed": SIGNED_PREFIX + "<hash>",
            "value": base64.b64encode(key.sign(message(datapackage_hash))).decode(),
            "publicKey": base64.b64encode(raw_public(public)).decode(),
            "fingerprint": fingerprint(public)}


@dataclass
class SignatureCheck:
    ok: bool
    fingerprint: str | None
    problem: str | None = None


def check(signature: dict, datapackage_hash: str) -> SignatureCheck:
    """The signature against the public key it carries (whether that key is trusted is the caller's question)."""
    if not isinstance(signature, dict) or signature.get("algorithm") != ALGORITHM:
        return SignatureCheck(False, None, f"the signature is not an {ALGORITHM} signature object")
    try:
        raw = base64.b64decode(signature.get("publicKey", ""), validate=True)
        value = base64.b64decode(signature.get("value", ""), validate=True)
        public = Ed25519PublicKey.from_public_bytes(raw)
    except (ValueError, TypeError) as exc:
        return SignatureCheck(False, None, f"the signature's public key or value is malformed ({exc})")
    printed = fingerprint(public)
    if signature.get("fingerprint") not in (None, printed):
        return SignatureCheck(False, printed, "the signature's fingerprint field does not match its public key")
    try:
        public.verify(value, message(datapackage_hash))
    except InvalidSignature:
        return SignatureCheck(False, printed, "the signature does not match datapackage.json's hash (the package "
                                              "was changed after it was signed, or signed over other content)")
    return SignatureCheck(True, printed)
