"""Fixtures of the fault suite: a fresh hostile shop per test."""

import pytest

from tests.faults.hostile import HostileShop


@pytest.fixture
def hostile():
    with HostileShop() as shop:
        yield shop
