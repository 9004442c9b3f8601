"""URL normalisation in SQL (regexp functions present in DuckDB and Spark SQL).

`https://WWW.Example.com/a/b/?utm_source=x&id=3#top` -> `example.com/a/b?id=3`:
scheme, fragment, `www.` / `m.` prefixes, default ports, tracking parameters
(utm_*, fbclid, gclid, igshid, ref_src, ref_url) and trailing `/`, `?`, `&` go;
the host is case-folded, the path keeps its case (short links are case-sensitive).
"""

from __future__ import annotations

TRACKING = r"(utm_[a-z_]*|fbclid|gclid|igshid|ref_src|ref_url|mc_cid|mc_eid)"


def host_sql(col: str) -> str:
    """The case-folded host of a URL column expression, without www./m. and port."""
    no_scheme = rf"regexp_replace(trim({col}), '^[a-zA-Z][a-zA-Z0-9+.-]*://', '')"
    host = rf"lower(regexp_extract({no_scheme}, '^([^/?#]*)', 1))"
    host = rf"regexp_replace({host}, '^[^@]*@', '')"
    host = rf"regexp_replace({host}, ':(80|443)$', '')"
    return rf"regexp_replace({host}, '^(www[0-9]*|m)\.', '')"


def url_sql(col: str) -> str:
    """The normalised URL of a URL column expression (see module doc)."""
    no_scheme = rf"regexp_replace(regexp_replace(trim({col}), '#.*$', ''), '^[a-zA-Z][a-zA-Z0-9+.-]*://', '')"
    rest = rf"regexp_extract({no_scheme}, '^[^/?]*(.*)$', 1)"
    rest = rf"regexp_replace({rest}, '([?&]){TRACKING}=[^&]*', '\1', 'gi')"
    rest = rf"regexp_replace({rest}, '([?&])&+', '\1', 'g')"
    rest = rf"regexp_replace({rest}, '[/?&]+$', '')"
    rest = rf"regexp_replace({rest}, '/+([?])', '\1')"
    return f"({host_sql(col)} || {rest})"
