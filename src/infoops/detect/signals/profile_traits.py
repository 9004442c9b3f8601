"""profile_traits: accounts that share several rare profile traits.

Traits of an account (each a key; two accounts share a trait when the keys are equal):

- ``created``: creation hour (``YYYY-MM-DDTHH``), or the day when the source
  only gives creation days (most creation times at midnight);
- ``bio``: the normalised description with every digit run replaced by ``0``
  (a bio template), when at least `min_template_chars` long;
- ``name``: the display name, lower-cased, digit runs replaced by ``0``;
- ``handle``: the handle's shape ``a+D8`` when it is letters followed by
  `min_handle_digits` or more digits (the default-handle pattern of batch-made
  accounts) *together with* the creation batch: the creation day (the month
  when creation days are already the ``created`` trait). Hashed accounts
  have no handle or name traits.

Weights per key (see `trait_weights_sql`): a creation *burst* weight for the
creation hour/day, the shape/batch mutual information for handles, and
``ln(N / accounts with that key)`` for bio and name templates. Pairs sharing
fewer than `min_shared` traits are dropped. Candidate pairs come from grouping
by key, each account pairing with at most `max_fanout` following accounts of
the group in creation order (explosion-safe).

Null model (permutation): each attribute family -- creation time, description,
display name, handle -- is shuffled across accounts of the same account
language independently (so the language link between a name and a bio is not
mistaken for coordination), the traits are recomputed and paired the same way. Any single trait is shared as often
under the null as in the data; only the co-occurrence of several traits on
the same account pair beyond chance survives the threshold (the same
false-discovery rule as the co-action signals, `infoops.detect.nullmodel`).
Traits are weak evidence by design; fusion treats this as one signal of many.
"""

from __future__ import annotations

import re
import time
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from infoops.detect.base import EDGE_SCHEMA, MAX_EVIDENCE, Signal
from infoops.detect.coaction import DEFAULT_MAX_FANOUT
from infoops.detect.nullmodel import DEFAULT_ALPHA, fdr_threshold
from infoops.detect.sql import ident
from infoops.detect.text import normalize_many
from infoops.registry import signals

DEFAULT_MIN_SHARED = 2
DEFAULT_MIN_TEMPLATE_CHARS = 12
DEFAULT_MIN_HANDLE_DIGITS = 4
DEFAULT_NULL_ROUNDS = 5
# null rounds stop early once this many null edges are pooled (the FDR estimate is then
# precise to well under 1%; on millions of accounts one round already gives millions)
NULL_EDGES_ENOUGH = 1_000_000
# display names are off by default: namesakes are common and, with the language, explain
# shared names as well as coordination does (measured: see docs/detect-text.md)
ALL_TRAITS = ("created", "bio", "name", "handle")
DEFAULT_TRAITS = ("created", "bio", "handle")
# creation bursts are measured against the mean over this many hours/days around
BURST_UNITS = 15
DAY = 86400.0
NULL_METHODS = ("permute", "none")

HEX_ID = re.compile(r"^[0-9a-f]{24,}$|^[A-Za-z0-9+/]{43}=$")


def _null_str(n: int) -> pa.Array:
    return pa.nulls(n, pa.string())


def _template(texts: pa.Array, min_chars: int) -> pa.Array:
    """Bio templates: normalised text, digit runs -> 0; null when shorter than `min_chars`."""
    norm = pa.array(normalize_many(texts.to_pylist()), pa.string())
    t = pc.replace_substring_regex(norm, r"\d+", "0")
    return pc.if_else(pc.greater_equal(pc.utf8_length(t), min_chars), t, _null_str(len(t)))


def _name_template(names: pa.Array) -> pa.Array:
    t = pc.utf8_trim_whitespace(pc.replace_substring_regex(pc.utf8_lower(names), r"\s+", " "))
    t = pc.replace_substring_regex(t, r"\d+", "0")
    return pc.if_else(pc.greater_equal(pc.utf8_length(t), 3), t, _null_str(len(t)))


