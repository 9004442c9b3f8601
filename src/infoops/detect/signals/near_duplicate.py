"""near_duplicate: accounts posting near-identical texts within a time window.

Steps (compiled kernels in `infoops.detect.textsim`; no Python loop over texts):

1. distinct normalised texts of original posts (`infoops.detect.text.normalize`;
   reposts left out, texts shorter than `min_chars` dropped) -- deduplication
   first, so a text posted 10,000 times is hashed once;
2. character `ngram`-grams (work for Chinese without segmentation) hashed to
   64 bits straight from the UTF-32 code points (or word tokens, `shingles`);
3. k-mins MinHash of `num_perm` values (one multiply-add per shingle and value,
   16 values at a time) -- steps 2 and 3 chunk by chunk (`minhash_sets`), so
   the shingles of all texts never exist at once --, `bands` bands of
   `num_perm // bands` rows: texts
   sharing a band key are candidates. Inside a bucket, texts are ordered by
   their key of the next band and each is paired with the bucket's first text
   and its `neighbours` successors (at most 7 pairs per text and band whatever
   the bucket size: templates shared by thousands cannot explode);
4. each candidate is checked: its b-bit MinHash estimate (8 bits of each
   value) must come within `VERIFY_MARGIN` of the threshold, then the exact
   Jaccard similarity of the two shingle sets must reach `threshold` (the
   shingles of the texts that pass the pre-check are hashed again per batch
   of `PAIR_BANDS` bands: `verify_pairs_lazy`);
   near-duplicates are joined into clusters (connected components, i.e.
   single linkage);
5. each *episode* of a cluster (its posts in time order, cut where two
   consecutive posts are more than `window` apart) is one shared object of
   the co-action computation (`infoops.detect.coaction`): time-ordered
   neighbour pairing within `window`, idf weights, activity filter; the
   null model shifts each account's times and recomputes the episodes.
   Episodes make an account pair that posts variants of one template on ten
   occasions count ten events (clusters chain template variants together).

Identical texts fall in the same cluster, so this signal includes
`identical_text` (as the peer tool's co_similar_tweet includes its co_tweet).
"""

from __future__ import annotations

import os
import re
import time
import zlib
from collections.abc import Callable
from functools import partial
from typing import Any, TypeAlias

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from infoops.detect.coaction import DEFAULT_MAX_FANOUT, DEFAULT_MIN_ACTIVITY, DEFAULT_MIN_SHARED
from infoops.detect.duckmem import background_purge, duckdb_cache_dropped
from infoops.detect.nullmodel import DEFAULT_ALPHA
from infoops.detect.signals.identical_text import (
    DEFAULT_MIN_CHARS,
    DEFAULT_TEXT_WINDOW,
    ObjectMapper,
    TextSignal,
)
from infoops.detect.text import char_ngrams, jaccard
from infoops.detect.textsim import (
    char_shingle_sets,
    in_parallel,
    kmins_fill,
    lsh_band_pairs,
    run_hashes,
    text_order,
    utf8_code_points,
    utf8_lengths,
    verify_pairs_lazy,
)
from infoops.registry import signals

DEFAULT_THRESHOLD = 0.8
DEFAULT_NGRAM = 3
DEFAULT_NUM_PERM = 120
DEFAULT_BANDS = 20
DEFAULT_NEIGHBOURS = 6
# candidates whose b-bit MinHash estimate is this far below the threshold are not checked exactly
# (4 standard deviations of a 120-value estimate near 0.8)
VERIFY_MARGIN = 0.15
SHINGLES = ("chars", "words")
DEFAULT_SHINGLES = "chars"
# texts whose code points are decoded at once when hashing character shingles (bounds peak memory)
SHINGLE_CHUNK = 250_000
# LSH bands whose candidate pairs are generated and checked at once (bounds peak memory)
PAIR_BANDS = 4

UInt64Array = npt.NDArray[np.uint64]
IntArray = npt.NDArray[np.int64]
# Python strings, or an Arrow string array without nulls
Texts: TypeAlias = list[str] | pa.Array

_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


def _mix(x: UInt64Array) -> UInt64Array:
    """splitmix64 finaliser (in place on a fresh array)."""
    x ^= x >> np.uint64(30)
    x *= _MIX1
    x ^= x >> np.uint64(27)
    x *= _MIX2
    x ^= x >> np.uint64(31)
    return x


