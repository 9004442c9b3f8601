"""Authentic coordination that looks like an operation: fandoms, activists, news feeds."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from infoops.simulate import profiles as pr
from infoops.simulate import textgen as tg
from infoops.simulate.chatter import originals, url_lists
from infoops.simulate.organic import Population, add_people, population
from infoops.simulate.platform import Platform
from infoops.simulate.timing import (
    DAY_MS,
    HOUR_MS,
    after,
    date_ms,
    local_times,
    lognormal_delay_ms,
    weighted_years,
)
from infoops.simulate.vocab import (
    ACTIVIST_TAGS,
    ACTIVIST_WORDS_EN,
    ACTIVIST_WORDS_ZH,
    EMOJI,
    FAN_WORDS,
    FANDOM,
    NEWS_CLIENTS,
    NEWS_FEEDS,
    NEWS_OUTLETS,
)


def _words(pf: Platform, words: list[str], n: int, lo: int, hi: int, sep: str = " ") -> pa.Array:
    lengths = pf.rng.integers(lo, hi + 1, size=n)
    return tg.words_from(pf.rng, pa.array(words, pa.string()), None, lengths, sep)


def mimic(
    pf: Platform, n: int, a: str, b: str, median: float
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Profiles of authentic accounts that look fake (share `mimicry`): created in a
    few bursts between a and b (as when a fandom or a protest movement recruits),
    with few followers. Without mimicry: ordinary follower counts only."""
    rng = pf.rng
    followers = pr.heavy_followers(rng, n, median)
    created = weighted_years(rng, n, list(range(2010, 2020)), [1, 2, 3, 3, 3, 3, 3, 3, 3, 3])
    fresh = rng.random(n) < pf.p.mimicry
    k = int(fresh.sum())
    if k:
        lo, hi = date_ms(a) // DAY_MS, date_ms(b) // DAY_MS
        days = rng.choice(np.arange(lo, hi), size=4, replace=False) * DAY_MS
        created[fresh] = days[rng.integers(0, 4, k)] + rng.integers(0, DAY_MS, k)
        followers[fresh] = np.where(
            rng.random(k) < 0.3, 0, rng.lognormal(np.log(8), 1.0, k)
        ).astype(np.int64)
    return {"created_ms": created, "followers": followers}, fresh


# ---- fandoms -----------------------------------------------------------------------------