def _handle_shape(handles: pa.Array, min_digits: int) -> pa.Array:
    """'a+D8' for letters followed by 8 digits (the default-handle pattern); null otherwise."""
    digits = pc.utf8_length(pc.replace_substring_regex(handles, r"^[^\W\d]+", ""))
    ok = pc.and_(
        pc.match_substring_regex(handles, r"^[^\W\d]+\d+$"),
        pc.invert(pc.match_substring_regex(handles, HEX_ID.pattern)),
    )
    ok = pc.and_(ok, pc.greater_equal(digits, min_digits))
    shape = pc.binary_join_element_wise("a+D", pc.cast(digits, pa.string()), "")
    return pc.if_else(pc.fill_null(ok, False), shape, _null_str(len(handles)))


def account_attributes(con: duckdb.DuckDBPyConnection, accounts: str) -> tuple[pa.Table, bool]:
    """Profile attributes of every account (in account-id order: the permutation null draws per
    row, so the table's storage order must not matter), and whether creation times are
    day-precise only."""
    tbl = con.sql(
        f"""SELECT account_id, CASE WHEN coalesce(hashed, false) THEN NULL ELSE handle END AS handle,
                   CASE WHEN coalesce(hashed, false) THEN NULL ELSE display_name END AS display_name,
                   description, created_at, coalesce(lang, '') AS lang
            FROM {ident(accounts)} WHERE account_id IS NOT NULL
            ORDER BY account_id"""
    ).to_arrow_table()
    row = con.execute(
        f"""SELECT count(*) FILTER (WHERE created_at = date_trunc('day', created_at)),
                   count(created_at) FROM {ident(accounts)}"""
    ).fetchall()[0]
    midnight, total = int(row[0]), int(row[1])
    return tbl, total > 0 and midnight >= 0.9 * total


def trait_families(
    attrs: pa.Table, day_only: bool, min_template_chars: int, min_handle_digits: int
) -> pa.Table:
    """Per-account trait components, one column group per attribute family (the null shuffles families).

    Families: created (`created`, `batch`, `t`), bio, name, handle. Hashed
    accounts come without handle and display name (see `account_attributes`).
    """
    created = attrs.column("created_at")
    # the handle's creation batch: its day, or its month when days are the creation trait already
    return pa.table(
        {
            "created": pc.strftime(created, format="%Y-%m-%d" if day_only else "%Y-%m-%dT%H"),
            "batch": pc.strftime(created, format="%Y-%m" if day_only else "%Y-%m-%d"),
            "t": pc.fill_null(
                pc.divide(pc.cast(pc.cast(created, pa.timestamp("us")), pa.int64()), 1e6), 0.0
            ),
            "bio": _template(attrs.column("description"), min_template_chars),
            "name": _name_template(attrs.column("display_name")),
            "handle": _handle_shape(attrs.column("handle"), min_handle_digits),
        }
    )


FAMILIES = {
    "created": ("created", "batch", "t"),
    "bio": ("bio",),
    "name": ("name",),
    "handle": ("handle",),
}


def traits_table(
    account_ids: pa.Array, fam: pa.Table, kinds: tuple[str, ...] = DEFAULT_TRAITS
) -> pa.Table:
    """Long table (account_id, kind, trait, t, shape, batch) of the trait keys of the given kinds."""
    keys = {
        "created": fam.column("created"),
        "bio": fam.column("bio"),
        "name": fam.column("name"),
        "handle": pc.binary_join_element_wise(fam.column("handle"), fam.column("batch"), "@"),
    }
    unknown = set(kinds) - set(keys)
    if unknown:
        raise ValueError(f"unknown trait kinds {sorted(unknown)} (known: {sorted(keys)})")
    parts = []
    for kind, key in keys.items():
        if kind not in kinds:
            continue
        trait = pc.binary_join_element_wise(pa.scalar(kind + ":"), key, "")
        part = pa.table(
            {
                "account_id": account_ids,
                "kind": pa.array([kind] * len(account_ids), pa.string()),
                "trait": trait,
                "t": fam.column("t"),
                "shape": fam.column("handle"),
                "batch": fam.column("batch"),
            }
        )
        parts.append(part.filter(pc.is_valid(trait)))
    return pa.concat_tables(parts)


