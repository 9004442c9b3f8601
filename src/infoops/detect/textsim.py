"""Compiled kernels (numba) for the near-duplicate text signal.

Shingles are 64-bit hashes in CSR form: `hashes` holds each text's run,
`bounds` (int64, n + 1) where each run starts and ends. The kernels:

- `char_shingle_sets`: character n-gram hashes of texts given as UTF-32 code
  points (three 21-bit code points packed to a word, splitmix64 finaliser; a
  text shorter than n is padded to one n-gram); `run_hashes`: a 64-bit hash
  of each text's shingle multiset (the texts' canonical rank);
- `kmins_band_keys`: k-mins MinHash, ``min((a_r x + b_r) mod 2**32)`` for k
  odd multipliers a_r (SIMD over r), one 64-bit key per band of k // bands
  values, and the lowest 8 bits of every value (b-bit MinHash);
- `lsh_pairs`: candidate pairs of texts sharing a band key, explosion-safe
  (open addressing per band, only texts in shared buckets are sorted; at most
  `neighbours` + 1 pairs per text and band); `lsh_band_pairs`: one band's,
  counted before they are made (exact int32 arrays, no growing buffers);
- `verify_pairs`: b-bit MinHash estimate first, exact Jaccard of the shingle
  sets (runs sorted and de-duplicated on first use, then merged) for the
  candidates that can reach the threshold; `verify_pairs_lazy`: the same with
  shingles made only for the texts whose pairs pass the estimate.

Kernels compile on first use and are cached next to this file (`cache=True`).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import numpy.typing as npt
from numba import njit

UInt64Array = npt.NDArray[np.uint64]
UInt32Array = npt.NDArray[np.uint32]
IntArray = npt.NDArray[np.int64]
# candidate pair indices: int64, or int32 where the texts fit
PairIndex = npt.NDArray[np.signedinteger[Any]]

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLD = np.uint64(0x9E3779B97F4A7C15)


@njit(cache=True, inline="always")
def _mix(x: np.uint64) -> np.uint64:  # pragma: no cover - compiled
    """splitmix64 finaliser."""
    x = (x ^ (x >> np.uint64(30))) * _M1
    x = (x ^ (x >> np.uint64(27))) * _M2
    return x ^ (x >> np.uint64(31))


@njit(cache=True, nogil=True)
def sort_run_inplace(hashes: UInt64Array, lo: int, hi: int) -> int:  # pragma: no cover - compiled
    """Sort hashes[lo:hi] and move its distinct values to the front; returns how many there are."""
    if hi <= lo:
        return 0
    seg = hashes[lo:hi]
    seg.sort()
    u = 1
    for i in range(1, hi - lo):
        if seg[i] != seg[u - 1]:
            seg[u] = seg[i]
            u += 1
    return u


@njit(cache=True, nogil=True)
def char_shingle_sets(
    codes: UInt32Array, offsets: IntArray, order: IntArray, n: int, distinct: bool
) -> tuple[UInt64Array, IntArray]:  # pragma: no cover - compiled
    """Character `n`-gram hashes of texts `order[0], order[1], ...`; returns (hashes, bounds).

    Text t is `codes[offsets[t]:offsets[t + 1]]`; a text shorter than n is
    padded with code point 1 to one n-gram. With `distinct`, each run is
    sorted and repeats are dropped; otherwise runs are in text order, repeats
    kept (`sort_run_inplace` later, where needed).
    """
    m = order.size
    total = 0
    for k in range(m):
        t = order[k]
        total += max(offsets[t + 1] - offsets[t] - n + 1, 1)
    out = np.empty(total, dtype=np.uint64)
    bounds = np.empty(m + 1, dtype=np.int64)
    pos = 0
    for k in range(m):
        t = order[k]
        a = offsets[t]
        length = offsets[t + 1] - a
        count = max(length - n + 1, 1)
        bounds[k] = pos
        for i in range(count):
            # code points fit in 21 bits: three to a word, mixed between words
            h = np.uint64(n)
            for j in range(n):
                c = np.uint64(codes[a + i + j]) if i + j < length else np.uint64(1)
                if j % 3 == 0 and j > 0:
                    h = _mix(h)
                h ^= c << np.uint64(21 * (j % 3) + 1)
            out[pos + i] = _mix(h)
        pos += sort_run_inplace(out, pos, pos + count) if distinct else count
    bounds[m] = pos
    return out[:pos].copy(), bounds


@njit(cache=True, nogil=True)
def utf8_code_points(data: npt.NDArray[np.uint8], offsets: IntArray) -> tuple[UInt32Array, IntArray]:  # pragma: no cover
    """Decode valid UTF-8 strings (Arrow layout: `data` bytes, n + 1 byte `offsets`) to code points.

    Returns the code points of all strings and where each string starts and
    ends in them (n + 1 offsets), as `utf32` does for Python strings.
    """
    n = offsets.size - 1
    codes = np.empty(offsets[n] - offsets[0], dtype=np.uint32)
    out = np.empty(n + 1, dtype=np.int64)
    q = 0
    for t in range(n):
        out[t] = q
        p = offsets[t]
        end = offsets[t + 1]
        while p < end:
            b0 = np.uint32(data[p])
            if b0 < 0x80:
                c = b0
                p += 1
            elif b0 < 0xE0:
                c = ((b0 & 0x1F) << 6) | (np.uint32(data[p + 1]) & 0x3F)
                p += 2
            elif b0 < 0xF0:
                c = ((b0 & 0x0F) << 12) | ((np.uint32(data[p + 1]) & 0x3F) << 6) | (np.uint32(data[p + 2]) & 0x3F)
                p += 3
            else:
                c = (
                    ((b0 & 0x07) << 18)
                    | ((np.uint32(data[p + 1]) & 0x3F) << 12)
                    | ((np.uint32(data[p + 2]) & 0x3F) << 6)
                    | (np.uint32(data[p + 3]) & 0x3F)
                )
                p += 4
            codes[q] = c
            q += 1
    out[n] = q
    return codes[:q].copy(), out


@njit(cache=True, nogil=True)
def utf8_lengths(data: npt.NDArray[np.uint8], offsets: IntArray) -> IntArray:  # pragma: no cover - compiled
    """Number of code points of each valid UTF-8 string (Arrow layout), without decoding them."""
    n = offsets.size - 1
    out = np.zeros(n, dtype=np.int64)
    for t in range(n):
        c = 0
        for p in range(offsets[t], offsets[t + 1]):
            c += (data[p] & 0xC0) != 0x80
        out[t] = c
    return out


@njit(cache=True, nogil=True)
def run_hashes(hashes: UInt64Array, bounds: IntArray) -> UInt64Array:  # pragma: no cover - compiled
    """64-bit hash of each run's multiset of shingle hashes (order-free sum of mixed values, and its size)."""
    m = bounds.size - 1
    out = np.empty(m, dtype=np.uint64)
    for t in range(m):
        acc = np.uint64(0)
        for p in range(bounds[t], bounds[t + 1]):
            x = hashes[p]
            acc += (x ^ (x >> np.uint64(29))) * _M1
        out[t] = _mix(acc ^ np.uint64(bounds[t + 1] - bounds[t]))
    return out


