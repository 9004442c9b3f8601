"""Streaming JSON values out of JSONL, concatenated / pretty-printed JSON and arrays (gzip or not).

Memory is bounded by the largest single value, not the file: top-level arrays
(a whole file, or one JSONL line holding an array) are streamed element by
element. A malformed value is reported with the line it starts on, and reading
resumes on the next line.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infoops.ingest.sources import open_text

CHUNK = 1 << 20
# A single JSON value larger than this is treated as malformed.
MAX_VALUE_CHARS = 256 << 20
_WS = " \t\r\n"


@dataclass
class Value:
    line: int
    value: Any = None
    error: str | None = None
    raw: str | None = None


class _Reader:
    def __init__(self, fh: Any) -> None:
        self.fh = fh
        self.buf = ""
        self.pos = 0
        self.line = 1
        self.eof = False

    def fill(self) -> bool:
        if self.eof:
            return False
        chunk = self.fh.read(CHUNK)
        if not chunk:
            self.eof = True
            return False
        if self.pos > CHUNK:
            self.buf = self.buf[self.pos:]
            self.pos = 0
        self.buf += chunk
        return True

    def advance(self, to: int) -> None:
        self.line += self.buf.count("\n", self.pos, to)
        self.pos = to

    def skip_ws(self, extra: str = "") -> str | None:
        """Skip whitespace (and `extra` characters); the next character, or None at the end."""
        chars = _WS + extra
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in chars:
                if self.buf[self.pos] == "\n":
                    self.line += 1
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self.fill():
                return None

    def skip_line(self) -> None:
        while True:
            nl = self.buf.find("\n", self.pos)
            if nl >= 0:
                self.advance(nl + 1)
                return
            self.pos = len(self.buf)
            if not self.fill():
                return


def _truncated(err: json.JSONDecodeError, size: int) -> bool:
    return err.pos >= size - 1 or err.msg.startswith("Unterminated string")


def iter_values(path: Path) -> Iterator[Value]:
    """Every JSON value of the file; elements of top-level arrays come out one by one."""
    dec = json.JSONDecoder()
    with open_text(path) as fh:
        r = _Reader(fh)
        depth = 0  # 1 while inside a top-level array
        while True:
            ch = r.skip_ws("," if depth else "")
            if ch is None:
                return
            if depth == 0 and ch == "[":
                depth = 1
                r.advance(r.pos + 1)
                continue
            if depth and ch == "]":
                depth = 0
                r.advance(r.pos + 1)
                continue
            start_line = r.line
            while True:
                try:
                    value, end = dec.raw_decode(r.buf, r.pos)
                except json.JSONDecodeError as err:
                    if _truncated(err, len(r.buf)) and len(r.buf) - r.pos < MAX_VALUE_CHARS and r.fill():
                        continue
                    nl = r.buf.find("\n", r.pos)
                    raw = r.buf[r.pos:nl if nl >= 0 else len(r.buf)][:2000]
                    yield Value(start_line, error=f"invalid JSON: {err.msg}", raw=raw)
                    r.skip_line()
                    depth = 0
                    break
                r.advance(end)
                yield Value(start_line, value=value)
                break
