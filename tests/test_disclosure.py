from __future__ import annotations

import ast
import csv
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from test_export_case import FLAGGED, build_case

from infoops.cli import build
from infoops.errors import InfoopsError
from infoops.export.disclosure import TWEET_COLUMNS, USER_COLUMNS, export_disclosure
from infoops.export.pseudonym import MIN_FOLLOWERS, Pseudonymiser, keyed_hash
from infoops.export.safety import FORMULA_LEADS
from infoops.store import Case

SALT = b"a-test-salt-that-is-long-enough-0123"
ID_COLUMNS = {"tweetid", "userid", "in_reply_to_userid", "in_reply_to_tweetid", "quoted_tweet_tweetid",
              "retweet_userid", "retweet_tweetid"}


@pytest.fixture
def export_case() -> Iterator[Case]:
    case = build_case(Case.memory())
    yield case
    case.close()


@pytest.fixture
def salt_file(tmp_path: Path) -> Path:
    p = tmp_path / "salt.bin"
    p.write_bytes(SALT + b"\n")
    return p


def H(value: str) -> str:
    return keyed_hash(SALT, value)


def read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def release(case: Case, out: Path, salt_file: Path) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    export_disclosure(case, out, salt_file)
    return read(out / "infoops_users_csv_hashed.csv"), read(out / "infoops_tweets_csv_hashed.csv")


def private_values(case: Case) -> tuple[set[str], set[str], set[str]]:
    """ids, handles and display names of every account under the threshold, plus referenced unknowns."""
    rows = case.con.execute(
        "SELECT account_id, handle, display_name FROM accounts WHERE coalesce(followers, 0) < ?",
        [MIN_FOLLOWERS]).fetchall()
    ids = {r[0] for r in rows}
    handles = {r[1] for r in rows if r[1]}
    names = {r[2] for r in rows if r[2]}
    known = {r[0] for r in case.con.execute("SELECT account_id FROM accounts").fetchall()}
    refs = case.con.execute(
        "SELECT DISTINCT unnest(mentions) FROM posts UNION SELECT ref_account_id FROM posts "
        "WHERE ref_account_id IS NOT NULL").fetchall()
    for (m,) in refs:
        if m not in known and m.lower() not in {h.lower() for h in handles} and m != "bigvoice":
            (ids if m.isdigit() else handles).add(m)
    return ids, handles, names


def find_leaks(case: Case, out: Path) -> list[str]:
    """Every raw id, handle (any case) or display name of a small account found in any output file."""
    ids, handles, names = private_values(case)
    found = []
    for f in sorted(out.iterdir()):
        raw = f.read_text(encoding="utf-8")
        texts = [raw]
        if f.suffix == ".csv":  # parsed cells too: CSV quoting doubles quotes inside values
            texts += [cell for row in csv.reader(raw.splitlines(keepends=True)) for cell in row]
        blob = "\n".join(texts)
        low = blob.lower()
        found += [f"{f.name}: id {i}" for i in ids if i in blob]
        found += [f"{f.name}: handle {h}" for h in handles if h.lower() in low]
        found += [f"{f.name}: name {n}" for n in names if n.lower() in low]
    return found


def test_no_raw_id_handle_or_name_of_a_small_account_anywhere(export_case: Case, salt_file: Path,
                                                              tmp_path: Path) -> None:
    out = tmp_path / "release"
    export_disclosure(export_case, out, salt_file)
    ids, handles, _ = private_values(export_case)
    assert {"ghost_acct", "victim_person"} <= {h.lower() for h in handles} and "999999" in ids
    assert {f.name for f in out.iterdir()} == {"README.md", "infoops_users_csv_hashed.csv",
                                               "infoops_tweets_csv_hashed.csv", "infoops_media_list.txt"}
    assert find_leaks(export_case, out) == []


