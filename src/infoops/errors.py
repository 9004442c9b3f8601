"""Named exceptions. The CLI turns each into a one-line error message."""

from __future__ import annotations


class InfoopsError(Exception):
    """Base class of every error infoops raises on purpose."""


class CaseError(InfoopsError):
    """The case folder or its store cannot be used."""


class UnknownFormat(InfoopsError):
    """An input file matches none of the registered formats."""

    def __init__(self, path: str, detail: str = "") -> None:
        msg = f"{path}: unknown input format"
        if detail:
            msg += f" ({detail})"
        super().__init__(msg)
        self.path = path


class MissingColumn(InfoopsError):
    """A required column is absent from an input file."""

    def __init__(self, path: str, column: str, available: list[str] | None = None) -> None:
        msg = f"{path}: required column '{column}' is missing"
        if available is not None:
            msg += f" (columns present: {', '.join(available[:30])})"
        super().__init__(msg)
        self.path = path
        self.column = column


class InputError(InfoopsError):
    """An input file cannot be read at all (as opposed to one bad row, which is rejected)."""

    def __init__(self, path: str, reason: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {reason}")
        self.path = path
        self.line = line
        self.reason = reason


class NothingDetected(InfoopsError):
    """A later stage needs detection results that the case does not have yet."""
