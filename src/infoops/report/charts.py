"""Plotly figure specs (plain dicts: data + layout) for the report's charts.

Specs go into the page as JSON; only numbers, dates, language codes and
escaped labels end up in them.
"""

from __future__ import annotations

import html
from datetime import date, timedelta
from typing import Any

import numpy as np

from infoops.report.safe import show
from infoops.report.style import NETWORK, PALETTE, REST
from infoops.report.timezone import OffsetFit, shift
from infoops.report.topics import TopicModel

Fig = dict[str, Any]
ZOOM_DAYS = 120
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
BASE_LAYOUT: dict[str, Any] = {
    "margin": {"l": 50, "r": 20, "t": 64, "b": 40},
    "font": {"family": "Inter, 'Noto Sans', 'WenQuanYi Micro Hei', 'Noto Sans CJK SC', sans-serif", "size": 11},
    "paper_bgcolor": "#ffffff", "plot_bgcolor": "#ffffff",
    "legend": {"orientation": "h", "y": 1.0, "x": 0, "yanchor": "bottom"},
}


def _layout(title: str, height: int = 300, **kw: Any) -> dict[str, Any]:
    out = dict(BASE_LAYOUT)
    out.update(title={"text": html.escape(title), "font": {"size": 13}, "x": 0, "xanchor": "left",
                      "y": 0.98, "yref": "container", "yanchor": "top"}, height=height)
    out.update(kw)
    return out


def creation_histogram(net: list[dict[str, Any]], rest: list[dict[str, Any]], window_days: int = ZOOM_DAYS) -> Fig:
    """Account creation: share per month over the whole span (network vs rest) and, beside it,
    accounts per day in the `window_days` window holding most of the network's creations (batches)."""
    if not net:
        return {}
    months_n, months_r = _monthly(net), _monthly(rest)
    months = _month_range(min(set(months_n) | set(months_r)), max(set(months_n) | set(months_r)))
    lo, hi = zoom_window(net, window_days)
    days = [r for r in net if lo <= r["day"] <= hi]
    rest_by = {r["day"]: r["n"] for r in rest if lo <= r["day"] <= hi}
    span = [lo + timedelta(days=k) for k in range((hi - lo).days + 1)]
    rest_in = [{"day": d, "n": rest_by.get(d, 0)} for d in span]
    tn, tr = sum(months_n.values()) or 1, sum(months_r.values()) or 1
    data = [
        {"type": "bar", "name": "this network", "legendgroup": "n", "x": months,
         "y": [round(months_n.get(m, 0) / tn, 5) for m in months], "marker": {"color": NETWORK}},
        {"type": "scatter", "mode": "lines", "name": "rest of the data", "legendgroup": "r", "x": months,
         "y": [round(months_r.get(m, 0) / tr, 5) for m in months], "line": {"color": REST, "width": 1.5},
         "line_shape": "hv"},
        {"type": "bar", "name": "this network", "legendgroup": "n", "showlegend": False, "xaxis": "x2",
         "yaxis": "y2", "x": [r["day"].isoformat() for r in days], "y": [r["n"] for r in days],
         "marker": {"color": NETWORK}},
        {"type": "scatter", "mode": "lines", "name": "rest of the data", "legendgroup": "r", "showlegend": False,
         "xaxis": "x2", "yaxis": "y3", "x": [r["day"].isoformat() for r in rest_in],
         "y": [r["n"] for r in rest_in], "line": {"color": REST, "width": 1}},
    ]
    pad = timedelta(days=1)
    return {"data": data, "layout": _layout(
        "Account creation", height=320, bargap=0.05, margin={"l": 50, "r": 50, "t": 90, "b": 40},
        legend={"orientation": "h", "y": 1.2, "x": 0, "yanchor": "bottom"},
        xaxis={"type": "date", "domain": [0, 0.42], "anchor": "y"},
        yaxis={"tickformat": ".0%", "rangemode": "tozero", "anchor": "x"},
        xaxis2={"type": "date", "domain": [0.52, 1], "anchor": "y2",
                "range": [(lo - pad).isoformat(), (hi + pad).isoformat()]},
        yaxis2={"rangemode": "tozero", "anchor": "x2", "title": {"text": "network accounts"}},
        yaxis3={"overlaying": "y2", "side": "right", "showgrid": False, "rangemode": "tozero", "anchor": "x2",
                "title": {"text": "other accounts"}},
        annotations=[
            {"text": "<b>share of accounts created per month</b>", "xref": "paper", "yref": "paper",
             "x": 0.21, "y": 1.0, "yanchor": "bottom", "showarrow": False},
            {"text": f"<b>accounts created per day, {lo.isoformat()} to {hi.isoformat()}</b>", "xref": "paper",
             "yref": "paper", "x": 0.76, "y": 1.0, "yanchor": "bottom", "showarrow": False}])}


