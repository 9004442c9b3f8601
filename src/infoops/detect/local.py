"""Local engine of the co-action signals: the steps of `infoops.detect.sql` over numpy arrays.

The actions are pulled from DuckDB once (one SELECT, as Arrow), turned into
integer codes, and every later step runs on arrays:

1. **codes and activity filter** (`load_actions`): account codes follow the
   order of the account ids and count only accounts with `min_activity`
   actions (the SQL engine's `row_number() OVER (ORDER BY account_id)`);
   objects acted on by a single account are dropped; objects are relabelled
   by (popularity, object) so that label order is idf-descending order;
2. **windowed pairing, explosion-safe** (`sorted_actions`, `pair_table`):
   actions sorted by (object, t, account, post id) (LSD radix sorts); one
   binary search over (object, t) finds each action's last partner within the
   window (`t2 <= t1 + window`, the SQL RANGE frame); each action pairs with the
   next `min(last - i, max_fanout)` actions, so cost and memory are
   O(n * max_fanout) whatever the popularity distribution;
3. **aggregation** (`pair_table`, compiled kernels in `infoops.detect.pairkernel`):
   every co-action becomes a packed (src, dst, object) key (when `min_shared > 1`
   only those whose pair can reach it, by a hashed pre-count); one radix sort
   gives the distinct (pair, object) rows, per-pair idf sums and counts, and,
   within each pair, its objects rarest first (for the evidence);
4. the shrunk cosine (`infoops.detect.coaction.cosine_sql`), the null models
   (`shuffled` is `coaction._shuffled` on arrays; the shift null reuses the
   SQL expression so both engines draw the same offsets) and the evidence of
   the kept edges only (`infoops.detect.localevidence`).

Outputs equal the SQL engine's: the same edges, weights (up to floating-point
summation order), n_events, evidence sets and thresholds; `tests/test_engines.py`
checks this.
"""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass
from types import ModuleType

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from infoops.detect import sql
from infoops.detect.nullmodel import activity_strata, shift_plan, shuffle_without_duplicates

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Actions:
    """Integer-coded actions of one pass (real or null), one row per action."""

    acc: I64  # account code, 1..n_accounts, in account-id order
    obj: I64  # object label, 0..n_labels-1, ordered by (n_obj, object value): idf descending
    t: F64
    post: I64  # rank of the post id (lexicographic)
    n_obj: I64  # distinct accounts (real) / actions (rebinned null) on the object
    objr: I64  # rank of the object's value (real actions; the shuffle's sort order)


@dataclass(frozen=True)
class Loaded:
    acts: Actions
    account_ids: pa.Array  # account code - 1 -> account id
    post_ids: pa.Array  # post rank - 1 -> post id
    stats: dict[str, int]


@dataclass(frozen=True)
class PairTable:
    """Distinct (pair, object) rows sorted by (src, dst, object label), with per-pair figures."""

    src: I64  # per pair
    dst: I64
    dot: F64  # sum of idf over shared objects
    n_events: I64
    starts: I64  # first row of each pair in `row_obj`
    row_obj: I64  # object label of each (pair, object) row


def _rank(col: pa.ChunkedArray | pa.Array, repeated: bool = True) -> I64:
    """Dense 1-based rank of each value (nulls last).

    With `repeated` values (accounts, objects) ranking the distinct values of a
    dictionary encoding is several times faster than ranking with ties.
    """
    if not repeated:
        r = pc.rank(col, sort_keys="ascending", tiebreaker="dense")
        return np.asarray(r, dtype=np.int64)
    arr = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col  # one dictionary
    enc = pc.dictionary_encode(arr)
    d_rank = np.asarray(pc.rank(enc.dictionary, sort_keys="ascending"), dtype=np.int64)
    d_rank = np.append(d_rank, d_rank.size + 1)  # nulls last
    idx = pc.fill_null(enc.indices, len(enc.dictionary))
    return d_rank[np.asarray(idx, dtype=np.int64)]


