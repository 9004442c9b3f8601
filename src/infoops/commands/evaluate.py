"""`infoops evaluate --case DIR --truth FILE.csv`: precision/recall/F1, PR curve, per-group FPR."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from infoops.errors import CaseError
from infoops.evaluate import EVAL_DIR, evaluate_case
from infoops.options import case_option
from infoops.registry import commands
from infoops.store import Case


@commands.register("evaluate")
@click.command("evaluate")
@case_option()
@click.option("--truth", "truth", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Truth CSV with account_id, group, campaign, role, is_io (e.g. a simulation's truth.csv).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help=f"Folder for metrics.json, metrics.md and the PR curve (default: CASE/{EVAL_DIR}).")
@click.option("-q", "--quiet", is_flag=True, help="Do not print the summary tables.")
def evaluate_command(case_dir: Path, truth: Path, out_dir: Path | None, quiet: bool) -> None:
    """Score the case's takedown set (flagged accounts) against known answers: precision,
    recall, F1, a precision-recall curve, false-positive rate per authentic group, recall
    per campaign, core/amplifier accuracy, network purity and prior links."""
    if not (case_dir / "case.duckdb").exists():
        raise CaseError(f"{case_dir}: not a case folder (no case.duckdb); run 'infoops ingest' first")
    with Case.open(case_dir) as case:
        m = evaluate_case(case, truth, out_dir)
    if not quiet:
        render(m, Console())


def render(m: dict[str, Any], console: Console) -> None:
    t = Table(title="Takedown set vs truth")
    for c in ("accounts", "IO", "flagged", "precision", "recall", "F1", "AP"):
        t.add_column(c, justify="right")
    t.add_row(str(m["accounts"]), str(m["io_accounts"]), str(m["flagged_in_truth"]), f"{m['precision']:.3f}",
              f"{m['recall']:.3f}", f"{m['f1']:.3f}", f"{m['average_precision']:.3f}")
    console.print(t)
    g = Table(title="False-positive rate per authentic group")
    for c in ("group", "accounts", "flagged", "FPR"):
        g.add_column(c, justify="right" if c != "group" else "left")
    for name, v in m["fpr_by_group"].items():
        g.add_row(name, str(v["accounts"]), str(v["flagged"]), f"{v['fpr']:.4f}")
    console.print(g)
    rc = Table(title="Recall per campaign")
    for col in ("campaign", "accounts", "flagged", "recall", "role accuracy"):
        rc.add_column(col, justify="right" if col != "campaign" else "left")
    roles = m["roles"]["by_campaign"]
    for name, v in m["recall_by_campaign"].items():
        acc = roles.get(name, {}).get("accuracy")
        rc.add_row(name, str(v["accounts"]), str(v["flagged"]), f"{v['recall']:.3f}", "-" if acc is None else f"{acc:.3f}")
    console.print(rc)
    n = m["networks"]
    pur = n["inauthentic_weighted_purity"]
    console.print(f"networks: {n['count']} ({n.get('by_label', {})}); inauthentic-network purity "
                  f"{'-' if pur is None else f'{pur:.3f}'}; prior links: {len(m['prior_links'])}")
