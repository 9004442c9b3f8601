"""co_url_tfidf: accounts sharing the same normalised URLs, at any time (TF-IDF cosine)."""

from __future__ import annotations

from infoops.detect.coaction import TfidfSignal
from infoops.detect.signals.co_url import CoUrl
from infoops.registry import signals


@signals.register("co_url_tfidf")
class CoUrlTfidf(TfidfSignal):
    """Cosine similarity of the accounts' shared URLs (normalised as co_url), idf-weighted, no window.

    The threshold is stratified by account activity (`nullmodel.stratified_thresholds`):
    chance overlaps of one activity range (light pairs sharing one URL, very heavy
    accounts sharing popular ones) would otherwise set the bar for all and hide pairs
    sharing a few rare URLs, the trace a stealthy operation's link posts leave.
    """

    name = "co_url_tfidf"
    description = "sharing the same URLs (any time), TF-IDF cosine"
    stratify = True

    def actions_sql(self, posts: str, accounts: str) -> str:
        return CoUrl.actions_sql(self, posts, accounts)  # type: ignore[arg-type]
