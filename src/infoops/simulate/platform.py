"""The platform being simulated: its accounts, its post stream and a pool of repostable posts.

Groups add accounts (`Platform.add_accounts`) and emit posts in vectorised
chunks (`Platform.emit`); chunks go straight to Parquet part files in a scratch
folder, so memory stays bounded whatever the scale. `writer.write_outputs` then
sorts them by tweet id and writes the IO-archive CSVs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from infoops.simulate import textgen as tg
from infoops.simulate.params import SimParams
from infoops.simulate.timing import date_ms, snowflake, user_ids

POST_SCHEMA = pa.schema(
    [
        ("tweetid", pa.int64()),
        ("user", pa.int32()),
        ("ms", pa.int64()),
        ("lang", pa.string()),
        ("text", pa.string()),
        ("client", pa.string()),
        ("reply_user", pa.int32()),
        ("reply_tid", pa.int64()),
        ("quote_tid", pa.int64()),
        ("rt_user", pa.int32()),
        ("rt_tid", pa.int64()),
        ("hashtags", pa.string()),
        ("urls", pa.string()),
        ("mentions", pa.string()),
        ("like_count", pa.int32()),
        ("retweet_count", pa.int32()),
        ("reply_count", pa.int32()),
        ("quote_count", pa.int32()),
    ]
)

ACCOUNT_COLUMNS = (
    "created_ms",
    "followers",
    "following",
    "lang",
    "tz",
    "client",
    "handle",
    "display_name",
    "description",
    "location",
    "url",
    "group",
    "campaign",
    "role",
    "is_io",
    "dest",
    "userid",
)
PHONE_CLIENTS = ["Twitter for iPhone", "Twitter for Android", "Twitter Web App", "Twitter for iPad"]
PHONE_WEIGHTS = np.array([0.42, 0.38, 0.16, 0.04])


@dataclass
class Accounts:
    """Column arrays of every account (archive and prior), appended group by group."""

    parts: dict[str, list[np.ndarray]] = field(
        default_factory=lambda: {c: [] for c in ACCOUNT_COLUMNS}
    )
    n: int = 0
    handles: set[str] = field(default_factory=set)
    ids: set[int] = field(default_factory=set)
    _cache: dict[str, np.ndarray] = field(default_factory=dict)

    def add(self, cols: dict[str, np.ndarray]) -> np.ndarray:
        k = len(cols["created_ms"])
        for c in ACCOUNT_COLUMNS:
            self.parts[c].append(np.asarray(cols[c]))
        self._cache.clear()
        idx = np.arange(self.n, self.n + k, dtype=np.int32)
        self.n += k
        return idx

    def col(self, name: str) -> np.ndarray:
        if name not in self._cache:
            parts = self.parts[name]
            self._cache[name] = np.concatenate(parts) if parts else np.zeros(0)
        return self._cache[name]

    def unique_ids(self, ids: np.ndarray) -> np.ndarray:
        out = ids.copy()
        for i, v in enumerate(out.tolist()):
            while v in self.ids:
                v += 1
            self.ids.add(v)
            out[i] = v
        return out

    def unique_handles(self, cands: list[str]) -> list[str]:
        out = []
        for i, h in enumerate(cands):
            h2 = h[:15]
            k = 0
            while h2 in self.handles:
                k += 1
                h2 = f"{h[:11]}{(i * 7 + k * 13) % 10000}"
            self.handles.add(h2)
            out.append(h2)
        return out


@dataclass
class Pool:
    """Originals that others may repost, reply to or quote (a bounded sample)."""

    tid: list[np.ndarray] = field(default_factory=list)
    user: list[np.ndarray] = field(default_factory=list)
    ms: list[np.ndarray] = field(default_factory=list)
    text: list[pa.Array] = field(default_factory=list)
    weight: list[np.ndarray] = field(default_factory=list)

    def add(
        self, tid: np.ndarray, user: np.ndarray, ms: np.ndarray, text: pa.Array, weight: np.ndarray
    ) -> None:
        self.tid.append(tid)
        self.user.append(user)
        self.ms.append(ms)
        self.text.append(text)
        self.weight.append(weight)

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, pa.Array, np.ndarray]:
        return (
            np.concatenate(self.tid),
            np.concatenate(self.user),
            np.concatenate(self.ms),
            pa.concat_arrays(self.text) if self.text else pa.array([], pa.string()),
            np.concatenate(self.weight),
        )


def unique_pairs(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Mask keeping the first occurrence of each (a, b) pair."""
    order = np.lexsort((b, a))
    sa, sb = a[order], b[order]
    dup = np.zeros(len(a), dtype=bool)
    dup[1:] = (sa[1:] == sa[:-1]) & (sb[1:] == sb[:-1])
    keep = np.ones(len(a), dtype=bool)
    keep[order[dup]] = False
    return keep


