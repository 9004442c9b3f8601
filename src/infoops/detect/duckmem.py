"""Keeping DuckDB's memory out of the way while numpy kernels run on the same process.

DuckDB (jemalloc) keeps memory its idle worker threads freed, and caches table
blocks up to its memory limit; neither shows in DuckDB's own accounting as
in use, but both count in the process's RSS. The near-duplicate signal runs
GBs of numpy work right after a DuckDB query, so it uses these:

- `background_purge`: ``allocator_background_threads`` on inside the block
  (jemalloc's background threads hand freed memory back; 1.4 GB after the
  texts query at 10M posts), the old value put back after;
- `duckdb_cache_dropped`: the memory limit lowered to `IDLE_DUCKDB_LIMIT`
  inside the block (DuckDB evicts its cached blocks: 0.4 GB of the posts table
  at 10M posts), put back exactly after.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from infoops.store import DEFAULT_MEMORY_LIMIT


@contextmanager
def background_purge(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """DuckDB's allocator purges freed memory in background threads inside the block.

    Without them, what DuckDB's idle worker threads freed after the texts query
    stays resident (1.4 GB at 10M posts) through the whole near-duplicate
    computation; the setting is global, so its old value is put back.
    """
    try:
        old = con.execute("SELECT current_setting('allocator_background_threads')").fetchall()[0][0]
        con.execute("SET allocator_background_threads = true")
    except duckdb.Error:  # a build without the setting: nothing to purge with
        yield
        return
    try:
        yield
    finally:
        con.execute(f"SET allocator_background_threads = {'true' if old else 'false'}")


# DuckDB's memory limit while only numpy kernels run (no query then): its cached blocks
# (of the posts table, 0.4 GB at 10M posts) leave memory and are read again afterwards
IDLE_DUCKDB_LIMIT = "64MB"

_SHOWN_LIMIT = re.compile(r"^(\d+(?:\.\d+)?) ?(bytes|KiB|MiB|GiB|TiB)$")


def _limit_to_restore(con: duckdb.DuckDBPyConnection) -> str | None:
    """A `memory_limit` value that puts the current limit back, or None (unlimited, or not understood).

    DuckDB shows the limit truncated to 0.1 of a unit ("3.7 GiB" for 4GB), so
    the shown value itself would lower the limit at every round trip. The
    configured `infoops.store.DEFAULT_MEMORY_LIMIT` is used when it shows the
    same (exact); otherwise the middle of the shown value's 0.1 step.
    """
    shown = str(con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0])
    m = _SHOWN_LIMIT.match(shown)
    if m is None:
        return None
    con.execute("SET memory_limit = ?", [DEFAULT_MEMORY_LIMIT])
    if con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0] == shown:
        return DEFAULT_MEMORY_LIMIT
    return f"{float(m.group(1)) + 0.05:.2f} {m.group(2)}" if m.group(2) != "bytes" else m.group(1)


@contextmanager
def duckdb_cache_dropped(con: duckdb.DuckDBPyConnection | None) -> Iterator[None]:
    """DuckDB's buffer pool shrunk to `IDLE_DUCKDB_LIMIT` inside the block, its limit put back after.

    For blocks where only numpy works: DuckDB evicts what it caches (data it
    holds in temp tables would be spilled to its temp directory, not lost).
    Nothing happens if DuckDB cannot go down that far.
    """
    restore = None
    if con is not None:
        try:
            restore = _limit_to_restore(con)
            if restore is not None:
                con.execute("SET memory_limit = ?", [IDLE_DUCKDB_LIMIT])
        except duckdb.Error:
            if restore is not None:
                con.execute("SET memory_limit = ?", [restore])
            restore = None
    try:
        yield
    finally:
        if con is not None and restore is not None:
            con.execute("SET memory_limit = ?", [restore])
