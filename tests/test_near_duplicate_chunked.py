"""The memory-bounded near-duplicate path (chunked MinHash, per-band LSH, lazy exact check) gives
exactly what the all-at-once kernels give, and leaves DuckDB's settings as it found them."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import duckdb
import numpy as np
import pyarrow as pa
import pytest

import infoops.detect.signals.near_duplicate as nd
from infoops.detect.signals.near_duplicate import (
    DEFAULT_NEIGHBOURS,
    NearDuplicate,
    minhash_sets,
    shingle_runs,
    shingle_sets,
)
from infoops.detect.textsim import (
    kmins_band_keys,
    lsh_band_pairs,
    lsh_pairs,
    text_order,
    verify_pairs,
    verify_pairs_lazy,
)
from infoops.store import Case

VOCAB = ["tea", "rain", "bus", "cat", "work", "lunch", "game", "香港", "台湾", "加油", "!!", "the"]


def _texts(n: int, seed: int) -> list[str]:
    """Short texts from a small vocabulary, with many near-duplicates and some exact repeats."""
    rng = random.Random(seed)
    base = [" ".join(rng.choice(VOCAB) for _ in range(rng.randint(2, 14))) for _ in range(n // 3)]
    out = []
    for _ in range(n):
        t = rng.choice(base)
        if rng.random() < 0.6:  # a one-word edit
            words = t.split()
            words[rng.randrange(len(words))] = rng.choice(VOCAB)
            t = " ".join(words)
        out.append(t)
    return out


@pytest.mark.parametrize("shingles", ["chars", "words"])
@pytest.mark.parametrize(("chunk", "threads"), [(7, 1), (50, 2), (10_000, 2)])
def test_chunked_minhash_equals_all_at_once(shingles: str, chunk: int, threads: int) -> None:
    texts = _texts(600, seed=chunk)
    arrow = pa.array(texts, pa.string())
    h, bounds, rank = shingle_sets(texts, shingles, 3)
    keys, low = kmins_band_keys(h, bounds, 60, 12, 5)
    for given in (texts, arrow):
        k2, l2, r2, info = minhash_sets(given, shingles, 3, 60, 12, 5, threads=threads, chunk=chunk)
        assert np.array_equal(k2, keys) and np.array_equal(l2, low) and np.array_equal(r2, rank)
        assert info["ngrams"] == h.size


def test_shingle_runs_of_a_subset_are_those_texts_runs() -> None:
    texts = _texts(300, seed=3)
    h, bounds = shingle_runs(texts, "chars", 3)
    pick = np.array([5, 0, 299, 17, 17], dtype=np.int64)
    hs, bs = shingle_runs(pa.array(texts).take(pa.array(pick)), "chars", 3, threads=2)
    for k, t in enumerate(pick.tolist()):
        assert np.array_equal(hs[bs[k] : bs[k + 1]], h[bounds[t] : bounds[t + 1]])


def test_band_pairs_equal_lsh_pairs_in_order() -> None:
    texts = _texts(2_000, seed=11)
    h, bounds, rank = shingle_sets(texts, "chars", 3)
    keys, _ = kmins_band_keys(h, bounds, 40, 20, 1)
    text_of = text_order(rank)
    for band in (0, 7, 19):  # band 19 orders by band 0's key
        i, j = lsh_pairs(keys, rank, DEFAULT_NEIGHBOURS, band, band + 1)
        bi, bj = lsh_band_pairs(keys, rank, text_of, DEFAULT_NEIGHBOURS, band)
        assert bi.dtype == np.int32 and i.size > 0
        assert np.array_equal(bi, i) and np.array_equal(bj, j)
    # one giant bucket: the same bound as before, counted exactly
    same = np.zeros((2, 3000), dtype=np.uint64)
    ident = np.arange(3000, dtype=np.int64)
    bi, bj = lsh_band_pairs(same, ident, ident, DEFAULT_NEIGHBOURS, 0)
    i, j = lsh_pairs(same, ident, DEFAULT_NEIGHBOURS, 0, 1)
    assert np.array_equal(bi, i) and np.array_equal(bj, j) and bi.size <= (DEFAULT_NEIGHBOURS + 1) * 3000


def test_lazy_verification_equals_verification_on_all_shingles() -> None:
    texts = _texts(400, seed=5)
    h, bounds, _ = shingle_sets(texts, "chars", 3)
    _, low = kmins_band_keys(h, bounds, 120, 20, 1)
    rng = np.random.default_rng(2)
    i = rng.integers(0, 400, 20_000)
    j = rng.integers(0, 400, 20_000)
    i, j = np.minimum(i, j), np.maximum(i, j)
    asked: list[np.ndarray] = []

    def runs(which: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        asked.append(which)
        return shingle_runs([texts[k] for k in which.tolist()], "chars", 3)

    for threshold, margin in ((0.8, 0.15), (0.5, 0.1), (0.0, 1.0)):
        expected = verify_pairs(h.copy(), bounds, low, i, j, threshold, margin)
        got, needed = verify_pairs_lazy(runs, low, i.astype(np.int32), j.astype(np.int32), threshold, margin, 2)
        assert np.array_equal(got, expected)
        passed = expected != -1.0  # only the texts of pairs past the b-bit check were shingled
        assert needed == np.union1d(i[passed], j[passed]).size == asked[-1].size
    assert asked[0].size < 400  # at 0.8 the b-bit check spares some texts


def _case_with_posts(case: Case) -> None:
    texts = _texts(200, seed=9)
    start = datetime(2020, 3, 1, tzinfo=UTC).timestamp()
    tbl = pa.table(
        {
            "post_id": [f"p{k}" for k in range(len(texts))],
            "account_id": [f"a{k % 20}" for k in range(len(texts))],
            "created_at": pa.array(
                [datetime.fromtimestamp(start + 60 * k, UTC).replace(tzinfo=None) for k in range(len(texts))],
                pa.timestamp("us"),
            ),
            "text": [t + " and some more words" for t in texts],
            "kind": ["post"] * len(texts),
        }
    )
    case.con.register("_rows", tbl)
    case.con.execute(
        "INSERT INTO posts (post_id, account_id, created_at, text, kind) "
        "SELECT post_id, account_id, created_at, text, kind FROM _rows"
    )
    case.con.unregister("_rows")


def _settings(con: duckdb.DuckDBPyConnection) -> tuple[str, bool]:
    row = con.execute(
        "SELECT current_setting('memory_limit'), current_setting('allocator_background_threads')"
    ).fetchall()[0]
    return str(row[0]), bool(row[1])


def test_fit_puts_duckdb_settings_back(fresh_case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    _case_with_posts(fresh_case)
    before = _settings(fresh_case.con)
    seen: list[tuple[str, bool]] = []
    real = nd.near_duplicate_clusters

    def spy(*args: object, **kwargs: object) -> object:
        seen.append(_settings(fresh_case.con))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(nd, "near_duplicate_clusters", spy)
    sig = NearDuplicate(null="none", min_activity=1, min_shared=1).fit(fresh_case.con)
    assert sig.stats_["clusters"] > 0
    assert seen and seen[0] != before and seen[0][1] is True  # lowered limit, background purging
    assert _settings(fresh_case.con) == before

    def boom(*args: object, **kwargs: object) -> object:
        raise RuntimeError("kernel failed")

    monkeypatch.setattr(nd, "near_duplicate_clusters", boom)
    with pytest.raises(RuntimeError):
        NearDuplicate(null="none").fit(fresh_case.con)
    assert _settings(fresh_case.con) == before
