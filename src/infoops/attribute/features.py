"""Account features for the members of detected networks, computed from the canonical tables.

Everything here is plain SQL over `accounts` / `posts` (DuckDB) plus small numpy
steps; nothing depends on how a data set was produced. The main entry point is
`account_features(con, members)` which returns one row per member account.

Features per account (see docs/attribute.md):
- profile: followers, following, created_at, handle shape and trailing digits, empty bio;
- activity: posts by kind, repost share, clients, first/last post, longest silence;
- reception: engagement counted on its own non-repost posts, reposts received in the case;
- timeline changes: dominant language / client in the first and last third of its posts,
  and how pure each third is (an abrupt, complete change of language marks a repurposed
  or hijacked account; bilingual users mix languages throughout).
"""

from __future__ import annotations

from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

MEMBERS = "_attr_members"
# weekday office window in local time: Monday-Friday, [START, END)
OFFICE_START = 9
OFFICE_END = 18
UTC_OFFSETS = tuple(range(-12, 15))


def first_row(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> tuple[Any, ...] | None:
    """The first row of a query, reading the result to the end (DuckDB 2 keeps a
    half-read result open and refuses other work on the connection)."""
    rows = con.execute(sql, params or []).fetchall()
    return tuple(rows[0]) if rows else None


def load_members(con: duckdb.DuckDBPyConnection, run_id: str) -> int:
    """Materialise the memberships of `run_id` as a temp table; returns its row count."""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {MEMBERS} AS "
        "SELECT network_id, account_id, coalesce(centrality, 0.0) AS centrality "
        "FROM memberships WHERE run_id = ?",
        [run_id],
    )
    row = first_row(con, f"SELECT count(*) FROM {MEMBERS}")
    return int(row[0]) if row else 0


