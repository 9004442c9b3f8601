"""twarc2 / API v2 and v1.1 JSON on excerpts of real files (MIT / BSD, see fixtures' ATTRIBUTION.md)."""

from __future__ import annotations

import gzip
import json
from datetime import datetime
from pathlib import Path

import pytest
from conftest import FIXTURES

from infoops.ingest import ingest
from infoops.ingest.formats.jsonstream import iter_values
from infoops.store import Case

TWARC = FIXTURES / "ingest" / "twarc2"
V1 = FIXTURES / "ingest" / "v1"


def _one(case: Case, sql: str, params: list[object]) -> tuple[object, ...]:
    row = case.con.execute(sql, params).fetchone()
    assert row is not None
    return tuple(row)


def test_paged_response_with_includes(fresh_case: Case) -> None:
    summary = ingest(fresh_case, [TWARC / "two_tweets.jsonl"], progress=False)
    kind, ref, ref_acc, tags, mentions, author = _one(
        fresh_case,
        "SELECT kind, ref_post_id, ref_account_id, hashtags, mentions, account_id FROM posts WHERE post_id = ?",
        ["1394735776701816833"],
    )
    assert (kind, ref, tags, mentions, author) == (
        "repost", "1391677057810288641", ["poiuytrewq"], ["bibaigna96"], "1379899464345923590"
    )
    # the included (retweeted) tweet is a post row too, and gives the retweet its ref account
    inc_author = _one(fresh_case, "SELECT account_id FROM posts WHERE post_id = ?", ["1391677057810288641"])[0]
    assert ref_acc == inc_author
    # both included users are accounts
    ids = {r[0] for r in fresh_case.con.execute("SELECT account_id FROM accounts").fetchall()}
    assert {"1379899464345923590", "1380086327023169540"} <= ids
    assert summary.posts_added == 2


def test_flattened_lines_bring_author_and_referenced_tweet(fresh_case: Case) -> None:
    ingest(fresh_case, [TWARC / "flat_head3.jsonl"], progress=False)
    assert _one(fresh_case, "SELECT kind, ref_post_id, ref_account_id FROM posts WHERE post_id = ?",
                ["1380242611781386245"]) == ("repost", "1380175475545362437", "2718660392")
    assert _one(fresh_case, "SELECT account_id FROM posts WHERE post_id = ?", ["1380175475545362437"]) == ("2718660392",)
    assert _one(fresh_case, "SELECT handle FROM accounts WHERE account_id = ?", ["1352661060663336960"]) == (
        "Alexandravm12",
    )
    assert fresh_case.count("posts") == 4


def test_edited_tweet_keeps_latest_version(fresh_case: Case) -> None:
    ingest(fresh_case, [TWARC / "edited.jsonl"], progress=False)
    ids = {r[0] for r in fresh_case.con.execute("SELECT post_id FROM posts").fetchall()}
    assert "1576994789110992896" in ids
    assert "1576994746135764992" not in ids


def test_truncated_line_mid_stream_is_rejected_and_the_rest_kept(fresh_case: Case) -> None:
    path = TWARC / "streaming_output_with_error.jsonl"
    summary = ingest(fresh_case, [path], progress=False)
    lines = path.read_text(encoding="utf-8").split("\n")
    good = [json.loads(x) for x in lines if x.strip() and _parses(x)]
    assert summary.rows_rejected == len(lines) - len(good) == 1
    (line, reason) = _one(fresh_case, "SELECT line, reason FROM rejects", [])
    assert line == len(lines) and str(reason).startswith("invalid JSON")
    data_ids = {g["data"]["id"] for g in good}
    stored = {r[0] for r in fresh_case.con.execute("SELECT post_id FROM posts").fetchall()}
    assert data_ids <= stored


def _parses(text: str) -> bool:
    try:
        json.loads(text)
    except json.JSONDecodeError:
        return False
    return True


