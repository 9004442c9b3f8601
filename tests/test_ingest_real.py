"""Every platform-data file in ../shared/data ingests; counts checked against an independent reader.

Integration tests: they read the shared data in place (some files are eval
only and never copied) and skip when it is absent.
"""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import shared_file

from infoops.errors import MissingColumn
from infoops.ingest import ingest
from infoops.store import Case

pytestmark = pytest.mark.integration


def _csv_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        return header, list(reader)


def _json_values(path: Path) -> list[Any]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:  # type: ignore[operator]
        text = fh.read()
    dec, pos, out = json.JSONDecoder(), 0, []
    while True:
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(text):
            return out
        try:
            value, pos = dec.raw_decode(text, pos)
        except json.JSONDecodeError:
            nl = text.find("\n", pos)
            pos = len(text) if nl < 0 else nl + 1
            continue
        out.extend(value if isinstance(value, list) else [value])


def _ids(case: Case, table: str, col: str) -> set[str]:
    return {r[0] for r in case.con.execute(f"SELECT {col} FROM {table}").fetchall()}


@pytest.mark.parametrize("name", ["iranian_unseen.csv", "russian_unseen.csv", "vz_unseen.csv",
                                  "transformers_validate.csv"])
def test_io_archive_labelled(fresh_case: Case, name: str) -> None:
    path = shared_file(f"io-archive-labelled/{name}")
    header, rows = _csv_rows(path)
    well_formed = [r for r in rows if len(r) == len(header)]
    tid = header.index("tweetid")
    label = "bot_or_not" if "bot_or_not" in header else "troll_or_not"
    summary = ingest(fresh_case, [path], progress=False)
    assert summary.files[0].format == "io-archive"
    assert summary.rows_read == len(rows)
    assert summary.rows_rejected == len(rows) - len(well_formed)
    assert _ids(fresh_case, "posts", "post_id") == {r[tid] for r in well_formed}
    trolls = {r[tid] for r in well_formed if r[header.index(label)] == "1"}
    kept = fresh_case.con.execute(
        f"SELECT count(*) FROM posts WHERE json_extract_string(extra, '$.{label}') = '1'"
    ).fetchone()
    assert kept == (len(trolls),)  # the labels travel in posts.extra


def test_nbc_ira_users(fresh_case: Case) -> None:
    path = shared_file("nbc-ira/users.csv")
    header, rows = _csv_rows(path)
    i, s = header.index("id"), header.index("screen_name")
    summary = ingest(fresh_case, [path], progress=False)
    assert summary.files[0].format == "v1-users-csv"
    assert _ids(fresh_case, "accounts", "account_id") == {r[i] or r[s] for r in rows if r[i] or r[s]}


TWARC_DIR = "twarc2/test-data"


def _twarc_files() -> list[str]:
    names = ["2sets.jsonl", "brexit.jsonl", "cashtags.jsonl", "cotweet.jsonl", "counts.jsonl", "edited.jsonl",
             "edited_after.jsonl", "edited_before.jsonl", "empty.json", "entities_test.jsonl", "flat.jsonl",
             "geo_tweets.jsonl", "kpop.jsonl", "lists.jsonl", "many_urls.jsonl", "media_policy_violation_off.jsonl",
             "media_policy_violation_on.jsonl", "media_tweet.jsonl", "mentions_tweet.jsonl", "noflat.jsonl",
             "quoted_edit.jsonl", "streaming_output_with_error.jsonl", "tweets_compliance.jsonl",
             "two_tweets.jsonl", "users.jsonl", "users_compliance.jsonl", "verified_type.jsonl", "withheld.jsonl"]
    return names


def _superseded(values: list[Any]) -> set[str]:
    """Earlier versions of edited tweets whose latest version is in the file too."""
    tweets: list[dict[str, Any]] = []
    for v in values:
        if not isinstance(v, dict):
            continue
        data = v.get("data")
        tweets += data if isinstance(data, list) else [data] if isinstance(data, dict) else []
        tweets += (v.get("includes") or {}).get("tweets", [])
        if "text" in v:
            tweets.append(v)
    ids = {t["id"] for t in tweets if isinstance(t, dict) and "id" in t}
    out: set[str] = set()
    for t in tweets:
        hist = t.get("edit_history_tweet_ids") or [] if isinstance(t, dict) else []
        if len(hist) > 1 and hist[-1] in ids:
            out |= set(hist[:-1])
    return out


@pytest.mark.parametrize("name", _twarc_files())
def test_twarc2_file(fresh_case: Case, name: str) -> None:
    path = shared_file(f"{TWARC_DIR}/{name}")
    values = _json_values(path)
    summary = ingest(fresh_case, [path], progress=False, detect_languages=False)
    tweet_ids: set[str] = set()
    user_ids: set[str] = set()
    for v in values:
        data = v.get("data") if isinstance(v, dict) and ("data" in v or "includes" in v) else v
        for item in data if isinstance(data, list) else [data]:
            if isinstance(item, dict) and "text" in item and "author_id" in item:
                tweet_ids.add(item["id"])
            elif isinstance(item, dict) and "username" in item:
                user_ids.add(item["id"])
    assert tweet_ids - _superseded(values) <= _ids(fresh_case, "posts", "post_id")
    assert user_ids <= _ids(fresh_case, "accounts", "account_id")
    assert summary.rows_read == summary.rows_accepted + summary.rows_rejected + summary.files[0].skipped
    if name == "streaming_output_with_error.jsonl":
        assert summary.rows_rejected == 1
    if name in ("empty.json",):
        assert summary.rows_read == 0 and fresh_case.count("posts") == 0
    if name in ("counts.jsonl", "lists.jsonl", "tweets_compliance.jsonl", "users_compliance.jsonl"):
        assert fresh_case.count("posts") == 0 and summary.files[0].skipped > 0


