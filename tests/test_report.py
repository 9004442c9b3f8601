"""The self-contained evidence report: content, safety with hostile text, sampling, CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import lxml.html
import pytest
from click.testing import CliRunner

from infoops.cli import build
from infoops.errors import NothingDetected
from infoops.report import build_report
from infoops.report.demo import HOSTILE, LONG_HOSTILE, DemoSizes, build_demo_case
from infoops.store import Case

SMALL = DemoSizes(op_core=20, op_amplifiers=60, fandom=20, background=120, posts_per_account=4)


@pytest.fixture(scope="module")
def report_html(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    case = Case.open(tmp_path_factory.mktemp("rep") / "case")
    build_demo_case(case, SMALL)
    out = build_report(case)
    case.close()
    return out, out.read_text(encoding="utf-8")


def test_written_to_case_folder_by_default(report_html: tuple[Path, str]) -> None:
    path, _ = report_html
    assert path.name == "report.html" and path.parent.name == "case"


def test_loads_nothing_from_outside(report_html: tuple[Path, str]) -> None:
    _, text = report_html
    doc = lxml.html.fromstring(text)
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        for attr in ("src", "href", "data", "action", "srcset", "poster", "background"):
            value = el.get(attr)
            assert value is None or value.startswith("#"), (el.tag, attr, value)
    assert not doc.xpath("//link|//iframe|//object|//embed|//img|//base")
    csp = doc.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")
    assert csp and "default-src 'none'" in csp[0] and "connect-src 'none'" in csp[0]


def test_hostile_text_is_inert(report_html: tuple[Path, str]) -> None:
    _, text = report_html
    doc = lxml.html.fromstring(text)
    # no element or event handler was injected by the data
    assert not [el for el in doc.iter() if isinstance(el.tag, str) and any(a.startswith("on") for a in el.attrib)]
    scripts = doc.xpath("//script")
    assert all(s.get("type") in (None, "application/json") for s in scripts)
    assert sum(1 for s in scripts if s.get("type") is None) == 2  # plotly + the report's own script
    body_text = doc.text_content()
    # the hostile strings are shown as text (bidi overrides made visible)
    assert "<script>window.__pwned=1;alert('xss')</script>" in body_text
    assert '"><img src=x onerror="window.__pwned=1;alert(1)">' in body_text
    assert "[U+202E]gnp.exe[U+202C]" in body_text
    assert "\u202e" not in body_text
    # 100 KB strings are cut, and say how long they were
    assert "A" * 1000 not in text
    assert f"[{len(LONG_HOSTILE):,} characters in all]" in body_text


def test_chart_data_blocks_cannot_break_out(report_html: tuple[Path, str]) -> None:
    _, text = report_html
    blocks = re.findall(r'<script type="application/json" id="spec-(fig\d+)">(.*?)</script>', text, re.S)
    assert len(blocks) >= 10
    for _fid, body in blocks:
        assert "<" not in body and ">" not in body and "\u2028" not in body
        spec = json.loads(body)
        assert spec["data"] and "layout" in spec
    charts = set(re.findall(r'class="chart[^"]*" data-fig="(fig\d+)"', text))
    assert charts == {fid for fid, _ in blocks}


def test_operation_is_described(report_html: tuple[Path, str]) -> None:
    _, text = report_html
    doc = lxml.html.fromstring(text)
    sections = doc.xpath("//section[contains(@class, 'network')]")
    assert len(sections) == 2
    first, second = (s.text_content() for s in sections)
    assert "N1" in first and "inauthentic" in first and "N2" in second
    # the planted operation posts 09-18 Beijing time and was created on five days
    assert "UTC+8" in first
    assert "created on 5 distinct days" in first
    assert "prior/prior_users.csv" in first
    # multilingual hashtags, domains and topic terms survive intact
    for token in ("香港", "спутник", "akparti", "news.cn", "sabah.com.tr"):
        assert token in first
    assert "UTC+8" not in second


def test_chinese_russian_turkish_text_kept(report_html: tuple[Path, str]) -> None:
    _, text = report_html
    body = lxml.html.fromstring(text).text_content()
    assert re.search(r"[\u4e00-\u9fff]{4,}", body)
    assert re.search(r"[А-Яа-яё]{5,}", body)
    assert re.search(r"[çğıöşüÇĞİÖŞÜ]", body)


def test_graph_is_sampled_from_the_most_central_along_links(tmp_path: Path) -> None:
    case = Case.open(tmp_path / "case")
    build_demo_case(case, DemoSizes(op_core=30, op_amplifiers=170, fandom=10, background=20, posts_per_account=2),
                    hostile=False)
    out = build_report(case, tmp_path / "r.html", sample_accounts=25, max_networks=1)
    top = case.con.execute(
        "SELECT account_id FROM memberships WHERE network_id = 'N1' ORDER BY centrality DESC LIMIT 1").fetchall()
    text = out.read_text(encoding="utf-8")
    specs = [json.loads(b) for b in re.findall(r'<script type="application/json" id="spec-fig\d+">(.*?)</script>',
                                               text, re.S)]
    graph = [s for s in specs if s["layout"].get("title", {}).get("text", "").startswith("Network graph")]
    assert len(graph) == 1
    markers = [t for t in graph[0]["data"] if t["mode"] == "markers"]
    ids = {re.search(r"id (\d+)", h).group(1) for t in markers for h in t["text"]}  # type: ignore[union-attr]
    assert len(ids) == 25 and top[0][0] in ids
    # the sample is connected: breadth-first from the hub, so 25 accounts carry at least 24 links
    case.con.register("picked", __import__("pyarrow").table({"a": sorted(ids)}))
    links = case.con.execute("SELECT count(*) FROM edges WHERE src IN (SELECT a FROM picked) "
                             "AND dst IN (SELECT a FROM picked)").fetchall()[0][0]
    case.close()
    assert links >= 24
    line_points = sum(len(t["x"]) for t in graph[0]["data"] if t["mode"] == "lines")
    assert line_points == 3 * links  # every link among the sampled accounts is drawn (x0, x1, gap)
    assert "25 of 200 accounts, sampled" in text
    assert text.count('class="network"') == 1


def test_no_networks_is_a_named_error(fresh_case: Case, tmp_path: Path) -> None:
    with pytest.raises(NothingDetected):
        build_report(fresh_case, tmp_path / "r.html")


def test_cli_writes_report_and_records_run(tmp_path: Path) -> None:
    case_dir = tmp_path / "case"
    with Case.open(case_dir) as case:
        build_demo_case(case, SMALL, hostile=False)
    result = CliRunner().invoke(build(), ["report", "--case", str(case_dir), "--max-networks", "1",
                                          "-o", str(tmp_path / "out.html")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out.html").stat().st_size > 1_000_000
    with Case.open(case_dir, read_only=True) as case:
        row = case.con.execute("SELECT params, counts, status FROM runs WHERE command = 'report'").fetchall()
    assert len(row) == 1
    params, counts, status = json.loads(row[0][0]), json.loads(row[0][1]), row[0][2]
    assert status == "ok" and params["max_networks"] == 1
    assert counts["bytes"] == (tmp_path / "out.html").stat().st_size


def test_cli_error_without_detection(tmp_path: Path) -> None:
    Case.open(tmp_path / "case").close()
    result = CliRunner().invoke(build(), ["report", "--case", str(tmp_path / "case")])
    assert result.exit_code == 1
    assert "infoops detect" in result.output and "Traceback" not in result.output


def test_hostile_constants_cover_the_issue() -> None:
    joined = " ".join(HOSTILE)
    for needle in ("<script>", "onerror=", "javascript:", "\u202e"):
        assert needle in joined
    assert len(LONG_HOSTILE) >= 100_000


def test_analyst_decision_is_shown(tmp_path: Path) -> None:
    case = Case.open(tmp_path / "case")
    build_demo_case(case, SMALL, hostile=False)
    case.con.execute("INSERT INTO decisions VALUES ('N1', 'reject', 'old', 'first look', '2020-01-01'), "
                     "('N1', 'confirm', 'ana', ?, '2020-02-01')", [HOSTILE[0]])
    out = build_report(case, tmp_path / "r.html")
    case.close()
    doc = lxml.html.fromstring(out.read_text(encoding="utf-8"))
    sec = doc.xpath("//section[contains(@class, 'network')]")[0].text_content()
    assert "Analyst decision: confirm by ana" in sec and HOSTILE[0] in sec and "reject" not in sec
    overview = doc.xpath("//section[@id='networks']")[0].text_content()
    assert "confirm" in overview and "not reviewed" in overview


def test_sparse_case_still_reports(fresh_case: Case, tmp_path: Path) -> None:
    """Networks and members only: no posts, no profiles, no edges, no attribution yet."""
    con = fresh_case.con
    con.execute("INSERT INTO networks (run_id, network_id, size) VALUES ('r1', 'A', 2)")
    con.execute("INSERT INTO memberships (run_id, network_id, account_id) VALUES ('r1', 'A', 'x'), ('r1', 'A', 'y')")
    out = build_report(fresh_case, tmp_path / "r.html")
    doc = lxml.html.fromstring(out.read_text(encoding="utf-8"))
    sections = doc.xpath("//section[contains(@class, 'network')]")
    assert len(sections) == 1 and "unlabelled" in sections[0].text_content()
    assert "Too little text for topics" in sections[0].text_content()
