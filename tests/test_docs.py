"""Docs that cannot drift: the CLI reference must match the commands' --help."""

from __future__ import annotations

from pathlib import Path

import click

from infoops.cli import build
from infoops.clidoc import render_cli_reference

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_cli_reference_is_current() -> None:
    current = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert current == render_cli_reference(), (
        "docs/cli.md is stale: run `.venv/bin/python -m infoops.clidoc > docs/cli.md`"
    )


def _all_commands(group: click.Group, prefix: str = "infoops") -> list[tuple[str, click.Command]]:
    out: list[tuple[str, click.Command]] = []
    for name, cmd in group.commands.items():
        full = f"{prefix} {name}"
        out.append((full, cmd))
        if isinstance(cmd, click.Group):
            out.extend(_all_commands(cmd, full))
    return out


def test_every_command_and_option_has_help() -> None:
    missing = []
    for full, cmd in _all_commands(build()):
        if not (cmd.help or cmd.short_help):
            missing.append(full)
        for p in cmd.params:
            if isinstance(p, click.Option) and not p.help:
                missing.append(f"{full} {p.opts[0]}")
    assert not missing, f"undocumented: {missing}"


def test_design_contract_commands_exist() -> None:
    names = {full for full, _ in _all_commands(build())}
    contract = ["ingest", "detect", "report", "export takedown", "export graph",
                "export disclosure", "simulate", "evaluate", "run"]
    absent = [c for c in contract if f"infoops {c}" not in names]
    assert not absent, f"commands of the DESIGN.md contract missing: {absent}"
