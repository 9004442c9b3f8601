"""The report in a real browser (Debian chromium via Playwright): draws, stays offline, hostile text inert.

Screenshots and a PDF print go to test-artifacts/ (gitignored) for a human to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infoops.report import build_report
from infoops.report.demo import DemoSizes, build_demo_case
from infoops.store import Case

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is absent: run scripts/bootstrap --browser"),
]


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    case = Case.open(tmp_path_factory.mktemp("browser") / "case")
    build_demo_case(case, DemoSizes(op_core=30, op_amplifiers=90, fandom=30, background=150, posts_per_account=5))
    path = build_report(case)
    case.close()
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


class Visit:
    """A page opened on the report, recording console messages, errors, requests and dialogs."""

    def __init__(self, browser: Any, path: Path, width: int = 1280) -> None:
        self.console: list[tuple[str, str]] = []
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page = browser.new_page(viewport={"width": width, "height": 900})
        self.page.on("console", lambda m: self.console.append((m.type, m.text)))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", self._dialog)
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_selector("body[data-charts-drawn]", timeout=120_000)

    def _dialog(self, d: Any) -> None:
        self.dialogs.append(d.message)
        d.dismiss()


@pytest.fixture(scope="module")
def visit(browser: Any, report_file: Path) -> Iterator[Visit]:
    v = Visit(browser, report_file)
    yield v
    v.page.close()


def test_charts_and_graph_draw(visit: Visit) -> None:
    page = visit.page
    charts = page.locator(".chart[data-fig]")
    n = charts.count()
    assert n >= 10
    assert page.get_attribute("body", "data-charts-drawn") == str(n)
    drawn = page.evaluate("""() => Array.from(document.querySelectorAll('.chart[data-fig]'))
        .filter(d => d.querySelector('svg.main-svg')
                     && d.querySelectorAll('.trace, .hm image, .heatmaplayer image').length > 0).length""")
    assert drawn == n
    # the graph has a point per sampled account and line paths for edges
    points = page.evaluate("() => document.querySelectorAll('.chart.graph .scatterlayer .point').length")
    lines = page.evaluate("() => document.querySelectorAll('.chart.graph .scatterlayer .js-line').length")
    assert points >= 100 and lines >= 1
    # heatmaps and bars have drawn marks
    assert page.evaluate("() => document.querySelectorAll('.heatmaplayer image, .hm image').length") >= 1
    assert page.evaluate("() => document.querySelectorAll('.barlayer .point path').length") >= 10


def test_no_console_errors_and_nothing_leaves_the_page(visit: Visit, report_file: Path) -> None:
    assert not visit.errors
    assert not [m for m in visit.console if m[0] in ("error", "warning")]
    assert visit.requests == [report_file.resolve().as_uri()]


def test_hostile_text_stays_text(visit: Visit) -> None:
    page = visit.page
    assert not visit.dialogs
    assert page.evaluate("() => window.__pwned") is None
    assert page.locator("img").count() == 0
    assert page.evaluate("() => document.querySelectorAll('[onerror],[onload],[onclick]').length") == 0
    text = page.inner_text("main")
    assert "<script>window.__pwned=1;alert('xss')</script>" in text
    assert '"><img src=x onerror=' in text
    assert "[U+202E]" in text and "\u202e" not in text
    # the hover text of the graph holds hostile handles as text too
    assert page.evaluate("() => document.querySelectorAll('.hoverlayer img').length") == 0


def test_graph_hover_shows_the_account_as_text(visit: Visit) -> None:
    page = visit.page
    graph = page.locator(".chart.graph").first
    graph.scroll_into_view_if_needed()
    point = graph.locator(".scatterlayer .trace:last-child .point").first
    box = point.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector(".chart.graph .hoverlayer .hovertext", timeout=5_000)
    text = graph.locator(".hoverlayer").text_content() or ""
    assert "role" in text and "followers" in text
    assert page.evaluate("() => document.querySelectorAll('.hoverlayer img, .hoverlayer script').length") == 0


def test_cjk_renders_with_a_cjk_font(visit: Visit) -> None:
    width = visit.page.evaluate("""() => {
        const s = document.createElement('span'); s.textContent = '香港暴徒破坏社会秩序';
        document.body.appendChild(s); const w = s.getBoundingClientRect().width; s.remove(); return w; }""")
    assert width > 50  # tofu boxes or missing glyphs would collapse or be absent


def test_screenshot_and_print(browser: Any, report_file: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    v = Visit(browser, report_file)
    v.page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
    v.page.locator("section.network").first.screenshot(path=str(ARTIFACTS / "report-network.png"))
    v.page.emulate_media(media="print")
    assert v.page.evaluate("() => getComputedStyle(document.querySelector('section.network')).breakBefore") == "page"
    assert v.page.locator("nav.toc").is_hidden()
    assert v.page.locator("#print-btn").is_hidden()
    v.page.pdf(path=str(ARTIFACTS / "report.pdf"), format="A4", print_background=True)
    assert (ARTIFACTS / "report.png").stat().st_size > 50_000
    assert (ARTIFACTS / "report.pdf").stat().st_size > 50_000
    assert not v.errors
    v.page.close()


def test_narrow_window_still_draws(browser: Any, report_file: Path) -> None:
    v = Visit(browser, report_file, width=700)
    assert not v.errors
    overflow = v.page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 16
    v.page.close()
