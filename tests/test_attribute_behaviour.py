"""Behaviour-led verdicts: operations run from ordinary-looking (aged, bought, hijacked)
accounts are convicted by a distinctive behaviour plus output that reaches nobody, and
only the members that show the behaviour themselves are flagged. Planted worlds with
known answers; none of the operation accounts has an operation-like profile."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pyarrow as pa

from infoops.attribute.behaviour import members_showing, ring_members
from infoops.attribute.flagged import flagged_accounts
from infoops.attribute.pipeline import attribute_case
from infoops.store import Case

T0 = datetime(2020, 1, 6)
WORDS = ["coffee", "match", "weather", "movie", "music", "work", "city", "train", "book", "dinner", "game"]


class _World:
    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.acc: dict[str, list] = {k: [] for k in ("account_id", "platform", "handle", "description",
                                                     "followers", "following", "created_at")}
        self.posts: dict[str, list] = {k: [] for k in ("post_id", "account_id", "created_at", "text", "kind",
                                                       "ref_post_id", "ref_account_id", "like_count", "urls")}
        self.n = 0

    def account(self, aid: str) -> str:
        """An ordinary-looking profile: hundreds of followers, created any day 2009-2019, a bio."""
        r = self.rng
        self.acc["account_id"].append(aid)
        self.acc["platform"].append("test")
        self.acc["handle"].append(f"{r.choice(WORDS)}_{r.choice(WORDS)}")
        self.acc["description"].append(f"{aid} likes {r.choice(WORDS)}")
        self.acc["followers"].append(int(r.integers(100, 2000)))
        self.acc["following"].append(int(r.integers(100, 900)))
        self.acc["created_at"].append(datetime(2009, 1, 1) + timedelta(days=int(r.integers(0, 3800))))
        return aid

    def post(self, aid: str, likes: int, kind: str = "post", ref: tuple[str, str] | None = None,
             urls: list[str] | None = None) -> str:
        self.n += 1
        pid = f"p{self.n}"
        t = T0 + timedelta(days=int(self.rng.integers(0, 56)), hours=int(self.rng.integers(0, 24)),
                           minutes=int(self.rng.integers(0, 60)))
        self.posts["post_id"].append(pid)
        self.posts["account_id"].append(aid)
        self.posts["created_at"].append(t)
        self.posts["text"].append(" ".join(self.rng.choice(WORDS, 6)) + f" {self.n}")
        self.posts["kind"].append(kind)
        self.posts["ref_post_id"].append(ref[0] if ref else None)
        self.posts["ref_account_id"].append(ref[1] if ref else None)
        self.posts["like_count"].append(likes)
        self.posts["urls"].append(urls or [])
        return pid

    def engaged(self, aid: str, k: int = 8) -> list[str]:
        """k ordinary posts that people react to."""
        return [self.post(aid, int(self.rng.integers(3, 30))) for _ in range(k)]

    def store(self, case: Case, networks: dict[str, list[str]]) -> None:
        con = case.con
        con.register("_a", pa.table(self.acc))
        con.execute("INSERT INTO accounts BY NAME SELECT * FROM _a")
        con.unregister("_a")
        t = pa.table({**self.posts, "urls": pa.array(self.posts["urls"], pa.list_(pa.string()))})
        con.register("_p", t)
        con.execute("INSERT INTO posts BY NAME SELECT *, 's' AS time_precision FROM _p")
        con.unregister("_p")
        for nid, members in networks.items():
            con.execute("INSERT INTO networks (run_id, network_id, size, n_edges, density) VALUES ('r1', ?, ?, 0, 0.5)",
                        [nid, len(members)])
            con.executemany("INSERT INTO memberships (run_id, network_id, account_id, centrality) "
                            "VALUES ('r1', ?, ?, 1.0)", [(nid, a) for a in members])


def _background(w: _World, n: int = 200) -> None:
    for k in range(n):
        w.engaged(w.account(f"bg{k}"), int(w.rng.integers(3, 12)))


def _ring(w: _World, ids: list[str], likes: int) -> None:
    """Each member posts and reposts its two neighbours on each side, which repost it back."""
    own = {a: [w.post(a, likes) for _ in range(5)] for a in ids}
    for k, a in enumerate(ids):
        for d in (-2, -1, 1, 2):
            b = ids[(k + d) % len(ids)]
            for pid in own[b][:3]:
                w.post(a, 0, "repost", (pid, b))


def test_ring_of_ordinary_profiles_is_convicted_and_merged_accounts_stay_out(fresh_case: Case) -> None:
    w = _World(21)
    _background(w)
    ring = [w.account(f"r{k}") for k in range(12)]
    _ring(w, ring, likes=0)
    merged = [w.account(f"m{k}") for k in range(8)]
    for k, a in enumerate(merged):
        w.engaged(a)
        w.post(a, 0, "repost", (w.posts["post_id"][w.posts["account_id"].index(ring[k])], ring[k]))
    # a circle of friends reposting each other, whose posts people read and like
    friends = [w.account(f"f{k}") for k in range(12)]
    _ring(w, friends, likes=12)
    w.store(fresh_case, {"N0001": ring + merged, "N0002": friends})
    attribute_case(fresh_case, "r1", [])
    labels = dict(fresh_case.con.execute("SELECT network_id, label FROM networks").fetchall())
    assert labels == {"N0001": "inauthentic", "N0002": "authentic"}
    reasons = fresh_case.con.execute("SELECT reasons FROM networks WHERE network_id = 'N0001'").fetchall()[0][0]
    assert reasons[0] == "12 of 20 accounts take part in returned reposts between members"
    assert any("returned" in r for r in reasons) and any("engagement" in r for r in reasons)
    flagged = {r[0] for r in flagged_accounts(fresh_case.con).fetchall()}
    assert flagged == set(ring)


def test_site_promoters_inside_an_ordinary_network_form_its_core(fresh_case: Case) -> None:
    """A network of ordinary readers of several sites, holding ten accounts that post nothing but
    one site's links and get no reactions: as a whole it is not an operation; the promoters are."""
    w = _World(22)
    _background(w)
    promoters = [w.account(f"s{k}") for k in range(10)]
    for a in promoters:
        for _ in range(20):
            w.post(a, 0, urls=[f"https://www.state-news.example/a/{w.n}"])
    readers = [w.account(f"u{k}") for k in range(40)]
    for a in readers:
        w.engaged(a)
        for site in ("https://state-news.example/x", "https://city.example/y", "https://sport.example/z"):
            w.post(a, int(w.rng.integers(3, 30)), urls=[site])
    w.store(fresh_case, {"N0001": promoters + readers})
    attribute_case(fresh_case, "r1", [])
    label, reasons = fresh_case.con.execute("SELECT label, reasons FROM networks").fetchall()[0]
    assert label == "inauthentic"
    assert reasons[0].startswith("10 of 50 accounts post mostly links to the network's site")
    assert {r[0] for r in flagged_accounts(fresh_case.con).fetchall()} == set(promoters)


