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
    STG_POSTS,
    FileStats,
    InputFormat,
    LoadContext,
    Sample,
)
from infoops.ingest.formats.csvread import load_raw, physical_lines, safe_names
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


def _has(cols: set[str], name: str) -> bool:
    return name in cols


class _Cols:
    """Column references by header name; absent columns read as NULL."""

    def __init__(self, names: list[str]) -> None:
        self.names = set(names)

    def __call__(self, name: str) -> str:
        return E.col(name) if name in self.names else "CAST(NULL AS VARCHAR)"


def _account_key(c: _Cols) -> str:
    present = [E.ident(c(k)) if k == "userid" else E.nullif_blank(c(k)) for k in ACCOUNT_KEYS if k in c.names]
    return f"coalesce({', '.join(present)})" if present else "CAST(NULL AS VARCHAR)"


def _hashed(key: str) -> str:
    return f"NOT regexp_full_match({key}, '[0-9]+')"


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
    parts = [f"'{n}', {E.nullif_blank(E.col(n))}" for n in keep + unknown if "'" not in n]
    if not parts:
        return "CAST(NULL AS JSON)"
    return f"CAST(json_object({', '.join(parts)}) AS JSON)"


def _kind(c: _Cols) -> tuple[str, str, str]:
    """(kind, ref_post_id, ref_account_id): repost > quote > reply > post."""
    rt = f"({E.boolean(c('is_retweet'))} OR {E.ident(c('retweet_tweetid'))} IS NOT NULL)"
    qt = f"{E.ident(c('quoted_tweet_tweetid'))} IS NOT NULL"
    rp = f"{E.ident(c('in_reply_to_tweetid'))} IS NOT NULL"
    kind = f"CASE WHEN {rt} THEN 'repost' WHEN {qt} THEN 'quote' WHEN {rp} THEN 'reply' ELSE 'post' END"
    ref = (
        f"CASE WHEN {rt} THEN {E.ident(c('retweet_tweetid'))} WHEN {qt} THEN {E.ident(c('quoted_tweet_tweetid'))} "
        f"WHEN {rp} THEN {E.ident(c('in_reply_to_tweetid'))} END"
    )
    ref_acc = (
        f"CASE WHEN {rt} THEN {E.ident(c('retweet_userid'))} WHEN {qt} THEN NULL "
        f"WHEN {rp} THEN {E.ident(c('in_reply_to_userid'))} END"
    )
    return kind, ref, ref_acc


