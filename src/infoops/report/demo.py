"""A synthetic *detected* case, written straight into the result tables.

The report reads result tables that detection and attribution produce; this
module fills them directly (no simulator, no detector) so the report, its tests
and its benchmark can run at any scale: one operation network in office hours
with batch-created, follower-less core and amplifier accounts, an authentic
fandom, and background accounts. Text is Chinese, Russian and Turkish, and a
few accounts and posts carry hostile strings (`HOSTILE`) that must stay inert.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

import duckdb
import numpy as np
import pyarrow as pa

from infoops.report.queries import register
from infoops.store import Case

HOSTILE = (
    "<script>window.__pwned=1;alert('xss')</script>",
    '"><img src=x onerror="window.__pwned=1;alert(1)">',
    "javascript:window.__pwned=1",
    "\u202egnp.exe\u202c evil \u2067RTL\u2069",
    "</script><script>window.__pwned=1</script>",
    "{{ 7*7 }} ${7*7} =HYPERLINK(\"http://x\")",
)
LONG_HOSTILE = "<b>" + "A" * 100_000 + "</b>"

TOPICS = (
    ("zh", ["香港暴徒破坏社会秩序", "美国疫情失控 中国抗疫成功", "郭文贵是骗子", "台湾是中国的一部分",
            "臺灣獨立沒有出路", "武汉 医护人员 英雄", "美国 黑人 抗议 警察 暴力"]),
    ("ru", ["Запад лжёт о вакцине Спутник", "Новости RT о санкциях против России",
            "Украина и НАТО угрожают миру", "Российская вакцина спасает жизни"]),
    ("tr", ["Türkiye güçlü lider ile büyüyor", "AK Parti halkın yanında",
            "Muhalefet yalan söylüyor İstanbul", "Yerli ve milli ekonomi büyüyor"]),
    ("en", ["great game tonight go team", "new album drops friday fans", "concert tickets sold out"]),
)
HASHTAGS = ("香港", "covid19", "blm", "台湾", "guowengui", "спутник", "akparti", "fans", "music", "news")
DOMAINS = ("news.cn", "rt.com", "sabah.com.tr", "example.org", "youtube.com", "t.co")
SIGNALS = ("co_repost", "co_url", "text_sim", "co_hashtag", "fast_repost")


@dataclass
class DemoSizes:
    """How many accounts of each kind the demo case holds."""

    op_core: int = 40
    op_amplifiers: int = 120
    fandom: int = 40
    background: int = 300
    posts_per_account: int = 6
    op_networks: int = 1  # the operation's accounts are split round-robin into this many networks


def build_demo_case(case: Case, sizes: DemoSizes | None = None, seed: int = 7, hostile: bool = True) -> None:
    """Fill `case` with accounts, posts and detection/attribution results."""
    s = sizes or DemoSizes()
    rng = np.random.default_rng(seed)
    n_op = s.op_core + s.op_amplifiers
    n = n_op + s.fandom + s.background
    ids = np.array([str(10_000_000 + i) for i in range(n)], dtype=object)
    group = np.array(["op"] * n_op + ["fan"] * s.fandom + ["bg"] * s.background, dtype=object)
    role = np.array(["core"] * s.op_core + ["amplifier"] * s.op_amplifiers + ["member"] * s.fandom
                    + [""] * s.background, dtype=object)
    accounts = _accounts(rng, ids, group, hostile)
    posts = _posts(rng, ids, group, role, s.posts_per_account, hostile)
    con = case.con
    _insert(con, "accounts", accounts)
    _insert(con, "posts", posts)
    with case.run("detect", {"demo": True, "seed": seed}, []) as rec:
        _results(case, rng, rec.run_id, ids, group, role, posts, hostile, max(1, s.op_networks))
        rec.counts = {"accounts": n, "posts": posts.num_rows}


def _accounts(rng: np.random.Generator, ids: np.ndarray, group: np.ndarray, hostile: bool) -> pa.Table:
    n = len(ids)
    base = datetime(2020, 1, 1)
    batch_days = np.array([0, 1, 2, 40, 41], dtype=np.int64)
    op = group == "op"
    days = np.where(op, rng.choice(batch_days, n) - 30, rng.integers(-3000, 0, n))
    secs = rng.integers(0, 86_400, n)
    created = [base + timedelta(days=int(d), seconds=int(x)) for d, x in zip(days, secs, strict=True)]
    followers = np.where(op, rng.poisson(0.6, n), np.exp(rng.normal(5, 2, n)).astype(np.int64))
    following = np.where(op, rng.poisson(3, n), np.exp(rng.normal(5, 1.5, n)).astype(np.int64))
    handles = [f"user_{i[-6:]}" for i in ids]
    names = [("王小明", "Иван Петров", "Ayşe Yılmaz", "Sam")[k % 4] + f" {k}" for k in range(n)]
    desc = ["爱国 香港 台湾" if g == "op" else "music fan" for g in group]
    urls: list[str | None] = [None] * n
    if hostile:
        for k, h in enumerate(HOSTILE):
            names[k] = h
            desc[k + 1] = h
            handles[k + 2] = h
        urls[0] = "javascript:window.__pwned=1"
        desc[0] = LONG_HOSTILE
    return pa.table({
        "account_id": pa.array(ids.tolist(), pa.string()),
        "platform": pa.array(["twitter"] * n),
        "handle": pa.array(handles),
        "display_name": pa.array(names),
        "description": pa.array(desc),
        "location": pa.array(["北京" if g == "op" else "" for g in group]),
        "url": pa.array(urls, pa.string()),
        "followers": pa.array(followers.astype(np.int64)),
        "following": pa.array(following.astype(np.int64)),
        "created_at": pa.array(created, pa.timestamp("us")),
        "lang": pa.array(["zh" if g == "op" else "en" for g in group]),
        "hashed": pa.array(followers < 5000),
        "source": pa.array(["demo"] * n),
    })


def _posts(rng: np.random.Generator, ids: np.ndarray, group: np.ndarray, role: np.ndarray,
           per_account: int, hostile: bool) -> pa.Table:
    n = len(ids) * per_account
    owner = np.repeat(np.arange(len(ids)), per_account)
    g = group[owner]
    op = g == "op"
    start = datetime(2020, 3, 2)  # a Monday
    week = rng.integers(0, 16, n)
    dow = np.where(op, rng.integers(0, 5, n), rng.integers(0, 7, n))
    # the operation posts 09-18 Beijing time (01-10 UTC); everyone else any hour, evenings more
    hour = np.where(op, rng.integers(1, 10, n), (rng.normal(19, 4, n).astype(np.int64)) % 24)
    when = [start + timedelta(days=int(w * 7 + d), hours=int(h), seconds=int(x))
            for w, d, h, x in zip(week, dow, hour, rng.integers(0, 3600, n), strict=True)]
    lang_pick = np.where(op, rng.choice(3, n, p=[0.7, 0.15, 0.15]), 3)
    texts, langs = [], []
    for k in range(n):
        lang, pool = TOPICS[int(lang_pick[k])]
        texts.append(pool[int(rng.integers(len(pool)))] + f" {int(rng.integers(1000))}")
        langs.append(lang)
    kind = np.where(role[owner] == "amplifier", "repost", "post").astype(object)
    post_ids = [str(1_200_000_000_000_000_000 + k) for k in range(n)]
    core_posts = np.flatnonzero(role[owner] == "core")
    ref = [post_ids[int(rng.choice(core_posts))] if kd == "repost" and len(core_posts) else None for kd in kind]
    tags = [[HASHTAGS[int(i)] for i in rng.choice(len(HASHTAGS), 2, replace=False)] for _ in range(n)]
    links = [[f"https://{DOMAINS[int(rng.integers(len(DOMAINS)))]}/a/{k % 97}"] for k in range(n)]
    if hostile:
        for k, h in enumerate(HOSTILE):
            texts[k] = h
            tags[k] = [h.lower()]
            links[k] = [h]
        texts[len(HOSTILE)] = LONG_HOSTILE
    zero = np.zeros(n, dtype=np.int64)
    likes = np.where(op, rng.poisson(0.2, n), rng.poisson(8, n))
    return pa.table({
        "post_id": pa.array(post_ids),
        "account_id": pa.array(ids[owner].tolist(), pa.string()),
        "platform": pa.array(["twitter"] * n),
        "created_at": pa.array(when, pa.timestamp("us")),
        "time_precision": pa.array(["s"] * n),
        "text": pa.array(texts),
        "lang": pa.array(langs),
        "kind": pa.array(kind.tolist(), pa.string()),
        "ref_post_id": pa.array(ref, pa.string()),
        "hashtags": pa.array(tags, pa.list_(pa.string())),
        "urls": pa.array(links, pa.list_(pa.string())),
        "mentions": pa.array([[] for _ in range(n)], pa.list_(pa.string())),
        "like_count": pa.array(likes.astype(np.int64)),
        "repost_count": pa.array(zero),
        "reply_count": pa.array(zero),
        "quote_count": pa.array(zero),
    })


def _results(case: Case, rng: np.random.Generator, run_id: str, ids: np.ndarray, group: np.ndarray,
             role: np.ndarray, posts: pa.Table, hostile: bool, op_networks: int) -> None:
    con = case.con
    op = np.flatnonzero(group == "op")
    nets = {f"N{j + 1}": op[j::op_networks] for j in range(op_networks)}
    fandom = f"N{op_networks + 1}"
    nets[fandom] = np.flatnonzero(group == "fan")
    post_owner = posts.column("account_id").to_pylist()
    post_ids = posts.column("post_id").to_pylist()
    first_post = {a: post_ids[i] for i, a in reversed(list(enumerate(post_owner)))}
    edge_rows: list[dict[str, object]] = []
    sig_rows: list[dict[str, object]] = []
    mem_rows: list[dict[str, object]] = []
    net_rows: list[list[object]] = []
    for net, members in nets.items():
        is_op = net != fandom
        m = len(members)
        n_edges = 0
        for j, i in enumerate(members):
            for k in {(j + 1) % m, int(rng.integers(m))} - {j}:
                a, b = sorted((str(ids[i]), str(ids[members[k]])))
                sig = SIGNALS[(j + k) % 3] if is_op else "co_hashtag"
                w = float(rng.uniform(0.5, 5))
                n_edges += 1
                edge_rows.append({"run_id": run_id, "src": a, "dst": b, "weight": w, "signal_weights": {sig: w}})
                sig_rows.append({"run_id": run_id, "signal": sig, "src": a, "dst": b, "weight": w,
                                 "n_events": int(rng.integers(2, 30)), "evidence": [first_post[a], first_post[b]]})
            central = 1.0 + 1 / (1 + i) if hostile and i < 8 else float(rng.uniform())
            mem_rows.append({"run_id": run_id, "network_id": net, "account_id": str(ids[i]), "centrality": central,
                             "role": role[i] if is_op else "member", "score": 0.9 if is_op else 0.2,
                             "reasons": ["created in a batch of 50+ accounts", "0 followers"] if is_op
                             else ["ordinary follower counts"]})
        density = 2 * n_edges / (m * (m - 1)) if m > 1 else 0.0
        if is_op:
            reasons = ["office hours match UTC+8", "92% of accounts created on 5 days", "median followers 0"]
            if hostile:
                reasons.append(HOSTILE[1])
            net_rows.append([run_id, net, m, n_edges, density, list(SIGNALS[:3]), [0.5, 0.3, 0.2],
                             round(0.95 - 0.01 * len(net_rows), 2), "inauthentic", reasons])
        else:
            net_rows.append([run_id, net, m, n_edges, density, ["co_hashtag"], [1.0], 0.21, "authentic",
                             ["organic follower counts", "posts around the clock"]])
    if hostile and len(op) > 1:
        # the strongest link of each signal carries the hostile posts as its evidence
        a, b = sorted((str(ids[op[0]]), str(ids[op[op_networks if len(op) > op_networks else 1]])))
        for j, sig in enumerate(SIGNALS[:3]):
            sig_rows.append({"run_id": run_id, "signal": sig, "src": a, "dst": b, "weight": 99.0, "n_events": 7,
                             "evidence": [str(p) for p in post_ids[3 * j:3 * j + 3]]})
    _insert(con, "edges", pa.Table.from_pylist(edge_rows, schema=pa.schema([
        ("run_id", pa.string()), ("src", pa.string()), ("dst", pa.string()), ("weight", pa.float64()),
        ("signal_weights", pa.map_(pa.string(), pa.float64()))])))
    _insert(con, "signal_edges", pa.Table.from_pylist(sig_rows, schema=pa.schema([
        ("run_id", pa.string()), ("signal", pa.string()), ("src", pa.string()), ("dst", pa.string()),
        ("weight", pa.float64()), ("n_events", pa.int64()), ("evidence", pa.list_(pa.string()))])))
    _insert(con, "memberships", pa.Table.from_pylist(mem_rows))
    con.executemany("INSERT INTO networks VALUES (?, ?, ?, ?, ?, MAP(?, ?), ?, ?, ?)", net_rows)
    con.executemany("INSERT INTO signal_thresholds VALUES (?, ?, ?, ?, ?, ?, ?)", [
        [run_id, s, 2.0 + i, "null-model 99th percentile", 1000 * (i + 1), 100 * (i + 1), json.dumps({"window_s": 60})]
        for i, s in enumerate(SIGNALS)
    ])
    con.execute("INSERT INTO prior_links VALUES (?, 'N1', 'prior/prior_users.csv', 0.62, 37, ?)",
                [run_id, json.dumps({"shared_hashtags": ["香港", "guowengui"], "note": HOSTILE[0]})])


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: pa.Table) -> None:
    register(con, "_demo_t", rows)
    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _demo_t")
    con.complete()
    con.unregister("_demo_t")
