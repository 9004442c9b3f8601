"""Infer the UTC offset whose local weekday office hours (09-18) best fit a posting pattern."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

OFFICE_START = 9
OFFICE_END = 18  # exclusive
OFFSETS = range(-12, 15)
# share of posts in weekday office hours if an account posted uniformly around the week
UNIFORM_OFFICE_SHARE = 5 * (OFFICE_END - OFFICE_START) / (7 * 24)


@dataclass(frozen=True)
class OffsetFit:
    offset: int  # hours east of UTC
    office_share: float  # share of posts falling in weekday 09-18 local time at that offset
    utc_share: float  # the same share at UTC+0, for comparison


def week_matrix(cells: list[dict[str, int]]) -> np.ndarray:
    """7x24 counts (row 0 = Monday) from rows with dow, hour, n."""
    m = np.zeros((7, 24), dtype=np.int64)
    for c in cells:
        m[int(c["dow"]) % 7, int(c["hour"]) % 24] += int(c["n"])
    return m


def shift(m: np.ndarray, offset: int) -> np.ndarray:
    """The matrix in local time at UTC+offset (hours roll into the next/previous day)."""
    flat = m.reshape(-1)
    return np.roll(flat, offset).reshape(7, 24)


def office_share(m: np.ndarray) -> float:
    total = m.sum()
    return float(m[:5, OFFICE_START:OFFICE_END].sum() / total) if total else 0.0


def best_offset(m: np.ndarray) -> OffsetFit:
    """The offset maximising the weekday office-hours share; ties go to the offset nearest UTC."""
    best = max(OFFSETS, key=lambda o: (round(office_share(shift(m, o)), 9), -abs(o)))
    return OffsetFit(best, office_share(shift(m, best)), office_share(m))


def format_offset(offset: float) -> str:
    sign = "+" if offset >= 0 else "\u2212"
    whole = abs(offset)
    h, rem = int(whole), whole - int(whole)
    return f"UTC{sign}{h}" + (f":{round(rem * 60):02d}" if rem else "")
