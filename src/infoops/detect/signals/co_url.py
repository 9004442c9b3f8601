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
        # normalise each distinct URL once, not once per share
        return f"""WITH s AS (
                     SELECT DISTINCT account_id, u.unnest AS url, epoch(created_at) AS t, post_id
                     FROM {ident(posts)}, unnest(urls) AS u
                     WHERE kind <> 'repost' AND created_at IS NOT NULL),
                   n AS (SELECT url, {url_sql("url")} AS object FROM (SELECT DISTINCT url FROM s))
                   SELECT DISTINCT s.account_id, n.object, s.t, s.post_id FROM s JOIN n USING (url)
                   WHERE n.object IS NOT NULL AND n.object <> ''"""
