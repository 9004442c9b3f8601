"""Synthetic social-media platform with authentic coordination and planted operations.

`simulate(out, params)` writes an IO-archive-format platform, a prior network and a
truth file. The detection code never reads this package: it works from the
canonical tables only.
"""

from infoops.simulate.core import simulate
from infoops.simulate.params import SCENARIOS, SimParams, build_params

__all__ = ["SCENARIOS", "SimParams", "build_params", "simulate"]
