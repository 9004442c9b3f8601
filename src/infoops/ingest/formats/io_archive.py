"""Twitter's Information Operations archive: users and tweets CSVs of any release.

Columns are found by header name (order differs between releases); ids may be
numeric or hashed (64-hex or 44-char base64); booleans, float counts, list
literals and 'absent' coordinates are normalised in SQL by DuckDB. The exact
time comes from the snowflake tweet id; the minute-precision `tweet_time` is
kept when the id is not a snowflake (or disagrees with it).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import ClassVar

from infoops.errors import MissingColumn
from infoops.ingest import sqlexpr as E
from infoops.ingest.formats.base import (
    DERIVED,
    PRIMARY,
    STG_ACCOUNTS,
    STG_POST_TABLES,
    FileStats,
    InputFormat,
    LoadContext,
    Sample,
)
from infoops.ingest.formats.csvread import load_raw, numbered_select, physical_lines, safe_names
from infoops.registry import formats

PLATFORM = "twitter"
USER_COLUMNS = (
    "userid", "user_display_name", "user_screen_name", "user_reported_location",
    "user_profile_description", "user_profile_url", "follower_count", "following_count",
    "account_creation_date", "account_language",
)
TWEET_COLUMNS = (
    "tweetid", *USER_COLUMNS, "tweet_language", "tweet_text", "tweet_time", "tweet_client_name",
    "in_reply_to_userid", "in_reply_to_tweetid", "quoted_tweet_tweetid", "is_retweet",
    "retweet_userid", "retweet_tweetid", "latitude", "longitude", "quote_count", "reply_count",
    "like_count", "retweet_count", "hashtags", "urls", "user_mentions", "poll_choices",
)
# Which column identifies the account, in order of preference (derived datasets
# drop userid and keep only the screen name or display name).
ACCOUNT_KEYS = ("userid", "user_screen_name", "user_display_name")
# Columns kept in posts.extra when present and not blank.
EXTRA_TWEET_COLUMNS = ("latitude", "longitude", "poll_choices")
USER_HINTS = {"user_screen_name", "user_display_name", "follower_count", "account_creation_date"}


class _Cols:
    """Column references by header name; absent columns read as NULL."""

    def __init__(self, names: list[str]) -> None:
        self.names = set(names)

    def __call__(self, name: str) -> str:
        return E.col(name) if name in self.names else "CAST(NULL AS VARCHAR)"


def _account_key(c: _Cols) -> str:
    present = [E.ident(c(k)) if k == "userid" else E.nullif_blank(c(k)) for k in ACCOUNT_KEYS if k in c.names]
    return f"coalesce({', '.join(present)})" if present else "CAST(NULL AS VARCHAR)"


# Hashed ids in the archive: SHA-256 as 64 hex digits or 44-char base64; md5-like 32 hex too.
HASH_PATTERN = "[0-9a-fA-F]{64}|[A-Za-z0-9+/_-]{43}=|[0-9a-fA-F]{32}"


def _hashed(key: str) -> str:
    return f"regexp_full_match({key}, '{HASH_PATTERN}')"


def _account_select(c: _Cols, key: str, source: str) -> str:
    """The account columns of a users row or a tweet row."""
    return (
        f"{key} AS account_id, '{PLATFORM}' AS platform, {E.nullif_blank(c('user_screen_name'))} AS handle, "
        f"{E.text(c('user_display_name'))} AS display_name, {E.text(c('user_profile_description'))} AS description, "
        f"{E.text(c('user_reported_location'))} AS location, {E.nullif_blank(c('user_profile_url'))} AS url, "
        f"{E.count(c('follower_count'))} AS followers, {E.count(c('following_count'))} AS following, "
        f"{E.timestamp(c('account_creation_date'))} AS created_at, "
        f"{E.nullif_blank(c('account_language'))} AS lang, {_hashed(key)} AS hashed, "
        f"CAST(NULL AS JSON) AS extra, {source} AS source"
    )


def _extra(c: _Cols, known: set[str]) -> str:
    """posts.extra: coordinates/poll choices when given, and every column this format does not know."""
    keep = [n for n in EXTRA_TWEET_COLUMNS if n in c.names]
    unknown = sorted(n for n in c.names - known - {"_rec"} if not n.startswith("_col"))
    cols = [n for n in keep + unknown if "'" not in n]
    if not cols:
        return "CAST(NULL AS JSON)"
    values = [E.nullif_blank(E.col(n)) for n in cols]
    obj = ", ".join(f"'{n}', {v}" for n, v in zip(cols, values, strict=True))
    return f"CASE WHEN coalesce({', '.join(values)}) IS NOT NULL THEN CAST(json_object({obj}) AS JSON) END"


def _kind_layer(c: _Cols) -> list[str]:
    return [
        f"({E.boolean(c('is_retweet'))} OR {E.ident(c('retweet_tweetid'))} IS NOT NULL) AS _is_rt",
        f"{E.ident(c('retweet_tweetid'))} AS _rt_id",
        f"{E.ident(c('quoted_tweet_tweetid'))} AS _qt_id",
        f"{E.ident(c('in_reply_to_tweetid'))} AS _rp_id",
    ]


def _kind() -> tuple[str, str, str]:
    """(kind, ref_post_id, ref_account_id) over the _kind_layer columns: repost > quote > reply > post."""
    kind = (
        "CASE WHEN _is_rt THEN 'repost' WHEN _qt_id IS NOT NULL THEN 'quote' "
        "WHEN _rp_id IS NOT NULL THEN 'reply' ELSE 'post' END"
    )
    ref = "CASE WHEN _is_rt THEN _rt_id WHEN _qt_id IS NOT NULL THEN _qt_id ELSE _rp_id END"
    return kind, ref, "_ref_acc"


def _ref_account(c: _Cols) -> str:
    return (
        f"CASE WHEN _is_rt THEN {E.ident(c('retweet_userid'))} WHEN _qt_id IS NOT NULL THEN NULL "
        f"WHEN _rp_id IS NOT NULL THEN {E.ident(c('in_reply_to_userid'))} END AS _ref_acc"
    )


def _problems(c: _Cols) -> str:
    """A validation reason per row (NULL when the row is fine), over the layer columns."""
    return (
        f"CASE WHEN _tid IS NULL THEN 'tweetid: empty' "
        f"WHEN NOT regexp_full_match(_tid, '[0-9]+') THEN 'tweetid: not a number' "
        f"WHEN _key IS NULL THEN 'account id: empty (userid / user_screen_name)' "
        f"WHEN {E.nullif_blank(c('tweet_time'))} IS NOT NULL AND _mt IS NULL "
        f"AND _sf IS NULL THEN 'tweet_time: unparseable' END AS _problem"
    )


def _tweet_layers(c: _Cols) -> list[list[str]]:
    created, precision = E.exact_time("_sf", "_mt")
    return [
        [f"{E.ident(c('tweetid'))} AS _tid", f"{E.timestamp(c('tweet_time'))} AS _mt",
         f"{_account_key(c)} AS _key", *_kind_layer(c)],
        [f"{E.snowflake_time('_tid')} AS _sf", _ref_account(c)],
        [f"{created} AS _created", f"{precision} AS _prec", _problems(c)],
    ]


@formats.register("io-archive")
class IOArchive(InputFormat):
    """Twitter Information Operations archive users / tweets CSV (.csv, .csv.gz, zip members)."""

    name: ClassVar[str] = "io-archive"
    description: ClassVar[str] = "Twitter Information Operations archive users and tweets CSVs"

    @classmethod
    def sniff(cls, sample: Sample) -> int:
        if sample.kind != "csv" or not sample.header:
            return 0
        cols = {h.lower() for h in sample.header}
        if "tweetid" in cols and cols & {"tweet_text", "tweet_time", "userid", "user_screen_name", "user_display_name"}:
            return 10
        if "userid" in cols and "tweetid" not in cols and cols & USER_HINTS:
            return 10
        return 0

    def load(self, ctx: LoadContext, path: Path) -> FileStats:
        from infoops.ingest.sources import sample as take_sample

        header = take_sample(path).header or []
        names = safe_names([h.lower() for h in header])
        if "tweetid" in names:
            return self._tweets(ctx, path, header, names)
        return self._users(ctx, path, header, names)

    def _raw(
        self, ctx: LoadContext, path: Path, header: list[str], layers: list[list[str]] | None = None
    ) -> tuple[str, set[int]]:
        table = f"_raw_{uuid.uuid4().hex[:8]}"
        lower = [h.lower() for h in header]
        return table, load_raw(ctx, path, lower, table, layers, numbered=False)

    def _users(self, ctx: LoadContext, path: Path, header: list[str], names: list[str]) -> FileStats:
        if "userid" not in names:
            raise MissingColumn(ctx.label, "userid", header)
        stats = FileStats(ctx.label, self.name)
        table, parse_rejects = self._raw(ctx, path, header)
        c = _Cols(names)
        key = E.ident(c("userid"))
        con = ctx.con
        stats.rows_read = _count(ctx, table) + len(parse_rejects)
        bad: list[tuple[object, ...]] = []
        if _scalar(ctx, f"SELECT count(*) FROM {table} WHERE {key} IS NULL"):
            bad = numbered_select(ctx, path, [h.lower() for h in header], [],
                                  f"left(concat_ws(',', {c('userid')}, {c('user_screen_name')}), 2000)",
                                  f"{key} IS NULL")
        _reject_records(ctx, path, parse_rejects, [(r[0], "userid", "userid: empty", str(r[1])) for r in bad])
        row = con.execute(
            f"INSERT INTO {STG_ACCOUNTS} SELECT {_account_select(c, key, '?')}, "
            f"{PRIMARY} * 10000000000000 AS _rank FROM {table} WHERE {key} IS NOT NULL",
            [ctx.label],
        ).fetchone()
        con.execute(f"DROP TABLE {table}")
        stats.accounts = stats.rows_accepted = int(row[0]) if row else 0
        stats.rows_rejected = len(parse_rejects) + len(bad)
        return stats

    def _tweets(self, ctx: LoadContext, path: Path, header: list[str], names: list[str]) -> FileStats:
        if not any(k in names for k in ACCOUNT_KEYS):
            raise MissingColumn(ctx.label, "userid", header)
        stats = FileStats(ctx.label, self.name)
        c = _Cols(names)
        con = ctx.con
        # the file is staged straight into its own table of canonical post columns
        # (plus the parsed profile columns and the validation result): no extra copy
        table = f"_stg_io_{uuid.uuid4().hex[:8]}"
        parse_rejects = load_raw(ctx, path, [h.lower() for h in header], table, _tweet_layers(c),
                                 numbered=False, project=(_post_select(c), [ctx.label]))
        stats.rows_read = _count(ctx, table) + len(parse_rejects)
        bad: list[tuple[object, ...]] = []
        if _scalar(ctx, f"SELECT count(*) FROM {table} WHERE _problem IS NOT NULL"):
            bad = numbered_select(
                ctx, path, [h.lower() for h in header], _tweet_layers(c),
                f"split_part(_problem, ':', 1), _problem, "
                f"left(concat_ws(',', {c('tweetid')}, {c('userid')}, {c('tweet_time')}), 2000)",
                "_problem IS NOT NULL",
            )
            con.execute(f"DELETE FROM {table} WHERE _problem IS NOT NULL")
        _reject_records(ctx, path, parse_rejects, [(r[0], str(r[1]), str(r[2]), str(r[3])) for r in bad])
        con.execute(f"INSERT INTO {STG_POST_TABLES} VALUES (?)", [table])
        stats.posts = stats.rows_accepted = _count(ctx, table)
        # accounts from the tweet rows: each field as of the account's latest tweet
        rank = f"{DERIVED} * 10000000000000 + coalesce(epoch_ms(created_at), 0)"
        row = con.execute(
            f"INSERT INTO {STG_ACCOUNTS} SELECT {_latest_profile(rank)} FROM {table} GROUP BY account_id",
            [ctx.label],
        ).fetchone()
        stats.accounts = int(row[0]) if row else 0
        stats.rows_rejected = len(parse_rejects) + len(bad)
        return stats


def _post_select(c: _Cols) -> str:
    """Canonical post columns (in staging order), `_rank`, parsed profile columns `_u_*`, `_problem`."""
    kind, ref, ref_acc = _kind()
    extra = _extra(c, set(TWEET_COLUMNS))
    return (
        f"_tid AS post_id, _key AS account_id, '{PLATFORM}' AS platform, _created AS created_at, "
        f"_prec AS time_precision, {E.text(c('tweet_text'))} AS text, {E.nullif_blank(c('tweet_language'))} AS lang, "
        f"{kind} AS kind, {ref} AS ref_post_id, {ref_acc} AS ref_account_id, "
        f"{E.py_list(c('hashtags'), lower=True, strip_prefix='#')} AS hashtags, {E.py_list(c('urls'))} AS urls, "
        f"{E.py_list(c('user_mentions'), strip_prefix='@')} AS mentions, "
        f"{E.nullif_blank(c('tweet_client_name'))} AS client, {E.count(c('like_count'))} AS like_count, "
        f"{E.count(c('retweet_count'))} AS repost_count, {E.count(c('reply_count'))} AS reply_count, "
        f"{E.count(c('quote_count'))} AS quote_count, {extra} AS extra, ? AS source, "
        f"{PRIMARY} * 10 + 1 AS _rank, "
        f"{E.nullif_blank(c('user_screen_name'))} AS _u_handle, {E.text(c('user_display_name'))} AS _u_name, "
        f"{E.text(c('user_profile_description'))} AS _u_description, "
        f"{E.text(c('user_reported_location'))} AS _u_location, {E.nullif_blank(c('user_profile_url'))} AS _u_url, "
        f"{E.count(c('follower_count'))} AS _u_followers, {E.count(c('following_count'))} AS _u_following, "
        f"{E.timestamp(c('account_creation_date'))} AS _u_created, "
        f"{E.nullif_blank(c('account_language'))} AS _u_lang, _problem"
    )


def _latest_profile(rank: str) -> str:
    """Account columns aggregated per account over a staged tweets table: each as of the top-ranked row."""
    cols = ("_u_handle", "_u_name", "_u_description", "_u_location", "_u_url", "_u_followers",
            "_u_following", "_u_created", "_u_lang")
    best = ", ".join(f"arg_max({c}, {rank})" for c in cols)
    return f"account_id, '{PLATFORM}', {best}, {_hashed('account_id')}, CAST(NULL AS JSON), ?, max({rank})"


def _count(ctx: LoadContext, table: str) -> int:
    return _scalar(ctx, f"SELECT count(*) FROM {table}")


def _scalar(ctx: LoadContext, sql: str) -> int:
    row = ctx.con.execute(sql).fetchone()
    return int(row[0]) if row else 0


def _reject_records(
    ctx: LoadContext, path: Path, parse_rejects: set[int], bad: list[tuple[object, str, str, str]]
) -> None:
    """Validation rejects, with the physical line each record starts on."""
    if not bad:
        return
    recs = [int(str(b[0])) for b in bad]
    lines = physical_lines(path, set(recs), parse_rejects)
    ctx.reject([(lines.get(r, r + 1), fld, reason, raw) for r, (_, fld, reason, raw) in zip(recs, bad, strict=True)])
