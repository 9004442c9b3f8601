"""Precision-recall curve images: a self-contained SVG (drawn here) and a plotly HTML page."""

from __future__ import annotations

from html import escape
from pathlib import Path

W, H, PAD = 480, 400, 56


def _xy(recall: float, precision: float) -> tuple[float, float]:
    return PAD + recall * (W - 2 * PAD), H - PAD - precision * (H - 2 * PAD)


def pr_svg(recall: list[float], precision: list[float], title: str, point: tuple[float, float] | None = None) -> str:
    """The curve as an SVG document; `point` (recall, precision) marks the takedown set."""
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
             'font-family="sans-serif" font-size="12">',
             f'<rect width="{W}" height="{H}" fill="white"/>',
             f'<text x="{W / 2}" y="22" text-anchor="middle" font-size="14">{escape(title)}</text>']
    for k in range(6):
        v = k / 5
        x, _ = _xy(v, 0)
        _, y = _xy(0, v)
        parts.append(f'<line x1="{x:.1f}" y1="{PAD}" x2="{x:.1f}" y2="{H - PAD}" stroke="#eee"/>')
        parts.append(f'<line x1="{PAD}" y1="{y:.1f}" x2="{W - PAD}" y2="{y:.1f}" stroke="#eee"/>')
        parts.append(f'<text x="{x:.1f}" y="{H - PAD + 16}" text-anchor="middle">{v:.1f}</text>')
        parts.append(f'<text x="{PAD - 8}" y="{y + 4:.1f}" text-anchor="end">{v:.1f}</text>')
    parts.append(f'<rect x="{PAD}" y="{PAD}" width="{W - 2 * PAD}" height="{H - 2 * PAD}" fill="none" stroke="#333"/>')
    parts.append(f'<text x="{W / 2}" y="{H - 14}" text-anchor="middle">recall</text>')
    parts.append(f'<text x="16" y="{H / 2}" text-anchor="middle" transform="rotate(-90 16 {H / 2})">precision</text>')
    pts = [(0.0, precision[0] if precision else 1.0)] + list(zip(recall, precision, strict=True))
    path = " ".join(f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y) in
                    enumerate(_xy(r, p) for r, p in pts))
    parts.append(f'<path d="{path}" fill="none" stroke="#1f77b4" stroke-width="2"/>')
    if point is not None:
        x, y = _xy(*point)
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="#d62728"/>')
        parts.append(f'<text x="{x - 8:.1f}" y="{y + 18:.1f}" text-anchor="end" fill="#d62728">takedown set</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def pr_html(recall: list[float], precision: list[float], thresholds: list[float], title: str, path: Path) -> None:
    """An interactive plotly page with the JS inlined (no CDN)."""
    import plotly.graph_objects as go

    fig = go.Figure(go.Scatter(x=recall, y=precision, mode="lines+markers", customdata=thresholds,
                               hovertemplate="recall %{x:.3f}<br>precision %{y:.3f}<br>score ≥ %{customdata:.3f}"))
    fig.update_layout(title=title, xaxis_title="recall", yaxis_title="precision",
                      xaxis_range=[0, 1.02], yaxis_range=[0, 1.02], width=640, height=520)
    fig.write_html(str(path), include_plotlyjs=True, full_html=True)
