"""identical_text gives the same result, evidence and null model included, whatever the order
DuckDB hands the posts' texts back in (row order of the table, threads, cached or not)."""

from __future__ import annotations

import random
from typing import Any

import pytest
from test_signal_text import load_rows

from infoops.detect.base import MAX_EVIDENCE
from infoops.detect.signals import identical_text
from infoops.detect.signals.identical_text import IdenticalText, TextSignal, text_actions
from infoops.detect.signals.near_duplicate import NearDuplicate
from infoops.store import Case

T0 = 1_600_000_000
HOUR = 3600
Row = tuple[str, str, float, str, str]


def _rows(seed: int = 3) -> list[Row]:
    """A planted group and chance co-posting to feed the null model.

    Eight accounts post the same 24 slogans within minutes (24 shared objects of equal
    popularity: more than the evidence can hold, so which ones it shows hangs on the
    tie order); 150 other accounts post texts of a common pool of 120 at random times
    over five days, so chance pairs exist in the real data and under the null model.
    """
    rng = random.Random(seed)
    rows: list[Row] = []
    for k in range(24):
        base = T0 + k * 5 * HOUR
        slogan = f"slogan number {k} of the campaign: support the policy {rng.random():.5f}"
        for a in range(8):
            text = slogan if a % 2 else slogan.upper() + f" https://t.co/{k}{a}"
            rows.append((f"io{k}_{a}", f"io{a}", base + rng.randint(0, 900), text, "post"))
    pool = [f"common text {j} about the weather and tea {rng.random():.4f}" for j in range(120)]
    for a in range(150):
        for j in range(rng.randint(2, 25)):
            t = T0 + rng.randint(0, 5 * 24 * HOUR)
            rows.append((f"o{a}_{j}", f"org{a:03d}", t, rng.choice(pool), "post"))
        rows.append((f"r{a}", f"org{a:03d}", T0 + a, "RT @io1: " + pool[0], "repost"))
    return rows


def _case(rows: list[Row], threads: int) -> Case:
    case = Case.memory()
    case.con.execute(f"SET threads = {int(threads)}")
    load_rows(case, rows)
    return case


def _orders(rows: list[Row]) -> list[list[Row]]:
    shuffled = list(rows)
    random.Random(11).shuffle(shuffled)
    return [rows, rows[::-1], shuffled]


def _no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each fit normalises afresh (the cache would hand every fit the first fit's text order)."""
    monkeypatch.setattr(identical_text, "_CACHE", identical_text._NormCache())
    monkeypatch.setattr(identical_text, "CACHE_MAX_TEXTS", 0)


def _result(sig: TextSignal) -> dict[str, Any]:
    e = sig.edges_
    return {
        "edges": list(
            zip(
                e.column("src").to_pylist(),
                e.column("dst").to_pylist(),
                e.column("weight").to_pylist(),
                e.column("n_events").to_pylist(),
                e.column("evidence").to_pylist(),  # ordered lists, not sets
                strict=True,
            )
        ),
        "threshold": sig.threshold_,
        "stats": {
            k: v
            for k, v in sig.stats_.items()
            if not k.startswith("seconds") and k != "normalisation_cached"
        },
    }


def test_text_objects_do_not_depend_on_row_order(monkeypatch: pytest.MonkeyPatch) -> None:
    _no_cache(monkeypatch)
    seen = []
    for order in _orders(_rows()):
        case = _case(order, 1)
        text_actions(case.con, "posts", "_io_det_text", 16)
        seen.append(dict(case.con.execute("SELECT post_id, object FROM _io_det_text").fetchall()))
        case.close()
    assert len(seen[0]) > 1000 and len(set(seen[0].values())) > 100
    assert seen[1] == seen[0] and seen[2] == seen[0]
    # the same normalised text is one object; different texts are different objects
    assert seen[0]["io0_0"] == seen[0]["io0_1"] != seen[0]["io1_0"]


@pytest.mark.parametrize("threads", [1, 2])
def test_identical_text_does_not_depend_on_row_order(
    monkeypatch: pytest.MonkeyPatch, threads: int
) -> None:
    _no_cache(monkeypatch)
    results = []
    for order in _orders(_rows()):
        case = _case(order, threads)
        results.append(_result(IdenticalText().fit(case.con)))
        case.close()
    first = results[0]
    # the case exercises what varied: a null model with edges, evidence cut to MAX_EVIDENCE
    planted = {(f"io{a}", f"io{b}") for a in range(8) for b in range(a + 1, 8)}
    assert planted <= {(s, d) for s, d, *_ in first["edges"]}
    assert first["stats"]["null_edges"] > 0
    assert max(len(ev) for *_, ev in first["edges"]) == MAX_EVIDENCE
    for other in results[1:]:
        assert other["edges"] == first["edges"]
        assert other["threshold"] == first["threshold"]
        assert other["stats"] == first["stats"]


def test_identical_text_same_with_one_or_two_threads_and_cached(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rows = _rows(seed=4)
    results = []
    with monkeypatch.context() as m:
        _no_cache(m)
        for threads in (1, 2):
            case = _case(rows[::-1] if threads == 2 else rows, threads)
            results.append(_result(IdenticalText().fit(case.con)))
            case.close()
    # with the cache on: the second fit reuses the first one's normalised texts
    case = _case(rows, 2)
    monkeypatch.setattr(identical_text, "_CACHE", identical_text._NormCache())
    results.append(_result(IdenticalText().fit(case.con)))
    again = IdenticalText().fit(case.con)
    assert again.stats_["normalisation_cached"] is True
    results.append(_result(again))
    case.close()
    assert results[0]["stats"]["null_edges"] > 0
    for other in results[1:]:
        assert other == results[0]


def test_near_duplicate_does_not_depend_on_row_order(monkeypatch: pytest.MonkeyPatch) -> None:
    # near_duplicate shares the text objects' code path (its clusters are numbered by their own rule)
    _no_cache(monkeypatch)
    results = []
    for threads, order in zip((1, 2, 2), _orders(_rows()), strict=True):
        case = _case(order, threads)
        results.append(_result(NearDuplicate().fit(case.con)))
        case.close()
    assert results[0]["stats"]["null_edges"] > 0 and results[0]["edges"]
    assert results[1] == results[0] and results[2] == results[0]
