"""Render the CLI reference (docs/cli.md) from the commands' own --help text.

`python -m infoops.clidoc > docs/cli.md` regenerates it; tests/test_docs.py
fails when the checked-in file differs, so the reference cannot drift.
"""

from __future__ import annotations

import click

from infoops.cli import build

HEADER = """# CLI reference

Generated from `--help` by `python -m infoops.clidoc > docs/cli.md`; do not edit by hand
(tests/test_docs.py fails when this file and the commands disagree).
"""


def _walk(cmd: click.Command, path: list[str]) -> list[tuple[list[str], click.Command]]:
    out = [(path, cmd)]
    if isinstance(cmd, click.Group):
        for name in sorted(cmd.commands):
            out.extend(_walk(cmd.commands[name], [*path, name]))
    return out


def render_cli_reference() -> str:
    root = build()
    parts = [HEADER]
    for path, cmd in _walk(root, ["infoops"]):
        ctx = click.Context(cmd, info_name=" ".join(path), terminal_width=100, max_content_width=100)
        title = " ".join(path)
        parts.append(f"\n## `{title}`\n\n```\n{cmd.get_help(ctx)}\n```\n")
    return "".join(parts)


if __name__ == "__main__":
    print(render_cli_reference(), end="")
