"""Detection recall on simulated platforms: simulate (cached) -> ingest (cached) -> detect_case
(attribution off), then score against the simulator's truth file.

Usage:
  .venv/bin/python benchmarks/eval_detect.py                          # seeds 1,2,3, scale 0.1, default+stealthy
  .venv/bin/python benchmarks/eval_detect.py --seeds 4,5 --scales 0.1 --scenarios default,stealthy,noisy,default:stealth=0.5
  .venv/bin/python benchmarks/eval_detect.py --seeds 1 --scales 0.1 --scenarios stealthy --missed
Options: --src DIR (score another checkout's src/), --work DIR (cache of platforms and ingested cases, default benchmarks/out/eval_detect),
--json FILE (all figures), --missed (describe the missed operation accounts).

The truth file is read here ONLY to score: recall of operation accounts (is_io = 1) in any
network, per campaign and role; authentic accounts in networks per group; campaign purity of
networks whose majority are operation accounts (each member labelled by its campaign,
authentic members by their group; the share of members carrying the network's top label); for the
missed operation accounts, in which signals they have kept edges and their fused degree.
CPU seconds of detect_case are reported beside wall seconds (the machine is shared).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
# --src DIR: score another checkout's package (e.g. `git archive HEAD src | tar -x -C DIR`)
_SRC = sys.argv[sys.argv.index("--src") + 1] if "--src" in sys.argv else str(REPO / "src")
sys.path.insert(0, _SRC)

from infoops.detect.pipeline import DetectParams, detect_case  # noqa: E402
from infoops.store import Case  # noqa: E402


def prepare(work: Path, seed: int, scale: float, scenario: str) -> tuple[Path, Path]:
    """Simulated platform and ingested case (both cached under `work`)."""
    from infoops.ingest.core import ingest
    from infoops.simulate.core import simulate
    from infoops.simulate.params import build_params

    base, _, stealth = scenario.partition(":stealth=")
    name = f"s{seed}_x{scale:g}_{base}" + (f"_st{stealth}" if stealth else "")
    plat, case_dir = work / f"{name}-platform", work / f"{name}-case"
    if not (plat / "truth.csv").exists():
        simulate(
            plat,
            build_params(
                scenario=base, scale=scale, seed=seed, stealth=float(stealth) if stealth else None
            ),
        )
    if not (case_dir / "ingested.ok").exists():
        case = Case.open(case_dir)
        ingest(case, [plat / "archive"], progress=False, detect_languages=False)
        case.close()
        (case_dir / "ingested.ok").write_text("ok\n")
    return plat, case_dir


def read_truth(plat: Path) -> dict[str, dict[str, str]]:
    with (plat / "truth.csv").open(newline="") as fh:
        return {r["account_id"]: r for r in csv.DictReader(fh)}


def score(case: Case, truth: dict[str, dict[str, str]], missed: bool) -> dict[str, Any]:
    con = case.con
    mem = dict(con.execute("SELECT account_id, network_id FROM memberships").fetchall())
    io = [a for a, r in truth.items() if r["is_io"] == "1"]
    out: dict[str, Any] = {"io": len(io), "found": sum(a in mem for a in io)}
    out["recall"] = out["found"] / max(len(io), 1)
    by_c: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_r: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for a in io:
        c, r = truth[a]["campaign"], truth[a]["role"]
        for d, k in ((by_c, c), (by_r, f"{c}/{r}")):
            d[k][0] += a in mem
            d[k][1] += 1
    out["recall_by_campaign"] = {k: round(f / n, 3) for k, (f, n) in sorted(by_c.items())}
    out["recall_by_role"] = {k: f"{f}/{n}" for k, (f, n) in sorted(by_r.items())}
    auth = Counter(truth[a]["group"] for a in mem if a in truth and truth[a]["is_io"] == "0")
    groups = Counter(r["group"] for r in truth.values() if r["is_io"] == "0")
    out["authentic_in_networks"] = sum(auth.values())
    out["authentic_by_group"] = {g: f"{auth.get(g, 0)}/{n}" for g, n in sorted(groups.items())}
    # purity: each member's label is its campaign (operations) or its group (authentic)
    nets: dict[str, Counter[str]] = defaultdict(Counter)
    for a, nid in mem.items():
        r = truth.get(a)
        if r is not None:
            nets[nid][r["campaign"] if r["is_io"] == "1" else "auth:" + r["group"]] += 1
    # operation networks: most members (that the truth file covers) are operation accounts
    op_nets = {
        n: c
        for n, c in nets.items()
        if 2 * sum(v for k, v in c.items() if not k.startswith("auth:")) > sum(c.values())
    }
    tot = sum(sum(c.values()) for c in op_nets.values())
    out["networks"] = len(nets)
    out["op_networks"] = len(op_nets)
    out["op_network_purity"] = round(
        sum(max(c.values()) for c in op_nets.values()) / max(tot, 1), 3
    )
    # operation networks as "campaign:count + other labels"
    out["op_network_make_up"] = sorted(
        (dict(c.most_common(4)) | {"size": sum(c.values())} for c in op_nets.values()),
        key=lambda d: -int(d["size"]),
    )[:12]
    if missed:
        out["missed"] = describe_missed(con, truth, [a for a in io if a not in mem])
    return out


def describe_missed(
    con: Any, truth: dict[str, dict[str, str]], missed: list[str]
) -> dict[str, Any]:
    import pyarrow as pa

    con.register("_ev_missed", pa.table({"account_id": missed}))
    try:
        sig = con.execute(
            """SELECT signal, count(DISTINCT m.account_id) FROM signal_edges e
               JOIN _ev_missed m ON m.account_id IN (e.src, e.dst) GROUP BY signal ORDER BY 2 DESC"""
        ).fetchall()
        deg = dict(
            con.execute(
                """SELECT m.account_id, count(*) FROM edges e JOIN _ev_missed m ON m.account_id IN (e.src, e.dst)
               GROUP BY 1"""
            ).fetchall()
        )
        act = dict(
            con.execute(
                """SELECT p.account_id, count(*) FILTER (WHERE kind = 'repost') || '/' || count(*)
               FROM posts p JOIN _ev_missed m USING (account_id) GROUP BY 1"""
            ).fetchall()
        )
    finally:
        con.unregister("_ev_missed")
    roles = Counter(f"{truth[a]['campaign']}/{truth[a]['role']}" for a in missed)
    degs = Counter(min(deg.get(a, 0), 5) for a in missed)
    return {
        "n": len(missed),
        "roles": dict(roles),
        "with_kept_edges_in": dict(sig),
        "fused_degree (5 = 5+)": dict(sorted(degs.items())),
        "examples (reposts/posts, degree)": {
            a: f"{truth[a]['campaign']}/{truth[a]['role']} {act.get(a, '0/0')} d={deg.get(a, 0)}"
            for a in missed[:15]
        },
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--scales", default="0.1")
    ap.add_argument("--scenarios", default="default,stealthy")
    ap.add_argument("--work", type=Path, default=REPO / "benchmarks" / "out" / "eval_detect")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--missed", action="store_true")
    ap.add_argument(
        "--src", default=None, help="package source folder to import (default: this checkout)"
    )
    a = ap.parse_args(argv)
    a.work.mkdir(parents=True, exist_ok=True)
    cells = []
    for scale in [float(x) for x in a.scales.split(",")]:
        for scenario in a.scenarios.split(","):
            for seed in [int(x) for x in a.seeds.split(",")]:
                plat, case_dir = prepare(a.work, seed, scale, scenario)
                truth = read_truth(plat)
                case = Case.open(case_dir)
                w0, c0 = time.perf_counter(), time.process_time()
                summ = detect_case(case, DetectParams(attribute=False, seed=seed))
                wall, cpu = time.perf_counter() - w0, time.process_time() - c0
                cell = {
                    "scenario": scenario,
                    "scale": scale,
                    "seed": seed,
                    **score(case, truth, a.missed),
                    "network_stats": summ.network_stats,
                    "wall_s": round(wall, 1),
                    "cpu_s": round(cpu, 1),
                }
                case.close()
                cells.append(cell)
                print(json.dumps(cell, default=str), flush=True)
                if a.json:
                    a.json.write_text(json.dumps(cells, indent=2, default=str))
    print(
        "| scenario | scale | seed | recall | cn/ru/tr | authentic in networks | op-net purity | wall/cpu s |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for c in cells:
        rc = "/".join(
            str(c["recall_by_campaign"].get(k, "-")) for k in ("cn_2020", "ru_media", "tr_ring")
        )
        print(
            f"| {c['scenario']} | {c['scale']:g} | {c['seed']} | {c['recall']:.3f} | {rc} | "
            f"{c['authentic_in_networks']} | {c['op_network_purity']:.3f} | {c['wall_s']}/{c['cpu_s']} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
