"""fast_repost: accounts that repeatedly repost the same originals within seconds of their posting."""

from __future__ import annotations

from infoops.detect.coaction import (
    DEFAULT_ENGINE,
    DEFAULT_MAX_FANOUT,
    DEFAULT_MIN_ACTIVITY,
    DEFAULT_MIN_SHARED,
    DEFAULT_WINDOW,
    CoActionSignal,
)
from infoops.detect.nullmodel import DEFAULT_ALPHA
from infoops.detect.sql import ident
from infoops.ingest.sqlexpr import snowflake_ms
from infoops.registry import signals

DEFAULT_FAST_SECONDS = 10.0


@signals.register("fast_repost")
class FastRepost(CoActionSignal):
    """Two accounts both repost the same original within `seconds` of its creation.

    Only fast reposts count as actions (`min_activity` of them per account: a
    habit, not a one-off); two fast reposts of one original are at most
    `seconds` apart, so they pair whatever `window` says. The original's time
    comes from the posts table, or else from its id when it is a Twitter
    snowflake. Amplifier accounts that wait on a core account's posts show up
    here even when they are too few to reach co_repost's threshold.

    The null model is the shuffle of the other co-action signals: viral
    cascades make most fast reposts, and permuting accounts among the (original,
    time) slots tells a cascade's size from a pair's habit. (Where one group
    makes nearly all fast reposts, permuting reproduces the group and `null="shift"`
    is the better null.)
    """

    name = "fast_repost"
    description = "reposting the same originals within seconds of their creation"

    def __init__(
        self,
        seconds: float = DEFAULT_FAST_SECONDS,
        window: float = DEFAULT_WINDOW,
        max_fanout: int | None = DEFAULT_MAX_FANOUT,
        min_activity: int = DEFAULT_MIN_ACTIVITY,
        alpha: float = DEFAULT_ALPHA,
        null: str = "shuffle",
        min_weight: float = 0.0,
        seed: int = 1,
        min_shared: int = DEFAULT_MIN_SHARED,
        engine: str = DEFAULT_ENGINE,
    ) -> None:
        super().__init__(
            window, max_fanout, min_activity, alpha, null, min_weight, seed, min_shared, engine
        )
        self.seconds = seconds

    def pair_window(self) -> float:
        return float(self.seconds)

    def actions_sql(self, posts: str, accounts: str) -> str:
        p = ident(posts)
        # the original's time from its Twitter snowflake id when it is not in the case
        snow = f"({snowflake_ms('r.ref_post_id')}) / 1000.0"
        return f"""SELECT account_id, object, t, post_id FROM (
                     SELECT r.account_id, r.ref_post_id AS object, epoch(r.created_at) AS t, r.post_id,
                            coalesce(epoch(o.created_at), {snow}) AS t0
                     FROM {p} r LEFT JOIN {p} o ON o.post_id = r.ref_post_id
                     WHERE r.kind = 'repost' AND r.ref_post_id IS NOT NULL AND r.created_at IS NOT NULL)
                   WHERE t0 IS NOT NULL AND t - t0 >= -1 AND t - t0 <= {float(self.seconds)!r}"""