@dataclass
class Fandoms:
    idols: np.ndarray
    fans: list[np.ndarray]
    eager: np.ndarray  # per account index in fans (concatenated): reposts within seconds

    @classmethod
    def create(cls, pf: Platform) -> Fandoms:
        n_fans = pf.size("fandom", 2000, 50 if pf.p.sizes.get("fandom", 1) > 0 else 0)
        k = 1 if n_fans < 150 else (2 if pf.p.scale < 5 else 3)
        if n_fans == 0:
            return cls(np.zeros(0, np.int32), [], np.zeros(0, bool))
        spec = FANDOM[:k]
        idol_langs = np.array([f["lang"] for f in spec], dtype=object)
        idols = add_people(
            pf,
            k,
            "fandom",
            langs=idol_langs,
            followers_median=2_000_000,
            years=[2014, 2015, 2016],
            year_w=[1, 1, 1],
            client="Twitter for iPhone",
        )
        fans = []
        for i, f in enumerate(spec):
            n = n_fans // k + (1 if i < n_fans % k else 0)
            langs = np.array([f["lang"], "en", "es", "ja", "tr", "zht"], dtype=object)[
                pf.rng.choice(6, size=n, p=[0.4, 0.3, 0.1, 0.08, 0.06, 0.06])
            ]
            bio = np.array(
                [f"{f['idol']} stan 💜", f"{f['idol']} forever", f"fan account | {f['idol']}"],
                dtype=object,
            )[pf.rng.integers(0, 3, n)]
            prof, _ = mimic(pf, n, "2019-09-01", "2020-03-01", 300)
            fans.append(
                add_people(
                    pf,
                    n,
                    "fandom",
                    langs=langs,
                    description=bio,
                    created_ms=prof["created_ms"],
                    followers=prof["followers"],
                )
            )
        eager = pf.rng.random(sum(len(f) for f in fans)) < 0.5
        return cls(idols, fans, eager)

    def population(self, pf: Platform) -> Population:
        fans = np.concatenate(self.fans) if self.fans else np.zeros(0, np.int32)
        return population(pf, fans, 15.0, p_orig=0.45)

    def post(self, pf: Platform) -> None:
        offset = 0
        for i, fans in enumerate(self.fans):
            tags = FANDOM[i]["tags"]
            eager = self.eager[offset : offset + len(fans)]
            offset += len(fans)
            self._idol_reposts(pf, int(self.idols[i]), fans, eager, tags)
            self._trains(pf, fans, tags)

    def _idol_reposts(
        self, pf: Platform, idol: int, fans: np.ndarray, eager: np.ndarray, tags: list[str]
    ) -> None:
        rng = pf.rng
        n_posts = 60 + int(rng.integers(0, 40))
        src = np.full(n_posts, idol, dtype=np.int32)
        posted = originals(
            pf,
            src,
            tag_rate=0.8,
            url_rate=0.3,
            mention_rate=0.0,
            want_text=True,
            pool_keep=1.0,
            tag="fandom",
            engagement=50.0,
        )
        assert posted.text is not None
        pf.track(posted.tid)
        for j in range(n_posts):
            share = rng.beta(3, 6)
            who = np.flatnonzero(rng.random(len(fans)) < share)
            n = len(who)
            fast = eager[who] & (rng.random(n) < 0.8)
            delay = np.where(
                fast,
                lognormal_delay_ms(rng, n, 10, 0.7),
                lognormal_delay_ms(rng, n, 45 * 60, 1.5),
            )
            t = after(rng, np.full(n, posted.ms[j]), delay, pf.t1)
            pf.repost(
                fans[who],
                t,
                np.full(n, posted.tid[j]),
                np.full(n, idol, dtype=np.int32),
                posted.text.take(np.zeros(n, dtype=np.int64)),
                tag="fandom",
            )

    def _trains(self, pf: Platform, fans: np.ndarray, tags: list[str]) -> None:
        """Hashtag trains: many fans posting the same hashtags in the same order within an hour or two."""
        rng = pf.rng
        for _ in range(12):
            seq = [
                tags[i] for i in rng.permutation(len(tags))[: int(rng.integers(3, len(tags) + 1))]
            ]
            start = int(local_times(rng, 1, 9.0, pf.t0, pf.t1 - DAY_MS)[0])
            who = fans[rng.random(len(fans)) < rng.uniform(0.15, 0.35)]
            k = rng.integers(1, 5, size=len(who))
            u = np.repeat(who, k)
            n = len(u)
            t = start + rng.exponential(25 * 60 * 1000, size=n).astype(np.int64)
            body = _words(pf, FAN_WORDS, n, 2, 7)
            emo = tg.pick(rng, EMOJI, n)
            tag_lists = tg.make_lists(pa.array(seq * n, pa.string()), np.full(n, len(seq)))
            text = tg.concat(body, " ", emo, tg.prefixed_text(tag_lists, "#"))
            pf.emit(
                u,
                np.minimum(t, pf.t1 - 1),
                text,
                lang=np.full(n, "en", dtype=object),
                hashtags=tag_lists,
                tag="fandom",
                engagement=0.5,
            )


# ---- activists ---------------------------------------------------------------------------


