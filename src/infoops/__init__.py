"""infoops: find, explain and disclose coordinated information operations."""

__version__ = "0.1.0"
