"""Drive the peer tool coordination-network-toolkit (QUT Digital Observatory, MIT) from outside.

Nothing of the peer's code lives in this repository: `ensure_venv` installs
the pinned release from PyPI into its own virtual environment (default
``~/.cache/infoops/cnt-venv``, or ``$INFOOPS_PEER_VENV``), and `run_peer`
calls its command-line tool ``compute_networks`` in a subprocess:

    compute_networks DB preprocess --format csv FILE.csv
    compute_networks DB compute co_retweet --time_window 60 --min_edge_weight 1 --n_cpus 2
    SELECT user_1, user_2, weight FROM co_retweet_network   -- read from DB (see read_edges)

The peer reads its CSV by position (message_id, user_id, username, repost_id,
reply_id, message, timestamp, urls -- urls space-delimited); `write_cnt_csv`
converts a case's `posts` table to it, with each post's time as the same
epoch-seconds DOUBLE that infoops' signals use (so window comparisons match).

Peer semantics (read from its SQL, v1.5.2): co_retweet pairs two repost rows
of the same original with ``e2.timestamp BETWEEN e1.timestamp - w AND
e1.timestamp + w`` (|t1 - t2| <= w, inclusive), weight = number of distinct
messages of user_1 with such a partner (directed; both directions stored);
self-loops are stored and dropped on export. co_similar_tweet compares every
pair of non-repost messages within the window (word-token Jaccard >=
threshold), an all-pairs join in SQLite.

    python benchmarks/peer/cnt.py --case CASE --network co_retweet --window 60 --out edges.csv
"""

from __future__ import annotations

import argparse
import csv
import os
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

PEER_PACKAGE = "coordination-network-toolkit==1.5.2"
NETWORKS = ("co_retweet", "co_tweet", "co_reply", "co_similar_tweet", "co_link", "co_post")


class PeerUnavailable(RuntimeError):
    """The peer tool cannot be installed here (no package index reachable)."""


def default_venv() -> Path:
    env = os.environ.get("INFOOPS_PEER_VENV")
    if env:
        return Path(env)
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return cache / "infoops" / "cnt-venv"


def ensure_venv(venv: Path | None = None, timeout: float = 600.0) -> Path:
    """Path of the peer's ``compute_networks``; installs it from PyPI into `venv` when absent."""
    venv = venv or default_venv()
    exe = venv / "bin" / "compute_networks"
    if exe.exists():
        return exe
    venv.parent.mkdir(parents=True, exist_ok=True)
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True, timeout=timeout)
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", PEER_PACKAGE],
            check=True,
            capture_output=True,
            timeout=timeout,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        raise PeerUnavailable(f"cannot install {PEER_PACKAGE} into {venv}: {exc} {detail[-500:]!r}") from exc
    if not exe.exists():
        raise PeerUnavailable(f"{PEER_PACKAGE} installed but {exe} is missing")
    return exe


def write_cnt_csv(con: duckdb.DuckDBPyConnection, out: Path, posts: str = "posts") -> int:
    """Write the peer's CSV (columns by position) from a posts table; returns the row count."""
    if not posts.replace("_", "").isalnum():
        raise ValueError(f"bad table name {posts!r}")
    con.execute(
        f"""COPY (
            SELECT post_id AS message_id, account_id AS user_id, account_id AS username,
                   CASE WHEN kind = 'repost' THEN coalesce(ref_post_id, '') ELSE '' END AS repost_id,
                   CASE WHEN kind = 'reply' THEN coalesce(ref_post_id, '') ELSE '' END AS reply_id,
                   coalesce(text, '') AS message,
                   epoch(created_at) AS timestamp,
                   coalesce(array_to_string(urls, ' '), '') AS urls
            FROM {posts} WHERE created_at IS NOT NULL ORDER BY created_at, post_id
        ) TO '{_sql_path(out)}' (HEADER, DELIMITER ',', QUOTE '"', FORCE_QUOTE (message, urls))"""
    )
    row = con.execute(f"SELECT count(*) FROM {posts} WHERE created_at IS NOT NULL").fetchall()[0]
    return int(row[0])


def _sql_path(p: Path) -> str:
    s = str(p)
    if "'" in s:
        raise ValueError(f"path with a quote: {s!r}")
    return s


@dataclass
class PeerResult:
    network: str
    pairs: set[tuple[str, str]]  # undirected, no self-loops
    directed_weights: dict[tuple[str, str], float]
    seconds: dict[str, float] = field(default_factory=dict)
    peak_rss_mb: float = 0.0


