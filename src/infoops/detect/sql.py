"""Relational building blocks of the co-action signals, kept engine-neutral.

Every co-action signal reduces to the same three steps over an *actions*
relation `(account_id, object, t, post_id)` -- one row per account acting on a
shared object (an original post, a URL, a hashtag sequence, a time bin) at
time `t` (seconds since the epoch, DOUBLE):

1. **activity filter**: drop accounts with fewer than `min_activity` actions
   and objects acted on by a single account;
2. **windowed pairing, explosion-safe**: order the actions on each object by
   time (`rn`), find the last action within `window` seconds (`last_rn`, a
   RANGE window frame), and pair each action only with the next
   `min(last_rn - rn, max_fanout)` actions of the same object: each action is
   expanded into its offsets `k` (`unnest(generate_series(1, n))`; Spark:
   `explode(sequence(1, n))`) and equi-joined on `(object, rn + k)`. Cost and
   output are O(n * max_fanout) whatever the popularity distribution (an
   inequality join against a table of offsets is equivalent but DuckDB plans it
   as a nested loop: minutes instead of a second at 1M posts);
3. **aggregation**: one row per (account pair, object) with the inverse
   document frequency of the object (`ln(N_accounts / n_accounts_on_object)`),
   then per account pair: `weight = sum(idf)`, `n_events = count(objects)`.

The statements use only ANSI window functions, equi-joins, GROUP BY and
`CREATE TEMP TABLE ... AS`, the subset that both DuckDB and Spark SQL run (and
that sqlglot transpiles); the DuckDB-only pieces (list aggregation for
evidence, `hash`) are isolated in small helpers below so that a Spark backend
replaces only those.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb

from infoops.detect.nullmodel import ShiftPlan

_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def ident(name: str) -> str:
    """A safe SQL identifier (table names are built from signal names, never from data)."""
    if not _NAME.match(name):
        raise ValueError(f"bad identifier: {name!r}")
    return name


@dataclass(frozen=True)
class CoActionSQL:
    """Names and parameters of one co-action computation."""

    prefix: str  # temp-table prefix, e.g. "_io_co_repost"
    window: float | None  # seconds; two actions pair when 0 <= t2 - t1 <= window (None: any time)
    max_fanout: int | None  # None: pair with every later action within the window
    min_activity: int
    rebin: float | None = None  # object = time bin of this width (recomputed under the null model)

    def t(self, suffix: str) -> str:
        return ident(f"{self.prefix}_{suffix}")


def filter_actions(
    con: duckdb.DuckDBPyConnection, spec: CoActionSQL, actions: str
) -> dict[str, int]:
    """Materialise `<prefix>_acts` from `actions` after the activity filters; return counts.

    In `<prefix>_acts`, `account_id` and `object` are integer codes (joins and
    grouping on integers are several times faster than on 19-digit strings);
    `<prefix>_codes(code, account)` maps account codes back. Account codes
    follow the order of the account ids, so `least`/`greatest` on codes give
    the same src < dst orientation as on the ids.
    """
    raw, act, obj = actions, spec.t("active"), spec.t("acts")
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {act} AS
        SELECT account_id, count(*) AS n, row_number() OVER (ORDER BY account_id) AS code
        FROM {raw} GROUP BY account_id HAVING count(*) >= ?""",
        [spec.min_activity],
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {obj} AS
        WITH a AS (
            SELECT c.code AS account_id, r.object, r.t, r.post_id FROM {raw} r
            JOIN {act} c USING (account_id)
        ), o AS (
            SELECT object, count(DISTINCT account_id) AS n_obj,
                   row_number() OVER (ORDER BY object) AS ocode
            FROM a GROUP BY object HAVING count(DISTINCT account_id) >= 2
        )
        SELECT a.account_id, o.ocode AS object, a.t, a.post_id, o.n_obj FROM a JOIN o USING (object)"""
    )
    counts = con.execute(
        f"""SELECT
            (SELECT count(*) FROM {raw}),
            (SELECT count(DISTINCT account_id) FROM {raw}),
            (SELECT count(*) FROM {act}),
            (SELECT count(*) FROM {obj}),
            (SELECT count(DISTINCT object) FROM {obj})"""
    ).fetchone()
    assert counts is not None
    n_raw, acc_raw, acc_active, n_kept, n_objects = (int(c) for c in counts)
    return {
        "actions": n_raw,
        "accounts": acc_raw,
        "accounts_below_min_activity": acc_raw - acc_active,
        "actions_removed": n_raw - n_kept,
        "actions_kept": n_kept,
        "objects_shared": n_objects,
        "accounts_active": acc_active,
    }


def source_sql(spec: CoActionSQL, time_expr: str = "t") -> str:
    """The actions (account_id, object, post_id, n_obj, t) at times `time_expr` (e.g. shifted).

    With `spec.rebin`, the object is the time bin of `time_expr` (synchronised
    activity), recomputed -- with its popularity -- from the (shifted) time.
    """
    acts = spec.t("acts")
    if spec.rebin is None:
        return f"SELECT account_id, object, post_id, n_obj, {time_expr} AS t FROM {acts}"
    b = float(spec.rebin)
    return f"""SELECT account_id, object, post_id, count(*) OVER (PARTITION BY object) AS n_obj, t
               FROM (SELECT account_id, post_id, {time_expr} AS t,
                            floor(({time_expr}) / {b!r}) * {b!r} AS object FROM {acts})"""


def ranked_sql(spec: CoActionSQL, source: str) -> str:
    """Actions of each object numbered by time, with the last number within the window.

    `source` is a SELECT of account_id, object, post_id, n_obj, t (`source_sql`,
    the shuffle null). A window of None pairs actions on the same object whatever
    their time (still only the `max_fanout` next ones).
    """
    base = source
    return f"""
        WITH s0 AS ({base}),
        s AS (
            SELECT account_id, object, post_id, n_obj, t,
                   row_number() OVER (PARTITION BY object ORDER BY t, account_id, post_id) AS rn
            FROM s0
        )
        SELECT account_id, object, post_id, n_obj, t, rn, {_last_rn(spec.window)} AS last_rn
        FROM s"""


def _last_rn(window: float | None) -> str:
    if window is None:
        return "count(*) OVER (PARTITION BY object)"
    return f"""max(rn) OVER (PARTITION BY object ORDER BY t
                             RANGE BETWEEN CURRENT ROW AND {float(window)!r} FOLLOWING)"""


def pair_sql(spec: CoActionSQL, n_accounts: int, source: str) -> str:
    """One row per (src < dst, object) co-action: the object's idf (evidence comes later, for kept edges)."""
    fan = (
        "(r.last_rn - r.rn)"
        if spec.max_fanout is None
        else f"least(r.last_rn - r.rn, {int(spec.max_fanout)})"
    )
    return f"""
        WITH r AS ({ranked_sql(spec, source)}),
        f AS (
            SELECT account_id, object, n_obj, rn + k AS rn2
            FROM (SELECT r.*, unnest(generate_series(1, {fan})) AS k FROM r)
        )
        SELECT least(a.account_id, b.account_id) AS src, greatest(a.account_id, b.account_id) AS dst,
               a.object AS object, ln({float(n_accounts)!r} / a.n_obj) AS idf
        FROM f a JOIN r b ON a.object = b.object AND a.rn2 = b.rn
        WHERE a.account_id <> b.account_id
        GROUP BY least(a.account_id, b.account_id), greatest(a.account_id, b.account_id), a.object, a.n_obj"""


