"""Window-free TF-IDF signals and the shuffle null model."""

from __future__ import annotations

import numpy as np
from test_detect_fixtures import Planted, background, edge_pairs

from infoops.detect.nullmodel import shuffle_without_duplicates
from infoops.detect.signals.co_repost_tfidf import CoRepostTfidf
from infoops.detect.signals.co_url_tfidf import CoUrlTfidf
from infoops.store import Case

DAY = 86400.0


def _slow_amplifiers(kind: str, seed: int) -> tuple[Case, Planted]:
    """Amplifiers boost the same 30 objects, each hours apart from the others (no window helps)."""
    rng = np.random.default_rng(seed)
    p = Planted()
    background(p, rng, kind, n_accounts=400, acts=15)
    group = [f"amp{i:02d}" for i in range(12)]
    for e in range(30):
        t0 = float(rng.uniform(0, 9 * DAY))
        obj = str(90_000 + e)
        for acc in group:
            if rng.random() < 0.6:
                p.post(acc, t0 + float(rng.exponential(4 * 3600)), kind, f"o{obj}" if kind == "repost" else obj)
    p.groups.append(group)
    return p.load(Case.memory()), p


def test_co_repost_tfidf_finds_slow_amplifiers() -> None:
    for seed in (1, 2):
        case, p = _slow_amplifiers("repost", seed)
        found = edge_pairs(CoRepostTfidf().fit(case.con).edges_)
        planted = p.pairs()
        assert len(planted & found) >= 0.9 * len(planted)
        bg = set(p.background)
        assert len({e for e in found if e[0] in bg and e[1] in bg}) <= max(2, 0.1 * len(found))
        case.close()


def test_co_url_tfidf_finds_slow_link_sharers() -> None:
    case, p = _slow_amplifiers("url", 3)
    sig = CoUrlTfidf().fit(case.con)
    found = edge_pairs(sig.edges_)
    assert len(p.pairs() & found) >= 0.9 * len(p.pairs())
    assert all(0 < w <= 1 + 1e-9 for w in sig.edges_.column("weight").to_pylist())
    assert sig.stats_["method"].startswith("null:shuffle")
    case.close()


def test_shuffle_keeps_degrees_and_avoids_duplicates() -> None:
    rng = np.random.default_rng(0)
    # skewed activity and popularity, no duplicate (account, object) pair
    pairs = {(a, int(o)) for a in range(3000) for o in rng.zipf(2.0, int(rng.geometric(0.05))) % 10_000}
    acc = np.array([a for a, _ in pairs], dtype=np.int64)
    obj = np.array([o for _, o in pairs], dtype=np.int64)
    out = shuffle_without_duplicates(acc, obj, seed=1)
    assert np.array_equal(np.sort(out), np.sort(obj))  # object popularity kept
    assert not np.array_equal(out, obj)
    dup_after = acc.size - len(set(zip(acc.tolist(), out.tolist(), strict=True)))
    plain = obj[np.random.default_rng(1).permutation(obj.size)]
    dup_plain = acc.size - len(set(zip(acc.tolist(), plain.tolist(), strict=True)))
    assert dup_after <= 0.5 * dup_plain
