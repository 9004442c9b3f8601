"""near_duplicate: accounts posting near-identical texts within a time window.

Steps (all vectorised with numpy; no Python loop over n-grams):

1. distinct normalised texts of original posts (`infoops.detect.text.normalize`;
   reposts left out, texts shorter than `min_chars` dropped) -- deduplication
   first, so a text posted 10,000 times is hashed once;
2. character `ngram`-grams (work for Chinese without segmentation), each hashed
   to 64 bits; MinHash signatures of `num_perm` values from the multiply-shift
   family `(a*x + b) >> 32` (a odd, random from `seed`);
3. LSH: `bands` bands of `num_perm // bands` rows; texts sharing a band key are
   candidates. Inside a bucket, texts are ordered by their keys of the next
   two bands (so texts agreeing on more bands sit together) and each text is
   compared with the bucket's first text and its 6 successors (at most 7
   comparisons per text and band whatever the bucket size: templates shared
   by thousands cannot explode);
4. a candidate pair is a near-duplicate when its MinHash estimate of the
   Jaccard similarity is at least `threshold`; near-duplicates are joined into
   clusters (connected components, i.e. single linkage);
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

import re
import zlib
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from infoops.detect.coaction import DEFAULT_MAX_FANOUT, DEFAULT_MIN_ACTIVITY, DEFAULT_MIN_SHARED
from infoops.detect.nullmodel import DEFAULT_ALPHA
from infoops.detect.signals.identical_text import (
    DEFAULT_MIN_CHARS,
    DEFAULT_TEXT_WINDOW,
    ObjectMapper,
    TextSignal,
)
from infoops.detect.text import char_ngrams, jaccard
from infoops.registry import signals

DEFAULT_THRESHOLD = 0.8
DEFAULT_NGRAM = 3
DEFAULT_NUM_PERM = 64
DEFAULT_BANDS = 16
DEFAULT_NEIGHBOURS = 6
SHINGLES = ("chars", "words")
DEFAULT_SHINGLES = "chars"

U64 = np.uint64
_MIX1 = U64(0xBF58476D1CE4E5B9)
_MIX2 = U64(0x94D049BB133111EB)
# MinHash estimates within this margin of the threshold are checked exactly
# (3 standard deviations of a 64-value estimate near 0.8)
VERIFY_MARGIN = 0.15
# n-gram positions hashed per chunk (bounds the memory of the signature step)
_CHUNK = 1 << 20

UInt64Array = npt.NDArray[np.uint64]
UInt32Array = npt.NDArray[np.uint32]
IntArray = npt.NDArray[np.int64]


def _mix(x: UInt64Array) -> UInt64Array:
    """splitmix64 finaliser (in place on a fresh array)."""
    x ^= x >> U64(30)
    x *= _MIX1
    x ^= x >> U64(27)
    x *= _MIX2
    x ^= x >> U64(31)
    return x


def shingle_hashes(texts: list[str], n: int = DEFAULT_NGRAM) -> tuple[UInt64Array, IntArray]:
    """64-bit hashes of every character n-gram of every text, and where each text's run starts.

    Texts shorter than `n` are padded so that each text has at least one n-gram.
    Duplicate n-grams inside a text are kept (MinHash takes minima, so they do
    not matter).
    """
    if not texts:
        return np.zeros(0, dtype=U64), np.zeros(0, dtype=np.int64)
    padded = [t if len(t) >= n else t + "\x01" * (n - len(t)) for t in texts]
    codes = np.frombuffer("\x00".join(padded).encode("utf-32-le"), dtype=np.uint32).astype(U64)
    m = codes.size - n + 1
    valid = codes[:m] != 0
    h = codes[:m].copy()
    for j in range(1, n):
        c = codes[j : j + m]
        valid &= c != 0
        if j % 3 == 0:  # code points fit in 21 bits: pack three per word, then mix
            h = _mix(h) ^ c
        else:
            h |= c << U64(21 * (j % 3))
    h = _mix(h)
    lengths = np.fromiter((len(t) - n + 1 for t in padded), dtype=np.int64, count=len(padded))
    starts = np.zeros(len(padded), dtype=np.int64)
    np.cumsum(lengths[:-1], out=starts[1:])
    return h[valid], starts


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
    return _mix(np.asarray(flat, dtype=U64)), starts


def text_shingles(texts: list[str], shingles: str, ngram: int) -> tuple[UInt64Array, IntArray]:
    """Shingle hashes per text: character `ngram`-grams ("chars") or word tokens ("words")."""
    if shingles == "chars":
        return shingle_hashes(texts, ngram)
    if shingles == "words":
        return word_hashes(texts)
    raise ValueError(f"shingles must be one of {SHINGLES}, got {shingles!r}")


def minhash_signatures(
    hashes: UInt64Array, starts: IntArray, num_perm: int = DEFAULT_NUM_PERM, seed: int = 1
) -> UInt32Array:
    """MinHash signature (n_texts x num_perm, uint32) of each text's n-gram hashes."""
    n_texts = starts.size
    sig = np.empty((n_texts, num_perm), dtype=np.uint32)
    if n_texts == 0:
        return sig
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 2**63, size=num_perm, dtype=np.uint64) * U64(2) + U64(1)
    b = rng.integers(0, 2**63, size=num_perm, dtype=np.uint64)
    ends = np.append(starts[1:], hashes.size)
    longest = int((ends - starts).max())
    buf = np.empty(max(_CHUNK, longest) + longest, dtype=U64)
    lo = 0
    while lo < n_texts:
        # a chunk of whole texts holding about _CHUNK n-grams
        hi = int(np.searchsorted(starts, starts[lo] + _CHUNK, side="right"))
        hi = max(hi, lo + 1)
        h = hashes[starts[lo] : ends[hi - 1]]
        local = starts[lo:hi] - starts[lo]
        v = buf[: h.size]
        for k in range(num_perm):
            np.multiply(h, a[k], out=v)
            np.add(v, b[k], out=v)
            np.right_shift(v, U64(32), out=v)
            sig[lo:hi, k] = np.minimum.reduceat(v, local)
        lo = hi
    return sig


