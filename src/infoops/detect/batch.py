"""Attach accounts created in a network's creation batch that amplify it.

Operations create accounts in batches (Twitter's 2020 takedown: tens of thousands
of amplifiers registered on a few days), and the lightest amplifiers repost the
network once or twice among ordinary activity: too little for the binomial test
of `infoops.detect.attach`, and nothing in their own co-actions stands out. What
does stand out is the group: on a day when a network's members were created in
numbers, most of the other accounts created that day amplify it too.

For every network N and creation day d on which at least one member of N was
created (members so far, including the attached amplifiers), one group test:

- `b_d` = the background number of accounts created per day around d: the
  median of the daily creation counts over `d - window .. d + window` (days with
  no creation count 0), at least 1. A batch is far above it; an ordinary day is
  about it.
- members: `m` of N's members were created on d. Were N ordinary accounts, their
  creation days would follow the background: `m ~ Poisson(|N| * b_d / C)`
  (`C` accounts with a creation time), p-value `p_m = P(X >= m)`.
- amplifiers: of the `n_d` accounts created on d outside every network, `A`
  amplify (repost or quote) at least one of N's members. Were they ordinary
  accounts, each would with the probability `r_N` that an account outside the
  networks (with a creation time) amplifies N at least once:
  `p_A = P(Binomial(n_d, r_N) >= A)`. `r_N` counts every outsider, the
  operation's missed amplifiers included, so it errs high and the test errs
  strict; and an ordinary wave of sign-ups (a news event) brings accounts that
  amplify N at the usual rate, which this test does not pick.
- the group's p-value is `max(p_m, p_A)` (both must hold: a batch day of N, and
  far more of that day's accounts amplifying N than ordinary accounts would).

The Benjamini-Hochberg procedure at `alpha` over all groups picks the batches;
their `A` accounts join N (an account in several picked groups joins the one
with the smallest p-value). About `E = min(b_d, n_d) * r_N` of a group's
accounts are ordinary accounts that happened to be created that day and
amplified N: the sum of `E` over the picked groups is recorded as the expected
number of false attachments. Authentic movements also sign up in waves (activists around an
event): their batches attach to their networks, and attribution judges the
networks. Attached accounts get centrality 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from infoops.detect.attach import AttachResult, bh_cutoff
from infoops.detect.sql import ident

DEFAULT_BATCH_ALPHA = 0.01
# background creations per day: the median over this many days either side
DEFAULT_BATCH_WINDOW_DAYS = 30
# the picked groups recorded in the run's statistics (largest first)
MAX_GROUPS_RECORDED = 200


def daily_background(counts: np.ndarray, window: int) -> np.ndarray:
    """Per day, the median of `counts` over the days `i - window .. i + window`
    (days before the first or after the last count 0), at least 1."""
    from scipy.ndimage import median_filter

    counts = np.asarray(counts, dtype=np.float64)
    if counts.size == 0:
        return counts
    med = median_filter(counts, size=2 * window + 1, mode="constant", cval=0.0)
    return np.maximum(med, 1.0)


def _creation_days(con: duckdb.DuckDBPyConnection, accounts: str) -> None:
    """Temp table `_io_b_acc` (account_id, day): each account's creation day, counted from
    1970-01-01 (accounts with a creation time only)."""
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _io_b_acc AS
            SELECT account_id, datediff('day', DATE '1970-01-01',
                                        CAST(min(created_at) AS DATE)) AS day
            FROM {ident(accounts)} WHERE created_at IS NOT NULL GROUP BY account_id"""
    )


def _day_counts(con: duckdb.DuckDBPyConnection) -> tuple[np.ndarray, np.ndarray, int]:
    """(day numbers, accounts created per day, accounts with a creation time) from `_io_b_acc`;
    the days run from the first creation day to the last."""
    rows = con.execute(
        "SELECT day AS d, count(*) AS n FROM _io_b_acc GROUP BY 1 ORDER BY 1"
    ).fetchnumpy()
    d = np.asarray(rows["d"], dtype=np.int64)
    n = np.asarray(rows["n"], dtype=np.int64)
    if d.size == 0:
        return d, n, 0
    days = np.arange(d[0], d[-1] + 1, dtype=np.int64)
    counts = np.zeros(days.size, dtype=np.int64)
    counts[d - d[0]] = n
    return days, counts, int(n.sum())


