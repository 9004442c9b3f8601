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
from infoops.simulate import SCENARIOS, build_params, simulate
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


# ---- properties each group promises --------------------------------------------------------

_EXACT_MS = "((tweetid::HUGEINT >> 22) + 1288834974657)"


def _share(con: duckdb.DuckDBPyConnection, sql: str) -> float:
    row = con.execute(sql).fetchone()
    assert row is not None and row[0] is not None
    return float(row[0])


def test_cn_core_posts_in_beijing_office_hours(con: duckdb.DuckDBPyConnection) -> None:
    local = f"make_timestamp(({_EXACT_MS} + 8 * 3600000)::BIGINT * 1000)"
    office = (
        f"avg(CASE WHEN hour({local}) BETWEEN 9 AND 17 AND isodow({local}) <= 5 THEN 1 ELSE 0 END)"
    )
    core = _share(
        con,
        f"SELECT {office} FROM t WHERE campaign = 'cn_2020' AND role = 'core' AND is_retweet = 'False'",
    )
    organic = _share(con, f"SELECT {office} FROM t WHERE grp = 'organic'")
    # 9 of 24 hours on 5 of 7 days is 27 % of a uniform week
    assert core > 0.6 and organic < 0.4


def test_cn_accounts_batch_created_with_few_followers(con: duckdb.DuckDBPyConnection) -> None:
    top_days = _share(
        con,
        "SELECT sum(n) / (SELECT count(*) FROM users u JOIN truth ON u.userid = account_id "
        "WHERE campaign = 'cn_2020') FROM (SELECT account_creation_date, count(*) n FROM users u JOIN truth "
        "ON u.userid = account_id WHERE campaign = 'cn_2020' GROUP BY 1 ORDER BY n DESC LIMIT 12)",
    )
    assert top_days > 0.5
    med = lambda grp: _share(  # noqa: E731
        con,
        f"SELECT median(follower_count::INT) FROM users u JOIN truth ON u.userid = account_id WHERE \"group\" = '{grp}'",
    )
    assert med("cn_2020") < 10 < med("organic")


def test_fandom_reposts_idol_within_seconds(con: duckdb.DuckDBPyConnection) -> None:
    delay = f"({_EXACT_MS} - ((retweet_tweetid::HUGEINT >> 22) + 1288834974657)) / 1000"
    fast = _share(
        con,
        f"SELECT avg(CASE WHEN {delay} < 30 THEN 1 ELSE 0 END) FROM t JOIN truth o ON t.retweet_userid = o.account_id "
        "WHERE t.grp = 'fandom' AND o.\"group\" = 'fandom' AND t.is_retweet = 'True'",
    )
    organic = _share(
        con,
        f"SELECT avg(CASE WHEN {delay} < 30 THEN 1 ELSE 0 END) FROM t WHERE grp = 'organic' AND is_retweet = 'True'",
    )
    assert fast > 0.25 and organic < 0.05


def test_fandom_hashtag_trains_repeat_sequences(con: duckdb.DuckDBPyConnection) -> None:
    top = con.execute(
        "SELECT hashtags, count(DISTINCT userid) n FROM t WHERE grp = 'fandom' AND is_retweet = 'False' "
        "AND hashtags LIKE '%,%,%' GROUP BY 1 ORDER BY n DESC LIMIT 1"
    ).fetchone()
    assert top is not None and top[1] >= 5


def test_news_feeds_share_urls_within_minutes(con: duckdb.DuckDBPyConnection) -> None:
    row = con.execute(
        f"SELECT count(*), avg(span) FROM (SELECT urls, count(DISTINCT userid) k, "
        f"(max({_EXACT_MS}) - min({_EXACT_MS})) / 60000 span FROM t WHERE grp = 'news' AND urls <> '[]' "
        "AND is_retweet = 'False' GROUP BY 1) WHERE k >= 2"
    ).fetchone()
    assert row is not None and row[0] >= 20 and row[1] < 30
    clients = {
        r[0]
        for r in con.execute(
            "SELECT DISTINCT tweet_client_name FROM t WHERE grp = 'news'"
        ).fetchall()
    }
    assert not clients & {"Twitter for iPhone", "Twitter for Android"}


def test_activists_share_topics_and_campaign_hashtags(con: duckdb.DuckDBPyConnection) -> None:
    hk = _share(
        con, "SELECT count(*) FROM t WHERE grp = 'activist' AND hashtags ILIKE '%hongkong%'"
    )
    hk_op = _share(
        con, "SELECT count(*) FROM t WHERE campaign = 'cn_2020' AND hashtags ILIKE '%hongkong%'"
    )
    assert hk > 20 and hk_op > 5
    distinct = _share(
        con,
        "SELECT count(DISTINCT tweet_text) / count(*) FROM t WHERE grp = 'activist' AND is_retweet = 'False'",
    )
    assert distinct > 0.9  # original varied text, not copies


