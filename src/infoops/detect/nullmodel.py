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
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

DAY = 86400.0
DEFAULT_ALPHA = 0.05


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
