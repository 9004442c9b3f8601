"""Colours shared by the report's charts (colour-blind-safe palette, Okabe-Ito based)."""

from __future__ import annotations

NETWORK = "#b2182b"
REST = "#7f8c8d"
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
           "#999999", "#882255")
SIGNAL_COLOURS: dict[str, str] = {}
ROLE_COLOURS: dict[str, str] = {"core": "#b2182b", "amplifier": "#ef8a62", "member": "#4393c3",
                                "hijacked": "#762a83", "repurposed": "#1b7837"}


def colour_for(key: str, table: dict[str, str]) -> str:
    """A stable colour per key: fixed ones first, then the palette in order of first use."""
    if key not in table:
        table[key] = PALETTE[len(table) % len(PALETTE)]
    return table[key]
