"""The report of a simulated platform after ingest, detect and attribute (the real pipeline)."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import lxml.html
import pytest

from infoops.export.pipeline import run_pipeline
from infoops.store import Case

simulate = pytest.importorskip("infoops.simulate")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("simrep")
    simulate.simulate(root / "platform", simulate.build_params(scale=0.02, seed=3))
    run_pipeline(root / "case", [root / "platform" / "archive"], [root / "platform" / "prior"], progress=False)
    return root / "platform", root / "case"


def _sections(html_text: str) -> dict[str, lxml.html.HtmlElement]:
    doc = lxml.html.fromstring(html_text)
    out = {}
    for sec in doc.xpath("//section[contains(@class, 'network')]"):
        title = sec.xpath(".//h2")[0].text_content()
        out[re.sub(r"^Network\s+", "", title).split()[0]] = sec
    return out


def test_every_reported_network_matches_the_case(simulated: tuple[Path, Path]) -> None:
    _, case_dir = simulated
    text = (case_dir / "report.html").read_text(encoding="utf-8")
    with Case.open(case_dir, read_only=True) as case:
        from infoops.attribute.flagged import flagged_accounts, latest_attributed_run

        run_id = latest_attributed_run(case.con)
        nets = case.con.execute("SELECT network_id, size, label FROM networks WHERE run_id = ? "
                                "ORDER BY (label = 'inauthentic') DESC, score DESC, size DESC",
                                [run_id]).fetchall()
        flagged = flagged_accounts(case.con).aggregate("count(*)").fetchall()[0][0]
    assert nets, "the simulated case should yield networks"
    sections = _sections(text)
    shown = nets[:20]
    assert list(sections) == [str(n[0]) for n in shown]
    for nid, size, label in shown:
        body = sections[str(nid)].text_content()
        assert f"{size:,}" in body and str(label) in body
    cover = lxml.html.fromstring(text).xpath("//header[@class='cover']")[0].text_content()
    assert f"{flagged:,}" in cover


def test_the_chinese_operation_shows_beijing_office_hours(simulated: tuple[Path, Path]) -> None:
    platform, case_dir = simulated
    with (platform / "truth.csv").open(encoding="utf-8") as fh:
        cn = {r["account_id"] for r in csv.DictReader(fh) if r["campaign"] == "cn_2020"}
    with Case.open(case_dir, read_only=True) as case:
        from infoops.attribute.flagged import latest_attributed_run

        rows = case.con.execute("SELECT network_id, account_id FROM memberships WHERE run_id = ?",
                                [latest_attributed_run(case.con)]).fetchall()
    per_net = Counter(str(n) for n, a in rows if a in cn)
    assert per_net, "cn_2020 accounts should be in some network"
    nid = per_net.most_common(1)[0][0]
    sections = _sections((case_dir / "report.html").read_text(encoding="utf-8"))
    body = sections[nid].text_content()
    assert re.search(r"UTC\+8\s*inferred time zone", body)
    # its topic terms and hashtags include Chinese text, segmented into words
    terms = [t.text_content() for t in sections[nid].xpath(".//span[@class='term']")]
    assert any(re.fullmatch(r"[\u4e00-\u9fff]{2,6}", t) for t in terms)


def test_report_run_is_recorded(simulated: tuple[Path, Path]) -> None:
    _, case_dir = simulated
    with Case.open(case_dir, read_only=True) as case:
        runs = case.con.execute("SELECT command, status FROM runs ORDER BY started_at").fetchall()
    assert ("report", "ok") in runs
    text = (case_dir / "report.html").read_text(encoding="utf-8")
    prov = lxml.html.fromstring(text).xpath("//section[@id='provenance']")[0].text_content()
    # runs before the report are listed; the report's own run ends after the file is written,
    # so its parameters are printed instead
    for command in ("ingest", "detect"):
        assert command in prov
    assert '"max_networks": 20' in prov