def edge_weights_sql(pairs: str, min_shared: int = 1) -> str:
    """Per account pair: weight = sum of object idf, n_events = number of shared objects (>= min_shared)."""
    return f"""SELECT src, dst, sum(idf) AS weight, count(*) AS n_events FROM {ident(pairs)}
               GROUP BY src, dst HAVING count(*) >= {int(min_shared)}"""


def evidence_sql(spec: CoActionSQL, pairs: str, kept: str, max_evidence: int) -> str:
    """Kept edges, account ids restored, with up to `max_evidence` post ids behind them.

    The posts come from the rarest shared objects: each side's first action on
    each of the `max_evidence / 2` rarest objects the pair shares (DuckDB list
    functions; Spark: collect_list + slice).
    """
    half = max(1, max_evidence // 2)
    acts, codes = spec.t("acts"), spec.t("active")
    return f"""
        WITH p AS (
            SELECT p.* FROM (SELECT *, row_number() OVER (PARTITION BY src, dst ORDER BY idf DESC, object) AS i
                             FROM {ident(pairs)}) p
            SEMI JOIN {ident(kept)} k ON p.src = k.src AND p.dst = k.dst
            WHERE p.i <= {half}),
        first AS (SELECT account_id, object, min(post_id) AS post_id FROM {acts} GROUP BY account_id, object),
        ev AS (
            SELECT p.src, p.dst, list_distinct(flatten(list([a.post_id, b.post_id] ORDER BY p.i))) AS evidence
            FROM p JOIN first a ON a.account_id = p.src AND a.object = p.object
                   JOIN first b ON b.account_id = p.dst AND b.object = p.object
            GROUP BY p.src, p.dst)
        SELECT cs.account_id AS src, cd.account_id AS dst, k.weight, k.n_events,
               list_slice(ev.evidence, 1, {int(max_evidence)}) AS evidence
        FROM {ident(kept)} k JOIN ev ON ev.src = k.src AND ev.dst = k.dst
        JOIN {codes} cs ON cs.code = k.src JOIN {codes} cd ON cd.code = k.dst"""


def shifted_time_sql(plan: ShiftPlan, seed: int) -> str:
    """Each account's times moved by its own random offset (`infoops.detect.nullmodel`), wrapped into the span.

    The offset comes from hashes of (account, seed): deterministic, no table
    of offsets to ship to a cluster. DuckDB's `hash`; Spark's `xxhash64` plays
    the same role.
    """
    h1 = f"hash(account_id, {int(seed)}, 1)"
    h2 = f"hash(account_id, {int(seed)}, 2)"
    steps = f"{plan.step!r} * (1 + {h1} % {max(1, plan.n_steps)}::UBIGINT)"
    jitter = f"{plan.jitter!r} * (2.0 * ({h2} % 1000003::UBIGINT) / 1000003.0 - 1.0)"
    start, span = plan.span_start, plan.span
    return (
        f"({start!r} + ((((t - {start!r}) + {steps} + {jitter}) % {span!r}) + {span!r}) % {span!r})"
    )


def drop_temp(con: duckdb.DuckDBPyConnection, prefix: str, suffixes: list[str]) -> None:
    for s in suffixes:
        con.execute(f"DROP TABLE IF EXISTS {ident(prefix + '_' + s)}")