_ACCOUNT_SQL = f"""
WITH m AS (SELECT DISTINCT account_id FROM {MEMBERS}),
acc AS (
  SELECT account_id, followers, following, created_at, handle, display_name, description
  FROM accounts WHERE account_id IN (SELECT account_id FROM m)
  QUALIFY row_number() OVER (PARTITION BY account_id ORDER BY followers DESC NULLS LAST) = 1
),
p AS (
  SELECT account_id, created_at, kind, lang, client,
         coalesce(like_count, 0) + coalesce(repost_count, 0) + coalesce(reply_count, 0)
           + coalesce(quote_count, 0) AS eng,
         row_number() OVER (PARTITION BY account_id ORDER BY created_at, post_id) AS rn,
         count(*) OVER (PARTITION BY account_id) AS n,
         epoch(created_at) - epoch(lag(created_at) OVER (PARTITION BY account_id ORDER BY created_at, post_id)) AS gap
  FROM posts WHERE account_id IN (SELECT account_id FROM m)
),
agg AS (
  SELECT account_id,
    count(*) AS n_posts,
    count(*) FILTER (WHERE kind = 'post') AS n_original,
    count(*) FILTER (WHERE kind = 'repost') AS n_repost,
    count(*) FILTER (WHERE kind = 'reply') AS n_reply,
    count(*) FILTER (WHERE kind = 'quote') AS n_quote,
    coalesce(avg(eng) FILTER (WHERE kind <> 'repost'), 0) AS engagement_per_post,
    count(DISTINCT client) AS n_clients,
    mode(client) AS top_client,
    min(created_at) AS first_post,
    max(created_at) AS last_post,
    coalesce(max(gap), 0) / 86400.0 AS max_gap_days,
    mode(lang) FILTER (WHERE rn * 3 <= n) AS early_lang,
    mode(lang) FILTER (WHERE rn * 3 > 2 * n) AS late_lang,
    mode(client) FILTER (WHERE rn * 3 <= n) AS early_client,
    mode(client) FILTER (WHERE rn * 3 > 2 * n) AS late_client
  FROM p GROUP BY account_id
),
purity AS (
  SELECT p.account_id,
    avg(CASE WHEN p.lang = agg.early_lang THEN 1.0 ELSE 0.0 END) FILTER (WHERE p.rn * 3 <= p.n) AS early_lang_purity,
    avg(CASE WHEN p.lang = agg.early_lang THEN 1.0 ELSE 0.0 END) FILTER (WHERE p.rn * 3 > 2 * p.n) AS early_lang_late,
    avg(CASE WHEN p.lang = agg.late_lang THEN 1.0 ELSE 0.0 END) FILTER (WHERE p.rn * 3 > 2 * p.n) AS late_lang_purity
  FROM p JOIN agg USING (account_id) GROUP BY p.account_id
),
recv AS (
  SELECT ref_account_id AS account_id, count(*) AS reposts_received
  FROM posts WHERE kind = 'repost' AND ref_account_id IN (SELECT account_id FROM m)
  GROUP BY ref_account_id
)
SELECT m.account_id,
  acc.followers, acc.following, acc.created_at,
  acc.handle,
  length(regexp_extract(coalesce(acc.handle, ''), '[0-9]+$')) AS handle_trailing_digits,
  regexp_replace(regexp_replace(regexp_replace(coalesce(acc.handle, ''), '[^A-Za-z0-9_]', 'x', 'g'),
    '[A-Za-z]+', 'a', 'g'), '[0-9]', '9', 'g') AS handle_shape,
  (acc.description IS NULL OR trim(acc.description) = '') AS empty_bio,
  lower(trim(coalesce(acc.description, ''))) AS bio_norm,
  coalesce(agg.n_posts, 0) AS n_posts,
  coalesce(agg.n_original, 0) AS n_original,
  coalesce(agg.n_repost, 0) AS n_repost,
  coalesce(agg.n_reply, 0) AS n_reply,
  coalesce(agg.n_quote, 0) AS n_quote,
  coalesce(agg.engagement_per_post, 0) AS engagement_per_post,
  coalesce(recv.reposts_received, 0) AS reposts_received,
  coalesce(agg.n_clients, 0) AS n_clients,
  agg.top_client, agg.first_post, agg.last_post,
  coalesce(agg.max_gap_days, 0) AS max_gap_days,
  agg.early_lang, agg.late_lang, agg.early_client, agg.late_client,
  coalesce(purity.early_lang_purity, 0) AS early_lang_purity,
  coalesce(purity.early_lang_late, 1) AS early_lang_late,
  coalesce(purity.late_lang_purity, 0) AS late_lang_purity
FROM m LEFT JOIN acc USING (account_id) LEFT JOIN agg USING (account_id) LEFT JOIN recv USING (account_id)
  LEFT JOIN purity USING (account_id)
ORDER BY m.account_id
"""


