"""Planted operation cn_2020 (modelled on Twitter's June 2020 China takedown) and its 2019 predecessor."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import pyarrow as pa

from infoops.simulate import profiles as pr
from infoops.simulate import textgen as tg
from infoops.simulate.chatter import interactions, originals
from infoops.simulate.organic import activity
from infoops.simulate.platform import Platform
from infoops.simulate.timing import DAY_MS, HOUR_MS, after, date_ms, local_times, lognormal_delay_ms
from infoops.simulate.vocab import (
    CN_HASHTAGS,
    CN_TEMPLATES,
    CN_URLS,
    EMOJI,
    FIRST_NAMES,
    SPAM_DOMAIN,
    SPAM_EN,
)

TOPICS = ["hk", "covid", "taiwan", "guo"]
# topic weights by month (Jan..May 2020), in TOPICS order
MONTH_TOPICS = np.array(
    [
        [0.5, 0.05, 0.2, 0.25],
        [0.15, 0.6, 0.1, 0.15],
        [0.1, 0.65, 0.1, 0.15],
        [0.2, 0.5, 0.15, 0.15],
        [0.55, 0.25, 0.1, 0.1],
    ]
)
BEIJING = 8.0


@cache
def _slots(topic: str) -> list[tuple[np.ndarray, np.ndarray]]:
    return [
        (np.array(opts, dtype=object), np.array([tg.to_traditional(o) for o in opts], dtype=object))
        for opts in CN_TEMPLATES[topic]
    ]


def templated(
    pf: Platform, topics: np.ndarray, stealth: float
) -> tuple[pa.Array, np.ndarray, pa.ListArray, pa.ListArray]:
    """Near-duplicate posts from slot-filled templates, mixing simplified and traditional script.

    Returns text, internal language code per post ('zh' or 'zht'), hashtag and URL lists.
    """
    rng = pf.rng
    n = len(topics)
    trad = rng.random(n) < 0.3 + 0.2 * stealth
    text = np.full(n, "", dtype=object)
    for t in np.unique(topics):
        rows = np.flatnonzero(topics == t)
        for simp, tra in _slots(str(t)):
            i = rng.integers(0, len(simp), size=len(rows))
            text[rows] = text[rows] + np.where(trad[rows], tra[i], simp[i])
    # small edits: the stealthier, the more free words and emoji around the template
    extra = rng.random(n) < 0.15 + 0.6 * stealth
    if extra.any():
        salad = np.asarray(
            tg.salad(
                rng, np.where(trad[extra], "zht", "zh").astype(object), 1, 2 + int(6 * stealth)
            ),
            dtype=object,
        )
        front = rng.random(int(extra.sum())) < 0.5
        text[extra] = np.where(front, salad + text[extra], text[extra] + salad)
    emo = rng.random(n) < 0.2 + 0.3 * stealth
    text[emo] = (
        text[emo] + np.array(EMOJI, dtype=object)[rng.integers(0, len(EMOJI), int(emo.sum()))]
    )
    ntag = np.where(rng.random(n) < 0.55, rng.integers(1, 3, size=n), 0)
    owner = np.repeat(topics, ntag)
    vals = np.empty(len(owner), dtype=object)
    for t in np.unique(owner):
        r = np.flatnonzero(owner == t)
        vals[r] = np.array(CN_HASHTAGS[str(t)], dtype=object)[
            rng.integers(0, len(CN_HASHTAGS[str(t)]), len(r))
        ]
    tags = tg.make_lists(pa.array(vals, pa.string()), ntag)
    nurl = (rng.random(n) < 0.15).astype(np.int64)
    m = int(nurl.sum())
    # a small stock of videos and articles, shared again and again
    u = np.char.add(
        np.array(CN_URLS, dtype=str)[rng.integers(0, len(CN_URLS), m)],
        rng.integers(0, 60, m).astype(str),
    ).astype(object)
    urls = tg.make_lists(pa.array(u, pa.string()), nurl)
    full = tg.concat(
        pa.array(text, pa.string()), tg.prefixed_text(tags, "#"), tg.prefixed_text(urls, "")
    )
    return full, np.where(trad, "zht", "zh").astype(object), tags, urls


def _batch_dates(pf: Platform, n: int, days: np.ndarray) -> np.ndarray:
    """Creation moments on a few batch days, in working hours Beijing time."""
    d = days[pf.rng.integers(0, len(days), size=n)]
    return (
        d
        + (pf.rng.integers(9, 18, size=n) - BEIJING).astype(np.int64) * HOUR_MS
        + pf.rng.integers(0, HOUR_MS, n)
    )


def _days(pf: Platform, k: int, a: str, b: str) -> np.ndarray:
    lo, hi = date_ms(a) // DAY_MS, date_ms(b) // DAY_MS
    return np.sort(pf.rng.choice(np.arange(lo, hi), size=k, replace=False)) * DAY_MS


def op_profiles(pf: Platform, n: int, stealth: float, langs: np.ndarray) -> dict[str, Any]:
    """Profiles of fake accounts: few followers (many none), default-looking, patterned handles."""
    rng = pf.rng
    first = np.array(FIRST_NAMES["en"], dtype=object)[rng.integers(0, len(FIRST_NAMES["en"]), n)]
    patterned = rng.random(n) < pf.p.handle_pattern_fraction
    other = np.where(
        rng.random(n) < 0.6, pr.random_handles(rng, n), pr.varied_handles(rng, first, first)
    )
    handles = np.where(patterned, pr.patterned_handles(rng, first), other)
    han = rng.random(n) < 0.6
    display = np.where(han, pr.han_names(rng, n), first)
    followers = np.where(
        rng.random(n) < 0.6 * (1 - stealth), 0, rng.lognormal(np.log(3 + 60 * stealth), 1.0, size=n)
    ).astype(np.int64)
    bios = np.where(rng.random(n) < 0.25 + 0.5 * stealth, pr.bios(rng, langs, 0.0), "")
    clients = np.array(
        ["Twitter Web App", "Twitter for Android", "Twitter for iPhone"], dtype=object
    )[rng.choice(3, size=n, p=[0.6, 0.3, 0.1])]
    return {
        "followers": followers,
        "following": rng.lognormal(np.log(15 + 80 * stealth), 0.9, size=n).astype(np.int64),
        "handle": handles,
        "display_name": display,
        "description": bios,
        "location": np.where(rng.random(n) < 0.2, pr.locations(rng, langs), ""),
        "client": clients,
        "lang": langs,
        "tz": BEIJING,
        "is_io": 1,
    }


def op_langs(pf: Platform, n: int) -> np.ndarray:
    return np.array(["zh", "zht", "en"], dtype=object)[
        pf.rng.choice(3, size=n, p=[0.55, 0.1, 0.35])
    ]


def office_times(pf: Platform, n: int, stealth: float, t0: int, t1: int) -> np.ndarray:
    """Beijing office hours on weekdays, spread out with stealth."""
    office = pf.rng.random(n) < 1 - 0.6 * stealth
    ms = local_times(pf.rng, n, BEIJING, t0, t1, "office", weekdays_only=True)
    if (~office).any():
        ms[~office] = local_times(pf.rng, int((~office).sum()), BEIJING, t0, t1, "organic")
    return ms


@dataclass
class Posts:
    tid: np.ndarray
    user: np.ndarray
    ms: np.ndarray
    text: pa.Array
    lang: np.ndarray


@dataclass
class CnOperation:
    core: np.ndarray
    amps: np.ndarray
    prior: np.ndarray
    repurposed: np.ndarray
    stealth: float

    @classmethod
    def create(cls, pf: Platform) -> CnOperation:
        s = pf.p.stealth.get("cn_2020", 0.2)
        n_core = pf.size("cn_2020", 700, 30)
        n_amp = pf.size("cn_2020", 3000, 100)
        n_prior = pf.size("prior", 500, 20)
        e = np.zeros(0, np.int32)
        prior = e
        prior_days = _days(pf, 6, "2017-06-01", "2019-06-01")
        if n_prior:
            cols = op_profiles(pf, n_prior, 0.0, np.full(n_prior, "zh", dtype=object))
            cols.update(
                created_ms=_batch_dates(pf, n_prior, prior_days),
                group="cn_2019",
                campaign="cn_2019",
                role="core",
                dest="prior",
            )
            prior = pf.add_accounts(**cols)
        if n_core + n_amp == 0:
            return cls(e, e, prior, e, s)
        core_days = np.concatenate(
            [_days(pf, 3 + int(8 * s), "2019-10-01", "2020-03-15"), prior_days[:2]]
        )
        amp_days = _days(pf, 2 + int(8 * s), "2020-01-05", "2020-04-15")
        core = cls._accounts(pf, n_core, s, core_days, "core", pf.p.repurposed_fraction)
        amps = cls._accounts(pf, n_amp, s, amp_days, "amplifier", 0.0)
        rep = core[pf.acc.col("role")[core] == "repurposed"]
        return cls(core, amps, prior, rep, s)

    @staticmethod
    def _accounts(
        pf: Platform, n: int, s: float, days: np.ndarray, role: str, repurposed: float
    ) -> np.ndarray:
        rng = pf.rng
        langs = op_langs(pf, n)
        cols = op_profiles(pf, n, s, langs)
        batched = rng.random(n) < 1 - 0.7 * s
        created = np.where(
            batched,
            _batch_dates(pf, n, days),
            rng.integers(date_ms("2012-01-01"), date_ms("2020-03-01"), n),
        )
        roles = np.full(n, role, dtype=object)
        rep = rng.random(n) < repurposed
        if rep.any():
            k = int(rep.sum())
            created[rep] = rng.integers(date_ms("2009-06-01"), date_ms("2016-01-01"), k)
            roles[rep] = "repurposed"
            langs[rep] = "en"
            f = pr.heavy_followers(rng, k, 40, 1.2)
            cols["followers"][rep] = f
            cols["handle"][rep] = pr.varied_handles(rng, *pr.names(rng, langs[rep]))
        cols.update(created_ms=created, group="cn_2020", campaign="cn_2020", role=roles, lang=langs)
        return pf.add_accounts(**cols)

    def post(self, pf: Platform) -> None:
        prior_posts = self._prior(pf)
        if len(self.core) == 0:
            return
        core_posts = self._core(pf)
        self._amplify(pf, core_posts, prior_posts)

    def _prior(self, pf: Platform) -> Posts | None:
        if len(self.prior) == 0:
            return None
        t0, t1 = date_ms("2019-04-01"), date_ms("2019-12-20")
        u = np.repeat(self.prior, activity(pf, len(self.prior), 30.0, 0.8))
        topics = np.where(pf.rng.random(len(u)) < 0.7, "hk", "guo").astype(object)
        text, lang, tags, urls = templated(pf, topics, 0.0)
        ms = office_times(pf, len(u), 0.0, t0, t1)
        tid = pf.emit(
            u, ms, text, lang=lang, hashtags=tags, urls=urls, dest="prior", engagement=0.05
        )
        posts = Posts(tid, u, ms, text, lang)
        # a fifth of their activity: reposting each other
        n = len(u) // 5
        j = pf.rng.integers(0, len(u), size=n)
        who = self.prior[pf.rng.integers(0, len(self.prior), n)]
        t = after(pf.rng, ms[j], lognormal_delay_ms(pf.rng, n, 300, 1.0), t1)
        pf.repost(
            who, t, tid[j], u[j], text.take(pa.array(j)), orig_lang=lang[j], dest="prior", tag=""
        )
        return posts

    def _core(self, pf: Platform) -> Posts:
        rng, s = pf.rng, self.stealth
        counts = activity(pf, len(self.core), 40.0, 0.9)
        u = np.repeat(self.core, counts)
        ms = office_times(pf, len(u), s, pf.t0, pf.t1)
        rep = np.isin(u, self.repurposed)
        if rep.any():
            self._spam_past(pf)
            switch = self._switch(pf)
            lo = switch[np.searchsorted(self.repurposed, u[rep])]
            ms[rep] = lo + ((ms[rep] - pf.t0) * ((pf.t1 - lo) / (pf.t1 - pf.t0))).astype(np.int64)
        month = np.clip(((ms - pf.t0) // (30 * DAY_MS)).astype(np.int64), 0, 4)
        topic = np.empty(len(u), dtype=object)
        cum = MONTH_TOPICS.cumsum(axis=1)[month]
        topic[:] = np.array(TOPICS, dtype=object)[
            (rng.random(len(u))[:, None] > cum).sum(axis=1).clip(0, 3)
        ]
        text, lang, tags, urls = templated(pf, topic, s)
        tid = pf.emit(
            u, ms, text, lang=lang, hashtags=tags, urls=urls, engagement=0.05, tag="cn_2020"
        )
        # core accounts also repost each other
        n = len(u) // 6
        j = rng.integers(0, len(u), size=n)
        who = self.core[rng.integers(0, len(self.core), n)]
        t = after(rng, ms[j], lognormal_delay_ms(rng, n, 120 * np.exp(3 * s), 1.0 + s), pf.t1)
        pf.repost(who, t, tid[j], u[j], text.take(pa.array(j)), orig_lang=lang[j], tag="cn_2020")
        return Posts(tid, u, ms, text, lang)

    def _switch(self, pf: Platform) -> np.ndarray:
        r = np.random.default_rng(pf.p.seed + 7)  # fixed per seed, reused by _spam_past
        return r.integers(date_ms("2020-01-10"), date_ms("2020-03-01"), len(self.repurposed))

    def _spam_past(self, pf: Platform) -> None:
        """Repurposed accounts: an earlier life as English commercial spam, up to the switch."""
        rng = pf.rng
        switch = self._switch(pf)
        k = rng.integers(5, 30, size=len(self.repurposed))
        u = np.repeat(self.repurposed, k)
        sw = np.repeat(switch, k)
        start = date_ms("2018-06-01")
        ms = start + (rng.random(len(u)) * (sw - start)).astype(np.int64)
        words = pa.array(SPAM_EN, pa.string())
        body = tg.words_from(rng, words, None, rng.integers(4, 9, size=len(u)), " ")
        url = pa.array(
            np.char.add(SPAM_DOMAIN, rng.integers(100, 999, len(u)).astype(str)).astype(object)
        )
        urls = tg.make_lists(url, np.ones(len(u), dtype=np.int64))
        text = tg.concat(body, " ", url)
        pf.emit(
            u,
            ms,
            text,
            lang=np.full(len(u), "en", dtype=object),
            urls=urls,
            client=np.full(len(u), "Twitter Web Client", dtype=object),
            engagement=0.2,
            tag="cn_2020",
        )

    def _amplify(self, pf: Platform, core: Posts, prior: Posts | None) -> None:
        rng, s = pf.rng, self.stealth
        if len(self.amps) == 0 or len(core.tid) == 0:
            return
        u = np.repeat(self.amps, activity(pf, len(self.amps), 15.0, 0.8))
        n = len(u)
        # amplifiers concentrate on a subset of priority posts
        w = rng.pareto(2.0, size=len(core.tid)) + 1
        j = rng.choice(len(core.tid), size=n, p=w / w.sum())
        median = 90 * np.exp(3.5 * s)
        t = after(rng, core.ms[j], lognormal_delay_ms(rng, n, median, 0.8 + 1.2 * s), pf.t1)
        old = rng.random(n) < 0.04
        if prior is not None and len(prior.tid):
            jo = rng.integers(0, len(prior.tid), int(old.sum()))
            t_old = office_times(pf, int(old.sum()), s, pf.t0, pf.t1)
            pf.repost(
                u[old],
                t_old,
                prior.tid[jo],
                prior.user[jo],
                prior.text.take(pa.array(jo)),
                orig_lang=prior.lang[jo],
                tag="cn_2020",
            )
        else:
            old[:] = False
        k = ~old
        pf.repost(
            u[k],
            t[k],
            core.tid[j[k]],
            core.user[j[k]],
            core.text.take(pa.array(j[k])),
            orig_lang=core.lang[j[k]],
            tag="cn_2020",
        )

    def mix(self, pf: Platform) -> None:
        mix_everyday(pf, np.concatenate([self.core, self.amps]), self.stealth, 40.0, "cn_2020")


def mix_everyday(
    pf: Platform, users: np.ndarray, stealth: float, per_account: float, tag: str
) -> None:
    """Organic-looking activity mixed into operation timelines (more with stealth)."""
    if len(users) == 0:
        return
    m = 0.03 + 0.35 * stealth
    k = activity(pf, len(users), per_account * m / (1 - m), 1.0)
    u = np.repeat(users, k)
    orig = pf.rng.random(len(u)) < 0.5
    originals(pf, u[orig], tag=tag, engagement=0.1)
    interactions(
        pf, u[~orig], pf.rng.choice([1, 2, 3], size=int((~orig).sum()), p=[0.7, 0.2, 0.1]), tag=tag
    )
