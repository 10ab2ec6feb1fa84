"""Bulk import speed: `import_file` on N generated listings, JSON Lines and CSV.

Usage: .venv/bin/python benchmarks/bulk_import.py [--rows N] [--quick] [--profile] [--keep DIR]

For each format it writes one file of N realistic listings (Chinese and English titles,
attributes, image lists, a few hundred sellers, three sites, a handful of bad rows), then
in the same run measures:

* baseline: read the file, parse each record (``json.loads`` / ``csv.DictReader``) and
  ``executemany`` the raw rows into a plain table with no indexes, no FTS, no upsert, on a
  fresh database with the store's own PRAGMAs (WAL, synchronous=NORMAL) -- the floor for
  getting a file's rows into SQLite;
* import: ``monitor.ingest.importing.import_file`` into a fresh, migrated store (validation,
  upserts, sellers, observations, the full-text index), without an ``engine``: what
  ``monitor import --no-score`` does. The rule engine's scoring (the default of ``monitor
  import``) is not included: at about 600 listings/s it would be all of the time;
* re-import: the same file again into the same store (must change nothing).

Goal: import >= 30,000 listings/s. The ratio import/baseline shows the store's overhead.
``--profile`` prints the top functions of a cProfile run of the JSON Lines import.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import json
import os
import pstats
import random
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from _common import machine  # noqa: E402  (puts the repository on sys.path)

from monitor.ingest.batches import BATCH  # noqa: E402
from monitor.ingest.importing import import_file  # noqa: E402
from monitor.ingest.parse import COLUMNS  # noqa: E402
from monitor.store import open_db  # noqa: E402

GOAL = 30_000  # listings per second

SITES = ("taobao", "pinduoduo", "jd")
PRODUCTS = {
    "agri_inputs": [
        ("先正达", "Syngenta", "阿米西达 25%嘧菌酯 悬浮剂", "Amistar 25% azoxystrobin SC", 89.5,
         {"农药登记证号": "PD20092927", "剂型": "悬浮剂", "净含量": "100ml"}),
        ("拜耳", "Bayer", "艾美乐 70%吡虫啉 水分散粒剂", "Admire 70% imidacloprid WG", 36.0,
         {"农药登记证号": "PD20040711", "剂型": "水分散粒剂", "生产厂家": "拜耳作物科学（中国）有限公司"}),
        ("史丹利", "Stanley", "复合肥 硫酸钾型 45% 50kg", "Compound fertilizer 45% 50 kg", 168.0,
         {"肥料登记证号": "鲁农肥(2019)准字1234号", "养分含量": "15-15-15", "执行标准": "GB/T 15063-2020"}),
    ],
    "cosmetics": [
        ("兰蔻", "Lancôme", "小黑瓶 精华肌底液 50ml", "Advanced Génifique serum 50ml", 760.0,
         {"备案编号": "国妆网备进字（沪）2019000123", "净含量": "50ml", "功效": "修护"}),
        ("欧莱雅", "L'Oréal Paris", "复颜玻尿酸水光充盈导入 面霜", "Revitalift filler cream", 239.0,
         {"境内责任人": "欧莱雅（中国）有限公司", "净含量": "50ml"}),
        ("百雀羚", "Pechoin", "水嫩倍现 保湿精华霜", "Hydrating essence cream", 98.0,
         {"备案编号": "沪G妆网备字2020012345"}),
    ],
    "auto_parts": [
        ("博世", "Bosch", "刹车片 前片 0986494", "Brake pads front 0986494", 299.0,
         {"零件号": "0 986 494 123", "适用车型": "大众 朗逸 2015-2020", "CCC证书编号": "2019011101234567"}),
        ("NGK", "NGK", "铱金火花塞 ILZKR7B11 4支装", "Iridium spark plug ILZKR7B11 x4", 236.0,
         {"型号": "ILZKR7B11", "原产国": "日本"}),
        ("米其林", "Michelin", "轮胎 205/55R16 91V 浩悦4", "Primacy 4 205/55R16 91V", 689.0,
         {"规格": "205/55R16", "原产国": "中国"}),
    ],
}
DECORATION_ZH = ("正品 官方旗舰店", "包邮 假一赔十", "2件装 特价", "厂家直销", "新款 现货速发", "")
DECORATION_EN = ("genuine", "free shipping", "value pack", "factory direct", "new in stock", "")
CITIES = ("山东 临沂", "浙江 杭州", "广东 广州", "上海", "江苏 南京", "河南 郑州", "福建 莆田")


def generate(n: int, seed: int = 7) -> list[dict]:
    """N listings as an export would have them, ~0.05 % deliberately bad rows."""
    rnd = random.Random(seed)
    categories = list(PRODUCTS)
    rows = []
    for i in range(n):
        site = SITES[i % len(SITES)]
        category = categories[rnd.randrange(3)]
        brand_zh, brand_en, name_zh, name_en, price, attrs = rnd.choice(PRODUCTS[category])
        seller = rnd.randrange(600)
        if rnd.random() < 0.5:
            title = f"{brand_zh} {name_zh} {rnd.choice(DECORATION_ZH)}".strip()
            description = f"{brand_zh}{name_zh}，{rnd.choice(DECORATION_ZH)}，请认准正品。" if rnd.random() < 0.7 else ""
        else:
            title = f"{brand_en} {name_en} {rnd.choice(DECORATION_EN)}".strip()
            description = f"{brand_en} {name_en}. Ships from {rnd.choice(CITIES)}." if rnd.random() < 0.7 else ""
        images = [f"https://img.{site}.example/{i:07d}/{k}.jpg" for k in range(rnd.randrange(0, 5))]
        attributes = dict(attrs)
        attributes["颜色"] = rnd.choice(("红色", "蓝色", "黑色", "默认"))
        row = {
            "site": site,
            "id": str(10_000_000 + i),
            "url": f"https://item.{site}.example/item/{10_000_000 + i}.html",
            "title": title,
            "description": description,
            "brand": brand_zh if rnd.random() < 0.6 else brand_en,
            "category": category,
            "price": round(price * rnd.uniform(0.2, 1.3), 2),
            "currency": "CNY",
            "seller_id": f"s{seller}" if rnd.random() < 0.9 else "",
            "seller_name": f"{rnd.choice(('农资', '美妆', '汽配', '百货'))}专营店{seller}",
            "seller_url": f"https://shop.{site}.example/{seller}" if rnd.random() < 0.5 else "",
            "seller_location": rnd.choice(CITIES),
            "images": images,
            "attributes": attributes,
            "observed_at": f"2026-11-{1 + rnd.randrange(20):02d}T{rnd.randrange(24):02d}:{rnd.randrange(60):02d}:00Z",
        }
        r = rnd.random()
        if r < 0.0002:
            row["url"] = "not-a-url"
        elif r < 0.0004:
            row["price"] = "cheap"
        elif r < 0.0005:
            row["title"] = ""
        rows.append(row)
    return rows


def write_jsonl(rows: list[dict], path: Path) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def write_csv(rows: list[dict], path: Path) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "images": "|".join(row["images"]),
                             "attributes": json.dumps(row["attributes"], ensure_ascii=False)})


def baseline(path: Path, db_file: Path) -> tuple[float, float, int]:
    """(total seconds, seconds in executemany, rows): parse the file, INSERT into a plain table.

    Streams in batches of the importer's size, as import_file does, so that neither side
    pays for holding every parsed record at once.
    """
    start = time.perf_counter()
    conn = sqlite3.connect(db_file, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute(f"CREATE TABLE plain ({', '.join(COLUMNS)})")
    insert_sql = f"INSERT INTO plain VALUES ({', '.join('?' * len(COLUMNS))})"
    text = path.read_bytes().decode("utf-8-sig")
    if path.suffix == ".jsonl":
        records = (json.loads(line) for line in text.splitlines() if line.strip())
    else:
        records = csv.DictReader(io.StringIO(text, newline=""))
    count, insert_seconds, rows = 0, 0.0, []

    def flush():
        nonlocal insert_seconds
        t = time.perf_counter()
        conn.execute("BEGIN")
        conn.executemany(insert_sql, rows)
        conn.execute("COMMIT")
        insert_seconds += time.perf_counter() - t

    for r in records:
        images, attributes = r.get("images"), r.get("attributes")
        rows.append((*[r.get(c) for c in COLUMNS[:13]],
                     images if isinstance(images, str) else json.dumps(images, ensure_ascii=False),
                     attributes if isinstance(attributes, str) else json.dumps(attributes, ensure_ascii=False),
                     r.get("observed_at")))
        if len(rows) >= BATCH:
            count += len(rows)
            flush()
            rows = []
    if rows:
        count += len(rows)
        flush()
    conn.close()
    return time.perf_counter() - start, insert_seconds, count


def dump_counts(db) -> dict[str, int]:
    return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("listings", "observations", "sellers", "listings_fts")}


def cpu_seconds() -> tuple[float, float]:
    """(this process, its finished children): user + system CPU seconds. import_file parses in
    a child process for big files, so the two show how the work is split between the cores."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def measure(path: Path, work: Path, profile: bool) -> dict:
    base_total, base_insert, base_rows = baseline(path, work / f"plain-{path.suffix[1:]}.db")
    db_file = work / f"store-{path.suffix[1:]}.db"
    db = open_db(db_file)  # migrations are not part of the import time
    profiler = cProfile.Profile() if profile else None
    cpu = cpu_seconds()
    start = time.perf_counter()
    if profiler:
        profiler.enable()
    report = import_file(db, path)
    if profiler:
        profiler.disable()
    seconds = time.perf_counter() - start
    import_cpu = [b - a for a, b in zip(cpu, cpu_seconds())]
    counts = dump_counts(db)
    cpu = cpu_seconds()
    start = time.perf_counter()
    again = import_file(db, path)
    again_seconds = time.perf_counter() - start
    again_cpu = [b - a for a, b in zip(cpu, cpu_seconds())]
    unchanged = dump_counts(db) == counts and (again.stored.new, again.stored.changed) == (0, 0)
    integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
    db.close()
    if profiler:
        print(f"\n--- cProfile of import_file({path.name}) ---")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    return {
        "format": path.suffix[1:],
        "file_mb": path.stat().st_size / 1e6,
        "rows": report.rows,
        "stored": report.stored.seen,
        "skipped": len(report.skipped),
        "seconds": seconds,
        "rate": report.rows / seconds,
        "baseline_seconds": base_total,
        "baseline_insert_seconds": base_insert,
        "baseline_rate": base_rows / base_total,
        "baseline_insert_rate": base_rows / base_insert,
        "cpu_writer": import_cpu[0], "cpu_worker": import_cpu[1],
        "reimport_cpu_writer": again_cpu[0], "reimport_cpu_worker": again_cpu[1],
        "reimport_seconds": again_seconds,
        "reimport_rate": again.rows / again_seconds,
        "reimport_unchanged": unchanged,
        "integrity": integrity,
        "counts": counts,
        "db_mb": db_file.stat().st_size / 1e6,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--quick", action="store_true", help="5,000 rows: a smoke run")
    parser.add_argument("--profile", action="store_true", help="cProfile the JSON Lines import")
    parser.add_argument("--format", choices=("jsonl", "csv", "both"), default="both")
    parser.add_argument("--keep", type=Path, help="write the files and databases here and keep them")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args(argv)
    n = 5_000 if args.quick else args.rows

    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-import-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        print(f"machine: {machine()}; load average {' / '.join(f'{x:.1f}' for x in os.getloadavg())} (1/5/15 min)")
        start = time.perf_counter()
        rows = generate(n)
        paths = []
        if args.format in ("jsonl", "both"):
            paths.append(work / "listings.jsonl")
            write_jsonl(rows, paths[-1])
        if args.format in ("csv", "both"):
            paths.append(work / "listings.csv")
            write_csv(rows, paths[-1])
        del rows
        print(f"generated {n:,} listings in {time.perf_counter() - start:.1f}s")
        results = []
        for path in paths:
            r = measure(path, work, args.profile and path.suffix == ".jsonl")
            results.append(r)
            ok = "met" if r["rate"] >= GOAL else "MISSED"
            print(f"\n[{r['format']}] {r['rows']:,} rows ({r['file_mb']:.0f} MB), {r['stored']:,} stored, "
                  f"{r['skipped']} skipped (bad rows)")
            print(f"  baseline parse+INSERT  {r['baseline_seconds']:7.2f}s  {r['baseline_rate']:>9,.0f} rows/s "
                  f"(executemany alone {r['baseline_insert_seconds']:.2f}s, {r['baseline_insert_rate']:,.0f} rows/s)")
            print(f"  import_file, no score  {r['seconds']:7.2f}s  {r['rate']:>9,.0f} rows/s  "
                  f"= {r['rate'] / r['baseline_rate']:.2f}x baseline; goal {GOAL:,}/s {ok}")
            print(f"  re-import (no change)  {r['reimport_seconds']:7.2f}s  {r['reimport_rate']:>9,.0f} rows/s  "
                  f"= {r['reimport_rate'] / r['baseline_rate']:.2f}x baseline; "
                  f"unchanged={r['reimport_unchanged']} integrity={r['integrity']}")
            print(f"  CPU seconds, import: writer {r['cpu_writer']:.2f}, parse worker {r['cpu_worker']:.2f}; "
                  f"re-import: writer {r['reimport_cpu_writer']:.2f}, parse worker {r['reimport_cpu_worker']:.2f}")
            print(f"  store: {r['counts']}, {r['db_mb']:.0f} MB")
        if args.json:
            print(json.dumps(results, indent=2))
        bad = [r for r in results if not r["reimport_unchanged"] or r["integrity"] != "ok"]
        return 1 if bad else 0
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
