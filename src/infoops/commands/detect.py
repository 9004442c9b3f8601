"""`infoops detect`: co-action signals, fusion, networks, then attribution."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from infoops.detect.pipeline import (
    DetectParams,
    DetectSummary,
    SignalSummary,
    detect_case,
    selected_signals,
)
from infoops.options import case_option, seed_option
from infoops.registry import commands
from infoops.store import Case

_D = DetectParams()
_err = Console(stderr=True)


def _split(value: str | None) -> list[str] | None:
    if not value:
        return None
    return [v.strip() for v in value.split(",") if v.strip()]


@click.command("detect")
@case_option()
@click.option(
    "--prior",
    "priors",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="Earlier takedown to link networks to: id list (userid/account_id column), IO archive or case folder. Repeatable.",
)
@click.option(
    "--signals",
    "signal_names",
    default=None,
    help="Comma-separated signals to run (default: every registered signal except the opt-in co_repost_tfidf).",
)
@click.option(
    "--window",
    type=float,
    default=_D.window,
    show_default=True,
    help="Seconds within which two actions on the same object count as a co-action.",
)
@click.option(
    "--alpha",
    type=float,
    default=_D.alpha,
    show_default=True,
    help="Tolerated ratio of null-model (time-shifted) edges to real edges above each threshold.",
)
@click.option(
    "--max-fanout",
    type=int,
    default=_D.max_fanout,
    show_default=True,
    help="Each action pairs with at most this many following actions on the same object.",
)
@click.option(
    "--min-activity",
    type=int,
    default=_D.min_activity,
    show_default=True,
    help="Accounts with fewer actions of a signal's kind are left out of that signal.",
)
@click.option(
    "--min-degree",
    type=int,
    default=_D.min_degree,
    show_default=True,
    help="k-core pruning of the fused graph: accounts need at least this many partners.",
)
@click.option(
    "--min-size",
    type=int,
    default=_D.min_size,
    show_default=True,
    help="Smallest network reported.",
)
@click.option(
    "--min-centrality",
    type=float,
    default=_D.min_centrality,
    show_default=True,
    help="Drop members whose eigenvector centrality in their network (max 1) is below this.",
)
@click.option(
    "--resolution",
    type=float,
    default=_D.resolution,
    show_default=True,
    help="Leiden modularity resolution (higher: smaller networks).",
)
@click.option(
    "--attach/--no-attach",
    default=_D.attach,
    show_default=True,
    help="Attach accounts that amplify one network far beyond its popularity (binomial test) as its members.",
)
@click.option(
    "--attach-alpha",
    type=float,
    default=_D.attach_alpha,
    show_default=True,
    help="False discovery rate of the amplifier attachment tests (Benjamini-Hochberg).",
)
@click.option(
    "--attach-batch/--no-attach-batch",
    default=_D.attach_batch,
    show_default=True,
    help="Attach accounts created on a network's creation-batch day that amplify it, when far more "
    "of that day's accounts amplify it than ordinary accounts would (a group test per network and day).",
)
@click.option(
    "--batch-alpha",
    type=float,
    default=_D.batch_alpha,
    show_default=True,
    help="False discovery rate of the creation-batch group tests (Benjamini-Hochberg).",
)
@click.option(
    "--attribute/--no-attribute",
    default=_D.attribute,
    show_default=True,
    help="Score, label and assign roles to the networks after detection.",
)
@seed_option
def detect(
    case_dir: Path,
    priors: tuple[Path, ...],
    signal_names: str | None,
    window: float,
    alpha: float,
    max_fanout: int,
    min_activity: int,
    min_degree: int,
    min_size: int,
    min_centrality: float,
    resolution: float,
    attach: bool,
    attach_alpha: float,
    attach_batch: bool,
    batch_alpha: float,
    attribute: bool,
    seed: int,
) -> None:
    """Find groups of accounts that act together and store them as networks."""
    params = DetectParams(
        signals=_split(signal_names),
        window=window,
        alpha=alpha,
        max_fanout=max_fanout,
        min_activity=min_activity,
        min_degree=min_degree,
        min_size=min_size,
        min_centrality=min_centrality,
        resolution=resolution,
        attach=attach,
        attach_alpha=attach_alpha,
        attach_batch=attach_batch,
        batch_alpha=batch_alpha,
        seed=seed,
        attribute=attribute,
    )
    names = selected_signals(params.signals)
    with (
        Case.open(case_dir, create=False) as case,
        Progress(
            TextColumn("{task.description:<22}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=_err,
            transient=True,
        ) as bar,
    ):
        task = bar.add_task("signals", total=len(names) + 1)

        def progress(name: str, done: SignalSummary | None) -> None:
            bar.update(task, description=name)
            if done is not None or name == "networks":
                bar.advance(task)

        summary = detect_case(case, params, list(priors), progress)
    _print_summary(summary)


def _print_summary(s: DetectSummary) -> None:
    out = Console(stderr=True)
    table = Table(title=f"detect run {s.run_id} ({s.seconds:.1f} s)")
    for col in ("signal", "raw edges", "threshold", "kept edges", "seconds"):
        table.add_column(col, justify="left" if col == "signal" else "right")
    for sig in s.signals:
        table.add_row(
            sig.name,
            f"{sig.edges_raw:,}",
            f"{sig.threshold:.3g}",
            f"{sig.edges_kept:,}",
            f"{sig.seconds:.1f}",
        )
    out.print(table)
    out.print(
        f"fused edges: {s.fused_edges:,}; networks: {s.networks:,} holding {s.accounts_in_networks:,} accounts"
    )
    ns = s.network_stats
    if "accounts_attached" in ns or "batch_accounts_attached" in ns:
        out.print(
            f"attached outside the co-action graph: {ns.get('accounts_attached', 0):,} amplifiers "
            f"and voices; {ns.get('batch_accounts_attached', 0):,} from "
            f"{ns.get('batch_groups_picked', 0):,} creation batches "
            f"(about {ns.get('batch_expected_false', 0.0):.1f} of them expected to be ordinary)"
        )
    if s.attribution is not None:
        out.print("attribution: " + ", ".join(f"{k}={v}" for k, v in s.attribution.items()))


commands.register("detect")(detect)
