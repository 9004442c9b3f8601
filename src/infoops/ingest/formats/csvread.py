"""Reading a CSV into a temporary table with DuckDB, by header name, keeping parse rejects."""

from __future__ import annotations

import csv
import uuid
from pathlib import Path

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
    ctx: LoadContext, path: Path, header: list[str], table: str, layers: list[list[str]] | None = None
) -> set[int]:
    """Read every column as VARCHAR into `table` with `_rec`, the 1-based record number.

    `layers` are lists of 'expression AS name' computed once per row on top of
    the raw columns, each layer seeing the names of the layers before it.

    Rows DuckDB cannot parse (wrong column count, bad quoting, invalid UTF-8)
    go to `rejects` with their physical line. Returns those lines.
    """
    names = safe_names(header)
    tag = uuid.uuid4().hex[:8]
    rej_t, rej_s = f"_rej_err_{tag}", f"_rej_scan_{tag}"
    con = ctx.con
    con.execute("SET preserve_insertion_order = true")
    query = (
        "SELECT row_number() OVER () AS _rec, * FROM read_csv(?, "
        "header = true, auto_detect = false, delim = ',', quote = '\"', escape = '\"', "
        "columns = ?, store_rejects = true, "
        f"rejects_table = '{rej_t}', rejects_scan = '{rej_s}', max_line_size = 8388608)"
    )
    for layer in layers or []:
        query = f"SELECT *, {', '.join(layer)} FROM ({query})"
    try:
        con.execute(f"CREATE TEMP TABLE {table} AS {query}", [str(path), {n: "VARCHAR" for n in names}])
    finally:
        con.execute("SET preserve_insertion_order = false")
    con.execute(
        f"INSERT INTO rejects SELECT ?, ?, line, column_name, "
        f"error_type || ': ' || error_message, left(csv_line, 2000) FROM {rej_t}",
        [ctx.run_id, ctx.label],
    )
    lines = {int(r[0]) for r in con.execute(f"SELECT DISTINCT line FROM {rej_t}").fetchall()}
    con.execute(f"DROP TABLE IF EXISTS {rej_t}")
    con.execute(f"DROP TABLE IF EXISTS {rej_s}")
    return lines


def physical_lines(path: Path, records: set[int], parse_reject_lines: set[int]) -> dict[int, int]:
    """Map 1-based record numbers (as DuckDB numbered the accepted rows) to the line each starts on.

    Only called when validation rejected something; a Python csv pass that skips
    the records DuckDB itself rejected, so numbering agrees with `_rec`.
    """
    from infoops.ingest.sources import open_text

    out: dict[int, int] = {}
    if not records:
        return out
    last = max(records)
    with open_text(path) as fh:
        reader = csv.reader(fh)
        next(reader, None)
        rec = 0
        start = reader.line_num + 1
        for _row in reader:
            if start not in parse_reject_lines:
                rec += 1
                if rec in records:
                    out[rec] = start
                if rec >= last:
                    break
            start = reader.line_num + 1
    return out