def permuted(fam: pa.Table, rng: np.random.Generator, strata: np.ndarray | None = None) -> pa.Table:
    """The families shuffled across accounts, each family by its own permutation.

    With `strata` (one code per account, e.g. the account language), values
    move only between accounts of the same stratum: a Spanish bio stays with
    a Spanish-language account, so the language link between name and bio
    (which is not coordination) survives in the null.
    """
    n = fam.num_rows
    codes = np.zeros(n, dtype=np.int64) if strata is None else strata
    base = np.lexsort((np.arange(n), codes))
    cols: dict[str, pa.ChunkedArray] = {}
    for columns in FAMILIES.values():
        perm = np.empty(n, dtype=np.int64)
        perm[base] = np.lexsort((rng.random(n), codes))
        for c in columns:
            cols[c] = fam.column(c).take(pa.array(perm))
    return pa.table({c: cols[c] for c in fam.column_names})


def trait_weights_sql(traits: str, n_accounts: int, unit: float) -> str:
    """Weight of each trait key shared by two or more accounts.

    - created: creation *burst*, ``max(0, ln(n / (a + 1)))`` with ``n`` accounts
      in the hour/day and ``a`` the mean per hour/day over the surrounding
      ``BURST_UNITS`` units (a batch of 300 accounts among days of 5 weighs
      ~2.5; an ordinary day 0) -- a permutation keeps these counts, so the
      null sees the same bursts;
    - handle (shape @ batch): pointwise mutual information of the shape and the
      batch, ``max(0, ln(n N / (n_shape n_batch)))``: default-style handles
      over-represented in one creation batch;
    - bio, name: ``ln(N / n)`` (a template shared by four accounts weighs much).
    """
    t = ident(traits)
    half = BURST_UNITS // 2
    n = float(n_accounts)
    return f"""
        WITH g AS (SELECT trait, any_value(kind) AS kind, count(*) AS df, min(t) AS t0,
                          any_value(shape) AS shape, any_value(batch) AS batch
                   FROM {t} GROUP BY trait),
        c AS (SELECT trait, df, sum(df) OVER (ORDER BY t0 RANGE BETWEEN {half * unit!r} PRECEDING
                                                          AND {half * unit!r} FOLLOWING) / {float(BURST_UNITS)!r} AS a
              FROM g WHERE kind = 'created'),
        ns AS (SELECT shape, count(*) AS n_shape FROM {t} WHERE kind = 'handle' GROUP BY shape),
        nb AS (SELECT batch, count(*) AS n_batch FROM {t} WHERE kind = 'created' GROUP BY batch)
        SELECT g.trait, g.df,
               CASE g.kind
                 WHEN 'created' THEN greatest(0.0, ln(c.df / (c.a + 1.0)))
                 WHEN 'handle' THEN greatest(0.0, ln(g.df * {n!r} / (ns.n_shape * nb.n_batch)))
                 ELSE ln({n!r} / g.df)
               END AS w
        FROM g LEFT JOIN c USING (trait) LEFT JOIN ns USING (shape) LEFT JOIN nb USING (batch)
        WHERE g.df >= 2"""


def trait_pairs_sql(traits: str, n_accounts: int, max_fanout: int | None, unit: float) -> str:
    """One row (src, dst, trait, w) per account pair and shared trait key (explosion-safe).

    In each group of accounts sharing a key (in creation order) an account pairs
    with the next `min(group rest, max_fanout)` accounts: each row is expanded
    into its offsets (`unnest(generate_series(1, n))`; Spark: `explode(sequence)`)
    and equi-joined on (trait, rn + k) -- O(rows * max_fanout), no inequality join.
    A pair meets once per shared key (one key per kind and account).
    """
    fan = "r.df - r.rn" if max_fanout is None else f"least(r.df - r.rn, {int(max_fanout)})"
    return f"""
        WITH g AS ({trait_weights_sql(traits, n_accounts, unit)}),
        r AS (
            SELECT t.account_id, t.trait, g.df, g.w,
                   row_number() OVER (PARTITION BY t.trait ORDER BY t.t, t.account_id) AS rn
            FROM {ident(traits)} t JOIN g USING (trait)
        ),
        f AS (SELECT account_id, trait, w, rn + k AS rn2
              FROM (SELECT r.*, unnest(generate_series(1, {fan})) AS k FROM r))
        SELECT least(a.account_id, b.account_id) AS src, greatest(a.account_id, b.account_id) AS dst,
               a.trait, a.w
        FROM f a JOIN r b ON a.trait = b.trait AND a.rn2 = b.rn
        WHERE a.account_id <> b.account_id"""


