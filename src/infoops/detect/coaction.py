"""Generic windowed co-action signal: subclasses only say what the shared object is.

    class CoRepost(CoActionSignal):
        name = "co_repost"
        def actions_sql(self, posts): return f"SELECT account_id, ref_post_id AS object, ..."

`fit` runs the co-action steps twice: on the real actions, and on the actions
moved by the null model (`infoops.detect.nullmodel`), then keeps the real
edges above the data-driven threshold and attaches their evidence (post ids)
to them. Two engines compute the same edges: `engine="local"` (the default:
the actions pulled from DuckDB once, every step in numpy arrays,
`infoops.detect.local`) and `engine="sql"` (the engine-neutral relational
statements of `infoops.detect.sql`, the reference definition, which a
cluster engine can run).
"""

from __future__ import annotations

import time
from abc import abstractmethod
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from infoops.detect import local, localevidence, sql
from infoops.detect.base import EDGE_SCHEMA, MAX_EVIDENCE, Signal
from infoops.detect.nullmodel import (
    DEFAULT_ALPHA,
    fdr_threshold,
    shift_plan,
    shuffle_without_duplicates,
    stratified_thresholds,
)

DEFAULT_WINDOW = 60.0
DEFAULT_MAX_FANOUT = 50
DEFAULT_MIN_ACTIVITY = 2
DEFAULT_MIN_SHARED = 2
NULL_METHODS = ("shift", "shuffle", "none")
ENGINES = ("local", "sql")
DEFAULT_ENGINE = "local"
# actions above which the local engine runs the null pass after the real one, not beside it
SERIAL_NULL_ACTIONS = 2_000_000


