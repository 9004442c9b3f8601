"""identical_text: accounts posting the same normalised text within a time window.

Text is normalised with `infoops.detect.text.normalize` (case, URLs, mentions,
RT prefix, whitespace, traditional→simplified Chinese). Reposts are left out
(their text is the original's). Normalised texts shorter than `min_chars` do
not count ("ok", "lol", "+1"). Each distinct normalised text becomes one shared
object of the generic co-action computation (`infoops.detect.coaction`):
explosion-safe pairing of time-ordered neighbours, idf weights (a text posted
by thousands of accounts weighs little), activity filter, and a threshold from
the time-shift null model.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from infoops.detect.coaction import (
    DEFAULT_MAX_FANOUT,
    DEFAULT_MIN_ACTIVITY,
    DEFAULT_MIN_SHARED,
    CoActionSignal,
)
from infoops.detect.nullmodel import DEFAULT_ALPHA, fdr_threshold, shift_plan
from infoops.detect.sql import ident, shifted_time_sql
from infoops.detect.text import normalize_many
from infoops.registry import signals

DEFAULT_TEXT_WINDOW = 3600.0
DEFAULT_MIN_CHARS = 16

# Maps the distinct normalised texts (those long enough; an Arrow string array
# without nulls) to object ids; returns an int64 id per text (-1: not an object)
# and figures for stats_.
ObjectMapper = Callable[[pa.Array], tuple[np.ndarray, dict[str, Any]]]


@dataclass
class _NormCache:
    """Normalised distinct texts of the last posts table seen (identical_text and
    near_duplicate read the same texts; the second signal reuses the first's work)."""

    fingerprint: tuple[int, int] = (-1, -1)
    hashes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))
    norm: pa.Array = field(default_factory=lambda: pa.array([], pa.string()))


_CACHE = _NormCache()


# the normalised texts are cached for the next text signal up to this many distinct texts
CACHE_MAX_TEXTS = 2_000_000
# distinct texts normalised at once (as Python strings)
NORMALISE_CHUNK = 500_000


def _normalised(con: duckdb.DuckDBPyConnection, src: str, texts: str) -> tuple[np.ndarray, pa.Array, bool]:
    """(hash of each distinct raw text, its normalised form, whether it came from the cache).

    `src` holds the posts' text hashes `h`; the texts themselves are read from
    the query `texts` (columns h, text) only when the cache does not hold them.
    """
    row = con.execute(f"SELECT count(*), coalesce(bit_xor(h), 0) FROM (SELECT DISTINCT h FROM {src})").fetchall()[0]
    fp = (int(row[0]), int(row[1]))
    if fp == _CACHE.fingerprint:
        return _CACHE.hashes, _CACHE.norm, True
    tbl = con.sql(f"SELECT h, any_value(text) AS text FROM ({texts}) GROUP BY h").to_arrow_table()
    hashes = np.asarray(tbl.column("h").to_numpy(), dtype=np.uint64)
    raw = tbl.column("text")
    del tbl
    # Python strings NORMALISE_CHUNK at a time (all of 10M posts' texts as Python strings are GBs)
    norm = pa.concat_arrays(
        [
            pa.array(normalize_many(chunk.slice(lo, NORMALISE_CHUNK).to_pylist()), pa.string())
            for chunk in raw.chunks
            for lo in range(0, len(chunk), NORMALISE_CHUNK)
        ]
        or [pa.array([], pa.string())]
    )
    del raw
    if len(norm) <= CACHE_MAX_TEXTS:
        _CACHE.fingerprint, _CACHE.hashes, _CACHE.norm = fp, hashes, norm
    else:  # GBs of texts: not kept alive beside the next signal's arrays (normalised again instead)
        _CACHE.fingerprint, _CACHE.hashes, _CACHE.norm = (-1, -1), np.zeros(0, np.uint64), pa.array([], pa.string())
    return hashes, norm, False


