"""Thresholds from a null model: what weight do chance coincidences reach?

The null model recomputes a signal's edges after moving each account's actions
by its own random offset, wrapped into the observed time span. When the data
span at least three days the offset is a random whole number of days plus a
random jitter of up to `max(1 h, 6 windows)` either way, so daily rhythms
roughly survive while the alignment between accounts is destroyed (whole days
alone would let two accounts drawing the same day keep their exact
coordination); on shorter data it is uniform over the span. Edges that form
between shifted accounts are coincidences of activity volume and timing.

The threshold is the smallest edge weight `w` at which the number of null
edges at least as heavy is at most `alpha` times the number of real edges at
least as heavy (an estimated false discovery rate below `alpha`; keeping the
edges at or above it is keeping those whose q-value is below `alpha`). When no
real weight qualifies, the threshold is just above the heaviest null edge.

Stratified by activity (`stratified_thresholds`): the test runs separately
for pairs of light and of heavy accounts. Chance overlaps of one activity
range reach high weights (one shared object of two is a cosine of 0.5; very
heavy accounts share popular objects), so a single threshold set by them
hides the weaker but far less likely overlaps of another range (accounts
sharing a few of their many rare objects). Each pair falls in the stratum
`floor(log2(min(activity)))` of its less active account; the null model keeps
every account's activity, so a null pair falls in the same stratum as it
would in the real data. Strata are
pooled from the most active down until each pool holds `MIN_STRATUM_NULL`
null edges (a last, smaller pool joins the one above it), and the FDR rule
above runs within each pool (Sun et al. 2006, stratified FDR control).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

DAY = 86400.0
DEFAULT_ALPHA = 0.05
# null edges a stratum needs to get its own threshold (see `stratified_thresholds`)
MIN_STRATUM_NULL = 200


@dataclass(frozen=True)
class ShiftPlan:
    """How the null model moves each account's actions."""

    span_start: float
    span: float
    step: float
    n_steps: int
    jitter: float


def shift_plan(t_min: float, t_max: float, window: float) -> ShiftPlan:
    """Whole days plus jitter when the data cover at least three days, else uniform (see module doc)."""
    span = max(t_max - t_min, 0.0) + max(window, 1.0)
    if span >= 3 * DAY:
        n_steps = max(1, int(span // DAY) - 1)
        return ShiftPlan(t_min, span, DAY, n_steps, max(3600.0, 6.0 * window))
    return ShiftPlan(t_min, span, 0.0, 1, span / 2.0)


def fdr_threshold(
    real: npt.NDArray[np.float64], null: npt.NDArray[np.float64], alpha: float = DEFAULT_ALPHA
) -> float:
    """Smallest weight above which null edges are at most `alpha` times the real ones (see module doc)."""
    if real.size == 0:
        return float(null.max()) if null.size else 0.0
    if null.size == 0:
        return float(real.min())
    cand = np.unique(real)  # ascending
    r_ge = real.size - np.searchsorted(np.sort(real), cand, side="left")
    f_ge = null.size - np.searchsorted(np.sort(null), cand, side="left")
    good = np.flatnonzero(f_ge <= alpha * r_ge)
    if good.size:
        return float(cand[good[0]])
    return float(np.nextafter(null.max(), np.inf))


def activity_strata(
    act_a: npt.NDArray[np.int64], act_b: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Stratum of each pair: floor(log2) of the smaller activity of its two accounts (>= 0)."""
    m = np.maximum(np.minimum(act_a, act_b), 1)
    return np.floor(np.log2(m.astype(np.float64))).astype(np.int64)


def pool_strata(
    null_strata: npt.NDArray[np.int64], min_null: int = MIN_STRATUM_NULL
) -> dict[int, int]:
    """Stratum -> pool (the pool's lowest stratum), pooling from the top until a pool has `min_null` null edges."""
    top = int(null_strata.max()) if null_strata.size else 0
    counts = (
        np.bincount(null_strata, minlength=top + 1) if null_strata.size else np.zeros(1, np.int64)
    )
    pools: list[list[int]] = []
    current: list[int] = []
    held = 0
    for st in range(top, -1, -1):
        current.append(st)
        held += int(counts[st])
        if held >= min_null:
            pools.append(current)
            current, held = [], 0
    if current:
        if pools:
            pools[-1].extend(current)
        else:
            pools.append(current)
    return {st: min(p) for p in pools for st in p}


def stratified_thresholds(
    real: npt.NDArray[np.float64],
    real_strata: npt.NDArray[np.int64],
    null: npt.NDArray[np.float64],
    null_strata: npt.NDArray[np.int64],
    alpha: float = DEFAULT_ALPHA,
    min_null: int = MIN_STRATUM_NULL,
) -> tuple[npt.NDArray[np.float64], list[dict[str, float | int]]]:
    """Per real edge, the FDR threshold of its activity pool; and per pool what was found (module doc).

    Real strata above the null's highest join the top pool; with fewer than
    `min_null` null edges in all there is one pool, the unstratified test.
    """
    pool_of = pool_strata(null_strata, min_null)
    top = max(pool_of)
    lut = np.array([pool_of[s] for s in range(top + 1)], dtype=np.int64)
    rp, np_ = lut[np.minimum(real_strata, top)], lut[np.minimum(null_strata, top)]
    per_edge = np.empty(real.size, dtype=np.float64)
    table: list[dict[str, float | int]] = []
    for p in sorted(set(pool_of.values())):
        r, n = rp == p, np_ == p
        if not r.any():
            continue
        t = fdr_threshold(real[r], null[n], alpha)
        per_edge[r] = t
        members = [s for s, q in pool_of.items() if q == p]
        table.append(
            {
                "min_activity": 2**p,
                "max_activity": (2 ** (max(members) + 1) - 1) if top not in members else -1,
                "threshold": t,
                "real": int(r.sum()),
                "null": int(n.sum()),
                "kept": int((real[r] >= t).sum()),
            }
        )
    return per_edge, table


def shuffle_without_duplicates(
    acc: npt.NDArray[np.int64], obj: npt.NDArray[np.int64], seed: int, rounds: int = 10
) -> npt.NDArray[np.int64]:
    """A permutation of `obj` over the actions such that (acc, obj) pairs stay mostly unique.

    Bipartite configuration null: every account keeps its number of actions and
    every object its number of actions. A plain permutation would give heavy
    accounts the same popular object several times (shrinking their distinct
    objects and so biasing similarities low); each round therefore re-permutes
    the duplicated actions together with as many other actions, drawn with
    probability inversely proportional to their object's popularity (a rare
    object rarely duplicates), until no duplicates remain or `rounds` is
    reached (leftovers are few and stay).
    """
    rng = np.random.default_rng(seed)
    out = obj[rng.permutation(obj.size)]
    if out.size == 0:
        return out
    width = np.int64(out.max()) + 1
    popularity = np.bincount(obj, minlength=int(width)).astype(np.float64)
    for _ in range(rounds):
        key = acc * width + out
        order = np.argsort(key, kind="stable")
        dup_sorted = np.zeros(key.size, dtype=bool)
        dup_sorted[1:] = key[order][1:] == key[order][:-1]
        dup = order[dup_sorted]
        if dup.size == 0:
            break
        p = 1.0 / popularity[out]
        others = rng.choice(out.size, size=min(out.size, dup.size), replace=True, p=p / p.sum())
        mark = np.zeros(out.size, dtype=bool)
        mark[dup] = True
        mark[others] = True
        idx = np.flatnonzero(mark)
        out[idx] = out[idx[rng.permutation(idx.size)]]
    return out
