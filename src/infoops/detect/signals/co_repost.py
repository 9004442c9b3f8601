"""co_repost: accounts reposting the same original within `window` seconds of each other."""

from __future__ import annotations

from infoops.detect.coaction import CoActionSignal
from infoops.detect.sql import ident
from infoops.registry import signals


@signals.register("co_repost")
class CoRepost(CoActionSignal):
    """Two different accounts repost the same original post with |t1 - t2| <= window.

    Counted per shared original (as CooRTweet): an account pair that co-reposts
    one original several times counts it once; weight = sum of the originals'
    idf, n_events = number of originals.
    """

    name = "co_repost"
    description = "reposting the same original within the window"

    def actions_sql(self, posts: str, accounts: str) -> str:
        return f"""SELECT account_id, ref_post_id AS object, epoch(created_at) AS t, post_id
                   FROM {ident(posts)}
                   WHERE kind = 'repost' AND ref_post_id IS NOT NULL AND created_at IS NOT NULL"""