class CoActionSignal(Signal):
    """Accounts acting on the same object within `window` seconds of each other.

    Parameters
    ----------
    window: seconds between two actions on the same object for them to pair
        (None: any time apart -- pair with the `max_fanout` next actions in time).
    max_fanout: each action pairs with at most this many following actions on
        the same object (None: all within the window; only for small data).
    min_activity: accounts with fewer actions of this kind are left out.
    alpha: tolerated ratio of null-model edges to real edges above the threshold.
    null: "shuffle" (the default: accounts permuted among the (object, time)
        slots, so bursts stay bursts -- see `_shuffled`), "shift" (each
        account's times shifted by a random offset: destroys bursts too, so
        viral cascades look coordinated; used by sync_activity, whose objects
        are time bins) or "none" (keep every pair; inspection and tests).
    min_weight: edges lighter than this are dropped whatever the null says.
    min_shared: pairs co-acting on fewer objects are dropped (a habit, not a one-off).
    seed: seed of the null model's per-account offsets.
    engine: "local" (numpy arrays, `infoops.detect.local`) or "sql" (the
        relational reference, `infoops.detect.sql`); both give the same edges.

    With `stratify = True` (set by a subclass, e.g. co_url_tfidf, or on an
    instance) the threshold is set per activity stratum
    (`nullmodel.stratified_thresholds`); the strata, their thresholds and the
    unstratified threshold go into `stats_`. It is off by default: on
    co_repost_author it admitted clusters of ordinary heavy reposters whose
    overlaps the configuration null underestimates (docs/detect.md).
    """

    stratify: bool = False

    def __init__(
        self,
        window: float | None = DEFAULT_WINDOW,
        max_fanout: int | None = DEFAULT_MAX_FANOUT,
        min_activity: int = DEFAULT_MIN_ACTIVITY,
        alpha: float = DEFAULT_ALPHA,
        null: str = "shuffle",
        min_weight: float = 0.0,
        seed: int = 1,
        min_shared: int = DEFAULT_MIN_SHARED,
        engine: str = DEFAULT_ENGINE,
    ) -> None:
        self.window = window
        self.max_fanout = max_fanout
        self.min_activity = min_activity
        self.alpha = alpha
        self.null = null
        self.min_weight = min_weight
        self.seed = seed
        self.min_shared = min_shared
        self.engine = engine

    @abstractmethod
    def actions_sql(self, posts: str, accounts: str) -> str:
        """SELECT account_id, object, t (epoch seconds, DOUBLE), post_id -- one row per action."""

    # -- hooks for subclasses that need another pairing window or edge score ----
    def pair_window(self) -> float | None:
        return None if self.window is None else float(self.window)

    def rebin(self) -> float | None:
        """Bin width when the object is a time bin (recomputed from shifted times), else None."""
        return None

    def finish_weights(self, edges: str, acts: str, n_accounts: int) -> str:
        """SQL over `edges(src, dst, weight, n_events)` giving the final weights.

        `acts` (account_id, object, post_id, n_obj, t) holds the actions the
        edges came from (real or null). Default: shrunk cosine (`cosine_sql`),
        so an edge measures how much of two accounts' activity is shared, not
        how active they are.
        """
        return cosine_sql(edges, acts, n_accounts, self.min_shared)

    # -- fitting ------------------------------------------------------------------
    def fit(
        self, con: duckdb.DuckDBPyConnection, posts: str = "posts", accounts: str = "accounts"
    ) -> CoActionSignal:
        if self.null not in NULL_METHODS:
            raise ValueError(f"null must be one of {NULL_METHODS}, got {self.null!r}")
        if self.engine not in ENGINES:
            raise ValueError(f"engine must be one of {ENGINES}, got {self.engine!r}")
        t0 = time.perf_counter()
        spec = sql.CoActionSQL(
            f"_io_{self.name}", self.pair_window(), self.max_fanout, self.min_activity, self.rebin()
        )
        if self.engine == "local":
            stats = self._fit_local(con, spec, posts, accounts)
        else:
            stats = self._fit_sql(con, spec, posts, accounts)
        stats["edges_kept"] = int(self.edges_.num_rows)
        stats["edges_below_threshold"] = stats["edges_raw"] - stats["edges_kept"]
        stats["stratified"] = bool(self.stratify and self.null != "none")
        stats["method"] = f"null:{self.null}" + (
            f",fdr<={self.alpha}" if self.null != "none" else ""
        )
        stats["seconds_pairs"] = round(stats.pop("_t_pairs") - t0, 3)
        stats["seconds"] = round(time.perf_counter() - t0, 3)
        self.stats_ = stats
        return self

    def _fit_local(
        self, con: duckdb.DuckDBPyConnection, spec: sql.CoActionSQL, posts: str, accounts: str
    ) -> dict[str, Any]:
        """Every step on arrays (`infoops.detect.local`)."""
        if type(self).finish_weights is not CoActionSignal.finish_weights:
            raise ValueError(f"{self.name} overrides finish_weights: use engine='sql'")
        with ThreadPoolExecutor(max_workers=2) as pool:
            # the compiled kernels load beside the DuckDB query (the first in a process: ~0.4 s)
            warm = pool.submit(local.warm_kernels)
            loaded = local.load_actions(
                con, self.actions_sql(posts, accounts), self.min_activity, spec.window is None, pool
            )
            warm.result()
            stats: dict[str, Any] = dict(loaded.stats)
            n_acc = max(int(stats["accounts_active"]), 1)
            args = (spec.window, spec.max_fanout, n_acc, self.min_shared)
            # the null model's pass and the evidence's lookup table are built beside the
            # real pass (the kernels, numpy and Arrow release the GIL); above
            # SERIAL_NULL_ACTIONS actions the null pass runs after the real one (two passes
            # at once double the peak memory: 8.7 GB for sync_activity at 10M posts)
            null_job = None
            serial = loaded.acts.acc.size > SERIAL_NULL_ACTIONS
            if self.null != "none" and not serial:
                null_job = pool.submit(
                    local.null_weights, con, spec, loaded.acts, self.null, self.seed, *args,
                    self.stratify,
                )
            first_job = pool.submit(localevidence.first_posts, loaded.acts)
            # without a null model the pairing splits over the pool (with one, the pool runs
            # the null pass, beside this one or after it: the peak memory stays that of one pass)
            real = local.weigh(loaded.acts, *args, pool=pool if self.null == "none" else None)
            if self.null != "none" and serial:
                null_job = pool.submit(
                    local.null_weights, con, spec, loaded.acts, self.null, self.seed, *args,
                    self.stratify,
                )
            stats["pairs"] = int(real.pairs.n_events.size)
            stats["_t_pairs"] = time.perf_counter()
            stats["edges_raw"] = int(real.weight.size)
            per_edge = np.full(real.weight.size, float(self.min_weight))
            stats["null_edges"] = 0
            if null_job is not None and real.weight.size:
                null_w, null_s = null_job.result()
                real_s = (
                    local.pair_strata(real, local.activity(loaded.acts, n_acc))
                    if self.stratify
                    else np.zeros(real.weight.size, dtype=np.int64)
                )
                per_edge = self._thresholds(real.weight, real_s, null_w, null_s, stats)
            threshold = float(per_edge.min()) if per_edge.size else float(self.min_weight)
            pt = real.pairs
            sel = real.weight >= per_edge
            kept, weight = np.flatnonzero(real.keep), real.weight
            if not sel.all():  # (with null "none" and min_weight 0 every edge stays)
                kept, weight = kept[sel], weight[sel]
            # every pair kept: kept is 0..n-1 and needs no gathering
            n_events = pt.n_events if kept.size == pt.n_events.size else pt.n_events[kept]
            ids = loaded.account_ids
            src = pool.submit(localevidence.account_ids, ids, pt.src, kept)
            dst = pool.submit(localevidence.account_ids, ids, pt.dst, kept)
            # half of the evidence computed in the pool once the ids are taken, half here
            evidence = localevidence.evidence(
                loaded, first_job.result(), pt, kept, MAX_EVIDENCE, pool
            )
            cols = {
                "src": src.result(),
                "dst": dst.result(),
                "weight": pa.array(weight, pa.float64()),
                "n_events": pa.array(n_events, pa.int64()),
                "evidence": evidence,
            }
        self.edges_ = pa.table(cols).cast(EDGE_SCHEMA)
        self.threshold_ = threshold
        return stats

    def _fit_sql(
        self, con: duckdb.DuckDBPyConnection, spec: sql.CoActionSQL, posts: str, accounts: str
    ) -> dict[str, Any]:
        """The relational reference (`infoops.detect.sql`), run in DuckDB."""
        prefix = spec.prefix
        raw = spec.t("raw")
        actions = self.actions_sql(posts, accounts)
        if self.pair_window() is None:
            # window-free: one action per (account, object), the first
            actions = f"""SELECT account_id, object, min(t) AS t, min(post_id) AS post_id
                          FROM ({actions}) GROUP BY account_id, object"""
        con.execute(f"CREATE OR REPLACE TEMP TABLE {raw} AS {actions}")
        stats: dict[str, Any] = sql.filter_actions(con, spec, raw)
        n_acc = max(int(stats["accounts_active"]), 1)
        pairs, real, null_w = spec.t("pairs"), spec.t("real"), spec.t("nullw")
        real_src = f"SELECT account_id, object, post_id, n_obj, t FROM {spec.t('acts')}"
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {pairs} AS {sql.pair_sql(spec, n_acc, real_src)}"
        )
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {spec.t('w0')} AS {sql.edge_weights_sql(pairs, self.min_shared)}"
        )
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {real} AS {self.finish_weights(spec.t('w0'), spec.t('acts'), n_acc)}"
        )
        stats["pairs"] = _count(con, spec.t("w0"))
        stats["_t_pairs"] = time.perf_counter()
        acts_for_strata = spec.t("acts") if self.stratify else None
        real_w, real_s = _weights(con, real, acts_for_strata)
        stats["edges_raw"] = int(real_w.size)
        per_edge = np.full(real_w.size, float(self.min_weight))
        stats["null_edges"] = 0
        if self.null != "none" and real_w.size:
            null_arr, null_s = self._null_weights(con, spec, n_acc, null_w)
            per_edge = self._thresholds(real_w, real_s, null_arr, null_s, stats)
        threshold = float(per_edge.min()) if per_edge.size else float(self.min_weight)
        kept = spec.t("kept")
        if acts_for_strata is None:
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE {kept} AS SELECT * FROM {real} WHERE weight >= ?",
                [threshold],
            )
        else:  # a threshold per stratum (each stratum's edges share one)
            strata, first = np.unique(real_s, return_index=True)
            con.register("_io_thresholds", pa.table({"stratum": strata, "th": per_edge[first]}))
            try:
                con.execute(
                    f"""CREATE OR REPLACE TEMP TABLE {kept} AS
                        SELECT r.* EXCLUDE (stratum) FROM ({_strata_sql(real, acts_for_strata)}) r
                        JOIN _io_thresholds USING (stratum) WHERE r.weight >= th"""
                )
            finally:
                con.unregister("_io_thresholds")
        self.edges_ = (
            con.sql(sql.evidence_sql(spec, pairs, kept, MAX_EVIDENCE))
            .to_arrow_table()
            .cast(EDGE_SCHEMA)
        )
        self.threshold_ = threshold
        sql.drop_temp(
            con,
            prefix,
            ["raw", "active", "acts", "k", "pairs", "w0", "real", "nullw", "nw0", "kept"],
        )
        return stats

    def _thresholds(
        self,
        real_w: np.ndarray,
        real_s: np.ndarray,
        null_w: np.ndarray,
        null_s: np.ndarray,
        stats: dict[str, Any],
    ) -> np.ndarray:
        """Per real edge, the threshold it must reach (stratified unless `stratify` is off); stats noted."""
        stats["null_edges"] = int(null_w.size)
        stats["null_max"] = float(null_w.max()) if null_w.size else 0.0
        overall = fdr_threshold(real_w, null_w, self.alpha)
        if self.stratify:
            per_edge, table = stratified_thresholds(real_w, real_s, null_w, null_s, self.alpha)
            stats["strata"] = table
            stats["threshold_unstratified"] = overall
        else:
            per_edge = np.full(real_w.size, overall)
        return np.maximum(per_edge, float(self.min_weight))

    def _null_weights(
        self, con: duckdb.DuckDBPyConnection, spec: sql.CoActionSQL, n_acc: int, out: str
    ) -> tuple[np.ndarray, np.ndarray]:
        npairs, nacts = spec.t("npairs"), spec.t("nacts")
        if self.null == "shuffle":
            con.register("_io_shuffled", _shuffled(con, spec.t("acts"), self.seed))
            source = "SELECT * FROM _io_shuffled"
        else:
            row = con.execute(f"SELECT min(t), max(t) FROM {spec.t('acts')}").fetchone()
            if row is None or row[0] is None:
                return np.zeros(0), np.zeros(0, dtype=np.int64)
            plan = shift_plan(float(row[0]), float(row[1]), spec.window or 0.0)
            source = sql.source_sql(spec, sql.shifted_time_sql(plan, self.seed))
        con.execute(f"CREATE OR REPLACE TEMP TABLE {nacts} AS {source}")
        if self.null == "shuffle":
            con.unregister("_io_shuffled")
        null_sql = sql.pair_sql(spec, n_acc, f"SELECT * FROM {nacts}")
        con.execute(f"CREATE OR REPLACE TEMP TABLE {npairs} AS {null_sql}")
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {spec.t('nw0')} AS {sql.edge_weights_sql(npairs, self.min_shared)}"
        )
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {out} AS {self.finish_weights(spec.t('nw0'), nacts, n_acc)}"
        )
        w = _weights(con, out, spec.t("acts") if self.stratify else None)
        con.execute(f"DROP TABLE IF EXISTS {npairs}")
        con.execute(f"DROP TABLE IF EXISTS {nacts}")
        return w