def _utf8_buffers(texts: pa.Array) -> tuple[npt.NDArray[np.uint8], IntArray]:
    """UTF-8 bytes and n + 1 byte offsets (int64) of an Arrow string array without nulls (no copy of the bytes)."""
    if texts.null_count:
        raise ValueError("texts must not contain nulls")
    arr = texts if texts.type in (pa.string(), pa.large_string()) else texts.cast(pa.large_string())
    _, off_buf, data_buf = arr.buffers()
    width = np.int64 if arr.type == pa.large_string() else np.int32
    offs = np.frombuffer(off_buf, dtype=width)[arr.offset : arr.offset + len(arr) + 1].astype(np.int64)
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(0, dtype=np.uint8)
    return data, offs


def utf32(texts: Texts) -> tuple[npt.NDArray[np.uint32], IntArray]:
    """Code points of all texts in one array, and where each text starts and ends (n + 1 offsets).

    Texts are Python strings or an Arrow string array without nulls (decoded
    from its UTF-8 buffers, no Python strings made).
    """
    if isinstance(texts, pa.Array):
        data, offs = _utf8_buffers(texts)
        return utf8_code_points(data, offs)
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)), out=offsets[1:])
    codes = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return codes, offsets


def code_point_lengths(texts: Texts) -> IntArray:
    """Number of code points of each text (Arrow texts counted from their UTF-8 bytes, not decoded)."""
    if isinstance(texts, pa.Array):
        return utf8_lengths(*_utf8_buffers(texts))
    return np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))


def char_shingles(
    texts: Texts, ngram: int, chunk: int = SHINGLE_CHUNK, threads: int = 1
) -> tuple[UInt64Array, IntArray]:
    """Character `ngram`-gram hashes of every text (repeats kept, text order) and run bounds (n + 1).

    The output is sized from the texts' code-point counts first and filled
    `chunk` texts at a time (`threads` slices of the texts in parallel), so
    only a chunk's code points per thread are decoded at once (the hashes of
    10M posts' texts are GBs; their code points half that).
    """
    n = len(texts)
    bounds = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.maximum(code_point_lengths(texts) - ngram + 1, 1), out=bounds[1:])
    out = np.empty(int(bounds[n]), dtype=np.uint64)

    def fill(start: int, stop: int) -> None:
        for lo in range(start, stop, chunk):
            hi = min(stop, lo + chunk)
            codes, offsets = utf32(texts[lo:hi])
            part, _ = char_shingle_sets(codes, offsets, np.arange(hi - lo, dtype=np.int64), ngram, False)
            del codes, offsets
            out[bounds[lo] : bounds[hi]] = part
            del part

    in_parallel(fill, n, threads, min_items=2 * chunk)
    return out, bounds


def shingle_hashes(texts: list[str], n: int = DEFAULT_NGRAM) -> tuple[UInt64Array, IntArray]:
    """Sorted distinct 64-bit hashes of each text's character n-grams, and where each text's run starts.

    Runs are in input order; a text shorter than `n` is padded to one n-gram.
    """
    codes, offsets = utf32(texts)
    h, bounds = char_shingle_sets(codes, offsets, np.arange(len(texts), dtype=np.int64), n, True)
    return h, bounds[:-1]


_IDEO = "\u3040-\u309f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# words as Unicode default word boundaries give them: one token per ideograph or
# hiragana, runs of other word characters, runs of punctuation
WORD_TOKEN = re.compile(f"[{_IDEO}]|[^\\W{_IDEO}]+|[^\\w\\s]+")


def word_hashes(texts: list[str]) -> tuple[UInt64Array, IntArray]:
    """64-bit hashes of the distinct word tokens of every text (bag of words), and run starts.

    A token's hash depends on its characters only (crc32 and adler32 of its
    UTF-8 bytes, mixed), not on the order texts come in or on the process.
    """
    cache: dict[str, int] = {}
    flat: list[int] = []
    starts = np.zeros(len(texts), dtype=np.int64)
    for k, text in enumerate(texts):
        starts[k] = len(flat)
        for tok in set(WORD_TOKEN.findall(text)) or {""}:
            v = cache.get(tok)
            if v is None:
                b = tok.encode("utf-8")
                v = cache[tok] = (zlib.crc32(b) << 32) | zlib.adler32(b)
            flat.append(v)
    return _mix(np.asarray(flat, dtype=np.uint64)), starts


def shingle_runs(texts: Texts, shingles: str, ngram: int, threads: int = 1) -> tuple[UInt64Array, IntArray]:
    """Shingle hashes of each text (repeats possible, any order) and run bounds (n + 1).

    Text k's shingles are ``hashes[bounds[k]:bounds[k + 1]]``: character
    `ngram`-grams ("chars") or word tokens ("words"). A text's shingles do not
    depend on the other texts given with it.
    """
    if shingles not in SHINGLES:
        raise ValueError(f"shingles must be one of {SHINGLES}, got {shingles!r}")
    if shingles == "chars":
        return char_shingles(texts, ngram, threads=threads)
    h, starts = word_hashes(texts.to_pylist() if isinstance(texts, pa.Array) else list(texts))
    return h, np.append(starts, h.size).astype(np.int64)