@dataclass
class _Counts:
    cand: dict[str, np.ndarray]  # account_id, network_id, day: outsiders amplifying N, created
    # on a day a member of N was created (sorted by network, day, account)
    nets: dict[str, np.ndarray]  # network_id, size (members with a creation time), amplifiers
    member_days: dict[str, np.ndarray]  # network_id, day, m
    outside_days: dict[str, np.ndarray]  # day, n: accounts created that day outside the networks
    outside: int  # accounts outside the networks with a creation time


def _counts(con: duckdb.DuckDBPyConnection, posts: str) -> _Counts:
    """What the group tests count (see module doc); needs the members registered as `_io_bm`
    and `_io_b_acc` (`_creation_days`)."""
    try:
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE _io_b_k AS
                WITH amp AS (
                  SELECT DISTINCT p.account_id AS who, p.ref_account_id AS whom
                  FROM {ident(posts)} p
                  WHERE p.kind IN ('repost', 'quote') AND p.ref_account_id IS NOT NULL
                    AND p.ref_account_id <> p.account_id
                    AND p.account_id NOT IN (SELECT account_id FROM _io_bm))
                SELECT DISTINCT a.who AS account_id, m.network_id
                FROM amp a JOIN _io_bm m ON m.account_id = a.whom
                WHERE a.who IN (SELECT account_id FROM _io_b_acc)"""
        )
        # members created per (network, day), once for the three queries below
        con.execute(
            """CREATE OR REPLACE TEMP TABLE _io_b_md AS
               SELECT m.network_id, a.day, count(*) AS m FROM _io_bm m
               JOIN _io_b_acc a USING (account_id) GROUP BY ALL"""
        )
        cand = con.execute(
            """SELECT k.account_id, k.network_id, a.day
               FROM _io_b_k k JOIN _io_b_acc a USING (account_id)
               JOIN _io_b_md md ON md.network_id = k.network_id AND md.day = a.day
               ORDER BY k.network_id, a.day, k.account_id"""
        ).fetchnumpy()
        nets = con.execute(
            """WITH s AS (SELECT network_id, sum(m) AS size FROM _io_b_md GROUP BY 1),
                    r AS (SELECT network_id, count(*) AS amplifiers FROM _io_b_k GROUP BY 1)
               SELECT s.network_id, s.size, coalesce(r.amplifiers, 0) AS amplifiers
               FROM s LEFT JOIN r USING (network_id)"""
        ).fetchnumpy()
        outside_days = con.execute(
            """SELECT day, count(*) AS n FROM _io_b_acc
               WHERE account_id NOT IN (SELECT account_id FROM _io_bm) GROUP BY 1"""
        ).fetchnumpy()
        member_days = con.execute("SELECT network_id, day, m FROM _io_b_md").fetchnumpy()
    finally:
        con.execute("DROP TABLE IF EXISTS _io_b_k")
        con.execute("DROP TABLE IF EXISTS _io_b_md")
    outside = int(np.asarray(outside_days["n"]).sum())
    return _Counts(cand, nets, member_days, outside_days, outside)


def attach_batches(
    con: duckdb.DuckDBPyConnection,
    memberships: pa.Table,
    posts: str = "posts",
    accounts: str = "accounts",
    alpha: float = DEFAULT_BATCH_ALPHA,
    window: int = DEFAULT_BATCH_WINDOW_DAYS,
) -> AttachResult:
    """Memberships of the accounts attached as members of a network's creation batch
    (see module doc). `memberships` holds every member so far (network_id, account_id)."""
    stats: dict[str, Any] = {
        "batch_alpha": alpha,
        "batch_window_days": window,
        "batch_groups_tested": 0,
        "batch_groups_picked": 0,
        "batch_accounts_attached": 0,
        "batch_expected_false": 0.0,
        "batch_groups": [],
    }
    empty = pa.table(
        {
            "network_id": pa.array([], pa.string()),
            "account_id": pa.array([], pa.string()),
            "centrality": pa.array([], pa.float64()),
        }
    )
    if memberships.num_rows == 0:
        return AttachResult(empty, stats)
    _creation_days(con, accounts)
    con.register("_io_bm", memberships.select(["network_id", "account_id"]))
    try:
        days, counts, n_created = _day_counts(con)
        got = _counts(con, posts) if n_created else None
    finally:
        con.unregister("_io_bm")
        con.execute("DROP TABLE IF EXISTS _io_b_acc")
    if got is None:
        return AttachResult(empty, stats)
    background = daily_background(counts, window)
    acc = np.asarray(got.cand["account_id"], dtype=object)
    if acc.size == 0 or got.outside == 0:
        return AttachResult(empty, stats)
    net = np.asarray(got.cand["network_id"], dtype=object)
    day = np.asarray(got.cand["day"], dtype=np.int64)
    size = {str(n): float(s) for n, s in zip(got.nets["network_id"], got.nets["size"], strict=True)}
    rate = {
        str(n): float(a) / got.outside
        for n, a in zip(got.nets["network_id"], got.nets["amplifiers"], strict=True)
    }
    md = got.member_days
    m_of = {
        (str(n), int(d)): int(c)
        for n, d, c in zip(md["network_id"], md["day"], md["m"], strict=True)
    }
    # groups: runs of equal (network, day) in the sorted candidate rows
    cut = np.flatnonzero((net[1:] != net[:-1]) | (day[1:] != day[:-1])) + 1
    starts = np.concatenate([[0], cut])
    ends = np.concatenate([cut, [acc.size]])
    g_net = net[starts].astype(str)
    g_day = day[starts]
    g_a = (ends - starts).astype(np.float64)
    g_b = background[g_day - days[0]]
    g_m = np.array([m_of[(n, int(d))] for n, d in zip(g_net, g_day, strict=True)], np.float64)
    g_size = np.array([size[n] for n in g_net], np.float64)
    n_of = dict(zip(got.outside_days["day"].tolist(), got.outside_days["n"].tolist(), strict=True))
    g_n = np.array([n_of[int(d)] for d in g_day], np.float64)
    g_r = np.array([rate[n] for n in g_net], np.float64)
    g_e = np.minimum(g_b, g_n) * g_r
    from scipy.stats import binom, poisson  # here: scipy.stats costs ~0.5 s of every CLI start

    p_m = poisson.sf(g_m - 1, g_size * g_b / n_created)
    p_a = binom.sf(g_a - 1, g_n, g_r)
    pval = np.maximum(p_m, p_a)
    cutoff = bh_cutoff(pval, alpha)
    chosen: dict[str, str] = {}
    picked = []
    for g in np.lexsort((g_day, g_net, pval)):
        if pval[g] > cutoff:
            break
        picked.append(g)
        for i in range(starts[g], ends[g]):
            chosen.setdefault(str(acc[i]), str(g_net[g]))
    epoch = np.datetime64("1970-01-01", "D")
    groups = sorted(picked, key=lambda g: (-g_a[g], g_net[g], g_day[g]))
    stats.update(
        batch_groups_tested=int(pval.size),
        batch_groups_picked=len(picked),
        batch_accounts_attached=len(chosen),
        batch_expected_false=round(float(sum(g_e[g] for g in picked)), 3),
        batch_groups=[
            {
                "network_id": str(g_net[g]),
                "day": str(epoch + int(g_day[g])),
                "members_created": int(g_m[g]),
                "background_per_day": float(g_b[g]),
                "outsiders_created": int(g_n[g]),
                "amplifiers_created": int(g_a[g]),
                "expected_ordinary": round(float(g_e[g]), 3),
                "p_value": float(pval[g]),
            }
            for g in groups[:MAX_GROUPS_RECORDED]
        ],
    )
    ids = sorted(chosen)
    table = pa.table(
        {
            "network_id": pa.array([chosen[a] for a in ids], pa.string()),
            "account_id": pa.array(ids, pa.string()),
            "centrality": pa.array([0.0] * len(ids), pa.float64()),
        }
    )
    return AttachResult(table, stats)
