"""Each co-action signal finds planted coordination and leaves independent accounts alone."""

from __future__ import annotations

import time

import pytest
from test_detect_fixtures import Planted, edge_pairs, planted_case

from infoops.detect.base import EDGE_SCHEMA, MAX_EVIDENCE, Signal
from infoops.detect.signals.co_domain import CoDomain
from infoops.detect.signals.co_mention import CoMention
from infoops.detect.signals.co_quote import CoQuote
from infoops.detect.signals.co_reply import CoReply
from infoops.detect.signals.co_repost import CoRepost
from infoops.detect.signals.co_url import CoUrl
from infoops.detect.signals.hashtag_sequence import HashtagSequence
from infoops.registry import signals
from infoops.store import Case

CASES: list[tuple[type[Signal], str]] = [
    (CoRepost, "repost"),
    (CoReply, "reply"),
    (CoQuote, "quote"),
    (CoUrl, "url"),
    (CoDomain, "domain"),
    (HashtagSequence, "hashtags"),
    (CoMention, "mention"),
]


def _check(sig: Signal, p: Planted) -> None:
    found = edge_pairs(sig.edges_)
    planted = p.pairs()
    bg = set(p.background)
    bg_edges = {e for e in found if e[0] in bg and e[1] in bg}
    assert planted <= found, f"missed {len(planted - found)} of {len(planted)} planted pairs"
    # the threshold tolerates alpha * kept chance edges; allow that, not more
    assert len(bg_edges) <= max(1, 2 * sig.get_params().get("alpha", 0.05) * len(found)), bg_edges


@pytest.mark.parametrize(("cls", "kind"), CASES)
@pytest.mark.parametrize("seed", [1, 2])
def test_signal_finds_planted_group(cls: type[Signal], kind: str, seed: int) -> None:
    case, p = planted_case(kind, seed=seed, groups=2)
    sig = cls().fit(case.con)
    _check(sig, p)
    assert sig.edges_.schema.equals(EDGE_SCHEMA)
    assert sig.threshold_ > 0
    ev = sig.edges_.column("evidence").to_pylist()
    assert all(0 < len(e) <= MAX_EVIDENCE for e in ev)
    case.close()


def test_evidence_points_at_the_posts_behind_the_edge() -> None:
    case, p = planted_case("repost", seed=5)
    sig = CoRepost().fit(case.con)
    row = sig.edges_.slice(0, 1).to_pylist()[0]
    owners = dict(case.con.execute("SELECT post_id, account_id FROM posts").fetchall())
    assert {owners[e] for e in row["evidence"]} == {row["src"], row["dst"]}
    case.close()


def test_independent_accounts_give_no_edges() -> None:
    case, p = planted_case("repost", seed=7, groups=0)
    sig = CoRepost().fit(case.con)
    assert sig.edges_.num_rows <= 2
    case.close()


def test_threshold_rises_with_background_noise() -> None:
    """More background accounts on the same objects: more chance co-actions, higher bar."""
    thresholds = []
    for n_background in (100, 1500):
        case, _ = planted_case("repost", seed=11, n_background=n_background, acts=30)
        thresholds.append(CoRepost().fit(case.con).threshold_)
        case.close()
    assert thresholds[1] > thresholds[0]


def test_min_activity_filter_is_recorded() -> None:
    case, p = planted_case("repost", seed=4)
    sig = CoRepost(min_activity=30).fit(case.con)
    assert sig.stats_["accounts_below_min_activity"] > 0
    assert not {a for g in p.groups for a in g} & {x for e in edge_pairs(sig.edges_) for x in e}
    case.close()


def test_viral_object_is_explosion_safe() -> None:
    """20,000 accounts reposting one original within a minute: at most K pairs per share."""
    n, k = 20_000, 10
    p = Planted()
    for i in range(n):
        p.post(f"a{i:05d}", i * 0.002, "repost", "viral")
    case = p.load(Case.memory())
    t0 = time.perf_counter()
    sig = CoRepost(max_fanout=k, min_activity=1, min_shared=1, null="none").fit(case.con)
    elapsed = time.perf_counter() - t0
    assert sig.stats_["pairs"] <= k * n
    assert sig.stats_["pairs"] >= (k - 1) * (n - k)
    assert elapsed < 60  # generous bound: the naive join would need 2 * 10^8 pairs
    case.close()


def test_every_signal_is_registered() -> None:
    names = set(signals.names())
    assert {
        "co_repost",
        "fast_repost",
        "co_reply",
        "co_quote",
        "co_url",
        "co_domain",
        "hashtag_sequence",
        "co_mention",
        "sync_activity",
    } <= names
