"""双随机 random sampling (双随机、一公开): a reproducible stratified random sample of the listings
seen in a period, flagged or not, each assigned to a randomly drawn analyst; the draw is kept for
publication (公示) and the analysts' verdicts estimate what the rules miss
(``sampling_estimates``).

How a draw is made, so that anyone with the seed and the store can repeat it:

- The population: every stored listing seen in the period (first seen before the period ends and
  last seen on or after it starts), ordered by listing id.
- Strata: category × site. Allocation proportional to stratum size, rounded by largest remainder
  (``allocate``): each stratum gets the whole part of size × N_h / N; when the size allows it
  (size ≥ number of strata) an empty allocation is raised to one, so every stratum is looked at;
  the seats still missing go to the largest remainders, seats over go back from the strata most
  over their quota; ties by (category, site). A size at or above the population draws everyone.
- The generator: Python's ``random.Random(seed)`` (Mersenne Twister), and only its ``random()``
  floats, whose sequence for a given integer seed Python keeps stable across versions (the
  algorithms of ``sample``/``shuffle`` are not promised). One float per listing, in id order, is
  its key; each stratum takes its allocation of smallest keys. Then one float per eligible
  analyst (active users with role analyst or lead, by name): the ``--analysts`` smallest are
  drawn. Then one float per sampled listing (id order): the listings in key order are dealt round
  the drawn analysts in their draw order, so the work is even (loads differ by at most one).
- Without a seed, one is drawn from ``secrets`` and kept with the draw (publication needs it).

A sampled listing keeps its queue claim (``assignments``): the sample check is a separate,
independent inspection, recorded in ``sample_items``, not a claim; the analyst drawn for it
finds it on the sample pages, flagged or not.
"""

from __future__ import annotations

import json
import math
import random
import secrets
from dataclasses import asdict, dataclass
from typing import Any

from sqlite_utils import Database

from monitor.i18n import gettext as _
from monitor.listing import utc_now
from monitor.periods import Period, PeriodError, parse_period
from monitor.review.audit import audit
from monitor.review.errors import ReviewError
from monitor.store.db import write_transaction

SEED_MAX = 2**63 - 1  # an SQLite integer
SIZE_MAX = 100_000
ANALYST_ROLES = ("analyst", "lead")


class SampleError(ReviewError):
    """A draw or a check the store refuses; the web app shows it like a review error. ``field``
    names the input at fault (period, size, seed, analysts), for the CLI's option hint."""

    def __init__(self, message: str, status: int = 400, *, field: str | None = None):
        super().__init__(message, status)
        self.field = field


@dataclass
class Stratum:
    category: str
    site: str
    population: int
    allocated: int = 0


def new_seed() -> int:
    """A seed from the operating system's randomness (not guessable in advance), short to print."""
    return secrets.randbelow(10**9)


def check_seed(seed: int) -> int:
    if not isinstance(seed, int) or not 0 <= seed <= SEED_MAX:
        raise SampleError(_("The seed %(seed)s must be a whole number from 0 to %(max)s.", seed=repr(seed),
                            max=SEED_MAX), field="seed")
    return seed


def allocate(sizes: dict[tuple[str, str], int], size: int) -> dict[tuple[str, str], int]:
    """Seats per stratum for a sample of ``size``, proportional to ``sizes`` by largest remainder
    (see the module's docstring); never more than a stratum holds."""
    total = sum(sizes.values())
    if size >= total:
        return dict(sizes)
    keys = sorted(sizes)
    quota = {k: size * sizes[k] / total for k in keys}
    seats = {k: math.floor(quota[k]) for k in keys}
    if size >= len(keys):
        seats = {k: max(seats[k], 1) for k in keys}
    floor_of = 1 if size >= len(keys) else 0
    while sum(seats.values()) < size:
        best = max(quota[k] - seats[k] for k in keys if seats[k] < sizes[k])
        k = min(k for k in keys if seats[k] < sizes[k] and quota[k] - seats[k] == best)
        seats[k] += 1
    while sum(seats.values()) > size:
        over = max(seats[k] - quota[k] for k in keys if seats[k] > floor_of)
        k = min(k for k in keys if seats[k] > floor_of and seats[k] - quota[k] == over)
        seats[k] -= 1
    return seats


