"""hashtag_sequence: accounts posting the same ordered hashtag sequence within `window` seconds."""

from __future__ import annotations

from infoops.detect.coaction import CoActionSignal
from infoops.detect.sql import ident
from infoops.registry import signals

MIN_HASHTAGS = 2


@signals.register("hashtag_sequence")
class HashtagSequence(CoActionSignal):
    """Two different accounts post the identical sequence of at least two hashtags (in order).

    Luceri et al. 2024's hashtag-sequence signal, with a time window. Reposts
    are left out (they copy the original's hashtags).
    """

    name = "hashtag_sequence"
    description = "the same ordered hashtag sequence within the window"

    def actions_sql(self, posts: str, accounts: str) -> str:
        return f"""SELECT account_id, array_to_string(hashtags, ' ') AS object,
                          epoch(created_at) AS t, post_id
                   FROM {ident(posts)}
                   WHERE kind <> 'repost' AND created_at IS NOT NULL
                     AND len(hashtags) >= {MIN_HASHTAGS}"""