@njit(cache=True, nogil=True)
def _multipliers(k: int, seed: int) -> tuple[UInt32Array, UInt32Array]:  # pragma: no cover - compiled
    state = _mix(np.uint64(seed) + _GOLD)
    a = np.empty(k, dtype=np.uint32)
    b = np.empty(k, dtype=np.uint32)
    for r in range(k):
        state = _mix(state + _GOLD)
        a[r] = np.uint32(state & np.uint64(0xFFFFFFFF)) | np.uint32(1)
        b[r] = np.uint32(state >> np.uint64(32))
    return a, b


@njit(cache=True, nogil=True)
def kmins_fill(
    hashes: UInt64Array,
    bounds: IntArray,
    seed: int,
    lo: int,
    hi: int,
    keys: UInt64Array,
    low: npt.NDArray[np.uint8],
    at: int = 0,
) -> None:  # pragma: no cover - compiled
    """`kmins_band_keys` for texts lo..hi-1, written into `keys` and `low` at columns/rows ``at + t``
    (threads may fill disjoint ranges; `at` places a chunk of texts in arrays of all texts)."""
    bands = keys.shape[0]
    k = low.shape[1]
    rows = k // bands
    a, b = _multipliers(k, seed)
    sig = np.empty(k, dtype=np.uint32)
    s = _mix(np.uint64(seed) ^ _M2)
    for t in range(lo, hi):
        sig[:] = np.uint32(0xFFFFFFFF)
        for p in range(bounds[t], bounds[t + 1]):
            x = np.uint32(hashes[p] >> np.uint64(32))
            for r in range(k):
                v = np.uint32(a[r] * x + b[r])
                if v < sig[r]:
                    sig[r] = v
        for g in range(bands):
            acc = _mix(np.uint64(g) + s)
            for r in range(rows):
                acc = _mix(acc ^ np.uint64(sig[g * rows + r]))
            keys[g, at + t] = acc
        for r in range(k):
            low[at + t, r] = np.uint8(sig[r] & np.uint32(0xFF))


