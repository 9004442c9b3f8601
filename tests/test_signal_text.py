"""Text normalisation and the identical_text / near_duplicate signals on planted data."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infoops.detect.base import EDGE_SCHEMA
from infoops.detect.signals.identical_text import IdenticalText
from infoops.detect.signals.near_duplicate import (
    DEFAULT_NEIGHBOURS,
    NearDuplicate,
    exact_jaccard,
    near_duplicate_clusters,
    shingle_hashes,
    shingle_sets,
    utf32,
    word_hashes,
)
from infoops.detect.text import _basic, char_ngrams, jaccard, normalize, normalize_many, tokens
from infoops.detect.textsim import kmins_band_keys, lsh_pairs, verify_pairs
from infoops.registry import signals
from infoops.store import Case

T0 = 1_600_000_000
DAY = 86_400


# -- normalisation -------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("RT @someone: Stand with Hong Kong", "stand with hong kong"),
        ("Stand   with\nHong Kong https://t.co/abc123", "stand with hong kong"),
        ("@alice @bob Stand with Hong Kong", "stand with hong kong"),
        ("Stand with Hong Kong www.example.com/x?y=1", "stand with hong kong"),
        ("香港民主運動與臺灣", "香港民主运动与台湾"),
    ],
)
def test_normalize_equates_variants(a: str, b: str) -> None:
    assert normalize(a) == normalize(b)


def test_normalize_keeps_meaningful_differences() -> None:
    assert normalize("Stand with Hong Kong") != normalize("Stand with Taiwan")
    assert normalize("mail me at me@example.com") == "mail me at me@example.com"
    assert normalize(None) == "" and normalize("   ") == ""


def test_normalize_many_matches_normalize() -> None:
    texts = ["RT @x: 臺灣 A", None, "plain", "中文 https://t.co/x 發展", ""]
    assert normalize_many(texts) == [normalize(t) for t in texts]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab @:/.RThtps 臺灣发展\n\tw")), max_size=40))
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
    assert "\n" not in once and once == once.strip()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab @:/.RTrtWwHhps 臺\n")), max_size=30))
def test_normalize_fast_path_equals_the_regular_expressions(text: str) -> None:
    # texts without '@', '://' or 'www.' skip the regular expressions: same result as running them
    from infoops.detect.text import RT_PREFIX, STRIP

    slow = " ".join(STRIP.sub(" ", RT_PREFIX.sub("", text, count=1)).lower().split())
    assert _basic(text) == slow


def test_tokens_segment_chinese_and_words() -> None:
    toks = tokens(normalize("香港民主運動 is great"))
    assert "is" in toks and "great" in toks
    assert "香港" in toks
    assert all(t.strip() for t in toks)


# -- planted data -----------------------------------------------------------------


def _ts(t: float) -> datetime:
    return datetime.fromtimestamp(t, UTC).replace(tzinfo=None)


def load_rows(case: Case, rows: Sequence[tuple[str, str, float, str, str]]) -> None:
    """Insert (post_id, account_id, epoch seconds, text, kind) rows into the case's posts."""
    tbl = pa.table(
        {
            "post_id": [r[0] for r in rows],
            "account_id": [r[1] for r in rows],
            "created_at": pa.array([_ts(r[2]) for r in rows], pa.timestamp("us")),
            "text": [r[3] for r in rows],
            "kind": [r[4] for r in rows],
        }
    )
    case.con.register("_rows", tbl)
    case.con.execute(
        "INSERT INTO posts (post_id, account_id, created_at, text, kind) "
        "SELECT post_id, account_id, created_at, text, kind FROM _rows"
    )
    case.con.unregister("_rows")


