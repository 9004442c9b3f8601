"""A small case with planted result tables and hostile text, shared by the export tests.

Network net-1 is labelled 'inauthentic' (its members are the takedown set),
net-2 'authentic'. Account names, bios and texts carry spreadsheet formulas,
HTML/script injections, a right-to-left override and a 100 KB string.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pyarrow as pa

from infoops.store import Case

RUN_ID = "run-detect-1"
BIG = "A" * 100_000
RLO = "\u202e"
HOSTILE = [
    "=cmd|' /C calc'!A0",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(document.cookie)",
    f"{RLO}gnp.exe",
    "+SUM(A1:A9)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "\tTAB=1",
    "\rCR=1",
]

# account_id, handle, display_name, followers, description
ACCOUNTS: list[tuple[str, str, str, int | None, str]] = [
    ("1001", "=HYPERLINK(\"http://x\")", "<script>alert(1)</script>", 12, "=cmd|' /C calc'!A0"),
    ("1002", "alice_io", '"><img src=x onerror=alert(1)>', 30, f"bio {RLO}txt.exe javascript:alert(1) {BIG}"),
    ("1003", "bigvoice", "Big Voice", 250_000, "a news-style account with many followers"),
    ("+hAsHeDiDwItHpLuS0000000000000000000000000=", "-minus_handle", "@at name", 7, "\tlead tab"),
    ("1005", "quiet_amp_01", "Quiet Amplifier Zeta", None, "no follower count known"),
    ("2001", "fan_one", "Fan One", 900, "k-pop fan"),
    ("2002", "fan_two", "Fan Two", 800, "k-pop fan"),
    ("3001", "victim_person", "Victim Person Qx", 40, "an ordinary person the operation retweeted"),
]
FLAGGED = {"1001", "1002", "1003", "+hAsHeDiDwItHpLuS0000000000000000000000000=", "1005"}
NETWORK_OF = {a: "net-1" for a in FLAGGED} | {"2001": "net-2", "2002": "net-2"}


def _post(pid: int, account: str, when: datetime, text: str, kind: str = "post", **kw: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "post_id": str(pid),
        "account_id": account,
        "platform": "twitter",
        "created_at": when,
        "time_precision": "s",
        "text": text,
        "lang": "en",
        "kind": kind,
        "ref_post_id": None,
        "ref_account_id": None,
        "hashtags": [],
        "urls": [],
        "mentions": [],
        "client": "Twitter Web App",
        "like_count": 0,
        "repost_count": 0,
        "reply_count": 0,
        "quote_count": 0,
        "source": "fixture",
    }
    row.update(kw)
    return row


def posts() -> list[dict[str, Any]]:
    t0 = datetime(2020, 3, 1, 9, 0, 0)
    out = [
        _post(500, "3001", t0, "my ordinary day #life", hashtags=["life"]),
        _post(501, "1003", t0 + timedelta(minutes=1), "breaking news from a big account"),
    ]
    pid = 600
    for i, acct in enumerate(sorted(FLAGGED)):
        when = t0 + timedelta(hours=1, seconds=i)
        out.append(_post(pid, acct, when, "RT @victim_person: my ordinary day #life", "repost",
                         ref_post_id="500", ref_account_id="3001", mentions=["victim_person"]))
        out.append(_post(pid + 1, acct, when + timedelta(minutes=5), HOSTILE[i % len(HOSTILE)]
                         + " @Victim_Person @ghost_acct @bigvoice see https://twitter.com/victim_person/status/500",
                         urls=["https://twitter.com/victim_person/status/500", "https://pbs.twimg.com/media/abc.jpg"],
                         mentions=["Victim_Person", "ghost_acct", "999999", "bigvoice"], hashtags=["hk"]))
        out.append(_post(pid + 2, acct, when + timedelta(minutes=9), f"@victim_person you are wrong {BIG[:10]}",
                         "reply", ref_post_id="500", ref_account_id="3001", mentions=["victim_person"]))
        out.append(_post(pid + 3, acct, when + timedelta(minutes=11), "quoting the news @alice_io",
                         "quote", ref_post_id="501", ref_account_id="1003", mentions=["alice_io"]))
        pid += 10
    for i, acct in enumerate(["2001", "2002"]):
        out.append(_post(900 + i, acct, t0 + timedelta(hours=2, seconds=i), "stan the group #kpop",
                         hashtags=["kpop"]))
    return out


def build_case(case: Case) -> Case:
    """Fill `case` with the accounts, posts and result tables described above."""
    con = case.con
    acc = pa.Table.from_pylist([
        {"account_id": a, "platform": "twitter", "handle": h, "display_name": d, "description": desc,
         "location": "<b>Beijing</b>", "url": "javascript:alert(1)", "followers": f, "following": 10,
         "created_at": datetime(2020, 1, 1, 8, 0, n), "lang": "en", "hashed": a.startswith("+"),
         "source": "fixture"}
        for n, (a, h, d, f, desc) in enumerate(ACCOUNTS)
    ])
    con.register("_acc", acc)
    con.execute("INSERT INTO accounts BY NAME SELECT * FROM _acc")
    con.unregister("_acc")
    pst = pa.Table.from_pylist(posts())
    con.register("_pst", pst)
    con.execute("INSERT INTO posts BY NAME SELECT * FROM _pst")
    con.unregister("_pst")
    con.execute("INSERT INTO runs (run_id, command, status, ended_at) VALUES (?, 'detect', 'ok', now())", [RUN_ID])
    con.execute(
        "INSERT INTO networks VALUES (?, 'net-1', 5, 6, 0.6, MAP(['co_repost', 'co_text'], [0.7, 0.3]), 0.93,"
        " 'inauthentic', ['batch-created accounts', '=formula reason'])", [RUN_ID])
    con.execute(
        "INSERT INTO networks VALUES (?, 'net-2', 2, 1, 1.0, MAP(['co_hashtag'], [1.0]), 0.1, 'authentic',"
        " ['fandom'])", [RUN_ID])
    for n, acct in enumerate(sorted(NETWORK_OF)):
        role = "core" if acct in ("1001", "1002") else ("amplifier" if acct in FLAGGED else "member")
        con.execute("INSERT INTO memberships VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [RUN_ID, NETWORK_OF[acct], acct, 0.1 * n, role, 0.5 + 0.05 * n,
                     ["posts in office hours", HOSTILE[n % len(HOSTILE)]]])
    flagged = sorted(FLAGGED)
    for i, src in enumerate(flagged):
        for dst in flagged[i + 1:]:
            con.execute("INSERT INTO edges VALUES (?, ?, ?, ?, MAP(?, ?))",
                        [RUN_ID, src, dst, 1.5, ["co_repost", "co_text"], [1.0, 0.5]])
    con.execute("INSERT INTO edges VALUES (?, '2001', '2002', 1.0, MAP(['co_hashtag'], [1.0]))", [RUN_ID])
    con.execute("INSERT INTO edges VALUES (?, '1001', '2001', 0.2, MAP(['co_hashtag'], [0.2]))", [RUN_ID])
    con.execute("INSERT INTO prior_links VALUES (?, 'net-1', 'china_2019', 0.8, 2, '{}')", [RUN_ID])
    return case


def test_fixture_has_planted_results() -> None:
    con = build_case(Case.memory()).con
    assert con.execute("SELECT count(*) FROM memberships").fetchone() == (len(NETWORK_OF),)
    got = {r[0] for r in con.execute(
        "SELECT m.account_id FROM memberships m JOIN networks n USING (network_id) "
        "WHERE n.label = 'inauthentic'").fetchall()}
    assert got == FLAGGED
