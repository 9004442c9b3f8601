"""detect_case end to end on planted groups: fusion keeps signal weights, Leiden recovers groups, CLI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
from click.testing import CliRunner
from test_detect_fixtures import Planted, background, plant

from infoops.cli import build
from infoops.detect import fusion, networks
from infoops.detect.pipeline import DetectParams, detect_case
from infoops.store import Case

SIGNALS = ["co_repost", "co_url", "hashtag_sequence", "co_mention"]


def _planted(seed: int) -> tuple[Planted, list[list[str]]]:
    rng = np.random.default_rng(seed)
    p = Planted()
    for kind in ("repost", "url", "hashtags"):
        background(p, rng, kind, n_accounts=150, acts=10)
    groups = []
    for g, kinds in enumerate([("repost", "url"), ("hashtags", "repost"), ("url", "hashtags")]):
        members = plant(p, rng, kinds[0], size=8 + 2 * g, n_events=12, prefix=f"g{g}x")
        for kind in kinds[1:]:
            for e in range(10):
                t = float(rng.uniform(0, 9 * 86400))
                for acc in members:
                    obj = str(50_000 + 1000 * g + e)
                    p.post(
                        acc,
                        t + float(rng.uniform(0, 20)),
                        kind,
                        f"o{obj}" if kind == "repost" else obj,
                    )
        groups.append(members)
    return p, groups


def test_networks_recover_planted_groups() -> None:
    p, groups = _planted(seed=2)
    case = p.load(Case.memory())
    summary = detect_case(case, DetectParams(signals=SIGNALS, attribute=False))
    mem = case.con.execute("SELECT account_id, network_id FROM memberships").fetchall()
    net_of = dict(mem)
    for g in groups:
        ids = {net_of.get(a) for a in g}
        assert None not in ids, f"group {g[0]} partly missing"
        assert len(ids) == 1, f"group {g[0]} split over {ids}"
    assert len({net_of[g[0]] for g in groups}) == len(groups)
    bg_in = [a for a in net_of if a in set(p.background)]
    assert len(bg_in) <= 2
    assert summary.networks == case.count("networks")
    mix = case.con.execute("SELECT signal_mix FROM networks").fetchall()
    assert all(abs(sum(m[0].values()) - 1.0) < 1e-9 for m in mix)
    runs = case.con.execute("SELECT DISTINCT run_id FROM memberships").fetchall()
    assert runs == [(summary.run_id,)]
    case.close()


def test_rerun_replaces_results() -> None:
    p, _ = _planted(seed=3)
    case = p.load(Case.memory())
    detect_case(case, DetectParams(signals=SIGNALS, attribute=False))
    first = case.count("memberships")
    s2 = detect_case(case, DetectParams(signals=SIGNALS, attribute=False))
    assert case.count("memberships") == first
    assert case.con.execute("SELECT count(DISTINCT run_id) FROM edges").fetchone() == (1,)
    assert case.con.execute("SELECT DISTINCT run_id FROM edges").fetchone() == (s2.run_id,)
    thr = case.con.execute("SELECT signal, edges_raw, edges_kept FROM signal_thresholds").fetchall()
    assert {t[0] for t in thr} == set(SIGNALS)
    assert all(raw >= kept for _, raw, kept in thr)
    case.close()


def test_fusion_keeps_per_signal_weights() -> None:
    con = Case.memory().con
    edges = pa.table(
        {
            "signal": ["a", "b", "a"],
            "src": ["x", "x", "y"],
            "dst": ["y", "y", "z"],
            "weight": [4.0, 1.0, 2.0],
        }
    )
    out = fusion.fuse(con, edges, {"a": 2.0, "b": 1.0}).to_pylist()
    by_pair = {(r["src"], r["dst"]): r for r in out}
    xy = by_pair[("x", "y")]
    sw = dict(xy["signal_weights"])
    assert set(sw) == {"a", "b"}
    assert abs(sw["a"] - np.log2(3)) < 1e-9 and abs(sw["b"] - 1.0) < 1e-9
    assert abs(xy["weight"] - sum(sw.values())) < 1e-9
    assert set(dict(by_pair[("y", "z")]["signal_weights"])) == {"a"}


def test_kcore_prunes_pendant_accounts() -> None:
    src, dst = [], []
    clique = [f"c{i}" for i in range(6)]
    other = [f"d{i}" for i in range(6)]
    for group in (clique, other):
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                src.append(a)
                dst.append(b)
    src.append("c0")
    dst.append("pendant")
    n = len(src)
    edges = pa.table(
        {
            "src": src,
            "dst": dst,
            "weight": [1.0] * n,
            "signal_weights": pa.array([[("s", 1.0)]] * n, pa.map_(pa.string(), pa.float64())),
        }
    )
    res = networks.find_networks(edges, min_degree=2, min_size=5)
    members = set(res.memberships.column("account_id").to_pylist())
    assert members == set(clique) | set(other)
    res1 = networks.find_networks(edges, min_degree=1, min_size=5)
    assert "pendant" in set(res1.memberships.column("account_id").to_pylist())


def test_cli_detect(tmp_path: Path) -> None:
    p, groups = _planted(seed=4)
    case_dir = tmp_path / "case"
    with Case.open(case_dir) as case:
        p.load(case)
    res = CliRunner().invoke(
        build(),
        ["detect", "--case", str(case_dir), "--signals", ",".join(SIGNALS), "--no-attribute"],
    )
    assert res.exit_code == 0, res.output
    assert "networks" in res.output
    with Case.open(case_dir) as case:
        assert case.count("networks") >= len(groups)
        row = case.con.execute(
            "SELECT status, counts FROM runs WHERE command = 'detect'"
        ).fetchone()
        assert row is not None and row[0] == "ok"
    bad = CliRunner().invoke(build(), ["detect", "--case", str(case_dir), "--signals", "nope"])
    assert bad.exit_code != 0 and "unknown signal" in bad.output


def test_cli_detect_needs_a_case(tmp_path: Path) -> None:
    res = CliRunner().invoke(build(), ["detect", "--case", str(tmp_path / "absent")])
    assert res.exit_code != 0 and "not a case folder" in res.output


def test_same_seed_same_networks() -> None:
    p, _ = _planted(seed=6)
    case = p.load(Case.memory())
    runs = []
    for _ in range(2):
        detect_case(case, DetectParams(signals=[*SIGNALS, "sync_activity", "co_repost_author"], attribute=False))
        runs.append(sorted(case.con.execute("SELECT network_id, account_id FROM memberships").fetchall()))
        # thresholds up to float summation order (DuckDB aggregates in parallel)
        runs.append(case.con.execute("SELECT signal, round(threshold, 9) FROM signal_thresholds ORDER BY 1").fetchall())
    assert runs[0] == runs[2] and runs[1] == runs[3]
    case.close()
