from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import igraph
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from test_export_case import BIG, FLAGGED, NETWORK_OF, build_case

from infoops.cli import build
from infoops.errors import InfoopsError
from infoops.export.graph import GEXF_NS, NODE_ATTRS, export_graph
from infoops.export.safety import xml_text
from infoops.store import Case

XSD = Path(__file__).resolve().parent / "fixtures" / "gexf" / "gexf-1.3-static.xsd"
G = f"{{{GEXF_NS}}}"
HOSTILE_HANDLE = "\x00\x07bell\x1b<script>alert(1)</script>\ufffe" + BIG


@pytest.fixture
def export_case() -> Iterator[Case]:
    case = build_case(Case.memory())
    yield case
    case.close()


def gexf_nodes(path: Path) -> dict[str, dict[str, str]]:
    doc = etree.parse(str(path))
    titles = {a.get("id"): a.get("title") for a in doc.iter(f"{G}attribute")}
    return {
        n.get("id"): {titles[v.get("for")]: v.get("value") for v in n.iter(f"{G}attvalue")}
        for n in doc.iter(f"{G}node")
    }


def gexf_edges(path: Path) -> set[tuple[str, str]]:
    doc = etree.parse(str(path))
    return {(e.get("source"), e.get("target")) for e in doc.iter(f"{G}edge")}


def db_edges(case: Case, within: bool) -> set[tuple[str, str]]:
    rows = case.con.execute("SELECT src, dst FROM edges").fetchall()
    return {(s, d) for s, d in rows if not within or NETWORK_OF.get(s) == NETWORK_OF.get(d)}


def test_gexf_is_valid_and_has_every_member(export_case: Case, tmp_path: Path) -> None:
    out = tmp_path / "g.gexf"
    counts = export_graph(export_case, out)
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    assert schema.validate(etree.parse(str(out))), schema.error_log
    nodes = gexf_nodes(out)
    assert set(nodes) == set(NETWORK_OF)
    assert {a: n["network_id"] for a, n in nodes.items()} == NETWORK_OF
    assert {a for a, n in nodes.items() if n["flagged"] == "true"} == FLAGGED
    assert gexf_edges(out) == db_edges(export_case, within=True)
    assert counts == {"nodes": len(NETWORK_OF), "edges": len(db_edges(export_case, within=True))}


def test_xsd_rejects_a_dangling_edge(export_case: Case, tmp_path: Path) -> None:
    out = tmp_path / "g.gexf"
    export_graph(export_case, out)
    broken = out.read_bytes().replace(b'source="1001"', b'source="no-such-node"', 1)
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    assert not schema.validate(etree.fromstring(broken))


def test_edge_attributes_carry_each_signal_weight(export_case: Case, tmp_path: Path) -> None:
    out = tmp_path / "g.gexf"
    export_graph(export_case, out)
    doc = etree.parse(str(out))
    edge_attrs = {a.get("id"): a.get("title") for a in doc.iter(f"{G}attributes")
                  if a.get("class") == "edge" for a in a.iter(f"{G}attribute")}
    expected = {(s, d): (w, dict(m)) for s, d, w, m in export_case.con.execute(
        "SELECT src, dst, weight, signal_weights FROM edges").fetchall()}
    for e in doc.iter(f"{G}edge"):
        weight, signals = expected[(e.get("source"), e.get("target"))]
        assert float(e.get("weight")) == weight
        got = {edge_attrs[v.get("for")]: float(v.get("value")) for v in e.iter(f"{G}attvalue")}
        assert got == signals


def test_all_edges_adds_cross_network_edges(export_case: Case, tmp_path: Path) -> None:
    out = tmp_path / "g.gexf"
    export_graph(export_case, out, all_edges=True)
    assert gexf_edges(out) == db_edges(export_case, within=False)
    assert db_edges(export_case, within=False) > db_edges(export_case, within=True)


def test_one_network(export_case: Case, tmp_path: Path) -> None:
    out = tmp_path / "g.gexf"
    export_graph(export_case, out, network="net-2")
    assert set(gexf_nodes(out)) == {a for a, n in NETWORK_OF.items() if n == "net-2"}
    with pytest.raises(InfoopsError):
        export_graph(export_case, tmp_path / "x.gexf", network="no-such-network")


def test_hostile_handle_is_inert_text(export_case: Case, tmp_path: Path) -> None:
    export_case.con.execute("UPDATE accounts SET handle = ? WHERE account_id = '1001'", [HOSTILE_HANDLE])
    for name in ("g.gexf", "g.graphml"):
        out = tmp_path / name
        export_graph(export_case, out)
        doc = etree.parse(str(out), etree.XMLParser(huge_tree=True))
        assert not [el for el in doc.iter() if etree.QName(el).localname == "script"]
        values = [v for el in doc.iter() for v in [*el.attrib.values(), el.text or ""]]
        assert "bell<script>alert(1)</script>" + BIG in values


def test_graphml_reads_back_in_igraph(export_case: Case, tmp_path: Path) -> None:
    out = tmp_path / "g.graphml"
    counts = export_graph(export_case, out)
    g = igraph.Graph.Read_GraphML(str(out))
    assert g.vcount() == counts["nodes"] == len(NETWORK_OF)
    assert g.ecount() == counts["edges"]
    assert {name for name, *_ in NODE_ATTRS} <= set(g.vs.attributes())
    assert {"weight", "co_repost", "co_text"} <= set(g.es.attributes())
    by_id = {v["id"]: v for v in g.vs}
    assert by_id["1003"]["followers"] == 250_000
    assert by_id["1001"]["role"] == "core"


def test_suffix_decides_format(export_case: Case, tmp_path: Path) -> None:
    with pytest.raises(InfoopsError):
        export_graph(export_case, tmp_path / "g.png")


def test_cli(tmp_path: Path) -> None:
    case_dir = tmp_path / "case"
    with Case.open(case_dir) as case:
        build_case(case)
    out = tmp_path / "net.gexf"
    args = ["export", "graph", "--case", str(case_dir), "-o", str(out), "--network", "net-1"]
    result = CliRunner().invoke(build(), args)
    assert result.exit_code == 0, result.output
    assert set(gexf_nodes(out)) == FLAGGED


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(handle=st.text(min_size=1, max_size=60), account=st.text(min_size=1, max_size=20))
def test_any_text_round_trips_through_both_formats(tmp_path: Path, handle: str, account: str) -> None:
    case = build_case(Case.memory())
    try:
        case.con.execute("UPDATE accounts SET handle = ? WHERE account_id = '1002'", [handle])
        case.con.execute("UPDATE accounts SET account_id = ? WHERE account_id = '1001'", [account])
        case.con.execute("UPDATE memberships SET account_id = ? WHERE account_id = '1001'", [account])
        case.con.execute("UPDATE edges SET src = ? WHERE src = '1001'", [account])
        case.con.execute("UPDATE edges SET dst = ? WHERE dst = '1001'", [account])
        for name in ("g.gexf", "g.graphml"):
            out = tmp_path / name
            export_graph(case, out)
            doc = etree.parse(str(out))
            ns = G if name.endswith("gexf") else "{http://graphml.graphdrawing.org/xmlns}"
            ids = {n.get("id") for n in doc.iter(f"{ns}node")}
            assert xml_text(account) in ids
            ends = {e.get("source") for e in doc.iter(f"{ns}edge")} | {e.get("target") for e in doc.iter(f"{ns}edge")}
            assert xml_text(account) in ends
            values = {v for el in doc.iter() for v in [*el.attrib.values(), el.text or ""]}
            if xml_text(handle):
                assert xml_text(handle) in values
    finally:
        case.close()
