"""Creation-batch attachment: accounts created on a network's batch day that amplify it join it;
accounts of ordinary days, and ordinary waves of sign-ups, do not."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import pyarrow as pa

from infoops.detect.batch import attach_batches, daily_background
from infoops.store import Case

DAY0 = datetime(2019, 1, 1)
BATCH_DAY = 100
WAVE_DAY = 150
OTHER_DAY = 60
DAYS = 200


@dataclass
class World:
    posts: list[dict[str, object]] = field(default_factory=list)
    created: dict[str, int | None] = field(default_factory=dict)
    originals: dict[str, list[str]] = field(default_factory=dict)

    def account(self, acc: str, day: int | None) -> None:
        self.created[acc] = day

    def original(self, acc: str, n: int) -> None:
        for _ in range(n):
            pid = f"p{len(self.posts)}"
            self.posts.append(self._row(pid, acc, "post", None, None))
            self.originals.setdefault(acc, []).append(pid)

    def repost(self, acc: str, author: str, rng: np.random.Generator) -> None:
        ref = self.originals[author][int(rng.integers(len(self.originals[author])))]
        self.posts.append(self._row(f"p{len(self.posts)}", acc, "repost", ref, author))

    def _row(
        self, pid: str, acc: str, kind: str, ref: str | None, ref_acc: str | None
    ) -> dict[str, object]:
        return {
            "post_id": pid,
            "account_id": acc,
            "platform": "test",
            "created_at": DAY0 + timedelta(days=DAYS, seconds=len(self.posts) * 37),
            "kind": kind,
            "ref_post_id": ref,
            "ref_account_id": ref_acc,
            "text": f"text {pid}",
        }

    def _day(self, acc: str) -> datetime | None:
        day = self.created[acc]
        return None if day is None else DAY0 + timedelta(days=day)

    def load(self) -> Case:
        case = Case.memory()
        posts = pa.Table.from_pylist(self.posts)
        case.con.register("_p", posts)
        case.con.execute(f"INSERT INTO posts ({', '.join(posts.column_names)}) SELECT * FROM _p")
        case.con.unregister("_p")
        ids = sorted(self.created)
        acc = pa.table(
            {
                "account_id": ids,
                "platform": ["test"] * len(ids),
                "created_at": pa.array([self._day(a) for a in ids], pa.timestamp("us")),
            }
        )
        case.con.register("_a", acc)
        case.con.execute("INSERT INTO accounts (account_id, platform, created_at) SELECT * FROM _a")
        case.con.unregister("_a")
        return case


@dataclass
class Planted:
    case: Case
    members: pa.Table
    batch: list[str]  # operation accounts created on the batch day, amplifying the network
    ordinary: dict[str, int]  # ordinary account -> creation day
    amplifies: set[str]  # the ordinary accounts that reposted a member at least once


def planted(seed: int, batched: bool = True, wave: int = 0, foreign: int = 0) -> Planted:
    """20 members (15 created on BATCH_DAY), 25 light amplifiers (1-2 reposts of the members
    among 8-12), 1,500 ordinary accounts created over 200 days reposting 100 ordinary authors and,
    now and then, a member; `batched=False` spreads the amplifiers' creation days; `wave` ordinary
    accounts more are created on WAVE_DAY, where 3 members were created too; `foreign` accounts of
    another batch are created on OTHER_DAY (where one member was created) and repost members."""
    rng = np.random.default_rng(seed)
    w = World()
    core = [f"core{i}" for i in range(20)]
    authors = [f"author{i}" for i in range(100)]
    for i, acc in enumerate(core):
        w.account(acc, ([BATCH_DAY] * 15 + [WAVE_DAY] * 3 + [OTHER_DAY, 180])[i])
    for acc in authors:
        w.account(acc, int(rng.integers(DAYS)))
    for acc in core + authors:
        w.original(acc, 5)
    batch = [f"amp{i}" for i in range(25)]
    for acc in batch:
        w.account(acc, BATCH_DAY if batched else int(rng.integers(DAYS)))
        n, k = int(rng.integers(8, 13)), int(rng.integers(1, 3))
        for j in range(n):
            w.repost(
                acc, core[int(rng.integers(20))] if j < k else authors[int(rng.integers(100))], rng
            )
    for i in range(foreign):
        w.account(f"other{i}", OTHER_DAY)
        for j in range(6):
            w.repost(f"other{i}", core[int(rng.integers(20))] if j < 2 else authors[j], rng)
    ordinary: dict[str, int] = {}
    amplifies: set[str] = set()
    days = [int(d) for d in rng.integers(DAYS, size=1500)] + [WAVE_DAY] * wave
    for i, day in enumerate(days):
        acc = f"user{i}"
        w.account(acc, day)
        ordinary[acc] = day
        for _ in range(int(rng.integers(5, 16))):
            if rng.random() < 0.03:
                w.repost(acc, core[int(rng.integers(20))], rng)
                amplifies.add(acc)
            else:
                w.repost(acc, authors[int(rng.integers(100))], rng)
    members = pa.table({"network_id": ["N0001"] * 20, "account_id": core})
    return Planted(w.load(), members, batch, ordinary, amplifies)


def _attached(p: Planted) -> dict[str, str]:
    res = attach_batches(p.case.con, p.members)
    assert res.memberships.column_names == ["network_id", "account_id", "centrality"]
    return dict(
        zip(
            res.memberships.column("account_id").to_pylist(),
            res.memberships.column("network_id").to_pylist(),
            strict=True,
        )
    )


def test_batch_amplifiers_attach_and_ordinary_days_do_not() -> None:
    for seed in (1, 2, 3):
        p = planted(seed)
        got = _attached(p)
        assert {a: got.get(a) for a in p.batch} == {a: "N0001" for a in p.batch}
        others = set(got) - set(p.batch)
        # the ordinary accounts that join are those of the batch day that amplified a member
        assert all(p.ordinary[a] == BATCH_DAY and a in p.amplifies for a in others)
        res = attach_batches(p.case.con, p.members)
        assert res.stats["batch_groups_picked"] == 1
        (group,) = res.stats["batch_groups"]
        assert group["day"] == str((DAY0 + timedelta(days=BATCH_DAY)).date())
        assert group["members_created"] == 15
        assert group["amplifiers_created"] == len(got)
        # about 7.5 ordinary accounts a day, a quarter of them amplify a member
        assert 0 < res.stats["batch_expected_false"] < 5
        p.case.close()


def test_no_batch_no_attachment() -> None:
    """The same light amplifiers created on scattered days: nothing singles them out."""
    for seed in (1, 2):
        p = planted(seed, batched=False)
        assert _attached(p) == {}
        p.case.close()


def test_an_ordinary_wave_of_sign_ups_is_not_a_batch() -> None:
    """400 ordinary accounts created on one day with 3 members: they amplify the network at the
    usual rate, so the day's group is not picked (the batch day still is)."""
    for seed in (1, 2):
        p = planted(seed, wave=400)
        got = _attached(p)
        assert not {a for a in got if p.ordinary.get(a) == WAVE_DAY}
        assert set(p.batch) <= set(got)
        p.case.close()