class Platform:
    def __init__(self, params: SimParams, scratch: Path) -> None:
        self.p = params
        self.rng = np.random.default_rng(params.seed)
        self.t0 = date_ms(params.start)
        self.t1 = date_ms(params.end)
        self.acc = Accounts()
        self.pool = Pool()
        self.serial = 0
        self.scratch = scratch
        self._writers: dict[str, pq.ParquetWriter] = {}
        self.counts: dict[str, int] = {}
        self._tracked = np.zeros(0, dtype=np.int64)
        self._seen: set[tuple[int, int]] = set()

    # ---- sizes -------------------------------------------------------------------
    def size(self, key: str, base: float, minimum: int = 0) -> int:
        mult = self.p.sizes.get(key, 1.0)
        if mult <= 0:
            return 0
        return max(minimum, int(round(base * self.p.scale * mult)))

    # ---- accounts ----------------------------------------------------------------
    def add_accounts(self, **cols: object) -> np.ndarray:
        n = len(np.asarray(cols["created_ms"]))
        full: dict[str, np.ndarray] = {}
        defaults: dict[str, object] = {
            "description": "",
            "location": "",
            "url": "",
            "campaign": "",
            "role": "member",
            "is_io": 0,
            "dest": "archive",
        }
        if "client" not in cols:
            cols["client"] = np.array(PHONE_CLIENTS, dtype=object)[
                self.rng.choice(len(PHONE_CLIENTS), size=n, p=PHONE_WEIGHTS)
            ]
        for c in ACCOUNT_COLUMNS[:-1]:
            v = cols.get(c, defaults.get(c))
            if v is None:
                raise ValueError(f"account column {c} missing")
            arr = np.asarray(v)
            full[c] = np.full(n, v, dtype=object) if arr.ndim == 0 else arr
        full["handle"] = np.array(self.acc.unique_handles(list(full["handle"])), dtype=object)
        serial = np.arange(self.acc.n, self.acc.n + n, dtype=np.int64)
        full["userid"] = self.acc.unique_ids(user_ids(full["created_ms"].astype(np.int64), serial))
        return self.acc.add(full)

    # ---- posts -------------------------------------------------------------------
    def emit(
        self,
        user: np.ndarray,
        ms: np.ndarray,
        text: pa.Array,
        *,
        lang: np.ndarray | None = None,
        client: pa.Array | np.ndarray | None = None,
        hashtags: pa.ListArray | None = None,
        urls: pa.ListArray | None = None,
        mentions: pa.ListArray | None = None,
        reply_user: np.ndarray | None = None,
        reply_tid: np.ndarray | None = None,
        quote_tid: np.ndarray | None = None,
        rt_user: np.ndarray | None = None,
        rt_tid: np.ndarray | None = None,
        engagement: float = 1.0,
        dest: str = "archive",
        tag: str = "",
    ) -> np.ndarray:
        """Write one chunk of posts; returns their tweet ids."""
        n = len(user)
        if n == 0:
            return np.zeros(0, dtype=np.int64)
        serial = np.arange(self.serial, self.serial + n, dtype=np.int64)
        self.serial += n
        tid = snowflake(ms, serial)
        langs = lang if lang is not None else self.acc.col("lang")[user]
        tweet_lang = np.array([tg.TWEET_LANG.get(x, x) for x in np.unique(langs)], dtype=object)
        ul, inv = np.unique(langs, return_inverse=True)
        lang_arr = pa.array(tweet_lang, pa.string()).take(pa.array(inv.ravel()))
        if client is None:
            client = self.acc.col("client")[user]
        empty = tg.empty_lists(n)
        is_rt = rt_tid is not None
        likes, rts, reps, quotes = self._engagement(user, n, 0.0 if is_rt else engagement)

        def ids(a: np.ndarray | None, kind: pa.DataType) -> pa.Array:
            if a is None:
                return pa.nulls(n, kind)
            return pa.array(a, kind, mask=(a < 0) if kind == pa.int32() else (a <= 0))

        batch = pa.record_batch(
            [
                pa.array(tid),
                pa.array(user.astype(np.int32)),
                pa.array(ms.astype(np.int64)),
                lang_arr,
                text,
                pa.array(client, pa.string()) if not isinstance(client, pa.Array) else client,
                ids(reply_user, pa.int32()),
                ids(reply_tid, pa.int64()),
                ids(quote_tid, pa.int64()),
                ids(rt_user, pa.int32()),
                ids(rt_tid, pa.int64()),
                tg.literal(hashtags if hashtags is not None else empty),
                tg.literal(urls if urls is not None else empty),
                tg.literal(mentions if mentions is not None else empty),
                pa.array(likes),
                pa.array(rts),
                pa.array(reps),
                pa.array(quotes),
            ],
            schema=POST_SCHEMA,
        )
        self._writer(dest).write_batch(batch)
        key = f"{dest}:{tag}" if tag else dest
        self.counts[key] = self.counts.get(key, 0) + n
        return tid

    def _engagement(self, user: np.ndarray, n: int, scale: float) -> tuple[np.ndarray, ...]:
        if scale <= 0:
            z = np.zeros(n, dtype=np.int32)
            return z, z, z, z
        f = self.acc.col("followers")[user].astype(np.float64)
        lam = scale * 0.02 * (f + 1) ** 0.75 * self.rng.lognormal(0, 1.0, size=n)
        likes = self.rng.poisson(np.minimum(lam, 1e7))
        rts = self.rng.poisson(np.minimum(lam * 0.25, 1e7))
        reps = self.rng.poisson(np.minimum(lam * 0.08, 1e7))
        quotes = self.rng.poisson(np.minimum(lam * 0.03, 1e7))
        return tuple(x.astype(np.int32) for x in (likes, rts, reps, quotes))

    def _writer(self, dest: str) -> pq.ParquetWriter:
        if dest not in self._writers:
            self.scratch.mkdir(parents=True, exist_ok=True)
            self._writers[dest] = pq.ParquetWriter(
                self.scratch / f"{dest}_posts.parquet", POST_SCHEMA, compression="snappy"
            )
        return self._writers[dest]

    def close(self) -> None:
        for w in self._writers.values():
            w.close()
        self._writers.clear()

    def to_pool(
        self, tid: np.ndarray, user: np.ndarray, ms: np.ndarray, text: pa.Array, keep: float = 1.0
    ) -> None:
        """Offer originals to the repost pool; keep a fraction (bounded memory)."""
        if keep < 1.0:
            sel = np.flatnonzero(self.rng.random(len(tid)) < keep)
            tid, user, ms, text = tid[sel], user[sel], ms[sel], text.take(pa.array(sel))
        w = (self.acc.col("followers")[user].astype(np.float64) + 10) ** 0.7
        self.pool.add(tid, user, ms, text, w)

    # ---- reposts -----------------------------------------------------------------
    def repost(
        self,
        user: np.ndarray,
        ms: np.ndarray,
        orig_tid: np.ndarray,
        orig_user: np.ndarray,
        orig_text: pa.Array,
        orig_lang: np.ndarray | None = None,
        **kw: object,
    ) -> np.ndarray:
        """Emit retweets of the given originals ('RT @handle: text', retweet ids set).

        An account retweets a post at most once (within the batch) and never its own.
        """
        keep = unique_pairs(user, orig_tid) & (user != orig_user) & self._unseen(user, orig_tid)
        if not keep.all():
            sel = np.flatnonzero(keep)
            user, ms, orig_tid, orig_user = user[sel], ms[sel], orig_tid[sel], orig_user[sel]
            orig_text = orig_text.take(pa.array(sel))
            orig_lang = None if orig_lang is None else orig_lang[sel]
        handles = pa.array(self.acc.col("handle")[orig_user], pa.string())
        text = tg.concat("RT @", handles, ": ", orig_text)
        lang = orig_lang if orig_lang is not None else self.acc.col("lang")[orig_user]
        return self.emit(user, ms, text, lang=lang, rt_user=orig_user, rt_tid=orig_tid, **kw)  # type: ignore[arg-type]

    def track(self, tids: np.ndarray) -> None:
        """Posts reposted in several phases (idol posts, cascades): remember who reposted them."""
        self._tracked = np.union1d(self._tracked, tids)

    def _unseen(self, user: np.ndarray, tid: np.ndarray) -> np.ndarray:
        ok = np.ones(len(user), dtype=bool)
        rows = np.flatnonzero(np.isin(tid, self._tracked))
        for i, key in zip(
            rows.tolist(), zip(user[rows].tolist(), tid[rows].tolist(), strict=True), strict=True
        ):
            if key in self._seen:
                ok[i] = False
            else:
                self._seen.add(key)
        return ok

    def handle_strings(self, users: np.ndarray) -> pa.Array:
        return pa.array(self.acc.col("handle")[users], pa.string())

    def userid_lists(self, users: np.ndarray, lengths: np.ndarray) -> pa.ListArray:
        """user_mentions lists (numeric user ids as strings) of the given accounts."""
        ids = pa.array(self.acc.col("userid")[users].astype(str), pa.string())
        return tg.make_lists(ids, lengths)

    def text_len(self, text: pa.Array) -> np.ndarray:
        return np.asarray(pc.utf8_length(text))
