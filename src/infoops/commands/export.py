"""`infoops export takedown|graph|disclosure`: write the case's results for others."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from infoops.export.disclosure import DEFAULT_NAME, ROWS_PER_FILE
from infoops.export.pseudonym import MIN_FOLLOWERS, MIN_SALT_BYTES
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


@export.command("disclosure")
@case_option()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder to write the release into (created if needed).")
@click.option("--salt-file", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help=f"File holding the secret salt (at least {MIN_SALT_BYTES} bytes; never published).")
@click.option("--min-followers", type=int, default=MIN_FOLLOWERS, show_default=True,
              help="Accounts with fewer followers (or an unknown count) are pseudonymised.")
@click.option("--name", default=DEFAULT_NAME, show_default=True,
              help="Release name: files are NAME_users_csv_hashed.csv, NAME_tweets_csv_hashed.csv, ...")
@click.option("--network", "networks", multiple=True,
              help="Release only the flagged accounts of this network (repeatable); default: every flagged network.")
@click.option("--rows-per-file", type=click.IntRange(min=1), default=ROWS_PER_FILE, show_default=True,
              help="Split the tweets CSV into NAME_tweets_csv_hashed_1.csv, _2.csv, ... of this many rows.")
def disclosure(case_dir: Path, out_dir: Path, salt_file: Path, min_followers: int, name: str,
               networks: tuple[str, ...], rows_per_file: int) -> None:
    """A public release of the flagged networks in the IO archive format, small accounts hashed."""
    from infoops.export.disclosure import export_disclosure

    with Case.open(case_dir, create=False) as case:
        counts = export_disclosure(case, out_dir, salt_file, min_followers=min_followers, name=name,
                                   networks=list(networks) or None, rows_per_file=rows_per_file)
    _console.print(
        f"disclosure: {counts['accounts']} accounts ({counts['hashed_accounts']} hashed), "
        f"{counts['tweets']} tweets, {counts['media']} media links -> {out_dir}"
    )


commands.register("export")(export)
