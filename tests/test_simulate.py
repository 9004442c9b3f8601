"""The synthetic platform: format, determinism, scale, and the properties each group promises."""

from __future__ import annotations

import ast
import csv
import hashlib
import json
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from infoops.cli import build
from infoops.simulate import build_params, simulate
from infoops.simulate.timing import TWITTER_EPOCH_MS
from infoops.simulate.writer import TRUTH_COLUMNS, TWEET_COLUMNS, USER_COLUMNS


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sim") / "p"
    simulate(out, build_params(scale=0.01, seed=7))
    return out


@pytest.fixture(scope="module")
def con(sim: Path) -> duckdb.DuckDBPyConnection:
    c = duckdb.connect()
    c.execute(
        f"CREATE VIEW tweets AS SELECT * FROM read_csv('{sim}/archive/platform_tweets_*.csv', all_varchar=true)"
    )
    c.execute(
        f"CREATE VIEW users AS SELECT * FROM read_csv('{sim}/archive/platform_users.csv', all_varchar=true)"
    )
    c.execute(f"CREATE VIEW truth AS SELECT * FROM read_csv('{sim}/truth.csv', all_varchar=true)")
    c.execute(
        'CREATE VIEW t AS SELECT tweets.*, truth."group" AS grp, truth.campaign, truth.role '
        "FROM tweets JOIN truth ON tweets.userid = truth.account_id"
    )
    return c


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_layout_and_headers(sim: Path) -> None:
    assert (sim / "archive" / "platform_users.csv").exists()
    assert (sim / "prior" / "prior_users.csv").exists()
    assert (sim / "prior" / "prior_tweets_1.csv").exists()
    with open(sim / "archive" / "platform_tweets_1.csv", newline="", encoding="utf-8") as f:
        assert next(csv.reader(f)) == TWEET_COLUMNS
    with open(sim / "archive" / "platform_users.csv", newline="", encoding="utf-8") as f:
        assert next(csv.reader(f)) == USER_COLUMNS
    with open(sim / "truth.csv", newline="", encoding="utf-8") as f:
        assert next(csv.reader(f)) == TRUTH_COLUMNS
    with open(sim / "prior_ids.csv", newline="", encoding="utf-8") as f:
        assert next(csv.reader(f)) == ["userid"]
    meta = json.loads((sim / "simulation.json").read_text())
    assert meta["seed"] == 7 and meta["params"]["scale"] == 0.01


def test_rows_parse_with_csv_module(sim: Path) -> None:
    n = 0
    with open(sim / "archive" / "platform_tweets_1.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            for col in ("hashtags", "urls", "user_mentions"):
                assert isinstance(ast.literal_eval(row[col]), list)
            assert row["is_retweet"] in ("True", "False")
            if row["is_retweet"] == "True":
                assert (
                    row["tweet_text"].startswith("RT @")
                    and row["retweet_tweetid"]
                    and row["retweet_userid"]
                )
            assert len(row["tweet_time"]) == 16
            n += 1
    assert n > 5000


def test_deterministic_and_seed_sensitive(sim: Path, tmp_path: Path) -> None:
    simulate(tmp_path / "again", build_params(scale=0.01, seed=7))
    assert _digest(tmp_path / "again") == _digest(sim)
    simulate(tmp_path / "other", build_params(scale=0.01, seed=8))
    a = (sim / "archive" / "platform_tweets_1.csv").read_bytes()
    b = (tmp_path / "other" / "archive" / "platform_tweets_1.csv").read_bytes()
    assert a != b


def test_truth_covers_every_account(con: duckdb.DuckDBPyConnection) -> None:
    missing = con.execute(
        "SELECT count(*) FROM users WHERE userid NOT IN (SELECT account_id FROM truth)"
    ).fetchone()
    extra = con.execute(
        "SELECT count(*) FROM truth WHERE account_id NOT IN (SELECT userid FROM users)"
    ).fetchone()
    authors = con.execute(
        "SELECT count(*) FROM tweets WHERE userid NOT IN (SELECT userid FROM users)"
    ).fetchone()
    assert missing == (0,) and extra == (0,) and authors == (0,)
    groups = {r[0] for r in con.execute('SELECT DISTINCT "group" FROM truth').fetchall()}
    assert {
        "organic",
        "viral",
        "fandom",
        "activist",
        "news",
        "cn_2020",
        "ru_media",
        "tr_ring",
    } <= groups
    io = con.execute("SELECT DISTINCT campaign, is_io FROM truth").fetchall()
    assert all((c not in ("", None)) == (i == "1") for c, i in io)


def test_snowflakes_encode_time(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute("SELECT tweetid, tweet_time FROM tweets").fetchall()
    ids = [int(r[0]) for r in rows]
    assert len(set(ids)) == len(ids)
    import datetime as dt

    for tid, minute in rows[:: max(1, len(rows) // 2000)]:
        ms = (int(tid) >> 22) + TWITTER_EPOCH_MS
        t = dt.datetime.fromtimestamp(ms / 1000, dt.UTC).strftime("%Y-%m-%d %H:%M")
        assert t == minute


def test_reposts_follow_their_originals(con: duckdb.DuckDBPyConnection) -> None:
    bad = con.execute(
        "SELECT count(*) FROM tweets WHERE is_retweet = 'True' "
        "AND (retweet_tweetid::HUGEINT >> 22) >= (tweetid::HUGEINT >> 22)"
    ).fetchone()
    assert bad == (0,)


def test_split_rows(tmp_path: Path) -> None:
    out = tmp_path / "s"
    summary = simulate(out, build_params(scale=0.01, seed=3, split_rows=4000))
    files = sorted((out / "archive").glob("platform_tweets_*.csv"))
    total = summary["counts"]["archive_posts"]
    assert len(files) == -(-total // 4000)
    c = duckdb.connect()
    sizes = [
        c.execute(f"SELECT count(*) FROM read_csv('{f}', all_varchar=true)").fetchone()[0]
        for f in files
    ]  # type: ignore[index]
    assert sizes[:-1] == [4000] * (len(files) - 1) and sum(sizes) == total


def test_cli(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "cli"
    res = runner.invoke(
        build(),
        ["simulate", "--out", str(out), "--scale", "0.01", "--seed", "2", "--size", "tr_ring=0"],
    )
    assert res.exit_code == 0, res.output
    truth = (out / "truth.csv").read_text()
    assert "tr_ring" not in truth and "cn_2020" in truth
    bad = runner.invoke(build(), ["simulate", "--out", str(out), "--size", "nosuch=1"])
    assert bad.exit_code != 0 and "unknown size key" in bad.output