def _month_range(first: str, last: str) -> list[str]:
    """Every month from `first` to `last` (YYYY-MM-01 keys), so empty months show as zero."""
    y, m = int(first[:4]), int(first[5:7])
    out = []
    while f"{y:04d}-{m:02d}-01" <= last:
        out.append(f"{y:04d}-{m:02d}-01")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _monthly(rows_: list[dict[str, Any]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in rows_:
        key = r["day"].strftime("%Y-%m-01")
        out[key] = out.get(key, 0) + int(r["n"])
    return out


def zoom_window(net: list[dict[str, Any]], window_days: int) -> tuple[date, date]:
    """The `window_days`-long span holding most of the network's account creations."""
    days = sorted((r["day"], int(r["n"])) for r in net)
    if (days[-1][0] - days[0][0]).days <= window_days:
        return days[0][0], days[-1][0]
    best, best_lo, j, total = -1, days[0][0], 0, 0
    for d, n in days:  # two pointers over the sorted days
        total += n
        while (d - days[j][0]).days >= window_days:
            total -= days[j][1]
            j += 1
        if total > best:
            best, best_lo = total, days[j][0]
    return best_lo, best_lo + timedelta(days=window_days - 1)


def creation_summary(net: list[dict[str, Any]]) -> dict[str, Any]:
    """Top creation days and the share of accounts they hold (batches)."""
    total = sum(r["n"] for r in net)
    top = sorted(net, key=lambda r: (-r["n"], r["day"]))[:5]
    return {"days": len(net), "total": total, "top": [(r["day"], r["n"]) for r in top],
            "top5_share": (sum(r["n"] for r in top) / total) if total else 0.0}


def bin_label(b: int) -> str:
    if b == 0:
        return "0"
    lo, hi = 2 ** (b - 1), 2**b - 1
    return f"{_short(lo)}" if lo == hi else f"{_short(lo)}–{_short(hi)}"


def _short(v: int) -> str:
    for unit, div in (("M", 1_000_000), ("k", 1_000)):
        if v >= div:
            return f"{round(v / div)}{unit}"
    return str(v)


def distributions(dists: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]]) -> Fig:
    """Side-by-side log2-binned shares (followers, following, engagement), network vs rest."""
    data: list[dict[str, Any]] = []
    layout = _layout("Share of accounts per log₂ bin (followers, following, engagement received)", height=340, barmode="group", annotations=[],
                     margin={"l": 50, "r": 20, "t": 100, "b": 50},
                     legend={"orientation": "h", "y": 1.2, "x": 0, "yanchor": "bottom"})
    n = len(dists)
    gap = 0.06
    width = (1 - gap * (n - 1)) / max(n, 1)
    for k, (name, (net, rest)) in enumerate(dists.items()):
        ax = "" if k == 0 else str(k + 1)
        bins = sorted({int(r["bin"]) for r in net + rest})
        labels = [bin_label(b) for b in bins]
        for rows_, label, colour in ((net, "this network", NETWORK), (rest, "rest of the data", REST)):
            total = sum(r["n"] for r in rows_) or 1
            by = {int(r["bin"]): r["n"] / total for r in rows_}
            data.append({"type": "bar", "name": label, "legendgroup": label, "showlegend": k == 0,
                         "x": labels, "y": [round(by.get(b, 0.0), 4) for b in bins],
                         "xaxis": f"x{ax}", "yaxis": f"y{ax}", "marker": {"color": colour}})
        lo = k * (width + gap)
        layout[f"xaxis{ax}"] = {"domain": [lo, lo + width], "type": "category", "anchor": f"y{ax}"}
        layout["annotations"].append({"text": f"<b>{html.escape(name)}</b>", "xref": "paper", "yref": "paper",
                                      "x": lo + width / 2, "y": 1.0, "yanchor": "bottom", "showarrow": False})
        layout[f"yaxis{ax}"] = {"tickformat": ".0%", "anchor": f"x{ax}", "rangemode": "tozero"}
    return {"data": data, "layout": layout}


def zero_share(rows_: list[dict[str, Any]]) -> float | None:
    total = sum(r["n"] for r in rows_)
    return (sum(r["n"] for r in rows_ if int(r["bin"]) == 0) / total) if total else None


LANGUAGES = {
    "zh": "Chinese", "en": "English", "ru": "Russian", "tr": "Turkish", "ar": "Arabic", "es": "Spanish",
    "fr": "French", "de": "German", "ja": "Japanese", "ko": "Korean", "fa": "Persian", "ur": "Urdu",
    "hi": "Hindi", "pt": "Portuguese", "id": "Indonesian", "it": "Italian", "uk": "Ukrainian", "th": "Thai",
    "vi": "Vietnamese", "tl": "Tagalog", "und": "undetermined", "zh-cn": "Chinese (simplified)",
    "zh-tw": "Chinese (traditional)",
}


