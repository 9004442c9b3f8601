"""Amplifier attachment: accounts boosting one network far beyond its popularity join it."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from test_detect_fixtures import Planted

from infoops.detect.attach import attach_amplifiers, bh_cutoff, merge_attached
from infoops.store import Case


def _case(seed: int, fans_of_amplifiers: int = 0) -> tuple[Case, pa.Table, list[str], list[str]]:
    rng = np.random.default_rng(seed)
    p = Planted()
    core = [f"core{i}" for i in range(8)]
    authors = [f"author{i}" for i in range(200)]
    originals: dict[str, list[str]] = {}
    for acc in core + authors:
        for _ in range(5):
            p.post(acc, float(rng.uniform(0, 86400 * 10)), "post", "")
            originals.setdefault(acc, []).append(f"p{p._n}")

    def repost(acc: str, author: str) -> None:
        pid = originals[author][int(rng.integers(5))]
        p.post(acc, float(rng.uniform(0, 86400 * 10)), "repost", pid)
        p.rows[-1]["ref_account_id"] = author

    amps = [f"amp{i}" for i in range(15)]
    for acc in amps:  # six amplifications, most of them of the core
        for j in range(6):
            repost(
                acc,
                core[int(rng.integers(len(core)))] if j < 5 else authors[int(rng.integers(200))],
            )
    for i in range(fans_of_amplifiers):  # ordinary accounts reposting the amplifiers' own posts
        fan = f"fan{i}"
        for amp in rng.choice(amps, size=4, replace=False):
            p.post(str(amp), float(rng.uniform(0, 86400 * 10)), "post", "")
            p.post(fan, float(rng.uniform(0, 86400 * 10)), "repost", f"p{p._n}")
            p.rows[-1]["ref_account_id"] = str(amp)
        repost(fan, authors[int(rng.integers(200))])
    bystanders = [f"bg{i}" for i in range(400)]
    for acc in bystanders:  # organic: popularity-weighted, the core is just 8 of 208 authors
        for _ in range(int(rng.integers(2, 12))):
            pool = core + authors
            repost(acc, pool[int(rng.integers(len(pool)))])
    case = p.load(Case.memory())
    mem = pa.table(
        {"network_id": ["N0001"] * len(core), "account_id": core, "centrality": [1.0] * len(core)}
    )
    return case, mem, amps, bystanders


def test_amplifiers_attach_and_bystanders_do_not() -> None:
    for seed in (1, 2):
        case, mem, amps, bystanders = _case(seed)
        res = attach_amplifiers(case.con, mem)
        got = set(res.memberships.column("account_id").to_pylist())
        assert set(amps) <= got
        assert len(got & set(bystanders)) <= 2  # the tests are at a false discovery rate of 0.01
        assert set(res.memberships.column("network_id").to_pylist()) == {"N0001"}
        nets = pa.table({"network_id": ["N0001"], "size": pa.array([8], pa.int64())})
        nets2, mem2 = merge_attached(nets, mem, res.memberships)
        assert nets2.column("size").to_pylist() == [8 + len(got)]
        assert mem2.num_rows == 8 + len(got)
        case.close()


def test_bh_cutoff() -> None:
    p = np.array([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216])
    assert bh_cutoff(p, 0.05) == 0.008  # the textbook example: two discoveries
    assert bh_cutoff(np.array([0.5, 0.9]), 0.05) == -1.0


def test_no_networks_nothing_attached() -> None:
    case, mem, _, _ = _case(3)
    res = attach_amplifiers(case.con, mem.slice(0, 0))
    assert res.memberships.num_rows == 0
    case.close()


def test_voices_need_the_network_as_their_main_amplifier() -> None:
    """A voice the network pushes joins it; an ordinary account it reposts to blend in does not.

    The blend-in target is amplified by a few network members (far more than their
    popularity explains) but mostly by other people; the pushed voice mostly by the network.
    """
    rng = np.random.default_rng(7)
    p = Planted()
    net = [f"m{i}" for i in range(30)]
    others = [f"o{i}" for i in range(300)]
    authors = [f"a{i}" for i in range(100)]
    for acc in ["voice", "blend", *authors]:
        for _ in range(5):
            p.post(acc, float(rng.uniform(0, 86400 * 10)), "post", "")

    def repost(acc: str, author: str) -> None:
        p.post(acc, float(rng.uniform(0, 86400 * 10)), "repost", f"ref-{author}")
        p.rows[-1]["ref_account_id"] = author

    for acc in net[:12]:
        repost(acc, "voice")
    for acc in net[12:18]:
        repost(acc, "blend")
    for acc in others[:30]:
        repost(acc, "blend")
    for acc in others[:4]:
        repost(acc, "voice")
    for acc in others:  # everybody else reposts ordinary authors
        for _ in range(int(rng.integers(2, 8))):
            repost(acc, authors[int(rng.integers(len(authors)))])
    case = p.load(Case.memory())
    mem = pa.table(
        {"network_id": ["N0001"] * len(net), "account_id": net, "centrality": [1.0] * len(net)}
    )
    got = set(attach_amplifiers(case.con, mem).memberships.column("account_id").to_pylist())
    case.close()
    assert "voice" in got
    assert "blend" not in got


def test_reposting_attached_amplifiers_is_no_tie() -> None:
    """Accounts that repost a network's amplifiers (not its core) are not pulled in round after round."""
    for seed in (1, 2):
        case, mem, amps, bystanders = _case(seed, fans_of_amplifiers=20)
        got = set(attach_amplifiers(case.con, mem).memberships.column("account_id").to_pylist())
        case.close()
        assert set(amps) <= got
        assert not {f"fan{i}" for i in range(20)} & got


