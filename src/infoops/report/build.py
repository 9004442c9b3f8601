"""Build the self-contained HTML evidence report of a case."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
from jinja2 import Environment, PackageLoader
from markupsafe import Markup
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from infoops import __version__
from infoops.errors import NothingDetected
from infoops.report import charts, graph, queries
from infoops.report.queries import REST
from infoops.report.safe import flatten, script_json, show
from infoops.report.timezone import (
    UNIFORM_OFFICE_SHARE,
    OffsetFit,
    best_offset,
    format_offset,
    week_matrix,
)
from infoops.report.topics import fit_topics
from infoops.store import Case

DEFAULT_MAX_NETWORKS = 20
DEFAULT_SAMPLE_ACCOUNTS = graph.DEFAULT_GRAPH_NODES
DEFAULT_TOPIC_POSTS = 3000
REPORT_NAME = "report.html"


@dataclass
class ReportData:
    """Everything the template shows (small: aggregates and samples only)."""

    title: str
    generated_at: str
    version: str
    overview: dict[str, Any]
    networks: list[dict[str, Any]]
    thresholds: list[dict[str, Any]]
    runs: list[dict[str, Any]]
    prior_links: list[dict[str, Any]]
    figures: dict[str, dict[str, Any]] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)

    def figure(self, key: str, spec: dict[str, Any]) -> str | None:
        """Register a chart spec; returns its id (None for an empty chart)."""
        if not spec:
            return None
        fid = f"fig{len(self.figures) + 1}"
        self.figures[fid] = spec
        return fid


def build_report(case: Case, out: Path | None = None, max_networks: int = DEFAULT_MAX_NETWORKS,
                 sample_accounts: int = DEFAULT_SAMPLE_ACCOUNTS, topic_posts: int = DEFAULT_TOPIC_POSTS,
                 seed: int = 1) -> Path:
    """Write the report of `case` to `out` (default: the case folder's report.html) and return its path."""
    target = Path(out) if out is not None else case.path / REPORT_NAME
    data = collect(case, max_networks=max_networks, sample_accounts=sample_accounts,
                   topic_posts=topic_posts, seed=seed)
    html_text = render(data)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    tmp.write_text(html_text, encoding="utf-8")
    tmp.replace(target)
    return target


def collect(case: Case, max_networks: int = DEFAULT_MAX_NETWORKS, sample_accounts: int = DEFAULT_SAMPLE_ACCOUNTS,
            topic_posts: int = DEFAULT_TOPIC_POSTS, seed: int = 1) -> ReportData:
    con = case.con
    if not queries.table_exists(con, "networks") or case.count("networks") == 0:
        raise NothingDetected(f"{case.path}: no networks in the case; run 'infoops detect' first")
    run_id = _result_run(con)
    nets = queries.select_networks(con, max_networks, run_id)
    data = ReportData(title=f"Coordinated network report: {case.path.resolve().name}",
                      generated_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), version=__version__,
                      overview=_overview(con, len(nets)), networks=[],
                      thresholds=_thresholds(con, run_id), runs=_runs(con), prior_links=_prior_links(con, run_id),
                      params={"max_networks": max_networks, "sample_accounts": sample_accounts,
                              "topic_posts": topic_posts, "seed": seed})
    ids = [str(n["network_id"]) for n in nets]
    steps = ["members", "creation", "distributions", "languages", "hours", "hashtags", "domains", "roles",
             "reasons", "accounts", "graph", "evidence", "topics"]
    agg: dict[str, Any] = {}
    with _progress() as progress:
        task = progress.add_task("report", total=len(steps))
        try:
            for step in steps:
                progress.update(task, description=f"report: {step}")
                agg[step] = _step(con, step, ids, run_id, sample_accounts, topic_posts)
                progress.advance(task)
        finally:
            queries.release(con)
        offsets = agg["members"]
        topics = {nid: fit_topics(rows_, seed=seed) for nid, rows_ in agg["topics"].items()}
    decisions = _decisions(con)
    for n in nets:
        data.networks.append(_network(data, n, agg, topics, offsets))
        data.networks[-1]["decision"] = decisions.get(str(n["network_id"]))
    return data


def _progress() -> Progress:
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), transient=True)


