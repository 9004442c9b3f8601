"""infoops reads its own disclosure back: same posts, kinds, references and pseudonyms."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from test_export_case import FLAGGED, build_case

from infoops.export.disclosure import export_disclosure
from infoops.export.pseudonym import keyed_hash
from infoops.store import Case

SALT = b"round-trip-salt-0123456789abcdef"

ingest_mod = pytest.importorskip("infoops.ingest")


@pytest.mark.parametrize("rows_per_file", [1_000_000, 5])
def test_ingest_reads_the_disclosure_back(tmp_path: Path, rows_per_file: int) -> None:
    salt = tmp_path / "salt"
    salt.write_bytes(SALT)
    out = tmp_path / "release"
    with Case.open(tmp_path / "source") as src:
        build_case(src)
        export_disclosure(src, out, salt, rows_per_file=rows_per_file)
        before = src.con.execute(
            "SELECT post_id, kind, ref_post_id, ref_account_id FROM posts WHERE account_id IN (SELECT unnest(?))",
            [sorted(FLAGGED)]).fetchall()
    with Case.open(tmp_path / "back") as back:
        ingest_mod.ingest(back, [out], progress=False, detect_languages=False)
        after = back.con.execute("SELECT post_id, kind, ref_post_id, ref_account_id FROM posts").fetchall()
        accounts = dict(back.con.execute("SELECT account_id, hashed FROM accounts").fetchall())
    assert len(after) == len(before)
    assert Counter(k for _, k, _, _ in after) == Counter(k for _, k, _, _ in before)

    def disclosed(acct: str | None) -> str | None:
        return acct if acct in (None, "1003") else keyed_hash(SALT, acct)

    def disclosed_post(post: str | None, author: str | None) -> str | None:
        # posts of a private account outside the release are hashed; the public 1003's are not
        return post if post is None or author == "1003" else keyed_hash(SALT, "post:" + post)

    # quotes carry no author column in the IO archive format
    expect = {p: (k, disclosed_post(r, a), None if k == "quote" else disclosed(a)) for p, k, r, a in before}
    assert {p: (k, r, a) for p, k, r, a in after} == expect
    assert accounts == {disclosed(a): a != "1003" for a in FLAGGED}
