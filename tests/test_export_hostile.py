"""Hostile text (script tags, attribute breakers, javascript: URLs, right-to-left overrides,
formulas, control characters, 100 KB strings) stays inert, and intact, in every export."""

from __future__ import annotations

import csv
from pathlib import Path

from lxml import etree
from test_export_case import BIG, HOSTILE, RLO, build_case

from infoops.export.disclosure import export_disclosure
from infoops.export.graph import export_graph
from infoops.export.safety import FORMULA_LEADS
from infoops.export.takedown import export_takedown
from infoops.store import Case

SCRIPT_NAME = "<script>alert(1)</script>"


def cells(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_every_export_keeps_hostile_text_inert(tmp_path: Path) -> None:
    case = build_case(Case.memory())
    # a big, hostile handle that every export shows (the graph's label, the takedown's handle column)
    case.con.execute("UPDATE accounts SET handle = ?, display_name = ? WHERE account_id = '1003'",
                     [f"=cmd|' /C calc'!A0{RLO}\x07" + BIG, SCRIPT_NAME])
    case.con.execute("UPDATE posts SET text = ? WHERE post_id = '501'", [HOSTILE[1] + HOSTILE[2] + BIG])
    salt = tmp_path / "salt"
    salt.write_bytes(b"hostile-text-salt-0123456789")
    export_takedown(case, tmp_path / "t.csv")
    export_graph(case, tmp_path / "g.gexf")
    export_graph(case, tmp_path / "g.graphml")
    export_disclosure(case, tmp_path / "d", salt)

    take = {r["account_id"]: r for r in cells(tmp_path / "t.csv")}
    assert take["1003"]["handle"] == f"'=cmd|' /C calc'!A0{RLO}\x07" + BIG  # intact, behind the quote
    assert take["1003"]["display_name"] == SCRIPT_NAME
    assert not [v for r in take.values() for v in r.values() if v.startswith(FORMULA_LEADS)]

    for name in ("g.gexf", "g.graphml"):
        doc = etree.parse(str(tmp_path / name), etree.XMLParser(huge_tree=True))
        assert not [el for el in doc.iter() if etree.QName(el).localname in ("script", "img")]
        values = {v for el in doc.iter() for v in [*el.attrib.values(), el.text or ""]}
        assert f"=cmd|' /C calc'!A0{RLO}" + BIG in values  # the bell (illegal in XML 1.0) removed

    users = cells(tmp_path / "d" / "infoops_users_csv_hashed.csv")
    tweets = cells(tmp_path / "d" / "infoops_tweets_csv_hashed.csv")
    public = next(u for u in users if u["userid"] == "1003")
    assert public["user_display_name"] == SCRIPT_NAME and public["user_screen_name"].startswith("'=cmd")
    assert any(BIG in u["user_profile_description"] and RLO in u["user_profile_description"] for u in users)
    texts = [t["tweet_text"] for t in tweets]
    # script, img onerror, javascript:, RTL override: kept as text (a private account's own
    # display name in its own posts is replaced by its pseudonym, so look at other posts)
    assert HOSTILE[1] + HOSTILE[2] + BIG in texts
    for hostile in HOSTILE[3:5]:
        assert any(hostile in t for t in texts), hostile
    free = ("user_reported_location", "user_profile_description", "tweet_text", "tweet_client_name")
    assert not [r[c] for r in users + tweets for c in free if c in r and r[c].startswith(FORMULA_LEADS)]
