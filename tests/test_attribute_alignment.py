"""Agenda alignment: members of an operation post on its agenda; ordinary accounts that
detection swept in at its edge, or that the operation reposts to blend in, do not."""

from __future__ import annotations

from datetime import datetime, timedelta

import pyarrow as pa
from test_attribute_world import build_world

from infoops.attribute import features as F
from infoops.attribute.flagged import flagged_accounts
from infoops.attribute.pipeline import attribute_case
from infoops.store import Case


def _posts(case: Case, rows: list[tuple[str, str, str, list[str], str | None]]) -> None:
    """rows: (post_id, account_id, kind, hashtags, ref_account_id)."""
    t0 = datetime(2020, 3, 2, 12)
    t = pa.table({
        "post_id": [r[0] for r in rows],
        "account_id": [r[1] for r in rows],
        "created_at": [t0 + timedelta(minutes=k) for k in range(len(rows))],
        "kind": [r[2] for r in rows],
        "hashtags": pa.array([r[3] for r in rows], pa.list_(pa.string())),
        "ref_account_id": [r[4] for r in rows],
        "text": ["x"] * len(rows),
    })
    case.con.register("_p", t)
    case.con.execute("INSERT INTO posts BY NAME SELECT *, 's' AS time_precision FROM _p")
    case.con.unregister("_p")


def test_alignment_separates_agenda_posters_from_edge_accounts(fresh_case: Case) -> None:
    con = fresh_case.con
    members = [f"m{k}" for k in range(6)]
    edge = "e0"
    rows: list[tuple[str, str, str, list[str], str | None]] = []
    for k, m in enumerate(members):
        rows += [(f"{m}-{j}", m, "post", ["agenda"], None) for j in range(4)]
        rows.append((f"{m}-r", m, "repost", [], members[(k + 1) % len(members)]))
    # the edge account posts about everyday things, once on the agenda
    rows += [(f"e-{j}", edge, "post", ["weather"], None) for j in range(9)] + [("e-9", edge, "post", ["agenda"], None)]
    # the rest of the case talks about other things
    rows += [(f"o-{j}", f"o{j % 20}", "post", ["weather" if j % 2 else "football"], None) for j in range(200)]
    _posts(fresh_case, rows)
    con.executemany("INSERT INTO memberships (run_id, network_id, account_id, centrality) VALUES ('r1', 'N1', ?, 1.0)",
                    [(a,) for a in [*members, edge]])
    F.load_members(con, "r1")
    align = F.network_alignment(con)
    assert all(align[("N1", m)] == 1.0 for m in members)
    assert align[("N1", edge)] == 0.1


def test_accounts_the_operation_reposts_to_blend_in_stay_out(fresh_case: Case) -> None:
    """Ordinary accounts in the operation's network that its amplifiers repost many times
    (most reposts they get come from members) are not part of it: they post nothing on its
    agenda and boost nobody in it."""
    w = build_world(fresh_case, seed=17)
    targets = w.organic[:5]
    fresh_case.con.executemany(
        "INSERT INTO memberships (run_id, network_id, account_id, centrality) VALUES ('r1', 'N0001', ?, 0.01)",
        [(a,) for a in targets])
    own = dict(fresh_case.con.execute(
        "SELECT account_id, any_value(post_id) FROM posts WHERE kind = 'post' AND account_id IN "
        "(SELECT unnest(?::VARCHAR[])) GROUP BY 1", [targets]).fetchall())
    assert set(own) == set(targets)
    rows: list[tuple[str, str, str, list[str], str | None]] = [
        (f"blend-{t}-{k}", w.io_amp[k], "repost", [], t) for t in targets for k in range(8)]
    _posts(fresh_case, rows)
    fresh_case.con.execute("UPDATE posts SET ref_post_id = 'x' WHERE post_id LIKE 'blend-%'")
    attribute_case(fresh_case, "r1", [])
    flagged = {r[0] for r in flagged_accounts(fresh_case.con).fetchall()}
    assert not flagged & set(targets)
    assert flagged >= set(w.io_core) | set(w.io_amp)
    reasons = dict(fresh_case.con.execute(
        "SELECT account_id, reasons FROM memberships WHERE network_id = 'N0001'").fetchall())
    assert all(any("on the network's agenda" in r for r in reasons[a]) for a in targets)