def population(db: Database, period: Period) -> list[dict[str, Any]]:
    """The listings seen in the period, by id: id, category ("" when none), site, flagged (a live flag)."""
    return db.execute_returning_dicts(
        "SELECT l.id, COALESCE(l.category, '') AS category, l.site, "
        "EXISTS (SELECT 1 FROM flags f WHERE f.listing = l.id AND f.status != 'superseded') AS flagged "
        "FROM listings l WHERE l.first_seen < ? AND l.last_seen >= ? ORDER BY l.id",
        [period.until, period.since])


def eligible_analysts(db: Database) -> list[str]:
    return [r[0] for r in db.execute(
        f"SELECT name FROM users WHERE disabled_at IS NULL AND role IN ({', '.join('?' * len(ANALYST_ROLES))}) "
        "ORDER BY name", list(ANALYST_ROLES)).fetchall()]


def draw(rows: list[dict[str, Any]], size: int, seed: int, analysts: list[str], how_many: int | None
         ) -> tuple[list[Stratum], list[str], list[dict[str, Any]]]:
    """The draw itself, without the store: strata, the analysts drawn (in draw order) and the
    sampled rows with their analyst, by listing id. Same rows, size, seed, analysts: same draw."""
    rng = random.Random(seed)
    keys = {row["id"]: rng.random() for row in rows}  # rows are in id order
    members: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in rows:
        members.setdefault((row["category"], row["site"]), []).append(row)
    seats = allocate({k: len(v) for k, v in members.items()}, size)
    strata = [Stratum(k[0], k[1], len(members[k]), seats[k]) for k in sorted(members)]
    chosen = [row for k in sorted(members)
              for row in sorted(members[k], key=lambda r: (keys[r["id"]], r["id"]))[:seats[k]]]
    chosen.sort(key=lambda r: r["id"])
    analyst_keys = sorted((rng.random(), name) for name in analysts)
    drawn = [name for _, name in analyst_keys[:how_many or len(analysts)]]
    deal = sorted(((rng.random(), row["id"]) for row in chosen))
    analyst_of = {listing: drawn[i % len(drawn)] for i, (_, listing) in enumerate(deal)}
    return strata, drawn, [{**row, "analyst": analyst_of[row["id"]]} for row in chosen]


def draw_sample(db: Database, period: str, size: int, *, seed: int | None = None, analysts: int | None = None,
                actor: str = "cli", ip: str | None = None) -> dict[str, Any]:
    """Draw and keep a sample (one transaction): the samples row, one sample_items row per
    listing, an audit row. Returns the stored sample (``load_sample``)."""
    try:
        span = parse_period(period)
    except PeriodError as exc:
        raise SampleError(str(exc), field="period") from None
    if not isinstance(size, int) or not 1 <= size <= SIZE_MAX:
        raise SampleError(_("The sample size %(size)s must be a whole number from 1 to %(max)s.", size=repr(size),
                            max=SIZE_MAX), field="size")
    seed = new_seed() if seed is None else check_seed(seed)
    with write_transaction(db):
        rows = population(db, span)
        if not rows:
            raise SampleError(_("No stored listings were seen in %(period)s (%(since)s to %(until)s, excluded): "
                                "crawl or import listings first, or pick a period that has some.",
                                period=span.label, since=span.since, until=span.until), field="period")
        names = eligible_analysts(db)
        if not names:
            raise SampleError(_("No active user with the role analyst or lead to assign the sample to: "
                                "add one with `monitor users add NAME --role analyst`."))
        if analysts is not None and not 1 <= analysts <= len(names):
            raise SampleError(_("%(n)s analysts asked for, but there are %(count)s active analysts and leads "
                                "(%(names)s): ask for 1 to %(count)s, or leave it empty for all of them.",
                                n=analysts, count=len(names), names=", ".join(names)), field="analysts")
        strata, drawn, chosen = draw(rows, size, seed, names, analysts)
        now = utc_now()
        sample_id = db["samples"].insert({
            "period": span.label, "since": span.since, "until": span.until, "seed": seed, "size": size,
            "population": len(rows), "strata": json.dumps([asdict(s) for s in strata], ensure_ascii=False),
            "analysts": json.dumps(drawn, ensure_ascii=False), "drawn_at": now, "drawn_by": actor}).last_pk
        db["sample_items"].insert_all([
            {"sample": sample_id, "listing": row["id"], "category": row["category"], "site": row["site"],
             "analyst": row["analyst"], "flagged_at_draw": int(bool(row["flagged"]))} for row in chosen])
        audit(db, actor, "sample_draw", f"sample:{sample_id}", None,
              {"period": span.label, "seed": seed, "size": size, "drawn": len(chosen), "analysts": drawn},
              ip=ip, at=now)
    return load_sample(db, sample_id)


