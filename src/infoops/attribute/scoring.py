"""Network and account scores: is a coordinated network an operation or an authentic community?

Each network gets a set of evidence items. An item turns one figure (e.g. the
share of members with fewer than 10 followers) into a value in [0, 1] with a
linear ramp between an "authentic-looking" and an "operation-looking" anchor,
and carries a fixed weight and a sentence with the numbers behind it. The
network score is the weighted mean of the items; the reasons are the sentences
of the strongest items. Anchors and weights are set from what published
takedowns describe (few followers, batch creation, office hours, little
engagement, templated text), not fitted to any one data set; see
docs/attribute.md.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np

from infoops.attribute.features import office_fit, office_mask

# verdict thresholds on the network score
INAUTHENTIC_SCORE = 0.5
UNCERTAIN_SCORE = 0.35
# an account counts as "near zero followers" below this
LOW_FOLLOWERS = 10
# an account is "young" when created at most this many days before its first post in the case
YOUNG_DAYS = 180
# a creation day is a batch when it holds >= BATCH_MIN members and >= BATCH_LIFT x the background rate
BATCH_MIN = 3
BATCH_LIFT = 10.0
MAX_REASONS = 5
# timeline switch: each third at least this pure, and at most this much of the old language left
SWITCH_PURITY = 0.8
SWITCH_LEFTOVER = 0.1


def ramp(x: float, lo: float, hi: float) -> float:
    """0 at or below lo, 1 at or above hi, linear between."""
    if hi == lo:
        return 1.0 if x >= hi else 0.0
    return float(min(1.0, max(0.0, (x - lo) / (hi - lo))))


# Evidence items fall into independent dimensions; the network score averages the
# dimensions, so one kind of evidence alone (e.g. new accounts created together,
# which fandoms and protest movements also show) cannot make an operation.
DIMENSIONS: dict[str, str] = {
    "low_followers": "profile", "creation_batches": "profile", "young_accounts": "profile",
    "handle_pattern": "profile", "bios": "profile",
    "office_hours": "behaviour", "low_engagement": "behaviour", "repost_only": "behaviour",
    "templated_text": "behaviour", "timeline_switch": "behaviour", "reciprocal_amplification": "behaviour",
    "single_domain": "behaviour",
    "prior_link": "history", "supervised_model": "model",
}
DIMENSION_WEIGHTS = {"profile": 1.0, "behaviour": 1.0, "history": 1.0, "model": 1.5}
BEHAVIOUR_TOP = 3


@dataclass
class Evidence:
    name: str
    value: float
    weight: float
    reason: str
    figures: dict[str, Any] = field(default_factory=dict)

    @property
    def dimension(self) -> str:
        return DIMENSIONS.get(self.name, "behaviour")


@dataclass
class NetworkVerdict:
    network_id: str
    score: float
    label: str
    reasons: list[str]
    evidence: list[Evidence]
    offset: int
    batch_days: set[Any]
    # set when only part of the network (this set of account ids) looks like an operation
    core: set[str] | None = None
    # the whole network's score, kept for the members outside `core`
    whole_score: float | None = None
    # set when behaviour alone convicted the network: the distinctive behaviour's item name
    led_by: str | None = None


def label_for(score: float) -> str:
    if score >= INAUTHENTIC_SCORE:
        return "inauthentic"
    if score >= UNCERTAIN_SCORE:
        return "uncertain"
    return "authentic"


def pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _fmt_offset(off: int) -> str:
    return f"UTC{'+' if off >= 0 else '-'}{abs(off)}"


def _as_date(v: Any) -> date | None:
    if v is None:
        return None
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    return None


def batch_days(created: list[Any], bg_days: dict[Any, int], bg_total: int, span_days: int) -> tuple[set[Any], int]:
    """Creation days on which the network made far more accounts than the background rate.

    Returns the batch days and how many members were created on them.
    """
    days = Counter(d for d in (_as_date(c) for c in created) if d is not None)
    n = sum(days.values())
    out: set[Any] = set()
    for d, c in days.items():
        # the background excludes this network's own accounts of that day
        rest = max(bg_days.get(d, 0) - c, 0)
        p = max(rest / max(bg_total - n, 1), 1.0 / max(span_days, 1))
        if c >= BATCH_MIN and c >= BATCH_LIFT * n * p:
            out.add(d)
    return out, sum(days[d] for d in out)


def network_evidence(
    cols: dict[str, list[Any]],
    idx: list[int],
    hist: np.ndarray,
    bg: dict[str, Any],
    bg_hist: np.ndarray,
    bg_days: dict[Any, int],
    dup_share: dict[str, float],
    pairs: list[tuple[str, str, int]] | None = None,
    domain: tuple[float, str, int] | None = None,
) -> tuple[list[Evidence], int, set[Any]]:
    """Evidence items for one network from its members' rows (`idx` into `cols`);
    `pairs` are its in-network reposts (src, dst, n), `domain` the share of its link
    posts going to its commonest domain, that domain and the number of link posts."""
    n = len(idx)
    ev: list[Evidence] = []

    followers = [cols["followers"][i] for i in idx if cols["followers"][i] is not None]
    low = sum(1 for f in followers if f < LOW_FOLLOWERS) / len(followers) if followers else 0.0
    zero = sum(1 for f in followers if f == 0) / len(followers) if followers else 0.0
    med_f = float(np.median(followers)) if followers else 0.0
    ev.append(Evidence(
        "low_followers", ramp(low - bg["low_followers_share"], 0.1, 0.5) if followers else 0.0, 2.0 if followers else 0.0,
        f"{pct(low)} of accounts have fewer than {LOW_FOLLOWERS} followers ({pct(zero)} none; median {med_f:g}; "
        f"case: {pct(bg['low_followers_share'])})",
        {"low_followers_share": low, "zero_followers_share": zero, "median_followers": med_f},
    ))

    created = [cols["created_at"][i] for i in idx]
    span = 1
    if bg.get("created_min") and bg.get("created_max"):
        span = max((bg["created_max"] - bg["created_min"]).days, 1)
    bdays, in_batch = batch_days(created, bg_days, sum(bg_days.values()), span)
    batch_share = in_batch / n if n else 0.0
    top = sorted(Counter(_as_date(c) for c in created if c is not None).items(), key=lambda kv: -kv[1])[:3]
    days_txt = ", ".join(f"{d.isoformat()} ({c})" for d, c in top if d is not None)
    if bdays:
        months = sorted({d.strftime("%b %Y") for d in bdays})
        txt = (f"{in_batch} of {n} accounts created on {len(bdays)} batch day(s) in {', '.join(months[:4])}"
               f" (top: {days_txt})")
    else:
        txt = f"creation dates spread: no batch days (top days {days_txt})"
    ev.append(Evidence("creation_batches", ramp(batch_share, 0.1, 0.5), 2.0, txt,
                       {"batch_share": batch_share, "batch_days": len(bdays)}))

    young_n = 0
    known = 0
    for i in idx:
        c, fp = cols["created_at"][i], cols["first_post"][i]
        if c is not None and fp is not None:
            known += 1
            young_n += (fp - c).days <= YOUNG_DAYS
    young = young_n / known if known else 0.0
    ev.append(Evidence("young_accounts", ramp(young, 0.2, 0.6), 1.0 if known else 0.0,
                       f"{pct(young)} of accounts were created at most {YOUNG_DAYS} days before they first posted here",
                       {"young_share": young}))

    fit = office_fit(hist)
    bg_office = float(bg_hist[office_mask(fit["offset"])].sum() / bg_hist.sum()) if bg_hist.sum() else 0.0
    office_v = min(ramp(fit["office_share"], 0.5, 0.85), ramp(fit["office_share"] - bg_office, 0.15, 0.35))
    if fit["office_hours_covered"] < 6:
        office_v *= 0.5
    ev.append(Evidence(
        "office_hours", office_v, 1.5,
        f"{pct(fit['office_share'])} of activity {OFFICE_HOURS_TXT} {_fmt_offset(fit['offset'])} weekdays "
        f"({pct(fit['weekend_share'])} at weekends; case at that offset: {pct(bg_office)})",
        {**fit, "background_office_share": bg_office},
    ))

    has_orig = [i for i in idx if cols["n_posts"][i] - cols["n_repost"][i] > 0]
    if bg["median_engagement"] > 0 and has_orig:
        med_e = float(np.median([cols["engagement_per_post"][i] for i in has_orig]))
        v = 1.0 - ramp(med_e / bg["median_engagement"], 0.25, 1.0)
        ev.append(Evidence("low_engagement", v, 0.5,
                           f"median engagement {med_e:.1f} per own post (case median {bg['median_engagement']:.1f})",
                           {"median_engagement": med_e}))

    rep = [cols["n_repost"][i] / cols["n_posts"][i] for i in idx if cols["n_posts"][i]]
    rep_only = sum(1 for r in rep if r >= 0.9) / len(rep) if rep else 0.0
    ev.append(Evidence("repost_only", ramp(rep_only, 0.3, 0.8), 0.5,
                       f"{pct(rep_only)} of accounts almost only repost (case repost share {pct(bg['repost_share'])})",
                       {"repost_only_share": rep_only}))

    digits = sum(1 for i in idx if cols["handle_trailing_digits"][i] >= 6) / n if n else 0.0
    shapes = Counter(cols["handle_shape"][i] for i in idx)
    shape, shape_n = shapes.most_common(1)[0] if shapes else ("", 0)
    ev.append(Evidence("handle_pattern", ramp(digits - bg["digit_handle_share"], 0.1, 0.4), 0.5,
                       f"{pct(digits)} of handles end in 6+ digits (case {pct(bg['digit_handle_share'])}); "
                       f"commonest shape '{shape}' x{shape_n}", {"digit_handle_share": digits}))

    empty = sum(1 for i in idx if cols["empty_bio"][i]) / n if n else 0.0
    bios = Counter(cols["bio_norm"][i] for i in idx if cols["bio_norm"][i])
    shared_bio = sum(c for c in bios.values() if c >= 3) / n if n else 0.0
    bio_v = max(ramp(empty - bg["empty_bio_share"], 0.1, 0.4), ramp(shared_bio, 0.1, 0.4))
    ev.append(Evidence("bios", bio_v, 0.5,
                       f"{pct(empty)} empty bios (case {pct(bg['empty_bio_share'])}), {pct(shared_bio)} share a bio with 2+ others",
                       {"empty_bio_share": empty, "shared_bio_share": shared_bio}))

    dups = [dup_share[cols["account_id"][i]] for i in has_orig if cols["account_id"][i] in dup_share]
    dup = float(np.mean(dups)) if dups else 0.0
    ev.append(Evidence("templated_text", ramp(dup, 0.2, 0.6), 1.0 if dups else 0.0,
                       f"{pct(dup)} of own posts repeat a text posted by 3+ members (numbers, links, mentions aside)",
                       {"duplicate_text_share": dup}))

    if pairs:
        rec, total = reciprocity(pairs)
        ev.append(Evidence("reciprocal_amplification", ramp(rec, 0.2, 0.6), 1.5 if total >= 10 else 0.0,
                           f"{pct(rec)} of {total} reposts between members are returned (members boost each other)",
                           {"reciprocity": rec, "internal_reposts": total}))
    if domain is not None and domain[2] >= max(10, n):
        share, dom, n_links = domain
        ev.append(Evidence("single_domain", ramp(share, 0.5, 0.9), 1.0,
                           f"{pct(share)} of {n_links} link posts go to one site ({dom})",
                           {"top_domain_share": share, "top_domain": dom}))
    sw = sum(1 for i in idx if timeline_switch(cols, i)) / n if n else 0.0
    ev.append(Evidence("timeline_switch", ramp(sw, 0.05, 0.3), 0.5,
                       f"{pct(sw)} of accounts switched language abruptly mid-timeline (repurposed or hijacked)",
                       {"switch_share": sw}))
    return ev, int(fit["offset"]), bdays


OFFICE_HOURS_TXT = "09:00-18:00"


def reciprocity(pairs: list[tuple[str, str, int]]) -> tuple[float, int]:
    """Share of in-network reposts whose reverse direction (dst reposts src) also occurs."""
    have = {(a, b) for a, b, _ in pairs}
    total = sum(n for _, _, n in pairs)
    back = sum(n for a, b, n in pairs if (b, a) in have)
    return (back / total if total else 0.0), total


def timeline_switch(cols: dict[str, list[Any]], i: int) -> bool:
    """An abrupt, complete change of language: the first third of the posts is almost all
    in one language, the last third almost all in another with (nearly) none of the first.
    Bilingual accounts, which mix languages throughout, do not count."""
    if cols["n_posts"][i] < 6:
        return False
    el, ll = cols["early_lang"][i], cols["late_lang"][i]
    if el is None or ll is None or el == ll or "und" in (el, ll):
        return False
    return bool(cols["early_lang_purity"][i] >= SWITCH_PURITY and cols["late_lang_purity"][i] >= SWITCH_PURITY
                and cols["early_lang_late"][i] <= SWITCH_LEFTOVER)


def dimension_scores(evidence: list[Evidence]) -> dict[str, float]:
    """Weighted mean of the items of each dimension that has any weight. Behaviour
    counts its BEHAVIOUR_TOP strongest items only: operations of different kinds show
    different behaviours (templates, office hours, rings, one site's links), and an
    operation need not show them all."""
    out: dict[str, float] = {}
    for dim in DIMENSION_WEIGHTS:
        items = [e for e in evidence if e.dimension == dim and e.weight > 0]
        if dim == "behaviour":
            items = sorted(items, key=lambda e: (-e.value, -e.weight))[:BEHAVIOUR_TOP]
        w = sum(e.weight for e in items)
        if w:
            out[dim] = sum(e.weight * e.value for e in items) / w
    return out


# behaviour-led verdict: a distinctive coordinated behaviour at least this strong, together with
# an audience that barely reacts (low_engagement at least this strong), convicts a network whose
# profiles look ordinary (aged, bought or hijacked accounts)
LED_BEHAVIOUR = 0.8
LED_ENGAGEMENT = 0.5


def behaviour_led(evidence: list[Evidence], distinctive_names: tuple[str, ...]) -> tuple[float, list[str], str]:
    """Score from behaviour alone: min(strongest distinctive behaviour, low engagement) when
    the behaviour reaches LED_BEHAVIOUR and engagement LED_ENGAGEMENT, else 0; with the two
    items' sentences and the behaviour's name. An operation run from aged or hijacked accounts has ordinary profiles,
    but it still acts in a way crowds do not (rings boosting each other, one site's links,
    templates, office hours) and its output reaches nobody. News feeds post one site's links
    too, and rings of friends repost each other, but their posts are read and shared."""
    items = [e for e in evidence if e.weight > 0]
    dist = max((e for e in items if e.name in distinctive_names), key=lambda e: e.value, default=None)
    eng = next((e for e in items if e.name == "low_engagement"), None)
    if dist is None or eng is None or dist.value < LED_BEHAVIOUR or eng.value < LED_ENGAGEMENT:
        return 0.0, [], ""
    return min(dist.value, eng.value), [dist.reason, eng.reason], dist.name


def combine(evidence: list[Evidence]) -> float:
    """Network score: weighted mean of the dimension scores (profile, behaviour, and
    history / model when present)."""
    dims = dimension_scores(evidence)
    w = sum(DIMENSION_WEIGHTS[d] for d in dims)
    return sum(DIMENSION_WEIGHTS[d] * v for d, v in dims.items()) / w if w else 0.0


def reasons_for(evidence: list[Evidence], label: str) -> list[str]:
    """Sentences of the strongest items (supporting the verdict), strongest first."""
    if label == "authentic":
        items = sorted(evidence, key=lambda e: (e.value, -e.weight))
        picked = [e for e in items if e.weight > 0][:3]
        return ["looks authentic: " + e.reason if k == 0 else e.reason for k, e in enumerate(picked)]
    items = sorted((e for e in evidence if e.weight > 0 and e.value >= 0.5), key=lambda e: -e.weight * e.value)
    return [e.reason for e in items[:MAX_REASONS]]


def account_evidence(
    cols: dict[str, list[Any]], i: int, bdays: set[Any], office_share: float, dup: float, continuing: bool,
    reposts_made_in: int = 0,
) -> tuple[float, list[str]]:
    """How operation-like one member looks on its own, in [0, 1], with reasons."""
    items: list[tuple[float, float, str]] = []
    f = cols["followers"][i]
    if f is not None:
        items.append((1.0 if f < LOW_FOLLOWERS else 0.0, 2.0, f"{f} followers"))
    d = _as_date(cols["created_at"][i])
    if d is not None:
        items.append((1.0 if d in bdays else 0.0, 2.0, f"created {d.isoformat()} in a creation batch"))
    items.append((ramp(office_share, 0.5, 0.85), 1.0, f"{pct(office_share)} of posts in office hours"))
    items.append((ramp(dup, 0.2, 0.6), 1.0, f"{pct(dup)} of own posts templated"))
    if cols["empty_bio"][i]:
        items.append((1.0, 0.5, "empty bio"))
    else:
        items.append((0.0, 0.5, ""))
    items.append((1.0 if cols["handle_trailing_digits"][i] >= 6 else 0.0, 0.5, "handle ends in 6+ digits"))
    if timeline_switch(cols, i):
        items.append((1.0, 1.0, f"switched abruptly from {cols['early_lang'][i]} to {cols['late_lang'][i]} mid-timeline"))
    n_rep = int(cols["n_repost"][i])
    if n_rep >= 3:
        share = reposts_made_in / n_rep
        items.append((ramp(share, 0.3, 0.8), 1.0, f"{pct(share)} of its reposts boost network members"))
    if continuing:
        items.append((1.0, 3.0, "account was in the prior takedown"))
    w = sum(x[1] for x in items)
    score = sum(v * wt for v, wt, _ in items) / w if w else 0.0
    reasons = [r for v, _, r in sorted(items, key=lambda x: -x[0] * x[1]) if v >= 0.5 and r]
    return score, reasons