def test_an_amplifier_that_mostly_blends_in_is_kept(fresh_case: Case) -> None:
    """An ordinary-looking member that posts and reposts ordinary things but reposts the
    operation far more often than anyone else in the case does is one of its amplifiers."""
    w = build_world(fresh_case, seed=19)
    con = fresh_case.con
    con.execute("INSERT INTO accounts (account_id, platform, handle, description, followers, following, created_at) "
                "VALUES ('amp-x', 'test', 'coffee_lover', 'I like trains', 350, 300, TIMESTAMP '2012-05-01')")
    con.execute("INSERT INTO memberships (run_id, network_id, account_id, centrality) VALUES ('r1', 'N0001', 'amp-x', 0.01)")
    core_posts = con.execute("SELECT post_id, account_id FROM posts WHERE account_id IN (SELECT unnest(?::VARCHAR[])) "
                             "AND kind = 'post' ORDER BY post_id LIMIT 4", [w.io_core]).fetchall()
    # one post each of 12 ordinary accounts
    organic_posts = con.execute("SELECT min(post_id), account_id FROM posts WHERE account_id IN "
                                "(SELECT unnest(?::VARCHAR[])) AND kind = 'post' GROUP BY account_id "
                                "ORDER BY account_id LIMIT 12", [w.organic]).fetchall()
    rows: list[tuple[str, str, str, list[str], str | None]] = [(f"x-own-{k}", "amp-x", "post", [], None) for k in range(80)]
    rows += [(f"x-rp-{p}", "amp-x", "repost", [], a) for p, a in core_posts + organic_posts]
    _posts(fresh_case, rows)
    attribute_case(fresh_case, "r1", [])
    assert "amp-x" in {r[0] for r in flagged_accounts(con).fetchall()}


def test_attached_blend_in_targets_stay_out(fresh_case: Case) -> None:
    """Ordinary accounts in no network that the operation reposts many times are attached to
    it as satellites (the operation boosts them), but they post nothing on its agenda: they
    stay out of the takedown set like any peripheral member."""
    w = build_world(fresh_case, seed=23)
    targets = w.organic[:5]
    rows: list[tuple[str, str, str, list[str], str | None]] = [
        (f"blend-{t}-{k}", w.io_amp[k], "repost", [], t) for t in targets for k in range(8)]
    _posts(fresh_case, rows)
    attribute_case(fresh_case, "r1", [])
    reasons = dict(fresh_case.con.execute(
        "SELECT account_id, reasons FROM memberships WHERE network_id = 'N0001'").fetchall())
    assert all(any("attached outside detection" in r for r in reasons[a]) for a in targets)
    flagged = {r[0] for r in flagged_accounts(fresh_case.con).fetchall()}
    assert not flagged & set(targets)
    assert flagged >= set(w.io_core) | set(w.io_amp)


