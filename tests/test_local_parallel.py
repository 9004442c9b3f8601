"""The local engine's work split over two threads gives exactly the serial result.

The split only happens above `local.PARALLEL_MIN` kept pairs (tens of
thousands); here the limit is lowered to 1 so small planted and messy data go
through the split path, and the edges (same rows in the same order) are
compared with the serial run and with the SQL reference engine.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from test_detect_fixtures import planted_case
from test_engines import assert_same, messy_case

from infoops.detect import local, localevidence
from infoops.detect.signals.co_repost import CoRepost
from infoops.detect.signals.co_url import CoUrl
from infoops.detect.signals.hashtag_sequence import HashtagSequence

MAKERS = [
    lambda **kw: CoRepost(
        window=30, max_fanout=None, min_activity=1, min_shared=1, null="none", **kw
    ),
    lambda **kw: CoRepost(window=30, max_fanout=4, null="none", **kw),
    lambda **kw: CoUrl(window=100, max_fanout=3, null="none", **kw),
    lambda **kw: HashtagSequence(window=10, null="none", min_shared=1, **kw),
]


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("make", MAKERS)
def test_split_work_gives_the_serial_edges(
    seed: int, make: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = messy_case(seed)
    serial = make(engine="local").fit(case.con)
    monkeypatch.setattr(local, "PARALLEL_MIN", 1)
    split = make(engine="local").fit(case.con)
    assert serial.edges_.num_rows > 0
    assert split.edges_.equals(serial.edges_)  # same rows, same order
    assert_same(split, make(engine="sql").fit(case.con))
    case.close()


@pytest.mark.parametrize(
    "make",
    [
        lambda **kw: CoRepost(max_fanout=None, min_activity=1, min_shared=1, null="none", **kw),
        lambda **kw: CoRepost(**kw),  # the null pass runs in the pool beside the real one
    ],
)
def test_split_evidence_on_planted_coordination(make: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Planted groups: the split evidence lists equal the serial ones, pair by pair."""
    case, _ = planted_case("repost", seed=7, groups=3, n_background=200)
    serial = make().fit(case.con)
    monkeypatch.setattr(local, "PARALLEL_MIN", 1)
    split = make().fit(case.con)
    assert serial.edges_.num_rows > 10
    assert (
        split.edges_.column("evidence").to_pylist() == serial.edges_.column("evidence").to_pylist()
    )
    assert split.edges_.equals(serial.edges_)
    assert_same(split, make(engine="sql").fit(case.con))
    case.close()


@pytest.mark.parametrize("n_kept", [0, 1, 2, 3, 17])
def test_evidence_halves_join_at_any_size(n_kept: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Odd, tiny and empty kept sets split into halves: offsets rebased, nothing lost or doubled."""
    case, _ = planted_case("repost", seed=8, groups=2, n_background=100)
    sig = CoRepost(max_fanout=None, min_activity=1, min_shared=1, null="none")
    loaded = local.load_actions(case.con, sig.actions_sql("posts", "accounts"), 1, False)
    n_acc = int(loaded.stats["accounts_active"])
    idf = local.idf_table(loaded.acts, n_acc)
    pt = local.pair_table(loaded.acts, 30.0, None, n_acc, idf, 1)
    assert pt.src.size >= n_kept
    kept = pa.array(range(pt.src.size)).to_numpy()[::-1][:n_kept].copy()  # any order, any subset
    first = localevidence.first_posts(loaded.acts)
    serial = localevidence.evidence(loaded, first, pt, kept, 20)
    monkeypatch.setattr(local, "PARALLEL_MIN", 1)
    with ThreadPoolExecutor(max_workers=2) as pool:
        split = localevidence.evidence(loaded, first, pt, kept, 20, pool)
    assert len(split) == n_kept
    assert pa.chunked_array([serial]).equals(
        split if isinstance(split, pa.ChunkedArray) else pa.chunked_array([split])
    )
    assert split.to_pylist() == serial.to_pylist()
    case.close()


@pytest.mark.parametrize(
    ("window", "fanout", "min_shared"), [(30.0, None, 1), (600.0, 3, 2), (None, 5, 1)]
)
def test_split_pair_table_equals_the_serial_one(
    window: float | None, fanout: int | None, min_shared: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pairs split at the pivot (both halves non-empty) and joined: the serial arrays exactly."""
    case, _ = planted_case("repost", seed=9, groups=3, n_background=200)
    sig = CoRepost(max_fanout=fanout, min_activity=1, min_shared=min_shared, null="none")
    loaded = local.load_actions(case.con, sig.actions_sql("posts", "accounts"), 1, window is None)
    n_acc = int(loaded.stats["accounts_active"])
    idf = local.idf_table(loaded.acts, n_acc)
    serial = local.pair_table(loaded.acts, window, fanout, n_acc, idf, min_shared)
    acc, _, cnt = local.sorted_actions(loaded.acts, window, fanout)
    pivot = local._pivot(acc, cnt)
    assert 0 < int((serial.src < pivot).sum()) < serial.src.size  # a real split
    monkeypatch.setattr(local, "PARALLEL_MIN", 1)
    with ThreadPoolExecutor(max_workers=2) as pool:
        split = local.pair_table(loaded.acts, window, fanout, n_acc, idf, min_shared, pool)
    for field in ("src", "dst", "dot", "n_events", "starts", "row_obj"):
        assert np.array_equal(getattr(split, field), getattr(serial, field)), field
    case.close()


def test_evidence_is_the_same_with_32_and_64_bit_lookups(monkeypatch: pytest.MonkeyPatch) -> None:
    """`first_posts` stores int32 when the values fit; forced to int64 the evidence is the same."""
    case, _ = planted_case("repost", seed=10, groups=2, n_background=150)
    sig = CoRepost(max_fanout=None, min_activity=1, min_shared=1, null="none")
    loaded = local.load_actions(case.con, sig.actions_sql("posts", "accounts"), 1, False)
    n_acc = int(loaded.stats["accounts_active"])
    pt = local.pair_table(loaded.acts, 60.0, None, n_acc, local.idf_table(loaded.acts, n_acc), 1)
    kept = np.arange(pt.src.size)
    narrow = localevidence.first_posts(loaded.acts)
    monkeypatch.setattr(localevidence, "NARROW_MAX", 0)
    wide = localevidence.first_posts(loaded.acts)
    assert narrow.entries.dtype == np.int32 and wide.entries.dtype == np.int64
    assert np.array_equal(narrow.entries, wide.entries)
    ev32, ev64 = (localevidence.evidence(loaded, f, pt, kept, 20) for f in (narrow, wide))
    assert sum(len(x) for x in ev32.to_pylist()) > kept.size
    assert ev32.to_pylist() == ev64.to_pylist()
    case.close()
