"""A case: a folder holding the DuckDB store and its outputs."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from infoops import __version__
from infoops.errors import CaseError
from infoops.schema import RESULT_TABLES, create_all_sql

STORE_NAME = "case.duckdb"
DEFAULT_MEMORY_LIMIT = os.environ.get("INFOOPS_MEMORY_LIMIT", "4GB")


def connect(path: str | Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open a DuckDB database that never downloads extensions and spills to disk."""
    config: dict[str, str | bool | int | float | list[str]] = {
        "autoinstall_known_extensions": "false",
        "autoload_known_extensions": "false",
        "memory_limit": DEFAULT_MEMORY_LIMIT,
        "preserve_insertion_order": "false",
        # jemalloc hands freed memory back in background threads; without them what DuckDB's idle
        # workers freed stays resident (10M-post detect in one process: 7,764 -> 5,931 MiB peak)
        "allocator_background_threads": True,
    }
    try:
        con = duckdb.connect(str(path), read_only=read_only, config=config)
    except duckdb.Error as exc:
        raise CaseError(f"{path}: cannot open case store ({exc})") from exc
    if str(path) != ":memory:":
        tmp = Path(path).parent / ".tmp"
        con.execute("SET temp_directory = ?", [str(tmp)])
    return con


@dataclass
class Case:
    """A case folder. `Case.open(dir)` creates the store on first use."""

    path: Path
    con: duckdb.DuckDBPyConnection
    read_only: bool = False

    @classmethod
    def open(cls, path: str | Path, create: bool = True, read_only: bool = False) -> Case:
        p = Path(path)
        store = p / STORE_NAME
        if not store.exists():
            if not create or read_only:
                raise CaseError(f"{p}: not a case folder (no {STORE_NAME}); run 'infoops ingest' first")
            p.mkdir(parents=True, exist_ok=True)
        con = connect(store, read_only=read_only)
        case = cls(path=p, con=con, read_only=read_only)
        if not read_only:
            case.ensure_schema()
        return case

    @classmethod
    def memory(cls) -> Case:
        """An in-memory case, for tests and library use."""
        con = connect(":memory:")
        case = cls(path=Path("."), con=con)
        case.ensure_schema()
        return case

    def ensure_schema(self) -> None:
        for stmt in create_all_sql():
            self.con.execute(stmt)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Case:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- helpers ---------------------------------------------------------------
    def count(self, table: str) -> int:
        # fetchall, not fetchone: DuckDB 2 keeps a half-fetched result open and then
        # refuses con.register() on the same connection
        rows = self.con.execute(f"SELECT count(*) FROM {_ident(table)}").fetchall()
        return int(rows[0][0]) if rows else 0

    def has_rows(self, table: str) -> bool:
        return self.count(table) > 0

    def latest_run_id(self, command: str) -> str | None:
        rows = self.con.execute(
            "SELECT run_id FROM runs WHERE command = ? AND status = 'ok' "
            "ORDER BY ended_at DESC LIMIT 1",
            [command],
        ).fetchall()
        return str(rows[0][0]) if rows else None

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """All-or-nothing: on any exception the store is left as it was."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self.con
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        else:
            self.con.execute("COMMIT")

    def clear_results(self, tables: tuple[str, ...] = RESULT_TABLES) -> None:
        for t in tables:
            self.con.execute(f"DELETE FROM {_ident(t)}")

    @contextmanager
    def run(self, command: str, params: dict[str, Any], inputs: list[str | Path] | None = None) -> Iterator[RunRecord]:
        """Record a command that touches the case in the `runs` table (ok or failed)."""
        rec = RunRecord(command=command, params=params, inputs=[describe_input(i) for i in inputs or []])
        try:
            yield rec
        except BaseException as exc:
            rec.status = "failed"
            rec.error = f"{type(exc).__name__}: {exc}"[:2000]
            self._write_run(rec)
            raise
        rec.status = "ok"
        self._write_run(rec)

    def _write_run(self, rec: RunRecord) -> None:
        self.con.execute(
            "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                rec.run_id,
                rec.command,
                __version__,
                json.dumps(rec.params, default=str),
                json.dumps(rec.inputs, default=str),
                json.dumps(rec.counts, default=str),
                rec.started_at,
                datetime.now(UTC).replace(tzinfo=None),
                rec.status,
                rec.error,
            ],
        )


@dataclass
class RunRecord:
    command: str
    params: dict[str, Any]
    inputs: list[dict[str, Any]]
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:16])
    counts: dict[str, Any] = field(default_factory=dict)
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC).replace(tzinfo=None))
    status: str = "running"
    error: str | None = None


def describe_input(path: str | Path) -> dict[str, Any]:
    """Path, size and a checksum of an input file (xxhash-free: blake2b over the file)."""
    import hashlib

    p = Path(path)
    info: dict[str, Any] = {"path": str(p.resolve()) if p.exists() else str(p)}
    if p.is_file():
        h = hashlib.blake2b(digest_size=16)
        with p.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        info.update(size=p.stat().st_size, blake2b=h.hexdigest())
    elif p.is_dir():
        info["kind"] = "directory"
    return info


def _ident(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"bad identifier: {name!r}")
    return name
