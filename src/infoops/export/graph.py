"""The coordination graph as GEXF 1.3 or GraphML, streamed row by row for big graphs.

Nodes are the members of the detected networks (or of one network), with
network_id, network_label, role, score, centrality, followers, following,
created_at and handle. Edges are the fused edges between members of the same
network (every fused edge touching the nodes with `all_edges=True`), with the
fused weight and one attribute per signal. Header elements are built with lxml;
nodes and edges are written as text through `infoops.export.safety.xml_attr` /
`xml_escape` (quotes, markup characters and whitespace escaped, characters XML
1.0 cannot carry removed), which is several times faster than building an lxml
element per node.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal, TextIO

import duckdb
from lxml import etree

from infoops.export._common import ExportError, prepare_output, require_detection, result_run_id
from infoops.export.safety import xml_attr as attr
from infoops.export.safety import xml_escape as text
from infoops.export.safety import xml_text
from infoops.registry import exports
from infoops.store import Case

GraphFormat = Literal["gexf", "graphml"]
GEXF_NS = "http://gexf.net/1.3"
GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
BATCH = 20_000

# name, GEXF type, GraphML type
NODE_ATTRS: tuple[tuple[str, str, str], ...] = (
    ("network_id", "string", "string"),
    ("network_label", "string", "string"),
    ("role", "string", "string"),
    ("score", "double", "double"),
    ("centrality", "double", "double"),
    ("followers", "long", "long"),
    ("following", "long", "long"),
    ("created_at", "string", "string"),
    ("handle", "string", "string"),
    ("flagged", "boolean", "boolean"),
)

_NODES_SQL = """
WITH m AS (
  SELECT m.account_id, m.network_id, n.label AS network_label, m.role, m.score, m.centrality
  FROM memberships m JOIN networks n ON n.run_id = m.run_id AND n.network_id = m.network_id
  WHERE m.run_id = $run_id AND ($network IS NULL OR m.network_id = $network)
  QUALIFY row_number() OVER (PARTITION BY m.account_id ORDER BY m.score DESC NULLS LAST, m.network_id) = 1
),
extra AS (
  SELECT DISTINCT unnest([e.src, e.dst]) AS account_id
  FROM edges e WHERE $all_edges AND e.run_id = $run_id
    AND (e.src IN (SELECT account_id FROM m) OR e.dst IN (SELECT account_id FROM m))
),
ids AS (SELECT account_id FROM m UNION SELECT account_id FROM extra)
SELECT ids.account_id, m.network_id, m.network_label, m.role, m.score, m.centrality,
       a.followers, a.following, strftime(a.created_at, '%Y-%m-%dT%H:%M:%S') AS created_at, a.handle,
       coalesce(m.network_label = 'inauthentic', false) AS flagged
FROM ids LEFT JOIN m USING (account_id)
LEFT JOIN (SELECT * FROM accounts QUALIFY row_number() OVER (PARTITION BY account_id) = 1) a
       ON a.account_id = ids.account_id
