"""`monitor crawl`: run one site profile, or crawl an unknown shop from a URL."""

from __future__ import annotations

import sys

import click
from rich.console import Console
from scrapy.settings import default_settings

from monitor import settings
from monitor.cli.runs import print_run
from monitor.crawl.browser import BrowserNotFound
from monitor.crawl.profile import find_profile, load_profile, profile_paths
from monitor.crawl.runner import run_crawl
from monitor.yamlfile import YamlError
from spiders.shop import ShopSpider
from spiders.sites import spider_class

EXIT_FAILED = 1


@click.command()
@click.argument("site", required=False)
@click.option("--url", help="Crawl an unknown shop from this start URL, using structured data alone.")
@click.option("--category", "categories", multiple=True, help="Only these categories' keywords (repeatable).")
@click.option("--keyword", "keywords", multiple=True, help="Search these keywords instead of the profile's (repeatable).")
@click.option("--max-pages", type=click.IntRange(min=1), help="Result pages per search (profile) or pages in all (--url).")
@click.option("--base-url", help="Point the profile at another host, e.g. a demo marketplace on another port.")
@click.option("--allow-private", is_flag=True, help="Allow private, loopback and link-local addresses.")
@click.option("--no-recheck", is_flag=True,
              help="Do not revisit known listings this crawl did not meet (how removals are found).")
@click.option("--confirmed", is_flag=True,
              help="Only re-check the site's listings with a confirmed verdict: removed, still live or changed.")
@click.option("--time-limit", type=click.IntRange(min=1), metavar="SECONDS",
              help="Stop the crawl at this age (Scrapy's CLOSESPIDER_TIMEOUT); the run is then failed.")
@click.option("--job", help="Record the run as started by this scheduled job (crawl_runs.job).")
@click.option("--trigger", type=click.Choice(["schedule", "catch-up", "manual", "recheck"]),
              help="Record why the run was started (crawl_runs.trigger); default manual with --job.")
@click.option("--exit-with-parent", is_flag=True,
              help="Stop as interrupted when the process that started this one dies (the scheduler uses it).")
@click.option("--set", "overrides", multiple=True, metavar="NAME=VALUE",
              help="A Scrapy or MONITOR_* crawl setting for this run only (repeatable), as `scrapy crawl -s`.")
@click.option("-v", "--verbose", is_flag=True, help="Log to the terminal instead of the run's log file.")
@click.pass_context
def crawl(ctx, site, url, categories, keywords, max_pages, base_url, allow_private, no_recheck, confirmed, time_limit,
          job, trigger, exit_with_parent, overrides, verbose):
    """Crawl a site profile, or a shop from a start URL, into the store.

    SITE is the name of a profile in spiders/profiles/ (see `scrapy list`). Each crawl is
    recorded as a run; the summary shows counts, field coverage and errors. The exit code
    is 1 when the run failed or was interrupted.

    After the search, known listings of the site that the crawl did not meet are revisited
    (up to MONITOR_RECHECK_LIMIT, default 200): a 404/410 or the profile's item_gone page
    records the listing as removed.

    Example:

        monitor crawl baihuo --category agri_inputs --max-pages 2

        monitor crawl --url https://shop.example/ --max-pages 100

        monitor crawl greenmart --time-limit 600 --job greenmart-nightly --trigger manual

        monitor crawl baihuo --confirmed

        monitor crawl greenmart --set DOWNLOAD_DELAY=2 --set MONITOR_RETRY_AFTER_MAX=600
    """
    console = Console(soft_wrap=True)
    db_path = ctx.obj.get("db_path") if ctx.obj else None
    if bool(site) == bool(url):
        raise click.UsageError("give either a SITE profile name or --url URL (not both)")
    run_options = {"time_limit": time_limit, "job": job, "trigger": trigger or ("manual" if job else None),
                   "exit_with_parent": exit_with_parent, "extra_settings": crawl_overrides(overrides)}
    try:
        if url:
            if categories or keywords or base_url:
                raise click.UsageError("--category, --keyword and --base-url apply to site profiles, not --url")
            kwargs = {"url": url, "max_pages": max_pages or 200, "allow_private": allow_private}
            outcome = run_crawl(ShopSpider, kwargs, db_path=db_path, verbose=verbose, site="shop", **run_options)
        else:
            cls, kwargs = _profile_spider(site, categories, keywords, max_pages=max_pages, base_url=base_url,
                                          allow_private=allow_private, recheck=not no_recheck, confirmed=confirmed)
            outcome = run_crawl(cls, kwargs, db_path=db_path, verbose=verbose, site=site, **run_options)
    except (YamlError, LookupError, BrowserNotFound, ValueError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    if outcome.run is None:
        where = f"the log {outcome.log_path}" if outcome.log_path else "the log above"
        click.echo(f"error: the crawl did not start; see {where}", err=True)
        sys.exit(EXIT_FAILED)
    print_run(outcome.run, console)
    if not outcome.ok:
        sys.exit(EXIT_FAILED)


def crawl_overrides(pairs) -> dict[str, object]:
    """``--set NAME=VALUE`` pairs as crawl settings: a name Scrapy knows (its value a string, as
    `scrapy crawl -s` passes it) or a setting of monitor/settings.py (parsed and checked; the
    crawl's middlewares read theirs from the Scrapy settings first)."""
    overrides = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise click.BadParameter(f"{pair!r}: write NAME=VALUE, e.g. DOWNLOAD_DELAY=2", param_hint="--set")
        try:
            spec = settings.setting(name)
        except KeyError:
            spec = None
        if spec is not None and spec.kind in ("scrapy", "env"):
            try:
                overrides[name] = settings.parse(spec, value)
            except settings.SettingError as exc:
                raise click.BadParameter(str(exc), param_hint="--set") from None
        elif spec is None and name.isupper() and hasattr(default_settings, name):
            overrides[name] = value
        else:
            raise click.BadParameter(f"{name} is not a crawl setting: use a Scrapy setting "
                                     "(docs.scrapy.org/en/latest/topics/settings.html) or a MONITOR_* setting "
                                     "of the README's settings table", param_hint="--set")
    return overrides


def _profile_spider(site: str, categories, keywords, **options) -> tuple[type, dict]:
    """The spider class of profile SITE and its arguments; a category without keywords is a ValueError."""
    profile = find_profile(site)
    unknown = [c for c in categories if c not in profile.keywords and c != profile.category]
    if unknown:
        raise ValueError(f"{profile.path}: no keywords for category {', '.join(unknown)}; "
                         f"the profile has: {', '.join(sorted(profile.keywords)) or 'none'}")
    return spider_class(profile), {"category": list(categories) or None, "keyword": list(keywords) or None, **options}


@click.command("sites")
def sites():
    """List the site profiles and whether each one is valid.

    Example:

        monitor sites
    """
    bad = False
    for site, path in sorted(profile_paths().items()):
        try:
            profile = load_profile(path)
            click.echo(f"{site}\t{profile.render}\t{profile.name}\t{path}")
        except YamlError as exc:
            bad = True
            click.echo(f"{site}\tINVALID\n{exc}", err=True)
    if bad:
        sys.exit(2)


COMMANDS = [crawl, sites]
