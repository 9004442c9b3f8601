"""Generic CSV or Parquet read through a column mapping (`--map FIELD=COLUMN`).

Fields are canonical post fields (post_id, account_id, created_at, text, lang,
kind, ref_post_id, ref_account_id, hashtags, urls, mentions, client,
like_count, repost_count, reply_count, quote_count, platform), the shortcuts
`repost_of` / `quote_of` / `reply_to` (a referenced post id that also sets the
kind), and account fields prefixed `account.` (account.handle, ...). A file
with no post field mapped is an accounts file: then the account fields may be
given without the prefix. COLUMN may be 'a|b': the first non-blank of a and b.
Unmapped columns are kept in `extra` (JSON).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from infoops.errors import InfoopsError, MissingColumn
from infoops.ingest import sqlexpr as E
from infoops.ingest.formats.base import (
    DERIVED,
    PRIMARY,
    STG_ACCOUNTS,
    STG_POSTS,
    FileStats,
    InputFormat,
    LoadContext,
    Sample,
)
from infoops.ingest.formats.csvread import load_raw, physical_lines, safe_names
from infoops.ingest.sources import sample as take_sample
from infoops.registry import formats

POST_FIELDS = (
    "post_id", "account_id", "platform", "created_at", "text", "lang", "kind", "ref_post_id",
    "ref_account_id", "hashtags", "urls", "mentions", "client", "like_count", "repost_count",
    "reply_count", "quote_count",
)
REF_SHORTCUTS = {"repost_of": "repost", "quote_of": "quote", "reply_to": "reply"}
ACCOUNT_FIELDS = (
    "account_id", "platform", "handle", "display_name", "description", "location", "url",
    "followers", "following", "created_at", "lang",
)
COUNT_FIELDS = {"like_count", "repost_count", "reply_count", "quote_count", "followers", "following"}
LIST_FIELDS = {"hashtags", "urls", "mentions"}
# staged post columns (before source and _rank), in the staging table's order
STAGED = (
    "post_id", "account_id", "platform", "created_at", "time_precision", "text", "lang", "kind", "ref_post_id",
    "ref_account_id", "hashtags", "urls", "mentions", "client", "like_count", "repost_count", "reply_count",
    "quote_count", "extra",
)
FIRST_OF = set(STAGED) - LIST_FIELDS - {"post_id"}


def split_mapping(mapping: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """(post fields, account fields) of a --map mapping; raises on an unknown field."""
    posts: dict[str, str] = {}
    accounts: dict[str, str] = {}
    post_mode = any(f in mapping for f in ("post_id", "ref_post_id", *REF_SHORTCUTS))
    for field, column in mapping.items():
        if field.startswith("account."):
            target, name = accounts, field.removeprefix("account.")
            valid: tuple[str, ...] = ACCOUNT_FIELDS
        elif post_mode:
            target, name, valid = posts, field, (*POST_FIELDS, *REF_SHORTCUTS)
        else:
            target, name, valid = accounts, field, ACCOUNT_FIELDS
        if name not in valid:
            raise InfoopsError(f"--map {field}={column}: unknown field {field!r} (fields: {', '.join(valid)})")
        target[name] = column
    if post_mode and "account_id" in posts:
        accounts.setdefault("account_id", posts["account_id"])
    return posts, accounts


class Generic(InputFormat):
    """Any CSV or Parquet file read through a column mapping."""

    name: ClassVar[str] = "csv"
    description: ClassVar[str] = "generic CSV / Parquet with --map FIELD=COLUMN"
    preset: ClassVar[dict[str, str]] = {}

    def mapping(self, ctx: LoadContext) -> dict[str, str]:
        return {**self.preset, **ctx.mapping}

    def load(self, ctx: LoadContext, path: Path) -> FileStats:
        mapping = self.mapping(ctx)
        if not mapping:
            raise InfoopsError(f"{ctx.label}: format '{self.name}' needs --map FIELD=COLUMN (e.g. --map post_id=id)")
        posts_map, acc_map = split_mapping(mapping)
        smp = take_sample(path)
        header = smp.header or []
        names = safe_names(header)
        resolve = _resolver(ctx.label, names, header)
        used = {resolve(c) for spec in (*posts_map.values(), *acc_map.values()) for c in spec.split("|")}
        posts_map = {f: _ref(c, resolve) for f, c in posts_map.items()}
        acc_map = {f: _ref(c, resolve) for f, c in acc_map.items()}
        if "account_id" not in (posts_map if posts_map else acc_map):
            raise MissingColumn(ctx.label, "account_id (--map account_id=COLUMN)", header)
        stats = FileStats(ctx.label, self.name)
        table = f"_raw_{uuid.uuid4().hex[:8]}"
        parse_rejects = _read(ctx, path, smp, names, table)
        stats.rows_read = _scalar(ctx, f"SELECT count(*) FROM {table}") + len(parse_rejects)
        extra = _extra([n for n in names if n not in used and not n.startswith("_col")])
        if posts_map:
            self._posts(ctx, path, table, posts_map, extra, parse_rejects, stats)
            acc_extra = "CAST(NULL AS JSON)"
            rank = DERIVED
        else:
            acc_extra = extra
            rank = PRIMARY
        self._accounts(ctx, table, acc_map, acc_extra, rank, stats, only_valid=bool(posts_map))
        if not posts_map:
            bad = ctx.con.execute(
                f"SELECT _rec FROM {table} WHERE {E.ident(acc_map['account_id'])} IS NULL"
            ).fetchall()
            if bad:
                lines = physical_lines(path, {int(b[0]) for b in bad}, parse_rejects)
                ctx.reject([(lines.get(int(b[0]), int(b[0]) + 1), "account_id", "account_id: empty", None) for b in bad])
            stats.rows_rejected = len(parse_rejects) + len(bad)
            stats.rows_accepted = stats.accounts
        ctx.con.execute(f"DROP TABLE {table}")
        return stats

    def _posts(
        self, ctx: LoadContext, path: Path, table: str, m: dict[str, str], extra: str,
        parse_rejects: set[int], stats: FileStats,
    ) -> None:
        def v(field: str, conv: str = "blank") -> str:
            if field not in m:
                return "CAST(NULL AS VARCHAR)"
            ref = m[field]
            return {"blank": E.nullif_blank(ref), "ident": E.ident(ref), "text": E.text(ref)}[conv]

        acc = v("account_id", "ident")
        ref_parts = [f"{E.ident(m[s])}" for s in REF_SHORTCUTS if s in m]
        ref_post = f"coalesce({', '.join([*ref_parts, v('ref_post_id', 'ident')])})"
        kinds = " ".join(f"WHEN {E.ident(m[s])} IS NOT NULL THEN '{k}'" for s, k in REF_SHORTCUTS.items() if s in m)
        kind = f"coalesce(lower({v('kind')}), CASE {kinds} WHEN {v('ref_post_id', 'ident')} IS NOT NULL THEN 'repost' ELSE 'post' END)"
        post_id = v("post_id", "ident") if "post_id" in m else (
            f"'h:' || md5(concat_ws('|', {acc}, {ref_post}, {v('created_at')}))"
        )
        created_raw = v("created_at")
        if "created_at" in m:
            created = E.unix_or_iso(m["created_at"])
            precision = "CASE WHEN _created IS NOT NULL THEN 's' END"
        else:
            created = E.snowflake_time(post_id)
            precision = "CASE WHEN _created IS NOT NULL THEN 's' END"
        lists = {
            f: E.py_list((m[f]), lower=f == "hashtags", strip_prefix={"hashtags": "#", "mentions": "@"}.get(f))
            if f in m else "CAST([] AS VARCHAR[])" for f in LIST_FIELDS
        }
        counts = {f: E.count(m[f]) if f in m else "CAST(NULL AS BIGINT)" for f in COUNT_FIELDS}
        con = ctx.con
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _gen_posts AS SELECT *, {precision} AS _prec FROM ("
            f"SELECT _rec, {post_id} AS _pid, {acc} AS _acc, {created} AS _created, {created_raw} AS _created_raw, "
            f"{ref_post} AS _ref, {kind} AS _kind, * EXCLUDE (_rec) FROM {table})"
        )
        bad = con.execute(
            "SELECT _rec, f, r FROM (SELECT _rec, CASE WHEN _pid IS NULL THEN 'post_id' WHEN _acc IS NULL "
            "THEN 'account_id' WHEN _created_raw IS NOT NULL AND _created IS NULL THEN 'created_at' END AS f, "
            "CASE WHEN _pid IS NULL THEN 'post_id: empty' WHEN _acc IS NULL THEN 'account_id: empty' "
            "WHEN _created_raw IS NOT NULL AND _created IS NULL THEN 'created_at: unparseable' END AS r "
            "FROM _gen_posts) WHERE r IS NOT NULL"
        ).fetchall()
        if bad:
            lines = physical_lines(path, {int(b[0]) for b in bad}, parse_rejects)
            ctx.reject([(lines.get(int(b[0]), int(b[0]) + 1), b[1], b[2], None) for b in bad])
            con.execute("DELETE FROM _gen_posts WHERE _pid IS NULL OR _acc IS NULL "
                        "OR (_created_raw IS NOT NULL AND _created IS NULL)")
        select = (
            f"SELECT _pid AS post_id, _acc AS account_id, {v('platform')} AS platform, _created AS created_at, "
            f"_prec AS time_precision, {v('text', 'text')} AS text, {v('lang')} AS lang, _kind AS kind, "
            f"_ref AS ref_post_id, {v('ref_account_id', 'ident')} AS ref_account_id, {lists['hashtags']} AS hashtags, "
            f"{lists['urls']} AS urls, {lists['mentions']} AS mentions, {v('client')} AS client, "
            f"{counts['like_count']} AS like_count, {counts['repost_count']} AS repost_count, "
            f"{counts['reply_count']} AS reply_count, {counts['quote_count']} AS quote_count, "
            f"{extra} AS extra, _rec FROM _gen_posts"
        )
        accepted = _scalar(ctx, "SELECT count(*) FROM _gen_posts")
        if _scalar(ctx, "SELECT count(DISTINCT _pid) FROM _gen_posts") < accepted:
            # a long table (one row per post and object, as CooRTweet's): one post, lists merged
            scalars = [c for c in STAGED if c not in LIST_FIELDS and c != "post_id"]
            select = (
                f"SELECT post_id, {', '.join(f'arg_min({c}, _rec) AS {c}' for c in scalars if c in FIRST_OF)}"
                f"{''.join(f', list_distinct(flatten(list({c}))) AS {c}' for c in sorted(LIST_FIELDS))} "
                f"FROM ({select}) GROUP BY post_id"
            )
        row = con.execute(
            f"INSERT INTO {STG_POSTS} SELECT {', '.join(STAGED)}, ?, {PRIMARY} * 10 AS _rank FROM ({select})",
            [ctx.label],
        ).fetchone()
        stats.posts = int(row[0]) if row else 0
        stats.rows_accepted = accepted
        con.execute(f"DELETE FROM {table} WHERE _rec NOT IN (SELECT _rec FROM _gen_posts)")
        con.execute("DROP TABLE _gen_posts")
        stats.rows_rejected = len(parse_rejects) + len(bad)

    def _accounts(
        self, ctx: LoadContext, table: str, m: dict[str, str], extra: str, rank: int, stats: FileStats,
        only_valid: bool,
    ) -> None:
        def v(field: str) -> str:
            if field not in m:
                return "CAST(NULL AS VARCHAR)"
            ref = m[field]
            if field in COUNT_FIELDS:
                return E.count(ref)
            if field == "created_at":
                return E.unix_or_iso(ref)
            return E.ident(ref) if field == "account_id" else E.nullif_blank(ref)

        cols = [v(f) if f in m else ("CAST(NULL AS BIGINT)" if f in COUNT_FIELDS else
                                      "CAST(NULL AS TIMESTAMP)" if f == "created_at" else "CAST(NULL AS VARCHAR)")
                for f in ACCOUNT_FIELDS]
        row = ctx.con.execute(
            f"INSERT INTO {STG_ACCOUNTS} SELECT {', '.join(cols)}, CAST(NULL AS BOOLEAN), {extra}, ?, "
            f"{rank} * 10000000000000 FROM {table} WHERE {v('account_id')} IS NOT NULL",
            [ctx.label],
        ).fetchone()
        stats.accounts = int(row[0]) if row else 0


def _resolver(label: str, names: list[str], header: list[str]) -> Callable[[str], str]:
    lower = {n.lower(): n for n in names}

    def resolve(column: str) -> str:
        if column in names:
            return column
        if column.lower() in lower:
            return lower[column.lower()]
        raise MissingColumn(label, column, header)

    return resolve


def _ref(spec: str, resolve: Callable[[str], str]) -> str:
    """SQL for a mapped column; 'a|b' is the first non-blank of columns a and b."""
    cols = [E.col(resolve(c)) for c in spec.split("|")]
    if len(cols) == 1:
        return cols[0]
    return f"coalesce({', '.join(E.nullif_blank(c) for c in cols)})"


def _extra(columns: list[str]) -> str:
    cols = [c for c in columns if "'" not in c]
    if not cols:
        return "CAST(NULL AS JSON)"
    values = [E.nullif_blank(E.col(c)) for c in cols]
    obj = ", ".join(f"'{c}', {v}" for c, v in zip(cols, values, strict=True))
    return f"CASE WHEN coalesce({', '.join(values)}) IS NOT NULL THEN CAST(json_object({obj}) AS JSON) END"


def _read(ctx: LoadContext, path: Path, smp: Sample, names: list[str], table: str) -> set[int]:
    if smp.kind == "parquet":
        ctx.con.execute("SET preserve_insertion_order = true")
        try:
            ctx.con.execute(
                f"CREATE TEMP TABLE {table} AS SELECT row_number() OVER () AS _rec, "
                f"{', '.join(f'CAST({E.col(h)} AS VARCHAR) AS {E.col(n)}' for h, n in zip(smp.header or [], names, strict=True))} "
                "FROM read_parquet(?)",
                [str(path)],
            )
        finally:
            ctx.con.execute("SET preserve_insertion_order = false")
        return set()
    return load_raw(ctx, path, names, table)


def _scalar(ctx: LoadContext, sql: str) -> int:
    row = ctx.con.execute(sql).fetchone()
    return int(row[0]) if row else 0


@formats.register("csv")
class GenericCSV(Generic):
    """Generic CSV / Parquet (`--format csv` or any --map)."""


def _preset(name: str, description: str, columns: set[str], preset: dict[str, str]) -> type[Generic]:
    def sniff(cls: type[Generic], sample: Sample) -> int:
        header = {h.lower() for h in sample.header or []}
        return 8 if sample.kind in ("csv", "parquet") and columns <= header else 0

    cls = type(
        name.replace("-", "_").title(), (Generic,),
        {"name": name, "description": description, "preset": preset, "sniff": classmethod(sniff),
         "__doc__": description},
    )
    formats.register(name)(cls)
    return cls


CooRTweet = _preset(
    "coortweet", "CooRTweet long table (object_id, account_id, content_id, timestamp_share): shares of objects",
    {"object_id", "account_id", "content_id", "timestamp_share"},
    {"post_id": "content_id", "account_id": "account_id", "repost_of": "object_id", "created_at": "timestamp_share"},
)
CooRTweetPosts = _preset(
    "coortweet-posts", "CooRTweet multi-object posts table (account_id, post_id, url_id, hashtag_id, ..., timestamp)",
    {"account_id", "post_id", "url_id", "hashtag_id", "timestamp"},
    {"post_id": "post_id", "account_id": "account_id", "created_at": "timestamp", "urls": "url_id",
     "hashtags": "hashtag_id"},
)
CNT = _preset(
    "cnt", "coordination-network-toolkit CSV (message_id, user_id, username, repost_id, reply_id, message, timestamp, urls)",
    {"message_id", "user_id", "repost_id", "reply_id", "timestamp"},
    {"post_id": "message_id", "account_id": "user_id", "account.handle": "username", "repost_of": "repost_id",
     "reply_to": "reply_id", "text": "message", "created_at": "timestamp", "urls": "urls"},
)
V1UsersCSV = _preset(
    "v1-users-csv", "users CSV with v1.1 field names (id, screen_name, name, followers_count, friends_count, ...)",
    {"id", "screen_name", "followers_count"},
    {"account_id": "id|screen_name", "handle": "screen_name", "display_name": "name", "description": "description",
     "location": "location", "followers": "followers_count", "following": "friends_count",
     "created_at": "created_at", "lang": "lang"},
)