def test_ordinary_looking_account_outside_networks_that_boosts_the_operation_is_attached(fresh_case: Case) -> None:
    """An account in no network, with an ordinary profile, that reposts the operation 5 times
    among 15 reposts (nobody else outside the operation reposts it) is attached to it as an
    amplifier; an account that reposted it once is not."""
    w = build_world(fresh_case, seed=29)
    con = fresh_case.con
    for aid in ("amp-y", "once-y"):
        con.execute("INSERT INTO accounts (account_id, platform, handle, description, followers, following, created_at) "
                    "VALUES (?, 'test', 'tea_reader', 'I read', 420, 300, TIMESTAMP '2011-05-01')", [aid])
    core_posts = con.execute("SELECT post_id, account_id FROM posts WHERE account_id IN (SELECT unnest(?::VARCHAR[])) "
                             "AND kind = 'post' ORDER BY post_id LIMIT 5", [w.io_core]).fetchall()
    organic_posts = con.execute("SELECT min(post_id), account_id FROM posts WHERE account_id IN "
                                "(SELECT unnest(?::VARCHAR[])) AND kind = 'post' GROUP BY account_id "
                                "ORDER BY account_id LIMIT 24", [w.organic]).fetchall()
    rows: list[tuple[str, str, str, list[str], str | None]] = []
    for aid, ops, rest in (("amp-y", core_posts, organic_posts[:10]), ("once-y", core_posts[:1], organic_posts[10:24])):
        rows += [(f"{aid}-own-{k}", aid, "post", [], None) for k in range(10)]
        rows += [(f"{aid}-rp-{p}", aid, "repost", [], a) for p, a in ops + rest]
    _posts(fresh_case, rows)
    attribute_case(fresh_case, "r1", [])
    reasons = dict(con.execute("SELECT account_id, reasons FROM memberships WHERE network_id = 'N0001'").fetchall())
    assert "once-y" not in reasons
    assert any("5 of its 15 reposts boost the network" in r for r in reasons["amp-y"])
    assert "amp-y" in {r[0] for r in flagged_accounts(con).fetchall()}


def test_amplifier_detection_put_in_an_ordinary_community_is_moved_to_the_operation(fresh_case: Case) -> None:
    """A member of the (authentic) fan network that reposts the operation 5 times besides its
    idol, far more often than any account outside the operation does, is moved to the
    operation and flagged; the other fans stay where they are."""
    w = build_world(fresh_case, seed=31)
    con = fresh_case.con
    fan = w.fans[0]
    core_posts = con.execute("SELECT post_id, account_id FROM posts WHERE account_id IN (SELECT unnest(?::VARCHAR[])) "
                             "AND kind = 'post' ORDER BY post_id LIMIT 5", [w.io_core]).fetchall()
    rows: list[tuple[str, str, str, list[str], str | None]] = [
        (f"fan-rp-{p}", fan, "repost", [], a) for p, a in core_posts]
    _posts(fresh_case, rows)
    attribute_case(fresh_case, "r1", [])
    nets = dict(con.execute("SELECT network_id, label FROM networks").fetchall())
    assert nets["N0002"] != "inauthentic"
    where = dict(con.execute("SELECT network_id, reasons FROM memberships WHERE account_id = ?", [fan]).fetchall())
    assert list(where) == ["N0001"]
    assert any("moved from a network not judged an operation" in r for r in where["N0001"])
    flagged = {r[0] for r in flagged_accounts(con).fetchall()}
    assert fan in flagged and not flagged & set(w.fans[1:])


def test_reposting_ordinary_members_of_an_operation_network_moves_nobody(fresh_case: Case) -> None:
    """Only the accounts a takedown would take count as the operation when attaching: a fan
    reposting an ordinary account that detection swept into the operation's network stays
    with the fans."""
    w = build_world(fresh_case, seed=37)
    con = fresh_case.con
    swept, fan = w.organic[0], w.fans[0]
    con.execute("INSERT INTO memberships (run_id, network_id, account_id, centrality) VALUES ('r1', 'N0001', ?, 0.01)",
                [swept])
    own = con.execute("SELECT post_id FROM posts WHERE account_id = ? AND kind = 'post' ORDER BY post_id LIMIT 3",
                      [swept]).fetchall()
    assert len(own) == 3
    rows: list[tuple[str, str, str, list[str], str | None]] = [
        (f"fan-rp-{p}-{k}", fan, "repost", [], swept) for (p,) in own for k in range(2)]
    _posts(fresh_case, rows)
    attribute_case(fresh_case, "r1", [])
    where = [r[0] for r in con.execute("SELECT network_id FROM memberships WHERE account_id = ?", [fan]).fetchall()]
    assert where == ["N0002"]
    assert not {fan, swept} & {r[0] for r in flagged_accounts(con).fetchall()}
