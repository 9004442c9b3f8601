"""The input-format contract: sniff a sample, load one file into the staging tables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import duckdb

# Staging tables (temporary, created inside the ingest transaction).
STG_POSTS = "_stg_posts"
STG_ACCOUNTS = "_stg_accounts"
STG_SUPERSEDED = "_stg_superseded"
STG_REJECTS = "_stg_rejects"
# names of further temporary tables holding staged posts (a format may stage a
# large file in its own table, with the canonical post columns and `_rank`,
# instead of copying it into STG_POSTS)
STG_POST_TABLES = "_stg_post_tables"

# Record classes for the "richer record wins" rule: a full record of the file's
# own subject beats one derived from another record (a tweet row's user columns,
# an API response's referenced tweet).
PRIMARY = 2
DERIVED = 1


@dataclass
class Sample:
    """What auto-detection looks at: the CSV header or the first JSON value of a file."""

    path: Path
    kind: str  # 'csv' | 'json' | 'parquet' | 'empty' | 'unknown'
    header: list[str] | None = None
    first: Any = None


@dataclass
class FileStats:
    """Counts for one input file."""

    file: str
    format: str
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    skipped: int = 0  # values of no interest (error objects, counts, lists, compliance events)
    api_errors: int = 0  # error objects reported by the API (top-level or inside a response page)
    posts: int = 0
    accounts: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass
class LoadContext:
    """What a format needs to stage one file."""

    con: duckdb.DuckDBPyConnection
    run_id: str
    label: str  # the file as reported (zip members as 'archive.zip!member')
    tmp_dir: Path
    mapping: dict[str, str] = field(default_factory=dict)
    batch_size: int = 50_000
    notes: list[str] = field(default_factory=list)
    # called with the percentage done of a long statement on this file (progress bar)
    progress: Callable[[float], None] | None = None

    def reject(self, rows: list[tuple[int | None, str | None, str, str | None]]) -> None:
        """Stage rejects: (line, field, reason, raw) for this file."""
        if rows:
            self.con.executemany(
                f"INSERT INTO {STG_REJECTS} VALUES (?, ?, ?, ?, ?, ?)",
                [[self.run_id, self.label, line, fld, reason, raw] for line, fld, reason, raw in rows],
            )


class InputFormat:
    """One input format. Subclasses register with `infoops.registry.formats.register(name)`.

    `sniff` returns a score (0: not this format; higher wins) from a `Sample`;
    `load` stages one file and returns its counts. Formats never write the
    canonical tables: the orchestrator merges staging into them.
    """

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""

    @classmethod
    def sniff(cls, sample: Sample) -> int:
        return 0

    def load(self, ctx: LoadContext, path: Path) -> FileStats:
        raise NotImplementedError
