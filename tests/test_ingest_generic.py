"""Generic CSV / Parquet with --map, and the CooRTweet / cnt presets."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import FIXTURES

from infoops.errors import InfoopsError, MissingColumn
from infoops.ingest import ingest
from infoops.store import Case

GENERIC = FIXTURES / "ingest" / "generic"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_coortweet_preset_auto_detected(fresh_case: Case) -> None:
    path = GENERIC / "russian_coord_tweets_head40.csv"
    rows = _rows(path)
    summary = ingest(fresh_case, [path], progress=False, detect_languages=False)
    assert summary.files[0].format == "coortweet"
    assert fresh_case.count("posts") == len({r["content_id"] for r in rows})
    r = rows[0]
    got = fresh_case.con.execute(
        "SELECT account_id, kind, ref_post_id, created_at FROM posts WHERE post_id = ?", [r["content_id"]]
    ).fetchone()
    expected_time = datetime.utcfromtimestamp(float(r["timestamp_share"]))
    assert got == (r["account_id"], "repost", r["object_id"], expected_time)
    assert fresh_case.count("accounts") == len({x["account_id"] for x in rows})


def test_cnt_preset_kinds_and_handles(fresh_case: Case) -> None:
    path = GENERIC / "cnt_sample_data.csv"
    rows = _rows(path)
    ingest(fresh_case, [path], progress=False, detect_languages=False)
    expected = {
        r["message_id"]: "repost" if r["repost_id"] else "reply" if r["reply_id"] else "post" for r in rows
    }
    got = dict(fresh_case.con.execute("SELECT post_id, kind FROM posts").fetchall())
    assert got == expected
    handles = dict(fresh_case.con.execute("SELECT account_id, handle FROM accounts").fetchall())
    assert handles == {r["user_id"]: r["username"] for r in rows}
    with_urls = next(r for r in rows if r["urls"].count("http") == 2)
    urls = fresh_case.con.execute("SELECT urls FROM posts WHERE post_id = ?", [with_urls["message_id"]]).fetchone()
    assert urls is not None and len(urls[0]) == 2


def test_explicit_map_on_csv_and_parquet(fresh_case: Case, tmp_path: Path) -> None:
    table = pa.table({
        "rt_of": ["900", "900", ""], "who": ["u1", "u2", "u3"], "when": ["1600000000", "1600000030.5", "2020-09-13T12:27:00Z"],
    })
    pq.write_table(table, tmp_path / "shares.parquet")
    mapping = {"ref_post_id": "rt_of", "account_id": "who", "created_at": "when"}
    ingest(fresh_case, [tmp_path / "shares.parquet"], mapping=mapping, progress=False)
    rows = fresh_case.con.execute("SELECT account_id, kind, ref_post_id, created_at FROM posts ORDER BY 1").fetchall()
    assert rows == [
        ("u1", "repost", "900", datetime(2020, 9, 13, 12, 26, 40)),
        ("u2", "repost", "900", datetime(2020, 9, 13, 12, 27, 10, 500000)),
        ("u3", "post", None, datetime(2020, 9, 13, 12, 27)),
    ]
    # no post id column: ids are derived from the row, so a second ingest adds nothing
    again = ingest(fresh_case, [tmp_path / "shares.parquet"], mapping=mapping, progress=False)
    assert again.posts_added == 0


def test_accounts_file_keeps_unmapped_columns_in_extra(fresh_case: Case, tmp_path: Path) -> None:
    f = tmp_path / "users.csv"
    f.write_text("user_id,user_active_status,user_community\n11,suspended,3\n,active,1\n12,active,0\n", encoding="utf-8")
    summary = ingest(fresh_case, [f], mapping={"account_id": "user_id"}, progress=False)
    assert summary.rows_accepted == 2 and summary.rows_rejected == 1
    status = fresh_case.con.execute(
        "SELECT json_extract_string(extra, '$.user_active_status') FROM accounts WHERE account_id = '11'"
    ).fetchone()
    assert status == ("suspended",)
    assert fresh_case.con.execute("SELECT line, reason FROM rejects").fetchall() == [(3, "account_id: empty")]


def test_mapped_column_missing_names_file_and_column(fresh_case: Case, tmp_path: Path) -> None:
    f = tmp_path / "x.csv"
    f.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(MissingColumn) as err:
        ingest(fresh_case, [f], mapping={"post_id": "a", "account_id": "nope"}, progress=False)
    assert str(f) in str(err.value) and "'nope'" in str(err.value)


def test_unknown_map_field_is_an_error(fresh_case: Case, tmp_path: Path) -> None:
    f = tmp_path / "x.csv"
    f.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InfoopsError, match="unknown field 'colour'"):
        ingest(fresh_case, [f], mapping={"post_id": "a", "colour": "b"}, progress=False)