def test_v1_wrapped_statuses(fresh_case: Case) -> None:
    path = V1 / "tweets_0.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        tweets = json.load(fh)["tweets"]
    summary = ingest(fresh_case, [path], progress=False)
    assert summary.files[0].format == "v1"
    assert summary.rows_accepted == len(tweets)
    replies = sum(1 for t in tweets if t.get("in_reply_to_status_id"))
    kinds = dict(fresh_case.con.execute("SELECT kind, count(*) FROM posts GROUP BY kind").fetchall())
    assert kinds.get("reply", 0) == replies
    first = tweets[0]
    created, author = _one(fresh_case, "SELECT created_at, account_id FROM posts WHERE post_id = ?", [str(first["id"])])
    assert author == str(first["user"]["id"])
    assert created == datetime.strptime(first["created_at"], "%a %b %d %H:%M:%S %z %Y").replace(tzinfo=None)


def test_v1_retweet_and_quote_become_rows(fresh_case: Case, tmp_path: Path) -> None:
    orig = {"id_str": "500", "text": "original #Tag", "user": {"id_str": "1", "screen_name": "a"},
            "created_at": "Wed Oct 10 20:19:24 +0000 2018", "entities": {"hashtags": [{"text": "Tag"}]}}
    rt = {"id_str": "501", "text": "RT @a: original #Tag", "user": {"id_str": "2", "screen_name": "b"},
          "created_at": "Wed Oct 10 20:20:24 +0000 2018", "retweeted_status": orig}
    qt = {"id_str": "502", "text": "so true", "user": {"id_str": "3", "screen_name": "c"},
          "created_at": "Wed Oct 10 20:21:24 +0000 2018", "quoted_status": orig, "quoted_status_id_str": "500"}
    f = tmp_path / "statuses.jsonl"
    f.write_text("\n".join(json.dumps(x) for x in (rt, qt)) + "\n", encoding="utf-8")
    ingest(fresh_case, [f], progress=False)
    rows = dict((r[0], r[1:]) for r in fresh_case.con.execute(
        "SELECT post_id, kind, ref_post_id, ref_account_id FROM posts").fetchall())
    assert rows == {"500": ("post", None, None), "501": ("repost", "500", "1"), "502": ("quote", "500", "1")}
    assert fresh_case.count("accounts") == 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": 1}\n{"a": 2}\n', [1, 2]),
        ('[{"a": 1},\n {"a": 2}]', [1, 2]),
        ('{\n  "a": 1\n}\n{\n  "a": 2\n}', [1, 2]),
        ('[{"a": 1}]\n[{"a": 2}, {"a": 3}]\n', [1, 2, 3]),
    ],
)
def test_json_stream_shapes(tmp_path: Path, text: str, expected: list[int]) -> None:
    f = tmp_path / "x.json"
    f.write_text(text, encoding="utf-8")
    assert [v.value["a"] for v in iter_values(f)] == expected


def test_json_stream_reports_line_of_bad_value(tmp_path: Path) -> None:
    f = tmp_path / "x.jsonl"
    f.write_text('{"a": 1}\n{"a": \n{"a": 3}\n', encoding="utf-8")
    vals = list(iter_values(f))
    assert [(v.line, v.error is not None) for v in vals] == [(1, False), (2, True), (3, False)]


def test_first_value_larger_than_the_sniff_sample_is_detected(fresh_case: Case, tmp_path: Path) -> None:
    from infoops.ingest.sources import SAMPLE_BYTES

    page = json.loads((TWARC / "two_tweets.jsonl").read_text(encoding="utf-8").splitlines()[0])
    tweet = page["data"][0]
    copies = SAMPLE_BYTES // len(json.dumps(tweet)) + 10
    page["data"] = [dict(tweet, id=str(int(tweet["id"]) + i)) for i in range(copies)]
    f = tmp_path / "big_page.jsonl"
    f.write_text(json.dumps(page) + "\n", encoding="utf-8")
    assert f.stat().st_size > SAMPLE_BYTES
    summary = ingest(fresh_case, [f], progress=False, detect_languages=False)
    assert summary.files[0].format == "twarc2"
    assert fresh_case.con.execute("SELECT count(*) FROM posts WHERE account_id = ?",
                                  [tweet["author_id"]]).fetchall() == [(copies,)]
