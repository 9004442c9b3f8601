"""The organic population and viral cascades."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from infoops.simulate import profiles as pr
from infoops.simulate.chatter import interactions, originals
from infoops.simulate.platform import Platform
from infoops.simulate.timing import after, date_ms, lognormal_delay_ms, weighted_years

LANGS = ["en", "es", "ja", "zh", "zht", "ru", "tr", "ar", "ko"]
LANG_P = [0.40, 0.10, 0.08, 0.06, 0.06, 0.10, 0.10, 0.06, 0.04]
YEARS = list(range(2007, 2021))
YEAR_W = [1, 3, 6, 8, 8, 8, 7, 6, 6, 5, 5, 5, 5, 3]

# Scale-1 baselines.
N_ORGANIC = 55_000
POSTS_PER_ORGANIC = 11.5
N_INFLUENCERS = 12
N_CASUAL = 10_000


@dataclass
class Population:
    """Accounts whose everyday posting is still to be generated: index and posts per kind."""

    user: np.ndarray
    n_orig: np.ndarray
    n_inter: np.ndarray


def activity(pf: Platform, n: int, mean: float, sigma: float = 1.2) -> np.ndarray:
    """Heavy-tailed posts per account with the given mean."""
    raw = pf.rng.lognormal(0.0, sigma, size=n)
    lam = raw / raw.mean() * mean if n else raw
    return pf.rng.poisson(lam).astype(np.int64)


def add_people(
    pf: Platform,
    n: int,
    group: str,
    langs: np.ndarray | None = None,
    followers_median: float = 150,
    years: Sequence[int] | None = None,
    year_w: Sequence[float] | None = None,
    **extra: object,
) -> np.ndarray:
    """Ordinary-looking accounts (organic users, fans, activists, casual viral users)."""
    rng = pf.rng
    if langs is None:
        langs = np.array(LANGS, dtype=object)[rng.choice(len(LANGS), size=n, p=LANG_P)]
    first, last = pr.names(rng, langs)
    han = np.isin(langs, ["zh", "zht"]) & (rng.random(n) < 0.6)
    display = np.where(rng.random(n) < 0.7, first + " " + last, first)
    if han.any():
        display[han] = pr.han_names(rng, int(han.sum()), traditional=(langs[han] == "zht"))
    cols: dict[str, object] = {
        "created_ms": weighted_years(rng, n, years or YEARS, year_w or YEAR_W),
        "followers": pr.heavy_followers(rng, n, followers_median),
        "following": pr.heavy_followers(rng, n, 200, 1.1),
        "lang": langs,
        "tz": pr.timezones(rng, langs),
        "handle": pr.varied_handles(rng, first, last),
        "display_name": display,
        "description": pr.bios(rng, langs),
        "location": pr.locations(rng, langs),
        "url": np.where(rng.random(n) < 0.1, "https://instagram.com/" + first, ""),
        "group": group,
    }
    cols.update(extra)
    return pf.add_accounts(**cols)


def population(
    pf: Platform, user: np.ndarray, mean_posts: float, p_orig: float = 0.55
) -> Population:
    total = activity(pf, len(user), mean_posts)
    share = np.clip(pf.rng.beta(p_orig * 6, (1 - p_orig) * 6, size=len(user)), 0.05, 1.0)
    n_orig = pf.rng.binomial(total, share)
    return Population(user, n_orig, total - n_orig)


HISTORY_FROM = "2018-06-01"
HISTORY_SHARE = 0.1


def post_originals(pf: Platform, pop: Population, keep: float, tag: str) -> None:
    """Originals in the window, and a share from the accounts' earlier history (from mid-2018),
    as the archive holds whole timelines."""
    u = np.repeat(pop.user, pop.n_orig)
    old = pf.rng.random(len(u)) < HISTORY_SHARE
    originals(pf, u[~old], pool_keep=keep, tag=tag)
    if old.any():
        lo = np.maximum(pf.acc.col("created_ms")[u[old]], date_ms(HISTORY_FROM))
        hi = np.where(lo < pf.t0, pf.t0, pf.t1)  # accounts created in the window: any time after
        ms = lo + (pf.rng.random(int(old.sum())) * np.maximum(hi - lo, 1)).astype(np.int64)
        originals(pf, u[old], ms=ms, tag=tag)


def post_interactions(pf: Platform, pop: Population, tag: str) -> None:
    u = np.repeat(pop.user, pop.n_inter)
    kind = pf.rng.choice([1, 2, 3], size=len(u), p=[0.68, 0.22, 0.10])
    interactions(pf, u, kind, tag=tag)


# ---- viral cascades ----------------------------------------------------------------------


def add_influencers(pf: Platform) -> np.ndarray:
    n = pf.size("viral", N_INFLUENCERS, 3)
    langs = np.array(["en", "es", "ja", "ko", "en", "tr"], dtype=object)[pf.rng.integers(0, 6, n)]
    u = add_people(
        pf, n, "viral", langs=langs, followers_median=800_000, client="Twitter for iPhone"
    )
    return u


def cascades(
    pf: Platform, influencers: np.ndarray, casual: np.ndarray, organic: np.ndarray
) -> None:
    """Influencer posts, some reposted by many accounts over hours with heavy-tailed delays."""
    rng = pf.rng
    if len(influencers) == 0:
        return
    n_posts = rng.poisson(120, size=len(influencers)) + 20
    src = np.repeat(influencers, n_posts)
    posted = originals(
        pf,
        src,
        tag_rate=0.3,
        url_rate=0.2,
        mention_rate=0.0,
        tag="viral",
        engagement=20.0,
        want_text=True,
        pool_keep=1.0,
    )
    assert posted.text is not None
    pf.track(posted.tid)
    intensity = pf.p.viral_intensity * pf.p.sizes.get("viral", 1.0)
    crowd = len(casual) + len(organic)
    if intensity <= 0 or crowd == 0:
        return
    n_casc = max(3, int(round(40 * np.sqrt(pf.p.scale) * intensity)))
    base = 650 * np.sqrt(pf.p.scale)
    cap = max(10, int(0.3 * crowd))
    for j in rng.choice(len(src), size=min(n_casc, len(src)), replace=False):
        size = int(min(cap, base * (rng.pareto(1.5) + 1)))
        k_cas = min(len(casual), int(rng.binomial(size, 0.7)))
        k_org = min(len(organic), size - k_cas)
        users = np.concatenate(
            [
                casual[rng.choice(len(casual), size=k_cas, replace=False)],
                organic[rng.choice(len(organic), size=k_org, replace=False)],
            ]
        )
        n = len(users)
        t = after(rng, np.full(n, posted.ms[j]), lognormal_delay_ms(rng, n, 25 * 60, 1.5), pf.t1)
        text = posted.text.take(np.zeros(n, dtype=np.int64))
        pf.repost(users, t, np.full(n, posted.tid[j]), np.full(n, src[j]), text, tag="viral")