def _shuffled(con: duckdb.DuckDBPyConnection, acts: str, seed: int) -> pa.Table:
    """The actions with objects permuted among accounts (`shuffle_without_duplicates`).

    Every object keeps its number of actions, every account its number of
    actions; which account acts on which object is random. Each null action on
    an object takes the object's `n_obj` and the time of its first action (in
    (account, object, t, post) order), so all null actions on an object share
    one time. Co-actions that survive this are what activity and object
    popularity explain by chance. (`local.shuffled` is the same on arrays.)
    """
    tab = con.sql(
        f"SELECT account_id, object, post_id, n_obj, t FROM {sql.ident(acts)} ORDER BY account_id, object, t, post_id"
    ).to_arrow_table()
    acc = pc.dictionary_encode(tab.column("account_id")).combine_chunks().indices
    obj = pc.dictionary_encode(tab.column("object")).combine_chunks().indices
    perm_obj = shuffle_without_duplicates(
        np.asarray(acc, dtype=np.int64), np.asarray(obj, dtype=np.int64), seed
    )
    # move each object's identity and popularity together: rows of the first action of each code
    first = np.full(int(perm_obj.max()) + 1 if perm_obj.size else 0, -1, dtype=np.int64)
    codes = np.asarray(obj, dtype=np.int64)
    first[codes[::-1]] = np.arange(codes.size - 1, -1, -1)
    take = pa.array(first[perm_obj])
    return pa.table(
        {
            "account_id": tab.column("account_id"),
            "object": tab.column("object").take(take),
            "post_id": tab.column("post_id"),
            "n_obj": tab.column("n_obj").take(take),
            "t": tab.column("t").take(take),
        }
    )


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {sql.ident(table)}").fetchone()
    return int(row[0]) if row else 0


