"""The network graph (sampled by centrality, laid out with igraph) and the evidence behind edges."""

from __future__ import annotations

import html
from collections import defaultdict
from typing import Any

import duckdb
import igraph as ig
import numpy as np
import pyarrow as pa

from infoops.report.queries import MEMBERS_VIEW, register, rows
from infoops.report.safe import show
from infoops.report.style import ROLE_COLOURS, SIGNAL_COLOURS, colour_for

DEFAULT_GRAPH_NODES = 300


def graph_nodes(con: duckdb.DuckDBPyConnection, max_nodes: int) -> dict[str, list[dict[str, Any]]]:
    """Up to `max_nodes` members of each network, with handle and role.

    Small networks are drawn whole. Larger ones are sampled by a snowball over
    the network's own edges: breadth-first from the most central account, then
    from the next most central one not yet reached, so the drawing keeps the
    hubs *and* the links between them (the top-N by centrality alone can be a
    scatter of unconnected points).
    """
    members = con.sql(f"SELECT network_id, account_id, centrality FROM {MEMBERS_VIEW}").fetchnumpy()
    picked: list[tuple[str, str, int]] = []
    nets = members["network_id"].astype(str)
    for nid in sorted(set(nets.tolist())):
        mask = nets == nid
        ids = members["account_id"][mask].astype(str)
        cent = np.nan_to_num(np.asarray(members["centrality"][mask], dtype=float), nan=-1.0)
        order = np.lexsort((ids, -cent))  # most central first, ties by id
        chosen = order[:max_nodes] if len(ids) <= max_nodes else _snowball(con, nid, ids, order, max_nodes)
        picked.extend((nid, str(ids[i]), rank) for rank, i in enumerate(chosen))
    register(con, "rep_pick", pa.table({"network_id": pa.array([p[0] for p in picked], pa.string()),
                                        "account_id": pa.array([p[1] for p in picked], pa.string()),
                                        "rank": pa.array([p[2] for p in picked], pa.int64())}))
    try:
        found = rows(con, f"""
            SELECT k.network_id, m.account_id, m.role, m.centrality, a.handle, a.followers
            FROM rep_pick k JOIN {MEMBERS_VIEW} m ON m.network_id = k.network_id AND m.account_id = k.account_id
            LEFT JOIN accounts a ON a.account_id = k.account_id
            ORDER BY k.network_id, k.rank""")
    finally:
        con.complete()
        con.unregister("rep_pick")
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in found:
        out[str(r.pop("network_id"))].append(r)
    return dict(out)


def _snowball(con: duckdb.DuckDBPyConnection, nid: str, ids: np.ndarray, order: np.ndarray, n: int) -> np.ndarray:
    """Indexes into `ids` of `n` accounts reached breadth-first from the most central ones."""
    found = con.sql(f"""
        WITH half AS MATERIALIZED (
          SELECT e.src, e.dst FROM edges e JOIN {MEMBERS_VIEW} a ON e.src = a.account_id AND a.network_id = $nid)
        SELECT h.src, h.dst FROM half h JOIN {MEMBERS_VIEW} b ON h.dst = b.account_id AND b.network_id = $nid""",
        params={"nid": nid}).fetchnumpy()
    if len(found["src"]) == 0:
        return order[:n]
    index = {a: i for i, a in enumerate(ids.tolist())}
    src = np.fromiter((index[a] for a in found["src"].astype(str).tolist()), dtype=np.int64)
    dst = np.fromiter((index[a] for a in found["dst"].astype(str).tolist()), dtype=np.int64)
    g = ig.Graph(n=len(ids), edges=np.column_stack([src, dst]).tolist())
    seen = np.zeros(len(ids), dtype=bool)
    out: list[int] = []
    for seed in order.tolist():
        if seen[seed]:
            continue
        for v in g.bfs(seed)[0]:
            if not seen[v]:
                seen[v] = True
                out.append(v)
                if len(out) == n:
                    return np.array(out)
    return np.array(out)