def _by_rank(col: pa.ChunkedArray | pa.Array, rank: I64) -> pa.Array:
    """The distinct values of `col` in rank order (index = rank - 1)."""
    pos = np.empty(int(rank.max()) if rank.size else 0, dtype=np.int64)
    pos[rank - 1] = np.arange(rank.size)
    arr = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    return arr.take(pa.array(pos))


def _first_per_group(
    key: I64, *vals: npt.NDArray[np.generic]
) -> tuple[I64, list[npt.NDArray[np.generic]]]:
    """Sorted distinct keys and, per key, the minimum of each of `vals`."""
    order = np.argsort(key, kind="stable")
    k = key[order]
    head = np.ones(k.size, dtype=bool)
    head[1:] = k[1:] != k[:-1]
    starts = np.flatnonzero(head)
    mins = [np.minimum.reduceat(v[order], starts) if starts.size else v[:0] for v in vals]
    return k[starts], mins


def load_actions(
    con: duckdb.DuckDBPyConnection,
    actions_sql: str,
    min_activity: int,
    window_free: bool,
    pool: Executor | None = None,
) -> Loaded:
    """The actions of `actions_sql` coded and filtered as `sql.filter_actions` does (with a
    `pool`, the three columns are ranked at once)."""
    tab = con.sql(actions_sql).to_arrow_table()
    acc_col, obj_col, post_col = (
        tab.column("account_id"),
        tab.column("object"),
        tab.column("post_id"),
    )
    if pool is None or tab.num_rows < PARALLEL_MIN:
        acc_rank, post_rank, obj_r = _rank(acc_col), _rank(post_col, False), _rank(obj_col)
    else:
        post_job, obj_job = pool.submit(_rank, post_col, False), pool.submit(_rank, obj_col)
        acc_rank = _rank(acc_col)
        post_rank, obj_r = post_job.result(), obj_job.result()
    acc_r, post_r = acc_rank, post_rank
    obj_valid = np.asarray(obj_col.is_valid(), dtype=bool)
    t = np.asarray(tab.column("t").to_numpy(), dtype=np.float64)
    n_vals = int(obj_r.max()) + 1 if obj_r.size else 1
    if window_free:  # one action per (account, object): the first time and the first post id
        keys, mins = _first_per_group(acc_r * n_vals + obj_r, t, post_r, obj_valid)
        t = np.asarray(mins[0], dtype=np.float64)
        post_r = np.asarray(mins[1], dtype=np.int64)
        acc_r, obj_r, obj_valid = keys // n_vals, keys % n_vals, np.asarray(mins[2], dtype=bool)
    n_raw = int(acc_r.size)
    per_acc = np.bincount(acc_r, minlength=int(acc_r.max()) + 1 if acc_r.size else 1)
    active = per_acc >= min_activity
    active[0] = False
    code = np.cumsum(active).astype(np.int64)  # SQL code of each account rank
    keep = active[acc_r] & obj_valid
    acc, obj_r, t, post_r = code[acc_r[keep]], obj_r[keep], t[keep], post_r[keep]
    n_acc = int(active.sum())
    # distinct accounts per object; objects with at least two stay
    width = np.int64(n_acc + 1)
    ao = _distinct(obj_r * width + acc)
    n_per_obj = np.bincount(ao // width, minlength=n_vals)
    shared = n_per_obj >= 2
    keep = shared[obj_r]
    acc, obj_r, t, post_r = acc[keep], obj_r[keep], t[keep], post_r[keep]
    n_obj = n_per_obj[obj_r]
    label = _dense_labels(obj_r, n_per_obj)
    account_ids = _by_rank(acc_col, acc_rank)  # by rank; keep only the active ones
    account_ids = account_ids.filter(pa.array(active[1 : len(account_ids) + 1]))
    stats = {
        "actions": n_raw,
        "accounts": int((per_acc > 0).sum()),
        "accounts_below_min_activity": int((per_acc > 0).sum()) - n_acc,
        "actions_removed": n_raw - int(acc.size),
        "actions_kept": int(acc.size),
        "objects_shared": int(shared.sum()),
        "accounts_active": n_acc,
    }
    acts = Actions(acc, label, t, post_r, n_obj.astype(np.int64), obj_r)
    return Loaded(acts, account_ids, _by_rank(post_col, post_rank), stats)


def _kernels() -> ModuleType:
    """The compiled kernels, imported on first use (numba's import is slow for a CLI start)."""
    from infoops.detect import pairkernel

    return pairkernel


def _distinct(key: I64) -> I64:
    """Sorted distinct values of non-negative keys, sorting `key` in place (radix; numpy's hashed
    `unique` is slower here)."""
    if key.size:
        key = _kernels().radix_sort(key, max(1, int(key.max()).bit_length()), True)
    head = np.ones(key.size, dtype=bool)
    np.not_equal(key[1:], key[:-1], out=head[1:])
    return key[head]


def _dense_labels(obj: I64, n_per_obj: I64) -> I64:
    """`_labels` of object ranks (0 <= obj < n_per_obj.size, `n_per_obj` indexed by rank):
    the distinct objects ordered without sorting the actions."""
    present = np.zeros(n_per_obj.size, dtype=bool)
    present[obj] = True
    uo = np.flatnonzero(present)
    order = np.argsort(n_per_obj[uo], kind="stable")  # ties stay in object order
    lab_of = np.empty(n_per_obj.size, dtype=np.int64)
    lab_of[uo[order]] = np.arange(uo.size)
    return lab_of[obj]


def _labels(obj: npt.NDArray[np.generic], n_obj: I64) -> I64:
    """Dense object labels ordered by (n_obj, object): label order = idf descending, then object."""
    uo, first, inv = np.unique(obj, return_index=True, return_inverse=True)
    order = np.lexsort((np.arange(uo.size), n_obj[first]))  # uo already sorted by object
    lab = np.empty(uo.size, dtype=np.int64)
    lab[order] = np.arange(uo.size)
    return lab[inv.ravel()]


# -- pairing ------------------------------------------------------------------------------------


# packed (src, dst, object) keys must fit in a signed 64-bit integer; else the numpy fallback
KEY_BITS = 63
# co-actions emitted per buffer (8 bytes each) before the pair filter
EMIT_CHUNK = 1 << 24


def sorted_actions(
    acts: Actions, window: float | None, max_fanout: int | None
) -> tuple[I64, I64, I64]:
    """Accounts and object labels in (object, t, account, post id) order, and each action's
    number of partners: the next `min(last - i, max_fanout)` actions, `last` being the last
    action on the same object with `t2 <= t1 + window` (found by a search over (object, t) as
    complex numbers, which numpy orders lexicographically; `sql.ranked_sql`'s RANGE frame)."""
    order = _kernels().lex_order(acts.post, acts.acc, acts.t, acts.obj)
    obj, acc = acts.obj[order], acts.acc[order]
    n = obj.size
    if window is None:
        last = np.searchsorted(obj, obj, side="right") - 1
    else:
        t = acts.t[order]
        z = obj.astype(np.float64) + 1j * t
        last = (
            np.searchsorted(z, obj.astype(np.float64) + 1j * (t + float(window)), side="right") - 1
        )
    cnt = (last - np.arange(n)).astype(np.int64)
    if max_fanout is not None:
        np.minimum(cnt, int(max_fanout), out=cnt)
    return acc, obj, cnt


def pair_table(
    acts: Actions,
    window: float | None,
    max_fanout: int | None,
    n_accounts: int,
    idf: F64,
    min_shared: int,
    pool: Executor | None = None,
) -> PairTable:
    """Steps 2-3 (`sql.pair_sql` + `sql.edge_weights_sql`): distinct (pair, object) rows and per
    pair the sum of idf and the count, pairs with fewer than `min_shared` objects dropped.

    With a `pool` (and at least `PARALLEL_MIN` co-actions) the pairs are split by their first
    account at a pivot: the pairs below it are emitted, sorted and grouped in the pool, the
    others here, and the two sorted halves joined (the same rows, sums and order)."""
    acc, lab, cnt = sorted_actions(acts, window, max_fanout)
    b_acc = max(1, int(n_accounts).bit_length())
    b_lab = max(1, int(idf.size).bit_length())
    if 2 * b_acc + b_lab > KEY_BITS:
        return aggregate(*pair_rows(acc, lab, cnt), b_acc, idf, min_shared)
    pairkernel = _kernels()
    total = int(cnt.sum())
    bits = min(24, max(12, total.bit_length()))
    if min_shared > 1:
        table = pairkernel.count_pairs(acc, cnt, bits)
    else:
        table = np.zeros(1, dtype=np.uint8)
    # bounded buffers: co-actions written (and filtered) EMIT_CHUNK at a time
    cum = np.cumsum(cnt)
    cuts = np.searchsorted(cum, np.arange(EMIT_CHUNK, total, EMIT_CHUNK), side="left")
    bounds = np.unique(np.concatenate([[0], cuts + 1, [acc.size]]).clip(0, acc.size))
    min_count = min_shared if min_shared > 1 else 0

    def sorted_keys(src_lo: int, src_hi: int) -> I64:
        """Sorted packed keys of the pairs whose first account is in [src_lo, src_hi)."""
        parts = [
            pairkernel.emit_keys(
                acc, lab, cnt, lo, hi, b_acc, b_lab, table, bits, min_count, src_lo, src_hi
            )
            for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True)
        ]
        keys = parts[0] if len(parts) == 1 else np.concatenate([np.zeros(0, np.int64), *parts])
        del parts
        return pairkernel.radix_sort(keys, 2 * b_acc + b_lab, True)  # type: ignore[no-any-return]

    min_pair = max(1, min_shared)
    if pool is None or total < PARALLEL_MIN:
        src, dst, n_ev, dot, starts, rows = pairkernel.group_sorted(
            sorted_keys(0, n_accounts + 1), b_acc, b_lab, idf, min_pair
        )
        return PairTable(src, dst, dot, n_ev, starts, rows)

    # two halves: sorted and counted in parallel, then grouped in parallel into exact arrays
    def counted(src_lo: int, src_hi: int) -> tuple[I64, tuple[int, int]]:
        keys = sorted_keys(src_lo, src_hi)
        return keys, pairkernel.count_groups(keys, b_lab, min_pair)

    pivot = _pivot(acc, cnt)
    job = pool.submit(counted, 0, pivot)
    high, (p_high, r_high) = counted(pivot, n_accounts + 1)
    low, (p_low, r_low) = job.result()
    n_p, n_r = p_low + p_high, r_low + r_high
    src, dst, n_ev, starts = (np.empty(n_p, dtype=np.int64) for _ in range(4))
    dot, rows = np.empty(n_p, dtype=np.float64), np.empty(n_r, dtype=np.int64)
    job2 = pool.submit(
        pairkernel.group_into, low, b_acc, b_lab, idf, min_pair,
        src, dst, n_ev, dot, starts, rows, 0, 0,
    )  # fmt: skip
    pairkernel.group_into(
        high, b_acc, b_lab, idf, min_pair, src, dst, n_ev, dot, starts, rows, p_low, r_low
    )
    job2.result()
    return PairTable(src, dst, dot, n_ev, starts, rows)


