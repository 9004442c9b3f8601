"""Export speed and sizes: takedown (CSV, Parquet), graph (GEXF, GraphML), disclosure.

    .venv/bin/python benchmarks/bench_exports.py [--core 2000] [--amplifiers 8000] [--posts 8]

Builds a detected case with `infoops.report.demo.build_demo_case` (an operation
with core and amplifier accounts, a fandom and background accounts, hostile
strings included; no detector run needed), then times each export and prints
rows, file sizes and seconds. For scale: Twitter's June 2020 China release held
23,750 core accounts and 348,608 tweets; at --core 23750 --amplifiers 150000
this benchmark writes a takedown list and disclosure of that size. The peer
tools (coordination-network-toolkit, CooRTweet) write no takedown list or
hashed disclosure, so the figures are compared with goals, not peers.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from infoops.export.disclosure import export_disclosure
from infoops.export.graph import export_graph
from infoops.export.takedown import export_takedown
from infoops.report.demo import DemoSizes, build_demo_case
from infoops.store import Case

# goals at the size of the China 2020 takedown (about 174,000 flagged accounts, 350,000 tweets)
GOAL_SECONDS = {"takedown csv": 30.0, "takedown parquet": 30.0, "graph gexf": 60.0, "graph graphml": 60.0,
                "disclosure": 120.0}
PEERS = (
    "peers: coordination-network-toolkit and CooRTweet write no takedown list and no hashed public "
    "release, so there is no peer figure to compare with. Twitter's 2019 China release hashed user ids "
    "but left mentioned ids in the clear; infoops hashes every reference."
)


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--core", type=int, default=2000)
    ap.add_argument("--amplifiers", type=int, default=8000)
    ap.add_argument("--fandom", type=int, default=1000)
    ap.add_argument("--background", type=int, default=20000)
    ap.add_argument("--posts", type=int, default=8, help="posts per account")
    ap.add_argument("--work", type=Path, default=None, help="folder for the case and outputs (default: a temp dir)")
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-exports-"))
    console = Console()
    sizes = DemoSizes(op_core=args.core, op_amplifiers=args.amplifiers, fandom=args.fandom,
                      background=args.background, posts_per_account=args.posts)
    case = Case.open(work / "case")
    t0 = time.perf_counter()
    build_demo_case(case, sizes)
    console.print(f"demo case: {case.count('accounts'):,} accounts, {case.count('posts'):,} posts, "
                  f"{case.count('edges'):,} fused edges ({time.perf_counter() - t0:.1f} s to build)")
    salt = work / "salt"
    salt.write_bytes(b"benchmark-salt-not-secret-0123456789")
    jobs: list[tuple[str, Path, Callable[[Path], dict[str, Any]]]] = [
        ("takedown csv", work / "takedown.csv", lambda p: export_takedown(case, p)),
        ("takedown parquet", work / "takedown.parquet", lambda p: export_takedown(case, p)),
        ("graph gexf", work / "network.gexf", lambda p: export_graph(case, p)),
        ("graph graphml", work / "network.graphml", lambda p: export_graph(case, p)),
        ("disclosure", work / "disclosure", lambda p: export_disclosure(case, p, salt)),
    ]
    table = Table(title=f"exports ({work})")
    for col in ("export", "counts", "MB", "seconds", "goal (s)"):
        table.add_column(col, justify="left" if col in ("export", "counts") else "right")
    for name, out, fn in jobs:
        t0 = time.perf_counter()
        counts = fn(out)
        secs = time.perf_counter() - t0
        shown = ", ".join(f"{k}={v:,}" for k, v in counts.items())
        goal = GOAL_SECONDS[name]
        table.add_row(name, shown, f"{_size(out) / 1e6:.1f}", f"{secs:.2f}",
                      f"{goal:.0f} {'met' if secs <= goal else 'MISSED'}")
    case.close()
    console.print(table)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    console.print(f"peak RSS of this process (case build included): {rss:.2f} GB")
    console.print("goals are for the China-2020 size (--core 23750 --amplifiers 150000 --posts 2)")
    console.print(PEERS)


if __name__ == "__main__":
    main()
