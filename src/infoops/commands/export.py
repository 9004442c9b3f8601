"""`infoops export takedown|graph|disclosure`: write the case's results for others."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from infoops.options import case_option, output_option
from infoops.registry import commands
from infoops.store import Case

_console = Console(stderr=True)


@click.group("export")
def export() -> None:
    """Write the takedown list, the network graph or a hashed public disclosure."""


@export.command("takedown")
@case_option()
@output_option(help="Output file: .csv (formula-safe) or .parquet (raw, typed).")
def takedown(case_dir: Path, output: Path) -> None:
    """One row per flagged account: id, network, role, score, reasons and profile facts."""
    from infoops.export.takedown import export_takedown

    with Case.open(case_dir, create=False) as case:
        counts = export_takedown(case, output)
    _console.print(f"takedown list: {counts['accounts']} accounts in {counts['networks']} networks -> {output}")


@export.command("graph")
@case_option()
@output_option(help="Output file: .gexf (GEXF 1.3) or .graphml.")
@click.option("--network", default=None, help="Only this network (a network_id); default: every network.")
@click.option("--all-edges", is_flag=True, default=False,
              help="Every fused edge touching the nodes, not only edges inside one network.")
def graph(case_dir: Path, output: Path, network: str | None, all_edges: bool) -> None:
    """The coordination graph for Gephi: accounts with network, role, score; edges with signal weights."""
    from infoops.export.graph import export_graph

    with Case.open(case_dir, create=False) as case:
        counts = export_graph(case, output, network=network, all_edges=all_edges)
    _console.print(f"graph: {counts['nodes']} nodes, {counts['edges']} edges -> {output}")


commands.register("export")(export)