def graph_edges(con: duckdb.DuckDBPyConnection, nodes: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """Fused edges among the sampled nodes, with their dominant signal."""
    tbl = pa.table({
        "network_id": pa.array([n for n, ms in nodes.items() for _ in ms], pa.string()),
        "account_id": pa.array([str(m["account_id"]) for ms in nodes.values() for m in ms], pa.string()),
    })
    register(con, "rep_gn", tbl)
    try:
        found = rows(con, """
            WITH half AS MATERIALIZED (
              SELECT a.network_id, e.src, e.dst, e.weight, e.signal_weights
              FROM edges e JOIN rep_gn a ON e.src = a.account_id)
            SELECT h.* FROM half h JOIN rep_gn b ON h.dst = b.account_id AND h.network_id = b.network_id""")
        if not found:  # no fused graph yet: fall back to the per-signal edges
            found = rows(con, """
                WITH half AS MATERIALIZED (
                  SELECT a.network_id, e.src, e.dst, e.weight, MAP([e.signal], [e.weight]) AS signal_weights
                  FROM signal_edges e JOIN rep_gn a ON e.src = a.account_id)
                SELECT h.* FROM half h JOIN rep_gn b ON h.dst = b.account_id AND h.network_id = b.network_id""")
    finally:
        con.complete()
        con.unregister("rep_gn")
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in found:
        sw = r.pop("signal_weights") or {}
        r["signal"] = max(sw.items(), key=lambda kv: (kv[1] or 0.0, kv[0]))[0] if sw else "fused"
        out[str(r.pop("network_id"))].append(r)
    return dict(out)


def graph_figure(nodes: list[dict[str, Any]], edges: list[dict[str, Any]], total: int, seed: int = 1) -> dict[str, Any]:
    """A plotly spec: one line trace per signal, one marker trace per role; hover text HTML-escaped."""
    index = {str(n["account_id"]): i for i, n in enumerate(nodes)}
    g = ig.Graph(n=len(nodes), edges=[(index[e["src"]], index[e["dst"]]) for e in edges
                                      if e["src"] in index and e["dst"] in index])
    coords = layout(g, seed)
    traces: list[dict[str, Any]] = []
    by_signal: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in edges:
        by_signal[str(e["signal"])].append(e)
    for sig in sorted(by_signal):
        xs: list[float | None] = []
        ys: list[float | None] = []
        for e in by_signal[sig]:
            a, b = index[e["src"]], index[e["dst"]]
            xs += [coords[a][0], coords[b][0], None]
            ys += [coords[a][1], coords[b][1], None]
        traces.append({"type": "scatter", "mode": "lines", "name": f"edge: {html.escape(show(sig, 40))}", "x": xs, "y": ys,
                       "hoverinfo": "skip", "line": {"width": 0.7, "color": colour_for(sig, SIGNAL_COLOURS)},
                       "opacity": 0.55})
    by_role: dict[str, list[int]] = defaultdict(list)
    for i, n in enumerate(nodes):
        by_role[str(n.get("role") or "member")].append(i)
    degree = g.degree() if len(nodes) else []
    for role in sorted(by_role):
        idx = by_role[role]
        text = [hover_text(nodes[i]) + f"<br>links drawn {degree[i]}" for i in idx]
        traces.append({"type": "scatter", "mode": "markers", "name": f"account: {html.escape(show(role, 40))}",
                       "x": [coords[i][0] for i in idx], "y": [coords[i][1] for i in idx],
                       "text": text, "hoverinfo": "text",
                       "marker": {"size": [round(min(18.0, 5 + 1.5 * degree[i] ** 0.5), 1) for i in idx],
                                  "color": colour_for(role, ROLE_COLOURS),
                                  "line": {"width": 0.5, "color": "#ffffff"}}})
    note = f"{len(nodes):,} of {total:,} accounts, sampled" if total > len(nodes) else f"all {total:,} accounts"
    return {"data": traces, "layout": {
        "height": 520, "showlegend": True, "hovermode": "closest",
        "xaxis": {"visible": False}, "yaxis": {"visible": False, "scaleanchor": "x"},
        "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
        "title": {"text": f"Network graph ({note}; {len(edges):,} edges)", "font": {"size": 13}},
        "legend": {"orientation": "h", "y": -0.02}}}


def layout(g: ig.Graph, seed: int = 1) -> list[list[float]]:
    """Fruchterman-Reingold positions of the linked accounts; unlinked ones on a ring around them
    (left to the force layout they fly far out and shrink the rest into a dot)."""
    import math
    import random

    n = g.vcount()
    coords = [[0.0, 0.0] for _ in range(n)]
    linked = [v for v in range(n) if g.degree(v) > 0]
    alone = [v for v in range(n) if g.degree(v) == 0]
    radius = 1.0
    if linked:
        random.seed(seed)
        sub = g.induced_subgraph(linked)
        pos = sub.layout_fruchterman_reingold(niter=300).coords
        cx = sum(p[0] for p in pos) / len(pos)
        cy = sum(p[1] for p in pos) / len(pos)
        for v, (x, y) in zip(linked, pos, strict=True):
            coords[v] = [x - cx, y - cy]
        radius = max(1.0, max(math.hypot(x - cx, y - cy) for x, y in pos))
    for k, v in enumerate(alone):
        angle = 2 * math.pi * k / len(alone)
        coords[v] = [1.15 * radius * math.cos(angle), 1.15 * radius * math.sin(angle)]
    return coords


def hover_text(node: dict[str, Any]) -> str:
    """Plotly renders a subset of HTML in hover text, so data is escaped before it gets there."""
    handle = show(node.get("handle") or node["account_id"], 80)
    return (f"@{html.escape(handle)}<br>id {html.escape(show(node['account_id'], 80))}"
            f"<br>role {html.escape(show(node.get('role'), 40))}"
            f"<br>followers {node.get('followers') if node.get('followers') is not None else '?'}")


def edge_examples(con: duckdb.DuckDBPyConnection, per_signal: int = 3, posts_per_edge: int = 3
                  ) -> dict[str, list[dict[str, Any]]]:
    """The strongest edges of each signal inside each network, with the posts behind them."""
    found = rows(con, f"""
        WITH half AS MATERIALIZED (  -- joined one endpoint at a time: never members x members
          SELECT a.network_id, e.* FROM signal_edges e JOIN {MEMBERS_VIEW} a ON e.src = a.account_id),
        inside AS MATERIALIZED (
          SELECT h.* FROM half h JOIN {MEMBERS_VIEW} b ON h.dst = b.account_id AND h.network_id = b.network_id
          QUALIFY row_number() OVER (PARTITION BY h.network_id, h.signal
                                     ORDER BY h.weight DESC, h.src, h.dst) <= ?)
        SELECT e.network_id, e.signal, e.src, e.dst, e.weight, e.n_events, e.evidence[1:?] AS evidence,
               len(e.evidence) AS n_evidence, sa.handle AS src_handle, da.handle AS dst_handle
        FROM inside e
        LEFT JOIN accounts sa ON sa.account_id = e.src
        LEFT JOIN accounts da ON da.account_id = e.dst
        ORDER BY e.network_id, e.signal, e.weight DESC, e.src, e.dst""", [per_signal, posts_per_edge])
    ids = sorted({p for r in found for p in (r["evidence"] or [])})
    register(con, "rep_ev", pa.table({"post_id": pa.array(ids, pa.string())}))
    try:
        posts = {str(r["post_id"]): r for r in rows(con, """
            SELECT p.post_id, p.account_id, a.handle, p.created_at, p.kind, p.text
            FROM posts p SEMI JOIN rep_ev USING (post_id) LEFT JOIN accounts a USING (account_id)""")}
    finally:
        con.complete()
        con.unregister("rep_ev")
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in found:
        r["posts"] = [posts.get(str(p), {"post_id": p, "text": None}) for p in (r["evidence"] or [])]
        out[str(r.pop("network_id"))].append(r)
    return dict(out)
