"""Canonical tables of a case store (DuckDB dialect, kept portable to Spark SQL).

Input tables (`accounts`, `posts`) are filled by ingest; result tables are
written by detect / attribute and read by report and export. Every result row
carries the `run_id` of the run that produced it (see `runs`).
"""

from __future__ import annotations

ACCOUNT_COLUMNS: dict[str, str] = {
    "account_id": "VARCHAR NOT NULL",
    "platform": "VARCHAR",
    "handle": "VARCHAR",
    "display_name": "VARCHAR",
    "description": "VARCHAR",
    "location": "VARCHAR",
    "url": "VARCHAR",
    "followers": "BIGINT",
    "following": "BIGINT",
    "created_at": "TIMESTAMP",
    "lang": "VARCHAR",
    "hashed": "BOOLEAN",
    "extra": "JSON",
    "source": "VARCHAR",
}

POST_COLUMNS: dict[str, str] = {
    "post_id": "VARCHAR NOT NULL",
    "account_id": "VARCHAR NOT NULL",
    "platform": "VARCHAR",
    "created_at": "TIMESTAMP",
    # 's' exact to the second (or better), 'min' when only minute precision was known
    "time_precision": "VARCHAR",
    "text": "VARCHAR",
    "lang": "VARCHAR",
    # post / repost / reply / quote
    "kind": "VARCHAR",
    "ref_post_id": "VARCHAR",
    "ref_account_id": "VARCHAR",
    "hashtags": "VARCHAR[]",
    "urls": "VARCHAR[]",
    "mentions": "VARCHAR[]",
    "client": "VARCHAR",
    "like_count": "BIGINT",
    "repost_count": "BIGINT",
    "reply_count": "BIGINT",
    "quote_count": "BIGINT",
    "extra": "JSON",
    "source": "VARCHAR",
}

POST_KINDS = ("post", "repost", "reply", "quote")


def _ddl(name: str, cols: dict[str, str]) -> str:
    body = ",\n  ".join(f"{c} {t}" for c, t in cols.items())
    return f"CREATE TABLE IF NOT EXISTS {name} (\n  {body}\n)"


TABLES: dict[str, dict[str, str]] = {
    "accounts": ACCOUNT_COLUMNS,
    "posts": POST_COLUMNS,
    "rejects": {
        "run_id": "VARCHAR",
        "file": "VARCHAR",
        "line": "BIGINT",
        "field": "VARCHAR",
        "reason": "VARCHAR",
        "raw": "VARCHAR",
    },
    "runs": {
        "run_id": "VARCHAR NOT NULL",
        "command": "VARCHAR",
        "version": "VARCHAR",
        "params": "JSON",
        "inputs": "JSON",
        "counts": "JSON",
        "started_at": "TIMESTAMP",
        "ended_at": "TIMESTAMP",
        "status": "VARCHAR",
        "error": "VARCHAR",
    },
    # --- detection results -------------------------------------------------
    # one row per (signal, account pair); src < dst
    "signal_edges": {
        "run_id": "VARCHAR",
        "signal": "VARCHAR",
        "src": "VARCHAR",
        "dst": "VARCHAR",
        "weight": "DOUBLE",
        "n_events": "BIGINT",
        "evidence": "VARCHAR[]",
    },
    # what each signal's data-driven threshold was, and what each filter removed
    "signal_thresholds": {
        "run_id": "VARCHAR",
        "signal": "VARCHAR",
        "threshold": "DOUBLE",
        "method": "VARCHAR",
        "edges_raw": "BIGINT",
        "edges_kept": "BIGINT",
        "details": "JSON",
    },
    # fused account graph; per-signal weights kept as a map
    "edges": {
        "run_id": "VARCHAR",
        "src": "VARCHAR",
        "dst": "VARCHAR",
        "weight": "DOUBLE",
        "signal_weights": "MAP(VARCHAR, DOUBLE)",
    },
    "networks": {
        "run_id": "VARCHAR",
        "network_id": "VARCHAR",
        "size": "BIGINT",
        "n_edges": "BIGINT",
        "density": "DOUBLE",
        "signal_mix": "MAP(VARCHAR, DOUBLE)",
        # filled by attribute: inauthentic score in [0, 1] and a verdict label
        "score": "DOUBLE",
        "label": "VARCHAR",
        "reasons": "VARCHAR[]",
    },
    "memberships": {
        "run_id": "VARCHAR",
        "network_id": "VARCHAR",
        "account_id": "VARCHAR",
        "centrality": "DOUBLE",
        # core / amplifier / ... (attribute)
        "role": "VARCHAR",
        "score": "DOUBLE",
        "reasons": "VARCHAR[]",
    },
    # --- attribution results ------------------------------------------------
    "account_features": {
        "run_id": "VARCHAR",
        "account_id": "VARCHAR",
        "features": "JSON",
    },
    "prior_links": {
        "run_id": "VARCHAR",
        "network_id": "VARCHAR",
        "prior": "VARCHAR",
        "strength": "DOUBLE",
        "continuing_accounts": "BIGINT",
        "evidence": "JSON",
    },
    "decisions": {
        "network_id": "VARCHAR",
        "decision": "VARCHAR",
        "analyst": "VARCHAR",
        "note": "VARCHAR",
        "decided_at": "TIMESTAMP",
    },
}

RESULT_TABLES = (
    "signal_edges",
    "signal_thresholds",
    "edges",
    "networks",
    "memberships",
    "account_features",
    "prior_links",
)


def create_all_sql() -> list[str]:
    """DDL statements that create every missing table."""
    return [_ddl(name, cols) for name, cols in TABLES.items()]
