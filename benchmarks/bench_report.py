"""Report size and build time with many flagged accounts.

    .venv/bin/python benchmarks/bench_report.py --flagged 100000 [--networks 10] [--posts 4]

Builds (once, cached under --work) a detected case straight into the result
tables with infoops.report.demo (operation accounts split into --networks
networks, an authentic fandom and background accounts), then times
`build_report` in a subprocess and reads the child's peak RSS. Prints the
figures against the goals of the issue (< ~20 MB, reasonable time). There is
no peer figure: the peer tools (coordination-network-toolkit, CooRTweet) write
no report.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

GOAL_MB = 20.0
GOAL_SECONDS = 120.0

CHILD = """
import json, sys, time
from pathlib import Path
from infoops.report import build_report
from infoops.store import Case
case = Case.open(sys.argv[1], create=False)
t0 = time.perf_counter()
out = build_report(case, Path(sys.argv[2]))
print(json.dumps({"seconds": time.perf_counter() - t0, "bytes": out.stat().st_size}))
"""


def build_case(path: Path, flagged: int, networks: int, posts: int) -> None:
    from infoops.report.demo import DemoSizes, build_demo_case
    from infoops.store import Case

    core = flagged // 5
    sizes = DemoSizes(op_core=core, op_amplifiers=flagged - core, fandom=max(50, flagged // 20),
                      background=max(200, flagged // 2), posts_per_account=posts, op_networks=networks)
    with Case.open(path) as case:
        build_demo_case(case, sizes)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--flagged", type=int, default=100_000, help="operation (flagged) accounts")
    ap.add_argument("--networks", type=int, default=10, help="networks the operation is split into")
    ap.add_argument("--posts", type=int, default=4, help="posts per account")
    ap.add_argument("--work", type=Path, default=Path("benchmarks/out"), help="cache folder")
    args = ap.parse_args()
    case_dir = args.work / f"report-{args.flagged}-{args.networks}-{args.posts}"
    if not (case_dir / "case.duckdb").exists():
        t0 = time.perf_counter()
        build_case(case_dir, args.flagged, args.networks, args.posts)
        print(f"built the synthetic case in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    out = case_dir / "report.html"
    done = subprocess.run([sys.executable, "-c", CHILD, str(case_dir), str(out)], capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"report build failed:\n{done.stderr[-3000:]}")
    fig = json.loads(done.stdout.strip().splitlines()[-1])
    rss_gb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1e6
    mb = fig["bytes"] / 1e6
    print(f"{'flagged accounts':<22}{args.flagged:>12,}")
    print(f"{'networks (operation)':<22}{args.networks:>12}")
    print(f"{'report size':<22}{mb:>10.1f} MB   goal < {GOAL_MB:.0f} MB  {'ok' if mb < GOAL_MB else 'OVER'}")
    print(f"{'build time':<22}{fig['seconds']:>10.1f} s    goal < {GOAL_SECONDS:.0f} s  "
          f"{'ok' if fig['seconds'] < GOAL_SECONDS else 'OVER'}")
    print(f"{'peak RSS':<22}{rss_gb:>10.2f} GB")
    print("peers: coordination-network-toolkit and CooRTweet write no report (nothing to compare)")


if __name__ == "__main__":
    main()
