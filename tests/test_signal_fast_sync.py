"""fast_repost and sync_activity on planted groups."""

from __future__ import annotations

import calendar

import numpy as np
from test_detect_fixtures import T0, Planted, edge_pairs

from infoops.detect.signals.fast_repost import FastRepost
from infoops.detect.signals.sync_activity import SyncActivity
from infoops.store import Case

DAY = 86400.0


def _originals_case(seed: int) -> tuple[Case, Planted, list[str]]:
    """Authors post originals; amplifiers repost a core author within seconds; others later."""
    rng = np.random.default_rng(seed)
    p = Planted()
    originals: list[tuple[str, float]] = []
    for i in range(400):
        t = float(rng.uniform(0, 10 * DAY))
        p.post(f"author{i % 40}", t, "post", "")
        originals.append((f"p{p._n}", t))
    core: list[tuple[str, float]] = []
    for _j in range(20):
        t = float(rng.uniform(0, 10 * DAY))
        p.post("core_account", t, "post", "")
        core.append((f"p{p._n}", t))
    for i in range(300):
        acc = f"bg{i:04d}"
        p.background.append(acc)
        for _ in range(int(rng.integers(2, 30))):
            pid, t = originals[int(rng.integers(len(originals)))]
            # organic reposts follow the original after minutes to hours; a fifth within seconds
            delay = float(rng.uniform(1, 10)) if rng.random() < 0.2 else float(rng.exponential(1800.0))
            p.post(acc, t + delay, "repost", pid)
    group = [f"amp{i:02d}" for i in range(10)]
    for pid, t in core:
        for acc in group:
            if rng.random() < 0.8:
                p.post(acc, t + float(rng.uniform(1, 8)), "repost", pid)
    p.groups.append(group)
    return p.load(Case.memory()), p, group


def test_fast_repost_links_amplifiers() -> None:
    case, p, group = _originals_case(seed=1)
    sig = FastRepost(seconds=10).fit(case.con)
    found = edge_pairs(sig.edges_)
    planted = p.pairs()
    assert len(planted & found) >= 0.9 * len(planted)
    bg = set(p.background)
    assert len({e for e in found if e[0] in bg and e[1] in bg}) <= max(1, 0.1 * len(found))
    assert sig.stats_["actions"] < case.count("posts") / 2  # only fast reposts are actions
    case.close()


def test_fast_repost_ignores_slow_reposts() -> None:
    case, p, group = _originals_case(seed=2)
    sig = FastRepost(seconds=0.5).fit(case.con)
    assert not {a for e in edge_pairs(sig.edges_) for a in e} & set(group)
    case.close()


def test_fast_repost_uses_snowflake_time_of_missing_originals() -> None:
    p = Planted()
    epoch_ms = 1288834974657
    base = calendar.timegm(T0.timetuple())

    def repost(acc: str, orig_ms: int, delay: float) -> None:
        p.post(acc, orig_ms / 1000 - base + delay, "repost", str((orig_ms - epoch_ms) << 22))

    t0_ms = 1_600_000_000_000
    for j in range(6):
        for i in range(4):
            repost(f"a{i}", t0_ms + j * 3_600_000, 2 + i)
    for j in range(4):  # bystanders, so the shared originals are not shared by everyone
        for i in range(2):
            repost(f"b{j}{i}", t0_ms + (10 + j) * 3_600_000, 1)
            repost(f"b{j}{i}", t0_ms + (20 + j) * 3_600_000, 2)
    case = p.load(Case.memory())
    sig = FastRepost(seconds=10, null="none").fit(case.con)
    assert sig.stats_["actions"] == 24 + 16
    found = {(r["src"], r["dst"]) for r in sig.edges_.to_pylist() if r["src"].startswith("a")}
    assert found == {(f"a{i}", f"a{j}") for i in range(4) for j in range(i + 1, 4)}
    case.close()


def test_sync_activity_finds_synchronised_group() -> None:
    rng = np.random.default_rng(3)
    p = Planted()
    for i in range(300):
        acc = f"bg{i:04d}"
        p.background.append(acc)
        for _ in range(int(rng.integers(5, 60))):
            day = int(rng.integers(0, 14))
            hour = float(rng.normal(15, 4)) % 24  # organic diurnal rhythm
            p.post(acc, day * DAY + hour * 3600, "post", "")
    group = [f"sync{i:02d}" for i in range(8)]
    for _ in range(40):
        t = float(rng.uniform(0, 14 * DAY))
        for acc in group:
            p.post(acc, t + float(rng.uniform(0, 120)), "post", "")
    p.groups.append(group)
    case = p.load(Case.memory())
    sig = SyncActivity().fit(case.con)
    found = edge_pairs(sig.edges_)
    assert len(p.pairs() & found) >= 0.9 * len(p.pairs())
    bg = set(p.background)
    assert len({e for e in found if e[0] in bg and e[1] in bg}) <= max(1, 0.1 * len(found))
    w = sig.edges_.column("weight").to_pylist()
    assert all(0 < x <= 1.0 + 1e-9 for x in w)  # cosine similarity
    case.close()
