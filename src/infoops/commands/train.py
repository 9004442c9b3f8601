"""`infoops train SOURCE... -o model.joblib`: learn an account model from a labelled archive."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from infoops.attribute.supervised import DEFAULT_MODEL, MODELS, train_from_sources
from infoops.options import output_option, seed_option
from infoops.registry import commands


@commands.register("train")
@click.command("train")
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--labels", "labels", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="CSV of account labels: account_id (or userid) and is_io (or label), 1 = operation.")
@click.option("--label-column", "label_column", default=None,
              help="Read labels from this column of the SOURCE CSVs instead (e.g. bot_or_not), per userid "
                   "or user_screen_name.")
@click.option("--model", "kind", type=click.Choice(MODELS), default=DEFAULT_MODEL, show_default=True,
              help="Estimator: logistic regression or gradient-boosted trees.")
@output_option(help="Where to write the model (joblib).")
@seed_option
def train_command(sources: tuple[Path, ...], labels: Path | None, label_column: str | None, kind: str,
                  output: Path, seed: int) -> None:
    """Train an account model (operation vs control) on labelled data, to score new cases
    with `infoops detect --model`. SOURCE is anything `infoops ingest` reads. Evaluate on
    held-out campaigns, never on random splits of one campaign (docs/attribute.md)."""
    model = train_from_sources(list(sources), labels, label_column, kind=kind, seed=seed)
    model.save(output)
    t = model.trained_on
    Console(stderr=True).print(f"trained {kind} on {t['accounts']} accounts ({t['positives']} operation); "
                               f"wrote {output}")
