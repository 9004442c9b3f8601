"""co_reply: accounts replying to the same post within `window` seconds of each other."""

from __future__ import annotations

from infoops.detect.coaction import CoActionSignal
from infoops.detect.sql import ident
from infoops.registry import signals


@signals.register("co_reply")
class CoReply(CoActionSignal):
    """Two different accounts reply to the same target post with |t1 - t2| <= window."""

    name = "co_reply"
    description = "replying to the same post within the window"

    def actions_sql(self, posts: str, accounts: str) -> str:
        return f"""SELECT account_id, ref_post_id AS object, epoch(created_at) AS t, post_id
                   FROM {ident(posts)}
                   WHERE kind = 'reply' AND ref_post_id IS NOT NULL AND created_at IS NOT NULL"""
