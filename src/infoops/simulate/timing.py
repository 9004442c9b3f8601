"""Time: diurnal posting in local time zones, delays, snowflake ids."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np

TWITTER_EPOCH_MS = 1288834974657
SNOWFLAKE_USERS_FROM_MS = 1_385_856_000_000  # 2013-12-01: user ids became snowflakes
DAY_MS = 86_400_000
HOUR_MS = 3_600_000

# Hour-of-day weights (local time).
_ORGANIC = np.array(
    [
        3,
        2,
        1.2,
        0.8,
        0.6,
        0.7,
        1.5,
        3,
        4.5,
        5,
        5,
        5.5,
        6,
        5.5,
        5,
        5,
        5.5,
        6,
        6.5,
        7.5,
        8.5,
        9,
        8,
        5.5,
    ]
)
_OFFICE = np.array(
    [0, 0, 0, 0, 0, 0, 0, 0, 0.5, 8, 10, 10, 3, 7, 10, 10, 9, 8, 1.5, 0, 0, 0, 0, 0], dtype=float
)
PROFILES = {
    "organic": _ORGANIC / _ORGANIC.sum(),
    "office": _OFFICE / _OFFICE.sum(),
    "flat": np.full(24, 1 / 24),
}


def date_ms(s: str) -> int:
    d = datetime.fromisoformat(s)
    if d.tzinfo is None:
        d = d.replace(tzinfo=UTC)
    return int(d.timestamp() * 1000)


def local_times(
    rng: np.random.Generator,
    n: int,
    tz_hours: np.ndarray | float,
    t0: int,
    t1: int,
    profile: str = "organic",
    weekdays_only: bool = False,
) -> np.ndarray:
    """UTC ms of n posts made at local `profile` hours on days in [t0, t1)."""
    ndays = max(1, (t1 - t0) // DAY_MS)
    if weekdays_only:
        first_dow = (t0 // DAY_MS + 3) % 7  # 1970-01-01 was a Thursday (dow 3, Monday=0)
        days = np.arange(ndays)
        days = days[(first_dow + days) % 7 < 5]
        day = days[rng.integers(0, len(days), size=n)]
    else:
        day = rng.integers(0, ndays, size=n)
    hour = rng.choice(24, size=n, p=PROFILES[profile])
    within = rng.integers(0, HOUR_MS, size=n)
    tz = np.asarray(tz_hours, dtype=np.float64)
    ms = t0 + day * DAY_MS + hour * HOUR_MS + within - (tz * HOUR_MS).astype(np.int64)
    return np.clip(ms, t0, t1 - 1).astype(np.int64)


def lognormal_delay_ms(
    rng: np.random.Generator, n: int, median_s: float, sigma: float
) -> np.ndarray:
    return (np.exp(rng.normal(np.log(median_s), sigma, size=n)) * 1000).astype(np.int64) + 1000


def after(rng: np.random.Generator, base: np.ndarray, delay: np.ndarray, t1: int) -> np.ndarray:
    """base + delay, re-drawn uniformly before t1 where it would fall past t1."""
    ms = base + delay
    late = ms >= t1
    if late.any():
        room = np.maximum(t1 - base[late], 2)
        ms[late] = base[late] + (rng.random(int(late.sum())) * (room - 1)).astype(np.int64) + 1
    # never at or before the original, even for originals in the window's last millisecond
    return np.maximum(np.minimum(ms, t1 - 1), base + 1)


def snowflake(ms: np.ndarray, serial: np.ndarray) -> np.ndarray:
    """Twitter snowflake: (ms - epoch) << 22 | 22 low bits (a bijection of the serial)."""
    low = (serial.astype(np.uint64) * np.uint64(2654435761)) & np.uint64(0x3FFFFF)
    return (((ms - TWITTER_EPOCH_MS).astype(np.int64) << 22) | low.astype(np.int64)).astype(
        np.int64
    )


def snowflake_ms(tid: np.ndarray) -> np.ndarray:
    return (tid >> 22) + TWITTER_EPOCH_MS


def user_ids(created_ms: np.ndarray, serial: np.ndarray) -> np.ndarray:
    """Numeric user ids that grow with creation time, as Twitter's do.

    Accounts created before Dec 2013 get small sequential-looking ids, later ones
    snowflakes of their creation time.
    """
    old = created_ms < SNOWFLAKE_USERS_FROM_MS
    t2006 = 1_142_899_200_000  # 2006-03-21
    frac = (created_ms - t2006) / (SNOWFLAKE_USERS_FROM_MS - t2006)
    seq = (np.clip(frac, 0, 1) ** 1.6 * 2_200_000_000).astype(np.int64) * 10 + 12 + serial % 10
    ids = np.where(old, seq, snowflake(np.maximum(created_ms, SNOWFLAKE_USERS_FROM_MS), serial))
    # make unique (collisions are rare): bump duplicates
    order = np.argsort(ids, kind="stable")
    s = ids[order]
    for _ in range(100):
        dup = np.flatnonzero(s[1:] <= s[:-1]) + 1
        if len(dup) == 0:
            break
        s[dup] = s[dup - 1] + 1
    out = np.empty_like(ids)
    out[order] = s
    return out


def uniform_dates(rng: np.random.Generator, n: int, a: str, b: str) -> np.ndarray:
    lo, hi = date_ms(a), date_ms(b)
    return rng.integers(lo, hi, size=n).astype(np.int64)


def weighted_years(
    rng: np.random.Generator, n: int, years: Sequence[int], weights: Sequence[float]
) -> np.ndarray:
    """Creation dates: a year drawn by weight, then a uniform moment in it."""
    w = np.asarray(weights, dtype=float)
    starts = np.array([date_ms(f"{v}-01-01") for v in years], dtype=np.int64)
    pick = rng.choice(len(years), size=n, p=w / w.sum())
    return starts[pick] + rng.integers(0, 365 * DAY_MS, size=n)
