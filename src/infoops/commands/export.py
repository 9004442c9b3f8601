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


commands.register("export")(export)
