"""Aggregations the report needs, computed in DuckDB for all selected networks at once.

Every function takes the connection on which `select_members` registered the
`rep_m` view (network_id, account_id, role, centrality) and returns small
Python structures keyed by network id. Text from the data is passed through as
data; nothing from the data is ever put into SQL text.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import duckdb
import pyarrow as pa

REST = "__rest__"
MEMBERS_VIEW = "rep_m"

# log2 bins for counts: 0, 1, 2-3, 4-7, ...
_LOGBIN = "CASE WHEN {x} IS NULL THEN NULL WHEN {x} <= 0 THEN 0 ELSE 1 + floor(log2({x}))::INT END"


def table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    row = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
    ).fetchone()
    return bool(row and row[0])


def register(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> None:
    """Register an Arrow table as a view (DuckDB 2 refuses while a result is unfinished)."""
    con.complete()
    con.register(name, table)


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    cur = con.execute(sql, params or [])
    cols = [d[0] for d in cur.description or []]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def select_networks(con: duckdb.DuckDBPyConnection, max_networks: int, run_id: str | None = None
                    ) -> list[dict[str, Any]]:
    """Networks to report on (of `run_id` when given): operations first, then by score and size."""
    return rows(con, """
        SELECT network_id, size, n_edges, density, signal_mix, score, label, reasons, run_id
        FROM networks WHERE ? IS NULL OR run_id = ?
        ORDER BY (label = 'inauthentic') DESC, score DESC NULLS LAST, size DESC, network_id
        LIMIT ?""", [run_id, run_id, max_networks])


def select_members(con: duckdb.DuckDBPyConnection, network_ids: list[str], run_id: str | None = None) -> int:
    """Register the members of the selected networks as the `rep_m` view; returns its row count."""
    register(con, "rep_sel", pa.table({"network_id": pa.array(network_ids, pa.string())}))
    members = con.sql("""
        SELECT m.network_id, m.account_id, coalesce(m.role, '') AS role, m.centrality
        FROM memberships m SEMI JOIN rep_sel s ON m.network_id = s.network_id
        WHERE $run IS NULL OR m.run_id = $run""", params={"run": run_id}).to_arrow_table()
    register(con, MEMBERS_VIEW, members)
    return int(members.num_rows)


def release(con: duckdb.DuckDBPyConnection) -> None:
    con.complete()
    for name in ("rep_sel", MEMBERS_VIEW):
        try:
            con.unregister(name)
        except duckdb.Error:
            pass


def _grouped(records: list[dict[str, Any]], key: str = "network_id") -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in records:
        out[str(r.pop(key))].append(r)
    return dict(out)


def creation_days(con: duckdb.DuckDBPyConnection) -> dict[str, list[dict[str, Any]]]:
    """Accounts created per day, per network and for the rest of the accounts."""
    return _grouped(rows(con, f"""
        SELECT m.network_id, a.created_at::DATE AS day, count(*) AS n
        FROM {MEMBERS_VIEW} m JOIN accounts a USING (account_id)
        WHERE a.created_at IS NOT NULL GROUP BY ALL
        UNION ALL
        SELECT '{REST}', a.created_at::DATE, count(*)
        FROM accounts a ANTI JOIN {MEMBERS_VIEW} m USING (account_id)
        WHERE a.created_at IS NOT NULL GROUP BY ALL
        ORDER BY 1, 2"""))


def count_distributions(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Log2-binned followers, following and engagement received on original posts, network vs rest."""
    out: dict[str, dict[str, list[dict[str, Any]]]] = {}
    eng = """(SELECT account_id, sum(coalesce(like_count, 0) + coalesce(repost_count, 0)
                   + coalesce(reply_count, 0) + coalesce(quote_count, 0)) AS v
              FROM posts WHERE kind IS DISTINCT FROM 'repost' GROUP BY account_id)"""
    sources = {"followers": "(SELECT account_id, followers AS v FROM accounts)",
               "following": "(SELECT account_id, following AS v FROM accounts)",
               "engagement": eng}
    for name, src in sources.items():
        b = _LOGBIN.format(x="t.v")
        out[name] = _grouped(rows(con, f"""
            WITH t AS {src}
            SELECT m.network_id, {b} AS bin, count(*) AS n FROM {MEMBERS_VIEW} m JOIN t USING (account_id)
            WHERE t.v IS NOT NULL GROUP BY ALL
            UNION ALL
            SELECT '{REST}', {b}, count(*) FROM t ANTI JOIN {MEMBERS_VIEW} m USING (account_id)
            WHERE t.v IS NOT NULL GROUP BY ALL ORDER BY 1, 2"""))
    return out


def language_mix(con: duckdb.DuckDBPyConnection) -> dict[str, list[dict[str, Any]]]:
    return _grouped(rows(con, f"""
        SELECT m.network_id, coalesce(nullif(p.lang, ''), 'und') AS lang, count(*) AS n
        FROM posts p JOIN {MEMBERS_VIEW} m USING (account_id) GROUP BY ALL
        UNION ALL
        SELECT '{REST}', coalesce(nullif(p.lang, ''), 'und'), count(*)
        FROM posts p ANTI JOIN {MEMBERS_VIEW} m USING (account_id) GROUP BY ALL
        ORDER BY 1, 3 DESC"""))


def hour_of_week(con: duckdb.DuckDBPyConnection) -> dict[str, list[dict[str, Any]]]:
    """Posts per (ISO weekday 0=Mon, UTC hour)."""
    return _grouped(rows(con, f"""
        SELECT m.network_id, isodow(p.created_at) - 1 AS dow, hour(p.created_at) AS hour, count(*) AS n
        FROM posts p JOIN {MEMBERS_VIEW} m USING (account_id)
        WHERE p.created_at IS NOT NULL GROUP BY ALL
        UNION ALL
        SELECT '{REST}', isodow(p.created_at) - 1, hour(p.created_at), count(*)
        FROM posts p ANTI JOIN {MEMBERS_VIEW} m USING (account_id)
        WHERE p.created_at IS NOT NULL GROUP BY ALL"""))


