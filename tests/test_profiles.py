"""Site profiles are validated on load: errors name file, line and field, before any request."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from monitor.crawl.profile import load_profile, profile_paths
from monitor.yamlfile import YamlError
from tests.conftest import ROOT, run_monitor

GOOD = """\
site: teashop
allowed_domains: [shop.example]
base_url: https://shop.example
search_url: /search?q={keyword}
keywords:
  cosmetics: [面霜, serum]
pagination:
  page_param: page
  max_pages: 3
listing_links: {css: "a.product::attr(href)"}
listing_id: {url_regex: "/p/(\\\\d+)"}
fields:
  title: {css: "h1::text"}
  price: {xpath: "//span[@class='price']/text()"}
  attributes: {rows: "table tr", name: "th::text", value: "td::text"}
number_format: {decimal: ",", currency: EUR}
"""


def write(tmp_path, text, name="teashop.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems_of(path):
    with pytest.raises(YamlError) as info:
        load_profile(path)
    return info.value


def test_a_good_profile_resolves_urls(tmp_path):
    profile = load_profile(write(tmp_path, GOOD))
    assert profile.search_url == "https://shop.example/search?q={keyword}"
    assert profile.keywords == {"cosmetics": ["面霜", "serum"]}
    assert profile.max_pages == 3 and profile.page_param == "page"
    assert profile.number_format == {"decimal": ",", "currency": "EUR"}
    assert profile.render == "http" and profile.obey_robots and not profile.allow_private


def test_unknown_field_is_named_with_its_line(tmp_path):
    error = problems_of(write(tmp_path, GOOD.replace("pagination:", "paginaton:")))
    text = str(error)
    assert f"{tmp_path / 'teashop.yaml'}:7: paginaton: unknown field" in text
    assert "The profile was not used" in text


def test_wrong_type_and_bad_selector_and_regex(tmp_path):
    bad = GOOD.replace("max_pages: 3", "max_pages: many")
    assert "teashop.yaml:9: pagination.max_pages: 'many' is not of type 'integer'" in str(problems_of(write(tmp_path, bad)))
    bad = GOOD.replace('h1::text', 'h1[[::text')
    assert "teashop.yaml:13: fields.title.css: invalid selector" in str(problems_of(write(tmp_path, bad)))
    bad = GOOD.replace('"/p/(\\\\d+)"', '"/p/\\\\d+"')
    assert "listing_id.url_regex: needs a capture group" in str(problems_of(write(tmp_path, bad)))
    bad = GOOD.replace("title: {css", "titel: {css")
    assert "fields.titel" in str(problems_of(write(tmp_path, bad)))


def test_missing_required_and_semantic_errors(tmp_path):
    error = problems_of(write(tmp_path, "site: teashop\nbase_url: https://x.example\n"))
    assert "'allowed_domains' is a required property" in str(error)
    bad = GOOD.replace("/search?q={keyword}", "/search?q=")
    assert "search_url: must contain {keyword}" in str(problems_of(write(tmp_path, bad)))
    bad = GOOD.replace("listing_links:", "links_typo_removed:").replace("links_typo_removed: {css: \"a.product::attr(href)\"}\n", "")
    assert "listing_links: required" in str(problems_of(write(tmp_path, bad)))
    assert "must match the file name" in str(problems_of(write(tmp_path, GOOD, name="other.yaml")))


def test_yaml_syntax_error_names_the_line(tmp_path):
    error = problems_of(write(tmp_path, GOOD.replace("keywords:\n", "keywords: [\n")))
    assert "invalid YAML" in str(error) and "teashop.yaml:" in str(error)


def test_shipped_profiles_are_valid():
    paths = profile_paths()
    assert {"greenmart", "baihuo", "kuaigou"} <= set(paths)
    for path in paths.values():
        load_profile(path)


def test_scrapy_list_shows_sites_and_skips_a_broken_profile(tmp_path):
    write(tmp_path, GOOD.replace("max_pages: 3", "max_pages: -1"), name="teashop.yaml")
    env = {"MONITOR_PROFILE_DIRS": str(tmp_path)}
    import os

    proc = subprocess.run([sys.executable, "-m", "scrapy", "list"], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=120)
    assert proc.returncode == 0, proc.stderr
    names = proc.stdout.split()
    assert {"greenmart", "baihuo", "kuaigou", "shop"} <= set(names)
    assert "teashop.yaml:9: pagination.max_pages" in proc.stderr


def test_a_broken_profile_is_refused_before_any_request(tmp_path, db_path):
    write(tmp_path, GOOD.replace('{css: "h1::text"}', '{css: "h1::text", xpath: "//h1"}'), name="teashop.yaml")
    proc = run_monitor("crawl", "teashop", db_path=db_path, env={"MONITOR_PROFILE_DIRS": str(tmp_path)})
    assert proc.returncode == 2
    assert "teashop.yaml:13: fields.title" in proc.stderr
    # Nothing was fetched, so no run was recorded.
    assert not db_path.exists() or "crawl_runs" not in proc.stdout


def test_unknown_site_suggests_profiles_and_url_crawl(db_path):
    proc = run_monitor("crawl", "nosuchsite", db_path=db_path)
    assert proc.returncode == 2
    assert "no site profile named 'nosuchsite'" in proc.stderr and "--url" in proc.stderr