def test_leak_search_finds_unscrubbed_text(export_case: Case, salt_file: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The leak search above can fail: without text scrubbing it finds the mentioned accounts."""
    monkeypatch.setattr(Pseudonymiser, "text", lambda self, value: value)
    out = tmp_path / "release"
    export_disclosure(export_case, out, salt_file)
    leaks = " ".join(find_leaks(export_case, out))
    assert "handle victim_person" in leaks and "handle ghost_acct" in leaks


def test_public_accounts_keep_their_identity(export_case: Case, salt_file: Path, tmp_path: Path) -> None:
    users, tweets = release(export_case, tmp_path / "r", salt_file)
    big = [u for u in users if u["userid"] == "1003"]
    assert big and big[0]["user_screen_name"] == "bigvoice" and big[0]["user_display_name"] == "Big Voice"
    mention_lists = [ast.literal_eval(t["user_mentions"]) for t in tweets]
    assert any("1003" in m for m in mention_lists)  # mentioned by handle 'bigvoice', disclosed as its id
    assert any("@bigvoice" in t["tweet_text"] for t in tweets)


def test_a_hashed_account_is_one_consistent_pseudonym(export_case: Case, salt_file: Path, tmp_path: Path) -> None:
    users, tweets = release(export_case, tmp_path / "r", salt_file)
    private = FLAGGED - {"1003"}
    assert {u["userid"] for u in users} == {H(a) for a in private} | {"1003"}
    for u in users:
        if u["userid"] != "1003":
            assert len(u["userid"]) == 44
            assert u["userid"] == u["user_screen_name"] == u["user_display_name"]
    victim = H("3001")
    victim_post = H("post:500")  # a private person's post outside the release: its id would name them
    for t in tweets:
        mentions = ast.literal_eval(t["user_mentions"])
        if t["is_retweet"] == "True":
            assert t["retweet_userid"] == victim and t["retweet_tweetid"] == victim_post
            assert t["tweet_text"].startswith(f"RT @{victim}:")
        if t["in_reply_to_tweetid"]:
            assert t["in_reply_to_userid"] == victim and t["in_reply_to_tweetid"] == victim_post
        if t["quoted_tweet_tweetid"]:
            assert t["quoted_tweet_tweetid"] == "501"  # written by the public account 1003
        if "@Victim_Person" in export_case.con.execute(
                "SELECT text FROM posts WHERE post_id = ?", [t["tweetid"]]).fetchall()[0][0]:
            # id given as a handle in one case-variant, an unknown handle, an unknown id, a public handle
            assert mentions == [victim, H("@ghost_acct"), H("999999"), "1003"]
            assert f"@{victim}" in t["tweet_text"] and f"@{H('@ghost_acct')}" in t["tweet_text"]
            assert f"twitter.com/{victim}/status/{victim_post}" in t["tweet_text"]
            assert ast.literal_eval(t["urls"])[0] == f"https://twitter.com/{victim}/status/{victim_post}"


def test_ids_hashes_and_text_cells_never_start_a_formula(export_case: Case, salt_file: Path,
                                                          tmp_path: Path) -> None:
    users, tweets = release(export_case, tmp_path / "r", salt_file)
    assert list(users[0]) == list(USER_COLUMNS) and list(tweets[0]) == list(TWEET_COLUMNS)
    pseudonyms = {u["userid"] for u in users}
    for row in users + tweets:
        for col, cell in row.items():
            if col in ID_COLUMNS or cell in pseudonyms:
                assert cell == "" or cell.isdigit() or len(cell) == 44
            else:
                assert not cell.startswith(FORMULA_LEADS), (col, cell[:40])
    texts = {t["tweet_text"] for t in tweets}
    assert "'=cmd|' /C calc'!A0" in {x.split(" @")[0] for x in texts}


def test_tweets_cover_every_post_of_the_flagged_accounts(export_case: Case, salt_file: Path,
                                                          tmp_path: Path) -> None:
    _, tweets = release(export_case, tmp_path / "r", salt_file)
    expected = export_case.con.execute(
        "SELECT post_id, kind FROM posts WHERE account_id IN (SELECT unnest(?))", [sorted(FLAGGED)]).fetchall()
    assert sorted(t["tweetid"] for t in tweets) == sorted(p for p, _ in expected)
    kinds = Counter("repost" if t["is_retweet"] == "True" else "quote" if t["quoted_tweet_tweetid"]
                    else "reply" if t["in_reply_to_tweetid"] else "post" for t in tweets)
    assert kinds == Counter(k for _, k in expected)


def test_media_list_and_readme(export_case: Case, salt_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "r"
    counts = export_disclosure(export_case, out, salt_file)
    lines = (out / "infoops_media_list.txt").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "tweetid\tmedia_url"
    assert len(lines) - 1 == counts["media"] == len(FLAGGED)
    assert all(line.endswith("pbs.twimg.com/media/abc.jpg") for line in lines[1:])
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert "HMAC-SHA256" in readme and f"{counts['tweets']} rows" in readme
    assert SALT.decode() not in readme


def test_salt_decides_the_pseudonyms(export_case: Case, salt_file: Path, tmp_path: Path) -> None:
    users_a, _ = release(export_case, tmp_path / "a", salt_file)
    users_b, _ = release(export_case, tmp_path / "b", salt_file)
    other = tmp_path / "other.salt"
    other.write_bytes(b"another-secret-salt-of-enough-length")
    users_c, _ = release(export_case, tmp_path / "c", other)
    ids = [{u["userid"] for u in us} - {"1003"} for us in (users_a, users_b, users_c)]
    assert ids[0] == ids[1]
    assert not ids[0] & ids[2]


@pytest.mark.parametrize("content", [None, b"", b"\n", b"short-salt"])
def test_unusable_salt_is_refused(export_case: Case, tmp_path: Path, content: bytes | None) -> None:
    path = tmp_path / "salt"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InfoopsError, match="salt"):
        export_disclosure(export_case, tmp_path / "r", path)
    assert not (tmp_path / "r").exists()


def test_cli(tmp_path: Path, salt_file: Path) -> None:
    case_dir = tmp_path / "case"
    with Case.open(case_dir) as case:
        build_case(case)
    out = tmp_path / "release"
    args = ["export", "disclosure", "--case", str(case_dir), "--out", str(out), "--salt-file", str(salt_file)]
    result = CliRunner().invoke(build(), args)
    assert result.exit_code == 0, result.output
    assert len(read(out / "infoops_users_csv_hashed.csv")) == len(FLAGGED)
    bad = CliRunner().invoke(build(), [*args[:-1], str(tmp_path / "missing")])
    assert bad.exit_code != 0 and "salt" in bad.output


HANDLE = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{3,14}", fullmatch=True)
FILLER = st.text(alphabet=" ,.!?:;()\n\u4e2d\u6587\u202e<>\"'", max_size=30)


@settings(max_examples=200, deadline=None)
@given(handle=HANDLE, before=FILLER, after=FILLER, upper=st.booleans())
def test_any_private_handle_in_text_is_replaced(handle: str, before: str, after: str, upper: bool) -> None:
    ps = Pseudonymiser(salt=SALT)
    ps.add_accounts([("123456789", handle, 10)])
    shown = handle.upper() if upper else handle
    for text in (f"{before}@{shown}{after}", f"{before}\uff20{shown}{after}", f"{before}https://x.com/{shown}{after}",
                 f"{before}{shown}{after}",
                 f"{before}123456789{after}"):
        out = ps.text(text) or ""
        assert handle.lower() not in out.lower() and "123456789" not in out
        assert H("123456789") in out


def test_flagged_account_without_a_profile_is_listed_hashed(export_case: Case, salt_file: Path,
                                                             tmp_path: Path) -> None:
    """An account seen only as a retweeted author (no accounts row) is flagged: it is listed, hashed."""
    export_case.con.execute(
        "INSERT INTO memberships VALUES ('run-detect-1', 'net-1', '4242424242', 0.5, 'amplifier', 0.9, ['x'])")
    users, _ = release(export_case, tmp_path / "r", salt_file)
    assert H("4242424242") in {u["userid"] for u in users}
    assert len(users) == len(FLAGGED) + 1
    assert not any("4242424242" in v for u in users for v in u.values())


def test_profile_links_of_hashed_accounts_keep_only_the_site(export_case: Case, salt_file: Path,
                                                              tmp_path: Path) -> None:
    export_case.con.execute("UPDATE accounts SET url = 'https://instagram.com/quiet.person.page' "
                            "WHERE account_id = '1005'")
    users, _ = release(export_case, tmp_path / "r", salt_file)
    by_id = {u["userid"]: u for u in users}
    assert by_id[H("1005")]["user_profile_url"] == "https://instagram.com/"
    assert by_id[H("1001")]["user_profile_url"] == ""  # javascript: has no site
    assert by_id["1003"]["user_profile_url"] == "javascript:alert(1)"  # public: as given (CSV is inert text)


def test_release_of_one_network(export_case: Case, salt_file: Path, tmp_path: Path) -> None:
    export_case.con.execute("UPDATE networks SET label = 'inauthentic' WHERE network_id = 'net-2'")
    users, tweets = release(export_case, tmp_path / "all", salt_file)
    assert {u["userid"] for u in users} >= {H("2001"), H("2002")}
    counts = export_disclosure(export_case, tmp_path / "one", salt_file, networks=["net-2"])
    users = read(tmp_path / "one" / "infoops_users_csv_hashed.csv")
    assert {u["userid"] for u in users} == {H("2001"), H("2002")} and counts["networks"] == 1
    with pytest.raises(InfoopsError, match="no-such-net"):
        export_disclosure(export_case, tmp_path / "x", salt_file, networks=["no-such-net"])


def test_own_name_and_handle_in_own_text_are_replaced(export_case: Case, salt_file: Path, tmp_path: Path) -> None:
    export_case.con.execute(
        "UPDATE posts SET text = 'follow QUIET AMPLIFIER ZETA aka quiet_amp_01 \ue000 today' WHERE post_id = '641'")
    export_case.con.execute("UPDATE accounts SET description = 'I am Quiet Amplifier Zeta' WHERE account_id = '1005'")
    users, tweets = release(export_case, tmp_path / "r", salt_file)
    me = H("1005")
    assert {t["tweetid"]: t["tweet_text"] for t in tweets}["641"] == f"follow {me} aka {me}  today"
    assert {u["userid"]: u for u in users}[me]["user_profile_description"] == f"I am {me}"


def test_posts_inside_the_release_keep_their_ids(export_case: Case, salt_file: Path, tmp_path: Path) -> None:
    """A repost of a released account's post links to it by its published id, even if the author is hashed."""
    export_case.con.execute("UPDATE posts SET ref_post_id = '641', ref_account_id = '1005' WHERE post_id = '610'")
    _, tweets = release(export_case, tmp_path / "r", salt_file)
    by_id = {t["tweetid"]: t for t in tweets}
    assert "641" in by_id and by_id["610"]["retweet_tweetid"] == "641"
    assert by_id["610"]["retweet_userid"] == H("1005") == by_id["641"]["userid"]


def test_big_releases_split_the_tweets_and_list_checksums(export_case: Case, salt_file: Path,
                                                           tmp_path: Path) -> None:
    import hashlib

    out = tmp_path / "r"
    counts = export_disclosure(export_case, out, salt_file, rows_per_file=7)
    parts = sorted(out.glob("infoops_tweets_csv_hashed_*.csv"))
    assert [p.name for p in parts] == [f"infoops_tweets_csv_hashed_{i}.csv" for i in range(1, 4)]
    assert not (out / "infoops_tweets_csv_hashed.csv").exists()
    assert [len(read(p)) for p in parts] == [7, 7, counts["tweets"] - 14]
    readme = (out / "README.md").read_text(encoding="utf-8")
    for f in [*parts, out / "infoops_users_csv_hashed.csv", out / "infoops_media_list.txt"]:
        assert f"{hashlib.sha256(f.read_bytes()).hexdigest()}  {f.name}" in readme


def test_a_new_release_replaces_the_old_one(export_case: Case, salt_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "r"
    export_disclosure(export_case, out, salt_file, rows_per_file=7)
    (out / "notes.md").write_text("analyst notes", encoding="utf-8")
    export_disclosure(export_case, out, salt_file)
    assert sorted(p.name for p in out.iterdir()) == ["README.md", "infoops_media_list.txt",
                                                     "infoops_tweets_csv_hashed.csv",
                                                     "infoops_users_csv_hashed.csv", "notes.md"]


def test_a_foreign_readme_is_never_overwritten(export_case: Case, salt_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "project"
    out.mkdir()
    (out / "README.md").write_text("# my project\n", encoding="utf-8")
    with pytest.raises(InfoopsError, match="README"):
        export_disclosure(export_case, out, salt_file)
    assert (out / "README.md").read_text(encoding="utf-8") == "# my project\n"
