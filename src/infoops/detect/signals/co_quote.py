"""co_quote: accounts quoting the same post within `window` seconds of each other."""

from __future__ import annotations

from infoops.detect.coaction import CoActionSignal
from infoops.detect.sql import ident
from infoops.registry import signals


@signals.register("co_quote")
class CoQuote(CoActionSignal):
    """Two different accounts quote the same post with |t1 - t2| <= window."""

    name = "co_quote"
    description = "quoting the same post within the window"

    def actions_sql(self, posts: str, accounts: str) -> str:
        return f"""SELECT account_id, ref_post_id AS object, epoch(created_at) AS t, post_id
                   FROM {ident(posts)}
                   WHERE kind = 'quote' AND ref_post_id IS NOT NULL AND created_at IS NOT NULL"""
