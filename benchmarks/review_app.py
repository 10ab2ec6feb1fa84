"""Review app speed: server time of the queue and listing pages on a large store.

    .venv/bin/python benchmarks/review_app.py                 # 1,000,000 listings, 100,000 flags
    .venv/bin/python benchmarks/review_app.py --quick         # 50,000 listings, 5,000 flags (smoke run)
    .venv/bin/python benchmarks/review_app.py --db /tmp/r.db --reuse   # measure an existing build again
    .venv/bin/python benchmarks/review_app.py --explain       # + EXPLAIN QUERY PLAN of the queue queries
    .venv/bin/python benchmarks/review_app.py --writers 2     # + every case again while 2 processes write

The store is built directly (``executemany`` in big transactions, the full-text index rebuilt
once at the end), deterministic (seeded), with the schema of ``open_db`` (both migration sets):

* listings on 8 sites (skewed), 10 categories, ~4% of listings per seller on the biggest
  sellers (Zipf-like), titles/descriptions in English and Chinese with model numbers, first
  seen over two years;
* flags on 10% of the listings: scores 50-100 (most near the threshold), 1-3 signal names,
  watched marks, evidence spans; statuses open 73%, confirmed 12%, dismissed 10%, plus 5%
  superseded flags (older flags of listings that have a newer open one);
* reviews and audit rows for every decided flag and ~3% of the open ones, claims on ~2% of
  the open flags, three price observations per flagged listing, eight analysts.

Times are SERVER times: the app answers every request with a ``Server-Timing: app;dur=...``
header (``monitor.web.app.ServerTimingMiddleware``: from the request entering the ASGI app to
the response headers, i.e. session check, queries and template rendering; HTML pages are
rendered whole before the headers go out). Requests go through Starlette's ``TestClient``
in this process (no network), signed in as an analyst. Each case runs once unmeasured
(warm page cache), then ``--repeat`` times over varied parameters.

With ``--writers N`` every case is then measured again, with the same requests, on a fresh
app while N writer processes (this script with ``--writer``) write to the store through the
project's own functions, each batch in BEGIN IMMEDIATE transactions: alternately a crawl
(``save_listings`` batches of 200 with their scoring by ``monitor.scoring.score.score_keys``) and a
rescore (``monitor.scoring.score.score_rows`` over 500 listings at a time, plus a bulk verdict on
10 open flags with ``record_verdicts``). A stand-in engine replaces the rules (the engine's
own cost is not the store's), so the writers write as fast as they can unless
``--writer-pause`` slows them. They change the store: build it again for figures without
them.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks._common import machine  # noqa: E402

PASSWORD = "benchmark password"
SITES = [("taobao", 30), ("jd", 18), ("pinduoduo", 16), ("1688", 10), ("aliexpress", 10), ("tmall", 8),
         ("shopee", 5), ("lazada", 3)]
CATEGORIES = {
    "auto_parts": (["Bosch", "Toyota", "Denso"], [("brake pads", "刹车片"), ("spark plug", "火花塞"),
                                                 ("oil filter", "机油滤清器"), ("wiper blade", "雨刮器")]),
    "cosmetics": (["Chanel", "Loreal", "Dior"], [("lipstick", "口红"), ("face cream", "面霜"), ("perfume", "香水")]),
    "electronics": (["Apple", "Samsung", "Anker"], [("phone charger", "充电器"), ("earbuds", "耳机"),
                                                   ("power bank", "充电宝")]),
    "apparel": (["Nike", "Adidas", "Gucci"], [("running shoes", "跑鞋"), ("hoodie", "卫衣"), ("handbag", "手提包")]),
    "toys": (["Lego", "Mattel"], [("building blocks", "积木"), ("doll", "娃娃")]),
    "tools": (["Makita", "Bosch", "Dewalt"], [("cordless drill", "电钻"), ("angle grinder", "角磨机")]),
    "health": (["Swisse", "Blackmores"], [("vitamin c", "维生素C"), ("fish oil", "鱼油")]),
    "watches": (["Rolex", "Casio"], [("wrist watch", "手表")]),
    "baby": (["Aptamil", "Pampers"], [("milk powder", "奶粉"), ("diapers", "纸尿裤")]),
    "home": (["Philips", "Dyson"], [("air purifier", "空气净化器"), ("hair dryer", "吹风机")]),
}
CATEGORY_WEIGHTS = [22, 14, 16, 14, 6, 8, 5, 4, 5, 6]
LOOKALIKE = {"Bosch": "B0SCH", "Toyota": "T0Y0TA", "Denso": "DENS0", "Chanel": "CHANEI", "Loreal": "L0REAL",
             "Dior": "Di0r", "Apple": "Appie", "Samsung": "Samsumg", "Anker": "Ankerr", "Nike": "NlKE",
             "Adidas": "Adidass", "Gucci": "Gucc1", "Lego": "Leg0", "Mattel": "Matel", "Makita": "Makitta",
             "Dewalt": "DeWalty", "Swisse": "Swise", "Blackmores": "Blackmore", "Rolex": "Ro1ex", "Casio": "Casi0",
             "Aptamil": "Aptamii", "Pampers": "Pamper", "Philips": "Phi1ips", "Dyson": "Dysen"}
ADJECTIVES = ["original", "genuine", "high quality", "factory", "wholesale", "new", "oem", "premium", "cheap",
              "正品", "原装", "特价", "包邮", "新款"]
SIGNALS = [("mark_lookalike", 40), ("mark_exact_cheap", 18), ("price_outlier", 22), ("counterfeit_terms", 14),
           ("offplatform_contact", 12), ("regulatory_missing_ccc", 6), ("seller_repeat_infringer", 4),
           ("image_reuse", 3), ("replica_terms", 2)]
ANALYSTS = ["ana", "ben", "chen", "dai", "eva", "fang", "gus", "hui"]
T0 = date(2024, 11, 1)


def _weighted(rng: random.Random, pairs):
    names = [p[0] for p in pairs]
    weights = [p[1] for p in pairs]
    return rng.choices(names, weights)[0]


def _iso(day: date, seconds: int) -> str:
    return f"{day.isoformat()}T{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}Z"


# -- building the store -------------------------------------------------------------------

def build(path: Path, n_listings: int, n_flags: int, seed: int = 7) -> dict:
    """A fresh store at ``path``; returns what was built and how long it took."""
    from monitor.store import open_db

    for suffix in ("", "-wal", "-shm", ".migrate.lock"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    started = time.perf_counter()
    db = open_db(path)  # both migration sets
    conn = db.conn
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -400000")
    rng = random.Random(seed)
    categories = list(CATEGORIES)
    fts_triggers = [r for r in conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN ('listings_ai', 'listings_ad', "
        "'listings_au')")]
    for name, _ in fts_triggers:
        conn.execute(f"DROP TRIGGER {name}")

    # sellers: Zipf-like sizes (a few very big sellers, a long tail)
    n_sellers = max(100, n_listings // 25)
    seller_weights = [1.0 / (i + 1) ** 0.8 for i in range(n_sellers)]
    seller_site = [_weighted(rng, SITES) for _ in range(n_sellers)]
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO sellers (site, seller_id, name, url, location, rating, rating_count, first_seen, last_seen) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(seller_site[i], f"s{i}", f"Shop {i} 旗舰店" if i % 3 == 0 else f"Store {i}", f"https://{seller_site[i]}.example/shop/{i}",
          rng.choice(["Guangdong", "Zhejiang", "Fujian", "Jiangsu", "Shanghai"]), round(rng.uniform(3.5, 5), 1),
          rng.randint(0, 50000), _iso(T0, 0), _iso(T0 + timedelta(days=730), 0)) for i in range(n_sellers)])
    conn.execute("COMMIT")

    batch = 100_000
    seller_of = rng.choices(range(n_sellers), seller_weights, k=n_listings)
    meta = []  # (category, brand, mark?, title, site) per listing, for the flags
    for start in range(0, n_listings, batch):
        rows = []
        for pk in range(start + 1, min(n_listings, start + batch) + 1):
            s = seller_of[pk - 1]
            site = seller_site[s] if rng.random() < 0.97 else _weighted(rng, SITES)
            category = rng.choices(categories, CATEGORY_WEIGHTS)[0]
            marks, products = CATEGORIES[category]
            mark = rng.choice(marks)
            product, zh = rng.choice(products)
            shown = LOOKALIKE[mark] if rng.random() < 0.3 else mark
            model = f"{product[:2].upper()}-{rng.randint(1000, 99999)}"
            title = f"{shown} {product} {zh} {model} {rng.choice(ADJECTIVES)}"
            description = (f"{rng.choice(ADJECTIVES)} {product} for {mark}. "
                           + (f"wechat {rng.randint(100, 999)}" if rng.random() < 0.1 else "fast shipping"))
            seen_day = T0 + timedelta(days=rng.randint(0, 729))
            first_seen = _iso(seen_day, rng.randint(0, 86399))
            last_seen = _iso(min(seen_day + timedelta(days=rng.randint(0, 90)), T0 + timedelta(days=729)), 43200)
            price = round(rng.uniform(5, 800), 2)
            rows.append((pk, site, f"{site[:2]}{pk}", f"https://{site}.example/item/{pk}", title, description, shown,
                         category if rng.random() > 0.02 else None, price, "CNY", "¥", "in_stock", f"s{s}",
                         f"Shop {s} 旗舰店" if s % 3 == 0 else f"Store {s}", f"https://{site}.example/shop/{s}",
                         json.dumps([f"https://img.{site}.example/{pk}/1.jpg"]),
                         json.dumps({"型号": model, "brand": shown}, ensure_ascii=False), model, 200, first_seen,
                         last_seen))
            meta.append((category, shown, mark, title, site))
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO listings (id, site, listing_id, url, title, description, brand, category, price, currency, "
            "currency_raw, availability, seller_id, seller_name, seller_url, images, attributes, sku, http_status, "
            "first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        conn.execute("COMMIT")
    listings_done = time.perf_counter()

    conn.execute("INSERT INTO listings_fts (listings_fts) VALUES ('rebuild')")
    for _, sql in fts_triggers:
        conn.execute(sql)
    fts_done = time.perf_counter()

    # users: one argon2 hash for all (the benchmark signs in as "ana")
    from argon2 import PasswordHasher

    hashed = PasswordHasher().hash(PASSWORD)
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)",
                     [(a, "lead" if a == "ben" else "analyst", hashed, _iso(T0, 0)) for a in ANALYSTS])
    conn.execute("COMMIT")

    # flags on distinct listings; 5% of them also get an older superseded flag
    n_superseded = n_flags // 20
    flagged = rng.sample(range(1, n_listings + 1), n_flags - n_superseded)
    flag_rows, review_rows, audit_rows, claim_rows, obs_rows = [], [], [], [], []
    flag_id = 0

    def signals_for(pk: int, names: list[str], mark: str):
        category, shown, _, title, _ = meta[pk - 1]
        out = []
        for name in names:
            ev = [{"field": "title", "start": 0, "end": len(shown), "text": shown}] if name.startswith("mark") else []
            out.append({"name": name, "kind": "trademark" if name.startswith("mark") else "other", "strength": 0.7,
                        "explanation": f"{name} on {shown}", "evidence": ev, "mark": mark})
        return out

    for n, pk in enumerate(flagged):
        category, shown, mark, _, site = meta[pk - 1]
        seen_day = T0 + timedelta(days=rng.randint(0, 729))
        created = _iso(seen_day, rng.randint(0, 86399))
        if n < n_superseded:
            flag_id += 1
            names = sorted({_weighted(rng, SIGNALS)})
            flag_rows.append((flag_id, pk, "superseded", rng.randint(50, 80), 50, category,
                              json.dumps(signals_for(pk, names, mark)), " ".join(names), mark, "v1", f"h{pk}a", created,
                              created, "replaced by a new assessment (listing or rules changed)", site))
        names = sorted({_weighted(rng, SIGNALS) for _ in range(rng.choice([1, 1, 2, 2, 3]))})
        score = min(100, 50 + int(50 * rng.random() ** 2.2))
        r = rng.random()
        status = "open" if r < 0.77 else "confirmed" if r < 0.89 else "dismissed"
        flag_id += 1
        flag_rows.append((flag_id, pk, status, score, 50, category, json.dumps(signals_for(pk, names, mark)),
                          " ".join(names), mark, "v2", f"h{pk}", created, None, None, site))
        decided = _iso(seen_day + timedelta(days=rng.randint(0, 20)), rng.randint(0, 86399))
        analyst = rng.choice(ANALYSTS)
        verdict = None
        if status == "confirmed":
            verdict = rng.choice(["confirmed_counterfeit", "confirmed_infringement", "regulatory_violation"])
        elif status == "dismissed":
            verdict = "dismissed"
        elif rng.random() < 0.04:
            verdict = rng.choice(["escalate", "needs_test_purchase"])
        if verdict:
            reason = rng.choice(["genuine_goods", "authorised_seller", "not_our_mark"]) if verdict == "dismissed" else None
            review_rows.append((pk, flag_id, verdict, reason, None, analyst, decided))
            audit_rows.append((decided, analyst, "verdict", f"listing:{pk}", json.dumps({"flag": flag_id, "status": "open"}),
                               json.dumps({"flag": flag_id, "status": status, "verdict": verdict, "reason": reason}), "10.0.0.1"))
        elif rng.random() < 0.025:
            claim_rows.append((pk, analyst, decided, None))
        for k in range(3):
            obs_rows.append((pk, None, _iso(seen_day + timedelta(days=7 * k), 3600), "import", 200, meta[pk - 1][3],
                             round(rng.uniform(5, 800), 2), "CNY", "in_stock"))
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO flags (id, listing, status, score, threshold, category, signals, signal_names, marks, "
        "rules_version, content_hash, created_at, superseded_at, superseded_reason, site, priority) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [(*r, r[3]) for r in flag_rows])
    conn.executemany("UPDATE listings SET score = ?, scored_at = ?, rules_version = 'v2' WHERE id = ?",
                     [(r[3], r[11], r[1]) for r in flag_rows if r[2] != "superseded"])
    conn.executemany("INSERT INTO reviews (listing, flag, verdict, reason, note, analyst, decided_at) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?)", review_rows)
    conn.executemany("INSERT INTO audit (at, actor, action, object, before, after, ip) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     audit_rows)
    conn.executemany("INSERT INTO assignments (listing, analyst, claimed_at, assigned_by) VALUES (?, ?, ?, ?)",
                     claim_rows)
    conn.executemany("INSERT INTO observations (listing, run_id, observed_at, source, http_status, title, price, "
                     "currency, availability) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", obs_rows)
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    done = time.perf_counter()
    return {"listings": n_listings, "flags": len(flag_rows), "reviews": len(review_rows), "claims": len(claim_rows),
            "observations": len(obs_rows), "seconds_listings": round(listings_done - started, 1),
            "seconds_fts": round(fts_done - listings_done, 1), "seconds_total": round(done - started, 1),
            "db_mib": round(path.stat().st_size / 2**20)}


# -- measuring ----------------------------------------------------------------------------

def _server_ms(response) -> float:
    header = response.headers.get("server-timing", "")
    for part in header.split(","):
        part = part.strip()
        if part.startswith("app;"):
            for item in part.split(";"):
                if item.startswith("dur="):
                    return float(item[4:])
    raise RuntimeError(f"no Server-Timing header on {response.request.url}")


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(p * len(ordered) + 0.5)) - 1))]


def _signed_in_client(path: Path):
    """A fresh app (its own count cache) and a client signed in as an analyst."""
    import re

    from starlette.testclient import TestClient

    from monitor.web import create_app

    client = TestClient(create_app(path), base_url="http://testserver")
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = client.post("/login", data={"name": "ana", "password": PASSWORD, "csrf_token": token, "next": "/"},
                    follow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    return client


def _cases(client, repeat: int, seed: int, open_listings: list[int], flagged: list[int]) -> dict[str, list[str]]:
    """The measured requests per case; the same URLs for the same seed (bar the deep-page
    cursors, which follow the queue as it is)."""
    rng = random.Random(seed)

    def q(**params) -> str:
        return "/?" + urlencode(params)

    cats = list(CATEGORIES)
    sites = [s for s, _ in SITES]
    signals = [s for s, _ in SIGNALS]
    marks = sorted(LOOKALIKE)
    days = [(T0 + timedelta(days=rng.randint(0, 700))) for _ in range(repeat)]

    def deep_cursors(params: dict, pages: int) -> list[str]:
        """Follow next links from the first page; returns the cursors of pages 2..pages+1."""
        out, after = [], ""
        for _ in range(pages):
            r = client.get("/api/queue", params={**params, "after": after, "limit": 50})
            nxt = r.json()["next"]
            if not nxt:
                break
            out.append(nxt)
            after = nxt
        return out

    deep = deep_cursors({"status": "open"}, 200)
    deep_cat = deep_cursors({"status": "open", "category": "cosmetics"}, 60)
    return {
        "queue: no filter (first page)": [q() for _ in range(repeat)],
        "queue: status tab (confirmed / dismissed / all)": [q(status=rng.choice(["confirmed", "dismissed", "all"]))
                                                            for _ in range(repeat)],
        "queue: category": [q(category=rng.choice(cats)) for _ in range(repeat)],
        "queue: site": [q(site=rng.choice(sites)) for _ in range(repeat)],
        "queue: signal": [q(signal=rng.choice(signals)) for _ in range(repeat)],
        "queue: mark": [q(mark=rng.choice(marks)) for _ in range(repeat)],
        "queue: score range": [q(min_score=(lo := rng.randint(50, 90)), max_score=lo + rng.randint(2, 10))
                               for _ in range(repeat)],
        "queue: first-seen range": [q(seen_from=d.isoformat(), seen_to=(d + timedelta(days=rng.randint(1, 60))).isoformat())
                                    for d in days],
        "queue: search, common word": [q(q=rng.choice(["brake", "lipstick", "charger", "original", "口红", "正品"]))
                                       for _ in range(repeat)],
        "queue: search, model number (rare)": [q(q=f"{rng.choice(['BR', 'LI', 'PH', 'RU'])}-{rng.randint(1000, 99999)}")
                                               for _ in range(repeat)],
        "queue: category + site + signal": [q(category=rng.choice(cats), site=rng.choice(sites), signal=rng.choice(signals))
                                            for _ in range(repeat)],
        "queue: mark + score + first-seen": [q(mark=rng.choice(marks), min_score=60,
                                               seen_from=d.isoformat(), seen_to=(d + timedelta(days=180)).isoformat())
                                             for d in days],
        "queue: site + search": [q(site=rng.choice(sites), q=rng.choice(["brake", "perfume", "wechat", "刹车片"]))
                                 for _ in range(repeat)],
        "queue: status all + category + search": [q(status="all", category=rng.choice(cats), q="original")
                                                  for _ in range(repeat)],
        "queue: mine": [q(mine="1") for _ in range(repeat)],
        "queue: deep pagination (pages 2-201, next)": [q(after=rng.choice(deep)) for _ in range(repeat)],
        "queue: deep pagination (previous page)": [q(before=rng.choice(deep)) for _ in range(repeat)],
        "queue: category, deep pages": [q(category="cosmetics", after=rng.choice(deep_cat)) for _ in range(repeat)],
        "listing: random open flag": [f"/listing/{rng.choice(open_listings)}" for _ in range(repeat)],
        "listing: random flag, any status": [f"/listing/{rng.choice(flagged)}" for _ in range(repeat)],
        "listing: with queue filters (prev/next in filter)": [
            f"/listing/{rng.choice(open_listings)}?" + urlencode({"category": rng.choice(cats), "site": rng.choice(sites)})
            for _ in range(repeat)],
    }


def _run_cases(client, cases: dict[str, list[str]], label: str) -> list[dict]:
    results = []
    for name, urls in cases.items():
        client.get(urls[0])  # warm-up, not measured
        times = []
        for url in urls:
            r = client.get(url)
            assert r.status_code == 200, (url, r.status_code, r.text[:300])
            times.append(_server_ms(r))
        results.append({"case": name, "n": len(times), "p50": statistics.median(times), "p95": _pct(times, 0.95),
                        "max": max(times)})
        print(f"{label}{name:55s} p50 {results[-1]['p50']:7.1f}  p95 {results[-1]['p95']:7.1f}  "
              f"max {results[-1]['max']:7.1f} ms", file=sys.stderr)
    return results


def measure(path: Path, repeat: int, seed: int = 11, explain: bool = False, writers: int = 0,
            writer_pause: float = 0.0) -> dict:
    """Every case without writers; then, with ``writers``, every case again (same requests)
    while that many writer processes (``_writer``) write to the store."""
    from monitor.store import open_db

    t = time.perf_counter()
    db = open_db(path)  # applies migrations added since the build (indexes)
    migrate_s = time.perf_counter() - t
    open_listings = [r[0] for r in db.execute("SELECT listing FROM flags WHERE status = 'open' ORDER BY id")]
    flagged = [r[0] for r in db.execute("SELECT listing FROM flags WHERE status != 'superseded' ORDER BY id")]
    db.close()
    if migrate_s > 1:
        print(f"(migrations applied before measuring: {migrate_s:.1f} s)", file=sys.stderr)

    client = _signed_in_client(path)
    out = {"results": _run_cases(client, _cases(client, repeat, seed, open_listings, flagged), "")}
    client.close()
    if writers:
        client = _signed_in_client(path)
        procs = _start_writers(path, writers, writer_pause)
        try:
            started = time.perf_counter()
            out["results_writers"] = _run_cases(client, _cases(client, repeat, seed, open_listings, flagged),
                                                f"[{writers} writers] ")
            out["writers_seconds"] = round(time.perf_counter() - started, 1)
        finally:
            out["writers"] = _stop_writers(procs)
        client.close()
        print(f"writers: {out['writers']}", file=sys.stderr)
    if explain:
        _explain(path)
    return out


# -- writers: other processes writing to the store while the pages are measured -------------

WRITER_ROLES = ("crawl", "rescore")


class _BenchEngine:
    """Stands in for the rule engine (whose cost is not the store's): the same assessment
    shape; the score follows the listing's previous one (the flagged stay flagged) and
    ``new_rate`` of the others are flagged; a rules version of its own, so that an open flag
    is replaced by a new one, as after a rule change."""

    def __init__(self, version: str, seed: int, new_rate: float):
        self.version = version
        self.rng = random.Random(seed)
        self.new_rate = new_rate

    def assess(self, listing: dict):
        from types import SimpleNamespace

        from monitor.rules.signals import Evidence, Signal

        previous = listing.get("score")
        if previous is not None and previous >= 50:
            score = max(50, min(100, int(previous) + self.rng.randint(-3, 3)))
        else:
            score = 50 + self.rng.randint(0, 30) if self.rng.random() < self.new_rate else self.rng.randint(0, 40)
        title = listing.get("title") or ""
        word = title.split(" ")[0] if title else ""
        signals = [Signal("mark_lookalike", "trademark", 0.7, f'"{word}" looks like a watched mark',
                          [Evidence("title", 0, len(word), word)] if word else [], mark=listing.get("brand") or "Bosch")]
        if self.rng.random() < 0.3:
            signals.append(Signal("offplatform_contact", "contact", 0.5, "contact details in the description"))
        return SimpleNamespace(score=score, flagged=score >= 50, threshold=50, signals=signals,
                               rules_version=self.version, price_points=[])


def _writer(path: Path, role: str, seed: int, pause: float) -> None:
    """One writer process, until SIGTERM; prints "ready" after its first batch, then a JSON
    summary at the end. Through the project's own store functions, each batch in its own
    BEGIN IMMEDIATE transaction(s):

    * crawl (of one site): 200 listings per batch (as the store pipeline's batches), half of
      them already stored (new price: a changed listing and an observation), half new, with
      ``save_listings(run_id=...)``; then their scoring with ``monitor.scoring.score.score_keys``
      (``record_assessment`` for each, one transaction), as the crawl's scoring process does.
    * rescore: 500 stored listings per batch in id order with ``monitor.scoring.score.score_rows``
      (as ``monitor rescore``), then a bulk verdict on 10 open flags with
      ``monitor.review.decisions.record_verdicts`` (as an analyst's bulk triage).
    """
    import signal

    from monitor.scoring.score import score_keys, score_rows
    from monitor.store import finish_run, open_db, save_listings, start_run
    from monitor.review import Decision, ReviewError, record_verdicts
    from monitor.review.accounts import User

    stop = False

    def on_term(*_) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, on_term)
    db = open_db(path, migrate=False)
    rng = random.Random(seed)
    # a crawl's new listings are flagged as often as the store's (10%); a rescore flags few new ones
    engine = _BenchEngine(f"bench-{role}-{seed}", seed, 0.1 if role == "crawl" else 0.01)
    n_listings = db.execute("SELECT max(id) FROM listings").fetchone()[0]
    stats = {"role": role, "batches": 0, "listings_saved": 0, "listings_scored": 0, "flags_raised": 0,
             "verdicts": 0}
    tx_ms: list[float] = []
    run_id = None
    site = rng.choice([s for s, _ in SITES])
    if role == "crawl":
        run_id = start_run(db, site=site, spider="review-bench-writer", kind="profile")
    analyst = db.execute("SELECT id, name, role FROM users WHERE name = ?", [ANALYSTS[seed % len(ANALYSTS)]]).fetchone()
    user = User(*analyst)
    cursor = rng.randint(0, n_listings)
    new_n = 0
    started = time.perf_counter()
    ready = False
    while not stop:
        if role == "crawl":
            rows = db.execute_returning_dicts("SELECT * FROM listings WHERE id >= ? AND site = ? ORDER BY id LIMIT 100",
                                              [rng.randint(1, n_listings), site])
            items = []
            for row in rows:
                item = {k: row[k] for k in ("site", "listing_id", "url", "title", "description", "brand", "category",
                                            "currency", "availability", "seller_id", "seller_name", "seller_url")}
                item.update(price=round(rng.uniform(5, 800), 2), images=json.loads(row["images"] or "[]"),
                            attributes=json.loads(row["attributes"] or "{}"), http_status=200)
                items.append(item)
            for _ in range(200 - len(items)):
                new_n += 1
                category = rng.choice(list(CATEGORIES))
                mark = rng.choice(CATEGORIES[category][0])
                product, zh = rng.choice(CATEGORIES[category][1])
                items.append({"site": site, "listing_id": f"w{seed}-{new_n}", "url": f"https://{site}.example/w/{seed}/{new_n}",
                              "title": f"{LOOKALIKE[mark]} {product} {zh} {rng.choice(ADJECTIVES)}",
                              "description": f"{product} for {mark}, fast shipping", "brand": LOOKALIKE[mark],
                              "category": category, "price": round(rng.uniform(5, 800), 2), "currency": "CNY",
                              "availability": "in_stock", "seller_id": f"s{rng.randint(0, 999)}",
                              "images": [f"https://img.{site}.example/w{seed}/{new_n}.jpg"], "http_status": 200})
            t = time.perf_counter()
            save_listings(db, items, run_id=run_id)
            tx_ms.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            stats["flags_raised"] += score_keys(db, engine, [(i["site"], i["listing_id"]) for i in items])["flagged"]
            tx_ms.append((time.perf_counter() - t) * 1000)
            stats["listings_saved"] += len(items)
            stats["listings_scored"] += len(items)
        else:
            rows = db.execute_returning_dicts("SELECT * FROM listings WHERE id > ? ORDER BY id LIMIT 500", [cursor])
            if not rows:
                cursor = 0
                continue
            cursor = rows[-1]["id"]
            t = time.perf_counter()
            stats["flags_raised"] += score_rows(db, engine, rows)["flagged"]
            tx_ms.append((time.perf_counter() - t) * 1000)
            stats["listings_scored"] += len(rows)
            open_flags = [r[0] for r in db.execute("SELECT id FROM flags WHERE status = 'open' AND id % 97 = ? LIMIT 10",
                                                   [rng.randint(0, 96)])]
            decisions = [Decision(f, rng.choice(["confirmed_counterfeit", "dismissed", "escalate"]),
                                  reason="genuine_goods") for f in open_flags]
            if decisions:
                t = time.perf_counter()
                try:
                    stats["verdicts"] += len(record_verdicts(db, user, decisions, ip="10.0.0.9").review_ids)
                except ReviewError:
                    pass
                tx_ms.append((time.perf_counter() - t) * 1000)
        stats["batches"] += 1
        if not ready:
            print("ready", flush=True)
            ready = True
        if pause:
            time.sleep(pause)
    seconds = time.perf_counter() - started
    if run_id is not None:
        finish_run(db, run_id, status="completed", listings_seen=stats["listings_saved"])
    db.close()
    stats.update(seconds=round(seconds, 1), transactions=len(tx_ms),
                 tx_ms_p50=round(statistics.median(tx_ms), 1) if tx_ms else None,
                 tx_ms_max=round(max(tx_ms), 1) if tx_ms else None,
                 listings_per_s=round(stats["listings_scored"] / seconds) if seconds else None)
    print(json.dumps(stats), flush=True)


def _start_writers(path: Path, n: int, pause: float) -> list:
    import subprocess

    procs = []
    for k in range(n):
        procs.append(subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--db", str(path), "--writer", WRITER_ROLES[k % 2],
             "--writer-seed", str(101 + k), "--writer-pause", str(pause)],
            stdout=subprocess.PIPE, text=True))
    for proc in procs:  # each has committed its first batch
        line = proc.stdout.readline()
        if line.strip() != "ready":
            raise RuntimeError(f"writer did not start: {line!r}")
    return procs


def _stop_writers(procs: list) -> list[dict]:
    import signal

    out = []
    for proc in procs:
        proc.send_signal(signal.SIGTERM)
    for proc in procs:
        rest, _ = proc.communicate(timeout=120)
        lines = [ln for ln in rest.splitlines() if ln.startswith("{")]
        out.append(json.loads(lines[-1]) if lines else {"returncode": proc.returncode})
    return out


def _explain(path: Path) -> None:
    from monitor.store import open_db
    from monitor import review

    db = open_db(path, migrate=False)
    for label, filters in (("no filter", review.QueueFilters()), ("category", review.QueueFilters(category="toys")),
                           ("site", review.QueueFilters(site="lazada")), ("search", review.QueueFilters(q="brake")),
                           ("all", review.QueueFilters(status="all"))):
        sql, params = review.queue_sql(filters, None, limit=50)
        print(f"-- {label}", file=sys.stderr)
        for row in db.execute("EXPLAIN QUERY PLAN " + sql, params):
            print("   ", row[-1], file=sys.stderr)
    db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="50,000 listings and 5,000 flags")
    parser.add_argument("--listings", type=int)
    parser.add_argument("--flags", type=int)
    parser.add_argument("--db", type=Path, default=Path("/tmp/review_app_bench/monitor.db"))
    parser.add_argument("--reuse", action="store_true", help="measure the store at --db as it is (no build)")
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--repeat", type=int, default=40, help="requests per case")
    parser.add_argument("--writers", type=int, default=0,
                        help="then measure every case again while N processes write to the store (alternately a "
                             "crawl: save_listings + scoring, and a rescore with bulk verdicts); they change the store")
    parser.add_argument("--writer-pause", type=float, default=0.0,
                        help="seconds each writer sleeps between batches (default 0: as fast as it can)")
    parser.add_argument("--writer", choices=WRITER_ROLES, help=argparse.SUPPRESS)  # a writer process
    parser.add_argument("--writer-seed", type=int, default=101, help=argparse.SUPPRESS)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.writer:
        _writer(args.db, args.writer, args.writer_seed, args.writer_pause)
        return
    n_listings = args.listings or (50_000 if args.quick else 1_000_000)
    n_flags = args.flags or n_listings // 10
    args.db.parent.mkdir(parents=True, exist_ok=True)
    built = None
    if not args.reuse:
        built = build(args.db, n_listings, n_flags)
        print(f"built {built}", file=sys.stderr)
    if args.build_only:
        return
    measured = measure(args.db, args.repeat, explain=args.explain, writers=args.writers,
                       writer_pause=args.writer_pause)
    out = {"machine": machine(), "build": built, **measured}
    if args.json:
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return
    print(f"\n{out['machine']}\n")
    print("| case | n | p50 ms | p95 ms | max ms |")
    print("|---|---|---|---|---|")
    for r in out["results"]:
        miss = " **(misses 100 ms)**" if r["p95"] >= 100 else ""
        print(f"| {r['case']}{miss} | {r['n']} | {r['p50']:.1f} | {r['p95']:.1f} | {r['max']:.1f} |")
    if "results_writers" in out:
        print(f"\nWith {args.writers} writers ({out['writers_seconds']} s):\n")
        print("| case | p50 ms alone | p50 ms with writers | p95 ms alone | p95 ms with writers | max ms with writers |")
        print("|---|---|---|---|---|---|")
        for a, w in zip(out["results"], out["results_writers"]):
            print(f"| {a['case']} | {a['p50']:.1f} | {w['p50']:.1f} | {a['p95']:.1f} | {w['p95']:.1f} | {w['max']:.1f} |")
        for w in out["writers"]:
            print(f"\nwriter: {json.dumps(w)}")


if __name__ == "__main__":
    main()
