"""Rule-engine throughput on the labelled set: the whole engine and each of its parts, one core.

    .venv/bin/python benchmarks/engine_throughput.py                      # this tree only
    .venv/bin/python benchmarks/engine_throughput.py --baseline HEAD      # + the same files at HEAD, same run
    .venv/bin/python benchmarks/engine_throughput.py --repeat 20 --rounds 5 --profile

The listings are ``tests/data/eval/listings.jsonl`` (352 rows) scored with the shipped rules
plus the eval set's own watchlist and prices, as ``monitor rules eval`` does. The set is
scored ``--repeat`` times; before every pass each ``functools.lru_cache`` of the ``monitor``
package is cleared, so every pass sees the listings as new (a crawl scores listings it has not
seen) while caches still help within a pass (attribute names, common words).

Parts, each timed on its own over the same passes (mark hits are computed beforehand, outside
the clock, for the parts that take them):

* ``full``: ``Engine.assess`` (everything, scoring included)
* ``marks``: ``Engine.mark_signals`` (the mark matcher)
* ``non-mark``: counterfeit + contact + context + regulatory, called as the engine calls them
* ``counterfeit``, ``contact``, ``context``, ``regulatory``: each alone

With ``--baseline REV`` a copy of this tree is made in which the non-mark rule files
(``--baseline-files``, default regulatory.py, vocabulary.py, checks.py, signals.py) are the
versions at REV; both trees are measured in child processes, alternately, ``--rounds``
times, and the best round of each is kept, so machine load hits both alike. Every child is
pinned to one CPU.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EVAL = REPO / "tests" / "data" / "eval"
PARTS = ("full", "marks", "non-mark", "counterfeit", "contact", "context", "regulatory")
BASELINE_FILES = ("monitor/rules/regulatory.py", "monitor/rules/vocabulary.py", "monitor/rules/checks.py",
                  "monitor/rules/signals.py")


# --------------------------------------------------------------------------- child: measure one tree


def _clear_caches() -> None:
    for name, module in list(sys.modules.items()):
        if not name.startswith("monitor") or module is None:
            continue
        for value in list(vars(module).values()):
            clear = getattr(value, "cache_clear", None)
            if callable(clear) and getattr(value, "__module__", None) == name:
                clear()


def measure(tree: Path, repeat: int, profile: bool) -> dict:
    sys.path.insert(0, str(tree))
    import monitor

    assert Path(monitor.__file__).resolve().is_relative_to(tree.resolve()), monitor.__file__
    from monitor.rules.engine import Engine
    from monitor.quality.labelled import load_labelled
    from monitor.rules.packs import load_packs
    from monitor.rules.regulatory import regulatory_signals
    from monitor.rules.vocabulary import contact_signals, context_signals, counterfeit_signals

    rows = load_labelled(EVAL / "listings.jsonl")
    packs = load_packs(REPO / "rules", watchlist=EVAL / "watchlist.csv", prices=EVAL / "prices.csv")
    engine = Engine(packs)
    vocab, checks = packs.vocabulary, packs.checks
    hits = [engine.mark_signals(r)[1] for r in rows]
    pairs = list(zip(rows, hits))

    def non_mark(r, h):
        counterfeit_signals(r, vocab, h)
        contact_signals(r, vocab)
        context_signals(r, vocab, h)
        regulatory_signals(r, checks)

    calls = {
        "full": lambda r, h: engine.assess(r),
        "marks": lambda r, h: engine.mark_signals(r),
        "non-mark": non_mark,
        "counterfeit": lambda r, h: counterfeit_signals(r, vocab, h),
        "contact": lambda r, h: contact_signals(r, vocab),
        "context": lambda r, h: context_signals(r, vocab, h),
        "regulatory": lambda r, h: regulatory_signals(r, checks),
    }
    seconds = {}
    for part, call in calls.items():
        total = 0.0
        for _ in range(repeat):
            _clear_caches()
            start = time.perf_counter()
            for r, h in pairs:
                call(r, h)
            total += time.perf_counter() - start
        seconds[part] = total
    result = {"listings": len(rows) * repeat, "seconds": seconds}
    if profile:
        import cProfile
        import io
        import pstats

        prof = cProfile.Profile()
        _clear_caches()
        prof.enable()
        for r in rows:
            engine.assess(r)
        prof.disable()
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(30)
        result["profile"] = out.getvalue()
    return result


# --------------------------------------------------------------------------- parent


def baseline_tree(rev: str, files: list[str], into: Path) -> Path:
    """This tree's ``monitor`` package with ``files`` as they are at ``rev``."""
    shutil.copytree(REPO / "monitor", into / "monitor", ignore=shutil.ignore_patterns("__pycache__"))
    for rel in files:
        text = subprocess.run(["git", "show", f"{rev}:{rel}"], cwd=REPO, capture_output=True, text=True, check=True).stdout
        (into / rel).write_text(text)
    return into


