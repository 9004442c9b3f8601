"""Staging tables and the merge into `accounts` / `posts`.

Dedupe rule (documented in docs/ingest.md):
- posts: one row per post_id. Within one ingest the record with the highest
  `_rank` wins (a file's own record beats a copy embedded in another record, an
  exact time beats a minute-precision one). Posts already in the case are never
  changed: ingesting the same data again adds nothing.
- accounts: one row per account_id. Within one ingest each field takes the
  non-null value of the highest-ranked record (a users file beats the profile
  columns of tweet rows; among tweet rows the latest tweet's profile wins).
  For accounts already in the case, existing values are kept and only missing
  (NULL) fields are filled from the new data.
- edited tweets (twarc2): an id listed as an earlier version in an edit
  history is dropped when the latest version of that history is staged too.
"""

from __future__ import annotations

import duckdb

from infoops.ingest.formats.base import (
    STG_ACCOUNTS,
    STG_POST_TABLES,
    STG_POSTS,
    STG_REJECTS,
    STG_SUPERSEDED,
)
from infoops.schema import ACCOUNT_COLUMNS, POST_COLUMNS


def _types(cols: dict[str, str]) -> str:
    return ", ".join(f"{c} {t.replace(' NOT NULL', '')}" for c, t in cols.items())


def create(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"CREATE OR REPLACE TEMP TABLE {STG_POSTS} ({_types(POST_COLUMNS)}, _rank BIGINT)")
    con.execute(f"CREATE OR REPLACE TEMP TABLE {STG_ACCOUNTS} ({_types(ACCOUNT_COLUMNS)}, _rank BIGINT)")
    # an earlier version (post_id) of an edited post and its latest version (latest_id)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {STG_SUPERSEDED} (post_id VARCHAR, latest_id VARCHAR)")
    con.execute(f"CREATE OR REPLACE TEMP TABLE {STG_REJECTS} AS SELECT * FROM rejects LIMIT 0")
    con.execute(f"CREATE OR REPLACE TEMP TABLE {STG_POST_TABLES} (name VARCHAR)")


def post_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every table holding staged posts: STG_POSTS and those formats registered."""
    extra = [str(r[0]) for r in con.execute(f"SELECT name FROM {STG_POST_TABLES} ORDER BY name").fetchall()]
    return [STG_POSTS, *extra]


def _union(con: duckdb.DuckDBPyConnection) -> str:
    cols = ", ".join([*POST_COLUMNS, "_rank"])
    return "(" + " UNION ALL ".join(f"SELECT {cols} FROM {t}" for t in post_tables(con)) + ")"


def drop(con: duckdb.DuckDBPyConnection) -> None:
    if con.execute(f"SELECT count(*) FROM duckdb_tables() WHERE table_name = '{STG_POST_TABLES}'").fetchall()[0][0]:
        for t in post_tables(con)[1:]:
            con.execute(f"DROP TABLE IF EXISTS {t}")
    for t in (STG_POSTS, STG_ACCOUNTS, STG_SUPERSEDED, STG_REJECTS, STG_POST_TABLES):
        con.execute(f"DROP TABLE IF EXISTS {t}")


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def merge_posts(con: duckdb.DuckDBPyConnection) -> int:
    """Insert staged posts that are new to the case; returns the number inserted."""
    cols = ", ".join(POST_COLUMNS)
    if _scalar(con, f"SELECT count(*) FROM {STG_SUPERSEDED}"):
        con.execute(
            f"DELETE FROM {STG_POSTS} WHERE post_id IN (SELECT s.post_id FROM {STG_SUPERSEDED} s "
            f"WHERE s.post_id <> s.latest_id AND s.latest_id IN (SELECT post_id FROM {_union(con)}))"
        )
    union = _union(con)
    row = con.execute(f"SELECT count(*), count(DISTINCT post_id) FROM {union}").fetchall()[0]
    n, distinct = int(row[0]), int(row[1])
    src = union
    if distinct < n:
        src = f"(SELECT DISTINCT ON (post_id) * FROM {union} ORDER BY post_id, _rank DESC)"
    if _scalar(con, "SELECT count(*) FROM posts") == 0:
        return _scalar(con, f"INSERT INTO posts SELECT {cols} FROM {src}")
    return _scalar(
        con,
        f"INSERT INTO posts SELECT {cols} FROM {src} s "
        f"WHERE NOT EXISTS (SELECT 1 FROM posts p WHERE p.post_id = s.post_id)",
    )


def merge_rejects(con: duckdb.DuckDBPyConnection) -> int:
    return _scalar(con, f"INSERT INTO rejects SELECT * FROM {STG_REJECTS}")


def _best(col: str) -> str:
    return f"arg_max({col}, _rank) FILTER (WHERE {col} IS NOT NULL) AS {col}"


def merge_accounts(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """Insert new accounts and fill NULL fields of known ones; returns (inserted, updated)."""
    fields = [c for c in ACCOUNT_COLUMNS if c != "account_id"]
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _stg_acc_best AS SELECT account_id, "
        f"{', '.join(_best(c) for c in fields)} FROM {STG_ACCOUNTS} "
        f"WHERE account_id IS NOT NULL GROUP BY account_id"
    )
    updated = 0
    if _scalar(con, "SELECT count(*) FROM accounts"):
        sets = ", ".join(f"{c} = coalesce(accounts.{c}, b.{c})" for c in fields)
        nulls = " OR ".join(f"(accounts.{c} IS NULL AND b.{c} IS NOT NULL)" for c in fields)
        updated = _scalar(
            con,
            f"UPDATE accounts SET {sets} FROM _stg_acc_best b "
            f"WHERE accounts.account_id = b.account_id AND ({nulls})",
        )
    inserted = _scalar(
        con,
        f"INSERT INTO accounts SELECT {', '.join(ACCOUNT_COLUMNS)} FROM _stg_acc_best b "
        f"WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.account_id = b.account_id)",
    )
    con.execute("DROP TABLE _stg_acc_best")
    return inserted, updated