def test_cn_near_duplicates_and_mixed_scripts(con: duckdb.DuckDBPyConnection) -> None:
    texts = [
        r[0]
        for r in con.execute(
            "SELECT tweet_text FROM t WHERE campaign = 'cn_2020' AND is_retweet = 'False' AND tweet_language = 'zh'"
        ).fetchall()
    ]
    assert len(texts) > 100
    assert sum("香港" in x for x in texts) > 10
    assert any("暴徒" in x for x in texts) and any(
        "暴徒" in x and "國" in x for x in texts
    )  # traditional too
    assert len(set(texts)) < len(texts)  # templates collide


def test_prior_network_silent_and_referenced(sim: Path, con: duckdb.DuckDBPyConnection) -> None:
    prior = {line.strip() for line in (sim / "prior_ids.csv").read_text().splitlines()[1:]}
    users = {r[0] for r in con.execute("SELECT userid FROM users").fetchall()}
    assert prior and not prior & users
    rt_prior = con.execute(
        "SELECT count(*) FROM t WHERE campaign = 'cn_2020' AND is_retweet = 'True' AND retweet_userid IN "
        f"(SELECT userid FROM read_csv('{sim}/prior_ids.csv', all_varchar=true))"
    ).fetchone()
    assert rt_prior is not None and rt_prior[0] > 0
    years = con.execute(
        f"SELECT DISTINCT year(tweet_time::TIMESTAMP) FROM read_csv('{sim}/prior/prior_tweets_1.csv', all_varchar=true)"
    ).fetchall()
    assert years == [(2019,)]


def test_repurposed_and_hijacked_switch_language(con: duckdb.DuckDBPyConnection) -> None:
    def share(role: str, lang_sql: str, when: str) -> float:
        return _share(
            con,
            f"SELECT avg(CASE WHEN {lang_sql} THEN 1 ELSE 0 END) FROM t WHERE role = '{role}' "
            f"AND is_retweet = 'False' AND {when}",
        )

    # repurposed cn accounts: English spam before the switch, Chinese operation content after
    assert share("repurposed", "tweet_language = 'en'", "tweet_time < '2020-01-10'") > 0.95
    assert share("repurposed", "tweet_language = 'zh'", "tweet_time >= '2020-03-01'") > 0.5
    # hijacked tr accounts: another language before, Turkish ring content after
    assert share("hijacked", "tweet_language <> 'tr'", "tweet_time < '2020-01-15'") > 0.95
    assert share("hijacked", "tweet_language = 'tr'", "tweet_time >= '2020-03-15'") > 0.5


def test_tr_ring_retweets_stay_inside_rings(con: duckdb.DuckDBPyConnection) -> None:
    inside = _share(
        con,
        "SELECT avg(CASE WHEN o.campaign = 'tr_ring' THEN 1 ELSE 0 END) FROM t JOIN truth o "
        "ON t.retweet_userid = o.account_id WHERE t.campaign = 'tr_ring' AND t.is_retweet = 'True'",
    )
    assert inside > 0.8


def test_ru_media_links_one_site(con: duckdb.DuckDBPyConnection) -> None:
    domains = con.execute(
        "SELECT regexp_extract(urls, 'https?://([^/]+)', 1) d, count(*) n FROM t WHERE campaign = 'ru_media' "
        "AND urls <> '[]' GROUP BY 1 ORDER BY n DESC"
    ).fetchall()
    assert domains and domains[0][1] / sum(n for _, n in domains) > 0.8


def test_languages_and_scripts(con: duckdb.DuckDBPyConnection) -> None:
    langs = {
        r[0]
        for r in con.execute(
            "SELECT DISTINCT tweet_language FROM t WHERE grp = 'organic'"
        ).fetchall()
    }
    assert {"en", "zh", "ru", "tr", "es", "ja"} <= langs
    ru = con.execute(
        "SELECT tweet_text FROM t WHERE tweet_language = 'ru' AND is_retweet = 'False' LIMIT 1"
    ).fetchone()
    assert ru is not None and any("а" <= ch <= "я" for ch in ru[0])


def test_scale_is_linear(tmp_path: Path) -> None:
    a = simulate(tmp_path / "a", build_params(scale=0.05, seed=1))["counts"]["archive_posts"]
    b = simulate(tmp_path / "b", build_params(scale=0.1, seed=1))["counts"]["archive_posts"]
    assert 1.75 < b / a < 2.25


