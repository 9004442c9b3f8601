"""profile_traits: accounts that share several rare profile traits.

Traits of an account (each a key; two accounts share a trait when the keys are equal):

- ``created``: creation hour (``YYYY-MM-DDTHH``), or the day when the source
  only gives creation days (most creation times at midnight);
- ``bio``: the normalised description with every digit run replaced by ``0``
  (a bio template), when at least `min_template_chars` long;
- ``name``: the display name, lower-cased, digit runs replaced by ``0``;
- ``handle``: the handle's shape when it ends in `min_handle_digits` or more
  digits (``letters + 8 digits`` is the default-handle pattern of batch-made
  accounts) *together with* the creation batch: the creation day (the month
  when creation days are already the ``created`` trait). Hashed accounts
  have no handle or name traits.

Weights are idf-like: each shared trait adds ``ln(N / accounts with that key)``,
so a creation day shared by 2,000 accounts adds little and a bio template
shared by four adds much. Pairs sharing fewer than `min_shared` traits are
dropped. Candidate pairs come from grouping by key, each account pairing with
at most `max_fanout` following accounts of the group in creation order
(explosion-safe).

Null model (permutation): each attribute family -- creation time, description,
display name, handle -- is shuffled across accounts independently, the traits
are recomputed and paired the same way. Any single trait is shared as often
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
NULL_METHODS = ("permute", "none")

DIGITS = re.compile(r"\d+")
HANDLE_TAIL = re.compile(r"^([^\W\d]+)(\d+)$")
HEX_ID = re.compile(r"^[0-9a-f]{24,}$|^[A-Za-z0-9+/]{43}=$")


def _template(texts: list[str | None], min_chars: int) -> list[str | None]:
    out: list[str | None] = []
    for s in normalize_many(texts):
        t = DIGITS.sub("0", s)
        out.append(t if len(t) >= min_chars else None)
    return out


def _name_template(names: list[str | None]) -> list[str | None]:
    out: list[str | None] = []
    for n in names:
        t = DIGITS.sub("0", " ".join((n or "").lower().split()))
        out.append(t if len(t) >= 3 else None)
    return out


def _handle_shape(handles: list[str | None], min_digits: int) -> list[str | None]:
    out: list[str | None] = []
    for h in handles:
        m = HANDLE_TAIL.match(h or "")
        if m is None or HEX_ID.match(h or "") or len(m.group(2)) < min_digits:
            out.append(None)
        else:
            out.append(f"L{len(m.group(1))}D{len(m.group(2))}")
    return out


def account_attributes(con: duckdb.DuckDBPyConnection, accounts: str) -> tuple[pa.Table, bool]:
    """Profile attributes of every account, and whether creation times are day-precise only."""
    tbl = con.sql(
        f"""SELECT account_id, handle, display_name, description, created_at,
                   coalesce(hashed, false) AS hashed
            FROM {ident(accounts)} WHERE account_id IS NOT NULL"""
    ).to_arrow_table()
    row = con.execute(
        f"""SELECT count(*) FILTER (WHERE created_at = date_trunc('day', created_at)),
                   count(created_at) FROM {ident(accounts)}"""
    ).fetchall()[0]
    midnight, total = int(row[0]), int(row[1])
    return tbl, total > 0 and midnight >= 0.9 * total


def trait_families(attrs: pa.Table, day_only: bool, min_template_chars: int, min_handle_digits: int) -> dict[str, list[Any]]:
    """Per-account trait components, one list per attribute family (the null shuffles families)."""
    created = attrs.column("created_at").to_pylist()
    hashed = attrs.column("hashed").to_pylist()
    fmt = "%Y-%m-%d" if day_only else "%Y-%m-%dT%H"
    handles = [None if hs else h for h, hs in zip(attrs.column("handle").to_pylist(), hashed, strict=True)]
    names = [None if hs else n for n, hs in zip(attrs.column("display_name").to_pylist(), hashed, strict=True)]
    # the handle's creation batch: its day, or its month when days are the creation trait already
    batch = "%Y-%m" if day_only else "%Y-%m-%d"
    return {
        "created": [(c.strftime(fmt), c.strftime(batch), c.timestamp()) if c else None for c in created],
        "bio": _template(attrs.column("description").to_pylist(), min_template_chars),
        "name": _name_template(names),
        "handle": _handle_shape(handles, min_handle_digits),
    }


def traits_table(account_ids: list[str], fam: dict[str, list[Any]]) -> pa.Table:
    """Long table (account_id, trait, t) of the trait keys built from the families."""
    acc: list[str] = []
    keys: list[str] = []
    ts: list[float] = []
    for i, a in enumerate(account_ids):
        c = fam["created"][i]
        t = c[2] if c else 0.0
        found: list[str] = []
        if c:
            found.append(f"created:{c[0]}")
        if fam["bio"][i]:
            found.append(f"bio:{fam['bio'][i]}")
        if fam["name"][i]:
            found.append(f"name:{fam['name'][i]}")
        if fam["handle"][i] and c:
            found.append(f"handle:{fam['handle'][i]}@{c[1]}")
        for k in found:
            acc.append(a)
            keys.append(k)
            ts.append(t)
    return pa.table({"account_id": acc, "trait": keys, "t": pa.array(ts, pa.float64())})


def pair_traits_sql(traits: str, offsets: str, n_accounts: int, max_fanout: int | None, min_shared: int) -> str:
    """Account pairs sharing at least `min_shared` trait keys, weight = sum of ln(N / df)."""
    fan = "o.k <= r.df - r.rn" if max_fanout is None else f"o.k <= least(r.df - r.rn, {int(max_fanout)})"
    return f"""
        WITH g AS (SELECT trait, count(*) AS df FROM {ident(traits)} GROUP BY trait HAVING count(*) >= 2),
        r AS (
            SELECT t.account_id, t.trait, g.df,
                   row_number() OVER (PARTITION BY t.trait ORDER BY t.t, t.account_id) AS rn
            FROM {ident(traits)} t JOIN g USING (trait)
        ),
        f AS (SELECT r.*, r.rn + o.k AS rn2 FROM r JOIN {ident(offsets)} o ON {fan}),
        p AS (
            SELECT least(a.account_id, b.account_id) AS src, greatest(a.account_id, b.account_id) AS dst,
                   a.trait, ln({float(n_accounts)!r} / a.df) AS idf
            FROM f a JOIN r b ON a.trait = b.trait AND a.rn2 = b.rn
            WHERE a.account_id <> b.account_id
        )
        SELECT src, dst, sum(idf) AS weight, count(DISTINCT trait) AS n_events,
               list_slice(list(DISTINCT left(trait, 120) ORDER BY left(trait, 120)), 1, {MAX_EVIDENCE}) AS evidence
        FROM p GROUP BY src, dst HAVING count(DISTINCT trait) >= {int(min_shared)}"""


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
    """

    name = "profile_traits"
    description = "sharing several rare profile traits (creation hour, bio/name templates, handle batches)"

    def __init__(
        self,
        min_shared: int = DEFAULT_MIN_SHARED,
        max_fanout: int | None = DEFAULT_MAX_FANOUT,
        alpha: float = DEFAULT_ALPHA,
        null: str = "permute",
        min_template_chars: int = DEFAULT_MIN_TEMPLATE_CHARS,
        min_handle_digits: int = DEFAULT_MIN_HANDLE_DIGITS,
        seed: int = 1,
    ) -> None:
        self.min_shared = min_shared
        self.max_fanout = max_fanout
        self.alpha = alpha
        self.null = null
        self.min_template_chars = min_template_chars
        self.min_handle_digits = min_handle_digits
        self.seed = seed

    def fit(self, con: duckdb.DuckDBPyConnection, posts: str = "posts", accounts: str = "accounts") -> ProfileTraits:
        if self.null not in NULL_METHODS:
            raise ValueError(f"null must be one of {NULL_METHODS}, got {self.null!r}")
        t0 = time.perf_counter()
        attrs, day_only = account_attributes(con, accounts)
        ids = attrs.column("account_id").to_pylist()
        fam = trait_families(attrs, day_only, self.min_template_chars, self.min_handle_digits)
        traits = traits_table(ids, fam)
        stats: dict[str, Any] = {
            "accounts": len(ids),
            "creation_precision": "day" if day_only else "hour",
            "traits": traits.num_rows,
            **{f"accounts_with_{k}": sum(v is not None for v in vals) for k, vals in fam.items()},
        }
        real = self._pairs(con, traits, len(ids))
        real_w = np.asarray(real.column("weight").to_numpy(), dtype=np.float64)
        stats["edges_raw"] = int(real_w.size)
        threshold = 0.0
        stats["null_edges"] = 0
        if self.null == "permute" and real_w.size:
            null_w = self._null_weights(con, ids, fam)
            stats["null_edges"] = int(null_w.size)
            stats["null_max"] = float(null_w.max()) if null_w.size else 0.0
            threshold = fdr_threshold(real_w, null_w, self.alpha)
        self.edges_ = real.filter(pc.greater_equal(real.column("weight"), threshold))
        self.threshold_ = float(threshold)
        stats["edges_kept"] = self.edges_.num_rows
        stats["edges_below_threshold"] = stats["edges_raw"] - stats["edges_kept"]
        stats["method"] = f"null:{self.null}" + (f",fdr<={self.alpha}" if self.null == "permute" else "")
        stats["seconds"] = round(time.perf_counter() - t0, 3)
        self.stats_ = stats
        return self

    def _pairs(self, con: duckdb.DuckDBPyConnection, traits: pa.Table, n_accounts: int) -> pa.Table:
        view, offs = "_io_profile_traits_t", "_io_profile_traits_k"
        con.register(view, traits)
        try:
            k_max = self.max_fanout if self.max_fanout is not None else max(n_accounts, 1)
            con.execute(f"CREATE OR REPLACE TEMP TABLE {offs} AS SELECT range + 1 AS k FROM range(?)", [k_max])
            sql = pair_traits_sql(view, offs, max(n_accounts, 1), self.max_fanout, self.min_shared)
            out = con.sql(sql).to_arrow_table()
        finally:
            con.unregister(view)
            con.execute(f"DROP TABLE IF EXISTS {offs}")
        return out.cast(EDGE_SCHEMA)

    def _null_weights(self, con: duckdb.DuckDBPyConnection, ids: list[str], fam: dict[str, list[Any]]) -> np.ndarray:
        rng = np.random.default_rng(self.seed)
        shuffled = {k: [v[i] for i in rng.permutation(len(v))] for k, v in fam.items()}
        null = self._pairs(con, traits_table(ids, shuffled), len(ids))
        return np.asarray(null.column("weight").to_numpy(), dtype=np.float64)
