"""Planted operations ru_media (one media site's links) and tr_ring (Turkish retweet rings)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from infoops.simulate import profiles as pr
from infoops.simulate import textgen as tg
from infoops.simulate.chatter import originals
from infoops.simulate.ops_cn import _batch_dates, _days, mix_everyday
from infoops.simulate.organic import activity
from infoops.simulate.platform import Platform
from infoops.simulate.timing import after, date_ms, local_times, lognormal_delay_ms
from infoops.simulate.vocab import RU_DOMAIN, RU_HEADLINE, TR_HASHTAGS, TR_WORDS

MOSCOW = 3.0
ANKARA = 3.0


def _fake_profiles(
    pf: Platform, n: int, s: float, lang: str, days: np.ndarray, spread: tuple[str, str]
) -> dict[str, object]:
    rng = pf.rng
    langs = np.full(n, lang, dtype=object)
    first, last = pr.names(rng, langs)
    patterned = rng.random(n) < pf.p.handle_pattern_fraction
    handles = np.where(
        patterned, pr.patterned_handles(rng, first), pr.varied_handles(rng, first, last)
    )
    batched = rng.random(n) < 1 - 0.7 * s
    created = np.where(
        batched, _batch_dates(pf, n, days), rng.integers(date_ms(spread[0]), date_ms(spread[1]), n)
    )
    followers = np.where(
        rng.random(n) < 0.4 * (1 - s), 0, rng.lognormal(np.log(8 + 150 * s), 1.1, n)
    ).astype(np.int64)
    return {
        "created_ms": created,
        "followers": followers,
        "following": rng.lognormal(np.log(40 + 100 * s), 0.9, n).astype(np.int64),
        "lang": langs,
        "tz": MOSCOW if lang == "ru" else ANKARA,
        "handle": handles,
        "display_name": np.where(rng.random(n) < 0.7, first + " " + last, first),
        "description": np.where(rng.random(n) < 0.3 + 0.4 * s, pr.bios(rng, langs, 0.0), ""),
        "location": np.where(rng.random(n) < 0.3, pr.locations(rng, langs), ""),
        "is_io": 1,
    }


def _times(pf: Platform, n: int, s: float, tz: float, profile: str = "office") -> np.ndarray:
    office = pf.rng.random(n) < 1 - 0.6 * s
    ms = local_times(pf.rng, n, tz, pf.t0, pf.t1, profile, weekdays_only=(profile == "office"))
    ms[~office] = local_times(pf.rng, int((~office).sum()), tz, pf.t0, pf.t1, "organic")
    return ms


@dataclass
class RuMedia:
    core: np.ndarray
    amps: np.ndarray
    stealth: float

    @classmethod
    def create(cls, pf: Platform) -> RuMedia:
        s = pf.p.stealth.get("ru_media", 0.2)
        n = pf.size("ru_media", 150, 20)
        if n == 0:
            e = np.zeros(0, np.int32)
            return cls(e, e, s)
        cols = _fake_profiles(
            pf, n, s, "ru", _days(pf, 3, "2017-03-01", "2019-09-01"), ("2011-01-01", "2019-12-01")
        )
        roles = np.where(np.arange(n) < int(0.7 * n), "core", "amplifier").astype(object)
        idx = pf.add_accounts(**cols, group="ru_media", campaign="ru_media", role=roles)
        return cls(idx[roles == "core"], idx[roles == "amplifier"], s)

    def post(self, pf: Platform) -> None:
        rng, s = pf.rng, self.stealth
        if len(self.core) == 0:
            return
        n_art = max(40, int(round(400 * pf.p.scale * pf.p.sizes.get("ru_media", 1.0))))
        art_t = _times(pf, n_art, s, MOSCOW)
        art_url = np.char.add(
            f"{RU_DOMAIN}/news/", rng.integers(100_000, 999_999, n_art).astype(str)
        ).astype(object)
        u = np.repeat(self.core, activity(pf, len(self.core), 50.0, 0.7))
        n = len(u)
        w = rng.pareto(1.3, n_art) + 1
        a = rng.choice(n_art, size=n, p=w / w.sum())
        ms = after(rng, art_t[a], lognormal_delay_ms(rng, n, 20 * 60 * np.exp(3 * s), 1.2), pf.t1)
        langs = np.where(rng.random(n) < 0.85, "ru", "en").astype(object)
        words = tg.words_from(rng, pa.array(RU_HEADLINE), None, rng.integers(4, 10, n), " ")
        en = tg.salad(rng, np.full(n, "en", dtype=object), 4, 9)
        body = pa.array(
            np.where(langs == "ru", np.asarray(words, dtype=object), np.asarray(en, dtype=object))
        )
        link = pa.array(art_url[a], pa.string())
        tags = tg.random_lists(
            rng, ["новости", "Россия", "мир", "news"], (rng.random(n) < 0.3).astype(np.int64)
        )
        text = tg.concat(body, tg.prefixed_text(tags, "#"), " ", link)
        urls = tg.make_lists(link, np.ones(n, dtype=np.int64))
        tid = pf.emit(
            u, ms, text, lang=langs, hashtags=tags, urls=urls, engagement=0.1, tag="ru_media"
        )
        if len(self.amps):
            k = activity(pf, len(self.amps), 25.0, 0.7)
            ua = np.repeat(self.amps, k)
            j = rng.integers(0, n, size=len(ua))
            t = after(
                rng, ms[j], lognormal_delay_ms(rng, len(ua), 300 * np.exp(3 * s), 1.0 + s), pf.t1
            )
            pf.repost(
                ua, t, tid[j], u[j], text.take(pa.array(j)), orig_lang=langs[j], tag="ru_media"
            )

    def mix(self, pf: Platform) -> None:
        mix_everyday(pf, np.concatenate([self.core, self.amps]), self.stealth, 50.0, "ru_media")


@dataclass
class TrRing:
    members: np.ndarray
    rings: list[np.ndarray]
    hijacked: np.ndarray
    switch: np.ndarray
    stealth: float

    @classmethod
    def create(cls, pf: Platform) -> TrRing:
        s = pf.p.stealth.get("tr_ring", 0.2)
        n = pf.size("tr_ring", 500, 40)
        e = np.zeros(0, np.int32)
        if n == 0:
            return cls(e, [], e, np.zeros(0, np.int64), s)
        rng = pf.rng
        cols = _fake_profiles(
            pf, n, s, "tr", _days(pf, 4, "2019-01-01", "2020-02-01"), ("2015-01-01", "2020-02-01")
        )
        hij = rng.random(n) < pf.p.hijacked_fraction
        k = int(hij.sum())
        old_lang = np.array(["en", "es", "ar", "en"], dtype=object)[rng.integers(0, 4, k)]
        cols["created_ms"][hij] = rng.integers(date_ms("2009-01-01"), date_ms("2015-01-01"), k)  # type: ignore[index]
        cols["followers"][hij] = pr.heavy_followers(rng, k, 120)  # type: ignore[index]
        cols["lang"][hij] = old_lang  # type: ignore[index]
        cols["handle"][hij] = pr.varied_handles(rng, *pr.names(rng, old_lang))  # type: ignore[index]
        cols["tz"] = np.where(hij, pr.timezones(rng, cols["lang"]), ANKARA)  # type: ignore[arg-type]
        sizes = []
        left = n
        while left > 0:
            sz = min(left, int(rng.integers(8, 26)))
            sizes.append(sz)
            left -= sz
        roles = np.full(n, "amplifier", dtype=object)
        starts = np.cumsum([0, *sizes[:-1]])
        roles[starts] = "core"
        roles[np.minimum(starts + 1, n - 1)] = "core"
        roles[hij] = "hijacked"
        idx = pf.add_accounts(**cols, group="tr_ring", campaign="tr_ring", role=roles)
        rings = np.split(idx, np.cumsum(sizes)[:-1])
        switch = rng.integers(date_ms("2020-01-15"), date_ms("2020-03-15"), k)
        return cls(idx, rings, idx[hij], switch, s)

    def _after_switch(self, pf: Platform, u: np.ndarray, ms: np.ndarray) -> np.ndarray:
        h = np.isin(u, self.hijacked)
        if h.any():
            lo = self.switch[np.searchsorted(self.hijacked, u[h])]
            ms = ms.copy()
            ms[h] = lo + ((ms[h] - pf.t0) * ((pf.t1 - lo) / (pf.t1 - pf.t0))).astype(np.int64)
        return ms

    def _before_switch(self, u: np.ndarray, ms: np.ndarray) -> np.ndarray:
        h = np.isin(u, self.hijacked)
        out = np.zeros(len(u), dtype=bool)
        if h.any():
            out[h] = ms[h] < self.switch[np.searchsorted(self.hijacked, u[h])]
        return out

    def post(self, pf: Platform) -> None:
        rng, s = pf.rng, self.stealth
        if len(self.members) == 0:
            return
        self._past(pf)
        for ring in self.rings:
            roles = pf.acc.col("role")[ring]
            per = np.where(roles == "core", 40.0, 4.0)
            k = rng.poisson(per * rng.lognormal(0, 0.5, len(ring)))
            u = np.repeat(ring, k)
            n = len(u)
            if n == 0:
                continue
            ms = self._after_switch(pf, u, _times(pf, n, s, ANKARA, "organic"))
            body = tg.words_from(rng, pa.array(TR_WORDS), None, rng.integers(4, 12, n), " ")
            tags = tg.random_lists(
                rng, TR_HASHTAGS, np.where(rng.random(n) < 0.8, rng.integers(1, 4, n), 0)
            )
            text = tg.concat(body, tg.prefixed_text(tags, "#"))
            lang = np.full(n, "tr", dtype=object)
            tid = pf.emit(u, ms, text, lang=lang, hashtags=tags, engagement=0.1, tag="tr_ring")
            # every other member retweets with high probability, quickly
            q = 0.6 - 0.3 * s
            who = rng.random((n, len(ring))) < q
            who[np.arange(n), np.searchsorted(ring, u)] = False
            pi, mi = np.nonzero(who)
            ru = ring[mi]
            t = after(
                rng,
                ms[pi],
                lognormal_delay_ms(rng, len(pi), 180 * np.exp(3 * s), 1.0 + 0.5 * s),
                pf.t1,
            )
            # hijacked accounts join in only after their switch
            keep = ~self._before_switch(ru, t)
            pi, ru, t = pi[keep], ru[keep], t[keep]
            pf.repost(
                ru, t, tid[pi], u[pi], text.take(pa.array(pi)), orig_lang=lang[pi], tag="tr_ring"
            )

    def _past(self, pf: Platform) -> None:
        """Hijacked accounts: an earlier ordinary life in another language, up to the switch."""
        if len(self.hijacked) == 0:
            return
        k = pf.rng.integers(10, 40, size=len(self.hijacked))
        u = np.repeat(self.hijacked, k)
        t0 = date_ms("2018-09-01")
        ends = np.repeat(self.switch, k)
        ms = t0 + (pf.rng.random(len(u)) * (ends - t0)).astype(np.int64)
        originals(pf, u, ms=ms, tag="tr_ring", engagement=0.5)

    def mix(self, pf: Platform) -> None:
        mix_everyday(pf, self.members, self.stealth, 30.0, "tr_ring")
