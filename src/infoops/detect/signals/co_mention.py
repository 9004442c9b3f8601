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
        return f"""SELECT account_id, object, t, post_id FROM (
                     SELECT DISTINCT account_id, lower(trim(m.unnest)) AS object,
                            epoch(created_at) AS t, post_id
                     FROM {ident(posts)}, unnest(mentions) AS m
                     WHERE kind <> 'repost' AND created_at IS NOT NULL)
                   WHERE object IS NOT NULL AND object <> ''"""
