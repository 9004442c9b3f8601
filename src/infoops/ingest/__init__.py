"""Ingest platform data into a case: `ingest(case, sources) -> IngestSummary`."""

from infoops.ingest.core import AUTO, ingest, parse_mapping
from infoops.ingest.summary import IngestSummary

__all__ = ["AUTO", "IngestSummary", "ingest", "parse_mapping"]
