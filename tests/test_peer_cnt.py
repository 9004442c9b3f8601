"""co_repost pairs equal the co-retweet pairs of the peer tool coordination-network-toolkit.

The peer (MIT, PyPI) is installed on demand into a cache folder by
benchmarks/peer/cnt.py (never into this repository); the tests skip only when
it cannot be installed (no package index reachable). Compared: the SET of
undirected account pairs at min_edge_weight 1, co_repost with every pair kept
(max_fanout=None, min_activity=1, min_shared=1, null="none"). Weights differ by definition:
the peer counts user_1's messages with a partner (directed), infoops sums the
idf of the shared originals.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from conftest import REPO, shared_file

from infoops.detect.signals.co_repost import CoRepost
from infoops.ingest.core import ingest
from infoops.store import Case

pytestmark = pytest.mark.integration


def _load_peer_module() -> ModuleType:
    path = REPO / "benchmarks" / "peer" / "cnt.py"
    spec = importlib.util.spec_from_file_location("infoops_bench_peer_cnt", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


cnt = _load_peer_module()


@pytest.fixture(scope="module")
def peer_exe() -> Path:
    try:
        return Path(cnt.ensure_venv())
    except cnt.PeerUnavailable as exc:
        pytest.skip(f"peer tool not installable here: {exc}")


def _ours(case: Case, window: float) -> set[tuple[str, str]]:
    sig = CoRepost(window=window, max_fanout=None, min_activity=1, min_shared=1, null="none").fit(case.con)
    return set(zip(sig.edges_.column("src").to_pylist(), sig.edges_.column("dst").to_pylist(), strict=True))


def _ingested(src: Path, case_dir: Path) -> Case:
    case = Case.open(case_dir)
    ingest(case, [src], progress=False, detect_languages=False)
    return case


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        # derived by hand from the fixture's rows (|t1 - t2| <= window, same original)
        (60, {("uid0", "uid1"), ("uid2", "uid3"), ("uid4", "uid5")}),
        (10, {("uid2", "uid3"), ("uid4", "uid5")}),
    ],
)
def test_peer_fixture_known_pairs(peer_exe: Path, tmp_path: Path, window: int, expected: set[tuple[str, str]]) -> None:
    case = _ingested(shared_file("cnt-samples/coretweet_test_input.csv"), tmp_path / "case")
    ours = _ours(case, window)
    peer = cnt.run_peer(case.con, tmp_path / "peer", "co_retweet", window, exe=peer_exe)
    assert ours == expected
    assert peer.pairs == expected


@pytest.mark.parametrize("window", [60, 5])
def test_russian_coord_tweets_pairs_equal_peer(peer_exe: Path, tmp_path: Path, window: int) -> None:
    case = _ingested(shared_file("coortweet/russian_coord_tweets.csv"), tmp_path / "case")
    ours = _ours(case, window)
    peer = cnt.run_peer(case.con, tmp_path / "peer", "co_retweet", window, exe=peer_exe)
    assert len(peer.pairs) > 100
    assert ours == peer.pairs


def test_simulated_platform_pairs_equal_peer(peer_exe: Path, tmp_path: Path) -> None:
    from infoops.simulate import build_params, simulate

    simulate(tmp_path / "platform", build_params(scale=0.005, seed=5))
    case = _ingested(tmp_path / "platform" / "archive", tmp_path / "case")
    ours = _ours(case, 60)
    peer = cnt.run_peer(case.con, tmp_path / "peer", "co_retweet", 60, exe=peer_exe)
    assert len(peer.pairs) > 10
    assert ours == peer.pairs