def band_keys(sig: UInt32Array, bands: int = DEFAULT_BANDS) -> UInt64Array:
    """One 64-bit key per text and band (n_texts x bands): a hash of the band's rows."""
    n, num_perm = sig.shape
    rows = num_perm // bands
    mult = _mix(np.arange(1, rows + 1, dtype=U64)) | U64(1)
    keys = np.empty((n, bands), dtype=U64)
    for band in range(bands):
        block = sig[:, band * rows : (band + 1) * rows].astype(U64)
        keys[:, band] = _mix((block * mult).sum(axis=1, dtype=U64) + U64(band))
    return keys


def lsh_candidates(
    sig: UInt32Array, bands: int = DEFAULT_BANDS, neighbours: int = DEFAULT_NEIGHBOURS
) -> tuple[IntArray, IntArray]:
    """Candidate pairs (i < j) of texts sharing a band key, at most `neighbours` + 1 per text and band.

    Inside the bucket of band b, texts are ordered by their keys of the next two
    bands (texts agreeing there too sit next to each other), and each text is
    paired with the bucket's first text and its `neighbours` successors.
    """
    n, num_perm = sig.shape
    if n < 2 or num_perm // bands < 1:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    keys = band_keys(sig, bands)
    pos = np.arange(n)
    left: list[IntArray] = []
    right: list[IntArray] = []
    for band in range(bands):
        order = np.lexsort((keys[:, (band + 2) % bands], keys[:, (band + 1) % bands], keys[:, band]))
        ks = keys[order, band]
        new_bucket = np.ones(n, dtype=bool)
        new_bucket[1:] = ks[1:] != ks[:-1]
        if new_bucket.all():
            continue
        head = np.maximum.accumulate(np.where(new_bucket, pos, 0))
        for d in range(1, neighbours + 1):  # successors inside the same bucket
            same = np.flatnonzero(head[d:] == head[:-d])
            left.append(order[same])
            right.append(order[same + d])
        far = head < pos - neighbours  # members not already paired with the head
        left.append(order[head[far]])
        right.append(order[far])
    if not left:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    i = np.concatenate(left).astype(np.int64)
    j = np.concatenate(right).astype(np.int64)
    key = np.minimum(i, j) * n + np.maximum(i, j)  # one int64 per pair
    key.sort()  # sort + adjacent compare: far faster here than np.unique's hash path
    key = key[np.concatenate(([True], key[1:] != key[:-1]))]
    return key // n, key % n


