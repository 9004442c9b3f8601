"""Finding input files, unpacking zips, and sampling a file for format detection."""

from __future__ import annotations

import csv
import gzip
import io
import shutil
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from infoops.errors import InputError
from infoops.ingest.formats.base import Sample

SKIP_NAMES = {"LICENSE", "README.md", "README", ".DS_Store"}
SKIP_PREFIXES = ("LICENSE", "LICENCE", "README", "COPYING", "NOTICE")
SKIP_SUFFIXES = {".md", ".txt", ".py", ".pdf", ".png", ".jpg", ".zip.part"}
SAMPLE_BYTES = 1 << 20


@dataclass(frozen=True)
class InputFile:
    """A file to ingest: its readable path and the name reported for it."""

    path: Path
    label: str


def discover(sources: list[Path]) -> list[Path]:
    """Files named directly, plus every data file under a named directory (sorted, recursive)."""
    out: list[Path] = []
    for src in sources:
        if src.is_dir():
            for p in sorted(src.rglob("*")):
                if p.is_file() and not _skipped(p):
                    out.append(p)
        elif src.is_file():
            out.append(src)
        else:
            raise InputError(str(src), "no such file or directory")
    return out


def _skipped(p: Path) -> bool:
    """Licences, readmes, hidden files and documents are not data."""
    return (
        p.name in SKIP_NAMES
        or p.name.upper().startswith(SKIP_PREFIXES)
        or p.name.startswith(".")
        or p.suffix.lower() in SKIP_SUFFIXES
    )


@contextmanager
def expand(path: Path, tmp_dir: Path) -> Iterator[list[InputFile]]:
    """A zip becomes its members, streamed to temporary files; anything else is itself."""
    if not zipfile.is_zipfile(path) or path.suffix.lower() != ".zip":
        yield [InputFile(path, str(path))]
        return
    out: list[InputFile] = []
    tmp_dir.mkdir(parents=True, exist_ok=True)
    try:
        with zipfile.ZipFile(path) as zf:
            for i, info in enumerate(zf.infolist()):
                name = Path(info.filename)
                if info.is_dir() or _skipped(name) or name.parts[0] == "__MACOSX":
                    continue
                target = tmp_dir / f"zip{i}_{name.name}"
                with zf.open(info) as src, target.open("wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
                out.append(InputFile(target, f"{path}!{info.filename}"))
        yield out
    finally:
        for f in out:
            f.path.unlink(missing_ok=True)


def open_text(path: Path) -> io.TextIOWrapper:
    """Text stream of a plain or gzip-compressed file (utf-8, BOM dropped)."""
    raw = path.open("rb")
    magic = raw.read(2)
    raw.seek(0)
    stream = gzip.GzipFile(fileobj=raw) if magic == b"\x1f\x8b" else raw
    return io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")


def sample(path: Path) -> Sample:
    """Header of a CSV or the first JSON value of a JSON/JSONL file (gzip or not)."""
    if path.suffix.lower() == ".parquet" or _magic(path) == b"PAR1":
        import pyarrow.parquet as pq

        return Sample(path, "parquet", header=list(pq.read_schema(path).names))
    try:
        with open_text(path) as fh:
            head = fh.read(SAMPLE_BYTES)
    except (OSError, EOFError) as exc:
        raise InputError(str(path), f"cannot read ({exc})") from exc
    stripped = head.lstrip()
    if not stripped:
        return Sample(path, "empty")
    if stripped[0] in "[{":
        return Sample(path, "json", first=_first_json(path))
    try:
        header = next(csv.reader(io.StringIO(head)))
    except (csv.Error, StopIteration):
        return Sample(path, "unknown")
    if len(header) < 2:
        return Sample(path, "unknown", header=header)
    return Sample(path, "csv", header=[h.strip() for h in header])


def _magic(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(4)


def _first_json(path: Path) -> object:
    """The first JSON value (of an array: its first element), however large; None if malformed."""
    from infoops.ingest.formats.jsonstream import iter_values

    for value in iter_values(path):
        return value.value if value.error is None else None
    return None
