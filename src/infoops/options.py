"""Option decorators shared by several commands (one definition, one default)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def case_option(required: bool = True) -> Callable[[F], F]:
    return click.option(
        "--case",
        "case_dir",
        type=click.Path(file_okay=False, path_type=Path),
        required=required,
        help="Case folder (holds case.duckdb and the outputs).",
    )


def output_option(required: bool = True, help: str = "Output file.") -> Callable[[F], F]:
    return click.option(
        "-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path), required=required, help=help
    )


def seed_option(f: F) -> F:
    return click.option("--seed", type=int, default=1, show_default=True, help="Random seed.")(f)
