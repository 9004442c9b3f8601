"""co_repost equals a brute-force reference on CooRTweet's real retweets (MIT, read in place)."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest
from conftest import shared_file

from infoops.detect.signals.co_repost import CoRepost
from infoops.store import Case

WINDOW = 60.0


def _load(case: Case, path: Path) -> None:
    case.con.execute(
        """INSERT INTO posts (post_id, account_id, created_at, time_precision, kind, ref_post_id)
           SELECT content_id, account_id,
                  make_timestamp(CAST(round(CAST(timestamp_share AS DOUBLE) * 1000000) AS BIGINT)),
                  's', 'repost', object_id
           FROM read_csv(?, all_varchar = true, header = true)""",
        [str(path)],
    )


def brute_force_pairs(path: Path, window: float) -> dict[tuple[str, str], set[str]]:
    """Every pair of different accounts reposting one original at most `window` seconds apart.

    Plain Python over all pairs of shares of each original; returns the pair ->
    set of originals it co-reposted.
    """
    shares: dict[str, list[tuple[float, str]]] = defaultdict(list)
    with path.open(newline="") as fh:
        for row in csv.DictReader(fh):
            shares[row["object_id"]].append((float(row["timestamp_share"]), row["account_id"]))
    pairs: dict[tuple[str, str], set[str]] = defaultdict(set)
    for obj, items in shares.items():
        for i, (t1, a1) in enumerate(items):
            for t2, a2 in items[i + 1 :]:
                if a1 != a2 and abs(t1 - t2) <= window:
                    pairs[(min(a1, a2), max(a1, a2))].add(obj)
    return pairs


@pytest.mark.integration
def test_co_repost_equals_brute_force_on_real_retweets() -> None:
    path = shared_file("coortweet/russian_coord_tweets.csv")
    case = Case.memory()
    _load(case, path)
    sig = CoRepost(window=WINDOW, max_fanout=None, min_activity=1, min_shared=1, null="none").fit(case.con)
    expected = brute_force_pairs(path, WINDOW)
    got = {
        (r["src"], r["dst"]): r["n_events"]
        for r in sig.edges_.select(["src", "dst", "n_events"]).to_pylist()
    }
    assert len(expected) > 1000
    assert set(got) == set(expected)
    assert all(got[k] == len(v) for k, v in expected.items())
    case.close()


@pytest.mark.integration
def test_co_repost_fanout_cap_only_removes_pairs() -> None:
    path = shared_file("coortweet/russian_coord_tweets.csv")
    case = Case.memory()
    _load(case, path)
    full = CoRepost(window=WINDOW, max_fanout=None, min_activity=1, min_shared=1, null="none").fit(case.con)
    capped = CoRepost(window=WINDOW, max_fanout=3, min_activity=1, min_shared=1, null="none").fit(case.con)
    assert _pairs(capped) < _pairs(full)
    case.close()


def _pairs(sig: CoRepost) -> set[tuple[str, str]]:
    return set(zip(sig.edges_.column("src").to_pylist(), sig.edges_.column("dst").to_pylist(), strict=True))
