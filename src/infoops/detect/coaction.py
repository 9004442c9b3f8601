"""Generic windowed co-action signal: subclasses only say what the shared object is.

    class CoRepost(CoActionSignal):
        name = "co_repost"
        def actions_sql(self, posts): return f"SELECT account_id, ref_post_id AS object, ..."

`fit` runs the relational steps of `infoops.detect.sql` twice: on the real
times, and on times shifted by the null model (`infoops.detect.nullmodel`),
then keeps the real edges above the data-driven threshold and attaches their
evidence (post ids) to them.
"""

from __future__ import annotations

import time
from abc import abstractmethod
from typing import Any

import duckdb
import numpy as np

from infoops.detect import sql
from infoops.detect.base import EDGE_SCHEMA, MAX_EVIDENCE, Signal
from infoops.detect.nullmodel import DEFAULT_ALPHA, fdr_threshold, shift_plan

DEFAULT_WINDOW = 60.0
DEFAULT_MAX_FANOUT = 50
DEFAULT_MIN_ACTIVITY = 2
NULL_METHODS = ("shift", "none")


class CoActionSignal(Signal):
    """Accounts acting on the same object within `window` seconds of each other.

    Parameters
    ----------
    window: seconds between two actions on the same object for them to pair.
    max_fanout: each action pairs with at most this many following actions on
        the same object (None: all within the window; only for small data).
    min_activity: accounts with fewer actions of this kind are left out.
    alpha: tolerated ratio of null-model edges to real edges above the threshold.
    null: "shift" (threshold from the time-shift null model) or "none"
        (keep every pair; for inspection and tests).
    min_weight: edges lighter than this are dropped whatever the null says.
    seed: seed of the null model's per-account offsets.
    """

    def __init__(
        self,
        window: float = DEFAULT_WINDOW,
        max_fanout: int | None = DEFAULT_MAX_FANOUT,
        min_activity: int = DEFAULT_MIN_ACTIVITY,
        alpha: float = DEFAULT_ALPHA,
        null: str = "shift",
        min_weight: float = 0.0,
        seed: int = 1,
    ) -> None:
        self.window = window
        self.max_fanout = max_fanout
        self.min_activity = min_activity
        self.alpha = alpha
        self.null = null
        self.min_weight = min_weight
        self.seed = seed

    @abstractmethod
    def actions_sql(self, posts: str, accounts: str) -> str:
        """SELECT account_id, object, t (epoch seconds, DOUBLE), post_id -- one row per action."""

    # -- hooks for subclasses that need another pairing window or edge score ----
    def pair_window(self) -> float:
        return float(self.window)

    def rebin(self) -> float | None:
        """Bin width when the object is a time bin (recomputed from shifted times), else None."""
        return None

    def finish_weights(self, edges: str, spec: sql.CoActionSQL, n_accounts: int) -> str:
        """SQL over `edges(src, dst, weight, n_events)` giving the final weights (default: as is).

        `spec.t("acts")` (account_id, object, t, post_id, n_obj) is still there to join with.
        """
        return f"SELECT src, dst, weight, n_events FROM {sql.ident(edges)}"

    # -- fitting ------------------------------------------------------------------
    def fit(
        self, con: duckdb.DuckDBPyConnection, posts: str = "posts", accounts: str = "accounts"
    ) -> CoActionSignal:
        if self.null not in NULL_METHODS:
            raise ValueError(f"null must be one of {NULL_METHODS}, got {self.null!r}")
        t0 = time.perf_counter()
        prefix = f"_io_{self.name}"
        spec = sql.CoActionSQL(
            prefix, self.pair_window(), self.max_fanout, self.min_activity, self.rebin()
        )
        raw = spec.t("raw")
        con.execute(f"CREATE OR REPLACE TEMP TABLE {raw} AS {self.actions_sql(posts, accounts)}")
        stats: dict[str, Any] = sql.filter_actions(con, spec, raw)
        n_acc = max(int(stats["accounts_active"]), 1)
        k_max = self.max_fanout if self.max_fanout is not None else self._max_per_object(con, spec)
        sql.offsets_table(con, spec.t("k"), max(int(k_max), 1))
        pairs, real, null_w = spec.t("pairs"), spec.t("real"), spec.t("nullw")
        con.execute(f"CREATE OR REPLACE TEMP TABLE {pairs} AS {sql.pair_sql(spec, n_acc)}")
        con.execute(f"CREATE OR REPLACE TEMP TABLE {spec.t('w0')} AS {sql.edge_weights_sql(pairs)}")
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {real} AS {self.finish_weights(spec.t('w0'), spec, n_acc)}"
        )
        t_pairs = time.perf_counter()
        real_w = _weights(con, real)
        stats["edges_raw"] = int(real_w.size)
        threshold = float(self.min_weight)
        stats["null_edges"] = 0
        if self.null == "shift" and real_w.size:
            null_arr = self._null_weights(con, spec, n_acc, null_w)
            stats["null_edges"] = int(null_arr.size)
            stats["null_max"] = float(null_arr.max()) if null_arr.size else 0.0
            threshold = max(threshold, fdr_threshold(real_w, null_arr, self.alpha))
        kept = spec.t("kept")
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {kept} AS SELECT * FROM {real} WHERE weight >= ?",
            [threshold],
        )
        self.edges_ = (
            con.sql(sql.evidence_sql(pairs, kept, MAX_EVIDENCE)).to_arrow_table().cast(EDGE_SCHEMA)
        )
        self.threshold_ = threshold
        stats["edges_kept"] = int(self.edges_.num_rows)
        stats["edges_below_threshold"] = stats["edges_raw"] - stats["edges_kept"]
        stats["method"] = f"null:{self.null}" + (
            f",fdr<={self.alpha}" if self.null == "shift" else ""
        )
        stats["seconds_pairs"] = round(t_pairs - t0, 3)
        stats["seconds"] = round(time.perf_counter() - t0, 3)
        self.stats_ = stats
        sql.drop_temp(
            con,
            prefix,
            ["raw", "active", "acts", "k", "pairs", "w0", "real", "nullw", "nw0", "kept"],
        )
        return self

    def _max_per_object(self, con: duckdb.DuckDBPyConnection, spec: sql.CoActionSQL) -> int:
        row = con.execute(
            f"SELECT coalesce(max(n), 1) FROM (SELECT count(*) AS n FROM {spec.t('acts')} GROUP BY object)"
        ).fetchone()
        return int(row[0]) if row else 1

    def _null_weights(
        self, con: duckdb.DuckDBPyConnection, spec: sql.CoActionSQL, n_acc: int, out: str
    ) -> np.ndarray:
        row = con.execute(f"SELECT min(t), max(t) FROM {spec.t('acts')}").fetchone()
        if row is None or row[0] is None:
            return np.zeros(0)
        plan = shift_plan(float(row[0]), float(row[1]), spec.window)
        shifted = sql.shifted_time_sql(plan, self.seed)
        npairs = spec.t("npairs")
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {npairs} AS {sql.pair_sql(spec, n_acc, time_expr=shifted, evidence=False)}"
        )
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {spec.t('nw0')} AS {sql.edge_weights_sql(npairs)}"
        )
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {out} AS {self.finish_weights(spec.t('nw0'), spec, n_acc)}"
        )
        w = _weights(con, out)
        con.execute(f"DROP TABLE IF EXISTS {npairs}")
        return w


def _weights(con: duckdb.DuckDBPyConnection, table: str) -> np.ndarray:
    arr = con.execute(f"SELECT weight FROM {sql.ident(table)}").fetchnumpy()["weight"]
    return np.asarray(arr, dtype=np.float64)
