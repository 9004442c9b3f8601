"""Step timer of one co-action fit on the local engine: where the time of `CoActionSignal._fit_local` goes.

    .venv/bin/python benchmarks/trace_coaction.py benchmarks/out/detect/case-1000000-s1 --mode every
    .venv/bin/python benchmarks/trace_coaction.py CASE_DIR --mode detect --fits 3

Wraps the steps of `infoops.detect.local` and its compiled kernels
(`infoops.detect.pairkernel`) and prints, for the last of `--fits` fits of
co_repost in this process, each call's thread, start and end (seconds from the
start of the fit), wall time and the CPU time of its own thread
(`time.thread_time`), then the fit's wall and process CPU seconds. The first
fit of a process carries the one-off costs (numba's set-up, DuckDB's first
read); later ones show the warm figures. `--mode every` is the every-pair
configuration of the peer comparison (`max_fanout=None, min_activity=1,
min_shared=1, null="none"`), `--mode detect` the defaults `infoops detect` uses.
The case is opened read-only.
"""

from __future__ import annotations

import argparse
import functools
import threading
import time
from pathlib import Path
from typing import Any

import duckdb

from infoops.detect import local, localevidence, pairkernel
from infoops.detect.signals.co_repost import CoRepost

STEPS_LOCAL = [
    "load_actions",
    "warm_kernels",
    "_rank",
    "weigh",
    "pair_table",
    "sorted_actions",
    "norms",
    "cosine",
    "null_weights",
]
STEPS_EVIDENCE = ["first_posts", "evidence", "account_ids"]
STEPS_KERNELS = [
    "emit_keys",
    "radix_sort",
    "group_sorted",
    "evidence_lists",
    "lex_order",
    "count_pairs",
    "cosine_weights",
    "count_groups",
    "group_into",
]

Record = tuple[str, str, float, float, float]


def wrap(module: Any, name: str, records: list[Record]) -> None:
    f = getattr(module, name, None)
    if f is None:
        return

    @functools.wraps(f)
    def timed(*args: Any, **kwargs: Any) -> Any:
        t, c = time.perf_counter(), time.thread_time()
        out = f(*args, **kwargs)
        records.append(
            (name, threading.current_thread().name, t, time.perf_counter(), time.thread_time() - c)
        )
        return out

    setattr(module, name, timed)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("case", type=Path, help="case folder (holds case.duckdb)")
    ap.add_argument("--mode", choices=["every", "detect"], default="every")
    ap.add_argument("--fits", type=int, default=1, help="fits in this process; the last is shown")
    args = ap.parse_args()
    records: list[Record] = []
    for name in STEPS_LOCAL:
        wrap(local, name, records)
    for name in STEPS_KERNELS:
        wrap(pairkernel, name, records)
    for name in STEPS_EVIDENCE:
        wrap(localevidence, name, records)
    con = duckdb.connect(str(args.case / "case.duckdb"), read_only=True)
    for _ in range(args.fits):
        sig = (
            CoRepost(window=60.0, max_fanout=None, min_activity=1, min_shared=1, null="none")
            if args.mode == "every"
            else CoRepost()
        )
        records.clear()
        t0, c0 = time.perf_counter(), time.process_time()
        sig.fit(con)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    for name, thread, a, b, tcpu in sorted(records, key=lambda r: r[2]):
        print(
            f"{name:16s} {thread[-12:]:>12s} {a - t0:7.3f} -> {b - t0:7.3f}  wall {b - a:6.3f}  thread CPU {tcpu:6.3f}"
        )
    print(f"fit: {sig.edges_.num_rows:,} edges, wall {wall:.3f} s, CPU {cpu:.3f} s (all threads)")


if __name__ == "__main__":
    main()