def run_tree(tree: Path, repeat: int, profile: bool) -> dict:
    cpu = sorted(os.sched_getaffinity(0))[-1]
    args = [sys.executable, str(Path(__file__).resolve()), "--child", str(tree), "--repeat", str(repeat)]
    if profile:
        args.append("--profile")
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    proc = subprocess.run(["taskset", "-c", str(cpu), *args] if shutil.which("taskset") else args,
                          cwd=tempfile.gettempdir(), env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"measuring {tree} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.splitlines()[-1])


def _machine() -> str:
    sys.path.insert(0, str(REPO))
    from benchmarks._common import machine

    load = os.getloadavg()
    return f"{machine()}; load average {load[0]:.1f} / {load[1]:.1f} (1 / 5 min)"


def report(results: dict[str, dict]) -> str:
    names = list(results)
    lines = []
    header = "| part | " + " | ".join(f"{n}: ms/listing | {n}: listings/s | {n}: share of full" for n in names)
    if len(names) == 2:
        header += f" | {names[0]} / {names[1]} time |"
    else:
        header += " |"
    lines.append(header)
    lines.append("|" + "---|" * (header.count("|") - 1))
    for part in PARTS:
        cells = []
        for n in names:
            r = results[n]
            sec, full = r["seconds"][part], r["seconds"]["full"]
            cells += [f"{1000 * sec / r['listings']:.3f}", f"{r['listings'] / sec:,.0f}", f"{100 * sec / full:.0f} %"]
        row = f"| {part} | " + " | ".join(cells)
        if len(names) == 2:
            a, b = (results[n]["seconds"][part] / results[n]["listings"] for n in names)
            row += f" | {a / b:.2f}×"
        lines.append(row + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--repeat", type=int, default=10, help="passes over the labelled set per part (default 10)")
    p.add_argument("--rounds", type=int, default=3, help="alternate measurements per tree; the best is kept")
    p.add_argument("--baseline", metavar="REV", help="also measure the non-mark rule files as they are at REV")
    p.add_argument("--baseline-files", nargs="+", default=list(BASELINE_FILES), metavar="PATH")
    p.add_argument("--profile", action="store_true", help="print a cProfile of one pass of the current tree")
    p.add_argument("--json", action="store_true")
    p.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)

    if args.child:
        print(json.dumps(measure(args.child, args.repeat, args.profile)))
        return 0

    trees: dict[str, Path] = {}
    with tempfile.TemporaryDirectory(prefix="engine-bench-") as tmp:
        if args.baseline:
            trees[f"baseline ({args.baseline})"] = baseline_tree(args.baseline, args.baseline_files, Path(tmp))
        trees["current"] = REPO
        best: dict[str, dict] = {}
        for _ in range(args.rounds):
            for name, tree in trees.items():
                r = run_tree(tree, args.repeat, False)
                if name not in best:
                    best[name] = r
                else:  # the best round of each part
                    for part, sec in r["seconds"].items():
                        best[name]["seconds"][part] = min(best[name]["seconds"][part], sec)
        profile = run_tree(REPO, 1, True)["profile"] if args.profile else None
    if args.json:
        print(json.dumps(best, indent=2))
        return 0
    n = next(iter(best.values()))["listings"]
    print(f"{_machine()}")
    print(f"{n:,} listings per part ({args.repeat} passes over the labelled set), best of {args.rounds} rounds, one core\n")
    print(report(best))
    if args.baseline:
        b, c = best[f"baseline ({args.baseline})"]["seconds"], best["current"]["seconds"]
        print(f"\nwhole engine: {n / b['full']:,.0f} -> {n / c['full']:,.0f} listings/s ({b['full'] / c['full']:.2f}×); "
              f"non-mark part: {b['non-mark'] / c['non-mark']:.2f}× faster")
    if profile:
        print("\n" + profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