def kmins_band_keys(
    hashes: UInt64Array, bounds: IntArray, k: int, bands: int, seed: int, threads: int = 1
) -> tuple[UInt64Array, npt.NDArray[np.uint8]]:
    """One 64-bit key per band and text (bands x n) of a k-mins MinHash signature (k // bands rows a band).

    Value r of a text is ``min((a_r x + b_r) mod 2**32)`` over its shingles x
    (the upper 32 bits of each shingle hash; a_r odd, from `seed`): k
    permutations of a random 32-bit code, computed 16 at a time (SIMD).
    Also returns the lowest 8 bits of every value (n x k, "b-bit MinHash"),
    enough to estimate the similarity of candidate pairs cheaply.
    """
    m = bounds.size - 1
    keys = np.empty((bands, m), dtype=np.uint64)
    low = np.empty((m, k), dtype=np.uint8)
    in_parallel(lambda lo, hi: kmins_fill(hashes, bounds, seed, lo, hi, keys, low), m, threads)
    return keys, low


def in_parallel(work: Callable[[int, int], Any], n: int, threads: int, min_items: int = 1000) -> list[Any]:
    """work(lo, hi) over `threads` contiguous slices of range(n), in threads (the kernels release the GIL).

    Runs in the calling thread alone when n < min_items (threads would cost more than they save).
    """
    threads = min(threads, n)
    cuts = [n * q // max(threads, 1) for q in range(max(threads, 1) + 1)]
    if threads <= 1 or n < min_items:
        return [work(0, n)]
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(work, cuts[:-1], cuts[1:]))


@njit(cache=True, nogil=True)
def _lsh_bits(n: int) -> tuple[int, int, int]:  # pragma: no cover - compiled
    """(slot_bits, idx_bits, mid_bits) of `n` texts: hash-table slots (at least 2n), text ranks, next-band key."""
    size = 1
    while size < 2 * n:
        size <<= 1
    slot_bits = 0
    while (1 << slot_bits) < size:
        slot_bits += 1
    idx_bits = 1
    while (1 << idx_bits) < n:
        idx_bits += 1
    return slot_bits, idx_bits, 64 - slot_bits - idx_bits