def test_another_batch_amplifying_the_network_is_not_its_batch() -> None:
    """30 accounts created together on a day when one member was created (as an ordinary day
    brings) repost the members: the network was not batch-created that day, so they stay out."""
    for seed in (1, 2):
        p = planted(seed, foreign=30)
        got = _attached(p)
        assert not {a for a in got if a.startswith("other")}
        assert set(p.batch) <= set(got)
        p.case.close()


def test_nothing_to_test() -> None:
    p = planted(1)
    empty = p.members.slice(0, 0)
    res = attach_batches(p.case.con, empty)
    assert res.memberships.num_rows == 0 and res.stats["batch_groups_tested"] == 0
    p.case.con.execute("UPDATE accounts SET created_at = NULL")
    res = attach_batches(p.case.con, p.members)
    assert res.memberships.num_rows == 0 and res.stats["batch_groups_tested"] == 0
    p.case.close()


def test_daily_background_ignores_spikes() -> None:
    counts = np.full(101, 5)
    counts[50] = 400
    counts[51] = 300
    bg = daily_background(counts, 10)
    assert bg[50] == 5.0 and bg[51] == 5.0
    # the ends: days outside the data count 0, so the median falls only when most are outside
    assert bg[0] == 5.0 and bg[100] == 5.0
    assert daily_background(np.array([0, 0, 3, 0, 0]), 2).tolist() == [1.0, 1.0, 1.0, 1.0, 1.0]
    assert daily_background(np.array([], dtype=np.int64), 3).size == 0
