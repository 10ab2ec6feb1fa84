"""The ``monitor extract`` command: run the listing extractor on one saved page."""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import click
import yaml

from monitor.extract.page import extract_listing

_GZIP_MAGIC = b"\x1f\x8b"
_HTML_MARKERS = (b"<html", b"<!doctype", b"<head", b"<body", b"<meta", b"<div", b"<script", b"<title")


def _read_page(file: str) -> bytes:
    if file == "-":
        data = sys.stdin.buffer.read()
    else:
        path = Path(file)
        if not path.exists():
            raise click.ClickException(f"file not found: {file}")
        if path.is_dir():
            raise click.ClickException(f"{file} is a directory, not a saved page")
        data = path.read_bytes()
    if data[:2] == _GZIP_MAGIC:
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise click.ClickException(f"{file}: broken gzip file ({exc})") from exc
    # Look past a BOM and leading whitespace/comments for something HTML-like.
    head = data[:4096].lower()
    if b"\x00" in head.replace(b"\x00<", b"") and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise click.ClickException(f"{file}: not an HTML page (binary data)")
    if not any(marker in head for marker in _HTML_MARKERS) and b"<" not in data[:65536]:
        raise click.ClickException(f"{file}: not an HTML page (no markup found)")
    return data


def _read_profile(path: str) -> tuple[dict | None, dict | None]:
    try:
        profile = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise click.ClickException(f"profile not found: {path}") from exc
    except yaml.YAMLError as exc:
        raise click.ClickException(f"profile {path} is not valid YAML: {exc}") from exc
    if profile is None:
        return None, None
    if not isinstance(profile, dict):
        raise click.ClickException(f"profile {path}: expected a mapping at the top level")
    fields = profile.get("fields")
    number_format = profile.get("number_format")
    if fields is not None and not isinstance(fields, dict):
        raise click.ClickException(f"profile {path}: 'fields' must be a mapping")
    if number_format is not None and not isinstance(number_format, dict):
        raise click.ClickException(f"profile {path}: 'number_format' must be a mapping")
    return fields, number_format


@click.command("extract")
@click.argument("file", type=str)
@click.option("--url", required=True, help="The URL the page was fetched from (resolves relative links).")
@click.option(
    "--profile",
    "profile_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Site profile YAML whose 'fields' selectors and 'number_format' to apply.",
)
def extract(file: str, url: str, profile_path: str | None) -> None:
    """Extract listing fields from a saved product page and print them as JSON.

    FILE is an HTML file, gzipped or not, or - for standard input. Structured data
    (JSON-LD, microdata, OpenGraph) comes first, then generic fallbacks; a profile's
    selectors override field by field.

    Example:

        monitor extract page.html.gz --url https://shop.example/item/1 --profile profiles/shop.yaml
    """
    fields, number_format = _read_profile(profile_path) if profile_path else (None, None)
    data = _read_page(file)
    try:
        listing = extract_listing(data, url, fields=fields, number_format=number_format)
    except ValueError as exc:  # a malformed selector in the profile
        raise click.ClickException(str(exc)) from exc
    click.echo(json.dumps({"url": url, **listing}, ensure_ascii=False, indent=2))


COMMANDS = [extract]
