"""The takedown list: one row per flagged account, as CSV or Parquet.

Columns, in this order: account_id (exactly as in the input, hashed ids
included), network_id, role, score, reasons (joined with "; "), then handle,
display_name, followers, following, created_at, n_posts, prior_link.

CSV cells that a spreadsheet would run as a formula are neutralised (see
`infoops.export.safety`); Parquet keeps the raw, typed values.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import pyarrow.parquet as pq

from infoops.export._common import ExportError, flagged_table, prepare_output, result_run_id
from infoops.export.safety import csv_cell
from infoops.registry import exports
from infoops.store import Case

TAKEDOWN_COLUMNS = (
    "account_id",
    "network_id",
    "role",
    "score",
    "reasons",
    "handle",
    "display_name",
    "followers",
    "following",
    "created_at",
    "n_posts",
    "prior_link",
)
REASON_SEPARATOR = "; "
Format = Literal["csv", "parquet"]

_QUERY = """
WITH prior AS (
  SELECT network_id,
         string_agg(prior || ' (strength ' || CAST(round(strength, 3) AS VARCHAR) || ', '
                    || CAST(coalesce(continuing_accounts, 0) AS VARCHAR) || ' continuing)', '; '
                    ORDER BY strength DESC, prior) AS prior_link
  FROM prior_links WHERE run_id = $run_id GROUP BY network_id
),
n AS (
  SELECT p.account_id, count(*) AS n_posts
  FROM posts p SEMI JOIN _takedown_flagged f ON p.account_id = f.account_id
  GROUP BY p.account_id
)
SELECT f.account_id, f.network_id, f.role, f.score,
       array_to_string(f.reasons, $sep) AS reasons,
       a.handle, a.display_name, a.followers, a.following, a.created_at,
       coalesce(n.n_posts, 0) AS n_posts, prior.prior_link
FROM _takedown_flagged f
LEFT JOIN (SELECT * FROM accounts QUALIFY row_number() OVER (PARTITION BY account_id) = 1) a
       ON a.account_id = f.account_id
LEFT JOIN n ON n.account_id = f.account_id
LEFT JOIN prior ON prior.network_id = f.network_id
ORDER BY f.network_id, f.score DESC NULLS LAST, f.account_id
"""


def infer_format(out: Path) -> Format:
    suffix = out.suffix.lower()
    if suffix in (".parquet", ".pq"):
        return "parquet"
    if suffix in (".csv", ".txt", ""):
        return "csv"
    raise ExportError(f"{out}: cannot tell the takedown format from '{suffix}' (use .csv or .parquet)")


def takedown_table(case: Case) -> pa.Table:
    """The takedown list as an Arrow table with TAKEDOWN_COLUMNS in order."""
    con = case.con
    flagged = flagged_table(con)
    con.register("_takedown_flagged", flagged)
    try:
        rel = con.sql(_QUERY, params={"run_id": result_run_id(con), "sep": REASON_SEPARATOR})
        table = rel.to_arrow_table()
    finally:
        con.unregister("_takedown_flagged")
    return table.select(list(TAKEDOWN_COLUMNS))


def _csv_value(value: Any) -> Any:
    if hasattr(value, "isoformat") and not isinstance(value, str):
        return value.isoformat(sep=" ")
    if isinstance(value, float):
        return repr(round(value, 6))
    return csv_cell(value)


def write_csv(table: pa.Table, out: Path) -> None:
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, quoting=csv.QUOTE_MINIMAL)
        writer.writerow(table.column_names)
        for batch in table.to_batches(max_chunksize=10_000):
            cols = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
            for row in zip(*cols, strict=True):
                writer.writerow([_csv_value(v) for v in row])


def export_takedown(case: Case, out: Path, format: Format | None = None) -> dict[str, int]:
    """Write the takedown list to `out` (format from the suffix unless given); returns counts."""
    out = Path(out)
    fmt = format or infer_format(out)
    params = {"output": str(out), "format": fmt}
    with case.run("export takedown", params) as rec:
        table = takedown_table(case)
        prepare_output(out)
        if fmt == "parquet":
            pq.write_table(table, out)
        else:
            write_csv(table, out)
        rec.counts = {
            "accounts": table.num_rows,
            "networks": len({n for n in table.column("network_id").to_pylist() if n is not None}),
        }
    return dict(rec.counts)


exports.register("takedown")(export_takedown)