def pair_weights_sql(pairs: str, min_shared: int) -> str:
    """Account pairs sharing at least `min_shared` trait keys; weight = sum of the keys' weights."""
    return f"""SELECT src, dst, sum(w) AS weight, count(*) AS n_events FROM {ident(pairs)}
               GROUP BY src, dst HAVING count(*) >= {int(min_shared)} AND sum(w) > 0"""


def evidence_sql(pairs: str, kept: str) -> str:
    """Kept edges with the shared trait keys (up to MAX_EVIDENCE, 120 characters each) as evidence."""
    return f"""SELECT e.src, e.dst, e.weight, e.n_events,
                      list_slice(list(left(p.trait, 120) ORDER BY p.trait), 1, {MAX_EVIDENCE}) AS evidence
               FROM {ident(kept)} e JOIN {ident(pairs)} p ON p.src = e.src AND p.dst = e.dst
               GROUP BY e.src, e.dst, e.weight, e.n_events"""


@signals.register("profile_traits")
class ProfileTraits(Signal):
    """Accounts sharing several rare profile traits (creation hour, bio/name templates, handle batch).

    Parameters
    ----------
    min_shared: pairs sharing fewer trait keys are dropped.
    max_fanout: in a group of accounts sharing a key, each pairs with at most
        this many following accounts in creation order (None: all).
    alpha: tolerated ratio of null to real edges above the threshold.
    null: "permute" (attribute families shuffled across accounts) or "none".
    min_template_chars: shorter bio templates are not traits.
    min_handle_digits: handles ending in at least this many digits have a shape trait.
    seed: seed of the permutation null.
    null_rounds: at most this many permutations pooled for the null (counts averaged
        over rounds); rounds stop once `NULL_EDGES_ENOUGH` null edges are pooled.
    traits: trait kinds used, of "created", "bio", "name", "handle" (default without "name").
    """

    name = "profile_traits"
    description = (
        "sharing several rare profile traits (creation hour, bio/name templates, handle batches)"
    )

    def __init__(
        self,
        min_shared: int = DEFAULT_MIN_SHARED,
        max_fanout: int | None = DEFAULT_MAX_FANOUT,
        alpha: float = DEFAULT_ALPHA,
        null: str = "permute",
        min_template_chars: int = DEFAULT_MIN_TEMPLATE_CHARS,
        min_handle_digits: int = DEFAULT_MIN_HANDLE_DIGITS,
        seed: int = 1,
        null_rounds: int = DEFAULT_NULL_ROUNDS,
        traits: tuple[str, ...] = DEFAULT_TRAITS,
    ) -> None:
        self.min_shared = min_shared
        self.max_fanout = max_fanout
        self.alpha = alpha
        self.null = null
        self.min_template_chars = min_template_chars
        self.min_handle_digits = min_handle_digits
        self.seed = seed
        self.null_rounds = null_rounds
        self.traits = tuple(traits)

    def fit(
        self, con: duckdb.DuckDBPyConnection, posts: str = "posts", accounts: str = "accounts"
    ) -> ProfileTraits:
        if self.null not in NULL_METHODS:
            raise ValueError(f"null must be one of {NULL_METHODS}, got {self.null!r}")
        t0 = time.perf_counter()
        attrs, day_only = account_attributes(con, accounts)
        unit = DAY if day_only else 3600.0
        ids = attrs.column("account_id").combine_chunks()
        # integer codes in account-id order: joins and grouping on integers, same src < dst and tie order
        codes = pc.cast(pc.rank(ids, sort_keys="ascending", tiebreaker="first"), pa.int64())
        by_code = ids.take(pc.sort_indices(ids))
        fam = trait_families(attrs, day_only, self.min_template_chars, self.min_handle_digits)
        traits = traits_table(codes, fam, self.traits)
        stats: dict[str, Any] = {
            "accounts": len(ids),
            "creation_precision": "day" if day_only else "hour",
            "traits": traits.num_rows,
            **{
                f"accounts_with_{k}": len(ids) - fam.column(k).null_count
                for k in ("created", "bio", "name", "handle")
            },
        }
        pairs, edges = "_io_profile_traits_p", "_io_profile_traits_e"
        self._materialise_pairs(con, traits, len(ids), unit, pairs)
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {edges} AS {pair_weights_sql(pairs, self.min_shared)}"
        )
        real_w = np.asarray(
            con.sql(f"SELECT weight FROM {edges}").fetchnumpy()["weight"], dtype=np.float64
        )
        stats["edges_raw"] = int(real_w.size)
        threshold = 0.0
        stats["null_edges"] = 0
        if self.null == "permute" and real_w.size:
            lang = pc.dictionary_encode(attrs.column("lang").combine_chunks())
            strata = np.asarray(lang.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
            null_w, rounds = self._null_weights(con, codes, fam, unit, strata)
            stats["null_edges"] = int(null_w.size)
            stats["null_rounds"] = rounds
            stats["null_max"] = float(null_w.max()) if null_w.size else 0.0
            # null edges of all rounds pooled: per-round counts <= alpha * real counts
            threshold = fdr_threshold(real_w, null_w, self.alpha * rounds)
        try:
            kept = "_io_profile_traits_kept"
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE {kept} AS SELECT * FROM {edges} WHERE weight >= ?",
                [threshold],
            )
            coded = con.sql(evidence_sql(pairs, kept)).to_arrow_table()
            self.edges_ = _decode(coded, by_code).cast(EDGE_SCHEMA)
        finally:
            for table in (pairs, edges, "_io_profile_traits_kept"):
                con.execute(f"DROP TABLE IF EXISTS {table}")
        self.threshold_ = float(threshold)
        stats["edges_kept"] = self.edges_.num_rows
        stats["edges_below_threshold"] = stats["edges_raw"] - stats["edges_kept"]
        stats["method"] = f"null:{self.null}" + (
            f",fdr<={self.alpha}" if self.null == "permute" else ""
        )
        stats["seconds"] = round(time.perf_counter() - t0, 3)
        self.stats_ = stats
        return self

    def _materialise_pairs(
        self,
        con: duckdb.DuckDBPyConnection,
        traits: pa.Table,
        n_accounts: int,
        unit: float,
        out: str,
    ) -> None:
        """`out` (src, dst, trait, w): the trait-sharing pairs of `traits` (`trait_pairs_sql`)."""
        view = "_io_profile_traits_t"
        con.register(view, traits)
        try:
            sql = trait_pairs_sql(view, max(n_accounts, 1), self.max_fanout, unit)
            con.execute(f"CREATE OR REPLACE TEMP TABLE {ident(out)} AS {sql}")
        finally:
            con.unregister(view)

    def _weights(self, con: duckdb.DuckDBPyConnection, pairs: str) -> np.ndarray:
        w = con.sql(
            f"SELECT weight FROM ({pair_weights_sql(pairs, self.min_shared)})"
        ).fetchnumpy()["weight"]
        return np.asarray(w, dtype=np.float64)

    def _null_weights(
        self,
        con: duckdb.DuckDBPyConnection,
        codes: pa.Array,
        fam: pa.Table,
        unit: float,
        strata: np.ndarray,
    ) -> tuple[np.ndarray, int]:
        """Pooled null edge weights and the number of rounds they come from."""
        rng = np.random.default_rng(self.seed)
        out: list[np.ndarray] = []
        table = "_io_profile_traits_np"
        try:
            while len(out) < self.null_rounds and sum(w.size for w in out) < NULL_EDGES_ENOUGH:
                null = traits_table(codes, permuted(fam, rng, strata), self.traits)
                self._materialise_pairs(con, null, len(codes), unit, table)
                out.append(self._weights(con, table))
        finally:
            con.execute(f"DROP TABLE IF EXISTS {table}")
        return (np.concatenate(out), len(out)) if out else (np.zeros(0), 0)


def _decode(edges: pa.Table, by_code: pa.Array) -> pa.Table:
    """Edges with account codes (1-based ranks) turned back into account ids."""
    cols = {name: edges.column(name) for name in edges.column_names}
    for side in ("src", "dst"):
        cols[side] = by_code.take(pc.subtract(edges.column(side), 1))
    return pa.table(cols)
