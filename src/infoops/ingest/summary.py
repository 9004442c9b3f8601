"""What an ingest did: per-file counts and a picture of the case afterwards."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import duckdb
from rich.console import Console
from rich.table import Table

from infoops.ingest.formats.base import FileStats

TOP_LANGS = 10


@dataclass
class IngestSummary:
    """Returned by `infoops.ingest.ingest`; printed by the CLI."""

    run_id: str
    files: list[FileStats] = field(default_factory=list)
    posts_added: int = 0
    accounts_added: int = 0
    accounts_updated: int = 0
    langs_detected: int = 0
    # the case after the ingest
    posts_total: int = 0
    accounts_total: int = 0
    posts_by_kind: dict[str, int] = field(default_factory=dict)
    time_span: tuple[datetime | None, datetime | None] = (None, None)
    languages: list[tuple[str, int]] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def rows_accepted(self) -> int:
        return sum(f.rows_accepted for f in self.files)

    @property
    def rows_rejected(self) -> int:
        return sum(f.rows_rejected for f in self.files)

    def counts(self) -> dict[str, object]:
        """Flat counts for the run record."""
        return {
            "files": len(self.files),
            "rows_read": self.rows_read,
            "rows_accepted": self.rows_accepted,
            "rows_rejected": self.rows_rejected,
            "skipped": sum(f.skipped for f in self.files),
            "api_errors": sum(f.api_errors for f in self.files),
            "posts_added": self.posts_added,
            "accounts_added": self.accounts_added,
            "accounts_updated": self.accounts_updated,
            "langs_detected": self.langs_detected,
            "per_file": {
                f.file: {"format": f.format, "read": f.rows_read, "accepted": f.rows_accepted,
                         "rejected": f.rows_rejected, "skipped": f.skipped, "api_errors": f.api_errors,
                         "notes": f.notes}
                for f in self.files
            },
        }


def describe_case(con: duckdb.DuckDBPyConnection, summary: IngestSummary) -> None:
    """Fill the case-level fields of `summary` from the canonical tables."""
    row = con.execute("SELECT count(*), min(created_at), max(created_at) FROM posts").fetchone()
    if row:
        summary.posts_total = int(row[0])
        summary.time_span = (row[1], row[2])
    acc = con.execute("SELECT count(*) FROM accounts").fetchone()
    summary.accounts_total = int(acc[0]) if acc else 0
    summary.posts_by_kind = {
        str(k): int(n) for k, n in con.execute("SELECT kind, count(*) FROM posts GROUP BY kind ORDER BY 2 DESC").fetchall()
    }
    summary.languages = [
        (str(lang), int(n))
        for lang, n in con.execute(
            "SELECT coalesce(lang, '?'), count(*) FROM posts GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?", [TOP_LANGS]
        ).fetchall()
    ]


def render(summary: IngestSummary, console: Console) -> None:
    files = Table(title="ingest: files", title_justify="left")
    for name in ("file", "format", "read", "accepted", "rejected", "skipped", "API errors"):
        files.add_column(name, justify="left" if name in ("file", "format") else "right", overflow="fold")
    for f in summary.files:
        files.add_row(f.file, f.format, f"{f.rows_read:,}", f"{f.rows_accepted:,}", f"{f.rows_rejected:,}",
                      f"{f.skipped:,}", f"{f.api_errors:,}")
    files.add_row("total", "", f"{summary.rows_read:,}", f"{summary.rows_accepted:,}",
                  f"{summary.rows_rejected:,}", f"{sum(f.skipped for f in summary.files):,}",
                  f"{sum(f.api_errors for f in summary.files):,}", style="bold")
    console.print(files)
    for f in summary.files:
        for note in f.notes:
            console.print(f"[yellow]note[/yellow] {f.file}: {note}")
    case = Table(title="case after ingest", title_justify="left", show_header=False)
    case.add_column("what")
    case.add_column("value")
    case.add_row("posts added / total", f"{summary.posts_added:,} / {summary.posts_total:,}")
    case.add_row("accounts added / filled / total",
                 f"{summary.accounts_added:,} / {summary.accounts_updated:,} / {summary.accounts_total:,}")
    case.add_row("posts by kind", ", ".join(f"{k} {n:,}" for k, n in summary.posts_by_kind.items()))
    first, last = summary.time_span
    case.add_row("time span", f"{first} .. {last}" if first else "-")
    case.add_row("languages (top 10)", ", ".join(f"{lang} {n:,}" for lang, n in summary.languages))
    case.add_row("languages detected", f"{summary.langs_detected:,} distinct texts")
    console.print(case)