def estimated_jaccard(
    sig: UInt32Array, i: IntArray, j: IntArray, chunk: int = 1 << 18, floor: float | None = None
) -> npt.NDArray[np.float64]:
    """MinHash estimate of the Jaccard similarity of text pairs (i[k], j[k]).

    With `floor`, pairs whose estimate from the first 16 values is more than
    0.3 below it keep that rough estimate (they cannot reach the floor) and
    only the rest are compared on every value.
    """
    out = np.empty(i.size, dtype=np.float64)
    first = min(16, sig.shape[1])
    for lo in range(0, i.size, chunk):
        a, b = i[lo : lo + chunk], j[lo : lo + chunk]
        if floor is None or first == sig.shape[1]:
            out[lo : lo + a.size] = (sig[a] == sig[b]).mean(axis=1)
            continue
        rough = (sig[a, :first] == sig[b, :first]).mean(axis=1)
        keep = np.flatnonzero(rough >= floor - 0.3)
        rough[keep] = (sig[a[keep]] == sig[b[keep]]).mean(axis=1)
        out[lo : lo + a.size] = rough
    return out


def exact_jaccard(
    texts: list[str], i: IntArray, j: IntArray, n: int = DEFAULT_NGRAM
) -> npt.NDArray[np.float64]:
    """Exact Jaccard similarity of the character n-gram sets of text pairs (i[k], j[k])."""
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


def hashed_jaccard(hashes: UInt64Array, starts: IntArray, i: IntArray, j: IntArray) -> npt.NDArray[np.float64]:
    """Jaccard similarity of the n-gram hash sets of text pairs (exact up to 64-bit collisions)."""
    ends = np.append(starts[1:], hashes.size)
    cache: dict[int, set[int]] = {}

    def grams(k: int) -> set[int]:
        g = cache.get(k)
        if g is None:
            g = cache[k] = set(hashes[starts[k] : ends[k]].tolist())
        return g

    def sim(a: int, b: int) -> float:
        ga, gb = grams(a), grams(b)
        inter = len(ga & gb)
        return inter / (len(ga) + len(gb) - inter)

    return np.fromiter((sim(a, b) for a, b in zip(i.tolist(), j.tolist(), strict=True)), dtype=np.float64, count=i.size)


def near_duplicate_clusters(
    texts: list[str],
    threshold: float = DEFAULT_THRESHOLD,
    ngram: int = DEFAULT_NGRAM,
    num_perm: int = DEFAULT_NUM_PERM,
    bands: int = DEFAULT_BANDS,
    seed: int = 1,
    neighbours: int = DEFAULT_NEIGHBOURS,
    shingles: str = DEFAULT_SHINGLES,
) -> tuple[IntArray, dict[str, Any]]:
    """Cluster id of each (distinct) text: connected components of the near-duplicate pairs."""
    n = len(texts)
    if n == 0:
        return np.zeros(0, dtype=np.int64), {
            "candidate_pairs": 0,
            "similar_pairs": 0,
            "clusters": 0,
        }
    order = np.argsort(np.asarray(texts, dtype=object), kind="stable")  # results independent of input order
    texts = [texts[k] for k in order]
    h, starts = text_shingles(texts, shingles, ngram)
    sig = minhash_signatures(h, starts, num_perm, seed)
    i, j = lsh_candidates(sig, bands, neighbours)
    est = estimated_jaccard(sig, i, j, floor=threshold - VERIFY_MARGIN)
    ok = est >= threshold + VERIFY_MARGIN
    unsure = np.flatnonzero((est >= threshold - VERIFY_MARGIN) & ~ok)
    if unsure.size:
        ok[unsure] = hashed_jaccard(h, starts, i[unsure], j[unsure]) >= threshold
    graph = coo_matrix((np.ones(int(ok.sum()), dtype=np.int8), (i[ok], j[ok])), shape=(n, n))
    n_comp, sorted_labels = connected_components(graph, directed=False)
    labels = np.empty(n, dtype=np.int64)
    labels[order] = sorted_labels
    sizes = np.bincount(labels)
    stats = {
        "ngrams": int(h.size),
        "candidate_pairs": int(i.size),
        "pairs_verified_exactly": int(unsure.size),
        "similar_pairs": int(ok.sum()),
        "clusters": int(n_comp),
        "texts_in_multi_clusters": int((sizes[labels] > 1).sum()),
        "largest_cluster": int(sizes.max()),
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

    def text_mapper(self) -> ObjectMapper:
        def mapper(texts: list[str]) -> tuple[IntArray, dict[str, Any]]:
            return near_duplicate_clusters(
                texts, self.threshold, self.ngram, self.num_perm, self.bands, self.seed, shingles=self.shingles
            )

        return mapper
