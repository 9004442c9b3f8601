"""Which members of a network take part, on their own, in a distinctive coordinated behaviour.

A network's behaviour evidence (scoring.network_evidence) is measured over all its
members. Detection sometimes merges an operation with ordinary accounts around it
(friends of hijacked accounts, readers of the site it promotes); the operation's
members are then the ones that show the behaviour themselves: they are in a ring of
returned reposts, most of their links go to the network's site, most of their own
posts are templates, they post in office hours, or their timeline switched language.
"""

from __future__ import annotations

from typing import Any

from infoops.attribute.scoring import timeline_switch

# a member shows a behaviour when its own figure reaches these
MEMBER_TEMPLATED = 0.5
MEMBER_OFFICE = 0.7
MEMBER_DOMAIN_SHARE = 0.5
MEMBER_DOMAIN_MIN_LINKS = 2
# a member outside a mixed network's core joins it when it mostly boosts the core or is mostly boosted by it
SERVE_MIN_OUT = 3
SERVE_MIN_IN = 5
SERVE_SHARE = 0.5
# a member boosts a network (or its core) when it reposts it at least BOOST_MIN times and
# BOOST_LIFT times as often as the case's other accounts repost the network
BOOST_MIN = 3
BOOST_LIFT = 10.0

BEHAVIOUR_TEXT = {
    "reciprocal_amplification": "take part in returned reposts between members",
    "single_domain": "post mostly links to the network's site",
    "templated_text": "post mostly templated text",
    "office_hours": "post mostly in office hours",
    "timeline_switch": "switched language abruptly",
}


def ring_members(pairs: list[tuple[str, str, int]]) -> set[str]:
    """Members in at least one returned repost pair (a reposts b and b reposts a)."""
    have = {(a, b) for a, b, _ in pairs}
    return {a for a, b in have if (b, a) in have}


def members_showing(
    name: str,
    cols: dict[str, list[Any]],
    idx: list[int],
    nid: str,
    pairs: list[tuple[str, str, int]],
    dup: dict[str, float],
    office: dict[str, float],
    links: dict[tuple[str, str], tuple[int, int]],
) -> set[str]:
    """Ids of the members (rows `idx` of `cols`) of network `nid` that show behaviour `name`."""
    ids = [cols["account_id"][i] for i in idx]
    if name == "reciprocal_amplification":
        return ring_members(pairs) & set(ids)
    if name == "single_domain":
        out = set()
        for a in ids:
            n, top = links.get((nid, a), (0, 0))
            if n >= MEMBER_DOMAIN_MIN_LINKS and top >= MEMBER_DOMAIN_SHARE * n:
                out.add(a)
        return out
    if name == "templated_text":
        return {a for a in ids if dup.get(a, 0.0) >= MEMBER_TEMPLATED}
    if name == "office_hours":
        return {a for a in ids if office.get(a, 0.0) >= MEMBER_OFFICE}
    if name == "timeline_switch":
        return {cols["account_id"][i] for i in idx if timeline_switch(cols, i)}
    raise ValueError(f"unknown behaviour {name!r}")


def serving_members(pairs: list[tuple[str, str, int]], core: set[str], cols: dict[str, list[Any]],
                    row_of: dict[str, int], background_rate: float | None = None) -> set[str]:
    """Members outside `core` that mostly boost it (at least half of their 3+ reposts are
    of core accounts), or, given the rate at which the case's other accounts repost the
    network, that repost the core BOOST_MIN+ times and BOOST_LIFT times that often, or that it mostly boosts (at least half of the 5+ reposts they get
    come from core accounts); repeated until nothing changes, the added members counting
    as core. Acting inside the network is not enough: an organic community merged with
    an operation reposts itself too."""
    grown = set(core)
    added: set[str] = set()
    while True:
        to_core: dict[str, int] = {}
        from_core: dict[str, int] = {}
        for src, dst, n in pairs:
            if dst in grown and src not in grown:
                to_core[src] = to_core.get(src, 0) + n
            if src in grown and dst not in grown:
                from_core[dst] = from_core.get(dst, 0) + n
        new = set()
        for a, n in to_core.items():
            i = row_of[a]
            out = cols["n_repost"][i] + cols["n_quote"][i]
            if n >= SERVE_MIN_OUT and n >= SERVE_SHARE * out:
                new.add(a)
            elif background_rate is not None and n >= BOOST_MIN and n >= BOOST_LIFT * background_rate * out:
                new.add(a)
        for a, n in from_core.items():
            if n >= SERVE_MIN_IN and n >= SERVE_SHARE * cols["reposts_received"][row_of[a]]:
                new.add(a)
        if not new:
            return added
        grown |= new
        added |= new
