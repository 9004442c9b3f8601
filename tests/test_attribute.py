from __future__ import annotations

from pathlib import Path

import pytest
from test_attribute_world import build_world

from infoops.attribute.features import office_fit, office_mask
from infoops.attribute.flagged import flagged_accounts
from infoops.attribute.pipeline import attribute_case
from infoops.attribute.scoring import batch_days, ramp
from infoops.store import Case


def _networks(case: Case) -> dict[str, tuple[float, str, list[str]]]:
    return {r[0]: (r[1], r[2], r[3]) for r in case.con.execute("SELECT network_id, score, label, reasons FROM networks").fetchall()}


def test_operation_vs_fandom(fresh_case: Case) -> None:
    build_world(fresh_case)
    counts = attribute_case(fresh_case, "r1", [])
    assert counts["networks_scored"] == 2
    nets = _networks(fresh_case)
    io_score, io_label, io_reasons = nets["N0001"]
    fan_score, fan_label, _ = nets["N0002"]
    assert io_label == "inauthentic"
    assert fan_label != "inauthentic"
    assert io_score > fan_score + 0.3
    text = " ".join(io_reasons)
    assert "created on" in text and "followers" in text
    assert "UTC+8" in text


def test_roles_core_and_amplifier(fresh_case: Case) -> None:
    w = build_world(fresh_case, seed=3)
    attribute_case(fresh_case, "r1", [])
    roles = dict(fresh_case.con.execute("SELECT account_id, role FROM memberships WHERE network_id = 'N0001'").fetchall())
    right = sum(roles[a] == "core" for a in w.io_core) + sum(roles[a] == "amplifier" for a in w.io_amp)
    assert right / (len(w.io_core) + len(w.io_amp)) >= 0.95


def test_flagged_accounts_are_the_operation(fresh_case: Case) -> None:
    w = build_world(fresh_case, seed=5)
    attribute_case(fresh_case, "r1", [])
    rel = flagged_accounts(fresh_case.con)
    assert rel.columns == ["account_id", "network_id", "role", "score", "reasons"]
    rows = rel.fetchall()
    flagged = {r[0] for r in rows}
    assert flagged == set(w.io_core) | set(w.io_amp)
    assert all(r[1] == "N0001" and 0 < r[3] <= 1 and r[4] for r in rows)


def test_analyst_rejection_unflags(fresh_case: Case) -> None:
    build_world(fresh_case, seed=6)
    attribute_case(fresh_case, "r1", [])
    fresh_case.con.execute("INSERT INTO decisions VALUES ('N0001', 'rejected', 'x', '', now())")
    assert flagged_accounts(fresh_case.con).fetchall() == []


def test_prior_id_list_links_and_flags_continuing(fresh_case: Case, tmp_path: Path) -> None:
    w = build_world(fresh_case, seed=7)
    ids = tmp_path / "prior_ids.csv"
    # three operation members and one organic account (in no network) were in the earlier takedown
    ids.write_text("userid\n" + "\n".join([*w.io_core[:3], w.organic[0], "not-here"]) + "\n")
    counts = attribute_case(fresh_case, "r1", [ids])
    assert counts["prior_links"] >= 1
    link = fresh_case.con.execute(
        "SELECT network_id, strength, continuing_accounts, evidence FROM prior_links ORDER BY strength DESC"
    ).fetchone()
    assert link is not None and link[0] == "N0001" and link[2] == 3 and link[1] > 0.5
    flagged = {r[0]: r[2] for r in flagged_accounts(fresh_case.con).fetchall()}
    assert flagged[w.organic[0]] == "continuing"
    assert "not-here" not in flagged


def test_no_networks_is_fine(fresh_case: Case) -> None:
    assert attribute_case(fresh_case, "none", [])["networks_scored"] == 0
    assert flagged_accounts(fresh_case.con).fetchall() == []


@pytest.mark.parametrize("offset", [-5, 0, 3, 8])
def test_office_fit_finds_planted_offset(offset: int) -> None:
    import numpy as np

    hist = np.zeros(168)
    hist[office_mask(offset)] = 10.0
    hist += 0.1
    fit = office_fit(hist)
    assert fit["offset"] == offset
    assert fit["office_share"] > 0.9 and fit["office_hours_covered"] == 9


def test_ramp_bounds() -> None:
    assert ramp(0.0, 0.1, 0.5) == 0.0 and ramp(1.0, 0.1, 0.5) == 1.0 and ramp(0.3, 0.1, 0.5) == pytest.approx(0.5)


def test_batch_days_need_lift() -> None:
    from datetime import datetime

    created = [datetime(2020, 1, 1)] * 5 + [datetime(2015, 3, d) for d in range(1, 6)]
    # background: a busy day on 2015-03-01 (many accounts created by everyone) is no batch
    bg = {datetime(2020, 1, 1).date(): 5, datetime(2015, 3, 1).date(): 500}
    days, n = batch_days(created, bg, bg_total=10_000, span_days=4000)
    assert days == {datetime(2020, 1, 1).date()} and n == 5


def test_satellite_originators_are_attached(fresh_case: Case) -> None:
    """Core accounts that detection left out (they do not co-act with the amplifiers,
    the amplifiers repost them) are attached to the operation they serve."""
    w = build_world(fresh_case, seed=8)
    left_out = w.io_core[:5]
    fresh_case.con.executemany("DELETE FROM memberships WHERE account_id = ?", [(a,) for a in left_out])
    counts = attribute_case(fresh_case, "r1", [])
    assert counts["attached_accounts"] >= len(left_out)
    flagged = {r[0]: r for r in flagged_accounts(fresh_case.con).fetchall()}
    for a in left_out:
        assert flagged[a][1] == "N0001" and any("attached" in x for x in flagged[a][4])
    # organic accounts and fans are not attached
    assert not (set(flagged) & (set(w.organic) | set(w.fans)))