def _pivot(acc: I64, cnt: I64) -> int:
    """An account code splitting the co-actions about in half by their pair's first account
    (estimated on a sample: each sampled action's first partner, weighted by its partners)."""
    step = max(1, acc.size // (1 << 16))
    idx = np.flatnonzero(cnt[::step] > 0) * step
    if idx.size == 0:
        return 1
    first = np.minimum(acc[idx], acc[idx + 1])
    order = np.argsort(first, kind="stable")
    weight = np.cumsum(cnt[idx][order])
    return int(first[order][int(np.searchsorted(weight, weight[-1] / 2))]) + 1


def pair_rows(acc: I64, lab: I64, cnt: I64) -> tuple[I64, I64, I64]:
    """(src, dst, object label) of every co-action, src < dst (numpy; `pair_table`'s fallback)."""
    n = acc.size
    total = int(cnt.sum())
    i = np.repeat(np.arange(n, dtype=np.int64), cnt)
    j = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(cnt) - cnt, cnt) + i + 1
    a, b = acc[i], acc[j]
    diff = a != b
    return np.minimum(a, b)[diff], np.maximum(a, b)[diff], lab[i][diff]


def aggregate(src: I64, dst: I64, lab: I64, b_acc: int, idf: F64, min_shared: int) -> PairTable:
    """`pair_table`'s grouping in numpy, for keys too wide to pack into 64 bits."""
    order = np.lexsort((lab, dst, src))
    s_src, s_dst, row_lab = src[order], dst[order], lab[order]
    head = np.ones(s_src.size, dtype=bool)
    head[1:] = (s_src[1:] != s_src[:-1]) | (s_dst[1:] != s_dst[:-1]) | (row_lab[1:] != row_lab[:-1])
    s_src, s_dst, row_lab = s_src[head], s_dst[head], row_lab[head]
    new = np.ones(s_src.size, dtype=bool)
    new[1:] = (s_src[1:] != s_src[:-1]) | (s_dst[1:] != s_dst[:-1])
    starts = np.flatnonzero(new)
    n_events = np.diff(starts, append=s_src.size)
    heavy = n_events >= min_shared
    row_keep = np.repeat(heavy, n_events)
    row_lab, s_src, s_dst = row_lab[row_keep], s_src[row_keep], s_dst[row_keep]
    n_events = n_events[heavy]
    starts = np.cumsum(n_events) - n_events
    dot = np.add.reduceat(idf[row_lab], starts) if starts.size else np.zeros(0)
    return PairTable(s_src[starts], s_dst[starts], dot, n_events, starts, row_lab)


