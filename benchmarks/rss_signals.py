"""Peak RSS, wall and CPU seconds of detection signals, each fitted alone in a child process.

    .venv/bin/python benchmarks/rss_signals.py benchmarks/out/detect/case-10000000-s1 near_duplicate
    .venv/bin/python benchmarks/rss_signals.py CASE_DIR                 # every signal `detect` runs
    .venv/bin/python benchmarks/rss_signals.py CASE_DIR --together      # ... all in one process
    .venv/bin/python benchmarks/rss_signals.py CASE_DIR near_duplicate --dump OUT_DIR
    .venv/bin/python benchmarks/rss_signals.py --compare OUT_DIR_BEFORE OUT_DIR_AFTER

Each child opens the case read-only and runs
`make_signal(name, DetectParams()).fit(case.con)`, as `infoops detect` does;
the parent reads the child's peak RSS (`ru_maxrss`) and CPU time (user +
system) from `os.wait4`. Prints one line per signal and the largest peak
against the issue-3 goal (all signals on 10M posts under 8 GB).

`--dump DIR` also writes each signal's edges (sorted by src, dst) to
DIR/NAME.parquet and its threshold and non-timing stats (keys not starting
with "seconds") to DIR/NAME.json; `--compare A B` says, per signal, whether
two dumps are identical (a check that a memory or speed change kept the
outputs).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

GOAL_RSS_GB = 8.0


def worker(case_dir: Path, names: list[str], dump: Path | None) -> None:
    """Fit the signals one after the other on the read-only case (run in the child)."""
    import pyarrow.parquet as pq

    from infoops.detect.pipeline import DetectParams, make_signal
    from infoops.store import Case

    params = DetectParams()
    with Case.open(case_dir, read_only=True) as case:
        for name in names:
            sig = make_signal(name, params).fit(case.con)
            if dump is None:
                continue
            dump.mkdir(parents=True, exist_ok=True)
            edges = sig.edges_.sort_by([("src", "ascending"), ("dst", "ascending")])
            pq.write_table(edges, dump / f"{name}.parquet")
            stats = {k: v for k, v in (getattr(sig, "stats_", {}) or {}).items() if not k.startswith("seconds")}
            text = json.dumps({"threshold": sig.threshold_, "stats": stats}, indent=1, sort_keys=True, default=str)
            (dump / f"{name}.json").write_text(text)


def compare(a: Path, b: Path) -> bool:
    """Print, per signal dumped in both folders, whether edges, threshold and stats are identical."""
    import pyarrow.parquet as pq

    same_all = True
    names = sorted({p.stem for p in a.glob("*.json")} & {p.stem for p in b.glob("*.json")})
    for name in names:
        ea, eb = pq.read_table(a / f"{name}.parquet"), pq.read_table(b / f"{name}.parquet")
        ja, jb = json.loads((a / f"{name}.json").read_text()), json.loads((b / f"{name}.json").read_text())
        edges = ea.equals(eb)
        threshold = ja["threshold"] == jb["threshold"]
        diff = sorted(k for k in ja["stats"].keys() | jb["stats"].keys() if ja["stats"].get(k) != jb["stats"].get(k))
        same = edges and threshold and not diff
        same_all &= same
        print(f"{name}: edges {'identical' if edges else 'DIFFER'} ({ea.num_rows} / {eb.num_rows} rows), "
              f"threshold {'identical' if threshold else 'DIFFERS'}, stats {'identical' if not diff else diff}")
    if not names:
        print("no signal dumped in both folders")
    return same_all and bool(names)


def measure(case_dir: Path, names: list[str], dump: Path | None = None) -> tuple[float, float, float, float]:
    """Run `worker` in a child; (wall s, user s, system s, peak RSS in MiB)."""
    t0 = time.perf_counter()
    extra = ["--dump", str(dump)] if dump is not None else []
    proc = subprocess.Popen([sys.executable, __file__, str(case_dir), *names, "--worker", *extra])
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(names)}: child failed with status {status}")
    return wall, usage.ru_utime, usage.ru_stime, usage.ru_maxrss / 1024.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("case", type=Path, nargs="?", help="case folder (opened read-only)")
    ap.add_argument("signals", nargs="*", help="signal names (default: every signal `infoops detect` runs)")
    ap.add_argument("--together", action="store_true", help="all the signals in one child process")
    ap.add_argument("--dump", type=Path, help="write each signal's edges, threshold and stats here")
    ap.add_argument("--compare", type=Path, nargs=2, metavar=("A", "B"), help="compare two --dump folders")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.compare:
        raise SystemExit(0 if compare(*args.compare) else 1)
    if args.case is None:
        ap.error("a case folder is needed (or --compare A B)")
    if args.worker:
        worker(args.case, args.signals, args.dump)
        return
    from infoops.detect.pipeline import selected_signals

    names = selected_signals(args.signals or None)
    groups = [names] if args.together else [[n] for n in names]
    print(f"{'signal':<24} {'wall s':>8} {'CPU s':>8} {'user s':>8} {'sys s':>7} {'peak RSS MiB':>13} {'GB':>6}")
    peak = 0.0
    for group in groups:
        wall, user, system, mib = measure(args.case, group, args.dump)
        peak = max(peak, mib)
        label = "+".join(group) if len(group) < 4 else f"{len(group)} signals together"
        gb = mib * 2**20 / 1e9
        print(f"{label:<24} {wall:8.1f} {user + system:8.1f} {user:8.1f} {system:7.1f} {mib:13,.0f} {gb:6.2f}", flush=True)
    gb = peak * 2**20 / 1e9
    verdict = "under" if gb < GOAL_RSS_GB else "NOT under"
    print(f"largest peak {peak:,.0f} MiB = {gb:.2f} GB: {verdict} the {GOAL_RSS_GB:g} GB goal (issue 3, 10M posts)")


if __name__ == "__main__":
    main()