def account_table(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """One row per member account (members must be loaded with `load_members`)."""
    return con.sql(_ACCOUNT_SQL).to_arrow_table()


def network_hour_of_week(con: duckdb.DuckDBPyConnection) -> dict[str, np.ndarray]:
    """Posts per UTC hour of week (Monday 00:00 = bin 0) for each network."""
    rows = con.execute(
        f"""
        SELECT m.network_id, (isodow(p.created_at) - 1) * 24 + hour(p.created_at) AS how, count(*) AS n
        FROM posts p JOIN {MEMBERS} m USING (account_id)
        WHERE p.created_at IS NOT NULL GROUP BY ALL
        """
    ).fetchall()
    out: dict[str, np.ndarray] = {}
    for nid, how, n in rows:
        out.setdefault(str(nid), np.zeros(168, dtype=np.float64))[int(how)] += float(n)
    return out


def background_hour_of_week(con: duckdb.DuckDBPyConnection) -> np.ndarray:
    """Posts per UTC hour of week over the whole case."""
    hist = np.zeros(168, dtype=np.float64)
    for how, n in con.execute(
        "SELECT (isodow(created_at) - 1) * 24 + hour(created_at), count(*) FROM posts "
        "WHERE created_at IS NOT NULL GROUP BY 1"
    ).fetchall():
        hist[int(how)] = float(n)
    return hist


def office_mask(offset: int) -> np.ndarray:
    """Boolean mask over UTC hour-of-week bins that are weekday office hours at UTC+offset."""
    local = (np.arange(168) + offset) % 168
    dow, hour = local // 24, local % 24
    return (dow < 5) & (hour >= OFFICE_START) & (hour < OFFICE_END)


def weekend_mask(offset: int) -> np.ndarray:
    local = (np.arange(168) + offset) % 168
    return local // 24 >= 5


def office_fit(hist: np.ndarray) -> dict[str, Any]:
    """The UTC offset whose local weekday office hours hold most of the activity.

    Returns offset, office share, weekend share, and how many of the 9 office
    hours carry at least 4% of the office-hours activity (a spread working day,
    not one scheduled burst).
    """
    total = float(hist.sum())
    if total <= 0:
        return {"offset": 0, "office_share": 0.0, "weekend_share": 0.0, "office_hours_covered": 0}
    best, best_share = 0, -1.0
    for off in UTC_OFFSETS:
        share = float(hist[office_mask(off)].sum()) / total
        if share > best_share + 1e-12:
            best, best_share = off, share
    mask = office_mask(best)
    local = (np.arange(168) + best) % 168
    per_hour = np.zeros(24)
    np.add.at(per_hour, local[mask] % 24, hist[mask])
    office_total = per_hour.sum()
    covered = int((per_hour[OFFICE_START:OFFICE_END] >= 0.04 * office_total).sum()) if office_total else 0
    return {
        "offset": best,
        "office_share": best_share,
        "weekend_share": float(hist[weekend_mask(best)].sum()) / total,
        "office_hours_covered": covered,
    }


def account_office_share(con: duckdb.DuckDBPyConnection, offsets: dict[str, int]) -> dict[str, float]:
    """Share of each member's posts in weekday office hours at its network's offset."""
    if not offsets:
        return {}
    off = pa.table({"network_id": list(offsets), "utc_offset": list(offsets.values())})
    con.register("_attr_offsets", off)
    try:
        rows = con.execute(
            f"""
            WITH t AS (
              SELECT m.account_id, p.created_at + to_hours(o.utc_offset) AS lt
              FROM posts p JOIN {MEMBERS} m USING (account_id) JOIN _attr_offsets o USING (network_id)
              WHERE p.created_at IS NOT NULL
            )
            SELECT account_id, avg(CASE WHEN isodow(lt) <= 5 AND hour(lt) >= {OFFICE_START}
                                       AND hour(lt) < {OFFICE_END} THEN 1.0 ELSE 0.0 END)
            FROM t GROUP BY account_id
            """
        ).fetchall()
    finally:
        con.unregister("_attr_offsets")
    return {str(a): float(s) for a, s in rows}


def background_profile(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Reference figures the network features are compared with: the accounts of the
    case outside every detected network (the whole case when all are members)."""
    row = first_row(
        con,
        f"""
        SELECT count(*),
               avg(CASE WHEN followers < 10 THEN 1.0 ELSE 0.0 END),
               median(followers),
               avg(CASE WHEN length(regexp_extract(coalesce(handle, ''), '[0-9]+$')) >= 6 THEN 1.0 ELSE 0.0 END),
               avg(CASE WHEN description IS NULL OR trim(description) = '' THEN 1.0 ELSE 0.0 END),
               min(created_at), max(created_at)
        FROM accounts WHERE account_id NOT IN (SELECT account_id FROM {MEMBERS})
        """
    )
    assert row is not None
    eng = first_row(
        con,
        "SELECT median(coalesce(like_count,0)+coalesce(repost_count,0)+coalesce(reply_count,0)"
        f"+coalesce(quote_count,0)) FROM posts WHERE kind <> 'repost' AND account_id NOT IN (SELECT account_id FROM {MEMBERS})",
    )
    rep = first_row(con, "SELECT avg(CASE WHEN kind = 'repost' THEN 1.0 ELSE 0.0 END) FROM posts")
    return {
        "n_accounts": int(row[0] or 0),
        "low_followers_share": float(row[1] or 0.0),
        "median_followers": float(row[2] or 0.0),
        "digit_handle_share": float(row[3] or 0.0),
        "empty_bio_share": float(row[4] or 0.0),
        "created_min": row[5],
        "created_max": row[6],
        "median_engagement": float(eng[0] or 0.0) if eng else 0.0,
        "repost_share": float(rep[0] or 0.0) if rep else 0.0,
    }


def creation_day_counts(con: duckdb.DuckDBPyConnection) -> dict[Any, int]:
    """Accounts created per calendar day over the whole case."""
    return {
        d: int(n)
        for d, n in con.execute(
            "SELECT CAST(created_at AS DATE), count(*) FROM accounts WHERE created_at IS NOT NULL GROUP BY 1"
        ).fetchall()
    }


def duplicate_text_share(con: duckdb.DuckDBPyConnection, min_accounts: int = 3) -> dict[str, float]:
    """Per member: share of its own (non-repost) posts whose normalised text is posted
    by at least `min_accounts` accounts of the same network (copy-paste or templates
    with only numbers, links or mentions changed)."""
    rows = con.execute(
        f"""
        WITH t AS (
          SELECT m.network_id, p.account_id,
                 regexp_replace(lower(regexp_replace(coalesce(p.text, ''), '(https?://\\S+|@\\w+|#)', '', 'g')),
                                '[\\s\\d\\p{{P}}]+', '', 'g') AS norm
          FROM posts p JOIN {MEMBERS} m USING (account_id)
          WHERE p.kind <> 'repost'
        ),
        k AS (
          SELECT network_id, norm, count(DISTINCT account_id) AS n_acc FROM t
          WHERE length(norm) >= 8 GROUP BY ALL
        )
        SELECT t.account_id, avg(CASE WHEN k.n_acc >= ? THEN 1.0 ELSE 0.0 END)
        FROM t LEFT JOIN k USING (network_id, norm) GROUP BY t.account_id
        """,
        [min_accounts],
    ).fetchall()
    return {str(a): float(s) for a, s in rows}


def in_network_reposts(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """Per member: reposts it made of other members' posts, and reposts it received from members."""
    return con.sql(
        f"""
        WITH r AS (
          SELECT p.account_id AS src, p.ref_account_id AS dst, m1.network_id
          FROM posts p JOIN {MEMBERS} m1 ON p.account_id = m1.account_id
          JOIN {MEMBERS} m2 ON p.ref_account_id = m2.account_id AND m1.network_id = m2.network_id
          WHERE p.kind IN ('repost', 'quote') AND p.account_id <> p.ref_account_id
        ),
        made AS (SELECT network_id, src AS account_id, count(*) AS n FROM r GROUP BY ALL),
        got AS (SELECT network_id, dst AS account_id, count(*) AS n FROM r GROUP BY ALL)
        SELECT m.network_id, m.account_id, coalesce(made.n, 0) AS reposts_made_in,
               coalesce(got.n, 0) AS reposts_received_in
        FROM {MEMBERS} m LEFT JOIN made USING (network_id, account_id) LEFT JOIN got USING (network_id, account_id)
        """
    ).to_arrow_table()


def accounts_hour_of_week(con: duckdb.DuckDBPyConnection, account_ids: list[str]) -> np.ndarray:
    """Posts per UTC hour of week of a set of accounts."""
    hist = np.zeros(168, dtype=np.float64)
    con.register("_attr_ids", pa.table({"account_id": pa.array(account_ids, pa.string())}))
    try:
        for how, n in con.execute(
            "SELECT (isodow(created_at) - 1) * 24 + hour(created_at), count(*) FROM posts "
            "WHERE created_at IS NOT NULL AND account_id IN (SELECT account_id FROM _attr_ids) GROUP BY 1"
        ).fetchall():
            hist[int(how)] = float(n)
    finally:
        con.unregister("_attr_ids")
    return hist


def in_network_repost_pairs(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[str, str, int]]]:
    """Per network: (reposting member, reposted member, count) for reposts and quotes inside it."""
    out: dict[str, list[tuple[str, str, int]]] = {}
    for nid, src, dst, n in con.execute(
        f"""
        SELECT m1.network_id, p.account_id, p.ref_account_id, count(*)
        FROM posts p JOIN {MEMBERS} m1 ON p.account_id = m1.account_id
        JOIN {MEMBERS} m2 ON p.ref_account_id = m2.account_id AND m1.network_id = m2.network_id
        WHERE p.kind IN ('repost', 'quote') AND p.account_id <> p.ref_account_id
        GROUP BY ALL
        """
    ).fetchall():
        out.setdefault(str(nid), []).append((str(src), str(dst), int(n)))
    return out


def network_top_domain(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[float, str, int]]:
    """Per network: share of its members' link posts (non-reposts) that go to its commonest
    domain, that domain, and the number of link posts."""
    rows = con.execute(
        f"""
        WITH u AS (
          SELECT m.network_id, p.post_id,
                 lower(regexp_extract(unnest(p.urls), '^(?:[a-zA-Z]+://)?(?:www\\.)?([^/:?#]+)', 1)) AS d
          FROM posts p JOIN {MEMBERS} m USING (account_id)
          WHERE p.kind <> 'repost' AND len(p.urls) > 0
        ),
        per AS (SELECT network_id, d, count(DISTINCT post_id) AS n FROM u WHERE d <> '' GROUP BY ALL),
        tot AS (SELECT network_id, count(DISTINCT post_id) AS n FROM u GROUP BY ALL)
        SELECT per.network_id, arg_max(per.d, per.n), max(per.n), any_value(tot.n)
        FROM per JOIN tot USING (network_id) GROUP BY per.network_id
        """
    ).fetchall()
    return {str(nid): (float(top) / float(total), str(d), int(total)) for nid, d, top, total in rows if total}


# a hashtag or link domain is characteristic of a network when the network uses it at
# least this many times as often (share of its hashtag/domain uses) as the rest of the case
AGENDA_LIFT = 5.0
AGENDA_MIN_ACCOUNTS = 3

_DOMAIN_RE = "^(?:[a-zA-Z]+://)?(?:www\\.)?([^/:?#]+)"

_ALIGNMENT_SQL = f"""
WITH p AS (
  SELECT m.network_id, p.post_id, p.account_id, p.hashtags, p.kind, p.ref_account_id,
         list_transform(coalesce(p.urls, []), lambda u: lower(regexp_extract(u, '{_DOMAIN_RE}', 1))) AS doms
  FROM posts p JOIN {MEMBERS} m USING (account_id)
),
feat AS (
  SELECT network_id, account_id, 't:' || unnest(hashtags) AS f FROM p
  UNION ALL SELECT network_id, account_id, 'd:' || unnest(doms) FROM p
),
allf AS (
  SELECT f, count(*) AS n FROM (
    SELECT 't:' || unnest(hashtags) AS f FROM posts
    UNION ALL SELECT 'd:' || lower(regexp_extract(unnest(urls), '{_DOMAIN_RE}', 1)) FROM posts
  ) WHERE f NOT IN ('t:', 'd:') GROUP BY f
),
tot AS (SELECT sum(n) AS n FROM allf),
netf AS (SELECT network_id, f, count(*) AS n, count(DISTINCT account_id) AS a FROM feat
         WHERE f NOT IN ('t:', 'd:') GROUP BY ALL),
nettot AS (SELECT network_id, sum(n) AS n FROM netf GROUP BY ALL),
charf AS (
  SELECT netf.network_id, netf.f FROM netf JOIN nettot USING (network_id) JOIN allf USING (f), tot
  WHERE netf.a >= ? AND netf.n * 1.0 / nettot.n
        >= ? * greatest(allf.n - netf.n, 1) * 1.0 / greatest(tot.n - nettot.n, 1)
),
onp AS (
  SELECT DISTINCT p.network_id, p.post_id FROM p JOIN charf c ON c.network_id = p.network_id
    AND ((c.f LIKE 't:%' AND list_contains(p.hashtags, substr(c.f, 3)))
         OR (c.f LIKE 'd:%' AND list_contains(p.doms, substr(c.f, 3))))
  UNION
  SELECT p.network_id, p.post_id FROM p JOIN {MEMBERS} m2
    ON m2.network_id = p.network_id AND m2.account_id = p.ref_account_id
  WHERE p.kind IN ('repost', 'quote', 'reply') AND p.ref_account_id <> p.account_id
)
SELECT p.network_id, p.account_id, avg(CASE WHEN onp.post_id IS NULL THEN 0.0 ELSE 1.0 END)
FROM p LEFT JOIN onp USING (network_id, post_id) GROUP BY ALL
"""


def network_alignment(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], float]:
    """Per (network, member): share of the member's posts that are on the network's agenda,
    i.e. carry a hashtag or link domain characteristic of the network (used by at least
    AGENDA_MIN_ACCOUNTS members and AGENDA_LIFT times more common in the network than in
    the rest of the case) or repost, quote or reply to another member. Members of an
    operation post on its agenda; ordinary accounts detection swept in at its edge mostly
    do not. Members with no posts are absent."""
    rows = con.execute(_ALIGNMENT_SQL, [AGENDA_MIN_ACCOUNTS, AGENDA_LIFT]).fetchall()
    return {(str(n), str(a)): float(s) for n, a, s in rows}


