"""Attach amplifiers to the networks they amplify, and the voices networks amplify.

Pairwise signals miss light amplifiers: an account with five reposts shares
too little with any single other account to clear a threshold, yet if all five
reposts boost members of one detected network it is that network's amplifier
(Twitter's 2020 takedown: ~150,000 amplifiers around 23,750 core accounts).

Amplifications (reposts and quotes of other accounts) are counted as distinct
(amplifier, amplified) account pairs, so reposting one member ten times counts
once. For every account outside the networks with at least `min_amplify`
amplified accounts, and every network N: `k` = how many of N's members it
amplifies, `n` = how many accounts it amplifies, `p_N` = the share of all
(amplifier, amplified) pairs of non-members that go to N's members. Every
(account, network) pair with `k >= min_amplify` is a test with p-value
`P(X >= k | n, p_N)` (binomial tail); the Benjamini-Hochberg procedure at
`alpha` over all these tests picks the significant ones -- far more
amplification of one network than its popularity explains -- and an account
joins the network with its smallest p-value. The same test runs in the other
direction -- accounts whose received amplifications come from N's members far
beyond N's share of all amplifications (the core accounts a network of
amplifiers exists to push), provided N's members are also the majority of its
amplifiers (operations repost ordinary accounts to blend in: being over-represented
among an account's amplifiers does not make it the network's voice) -- and both
directions share one BH procedure. The
rounds repeat until no account joins (at most `rounds`): attached voices become
targets for amplifiers (amplifiers of newly attached core accounts) and attached
amplifiers sources for voices (`voice_sources=VOICES_FROM_COACTION`: co-action
members only), while a round's attached accounts leave the pool
of non-members whose amplifications set `p_N` -- a network with many amplifiers
inflates its own share of all amplifications, which hides the lighter
amplifiers until the heavier ones are counted as members. An amplifier of an
amplifier is no tie (ordinary people repost each other; chains would snowball
into their communities). Attached members get
centrality 0 (they sit outside the co-action graph).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from infoops.detect.sql import ident

DEFAULT_ATTACH_ALPHA = 0.01
DEFAULT_MIN_AMPLIFY = 2
DEFAULT_ROUNDS = 20
# a voice the network pushes: its members are more than this share of the accounts amplifying it
DEFAULT_VOICE_MAJORITY = 0.5


@dataclass
class AttachResult:
    memberships: pa.Table  # network_id, account_id, centrality
    stats: dict[str, Any] = field(default_factory=dict)


# direction -> (column of the tested account, column of the member it is tied to, the kinds of
# member that count as ties by default: an amplifier ties to the co-action members and the
# voices they push, a voice to the co-action members and the amplifiers -- never an amplifier
# to an amplifier, so no chain of amplifiers of amplifiers forms)
DIRECTIONS = {
    # account -> the members it amplifies (an amplifier of the network)
    "amplifies": ("account_id", "ref_account_id", ("core", "voice")),
    # account <- the members amplifying it (a voice the network pushes: its core)
    "amplified_by": ("ref_account_id", "account_id", ("core", "amplifier")),
}
# voice_sources=VOICES_FROM_COACTION: voices tied to co-action members only (fewer authentic
# accounts, lower recall of stealthy operations; see docs/detect.md)
VOICES_FROM_COACTION = ("core",)


def _candidates(
    con: duckdb.DuckDBPyConnection,
    posts: str,
    who: str,
    whom: str,
    kinds: tuple[str, ...],
    min_amplify: int,
) -> dict[str, Any]:
    """(account, network, k, n, p) rows for one direction (see module doc)."""
    return con.execute(
        f"""WITH amp AS (
              SELECT DISTINCT p.{who} AS who, p.{whom} AS whom FROM {ident(posts)} p
              WHERE p.kind IN ('repost', 'quote') AND p.ref_account_id IS NOT NULL
                AND p.ref_account_id <> p.account_id
                AND p.{who} NOT IN (SELECT account_id FROM _io_att_mem)),
            tgt AS (SELECT network_id, account_id FROM _io_att_mem WHERE list_contains(?, how)),
            n AS (SELECT who, count(*) AS n FROM amp GROUP BY who HAVING count(*) >= ?),
            k AS (SELECT a.who, m.network_id, count(*) AS k
                  FROM amp a JOIN tgt m ON m.account_id = a.whom GROUP BY a.who, m.network_id),
            p AS (SELECT m.network_id, count(*) / (SELECT count(*) FROM amp) AS p
                  FROM amp a JOIN tgt m ON m.account_id = a.whom GROUP BY m.network_id)
            SELECT k.who AS account_id, k.network_id, k.k, n.n, p.p
            FROM k JOIN n USING (who) JOIN p USING (network_id)
            WHERE k.k >= ?""",
        [list(kinds), min_amplify, min_amplify],
    ).fetchnumpy()


def _one_round(
    con: duckdb.DuckDBPyConnection,
    members: pa.Table,
    posts: str,
    alpha: float,
    min_amplify: int,
    voice_majority: float = DEFAULT_VOICE_MAJORITY,
    voice_sources: tuple[str, ...] | None = None,
) -> tuple[dict[str, tuple[str, str]], int]:
    """account -> (network, 'amplifier' | 'voice') for the significant tests of one round."""
    con.register("_io_att_mem", members.select(["network_id", "account_id", "how"]))
    try:
        parts = [
            _candidates(
                con,
                posts,
                who,
                whom,
                voice_sources if (name == "amplified_by" and voice_sources) else kinds,
                min_amplify,
            )
            for name, (who, whom, kinds) in DIRECTIONS.items()
        ]
    finally:
        con.unregister("_io_att_mem")
    # voices: the network must be the main source of the account's amplifiers, not just
    # over-represented (operations repost ordinary accounts to blend in)
    voice = parts[1]
    k_v = np.asarray(voice["k"], dtype=np.float64)
    n_v = np.asarray(voice["n"], dtype=np.float64)
    keep = k_v > voice_majority * n_v
    parts[1] = {key: np.asarray(v)[keep] for key, v in voice.items()}
    how = np.concatenate(
        [
            np.full(len(r["k"]), h, dtype=object)
            for r, h in zip(parts, ("amplifier", "voice"), strict=True)
        ]
    )
    acc = np.concatenate([np.asarray(r["account_id"], dtype=object) for r in parts])
    net = np.concatenate([np.asarray(r["network_id"], dtype=object) for r in parts])
    k = np.concatenate([np.asarray(r["k"], dtype=np.int64) for r in parts])
    n = np.concatenate([np.asarray(r["n"], dtype=np.int64) for r in parts])
    p = np.clip(np.concatenate([np.asarray(r["p"], dtype=np.float64) for r in parts]), 1e-12, 1.0)
    if acc.size == 0:
        return {}, 0
    from scipy.stats import binom  # imported here: scipy.stats costs ~0.5 s of every CLI start

    pval = binom.sf(k - 1, n, p)
    cutoff = bh_cutoff(pval, alpha)
    chosen: dict[str, tuple[str, str]] = {}
    for i in np.lexsort((net.astype(str), pval)):
        if pval[i] > cutoff:
            break
        chosen.setdefault(str(acc[i]), (str(net[i]), str(how[i])))
    return chosen, int(pval.size)


def attach_amplifiers(
    con: duckdb.DuckDBPyConnection,
    memberships: pa.Table,
    posts: str = "posts",
    alpha: float = DEFAULT_ATTACH_ALPHA,
    min_amplify: int = DEFAULT_MIN_AMPLIFY,
    rounds: int = DEFAULT_ROUNDS,
    voice_sources: tuple[str, ...] | None = None,
) -> AttachResult:
    """Memberships of the accounts attached to the networks (see module doc)."""
    chosen: dict[str, tuple[str, str]] = {}
    tests = done = 0
    members = memberships.select(["network_id", "account_id"])
    members = members.append_column("how", pa.array(["core"] * members.num_rows, pa.string()))
    for _ in range(rounds if memberships.num_rows else 0):
        new, n_tests = _one_round(
            con, members, posts, alpha, min_amplify, voice_sources=voice_sources
        )
        tests += n_tests
        done += 1
        new = {a: v for a, v in new.items() if a not in chosen}
        if not new:
            break
        chosen.update(new)
        added = pa.table(
            {
                "network_id": [v[0] for v in new.values()],
                "account_id": list(new),
                "how": [v[1] for v in new.values()],
            }
        )
        members = pa.concat_tables([members, added.cast(members.schema)])
    accounts = sorted(chosen)
    table = pa.table(
        {
            "network_id": pa.array([chosen[a][0] for a in accounts], pa.string()),
            "account_id": pa.array(accounts, pa.string()),
            "centrality": pa.array([0.0] * len(accounts), pa.float64()),
        }
    )
    kinds = [v[1] for v in chosen.values()]
    return AttachResult(
        table,
        {
            "attach_tests": tests,
            "attach_alpha": alpha,
            "attach_voice_majority": DEFAULT_VOICE_MAJORITY,
            "attach_max_rounds": rounds,
            "attach_voice_sources": list(voice_sources or DIRECTIONS["amplified_by"][2]),
            "attach_rounds": done,
            "accounts_attached": len(accounts),
            "amplifiers_attached": kinds.count("amplifier"),
            "voices_attached": kinds.count("voice"),
        },
    )


def bh_cutoff(pval: np.ndarray, alpha: float) -> float:
    """Benjamini-Hochberg: the largest p-value p_(i) with p_(i) <= alpha * i / m (-1 if none)."""
    m = pval.size
    if m == 0:
        return -1.0
    srt = np.sort(pval)
    ok = np.flatnonzero(srt <= alpha * np.arange(1, m + 1) / m)
    return float(srt[ok[-1]]) if ok.size else -1.0


def merge_attached(
    networks: pa.Table, memberships: pa.Table, attached: pa.Table
) -> tuple[pa.Table, pa.Table]:
    """Networks with sizes counting the attached amplifiers, and all memberships."""
    if attached.num_rows == 0:
        return networks, memberships
    extra: dict[str, int] = {}
    for nid in attached.column("network_id").to_pylist():
        extra[nid] = extra.get(nid, 0) + 1
    sizes = [
        s + extra.get(nid, 0)
        for nid, s in zip(
            networks.column("network_id").to_pylist(),
            networks.column("size").to_pylist(),
            strict=True,
        )
    ]
    idx = networks.schema.get_field_index("size")
    networks = networks.set_column(idx, "size", pa.array(sizes, pa.int64()))
    return networks, pa.concat_tables([memberships, attached.cast(memberships.schema)])
