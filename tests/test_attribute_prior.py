from __future__ import annotations

import csv
import json
from pathlib import Path

from test_attribute_world import World, build_world

from infoops.attribute.flagged import flagged_accounts
from infoops.attribute.pipeline import attribute_case
from infoops.attribute.prior import load_prior, load_priors
from infoops.store import Case

COLS = ["tweetid", "userid", "user_display_name", "user_screen_name", "user_reported_location",
        "user_profile_description", "user_profile_url", "follower_count", "following_count",
        "account_creation_date", "account_language", "tweet_language", "tweet_text", "tweet_time",
        "tweet_client_name", "in_reply_to_userid", "in_reply_to_tweetid", "quoted_tweet_tweetid", "is_retweet",
        "retweet_userid", "retweet_tweetid", "latitude", "longitude", "quote_count", "reply_count", "like_count",
        "retweet_count", "hashtags", "urls", "user_mentions", "poll_choices"]


def write_prior_archive(folder: Path, w: World, continuing: list[str]) -> Path:
    """An earlier takedown in the IO archive format: its accounts posted the same template
    texts in 2019; `continuing` ids are accounts of the new data that were already in it."""
    folder.mkdir(parents=True, exist_ok=True)
    ids = [f"9{k:03d}" for k in range(12)] + continuing
    base = (1157000000000000000 >> 22) << 22
    with (folder / "prior_tweets_1.csv").open("w", newline="", encoding="utf-8") as fh:
        out = csv.DictWriter(fh, COLS)
        out.writeheader()
        for k, text in enumerate(w.io_post_texts[:40]):
            uid = ids[k % len(ids)]
            out.writerow({**{c: "" for c in COLS}, "tweetid": str(base + (k << 22)), "userid": uid,
                          "user_screen_name": f"user{uid}", "follower_count": "0", "following_count": "3",
                          "account_creation_date": "2019-03-01", "tweet_text": text,
                          "tweet_time": f"2019-08-{1 + k % 28:02d} 03:00", "is_retweet": "False",
                          "hashtags": "[]", "urls": "[]", "user_mentions": "[]"})
    return folder


def test_archive_prior_links_to_the_operation(fresh_case: Case, tmp_path: Path) -> None:
    w = build_world(fresh_case, seed=21)
    prior = write_prior_archive(tmp_path / "prior", w, continuing=[])
    p = load_prior(prior)
    assert p.kind == "archive" and len(p.account_ids) == 12 and p.texts
    counts = attribute_case(fresh_case, "r1", [prior])
    links = {r[0]: (r[1], json.loads(r[2])) for r in fresh_case.con.execute(
        "SELECT network_id, strength, CAST(evidence AS VARCHAR) FROM prior_links").fetchall()}
    assert counts["prior_links"] >= 1 and "N0001" in links
    strength, ev = links["N0001"]
    assert strength >= 0.5 and any("text the prior network posted" in r for r in ev["reasons"])
    assert links.get("N0002", (0.0, {}))[0] < 0.2
    reasons = fresh_case.con.execute("SELECT reasons FROM networks WHERE network_id = 'N0001'").fetchall()[0][0]
    assert any("linked to prior network" in r for r in reasons)


def test_case_folder_prior_and_continuing_accounts(tmp_path: Path) -> None:
    old = Case.open(tmp_path / "old")
    w_old = build_world(old, seed=22, prefix="old_")
    old.close()
    new = Case.open(tmp_path / "new")
    w = build_world(new, seed=23)
    # two amplifiers of the new operation already existed in the earlier case
    new.con.executemany("UPDATE accounts SET account_id = ? WHERE account_id = ?",
                        [(w_old.io_amp[0], w.io_amp[0]), (w_old.io_amp[1], w.io_amp[1])])
    for table in ("posts", "memberships"):
        new.con.executemany(f"UPDATE {table} SET account_id = ? WHERE account_id = ?",
                            [(w_old.io_amp[0], w.io_amp[0]), (w_old.io_amp[1], w.io_amp[1])])
    priors = load_priors([tmp_path / "old"])
    assert priors[0].kind == "archive" and w_old.io_amp[0] in priors[0].account_ids
    attribute_case(new, "r1", [tmp_path / "old"])
    row = new.con.execute("SELECT continuing_accounts, strength FROM prior_links WHERE network_id = 'N0001'").fetchall()
    assert row and row[0][0] == 2 and row[0][1] >= 0.5
    assert not new.con.execute("SELECT * FROM prior_links WHERE network_id = 'N0002' AND continuing_accounts > 0").fetchall()
    flagged = {r[0] for r in flagged_accounts(new.con).fetchall()}
    assert w_old.io_amp[0] in flagged
    new.close()


def test_id_list_detection(tmp_path: Path) -> None:
    a = tmp_path / "ids.csv"
    a.write_text("account_id\n1\n2\n")
    b = tmp_path / "ids2.csv"
    b.write_text("userid,extra\n3,x\n")
    ps = load_priors([a, b, a])
    assert [p.kind for p in ps] == ["ids", "ids", "ids"]
    assert ps[0].account_ids == {"1", "2"} and ps[1].account_ids == {"3"}
    assert len({p.name for p in ps}) == 3
