"""attribute_case: features, network verdicts, member roles and scores, prior links.

Called by `infoops detect` after it has written the networks and memberships of
`run_id`. Updates `networks` (score, label, reasons) and `memberships` (role,
score, reasons) of that run, and writes `account_features` and `prior_links`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from infoops.attribute import features as F
from infoops.attribute.attach import attach_satellites
from infoops.attribute.attach import insert_attached as _insert_attached
from infoops.attribute.behaviour import (
    BEHAVIOUR_TEXT,
    BOOST_LIFT,
    BOOST_MIN,
    SERVE_SHARE,
    members_showing,
    serving_members,
)
from infoops.attribute.flagged import MIN_MEMBER_SCORE
from infoops.attribute.prior import PriorNetwork, link_networks, load_priors, merge_id_lists
from infoops.attribute.roles import FLOW_MIN_RECEIVED, assign_role
from infoops.attribute.scoring import (
    MAX_REASONS,
    Evidence,
    NetworkVerdict,
    account_evidence,
    behaviour_led,
    combine,
    dimension_scores,
    label_for,
    network_evidence,
    pct,
    reasons_for,
)
from infoops.attribute.supervised import AccountModel
from infoops.store import Case

# weight of a prior link in the network score (added only when a link is found)
PRIOR_WEIGHT = 2.0
# links weaker than this (e.g. handle shapes alone, at most 0.3) are reported but not evidence
PRIOR_MIN_STRENGTH = 0.35
# weight of the supervised model's evidence in the network score (when a model is given)
MODEL_WEIGHT = 3.0
# mixed networks: members whose own evidence reaches MIXED_ACCOUNT_SCORE are scored as a sub-network
MIXED_MIN_SIZE = 10
MIXED_MIN_CORE = 5
MIXED_MIN_SHARE = 0.05
MIXED_ACCOUNT_SCORE = 0.35
# ... and show one behaviour that fans and activists do not (reposting only and getting
# little engagement are what fans do too)
MIXED_MIN_BEHAVIOUR = 0.5
DISTINCTIVE_BEHAVIOUR = ("office_hours", "templated_text", "reciprocal_amplification", "single_domain",
                         "timeline_switch")
# members of an inauthentic network with less account evidence than this, that do not mostly
# boost it and post on its agenda less than EDGE_ALIGNMENT x its median member are peripheral
# (half score: out of the takedown set)
PERIPHERAL_MAX_EVIDENCE = 0.35
EDGE_ALIGNMENT = 0.5
# ... a member boosts the network when most of its reposts are of members, or when it reposts
# members at least BOOST_MIN times and BOOST_LIFT times as often as the case's other accounts do
# (behaviour.BOOST_MIN, BOOST_LIFT)
# members outside a mixed network's core and peripheral members score at most this,
# below the takedown threshold (flagged.MIN_MEMBER_SCORE)
EXCLUDED_CAP = 0.25
# member score = network score x (MEMBER_BASE + (1 - MEMBER_BASE) x account evidence)
MEMBER_BASE = 0.6
FEATURE_KEYS = (
    "followers", "following", "created_at", "handle_trailing_digits", "handle_shape", "empty_bio",
    "n_posts", "n_original", "n_repost", "n_reply", "n_quote", "engagement_per_post", "reposts_received",
    "n_clients", "top_client", "first_post", "last_post", "max_gap_days", "early_lang", "late_lang",
    "early_client", "late_client", "early_lang_purity", "early_lang_late", "late_lang_purity",
)


def attribute_case(case: Case, run_id: str, priors: list[Path], model: Path | AccountModel | None = None) -> dict[str, int]:
    """Score the networks of `run_id` and their members; link them to `priors`.

    With `model` (a path from `infoops train`, or a loaded AccountModel) the model's
    probability that each member is an operation account is one more evidence item.
    """
    con = case.con
    n_members = F.load_members(con, run_id)
    if isinstance(model, Path | str):
        model = AccountModel.load(Path(model))
    prior_nets = merge_id_lists(load_priors(priors)) if priors else []
    counts = {"networks_scored": 0, "inauthentic_networks": 0, "members_scored": 0, "prior_links": 0,
              "continuing_accounts": 0}
    if n_members == 0:
        counts["continuing_accounts"] = _write_continuing(con, run_id, prior_nets, {})
        return counts

    links: dict[str, dict[str, dict[str, Any]]] = {}
    for pr in prior_nets:
        for nid, link in link_networks(con, pr).items():
            links.setdefault(nid, {})[pr.name] = link
    prior_ids = {a: pr.name for pr in prior_nets for a in pr.account_ids}
    proba = model.predict(con) if model is not None else {}

    first = _score_pass(con, links, prior_ids, proba)
    inauth = [n for n, v in first.verdicts.items() if v.label == "inauthentic"]
    # what the first pass would take down in each inauthentic network: boosting those accounts
    # (not ordinary members a mixed network also holds) is what attaches an account to it
    targets: dict[str, set[str]] = {n: set() for n in inauth}
    for nid, aid, sc in zip(first.mrows["network_id"], first.mrows["account_id"], first.mrows["score"], strict=True):
        if nid in targets and sc >= MIN_MEMBER_SCORE:
            targets[nid].add(aid)
    attached = attach_satellites(con, inauth, {n: first.verdicts[n].batch_days for n in inauth}, targets)
    res = _score_pass(con, links, prior_ids, proba, attached) if attached else first
    cols, row_of, verdicts, mrows = res.cols, res.row_of, res.verdicts, res.mrows

    with _atomic(con):
        _insert_attached(con, run_id, attached)
        _write_networks(con, run_id, verdicts)
        _write_memberships(con, run_id, mrows)
        _write_features(con, run_id, cols, prior_ids)
        counts["prior_links"] = _write_links(con, run_id, links)
        counts["continuing_accounts"] = _write_continuing(con, run_id, prior_nets, row_of)
    counts["networks_scored"] = len(verdicts)
    counts["inauthentic_networks"] = sum(1 for v in verdicts.values() if v.label == "inauthentic")
    counts["members_scored"] = len(mrows["account_id"])
    counts["attached_accounts"] = len(attached)
    counts["mixed_networks"] = sum(1 for v in verdicts.values() if v.core is not None)
    return counts


@dataclass
class _Behaviour:
    """What `members_showing` needs: in-network repost pairs per network, templated share,
    office-hours share and (network, member) -> (link posts, to the network's top domain)."""
    pairs: dict[str, list[tuple[str, str, int]]]
    dup: dict[str, float]
    office: dict[str, float]
    links: dict[tuple[str, str], tuple[int, int]]
    tops: dict[str, str]
    # per network: share of the other accounts' reposts that are of its members
    rate: dict[str, float]

    def showing(self, name: str, cols: dict[str, list[Any]], idx: list[int], nid: str) -> set[str]:
        return members_showing(name, cols, idx, nid, self.pairs.get(nid, []), self.dup, self.office, self.links)


@dataclass
class _Pass:
    cols: dict[str, list[Any]]
    row_of: dict[str, int]
    verdicts: dict[str, NetworkVerdict]
    mrows: dict[str, list[Any]]


def _score_pass(con: duckdb.DuckDBPyConnection, links: dict[str, dict[str, dict[str, Any]]],
                prior_ids: dict[str, str], proba: dict[str, float],
                attached: dict[str, tuple[str, str]] | None = None) -> _Pass:
    """Features, verdicts and member scores for the members now in the temp members table."""
    attached = attached or {}
    cols: dict[str, list[Any]] = F.account_table(con).to_pydict()
    row_of = {a: i for i, a in enumerate(cols["account_id"])}
    by_net: dict[str, list[int]] = {}
    for nid, aid in con.execute(f"SELECT network_id, account_id FROM {F.MEMBERS} ORDER BY network_id, account_id").fetchall():
        by_net.setdefault(str(nid), []).append(row_of[str(aid)])
    hists = F.network_hour_of_week(con)
    bg = F.background_profile(con)
    bg_hist = F.background_hour_of_week(con)
    bg_days = F.creation_day_counts(con)
    dup = F.duplicate_text_share(con)
    ctx = (bg, bg_hist, bg_days, dup)
    pairs = F.in_network_repost_pairs(con)
    domains = F.network_top_domain(con)

    verdicts: dict[str, NetworkVerdict] = {}
    for nid, idx in by_net.items():
        verdicts[nid] = _verdict(nid, cols, idx, hists.get(nid, np.zeros(168)), ctx, links.get(nid, {}), proba,
                                 pairs.get(nid, []), domains.get(nid))
    office = F.account_office_share(con, {n: v.offset for n, v in verdicts.items()})
    member_links = F.member_domain_links(con, {n: d[1] for n, d in domains.items()})
    bg_rate = F.background_repost_rate(con)
    beh = _Behaviour(pairs, dup, office, member_links, {n: d[1] for n, d in domains.items()}, bg_rate)
    align = F.network_alignment(con)
    med_align = {nid: float(np.median([align.get((nid, cols["account_id"][i]), 0.0) for i in idx]))
                 for nid, idx in by_net.items()}
    rep = F.in_network_reposts(con).to_pydict()
    rep_of = {(n, a): (m, r) for n, a, m, r in zip(rep["network_id"], rep["account_id"], rep["reposts_made_in"],
                                                   rep["reposts_received_in"], strict=True)}
    a_ev: dict[tuple[str, str], tuple[float, list[str]]] = {}
    for nid, idx in by_net.items():
        v = verdicts[nid]
        for i in idx:
            aid = cols["account_id"][i]
            made = rep_of.get((nid, aid), (0, 0))[0]
            a_score, a_reasons = account_evidence(cols, i, v.batch_days, office.get(aid, 0.0), dup.get(aid, 0.0),
                                                  aid in prior_ids, int(made))
            if aid in proba:
                a_score = 0.5 * a_score + 0.5 * proba[aid]
                a_reasons.append(f"model probability {proba[aid]:.2f}")
            a_ev[(nid, aid)] = (a_score, a_reasons)
        if v.label != "inauthentic":
            _check_mixed(con, v, cols, row_of, beh, idx, a_ev, ctx, links.get(nid, {}), proba)
        elif v.led_by:
            _restrict_to_behaviour(v, cols, row_of, beh, idx)

    mrows: dict[str, list[Any]] = {k: [] for k in ("network_id", "account_id", "role", "score", "reasons")}
    for nid, idx in by_net.items():
        v = verdicts[nid]
        flow = any(rep_of.get((nid, cols["account_id"][i]), (0, 0))[1] >= FLOW_MIN_RECEIVED for i in idx)
        for i in idx:
            aid = cols["account_id"][i]
            made, got = rep_of.get((nid, aid), (0, 0))
            role, role_reasons = assign_role(cols, i, int(made), int(got), flow)
            a_score, a_reasons = a_ev[(nid, aid)]
            score = v.score * (MEMBER_BASE + (1 - MEMBER_BASE) * a_score)
            extra: list[str] = []
            if v.core is not None and aid not in v.core:
                score = min(0.5 * (v.whole_score or 0.0) * (MEMBER_BASE + (1 - MEMBER_BASE) * a_score), EXCLUDED_CAP)
                extra = ["outside the network's operation-like core"]
            elif v.label == "inauthentic" and _peripheral(
                    cols, i, made, a_score, align.get((nid, aid), 0.0), med_align[nid], bg_rate.get(nid, 0.0)):
                score = min(0.5 * score, EXCLUDED_CAP)
                extra = [f"peripheral: no operation traits, does not boost the network, and only "
                         f"{pct(align.get((nid, aid), 0.0))} of its posts are on the network's agenda "
                         f"(median member {pct(med_align[nid])})"]
            if aid in attached:
                extra.append(attached[aid][1])
            mrows["network_id"].append(nid)
            mrows["account_id"].append(aid)
            mrows["role"].append(role)
            mrows["score"].append(score)
            mrows["reasons"].append(role_reasons + extra + a_reasons[:4])
    return _Pass(cols, row_of, verdicts, mrows)


def _peripheral(cols: dict[str, list[Any]], i: int, made: int, a_score: float, alignment: float,
                median_alignment: float, background_rate: float) -> bool:
    """A member with no operation-like traits that does not boost the network (most of its
    reposts are of members, or it reposts members far more often than the rest of the case
    does) and posts on the network's agenda (its characteristic hashtags
    and sites, replies to and reposts of members) far less than its typical member: an
    ordinary account detection swept in at the edge. Being reposted by members is no tie:
    operations repost ordinary accounts to blend in."""
    if a_score >= PERIPHERAL_MAX_EVIDENCE:
        return False
    out_total = int(cols["n_repost"][i]) + int(cols["n_quote"][i])
    boosts = (made >= 2 and made >= SERVE_SHARE * out_total) or (
        made >= BOOST_MIN and made >= BOOST_LIFT * background_rate * out_total)
    return not boosts and alignment < EDGE_ALIGNMENT * median_alignment


def _verdict(nid: str, cols: dict[str, list[Any]], idx: list[int], hist: np.ndarray,
             ctx: tuple[dict[str, Any], np.ndarray, dict[Any, int], dict[str, float]],
             links: dict[str, dict[str, Any]], proba: dict[str, float],
             pairs: list[tuple[str, str, int]] | None = None,
             domain: tuple[float, str, int] | None = None) -> NetworkVerdict:
    bg, bg_hist, bg_days, dup = ctx
    ev, offset, bdays = network_evidence(cols, idx, hist, bg, bg_hist, bg_days, dup, pairs, domain)
    ev.extend(_prior_evidence(links))
    if proba:
        ev.append(_model_evidence([proba.get(cols["account_id"][i], 0.0) for i in idx]))
    score = combine(ev)
    led, led_reasons, led_name = behaviour_led(ev, DISTINCTIVE_BEHAVIOUR)
    if led > score and label_for(led) == "inauthentic":
        score = led
        label = "inauthentic"
        reasons = ["coordinated behaviour whose output reaches almost nobody, from ordinary-looking "
                   "profiles"] + led_reasons + [r for r in reasons_for(ev, label) if r not in led_reasons]
        return NetworkVerdict(nid, score, label, reasons[:MAX_REASONS + 1], ev, offset, bdays, led_by=led_name)
    label = label_for(score)
    reasons = reasons_for(ev, label)
    if label == "inauthentic" and not distinctive(ev):
        # operation-like profiles without a behaviour authentic crowds lack (fans and
        # movements also create accounts together): not enough for a verdict
        label = "uncertain"
        reasons = ["operation-like profiles but no distinctive coordinated behaviour, prior link or model "
                   "evidence"] + reasons
    return NetworkVerdict(nid, score, label, reasons, ev, offset, bdays)


def distinctive(ev: list[Evidence]) -> bool:
    """Some evidence beyond profiles: a behaviour fans and activists do not show (office
    hours, templates, reciprocal rings, one site's links, abrupt language switches), a
    prior link or a supervised model."""
    dims = dimension_scores(ev)
    strong = max((e.value for e in ev if e.name in DISTINCTIVE_BEHAVIOUR and e.weight > 0), default=0.0)
    return strong >= MIXED_MIN_BEHAVIOUR or dims.get("history", 0.0) >= 0.5 or dims.get("model", 0.0) >= 0.5


def _check_mixed(con: duckdb.DuckDBPyConnection, v: NetworkVerdict, cols: dict[str, list[Any]], row_of: dict[str, int],
                 beh: _Behaviour, idx: list[int],
                 a_ev: dict[tuple[str, str], tuple[float, list[str]]],
                 ctx: tuple[dict[str, Any], np.ndarray, dict[Any, int], dict[str, float]],
                 links: dict[str, dict[str, Any]], proba: dict[str, float]) -> None:
    """A network that is not an operation as a whole may hold one (detection merged an
    operation with the accounts around it). Candidate cores: the members that look like
    operation accounts on their own (profile), then, for each distinctive behaviour the
    network shows (item value >= MIXED_MIN_BEHAVIOUR), the members that show it themselves.
    The largest candidate that forms an operation makes the network inauthentic, and only
    that core (with the members that mostly boost it or are boosted by it) is scored high."""
    if len(idx) < MIXED_MIN_SIZE:
        return
    pairs = beh.pairs.get(v.network_id, [])
    value = {e.name: e.value for e in v.evidence if e.weight > 0}
    candidates: list[tuple[set[str], str]] = [
        ({cols["account_id"][i] for i in idx if a_ev[(v.network_id, cols["account_id"][i])][0] >= MIXED_ACCOUNT_SCORE},
         "profile")]
    for name in DISTINCTIVE_BEHAVIOUR:
        if value.get(name, 0.0) >= MIXED_MIN_BEHAVIOUR:
            candidates.append((beh.showing(name, cols, idx, v.network_id), name))
    best: tuple[set[str], str, NetworkVerdict] | None = None
    for ids, how in candidates:
        if len(ids) < MIXED_MIN_CORE or len(ids) < MIXED_MIN_SHARE * len(idx) or len(ids) == len(idx):
            continue
        if best is not None and len(ids) <= len(best[0]):
            continue
        core = [row_of[a] for a in sorted(ids)]
        sub_pairs = [(a, b, n) for a, b, n in pairs if a in ids and b in ids]
        sub = _verdict(v.network_id, cols, core, F.accounts_hour_of_week(con, sorted(ids)), ctx, links, proba,
                       sub_pairs, _core_domain(beh, v.network_id, ids))
        # a core chosen by its profile has biased profile evidence: it must also behave like an
        # operation in a distinctive way (or be linked to a prior one, or be flagged by a model)
        if sub.label == "inauthentic" and (how != "profile" or distinctive(sub.evidence)):
            best = (ids, how, sub)
    if best is None:
        return
    ids, how, sub = best
    v.core = set(ids)
    served = serving_members(pairs, v.core, cols, row_of, beh.rate.get(v.network_id))
    v.core |= served
    v.whole_score = v.score
    v.score, v.label, v.offset, v.batch_days, v.evidence = sub.score, sub.label, sub.offset, sub.batch_days, sub.evidence
    v.led_by = sub.led_by
    lead = (f"{len(ids)} of {len(idx)} accounts form an operation-like core" if how == "profile" else
            f"{len(ids)} of {len(idx)} accounts {BEHAVIOUR_TEXT[how]} and form an operation-like core")
    if served:
        lead += f"; {len(served)} more members mostly boost that core or are boosted by it"
    v.reasons = [lead] + sub.reasons


def _core_domain(beh: _Behaviour, nid: str, ids: set[str]) -> tuple[float, str, int] | None:
    """Share of a core's link posts going to the network's top domain (None without links)."""
    n = top = 0
    for a in ids:
        k, t = beh.links.get((nid, a), (0, 0))
        n += k
        top += t
    return (top / n, beh.tops.get(nid, ""), n) if n else None


def _restrict_to_behaviour(v: NetworkVerdict, cols: dict[str, list[Any]], row_of: dict[str, int], beh: _Behaviour,
                           idx: list[int]) -> None:
    """A network convicted by its behaviour alone: its operation is the members that show
    that behaviour themselves, with the members that mostly boost them or are boosted by
    them; the others (ordinary accounts detection merged with it) are outside the core."""
    assert v.led_by is not None
    ids = beh.showing(v.led_by, cols, idx, v.network_id)
    if len(ids) < MIXED_MIN_CORE or len(ids) == len(idx):
        return
    core = ids | serving_members(beh.pairs.get(v.network_id, []), ids, cols, row_of, beh.rate.get(v.network_id))
    if len(core) == len(idx):
        return
    v.core = core
    v.whole_score = v.score
    v.reasons = [f"{len(ids)} of {len(idx)} accounts {BEHAVIOUR_TEXT[v.led_by]}"
                 + (f"; {len(core) - len(ids)} more mostly boost them or are boosted by them" if len(core) > len(ids) else "")
                 ] + v.reasons


@contextmanager
def _atomic(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """All writes or none. Must not be called inside an open transaction (DuckDB aborts
    the outer transaction when a nested BEGIN is attempted)."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def _model_evidence(p: list[float]) -> Evidence:
    med = float(np.median(p)) if p else 0.0
    high = sum(1 for x in p if x >= 0.5) / len(p) if p else 0.0
    return Evidence("supervised_model", med, MODEL_WEIGHT,
                    f"account model: median probability {med:.2f}, {100 * high:.0f}% of accounts at 0.5 or more",
                    {"median_probability": med, "share_at_half": high})


def _prior_evidence(links: dict[str, dict[str, Any]]) -> list[Evidence]:
    if not links:
        return []
    name, best = max(links.items(), key=lambda kv: kv[1]["strength"])
    s = float(best["strength"])
    if s < PRIOR_MIN_STRENGTH:
        return []
    why = "; ".join(best["evidence"]["reasons"][:2])
    return [Evidence("prior_link", min(1.0, s / 0.6), PRIOR_WEIGHT, f"linked to prior network {name} "
                     f"(strength {s:.2f}: {why})", {"prior": name, "strength": s})]


def _write_networks(con: duckdb.DuckDBPyConnection, run_id: str, verdicts: dict[str, NetworkVerdict]) -> None:
    t = pa.table({
        "network_id": [v.network_id for v in verdicts.values()],
        "score": [v.score for v in verdicts.values()],
        "label": [v.label for v in verdicts.values()],
        "reasons": pa.array([v.reasons for v in verdicts.values()], pa.list_(pa.string())),
    })
    con.register("_attr_net", t)
    try:
        con.execute(
            "UPDATE networks SET score = t.score, label = t.label, reasons = t.reasons "
            "FROM _attr_net t WHERE networks.run_id = ? AND networks.network_id = t.network_id",
            [run_id],
        )
    finally:
        con.unregister("_attr_net")


def _write_memberships(con: duckdb.DuckDBPyConnection, run_id: str, rows: dict[str, list[Any]]) -> None:
    t = pa.table({
        "network_id": pa.array(rows["network_id"], pa.string()),
        "account_id": pa.array(rows["account_id"], pa.string()),
        "role": pa.array(rows["role"], pa.string()),
        "score": pa.array(rows["score"], pa.float64()),
        "reasons": pa.array(rows["reasons"], pa.list_(pa.string())),
    })
    con.register("_attr_mem", t)
    try:
        con.execute(
            "UPDATE memberships SET role = t.role, score = t.score, reasons = t.reasons FROM _attr_mem t "
            "WHERE memberships.run_id = ? AND memberships.network_id = t.network_id "
            "AND memberships.account_id = t.account_id",
            [run_id],
        )
    finally:
        con.unregister("_attr_mem")


def _jsonable(v: Any) -> Any:
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return v


def _write_features(con: duckdb.DuckDBPyConnection, run_id: str, cols: dict[str, list[Any]],
                    prior_ids: dict[str, str]) -> None:
    feats = []
    for i, aid in enumerate(cols["account_id"]):
        d = {k: _jsonable(cols[k][i]) for k in FEATURE_KEYS}
        if aid in prior_ids:
            d["continues_prior"] = prior_ids[aid]
        feats.append(json.dumps(d, ensure_ascii=False))
    t = pa.table({"run_id": [run_id] * len(feats), "account_id": cols["account_id"], "features": feats})
    con.register("_attr_feat", t)
    try:
        con.execute("DELETE FROM account_features WHERE run_id = ?", [run_id])
        con.execute("INSERT INTO account_features SELECT run_id, account_id, CAST(features AS JSON) FROM _attr_feat")
    finally:
        con.unregister("_attr_feat")


def _write_links(con: duckdb.DuckDBPyConnection, run_id: str, links: dict[str, dict[str, dict[str, Any]]]) -> int:
    rows = [(run_id, nid, name, float(link["strength"]), int(link["continuing"]),
             json.dumps(link["evidence"], default=str, ensure_ascii=False))
            for nid, per in links.items() for name, link in per.items()]
    con.execute("DELETE FROM prior_links WHERE run_id = ?", [run_id])
    if rows:
        con.executemany("INSERT INTO prior_links VALUES (?, ?, ?, ?, ?, ?)", rows)
    return len(rows)


def _write_continuing(con: duckdb.DuckDBPyConnection, run_id: str, priors: list[PriorNetwork],
                      members: dict[str, int]) -> int:
    """Accounts of the case listed in a prior takedown but in no network: stored as account
    features with `continues_prior`, which `flagged_accounts` includes."""
    ids = [(a, pr.name) for pr in priors for a in pr.account_ids if a not in members]
    if not ids:
        return 0
    t = pa.table({"account_id": [a for a, _ in ids], "prior": [p for _, p in ids]})
    con.register("_attr_cont", t)
    try:
        rows = con.execute(
            "SELECT c.account_id, any_value(c.prior), count(p.post_id) FROM _attr_cont c "
            "JOIN (SELECT DISTINCT account_id FROM accounts UNION SELECT DISTINCT account_id FROM posts) a USING (account_id) "
            "LEFT JOIN posts p USING (account_id) GROUP BY c.account_id"
        ).fetchall()
    finally:
        con.unregister("_attr_cont")
    if rows:
        con.executemany(
            "INSERT INTO account_features VALUES (?, ?, CAST(? AS JSON))",
            [(run_id, str(a), json.dumps({"continues_prior": p, "n_posts": int(n), "in_network": False}))
             for a, p, n in rows],
        )
    return len(rows)
