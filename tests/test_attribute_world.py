"""A small planted world for attribution tests: organic accounts, an operation-like
network (batch-created, few followers, office hours in UTC+8, templated core posts
reposted by amplifiers) and a fandom-like network (normal accounts reposting an
idol within seconds, any time of day). The answers are known by construction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import pyarrow as pa

from infoops.store import Case

T0 = datetime(2020, 1, 6)  # a Monday


@dataclass
class World:
    io_core: list[str] = field(default_factory=list)
    io_amp: list[str] = field(default_factory=list)
    fans: list[str] = field(default_factory=list)
    idol: str = ""
    organic: list[str] = field(default_factory=list)
    io_post_texts: list[str] = field(default_factory=list)


def _acc(rows: dict[str, list], aid: str, handle: str, followers: int, created: datetime, bio: str) -> None:
    rows["account_id"].append(aid)
    rows["platform"].append("test")
    rows["handle"].append(handle)
    rows["display_name"].append(handle)
    rows["description"].append(bio)
    rows["followers"].append(followers)
    rows["following"].append(int(followers * 0.8) + 5)
    rows["created_at"].append(created)


def _post(rows: dict[str, list], pid: str, aid: str, t: datetime, text: str, kind: str = "post",
          ref_post: str | None = None, ref_acc: str | None = None, eng: int = 0, client: str = "iPhone",
          lang: str = "en") -> None:
    rows["post_id"].append(pid)
    rows["account_id"].append(aid)
    rows["created_at"].append(t)
    rows["text"].append(text)
    rows["kind"].append(kind)
    rows["ref_post_id"].append(ref_post)
    rows["ref_account_id"].append(ref_acc)
    rows["like_count"].append(eng)
    rows["client"].append(client)
    rows["lang"].append(lang)


def build_world(case: Case, seed: int = 0, n_core: int = 30, n_amp: int = 60, n_fans: int = 50,
                n_organic: int = 300, run_id: str = "r1", prefix: str = "") -> World:
    rng = np.random.default_rng(seed)
    w = World()
    acc: dict[str, list] = {k: [] for k in ("account_id", "platform", "handle", "display_name", "description",
                                            "followers", "following", "created_at")}
    posts: dict[str, list] = {k: [] for k in ("post_id", "account_id", "created_at", "text", "kind", "ref_post_id",
                                              "ref_account_id", "like_count", "client", "lang")}
    pid = 0

    def nid() -> str:
        nonlocal pid
        pid += 1
        return f"{prefix}p{pid}"

    def spread_created() -> datetime:
        return datetime(2008, 1, 1) + timedelta(days=int(rng.integers(0, 4000)), hours=int(rng.integers(0, 24)))

    words = ["coffee", "match", "weather", "movie", "music", "work", "city", "train", "book", "dinner", "game"]
    for k in range(n_organic):
        aid = f"{prefix}o{k}"
        w.organic.append(aid)
        _acc(acc, aid, f"{rng.choice(words)}_{rng.choice(words)}{k}", int(rng.lognormal(5, 1.5)), spread_created(),
             f"I like {rng.choice(words)}")
        for _ in range(int(rng.integers(3, 15))):
            t = T0 + timedelta(days=int(rng.integers(0, 56)), hours=int(rng.choice([0, 1, 2, 3, 13, 14, 22, 23])),
                               minutes=int(rng.integers(0, 60)))
            _post(posts, nid(), aid, t, " ".join(rng.choice(words, 6)), eng=int(rng.integers(0, 30)),
                  client=str(rng.choice(["iPhone", "Android", "Web App"])))

    # operation: core posts templates in office hours UTC+8 (01:00-10:00 UTC) on weekdays
    batch_days = [datetime(2019, 12, 2), datetime(2019, 12, 3), datetime(2019, 12, 9)]
    templates = ["香港暴徒破坏社会秩序 第{n}条", "美国抗议暴露双重标准 {n}", "台湾问题是中国内政 第{n}号"]
    core_posts: list[tuple[str, str]] = []
    for k in range(n_core + n_amp):
        aid = f"{prefix}c{k}" if k < n_core else f"{prefix}a{k}"
        (w.io_core if k < n_core else w.io_amp).append(aid)
        _acc(acc, aid, f"user{rng.integers(10**7, 10**8)}", int(rng.integers(0, 4)),
             batch_days[k % 3] + timedelta(hours=int(rng.integers(0, 8))), "")

    def office_time() -> datetime:
        d = int(rng.integers(0, 8)) * 7 + int(rng.integers(0, 5))
        return T0 + timedelta(days=d, hours=int(rng.integers(1, 10)), minutes=int(rng.integers(0, 60)))

    for aid in w.io_core:
        for _ in range(int(rng.integers(6, 12))):
            p = nid()
            text = rng.choice(templates).format(n=int(rng.integers(1, 99)))
            w.io_post_texts.append(text)
            _post(posts, p, aid, office_time(), text, client="Web App", lang="zh")
            core_posts.append((p, aid))
    for aid in w.io_amp:
        for _ in range(int(rng.integers(6, 12))):
            p, src = core_posts[int(rng.integers(0, len(core_posts)))]
            _post(posts, nid(), aid, office_time(), "RT", kind="repost", ref_post=p, ref_acc=src, client="Web App",
                  lang="zh")

    # fandom: normal accounts reposting the idol within seconds, any time
    w.idol = f"{prefix}idol"
    _acc(acc, w.idol, "the_idol", 2_000_000, datetime(2010, 5, 1), "singer")
    for k in range(n_fans):
        aid = f"{prefix}f{k}"
        w.fans.append(aid)
        _acc(acc, aid, f"fan_{rng.choice(words)}{k}", int(rng.lognormal(5, 1.2)), spread_created(), "fan account")
    for _ in range(25):
        t = T0 + timedelta(days=int(rng.integers(0, 56)), hours=int(rng.integers(0, 24)))
        p = nid()
        _post(posts, p, w.idol, t, "new song out " + str(rng.integers(0, 1000)), eng=int(rng.integers(5000, 20000)))
        for aid in rng.choice(w.fans, size=int(n_fans * 0.7), replace=False):
            _post(posts, nid(), str(aid), t + timedelta(seconds=int(rng.integers(2, 60))), "RT", kind="repost",
                  ref_post=p, ref_acc=w.idol)
        for aid in rng.choice(w.fans, size=5, replace=False):
            _post(posts, nid(), str(aid), t + timedelta(hours=int(rng.integers(1, 9))), " ".join(rng.choice(words, 5)),
                  eng=int(rng.integers(1, 50)))

    case.con.register("_acc", pa.table(acc))
    case.con.execute("INSERT INTO accounts BY NAME SELECT * FROM _acc")
    case.con.unregister("_acc")
    case.con.register("_posts", pa.table(posts))
    case.con.execute("INSERT INTO posts BY NAME SELECT *, 's' AS time_precision FROM _posts")
    case.con.unregister("_posts")

    nets = {"N0001": w.io_core + w.io_amp, "N0002": w.fans + [w.idol]}
    for net, members in nets.items():
        case.con.execute("INSERT INTO networks (run_id, network_id, size, n_edges, density) VALUES (?, ?, ?, 0, 0.5)",
                         [run_id, net, len(members)])
        case.con.executemany("INSERT INTO memberships (run_id, network_id, account_id, centrality) VALUES (?, ?, ?, 1.0)",
                             [(run_id, net, a) for a in members])
    return w