def language_name(code: str) -> str:
    """'zh' -> 'Chinese (zh)'; unknown codes as they are."""
    name = LANGUAGES.get(code.lower())
    return f"{name} ({code})" if name else code


def language_summary(net: list[dict[str, Any]], top: int = 3) -> list[tuple[str, float]]:
    total = sum(r["n"] for r in net) or 1
    return [(language_name(str(r["lang"])), r["n"] / total) for r in sorted(net, key=lambda r: -r["n"])[:top]]


def language_mix(net: list[dict[str, Any]], rest: list[dict[str, Any]], top: int = 8) -> Fig:
    if not net:
        return {}
    tn = sum(r["n"] for r in net) or 1
    tr = sum(r["n"] for r in rest) or 1
    langs = [str(r["lang"]) for r in sorted(net, key=lambda r: -r["n"])[:top]]
    langs += [str(r["lang"]) for r in sorted(rest, key=lambda r: -r["n"])[:3] if str(r["lang"]) not in langs]
    share_n = {str(r["lang"]): r["n"] / tn for r in net}
    share_r = {str(r["lang"]): r["n"] / tr for r in rest}
    labels = [html.escape(show(language_name(lang), 40)) for lang in langs] + ["other"]
    yn = [share_n.get(lang, 0.0) for lang in langs]
    yr = [share_r.get(lang, 0.0) for lang in langs]
    yn.append(max(0.0, 1 - sum(yn)))
    yr.append(max(0.0, 1 - sum(yr)))
    data = [{"type": "bar", "orientation": "h", "name": name, "y": labels, "x": [round(v, 4) for v in ys],
             "marker": {"color": colour}}
            for name, ys, colour in (("this network", yn, NETWORK), ("rest of the data", yr, REST))]
    return {"data": data, "layout": _layout("Language of posts (share)", height=60 + 26 * len(labels),
                                            barmode="group", xaxis={"tickformat": ".0%"},
                                            yaxis={"autorange": "reversed", "type": "category"})}


def hour_heatmap(m: np.ndarray, fit: OffsetFit | None, offset_label: str) -> Fig:
    """Posts per weekday and hour in the inferred local time (UTC when no fit)."""
    offset = fit.offset if fit else 0
    local = shift(m, offset)
    title = f"Posts by weekday and hour, local time at {offset_label}"
    shapes = [{"type": "rect", "xref": "x", "yref": "y", "x0": 8.5, "x1": 17.5, "y0": -0.5, "y1": 4.5,
               "line": {"color": "#222", "width": 1.5, "dash": "dot"}}]
    return {"data": [{"type": "heatmap", "z": local.tolist(), "x": list(range(24)), "y": list(DAYS),
                      "colorscale": [[0, "#ffffff"], [0.02, "#fff5eb"], [0.3, "#fdae6b"], [1, "#a63603"]], "hovertemplate": "%{y} %{x}:00 local: %{z} posts<extra></extra>",
                      "colorbar": {"title": {"text": "posts"}, "thickness": 10}}],
            "layout": _layout(title, height=280, xaxis={"dtick": 2, "title": {"text": "hour (local)"}},
                              yaxis={"autorange": "reversed"}, shapes=shapes)}


def topics_area(model: TopicModel) -> Fig:
    if not model.terms:
        return {}
    data = [{"type": "scatter", "mode": "lines", "stackgroup": "one", "name": f"T{i + 1}: "
             + html.escape(show(" · ".join(t[:3]), 60)), "x": model.weeks, "y": model.counts[i],
             "line": {"width": 0.5, "color": PALETTE[i % len(PALETTE)]}}
            for i, t in enumerate(model.terms)]
    return {"data": data, "layout": _layout("Topics over time (sampled posts per week, by dominant topic)",
                                            height=320, yaxis={"rangemode": "tozero"},
                                            xaxis={"type": "date"},
                                            legend={"orientation": "h", "y": -0.18, "x": 0})}


def role_bars(roles: list[dict[str, Any]]) -> Fig:
    if not roles:
        return {}
    labels = [html.escape(show(r["role"] or "member", 30)) for r in roles]
    return {"data": [{"type": "bar", "x": labels, "y": [r["accounts"] for r in roles],
                      "marker": {"color": [PALETTE[i % len(PALETTE)] for i in range(len(roles))]}}],
            "layout": _layout("Accounts by role", height=240, xaxis={"type": "category"})}
