"""The ingest orchestrator: find files, detect each one's format, stage, merge in one transaction."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

import duckdb
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from infoops.errors import InfoopsError, UnknownFormat
from infoops.ingest import langid, staging
from infoops.ingest.formats.base import FileStats, InputFormat, LoadContext, Sample
from infoops.ingest.sources import InputFile, discover, expand, sample
from infoops.ingest.summary import IngestSummary, describe_case
from infoops.registry import formats
from infoops.store import DEFAULT_MEMORY_LIMIT, STORE_NAME, Case

AUTO = "auto"
# DuckDB memory cap during ingest: staging spills to disk beyond it, keeping peak RSS near 2 GB.
INGEST_MEMORY_LIMIT: str | None = os.environ.get("INFOOPS_INGEST_MEMORY_LIMIT", "1GB")
# With --map and --format auto, CSV and Parquet files are read by the mapping.
MAPPED_FORMAT = "csv"


def parse_mapping(pairs: Sequence[str]) -> dict[str, str]:
    """['post_id=content_id', ...] -> {'post_id': 'content_id', ...}."""
    out: dict[str, str] = {}
    for pair in pairs:
        field, sep, column = pair.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise InfoopsError(f"--map {pair!r}: expected FIELD=COLUMN")
        out[field.strip()] = column.strip()
    return out


def format_names() -> list[str]:
    return sorted(formats.names())


def choose_format(smp: Sample, label: str, fmt: str, mapping: dict[str, str]) -> InputFormat | None:
    """The format for one file: the one named, or the best-scoring sniffer. None for an empty file."""
    if smp.kind == "empty":
        return None
    if fmt == AUTO and mapping and smp.kind in ("csv", "parquet"):
        fmt = MAPPED_FORMAT
    if fmt != AUTO:
        try:
            cls = formats.get(fmt)
        except KeyError as exc:
            raise InfoopsError(str(exc.args[0])) from None
        return cls()  # type: ignore[no-any-return]
    scored = sorted(((_cls(cls).sniff(smp), name) for name, cls in formats.items()), reverse=True)
    if not scored or scored[0][0] <= 0:
        what = f"header: {', '.join((smp.header or [])[:12])}" if smp.header else f"looks like {smp.kind}"
        raise UnknownFormat(label, f"{what}; use --format {'|'.join(format_names())} or --map")
    return formats.get(scored[0][1])()  # type: ignore[no-any-return]


def _cap_memory(con: duckdb.DuckDBPyConnection, limit: str | None) -> str | None:
    """Lower DuckDB's memory limit to `limit` (never raise it); returns the value to restore.

    DuckDB reports the limit rounded ('3.7 GiB'); when it is the store's default,
    the exact default is restored instead of the rounded figure.
    """
    if not limit:
        return None
    current = _setting(con)
    con.execute("SET memory_limit = ?", [DEFAULT_MEMORY_LIMIT])
    restore = DEFAULT_MEMORY_LIMIT if _setting(con) == current else current
    con.execute("SET memory_limit = ?", [limit])
    if _bytes(_setting(con)) > _bytes(current):
        con.execute("SET memory_limit = ?", [restore])
        return None
    return restore


def _setting(con: duckdb.DuckDBPyConnection) -> str:
    rows = con.execute("SELECT current_setting('memory_limit')").fetchall()
    return str(rows[0][0]) if rows else ""


def _bytes(size: str) -> float:
    units = {"B": 1, "KIB": 1024, "MIB": 1024**2, "GIB": 1024**3, "TIB": 1024**4,
             "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12}
    num, _, unit = size.strip().partition(" ")
    try:
        return float(num) * units.get(unit.upper() or "B", 1)
    except ValueError:
        return float("inf")


def _cls(obj: type) -> type[InputFormat]:
    if not issubclass(obj, InputFormat):
        raise TypeError(f"{obj!r} is registered as an input format but is not an InputFormat")
    return obj


@contextmanager
def _progress(enabled: bool) -> Iterator[Progress]:
    prog = Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=Console(stderr=True), disable=not enabled, transient=True,
    )
    with prog:
        yield prog


@contextmanager
def _scratch(case: Case) -> Iterator[Path]:
    base = case.path / ".tmp" if (case.path / STORE_NAME).exists() else None
    if base:
        base.mkdir(parents=True, exist_ok=True)
    d = Path(tempfile.mkdtemp(prefix="ingest-", dir=base))
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


def ingest(
    case: Case,
    sources: Sequence[str | Path],
    format: str = AUTO,
    mapping: dict[str, str] | None = None,
    progress: bool = True,
    detect_languages: bool = True,
    memory_limit: str | None = INGEST_MEMORY_LIMIT,
) -> IngestSummary:
    """Read every source file into the case's `accounts` and `posts`, all or nothing.

    Each file is staged into temporary tables, then merged with the dedupe rule
    of `infoops.ingest.staging` inside one transaction: an error or an
    interrupt leaves the case as it was. Malformed rows go to `rejects`.
    `memory_limit` caps DuckDB's memory while ingesting (it spills to the
    case's temporary folder beyond it); None keeps the connection's limit.
    """
    paths = discover([Path(s) for s in sources])
    mapping = dict(mapping or {})
    params = {"format": format, "mapping": mapping, "detect_languages": detect_languages,
              "sources": [str(s) for s in sources]}
    with case.run("ingest", params, list(paths)) as rec:
        summary = IngestSummary(run_id=rec.run_id)
        con = case.con
        # Staging lives in temporary tables outside the transaction (a file that
        # fails to parse can be retried without aborting it); only the merge
        # into the canonical tables is one all-or-nothing transaction.
        staging.create(con)
        restore = _cap_memory(con, memory_limit)
        if progress:  # DuckDB tracks progress (for the bar) but must not print its own
            con.execute("SET enable_progress_bar_print = false")
            con.execute("SET enable_progress_bar = true")
        try:
            with _progress(progress) as prog, _scratch(case) as tmp:
                task = prog.add_task("reading", total=len(paths))
                file_task = prog.add_task("", total=100, visible=False)

                def file_progress(pct: float) -> None:
                    prog.update(file_task, completed=pct, visible=True)

                for path in paths:
                    prog.update(task, description=f"reading {path.name}")
                    prog.update(file_task, description=f"  {path.name}", completed=0, visible=False)
                    with expand(path, tmp) as members:
                        for member in members:
                            summary.files.append(_load_one(case, rec.run_id, member, tmp, format, mapping,
                                                           file_progress if progress else None))
                    prog.advance(task)
                prog.update(file_task, visible=False)
                if detect_languages:
                    lang_task = prog.add_task("detecting languages", total=None)
                    summary.langs_detected = langid.fill_missing(con, lambda n: prog.advance(lang_task, n))
                prog.update(task, description="merging")
                with case.transaction():
                    staging.merge_rejects(con)
                    summary.posts_added = staging.merge_posts(con)
                    summary.accounts_added, summary.accounts_updated = staging.merge_accounts(con)
                describe_case(con, summary)
        finally:
            with suppress(duckdb.Error):  # never mask the error that got us here
                staging.drop(con)
                if restore:
                    con.execute("SET memory_limit = ?", [restore])
                if progress:
                    con.execute("RESET enable_progress_bar")
                    con.execute("RESET enable_progress_bar_print")
                con.complete()
        rec.counts = summary.counts()
    return summary


def _load_one(
    case: Case, run_id: str, member: InputFile, tmp: Path, fmt: str, mapping: dict[str, str],
    progress: Callable[[float], None] | None = None,
) -> FileStats:
    smp = sample(member.path)
    chosen = choose_format(smp, member.label, fmt, mapping)
    if chosen is None:
        return FileStats(member.label, "empty")
    ctx = LoadContext(con=case.con, run_id=run_id, label=member.label, tmp_dir=tmp, mapping=mapping,
                      progress=progress)
    stats = chosen.load(ctx, member.path)
    stats.notes.extend(ctx.notes)
    return stats
