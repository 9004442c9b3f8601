"""Compiled inner loops of the local co-action engine (`infoops.detect.local`), numba, cached.

The pairing step emits every co-action as one packed 64-bit key
`(src << (b_acc + b_lab)) | (dst << b_lab) | object_label`. When a pair needs
`min_shared` distinct objects, a first pass counts the pairs in a small hashed
table (saturating 8-bit counts: a bucket over-counts, never under-counts) and
the second pass writes only the rows whose bucket reached `min_shared`, which
the sort then compacts.

Compiled once per machine (`cache=True`: next to this file, or in numba's
per-user cache when the package directory is read-only).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit

I64 = npt.NDArray[np.int64]

_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xC2B2AE3D27D4EB4F)


@njit(cache=True, nogil=True)
def _bucket(lo: int, hi: int, shift: int) -> int:  # pragma: no cover - compiled
    h = (np.uint64(lo) * _M1) ^ (np.uint64(hi) * _M2)
    return int(h >> np.uint64(shift))


@njit(cache=True, nogil=True)
def count_pairs(acc: I64, cnt: I64, table_bits: int) -> npt.NDArray[np.uint8]:  # pragma: no cover
    """Saturating count of each (src, dst) pair's co-actions, in 2**table_bits hashed buckets."""
    table = np.zeros(1 << table_bits, dtype=np.uint8)
    shift = 64 - table_bits
    for i in range(acc.size):
        a = acc[i]
        for k in range(1, cnt[i] + 1):
            b = acc[i + k]
            if a == b:
                continue
            h = _bucket(min(a, b), max(a, b), shift)
            if table[h] < 255:
                table[h] += 1
    return table


@njit(cache=True, nogil=True)
def emit_keys(
    acc: I64,
    lab: I64,
    cnt: I64,
    lo_i: int,
    hi_i: int,
    b_acc: int,
    b_lab: int,
    table: npt.NDArray[np.uint8],
    table_bits: int,
    min_count: int,
    src_lo: int,
    src_hi: int,
) -> I64:  # pragma: no cover - compiled
    """Packed keys of the co-actions of actions lo_i..hi_i-1 (a != b) whose pair bucket holds
    >= min_count (0: all) and whose first account is in [src_lo, src_hi), in a buffer of one
    slot per co-action, trimmed (a copy when less than 3/4 of it is used)."""
    shift = 64 - table_bits
    out = np.empty(cnt[lo_i:hi_i].sum(), dtype=np.int64)
    n = 0
    s1 = b_acc + b_lab
    for i in range(lo_i, hi_i):
        a = acc[i]
        la = lab[i]
        for k in range(1, cnt[i] + 1):
            b = acc[i + k]
            if a == b:
                continue
            lo, hi = min(a, b), max(a, b)
            if lo < src_lo or lo >= src_hi:
                continue
            if min_count > 0 and table[_bucket(lo, hi, shift)] < min_count:
                continue
            out[n] = (lo << s1) | (hi << b_lab) | la
            n += 1
    if 4 * n >= 3 * out.size:
        return out[:n]
    return out[:n].copy()


@njit(cache=True, nogil=True)
def _pair_end(key: I64, i: int, b_lab: int) -> tuple[int, int]:  # pragma: no cover - compiled
    """End of the pair starting at sorted key i, and its number of distinct objects."""
    p = key[i] >> b_lab
    c = 0
    prev = -1
    while i < key.size and (key[i] >> b_lab) == p:
        if key[i] != prev:
            c += 1
            prev = key[i]
        i += 1
    return i, c


@njit(cache=True, nogil=True)
def count_groups(key: I64, b_lab: int, min_shared: int) -> tuple[int, int]:  # pragma: no cover
    """Pairs with >= min_shared distinct objects in sorted packed keys, and their rows."""
    n_pairs = 0
    n_rows = 0
    i = 0
    while i < key.size:
        i, c = _pair_end(key, i, b_lab)
        if c >= min_shared:
            n_pairs += 1
            n_rows += c
    return n_pairs, n_rows


