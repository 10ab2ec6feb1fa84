"""The scoring process beside a crawl: ``python -m monitor.scoring.worker --db FILE [--rules DIR]``.

Scoring is CPU work; the crawl (``spiders.pipelines.scoring``) hands each stored batch's keys
to this process, so that scoring uses the second core while the crawl fetches and stores.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
from collections import Counter

from monitor.scoring.active import active_engine
from monitor.scoring.score import score_keys
from monitor.store import open_db


def serve_scoring(db_path: str, rules_dir: str | None, lines, out) -> int:
    """Score (site, listing_id) batches read as JSON lines until end of input; the last
    output line is a JSON summary (outcomes, rules version, rules problem, peak RSS)."""
    db = open_db(db_path)
    engine, problem = active_engine(db, rules_dir)
    summary: dict = {"outcomes": {}, "rules_version": engine.packs.version if engine else None,
                     "rules_problem": str(problem).splitlines()[0] if problem else None}
    outcomes: Counter = Counter()
    for line in lines:
        if not line.strip() or engine is None:
            continue
        outcomes += score_keys(db, engine, [tuple(k) for k in json.loads(line)])
    db.close()
    summary["outcomes"] = dict(outcomes)
    summary["peak_rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # for memory reports
    out.write(json.dumps(summary) + "\n")
    out.flush()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m monitor.scoring.worker", description=serve_scoring.__doc__)
    parser.add_argument("--db", required=True)
    parser.add_argument("--rules")
    args = parser.parse_args(argv)
    return serve_scoring(args.db, args.rules, sys.stdin, sys.stdout)


if __name__ == "__main__":
    raise SystemExit(main())
