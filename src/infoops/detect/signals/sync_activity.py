"""sync_activity: accounts active in the same short time bins far more often than chance."""

from __future__ import annotations

from infoops.detect.coaction import DEFAULT_ENGINE, CoActionSignal
from infoops.detect.nullmodel import DEFAULT_ALPHA
from infoops.detect.sql import ident
from infoops.registry import signals

DEFAULT_BIN_SECONDS = 600.0
DEFAULT_SYNC_FANOUT = 20
DEFAULT_MIN_BINS = 5
DEFAULT_MIN_SHARED = 3


@signals.register("sync_activity")
class SyncActivity(CoActionSignal):
    """Pacheco et al. 2021's synchronised activity, without all-pairs similarity.

    Each account becomes the set of `bin_seconds` bins it posted in (any kind
    of post); a bin's idf is ln(N_accounts / accounts active in it), so quiet
    hours weigh more than the evening peak. Candidate pairs come from
    co-occurrence in a bin among the `max_fanout` accounts that acted next in
    time (explosion-safe); the edge weight is the cosine similarity of the two
    accounts' sqrt(idf)-weighted bin vectors, restricted to pairs sharing at
    least `min_shared` bins. Accounts need `min_activity` active bins.
    """

    name = "sync_activity"
    description = "activity in the same short time bins, more often than chance"

    def __init__(
        self,
        bin_seconds: float = DEFAULT_BIN_SECONDS,
        max_fanout: int | None = DEFAULT_SYNC_FANOUT,
        min_activity: int = DEFAULT_MIN_BINS,
        min_shared: int = DEFAULT_MIN_SHARED,
        alpha: float = DEFAULT_ALPHA,
        null: str = "shuffle",
        min_weight: float = 0.0,
        seed: int = 1,
        engine: str = DEFAULT_ENGINE,
    ) -> None:
        super().__init__(
            bin_seconds, max_fanout, min_activity, alpha, null, min_weight, seed, min_shared, engine
        )
        self.bin_seconds = bin_seconds

    def pair_window(self) -> float:
        return float(self.bin_seconds)

    def rebin(self) -> float | None:
        return float(self.bin_seconds)

    def actions_sql(self, posts: str, accounts: str) -> str:
        b = float(self.bin_seconds)
        return f"""SELECT account_id, floor(epoch(created_at) / {b!r}) * {b!r} AS object,
                          min(epoch(created_at)) AS t, min(post_id) AS post_id
                   FROM {ident(posts)} WHERE created_at IS NOT NULL
                   GROUP BY account_id, floor(epoch(created_at) / {b!r})"""