@njit(cache=True, nogil=True)
def group_into(
    key: I64,
    b_acc: int,
    b_lab: int,
    idf: npt.NDArray[np.float64],
    min_shared: int,
    src: I64,
    dst: I64,
    n_ev: I64,
    dot: npt.NDArray[np.float64],
    starts: I64,
    rows: I64,
    p0: int,
    r0: int,
) -> tuple[int, int]:  # pragma: no cover - compiled
    """Sorted packed keys -> per pair (>= min_shared distinct objects) written from index p0:
    src, dst, n_events, sum of idf (in object label order), first row; and from row r0 the
    object label of each distinct (pair, object) row. Returns the end indices."""
    lab_mask = (1 << b_lab) - 1
    acc_mask = (1 << b_acc) - 1
    n_pairs = p0
    n_rows = r0
    i = 0
    while i < key.size:
        end, c = _pair_end(key, i, b_lab)
        if c >= min_shared:
            p = key[i] >> b_lab
            src[n_pairs] = p >> b_acc
            dst[n_pairs] = p & acc_mask
            n_ev[n_pairs] = c
            starts[n_pairs] = n_rows
            s = 0.0
            prev = -1
            for j in range(i, end):
                if key[j] != prev:
                    lab = key[j] & lab_mask
                    rows[n_rows] = lab
                    n_rows += 1
                    s += idf[lab]
                    prev = key[j]
            dot[n_pairs] = s
            n_pairs += 1
        i = end
    return n_pairs, n_rows


@njit(cache=True, nogil=True)
def group_sorted(
    key: I64, b_acc: int, b_lab: int, idf: npt.NDArray[np.float64], min_shared: int
) -> tuple[I64, I64, I64, npt.NDArray[np.float64], I64, I64]:  # pragma: no cover - compiled
    """`group_into` into buffers of one slot per key: src, dst, n_events, dot, starts, rows."""
    n = key.size
    src = np.empty(n, dtype=np.int64)
    dst = np.empty(n, dtype=np.int64)
    n_ev = np.empty(n, dtype=np.int64)
    dot = np.empty(n, dtype=np.float64)
    starts = np.empty(n, dtype=np.int64)
    rows = np.empty(n, dtype=np.int64)
    p, r = group_into(key, b_acc, b_lab, idf, min_shared, src, dst, n_ev, dot, starts, rows, 0, 0)
    return src[:p], dst[:p], n_ev[:p], dot[:p], starts[:p], rows[:r]


RADIX_BITS = 16  # widest digit of the LSD radix sorts (65,536 counts: 512 KB, in L2)


