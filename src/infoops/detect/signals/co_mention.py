"""co_mention: accounts mentioning the same account within `window` seconds of each other."""

from __future__ import annotations

from infoops.detect.coaction import CoActionSignal
from infoops.detect.sql import ident
from infoops.registry import signals


@signals.register("co_mention")
class CoMention(CoActionSignal):
    """Two different accounts mention the same handle (case-folded) with |t1 - t2| <= window.

    Reposts are left out: their mentions are the reposted author's, which
    co_repost already covers.
    """

    name = "co_mention"
    description = "mentioning the same account within the window"

    def actions_sql(self, posts: str, accounts: str) -> str:
        # unnest in the select list over the posts with mentions: ~8x faster than a lateral join
        return f"""SELECT DISTINCT account_id, object, t, post_id FROM (
                     SELECT account_id, lower(trim(unnest(mentions))) AS object,
                            epoch(created_at) AS t, post_id
                     FROM {ident(posts)}
                     WHERE kind <> 'repost' AND created_at IS NOT NULL AND len(mentions) > 0)
                   WHERE object IS NOT NULL AND object <> ''"""