def _step(con: duckdb.DuckDBPyConnection, step: str, ids: list[str], run_id: str | None, sample_accounts: int,
          topic_posts: int) -> Any:
    if step == "members":
        queries.select_members(con, ids, run_id)
        return queries.utc_offsets_from_features(con)
    if step == "graph":
        nodes = graph.graph_nodes(con, sample_accounts)
        return nodes, graph.graph_edges(con, nodes)
    simple = {"creation": queries.creation_days, "distributions": queries.count_distributions,
              "languages": queries.language_mix, "hours": queries.hour_of_week, "hashtags": queries.top_hashtags,
              "domains": queries.top_domains, "roles": queries.role_summary, "reasons": queries.member_reasons,
              "accounts": queries.central_accounts,
              "evidence": graph.edge_examples}
    if step == "topics":
        return queries.topic_sample(con, topic_posts)
    return simple[step](con)


def _network(data: ReportData, n: dict[str, Any], agg: dict[str, Any], topics: dict[str, Any],
             offsets: dict[str, float]) -> dict[str, Any]:
    nid = str(n["network_id"])
    creation = agg["creation"].get(nid, [])
    dists = {name: (agg["distributions"][name].get(nid, []), agg["distributions"][name].get(REST, []))
             for name in ("followers", "following", "engagement")}
    m = week_matrix(agg["hours"].get(nid, []))
    fit: OffsetFit | None = best_offset(m) if m.sum() else None
    stored = offsets.get(nid)
    if stored is not None and fit is not None:
        fit = OffsetFit(round(stored), fit.office_share, fit.utc_share)
    offset_label = format_offset(stored if stored is not None else (fit.offset if fit else 0))
    nodes, edges = agg["graph"][0].get(nid, []), agg["graph"][1].get(nid, [])
    topic = topics.get(nid)
    roles = agg["roles"].get(nid, [])
    mix = n.get("signal_mix") or {}
    return {
        "id": nid, "size": n["size"], "n_edges": n["n_edges"], "density": n["density"], "score": n["score"],
        "label": n["label"] or "unlabelled", "reasons": list(n["reasons"] or []),
        "signal_mix": sorted(mix.items(), key=lambda kv: -(kv[1] or 0)),
        "creation": charts.creation_summary(creation),
        "zero": {name: (charts.zero_share(a), charts.zero_share(b)) for name, (a, b) in dists.items()},
        "fit": fit, "offset_label": offset_label, "offset_source": "attribution" if stored is not None else "report",
        "topics": topic, "roles": roles, "languages": charts.language_summary(agg["languages"].get(nid, [])), "member_reasons": agg["reasons"].get(nid, []),
        "hashtags": agg["hashtags"].get(nid, []), "domains": agg["domains"].get(nid, []),
        "examples": agg["evidence"].get(nid, []), "accounts": agg["accounts"].get(nid, []),
        "priors": [p for p in data.prior_links if str(p["network_id"]) == nid],
        "graph_nodes": len(nodes), "graph_sampled": (n["size"] or 0) > len(nodes),
        "figs": {
            "creation": data.figure("creation", charts.creation_histogram(creation, agg["creation"].get(REST, []))),
            "dists": data.figure("dists", charts.distributions(dists)),
            "langs": data.figure("langs", charts.language_mix(agg["languages"].get(nid, []),
                                                              agg["languages"].get(REST, []))),
            "hours": data.figure("hours", charts.hour_heatmap(m, fit, offset_label)) if m.sum() else None,
            "topics": data.figure("topics", charts.topics_area(topic)) if topic else None,
            "graph": data.figure("graph", graph.graph_figure(nodes, edges, int(n["size"] or len(nodes))))
            if nodes else None,
        },
    }


def _overview(con: duckdb.DuckDBPyConnection, shown: int) -> dict[str, Any]:
    one = queries.rows(con, """
        SELECT (SELECT count(*) FROM accounts) AS accounts, (SELECT count(*) FROM posts) AS posts,
               (SELECT min(created_at) FROM posts) AS first_post, (SELECT max(created_at) FROM posts) AS last_post,
               (SELECT count(*) FROM networks) AS networks,
               (SELECT count(*) FROM networks WHERE label = 'inauthentic') AS inauthentic,
               (SELECT count(DISTINCT account_id) FROM memberships) AS members""")[0]
    one["flagged"] = _flagged_count(con)
    one["shown"] = shown
    one["labels"] = queries.rows(con, "SELECT coalesce(label, 'unlabelled') AS label, count(*) AS n, "
                                 "sum(size) AS accounts FROM networks GROUP BY ALL ORDER BY n DESC")
    return one


