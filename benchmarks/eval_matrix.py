"""Evaluation matrix: simulate -> ingest -> detect (with the prior) -> export takedown -> evaluate,
over seeds x scales x scenarios, with the installed `infoops` CLI, one cell at a time.

Usage:
  .venv/bin/python benchmarks/eval_matrix.py                       # 3 seeds x scales 0.1,0.5 x default,stealthy,noisy
  .venv/bin/python benchmarks/eval_matrix.py --seeds 1 --scales 0.1 --scenarios default
Options: --work DIR (scratch, default benchmarks/out/matrix), --keep (keep platforms and cases),
--json FILE (all metrics), --markdown FILE (the table). A scenario may carry a global
stealth, e.g. --scenarios default:stealth=0.5,default:stealth=0.6 (a stealth sweep).

Each cell's figures come from `infoops evaluate` (metrics.json); the takedown CSV written
by `infoops export takedown` is checked to hold exactly the evaluated flagged set. The
prior link counts as found when the strongest link (strength >= 0.5) goes to a network
whose majority campaign is cn_2020, the operation the simulator ties to its prior network.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
INFOOPS = str(Path(sys.executable).parent / "infoops")
LINKED_CAMPAIGN = "cn_2020"
AUTHENTIC_GROUPS = ("organic", "viral", "fandom", "activist", "news")


def _run(args: list[str], log: Path) -> float:
    t0 = time.perf_counter()
    with log.open("a") as fh:
        fh.write("$ " + " ".join(args) + "\n")
        fh.flush()
        subprocess.run(args, check=True, stdout=fh, stderr=subprocess.STDOUT)
    return time.perf_counter() - t0


def run_cell(work: Path, seed: int, scale: float, scenario: str, keep: bool) -> dict[str, Any]:
    name = f"s{seed}_x{scale:g}_{scenario.replace(':stealth=', '_st')}"
    plat, case = work / f"{name}-platform", work / f"{name}-case"
    for p in (plat, case):
        shutil.rmtree(p, ignore_errors=True)
    log = work / f"{name}.log"
    log.write_text("")
    t: dict[str, float] = {}
    base, _, stealth = scenario.partition(":stealth=")
    extra = ["--stealth", stealth] if stealth else []
    t["simulate"] = _run([INFOOPS, "simulate", "--out", str(plat), "--scale", str(scale), "--seed", str(seed),
                          "--scenario", base, *extra], log)
    t["ingest"] = _run([INFOOPS, "ingest", str(plat / "archive"), "--case", str(case), "-q"], log)
    t["detect"] = _run([INFOOPS, "detect", "--case", str(case), "--prior", str(plat / "prior"),
                        "--prior", str(plat / "prior_ids.csv")], log)
    t["export"] = _run([INFOOPS, "export", "takedown", "--case", str(case), "-o", str(case / "takedown.csv")], log)
    t["evaluate"] = _run([INFOOPS, "evaluate", "--case", str(case), "--truth", str(plat / "truth.csv"), "-q"], log)
    m = json.loads((case / "evaluation" / "metrics.json").read_text())
    with (case / "takedown.csv").open(newline="", encoding="utf-8") as fh:
        takedown = {row["account_id"] for row in csv.DictReader(fh)}
    sim = json.loads((plat / "simulation.json").read_text())
    links = m.get("prior_links", [])
    top = links[0] if links else None
    cell = {
        "seed": seed, "scale": scale, "scenario": scenario, "stealth": sim["params"]["stealth"],
        "posts": sim["counts"]["archive_posts"], "accounts": m["accounts"], "io": m["io_accounts"],
        "flagged": m["flagged"], "takedown_rows": len(takedown), "takedown_matches": len(takedown) == m["flagged"],
        "precision": m["precision"], "recall": m["recall"], "f1": m["f1"], "ap": m["average_precision"],
        "fpr": {g: m["fpr_by_group"].get(g, {}).get("fpr") for g in AUTHENTIC_GROUPS},
        "recall_by_campaign": {c: v["recall"] for c, v in m["recall_by_campaign"].items()},
        "role_accuracy": m["roles"]["accuracy"],
        "role_accuracy_by_campaign": {c: v["accuracy"] for c, v in m["roles"]["by_campaign"].items()},
        "network_purity": m["networks"]["inauthentic_weighted_purity"],
        "takedown_purity": m["takedown_purity"]["weighted_purity"],
        "takedown_min_purity": m["takedown_purity"]["min_purity"],
        "prior_found": bool(top and top["strength"] >= 0.5 and top["majority"] == LINKED_CAMPAIGN),
        "prior_top": top,
        "false_prior_links": sum(1 for x in links if x["strength"] >= 0.5 and x["majority"] != LINKED_CAMPAIGN),
        "seconds": {k: round(v, 1) for k, v in t.items()},
    }
    if not keep:
        shutil.rmtree(plat, ignore_errors=True)
        shutil.rmtree(case, ignore_errors=True)
    return cell


def _f(v: Any, nd: int = 3) -> str:
    return "-" if v is None else f"{v:.{nd}f}"


def markdown(cells: list[dict[str, Any]]) -> str:
    head = ("| scenario | scale | seed | posts | IO | precision | recall | F1 | FPR organic/viral/fandom/activist/news "
            "| recall cn/ru/tr | role acc. (cn) | purity net./takedown | prior link |")
    lines = [head, "|" + "|".join(["---"] * (head.count("|") - 1)) + "|"]
    for c in cells:
        fpr = "/".join(_f(c["fpr"][g], 3) for g in AUTHENTIC_GROUPS)
        rc = "/".join(_f(c["recall_by_campaign"].get(k), 2) for k in ("cn_2020", "ru_media", "tr_ring"))
        ra = c["role_accuracy_by_campaign"].get("cn_2020")
        top = c["prior_top"]
        prior = (f"found ({_f(top['strength'], 2)})" if c["prior_found"] else "missed") if top else "none"
        lines.append(f"| {c['scenario']} | {c['scale']:g} | {c['seed']} | {c['posts']:,} | {c['io']} | {_f(c['precision'])} | "
                     f"{_f(c['recall'])} | {_f(c['f1'])} | {fpr} | {rc} | {_f(ra)} | "
                     f"{_f(c['network_purity'], 2)}/{_f(c['takedown_purity'], 2)} | {prior} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="simulate/ingest/detect/export/evaluate over seeds x scales x scenarios")
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--scales", default="0.1,0.5")
    ap.add_argument("--scenarios", default="default,stealthy,noisy")
    ap.add_argument("--work", type=Path, default=REPO / "benchmarks" / "out" / "matrix")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--markdown", type=Path, default=None)
    a = ap.parse_args(argv)
    a.work.mkdir(parents=True, exist_ok=True)
    cells: list[dict[str, Any]] = []
    for scale in [float(x) for x in a.scales.split(",")]:
        for scenario in a.scenarios.split(","):
            for seed in [int(x) for x in a.seeds.split(",")]:
                try:
                    cell = run_cell(a.work, seed, scale, scenario, a.keep)
                except subprocess.CalledProcessError as exc:
                    print(f"cell seed={seed} scale={scale} {scenario} failed: {exc}", file=sys.stderr)
                    continue
                cells.append(cell)
                print(markdown([cell]).splitlines()[-1], flush=True)
                if a.json:
                    a.json.write_text(json.dumps(cells, indent=2, default=str))
    table = markdown(cells)
    print(table)
    if a.markdown:
        a.markdown.write_text(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
