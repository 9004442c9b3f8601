"""Building blocks of the simulator: snowflakes, list literals, times, pairs, parameters."""

from __future__ import annotations

import ast

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from infoops.simulate import textgen as tg
from infoops.simulate.bucketed import minute_text
from infoops.simulate.params import SimulationError, build_params, parse_pairs
from infoops.simulate.platform import unique_pairs
from infoops.simulate.timing import (
    DAY_MS,
    HOUR_MS,
    date_ms,
    local_times,
    snowflake,
    snowflake_ms,
    user_ids,
)

MS_2020 = date_ms("2020-01-01")


@given(
    st.lists(st.integers(MS_2020, MS_2020 + 400 * DAY_MS), min_size=1, max_size=50),
    st.integers(0, 10**9),
)
def test_snowflake_round_trip(ms: list[int], start: int) -> None:
    arr = np.array(ms, dtype=np.int64)
    serial = np.arange(start, start + len(ms), dtype=np.int64)
    tid = snowflake(arr, serial)
    assert (snowflake_ms(tid) == arr).all()
    assert len(set(tid.tolist())) == len(ms)  # same ms, different serials: different ids


@given(
    st.lists(
        st.lists(
            st.text(alphabet="abcxyz_#香港дж0123456789:/.", min_size=1, max_size=8), max_size=4
        ),
        max_size=20,
    )
)
def test_list_literals_parse_back(lists: list[list[str]]) -> None:
    arr = pa.array(lists, pa.list_(pa.string()))
    text = tg.literal(arr).to_pylist()
    assert [ast.literal_eval(t) for t in text] == lists


@given(st.lists(st.integers(MS_2020, MS_2020 + 400 * DAY_MS), min_size=1, max_size=50))
def test_minute_text_matches_datetime(ms: list[int]) -> None:
    import datetime as dt

    got = minute_text(np.array(ms, dtype=np.int64)).to_pylist()
    want = [dt.datetime.fromtimestamp(m / 1000, dt.UTC).strftime("%Y-%m-%d %H:%M") for m in ms]
    assert got == want


@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), max_size=60))
def test_unique_pairs_keeps_first_of_each(pairs: list[tuple[int, int]]) -> None:
    a = np.array([p[0] for p in pairs], dtype=np.int64)
    b = np.array([p[1] for p in pairs], dtype=np.int64)
    keep = unique_pairs(a, b)
    seen: set[tuple[int, int]] = set()
    expected = []
    for p in pairs:
        expected.append(p not in seen)
        seen.add(p)
    assert keep.tolist() == expected


def test_office_hours_land_in_beijing_working_day() -> None:
    rng = np.random.default_rng(0)
    ms = local_times(rng, 5000, 8.0, MS_2020, MS_2020 + 60 * DAY_MS, "office", weekdays_only=True)
    local = ms + 8 * HOUR_MS
    hours = (local // HOUR_MS) % 24
    dow = (local // DAY_MS + 3) % 7  # Monday = 0
    assert ((hours >= 8) & (hours <= 18)).all() and (dow < 5).all()
    assert ((hours >= 9) & (hours < 18)).mean() > 0.9


def test_user_ids_grow_with_creation_and_are_unique() -> None:
    created = np.array(
        [date_ms("2008-05-01"), date_ms("2012-01-01"), date_ms("2016-01-01"), date_ms("2020-02-01")]
    )
    ids = user_ids(np.repeat(created, 3), np.arange(12))
    assert len(set(ids.tolist())) == 12
    assert (np.diff(ids.reshape(4, 3).min(axis=1)) > 0).all()


def test_params_validate_and_parse() -> None:
    assert parse_pairs(["cn_2020=2", "fandom=0.5"], "--size") == {"cn_2020": 2.0, "fandom": 0.5}
    with pytest.raises(SimulationError):
        parse_pairs(["cn_2020"], "--size")
    with pytest.raises(SimulationError):
        build_params(stealth=1.5)
    with pytest.raises(SimulationError):
        build_params(scenario="nosuch")
    p = build_params(scenario="stealthy", op_stealth={"tr_ring": 0.1})
    assert p.stealth["tr_ring"] == 0.1 and p.stealth["cn_2020"] == 0.75
    assert build_params(scenario="stealthy", stealth=0.3).stealth == {
        "cn_2020": 0.3,
        "ru_media": 0.3,
        "tr_ring": 0.3,
    }