def _result_run(con: duckdb.DuckDBPyConnection) -> str | None:
    """The run whose networks the report shows: the latest attributed one (all networks if unknown)."""
    try:
        from infoops.attribute.flagged import latest_attributed_run
    except ImportError:
        return None
    return latest_attributed_run(con)


def _flagged_count(con: duckdb.DuckDBPyConnection) -> int | None:
    try:
        from infoops.attribute.flagged import flagged_accounts
    except ImportError:
        row = con.execute("SELECT count(DISTINCT m.account_id) FROM memberships m JOIN networks n "
                          "USING (network_id) WHERE n.label = 'inauthentic'").fetchone()
        return int(row[0]) if row else None
    rel = flagged_accounts(con)
    found = rel.aggregate("count(*)").fetchall()
    return int(found[0][0]) if found else None


def _decisions(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, Any]]:
    """The latest analyst decision per network (review), if any."""
    found = queries.rows(con, """
        SELECT network_id, decision, analyst, note, decided_at FROM decisions
        QUALIFY row_number() OVER (PARTITION BY network_id ORDER BY decided_at DESC NULLS LAST) = 1""")
    return {str(r["network_id"]): r for r in found}


def _thresholds(con: duckdb.DuckDBPyConnection, run_id: str | None) -> list[dict[str, Any]]:
    """Each signal's threshold in the shown run, with what the signal measures (from its class)."""
    out = queries.rows(con, "SELECT signal, threshold, method, edges_raw, edges_kept FROM signal_thresholds "
                       "WHERE ? IS NULL OR run_id = ? ORDER BY signal", [run_id, run_id])
    described: dict[str, str] = {}
    try:
        from infoops.registry import signals

        described = {str(getattr(cls, "name", key)): str(getattr(cls, "description", "")) for key, cls in
                     signals.items()}
    except (ImportError, ValueError):  # a broken signal plugin must not stop the report
        described = {}
    for r in out:
        r["description"] = described.get(str(r["signal"]), "")
    return out


def _prior_links(con: duckdb.DuckDBPyConnection, run_id: str | None) -> list[dict[str, Any]]:
    out = queries.rows(con, "SELECT * FROM prior_links WHERE ? IS NULL OR run_id = ? "
                       "ORDER BY network_id, strength DESC", [run_id, run_id])
    for r in out:
        r["evidence"] = _json(r.get("evidence"))
    return out


def _json(value: Any) -> Any:
    try:
        return json.loads(value) if isinstance(value, str) else value
    except ValueError:
        return value


def _runs(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    out = queries.rows(con, "SELECT run_id, command, version, params, inputs, counts, started_at, ended_at, "
                       "status, error FROM runs ORDER BY started_at")
    for r in out:
        for key in ("params", "inputs", "counts"):
            r[key] = _json(r[key])
    return out


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(loader=PackageLoader("infoops.report", "templates"), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["show"] = show
    env.filters["flatten"] = flatten
    env.filters["pct"] = lambda v, d=0: "–" if v is None else f"{100 * float(v):.{d}f}%"
    env.filters["num"] = lambda v, d=0: "–" if v is None else (f"{v:,.{d}f}" if isinstance(v, float) else f"{v:,}")
    env.filters["jsontext"] = lambda v: json.dumps(v, ensure_ascii=False, default=str, sort_keys=True)
    return env


def _static(name: str) -> str:
    return (resources.files("infoops.report") / "static" / name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    js = get_plotlyjs()
    return js.replace("</script", "<\\/script")


def render(data: ReportData) -> str:
    tpl = _environment().get_template("report.html.j2")
    return tpl.render(
        d=data,
        css=Markup(_static("report.css")),
        app_js=Markup(_static("report.js")),
        plotly_js=Markup(_plotly_js()),
        figures={k: script_json(v) for k, v in data.figures.items()},
        office_uniform=UNIFORM_OFFICE_SHARE,
    )


def timed_build(case: Case, out: Path | None = None, **kw: Any) -> tuple[Path, float, int]:
    """build_report plus wall time (s) and file size (bytes), for the benchmark and the command."""
    t0 = time.perf_counter()
    path = build_report(case, out, **kw)
    return path, time.perf_counter() - t0, path.stat().st_size
