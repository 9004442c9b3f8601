"""The FDR threshold stratified by account activity (`nullmodel.stratified_thresholds`)."""

from __future__ import annotations

import numpy as np
from test_detect_fixtures import Planted, edge_pairs

from infoops.detect.nullmodel import (
    activity_strata,
    fdr_threshold,
    pool_strata,
    stratified_thresholds,
)
from infoops.detect.signals.co_url_tfidf import CoUrlTfidf
from infoops.store import Case

DAY = 86400.0
N_RARE = 40
N_HEAVY_BG = 100


def test_strata_are_log2_of_the_lighter_account() -> None:
    a = np.array([1, 2, 3, 4, 100, 7, 0])
    b = np.array([9, 2, 50, 5, 64, 8, 3])
    assert activity_strata(a, b).tolist() == [0, 1, 1, 2, 6, 2, 0]


def test_pools_gather_from_the_top_until_enough_null_edges() -> None:
    # null edges per stratum 0..5: 500, 10, 300, 50, 60, 120
    null = np.repeat(np.arange(6), [500, 10, 300, 50, 60, 120])
    pools = pool_strata(null, min_null=200)
    assert pools == {5: 3, 4: 3, 3: 3, 2: 2, 1: 0, 0: 0}
    # a last pool too small joins the one above it
    assert pool_strata(np.repeat(np.arange(3), [5, 300, 300]), min_null=200) == {2: 2, 1: 0, 0: 0}
    # too few null edges in all: one pool
    assert set(pool_strata(np.repeat(np.arange(4), 10), min_null=200).values()) == {0}


def test_one_pool_is_the_unstratified_test() -> None:
    rng = np.random.default_rng(3)
    real, null = rng.random(500), rng.random(150) * 0.8
    per_edge, table = stratified_thresholds(
        real, rng.integers(0, 5, 500), null, rng.integers(0, 5, 150), 0.05, min_null=200
    )
    assert len(table) == 1
    assert np.all(per_edge == fdr_threshold(real, null, 0.05))


def test_heavy_pairs_get_their_own_lower_bar() -> None:
    """Light chance pairs reach 0.5; heavy chance pairs stay below 0.1; a heavy real group at 0.2."""
    rng = np.random.default_rng(5)
    light_null, heavy_null = rng.uniform(0, 0.5, 2000), rng.uniform(0, 0.1, 2000)
    light_real, heavy_real = (
        rng.uniform(0, 0.5, 2000),
        np.concatenate([rng.uniform(0, 0.1, 1000), rng.uniform(0.18, 0.22, 300)]),
    )
    real = np.concatenate([light_real, heavy_real])
    real_s = np.concatenate([np.full(light_real.size, 1), np.full(heavy_real.size, 4)])
    null = np.concatenate([light_null, heavy_null])
    null_s = np.concatenate([np.full(2000, 1), np.full(2000, 4)])
    per_edge, table = stratified_thresholds(real, real_s, null, null_s, 0.05)
    kept = real >= per_edge
    assert kept[-300:].all()  # the heavy group
    assert not (real >= fdr_threshold(real, null, 0.05))[-300:].any()  # one bar for all hides it
    assert kept[: light_real.size].sum() <= 0.05 * light_real.size
    assert [row["min_activity"] for row in table] == [1, 16]  # strata 0-3 pooled, 4 up
    assert sum(int(row["kept"]) for row in table) == int(kept.sum())


def _amplifiers_among_light_accounts(seed: int) -> tuple[Case, Planted]:
    """60 heavy amplifiers each share 16 of 40 rare URLs (a pair meets on ~6 of their ~20: a
    cosine near 0.3); 3,000 light accounts share 2-3 Zipf-popular URLs (two meeting once reach
    0.5); 100 heavy independent accounts draw 20 URLs each from the same popular pool."""
    rng = np.random.default_rng(seed)
    p = Planted()
    pop = 1.0 / np.arange(1, 2001)
    pop /= pop.sum()
    for i in range(3000 + N_HEAVY_BG):
        acc = f"bg{i:04d}"
        p.background.append(acc)
        n = 20 if i >= 3000 else int(rng.integers(2, 4))
        for obj in rng.choice(2000, size=n, replace=False, p=pop):
            p.post(acc, float(rng.uniform(0, 20 * DAY)), "url", str(int(obj)))
    group = [f"amp{i:02d}" for i in range(60)]
    for acc in group:
        for obj in rng.choice(N_RARE, size=16, replace=False):
            p.post(acc, float(rng.uniform(0, 20 * DAY)), "url", str(50_000 + int(obj)))
        for obj in rng.choice(2000, size=4, replace=False, p=pop):
            p.post(acc, float(rng.uniform(0, 20 * DAY)), "url", str(int(obj)))
    p.groups.append(group)
    return p.load(Case.memory()), p


def test_stratified_null_finds_heavy_amplifiers_a_single_bar_misses() -> None:
    for seed in (1, 2):
        case, p = _amplifiers_among_light_accounts(seed)
        planted, bg = p.pairs(), set(p.background)
        strat = CoUrlTfidf(seed=seed).fit(case.con)
        flat = CoUrlTfidf(seed=seed)
        flat.stratify = False
        flat.fit(case.con)
        found, found_flat = edge_pairs(strat.edges_), edge_pairs(flat.edges_)
        assert len(planted & found) >= 0.5 * len(planted)
        assert len(planted & found_flat) <= 0.5 * len(planted & found)
        assert len({e for e in found if e[0] in bg and e[1] in bg}) <= max(2, 0.05 * len(found))
        assert strat.stats_["strata"] and "threshold_unstratified" in strat.stats_
        assert "strata" not in flat.stats_
        case.close()
