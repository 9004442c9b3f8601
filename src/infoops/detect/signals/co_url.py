"""co_url: accounts sharing the same normalised URL within `window` seconds of each other."""

from __future__ import annotations

from infoops.detect.coaction import CoActionSignal
from infoops.detect.sql import ident
from infoops.detect.urls import url_sql
from infoops.registry import signals


@signals.register("co_url")
class CoUrl(CoActionSignal):
    """Two different accounts post the same URL (normalised, see infoops.detect.urls) within the window.

    Reposts are left out (they carry the original's links; co_repost covers them).
    """

    name = "co_url"
    description = "sharing the same normalised URL within the window"

    def actions_sql(self, posts: str, accounts: str) -> str:
        return f"""SELECT account_id, object, t, post_id FROM (
                     SELECT DISTINCT account_id, {url_sql("u.unnest")} AS object,
                            epoch(created_at) AS t, post_id
                     FROM {ident(posts)}, unnest(urls) AS u
                     WHERE kind <> 'repost' AND created_at IS NOT NULL)
                   WHERE object IS NOT NULL AND object <> ''"""