def test_stealth_changes_the_operation(tmp_path: Path) -> None:
    def op_stats(stealth: float) -> tuple[float, float]:
        out = tmp_path / f"s{stealth}"
        simulate(out, build_params(scale=0.02, seed=4, stealth=stealth))
        c = duckdb.connect()
        u = f"read_csv('{out}/archive/platform_users.csv', all_varchar=true)"
        tr = f"read_csv('{out}/truth.csv', all_varchar=true)"
        row = c.execute(
            f"SELECT avg(follower_count::DOUBLE), avg(CASE WHEN account_creation_date < '2019-01-01' THEN 1 ELSE 0 END) "
            f"FROM {u} u JOIN {tr} t ON u.userid = t.account_id WHERE t.campaign = 'cn_2020' AND t.role <> 'repurposed'"
        ).fetchone()
        assert row is not None
        return float(row[0]), float(row[1])

    blatant, stealthy = op_stats(0.0), op_stats(1.0)
    assert stealthy[0] > 3 * blatant[0] and stealthy[1] > blatant[1] + 0.2


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_every_scenario_runs_and_keeps_its_promise(scenario: str, tmp_path: Path) -> None:
    summary = simulate(tmp_path / scenario, build_params(scenario=scenario, scale=0.01, seed=5))
    accounts = summary["counts"]["accounts"]
    assert summary["params"]["scenario"] == scenario
    has_ops = any(accounts.get(op, 0) for op in ("cn_2020", "ru_media", "tr_ring"))
    assert has_ops == (scenario != "no-ops")
    assert accounts["organic"] > 0 and accounts["fandom"] > 0


def test_mimicry_makes_authentic_profiles_look_fake(tmp_path: Path) -> None:
    def fandom_profile(mimicry: float) -> tuple[float, float]:
        out = tmp_path / f"m{mimicry}"
        simulate(out, build_params(scale=0.02, seed=6, mimicry=mimicry))
        c = duckdb.connect()
        c.execute(
            f"CREATE VIEW f AS SELECT u.* FROM read_csv('{out}/archive/platform_users.csv', all_varchar=true) u "
            f"JOIN read_csv('{out}/truth.csv', all_varchar=true) t ON u.userid = t.account_id "
            f"WHERE t.\"group\" = 'fandom'"
        )
        row = c.execute(
            "SELECT (SELECT median(follower_count::INT) FROM f), "
            "(SELECT sum(n) FROM (SELECT count(*) n FROM f GROUP BY account_creation_date ORDER BY n DESC LIMIT 4))"
            " / (SELECT count(*) FROM f)"
        ).fetchone()
        assert row is not None
        return float(row[0]), float(row[1])

    plain, fake = fandom_profile(0.0), fandom_profile(1.0)
    assert fake[0] < plain[0] / 5
    assert fake[1] > 0.8 > 0.2 > plain[1]  # creation dates pile up on four days


def test_older_history_is_not_only_io(con: duckdb.DuckDBPyConnection) -> None:
    """Posts before the window exist for ordinary accounts too (whole timelines), so they
    do not single out repurposed or hijacked accounts."""
    rows = dict(
        con.execute(
            "SELECT grp, count(DISTINCT userid) FROM t WHERE tweet_time < '2020-01-01' GROUP BY 1"
        ).fetchall()
    )
    assert rows.get("organic", 0) > 20 and rows.get("fandom", 0) > 0


def test_cli_defaults_are_library_defaults(tmp_path: Path) -> None:
    res = CliRunner().invoke(build(), ["simulate", "--out", str(tmp_path / "d"), "--scale", "0.01"])
    assert res.exit_code == 0, res.output
    written = json.loads((tmp_path / "d" / "simulation.json").read_text())["params"]
    assert written == build_params(scale=0.01).to_json()


def test_no_account_retweets_a_post_twice_or_its_own(con: duckdb.DuckDBPyConnection) -> None:
    twice = con.execute(
        "SELECT count(*) FROM (SELECT userid, retweet_tweetid FROM t WHERE grp IN ('cn_2020', 'ru_media', 'tr_ring', "
        "'fandom', 'viral') AND is_retweet = 'True' GROUP BY ALL HAVING count(*) > 1)"
    ).fetchone()
    own = con.execute(
        "SELECT count(*) FROM t WHERE is_retweet = 'True' AND retweet_userid = userid"
    ).fetchone()
    assert twice == (0,) and own == (0,)


def test_deterministic_across_processes(tmp_path: Path) -> None:
    """Same bytes whatever Python's string-hash seed (no set or dict order leaks into the data)."""
    import os
    import subprocess
    import sys

    code = "import sys; from infoops.simulate import simulate, build_params; simulate(sys.argv[1], build_params(scale=0.01, seed=11))"
    for i in (1, 2):
        env = {**os.environ, "PYTHONHASHSEED": str(i)}
        subprocess.run([sys.executable, "-c", code, str(tmp_path / str(i))], check=True, env=env)
    assert _digest(tmp_path / "1") == _digest(tmp_path / "2")
