"""SQL expression builders that map raw VARCHAR columns to canonical values.

Every function takes a column *reference* (an already-quoted identifier built
by `col()` from a header name) and returns a DuckDB SQL expression. Row values
never enter SQL text: only header names do, and they are quoted by `col()`.
"""

from __future__ import annotations

SNOWFLAKE_EPOCH_MS = 1288834974657
# Snowflake ids are at least this large (a snowflake minted one day after the epoch);
# the sequential pre-2010 ids are far smaller.
MIN_SNOWFLAKE = (86_400_000 << 22)
# A snowflake's time must agree with a given minute-precision time within this many seconds.
SNOWFLAKE_TOLERANCE_S = 120


def col(name: str) -> str:
    """A quoted identifier for a header name (header text is data: quotes are doubled)."""
    return '"' + name.replace('"', '""') + '"'


def nullif_blank(ref: str) -> str:
    """NULL for empty, whitespace-only and pandas-style missing markers."""
    return f"CASE WHEN trim({ref}) IN ('', 'nan', 'NaN', 'None', 'null', 'NULL', 'absent') THEN NULL ELSE trim({ref}) END"


def text(ref: str) -> str:
    """Free text: empty string becomes NULL, otherwise kept verbatim."""
    return f"NULLIF({ref}, '')"


def ident(ref: str) -> str:
    """An id column: trims, drops a float suffix ('123.0' -> '123'), NULL when blank."""
    v = nullif_blank(ref)
    return f"CASE WHEN contains({v}, '.') THEN regexp_replace({v}, '^([0-9]+)\\.0+$', '\\1') ELSE {v} END"


def count(ref: str) -> str:
    """Counts written as ints or floats ('12', '12.0', '1e3'); NULL when unparseable."""
    return f"TRY_CAST(TRY_CAST({nullif_blank(ref)} AS DOUBLE) AS BIGINT)"


def boolean(ref: str) -> str:
    return f"(lower(trim(coalesce({ref}, ''))) IN ('true', 't', '1', 'yes', '1.0'))"


def timestamp(ref: str) -> str:
    """ISO-like timestamps ('2020-01-02 03:04', '2020-01-02T03:04:05Z', dates) and the
    v1.1 style 'Wed Jan 07 04:38:02 +0000 2009' to TIMESTAMP (UTC; other offsets are not converted)."""
    v = f"NULLIF(trim({ref}), '')"
    return f"coalesce(TRY_CAST({v} AS TIMESTAMP), try_strptime({v}, '%a %b %d %H:%M:%S +0000 %Y'))"


def unix_or_iso(ref: str) -> str:
    """Unix seconds (int or float) or an ISO timestamp."""
    v = nullif_blank(ref)
    return (
        f"CASE WHEN regexp_full_match({v}, '[0-9]+(\\.[0-9]*)?') "
        f"THEN make_timestamp(CAST(round(CAST({v} AS DOUBLE) * 1000000) AS BIGINT)) "
        f"ELSE {timestamp(ref)} END"
    )


def snowflake_ms(id_ref: str) -> str:
    """Milliseconds since the Unix epoch encoded in a snowflake id, NULL when it is not one."""
    v = f"TRY_CAST({id_ref} AS UBIGINT)"
    return f"CASE WHEN {v} >= {MIN_SNOWFLAKE} THEN CAST(({v} >> 22) AS BIGINT) + {SNOWFLAKE_EPOCH_MS} END"


def snowflake_time(id_ref: str) -> str:
    """The TIMESTAMP a snowflake id encodes, NULL when it is not one."""
    return f"make_timestamp(({snowflake_ms(id_ref)}) * 1000)"


def exact_time(sf_ts: str, minute_ts: str | None) -> tuple[str, str]:
    """(created_at, time_precision) from a snowflake time, falling back to a minute-precision time.

    Both arguments should be plain column references (computed once in an inner
    query). The snowflake is trusted when no minute time is given, or when both
    agree within SNOWFLAKE_TOLERANCE_S seconds; otherwise the minute time is kept.
    """
    if minute_ts is None:
        return sf_ts, f"CASE WHEN {sf_ts} IS NOT NULL THEN 's' END"
    ok = (
        f"({sf_ts} IS NOT NULL AND ({minute_ts} IS NULL OR "
        f"abs(epoch({sf_ts}) - epoch({minute_ts})) <= {SNOWFLAKE_TOLERANCE_S}))"
    )
    created = f"CASE WHEN {ok} THEN {sf_ts} ELSE {minute_ts} END"
    precision = f"CASE WHEN {ok} THEN 's' WHEN {minute_ts} IS NOT NULL THEN 'min' END"
    return created, precision


# One item of a Python list literal: a single- or double-quoted string (with
# backslash escapes) or a bare token such as a number.
_ITEM = r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^,\[\]\s'"]+"""


def py_list(ref: str, lower: bool = False, strip_prefix: str | None = None) -> str:
    """A Python list literal ("['a', 'b']", "[1, 2]", "[]") or a bare 'a,b' to VARCHAR[].

    Quotes are removed and backslash escapes undone; empty items are dropped.
    """
    pattern = _ITEM.replace("'", "''")
    item = r"CASE WHEN contains(x, chr(92)) THEN regexp_replace(x[2:-2], '\\(.)', '\1', 'g') ELSE x[2:-2] END"
    bare = "x"
    one = f"CASE WHEN x[1] IN ('''', '\"') THEN {item} ELSE {bare} END"
    if strip_prefix:
        one = f"ltrim({one}, '{strip_prefix}')"
    if lower:
        one = f"lower({one})"
    parsed = (
        f"list_filter(list_transform(regexp_extract_all({ref}, '{pattern}'), "
        f"lambda x: {one}), lambda x: x <> '')"
    )
    # most rows hold an empty list: skip the regular expressions for them
    return f"CASE WHEN {ref} IS NULL OR {ref} IN ('', '[]') THEN CAST([] AS VARCHAR[]) ELSE {parsed} END"
