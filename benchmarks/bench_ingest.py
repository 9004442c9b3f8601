"""Ingest throughput and peak memory on simulated IO-archive tweets files.

    .venv/bin/python benchmarks/bench_ingest.py --rows 1000000 [--rows 10000000]

Generates (once, cached under --work) an IO-archive-shaped platform_tweets CSV
of N rows with numpy (snowflake ids, retweets/replies/quotes, list literals,
both hash styles, 'absent' coordinates), then times `infoops ingest` in a
subprocess and reads the child's peak RSS from getrusage. Prints a table next
to the peer reference (coordination-network-toolkit: about 51 s per 1M rows).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from infoops.ingest.formats.io_archive import TWEET_COLUMNS
from infoops.ingest.sqlexpr import SNOWFLAKE_EPOCH_MS

PEER_SECONDS_PER_MILLION = 51.0
GOAL_SECONDS_PER_MILLION = 10.0
GOAL_RSS_GB = 2.0
EPOCH_MS = SNOWFLAKE_EPOCH_MS
CHUNK = 500_000
WORDS = np.array(
    "the of and to in is that for on with as was at by an be this have from or one had "
    "香港 新冠 北京 台湾 warrior news truth people government protest freedom world today".split()
)
HEADER = list(TWEET_COLUMNS)


def _texts(rng: np.random.Generator, n: int) -> np.ndarray:
    idx = rng.integers(0, len(WORDS), size=(n, 8))
    words = WORDS[idx]
    out = words[:, 0]
    for j in range(1, 8):
        out = np.char.add(np.char.add(out, " "), words[:, j])
    return out


def _chunk(rng: np.random.Generator, start: int, n: int, n_users: int) -> pa.Table:
    t_ms = (1_577_836_800_000 + (start + np.arange(n)) * 1_500 + rng.integers(0, 1000, n)).astype(np.int64)
    seq = rng.integers(0, 4096, n).astype(np.int64)
    tweetid = ((t_ms - EPOCH_MS) << 22) | seq
    user = rng.integers(0, n_users, n)
    userid = user.astype(str)
    hashed = user % 3 == 0
    userid = np.where(hashed, np.char.add("h", userid), userid)
    kind = rng.choice(4, size=n, p=[0.45, 0.4, 0.1, 0.05])
    ref_id = (tweetid - rng.integers(1, 10_000_000, n) * (1 << 22)).astype(str)
    ref_user = rng.integers(0, n_users, n).astype(str)
    empty = np.full(n, "", dtype=object)
    tags = np.where(rng.random(n) < 0.3, "['HongKong', 'covid19']", "[]")
    minutes = (t_ms // 60_000) * 60
    tweet_time = pc.strftime(
        pa.array(minutes, type=pa.timestamp("s")), format="%Y-%m-%d %H:%M"
    )
    cols = {
        "tweetid": tweetid.astype(str),
        "userid": userid,
        "user_display_name": np.char.add("name ", userid),
        "user_screen_name": np.char.add("user_", userid),
        "user_reported_location": np.where(user % 2 == 0, "Hong Kong", ""),
        "user_profile_description": np.char.add("bio of ", userid),
        "user_profile_url": empty,
        "follower_count": (user % 50).astype(float).astype(str),
        "following_count": (user % 70).astype(str),
        "account_creation_date": np.full(n, "2019-12-01"),
        "account_language": np.full(n, "zh-cn"),
        "tweet_language": np.where(user % 2 == 0, "zh", "en"),
        "tweet_text": _texts(rng, n),
        "tweet_time": tweet_time,
        "tweet_client_name": np.full(n, "Twitter Web App"),
        "in_reply_to_userid": np.where(kind == 2, ref_user, ""),
        "in_reply_to_tweetid": np.where(kind == 2, ref_id, ""),
        "quoted_tweet_tweetid": np.where(kind == 3, ref_id, ""),
        "is_retweet": np.where(kind == 1, "True", "False"),
        "retweet_userid": np.where(kind == 1, ref_user, ""),
        "retweet_tweetid": np.where(kind == 1, ref_id, ""),
        "latitude": np.full(n, "absent"),
        "longitude": np.full(n, "absent"),
        "quote_count": np.full(n, "0.0"),
        "reply_count": np.full(n, "0"),
        "like_count": (user % 5).astype(str),
        "retweet_count": np.full(n, "0"),
        "hashtags": tags,
        "urls": np.full(n, "[]"),
        "user_mentions": np.full(n, "[]"),
        "poll_choices": empty,
    }
    return pa.table({k: pa.array(v if not isinstance(v, pa.Array) else v, type=pa.string()) for k, v in cols.items()})


def generate(path: Path, rows: int, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    n_users = max(1000, rows // 40)
    tmp = path.with_suffix(".part")
    with pacsv.CSVWriter(str(tmp), _chunk(rng, 0, 1, n_users).schema) as writer:
        for start in range(0, rows, CHUNK):
            writer.write_table(_chunk(rng, start, min(CHUNK, rows - start), n_users))
    tmp.rename(path)


def run_ingest(path: Path, case_dir: Path) -> tuple[float, float, int, float, float]:
    if case_dir.exists():
        subprocess.run(["rm", "-rf", str(case_dir)], check=True)
    exe = Path(sys.executable).parent / "infoops"
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    proc = subprocess.run(
        [str(exe), "ingest", str(path), "--case", str(case_dir), "--quiet"],
        capture_output=True, text=True,
    )
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"ingest failed: {proc.stderr.strip()}")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    rss_gb = usage.ru_maxrss / 1024 / 1024
    cpu = usage.ru_utime + usage.ru_stime
    import duckdb

    con = duckdb.connect(str(case_dir / "case.duckdb"), read_only=True)
    row = con.execute("SELECT count(*) FROM posts").fetchone()
    con.close()
    return elapsed, rss_gb, int(row[0]) if row else 0, cpu, load


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, action="append", help="rows per run (repeatable; default 1,000,000)")
    ap.add_argument("--work", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "infoops-bench-ingest")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    print(f"{'rows':>12} {'seconds':>9} {'rows/s':>10} {'CPU s':>8} {'peak RSS GB':>12} {'posts':>12} "
          f"{'goal s':>8} {'peer s (cnt)':>13} {'load avg':>9}")
    for rows in args.rows or [1_000_000]:
        src = args.work / f"platform_tweets_{rows}.csv"
        if not src.exists():
            generate(src, rows)
        # each run in a fresh child so RUSAGE_CHILDREN reports that run's peak
        out = subprocess.run(
            [sys.executable, __file__, "--_one", str(src), str(args.work / f"case_{rows}")],
            capture_output=True, text=True,
        )
        if out.returncode != 0:
            raise SystemExit(out.stderr)
        secs, rss, posts, cpu, load = (float(x) for x in out.stdout.split())
        print(f"{rows:>12,} {secs:>9.1f} {rows / secs:>10,.0f} {cpu:>8.1f} {rss:>12.2f} {int(posts):>12,} "
              f"{GOAL_SECONDS_PER_MILLION * rows / 1e6:>8.0f} {PEER_SECONDS_PER_MILLION * rows / 1e6:>13.0f} "
              f"{load:>9.1f}")
    print("load avg: 1-minute load of the machine when the run started (2 cores here; above 2 the "
          "machine was shared and wall time is inflated)")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--_one":
        print(*run_ingest(Path(sys.argv[2]), Path(sys.argv[3])))
    else:
        main()
