"""IO archive CSVs: planted rows with known answers (tests/fixtures/ingest/make_fixtures.py)."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import pytest
from conftest import FIXTURES

from infoops.errors import MissingColumn
from infoops.ingest import ingest
from infoops.store import Case

sys.path.insert(0, str(FIXTURES / "ingest"))
import make_fixtures as planted  # noqa: E402

ARCHIVE = FIXTURES / "ingest" / "io_archive"
BAD = FIXTURES / "ingest" / "io_archive_bad" / "bad_tweets.csv"


def _post(case: Case, post_id: str) -> dict[str, object]:
    cur = case.con.execute("SELECT * FROM posts WHERE post_id = ?", [post_id])
    names = [d[0] for d in cur.description]
    row = cur.fetchone()
    assert row is not None, f"post {post_id} missing"
    return dict(zip(names, row, strict=True))


def _account(case: Case, account_id: str) -> dict[str, object]:
    cur = case.con.execute("SELECT * FROM accounts WHERE account_id = ?", [account_id])
    names = [d[0] for d in cur.description]
    row = cur.fetchone()
    assert row is not None, f"account {account_id} missing"
    return dict(zip(names, row, strict=True))


@pytest.fixture
def archive_case(fresh_case: Case) -> Case:
    ingest(fresh_case, [ARCHIVE], progress=False)
    return fresh_case


def test_every_planted_tweet_once_with_its_kind(archive_case: Case) -> None:
    kinds = dict(archive_case.con.execute("SELECT kind, count(*) FROM posts GROUP BY kind").fetchall())
    assert kinds == {"post": 3, "repost": 1, "reply": 1, "quote": 1}
    assert archive_case.count("posts") == len(planted.TWEETS)


def test_snowflake_gives_exact_time_minute_kept_otherwise(archive_case: Case) -> None:
    first = _post(archive_case, planted.snowflake(planted.T0))
    assert first["created_at"] == datetime(2020, 1, 1, 0, 0, 5, 123000)
    assert first["time_precision"] == "s"
    old = _post(archive_case, "20123456")
    assert old["created_at"] == datetime(2009, 5, 1, 10, 20)
    assert old["time_precision"] == "min"


def test_references_and_lists(archive_case: Case) -> None:
    first_id = planted.snowflake(planted.T0)
    first = _post(archive_case, first_id)
    assert first["hashtags"] == ["hongkong", "news"]
    assert first["urls"] == ["http://example.com/a,b"]
    assert first["like_count"] == 2 and first["repost_count"] == 1
    rt = _post(archive_case, planted.snowflake(planted.T0 + 61_000))
    assert (rt["kind"], rt["ref_post_id"], rt["ref_account_id"]) == ("repost", first_id, "1001")
    assert rt["mentions"] == ["ann_news"]
    reply = _post(archive_case, planted.snowflake(planted.T0 + 3_600_000))
    assert (reply["kind"], reply["ref_post_id"], reply["ref_account_id"]) == ("reply", first_id, "1001")
    quote = _post(archive_case, planted.snowflake(planted.T0 + 7_200_000))
    assert (quote["kind"], quote["ref_post_id"]) == ("quote", reply["post_id"])
    assert quote["extra"] is None  # 'absent' coordinates are not kept


def test_accounts_from_users_file_and_from_tweets(archive_case: Case) -> None:
    assert archive_case.count("accounts") == 4
    ann = _account(archive_case, "1001")
    assert (ann["handle"], ann["followers"], ann["following"], ann["hashed"]) == ("ann_news", 12, 30, False)
    assert ann["created_at"] == datetime(2019, 12, 1)
    assert _account(archive_case, planted.HEX)["hashed"] is True
    assert _account(archive_case, planted.B64)["hashed"] is True
    zed = _account(archive_case, "2002")  # only in a tweets file
    assert (zed["handle"], zed["display_name"], zed["followers"]) == ("zed", "Zed", 7)


def test_missing_language_is_detected(archive_case: Case) -> None:
    assert _post(archive_case, "20123456")["lang"] not in (None, "")


def test_malformed_rows_rejected_with_line_and_reason(fresh_case: Case) -> None:
    summary = ingest(fresh_case, [BAD], progress=False)
    rejects = fresh_case.con.execute("SELECT line, field, reason FROM rejects ORDER BY line").fetchall()
    assert [r[0] for r in rejects] == [5, 6, 7, 8]
    reasons = {r[0]: r[2] for r in rejects}
    assert reasons[5] == "tweetid: empty"
    assert reasons[6] == "tweetid: not a number"
    assert "MISSING COLUMNS" in reasons[7]
    assert reasons[8] == "tweet_time: unparseable"
    assert fresh_case.count("posts") == 3  # lines 2, 3-4 (embedded newline) and 9
    assert summary.rows_rejected == 4 and summary.rows_accepted == 3 and summary.rows_read == 7
    assert _post(fresh_case, planted.snowflake(planted.T0 + 6000))["text"] == "two\nlines"


def test_tweets_file_without_account_column_names_file_and_column(fresh_case: Case, tmp_path: Path) -> None:
    f = tmp_path / "tweets.csv"
    f.write_text("tweetid,tweet_text,tweet_time\n1,hi,2020-01-01 00:00\n", encoding="utf-8")
    with pytest.raises(MissingColumn) as err:
        ingest(fresh_case, [f], progress=False)
    assert str(f) in str(err.value) and "userid" in str(err.value)
    assert fresh_case.count("posts") == 0


def test_zip_members_and_gz_files_are_read_and_named(archive_case: Case) -> None:
    zed = _post(archive_case, planted.snowflake(planted.T0 + 86_400_000))
    assert str(zed["source"]).endswith("test_tweets_csv_hashed_2020_12.zip!test_tweets_csv_hashed_2020_12.csv")
    quote = _post(archive_case, planted.snowflake(planted.T0 + 7_200_000))
    assert str(quote["source"]).endswith("test_tweets_csv_hashed_2.csv.gz")


def test_crlf_line_endings(fresh_case: Case, tmp_path: Path) -> None:
    src = ARCHIVE / "test_tweets_csv_hashed_1.csv"
    f = tmp_path / "crlf_tweets.csv"
    f.write_bytes(src.read_bytes().replace(b"\n", b"\r\n"))
    ingest(fresh_case, [f], progress=False, detect_languages=False)
    rows = fresh_case.con.execute("SELECT count(*), count(extra) FROM posts").fetchall()
    assert rows == [(3, 0)]  # no stray '\r' turned the empty last column into a value
