"""`infoops evaluate`: score a case's takedown set against a truth file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from infoops.evaluate.curves import pr_html, pr_svg
from infoops.evaluate.metrics import evaluate_connection, read_truth
from infoops.store import Case

__all__ = ["evaluate_case", "metrics_markdown", "EVAL_DIR"]

EVAL_DIR = "evaluation"


def evaluate_case(case: Case, truth_path: Path, out_dir: Path | None = None, html: bool = True) -> dict[str, Any]:
    """Compute the metrics, write metrics.json, metrics.md, pr_curve.svg (and .html) to
    `out_dir` (default: CASE/evaluation), record the run, return the metrics."""
    out = out_dir or case.path / EVAL_DIR
    with case.run("evaluate", {"truth": str(truth_path), "out": str(out)}, [truth_path]) as rec:
        truth = read_truth(truth_path)
        m = evaluate_connection(case.con, truth)
        m["truth"] = str(truth_path)
        out.mkdir(parents=True, exist_ok=True)
        curve = m["pr_curve"]
        title = f"Precision-recall of flagged accounts (AP {m['average_precision']:.3f})"
        (out / "pr_curve.svg").write_text(pr_svg(curve["recall"], curve["precision"], title,
                                                 (m["recall"], m["precision"])), encoding="utf-8")
        if html:
            pr_html(curve["recall"], curve["precision"], curve["threshold"], title, out / "pr_curve.html")
        (out / "metrics.json").write_text(json.dumps(m, indent=2, default=str), encoding="utf-8")
        (out / "metrics.md").write_text(metrics_markdown(m), encoding="utf-8")
        rec.counts.update({k: m[k] for k in ("accounts", "io_accounts", "flagged", "tp", "fp", "fn")})
        rec.counts.update({k: round(float(m[k]), 4) for k in ("precision", "recall", "f1")})
    return m


def _f(v: Any, nd: int = 3) -> str:
    return "-" if v is None else f"{v:.{nd}f}" if isinstance(v, float) else str(v)


def metrics_markdown(m: dict[str, Any]) -> str:
    """The metrics as readable Markdown tables."""
    lines = ["# Evaluation", "", f"truth: `{m.get('truth', '')}`; run `{m['run_id']}`", "",
             "| accounts | IO accounts | flagged | TP | FP | FN | precision | recall | F1 | AP |",
             "|---|---|---|---|---|---|---|---|---|---|",
             f"| {m['accounts']} | {m['io_accounts']} | {m['flagged_in_truth']} | {m['tp']} | {m['fp']} | {m['fn']} | "
             f"{_f(m['precision'])} | {_f(m['recall'])} | {_f(m['f1'])} | {_f(m['average_precision'])} |", "",
             "## False-positive rate per authentic group", "", "| group | accounts | flagged | FPR |", "|---|---|---|---|"]
    lines += [f"| {g} | {v['accounts']} | {v['flagged']} | {_f(v['fpr'], 4)} |" for g, v in m["fpr_by_group"].items()]
    lines += ["", "## Recall per campaign", "", "| campaign | accounts | flagged | recall |", "|---|---|---|---|"]
    lines += [f"| {c} | {v['accounts']} | {v['flagged']} | {_f(v['recall'])} |" for c, v in m["recall_by_campaign"].items()]
    r = m["roles"]
    lines += ["", f"## Roles (core vs amplifier, flagged IO accounts): accuracy {_f(r['accuracy'])} on {r['compared']}", "",
              "| campaign | compared | accuracy |", "|---|---|---|"]
    lines += [f"| {c} | {v['compared']} | {_f(v['accuracy'])} |" for c, v in r["by_campaign"].items()]
    lines += ["", "confusion (true->predicted): " + ", ".join(f"{k} {v}" for k, v in r["confusion"].items())]
    n = m["networks"]
    lines += ["", f"## Networks: {n['count']}; size-weighted purity {_f(n['weighted_purity'])}, "
              f"inauthentic networks {_f(n['inauthentic_weighted_purity'])} (min {_f(n.get('inauthentic_min_purity'))})", "",
              "| network | size | label | score | majority | purity |", "|---|---|---|---|---|---|"]
    lines += [f"| {x['network_id']} | {x['size']} | {x['label']} | {_f(x['score'])} | {x['majority']} | {_f(x['purity'])} |"
              for x in n["list"][:40]]
    tp = m["takedown_purity"]
    lines += ["", f"Takedown purity (flagged accounts per network, by campaign): weighted {_f(tp['weighted_purity'])}, "
              f"min {_f(tp['min_purity'])}: " + ", ".join(f"{x['network_id']} {x['majority']} {_f(x['purity'])} ({x['size']})"
                                                         for x in tp["list"])]
    lines += ["", "## Prior links", ""]
    if not m["prior_links"]:
        lines.append("none found")
    for link in m["prior_links"][:10]:
        lines.append(f"- {link['network_id']} ({link['majority']}) -> {link['prior']}: strength {_f(link['strength'])}, "
                     f"{link['continuing']} continuing; " + "; ".join(link["reasons"][:4]))
    return "\n".join(lines) + "\n"
