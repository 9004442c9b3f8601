"""The report's hostile demo case through the exports: hostile names, bios, handles and reasons
stay inert text in the takedown CSV and in the GEXF / GraphML graph files."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from infoops.cli import build
from infoops.report.demo import HOSTILE, DemoSizes, build_demo_case
from infoops.store import Case

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(scope="module")
def hostile_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    case_dir = tmp_path_factory.mktemp("hostile") / "case"
    with Case.open(case_dir) as case:
        build_demo_case(case, DemoSizes(op_core=20, op_amplifiers=40, fandom=10, background=30, posts_per_account=3))
    return case_dir


def test_takedown_csv_neutralises_formulas_and_keeps_text(hostile_case: Path, tmp_path: Path) -> None:
    out = tmp_path / "takedown.csv"
    result = CliRunner().invoke(build(), ["export", "takedown", "--case", str(hostile_case), "-o", str(out)])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert len(rows) > 1
    cells = [c for r in rows[1:] for c in r]
    assert not [c for c in cells if c.startswith(FORMULA_START)]
    text = "\n".join(cells)
    # the reason planted on the operation network is there, as text
    assert '"><img src=x onerror=' in text


@pytest.mark.parametrize("suffix", [".gexf", ".graphml"])
def test_graph_exports_parse_and_hold_hostile_text_as_text(hostile_case: Path, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"graph{suffix}"
    result = CliRunner().invoke(build(), ["export", "graph", "--case", str(hostile_case), "-o", str(out)])
    assert result.exit_code == 0, result.output
    tree = etree.parse(str(out), etree.XMLParser(resolve_entities=False, no_network=True))
    # no element came from the data: only the format's own vocabulary
    local = {etree.QName(el).localname for el in tree.iter() if isinstance(el.tag, str)}
    assert not local & {"script", "img", "a", "iframe"}
    values = " ".join(v for el in tree.iter() if isinstance(el.tag, str)
                      for v in [*(el.attrib.values()), el.text or ""])
    assert any(h in values for h in HOSTILE[:3])