ORDER BY m.network_id NULLS LAST, ids.account_id
"""

_EDGES_SQL = """
SELECT e.src, e.dst, e.weight, e.signal_weights
FROM edges e
JOIN _graph_nodes s ON s.account_id = e.src
JOIN _graph_nodes d ON d.account_id = e.dst
WHERE e.run_id = $run_id AND ($all_edges OR (s.network_id IS NOT NULL AND s.network_id = d.network_id))
ORDER BY e.src, e.dst
"""


def infer_format(out: Path) -> GraphFormat:
    suffix = out.suffix.lower()
    if suffix == ".gexf":
        return "gexf"
    if suffix in (".graphml", ".xml"):
        return "graphml"
    raise ExportError(f"{out}: cannot tell the graph format from '{suffix}' (use .gexf or .graphml)")


def _rows(rel: duckdb.DuckDBPyRelation) -> Iterator[dict[str, Any]]:
    reader = rel.to_arrow_reader(BATCH)
    for batch in reader:
        yield from batch.to_pylist()


def _signals(con: duckdb.DuckDBPyConnection, run_id: str | None) -> list[str]:
    rows = con.execute(
        "SELECT DISTINCT unnest(map_keys(signal_weights)) AS s FROM edges WHERE run_id = ? ORDER BY s", [run_id]
    ).fetchall()
    return [str(r[0]) for r in rows]


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    return xml_text(v)


def _label(node: dict[str, Any]) -> str:
    return xml_text(node.get("handle") or node["account_id"])


def _signal_map(value: Any) -> dict[str, float]:
    if value is None:
        return {}
    if isinstance(value, dict):
        return {str(k): float(v) for k, v in value.items() if v is not None}
    return {str(k): float(v) for k, v in value if v is not None}


def _open(out: Path) -> TextIO:
    return out.open("w", encoding="utf-8", newline="\n", buffering=1 << 20)


def _xml(el: etree._Element) -> str:
    """A small header element serialised by lxml (namespaces come from the root we write)."""
    return etree.tostring(el, encoding="unicode")


def _gexf_header(signals: dict[str, str]) -> str:
    node_attrs = etree.Element("attributes", {"class": "node", "mode": "static"})
    for i, (name, gtype, _) in enumerate(NODE_ATTRS):
        etree.SubElement(node_attrs, "attribute", id=f"n{i}", title=name, type=gtype)
    edge_attrs = etree.Element("attributes", {"class": "edge", "mode": "static"})
    for s, sid in signals.items():
        etree.SubElement(edge_attrs, "attribute", id=sid, title=xml_text(s), type="double")
    return (
        "<?xml version='1.0' encoding='utf-8'?>\n"
        f'<gexf xmlns="{GEXF_NS}" version="1.3">\n'
        "<meta><creator>infoops</creator>"
        "<description>coordination networks (nodes: accounts; edges: fused co-action)</description></meta>\n"
        '<graph defaultedgetype="undirected" mode="static">\n'
        f"{_xml(node_attrs)}\n{_xml(edge_attrs)}\n"
    )


def _write_gexf(out: Path, nodes: Iterator[dict[str, Any]], edges: Iterator[dict[str, Any]],
                signals: list[str], counts: dict[str, int]) -> None:
    sig_ids = {s: f"s{i}" for i, s in enumerate(signals)}
    with _open(out) as fh:
        fh.write(_gexf_header(sig_ids))
        fh.write("<nodes>\n")
        for node in nodes:
            vals = "".join(f'<attvalue for="n{i}" value={attr(_value(node[name]))}/>'
                           for i, (name, _, _) in enumerate(NODE_ATTRS) if node.get(name) is not None)
            fh.write(f"<node id={attr(node['account_id'])} label={attr(_label(node))}>"
                     f"<attvalues>{vals}</attvalues></node>\n")
            counts["nodes"] += 1
        fh.write("</nodes>\n<edges>\n")
        for edge in edges:
            vals = "".join(f'<attvalue for="{sig_ids[s]}" value="{w!r}"/>'
                           for s, w in _signal_map(edge["signal_weights"]).items())
            fh.write(f'<edge id="e{counts["edges"]}" source={attr(edge["src"])} target={attr(edge["dst"])} '
                     f'weight="{float(edge["weight"] or 0.0)!r}"><attvalues>{vals}</attvalues></edge>\n')
            counts["edges"] += 1
        fh.write("</edges>\n</graph>\n</gexf>\n")


def _write_graphml(out: Path, nodes: Iterator[dict[str, Any]], edges: Iterator[dict[str, Any]],
                   signals: list[str], counts: dict[str, int]) -> None:
    sig_ids = {s: f"s{i}" for i, s in enumerate(signals)}
    keys = [etree.Element("key", {"id": f"n{i}", "for": "node", "attr.name": name, "attr.type": mltype})
            for i, (name, _, mltype) in enumerate(NODE_ATTRS)]
    keys.append(etree.Element("key", {"id": "weight", "for": "edge", "attr.name": "weight", "attr.type": "double"}))
    keys += [etree.Element("key", {"id": sid, "for": "edge", "attr.name": xml_text(s), "attr.type": "double"})
             for s, sid in sig_ids.items()]
    with _open(out) as fh:
        fh.write(f"<?xml version='1.0' encoding='utf-8'?>\n<graphml xmlns=\"{GRAPHML_NS}\">\n")
        fh.write("".join(_xml(k) + "\n" for k in keys))
        fh.write('<graph id="infoops" edgedefault="undirected">\n')
        for node in nodes:
            data = "".join(f'<data key="n{i}">{text(_value(node[name]))}</data>'
                           for i, (name, _, _) in enumerate(NODE_ATTRS) if node.get(name) is not None)
            fh.write(f"<node id={attr(node['account_id'])}>{data}</node>\n")
            counts["nodes"] += 1
        for edge in edges:
            data = "".join(f'<data key="{sig_ids[s]}">{w!r}</data>'
                           for s, w in _signal_map(edge["signal_weights"]).items())
            fh.write(f'<edge id="e{counts["edges"]}" source={attr(edge["src"])} target={attr(edge["dst"])}>'
                     f'<data key="weight">{float(edge["weight"] or 0.0)!r}</data>{data}</edge>\n')
            counts["edges"] += 1
        fh.write("</graph>\n</graphml>\n")


def write_graph(case: Case, out: Path, fmt: GraphFormat, network: str | None = None,
                all_edges: bool = False) -> dict[str, int]:
    """Write the graph; returns node and edge counts."""
    con = case.con
    require_detection(con)
    run_id = result_run_id(con)
    params = {"run_id": run_id, "network": network, "all_edges": all_edges}
    node_table = con.sql(_NODES_SQL, params=params).to_arrow_table()
    if network is not None and node_table.num_rows == 0:
        raise ExportError(f"network {network!r} is not in the case's latest results")
    con.register("_graph_nodes", node_table)
    try:
        edges = con.sql(_EDGES_SQL, params={"run_id": run_id, "all_edges": all_edges})
        counts = {"nodes": 0, "edges": 0}
        writer = _write_gexf if fmt == "gexf" else _write_graphml
        nodes = (row for batch in node_table.to_batches(BATCH) for row in batch.to_pylist())
        writer(prepare_output(out), nodes, _rows(edges), _signals(con, run_id), counts)
    finally:
        con.unregister("_graph_nodes")
    return counts


def export_graph(case: Case, out: Path, format: GraphFormat | None = None, network: str | None = None,
                 all_edges: bool = False) -> dict[str, int]:
    """Write the coordination graph to `out` (.gexf or .graphml); returns counts."""
    out = Path(out)
    fmt = format or infer_format(out)
    params = {"output": str(out), "format": fmt, "network": network, "all_edges": all_edges}
    with case.run("export graph", params) as rec:
        rec.counts = write_graph(case, out, fmt, network=network, all_edges=all_edges)
    return dict(rec.counts)


exports.register("graph")(export_graph)
