"""``monitor marketplaces``: serve the three bundled demo marketplaces in the foreground."""

from __future__ import annotations

import time

import click

from monitor.demo.catalogue import SITES
from monitor.demo.marketplaces import MARKETPLACE_BASE_PORT, DemoMarketplaces


@click.command("marketplaces")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind. Keep 127.0.0.1 unless you know why not.")
@click.option("--port-base", default=MARKETPLACE_BASE_PORT, show_default=True, type=click.IntRange(0, 65533),
              help="greenmart listens on this port, baihuo on +1, kuaigou on +2; 0 picks free ports.")
@click.option("--day", default=1, show_default=True, type=click.IntRange(min=1),
              help="Which night to serve: from day 2 on prices move, listings disappear and reappear.")
@click.option("--scale", default=1, show_default=True, type=click.IntRange(min=1),
              help="Multiply the listings per site (variants with new ids), e.g. 75 for ~20,000 listings.")
@click.option("--broken-layout", "broken_layout", multiple=True, type=click.Choice(SITES),
              help="Serve this site with a changed layout so profile selectors miss (repeatable).")
@click.option("--serve-seconds", type=float, default=None, hidden=True,
              help="Stop after this many seconds (for tests).")
def marketplaces(host: str, port_base: int, day: int, scale: int, broken_layout: tuple[str, ...],
                 serve_seconds: float | None) -> None:
    """Serve the demo marketplaces greenmart, baihuo and kuaigou until Ctrl-C.

    greenmart carries schema.org JSON-LD, baihuo is plain HTML read with CSS selectors,
    kuaigou renders its pages with JavaScript. The site profiles in spiders/profiles/
    point at the default ports 8101-8103.

    Example:

        monitor marketplaces --day 2
    """
    demo = DemoMarketplaces(host=host, base_port=port_base or None, day=day, scale=scale,
                            broken_layout=broken_layout)
    try:
        demo.start()
    except OSError as exc:
        raise click.ClickException(
            f"could not bind {host}:{port_base}-{port_base + 2}: {exc.strerror or exc}. "
            "Another `monitor marketplaces` may be running; try --port-base 0 for free ports.") from exc
    try:
        live = sum(demo.catalogue.count(site, day) for site in SITES)
        click.echo(f"Demo marketplaces, day {day}, scale {scale}: {live} live listings.")
        for site, url in demo.urls.items():
            note = " (broken layout)" if site in broken_layout else ""
            click.echo(f"  {site:<10} {url}{note}")
        click.echo("Press Ctrl-C to stop.")
        deadline = None if serve_seconds is None else time.monotonic() + serve_seconds
        while deadline is None or time.monotonic() < deadline:
            time.sleep(0.2 if deadline is None else min(0.2, max(0.0, deadline - time.monotonic())))
    except KeyboardInterrupt:
        click.echo("Stopped.")
    finally:
        demo.stop()


COMMANDS = [marketplaces]
