"""Attach amplifiers to the networks they amplify.

Pairwise signals miss light amplifiers: an account with five reposts shares
too little with any single other account to clear a threshold, yet if all five
reposts boost members of one detected network it is that network's amplifier
(Twitter's 2020 takedown: ~150,000 amplifiers around 23,750 core accounts).

For every account outside the networks with at least `min_amplify`
amplifications (reposts and quotes of other accounts), and every network N:
`k` = its amplifications of N's members, `n` = all its amplifications, `p_N` =
the share of all amplifications by non-members that go to N's members. Every
(account, network) pair with `k >= min_amplify` is a test with p-value
`P(X >= k | n, p_N)` (binomial tail); the Benjamini-Hochberg procedure at
`alpha` over all these tests picks the significant ones -- far more
amplification of one network than its popularity explains -- and an account
joins the network with its smallest p-value. Attached members get centrality 0
(they sit outside the co-action graph).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
from scipy.stats import binom

from infoops.detect.sql import ident

DEFAULT_ATTACH_ALPHA = 0.01
DEFAULT_MIN_AMPLIFY = 2


@dataclass
class AttachResult:
    memberships: pa.Table  # network_id, account_id, centrality
    stats: dict[str, Any] = field(default_factory=dict)


def attach_amplifiers(
    con: duckdb.DuckDBPyConnection,
    memberships: pa.Table,
    posts: str = "posts",
    alpha: float = DEFAULT_ATTACH_ALPHA,
    min_amplify: int = DEFAULT_MIN_AMPLIFY,
) -> AttachResult:
    """Memberships of the accounts attached as amplifiers (see module doc)."""
    empty = pa.table(
        {
            "network_id": pa.array([], pa.string()),
            "account_id": pa.array([], pa.string()),
            "centrality": pa.array([], pa.float64()),
        }
    )
    if memberships.num_rows == 0:
        return AttachResult(empty, {"amplifiers_tested": 0, "amplifiers_attached": 0})
    con.register("_io_att_mem", memberships.select(["network_id", "account_id"]))
    try:
        rows = con.execute(
            f"""WITH amp AS (
                  SELECT p.account_id, p.ref_account_id FROM {ident(posts)} p
                  WHERE p.kind IN ('repost', 'quote') AND p.ref_account_id IS NOT NULL
                    AND p.ref_account_id <> p.account_id
                    AND p.account_id NOT IN (SELECT account_id FROM _io_att_mem)),
                n AS (SELECT account_id, count(*) AS n FROM amp GROUP BY account_id HAVING count(*) >= ?),
                k AS (SELECT a.account_id, m.network_id, count(*) AS k
                      FROM amp a JOIN _io_att_mem m ON m.account_id = a.ref_account_id
                      GROUP BY a.account_id, m.network_id),
                p AS (SELECT m.network_id, count(*) / (SELECT count(*) FROM amp) AS p
                      FROM amp a JOIN _io_att_mem m ON m.account_id = a.ref_account_id GROUP BY m.network_id)
                SELECT k.account_id, k.network_id, k.k, n.n, p.p
                FROM k JOIN n USING (account_id) JOIN p USING (network_id)
                WHERE k.k >= ?""",
            [min_amplify, min_amplify],
        ).fetchnumpy()
    finally:
        con.unregister("_io_att_mem")
    if len(rows["account_id"]) == 0:
        return AttachResult(empty, {"amplifiers_tested": 0, "amplifiers_attached": 0})
    k = np.asarray(rows["k"], dtype=np.int64)
    n = np.asarray(rows["n"], dtype=np.int64)
    p = np.clip(np.asarray(rows["p"], dtype=np.float64), 1e-12, 1.0)
    pval = binom.sf(k - 1, n, p)
    tests = int(pval.size)
    cutoff = bh_cutoff(pval, alpha)
    order = np.lexsort((np.asarray(rows["network_id"], dtype=object).astype(str), pval))
    chosen: dict[str, str] = {}
    for i in order:
        acc = str(rows["account_id"][i])
        if acc not in chosen and pval[i] <= cutoff:
            chosen[acc] = str(rows["network_id"][i])
    accounts = sorted(chosen)
    table = pa.table(
        {
            "network_id": pa.array([chosen[a] for a in accounts], pa.string()),
            "account_id": pa.array(accounts, pa.string()),
            "centrality": pa.array([0.0] * len(accounts), pa.float64()),
        }
    )
    return AttachResult(table, {"amplifiers_tested": tests, "amplifiers_attached": len(accounts)})


def bh_cutoff(pval: np.ndarray, alpha: float) -> float:
    """Benjamini-Hochberg: the largest p-value p_(i) with p_(i) <= alpha * i / m (-1 if none)."""
    m = pval.size
    if m == 0:
        return -1.0
    srt = np.sort(pval)
    ok = np.flatnonzero(srt <= alpha * np.arange(1, m + 1) / m)
    return float(srt[ok[-1]]) if ok.size else -1.0


def merge_attached(
    networks: pa.Table, memberships: pa.Table, attached: pa.Table
) -> tuple[pa.Table, pa.Table]:
    """Networks with sizes counting the attached amplifiers, and all memberships."""
    if attached.num_rows == 0:
        return networks, memberships
    extra: dict[str, int] = {}
    for nid in attached.column("network_id").to_pylist():
        extra[nid] = extra.get(nid, 0) + 1
    sizes = [
        s + extra.get(nid, 0)
        for nid, s in zip(
            networks.column("network_id").to_pylist(),
            networks.column("size").to_pylist(),
            strict=True,
        )
    ]
    idx = networks.schema.get_field_index("size")
    networks = networks.set_column(idx, "size", pa.array(sizes, pa.int64()))
    return networks, pa.concat_tables([memberships, attached.cast(memberships.schema)])
