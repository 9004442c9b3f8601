"""`infoops run SOURCE... --case DIR`: ingest + detect + report + exports, in one command."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from infoops.export.pipeline import (
    DISCLOSURE_DIR,
    PipelineResult,
    run_pipeline,
)
from infoops.options import case_option, seed_option
from infoops.registry import commands

_err = Console(stderr=True)


@click.command("run")
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@case_option()
@click.option("--prior", "priors", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="Earlier takedown to link networks to: id list, IO archive or case folder. Repeatable.")
@click.option("--truth", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Truth CSV (account_id, group, campaign, role, is_io): also score the takedown set.")
@click.option("--salt-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help=f"Secret salt file: also write a hashed public disclosure to CASE/{DISCLOSURE_DIR}.")
@seed_option
def run(sources: tuple[Path, ...], case_dir: Path, priors: tuple[Path, ...], truth: Path | None,
        salt_file: Path | None, seed: int) -> None:
    """The whole job: ingest SOURCES, detect and attribute networks, then write the report
    (CASE/report.html), the takedown list (CASE/takedown.csv) and the graph (CASE/network.gexf);
    with --salt-file also a hashed disclosure, with --truth also an evaluation."""
    from infoops.detect.pipeline import DetectParams

    def step(name: str, state: str) -> None:
        if state == "start":
            _err.print(f"[bold]{name}[/bold] ...")

    result = run_pipeline(case_dir, list(sources), list(priors), truth=truth, salt_file=salt_file,
                          detect_params=DetectParams(seed=seed), on_step=step)
    _err.print(_steps(result))
    for name, path in result.outputs.items():
        _err.print(f"{name:<11} -> {path}", soft_wrap=True, markup=False, highlight=False)


def _steps(res: PipelineResult) -> Table:
    table = Table(title=f"infoops run: {res.case_dir}")
    for col in ("step", "counts", "seconds"):
        table.add_column(col, justify="right" if col == "seconds" else "left")
    for step, secs in res.seconds.items():
        counts = res.counts.get(step, {})
        shown = ", ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}"
                          for k, v in counts.items() if not isinstance(v, dict | list))
        table.add_row(step, shown, f"{secs:.1f}")
    return table


commands.register("run")(run)
