"""Metrics of a case's takedown set against a truth file.

truth: CSV with account_id, group, campaign, role, is_io (the simulator's
truth.csv, or any labelled set with those columns). Every account of the truth
file counts; accounts absent from the case count as not flagged.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from infoops.attribute.flagged import flagged_accounts, latest_attributed_run
from infoops.errors import InputError, MissingColumn

TRUTH_COLUMNS = ("account_id", "group", "campaign", "role", "is_io")
ROLES_COMPARED = ("core", "amplifier")


@dataclass
class Truth:
    account_id: list[str]
    group: list[str]
    campaign: list[str]
    role: list[str]
    is_io: np.ndarray


def read_truth(path: Path) -> Truth:
    if not path.is_file():
        raise InputError(str(path), "truth file not found")
    con = duckdb.connect()
    try:
        rel = con.read_csv(str(path), header=True, all_varchar=True)
        missing = [c for c in TRUTH_COLUMNS if c not in rel.columns]
        if missing:
            raise MissingColumn(str(path), missing[0], list(rel.columns))
        t = rel.select(*[duckdb.ColumnExpression(c) for c in TRUTH_COLUMNS]).to_arrow_table().to_pydict()
    finally:
        con.close()
    is_io = np.array([str(v).strip().lower() in ("1", "true", "1.0") for v in t["is_io"]], dtype=bool)
    return Truth(
        account_id=[str(a) for a in t["account_id"]],
        group=[str(g or "") for g in t["group"]],
        campaign=[str(c or "") for c in t["campaign"]],
        role=[str(r or "") for r in t["role"]],
        is_io=is_io,
    )


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f}


def pr_curve(scores: np.ndarray, labels: np.ndarray) -> dict[str, list[float]]:
    """Precision and recall at every distinct score threshold (score >= t flags), plus AP."""
    order = np.argsort(-scores, kind="stable")
    s, y = scores[order], labels[order].astype(np.int64)
    tp = np.cumsum(y)
    fp = np.cumsum(1 - y)
    last = np.r_[np.nonzero(np.diff(s))[0], len(s) - 1]
    keep = last[s[last] > 0]
    pos = int(y.sum())
    prec = (tp[keep] / (tp[keep] + fp[keep])).tolist()
    rec = (tp[keep] / pos).tolist() if pos else [0.0] * len(keep)
    ap = 0.0
    prev_r = 0.0
    for p_, r_ in zip(prec, rec, strict=True):
        ap += (r_ - prev_r) * p_
        prev_r = r_
    return {"threshold": s[keep].tolist(), "precision": prec, "recall": rec, "average_precision": [ap]}


def _member_scores(con: duckdb.DuckDBPyConnection, run_id: str | None) -> dict[str, float]:
    if run_id is None:
        return {}
    return {str(a): float(s or 0.0) for a, s in con.execute(
        "SELECT account_id, max(score) FROM memberships WHERE run_id = ? GROUP BY 1", [run_id]).fetchall()}


def evaluate_connection(con: duckdb.DuckDBPyConnection, truth: Truth) -> dict[str, Any]:
    """All metrics as a JSON-ready dict."""
    run_id = latest_attributed_run(con)
    flagged = {str(r[0]): (r[1], str(r[2] or ""), float(r[3] or 0.0))
               for r in flagged_accounts(con).fetchall()}
    flag = np.array([a in flagged for a in truth.account_id], dtype=bool)
    y = truth.is_io
    tp, fp, fn = int((flag & y).sum()), int((flag & ~y).sum()), int((~flag & y).sum())
    out: dict[str, Any] = {"run_id": run_id, "accounts": len(y), "io_accounts": int(y.sum()),
                           "flagged": len(flagged), "flagged_in_truth": int(flag.sum()),
                           "tp": tp, "fp": fp, "fn": fn, **prf(tp, fp, fn)}

    groups: dict[str, list[int]] = {}
    for i, g in enumerate(truth.group):
        groups.setdefault(g, []).append(i)
    out["fpr_by_group"] = {g: {"accounts": len(ix), "flagged": int(flag[ix].sum()), "fpr": float(flag[ix].mean())}
                           for g, ix in sorted(groups.items()) if not y[ix].any()}
    camps: dict[str, list[int]] = {}
    for i, c in enumerate(truth.campaign):
        if y[i]:
            camps.setdefault(c or "(none)", []).append(i)
    out["recall_by_campaign"] = {c: {"accounts": len(ix), "flagged": int(flag[ix].sum()), "recall": float(flag[ix].mean())}
                                 for c, ix in sorted(camps.items())}
    out["roles"] = _role_metrics(truth, flagged)
    member = _member_scores(con, run_id)
    scores = np.array([max(member.get(a, 0.0), flagged[a][2] if a in flagged else 0.0) for a in truth.account_id])
    out["pr_curve"] = pr_curve(scores, y)
    out["average_precision"] = out["pr_curve"]["average_precision"][0]
    out["networks"] = _purity(con, run_id, truth)
    out["takedown_purity"] = _takedown_purity(truth, flagged)
    out["prior_links"] = _prior_links(con, run_id, truth)
    return out


def _role_metrics(truth: Truth, flagged: dict[str, tuple[Any, str, float]]) -> dict[str, Any]:
    """Core vs amplifier accuracy on flagged IO accounts whose true role is core or amplifier."""
    by_camp: dict[str, Counter[str]] = {}
    confusion: Counter[str] = Counter()
    for a, c, r, io in zip(truth.account_id, truth.campaign, truth.role, truth.is_io, strict=True):
        if not io or a not in flagged:
            continue
        pred = flagged[a][1]
        confusion[f"{r or '-'}->{pred}"] += 1
        if r in ROLES_COMPARED:
            cnt = by_camp.setdefault(c, Counter())
            cnt["n"] += 1
            cnt["right"] += pred == r
    total_n = sum(c["n"] for c in by_camp.values())
    total_r = sum(c["right"] for c in by_camp.values())
    return {
        "accuracy": total_r / total_n if total_n else None,
        "compared": total_n,
        "by_campaign": {k: {"compared": c["n"], "accuracy": c["right"] / c["n"] if c["n"] else None}
                        for k, c in sorted(by_camp.items())},
        "confusion": dict(sorted(confusion.items())),
    }


def _truth_table(truth: Truth) -> pa.Table:
    label = [c if io else f"authentic:{g}" for c, g, io in zip(truth.campaign, truth.group, truth.is_io, strict=True)]
    return pa.table({"account_id": truth.account_id, "label": label, "is_io": truth.is_io.tolist()})


def _purity(con: duckdb.DuckDBPyConnection, run_id: str | None, truth: Truth) -> dict[str, Any]:
    """Per network: its majority label (campaign for IO accounts, authentic:<group> otherwise) and its
    share, over the members present in the truth file (others, e.g. accounts of a prior takedown that
    only appear as repost targets, cannot be judged and are left out)."""
    if run_id is None:
        return {"count": 0, "weighted_purity": None, "inauthentic_weighted_purity": None, "list": []}
    con.register("_eval_truth", _truth_table(truth))
    try:
        rows = con.execute(
            """
            WITH j AS (
              SELECT m.network_id, t.label AS label, t.is_io AS io
              FROM memberships m JOIN _eval_truth t USING (account_id) WHERE m.run_id = ?
            ),
            c AS (SELECT network_id, label, count(*) AS n FROM j GROUP BY ALL),
            tot AS (SELECT network_id, count(*) AS size, avg(CASE WHEN io THEN 1.0 ELSE 0.0 END) AS io_share
                    FROM j GROUP BY ALL)
            SELECT c.network_id, arg_max(c.label, c.n), max(c.n), any_value(tot.size), any_value(tot.io_share),
                   any_value(n.label), any_value(n.score)
            FROM c JOIN tot USING (network_id) LEFT JOIN networks n ON n.network_id = c.network_id AND n.run_id = ?
            GROUP BY c.network_id ORDER BY any_value(tot.size) DESC
            """,
            [run_id, run_id],
        ).fetchall()
    finally:
        con.unregister("_eval_truth")
    nets = [{"network_id": r[0], "majority": r[1], "purity": r[2] / r[3], "size": int(r[3]), "io_share": float(r[4]),
             "label": r[5], "score": r[6]} for r in rows]

    def wavg(items: list[dict[str, Any]]) -> float | None:
        n = sum(x["size"] for x in items)
        return sum(x["purity"] * x["size"] for x in items) / n if n else None

    inauth = [x for x in nets if x["label"] == "inauthentic"]
    return {"count": len(nets), "weighted_purity": wavg(nets), "inauthentic_weighted_purity": wavg(inauth),
            "inauthentic_min_purity": min((x["purity"] for x in inauth), default=None),
            "by_label": dict(Counter(str(x["label"]) for x in nets)), "list": nets}


def _takedown_purity(truth: Truth, flagged: dict[str, tuple[Any, str, float]]) -> dict[str, Any]:
    """Purity by campaign of the flagged accounts of each network (what a takedown would remove)."""
    label = {a: (c if io else f"authentic:{g}") for a, c, g, io in
             zip(truth.account_id, truth.campaign, truth.group, truth.is_io, strict=True)}
    by_net: dict[str, Counter[str]] = {}
    for a, (nid, _, _) in flagged.items():
        if a in label:  # accounts absent from the truth file cannot be judged
            by_net.setdefault(str(nid), Counter())[label[a]] += 1
    nets: list[dict[str, Any]] = [
        {"network_id": n, "size": sum(c.values()), "majority": c.most_common(1)[0][0],
         "purity": c.most_common(1)[0][1] / sum(c.values())} for n, c in sorted(by_net.items())]
    sizes = [int(x["size"]) for x in nets]
    purities = [float(x["purity"]) for x in nets]
    total = sum(sizes)
    return {"weighted_purity": sum(p * n for p, n in zip(purities, sizes, strict=True)) / total if total else None,
            "min_purity": min(purities, default=None), "list": nets}


def _prior_links(con: duckdb.DuckDBPyConnection, run_id: str | None, truth: Truth) -> list[dict[str, Any]]:
    """Each stored prior link with the campaign that dominates the linked network."""
    if run_id is None:
        return []
    con.register("_eval_truth", _truth_table(truth))
    try:
        rows = con.execute(
            """
            WITH maj AS (
              SELECT network_id, arg_max(label, n) AS majority FROM (
                SELECT m.network_id, coalesce(t.label, 'unknown') AS label, count(*) AS n
                FROM memberships m LEFT JOIN _eval_truth t USING (account_id) WHERE m.run_id = ? GROUP BY ALL)
              GROUP BY network_id
            )
            SELECT l.network_id, l.prior, l.strength, l.continuing_accounts, maj.majority,
                   CAST(l.evidence AS VARCHAR)
            FROM prior_links l LEFT JOIN maj USING (network_id) WHERE l.run_id = ? ORDER BY l.strength DESC
            """,
            [run_id, run_id],
        ).fetchall()
    finally:
        con.unregister("_eval_truth")
    import json

    return [{"network_id": r[0], "prior": r[1], "strength": r[2], "continuing": r[3], "majority": r[4],
             "reasons": json.loads(r[5]).get("reasons", []) if r[5] else []} for r in rows]
