from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from test_export_case import ACCOUNTS, FLAGGED, build_case

from infoops.cli import build
from infoops.errors import InfoopsError, NothingDetected
from infoops.export._common import flagged_table
from infoops.export.safety import FORMULA_LEADS, neutralise
from infoops.export.takedown import TAKEDOWN_COLUMNS, export_takedown
from infoops.store import Case


@pytest.fixture
def export_case() -> Iterator[Case]:
    case = build_case(Case.memory())
    yield case
    case.close()


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@x", "\tx", "\rx"])
def test_neutralise_prefixes_formula_leads(value: str) -> None:
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["", "abc", "1-2", "'=x", "a=b", " =x"])
def test_neutralise_leaves_plain_text(value: str) -> None:
    assert neutralise(value) == value


def test_csv_has_stable_columns_and_one_row_per_flagged_account(export_case: Case, tmp_path: Path) -> None:
    out = tmp_path / "takedown.csv"
    counts = export_takedown(export_case, out)
    with out.open(newline="", encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    assert tuple(header) == TAKEDOWN_COLUMNS
    rows = read_csv(out)
    assert counts == {"accounts": len(FLAGGED), "networks": 1}
    ids = {r["account_id"].removeprefix("'") for r in rows}
    assert ids == FLAGGED
    assert {r["network_id"] for r in rows} == {"net-1"}
    assert all(r["prior_link"].startswith("china_2019") for r in rows)


def test_csv_cells_never_start_a_formula(export_case: Case, tmp_path: Path) -> None:
    out = tmp_path / "takedown.csv"
    export_takedown(export_case, out)
    rows = read_csv(out)
    cells = [v for r in rows for v in r.values()]
    bad = [c for c in cells if c.startswith(FORMULA_LEADS)]
    assert not bad
    # hostile values are still there, verbatim after the quote prefix
    by_id = {r["account_id"]: r for r in rows}
    assert by_id["1001"]["display_name"] == "<script>alert(1)</script>"
    assert by_id["1001"]["handle"] == "'=HYPERLINK(\"http://x\")"
    hashed = next(a for a in FLAGGED if a.startswith("+"))
    assert by_id["'" + hashed]["handle"] == "'-minus_handle"
    assert by_id["'" + hashed]["display_name"] == "'@at name"


def test_reasons_are_joined_in_order(export_case: Case, tmp_path: Path) -> None:
    out = tmp_path / "takedown.csv"
    export_takedown(export_case, out)
    flagged = flagged_table(export_case.con).to_pylist()
    expected = {r["account_id"]: "; ".join(r["reasons"]) for r in flagged}
    member = dict(export_case.con.execute("SELECT account_id, reasons FROM memberships").fetchall())
    assert all(expected[a].startswith("; ".join(member[a])) for a in expected)
    for row in read_csv(out):
        acct = row["account_id"].removeprefix("'")
        assert row["reasons"].removeprefix("'") == expected[acct]


def test_parquet_keeps_raw_typed_values(export_case: Case, tmp_path: Path) -> None:
    out = tmp_path / "takedown.parquet"
    export_takedown(export_case, out)
    table = pq.read_table(out)
    assert tuple(table.column_names) == TAKEDOWN_COLUMNS
    assert set(table.column("account_id").to_pylist()) == FLAGGED
    assert str(table.schema.field("followers").type) == "int64"
    assert str(table.schema.field("created_at").type).startswith("timestamp")
    handles = dict(zip(table.column("account_id").to_pylist(), table.column("handle").to_pylist(), strict=True))
    assert handles["1001"] == dict((a, h) for a, h, *_ in ACCOUNTS)["1001"]
    n_posts = dict(zip(table.column("account_id").to_pylist(), table.column("n_posts").to_pylist(), strict=True))
    expected = dict(export_case.con.execute("SELECT account_id, count(*) FROM posts GROUP BY 1").fetchall())
    assert all(n_posts[a] == expected[a] for a in FLAGGED)


def test_export_records_its_run(export_case: Case, tmp_path: Path) -> None:
    export_takedown(export_case, tmp_path / "t.csv")
    row = export_case.con.execute(
        "SELECT status, counts->>'accounts' FROM runs WHERE command = 'export takedown'").fetchone()
    assert row == ("ok", str(len(FLAGGED)))


def test_empty_case_says_detect_first(fresh_case: Case, tmp_path: Path) -> None:
    with pytest.raises(NothingDetected):
        export_takedown(fresh_case, tmp_path / "t.csv")


def test_unknown_suffix_is_a_named_error(export_case: Case, tmp_path: Path) -> None:
    with pytest.raises(InfoopsError):
        export_takedown(export_case, tmp_path / "t.xlsx")


def test_cli_writes_the_file(tmp_path: Path) -> None:
    case_dir = tmp_path / "case"
    with Case.open(case_dir) as case:
        build_case(case)
    out = tmp_path / "out" / "takedown.csv"
    result = CliRunner().invoke(build(), ["export", "takedown", "--case", str(case_dir), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert len(read_csv(out)) == len(FLAGGED)


def test_cli_error_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(build(), ["export", "takedown", "--case", str(tmp_path / "nope"), "-o", "x.csv"])
    assert result.exit_code != 0
    assert "not a case folder" in result.output


def test_a_detect_run_that_found_nothing_gives_a_header_only_file(fresh_case: Case, tmp_path: Path) -> None:
    fresh_case.con.execute("INSERT INTO runs (run_id, command, status, ended_at) VALUES ('r0', 'detect', 'ok', now())")
    out = tmp_path / "t.csv"
    assert export_takedown(fresh_case, out) == {"accounts": 0, "networks": 0}
    assert out.read_text(encoding="utf-8").splitlines() == [",".join(TAKEDOWN_COLUMNS)]
