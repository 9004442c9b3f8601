"""Reading a CSV into a temporary table with DuckDB, by header name, keeping parse rejects."""

from __future__ import annotations

import csv
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from infoops.ingest.formats.base import LoadContext


def safe_names(header: list[str]) -> list[str]:
    """Header names made unique and non-empty ('' -> '_col0', duplicates -> 'name_2')."""
    seen: dict[str, int] = {}
    out: list[str] = []
    for i, h in enumerate(header):
        name = h.strip() or f"_col{i}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 1
        out.append(name)
    return out


def load_raw(
    ctx: LoadContext, path: Path, header: list[str], table: str, layers: list[list[str]] | None = None,
    numbered: bool = True, project: tuple[str, list[object]] | None = None,
) -> set[int]:
    """Read every column as VARCHAR into `table` with `_rec`, the 1-based record number.

    With `numbered=False` there is no `_rec` and the file is read in parallel,
    out of order (the fast path); `numbered_select` recovers record numbers
    for the few rows that need them. `project` is (select list, its parameters):
    the table then holds only those columns.

    `layers` are lists of 'expression AS name' computed once per row on top of
    the raw columns, each layer seeing the names of the layers before it.

    Rows DuckDB cannot parse (wrong column count, bad quoting, invalid UTF-8)
    are staged as rejects with their physical line. Returns their record
    numbers (header = 1), which `_rec` skips.
    """
    names = safe_names(header)
    tag = uuid.uuid4().hex[:8]
    rej_t, rej_s = f"_rej_err_{tag}", f"_rej_scan_{tag}"
    con = ctx.con
    try:
        _create(ctx, path, names, table, layers or [], rej_t, rej_s, strict=True, numbered=numbered,
                project=project)
    except duckdb.InvalidInputException as exc:
        if "strict_mode" not in str(exc):
            raise
        # not standard CSV (e.g. a bare carriage return in an unquoted field): read leniently
        for t in (table, rej_t, rej_s):
            con.execute(f"DROP TABLE IF EXISTS {t}")
        _create(ctx, path, names, table, layers or [], rej_t, rej_s, strict=False, numbered=numbered,
                project=project)
        ctx.notes.append("not standard CSV: read with strict_mode=false")
    # one reject per record (DuckDB reports one error per missing column); DuckDB
    # numbers records (header = 1), converted here to the physical start line
    errs = con.execute(
        f"SELECT line, arg_min(column_name, column_idx), arg_min(error_type || ': ' || error_message, column_idx), "
        f"arg_min(left(csv_line, 2000), column_idx) FROM {rej_t} GROUP BY line ORDER BY line"
    ).fetchall()
    con.execute(f"DROP TABLE IF EXISTS {rej_t}")
    con.execute(f"DROP TABLE IF EXISTS {rej_s}")
    records = {int(e[0]) for e in errs}
    starts = record_start_lines(path, records) if records else {}
    ctx.reject([(starts.get(int(e[0]), int(e[0])), e[1], e[2], e[3]) for e in errs])
    return records


def _query(layers: list[list[str]], rej_t: str, rej_s: str, strict: bool, numbered: bool) -> str:
    rec = "row_number() OVER () AS _rec, " if numbered else ""
    query = (
        f"SELECT {rec}* FROM read_csv(?, "
        "header = true, auto_detect = false, delim = ',', quote = '\"', escape = '\"', "
        f"columns = ?, store_rejects = true, strict_mode = {str(strict).lower()}, "
        f"rejects_table = '{rej_t}', rejects_scan = '{rej_s}', max_line_size = 8388608)"
    )
    for layer in layers:
        query = f"SELECT *, {', '.join(layer)} FROM ({query})"
    return query


def _create(
    ctx: LoadContext, path: Path, names: list[str], table: str, layers: list[list[str]],
    rej_t: str, rej_s: str, strict: bool, numbered: bool = True,
    project: tuple[str, list[object]] | None = None,
) -> None:
    query = _query(layers, rej_t, rej_s, strict, numbered)
    params: list[object] = [str(path), {n: "VARCHAR" for n in names}]
    if project:
        query = f"SELECT {project[0]} FROM ({query})"
        params = [*project[1], *params]
    if not numbered:
        with watch(ctx):
            ctx.con.execute(f"CREATE TEMP TABLE {table} AS {query}", params)
        return
    ctx.con.execute("SET preserve_insertion_order = true")
    try:
        with watch(ctx):
            ctx.con.execute(f"CREATE TEMP TABLE {table} AS {query}", params)
    finally:
        ctx.con.execute("SET preserve_insertion_order = false")


@contextmanager
def watch(ctx: LoadContext, every: float = 0.25) -> Iterator[None]:
    """Report DuckDB's progress on the running statement to `ctx.progress` from a side thread."""
    if ctx.progress is None:
        yield
        return
    report = ctx.progress
    stop = threading.Event()

    def poll() -> None:
        while not stop.wait(every):
            pct = ctx.con.query_progress()
            if pct >= 0:
                report(pct)

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def numbered_select(
    ctx: LoadContext, path: Path, header: list[str], layers: list[list[str]], select: str, where: str
) -> list[tuple[object, ...]]:
    """`SELECT _rec, {select} ... WHERE {where}` over a second, numbered read of the file."""
    tag = uuid.uuid4().hex[:8]
    rej_t, rej_s = f"_rej_err_{tag}", f"_rej_scan_{tag}"
    strict = "not standard CSV: read with strict_mode=false" not in ctx.notes
    query = _query(layers, rej_t, rej_s, strict, numbered=True)
    params = [str(path), {n: "VARCHAR" for n in safe_names(header)}]
    ctx.con.execute("SET preserve_insertion_order = true")
    try:
        rows = ctx.con.execute(f"SELECT _rec, {select} FROM ({query}) WHERE {where} ORDER BY _rec", params).fetchall()
    finally:
        ctx.con.execute("SET preserve_insertion_order = false")
        ctx.con.execute(f"DROP TABLE IF EXISTS {rej_t}")
        ctx.con.execute(f"DROP TABLE IF EXISTS {rej_s}")
    return [tuple(r) for r in rows]


def record_start_lines(path: Path, records: set[int]) -> dict[int, int]:
    """Physical line on which each record starts (records numbered from 1 = the header)."""
    from infoops.ingest.sources import open_text

    out: dict[int, int] = {}
    last = max(records, default=0)
    with open_text(path) as fh:
        reader = csv.reader(fh)
        start = 1
        for k, _row in enumerate(reader, start=1):
            if k in records:
                out[k] = start
            if k >= last:
                break
            start = reader.line_num + 1
    return out


def physical_lines(path: Path, accepted: set[int], parse_rejects: set[int]) -> dict[int, int]:
    """Map `_rec` numbers (1-based among the rows DuckDB accepted) to the line each starts on.

    `parse_rejects` are the records (header = 1) DuckDB itself rejected, which
    `_rec` does not count. Only called when validation rejected something.
    """
    from infoops.ingest.sources import open_text

    out: dict[int, int] = {}
    if not accepted:
        return out
    last = max(accepted)
    with open_text(path) as fh:
        reader = csv.reader(fh)
        start, rec = 1, 0
        for k, _row in enumerate(reader, start=1):
            if k > 1 and k not in parse_rejects:
                rec += 1
                if rec in accepted:
                    out[rec] = start
                if rec >= last:
                    break
            start = reader.line_num + 1
    return out