def planted_rows(
    n_io: int = 6, n_texts: int = 12, n_org: int = 80, days: int = 60, seed: int = 7, variants: bool = False
) -> list[tuple[str, str, float, str, str]]:
    """`n_io` accounts post the same texts within minutes of each other on `n_texts` days;
    organic accounts post their own texts at random and, now and then, a common greeting."""
    rng = random.Random(seed)
    rows: list[tuple[str, str, float, str, str]] = []
    slogans = [
        f"{rng.choice(['Stand with', 'Support', 'Praise'])} the {rng.random():.6f} policy of the government today"
        for _ in range(n_texts)
    ]
    for k, slogan in enumerate(slogans):
        base = T0 + k * days * DAY // n_texts + rng.randint(0, 3600)
        for a in range(n_io):
            text = slogan if not variants else f"{slogan} {['!!', 'indeed', 'yes', 'now', 'ok!', '#go'][a % 6]}"
            if a % 2:  # same text, other surface: case, URL, mention
                text = f"@friend{a} {text.upper()} https://t.co/{k}{a}"
            rows.append((f"io{k}_{a}", f"io{a}", base + rng.randint(0, 600), text, "post"))
    for a in range(n_org):
        for j in range(12):
            words = " ".join(rng.choice(["tea", "rain", "bus", "cat", "work", "lunch", "game"]) for _ in range(6))
            rows.append((f"o{a}_{j}", f"org{a}", T0 + rng.randint(0, days * DAY), f"{words} {rng.random()}", "post"))
        rows.append((f"g{a}", f"org{a}", T0 + rng.randint(0, days * DAY), "Good morning everyone, have a nice day", "post"))
        # reposts copy the original's text and must not count
        rows.append((f"r{a}", f"org{a}", T0 + 5 * DAY + a, slogans[0], "repost"))
    return rows


def _background(n: int = 6) -> list[tuple[str, str, float, str, str]]:
    """Unrelated accounts with texts of their own: an object shared by every account has idf 0."""
    return [(f"bg{i}", f"bg{i}", T0 + i * DAY, f"background account number {i} says its own thing", "post")
            for i in range(n)]


def _pairs(table: pa.Table) -> set[tuple[str, str]]:
    return set(zip(table.column("src").to_pylist(), table.column("dst").to_pylist(), strict=True))


def _io_pairs(n_io: int) -> set[tuple[str, str]]:
    ids = sorted(f"io{a}" for a in range(n_io))
    return {(a, b) for i, a in enumerate(ids) for b in ids[i + 1 :]}


def test_signals_are_registered() -> None:
    assert signals.get("identical_text") is IdenticalText
    assert signals.get("near_duplicate") is NearDuplicate


def test_identical_text_finds_planted_group_only(fresh_case: Case) -> None:
    load_rows(fresh_case, planted_rows())
    sig = IdenticalText().fit(fresh_case.con)
    assert sig.edges_.schema.equals(EDGE_SCHEMA)
    assert _pairs(sig.edges_) == _io_pairs(6)
    assert min(sig.edges_.column("n_events").to_pylist()) == 12
    # evidence: post ids of the two accounts of the edge
    for src, dst, ev in zip(*(sig.edges_.column(c).to_pylist() for c in ("src", "dst", "evidence")), strict=True):
        assert ev and all(p.endswith(f"_{src[2:]}") or p.endswith(f"_{dst[2:]}") for p in ev)
    st_ = sig.stats_
    assert st_["edges_raw"] >= st_["edges_kept"] == sig.edges_.num_rows
    assert sig.threshold_ > 0 and st_["method"].startswith("null:shuffle")


def test_identical_text_ignores_reposts_and_short_texts(fresh_case: Case) -> None:
    rows = [(f"p{a}", f"acc{a}", T0 + a, "ok", "post") for a in range(10)]
    rows += [(f"q{a}", f"acc{a}", T0 + 100 + a, "A long enough retweeted text about things", "repost") for a in range(10)]
    load_rows(fresh_case, rows)
    sig = IdenticalText(null="none", min_activity=1, min_shared=1).fit(fresh_case.con)
    assert sig.edges_.num_rows == 0
    assert sig.stats_["texts_too_short"] == 1


def test_identical_text_window_is_inclusive_and_respected(fresh_case: Case) -> None:
    text = "exactly the same sentence posted by both"
    rows = [("a1", "A", T0, text, "post"), ("b1", "B", T0 + 60, text, "post"), ("c1", "C", T0 + 61, text, "post")]
    load_rows(fresh_case, rows + _background())
    sig = IdenticalText(window=60, null="none", min_activity=1, min_shared=1).fit(fresh_case.con)
    assert _pairs(sig.edges_) == {("A", "B"), ("B", "C")}


def test_identical_text_is_explosion_safe(fresh_case: Case) -> None:
    n = 3000
    rows = [(f"p{i}", f"acc{i}", T0 + i, "the viral sentence everybody copies today", "post") for i in range(n)]
    load_rows(fresh_case, rows + _background())
    sig = IdenticalText(window=86_400, null="none", min_activity=1, min_shared=1, max_fanout=10).fit(fresh_case.con)
    assert 0 < sig.edges_.num_rows <= n * 10  # not n*(n-1)/2 = 4.5 million


