"""`infoops report`: write the self-contained HTML evidence report of a case."""

from __future__ import annotations

import time
from pathlib import Path

import click
from rich.console import Console

from infoops.options import case_option, output_option, seed_option
from infoops.registry import commands
from infoops.report.build import (
    DEFAULT_MAX_NETWORKS,
    DEFAULT_SAMPLE_ACCOUNTS,
    DEFAULT_TOPIC_POSTS,
    REPORT_NAME,
    build_report,
)
from infoops.store import Case


@commands.register("report")
@click.command("report")
@case_option()
@output_option(required=False, help=f"Report file (default: CASE/{REPORT_NAME}).")
@click.option("--max-networks", type=click.IntRange(min=1), default=DEFAULT_MAX_NETWORKS, show_default=True,
              help="Networks detailed in the report (operations first, then by score and size).")
@click.option("--sample-accounts", type=click.IntRange(min=1), default=DEFAULT_SAMPLE_ACCOUNTS, show_default=True,
              help="Accounts drawn in each network graph; larger networks are sampled breadth-first "
                   "from their most central accounts.")
@click.option("--topic-posts", type=click.IntRange(min=10), default=DEFAULT_TOPIC_POSTS, show_default=True,
              help="Posts sampled per network for topic modelling.")
@seed_option
def report(case_dir: Path, output: Path | None, max_networks: int, sample_accounts: int, topic_posts: int,
           seed: int) -> None:
    """Write the self-contained HTML evidence report (opens from disk, loads nothing)."""
    params = {"output": str(output) if output else None, "max_networks": max_networks,
              "sample_accounts": sample_accounts, "topic_posts": topic_posts, "seed": seed}
    with Case.open(case_dir, create=False) as case, case.run("report", params) as rec:
        t0 = time.perf_counter()
        path = build_report(case, output, max_networks=max_networks, sample_accounts=sample_accounts,
                            topic_posts=topic_posts, seed=seed)
        size = path.stat().st_size
        rec.counts = {"bytes": size, "seconds": round(time.perf_counter() - t0, 2),
                      "networks": case.count("networks")}
    Console(stderr=True).print(f"report: {path} ({size / 1e6:.1f} MB)")