def test_light_amplifiers_of_a_big_operation_are_found() -> None:
    """Light amplifiers are found once the heavy ones stop inflating the network's share.

    The co-action network is forty accounts pushing ten voices; thirty heavy amplifiers
    boost the voices too (their amplifications make the voices look popular), twenty
    light ones amplify three voices among nine ordinary accounts each. Voices join
    first, then the heavy amplifiers, then -- with the heavy ones out of the pool of
    non-members -- the light ones.
    """
    rng = np.random.default_rng(11)
    p = Planted()
    found = [f"ring{i}" for i in range(40)]
    voices = [f"voice{i}" for i in range(10)]
    heavy = [f"heavy{i}" for i in range(30)]
    light = [f"light{i}" for i in range(20)]
    people = [f"person{i}" for i in range(600)]
    authors = [f"author{i}" for i in range(300)]

    def repost(acc: str, author: str) -> None:
        p.post(acc, float(rng.uniform(0, 86400 * 10)), "repost", f"ref-{author}-{p._n}")
        p.rows[-1]["ref_account_id"] = author

    for acc in found:
        for v in voices:
            repost(acc, v)
    for acc in heavy:
        for v in rng.choice(voices, size=6, replace=False):
            repost(acc, str(v))
    for acc in light:
        for v in rng.choice(voices, size=3, replace=False):
            repost(acc, str(v))
        for a in rng.choice(authors, size=9, replace=False):
            repost(acc, str(a))
    for acc in people:
        for a in rng.choice(authors, size=int(rng.integers(3, 12)), replace=False):
            repost(acc, str(a))
    case = p.load(Case.memory())
    mem = pa.table(
        {
            "network_id": ["N0001"] * len(found),
            "account_id": found,
            "centrality": [1.0] * len(found),
        }
    )
    res = attach_amplifiers(case.con, mem)
    case.close()
    got = set(res.memberships.column("account_id").to_pylist())
    assert set(voices) <= got
    assert set(heavy) <= got
    assert len(set(light) & got) >= 15
    assert len(set(people) & got) <= 6  # tests at a false discovery rate of 0.01
    assert res.stats["attach_rounds"] >= 3
