"""Attach satellite accounts to operations: accounts in no network that mostly serve one.

Detection keeps accounts that co-act with each other; an operation's originators
(reposted by its amplifiers, but not co-acting with them) or a sparse amplifier
can fall outside every network. After a first verdict, an account in no network
is attached to an inauthentic network when
- at least `MIN_OUT` of its reposts/quotes are of that network's members, they
  are at least `MIN_OUT_SHARE` of all its reposts (it boosts the network), and it
  has a bare profile (fewer than 10 followers or a handle ending in 6+ digits):
  ordinary users reposting an operation that also holds popular accounts are
  not pulled in; or
- at least `BOOST_MIN` of its reposts/quotes are of the network's members and
  that is `BOOST_LIFT` times the share of the reposts of accounts outside the
  network that go to it (it boosts the network far more than the case does;
  a network holding popular accounts has a high rate, so reposting it now and
  then is not enough); or
- the network's members reposted it at least `MIN_IN` times and that is at least
  `MIN_SHARE` of all reposts it received (the network boosts it: an originator).
- or it was created on one of the network's creation-batch days (days with >= 10x
  the background rate of account creation), interacted with its members at least
  once (repost, quote or reply, either way) and has an operation-like profile
  (fewer than 10 followers, a handle ending in 6+ digits, or an empty bio).
The boosting rule also applies to members of networks not judged operations:
detection sometimes puts an operation's amplifiers into an ordinary community;
such an account is moved (its row in the other network is removed).
Attached accounts join `memberships` with centrality 0 and a reason saying why.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pyarrow as pa

from infoops.attribute.behaviour import BOOST_LIFT, BOOST_MIN
from infoops.attribute.features import MEMBERS, background_repost_rate

MIN_OUT = 3
MIN_IN = 5
MIN_SHARE = 0.5
# reposting the operation: ordinary users reach it too, so most of the account's reposts must go to it
MIN_OUT_SHARE = 0.6


def attach_satellites(con: duckdb.DuckDBPyConnection, networks: list[str],
                      batch_days: dict[str, set[Any]] | None = None,
                      targets: dict[str, set[str]] | None = None) -> dict[str, tuple[str, str]]:
    """account_id -> (network_id, reason) for accounts to attach; adds them to the temp members table.
    With `targets` (per network, the members a takedown would take), reposts and reposters
    count only towards those members (not the ordinary accounts a mixed network also holds)."""
    if not networks:
        return {}
    tg = [(n, a) for n in networks for a in sorted((targets or {}).get(n, set()))] if targets is not None else []
    con.register("_attr_targets", pa.table({"network_id": pa.array([n for n, _ in tg], pa.string()),
                                            "account_id": pa.array([a for _, a in tg], pa.string())}))
    rate = background_repost_rate(con)
    con.register("_attr_inauth", pa.table({"network_id": pa.array(networks, pa.string()),
                                           "rate": pa.array([rate.get(n, 0.0) for n in networks], pa.float64())}))
    try:
        rows = con.execute(
            f"""
            WITH allin AS (SELECT account_id, network_id FROM {MEMBERS}
                           WHERE network_id IN (SELECT network_id FROM _attr_inauth)),
            inm AS ({"SELECT account_id, network_id FROM _attr_targets" if targets is not None
                     else "SELECT account_id, network_id FROM allin"}),
            allm AS (SELECT DISTINCT account_id FROM {MEMBERS}),
            r AS (SELECT account_id, ref_account_id FROM posts
                  WHERE kind IN ('repost', 'quote') AND ref_account_id IS NOT NULL AND account_id <> ref_account_id),
            out_r AS (SELECT r.account_id, i.network_id, count(*) AS n FROM r JOIN inm i ON r.ref_account_id = i.account_id
                      WHERE r.account_id NOT IN (SELECT account_id FROM allin) GROUP BY ALL),
            in_r AS (SELECT r.ref_account_id AS account_id, i.network_id, count(*) AS n FROM r JOIN inm i ON r.account_id = i.account_id
                     WHERE r.ref_account_id NOT IN (SELECT account_id FROM allm) GROUP BY ALL),
            cand AS (SELECT account_id, network_id, coalesce(o.n, 0) AS n_out, coalesce(i.n, 0) AS n_in,
                            account_id IN (SELECT account_id FROM allm) AS elsewhere
                     FROM out_r o FULL JOIN in_r i USING (account_id, network_id)),
            tot_out AS (SELECT account_id, count(*) AS n FROM r WHERE account_id IN (SELECT account_id FROM cand) GROUP BY 1),
            tot_in AS (SELECT ref_account_id AS account_id, count(*) AS n FROM r
                       WHERE ref_account_id IN (SELECT account_id FROM cand) GROUP BY 1)
            SELECT c.account_id, c.network_id, c.n_out, coalesce(t1.n, 0), c.n_in, coalesce(t2.n, 0), r.rate,
                   c.elsewhere
            FROM cand c LEFT JOIN tot_out t1 USING (account_id) LEFT JOIN tot_in t2 USING (account_id)
            JOIN _attr_inauth r USING (network_id)
            LEFT JOIN (SELECT account_id, any_value(followers) AS followers, any_value(handle) AS handle
                       FROM accounts GROUP BY account_id) a USING (account_id)
            WHERE (NOT c.elsewhere AND c.n_out >= ? AND c.n_out >= ? * t1.n
                   AND (coalesce(a.followers, 0) < 10 OR length(regexp_extract(coalesce(a.handle, ''), '[0-9]+$')) >= 6))
               OR (c.n_out >= ? AND c.n_out >= ? * r.rate * t1.n)
               OR (NOT c.elsewhere AND c.n_in >= ? AND c.n_in >= ? * t2.n)
            QUALIFY row_number() OVER (PARTITION BY c.account_id ORDER BY c.n_out + c.n_in DESC, c.network_id) = 1
            """,
            [MIN_OUT, MIN_OUT_SHARE, BOOST_MIN, BOOST_LIFT, MIN_IN, MIN_SHARE],
        ).fetchall()
    finally:
        con.unregister("_attr_inauth")
        con.unregister("_attr_targets")
    out: dict[str, tuple[str, str]] = {}
    for aid, nid, why in _batch_siblings(con, networks, batch_days or {}):
        out[aid] = (nid, "attached outside detection: " + why)
    for aid, nid, n_out, t_out, n_in, t_in, r, elsewhere in rows:
        parts = ["moved from a network not judged an operation"] if elsewhere else []
        if n_out >= MIN_OUT and n_out >= MIN_OUT_SHARE * t_out:
            parts.append(f"{n_out} of its {t_out} reposts boost the network")
        elif n_out >= BOOST_MIN and n_out >= BOOST_LIFT * r * t_out:  # also for accounts moved from elsewhere
            parts.append(f"{n_out} of its {t_out} reposts boost the network ({100 * r:.1f}% of other accounts' "
                         "reposts do)")
        if n_in >= MIN_IN and n_in >= MIN_SHARE * t_in:
            parts.append(f"the network reposted it {n_in} of {t_in} times")
        out[str(aid)] = (str(nid), "attached outside detection: " + "; ".join(parts))
    if out:
        con.register("_attr_att", pa.table({"network_id": [v[0] for v in out.values()], "account_id": list(out)}))
        try:
            # an account moved from another network leaves it
            con.execute(f"DELETE FROM {MEMBERS} WHERE account_id IN (SELECT account_id FROM _attr_att)")
            con.execute(f"INSERT INTO {MEMBERS} SELECT network_id, account_id, 0.0 FROM _attr_att")
        finally:
            con.unregister("_attr_att")
    return out


def _batch_siblings(con: duckdb.DuckDBPyConnection, networks: list[str],
                    batch_days: dict[str, set[Any]]) -> list[tuple[str, str, str]]:
    """(account, network, reason) for accounts in no network created on a network's batch day,
    with an operation-like profile and at least one interaction with the network's members."""
    days = [(n, d) for n in networks for d in sorted(batch_days.get(n, set()))]
    if not days:
        return []
    con.register("_attr_bdays", pa.table({"network_id": [n for n, _ in days], "day": [d for _, d in days]}))
    try:
        rows = con.execute(
            f"""
            WITH cand AS (
              SELECT a.account_id, b.network_id, CAST(a.created_at AS DATE) AS day, a.followers,
                     length(regexp_extract(coalesce(a.handle, ''), '[0-9]+$')) AS digits,
                     (a.description IS NULL OR trim(a.description) = '') AS empty_bio
              FROM accounts a JOIN _attr_bdays b ON CAST(a.created_at AS DATE) = b.day
              WHERE a.account_id NOT IN (SELECT account_id FROM {MEMBERS})
            ),
            inm AS (SELECT account_id, network_id FROM {MEMBERS}),
            touch AS (
              SELECT c.account_id, c.network_id, count(*) AS n FROM cand c
              JOIN posts p ON p.account_id = c.account_id
              JOIN inm ON inm.account_id = p.ref_account_id AND inm.network_id = c.network_id
              WHERE p.kind IN ('repost', 'quote', 'reply') GROUP BY ALL
              UNION ALL
              SELECT c.account_id, c.network_id, count(*) AS n FROM cand c
              JOIN posts p ON p.ref_account_id = c.account_id
              JOIN inm ON inm.account_id = p.account_id AND inm.network_id = c.network_id
              WHERE p.kind IN ('repost', 'quote', 'reply') GROUP BY ALL
            )
            SELECT c.account_id, c.network_id, any_value(c.day), any_value(c.followers), any_value(c.digits),
                   any_value(c.empty_bio), sum(t.n)
            FROM cand c JOIN touch t USING (account_id, network_id)
            WHERE coalesce(c.followers, 0) < 10 OR c.digits >= 6 OR c.empty_bio
            GROUP BY c.account_id, c.network_id
            QUALIFY row_number() OVER (PARTITION BY c.account_id ORDER BY sum(t.n) DESC, c.network_id) = 1
            """
        ).fetchall()
    finally:
        con.unregister("_attr_bdays")
    out = []
    for aid, nid, day, followers, digits, empty, n in rows:
        traits = [t for t, ok in ((f"{followers} followers", (followers or 0) < 10),
                                  ("handle ends in 6+ digits", digits >= 6), ("empty bio", bool(empty))) if ok]
        out.append((str(aid), str(nid), f"created {day} in the network's creation batch, {n} interaction(s) "
                    f"with its members, {', '.join(traits)}"))
    return out


def insert_attached(con: duckdb.DuckDBPyConnection, run_id: str, attached: dict[str, tuple[str, str]]) -> None:
    """Add the attached accounts to `memberships` (centrality 0) and update the network sizes."""
    if not attached:
        return
    con.register("_attr_att", pa.table({"network_id": [v[0] for v in attached.values()], "account_id": list(attached)}))
    try:
        con.execute("DELETE FROM memberships WHERE run_id = ? AND account_id IN (SELECT account_id FROM _attr_att)",
                    [run_id])
        con.execute("INSERT INTO memberships (run_id, network_id, account_id, centrality) "
                    "SELECT ?, network_id, account_id, 0.0 FROM _attr_att", [run_id])
        con.execute("UPDATE networks SET size = s.n FROM (SELECT network_id, count(*) AS n FROM memberships "
                    "WHERE run_id = ? GROUP BY 1) s WHERE networks.run_id = ? AND networks.network_id = s.network_id",
                    [run_id, run_id])
    finally:
        con.unregister("_attr_att")
