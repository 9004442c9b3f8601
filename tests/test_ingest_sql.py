"""Round trips of the SQL mappings: snowflake times and Python list literals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from infoops.ingest import sqlexpr as E
from infoops.ingest.formats.rows import parse_time, snowflake_time

CON = duckdb.connect()
EPOCH = 1288834974657
# 2010-11-05 .. 2039
ms_times = st.integers(min_value=EPOCH + 86_400_000, max_value=2_200_000_000_000)


def _sf(ms: int, seq: int) -> str:
    return str(((ms - EPOCH) << 22) | seq)


@settings(max_examples=200, deadline=None)
@given(ms=ms_times, seq=st.integers(min_value=0, max_value=(1 << 22) - 1))
def test_snowflake_time_round_trip(ms: int, seq: int) -> None:
    minute = datetime.fromtimestamp(ms / 1000, UTC).replace(tzinfo=None, second=0, microsecond=0)
    created, precision = E.exact_time(E.snowflake_time("i"), "m")
    row = CON.execute(f"SELECT {created}, {precision} FROM (SELECT ? AS i, ?::TIMESTAMP AS m)",
                      [_sf(ms, seq), minute]).fetchone()
    expected = datetime.fromtimestamp(ms / 1000, UTC).replace(tzinfo=None)
    assert row == (expected, "s")
    assert snowflake_time(_sf(ms, seq)) == expected  # the Python twin agrees


@settings(max_examples=50, deadline=None)
@given(ms=ms_times, off=st.integers(min_value=E.SNOWFLAKE_TOLERANCE_S + 60, max_value=10**7))
def test_minute_time_kept_when_snowflake_disagrees(ms: int, off: int) -> None:
    minute = datetime.fromtimestamp(ms / 1000, UTC).replace(tzinfo=None, second=0, microsecond=0)
    minute += timedelta(seconds=off)
    created, precision = E.exact_time(E.snowflake_time("i"), "m")
    row = CON.execute(f"SELECT {created}, {precision} FROM (SELECT ? AS i, ?::TIMESTAMP AS m)",
                      [_sf(ms, 0), minute]).fetchone()
    assert row == (minute, "min")


def test_small_ids_are_not_snowflakes() -> None:
    created, precision = E.exact_time(E.snowflake_time("i"), "m")
    row = CON.execute(f"SELECT {created}, {precision} FROM (SELECT '20123456' AS i, NULL::TIMESTAMP AS m)").fetchone()
    assert row == (None, None)
    assert snowflake_time("20123456") is None


printable = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30).filter(str.isprintable)


@settings(max_examples=300, deadline=None)
@given(items=st.lists(printable, max_size=6))
def test_python_list_literal_round_trip(items: list[str]) -> None:
    row = CON.execute(f"SELECT {E.py_list('s')} FROM (SELECT ? AS s)", [repr(items)]).fetchone()
    assert row == (items,)


@settings(max_examples=100, deadline=None)
@given(nums=st.lists(st.integers(min_value=0, max_value=10**19), max_size=5))
def test_list_of_numbers_and_bare_lists(nums: list[int]) -> None:
    row = CON.execute(f"SELECT {E.py_list('s')}, {E.py_list('b')} FROM (SELECT ? AS s, ? AS b)",
                      [repr(nums), ",".join(map(str, nums))]).fetchone()
    assert row == ([str(n) for n in nums], [str(n) for n in nums])


def test_hashtags_lowercased_without_hash() -> None:
    row = CON.execute(f"SELECT {E.py_list('s', lower=True, strip_prefix='#')} FROM (SELECT ? AS s)",
                      ["['#HongKong', 'BLM']"]).fetchone()
    assert row == (["hongkong", "blm"],)


def test_counts_booleans_and_times() -> None:
    row = CON.execute(
        f"SELECT {E.count('a')}, {E.count('b')}, {E.boolean('c')}, {E.boolean('d')}, {E.timestamp('e')}, "
        f"{E.unix_or_iso('f')} FROM (SELECT '12.0' a, 'absent' b, 'TRUE' c, 'false' d, "
        f"'Wed Jan 07 04:38:02 +0000 2009' e, '1600000000' f)"
    ).fetchone()
    assert row == (12, None, True, False, datetime(2009, 1, 7, 4, 38, 2), datetime(2020, 9, 13, 12, 26, 40))
    assert parse_time("2021-04-01T15:52:31.000Z") == datetime(2021, 4, 1, 15, 52, 31)
