"""Parameters of the synthetic platform: scale, sizes, stealth and named scenarios."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from infoops.errors import InfoopsError

DEFAULT_SCALE = 1.0
DEFAULT_SEED = 1
DEFAULT_SCENARIO = "default"
DEFAULT_SPLIT_ROWS = 1_000_000

GROUPS = ("organic", "viral", "fandom", "activist", "news")
OPERATIONS = ("cn_2020", "ru_media", "tr_ring")
# Sizes can be set for every group, every operation and the prior (2019) network.
SIZE_KEYS = GROUPS + OPERATIONS + ("prior",)


class SimulationError(InfoopsError):
    """Bad simulation parameters."""


@dataclass(frozen=True)
class SimParams:
    """Every knob of the simulator. Sizes are multipliers of the scale-1 baseline."""

    scale: float = DEFAULT_SCALE
    seed: int = DEFAULT_SEED
    scenario: str = DEFAULT_SCENARIO
    sizes: dict[str, float] = field(default_factory=lambda: {k: 1.0 for k in SIZE_KEYS})
    stealth: dict[str, float] = field(default_factory=lambda: {k: 0.2 for k in OPERATIONS})
    repurposed_fraction: float = 0.1
    hijacked_fraction: float = 0.15
    viral_intensity: float = 1.0
    handle_pattern_fraction: float = 0.6
    mimicry: float = 0.0
    split_rows: int = DEFAULT_SPLIT_ROWS
    start: str = "2020-01-01"
    end: str = "2020-06-01"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def validate(self) -> None:
        if not (self.scale > 0):
            raise SimulationError(f"scale must be > 0 (got {self.scale})")
        if self.split_rows < 1:
            raise SimulationError("split_rows must be >= 1")
        for k, v in self.sizes.items():
            if k not in SIZE_KEYS:
                raise SimulationError(f"unknown size key {k!r} (known: {', '.join(SIZE_KEYS)})")
            if v < 0:
                raise SimulationError(f"size {k} must be >= 0")
        for k, v in self.stealth.items():
            if k not in OPERATIONS:
                raise SimulationError(f"unknown operation {k!r} (known: {', '.join(OPERATIONS)})")
            if not 0.0 <= v <= 1.0:
                raise SimulationError(f"stealth of {k} must be in [0, 1] (got {v})")
        for name in (
            "repurposed_fraction",
            "hijacked_fraction",
            "handle_pattern_fraction",
            "mimicry",
        ):
            v = getattr(self, name)
            if not 0.0 <= v <= 1.0:
                raise SimulationError(f"{name} must be in [0, 1] (got {v})")
        if self.viral_intensity < 0:
            raise SimulationError("viral_intensity must be >= 0")


def _all(v: float) -> dict[str, float]:
    return {k: v for k in OPERATIONS}


def _sizes(**over: float) -> dict[str, float]:
    d = {k: 1.0 for k in SIZE_KEYS}
    d.update(over)
    return d


# Named scenarios: each is a set of overrides of the SimParams defaults.
SCENARIOS: dict[str, dict[str, Any]] = {
    "default": {},
    "blatant": {"stealth": _all(0.0), "handle_pattern_fraction": 0.9},
    "stealthy": {
        "stealth": _all(0.75),
        "repurposed_fraction": 0.3,
        "hijacked_fraction": 0.35,
        "handle_pattern_fraction": 0.2,
    },
    "noisy": {
        "stealth": _all(0.4),
        "sizes": _sizes(viral=2.0, fandom=3.0, activist=3.0, news=2.0),
        "viral_intensity": 2.0,
        "mimicry": 0.4,
    },
    "hard": {
        "stealth": _all(0.75),
        "sizes": _sizes(viral=2.0, fandom=3.0, activist=3.0, news=2.0),
        "viral_intensity": 2.0,
        "mimicry": 0.8,
        "repurposed_fraction": 0.3,
        "hijacked_fraction": 0.35,
        "handle_pattern_fraction": 0.2,
    },
    "small-ops": {"sizes": _sizes(cn_2020=0.25, ru_media=0.25, tr_ring=0.25, prior=0.5)},
    "no-ops": {"sizes": _sizes(cn_2020=0.0, ru_media=0.0, tr_ring=0.0, prior=0.0)},
}


def build_params(
    scenario: str = DEFAULT_SCENARIO,
    scale: float = DEFAULT_SCALE,
    seed: int = DEFAULT_SEED,
    stealth: float | None = None,
    op_stealth: dict[str, float] | None = None,
    sizes: dict[str, float] | None = None,
    **overrides: Any,
) -> SimParams:
    """Scenario defaults, then a global stealth, then per-op stealth and sizes, then the rest.

    Keyword overrides whose value is None are ignored (so CLI options left unset
    keep the scenario's value).
    """
    if scenario not in SCENARIOS:
        raise SimulationError(f"unknown scenario {scenario!r} (known: {', '.join(SCENARIOS)})")
    p = replace(SimParams(), scenario=scenario, scale=scale, seed=seed, **SCENARIOS[scenario])
    st = dict(p.stealth)
    if stealth is not None:
        st = {k: float(stealth) for k in OPERATIONS}
    st.update(op_stealth or {})
    sz = dict(p.sizes)
    sz.update(sizes or {})
    p = replace(p, stealth=st, sizes=sz, **{k: v for k, v in overrides.items() if v is not None})
    p.validate()
    return p


def parse_pairs(items: tuple[str, ...] | list[str], what: str) -> dict[str, float]:
    """Parse KEY=VALUE strings (CLI `--size cn_2020=2`)."""
    out: dict[str, float] = {}
    for item in items:
        key, sep, val = item.partition("=")
        if not sep:
            raise SimulationError(f"{what}: expected KEY=VALUE, got {item!r}")
        try:
            out[key.strip()] = float(val)
        except ValueError:
            raise SimulationError(f"{what}: {val!r} is not a number") from None
    return out