def norms(acts: Actions, idf: F64, n_accounts: int) -> F64:
    """Per account code: sum of idf over its distinct objects (`cosine_sql`'s `s`)."""
    width = np.int64(idf.size)
    distinct = _distinct(acts.acc * width + acts.obj)
    s = np.bincount(distinct // width, weights=idf[distinct % width], minlength=n_accounts + 1)
    return np.asarray(s, dtype=np.float64)


def cosine(
    pt: PairTable, s: F64, present: npt.NDArray[np.bool_], min_shared: int
) -> tuple[npt.NDArray[np.bool_], F64]:
    """Mask of the pairs `cosine_sql` keeps, and their shrunk cosine weights."""
    m = float(np.median(s[present])) if present.any() else 0.0
    keep, w = _kernels().cosine_weights(pt.src, pt.dst, pt.dot, pt.n_events, s, m, min_shared)
    return keep, w


def idf_table(acts: Actions, n_accounts: int) -> F64:
    """idf of each object label: ln(N / n_obj)."""
    n_lab = int(acts.obj.max()) + 1 if acts.obj.size else 0
    per = np.zeros(n_lab, dtype=np.int64)
    per[acts.obj] = acts.n_obj
    with np.errstate(divide="ignore"):
        return np.log(float(n_accounts) / per.astype(np.float64))


@dataclass(frozen=True)
class Weighted:
    pairs: PairTable
    keep: npt.NDArray[np.bool_]  # pairs that passed min_shared and s > 0
    weight: F64  # for the kept pairs


def weigh(
    acts: Actions,
    window: float | None,
    max_fanout: int | None,
    n_accounts: int,
    min_shared: int,
    pool: Executor | None = None,
) -> Weighted:
    """Steps 2-3 and the cosine for one pass (`pool`: see `pair_table`)."""
    idf = idf_table(acts, n_accounts)
    pt = pair_table(acts, window, max_fanout, n_accounts, idf, min_shared, pool)
    s = norms(acts, idf, n_accounts)
    present = np.zeros(n_accounts + 1, dtype=bool)
    present[acts.acc] = True
    keep, w = cosine(pt, s, present, min_shared)
    return Weighted(pt, keep, w)


# -- null models --------------------------------------------------------------------------------


def shuffled(acts: Actions, seed: int) -> Actions:
    """`coaction._shuffled` on arrays: (object, time) slots permuted among the actions."""
    order = _kernels().lex_order(acts.post, acts.t, acts.objr, acts.acc)
    acc, objr, post = acts.acc[order], acts.objr[order], acts.post[order]
    lab, t, n_obj = acts.obj[order], acts.t[order], acts.n_obj[order]
    perm = shuffle_without_duplicates(acc, objr, seed)
    first = np.full(int(objr.max()) + 1 if objr.size else 0, -1, dtype=np.int64)
    first[objr[::-1]] = np.arange(objr.size - 1, -1, -1)
    take = first[perm]
    return Actions(acc, lab[take], t[take], post, n_obj[take], objr[take])


def shifted(
    con: duckdb.DuckDBPyConnection, spec: sql.CoActionSQL, acts: Actions, seed: int
) -> Actions | None:
    """Actions at the shift null's times, evaluated with the SQL engine's own expression."""
    if acts.t.size == 0:
        return None
    plan = shift_plan(float(acts.t.min()), float(acts.t.max()), spec.window or 0.0)
    name = spec.t("acts")
    con = con.cursor()  # own connection: this may run beside the caller's thread
    con.register(
        name,
        pa.table(
            {
                "account_id": acts.acc,
                "object": acts.obj,
                "post_id": acts.post,
                "n_obj": acts.n_obj,
                "t": acts.t,
            }
        ),
    )
    try:
        res = con.sql(sql.source_sql(spec, sql.shifted_time_sql(plan, seed))).fetchnumpy()
    finally:
        con.unregister(name)
    acc = np.asarray(res["account_id"], dtype=np.int64)
    post = np.asarray(res["post_id"], dtype=np.int64)
    t = np.asarray(res["t"], dtype=np.float64)
    n_obj = np.asarray(res["n_obj"], dtype=np.int64)
    obj = np.asarray(res["object"])
    if spec.rebin is None:
        obj64 = obj.astype(np.int64)
        return Actions(acc, obj64, t, post, n_obj, obj64)
    lab = _labels(obj, n_obj)
    return Actions(acc, lab, t, post, n_obj, lab)


def activity(acts: Actions, n_accounts: int) -> I64:
    """Actions per account code (the activity strata are cut on)."""
    return np.bincount(acts.acc, minlength=n_accounts + 1).astype(np.int64)


def pair_strata(w: Weighted, act: I64) -> I64:
    """Activity stratum (`nullmodel.activity_strata`) of each pair `w` weighs; `act` from `activity`."""
    pt = w.pairs
    return activity_strata(act[pt.src[w.keep]], act[pt.dst[w.keep]])


def null_weights(
    con: duckdb.DuckDBPyConnection,
    spec: sql.CoActionSQL,
    acts: Actions,
    null: str,
    seed: int,
    window: float | None,
    max_fanout: int | None,
    n_accounts: int,
    min_shared: int,
    strata: bool = True,
) -> tuple[F64, I64]:
    """Edge weights under the null model ("shuffle" or "shift"), as `weigh` gives the real ones,
    and their activity strata (cut on the real actions' activity: the null keeps it; all 0
    without `strata`)."""
    nacts = shuffled(acts, seed) if null == "shuffle" else shifted(con, spec, acts, seed)
    if nacts is None:
        return np.zeros(0), np.zeros(0, dtype=np.int64)
    w = weigh(nacts, window, max_fanout, n_accounts, min_shared)
    if not strata:
        return w.weight, np.zeros(w.weight.size, dtype=np.int64)
    return w.weight, pair_strata(w, activity(acts, n_accounts))


# rows / co-actions / kept pairs above which the work splits over the pool (the id ranks,
# the pairing without a null model, `localevidence.evidence`)
PARALLEL_MIN = 1 << 16


def warm_kernels() -> None:
    """Load the compiled kernels (numba's first call in a process sets up its compiler: ~0.3-0.5
    s, imports included); run in a thread beside the DuckDB query it costs no wall time."""
    _kernels().radix_sort(np.zeros(1, dtype=np.int64), 1, True)