def member_domain_links(con: duckdb.DuckDBPyConnection, tops: dict[str, str]) -> dict[tuple[str, str], tuple[int, int]]:
    """Per (network, member): its own link posts (non-reposts) and how many of them link to
    the network's commonest domain `tops[network_id]`."""
    if not tops:
        return {}
    con.register("_attr_tops", pa.table({"network_id": list(tops), "top": list(tops.values())}))
    try:
        rows = con.execute(
            f"""
            WITH u AS (
              SELECT m.network_id, p.account_id, p.post_id,
                     list_transform(p.urls, lambda x: lower(regexp_extract(x, '{_DOMAIN_RE}', 1))) AS doms
              FROM posts p JOIN {MEMBERS} m USING (account_id)
              WHERE p.kind <> 'repost' AND len(p.urls) > 0
            )
            SELECT u.network_id, u.account_id, count(*), count(*) FILTER (WHERE list_contains(u.doms, t.top))
            FROM u JOIN _attr_tops t USING (network_id) GROUP BY ALL
            """
        ).fetchall()
    finally:
        con.unregister("_attr_tops")
    return {(str(n), str(a)): (int(k), int(t)) for n, a, k, t in rows}


def background_repost_rate(con: duckdb.DuckDBPyConnection) -> dict[str, float]:
    """Per network: share of the reposts and quotes made by accounts outside it that are of
    its members (how much an ordinary account of the case boosts the network)."""
    rows = con.execute(
        f"""
        WITH r AS (SELECT account_id, ref_account_id FROM posts WHERE kind IN ('repost', 'quote')),
        tot AS (SELECT count(*) AS n FROM r),
        nets AS (SELECT DISTINCT network_id FROM {MEMBERS}),
        made_by AS (SELECT m.network_id, count(*) AS n FROM r JOIN {MEMBERS} m USING (account_id) GROUP BY ALL),
        got AS (
          SELECT m.network_id, count(*) AS n FROM r JOIN {MEMBERS} m ON r.ref_account_id = m.account_id
          WHERE r.account_id NOT IN (SELECT account_id FROM {MEMBERS} m2 WHERE m2.network_id = m.network_id)
          GROUP BY ALL
        )
        SELECT nets.network_id, coalesce(got.n, 0), tot.n - coalesce(made_by.n, 0)
        FROM nets CROSS JOIN tot LEFT JOIN made_by USING (network_id) LEFT JOIN got USING (network_id)
        """
    ).fetchall()
    return {str(n): (float(k) / float(d) if d else 0.0) for n, k, d in rows}
