"""Disclosure of a simulated platform after `infoops run`: no small account's identity leaks,
and ingest reads the release back with the same posts."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from infoops.export._common import flagged_table
from infoops.export.pipeline import DISCLOSURE_DIR, run_pipeline
from infoops.export.pseudonym import MIN_BARE_TOKEN, MIN_FOLLOWERS
from infoops.store import Case

simulate = pytest.importorskip("infoops.simulate")
PSEUDONYM = re.compile(r"[A-Za-z0-9+/]{43}=")


@pytest.fixture(scope="module")
def simulated_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sim")
    simulate.simulate(root / "platform", simulate.build_params(scale=0.01, seed=5))
    salt = root / "salt"
    salt.write_bytes(b"simulated-release-salt-0123456789")
    run_pipeline(root / "case", [root / "platform" / "archive"], [root / "platform" / "prior"],
                 salt_file=salt, progress=False)
    return root / "case"


def _small_accounts(case: Case) -> tuple[set[str], set[str], set[str]]:
    """ids, handles and display names of accounts under the threshold (and referenced unknowns).

    Display names are not unique: a name that a public account also uses, or a single common
    first name, would be found in any release, so names are searched only when they hold two
    words or more and no public account's name or handle contains them.
    """
    con = case.con
    rows = con.execute("SELECT account_id, handle, display_name FROM accounts WHERE coalesce(followers, 0) < ?",
                       [MIN_FOLLOWERS]).fetchall()
    pub = con.execute("SELECT account_id, lower(handle), lower(display_name) FROM accounts WHERE followers >= ?",
                      [MIN_FOLLOWERS]).fetchall()
    public_ids = {r[0] for r in pub}
    public_text = " ".join(f"{h} {n}" for _, h, n in pub)
    refs = {r[0] for r in con.execute("SELECT DISTINCT ref_account_id FROM posts WHERE ref_account_id IS NOT NULL"
                                      ).fetchall()}
    ids = {r[0] for r in rows} | (refs - public_ids)
    handles = {r[1] for r in rows if r[1] and len(r[1]) >= MIN_BARE_TOKEN and r[1].lower() not in public_text}
    names = {r[2] for r in rows if r[2] and len(r[2].split()) >= 2 and r[2].lower() not in public_text}
    return ids, handles, names


@pytest.mark.slow
def test_simulated_release_leaks_no_small_account(simulated_run: Path) -> None:
    with Case.open(simulated_run, read_only=True) as case:
        ids, handles, names = _small_accounts(case)
        flagged = case.con.execute("SELECT count(*) FROM memberships").fetchall()[0][0]
    assert flagged > 0 and len(ids) > 100
    # pseudonyms are random base64: drop them so a short name cannot match inside one by chance
    blob = PSEUDONYM.sub(" ", "\n".join(p.read_text(encoding="utf-8")
                                        for p in sorted((simulated_run / DISCLOSURE_DIR).iterdir())))
    words = set(re.findall(r"\w+", blob.lower()))
    leaks = [i for i in ids if i in words]
    leaks += [h for h in handles if h.lower() in words]
    leaks += [n for n in names if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", blob, re.IGNORECASE)]
    assert not leaks


@pytest.mark.slow
def test_simulated_release_round_trips(simulated_run: Path, tmp_path: Path) -> None:
    from infoops.ingest import ingest

    with Case.open(simulated_run, read_only=True) as case:
        released = set(flagged_table(case.con).column("account_id").to_pylist())
        public = {r[0] for r in case.con.execute(
            "SELECT account_id FROM accounts WHERE followers >= ?", [MIN_FOLLOWERS]).fetchall()}
        kinds = Counter(dict(case.con.execute(
            "SELECT kind, count(*) FROM posts WHERE account_id IN (SELECT unnest(?)) GROUP BY 1",
            [sorted(released)]).fetchall()))
    with Case.open(tmp_path / "back") as back:
        ingest(back, [simulated_run / DISCLOSURE_DIR], progress=False, detect_languages=False)
        back_kinds = Counter(dict(back.con.execute("SELECT kind, count(*) FROM posts GROUP BY 1").fetchall()))
        hashed = back.con.execute("SELECT count(*) FILTER (hashed), count(*) FROM accounts").fetchall()[0]
    assert released and back_kinds == kinds
    assert hashed == (len(released - public), len(released))