@pytest.mark.parametrize("name", ["CS1_tweets.json", "CS4_sample.json", "sample_raw_tweets_1.json.gz",
                                  "sample_raw_tweets_2.json.gz", "sample_timeline.jsonl.gz", "tweets_0.json.gz",
                                  "tweets_1.json.gz"])
def test_twitter_v1_file(fresh_case: Case, name: str) -> None:
    path = shared_file(f"twitter-v1/{name}")
    statuses = []
    for v in _json_values(path):
        statuses += v["tweets"] if isinstance(v, dict) and "tweets" in v else [v]
    ids = {str(s.get("id_str") or s.get("id") or s.get("id_str_h") or s.get("id_h")) for s in statuses}
    summary = ingest(fresh_case, [path], progress=False, detect_languages=False)
    assert summary.files[0].format == "v1"
    assert summary.rows_accepted == len(statuses)
    assert ids <= _ids(fresh_case, "posts", "post_id")
    retweets = {str(s.get("id_str") or s.get("id") or s.get("id_h")) for s in statuses
                if isinstance(s.get("retweeted_status"), dict)}
    reposts = _ids_where(fresh_case, "kind = 'repost'")
    assert retweets <= reposts


def _ids_where(case: Case, cond: str) -> set[str]:
    return {r[0] for r in case.con.execute(f"SELECT post_id FROM posts WHERE {cond}").fetchall()}


@pytest.mark.parametrize(("name", "id_col"), [("russian_coord_tweets.csv", "content_id"),
                                              ("german_elections.csv", "post_id")])
def test_coortweet(fresh_case: Case, name: str, id_col: str) -> None:
    path = shared_file(f"coortweet/{name}")
    header, rows = _csv_rows(path)
    i = header.index(id_col)
    summary = ingest(fresh_case, [path], progress=False, detect_languages=False)
    assert summary.rows_rejected == sum(1 for r in rows if not r[i].strip())
    assert _ids(fresh_case, "posts", "post_id") == {r[i].strip() for r in rows if r[i].strip()}


@pytest.mark.parametrize("name", ["coretweet_test_input.csv", "sample_data.csv", "example.csv"])
def test_cnt_samples(fresh_case: Case, name: str) -> None:
    path = shared_file(f"cnt-samples/{name}")
    n = len(_csv_rows(path)[1]) if path.stat().st_size else 0
    summary = ingest(fresh_case, [path], progress=False, detect_languages=False)
    assert summary.rows_accepted == n == fresh_case.count("posts")


@pytest.mark.parametrize("name", ["retweets-2020-10-24.csv", "retweets-2020-10-27.csv", "retweets-2020-11-01.csv"])
def test_voterfraud_retweets_with_map(fresh_case: Case, name: str) -> None:
    path = shared_file(f"voterfraud2020/{name}")
    header, rows = _csv_rows(path)
    pairs = {(r[1], r[0]) for r in rows}
    ingest(fresh_case, [path], mapping={"repost_of": "retweeted_id", "account_id": "user_id"},
           progress=False, detect_languages=False)
    got = set(fresh_case.con.execute("SELECT account_id, ref_post_id FROM posts WHERE kind = 'repost'").fetchall())
    assert got == pairs


def test_voterfraud_users_and_tweets(fresh_case: Case) -> None:
    users = shared_file("voterfraud2020/users-5.csv")
    header, rows = _csv_rows(users)
    ingest(fresh_case, [users], mapping={"account_id": "user_id"}, progress=False, detect_languages=False)
    assert fresh_case.count("accounts") == len({r[0] for r in rows})
    suspended = fresh_case.con.execute(
        "SELECT count(*) FROM accounts WHERE json_extract_string(extra, '$.user_active_status') = 'suspended'"
    ).fetchone()
    assert suspended == (sum(1 for r in rows if r[header.index("user_active_status")] == "suspended"),)
    # the tweets files carry no author column: they cannot become posts
    with pytest.raises(MissingColumn, match="account_id"):
        ingest(fresh_case, [shared_file("voterfraud2020/tweets-2020-10-24.csv")], mapping={"post_id": "tweet_id"},
               progress=False)


def test_coortweet_long_table_merges_objects_per_post(fresh_case: Case) -> None:
    path = shared_file("coortweet/german_elections.csv")
    header, rows = _csv_rows(path)
    p, u, h = header.index("post_id"), header.index("url_id"), header.index("hashtag_id")
    ingest(fresh_case, [path], progress=False, detect_languages=False)
    got = fresh_case.con.execute("SELECT sum(len(urls)), sum(len(hashtags)) FROM posts").fetchone()
    assert got == (len({(r[p], r[u]) for r in rows if r[p] and r[u]}), len({(r[p], r[h]) for r in rows if r[p] and r[h]}))
