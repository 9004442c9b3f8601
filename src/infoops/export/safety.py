"""Make attacker-controlled text inert in exported files.

Spreadsheets run a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula
(and some also treat a leading tab or carriage return that way). Following the
OWASP guidance on CSV injection, such a cell is prefixed with a single quote,
which spreadsheets show but do not evaluate.

XML 1.0 cannot carry most control characters at all (not even escaped); they are
removed before writing GEXF / GraphML. Everything else (``<script>``, quotes,
right-to-left overrides) is escaped by the XML writer and stays inert text.
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")

# characters not allowed in an XML 1.0 document: C0 controls other than tab/LF/CR,
# lone surrogates, and the two non-characters U+FFFE / U+FFFF
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def neutralise(value: str) -> str:
    """Prefix a formula-leading string with ``'`` so spreadsheets show it as text."""
    if value and value.startswith(FORMULA_LEADS):
        return "'" + value
    return value


def csv_cell(value: Any) -> Any:
    """A value ready for csv.writer: strings neutralised, None as empty, others unchanged."""
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    return value


def xml_text(value: Any) -> str:
    """A value as XML 1.0 character data: str(), with illegal characters removed."""
    if value is None:
        return ""
    return _XML_ILLEGAL.sub("", str(value))


_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
# in attributes, whitespace other than space is escaped too, or parsers normalise it to spaces
_ATTR_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;",
                               "\n": "&#10;", "\t": "&#9;"})


def xml_escape(value: Any) -> str:
    """A value as escaped XML 1.0 element text."""
    return xml_text(value).translate(_TEXT_ESCAPES)


def xml_attr(value: Any) -> str:
    """A value as a double-quoted, escaped XML 1.0 attribute (quotes included)."""
    return '"' + xml_text(value).translate(_ATTR_ESCAPES) + '"'
