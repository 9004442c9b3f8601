"""co_repost_tfidf: accounts whose reposts go to the same originals, at any time (TF-IDF cosine)."""

from __future__ import annotations

from infoops.detect.coaction import TfidfSignal
from infoops.detect.sql import ident
from infoops.registry import signals


@signals.register("co_repost_tfidf")
class CoRepostTfidf(TfidfSignal):
    """Cosine similarity of the accounts' reposted originals, idf-weighted, no time window.

    Catches amplifiers that boost the same posts hours apart, which a 60-second
    co_repost window misses; viral originals reposted by thousands weigh little.
    """

    name = "co_repost_tfidf"
    # off by default: on simulated platforms it added ~1,600 viral-cascade
    # accounts per 7,000 to the networks and no operation account (docs/detect.md)
    default_enabled = False
    description = "reposting the same originals (any time), TF-IDF cosine"

    def actions_sql(self, posts: str, accounts: str) -> str:
        return f"""SELECT account_id, ref_post_id AS object, epoch(created_at) AS t, post_id
                   FROM {ident(posts)}
                   WHERE kind = 'repost' AND ref_post_id IS NOT NULL AND created_at IS NOT NULL"""
