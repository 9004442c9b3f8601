"""Shared pieces of the exports: the flagged set, the result run, output paths."""

from __future__ import annotations

import importlib
from pathlib import Path

import duckdb
import pyarrow as pa

from infoops.errors import InfoopsError, NothingDetected


class ExportError(InfoopsError):
    """An export cannot be written as asked (bad output name, unusable salt, ...)."""


FLAGGED_COLUMNS = ("account_id", "network_id", "role", "score", "reasons")


def result_run_id(con: duckdb.DuckDBPyConnection) -> str | None:
    """The run whose networks the exports describe (the one attribution flags accounts from)."""
    try:
        from infoops.attribute.flagged import latest_attributed_run
    except ImportError:
        pass
    else:
        run_id = latest_attributed_run(con)
        if run_id is not None:
            return run_id
    rows = con.execute(
        "SELECT n.run_id FROM (SELECT DISTINCT run_id FROM networks) n "
        "LEFT JOIN runs r USING (run_id) ORDER BY r.ended_at DESC NULLS LAST LIMIT 1"
    ).fetchall()
    return str(rows[0][0]) if rows else None


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> object:
    """First value of a query, fetching the whole result (DuckDB 2 keeps partial results open)."""
    rows = con.execute(sql, params or []).fetchall()
    return rows[0][0] if rows else None


def _fallback_flagged(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyRelation:
    """Members of networks labelled 'inauthentic' in the latest result run."""
    run_id = result_run_id(con)
    return con.sql(
        "SELECT m.account_id, m.network_id, m.role, m.score, m.reasons "
        "FROM memberships m JOIN networks n ON n.run_id = m.run_id AND n.network_id = m.network_id "
        "WHERE n.label = 'inauthentic' AND n.run_id = $run_id "
        "QUALIFY row_number() OVER (PARTITION BY m.account_id ORDER BY m.score DESC NULLS LAST, m.network_id) = 1",
        params={"run_id": run_id},
    )


def require_detection(con: duckdb.DuckDBPyConnection) -> None:
    """Refuse to export a case that was never run through detection (an empty result is fine)."""
    has_networks = scalar(con, "SELECT count(*) FROM networks") != 0
    if not has_networks and scalar(con, "SELECT count(*) FROM runs WHERE command = 'detect' AND status = 'ok'") == 0:
        raise NothingDetected("the case has no detection results yet; run 'infoops detect' first")


def flagged_table(con: duckdb.DuckDBPyConnection, require: bool = True) -> pa.Table:
    """The takedown set (one row per flagged account) as an Arrow table.

    Uses `infoops.attribute.flagged.flagged_accounts` when attribution provides it,
    otherwise the members of networks labelled 'inauthentic'.
    """
    if require:
        require_detection(con)
    try:
        mod = importlib.import_module("infoops.attribute.flagged")
        rel = mod.flagged_accounts(con)
    except (ImportError, AttributeError):
        rel = _fallback_flagged(con)
    return rel.select(*FLAGGED_COLUMNS).to_arrow_table()


def prepare_output(path: Path) -> Path:
    """Create the parent folder of an output file and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return path
