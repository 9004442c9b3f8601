"""Twitter API v1.1 statuses: JSON, JSONL, arrays, gzip; retweeted and quoted statuses too.

Also reads hashed v1.1 (fields suffixed `_h`, as in the Pacheco et al. case
studies) and wrappers holding a `tweets` list (e.g. bloc's per-account files).
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
from infoops.ingest.formats.rows import (
    Batch,
    dumps,
    id_str,
    parse_time,
    snowflake_time,
    strip_html,
    to_int,
)
from infoops.registry import formats

PLATFORM = "twitter"


def _get(d: dict[str, Any], *keys: str) -> Any:
    """The first present, non-empty value among `keys` (plain, then hashed `_h` variants)."""
    for k in keys:
        for name in (k, f"{k}_h"):
            v = d.get(name)
            if v not in (None, ""):
                return v
    return None


def _is_hashed(d: dict[str, Any]) -> bool:
    return "id_str" not in d and "id" not in d and ("id_str_h" in d or "id_h" in d)


def is_v1_tweet(d: Any) -> bool:
    return (
        isinstance(d, dict)
        and isinstance(d.get("user"), dict)
        and any(k in d for k in ("id", "id_str", "id_h", "id_str_h"))
        and any(k in d for k in ("text", "full_text", "text_m", "extended_tweet"))
    )


def _tweets_in(d: Any) -> list[Any]:
    if isinstance(d, dict) and isinstance(d.get("tweets"), list):
        return list(d["tweets"])
    return [d]


@formats.register("v1")
class V1(InputFormat):
    """Twitter API v1.1 statuses (JSON / JSONL / arrays / gzip)."""

    name: ClassVar[str] = "v1"
    description: ClassVar[str] = "Twitter API v1.1 statuses, with retweeted and quoted statuses"

    @classmethod
    def sniff(cls, sample: Sample) -> int:
        if sample.kind != "json":
            return 0
        d = sample.first
        if isinstance(d, list) and d:
            d = d[0]
        items = _tweets_in(d)
        return 10 if items and is_v1_tweet(items[0]) else 0

    def load(self, ctx: LoadContext, path: Path) -> FileStats:
        stats = FileStats(ctx.label, self.name)
        batch = Batch(ctx)
        rejects: list[tuple[int | None, str | None, str, str | None]] = []
        for v in iter_values(path):
            if v.error:
                stats.rows_read += 1
                rejects.append((v.line, None, v.error, v.raw))
                continue
            for item in _tweets_in(v.value):
                stats.rows_read += 1
                if not is_v1_tweet(item):
                    stats.skipped += 1
                elif stage_status(item, batch, PRIMARY):
                    stats.rows_accepted += 1
                else:
                    rejects.append((v.line, "id", "status without id or user id", None))
        batch.flush()
        ctx.reject(rejects)
        stats.rows_rejected = len(rejects)
        stats.posts, stats.accounts = batch.n_posts, batch.n_accounts
        return stats


def stage_status(t: dict[str, Any], batch: Batch, rank: int) -> bool:
    """Stage a status, its user, and its retweeted / quoted statuses."""
    row = status_row(t, rank)
    if row is None:
        return False
    batch.post(row)
    user = t.get("user")
    if isinstance(user, dict):
        batch.account(user_row(user, PRIMARY, row["created_at"]))
    for key in ("retweeted_status", "quoted_status"):
        inner = t.get(key)
        if isinstance(inner, dict) and is_v1_tweet(inner):
            stage_status(inner, batch, DERIVED)
    return True


def _text(t: dict[str, Any]) -> str | None:
    ext = t.get("extended_tweet")
    if isinstance(ext, dict) and ext.get("full_text"):
        return str(ext["full_text"])
    v = _get(t, "full_text", "text")
    return str(v) if v is not None else t.get("text_m")


def status_row(t: dict[str, Any], rank: int) -> dict[str, Any] | None:
    user = t.get("user") or {}
    post_id, author = id_str(_get(t, "id_str", "id")), id_str(_get(user, "id_str", "id"))
    if post_id is None or author is None:
        return None
    kind, ref, ref_acc = "post", None, None
    rt, qt = t.get("retweeted_status"), t.get("quoted_status")
    if isinstance(rt, dict):
        kind, ref, ref_acc = "repost", id_str(_get(rt, "id_str", "id")), id_str(_get(rt.get("user") or {}, "id_str", "id"))
    elif isinstance(qt, dict) or _get(t, "quoted_status_id_str"):
        q = qt if isinstance(qt, dict) else {}
        kind, ref = "quote", id_str(_get(q, "id_str", "id") or _get(t, "quoted_status_id_str"))
        ref_acc = id_str(_get(q.get("user") or {}, "id_str", "id"))
    elif _get(t, "in_reply_to_status_id_str", "in_reply_to_status_id"):
        kind, ref = "reply", id_str(_get(t, "in_reply_to_status_id_str", "in_reply_to_status_id"))
        ref_acc = id_str(_get(t, "in_reply_to_user_id_str", "in_reply_to_user_id"))
    ent = t.get("extended_tweet", {}).get("entities") if isinstance(t.get("extended_tweet"), dict) else None
    ent = ent or t.get("entities") or {}
    created = parse_time(t.get("created_at")) or parse_time(t.get("timestamp_ms")) or snowflake_time(post_id)
    return {
        "post_id": post_id, "account_id": author, "platform": PLATFORM, "created_at": created,
        "time_precision": "s" if created else None, "text": _text(t), "lang": t.get("lang") or None,
        "kind": kind, "ref_post_id": ref, "ref_account_id": ref_acc,
        "hashtags": [str(h.get("text", "")).lower().lstrip("#") for h in ent.get("hashtags") or [] if h.get("text")],
        "urls": [u.get("expanded_url") or u.get("url") for u in ent.get("urls") or [] if u.get("expanded_url") or u.get("url")],
        "mentions": [str(_get(m, "screen_name")) for m in ent.get("user_mentions") or [] if _get(m, "screen_name")],
        "client": strip_html(t.get("source")),
        "like_count": to_int(t.get("favorite_count")), "repost_count": to_int(t.get("retweet_count")),
        "reply_count": to_int(t.get("reply_count")), "quote_count": to_int(t.get("quote_count")),
        "extra": dumps({"hashed": True if _is_hashed(t) else None}),
        "_rank": rank * 10 + 1,
    }


def user_row(u: dict[str, Any], rank: int, seen_at: Any) -> dict[str, Any]:
    """A v1.1 user object; among copies, the one embedded in the latest status wins."""
    stamp = int(seen_at.timestamp() * 1000) if seen_at is not None else 0
    return {
        "account_id": id_str(_get(u, "id_str", "id")), "platform": PLATFORM,
        "handle": _get(u, "screen_name"), "display_name": _get(u, "name"),
        "description": u.get("description") or None, "location": u.get("location") or None,
        "url": u.get("url") or None, "followers": to_int(u.get("followers_count")),
        "following": to_int(u.get("friends_count")), "created_at": parse_time(u.get("created_at")),
        "lang": u.get("lang") or None, "hashed": _is_hashed(u),
        "extra": dumps({"verified": u.get("verified"), "statuses_count": u.get("statuses_count")}),
        "_rank": rank * 10_000_000_000_000 + stamp,
    }
