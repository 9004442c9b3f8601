"""co_repost_author: accounts amplifying the same set of accounts (TF-IDF cosine over reposted authors)."""

from __future__ import annotations

from infoops.detect.coaction import TfidfSignal
from infoops.detect.sql import ident
from infoops.registry import signals


@signals.register("co_repost_author")
class CoRepostAuthor(TfidfSignal):
    """Cosine similarity of the accounts' reposted/quoted *authors*, idf-weighted, no time window.

    Amplifiers spread their reposts over many posts of a few core accounts, so
    two amplifiers rarely repost the same post but keep reposting the same
    authors. Popular authors (reposted by everyone) weigh little; authors
    reposted almost only by one clique weigh a lot. Self-reposts are left out.
    """

    name = "co_repost_author"
    description = "amplifying the same accounts (any time), TF-IDF cosine"

    def actions_sql(self, posts: str, accounts: str) -> str:
        return f"""SELECT account_id, ref_account_id AS object, epoch(created_at) AS t, post_id
                   FROM {ident(posts)}
                   WHERE kind IN ('repost', 'quote') AND ref_account_id IS NOT NULL
                     AND ref_account_id <> account_id AND created_at IS NOT NULL"""
