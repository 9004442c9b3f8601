"""Putting attacker-controlled data into HTML safely.

- `script_json`: JSON for a `<script type="application/json">` block; `<`, `>`,
  `&`, U+2028 and U+2029 are written as \\u escapes, so no data can close the
  block or start a comment, and JS reads it back with JSON.parse(textContent).
- `show`: text for display; long strings are cut (the length is said), and
  invisible bidirectional controls are made visible as [U+202E] so a
  right-to-left override cannot disguise the text around it. Autoescaping does
  the HTML escaping; templates also wrap data in <bdi> to isolate direction.
"""

from __future__ import annotations

import json
import math
import re
from datetime import date, datetime
from typing import Any

from markupsafe import Markup

MAX_SHOW = 400
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CONTROL = re.compile("[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]")
_JS_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def _default(o: Any) -> Any:
    if isinstance(o, datetime | date):
        return o.isoformat()
    if hasattr(o, "tolist"):
        return o.tolist()
    if hasattr(o, "item"):
        return o.item()
    return str(o)


def _clean(o: Any) -> Any:
    if isinstance(o, float):
        return o if math.isfinite(o) else None
    if isinstance(o, dict):
        return {str(k): _clean(v) for k, v in o.items()}
    if isinstance(o, list | tuple):
        return [_clean(v) for v in o]
    return o


def script_json(obj: Any) -> Markup:
    """JSON that is safe inside a <script type="application/json"> element."""
    text = json.dumps(_clean(obj), ensure_ascii=False, separators=(",", ":"), default=_default, allow_nan=False)
    return Markup(re.sub("[<>&\u2028\u2029]", lambda m: _JS_ESCAPES[m.group(0)], text))


def show(value: Any, limit: int = MAX_SHOW) -> str:
    """Display text: bidi controls made visible, control characters dropped, long text cut."""
    if value is None:
        return ""
    text = str(value)
    n = len(text)
    if n > limit:
        text = text[:limit] + f"… [{n:,} characters in all]"
    text = _CONTROL.sub("", text)
    return _BIDI.sub(lambda m: f"[U+{ord(m.group(0)):04X}]", text)


def flatten(obj: Any, limit: int = 12, prefix: str = "") -> list[str]:
    """Nested evidence (JSON) as short 'path: value' lines, numbers rounded, at most `limit` lines."""
    out: list[str] = []

    def walk(o: Any, path: str) -> None:
        if len(out) > limit:
            return
        if isinstance(o, dict):
            for k, v in o.items():
                walk(v, f"{path}.{k}" if path else str(k))
        elif isinstance(o, list) and o and all(isinstance(x, dict | list) for x in o):
            for i, v in enumerate(o):
                walk(v, f"{path}[{i}]")
        else:
            if isinstance(o, float):
                text = f"{o:.3g}"
            elif isinstance(o, list):
                text = ", ".join(str(x) for x in o[:10]) + (" …" if len(o) > 10 else "")
            else:
                text = str(o)
            out.append(f"{path}: {text}" if path else text)

    walk(obj, prefix)
    return out[:limit] + (["…"] if len(out) > limit else [])
