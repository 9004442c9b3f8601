"""Base class of co-action signals, shaped like a scikit-learn estimator.

A signal stores its parameters in `__init__` (no logic there), and `fit` reads
the case's `posts` / `accounts` tables through a DuckDB connection and sets the
learned results with a trailing underscore:

- `edges_`: a pyarrow Table with EDGE_SCHEMA, one row per account pair
  (`src < dst`), weight, number of co-actions, and the post ids behind it;
- `threshold_`: the data-driven threshold kept edges passed;
- `stats_`: what each filter removed, the null-model figures, timings.

    CoRepost(window=60).fit(con).edges_
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from typing import Any, ClassVar

import duckdb
import pyarrow as pa

EDGE_SCHEMA = pa.schema(
    [
        ("src", pa.string()),
        ("dst", pa.string()),
        ("weight", pa.float64()),
        ("n_events", pa.int64()),
        ("evidence", pa.list_(pa.string())),
    ]
)

# post ids kept as evidence per edge (the full list is recomputable from the posts)
MAX_EVIDENCE = 20


class Signal(ABC):
    """One co-action signal. Subclasses set `name` and implement `fit`."""

    name: ClassVar[str]
    description: ClassVar[str] = ""
    # run by `infoops detect` unless --signals names it explicitly
    default_enabled: ClassVar[bool] = True

    edges_: pa.Table
    threshold_: float
    stats_: dict[str, Any]

    def get_params(self) -> dict[str, Any]:
        sig = inspect.signature(type(self).__init__)
        return {p: getattr(self, p) for p in sig.parameters if p != "self"}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    @abstractmethod
    def fit(self, con: duckdb.DuckDBPyConnection, posts: str = "posts", accounts: str = "accounts") -> Signal:
        """Compute `edges_`, `threshold_` and `stats_` from the given tables."""


def empty_edges() -> pa.Table:
    return EDGE_SCHEMA.empty_table()
