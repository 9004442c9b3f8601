"""Orchestration: idempotence, all-or-nothing, format errors, cross-source dedupe, the CLI."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES

from infoops.cli import build
from infoops.errors import UnknownFormat
from infoops.ingest import ingest, staging
from infoops.store import Case

ARCHIVE = FIXTURES / "ingest" / "io_archive"
BAD = FIXTURES / "ingest" / "io_archive_bad" / "bad_tweets.csv"
TABLES = ("posts", "accounts", "rejects")

sys.path.insert(0, str(FIXTURES / "ingest"))
import make_fixtures as planted  # noqa: E402


def _snapshot(case: Case) -> dict[str, list[tuple[object, ...]]]:
    return {t: sorted(map(repr, case.con.execute(f"SELECT * FROM {t}").fetchall())) for t in TABLES}  # type: ignore[misc]


def test_ingesting_twice_adds_nothing(fresh_case: Case) -> None:
    first = ingest(fresh_case, [ARCHIVE], progress=False)
    before = _snapshot(fresh_case)
    second = ingest(fresh_case, [ARCHIVE], progress=False)
    assert first.posts_added == 6 and second.posts_added == 0 and second.accounts_added == 0
    after = _snapshot(fresh_case)
    assert after["posts"] == before["posts"] and after["accounts"] == before["accounts"]


def test_failure_during_merge_leaves_case_unchanged(fresh_case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    ingest(fresh_case, [BAD], progress=False)
    before = _snapshot(fresh_case)

    def boom(con: object) -> tuple[int, int]:
        raise KeyboardInterrupt  # an interrupt after posts were merged

    monkeypatch.setattr(staging, "merge_accounts", boom)
    with pytest.raises(KeyboardInterrupt):
        ingest(fresh_case, [ARCHIVE], progress=False)
    assert _snapshot(fresh_case) == before
    status = fresh_case.con.execute("SELECT status FROM runs ORDER BY started_at").fetchall()
    assert [s[0] for s in status] == ["ok", "failed"]


def test_failure_on_a_later_file_leaves_case_unchanged(fresh_case: Case, tmp_path: Path) -> None:
    bad = tmp_path / "zz_notes.csv"
    bad.write_text("colour,size\nred,3\n", encoding="utf-8")
    with pytest.raises(UnknownFormat) as err:
        ingest(fresh_case, [ARCHIVE, bad], progress=False)
    assert str(bad) in str(err.value)
    assert all(fresh_case.count(t) == 0 for t in TABLES)


def test_unknown_format_names_the_file(fresh_case: Case, tmp_path: Path) -> None:
    f = tmp_path / "notes.txt.data"
    f.write_text("just some words\nand more\n", encoding="utf-8")
    with pytest.raises(UnknownFormat, match="notes.txt.data"):
        ingest(fresh_case, [f], progress=False)


def test_same_post_from_two_sources_is_stored_once(fresh_case: Case, tmp_path: Path) -> None:
    # the archive's first tweet again, as a generic CSV with another text
    first = planted.snowflake(planted.T0)
    f = tmp_path / "copy.csv"
    f.write_text(f"id,user,body\n{first},1001,other text\n", encoding="utf-8")
    ingest(fresh_case, [ARCHIVE], progress=False)
    ingest(fresh_case, [f], mapping={"post_id": "id", "account_id": "user", "text": "body"}, progress=False)
    rows = fresh_case.con.execute("SELECT text FROM posts WHERE post_id = ?", [first]).fetchall()
    assert rows == [("香港 #HongKong news",)]  # stored once; the first stored copy is kept


def test_later_ingest_fills_missing_account_fields(fresh_case: Case, tmp_path: Path) -> None:
    f = tmp_path / "more.csv"
    f.write_text("user_id,place\n2002,Lisbon\n", encoding="utf-8")
    ingest(fresh_case, [ARCHIVE], progress=False)
    summary = ingest(fresh_case, [f], mapping={"account_id": "user_id", "location": "place"}, progress=False)
    assert summary.accounts_updated == 1
    row = fresh_case.con.execute("SELECT handle, location FROM accounts WHERE account_id = '2002'").fetchone()
    assert row == ("zed", "Lisbon")


def test_cli_ingest_directory_and_summary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    monkeypatch.chdir(tmp_path)
    res = runner.invoke(build(), ["ingest", str(ARCHIVE), "--case", "c"])
    assert res.exit_code == 0, res.output
    assert "posts by kind" in res.output and "repost 1" in res.output
    with Case.open("c") as case:
        assert case.count("posts") == 6
        counts = case.con.execute("SELECT counts FROM runs WHERE command = 'ingest'").fetchone()
        assert counts is not None and '"posts_added": 6' in counts[0]


def test_cli_errors_are_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    monkeypatch.chdir(tmp_path)
    Path("x.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    res = runner.invoke(build(), ["ingest", "x.csv", "--case", "c", "--map", "post_id=a", "--map",
                                  "account_id=zz", "-q"])
    assert res.exit_code == 1
    assert "Error: x.csv: required column 'zz' is missing" in res.output
    assert "Traceback" not in res.output


def test_connection_left_usable_and_memory_limit_restored(fresh_case: Case) -> None:
    import pyarrow as pa

    before = fresh_case.con.execute("SELECT current_setting('memory_limit')").fetchall()
    ingest(fresh_case, [ARCHIVE], progress=False)
    assert fresh_case.con.execute("SELECT current_setting('memory_limit')").fetchall() == before
    fresh_case.con.register("t", pa.table({"a": [1]}))  # no pending result left behind
    assert fresh_case.con.execute("SELECT count(*) FROM t").fetchall() == [(1,)]
    temp = fresh_case.con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE temporary AND table_name LIKE '\\_%' ESCAPE '\\'"
    ).fetchall()
    assert temp == []  # staging tables dropped