def _weights(
    con: duckdb.DuckDBPyConnection, table: str, acts: str | None
) -> tuple[np.ndarray, np.ndarray]:
    """The edges' weights and activity strata (the accounts' activity counted in `acts`; all 0
    without `acts`)."""
    if acts is None:
        res = con.execute(f"SELECT weight, 0 AS stratum FROM {sql.ident(table)}").fetchnumpy()
    else:
        res = con.execute(f"SELECT weight, stratum FROM ({_strata_sql(table, acts)})").fetchnumpy()
    return np.asarray(res["weight"], dtype=np.float64), np.asarray(res["stratum"], dtype=np.int64)


def _strata_sql(edges: str, acts: str) -> str:
    """`edges` with each pair's activity stratum (`nullmodel.activity_strata` in SQL)."""
    return f"""WITH n AS (SELECT account_id, count(*) AS n FROM {sql.ident(acts)} GROUP BY account_id)
               SELECT e.*, CAST(floor(log2(greatest(least(a.n, b.n), 1))) AS BIGINT) AS stratum
               FROM {sql.ident(edges)} e JOIN n a ON a.account_id = e.src JOIN n b ON b.account_id = e.dst"""


def cosine_sql(edges: str, acts: str, n_accounts: int, min_shared: int) -> str:
    """Edge weight -> shrunk cosine similarity of the accounts' sqrt(idf)-weighted object vectors.

    The pair weight is the sum of idf over shared objects (the dot product of
    sqrt(idf) vectors); each account's squared norm `s` is the sum of idf over
    its own objects. The cosine is shrunk towards 0 for light accounts:
    `dot / sqrt((s_a + m) (s_b + m))` with `m` the median `s` over accounts, so
    two accounts with two objects each that happen to coincide do not score 1.
    Pairs sharing fewer than `min_shared` objects are dropped.
    """
    norms = f"""SELECT account_id, sum(ln({float(n_accounts)!r} / n_obj)) AS s
                FROM (SELECT DISTINCT account_id, object, n_obj FROM {sql.ident(acts)}) GROUP BY account_id"""
    return f"""WITH n AS ({norms}), m AS (SELECT median(s) AS m FROM n)
               SELECT e.src, e.dst, e.weight / sqrt((a.s + m.m) * (b.s + m.m)) AS weight, e.n_events
               FROM {sql.ident(edges)} e JOIN n a ON a.account_id = e.src
               JOIN n b ON b.account_id = e.dst CROSS JOIN m
               WHERE e.n_events >= {int(min_shared)} AND a.s > 0 AND b.s > 0"""


class TfidfSignal(CoActionSignal):
    """Window-free similarity of what two accounts act on (Pacheco et al. 2021, Luceri et al. 2024).

    Each account becomes the set of objects it acted on (first action each);
    candidate pairs are accounts acting on the same object among the
    `max_fanout` next actors in time (explosion-safe); the weight is the cosine
    similarity of their sqrt(idf)-weighted object vectors, for pairs sharing at
    least `min_shared` objects. A time shift cannot serve as null here, so the
    threshold comes from the shuffle null: objects permuted among actions, every
    account keeping its activity and every object its popularity.
    """

    def __init__(
        self,
        max_fanout: int | None = DEFAULT_MAX_FANOUT,
        min_activity: int = DEFAULT_MIN_ACTIVITY,
        min_shared: int = DEFAULT_MIN_SHARED,
        alpha: float = DEFAULT_ALPHA,
        null: str = "shuffle",
        min_weight: float = 0.0,
        seed: int = 1,
        engine: str = DEFAULT_ENGINE,
    ) -> None:
        super().__init__(
            None, max_fanout, min_activity, alpha, null, min_weight, seed, min_shared, engine
        )
