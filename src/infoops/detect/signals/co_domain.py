"""co_domain: accounts linking to the same web site (host) within `window` seconds of each other."""

from __future__ import annotations

from infoops.detect.coaction import CoActionSignal
from infoops.detect.sql import ident
from infoops.detect.urls import host_sql
from infoops.registry import signals


@signals.register("co_domain")
class CoDomain(CoActionSignal):
    """Two different accounts link to the same host (case-folded, without www./m.) within the window.

    Catches operations that rotate article URLs on one outlet; idf keeps
    ubiquitous hosts (the platform itself, big news sites) near zero weight.
    """

    name = "co_domain"
    description = "linking to the same web site within the window"

    def actions_sql(self, posts: str, accounts: str) -> str:
        # normalise each distinct URL once, not once per share
        return f"""WITH s AS (
                     SELECT DISTINCT account_id, u.unnest AS url, epoch(created_at) AS t, post_id
                     FROM {ident(posts)}, unnest(urls) AS u
                     WHERE kind <> 'repost' AND created_at IS NOT NULL),
                   n AS (SELECT url, {host_sql("url")} AS object FROM (SELECT DISTINCT url FROM s))
                   SELECT DISTINCT s.account_id, n.object, s.t, s.post_id FROM s JOIN n USING (url)
                   WHERE n.object IS NOT NULL AND n.object <> ''"""