def content_rank(run_keys: UInt64Array) -> IntArray:
    """Each text's rank in the order of its shingle-multiset hash (`run_hashes`), ties by position."""
    rank = np.empty(run_keys.size, dtype=np.int64)
    rank[np.argsort(run_keys, kind="stable")] = np.arange(run_keys.size)
    return rank


def shingle_sets(texts: Texts, shingles: str, ngram: int) -> tuple[UInt64Array, IntArray, IntArray]:
    """Shingle hashes of each text (repeats possible, any order), run bounds (n + 1), and each text's rank.

    Text k's shingles are ``hashes[bounds[k]:bounds[k + 1]]`` (`shingle_runs`).
    The rank orders texts by a 64-bit hash of their shingle multiset: ties in
    candidate generation are broken by it, so results do not depend on the
    order texts come in (except among texts with the very same shingles,
    which are similar anyway).
    """
    h, bounds = shingle_runs(texts, shingles, ngram)
    return h, bounds, content_rank(run_hashes(h, bounds))


def minhash_sets(
    texts: Texts,
    shingles: str,
    ngram: int,
    num_perm: int,
    bands: int,
    seed: int,
    threads: int = 1,
    chunk: int = SHINGLE_CHUNK,
) -> tuple[UInt64Array, npt.NDArray[np.uint8], IntArray, dict[str, Any]]:
    """Band keys (bands x n), b-bit values (n x num_perm) and rank of the texts, as
    `kmins_band_keys` and `shingle_sets` give them, `chunk` texts at a time.

    Each chunk's shingles are hashed, MinHashed and dropped: the shingles of
    all texts (8 bytes per character, 1.5 GB at 10M posts) never exist at
    once. `threads` slices of the texts run in parallel. Also returns the
    number of shingles and the seconds spent hashing shingles and MinHashing
    (wall time of the pass, split by the two steps' shares).
    """
    n = len(texts)
    keys = np.empty((bands, n), dtype=np.uint64)
    low = np.empty((n, num_perm), dtype=np.uint8)
    run_keys = np.empty(n, dtype=np.uint64)
    done: list[tuple[int, float, float]] = []  # per chunk: shingles, seconds hashing, seconds MinHashing

    def work(start: int, stop: int) -> None:
        for lo in range(start, stop, chunk):
            hi = min(stop, lo + chunk)
            t0 = time.perf_counter()
            h, bounds = shingle_runs(texts[lo:hi], shingles, ngram)
            run_keys[lo:hi] = run_hashes(h, bounds)
            t1 = time.perf_counter()
            kmins_fill(h, bounds, seed, 0, hi - lo, keys, low, lo)
            done.append((int(h.size), t1 - t0, time.perf_counter() - t1))
            del h, bounds

    t0 = time.perf_counter()
    in_parallel(work, n, threads, min_items=2 * chunk)
    wall = time.perf_counter() - t0
    sec_h, sec_m = sum(d[1] for d in done), sum(d[2] for d in done)
    share = sec_h / max(sec_h + sec_m, 1e-9)
    info = {"ngrams": sum(d[0] for d in done), "seconds_shingles": wall * share, "seconds_minhash": wall * (1 - share)}
    return keys, low, content_rank(run_keys), info


def exact_jaccard(
    texts: list[str], i: IntArray, j: IntArray, n: int = DEFAULT_NGRAM
) -> npt.NDArray[np.float64]:
    """Exact Jaccard similarity of the character n-gram sets of text pairs (i[k], j[k]) (reference, Python)."""
    cache: dict[int, set[str]] = {}

    def grams(k: int) -> set[str]:
        g = cache.get(k)
        if g is None:
            g = cache[k] = char_ngrams(texts[k], n)
        return g

    return np.fromiter(
        (jaccard(grams(a), grams(b)) for a, b in zip(i.tolist(), j.tolist(), strict=True)),
        dtype=np.float64,
        count=i.size,
    )