def _problems(c: _Cols, key: str, minute_ts: str) -> str:
    """A validation reason per row (NULL when the row is fine)."""
    tid = E.nullif_blank(c("tweetid"))
    return (
        f"CASE WHEN {tid} IS NULL THEN 'tweetid: empty' "
        f"WHEN NOT regexp_full_match({E.ident(c('tweetid'))}, '[0-9]+') THEN 'tweetid: not a number' "
        f"WHEN {key} IS NULL THEN 'account id: empty (userid / user_screen_name)' "
        f"WHEN {E.nullif_blank(c('tweet_time'))} IS NOT NULL AND {minute_ts} IS NULL "
        f"AND {E.snowflake_ms(E.ident(c('tweetid')))} IS NULL THEN 'tweet_time: unparseable' END"
    )


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

    def _raw(self, ctx: LoadContext, path: Path, header: list[str]) -> tuple[str, set[int]]:
        table = f"_raw_{uuid.uuid4().hex[:8]}"
        lower = [h.lower() for h in header]
        return table, load_raw(ctx, path, lower, table)

    def _users(self, ctx: LoadContext, path: Path, header: list[str], names: list[str]) -> FileStats:
        if "userid" not in names:
            raise MissingColumn(ctx.label, "userid", header)
        stats = FileStats(ctx.label, self.name)
        table, parse_rejects = self._raw(ctx, path, header)
        c = _Cols(names)
        key = E.ident(c("userid"))
        con = ctx.con
        stats.rows_read = _count(ctx, table) + len(parse_rejects)
        bad = con.execute(
            f"SELECT _rec, left(concat_ws(',', {c('userid')}, {c('user_screen_name')}), 2000) FROM {table} "
            f"WHERE {key} IS NULL"
        ).fetchall()
        _reject_records(ctx, path, parse_rejects, [(r[0], "userid", "userid: empty", r[1]) for r in bad])
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
        table, parse_rejects = self._raw(ctx, path, header)
        c = _Cols(names)
        con = ctx.con
        key = _account_key(c)
        minute_ts = E.timestamp(c("tweet_time"))
        tid = E.ident(c("tweetid"))
        created, precision = E.exact_time(tid, minute_ts)
        kind, ref, ref_acc = _kind(c)
        stats.rows_read = _count(ctx, table) + len(parse_rejects)
        con.execute(f"ALTER TABLE {table} ADD COLUMN _problem VARCHAR")
        con.execute(f"UPDATE {table} SET _problem = {_problems(c, key, minute_ts)}")
        bad = con.execute(
            f"SELECT _rec, split_part(_problem, ':', 1), _problem, "
            f"left(concat_ws(',', {c('tweetid')}, {c('userid')}, {c('tweet_time')}), 2000) "
            f"FROM {table} WHERE _problem IS NOT NULL"
        ).fetchall()
        _reject_records(ctx, path, parse_rejects, [(r[0], r[1], r[2], r[3]) for r in bad])
        known = set(TWEET_COLUMNS) | {"_problem"}
        row = con.execute(
            f"INSERT INTO {STG_POSTS} SELECT {tid} AS post_id, {key} AS account_id, '{PLATFORM}', "
            f"{created}, {precision}, {E.text(c('tweet_text'))}, {E.nullif_blank(c('tweet_language'))}, "
            f"{kind}, {ref}, {ref_acc}, {E.py_list(c('hashtags'), lower=True, strip_prefix='#')}, "
            f"{E.py_list(c('urls'))}, {E.py_list(c('user_mentions'), strip_prefix='@')}, "
            f"{E.nullif_blank(c('tweet_client_name'))}, {E.count(c('like_count'))}, "
            f"{E.count(c('retweet_count'))}, {E.count(c('reply_count'))}, {E.count(c('quote_count'))}, "
            f"{_extra(c, known)}, ?, {PRIMARY} * 10 + 1 AS _rank FROM {table} WHERE _problem IS NULL",
            [ctx.label],
        ).fetchone()
        stats.posts = stats.rows_accepted = int(row[0]) if row else 0
        # accounts from the tweet rows: the profile as of the account's latest tweet
        row = con.execute(
            f"INSERT INTO {STG_ACCOUNTS} SELECT DISTINCT ON (account_id) * FROM ("
            f"SELECT {_account_select(c, key, '?')}, {DERIVED} * 10000000000000 + "
            f"coalesce(epoch_ms({created}), 0) AS _rank FROM {table} WHERE _problem IS NULL) "
            f"ORDER BY account_id, _rank DESC",
            [ctx.label],
        ).fetchone()
        stats.accounts = int(row[0]) if row else 0
        con.execute(f"DROP TABLE {table}")
        stats.rows_rejected = len(parse_rejects) + len(bad)
        return stats


def _count(ctx: LoadContext, table: str) -> int:
    row = ctx.con.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row else 0


def _reject_records(
    ctx: LoadContext, path: Path, parse_rejects: set[int], bad: list[tuple[int, str, str, str]]
) -> None:
    """Validation rejects, with the physical line each record starts on."""
    if not bad:
        return
    lines = physical_lines(path, {int(b[0]) for b in bad}, parse_rejects)
    ctx.reject([(lines.get(int(rec), int(rec) + 1), fld, reason, raw) for rec, fld, reason, raw in bad])
