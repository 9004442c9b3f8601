"""The whole job in one call: ingest, detect, report, then the exports (`infoops run`).

`run_pipeline` calls the library function of each stage and writes its outputs
into the case folder: report.html, takedown.csv, network.gexf, and, with a salt
file, a hashed public disclosure in disclosure/. With a truth file it also scores
the takedown set (evaluation/).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infoops.export.disclosure import export_disclosure
from infoops.export.graph import export_graph
from infoops.export.takedown import export_takedown
from infoops.store import Case

TAKEDOWN_NAME = "takedown.csv"
GRAPH_NAME = "network.gexf"
DISCLOSURE_DIR = "disclosure"

StepFn = Callable[[str, str], None]


@dataclass
class PipelineResult:
    """Where each output went, and the counts of each stage."""

    case_dir: Path
    outputs: dict[str, Path] = field(default_factory=dict)
    counts: dict[str, dict[str, Any]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def _timed(result: PipelineResult, step: str, on_step: StepFn | None, fn: Callable[[], Any]) -> Any:
    if on_step:
        on_step(step, "start")
    t0 = time.perf_counter()
    value = fn()
    result.seconds[step] = round(time.perf_counter() - t0, 2)
    if on_step:
        on_step(step, "done")
    return value


def run_pipeline(
    case_dir: Path,
    sources: Sequence[Path],
    priors: Sequence[Path] = (),
    truth: Path | None = None,
    salt_file: Path | None = None,
    detect_params: Any = None,
    progress: bool = True,
    on_step: StepFn | None = None,
) -> PipelineResult:
    """ingest SOURCES → detect (linking to PRIORS) → report → takedown, graph (and disclosure, evaluation)."""
    from infoops.detect.pipeline import detect_case
    from infoops.ingest import ingest
    from infoops.report.build import build_report

    if salt_file is not None:  # refuse an unusable salt before hours of work, not after
        from infoops.export.pseudonym import read_salt

        read_salt(salt_file)
    case_dir = Path(case_dir)
    res = PipelineResult(case_dir=case_dir)
    with Case.open(case_dir) as case:
        summary = _timed(res, "ingest", on_step, lambda: ingest(case, list(sources), progress=progress))
        res.counts["ingest"] = dict(summary.counts())
        det = _timed(res, "detect", on_step, lambda: detect_case(case, detect_params, list(priors)))
        res.counts["detect"] = dict(det.counts())

        def report() -> Path:
            with case.run("report", {"output": None}) as rec:
                path = build_report(case)
                rec.counts = {"bytes": path.stat().st_size, "networks": case.count("networks")}
            return path

        res.outputs["report"] = _timed(res, "report", on_step, report)
        res.counts["report"] = {"bytes": res.outputs["report"].stat().st_size}
        takedown = case_dir / TAKEDOWN_NAME
        res.counts["takedown"] = _timed(res, "takedown", on_step, lambda: export_takedown(case, takedown))
        res.outputs["takedown"] = takedown
        graph = case_dir / GRAPH_NAME
        res.counts["graph"] = _timed(res, "graph", on_step, lambda: export_graph(case, graph))
        res.outputs["graph"] = graph
        if salt_file is not None:
            salt = salt_file
            out = case_dir / DISCLOSURE_DIR
            res.counts["disclosure"] = _timed(res, "disclosure", on_step,
                                              lambda: export_disclosure(case, out, salt))
            res.outputs["disclosure"] = out
        if truth is not None:
            from infoops.evaluate import EVAL_DIR, evaluate_case

            t = truth
            metrics = _timed(res, "evaluate", on_step, lambda: evaluate_case(case, t))
            res.counts["evaluate"] = {k: metrics[k] for k in ("precision", "recall", "f1") if k in metrics}
            res.outputs["evaluation"] = case_dir / EVAL_DIR
    return res
