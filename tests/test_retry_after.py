"""Retries honour Retry-After; the delay parser accepts seconds and HTTP dates."""

from __future__ import annotations

import email.utils
import time

from spiders.middlewares.retry_after import retry_after_seconds


def test_retry_after_parsing():
    assert retry_after_seconds(b"3") == 3.0
    assert retry_after_seconds(None) is None
    assert retry_after_seconds(b"soon") is None
    future = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 <= retry_after_seconds(future.encode()) <= 31
    past = email.utils.formatdate(time.time() - 30, usegmt=True)
    assert retry_after_seconds(past) == 0.0
