"""The hostile shop itself behaves as scripted, so a fault test that passes is not passing on a broken server."""

import http.client
import urllib.error
import urllib.request

import pytest

from tests.faults.hostile import reply, reset, truncated


def test_scripted_status_headers_and_hits(hostile):
    hostile.routes["/robots.txt"] = reply(503, "down", headers={"Retry-After": "120"})
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(hostile.url("/robots.txt"), timeout=5)
    assert err.value.code == 503 and err.value.headers["Retry-After"] == "120"
    assert hostile.paths() == ["/robots.txt"]


def test_reset_and_truncated(hostile):
    hostile.routes["/reset"] = reset()
    hostile.routes["/short"] = truncated(b"<html>half")
    with pytest.raises((ConnectionError, http.client.RemoteDisconnected, urllib.error.URLError)):
        urllib.request.urlopen(hostile.url("/reset"), timeout=5)
    with pytest.raises(http.client.IncompleteRead):
        urllib.request.urlopen(hostile.url("/short"), timeout=5).read()