def test_ring_members_and_domain_members() -> None:
    assert ring_members([("a", "b", 2), ("b", "a", 1), ("c", "a", 5), ("d", "e", 1)]) == {"a", "b"}
    cols = {"account_id": ["a", "b", "c"]}
    links = {("N", "a"): (4, 3), ("N", "b"): (4, 1), ("N", "c"): (1, 1)}
    assert members_showing("single_domain", cols, [0, 1, 2], "N", [], {}, {}, links) == {"a"}
    assert members_showing("templated_text", cols, [0, 1, 2], "N", [], {"b": 0.9, "c": 0.1}, {}, {}) == {"b"}


def test_member_that_reposts_the_core_far_more_than_the_case_does_joins_it(fresh_case: Case) -> None:
    """Outside the ring, an ordinary-looking member that reposts the ring 4 times among 20
    reposts (the rest of the case never does) boosts it: it is flagged; a member that
    reposted it once is not."""
    w = _World(23)
    _background(w)
    ring = [w.account(f"r{k}") for k in range(12)]
    _ring(w, ring, likes=0)
    ring_posts = [(p, a) for p, a, k in zip(w.posts["post_id"], w.posts["account_id"], w.posts["kind"], strict=True)
                  if a in ring and k == "post"]
    first: dict[str, str] = {}
    for p, a in zip(w.posts["post_id"], w.posts["account_id"], strict=True):
        if a.startswith("bg"):
            first.setdefault(a, p)
    bg_posts = [(p, a) for a, p in first.items()]  # one post each of many ordinary accounts
    booster, once = w.account("x0"), w.account("x1")
    for a, n_ring in ((booster, 4), (once, 1)):
        w.engaged(a, 20)
        for p, b in ring_posts[:n_ring]:
            w.post(a, 0, "repost", (p, b))
        for p, b in bg_posts[20 * n_ring:20 * n_ring + 20 - n_ring]:
            w.post(a, 0, "repost", (p, b))
    w.store(fresh_case, {"N0001": [*ring, booster, once]})
    attribute_case(fresh_case, "r1", [])
    flagged = {r[0] for r in flagged_accounts(fresh_case.con).fetchall()}
    assert flagged == {*ring, booster}
