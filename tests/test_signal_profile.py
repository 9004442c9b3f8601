"""profile_traits on planted account batches (known answers) and its safety limits."""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta

import pyarrow as pa
import pytest

from infoops.detect.base import EDGE_SCHEMA
from infoops.detect.signals.profile_traits import ProfileTraits, account_attributes, trait_families
from infoops.registry import signals
from infoops.store import Case

FIRST = ["maria", "john", "li", "wei", "ahmed", "anna", "lucas", "emma", "noah", "mia"]
BIOS = ["", "I love cats", "Coffee addict. Views my own.", "Dad, runner, engineer"]


def _accounts(rows: list[tuple[str, str, str, str, datetime, bool]]) -> pa.Table:
    cols = ["account_id", "handle", "display_name", "description", "created_at", "hashed"]
    data = {c: [r[i] for r in rows] for i, c in enumerate(cols)}
    data["created_at"] = pa.array(data["created_at"], pa.timestamp("us"))
    return pa.table(data)


def _load(case: Case, tbl: pa.Table) -> None:
    case.con.register("_acc", tbl)
    case.con.execute(
        "INSERT INTO accounts (account_id, handle, display_name, description, created_at, hashed) "
        "SELECT account_id, handle, display_name, description, created_at, hashed FROM _acc"
    )
    case.con.unregister("_acc")


def planted(n_org: int = 1500, n_io: int = 25, seed: int = 3, day_only: bool = False) -> pa.Table:
    """Organic accounts spread over 8 years; one batch made within an hour with a bio template."""
    rng = random.Random(seed)
    rows = []
    for i in range(n_org):
        c = datetime(2012, 1, 1) + timedelta(seconds=rng.randint(0, 8 * 365 * 86400))
        nm = rng.choice(FIRST)
        default = rng.random() < 0.3
        handle = f"{nm.capitalize()}Smi{rng.randint(10**7, 10**8 - 1)}" if default else f"{nm}{rng.randint(1, 99)}"
        rows.append((f"org{i}", handle, nm.capitalize(), rng.choice(BIOS), c, False))
    for i in range(n_io):
        c = datetime(2020, 1, 20, 9) + timedelta(minutes=rng.randint(0, 50))
        bio = f"热爱祖国 热爱和平 {rng.randint(1, 999)} 年 forever"
        rows.append((f"io{i}", f"Xiao{rng.randint(10**7, 10**8 - 1)}", f"小明{i}", bio, c, False))
    if day_only:
        rows = [(a, b, c, d, datetime(e.year, e.month, e.day), f) for a, b, c, d, e, f in rows]
    return _accounts(rows)


def _split(edges: pa.Table) -> tuple[int, int]:
    src, dst = edges.column("src").to_pylist(), edges.column("dst").to_pylist()
    io = sum(a.startswith("io") and b.startswith("io") for a, b in zip(src, dst, strict=True))
    return io, len(src) - io


def test_registered() -> None:
    assert signals.get("profile_traits") is ProfileTraits


@pytest.mark.parametrize("day_only", [False, True])
def test_planted_batch_found_with_few_false_pairs(fresh_case: Case, day_only: bool) -> None:
    _load(fresh_case, planted(day_only=day_only))
    sig = ProfileTraits().fit(fresh_case.con)
    assert sig.edges_.schema.equals(EDGE_SCHEMA)
    io, other = _split(sig.edges_)
    assert io == 25 * 24 // 2
    assert other <= 0.1 * io  # the null model's false-discovery bound is 5 %
    assert sig.stats_["creation_precision"] == ("day" if day_only else "hour")
    assert sig.threshold_ > 0 and sig.stats_["edges_raw"] > sig.stats_["edges_kept"]
    for src, ev in zip(sig.edges_.column("src").to_pylist(), sig.edges_.column("evidence").to_pylist(), strict=True):
        if src.startswith("io"):
            assert any(e.startswith("bio:") for e in ev) and any(e.startswith("created:") for e in ev)


def test_row_order_does_not_matter() -> None:
    """The permutation null draws one random number per row: the accounts table's storage
    order (an ingest's, which parallel loading may vary) must not change the threshold or edges."""
    tbl = planted(n_org=800, n_io=15, seed=5)
    results = []
    for order in (None, *(random.Random(s).sample(range(tbl.num_rows), tbl.num_rows) for s in (1, 2))):
        case = Case.memory()
        _load(case, tbl if order is None else tbl.take(pa.array(order)))
        sig = ProfileTraits().fit(case.con)
        edges = sorted(zip(sig.edges_.column("src").to_pylist(), sig.edges_.column("dst").to_pylist(), strict=True))
        results.append((sig.threshold_, sig.stats_["null_edges"], edges))
        case.close()
    assert results[1] == results[0] and results[2] == results[0]