@njit(cache=True, nogil=True)
def _digit(bits: int) -> int:  # pragma: no cover - compiled
    """Digit width: the fewest passes of at most RADIX_BITS, spread evenly."""
    passes = max(1, (bits + RADIX_BITS - 1) // RADIX_BITS)
    return (bits + passes - 1) // passes


@njit(cache=True, nogil=True)
def radix_sort(keys: I64, bits: int, inplace: bool = False) -> I64:  # pragma: no cover
    """Non-negative int64 keys < 2**bits, sorted (LSD radix; digits that never vary are skipped).

    `inplace`: use (and clobber) `keys` as one of the two buffers.
    """
    n = keys.size
    src = keys if inplace else keys.copy()
    dst = np.empty_like(src)
    shift = 0
    digit = _digit(bits)
    while shift < bits:
        width = min(digit, bits - shift)
        mask = (1 << width) - 1
        counts = np.zeros((1 << width) + 1, dtype=np.int64)
        for i in range(n):
            counts[((src[i] >> shift) & mask) + 1] += 1
        if counts.max() < n:
            for d in range(1, counts.size):
                counts[d] += counts[d - 1]
            for i in range(n):
                d = (src[i] >> shift) & mask
                dst[counts[d]] = src[i]
                counts[d] += 1
            src, dst = dst, src
        shift += width
    return src


@njit(cache=True, nogil=True)
def reorder(key: npt.NDArray[np.uint64], bits: int, order: I64) -> I64:  # pragma: no cover
    """`order` stably re-sorted by key[order] (key < 2**bits): one LSD step of a lexicographic sort."""
    n = order.size
    cur = order.copy()
    tmp = np.empty_like(cur)
    k = key[cur]
    ktmp = np.empty_like(k)
    shift = 0
    digit = _digit(bits)
    while shift < bits:
        width = min(digit, bits - shift)
        mask = np.uint64((1 << width) - 1)
        sh = np.uint64(shift)
        counts = np.zeros((1 << width) + 1, dtype=np.int64)
        for i in range(n):
            counts[np.int64((k[i] >> sh) & mask) + 1] += 1
        if counts.max() < n:
            for j in range(1, counts.size):
                counts[j] += counts[j - 1]
            for i in range(n):
                d = np.int64((k[i] >> sh) & mask)
                p = counts[d]
                tmp[p] = cur[i]
                ktmp[p] = k[i]
                counts[d] = p + 1
            cur, tmp = tmp, cur
            k, ktmp = ktmp, k
        shift += width
    return cur


def lex_order(*keys: npt.NDArray[np.generic]) -> I64:
    """Like `np.lexsort(keys)` (last key primary) for non-negative int64 or float64 keys."""
    n = keys[0].size
    order = np.arange(n, dtype=np.int64)
    for key in keys:
        if key.dtype == np.float64:
            u = _float_order(np.asarray(key, dtype=np.float64))
            bits = 64
        else:
            u = key.astype(np.int64).view(np.uint64)
            bits = max(1, int(key.max()).bit_length()) if n else 1
        order = reorder(u, bits, order)
    return order


def _float_order(x: npt.NDArray[np.float64]) -> npt.NDArray[np.uint64]:
    """Unsigned integers ordered as the floats (-0.0 and 0.0 equal)."""
    bits = (x + 0.0).view(np.uint64)
    neg = (bits >> np.uint64(63)).astype(bool)
    return np.where(neg, ~bits, bits | np.uint64(1 << 63))


@njit(cache=True, nogil=True)
def evidence_lists(
    kept: I64,
    starts: I64,
    n_events: I64,
    src: I64,
    dst: I64,
    row_lab: I64,
    acc_start: npt.NDArray[np.int32] | I64,
    entries: npt.NDArray[np.int32] | I64,
    half: int,
    max_evidence: int,
) -> tuple[I64, npt.NDArray[np.int32] | I64]:  # pragma: no cover - compiled
    """Offsets and post ranks of each kept pair's evidence: both sides' first post on each of
    the pair's `half` first objects (rarest first), distinct, at most `max_evidence`.

    Account a's entries are k = acc_start[a]..acc_start[a + 1] - 1: object label
    `entries[2k]` (sorted) and the account's first post on it `entries[2k + 1]`.
    """
    total = 0
    for e in kept:
        total += 2 * min(n_events[e], half)
    out = np.empty(total, dtype=entries.dtype)
    offsets = np.zeros(kept.size + 1, dtype=np.int64)
    n = 0
    for q in range(kept.size):
        e = kept[q]
        base = n
        for r in range(starts[e], starts[e] + min(n_events[e], half)):
            lab = row_lab[r]
            for side in range(2):
                a = src[e] if side == 0 else dst[e]
                lo, hi = np.int64(acc_start[a]), np.int64(acc_start[a + 1])
                while lo < hi:  # the account's entry for this label (present by construction)
                    mid = (lo + hi) >> 1
                    if entries[2 * mid] < lab:
                        lo = mid + 1
                    else:
                        hi = mid
                post = entries[2 * lo + 1]
                dup = False
                for x in range(base, n):
                    if out[x] == post:
                        dup = True
                        break
                if not dup and n - base < max_evidence:
                    out[n] = post
                    n += 1
        offsets[q + 1] = n
    return offsets, out[:n]


@njit(cache=True, nogil=True)
def cosine_weights(
    src: I64,
    dst: I64,
    dot: npt.NDArray[np.float64],
    n_events: I64,
    s: npt.NDArray[np.float64],
    m: float,
    min_shared: int,
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.float64]]:  # pragma: no cover - compiled
    """Pairs with >= min_shared objects and both norms > 0, and their shrunk cosine
    `dot / sqrt((s_a + m) (s_b + m))` (the numpy expression's operations, in its order)."""
    n = src.size
    keep = np.empty(n, dtype=np.bool_)
    w = np.empty(n, dtype=np.float64)
    k = 0
    for i in range(n):
        sa = s[src[i]]
        sb = s[dst[i]]
        ok = n_events[i] >= min_shared and sa > 0 and sb > 0
        keep[i] = ok
        if ok:
            w[k] = dot[i] / np.sqrt((sa + m) * (sb + m))
            k += 1
    return keep, w[:k].copy()