def top_hashtags(con: duckdb.DuckDBPyConnection, k: int = 15) -> dict[str, list[dict[str, Any]]]:
    return _grouped(rows(con, f"""
        WITH t AS (SELECT m.network_id, p.account_id, lower(unnest(p.hashtags)) AS item
                   FROM posts p JOIN {MEMBERS_VIEW} m USING (account_id))
        SELECT network_id, item, count(*) AS posts, count(DISTINCT account_id) AS accounts
        FROM t GROUP BY network_id, item
        QUALIFY row_number() OVER (PARTITION BY network_id ORDER BY count(*) DESC, item) <= ?
        ORDER BY network_id, posts DESC, item""", [k]))


def top_domains(con: duckdb.DuckDBPyConnection, k: int = 15) -> dict[str, list[dict[str, Any]]]:
    return _grouped(rows(con, f"""
        WITH u AS (SELECT m.network_id, p.account_id, unnest(p.urls) AS url
                   FROM posts p JOIN {MEMBERS_VIEW} m USING (account_id)),
        t AS (SELECT network_id, account_id,
                     lower(regexp_extract(url, '^[A-Za-z][A-Za-z0-9+.-]*://(?:www\\.)?([^/:?#@]+)', 1)) AS item
              FROM u)
        SELECT network_id, item, count(*) AS posts, count(DISTINCT account_id) AS accounts
        FROM t WHERE item <> '' GROUP BY network_id, item
        QUALIFY row_number() OVER (PARTITION BY network_id ORDER BY count(*) DESC, item) <= ?
        ORDER BY network_id, posts DESC, item""", [k]))


def role_summary(con: duckdb.DuckDBPyConnection) -> dict[str, list[dict[str, Any]]]:
    """Per role: accounts, posts per account, share of reposts, median followers."""
    return _grouped(rows(con, f"""
        WITH pc AS (SELECT account_id, count(*) AS posts, count(*) FILTER (WHERE kind = 'repost') AS reposts
                    FROM posts SEMI JOIN {MEMBERS_VIEW} m USING (account_id) GROUP BY account_id)
        SELECT m.network_id, m.role, count(*) AS accounts,
               sum(coalesce(pc.posts, 0)) AS posts,
               sum(coalesce(pc.reposts, 0)) AS reposts,
               median(a.followers) AS median_followers,
               min(a.created_at) AS first_created, max(a.created_at) AS last_created
        FROM {MEMBERS_VIEW} m LEFT JOIN accounts a USING (account_id) LEFT JOIN pc USING (account_id)
        GROUP BY ALL ORDER BY 1, 3 DESC"""))


def member_reasons(con: duckdb.DuckDBPyConnection, k: int = 8) -> dict[str, list[dict[str, Any]]]:
    return _grouped(rows(con, f"""
        WITH t AS (SELECT m.network_id, unnest(ms.reasons) AS reason
                   FROM memberships ms JOIN {MEMBERS_VIEW} m
                   ON ms.network_id = m.network_id AND ms.account_id = m.account_id)
        SELECT network_id, reason, count(*) AS accounts FROM t GROUP BY network_id, reason
        QUALIFY row_number() OVER (PARTITION BY network_id ORDER BY count(*) DESC, reason) <= ?
        ORDER BY network_id, accounts DESC""", [k]))


def topic_sample(con: duckdb.DuckDBPyConnection, per_network: int) -> dict[str, list[dict[str, Any]]]:
    """A deterministic sample of each network's posts with text (for topic modelling)."""
    return _grouped(rows(con, f"""
        SELECT m.network_id, p.created_at, p.text, p.lang
        FROM posts p JOIN {MEMBERS_VIEW} m USING (account_id)
        WHERE p.text IS NOT NULL AND p.created_at IS NOT NULL
        QUALIFY row_number() OVER (PARTITION BY m.network_id ORDER BY hash(p.post_id)) <= ?""",
        [per_network]))


def utc_offsets_from_features(con: duckdb.DuckDBPyConnection) -> dict[str, float]:
    """Median `utc_offset` per network when attribution stored one in account_features."""
    if not table_exists(con, "account_features"):
        return {}
    try:
        found = rows(con, f"""
            SELECT m.network_id, median(TRY_CAST(json_extract_string(f.features, '$.utc_offset') AS DOUBLE)) AS o
            FROM account_features f JOIN {MEMBERS_VIEW} m USING (account_id) GROUP BY ALL""")
    except duckdb.Error:
        return {}
    return {str(r["network_id"]): float(r["o"]) for r in found if r["o"] is not None}


def central_accounts(con: duckdb.DuckDBPyConnection, k: int = 12) -> dict[str, list[dict[str, Any]]]:
    """The `k` most central accounts of each network with their profile fields."""
    return _grouped(rows(con, f"""
        SELECT m.network_id, m.account_id, m.role, m.centrality, a.handle, a.display_name, a.description,
               a.location, a.url, a.created_at, a.followers, a.following, a.hashed
        FROM {MEMBERS_VIEW} m LEFT JOIN accounts a USING (account_id)
        QUALIFY row_number() OVER (PARTITION BY m.network_id
                                   ORDER BY m.centrality DESC NULLS LAST, m.account_id) <= ?
        ORDER BY m.network_id, m.centrality DESC NULLS LAST, m.account_id""", [k]))