def test_mixed_network_flags_only_its_operation_core(fresh_case: Case) -> None:
    """Detection merged a small operation with many ordinary accounts: the network as a
    whole looks authentic, its operation-like core is still found and only it is flagged."""
    w = build_world(fresh_case, seed=9, n_core=8, n_amp=12)
    fresh_case.con.execute("DELETE FROM memberships WHERE network_id = 'N0001'")
    mixed = w.io_core + w.io_amp + w.organic[:80]
    fresh_case.con.executemany("INSERT INTO memberships (run_id, network_id, account_id, centrality) VALUES ('r1', 'N0001', ?, 1.0)",
                               [(a,) for a in mixed])
    counts = attribute_case(fresh_case, "r1", [])
    assert counts["mixed_networks"] == 1
    label, reasons = fresh_case.con.execute("SELECT label, reasons FROM networks WHERE network_id = 'N0001'").fetchall()[0]
    assert label == "inauthentic" and "operation-like core" in reasons[0]
    flagged = {r[0] for r in flagged_accounts(fresh_case.con).fetchall()}
    io = set(w.io_core) | set(w.io_amp)
    assert len(flagged & io) >= 0.9 * len(io)
    assert len(flagged & set(w.organic)) <= 2


def test_batch_sibling_with_one_interaction_is_attached(fresh_case: Case) -> None:
    """An amplifier outside every network with a single repost of the operation is
    attached because it was created in the operation's creation batch with a bare
    profile; an ordinary account created the same day that never touched the
    operation is not."""
    from datetime import datetime

    w = build_world(fresh_case, seed=10)
    amp = w.io_amp[0]
    con = fresh_case.con
    con.execute("DELETE FROM memberships WHERE account_id = ?", [amp])
    keep = con.execute("SELECT min(post_id) FROM posts WHERE account_id = ?", [amp]).fetchall()[0][0]
    con.execute("DELETE FROM posts WHERE account_id = ? AND post_id <> ?", [amp, keep])
    con.execute("INSERT INTO accounts (account_id, handle, followers, created_at) VALUES ('bystander', 'user12345678', 0, ?)",
                [datetime(2019, 12, 2, 5)])
    con.execute("INSERT INTO posts (post_id, account_id, created_at, kind, text) VALUES ('bx', 'bystander', ?, 'post', 'hi')",
                [datetime(2020, 1, 7, 3)])
    attribute_case(fresh_case, "r1", [])
    flagged = {r[0]: r for r in flagged_accounts(con).fetchall()}
    assert amp in flagged and any("creation batch" in x for x in flagged[amp][4])
    assert "bystander" not in flagged


def test_fandom_with_operation_like_profiles_is_not_an_operation(fresh_case: Case) -> None:
    """Fans created in a burst with bare profiles (as around a comeback) coordinate around
    their idol: without office hours, templates, rings, one-site links, language switches,
    a prior link or a model, the verdict stays short of 'inauthentic'."""
    from datetime import datetime, timedelta

    w = build_world(fresh_case, seed=12)
    fresh_case.con.executemany(
        "UPDATE accounts SET followers = 0, description = 'fan account', created_at = ? WHERE account_id = ?",
        [(datetime(2019, 11, 1) + timedelta(days=k % 3), a) for k, a in enumerate(w.fans)])
    attribute_case(fresh_case, "r1", [])
    label, reasons = fresh_case.con.execute(
        "SELECT label, reasons FROM networks WHERE network_id = 'N0002'").fetchall()[0]
    assert label != "inauthentic"
    assert not set(w.fans) & {r[0] for r in flagged_accounts(fresh_case.con).fetchall()}
    # the operation itself is still judged an operation
    assert fresh_case.con.execute("SELECT label FROM networks WHERE network_id = 'N0001'").fetchall()[0][0] == "inauthentic"


def test_ordinary_accounts_swept_into_an_operation_are_peripheral(fresh_case: Case) -> None:
    """Detection put a few ordinary accounts at the edge of the operation: with no
    operation traits and no amplification ties to it they stay out of the takedown set."""
    w = build_world(fresh_case, seed=13)
    swept = w.organic[:6]
    fresh_case.con.executemany(
        "INSERT INTO memberships (run_id, network_id, account_id, centrality) VALUES ('r1', 'N0001', ?, 0.01)",
        [(a,) for a in swept])
    attribute_case(fresh_case, "r1", [])
    flagged = {r[0] for r in flagged_accounts(fresh_case.con).fetchall()}
    assert not flagged & set(swept)
    assert flagged >= set(w.io_core) | set(w.io_amp)
    reasons = dict(fresh_case.con.execute(
        "SELECT account_id, reasons FROM memberships WHERE network_id = 'N0001'").fetchall())
    assert all(any("peripheral" in r for r in reasons[a]) for a in swept)


def test_account_no_member_reposts_is_no_core_where_the_network_has_a_flow() -> None:
    from infoops.attribute.roles import behaviour_role

    # mostly original posts, never reposted by members, hardly reposts them
    assert behaviour_role(34, 10, 0, 0, network_flow=True)[0] == "amplifier"
    assert behaviour_role(34, 10, 1, 0, network_flow=True)[0] == "amplifier"
    # without a flow in the network the share of original posts decides, as before
    assert behaviour_role(34, 10, 0, 0, network_flow=False)[0] == "core"
    # reposted by members at all: the flow rule does not apply
    role, why = behaviour_role(34, 10, 0, 1, network_flow=True)
    assert role == "core" and "24 of 34" in why
    # a clear core stays core
    assert behaviour_role(20, 2, 1, 9, network_flow=True)[0] == "core"