def _sample_row(db: Database, sample_id: int) -> dict[str, Any]:
    rows = db.execute_returning_dicts("SELECT * FROM samples WHERE id = ?", [sample_id])
    if not rows:
        raise SampleError(_("There is no sample %(id)s (`monitor sample list` shows the samples drawn).",
                            id=sample_id), 404)
    row = rows[0]
    row["strata"] = json.loads(row["strata"])
    row["analysts"] = json.loads(row["analysts"])
    return row


def load_sample(db: Database, sample_id: int) -> dict[str, Any]:
    """A sample with its strata and its items (listing, site, title, analyst, verdict), by stratum."""
    sample = _sample_row(db, sample_id)
    sample["items"] = db.execute_returning_dicts(
        "SELECT i.id, i.listing, i.category, i.site, i.analyst, i.flagged_at_draw, i.verdict, i.reason, i.note, "
        "i.decided_by, i.decided_at, l.listing_id, l.title, l.url FROM sample_items i "
        "JOIN listings l ON l.id = i.listing WHERE i.sample = ? ORDER BY i.category, i.site, i.listing",
        [sample_id])
    sample["drawn"] = len(sample["items"])
    sample["checked"] = sum(1 for i in sample["items"] if i["verdict"])
    return sample


def list_samples(db: Database, limit: int = 200) -> list[dict[str, Any]]:
    """The samples drawn, newest first, with how many items and how many are checked."""
    return db.execute_returning_dicts(
        "SELECT s.id, s.period, s.seed, s.size, s.population, s.drawn_at, s.drawn_by, s.published_at, "
        "COUNT(i.id) AS drawn, COUNT(i.verdict) AS checked FROM samples s "
        "LEFT JOIN sample_items i ON i.sample = s.id GROUP BY s.id ORDER BY s.id DESC LIMIT ?", [limit])


def publish(db: Database, sample_id: int, actor: str, *, ip: str | None = None) -> dict[str, Any]:
    """Mark a sample published (公示): recorded once, with who and when; the draw itself is unchanged."""
    with write_transaction(db):
        sample = _sample_row(db, sample_id)
        if sample["published_at"]:
            raise SampleError(_("Sample %(id)s was already published on %(day)s by %(name)s.", id=sample_id,
                                day=sample["published_at"][:10], name=sample["published_by"]), 409)
        now = utc_now()
        db.execute("UPDATE samples SET published_at = ?, published_by = ? WHERE id = ?", [now, actor, sample_id])
        audit(db, actor, "sample_publish", f"sample:{sample_id}", None, {"published_at": now}, ip=ip, at=now)
    return load_sample(db, sample_id)