def test_one_shared_trait_is_not_enough(fresh_case: Case) -> None:
    rows = [
        ("a", "alpha", "Alpha", "a very particular bio nobody else has", datetime(2015, 1, 1, 1), False),
        ("b", "beta", "Beta", "a very particular bio nobody else has", datetime(2019, 6, 1, 5), False),
    ]
    rows += [(f"o{i}", f"bg{i}", f"someone {chr(97 + i)}", "", datetime(2010, 1, 1) + timedelta(days=30 * i), False) for i in range(20)]
    _load(fresh_case, _accounts(rows))
    assert ProfileTraits(null="none").fit(fresh_case.con).edges_.num_rows == 0
    assert ProfileTraits(null="none", min_shared=1).fit(fresh_case.con).edges_.num_rows == 1


def test_huge_groups_do_not_explode(fresh_case: Case) -> None:
    n = 4000
    t = datetime(2020, 5, 5, 5)
    rows = [(f"a{i}", f"user{i}", "Same Name", "the same long boilerplate bio", t, False) for i in range(n)]
    _load(fresh_case, _accounts(rows))
    sig = ProfileTraits(null="none", max_fanout=5).fit(fresh_case.con)
    assert 0 < sig.edges_.num_rows <= n * 5


def test_hashed_accounts_have_no_handle_or_name_traits(fresh_case: Case) -> None:
    t = datetime(2020, 1, 1, 1)
    rows = [(f"h{i}", f"Xiao{12345678 + i}", "小明", "", t, True) for i in range(2)]
    rows += [(f"o{i}", f"bg{i}", f"someone {chr(97 + i)}", "", datetime(2015, 1, 1) + timedelta(days=i), False) for i in range(20)]
    _load(fresh_case, _accounts(rows))
    attrs, _ = account_attributes(fresh_case.con, "accounts")
    fam = trait_families(attrs, day_only=False, min_template_chars=12, min_handle_digits=4)
    hashed = [i for i, a in enumerate(attrs.column("account_id").to_pylist()) if a.startswith("h")]
    assert all(fam.column("handle")[i].as_py() is None and fam.column("name")[i].as_py() is None for i in hashed)
    # sharing only the creation hour is one trait: no edge
    assert ProfileTraits(null="none").fit(fresh_case.con).edges_.num_rows == 0


def test_bio_templates_ignore_digits_and_handle_shapes_count_digits() -> None:
    tbl = _accounts(
        [
            ("a", "maria12345678", "n", "Fan of team 12, since 1999!", datetime(2020, 1, 1), False),
            ("b", "Jo87654321", "n", "fan of team 7, since 2003!", datetime(2020, 1, 1), False),
            ("c", "plainname", "n", "", datetime(2020, 1, 1), False),
        ]
    )
    fam = trait_families(tbl, day_only=True, min_template_chars=12, min_handle_digits=4)
    bio = fam.column("bio").to_pylist()
    assert bio[0] == bio[1] is not None and bio[2] is None
    assert fam.column("handle").to_pylist() == ["a+D8", "a+D8", None]


def test_creation_burst_outweighs_an_ordinary_day(fresh_case: Case) -> None:
    _load(fresh_case, planted())
    sig = ProfileTraits(null="none", min_shared=1).fit(fresh_case.con)
    by_pair = {(a, b): ev for a, b, ev in zip(*(sig.edges_.column(c).to_pylist() for c in ("src", "dst", "evidence")), strict=True)}
    io_created = [ev for (a, b), ev in by_pair.items() if a.startswith("io") and b.startswith("io")]
    assert io_created and all(any(e.startswith("created:") for e in ev) for ev in io_created)
    # two organic accounts created in the same hour weigh less than the batch's burst:
    # ln(2 / (1 + 2/15)) at most, against ln(25 / (1 + 25/15)) for 25 accounts in one hour
    weights = dict(zip(zip(sig.edges_.column("src").to_pylist(), sig.edges_.column("dst").to_pylist(), strict=True),
                       sig.edges_.column("weight").to_pylist(), strict=True))
    organic = [weights[p] for p, ev in by_pair.items() if p[0].startswith("org") and all(e.startswith("created:") for e in ev)]
    assert organic and max(organic) < math.log(25 / (1 + 25 / 15))


def test_unknown_null_is_rejected(fresh_case: Case) -> None:
    with pytest.raises(ValueError):
        ProfileTraits(null="bogus").fit(fresh_case.con)
