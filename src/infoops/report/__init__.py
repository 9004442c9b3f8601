"""infoops.report: the self-contained HTML evidence report of a case."""

from __future__ import annotations

from infoops.report.build import (
    DEFAULT_MAX_NETWORKS,
    DEFAULT_SAMPLE_ACCOUNTS,
    DEFAULT_TOPIC_POSTS,
    build_report,
)

__all__ = ["DEFAULT_MAX_NETWORKS", "DEFAULT_SAMPLE_ACCOUNTS", "DEFAULT_TOPIC_POSTS", "build_report"]