@dataclass
class Activists:
    members: np.ndarray
    leaders: np.ndarray

    @classmethod
    def create(cls, pf: Platform) -> Activists:
        n = pf.size("activist", 1500, 50)
        if n == 0:
            return cls(np.zeros(0, np.int32), np.zeros(0, np.int32))
        langs = np.array(["zht", "en", "zh", "ja"], dtype=object)[
            pf.rng.choice(4, size=n, p=[0.5, 0.4, 0.05, 0.05])
        ]
        bio = np.array(
            [
                "Hongkonger | 光復香港",
                "Stand with Hong Kong 🇭🇰",
                "香港人 加油",
                "freedom & democracy",
                "",
            ],
            dtype=object,
        )[pf.rng.integers(0, 5, n)]
        years = list(range(2009, 2021))
        n_lead = max(2, n // 30)
        prof, fresh = mimic(pf, n, "2019-06-01", "2019-12-01", 250)
        foll = prof["followers"]
        foll[:n_lead] = pf.rng.integers(5_000, 80_000, size=n_lead)
        created = weighted_years(pf.rng, n, years, [1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 8, 3])
        created[fresh] = prof["created_ms"][fresh]
        # activists mostly live in Hong Kong
        tz = np.where(pf.rng.random(n) < 0.75, 8.0, pr.timezones(pf.rng, langs))
        members = add_people(
            pf,
            n,
            "activist",
            langs=langs,
            description=bio,
            tz=tz,
            followers=foll,
            created_ms=created,
        )
        leaders = members[:n_lead]
        return cls(members, leaders)

    def population(self, pf: Platform) -> Population:
        return population(pf, self.members, 14.0, p_orig=0.5)

    def _texts(
        self, pf: Platform, users: np.ndarray, tags: list[str]
    ) -> tuple[pa.Array, pa.ListArray, np.ndarray]:
        """Original campaign text (traditional Chinese or English), hashtags, languages."""
        rng = pf.rng
        n = len(users)
        zh = np.isin(pf.acc.col("lang")[users], ["zh", "zht"])
        en_txt = _words(pf, ACTIVIST_WORDS_EN, n, 5, 14)
        zh_words = [tg.to_traditional(w) for w in ACTIVIST_WORDS_ZH]
        zh_txt = _words(pf, zh_words, n, 4, 10, sep="")
        body = pa.array(
            np.where(zh, np.asarray(zh_txt, dtype=object), np.asarray(en_txt, dtype=object)),
            pa.string(),
        )
        k = rng.integers(1, len(tags) + 1, size=n)
        vals = (
            np.concatenate([rng.permutation(tags)[:kk] for kk in k])
            if n
            else np.zeros(0, dtype=object)
        )
        tag_lists = tg.make_lists(pa.array(vals.astype(object), pa.string()), k)
        langs = np.where(zh, "zht", "en").astype(object)
        return tg.concat(body, tg.prefixed_text(tag_lists, "#")), tag_lists, langs

    def post(self, pf: Platform) -> None:
        rng = pf.rng
        if len(self.members) == 0:
            return
        n = len(self.members)
        # topic posts outside campaigns
        u = np.repeat(self.members, rng.poisson(6, size=n))
        tags = [t for pair in ACTIVIST_TAGS for t in pair]
        text, tl, langs = self._texts(pf, u, list(rng.choice(tags, size=3, replace=False)))
        urls = url_lists(
            pf, len(u), 0.15, ["hongkongfp.com", "rfa.org", "scmp.com", "thestandnews.com"]
        )
        ms = local_times(rng, len(u), pf.acc.col("tz")[u], pf.t0, pf.t1)
        text = tg.concat(text, tg.prefixed_text(urls, ""))
        pf.emit(u, ms, text, lang=langs, hashtags=tl, urls=urls, tag="activist")
        # announced campaigns
        ndays = (pf.t1 - pf.t0) // DAY_MS
        days = np.linspace(10, ndays - 5, num=8).astype(np.int64)
        for c, day in enumerate(days):
            tags_c = ACTIVIST_TAGS[c % len(ACTIVIST_TAGS)]
            start = pf.t0 + int(day) * DAY_MS + (20 - 8) * HOUR_MS  # 20:00 Hong Kong time
            lead = rng.choice(self.leaders, size=min(len(self.leaders), 3), replace=False)
            ann_t = start - rng.integers(2, 30, size=len(lead)) * HOUR_MS
            ann_text = tg.concat(
                pa.array(
                    [f"Join the campaign tonight 8pm HKT! 今晚八點 #{tags_c[0]} #{tags_c[1]}"]
                    * len(lead)
                ),
            )
            tl_ann = tg.make_lists(pa.array(list(tags_c) * len(lead)), np.full(len(lead), 2))
            en = np.full(len(lead), "en", dtype=object)
            ann_tid = pf.emit(
                lead, ann_t, ann_text, lang=en, hashtags=tl_ann, tag="activist", engagement=5.0
            )
            who = self.members[rng.random(n) < rng.uniform(0.35, 0.6)]
            u = np.repeat(who, rng.integers(1, 4, size=len(who)))
            t = start + (rng.exponential(15 * 60_000, size=len(u)) - 2 * 60_000).astype(np.int64)
            text, tl, langs = self._texts(pf, u, list(tags_c))
            pf.emit(u, np.clip(t, pf.t0, pf.t1 - 1), text, lang=langs, hashtags=tl, tag="activist")
            # some share the announcement, over the hours before the start
            fans = who[rng.random(len(who)) < 0.25]
            j = rng.integers(0, len(lead), size=len(fans))
            t_rt = after(rng, ann_t[j], lognormal_delay_ms(rng, len(fans), 3600, 1.0), pf.t1)
            pf.repost(
                fans,
                t_rt,
                ann_tid[j],
                lead[j],
                ann_text.take(pa.array(j)),
                orig_lang=en[j],
                tag="activist",
            )


# ---- news outlets ------------------------------------------------------------------------


REGIONAL = {
    "es": "ES",
    "zh": "Chinese",
    "ru": "RU",
    "tr": "Turkce",
    "ar": "Arabic",
    "en": "English",
}


@dataclass
class News:
    feeds: list[np.ndarray]  # per outlet: main feed first
    domains: list[str]

    @classmethod
    def create(cls, pf: Platform) -> News:
        n_out = pf.size("news", 6, 2)
        feeds, domains = [], []
        for i in range(n_out):
            dom, name, lang = NEWS_OUTLETS[i % len(NEWS_OUTLETS)]
            if i >= len(NEWS_OUTLETS):
                stem, _, tld = dom.rpartition(".")
                dom, name = (
                    f"{stem}{i // len(NEWS_OUTLETS) + 1}.{tld}",
                    f"{name}{i // len(NEWS_OUTLETS) + 1}",
                )
            k = int(pf.rng.integers(3, 6))
            suffix = ["", *list(pf.rng.permutation(NEWS_FEEDS[1:])[: k - 1])]
            handles = np.array([name + s for s in suffix], dtype=object)
            foll = np.concatenate(
                [[pf.rng.integers(300_000, 3_000_000)], pf.rng.integers(5_000, 200_000, k - 1)]
            )
            clients = np.array(NEWS_CLIENTS, dtype=object)[
                pf.rng.integers(0, len(NEWS_CLIENTS), size=k)
            ]
            langs = np.full(k, lang, dtype=object)
            if k >= 4 and pf.rng.random() < 0.6:  # a regional feed in another language
                other = [x for x in REGIONAL if x != lang]
                langs[-1] = other[int(pf.rng.integers(0, len(other)))]
                suffix[-1] = REGIONAL[langs[-1]]
                handles[-1] = name + suffix[-1]
            idx = pf.add_accounts(
                created_ms=weighted_years(
                    pf.rng, k, [2008, 2009, 2010, 2011, 2012], [1, 2, 2, 2, 1]
                ),
                followers=foll,
                following=pf.rng.integers(10, 900, size=k),
                lang=langs,
                tz=pr.timezones(pf.rng, langs),
                client=clients,
                handle=handles,
                display_name=np.array([f"{name} {s}".strip() for s in suffix], dtype=object),
                description=f"Official account of {name}. News as it happens.",
                url=f"https://{dom}",
                group="news",
            )
            feeds.append(idx)
            domains.append(dom)
        return cls(feeds, domains)

    def post(self, pf: Platform) -> None:
        rng = pf.rng
        per_outlet = max(30, int(round(1200 * min(1.0, pf.p.scale) * pf.p.sizes.get("news", 1.0))))
        for feeds, dom in zip(self.feeds, self.domains, strict=True):
            main = int(feeds[0])
            t = local_times(rng, per_outlet, pf.acc.col("tz")[main], pf.t0, pf.t1)
            slug = pa.array(
                np.char.add(
                    np.char.add(
                        f"https://{dom}/",
                        t.astype("datetime64[ms]").astype("datetime64[D]").astype(str),
                    ),
                    np.char.add(
                        "/story-", rng.integers(10_000, 999_999, size=per_outlet).astype(str)
                    ),
                ).astype(object),
                pa.string(),
            )
            lang = pf.acc.col("lang")[main]
            headlines = {lang: tg.salad(rng, np.full(per_outlet, lang, dtype=object), 6, 12)}
            for j, f in enumerate(feeds):
                flang = pf.acc.col("lang")[f]
                if flang not in headlines:  # the regional feed writes its own headline
                    headlines[flang] = tg.salad(
                        rng, np.full(per_outlet, flang, dtype=object), 6, 12
                    )
                headline = headlines[flang]
                share = np.ones(per_outlet, bool) if j == 0 else rng.random(per_outlet) < 0.75
                s = np.flatnonzero(share)
                ms = (
                    t[s]
                    if j == 0
                    else after(rng, t[s], lognormal_delay_ms(rng, len(s), 240, 0.8), pf.t1)
                )
                urls = tg.make_lists(slug.take(pa.array(s)), np.ones(len(s), dtype=np.int64))
                text = tg.concat(headline.take(pa.array(s)), " ", slug.take(pa.array(s)))
                u = np.full(len(s), f, dtype=np.int32)
                tid = pf.emit(u, ms, text, urls=urls, tag="news", engagement=3.0)
                pf.to_pool(tid, u, ms, text, keep=0.5)
