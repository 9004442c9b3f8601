"""`infoops ingest SOURCE... --case DIR`: read platform data into a case."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from infoops.ingest import AUTO, ingest, parse_mapping
from infoops.ingest.core import format_names
from infoops.ingest.summary import render
from infoops.options import case_option
from infoops.registry import commands
from infoops.store import Case


@commands.register("ingest")
@click.command("ingest")
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@case_option()
@click.option(
    "--format", "fmt", default=AUTO, show_default=True,
    type=click.Choice([AUTO, *format_names()]),
    help="Input format of every source; 'auto' detects each file from its header or first JSON object.",
)
@click.option(
    "--map", "mapping", multiple=True, metavar="FIELD=COLUMN",
    help="Read a generic CSV/Parquet column as a canonical field (repeatable), e.g. --map post_id=content_id.",
)
@click.option("--no-langid", is_flag=True, help="Do not detect languages of posts and accounts that lack one.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary.")
def ingest_command(
    sources: tuple[Path, ...], case_dir: Path, fmt: str, mapping: tuple[str, ...], no_langid: bool, quiet: bool
) -> None:
    """Read platform data (IO archive CSVs, twarc2 / API v2 JSONL, v1.1 JSON, generic CSV or
    Parquet) into the case's accounts and posts, all or nothing. SOURCE may be a file, a .zip
    or a directory (every file under it)."""
    with Case.open(case_dir) as case:
        summary = ingest(case, list(sources), format=fmt, mapping=parse_mapping(mapping),
                         progress=not quiet, detect_languages=not no_langid)
    if not quiet:
        render(summary, Console())
