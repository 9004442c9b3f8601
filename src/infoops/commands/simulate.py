"""`infoops simulate`: write a synthetic platform with planted operations and a truth file."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from infoops.options import seed_option
from infoops.registry import commands
from infoops.simulate import SCENARIOS, build_params, simulate
from infoops.simulate.params import (
    DEFAULT_SCALE,
    DEFAULT_SCENARIO,
    DEFAULT_SPLIT_ROWS,
    SimParams,
    parse_pairs,
)

_D = SimParams()


@commands.register("simulate")
@click.command("simulate")
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write archive/, prior/, prior_ids.csv, truth.csv, simulation.json into.",
)
@click.option(
    "--scale",
    type=float,
    default=DEFAULT_SCALE,
    show_default=True,
    help="Size: 1 is about 1,000,000 posts and 75,000 accounts; linear.",
)
@seed_option
@click.option(
    "--scenario",
    type=click.Choice(list(SCENARIOS)),
    default=DEFAULT_SCENARIO,
    show_default=True,
    help="Named set of knob values; the options below override it.",
)
@click.option(
    "--stealth",
    type=float,
    default=None,
    help=f"Stealth of every operation in [0, 1] (default: the scenario's, {_D.stealth['cn_2020']} in 'default').",
)
@click.option(
    "--op-stealth",
    multiple=True,
    metavar="OP=S",
    help="Stealth of one operation, e.g. cn_2020=0.6 (repeatable).",
)
@click.option(
    "--size",
    "sizes",
    multiple=True,
    metavar="GROUP=X",
    help="Size multiplier of a group, operation or the prior network, e.g. fandom=3 tr_ring=0 (repeatable).",
)
@click.option(
    "--repurposed-fraction",
    type=float,
    default=None,
    help=f"Share of cn_2020 core accounts that are repurposed old accounts (default {_D.repurposed_fraction}).",
)
@click.option(
    "--hijacked-fraction",
    type=float,
    default=None,
    help=f"Share of tr_ring accounts that are hijacked old accounts (default {_D.hijacked_fraction}).",
)
@click.option(
    "--viral-intensity",
    type=float,
    default=None,
    help=f"Multiplier of viral cascade count (default {_D.viral_intensity}).",
)
@click.option(
    "--handle-pattern-fraction",
    type=float,
    default=None,
    help=f"Share of fake accounts with name+8-digit handles (default {_D.handle_pattern_fraction}).",
)
@click.option(
    "--mimicry",
    type=float,
    default=None,
    help=f"Share of fans and activists with fake-looking profiles: burst-created, few followers (default {_D.mimicry}).",
)
@click.option(
    "--split-rows",
    type=int,
    default=DEFAULT_SPLIT_ROWS,
    show_default=True,
    help="Rows per platform_tweets_N.csv file.",
)
def simulate_cmd(
    out: Path,
    scale: float,
    seed: int,
    scenario: str,
    stealth: float | None,
    op_stealth: tuple[str, ...],
    sizes: tuple[str, ...],
    repurposed_fraction: float | None,
    hijacked_fraction: float | None,
    viral_intensity: float | None,
    handle_pattern_fraction: float | None,
    mimicry: float | None,
    split_rows: int,
) -> None:
    """Write a synthetic platform in the IO archive format, with a truth file."""
    params = build_params(
        scenario=scenario,
        scale=scale,
        seed=seed,
        stealth=stealth,
        op_stealth=parse_pairs(op_stealth, "--op-stealth"),
        sizes=parse_pairs(sizes, "--size"),
        repurposed_fraction=repurposed_fraction,
        hijacked_fraction=hijacked_fraction,
        viral_intensity=viral_intensity,
        handle_pattern_fraction=handle_pattern_fraction,
        mimicry=mimicry,
        split_rows=split_rows,
    )
    console = Console(stderr=True)
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("simulating", total=None)
        summary = simulate(out, params, progress=lambda msg: bar.update(task, description=msg))
    counts = summary["counts"]
    console.print(
        f"wrote {counts['archive_posts']:,} posts by {counts['files']['archive_accounts']:,} accounts "
        f"({counts['prior_posts']:,} prior posts) to {out} in {summary['seconds']} s"
    )