def _lsh_by_band(
    keys: UInt64Array, rank: IntArray, text_of: IntArray, neighbours: int, lo: int, hi: int
) -> list[tuple[npt.NDArray[np.signedinteger[Any]], npt.NDArray[np.signedinteger[Any]]]]:
    """`lsh_pairs` of bands lo..hi-1, one band at a time, each band's pairs as int32 where the texts fit
    (candidate pairs are the largest arrays at 10M posts: half the memory, same pairs in the same order)."""
    return [lsh_band_pairs(keys, rank, text_of, neighbours, band) for band in range(lo, hi)]


def _lsh_offset(
    keys: UInt64Array, rank: IntArray, text_of: IntArray, neighbours: int, offset: int, lo: int, hi: int
) -> list[tuple[npt.NDArray[np.signedinteger[Any]], npt.NDArray[np.signedinteger[Any]]]]:
    """`_lsh_by_band` of bands offset + lo .. offset + hi - 1."""
    return _lsh_by_band(keys, rank, text_of, neighbours, offset + lo, offset + hi)


def _runs_of(texts: Texts, shingles: str, ngram: int, threads: int) -> Callable[[IntArray], tuple[UInt64Array, IntArray]]:
    """The shingles of some of the texts (by index), for `verify_pairs_lazy`."""

    def runs(which: IntArray) -> tuple[UInt64Array, IntArray]:
        sub: Texts = texts.take(pa.array(which)) if isinstance(texts, pa.Array) else [texts[k] for k in which.tolist()]
        return shingle_runs(sub, shingles, ngram, threads)

    return runs


def _gather(
    parts: list[tuple[npt.NDArray[np.signedinteger[Any]], npt.NDArray[np.signedinteger[Any]]]],
) -> tuple[npt.NDArray[np.signedinteger[Any]], npt.NDArray[np.signedinteger[Any]]]:
    """The parts' pairs concatenated, each part freed once copied (`parts` is emptied): the peak is
    the pairs plus one band's, not twice the pairs."""
    total = sum(p[0].size for p in parts)
    dtype = parts[0][0].dtype if parts else np.dtype(np.int64)
    i, j = np.empty(total, dtype=dtype), np.empty(total, dtype=dtype)
    pos = 0
    parts.reverse()
    while parts:
        a, b = parts.pop()
        i[pos : pos + a.size] = a
        j[pos : pos + a.size] = b
        pos += a.size
        del a, b
    return i, j


def near_duplicate_clusters(
    texts: Texts,
    threshold: float = DEFAULT_THRESHOLD,
    ngram: int = DEFAULT_NGRAM,
    num_perm: int = DEFAULT_NUM_PERM,
    bands: int = DEFAULT_BANDS,
    seed: int = 1,
    neighbours: int = DEFAULT_NEIGHBOURS,
    shingles: str = DEFAULT_SHINGLES,
    threads: int | None = None,
) -> tuple[IntArray, dict[str, Any]]:
    """Cluster id of each (distinct) text: connected components of the near-duplicate pairs.

    `threads` (default: the machine's cores) run the MinHash, LSH and check
    kernels on slices of the texts, bands and pairs; the result does not
    depend on it.
    """
    n = len(texts)
    if shingles not in SHINGLES:
        raise ValueError(f"shingles must be one of {SHINGLES}, got {shingles!r}")
    if n == 0:
        return np.zeros(0, dtype=np.int64), {"candidate_pairs": 0, "similar_pairs": 0, "clusters": 0}
    if not 1 <= bands <= abs(num_perm):
        raise ValueError(f"need 1 <= bands <= num_perm, got bands={bands}, num_perm={num_perm}")
    # Arrow's allocator keeps what the normalisation freed (1.5 GB at 10M posts): give it back first
    pa.default_memory_pool().release_unused()
    threads = max(1, min(os.cpu_count() or 1, bands)) if threads is None else threads
    keys, low, rank, info = minhash_sets(texts, shingles, ngram, num_perm, bands, seed, threads)
    text_of = text_order(rank)
    runs = _runs_of(texts, shingles, ngram, threads)
    t2 = time.perf_counter()
    # candidates are generated and checked PAIR_BANDS bands at a time (the pairs of all bands
    # are GBs at 10M posts); the checks do not depend on the batch, so neither does the result.
    # The exact check recomputes the shingles of the texts it needs, batch by batch.
    n_cand = n_exact = 0
    sec_lsh = sec_verify = 0.0
    found: list[tuple[IntArray, IntArray]] = []
    step = max(PAIR_BANDS, threads)
    for g0 in range(0, bands, step):
        ta = time.perf_counter()
        lsh = partial(_lsh_offset, keys, rank, text_of, neighbours, g0)
        parts = [part for chunk in in_parallel(lsh, min(bands, g0 + step) - g0, threads, min_items=2) for part in chunk]
        del lsh
        i, j = _gather(parts)
        tb = time.perf_counter()
        jac, _ = verify_pairs_lazy(runs, low, i, j, threshold, VERIFY_MARGIN, threads)
        ok = jac >= threshold
        n_cand += int(ok.size)
        n_exact += int((jac >= 0).sum())
        del jac
        found.append((i[ok].astype(np.int64), j[ok].astype(np.int64)))
        del i, j, ok
        sec_lsh += tb - ta
        sec_verify += time.perf_counter() - tb
    del keys, low, text_of, runs  # free memory as soon as possible: at 10M posts each is hundreds of MBs
    t3 = t2 + sec_lsh
    i = np.concatenate([f[0] for f in found]) if found else np.zeros(0, dtype=np.int64)
    j = np.concatenate([f[1] for f in found]) if found else np.zeros(0, dtype=np.int64)
    del found
    key = np.unique(i * n + j)
    i, j = key // n, key % n
    t4 = time.perf_counter()
    graph = coo_matrix((np.ones(i.size, dtype=np.int8), (i, j)), shape=(n, n))
    n_comp, comp = connected_components(graph, directed=False)
    # number clusters by their first text in rank order: ids independent of the input order
    first = np.full(n_comp, n, dtype=np.int64)
    np.minimum.at(first, comp, rank)
    renumber = np.empty(n_comp, dtype=np.int64)
    renumber[np.argsort(first)] = np.arange(n_comp)
    labels = renumber[comp]
    sizes = np.bincount(labels)
    stats = {
        "ngrams": info["ngrams"],
        "candidate_pairs": n_cand,
        "pairs_verified_exactly": n_exact,
        "similar_pairs": int(i.size),
        "clusters": int(n_comp),
        "texts_in_multi_clusters": int((sizes[labels] > 1).sum()),
        "largest_cluster": int(sizes.max()),
        "seconds_shingles": round(info["seconds_shingles"], 3),
        "seconds_minhash": round(info["seconds_minhash"], 3),
        "seconds_lsh": round(t3 - t2, 3),
        "seconds_verify": round(sec_verify, 3),
        "seconds_clusters": round(time.perf_counter() - t4, 3),
    }
    return labels.astype(np.int64), stats