@njit(cache=True, nogil=True)
def band_members(keys: UInt64Array, rank: IntArray, band: int) -> UInt64Array:  # pragma: no cover - compiled
    """Texts sharing their key of `band` with another text, sorted by (bucket, key of the next band, rank).

    Each is one word: bucket slot (top `slot_bits`), the next band's key's top
    `mid_bits`, the text's rank (low `idx_bits`), as `_lsh_bits` gives them. The
    open-addressing table is local: freed before the band's pairs are made.
    """
    bands, n = keys.shape
    slot_bits, idx_bits, mid_bits = _lsh_bits(n)
    mask = (1 << slot_bits) - 1
    nxt = (band + 1) % bands
    slot_key = np.empty(1 << slot_bits, dtype=np.uint64)
    slot_count = np.zeros(1 << slot_bits, dtype=np.int32)  # 0: slot free
    where = np.empty(n, dtype=np.int32)
    col = keys[band]
    for i in range(n):
        x = col[i]
        p = np.int64(_mix(x) >> np.uint64(1)) & mask
        while slot_count[p] > 0 and slot_key[p] != x:
            p = (p + 1) & mask
        if slot_count[p] == 0:
            slot_key[p] = x
        slot_count[p] += 1
        where[i] = p
    m = 0
    for i in range(n):
        if slot_count[where[i]] > 1:
            m += 1
    comp = np.empty(m, dtype=np.uint64)
    q = 0
    for i in range(n):
        p = where[i]
        if slot_count[p] > 1:
            mid = (keys[nxt, i] >> np.uint64(64 - mid_bits)) if mid_bits > 0 else np.uint64(0)
            comp[q] = (np.uint64(p) << np.uint64(64 - slot_bits)) | (mid << np.uint64(idx_bits)) | np.uint64(rank[i])
            q += 1
    comp.sort()
    return comp


@njit(cache=True, nogil=True)
def band_pair_count(comp: UInt64Array, n: int, neighbours: int) -> int:  # pragma: no cover - compiled
    """How many pairs `band_pairs_fill` makes of `band_members`' output (n texts)."""
    slot_bits = _lsh_bits(n)[0]
    shift = np.uint64(64 - slot_bits)
    m = comp.size
    count = 0
    head = 0
    for a in range(m):
        slot_a = comp[a] >> shift
        if slot_a != comp[head] >> shift:
            head = a
        for d in range(1, neighbours + 1):
            b = a + d
            if b >= m or (comp[b] >> shift) != slot_a:
                break
            count += 1
        if a - head > neighbours:
            count += 1
    return count


@njit(cache=True, nogil=True)
def band_pairs_fill(
    comp: UInt64Array, n: int, text_of: IntArray, neighbours: int, left: PairIndex, right: PairIndex, start: int
) -> int:  # pragma: no cover - compiled
    """Pairs of a band (see `lsh_pairs`) written into left/right from `start`; returns the end."""
    slot_bits, idx_bits, _ = _lsh_bits(n)
    shift = np.uint64(64 - slot_bits)
    idx_mask = np.uint64((1 << idx_bits) - 1)
    m = comp.size
    npairs = start
    head = 0
    for a in range(m):
        slot_a = comp[a] >> shift
        if slot_a != comp[head] >> shift:
            head = a
        ia = text_of[np.int64(comp[a] & idx_mask)]
        for d in range(1, neighbours + 1):
            b = a + d
            if b >= m or (comp[b] >> shift) != slot_a:
                break
            ib = text_of[np.int64(comp[b] & idx_mask)]
            left[npairs] = min(ia, ib)
            right[npairs] = max(ia, ib)
            npairs += 1
        if a - head > neighbours:
            ih = text_of[np.int64(comp[head] & idx_mask)]
            left[npairs] = min(ia, ih)
            right[npairs] = max(ia, ih)
            npairs += 1
    return npairs


def text_order(rank: IntArray) -> IntArray:
    """The text of each rank (the inverse permutation of `rank`)."""
    text_of = np.empty(rank.size, dtype=np.int64)
    text_of[rank] = np.arange(rank.size, dtype=np.int64)
    return text_of


def lsh_band_pairs(
    keys: UInt64Array, rank: IntArray, text_of: IntArray, neighbours: int, band: int
) -> tuple[PairIndex, PairIndex]:
    """`lsh_pairs` of one band, as int32 where the texts fit (int64 otherwise); arrays sized exactly.

    The pairs are counted before they are made, so no buffer grows past them
    and nothing is copied (at 10M posts a band has millions of pairs).
    """
    n = keys.shape[1]
    comp = band_members(keys, rank, band)
    count = band_pair_count(comp, n, neighbours)
    dtype: type[np.signedinteger[Any]] = np.int32 if n < 2**31 else np.int64
    left: PairIndex = np.empty(count, dtype=dtype)
    right: PairIndex = np.empty(count, dtype=dtype)
    band_pairs_fill(comp, n, text_of, neighbours, left, right, 0)
    return left, right


