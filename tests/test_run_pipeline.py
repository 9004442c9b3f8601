"""`infoops run` end to end on a small IO archive with one planted retweet ring."""

from __future__ import annotations

import csv
import random
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from infoops.cli import build
from infoops.export.disclosure import TWEET_COLUMNS, USER_COLUMNS
from infoops.export.takedown import TAKEDOWN_COLUMNS
from infoops.store import Case

XSD = Path(__file__).resolve().parent / "fixtures" / "gexf" / "gexf-1.3-static.xsd"
EPOCH_MS = 1288834974657
RING = [str(7_000_000 + i) for i in range(12)]
CROWD = [str(8_000_000 + i) for i in range(80)]
SOURCES = [str(9_000_000 + i) for i in range(40)]


def snowflake(when: datetime, seq: int) -> str:
    ms = int(when.timestamp() * 1000) - EPOCH_MS
    return str((ms << 22) + seq)


def user(uid: str, followers: int) -> dict[str, str]:
    return {"userid": uid, "user_display_name": f"Name {uid}", "user_screen_name": f"h{uid}",
            "user_reported_location": "", "user_profile_description": "<script>alert(1)</script>",
            "user_profile_url": "", "follower_count": str(followers), "following_count": "5",
            "account_creation_date": "2020-01-02", "account_language": "en"}


def write_archive(folder: Path, seed: int = 3) -> None:
    """Ring accounts retweet every source tweet within seconds of each other; the crowd retweets at random."""
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    t0 = datetime(2020, 4, 1, 1, 0, 0)
    originals = {s: t0 + timedelta(hours=rng.uniform(0, 200)) for s in SOURCES}
    rows: list[dict[str, str]] = []
    seq = 0

    def tweet(uid: str, when: datetime, text: str, rt_of: str = "", rt_user: str = "") -> None:
        nonlocal seq
        seq += 1
        rows.append({**{c: "" for c in TWEET_COLUMNS}, **user(uid, 100 if uid in RING else 900),
                     "tweetid": snowflake(when, seq % 4096), "tweet_text": text, "tweet_language": "en",
                     "tweet_time": when.strftime("%Y-%m-%d %H:%M"), "is_retweet": str(bool(rt_of)),
                     "retweet_tweetid": rt_of, "retweet_userid": rt_user, "hashtags": "[]", "urls": "[]",
                     "user_mentions": f"['{rt_user}']" if rt_user else "[]"})

    for i, (src, when) in enumerate(originals.items()):
        author = CROWD[i % len(CROWD)]
        rows.append({**{c: "" for c in TWEET_COLUMNS}, **user(author, 900), "tweetid": src,
                     "tweet_text": f"original story number {i}: the harbour reopened today after the storm", "tweet_time": when.strftime("%Y-%m-%d %H:%M"),
                     "is_retweet": "False", "hashtags": "[]", "urls": "[]", "user_mentions": "[]"})
        for uid in RING:
            tweet(uid, when + timedelta(seconds=30 + rng.uniform(0, 20)), f"RT @h{author}: original {i}",
                  src, author)
    for uid in CROWD:
        for src in rng.sample(SOURCES, 4):
            when = originals[src] + timedelta(hours=rng.uniform(1, 300))
            tweet(uid, when, "RT: a thing", src, "")
    with (folder / "run_tweets_1.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(TWEET_COLUMNS))
        w.writeheader()
        w.writerows(rows)
    with (folder / "run_users.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(USER_COLUMNS))
        w.writeheader()
        w.writerows(user(u, 100 if u in RING else 900) for u in RING + CROWD)


@pytest.mark.slow
def test_run_writes_every_output_and_records_every_step(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    write_archive(archive)
    salt = tmp_path / "salt"
    salt.write_bytes(b"pipeline-test-salt-0123456789")
    case_dir = tmp_path / "case"
    result = CliRunner().invoke(build(), ["run", str(archive), "--case", str(case_dir), "--salt-file", str(salt)])
    assert result.exit_code == 0, result.output
    for name in ("report.html", "takedown.csv", "network.gexf", "disclosure/README.md"):
        assert (case_dir / name).is_file(), name
        assert str(case_dir / name.split("/")[0]) in result.output
    with (case_dir / "takedown.csv").open(newline="", encoding="utf-8") as fh:
        takedown = list(csv.DictReader(fh))
    assert tuple(takedown[0].keys() if takedown else TAKEDOWN_COLUMNS) == TAKEDOWN_COLUMNS
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    doc = etree.parse(str(case_dir / "network.gexf"))
    assert schema.validate(doc), schema.error_log
    nodes = {n.get("id") for n in doc.iter("{http://gexf.net/1.3}node")}
    assert set(RING) <= nodes  # the planted ring is one of the detected networks
    with Case.open(case_dir, read_only=True) as case:
        steps = dict(case.con.execute(
            "SELECT command, status FROM runs QUALIFY row_number() OVER (PARTITION BY command) = 1").fetchall())
    for cmd in ("ingest", "detect", "report", "export takedown", "export graph", "export disclosure"):
        assert steps.get(cmd) == "ok", (cmd, steps)


def test_run_refuses_a_short_salt_before_any_work(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    write_archive(archive)
    salt = tmp_path / "salt"
    salt.write_bytes(b"short")
    case_dir = tmp_path / "case"
    result = CliRunner().invoke(build(), ["run", str(archive), "--case", str(case_dir), "--salt-file", str(salt)])
    assert result.exit_code != 0 and "salt" in result.output
    assert not (case_dir / "case.duckdb").exists()


class _Summary:
    def counts(self) -> dict[str, int]:
        return {"stub": 1}


def test_run_calls_each_stage_then_exports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Orchestration alone: ingest and detect stubbed by a planted detected case."""
    from test_export_case import FLAGGED, build_case

    import infoops.detect.pipeline as detect_pipeline
    import infoops.ingest as ingest_pkg

    calls: list[str] = []

    def fake_ingest(case: Case, sources: list[Path], **kw: object) -> _Summary:
        calls.append("ingest")
        build_case(case)
        return _Summary()

    def fake_detect(case: Case, params: object, priors: list[Path]) -> _Summary:
        calls.append("detect")
        assert priors == [tmp_path]
        return _Summary()

    monkeypatch.setattr(ingest_pkg, "ingest", fake_ingest)
    monkeypatch.setattr(detect_pipeline, "detect_case", fake_detect)
    salt = tmp_path / "salt"
    salt.write_bytes(b"stubbed-pipeline-salt-0123456789")
    case_dir = tmp_path / "case"
    args = ["run", str(tmp_path), "--case", str(case_dir), "--prior", str(tmp_path), "--salt-file", str(salt)]
    result = CliRunner().invoke(build(), args)
    assert result.exit_code == 0, result.output
    assert calls == ["ingest", "detect"]
    with (case_dir / "takedown.csv").open(newline="", encoding="utf-8") as fh:
        assert {r["account_id"].removeprefix("'") for r in csv.DictReader(fh)} == FLAGGED
    assert (case_dir / "report.html").is_file()
    assert (case_dir / "network.gexf").is_file()
    assert (case_dir / "disclosure" / "infoops_users_csv_hashed.csv").is_file()
