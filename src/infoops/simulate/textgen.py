"""Vectorised text building: word salad per language, list columns, hashtags in text."""

from __future__ import annotations

from functools import cache, lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from infoops.simulate.vocab import NO_SPACE, WORDS

# Internal language codes: 'zht' is Chinese in traditional characters.
TWEET_LANG = {"zht": "zh"}
ACCOUNT_LANG = {"zh": "zh-cn", "zht": "zh-tw"}


@lru_cache(maxsize=1)
def _s2t() -> object:
    import opencc

    return opencc.OpenCC("s2t")


def to_traditional(s: str) -> str:
    return str(_s2t().convert(s))  # type: ignore[attr-defined]


@cache
def vocab(lang: str) -> tuple[pa.Array, np.ndarray]:
    """Words of a language and Zipf-like word probabilities."""
    if lang == "zht":
        words = [to_traditional(w) for w in WORDS["zh"]]
    else:
        words = WORDS.get(lang, WORDS["en"])
    ranks = np.arange(1, len(words) + 1, dtype=np.float64)
    p = 1.0 / ranks**0.8
    return pa.array(words, pa.string()), p / p.sum()


def join_lists(values: pa.Array, lengths: np.ndarray, sep: str) -> pa.Array:
    """Join consecutive runs of `values` (run i has lengths[i] items) with `sep`."""
    offsets = np.zeros(len(lengths) + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    lists = pa.ListArray.from_arrays(pa.array(offsets), values)
    return pc.binary_join(lists, sep)


def words_from(
    rng: np.random.Generator, words: pa.Array, p: np.ndarray | None, lengths: np.ndarray, sep: str
) -> pa.Array:
    total = int(lengths.sum())
    idx = rng.choice(len(words), size=total, p=p)
    return join_lists(words.take(pa.array(idx)), lengths, sep)


def salad(rng: np.random.Generator, langs: np.ndarray, lo: int = 4, hi: int = 14) -> pa.Array:
    """Random text per row in the row's language (internal codes)."""
    n = len(langs)
    out: list[pa.Array] = []
    order: list[np.ndarray] = []
    for lang in np.unique(langs):
        rows = np.flatnonzero(langs == lang)
        words, p = vocab(str(lang))
        lengths = rng.integers(lo, hi + 1, size=len(rows))
        sep = "" if lang in NO_SPACE or lang == "zht" else " "
        out.append(words_from(rng, words, p, lengths, sep))
        order.append(rows)
    if not out:
        return pa.array([], pa.string())
    allrows = np.concatenate(order)
    inv = np.empty(n, dtype=np.int64)
    inv[allrows] = np.arange(n)
    return pa.concat_arrays(out).take(pa.array(inv))


def pick(rng: np.random.Generator, options: list[str], n: int) -> pa.Array:
    return pa.array(options, pa.string()).take(pa.array(rng.integers(0, len(options), size=n)))


def concat(*parts: pa.Array | str) -> pa.Array:
    """Element-wise string concatenation of arrays and literal strings."""
    return pc.binary_join_element_wise(*parts, "")


def make_lists(values: pa.Array, lengths: np.ndarray) -> pa.ListArray:
    offsets = np.zeros(len(lengths) + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    return pa.ListArray.from_arrays(pa.array(offsets), values)


def random_lists(rng: np.random.Generator, options: list[str], lengths: np.ndarray) -> pa.ListArray:
    total = int(lengths.sum())
    vals = pa.array(options, pa.string()).take(pa.array(rng.integers(0, len(options), size=total)))
    return make_lists(vals, lengths)


def empty_lists(n: int) -> pa.ListArray:
    return make_lists(pa.array([], pa.string()), np.zeros(n, dtype=np.int64))


def prefixed_text(lists: pa.ListArray, prefix: str, lead: str = " ") -> pa.Array:
    """'#a #b' for ['a', 'b'] (with a leading space), '' for an empty list."""
    flat = pc.binary_join_element_wise(prefix, lists.flatten(), "")
    joined = pc.binary_join(pa.ListArray.from_arrays(lists.offsets, flat), " ")
    empty = pc.equal(pc.list_value_length(lists), 0)
    return pc.if_else(empty, "", pc.binary_join_element_wise(lead, joined, ""))


def literal(lists: pa.ListArray) -> pa.Array:
    """Python list literal text, as the IO archive writes list columns: ['a', 'b'] or []."""
    joined = pc.binary_join(lists, "', '")
    empty = pc.equal(pc.list_value_length(lists), 0)
    return pc.if_else(empty, "[]", pc.binary_join_element_wise("['", joined, "']", ""))