@njit(cache=True, nogil=True)
def lsh_pairs(
    keys: UInt64Array, rank: IntArray, neighbours: int, band_lo: int = 0, band_hi: int = -1
) -> tuple[IntArray, IntArray]:  # pragma: no cover - compiled
    """Candidate pairs (i < j, repeats possible) of texts sharing a band key.

    Per band, texts alone in their bucket are skipped; the others are sorted
    by (bucket, key of the next band, `rank`) and each pairs with its bucket's
    first text and its `neighbours` successors: at most ``neighbours + 1``
    pairs per text and band, whatever the bucket size. `rank` (a permutation
    of the texts, from their content) makes the pairs independent of the
    order texts come in. Only bands band_lo..band_hi-1 (all by default).
    """
    bands, n = keys.shape
    if band_hi < 0:
        band_hi = bands
    text_of = np.empty(n, dtype=np.int64)
    for i in range(n):
        text_of[rank[i]] = i
    members = []
    total = 0
    for band in range(band_lo, band_hi):
        comp = band_members(keys, rank, band)
        total += band_pair_count(comp, n, neighbours)
        members.append(comp)
    left = np.empty(total, dtype=np.int64)
    right = np.empty(total, dtype=np.int64)
    pos = 0
    for comp in members:
        pos = band_pairs_fill(comp, n, text_of, neighbours, left, right, pos)
    return left, right


@njit(cache=True, nogil=True)
def bbit_check(
    low: npt.NDArray[np.uint8],
    k0: int,
    i: PairIndex,
    j: PairIndex,
    floor0: float,
    floor: float,
    lo: int,
    hi: int,
    out: npt.NDArray[np.float64],
    needed: npt.NDArray[np.bool_],
) -> None:  # pragma: no cover - compiled
    """Pairs lo..hi-1: out = -1 where the b-bit estimate on the first `k0` values is below `floor0` or on
    all values below `floor`; else -2, both texts marked in `needed`."""
    k = low.shape[1]
    k0 = min(k0, k)
    chance = 1.0 / 256.0
    need0 = (floor0 * (1.0 - chance) + chance) * k0
    need = (floor * (1.0 - chance) + chance) * k
    for p in range(lo, hi):
        a, b = i[p], j[p]
        same = 0
        for r in range(k0):
            same += low[a, r] == low[b, r]
        if same < need0:
            out[p] = -1.0
            continue
        for r in range(k0, k):
            same += low[a, r] == low[b, r]
        if same < need:
            out[p] = -1.0
            continue
        out[p] = -2.0
        needed[a] = True
        needed[b] = True


@njit(cache=True, nogil=True)
def sort_needed(
    hashes: UInt64Array, bounds: IntArray, needed: npt.NDArray[np.bool_], lo: int, hi: int, distinct: IntArray
) -> None:  # pragma: no cover - compiled
    """Sort and de-duplicate the runs of the needed texts lo..hi-1 in place; their distinct sizes into `distinct`."""
    for t in range(lo, hi):
        if needed[t]:
            distinct[t] = sort_run_inplace(hashes, bounds[t], bounds[t + 1])


@njit(cache=True, nogil=True)
def exact_check(
    hashes: UInt64Array,
    bounds: IntArray,
    distinct: IntArray,
    run: IntArray,
    i: PairIndex,
    j: PairIndex,
    threshold: float,
    lo: int,
    hi: int,
    out: npt.NDArray[np.float64],
) -> None:  # pragma: no cover - compiled
    """Pairs lo..hi-1 marked -2: exact Jaccard of the sorted distinct runs (min/max size where sizes rule it out).

    Text t's run is number ``run[t]`` of `hashes`/`bounds`; `distinct` is indexed by run.
    """
    for p in range(lo, hi):
        if out[p] != -2.0:
            continue
        a, b = run[i[p]], run[j[p]]
        la, lb = distinct[a], distinct[b]
        small, big = min(la, lb), max(la, lb)
        if big == 0 or small < threshold * big:
            out[p] = small / big if big else 0.0
            continue
        a0, a1, b0, b1 = bounds[a], bounds[a] + la, bounds[b], bounds[b] + lb
        inter = 0
        while a0 < a1 and b0 < b1:
            x, y = hashes[a0], hashes[b0]
            if x == y:
                inter += 1
                a0 += 1
                b0 += 1
            elif x < y:
                a0 += 1
            else:
                b0 += 1
        out[p] = inter / (la + lb - inter)