def _run(cmd: list[str], timeout: float | None) -> tuple[float, float, float]:
    """Run a command; return (wall seconds, CPU seconds, peak RSS MB) of it and its waited-for children."""
    import tempfile

    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        deadline = None if timeout is None else t0 + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if deadline is not None and time.perf_counter() > deadline:
                proc.kill()
                raise subprocess.TimeoutExpired(cmd, timeout or 0.0)
            time.sleep(0.05)
        secs = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            tail = err.read()[-2000:].decode("utf-8", "replace")
            raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {tail}")
    return secs, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0


def preprocess(exe: Path, db: Path, csv_path: Path, timeout: float | None = None) -> float:
    """Load the CSV into the peer's SQLite database; returns seconds."""
    secs, _, _ = _run([str(exe), str(db), "preprocess", "--format", "csv", str(csv_path)], timeout)
    return secs


def compute(
    exe: Path,
    db: Path,
    network: str,
    window: float,
    min_edge_weight: int = 1,
    n_cpus: int = 2,
    similarity_threshold: float | None = None,
    timeout: float | None = None,
) -> PeerResult:
    """Compute one network with explicit parameters and read its edges back."""
    if network not in NETWORKS:
        raise ValueError(f"unknown peer network {network!r}")
    cmd = [str(exe), str(db), "compute", network, "--time_window", str(int(window)),
           "--min_edge_weight", str(int(min_edge_weight)), "--n_cpus", str(int(n_cpus))]
    if similarity_threshold is not None:
        cmd += ["--similarity_threshold", str(similarity_threshold)]
    secs, cpu, rss = _run(cmd, timeout)
    pairs, weights = read_edges(db, network)
    return PeerResult(network, pairs, weights, {"compute": secs, "compute_cpu": cpu}, rss)


def read_edges(db: Path, network: str) -> tuple[set[tuple[str, str]], dict[tuple[str, str], float]]:
    """The peer's result table `<network>_network` (user_1, user_2, weight), self-loops dropped.

    Read from its SQLite file: `export_network --output_format csv` crashes in
    1.5.2 (it passes `n_messages` to the CSV writer), and this table is what
    that export would write.
    """
    pairs: set[tuple[str, str]] = set()
    weights: dict[tuple[str, str], float] = {}
    with closing(sqlite3.connect(str(db))) as lite:
        rows = lite.execute(f"SELECT user_1, user_2, weight FROM {network}_network WHERE user_1 != user_2")
        for a, b, w in rows:
            a, b = str(a), str(b)
            weights[(a, b)] = float(w)
            pairs.add((a, b) if a < b else (b, a))
    return pairs, weights


def run_peer(
    con: duckdb.DuckDBPyConnection,
    workdir: Path,
    network: str,
    window: float,
    min_edge_weight: int = 1,
    similarity_threshold: float | None = None,
    exe: Path | None = None,
    timeout: float | None = None,
) -> PeerResult:
    """Convert the posts, preprocess and compute one peer network in `workdir`."""
    exe = exe or ensure_venv()
    workdir.mkdir(parents=True, exist_ok=True)
    csv_path, db = workdir / "peer_input.csv", workdir / "peer.db"
    for p in (db, Path(str(db) + "-wal"), Path(str(db) + "-shm")):
        p.unlink(missing_ok=True)
    write_cnt_csv(con, csv_path)
    t_pre = preprocess(exe, db, csv_path, timeout)
    res = compute(exe, db, network, window, min_edge_weight, similarity_threshold=similarity_threshold, timeout=timeout)
    res.seconds["preprocess"] = t_pre
    return res


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--case", type=Path, required=True, help="infoops case folder (case.duckdb)")
    ap.add_argument("--network", choices=NETWORKS, default="co_retweet")
    ap.add_argument("--window", type=float, required=True, help="peer --time_window (seconds)")
    ap.add_argument("--min-edge-weight", type=int, default=1)
    ap.add_argument("--similarity-threshold", type=float, default=None)
    ap.add_argument("--work", type=Path, default=Path("benchmarks/out/peer"))
    ap.add_argument("--out", type=Path, default=None, help="write the undirected pairs here (CSV)")
    args = ap.parse_args(argv)
    con = duckdb.connect(str(args.case / "case.duckdb"), read_only=True)
    res = run_peer(con, args.work, args.network, args.window, args.min_edge_weight, args.similarity_threshold)
    sys.stderr.write(f"{args.network}: {len(res.pairs)} pairs; seconds {res.seconds}\n")
    if args.out:
        with args.out.open("w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["src", "dst"])
            w.writerows(sorted(res.pairs))


if __name__ == "__main__":
    main()
