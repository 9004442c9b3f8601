from __future__ import annotations

from pathlib import Path

import pytest

from infoops.errors import CaseError
from infoops.schema import TABLES
from infoops.store import Case


def test_open_creates_every_table(case_dir: Path) -> None:
    with Case.open(case_dir) as case:
        names = {r[0] for r in case.con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert set(TABLES) <= names
    assert (case_dir / "case.duckdb").exists()


def test_open_without_create_names_the_folder(tmp_path: Path) -> None:
    with pytest.raises(CaseError, match="not a case folder"):
        Case.open(tmp_path / "nope", create=False)


def test_transaction_rolls_back_on_error(fresh_case: Case) -> None:
    fresh_case.con.execute("INSERT INTO accounts (account_id) VALUES ('a')")
    with pytest.raises(RuntimeError), fresh_case.transaction() as con:
        con.execute("INSERT INTO accounts (account_id) VALUES ('b')")
        raise RuntimeError("boom")
    assert fresh_case.count("accounts") == 1


def test_run_records_params_and_failure(fresh_case: Case, tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("x\n1\n")
    with fresh_case.run("ingest", {"format": "auto"}, [src]) as rec:
        rec.counts["posts"] = 3
    with pytest.raises(ValueError), fresh_case.run("detect", {"window": 60}):
        raise ValueError("bad")
    rows = fresh_case.con.execute(
        "SELECT command, status, params->>'$.format', inputs->>'$[0].size', counts->>'$.posts', error "
        "FROM runs ORDER BY started_at"
    ).fetchall()
    assert rows[0][:5] == ("ingest", "ok", "auto", "4", "3")
    assert rows[1][1] == "failed" and "bad" in rows[1][5]


def test_helpers_leave_the_connection_free_for_register(fresh_case: Case) -> None:
    import pyarrow as pa

    with fresh_case.run("detect", {}):
        pass
    assert fresh_case.count("accounts") == 0
    assert fresh_case.latest_run_id("detect") is not None
    fresh_case.con.register("_t", pa.table({"x": [1]}))  # raises if a result were left open
    assert fresh_case.con.execute("SELECT x FROM _t").fetchall() == [(1,)]
