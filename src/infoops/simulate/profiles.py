"""Account profiles: handles, display names, bios, locations, follower counts."""

from __future__ import annotations

import numpy as np

from infoops.simulate.textgen import to_traditional
from infoops.simulate.vocab import (
    BIO_WORDS,
    FIRST_NAMES,
    HAN_GIVEN,
    HAN_SURNAMES,
    HANDLE_WORDS,
    LOCATIONS,
    SURNAMES,
)

TZ_BY_LANG: dict[str, list[float]] = {
    "en": [-5, -5, -6, -8, -4, 0, 0, 10],
    "es": [-3, -5, -6, 1, 1],
    "ja": [9],
    "ko": [9],
    "zh": [8, 8, -5, -8],
    "zht": [8, 8, 8, -5, -8],
    "ru": [3, 3, 5],
    "tr": [3],
    "ar": [3, 2, 4],
}
_ASCII_LATIN = str.maketrans("çğıöşüÇĞİÖŞÜéáíóúñÉÁÍÓÚÑ", "cgiosuCGIOSUeaiounEAIOUN")


def _pick(rng: np.random.Generator, options: list[str], n: int) -> np.ndarray:
    return np.array(options, dtype=object)[rng.integers(0, len(options), size=n)]


def _name_lang(lang: str) -> str:
    return "zh" if lang == "zht" else (lang if lang in FIRST_NAMES else "en")


def timezones(rng: np.random.Generator, langs: np.ndarray) -> np.ndarray:
    tz = np.zeros(len(langs))
    for lang in np.unique(langs):
        rows = np.flatnonzero(langs == lang)
        tz[rows] = _pick(rng, [str(x) for x in TZ_BY_LANG.get(str(lang), [0])], len(rows)).astype(
            float
        )
    return tz


def names(rng: np.random.Generator, langs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(first, last) latin-script names per row, by language."""
    first = np.empty(len(langs), dtype=object)
    last = np.empty(len(langs), dtype=object)
    for lang in np.unique(langs):
        rows = np.flatnonzero(langs == lang)
        nl = _name_lang(str(lang))
        first[rows] = _pick(rng, FIRST_NAMES[nl], len(rows))
        last[rows] = _pick(rng, SURNAMES[nl], len(rows))
    return first, last


def han_names(
    rng: np.random.Generator, n: int, traditional: np.ndarray | None = None
) -> np.ndarray:
    s = _pick(rng, HAN_SURNAMES, n)
    g1 = _pick(rng, HAN_GIVEN, n)
    g2 = np.where(rng.random(n) < 0.6, _pick(rng, HAN_GIVEN, n), "")
    out = s + g1 + g2
    if traditional is not None:
        out = np.array(
            [to_traditional(x) if t else x for x, t in zip(out, traditional, strict=True)],
            dtype=object,
        )
    return out


def varied_handles(rng: np.random.Generator, first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Handles as ordinary people pick them: many styles."""
    n = len(first)
    f = np.array([x.translate(_ASCII_LATIN) for x in first], dtype=object)
    la = np.array([x.translate(_ASCII_LATIN) for x in last], dtype=object)
    word = _pick(rng, HANDLE_WORDS, n)
    num2 = rng.integers(1, 100, size=n).astype(str).astype(object)
    year = rng.integers(1970, 2006, size=n).astype(str).astype(object)
    style = rng.integers(0, 7, size=n)
    opts = [
        f + la,
        f + "_" + la,
        np.array([x.lower() for x in f], dtype=object) + num2,
        word + "_" + f,
        f + la + year,
        np.array([x[:1].lower() for x in f], dtype=object)
        + np.array([x.lower() for x in la], dtype=object),
        word + word[::-1] + num2,
    ]
    return np.choose(style, opts)


def patterned_handles(rng: np.random.Generator, first: np.ndarray) -> np.ndarray:
    """Name followed by eight digits: the default handle a platform offers in bulk sign-ups."""
    f = np.array([x.translate(_ASCII_LATIN) for x in first], dtype=object)
    digits = rng.integers(10_000_000, 100_000_000, size=len(first)).astype(str).astype(object)
    return f + digits


def random_handles(rng: np.random.Generator, n: int) -> np.ndarray:
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    lens = rng.integers(8, 14, size=n)
    flat = letters[rng.integers(0, 26, size=int(lens.sum()))]
    cuts = np.cumsum(lens)[:-1]
    return np.array(["".join(p) for p in np.split(flat, cuts)], dtype=object)


def bios(rng: np.random.Generator, langs: np.ndarray, p_empty: float = 0.3) -> np.ndarray:
    out = np.full(len(langs), "", dtype=object)
    for lang in np.unique(langs):
        rows = np.flatnonzero(langs == lang)
        words = BIO_WORDS.get(_name_lang(str(lang)), BIO_WORDS["en"])
        a, b, c = (_pick(rng, words, len(rows)) for _ in range(3))
        sep = "" if lang in ("zh", "zht", "ja") else " "
        txt = a + sep + b + sep + c
        if lang == "zht":
            txt = np.array([to_traditional(x) for x in txt], dtype=object)
        out[rows] = txt
    out[rng.random(len(langs)) < p_empty] = ""
    return out


def locations(rng: np.random.Generator, langs: np.ndarray) -> np.ndarray:
    out = np.full(len(langs), "", dtype=object)
    for lang in np.unique(langs):
        rows = np.flatnonzero(langs == lang)
        out[rows] = _pick(rng, LOCATIONS.get(_name_lang(str(lang)), [""]), len(rows))
    return out


def heavy_followers(
    rng: np.random.Generator, n: int, median: float = 150, sigma: float = 1.6
) -> np.ndarray:
    f = rng.lognormal(np.log(median), sigma, size=n)
    tail = rng.random(n) < 0.01
    f[tail] *= rng.pareto(1.1, size=int(tail.sum())) + 1
    return np.minimum(f, 5e7).astype(np.int64)
