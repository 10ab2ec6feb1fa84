"""Finding Chromium: the setting or MONITOR_CHROMIUM, the system package, Playwright's own; else a clear error."""

from __future__ import annotations

import os
import stat

import pytest

from monitor.crawl.browser import BrowserNotFound, find_chromium, launch_options


def fake_browser(folder, name):
    path = folder / name
    path.write_text("#!/bin/sh\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def test_explicit_setting_wins(tmp_path, monkeypatch):
    browser = fake_browser(tmp_path, "my-chrome")
    monkeypatch.setenv("MONITOR_CHROMIUM", str(browser))
    assert find_chromium() == str(browser)
    assert find_chromium(str(browser)) == str(browser)


def test_a_wrong_explicit_path_is_an_error(monkeypatch):
    monkeypatch.setenv("MONITOR_CHROMIUM", "/nonexistent/chrome")
    with pytest.raises(BrowserNotFound, match="not an executable"):
        find_chromium()


def test_system_chromium_then_playwrights_own(tmp_path, monkeypatch):
    monkeypatch.delenv("MONITOR_CHROMIUM", raising=False)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path / "pw"))
    own_dir = tmp_path / "pw" / "chromium-1200" / "chrome-linux"
    own_dir.mkdir(parents=True)
    own = fake_browser(own_dir, "chrome")
    assert find_chromium() == str(own)
    system = fake_browser(bin_dir, "chromium")
    assert find_chromium() == str(system)


def test_no_browser_names_both_ways_to_get_one(tmp_path, monkeypatch):
    monkeypatch.delenv("MONITOR_CHROMIUM", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path / "none"))
    with pytest.raises(BrowserNotFound) as info:
        find_chromium()
    message = str(info.value)
    assert "apt-get install chromium" in message and "playwright install chromium" in message
    assert "MONITOR_CHROMIUM" in message


def test_launch_options_are_headless_and_quiet():
    options = launch_options("/usr/bin/chromium")
    assert options["headless"] and options["executable_path"] == "/usr/bin/chromium"
    assert "--disable-background-networking" in options["args"]
    if os.geteuid() == 0:
        assert "--no-sandbox" in options["args"]


def test_the_tests_browser_skips_without_one_and_fails_under_ci(monkeypatch):
    """tests/conftest.py's lookup: the project's own, a skip with its reason, a failure under CI=true."""
    from tests.conftest import chromium_or_skip

    monkeypatch.setenv("MONITOR_CHROMIUM", "/nonexistent/chrome")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="not an executable"):
        chromium_or_skip()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true but no browser"):
        chromium_or_skip()
