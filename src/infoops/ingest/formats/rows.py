"""Batches of canonical rows built in Python (JSON formats), appended to staging via Arrow."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from infoops.ingest.formats.base import STG_ACCOUNTS, STG_POSTS, STG_SUPERSEDED, LoadContext
from infoops.ingest.sqlexpr import MIN_SNOWFLAKE, SNOWFLAKE_EPOCH_MS

_LIST = pa.list_(pa.string())
POST_SCHEMA = pa.schema([
    ("post_id", pa.string()), ("account_id", pa.string()), ("platform", pa.string()),
    ("created_at", pa.timestamp("us")), ("time_precision", pa.string()), ("text", pa.string()),
    ("lang", pa.string()), ("kind", pa.string()), ("ref_post_id", pa.string()),
    ("ref_account_id", pa.string()), ("hashtags", _LIST), ("urls", _LIST), ("mentions", _LIST),
    ("client", pa.string()), ("like_count", pa.int64()), ("repost_count", pa.int64()),
    ("reply_count", pa.int64()), ("quote_count", pa.int64()), ("extra", pa.string()),
    ("source", pa.string()), ("_rank", pa.int64()),
])
ACCOUNT_SCHEMA = pa.schema([
    ("account_id", pa.string()), ("platform", pa.string()), ("handle", pa.string()),
    ("display_name", pa.string()), ("description", pa.string()), ("location", pa.string()),
    ("url", pa.string()), ("followers", pa.int64()), ("following", pa.int64()),
    ("created_at", pa.timestamp("us")), ("lang", pa.string()), ("hashed", pa.bool_()),
    ("extra", pa.string()), ("source", pa.string()), ("_rank", pa.int64()),
])
_TAG = re.compile(r"<[^>]+>")
_DIGITS = re.compile(r"[0-9]+")


def parse_time(value: Any) -> datetime | None:
    """ISO 8601 ('2021-04-01T15:52:31.000Z'), v1.1 ('Wed Oct 10 20:19:24 +0000 2018') or epoch ms -> naive UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) or (isinstance(value, str) and _DIGITS.fullmatch(value)):
        return datetime.fromtimestamp(int(value) / 1000, UTC).replace(tzinfo=None)
    s = str(value)
    for parse in (datetime.fromisoformat, lambda t: datetime.strptime(t, "%a %b %d %H:%M:%S %z %Y")):
        try:
            dt = parse(s)
        except ValueError:
            continue
        return dt.astimezone(UTC).replace(tzinfo=None) if dt.tzinfo else dt
    return None


def snowflake_time(post_id: str | None) -> datetime | None:
    if not post_id or not _DIGITS.fullmatch(post_id):
        return None
    n = int(post_id)
    if n < MIN_SNOWFLAKE or n >= 1 << 64:
        return None
    return datetime.fromtimestamp(((n >> 22) + SNOWFLAKE_EPOCH_MS) / 1000, UTC).replace(tzinfo=None)


def to_int(value: Any) -> int | None:
    try:
        return int(float(value)) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def id_str(value: Any) -> str | None:
    """Ids as strings ('123' from 123 or '123'), None when blank."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    return str(value)


def strip_html(value: Any) -> str | None:
    """v1.1 'source' is an HTML anchor; keep its text."""
    if not value:
        return None
    return _TAG.sub("", str(value)).strip() or None


def dumps(value: dict[str, Any]) -> str | None:
    kept = {k: v for k, v in value.items() if v not in (None, "", [], {})}
    return json.dumps(kept, ensure_ascii=False, default=str) if kept else None


class Batch:
    """Rows for the post and account staging tables, flushed every `ctx.batch_size` rows."""

    def __init__(self, ctx: LoadContext) -> None:
        self.ctx = ctx
        self.posts: list[dict[str, Any]] = []
        self.accounts: list[dict[str, Any]] = []
        self.superseded: list[tuple[str, str]] = []
        self.n_posts = 0
        self.n_accounts = 0

    def post(self, row: dict[str, Any]) -> None:
        row.setdefault("source", self.ctx.label)
        self.posts.append(row)
        if len(self.posts) >= self.ctx.batch_size:
            self.flush()

    def account(self, row: dict[str, Any]) -> None:
        row.setdefault("source", self.ctx.label)
        self.accounts.append(row)
        if len(self.accounts) >= self.ctx.batch_size:
            self.flush()

    def flush(self) -> None:
        con = self.ctx.con
        for rows, schema, table in ((self.posts, POST_SCHEMA, STG_POSTS), (self.accounts, ACCOUNT_SCHEMA, STG_ACCOUNTS)):
            if not rows:
                continue
            arrow = pa.Table.from_pylist(rows, schema=schema)
            con.complete()  # register() refuses to run while a result is pending
            con.register("_rows_batch", arrow)
            cols = ", ".join("CAST(extra AS JSON)" if n == "extra" else n for n in schema.names)
            con.execute(f"INSERT INTO {table} SELECT {cols} FROM _rows_batch").fetchall()
            con.unregister("_rows_batch")
        if self.superseded:
            con.executemany(f"INSERT INTO {STG_SUPERSEDED} VALUES (?, ?)", [list(s) for s in self.superseded])
        self.n_posts += len(self.posts)
        self.n_accounts += len(self.accounts)
        self.posts, self.accounts, self.superseded = [], [], []
