"""Fuse per-signal edges into one account graph, keeping each signal's share.

Each signal's kept edge contributes `log2(1 + weight / threshold)` -- at least
1 for an edge that passed its signal's data-driven threshold, growing slowly
beyond it, so no single signal with a long-tailed weight scale dominates. The
fused weight is the sum over signals; `signal_weights` maps signal name to its
contribution (contributions sum to the fused weight). Raw weights stay in
`signal_edges`.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

FUSED_SCHEMA = pa.schema(
    [
        ("src", pa.string()),
        ("dst", pa.string()),
        ("weight", pa.float64()),
        ("signal_weights", pa.map_(pa.string(), pa.float64())),
    ]
)

SIGNAL_EDGE_COLUMNS = ("signal", "src", "dst", "weight")


def scale_of(threshold: float, weights: pa.Array | pa.ChunkedArray) -> float:
    """The unit a signal's weights are measured in: its threshold, else its lightest kept edge."""
    if threshold > 0:
        return float(threshold)
    if len(weights) == 0:
        return 1.0
    low = pa.compute.min(weights).as_py()
    return float(low) if low and low > 0 else 1.0


def fuse(
    con: duckdb.DuckDBPyConnection, signal_edges: pa.Table, scales: dict[str, float]
) -> pa.Table:
    """Fused edges (FUSED_SCHEMA) from a table with columns signal, src, dst, weight."""
    if signal_edges.num_rows == 0:
        return FUSED_SCHEMA.empty_table()
    scale_tab = pa.table(
        {
            "signal": pa.array(list(scales), pa.string()),
            "scale": pa.array(list(scales.values()), pa.float64()),
        }
    )
    con.register("_io_fuse_edges", signal_edges.select(list(SIGNAL_EDGE_COLUMNS)))
    con.register("_io_fuse_scales", scale_tab)
    try:
        out = con.sql(
            """SELECT src, dst, sum(c) AS weight, map(list(signal ORDER BY signal), list(c ORDER BY signal))
                      AS signal_weights
               FROM (SELECT e.signal, e.src, e.dst, log2(1 + e.weight / s.scale) AS c
                     FROM _io_fuse_edges e JOIN _io_fuse_scales s USING (signal)
                     WHERE e.weight > 0)
               GROUP BY src, dst
               ORDER BY src, dst"""
        ).to_arrow_table()
    finally:
        con.unregister("_io_fuse_edges")
        con.unregister("_io_fuse_scales")
    return out.cast(FUSED_SCHEMA)
