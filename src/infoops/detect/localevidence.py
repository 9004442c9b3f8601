"""Evidence of the local co-action engine: the post ids behind each kept pair.

For every kept pair (`local.PairTable`), both accounts' first post (lowest
post id) on each of the pair's `max_evidence / 2` rarest shared objects,
distinct, rarest object first -- `sql.evidence_sql` on arrays. The lookup
(`FirstPosts`) holds per account its objects with its first post on each,
interleaved so that one lookup reads one cache line, int32 where the values
fit; the compiled loop is `pairkernel.evidence_lists`. Above
`local.PARALLEL_MIN` kept pairs the work splits in two halves over a pool.
"""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass
from typing import cast

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from infoops.detect import local
from infoops.detect.local import I64, Actions, Loaded, PairTable

Lookup = npt.NDArray[np.int32] | npt.NDArray[np.int64]  # int32 where the values fit


@dataclass(frozen=True)
class FirstPosts:
    """Each account's first post (lowest post id) on each of its objects, for the evidence.

    `entries` interleaves (object label, post rank) so that a lookup's label and post share a
    cache line; int32 when every value fits (`NARROW_MAX`), else int64."""

    acc_start: Lookup  # entries of account a: acc_start[a]:acc_start[a + 1]
    entries: Lookup  # entries[2k]: label (sorted within an account), entries[2k + 1]: post


# largest value stored in the 32-bit lookups (`FirstPosts`, the evidence's post ranks)
NARROW_MAX = 2**31 - 1


def first_posts(acts: Actions) -> FirstPosts:
    """The `FirstPosts` lookup of the actions (min post id per account and object)."""
    width = np.int64(int(acts.obj.max()) + 1 if acts.obj.size else 1)
    first_key, (first_post,) = local._first_per_group(acts.acc * width + acts.obj, acts.post)
    first_acc = first_key // width
    acc_start = np.searchsorted(first_acc, np.arange(int(first_acc.max(initial=0)) + 2))
    top = max(int(width), int(first_key.size), int(acts.post.max(initial=0)))
    dtype = np.int32 if top <= NARROW_MAX else np.int64
    entries = np.empty(2 * first_key.size, dtype=dtype)
    entries[0::2] = first_key % width
    entries[1::2] = first_post
    return FirstPosts(cast(Lookup, acc_start.astype(dtype)), cast(Lookup, entries))


def evidence(
    loaded: Loaded,
    first: FirstPosts,
    pt: PairTable,
    kept: I64,
    max_evidence: int,
    pool: Executor | None = None,
) -> pa.ListArray | pa.ChunkedArray:
    """Post ids behind each kept pair (`sql.evidence_sql`): each side's first post on each of
    the `max_evidence / 2` rarest objects the pair shares, distinct, rarest object first.

    With a `pool` (and at least `local.PARALLEL_MIN` pairs) the kept pairs are split in two halves,
    one computed there, one here: two chunks."""
    kern = local._kernels()

    def lists(ks: I64) -> pa.ListArray:
        offsets, vals = kern.evidence_lists(
            ks, pt.starts, pt.n_events, pt.src, pt.dst, pt.row_obj,
            first.acc_start, first.entries,
            max(1, max_evidence // 2), max_evidence,
        )  # fmt: skip
        vals -= 1
        return pa.ListArray.from_arrays(
            pa.array(offsets.astype(np.int32)), loaded.post_ids.take(pa.array(vals))
        )

    if pool is None or kept.size < local.PARALLEL_MIN:
        return lists(kept)
    mid = kept.size // 2
    job = pool.submit(lists, kept[:mid])
    second = lists(kept[mid:])
    return pa.chunked_array([job.result(), second])


def account_ids(ids: pa.Array, codes: I64, kept: I64) -> pa.Array:
    """The account ids of `codes[kept]` (account codes are 1-based ranks into `ids`); `kept`
    as long as `codes` is all of them in order (`np.flatnonzero` of an all-true mask)."""
    return ids.take(pa.array((codes if kept.size == codes.size else codes[kept]) - 1))