@signals.register("near_duplicate")
class NearDuplicate(TextSignal):
    """Two accounts post near-duplicate texts (MinHash Jaccard >= threshold) within the window.

    Parameters as `CoActionSignal` (window in seconds, default one hour), plus
    `min_chars`, the similarity `threshold` on character `ngram`-grams, and the
    MinHash/LSH sizes `num_perm` and `bands` (`num_perm // bands` rows a band).
    """

    name = "near_duplicate"
    description = "posting near-duplicate texts (MinHash on character n-grams) within the window"
    episodes = True

    def __init__(
        self,
        window: float | None = DEFAULT_TEXT_WINDOW,
        max_fanout: int | None = DEFAULT_MAX_FANOUT,
        min_activity: int = DEFAULT_MIN_ACTIVITY,
        alpha: float = DEFAULT_ALPHA,
        null: str = "shuffle",
        min_weight: float = 0.0,
        seed: int = 1,
        min_shared: int = DEFAULT_MIN_SHARED,
        min_chars: int = DEFAULT_MIN_CHARS,
        threshold: float = DEFAULT_THRESHOLD,
        ngram: int = DEFAULT_NGRAM,
        num_perm: int = DEFAULT_NUM_PERM,
        bands: int = DEFAULT_BANDS,
        shingles: str = DEFAULT_SHINGLES,
    ) -> None:
        super().__init__(window, max_fanout, min_activity, alpha, null, min_weight, seed, min_shared)
        self.min_chars = min_chars
        self.threshold = threshold
        self.ngram = ngram
        self.num_perm = num_perm
        self.bands = bands
        self.shingles = shingles
        self._con: duckdb.DuckDBPyConnection | None = None  # the connection being fitted on

    def fit(
        self, con: duckdb.DuckDBPyConnection, posts: str = "posts", accounts: str = "accounts"
    ) -> NearDuplicate:
        self._con = con
        try:
            with background_purge(con):
                super().fit(con, posts, accounts)
        finally:
            self._con = None
        return self

    def text_mapper(self) -> ObjectMapper:
        con = self._con

        def mapper(texts: pa.Array) -> tuple[IntArray, dict[str, Any]]:
            with duckdb_cache_dropped(con):
                return near_duplicate_clusters(
                    texts, self.threshold, self.ngram, self.num_perm, self.bands, self.seed, shingles=self.shingles
                )

        return mapper
