from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from test_attribute_world import World, build_world

from infoops.attribute.pipeline import attribute_case
from infoops.cli import build
from infoops.evaluate import evaluate_case
from infoops.evaluate.metrics import pr_curve, prf, read_truth
from infoops.store import Case


def _truth(w: World, path: Path, extra_io: list[str] = ()) -> Path:  # type: ignore[assignment]
    lines = ["account_id,group,campaign,role,is_io"]
    lines += [f"{a},op,cn_test,core,1" for a in w.io_core]
    lines += [f"{a},op,cn_test,amplifier,1" for a in w.io_amp]
    lines += [f"{a},fandom,,member,0" for a in [*w.fans, w.idol]]
    lines += [f"{a},organic,,,0" for a in w.organic]
    lines += [f"{a},op,missed_op,core,1" for a in extra_io]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_metrics_on_planted_world(tmp_path: Path) -> None:
    case = Case.open(tmp_path / "case")
    w = build_world(case, seed=2)
    attribute_case(case, "r1", [])
    # two IO accounts that are not in the case at all: they count as missed
    truth = _truth(w, tmp_path / "truth.csv", extra_io=["ghost1", "ghost2"])
    m = evaluate_case(case, truth, html=False)
    n_io = len(w.io_core) + len(w.io_amp)
    assert m["tp"] == n_io and m["fp"] == 0 and m["fn"] == 2
    assert m["precision"] == 1.0 and m["recall"] == pytest.approx(n_io / (n_io + 2))
    assert m["fpr_by_group"]["fandom"]["fpr"] == 0.0 and "op" not in m["fpr_by_group"]
    assert m["recall_by_campaign"]["missed_op"]["recall"] == 0.0
    assert m["roles"]["by_campaign"]["cn_test"]["accuracy"] >= 0.95
    net = {x["network_id"]: x for x in m["networks"]["list"]}
    assert net["N0001"]["majority"] == "cn_test" and net["N0001"]["purity"] == 1.0
    assert net["N0002"]["majority"] == "authentic:fandom"
    out = case.path / "evaluation"
    assert json.loads((out / "metrics.json").read_text())["tp"] == n_io
    assert (out / "pr_curve.svg").read_text().startswith("<svg")
    assert "| fandom |" in (out / "metrics.md").read_text()
    runs = case.con.execute("SELECT command, status FROM runs").fetchall()
    assert ("evaluate", "ok") in runs
    case.close()


def test_evaluate_cli(tmp_path: Path) -> None:
    case = Case.open(tmp_path / "case")
    w = build_world(case, seed=4)
    attribute_case(case, "r1", [])
    case.close()
    truth = _truth(w, tmp_path / "truth.csv")
    res = CliRunner().invoke(build(), ["evaluate", "--case", str(tmp_path / "case"), "--truth", str(truth),
                                       "--out", str(tmp_path / "ev")])
    assert res.exit_code == 0, res.output
    assert "precision" in res.output and (tmp_path / "ev" / "pr_curve.html").exists()
    bad = tmp_path / "bad.csv"
    bad.write_text("account_id,is_io\n1,1\n")
    res = CliRunner().invoke(build(), ["evaluate", "--case", str(tmp_path / "case"), "--truth", str(bad)])
    assert res.exit_code != 0 and "group" in res.output


def test_read_truth_parses_flags(tmp_path: Path) -> None:
    p = tmp_path / "t.csv"
    p.write_text("is_io,account_id,role,campaign,group\n1,a,core,x,op\n0,b,,,organic\nTrue,c,amplifier,x,op\n")
    t = read_truth(p)
    assert t.account_id == ["a", "b", "c"] and t.is_io.tolist() == [True, False, True]


def test_prf_and_curve() -> None:
    assert prf(0, 0, 5)["precision"] == 0.0
    assert prf(8, 2, 0) == {"precision": 0.8, "recall": 1.0, "f1": pytest.approx(2 * 0.8 / 1.8)}
    scores = np.array([0.9, 0.8, 0.7, 0.2, 0.0])
    labels = np.array([1, 1, 0, 1, 0], dtype=bool)
    c = pr_curve(scores, labels)
    assert c["precision"] == pytest.approx([1.0, 1.0, 2 / 3, 3 / 4])
    assert c["recall"] == pytest.approx([1 / 3, 2 / 3, 2 / 3, 1.0])
    # perfect ranking gives AP 1
    assert pr_curve(np.array([0.9, 0.5, 0.1]), np.array([1, 1, 0], dtype=bool))["average_precision"][0] == 1.0
