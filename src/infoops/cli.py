"""Command-line interface: parses options, calls one library function, reports errors.

Each command lives in its own module under `infoops.commands` and registers
itself with `@commands.register(name)`; this module only builds the group.
"""

from __future__ import annotations

import logging
import sys

import click

from infoops import __version__
from infoops.errors import InfoopsError
from infoops.registry import commands


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except InfoopsError as exc:
            raise click.ClickException(str(exc)) from exc


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="infoops")
@click.option("-v", "--verbose", is_flag=True, help="Log debugging detail to stderr.")
def cli(verbose: bool) -> None:
    """infoops: find, explain and disclose coordinated information operations."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, stream=sys.stderr)


def build() -> click.Group:
    for _name, cmd in commands.items():
        if isinstance(cmd, click.Command) and cmd.name not in cli.commands:
            cli.add_command(cmd)
    return cli


def main() -> None:
    build()(prog_name="infoops")
