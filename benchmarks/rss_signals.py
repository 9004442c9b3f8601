"""Peak RSS, wall and CPU seconds of detection signals, each fitted alone in a child process.

    .venv/bin/python benchmarks/rss_signals.py benchmarks/out/detect/case-10000000-s1 near_duplicate
    .venv/bin/python benchmarks/rss_signals.py CASE_DIR                 # every signal `detect` runs
    .venv/bin/python benchmarks/rss_signals.py CASE_DIR --together      # ... all in one process

Each child opens the case read-only and runs
`make_signal(name, DetectParams()).fit(case.con)`, as `infoops detect` does;
the parent reads the child's peak RSS (`ru_maxrss`) and CPU time (user +
system) from `os.wait4`. Prints one line per signal and the largest peak
against the issue-3 goal (all signals on 10M posts under 8 GB).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

GOAL_RSS_GB = 8.0


def worker(case_dir: Path, names: list[str]) -> None:
    """Fit the signals one after the other on the read-only case (run in the child)."""
    from infoops.detect.pipeline import DetectParams, make_signal
    from infoops.store import Case

    params = DetectParams()
    with Case.open(case_dir, read_only=True) as case:
        for name in names:
            make_signal(name, params).fit(case.con)


def measure(case_dir: Path, names: list[str]) -> tuple[float, float, float, float]:
    """Run `worker` in a child; (wall s, user s, system s, peak RSS in MiB)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, __file__, str(case_dir), *names, "--worker"])
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(names)}: child failed with status {status}")
    return wall, usage.ru_utime, usage.ru_stime, usage.ru_maxrss / 1024.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("case", type=Path, help="case folder (opened read-only)")
    ap.add_argument("signals", nargs="*", help="signal names (default: every signal `infoops detect` runs)")
    ap.add_argument("--together", action="store_true", help="all the signals in one child process")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.case, args.signals)
        return
    from infoops.detect.pipeline import selected_signals

    names = selected_signals(args.signals or None)
    groups = [names] if args.together else [[n] for n in names]
    print(f"{'signal':<24} {'wall s':>8} {'CPU s':>8} {'user s':>8} {'sys s':>7} {'peak RSS MiB':>13} {'GB':>6}")
    peak = 0.0
    for group in groups:
        wall, user, system, mib = measure(args.case, group)
        peak = max(peak, mib)
        label = "+".join(group) if len(group) < 4 else f"{len(group)} signals together"
        gb = mib * 2**20 / 1e9
        print(f"{label:<24} {wall:8.1f} {user + system:8.1f} {user:8.1f} {system:7.1f} {mib:13,.0f} {gb:6.2f}", flush=True)
    gb = peak * 2**20 / 1e9
    verdict = "under" if gb < GOAL_RSS_GB else "NOT under"
    print(f"largest peak {peak:,.0f} MiB = {gb:.2f} GB: {verdict} the {GOAL_RSS_GB:g} GB goal (issue 3, 10M posts)")


if __name__ == "__main__":
    main()
