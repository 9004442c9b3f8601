"""The local (numpy) and SQL engines of the co-action signals give the same edges and thresholds.

Same pairs, weights to 1e-9, n_events, evidence sets, thresholds and filter
counts, on planted data, on deliberately messy data (time ties, repeated
actions, posts with several objects) and on a small simulated platform, for
several signals, windows, fan-outs and null models.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from test_detect_fixtures import Planted, planted_case

from infoops.detect import local
from infoops.detect.coaction import CoActionSignal
from infoops.detect.signals.co_domain import CoDomain
from infoops.detect.signals.co_mention import CoMention
from infoops.detect.signals.co_repost import CoRepost
from infoops.detect.signals.co_repost_author import CoRepostAuthor
from infoops.detect.signals.co_repost_tfidf import CoRepostTfidf
from infoops.detect.signals.co_url import CoUrl
from infoops.detect.signals.co_url_tfidf import CoUrlTfidf
from infoops.detect.signals.fast_repost import FastRepost
from infoops.detect.signals.hashtag_sequence import HashtagSequence
from infoops.detect.signals.sync_activity import SyncActivity
from infoops.ingest.core import ingest
from infoops.simulate.core import simulate
from infoops.simulate.params import build_params
from infoops.store import Case

VOLATILE = {"seconds", "seconds_pairs"}


def fit_both(make: Any, con: Any) -> tuple[CoActionSignal, CoActionSignal]:
    return make(engine="local").fit(con), make(engine="sql").fit(con)


def assert_same(a: CoActionSignal, b: CoActionSignal) -> None:
    assert_same_edges(a, b)
    assert a.get_params()["engine"] == "local" and b.get_params()["engine"] == "sql"


def assert_same_edges(a: CoActionSignal, b: CoActionSignal) -> None:
    ea = {(r["src"], r["dst"]): r for r in a.edges_.to_pylist()}
    eb = {(r["src"], r["dst"]): r for r in b.edges_.to_pylist()}
    assert ea.keys() == eb.keys()
    for k, ra in ea.items():
        rb = eb[k]
        assert ra["weight"] == pytest.approx(rb["weight"], rel=1e-9, abs=1e-12), k
        assert ra["n_events"] == rb["n_events"], k
        assert set(ra["evidence"]) == set(rb["evidence"]), k
        assert len(ra["evidence"]) == len(rb["evidence"]), k
    assert a.threshold_ == pytest.approx(b.threshold_, rel=1e-9, abs=1e-12)
    sa = {k: v for k, v in a.stats_.items() if k not in VOLATILE}
    sb = {k: v for k, v in b.stats_.items() if k not in VOLATILE}
    assert sa.keys() == sb.keys()
    for key, va in sa.items():
        if isinstance(va, float):
            assert va == pytest.approx(sb[key], rel=1e-9, abs=1e-12), key
        elif key == "strata":  # one dict of numbers per stratum
            assert len(va) == len(sb[key]), key
            for da, db in zip(va, sb[key], strict=True):
                assert da == pytest.approx(db, rel=1e-9, abs=1e-12), key
        else:
            assert va == sb[key], key


PLANTED = [
    (CoRepost, "repost"),
    (CoUrl, "url"),
    (CoDomain, "domain"),
    (HashtagSequence, "hashtags"),
    (CoMention, "mention"),
]


@pytest.mark.parametrize(("cls", "kind"), PLANTED)
@pytest.mark.parametrize(
    ("window", "fanout", "null"),
    [(60.0, 50, "shuffle"), (600.0, 3, "shift"), (60.0, None, "none"), (None, 5, "shuffle")],
)
def test_engines_agree_on_planted_data(
    cls: type[CoActionSignal], kind: str, window: float | None, fanout: int | None, null: str
) -> None:
    case, _ = planted_case(kind, seed=3, groups=2, n_background=150)
    a, b = fit_both(lambda **kw: cls(window=window, max_fanout=fanout, null=null, **kw), case.con)
    assert a.stats_["edges_raw"] > 0
    assert_same(a, b)
    case.close()


@pytest.mark.parametrize("null", ["shuffle", "shift", "none"])
@pytest.mark.parametrize("fanout", [20, 2, None])
def test_engines_agree_on_sync_activity(null: str, fanout: int | None) -> None:
    case, _ = planted_case("post", seed=4, groups=2, n_background=120, acts=30)
    a, b = fit_both(lambda **kw: SyncActivity(max_fanout=fanout, null=null, **kw), case.con)
    assert a.stats_["edges_raw"] > 0
    assert_same(a, b)
    case.close()


@pytest.mark.parametrize("cls", [CoRepostTfidf, CoRepostAuthor])
@pytest.mark.parametrize("null", ["shuffle", "none"])
def test_engines_agree_on_tfidf(cls: type[CoActionSignal], null: str) -> None:
    case, _ = planted_case("repost", seed=5, groups=2, n_background=150)
    a, b = fit_both(lambda **kw: cls(null=null, min_activity=1, **kw), case.con)
    assert a.stats_["edges_raw"] > 0
    assert_same(a, b)
    case.close()


def _stratified(make: Any) -> Any:
    def build(**kw: Any) -> CoActionSignal:
        sig = make(**kw)
        sig.stratify = True
        return sig

    return build


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (lambda **kw: CoRepost(**kw), "repost"),
        (lambda **kw: CoRepost(window=600.0, null="shift", **kw), "repost"),
        (lambda **kw: CoRepostAuthor(min_activity=1, **kw), "repost"),
        (lambda **kw: CoUrlTfidf(**kw), "url"),
        (lambda **kw: SyncActivity(**kw), "post"),
    ],
)
def test_engines_agree_with_activity_strata(make: Any, kind: str) -> None:
    """Stratified thresholds: same strata, same per-stratum thresholds, same edges on both engines."""
    case, _ = planted_case(kind, seed=6, groups=2, n_background=400, acts=25)
    a, b = fit_both(_stratified(make), case.con)
    assert a.stratify and b.stratify and "strata" in a.stats_
    assert a.stats_["edges_raw"] > 0
    assert_same(a, b)
    case.close()


def messy_case(seed: int) -> Case:
    """Few accounts and objects, whole-second times (many ties), repeated actions, multi-URL posts."""
    rng = np.random.default_rng(seed)
    p = Planted()
    for _ in range(400):
        acc = f"a{int(rng.integers(0, 25))}"
        obj = str(int(rng.integers(0, 12)))
        t = float(rng.integers(0, 240))
        kind = str(rng.choice(["repost", "url", "hashtags"]))
        p.post(acc, t, kind, f"o{obj}" if kind == "repost" else obj)
        if kind == "url" and rng.random() < 0.5:  # a second URL in the same post
            row = p.rows[-1]
            row["urls"] = [*row["urls"], f"https://www.site{int(rng.integers(0, 12))}.example/a"]  # type: ignore[misc]
    # one account without any action on a shared object, one object nobody else touched
    p.post("lonely", 5.0, "repost", "o_unique")
    return p.load(Case.memory())


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize(
    "make",
    [
        lambda **kw: CoRepost(window=30, max_fanout=4, min_activity=1, min_shared=1, **kw),
        lambda **kw: CoRepost(window=30, max_fanout=None, **kw),
        lambda **kw: CoUrl(window=100, max_fanout=3, null="shift", **kw),
        lambda **kw: CoDomain(window=100, null="shuffle", **kw),
        lambda **kw: CoUrlTfidf(max_fanout=2, min_activity=1, **kw),
        lambda **kw: HashtagSequence(window=10, null="none", min_shared=1, **kw),
        lambda **kw: SyncActivity(bin_seconds=30, min_activity=2, null="shift", **kw),
    ],
)
def test_engines_agree_on_messy_data(seed: int, make: Any) -> None:
    case = messy_case(seed)
    a, b = fit_both(make, case.con)
    assert_same(a, b)
    case.close()


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Case]:
    tmp = tmp_path_factory.mktemp("engines")
    simulate(tmp / "p", build_params(scale=0.02, seed=3))
    case = Case.open(tmp / "case")
    ingest(case, [tmp / "p" / "archive"], progress=False, detect_languages=False)
    yield case
    case.close()


@pytest.mark.parametrize(
    "make",
    [
        lambda **kw: CoRepost(**kw),
        lambda **kw: CoRepost(window=600, max_fanout=10, null="shift", **kw),
        lambda **kw: CoRepost(max_fanout=None, min_activity=1, min_shared=1, null="none", **kw),
        lambda **kw: CoUrl(**kw),
        lambda **kw: SyncActivity(**kw),
        lambda **kw: SyncActivity(null="shift", **kw),
        lambda **kw: CoRepostTfidf(**kw),
        lambda **kw: CoRepostAuthor(**kw),
        lambda **kw: FastRepost(**kw),
    ],
)
def test_engines_agree_on_a_simulated_platform(simulated: Case, make: Any) -> None:
    a, b = fit_both(make, simulated.con)
    assert a.stats_["actions_kept"] > 0
    assert_same(a, b)


def test_unknown_engine_is_refused(fresh_case: Case) -> None:
    with pytest.raises(ValueError, match="engine"):
        CoRepost(engine="spark").fit(fresh_case.con)


def test_local_engine_is_the_default_and_recorded() -> None:
    assert CoRepost().get_params()["engine"] == "local"
    assert SyncActivity().get_params()["engine"] == "local"
    assert FastRepost().get_params()["engine"] == "local"
    assert CoRepostTfidf().get_params()["engine"] == "local"


def test_empty_input_gives_no_edges_in_both_engines(fresh_case: Case) -> None:
    a, b = fit_both(lambda **kw: CoRepost(**kw), fresh_case.con)
    assert a.edges_.num_rows == b.edges_.num_rows == 0
    assert_same(a, b)


@pytest.mark.parametrize("seed", [1, 2])
def test_wide_key_fallback_gives_the_same_edges(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keys too wide for 64 bits take the numpy grouping: same edges as the compiled path."""
    case = messy_case(seed)
    make = lambda **kw: CoUrl(window=100, max_fanout=3, min_shared=2, null="shuffle", **kw)  # noqa: E731
    packed = make(engine="local").fit(case.con)
    monkeypatch.setattr(local, "KEY_BITS", 0)
    wide = make(engine="local").fit(case.con)
    assert packed.stats_["edges_raw"] > 0
    assert_same_edges(packed, wide)
    assert_same(wide, make(engine="sql").fit(case.con))
    case.close()


def test_small_emit_chunks_give_the_same_edges(monkeypatch: pytest.MonkeyPatch) -> None:
    """Co-actions written a few at a time (bounded buffers) give the same edges as one buffer."""
    case, _ = planted_case("repost", seed=6, groups=2, n_background=150)
    whole = CoRepost().fit(case.con)
    monkeypatch.setattr(local, "EMIT_CHUNK", 7)
    chunked = CoRepost().fit(case.con)
    assert whole.edges_.num_rows > 0
    assert_same_edges(whole, chunked)
    case.close()


@pytest.mark.parametrize("n", [0, 1, 2, 1000, 50_000])
def test_radix_sorts_match_numpy(n: int) -> None:
    from infoops.detect import pairkernel

    rng = np.random.default_rng(n)
    keys = rng.integers(0, 2**45, n)
    assert np.array_equal(pairkernel.radix_sort(keys, 45, False), np.sort(keys))
    a = rng.integers(0, 7, n)
    b = rng.normal(size=n).round(1)  # many ties, negative values, zeros
    b[: n // 4] = -0.0
    c = rng.integers(0, 3000, n)
    assert np.array_equal(pairkernel.lex_order(c, b, a), np.lexsort((c, b, a)))
