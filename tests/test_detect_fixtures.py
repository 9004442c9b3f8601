"""Planted coordination on top of random background activity, written straight into `posts`.

Background accounts act independently: each picks objects from a shared
popularity-skewed pool at uniformly random times over `days` days. A planted
group acts on the same objects within `spread` seconds of each other,
`n_events` times. The answers are known: every pair inside a group should be
an edge, pairs of background accounts should not.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import pyarrow as pa

from infoops.store import Case

T0 = datetime(2020, 3, 1)
KINDS = ("repost", "reply", "quote", "url", "domain", "hashtags", "mention", "post")


@dataclass
class Planted:
    rows: list[dict[str, object]] = field(default_factory=list)
    groups: list[list[str]] = field(default_factory=list)
    background: list[str] = field(default_factory=list)
    _n: int = 0

    def post(self, account: str, t: float, kind: str, obj: str) -> None:
        self._n += 1
        row: dict[str, object] = {
            "post_id": f"p{self._n}",
            "account_id": account,
            "platform": "test",
            "created_at": T0 + timedelta(seconds=float(t)),
            "time_precision": "s",
            "kind": "post",
            "ref_post_id": None,
            "ref_account_id": None,
            "hashtags": [],
            "urls": [],
            "mentions": [],
            "text": f"text {self._n}",
        }
        if kind in ("repost", "reply", "quote"):
            row.update(kind=kind, ref_post_id=obj, ref_account_id="author_" + obj[-1])
        elif kind == "url":
            row["urls"] = [f"https://www.site{obj}.example/a/{obj}?utm_source=tw"]
        elif kind == "domain":
            row["urls"] = [f"https://news{obj}.example/story/{self._n}"]
        elif kind == "hashtags":
            row["hashtags"] = [f"tag{obj}", f"other{int(obj) % 7}", "common"]
        elif kind == "mention":
            row["mentions"] = [f"target{obj}"]
        self.rows.append(row)

    def pairs(self) -> set[tuple[str, str]]:
        out: set[tuple[str, str]] = set()
        for g in self.groups:
            out.update((a, b) if a < b else (b, a) for a, b in itertools.combinations(g, 2))
        return out

    def table(self) -> pa.Table:
        cols = {k: [r.get(k) for r in self.rows] for k in self.rows[0]}
        return pa.table(cols)

    def load(self, case: Case) -> Case:
        case.con.register("_planted", self.table())
        names = ", ".join(self.rows[0])
        case.con.execute(f"INSERT INTO posts ({names}) SELECT {names} FROM _planted")
        case.con.unregister("_planted")
        return case


def background(
    p: Planted,
    rng: np.random.Generator,
    kind: str,
    n_accounts: int = 300,
    acts: int = 20,
    pool: int = 400,
    days: float = 10.0,
) -> None:
    """Independent accounts acting on Zipf-popular objects at uniform random times."""
    pop = 1.0 / np.arange(1, pool + 1)
    pop /= pop.sum()
    for i in range(n_accounts):
        acc = f"bg{i:04d}"
        p.background.append(acc)
        for _ in range(int(rng.integers(1, 2 * acts))):
            obj = int(rng.choice(pool, p=pop))
            p.post(
                acc,
                float(rng.uniform(0, days * 86400)),
                kind,
                f"o{obj}" if kind in ("repost", "reply", "quote") else str(obj),
            )


def plant(
    p: Planted,
    rng: np.random.Generator,
    kind: str,
    size: int = 10,
    n_events: int = 15,
    spread: float = 30.0,
    days: float = 10.0,
    prefix: str = "io",
    offset: int = 10_000,
) -> list[str]:
    """A group acting together on `n_events` objects, each time within `spread` seconds."""
    group = [f"{prefix}{len(p.groups)}_{i:03d}" for i in range(size)]
    for e in range(n_events):
        t = float(rng.uniform(0, days * 86400 - spread))
        obj = str(offset + 100 * len(p.groups) + e)
        for acc in group:
            p.post(
                acc,
                t + float(rng.uniform(0, spread)),
                kind,
                f"o{obj}" if kind in ("repost", "reply", "quote") else obj,
            )
    p.groups.append(group)
    return group


def planted_case(
    kind: str,
    seed: int = 1,
    groups: int = 1,
    size: int = 10,
    n_background: int = 300,
    acts: int = 20,
    n_events: int = 15,
) -> tuple[Case, Planted]:
    rng = np.random.default_rng(seed)
    p = Planted()
    background(p, rng, kind, n_accounts=n_background, acts=acts)
    for _ in range(groups):
        plant(p, rng, kind, size=size, n_events=n_events)
    return p.load(Case.memory()), p


def edge_pairs(edges: pa.Table) -> set[tuple[str, str]]:
    return set(zip(edges.column("src").to_pylist(), edges.column("dst").to_pylist(), strict=True))


def test_fixture_groups_are_disjoint_from_background() -> None:
    case, p = planted_case("repost", seed=3, groups=2)
    members = {a for g in p.groups for a in g}
    assert members and not members & set(p.background)
    assert case.count("posts") == len(p.rows)
    case.close()
