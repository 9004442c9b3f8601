"""The takedown set: which accounts to act on, with role, score and reasons.

Rule (documented in docs/attribute.md):
1. members of networks labelled 'inauthentic' by the latest attributed run whose
   member score is at least `MIN_MEMBER_SCORE` (every member of an inauthentic
   network reaches it except peripheral members and members outside a mixed
   network's operation-like core, which score at most 0.25), plus members of networks an
   analyst confirmed; minus networks an analyst rejected (latest decision per
   network wins; decisions are 'confirm...' / 'reject...');
2. accounts of the case that were listed in a prior takedown (`--prior`) and
   are not flagged by rule 1: role 'continuing', network_id of their network
   if they are in one (else NULL).
One row per account (an account in two flagged networks keeps its best score).
"""

from __future__ import annotations

import duckdb

# members of an inauthentic network scoring below this are not flagged
MIN_MEMBER_SCORE = 0.29
CONTINUING_SCORE = 0.9


def latest_attributed_run(con: duckdb.DuckDBPyConnection) -> str | None:
    """run_id of the newest run whose networks carry labels (a run still in progress counts as newest)."""
    rows = con.execute(
        """
        SELECT n.run_id FROM networks n LEFT JOIN runs r USING (run_id)
        WHERE n.label IS NOT NULL
        GROUP BY n.run_id ORDER BY max(r.ended_at) DESC NULLS FIRST LIMIT 1
        """
    ).fetchall()
    return str(rows[0][0]) if rows else None


def flagged_accounts(con: duckdb.DuckDBPyConnection, min_member_score: float = MIN_MEMBER_SCORE) -> duckdb.DuckDBPyRelation:
    """account_id, network_id, role, score, reasons (VARCHAR[]) of every flagged account."""
    run_id = latest_attributed_run(con) or ""
    return con.sql(
        f"""
        WITH dec AS (
          SELECT network_id, lower(decision) AS decision FROM decisions
          QUALIFY row_number() OVER (PARTITION BY network_id ORDER BY decided_at DESC NULLS LAST) = 1
        ),
        nets AS (
          SELECT n.network_id, n.label, n.reasons, d.decision FROM networks n LEFT JOIN dec d USING (network_id)
          WHERE n.run_id = '{_quote(run_id)}'
            AND ((n.label = 'inauthentic' AND coalesce(d.decision, '') NOT LIKE 'reject%')
                 OR coalesce(d.decision, '') LIKE 'confirm%')
        ),
        mem AS (
          SELECT m.account_id, m.network_id, coalesce(m.role, 'member') AS role, coalesce(m.score, 0.0) AS score,
                 list_concat(coalesce(m.reasons, []::VARCHAR[]), coalesce(nets.reasons, []::VARCHAR[])) AS reasons
          FROM memberships m JOIN nets USING (network_id)
          WHERE m.run_id = '{_quote(run_id)}'
            AND (coalesce(m.score, 0.0) >= {float(min_member_score)!r} OR nets.decision LIKE 'confirm%')
          QUALIFY row_number() OVER (PARTITION BY m.account_id ORDER BY m.score DESC NULLS LAST, m.network_id) = 1
        ),
        cont AS (
          SELECT f.account_id, any_value(m.network_id) AS network_id, 'continuing' AS role,
                 {CONTINUING_SCORE!r} AS score,
                 ['account was in the prior takedown ' || (f.features ->> 'continues_prior')] AS reasons
          FROM account_features f
          LEFT JOIN memberships m ON m.account_id = f.account_id AND m.run_id = f.run_id
          WHERE f.run_id = '{_quote(run_id)}' AND (f.features ->> 'continues_prior') IS NOT NULL
            AND f.account_id NOT IN (SELECT account_id FROM mem)
          GROUP BY f.account_id, f.features
        )
        SELECT account_id, network_id, role, score, reasons FROM mem
        UNION ALL
        SELECT account_id, network_id, role, score, reasons FROM cont
        """
    )


def _quote(s: str) -> str:
    """run ids are generated hex strings; refuse anything else rather than interpolate it."""
    if not all(c.isalnum() or c in "-_" for c in s):
        raise ValueError(f"bad run id {s!r}")
    return s
