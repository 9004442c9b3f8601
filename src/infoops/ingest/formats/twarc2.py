"""Twitter API v2 as twarc2 writes it: paged responses or flattened lines (JSONL, gzip too).

Paged responses carry `data` plus `includes`: included tweets and users become
rows too (ranked below a file's own records). Flattened lines carry the
author and referenced tweets inline. Error objects are counted and skipped; a
truncated or malformed line is rejected with its line number.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from infoops.ingest.formats.base import (
    DERIVED,
    PRIMARY,
    FileStats,
    InputFormat,
    LoadContext,
    Sample,
)
from infoops.ingest.formats.jsonstream import iter_values
from infoops.ingest.formats.rows import Batch, dumps, id_str, parse_time, snowflake_time, to_int
from infoops.registry import formats

PLATFORM = "twitter"
# referenced_tweets types, in the order that decides a post's kind
REF_KINDS = (("retweeted", "repost"), ("quoted", "quote"), ("replied_to", "reply"))


def is_v2_tweet(d: Any) -> bool:
    return isinstance(d, dict) and "text" in d and ("author_id" in d or "edit_history_tweet_ids" in d)


def is_v2_user(d: Any) -> bool:
    return isinstance(d, dict) and "username" in d and "id" in d and "text" not in d


def is_error(d: Any) -> bool:
    return isinstance(d, dict) and "data" not in d and ("errors" in d or {"title", "detail"} <= d.keys())


def _first(sample: Sample) -> Any:
    v = sample.first
    return v[0] if isinstance(v, list) and v else v


@formats.register("twarc2")
class Twarc2(InputFormat):
    """twarc2 / API v2 JSONL: paged responses (data/includes/meta) or flattened tweets."""

    name: ClassVar[str] = "twarc2"
    description: ClassVar[str] = "Twitter API v2 JSON(L) as written by twarc2, paged or flattened"

    @classmethod
    def sniff(cls, sample: Sample) -> int:
        d = _first(sample)
        if sample.kind != "json" or not isinstance(d, dict):
            return 0
        if "data" in d or "includes" in d or is_v2_tweet(d) or is_v2_user(d):
            return 10
        if is_error(d) or {"id", "action", "reason"} <= d.keys():  # error objects, compliance events
            return 5
        return 0

    def load(self, ctx: LoadContext, path: Path) -> FileStats:
        stats = FileStats(ctx.label, self.name)
        batch = Batch(ctx)
        rejects: list[tuple[int | None, str | None, str, str | None]] = []
        for v in iter_values(path):
            stats.rows_read += 1
            if v.error:
                rejects.append((v.line, None, v.error, v.raw))
                continue
            got = self._value(v.value, batch, stats)
            if got is None:
                rejects.append((v.line, "id", "tweet without id or author_id", None))
            elif got:
                stats.rows_accepted += 1
            else:
                stats.skipped += 1
        batch.flush()
        ctx.reject(rejects)
        stats.rows_rejected = len(rejects)
        stats.posts, stats.accounts = batch.n_posts, batch.n_accounts
        return stats

    def _value(self, d: Any, batch: Batch, stats: FileStats) -> bool | None:
        """Stage one JSON value; True if it held records, False if none (skipped), None if invalid."""
        if not isinstance(d, dict) or is_error(d):
            if isinstance(d, dict) and is_error(d):
                stats.api_errors += len(d["errors"]) if isinstance(d.get("errors"), list) else 1
            return False
        if "data" in d or "includes" in d:
            return self._page(d, batch, stats)
        if is_v2_tweet(d):
            return _flat_tweet(d, batch, PRIMARY)
        if is_v2_user(d):
            batch.account(user_row(d, PRIMARY))
            return True
        return False

    def _page(self, d: dict[str, Any], batch: Batch, stats: FileStats) -> bool | None:
        inc = d.get("includes") or {}
        authors = {t["id"]: t.get("author_id") for t in inc.get("tweets", []) if isinstance(t, dict) and "id" in t}
        data = d.get("data")
        items = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
        any_rec = False
        for item in items:
            if is_v2_tweet(item):
                row = tweet_row(item, PRIMARY, authors)
                if row is None:
                    return None
                _stage_tweet(item, row, batch)
                any_rec = True
            elif is_v2_user(item):
                batch.account(user_row(item, PRIMARY))
                any_rec = True
        for t in inc.get("tweets", []):
            row = tweet_row(t, DERIVED, authors) if is_v2_tweet(t) else None
            if row is not None:
                _stage_tweet(t, row, batch)
        for u in inc.get("users", []):
            if is_v2_user(u):
                batch.account(user_row(u, PRIMARY))
        if isinstance(d.get("errors"), list):
            stats.api_errors += len(d["errors"])
        return any_rec


def _stage_tweet(t: dict[str, Any], row: dict[str, Any], batch: Batch) -> None:
    batch.post(row)
    history = t.get("edit_history_tweet_ids") or []
    if len(history) > 1:
        latest = str(history[-1])
        batch.superseded.extend((str(h), latest) for h in history[:-1])


def _flat_tweet(d: dict[str, Any], batch: Batch, rank: int) -> bool | None:
    """A flattened tweet: author and referenced tweets are inline."""
    refs = [r for r in d.get("referenced_tweets") or [] if isinstance(r, dict)]
    authors = {r["id"]: r.get("author_id") for r in refs if "id" in r}
    row = tweet_row(d, rank, authors)
    if row is None:
        return None
    _stage_tweet(d, row, batch)
    if isinstance(d.get("author"), dict):
        batch.account(user_row(d["author"], PRIMARY))
    for r in refs:
        if is_v2_tweet(r):
            _flat_tweet(r, batch, DERIVED)
    return True


def tweet_row(t: dict[str, Any], rank: int, authors: dict[str, Any]) -> dict[str, Any] | None:
    post_id, author = id_str(t.get("id")), id_str(t.get("author_id"))
    if post_id is None or author is None:
        return None
    kind, ref, ref_acc = "post", None, None
    refs = {r.get("type"): id_str(r.get("id")) for r in t.get("referenced_tweets") or [] if isinstance(r, dict)}
    for rtype, k in REF_KINDS:
        if refs.get(rtype):
            kind, ref = k, refs[rtype]
            ref_acc = id_str(t.get("in_reply_to_user_id")) if k == "reply" else id_str(authors.get(ref or ""))
            break
    ent = t.get("entities") or {}
    metrics = t.get("public_metrics") or {}
    created = parse_time(t.get("created_at")) or snowflake_time(post_id)
    return {
        "post_id": post_id, "account_id": author, "platform": PLATFORM, "created_at": created,
        "time_precision": "s" if created else None, "text": t.get("text"), "lang": t.get("lang") or None,
        "kind": kind, "ref_post_id": ref, "ref_account_id": ref_acc,
        "hashtags": [str(h.get("tag", "")).lower() for h in ent.get("hashtags") or [] if h.get("tag")],
        "urls": [u.get("expanded_url") or u.get("url") for u in ent.get("urls") or [] if u.get("expanded_url") or u.get("url")],
        "mentions": [m.get("username") for m in ent.get("mentions") or [] if m.get("username")],
        "client": t.get("source") or None,
        "like_count": to_int(metrics.get("like_count")), "repost_count": to_int(metrics.get("retweet_count")),
        "reply_count": to_int(metrics.get("reply_count")), "quote_count": to_int(metrics.get("quote_count")),
        "extra": dumps({"conversation_id": t.get("conversation_id"), "withheld": t.get("withheld"),
                        "edit_history_tweet_ids": t.get("edit_history_tweet_ids") if len(t.get("edit_history_tweet_ids") or []) > 1 else None}),
        "_rank": rank * 10 + 1,
    }


def user_row(u: dict[str, Any], rank: int) -> dict[str, Any]:
    m = u.get("public_metrics") or {}
    return {
        "account_id": id_str(u.get("id")), "platform": PLATFORM, "handle": u.get("username") or None,
        "display_name": u.get("name") or None, "description": u.get("description") or None,
        "location": u.get("location") or None, "url": u.get("url") or None,
        "followers": to_int(m.get("followers_count")), "following": to_int(m.get("following_count")),
        "created_at": parse_time(u.get("created_at")), "lang": None, "hashed": False,
        "extra": dumps({"verified": u.get("verified"), "verified_type": u.get("verified_type"),
                        "protected": u.get("protected"), "tweet_count": m.get("tweet_count")}),
        "_rank": rank * 10_000_000_000_000,
    }