# -- near-duplicates ----------------------------------------------------------------


def test_near_duplicate_finds_variants_identical_text_misses(fresh_case: Case) -> None:
    load_rows(fresh_case, planted_rows(variants=True))
    ident = IdenticalText().fit(fresh_case.con)
    near = NearDuplicate().fit(fresh_case.con)
    assert _pairs(near.edges_) == _io_pairs(6)
    assert not _pairs(ident.edges_) >= _io_pairs(6)
    assert near.stats_["similar_pairs"] > 0 and near.stats_["method"].endswith("episodes")


def test_near_duplicate_counts_each_occasion(fresh_case: Case) -> None:
    # two accounts post variants of one template on 8 separate days
    rows = []
    for d in range(8):
        rows.append((f"a{d}", "A", T0 + d * DAY, f"our great leader visited the province number {d}", "post"))
        rows.append((f"b{d}", "B", T0 + d * DAY + 30, f"our great leader visited the province number {d}!", "post"))
    load_rows(fresh_case, rows + _background())
    sig = NearDuplicate(null="none", min_activity=1, min_shared=1).fit(fresh_case.con)
    assert sig.edges_.column("n_events").to_pylist() == [8]


def test_minhash_estimates_jaccard() -> None:
    rng = random.Random(3)
    words = ["alpha", "beta", "gamma", "delta", "eps", "zeta", "eta", "theta", "iota", "kappa"]
    texts = [" ".join(rng.choice(words) for _ in range(12)) for _ in range(300)]
    h, bounds, _ = shingle_sets(texts, "chars", 3)
    _, low = kmins_band_keys(h, bounds, 256, 32, 1)
    i = np.arange(0, 299)
    j = i + 1
    agree = (low[i] == low[j]).mean(axis=1)
    est = (agree - 1 / 256) / (1 - 1 / 256)  # b-bit MinHash: chance agreement of 8-bit values removed
    exact = exact_jaccard(texts, i, j)
    assert np.abs(est - exact).mean() < 0.05
    keys, same = kmins_band_keys(*shingle_sets([texts[0], texts[0]], "chars", 3)[:2], 120, 20, 1)
    assert (same[0] == same[1]).all() and (keys[:, 0] == keys[:, 1]).all()


def test_shingle_hashes_are_the_character_ngram_sets() -> None:
    texts = ["abcabcabc", "香港加油香港", "ab", "the same words the same words"]
    h, starts = shingle_hashes(texts)
    ends = [*starts[1:], h.size]
    for k, t in enumerate(texts):
        run = h[starts[k] : ends[k]]
        assert (np.diff(run.astype(np.float64)) > 0).all() or run.size <= 1  # sorted, distinct
        assert run.size == len(char_ngrams(t, 3))


def test_arrow_texts_decode_like_python_strings() -> None:
    texts = ["plain ascii", "香港加油 ❤️ 😂 ok", "", "é ß Ω 𝔘𝔫𝔦", "x" * 40]
    for arr in (pa.array(texts), pa.array(["drop me", *texts])[1:], pa.array(texts, pa.large_string())):
        codes, offsets = utf32(arr)
        ref_codes, ref_offsets = utf32(texts)
        assert codes.tolist() == ref_codes.tolist() and offsets.tolist() == ref_offsets.tolist()
    rng = random.Random(4)
    many = [" ".join(rng.choice(["香港", "vote", "😂", "tea", "rain"]) for _ in range(8)) for _ in range(300)]
    many = sorted(set(many))
    assert near_duplicate_clusters(pa.array(many))[0].tolist() == near_duplicate_clusters(many)[0].tolist()
    with pytest.raises(ValueError):
        utf32(pa.array(["a", None]))


def test_verify_pairs_is_exact_jaccard() -> None:
    rng = random.Random(9)
    vocab = ["tea", "rain", "bus", "cat", "work", "lunch", "game", "香港", "台湾"]
    texts = [" ".join(rng.choice(vocab) for _ in range(rng.randint(3, 12))) for _ in range(200)]
    h, bounds, _ = shingle_sets(texts, "chars", 3)
    _, low = kmins_band_keys(h, bounds, 120, 20, 1)
    i, j = np.triu_indices(len(texts), k=1)
    i, j = i.astype(np.int64), j.astype(np.int64)
    exact = exact_jaccard(texts, i, j)
    got = verify_pairs(h, bounds, low, i, j, 0.0, 1.0)  # threshold 0: every pair checked exactly
    assert np.allclose(got, exact)
    got = verify_pairs(h, bounds, low, i, j, 0.8, 0.15)
    assert ((got >= 0.8) == (exact >= 0.8)).mean() > 0.999  # the b-bit pre-check rarely drops a true pair
    assert np.allclose(got[got >= 0.8], exact[got >= 0.8])