def bbit_filter(
    low: npt.NDArray[np.uint8], i: PairIndex, j: PairIndex, threshold: float, margin: float, threads: int = 1
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """The b-bit MinHash pre-check of `verify_pairs`: (-1 for dropped pairs, -2 for the others; texts needed)."""
    out = np.empty(i.size, dtype=np.float64)
    needed = np.zeros(low.shape[0], dtype=np.bool_)
    in_parallel(
        # a rough first check on 32 values (read in place: a copy would be 32 bytes a text)
        lambda lo, hi: bbit_check(low, 32, i, j, threshold - 2 * margin, threshold - margin, lo, hi, out, needed),
        i.size,
        threads,
    )
    return out, needed


def exact_pairs(
    hashes: UInt64Array,
    bounds: IntArray,
    sort: npt.NDArray[np.bool_],
    run: IntArray,
    i: PairIndex,
    j: PairIndex,
    threshold: float,
    out: npt.NDArray[np.float64],
    threads: int = 1,
) -> None:
    """The exact stage of `verify_pairs`: the runs marked in `sort` sorted and de-duplicated in place,
    then the pairs marked -2 in `out` get their exact Jaccard (text t's run is ``run[t]``)."""
    distinct = np.full(bounds.size - 1, -1, dtype=np.int64)
    in_parallel(lambda lo, hi: sort_needed(hashes, bounds, sort, lo, hi, distinct), bounds.size - 1, threads)
    in_parallel(lambda lo, hi: exact_check(hashes, bounds, distinct, run, i, j, threshold, lo, hi, out), i.size, threads)


def verify_pairs(
    hashes: UInt64Array,
    bounds: IntArray,
    low: npt.NDArray[np.uint8],
    i: PairIndex,
    j: PairIndex,
    threshold: float,
    margin: float,
    threads: int = 1,
) -> npt.NDArray[np.float64]:
    """Similarity of candidate pairs: exact Jaccard where it can reach `threshold`, else -1 or an upper bound.

    Pairs whose b-bit MinHash estimate (8 bits of k values, chance agreement
    1/256 removed) is below ``threshold - margin`` get -1 (first checked on
    32 values against ``threshold - 2 margin``). The others get the exact
    Jaccard of their shingle sets: the runs of the texts involved are sorted
    and de-duplicated in place (`hashes` is modified), and pairs whose
    distinct sizes rule out the threshold get min/max size.
    """
    out, needed = bbit_filter(low, i, j, threshold, margin, threads)
    run = np.arange(bounds.size - 1, dtype=np.int64)
    exact_pairs(hashes, bounds, needed, run, i, j, threshold, out, threads)
    return out


def verify_pairs_lazy(
    runs: Callable[[IntArray], tuple[UInt64Array, IntArray]],
    low: npt.NDArray[np.uint8],
    i: PairIndex,
    j: PairIndex,
    threshold: float,
    margin: float,
    threads: int = 1,
) -> tuple[npt.NDArray[np.float64], int]:
    """`verify_pairs` without every text's shingles at hand: ``runs(texts)`` makes the shingle
    hashes (CSR: hashes, n + 1 bounds) of the texts that pass the b-bit check, and only of them.

    Same result as `verify_pairs` on the shingles of all texts; also returns
    how many texts needed their shingles.
    """
    out, needed = bbit_filter(low, i, j, threshold, margin, threads)
    texts = np.flatnonzero(needed)
    del needed
    hashes, bounds = runs(texts)
    run = np.full(low.shape[0], -1, dtype=np.int64)
    run[texts] = np.arange(texts.size, dtype=np.int64)
    exact_pairs(hashes, bounds, np.ones(texts.size, dtype=np.bool_), run, i, j, threshold, out, threads)
    return out, int(texts.size)
