"""Pieces of the report: safe JSON for script blocks, display text, UTC offset fit, topics, charts."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from infoops.report.charts import bin_label, distributions, zero_share
from infoops.report.graph import hover_text
from infoops.report.safe import script_json, show
from infoops.report.timezone import best_offset, format_offset, office_share, shift, week_matrix
from infoops.report.topics import fit_topics, tokenize


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(),
                    lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=5), c, max_size=4),
                    max_leaves=20))
def test_script_json_round_trips_and_cannot_close_the_block(obj: object) -> None:
    text = str(script_json(obj))
    for ch in "<>&\u2028\u2029":
        assert ch not in text
    assert json.loads(text) == obj


def test_script_json_non_finite_floats_become_null() -> None:
    assert json.loads(str(script_json({"a": float("nan"), "b": [float("inf"), 1.5]}))) == {"a": None, "b": [None, 1.5]}


@pytest.mark.parametrize("ch", ["\u202e", "\u202d", "\u2066", "\u2067", "\u2068", "\u2069", "\u200f", "\u061c"])
def test_show_makes_bidi_controls_visible(ch: str) -> None:
    out = show(f"abc{ch}def")
    assert ch not in out and f"[U+{ord(ch):04X}]" in out


def test_show_cuts_long_text_and_says_so() -> None:
    out = show("x" * 100_000, limit=50)
    assert out.startswith("x" * 50) and "100,000 characters" in out and len(out) < 100


def test_hover_text_is_escaped() -> None:
    text = hover_text({"account_id": "1", "handle": '<img src=x onerror=alert(1)>', "role": "core",
                       "followers": 3})
    assert "<img" not in text and "&lt;img" in text


def _posts_at(offset: int, rng: np.random.Generator, n: int = 2000) -> list[dict[str, int]]:
    """Posts in weekday 09-18 local time at UTC+offset, as (dow, hour) rows in UTC."""
    local_dow = rng.integers(0, 5, n)
    local_hour = rng.integers(9, 18, n)
    utc = (local_dow * 24 + local_hour - offset) % (7 * 24)
    return [{"dow": int(u // 24), "hour": int(u % 24), "n": 1} for u in utc]


@pytest.mark.parametrize("offset", [8, 3, 0, -5, 5, -8, 12])
def test_best_offset_recovers_planted_office_hours(offset: int) -> None:
    m = week_matrix(_posts_at(offset, np.random.default_rng(offset + 20)))
    fit = best_offset(m)
    assert fit.offset == offset
    assert fit.office_share == pytest.approx(1.0)


def test_round_the_clock_posting_fits_no_better_than_uniform() -> None:
    m = np.ones((7, 24), dtype=np.int64)
    fit = best_offset(m)
    assert fit.office_share == pytest.approx(45 / 168)
    assert fit.offset == 0  # ties go to the offset nearest UTC


def test_shift_keeps_counts_and_wraps_the_week() -> None:
    m = np.zeros((7, 24), dtype=np.int64)
    m[6, 23] = 5  # Sunday 23:00 UTC
    s = shift(m, 1)
    assert s.sum() == 5 and s[0, 0] == 5  # Monday 00:00 at UTC+1
    assert office_share(shift(m, 10)) == 1.0  # Monday 09:00 at UTC+10


def test_format_offset() -> None:
    assert format_offset(8) == "UTC+8"
    assert format_offset(-5) == "UTC\u22125"
    assert format_offset(5.5) == "UTC+5:30"


def test_tokenize_segments_chinese_and_folds_traditional() -> None:
    simp = tokenize("香港暴徒破坏社会秩序")
    trad = tokenize("香港暴徒破壞社會秩序")
    assert simp == trad and "社会秩序" in "".join(simp) and len(simp) >= 2


def test_tokenize_cyrillic_and_turkish_words() -> None:
    assert "вакцина" in tokenize("Российская вакцина спасает жизни и")
    assert "и" not in tokenize("Российская вакцина спасает жизни и")
    tr = tokenize("Türkiye güçlü lider ile büyüyor https://t.co/x @someone")
    assert "türkiye" in tr and "güçlü" in tr and "ile" not in tr and not any("t.co" in t for t in tr)


def test_topics_separate_planted_themes_across_languages() -> None:
    start = datetime(2020, 3, 2)
    themes = ["香港 暴徒 破坏 社会秩序 警察", "Российская вакцина Спутник спасает жизни",
              "Türkiye güçlü lider ekonomi büyüyor"]
    posts = [{"text": f"{themes[i % 3]} {i % 7}", "created_at": start + timedelta(days=i % 60)} for i in range(300)]
    model = fit_topics(posts, n_topics=3, seed=1)
    assert len(model.terms) == 3
    found = {frozenset(t[:4]) for t in model.terms}
    assert any({"вакцина", "спутник"} & t for t in found)
    assert any({"güçlü", "türkiye", "ekonomi"} & t for t in found)
    assert any({"香港", "暴徒", "警察"} & t for t in found)
    # weekly shares sum to one where a week has posts
    sums = np.array(model.shares).sum(axis=0)
    assert np.allclose(sums, 1.0)


def test_topics_on_too_little_text_are_empty() -> None:
    assert fit_topics([{"text": "hi", "created_at": datetime(2020, 1, 1)}]).terms == []


def test_bin_labels_and_zero_share() -> None:
    assert [bin_label(b) for b in range(5)] == ["0", "1", "2–3", "4–7", "8–15"]
    assert bin_label(11) == "1k–2k" and bin_label(21) == "1M–2M"
    assert zero_share([{"bin": 0, "n": 3}, {"bin": 2, "n": 1}]) == 0.75
    assert zero_share([]) is None


def test_distribution_shares_are_per_group() -> None:
    fig = distributions({"followers": ([{"bin": 0, "n": 9}, {"bin": 1, "n": 1}], [{"bin": 5, "n": 50}])})
    net, rest = fig["data"]
    assert net["y"] == [0.9, 0.1, 0.0] and rest["y"] == [0.0, 0.0, 1.0]
    assert net["x"] == ["0", "1", "16–31"]


def test_zoom_window_finds_the_batch() -> None:
    from datetime import date

    from infoops.report.charts import zoom_window

    rows = [{"day": date(2012, 1, 1) + timedelta(days=40 * k), "n": 1} for k in range(60)]
    rows += [{"day": date(2019, 12, 2) + timedelta(days=k), "n": 50} for k in range(3)]
    lo, hi = zoom_window(rows, 120)
    assert (hi - lo).days == 119
    assert lo <= date(2019, 12, 2) and hi >= date(2019, 12, 4)
    short = [{"day": date(2020, 1, 1), "n": 3}, {"day": date(2020, 1, 5), "n": 1}]
    assert zoom_window(short, 120) == (date(2020, 1, 1), date(2020, 1, 5))


def test_flatten_evidence() -> None:
    from infoops.report.safe import flatten

    lines = flatten({"items": {"hashtags": {"figure": 0.50321, "value": 1.0}}, "ids": ["a", "b"], "n": 3})
    assert lines == ["items.hashtags.figure: 0.503", "items.hashtags.value: 1", "ids: a, b", "n: 3"]
    assert flatten({str(i): i for i in range(20)}, limit=5)[-1] == "…"


def test_layout_keeps_unlinked_accounts_on_a_ring() -> None:
    import igraph as ig

    from infoops.report.graph import layout

    g = ig.Graph(n=8, edges=[(0, 1), (1, 2), (2, 0), (3, 4)])
    pos = np.array(layout(g, seed=1))
    r = np.hypot(pos[:, 0], pos[:, 1])
    assert pos.shape == (8, 2)
    assert r[5:].min() > r[:5].max()  # the three unlinked accounts lie outside the linked ones
    assert np.allclose(r[5:], r[5])  # on one ring
    assert np.allclose(layout(g, seed=1), pos)  # seeded: the same drawing every time


def test_language_names() -> None:
    from infoops.report.charts import language_name, language_summary

    assert language_name("zh") == "Chinese (zh)" and language_name("xx") == "xx"
    assert language_summary([{"lang": "ru", "n": 3}, {"lang": "tr", "n": 1}]) == [("Russian (ru)", 0.75),
                                                                                  ("Turkish (tr)", 0.25)]