def test_lsh_buckets_never_explode() -> None:
    keys = np.zeros((20, 5000), dtype=np.uint64)  # 5,000 identical signatures: one giant bucket per band
    i, j = lsh_pairs(keys, np.arange(5000, dtype=np.int64), DEFAULT_NEIGHBOURS)
    assert i.size <= (DEFAULT_NEIGHBOURS + 1) * 5000 * 20 and (i < j).all()
    assert np.unique(np.concatenate([i, j])).size == 5000  # everybody paired with someone


def test_near_duplicate_text_posted_by_20000_accounts_is_explosion_safe(fresh_case: Case) -> None:
    # one viral text (and a variant) posted by 20,000 accounts within a day: 2 * 10**8 account pairs
    # if every pair were made; the co-action fan-out cap keeps it to at most 10 per post
    n = 20_000
    text = "the viral sentence everybody copies today"
    rows = [(f"p{i}", f"acc{i}", T0 + i * 4, text if i % 2 else text + "!", "post") for i in range(n)]
    load_rows(fresh_case, rows + _background())
    sig = NearDuplicate(window=86_400, null="none", min_activity=1, min_shared=1, max_fanout=10).fit(fresh_case.con)
    assert 0 < sig.edges_.num_rows <= n * 10
    # two clusters: the text with its variant, and the background texts (which differ by one digit)
    assert sig.stats_["clusters"] == 2 and sig.stats_["texts_distinct"] == 2 + 6


def test_template_posted_as_20000_variants_does_not_explode() -> None:
    # one template, 20,000 one-character variants: 2 * 10**8 similar pairs, but a bounded candidate set
    texts = [f"the glorious harvest of the province is a great success number {k:05d}" for k in range(20_000)]
    labels, stats = near_duplicate_clusters(texts)
    assert stats["candidate_pairs"] <= (DEFAULT_NEIGHBOURS + 1) * 20_000 * 20
    assert np.unique(labels).size == 1  # chained into one cluster all the same


def test_near_duplicate_recall_against_exact_jaccard() -> None:
    rng = random.Random(11)
    vocab = [f"w{k}" for k in range(400)] + ["香港", "运动", "发展", "台湾", "经济"]
    base = [" ".join(rng.choice(vocab) for _ in range(15)) for _ in range(600)]
    texts = list(base)
    for t in base[:300]:  # one word changed: a near-duplicate (or not) by exact Jaccard
        w = t.split()
        w[rng.randrange(len(w))] = rng.choice(vocab)
        texts.append(" ".join(w))
    labels, _ = near_duplicate_clusters(texts, threshold=0.8)
    n = len(texts)
    i, j = np.triu_indices(n, k=1)
    exact = exact_jaccard(texts, i.astype(np.int64), j.astype(np.int64))
    similar = exact >= 0.8
    assert similar.sum() >= 100
    recall = (labels[i[similar]] == labels[j[similar]]).mean()
    assert recall >= 0.95
    # every pair placed in one cluster is a chain of near-duplicates, not random text
    together = (labels[i] == labels[j]) & ~similar
    assert together.sum() <= similar.sum() * 0.1


def test_char_ngrams_and_jaccard() -> None:
    assert char_ngrams("abcd", 3) == {"abc", "bcd"}
    assert char_ngrams("ab", 3) == {"ab"}
    assert jaccard({"a"}, {"a"}) == 1.0 and jaccard(set(), set()) == 0.0


def test_chinese_near_duplicates_traditional_and_simplified(fresh_case: Case) -> None:
    trad = "香港警察依法維護社會秩序，支持特區政府止暴制亂，恢復香港繁榮穩定"
    simp = "香港警察依法维护社会秩序，支持特区政府止暴制乱，恢复香港繁荣稳定！"
    rows = []
    for d in range(4):
        rows.append((f"a{d}", "A", T0 + d * DAY, f"{trad}{d}", "post"))
        rows.append((f"b{d}", "B", T0 + d * DAY + 10, f"{simp}{d}", "post"))
    load_rows(fresh_case, rows + _background())
    sig = NearDuplicate(null="none", min_activity=1, min_shared=1).fit(fresh_case.con)
    assert _pairs(sig.edges_) == {("A", "B")}