def ordered_codes(codes: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """`codes` (>= 0, or -1 for none) renumbered 0.. in the order of each code's smallest key.

    `keys` (distinct, one per row) are the raw texts' hashes, so the object ids become a
    function of the texts alone. `dictionary_encode` numbers the texts in the order DuckDB's
    GROUP BY returns them, which changes from run to run with threads (and with the table's
    row order); the co-action core breaks ties between equally popular objects by id and
    the shuffle null permutes the actions in id order, so the ids must not change.
    """
    valid = codes >= 0
    if not valid.any():
        return codes
    smallest = np.full(int(codes.max()) + 1, np.iinfo(np.uint64).max, dtype=np.uint64)
    np.minimum.at(smallest, codes[valid], np.asarray(keys, dtype=np.uint64)[valid])
    rank = np.empty(smallest.size, dtype=np.int64)
    rank[np.argsort(smallest)] = np.arange(smallest.size)  # distinct keys: no ties
    return np.where(valid, rank[np.maximum(codes, 0)], -1)


def text_actions(
    con: duckdb.DuckDBPyConnection,
    posts: str,
    out: str,
    min_chars: int,
    mapper: ObjectMapper | None = None,
) -> dict[str, Any]:
    """Create temp table `out(account_id, object, t, post_id)` of original posts' text objects.

    Distinct raw texts (by 64-bit hash) are normalised once in Python;
    normalised texts shorter than `min_chars` are dropped; the rest get an
    object id (by default one per distinct normalised text, or whatever
    `mapper` assigns to the distinct normalised texts).
    """
    t0 = time.perf_counter()
    where = "WHERE coalesce(kind, 'post') <> 'repost' AND text IS NOT NULL AND created_at IS NOT NULL"
    # a subquery, not a temp table: DuckDB holds nothing of 10M posts through the near-duplicate
    # computation (the posts are read three times: fingerprint, texts, objects)
    src = f"(SELECT post_id, account_id, epoch(created_at) AS t, hash(text) AS h FROM {ident(posts)} {where})"
    hashes, norm, cached = _normalised(con, src, f"SELECT hash(text) AS h, text FROM {ident(posts)} {where}")
    t_norm = time.perf_counter()
    keep = pc.greater_equal(pc.utf8_length(norm), min_chars)
    enc = pc.if_else(keep, norm, pa.scalar(None, pa.string())).dictionary_encode()
    n_raw = len(norm)
    del norm  # the cache's copy (if any) is all that is kept
    tid = np.asarray(enc.indices.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)
    distinct = enc.dictionary
    if mapper is None:  # (a mapper numbers its objects itself, independently of the texts' order)
        tid = ordered_codes(tid, hashes)
    stats: dict[str, Any] = {
        "raw_texts_distinct": n_raw,
        "texts_too_short": n_raw - int(pc.sum(keep).as_py() or 0),
        "texts_distinct": len(distinct),
        "normalisation_cached": cached,
    }
    if mapper is not None:
        obj_of_text, extra = mapper(distinct)
        stats.update(extra)
        if len(obj_of_text):
            tid = np.where(tid >= 0, obj_of_text[np.maximum(tid, 0)], -1)
    del enc, distinct, keep
    mapping = pa.table({"h": pa.array(hashes, pa.uint64()), "object": pa.array(tid, pa.int64())})
    view = ident(out) + "_map"
    con.register(view, mapping)
    try:
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE {ident(out)} AS
            SELECT s.account_id, m.object, s.t, s.post_id FROM {src} s
            JOIN {view} m ON s.h = m.h WHERE m.object >= 0"""
        )
    finally:
        con.unregister(view)
    stats["seconds_normalize"] = round(t_norm - t0, 3)
    stats["seconds_objects"] = round(time.perf_counter() - t0, 3)
    return stats


class TextSignal(CoActionSignal):
    """A co-action signal whose shared object is derived from the text of original posts.

    With `episodes = True` the shared object is an *episode* of a text object:
    its posts ordered by time, cut wherever two consecutive posts are more than
    `window` apart. Two posts within the window always fall in the same
    episode, so pairing is unchanged, but an account pair that meets on the
    same text object on ten separate occasions counts ten events, not one.
    With the "shift" null the episodes are recomputed from the shifted times;
    the "shuffle" null keeps times (accounts move among the action slots), so
    the episodes stay as they are.
    """

    min_chars: int
    episodes: ClassVar[bool] = False

    def text_mapper(self) -> ObjectMapper | None:
        return None

    def _actions_table(self) -> str:
        return ident(f"_io_{self.name}_text")

    def actions_sql(self, posts: str, accounts: str) -> str:
        return f"SELECT account_id, object, t, post_id FROM {self._actions_table()}"

    def fit(self, con: duckdb.DuckDBPyConnection, posts: str = "posts", accounts: str = "accounts") -> TextSignal:
        table = self._actions_table()
        text_stats = text_actions(con, posts, table, self.min_chars, self.text_mapper())
        try:
            if self.episodes and self.window is not None:
                self._fit_episodes(con, table, float(self.window))
            else:
                super().fit(con, posts, accounts)
        finally:
            con.execute(f"DROP TABLE IF EXISTS {table}")
        self.stats_ = {**text_stats, **self.stats_}
        self.stats_["seconds"] = round(float(self.stats_.get("seconds", 0.0)) + text_stats["seconds_objects"], 3)
        return self

    def _inner(self, suffix: str, table: str, null: str) -> _TableSignal:
        return _TableSignal(
            f"{self.name}_{suffix}", table, self.window, self.max_fanout, self.min_activity,
            null=null, alpha=self.alpha, min_weight=self.min_weight, seed=self.seed, min_shared=self.min_shared,
        )

    def _fit_episodes(self, con: duckdb.DuckDBPyConnection, table: str, window: float) -> None:
        t0 = time.perf_counter()
        ep = ident(table + "_ep")
        con.execute(f"CREATE OR REPLACE TEMP TABLE {ep} AS {episodes_sql(table, 't', window)}")
        if self.null != "shift":  # the shuffle null keeps times, hence episodes: the generic path
            inner = self._inner("real", ep, self.null).fit(con)
            con.execute(f"DROP TABLE IF EXISTS {ep}")
            self.edges_, self.threshold_ = inner.edges_, inner.threshold_
            self.stats_ = {**inner.stats_, "method": f"{inner.stats_['method']},episodes"}
            return
        real = self._inner("real", ep, "none").fit(con)
        stats = dict(real.stats_)
        real_w = np.asarray(real.edges_.column("weight").to_numpy(), dtype=np.float64)
        threshold = float(self.min_weight)
        stats["null_edges"] = 0
        if self.null == "shift" and real_w.size:
            row = con.execute(f"SELECT min(t), max(t) FROM {table}").fetchall()[0]
            plan = shift_plan(float(row[0]), float(row[1]), window)
            shifted = shifted_time_sql(plan, self.seed)
            con.execute(f"CREATE OR REPLACE TEMP TABLE {ep} AS {episodes_sql(table, shifted, window)}")
            null = self._inner("null", ep, "none").fit(con)
            null_w = np.asarray(null.edges_.column("weight").to_numpy(), dtype=np.float64)
            stats["null_edges"] = int(null_w.size)
            stats["null_max"] = float(null_w.max()) if null_w.size else 0.0
            threshold = max(threshold, fdr_threshold(real_w, null_w, self.alpha))
        con.execute(f"DROP TABLE IF EXISTS {ep}")
        keep = pc.greater_equal(real.edges_.column("weight"), threshold)
        self.edges_ = real.edges_.filter(keep)
        self.threshold_ = threshold
        stats["edges_raw"] = int(real_w.size)
        stats["edges_kept"] = int(self.edges_.num_rows)
        stats["edges_below_threshold"] = stats["edges_raw"] - stats["edges_kept"]
        stats["method"] = f"null:{self.null}" + (f",fdr<={self.alpha}" if self.null == "shift" else "") + ",episodes"
        stats["seconds"] = round(time.perf_counter() - t0, 3)
        self.stats_ = stats


def episodes_sql(table: str, time_expr: str, window: float) -> str:
    """Actions of `table` whose object becomes (object, episode) at times `time_expr` (see TextSignal)."""
    return f"""
        WITH s AS (SELECT account_id, object, {time_expr} AS t, post_id FROM {ident(table)}),
        b AS (
            SELECT *, CASE WHEN t - lag(t) OVER (PARTITION BY object ORDER BY t, post_id) > {float(window)!r}
                      THEN 1 ELSE 0 END AS brk
            FROM s
        )
        SELECT account_id,
               object * 4294967296 + sum(brk) OVER (PARTITION BY object ORDER BY t, post_id
                                                    ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS object,
               t, post_id
        FROM b"""


class _TableSignal(CoActionSignal):
    """Co-action over a prepared actions table (the episodes of a text signal)."""

    def __init__(
        self,
        name: str,
        table: str,
        window: float | None,
        max_fanout: int | None,
        min_activity: int,
        null: str = "none",
        alpha: float = DEFAULT_ALPHA,
        min_weight: float = 0.0,
        seed: int = 1,
        min_shared: int = DEFAULT_MIN_SHARED,
    ) -> None:
        super().__init__(window, max_fanout, min_activity, alpha, null, min_weight, seed, min_shared)
        self.name = name  # type: ignore[misc]
        self.table = table

    def get_params(self) -> dict[str, Any]:
        return {"table": self.table, "window": self.window, "max_fanout": self.max_fanout}

    def actions_sql(self, posts: str, accounts: str) -> str:
        return f"SELECT account_id, object, t, post_id FROM {ident(self.table)}"


@signals.register("identical_text")
class IdenticalText(TextSignal):
    """Two accounts post the same normalised text with |t1 - t2| <= window.

    Parameters as `CoActionSignal` (window in seconds, default one hour), plus
    `min_chars`: normalised texts shorter than this are not shared objects.
    Weights and thresholds as every co-action signal (idf-weighted shrunk
    cosine of the shared texts, null-model FDR threshold).
    """

    name = "identical_text"
    description = "posting the same normalised text within the window"

    def __init__(
        self,
        window: float | None = DEFAULT_TEXT_WINDOW,
        max_fanout: int | None = DEFAULT_MAX_FANOUT,
        min_activity: int = DEFAULT_MIN_ACTIVITY,
        alpha: float = DEFAULT_ALPHA,
        null: str = "shuffle",
        min_weight: float = 0.0,
        seed: int = 1,
        min_shared: int = DEFAULT_MIN_SHARED,
        min_chars: int = DEFAULT_MIN_CHARS,
    ) -> None:
        super().__init__(window, max_fanout, min_activity, alpha, null, min_weight, seed, min_shared)
        self.min_chars = min_chars
