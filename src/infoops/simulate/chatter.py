"""Everyday posting shared by every group: originals, reposts, replies and quotes.

Organic users post nothing else; fans, activists and operations mix some of it
into their timelines (the stealthier an operation, the more).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from infoops.simulate import textgen as tg
from infoops.simulate.platform import Platform
from infoops.simulate.timing import after, local_times, lognormal_delay_ms
from infoops.simulate.vocab import EMOJI, HASHTAGS, URL_DOMAINS

CHUNK = 400_000


@dataclass
class Posted:
    """What a batch of originals produced (text only when asked for)."""

    tid: np.ndarray
    ms: np.ndarray
    text: pa.Array | None


def _hashtag_lists(pf: Platform, langs: np.ndarray, rate: float) -> pa.ListArray:
    n = len(langs)
    k = np.where(pf.rng.random(n) < rate, pf.rng.integers(1, 3, size=n), 0)
    vals = np.empty(int(k.sum()), dtype=object)
    owner = np.repeat(langs, k)
    for lang in np.unique(owner):
        rows = np.flatnonzero(owner == lang)
        tags = HASHTAGS.get("zh" if lang == "zht" else str(lang), HASHTAGS["en"])
        vals[rows] = np.array(tags, dtype=object)[pf.rng.integers(0, len(tags), size=len(rows))]
    return tg.make_lists(pa.array(vals, pa.string()), k)


def url_lists(pf: Platform, n: int, rate: float, domains: list[str] | None = None) -> pa.ListArray:
    k = (pf.rng.random(n) < rate).astype(np.int64)
    m = int(k.sum())
    dom = tg.pick(pf.rng, domains or URL_DOMAINS, m)
    path = pa.array(pf.rng.integers(1000, 9_999_999, size=m).astype(str))
    vals = tg.concat("https://", dom, "/", path)
    return tg.make_lists(vals, k)


def originals(
    pf: Platform,
    user: np.ndarray,
    *,
    t0: int | None = None,
    t1: int | None = None,
    profile: str = "organic",
    tag_rate: float = 0.2,
    url_rate: float = 0.12,
    mention_rate: float = 0.08,
    pool_keep: float = 0.0,
    dest: str = "archive",
    tag: str = "",
    engagement: float = 1.0,
    langs: np.ndarray | None = None,
    want_text: bool = False,
    ms: np.ndarray | None = None,
) -> Posted:
    """Original posts in each author's language and time zone (chunked)."""
    out = []
    for lo in range(0, len(user), CHUNK):
        u = user[lo : lo + CHUNK]
        out.append(
            _originals_chunk(
                pf,
                u,
                t0 or pf.t0,
                t1 or pf.t1,
                profile,
                tag_rate,
                url_rate,
                mention_rate,
                pool_keep,
                dest,
                tag,
                engagement,
                None if langs is None else langs[lo : lo + CHUNK],
                None if ms is None else ms[lo : lo + CHUNK],
            )
        )
    if not out:
        e = np.zeros(0, dtype=np.int64)
        return Posted(e, e, pa.array([], pa.string()) if want_text else None)
    texts = pa.concat_arrays([o.text for o in out if o.text is not None]) if want_text else None
    return Posted(np.concatenate([o.tid for o in out]), np.concatenate([o.ms for o in out]), texts)


def _originals_chunk(
    pf: Platform,
    u: np.ndarray,
    t0: int,
    t1: int,
    profile: str,
    tag_rate: float,
    url_rate: float,
    mention_rate: float,
    pool_keep: float,
    dest: str,
    tag: str,
    engagement: float,
    langs: np.ndarray | None,
    ms: np.ndarray | None,
) -> Posted:
    rng = pf.rng
    n = len(u)
    langs = langs if langs is not None else pf.acc.col("lang")[u]
    if ms is None:
        ms = local_times(rng, n, pf.acc.col("tz")[u], t0, t1, profile)
    body = tg.salad(rng, langs)
    tags = _hashtag_lists(pf, langs, tag_rate)
    urls = url_lists(pf, n, url_rate)
    nm = (rng.random(n) < mention_rate).astype(np.int64)
    target = rng.integers(0, pf.acc.n, size=int(nm.sum()))
    mentions = pf.userid_lists(target, nm)
    lead = pa.array(np.full(n, "", dtype=object), pa.string())
    if nm.sum():
        at = np.full(n, "", dtype=object)
        at[nm == 1] = "@" + pf.acc.col("handle")[target] + " "
        lead = pa.array(at, pa.string())
    emo = np.where(
        rng.random(n) < 0.25, np.array(EMOJI, dtype=object)[rng.integers(0, len(EMOJI), n)], ""
    )
    text = tg.concat(
        lead,
        body,
        pa.array(" " + emo, pa.string()),
        tg.prefixed_text(tags, "#"),
        tg.prefixed_text(urls, ""),
    )
    tid = pf.emit(
        u,
        ms,
        text,
        lang=langs,
        hashtags=tags,
        urls=urls,
        mentions=mentions,
        dest=dest,
        tag=tag,
        engagement=engagement,
    )
    if pool_keep > 0:
        pf.to_pool(tid, u, ms, text, keep=pool_keep)
    return Posted(tid, ms, text)