def test_fit_leaves_no_temp_tables(fresh_case: Case) -> None:
    load_rows(fresh_case, planted_rows(n_org=10))
    NearDuplicate().fit(fresh_case.con)
    IdenticalText().fit(fresh_case.con)
    temp = fresh_case.con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()
    assert temp == []



def test_normalisation_is_reused_until_the_posts_change(fresh_case: Case) -> None:
    load_rows(fresh_case, planted_rows(n_org=10))
    IdenticalText().fit(fresh_case.con)
    again = NearDuplicate().fit(fresh_case.con)
    assert again.stats_["normalisation_cached"] is True
    load_rows(fresh_case, [("new1", "newacc", T0, "a brand new text that nobody posted before", "post")])
    after = IdenticalText().fit(fresh_case.con)
    assert after.stats_["normalisation_cached"] is False
    assert after.stats_["raw_texts_distinct"] == again.stats_["raw_texts_distinct"] + 1


def test_word_shingles_ignore_word_order_char_shingles_do_not() -> None:
    a = "香港警察依法维护社会秩序支持政府"
    b = a[::-1]  # the same characters (word tokens), none of the same 3-grams
    labels_words, _ = near_duplicate_clusters([a, b], threshold=0.8, shingles="words")
    labels_chars, _ = near_duplicate_clusters([a, b], threshold=0.8, shingles="chars")
    assert labels_words[0] == labels_words[1]
    assert labels_chars[0] != labels_chars[1]
    with pytest.raises(ValueError):
        near_duplicate_clusters([a, b], shingles="bogus")


def test_word_shingles_split_chinese_into_characters() -> None:
    h, starts = word_hashes(["香港加油", "油加港香", "completely different words here"])
    sets = [set(h[s:e].tolist()) for s, e in zip(starts, [*starts[1:], h.size], strict=True)]
    assert sets[0] == sets[1] and len(sets[0]) == 4 and not sets[0] & sets[2]


@pytest.mark.parametrize("shingles", ["chars", "words"])
def test_clusters_do_not_depend_on_input_order(shingles: str) -> None:
    rng = random.Random(5)
    vocab = [f"w{k}" for k in range(60)]
    texts = [" ".join(rng.choice(vocab) for _ in range(8)) for _ in range(400)]
    texts += [t + " w1" for t in texts[:100]]
    labels, _ = near_duplicate_clusters(texts, shingles=shingles)
    perm = list(range(len(texts)))
    rng.shuffle(perm)
    relabels, _ = near_duplicate_clusters([texts[p] for p in perm], shingles=shingles)
    same = {(a, b) for a in range(0, 500, 7) for b in range(0, 500, 11) if labels[a] == labels[b]}
    inv = {p: k for k, p in enumerate(perm)}
    assert same == {(a, b) for a in range(0, 500, 7) for b in range(0, 500, 11) if relabels[inv[a]] == relabels[inv[b]]}
    # the cluster ids themselves (the signal's object ids, which seed the null model) are the same too
    assert [int(relabels[inv[a]]) for a in range(len(texts))] == labels.tolist()


def test_near_duplicate_shift_null_recomputes_episodes(fresh_case: Case) -> None:
    load_rows(fresh_case, planted_rows(variants=True))
    sig = NearDuplicate(null="shift").fit(fresh_case.con)
    assert _pairs(sig.edges_) == _io_pairs(6)
    assert sig.stats_["method"] == "null:shift,fdr<=0.05,episodes"
    assert sig.stats_["edges_raw"] >= sig.stats_["edges_kept"] and sig.threshold_ > 0


@pytest.mark.parametrize("signal", [IdenticalText, NearDuplicate])
def test_text_signals_on_a_case_with_only_short_texts(fresh_case: Case, signal: type) -> None:
    # every text is below the minimum length: no text object, no edge, no crash
    rows = [(f"p{a}", f"acc{a}", T0 + a, "ok", "post") for a in range(10)]
    load_rows(fresh_case, rows)
    sig = signal().fit(fresh_case.con)
    assert sig.edges_.num_rows == 0
