"""Sign-in throttling holds under parallel guesses (issue 13, defect 6): 60 wrong passwords fired at
once at a real uvicorn server on 127.0.0.1 get at most MAX_FAILURES_PER_USER password checks for
one account and at most MAX_FAILURES_PER_IP for one address. Each password check is recorded in
login_failures before it runs (a reservation), so the store's rows count the checks."""

from __future__ import annotations

import threading

import httpx
import pytest

from monitor.review import accounts
from monitor.store import open_db
from monitor.store.migrations_review import REVIEW_MIGRATIONS
from tests.web_fixtures import PASSWORD, LiveServer, csrf_of, english, http_client, login  # noqa: F401

pytestmark = pytest.mark.usefixtures("english")

PARALLEL = 60


@pytest.fixture
def server(tmp_path):
    path = tmp_path / "throttle.db"
    db = open_db(path)
    REVIEW_MIGRATIONS.apply(db)
    accounts.add_user(db, "victim", "analyst", PASSWORD)
    db.close()
    with LiveServer(path, language="en") as live:
        live.path = path
        yield live


def _fire(url: str, names: list[str]) -> list[int]:
    """One thread per name: each fetches the form first, then all post a wrong password at once."""
    barrier = threading.Barrier(len(names))
    statuses: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def attempt(name: str) -> None:
        try:
            with httpx.Client(base_url=url, timeout=60) as c:
                token = csrf_of(c.get("/login").text)
                barrier.wait()
                r = c.post("/login", data={"name": name, "password": "wrong guess", "csrf_token": token,
                                           "next": "/"})
        except BaseException as exc:  # noqa: BLE001 (reported below, in the test's thread)
            with lock:
                errors.append(exc)
            barrier.abort()
            return
        with lock:
            statuses.append(r.status_code)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors[:3]
    assert len(statuses) == len(names), "some sign-in attempts never answered"
    return statuses


def _checks(path, where: str, value: str) -> int:
    db = open_db(path, migrate=False)
    try:
        return db.execute(f"SELECT count(*) FROM login_failures WHERE {where} = ?", [value]).fetchone()[0]
    finally:
        db.close()


def test_parallel_guesses_at_one_account_get_at_most_the_account_limit(server):
    statuses = _fire(server.url, ["victim"] * PARALLEL)
    checks = _checks(server.path, "name", "victim")
    assert checks <= accounts.MAX_FAILURES_PER_USER, f"{checks} password checks for one account"
    assert statuses.count(401) == checks and statuses.count(429) == PARALLEL - checks, statuses
    # the right password is refused too while the account is locked
    with http_client(server.url) as c:
        token = csrf_of(c.get("/login").text)
        r = c.post("/login", data={"name": "victim", "password": PASSWORD, "csrf_token": token, "next": "/"})
        assert r.status_code == 429 and "Too many failed sign-ins for this account" in r.text


def test_parallel_guesses_from_one_address_get_at_most_the_address_limit(server):
    statuses = _fire(server.url, [f"user{i}" for i in range(PARALLEL)])
    checks = _checks(server.path, "ip", "127.0.0.1")
    assert checks <= accounts.MAX_FAILURES_PER_IP, f"{checks} password checks from one address"
    assert statuses.count(401) == checks and statuses.count(429) == PARALLEL - checks, statuses


def test_parallel_wrong_current_passwords_in_a_password_change_get_at_most_the_account_limit(server):
    """The password change checks the current password the same way: a stolen session cannot
    guess it faster than the sign-in form."""
    with http_client(server.url) as c:
        assert login(c, "victim").status_code == 200
        cookies = dict(c.cookies)
        token = csrf_of(c.get("/account/password").text)
    barrier = threading.Barrier(PARALLEL)
    statuses: list[int] = []
    lock = threading.Lock()

    def attempt() -> None:
        with httpx.Client(base_url=server.url, timeout=60, cookies=cookies) as c:
            barrier.wait()
            r = c.post("/account/password", data={"current": "wrong guess", "new": "violet anchor drifts slowly",
                                                   "confirm": "violet anchor drifts slowly", "csrf_token": token})
        with lock:
            statuses.append(r.status_code)

    threads = [threading.Thread(target=attempt) for _ in range(PARALLEL)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    checks = _checks(server.path, "name", "victim")
    assert checks <= accounts.MAX_FAILURES_PER_USER, f"{checks} checks of the current password"
    assert statuses.count(400) == checks and statuses.count(429) == PARALLEL - checks, statuses


def test_a_right_password_clears_the_reservation(tmp_path):
    """The attempt row written before the check goes away with the other failures on success."""
    db = open_db(tmp_path / "t.db")
    REVIEW_MIGRATIONS.apply(db)
    accounts.add_user(db, "amy", "analyst", PASSWORD)
    assert accounts.authenticate(db, "amy", "wrong guess", "10.0.0.1") is None
    assert accounts.authenticate(db, "amy", PASSWORD, "10.0.0.1").name == "amy"
    assert db.execute("SELECT count(*) FROM login_failures").fetchone()[0] == 0
    for _ in range(accounts.MAX_FAILURES_PER_USER):
        accounts.authenticate(db, "amy", "wrong guess", "10.0.0.1")
    with pytest.raises(accounts.Throttled, match="this account"):
        accounts.authenticate(db, "amy", PASSWORD, "10.0.0.2")
    db.close()