def _family(langs: np.ndarray) -> np.ndarray:
    return np.where(langs == "zht", "zh", langs)


def _choose(
    pf: Platform, ulang: np.ndarray, plang: np.ndarray, pw: np.ndarray, popular: float
) -> np.ndarray:
    """Pool rows to interact with: mostly in the user's language, popular or at random."""
    rng = pf.rng
    n = len(ulang)
    j = np.empty(n, dtype=np.int64)
    same = rng.random(n) < 0.85
    for lang in np.unique(ulang):
        rows = np.flatnonzero((ulang == lang) & same)
        cand = np.flatnonzero(plang == lang)
        if len(cand) == 0:
            same[rows] = False
            continue
        w = pw[cand]
        pop = rng.random(len(rows)) < popular
        j[rows] = np.where(
            pop,
            cand[rng.choice(len(cand), size=len(rows), p=w / w.sum())],
            cand[rng.integers(0, len(cand), len(rows))],
        )
    other = np.flatnonzero(~same)
    pop = rng.random(len(other)) < popular
    j[other] = np.where(
        pop,
        rng.choice(len(pw), size=len(other), p=pw / pw.sum()),
        rng.integers(0, len(pw), len(other)),
    )
    return j


def interactions(
    pf: Platform,
    user: np.ndarray,
    kind: np.ndarray,
    *,
    median_delay_s: float = 3 * 3600,
    sigma: float = 1.8,
    tag: str = "",
    popular: float = 0.6,
) -> None:
    """Reposts (kind 1), replies (2) and quotes (3) of posts from the pool."""
    ptid, puser, pms, ptext, pw = pf.pool.arrays()
    if len(ptid) == 0:
        return
    plang = _family(pf.acc.col("lang")[puser])
    for lo in range(0, len(user), CHUNK):
        u, k = user[lo : lo + CHUNK], kind[lo : lo + CHUNK]
        n = len(u)
        j = _choose(pf, _family(pf.acc.col("lang")[u]), plang, pw, popular)
        ms = after(pf.rng, pms[j], lognormal_delay_ms(pf.rng, n, median_delay_s, sigma), pf.t1)
        for kk in (1, 2, 3):
            s = np.flatnonzero(k == kk)
            if len(s) == 0:
                continue
            js = j[s]
            if kk == 1:
                pf.repost(u[s], ms[s], ptid[js], puser[js], ptext.take(pa.array(js)), tag=tag)
                continue
            langs = pf.acc.col("lang")[u[s]]
            body = tg.salad(pf.rng, langs, 2, 10)
            if kk == 2:
                handles = pf.handle_strings(puser[js])
                text = tg.concat("@", handles, " ", body)
                ment = pf.userid_lists(puser[js], np.ones(len(s), dtype=np.int64))
                pf.emit(
                    u[s],
                    ms[s],
                    text,
                    lang=langs,
                    reply_user=puser[js],
                    reply_tid=ptid[js],
                    mentions=ment,
                    tag=tag,
                    engagement=0.3,
                )
            else:
                link = pa.array(
                    np.char.add("https://twitter.com/i/status/", ptid[js].astype(str)).astype(
                        object
                    ),
                    pa.string(),
                )
                text = tg.concat(body, " ", link)
                pf.emit(u[s], ms[s], text, lang=langs, quote_tid=ptid[js], tag=tag, engagement=0.5)
