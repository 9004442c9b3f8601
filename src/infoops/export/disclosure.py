"""A public disclosure of the flagged networks in Twitter's IO archive format.

`export_disclosure(case, out_dir, salt_file)` writes, into `out_dir`:

- `<name>_users_csv_hashed.csv`: one row per flagged account (IO archive users columns);
- `<name>_tweets_csv_hashed.csv`: every post of those accounts (IO archive tweets columns),
  split into `_1.csv`, `_2.csv`, ... every `rows_per_file` rows when larger;
- `<name>_media_list.txt`: tab-separated tweetid / media URL lines (header first; may
  hold no URLs, but is always present; .txt so that ingest skips it);
- `README.md`: what the release holds, counts, and how accounts were hashed.

Accounts under `min_followers` followers (or with an unknown count) are
pseudonymised everywhere they appear (see `infoops.export.pseudonym`). Free-text
cells are neutralised against spreadsheet formulas; hashes and ids are not (they
are made of letters, digits, '+', '/' and '=' only and cannot form a formula call).
`infoops ingest OUT_DIR` reads the release back.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.compute as pc

from infoops.export._common import ExportError, flagged_table
from infoops.export.pseudonym import MIN_BARE_TOKEN, MIN_FOLLOWERS, Pseudonymiser, read_salt
from infoops.export.readme import render_readme
from infoops.export.safety import neutralise
from infoops.ingest.formats.io_archive import TWEET_COLUMNS, USER_COLUMNS
from infoops.registry import exports
from infoops.store import Case

DEFAULT_NAME = "infoops"
# tweets files are split like Twitter's releases and the simulator's archives
ROWS_PER_FILE = 1_000_000
BATCH = 10_000
MEDIA_HOSTS = re.compile(r"^(?:https?://)?(?:pbs\.twimg\.com|video\.twimg\.com|pic\.(?:twitter|x)\.com)/", re.I)
MEDIA_SUFFIX = re.compile(r"\.(?:jpe?g|png|gif|webp|mp4|mov|m3u8)(?:[?#].*)?$", re.I)
# a private-use character: no regex of the pseudonymiser matches it
_SELF = "\ue000"
_NAME_OK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")

_ACCOUNTS_SQL = """
SELECT f.account_id, a.handle, a.display_name, a.description, a.location, a.url, a.followers,
       a.following, a.created_at, a.lang
FROM (SELECT DISTINCT account_id FROM _disclose_flagged) f
LEFT JOIN (SELECT * FROM accounts
           QUALIFY row_number() OVER (PARTITION BY account_id ORDER BY followers DESC NULLS LAST) = 1) a
       USING (account_id)
ORDER BY f.account_id
"""

_POSTS_SQL = """
WITH mine AS (SELECT p.* FROM posts p SEMI JOIN _disclose_flagged f ON f.account_id = p.account_id),
refs AS (
  SELECT post_id, any_value(account_id) AS account_id FROM posts
  WHERE post_id IN (SELECT ref_post_id FROM mine WHERE ref_post_id IS NOT NULL) GROUP BY post_id
)
SELECT p.post_id, p.account_id, p.created_at, p.text, p.lang, p.kind, p.ref_post_id, p.ref_account_id,
       coalesce(p.ref_account_id, refs.account_id) AS ref_author,
       p.hashtags, p.urls, p.mentions, p.client, p.like_count, p.repost_count, p.reply_count, p.quote_count,
       p.extra ->> 'latitude' AS latitude, p.extra ->> 'longitude' AS longitude,
       p.extra ->> 'poll_choices' AS poll_choices, p.extra -> 'media' AS media
FROM mine p LEFT JOIN refs ON refs.post_id = p.ref_post_id
ORDER BY p.created_at, p.post_id
"""


@dataclass
class Release:
    """What a disclosure holds; the README is written from it."""

    name: str
    min_followers: int
    files: dict[str, list[str]] = field(default_factory=dict)
    checksums: dict[str, str] = field(default_factory=dict)
    accounts: int = 0
    hashed_accounts: int = 0
    public_accounts: int = 0
    tweets: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    media: int = 0
    networks: dict[str, int] = field(default_factory=dict)
    first: datetime | None = None
    last: datetime | None = None
    created: str = field(default_factory=lambda: datetime.now(UTC).strftime("%Y-%m-%d"))

    def counts(self) -> dict[str, int]:
        return {"accounts": self.accounts, "hashed_accounts": self.hashed_accounts,
                "public_accounts": self.public_accounts, "tweets": self.tweets, "media": self.media,
                "networks": len(self.networks)}


class _Account:
    """One flagged account's disclosed profile columns, and its own name/handle scrubber."""

    def __init__(self, row: dict[str, Any], ps: Pseudonymiser) -> None:
        acct = row["account_id"]
        self.public = ps.is_public(acct)
        self.id = ps.account(acct) or ""
        own = [v for v in (row["display_name"], row["handle"]) if v and len(v) >= MIN_BARE_TOKEN]
        self._own = [] if self.public else sorted(own, key=len, reverse=True)
        self._own_re: re.Pattern[str] | None = None
        self.ps = ps
        name = row["display_name"] if self.public else self.id
        handle = row["handle"] if self.public else self.id
        created = row["created_at"]
        self.cells: dict[str, Any] = {
            "userid": self.id,
            "user_display_name": _free(ps.text(name)) if self.public else self.id,
            "user_screen_name": _free(handle) if self.public else self.id,
            "user_reported_location": _free(self.text(row["location"])),
            "user_profile_description": _free(self.text(row["description"])),
            "user_profile_url": _free(self.text(row["url"] if self.public else _host_only(row["url"]))),
            "follower_count": row["followers"],
            "following_count": row["following"],
            "account_creation_date": created.strftime("%Y-%m-%d") if created else "",
            "account_language": row["lang"] or "",
        }

    def text(self, value: str | None) -> str | None:
        """Text by or about this account: references scrubbed, its own name and handle too.

        The own name is marked first and the pseudonym put in last, so neither pass can
        match inside a pseudonym the other one wrote."""
        if value and self._own:
            low = value.lower()
            if any(v.lower() in low for v in self._own):  # compile only for the few that need it
                if self._own_re is None:
                    self._own_re = re.compile("|".join(re.escape(v) for v in self._own), re.I)
                marked = self._own_re.sub(_SELF, value.replace(_SELF, ""))
                return (self.ps.text(marked) or "").replace(_SELF, self.id)
        return self.ps.text(value)


def _host_only(url: str | None) -> str | None:
    """A pseudonymised account's profile link reduced to its site: the path often names the person."""
    if not url or not url.strip():
        return url
    text = url.strip()
    try:
        parts = urlsplit(text if "://" in text else "//" + text)
        host = parts.hostname
    except ValueError:
        return None
    if not host or "." not in host:
        return None
    return f"{parts.scheme}://{host}/" if parts.scheme else f"{host}/"


def _free(value: Any) -> str:
    """A free-text cell: empty for NULL, formula-neutralised otherwise."""
    return "" if value is None else neutralise(str(value))


def _py_list(values: list[str]) -> str:
    return repr([str(v) for v in values])


def _rows(rel: Any) -> Iterator[dict[str, Any]]:
    for batch in rel.to_arrow_reader(BATCH):
        yield from batch.to_pylist()


def _media_urls(post: dict[str, Any]) -> list[str]:
    urls = [u for u in post["urls"] or [] if MEDIA_HOSTS.match(u) or MEDIA_SUFFIX.search(u)]
    media = post.get("media")
    if isinstance(media, str) and media.startswith("["):
        urls += re.findall(r'"(https?://[^"\s]+)"', media)
    return list(dict.fromkeys(urls))


def _tweet_row(post: dict[str, Any], who: _Account, ps: Pseudonymiser) -> dict[str, Any]:
    kind = post["kind"] or "post"
    ref_acct = ps.account(post["ref_account_id"]) or ""
    ref = ps.post(post["ref_post_id"], post["ref_author"])
    created = post["created_at"]
    return {
        "tweetid": post["post_id"],
        **who.cells,
        "tweet_language": post["lang"] or "",
        "tweet_text": _free(who.text(post["text"])),
        "tweet_time": created.strftime("%Y-%m-%d %H:%M") if created else "",
        "tweet_client_name": _free(post["client"]),
        "in_reply_to_userid": ref_acct if kind == "reply" else "",
        "in_reply_to_tweetid": ref if kind == "reply" else "",
        "quoted_tweet_tweetid": ref if kind == "quote" else "",
        "is_retweet": "True" if kind == "repost" else "False",
        "retweet_userid": ref_acct if kind == "repost" else "",
        "retweet_tweetid": ref if kind == "repost" else "",
        "latitude": _free(post["latitude"]),
        "longitude": _free(post["longitude"]),
        "quote_count": post["quote_count"],
        "reply_count": post["reply_count"],
        "like_count": post["like_count"],
        "retweet_count": post["repost_count"],
        "hashtags": _py_list([ps.text(h) or "" for h in post["hashtags"] or []]),
        "urls": _py_list([ps.text(u) or "" for u in post["urls"] or []]),
        "user_mentions": _py_list([ps.mention(m) for m in post["mentions"] or [] if m]),
        "poll_choices": _free(post["poll_choices"]),
    }


def _writer(path: Path, columns: tuple[str, ...]) -> tuple[Any, Any]:
    fh = path.open("w", newline="", encoding="utf-8")
    w = csv.writer(fh, quoting=csv.QUOTE_ALL)
    w.writerow(columns)
    return fh, w


class _Parts:
    """A CSV written in parts of at most `per_file` rows: NAME.csv, or NAME_1.csv, NAME_2.csv, ..."""

    def __init__(self, out_dir: Path, stem: str, columns: tuple[str, ...], per_file: int) -> None:
        self.out_dir, self.stem, self.columns, self.per_file = out_dir, stem, columns, max(1, per_file)
        self.paths: list[Path] = []
        self.n = 0
        self._next()

    def _next(self) -> None:
        path = self.out_dir / f"{self.stem}_{len(self.paths) + 1}.csv"
        self.paths.append(path)
        self.fh, self.w = _writer(path, self.columns)
        self.n = 0

    def write(self, row: list[Any]) -> None:
        if self.n >= self.per_file:
            self.fh.close()
            self._next()
        self.w.writerow(row)
        self.n += 1

    def close(self) -> list[str]:
        self.fh.close()
        if len(self.paths) == 1:
            single = self.out_dir / f"{self.stem}.csv"
            self.paths[0].replace(single)
            self.paths = [single]
        return [p.name for p in self.paths]


def _pseudonymiser(case: Case, salt: bytes, min_followers: int) -> Pseudonymiser:
    ps = Pseudonymiser(salt=salt, min_followers=min_followers)
    rel = case.con.sql("SELECT account_id, handle, followers FROM accounts")
    for batch in rel.to_arrow_reader(100_000):
        ps.add_accounts(zip(*(batch.column(i).to_pylist() for i in range(3)), strict=True))
    return ps


def write_release(case: Case, out_dir: Path, ps: Pseudonymiser, flagged: pa.Table, name: str,
                  rows_per_file: int = ROWS_PER_FILE) -> Release:
    """Write users, tweets and media files for the flagged accounts; returns what was written."""
    con = case.con
    rel = Release(name=name, min_followers=ps.min_followers)
    rel.networks = dict(Counter(v for v in flagged.column("network_id").to_pylist() if v is not None))
    users_path = out_dir / f"{name}_users_csv_hashed.csv"
    media_path = out_dir / f"{name}_media_list.txt"
    accounts: dict[str, _Account] = {}
    fh, w = _writer(users_path, USER_COLUMNS)
    with fh:
        for row in _rows(con.sql(_ACCOUNTS_SQL)):
            acct = accounts[row["account_id"]] = _Account(row, ps)
            w.writerow([acct.cells[c] for c in USER_COLUMNS])
            rel.accounts += 1
            rel.public_accounts += acct.public
    rel.hashed_accounts = rel.accounts - rel.public_accounts
    tweets = _Parts(out_dir, f"{name}_tweets_csv_hashed", TWEET_COLUMNS, rows_per_file)
    with media_path.open("w", encoding="utf-8", newline="\n") as media:
        media.write("tweetid\tmedia_url\n")
        for post in _rows(con.sql(_POSTS_SQL)):
            who = accounts.get(post["account_id"])
            if who is None:
                continue
            row = _tweet_row(post, who, ps)
            tweets.write([row[c] for c in TWEET_COLUMNS])
            rel.tweets += 1
            rel.kinds[post["kind"] or "post"] += 1
            created = post["created_at"]
            if created is not None:
                rel.first = created if rel.first is None else min(rel.first, created)
                rel.last = created if rel.last is None else max(rel.last, created)
            for url in _media_urls(post):
                media.write(f"{post['post_id']}\t{_tsv(ps.text(url) or '')}\n")
                rel.media += 1
    rel.files = {"users": [users_path.name], "tweets": tweets.close(), "media": [media_path.name]}
    rel.checksums = {f: _sha256(out_dir / f) for names in rel.files.values() for f in names}
    return rel


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _tsv(value: str) -> str:
    return neutralise(value.replace("\t", " ").replace("\r", " ").replace("\n", " "))


def _remove_previous(out_dir: Path, name: str) -> None:
    """Delete an earlier release of the same name, so no stale part file is read back with the new ones.
    A README.md that is not such a release's is never touched: the folder is refused instead."""
    readme = out_dir / "README.md"
    if readme.is_file():
        with readme.open(encoding="utf-8", errors="replace") as fh:
            ours = fh.readline().startswith(f"# {name}: disclosure of ")
        if not ours:
            raise ExportError(f"{readme} exists and is not the README of an earlier '{name}' release; "
                              "choose an empty folder for --out")
    for pattern in (f"{name}_users_csv_hashed*.csv", f"{name}_tweets_csv_hashed*.csv", f"{name}_media_list.txt"):
        for old in out_dir.glob(pattern):
            if old.is_file():
                old.unlink()


def _only_networks(flagged: pa.Table, networks: list[str]) -> pa.Table:
    known = set(flagged.column("network_id").to_pylist())
    missing = [n for n in networks if n not in known]
    if missing:
        raise ExportError(f"no flagged accounts in network(s) {', '.join(missing)} "
                          f"(flagged networks: {', '.join(sorted(str(k) for k in known)) or 'none'})")
    return flagged.filter(pc.is_in(flagged.column("network_id"), pa.array(networks)))


def export_disclosure(case: Case, out_dir: Path, salt_file: Path, min_followers: int = MIN_FOLLOWERS,
                      name: str = DEFAULT_NAME, networks: Sequence[str] | None = None,
                      rows_per_file: int = ROWS_PER_FILE) -> dict[str, int]:
    """Write a hashed public release of the flagged accounts (of `networks` only, if given)
    into `out_dir`; returns counts."""
    out_dir = Path(out_dir)
    if not _NAME_OK.match(name):
        raise ExportError(f"release name {name!r}: use letters, digits, '_', '-' or '.'")
    salt = read_salt(salt_file)
    params = {"out": str(out_dir), "min_followers": min_followers, "name": name, "salt_file": str(salt_file),
              "networks": list(networks) if networks else None}
    with case.run("export disclosure", params) as rec:
        flagged = flagged_table(case.con)
        if networks:
            flagged = _only_networks(flagged, list(networks))
        out_dir.mkdir(parents=True, exist_ok=True)
        _remove_previous(out_dir, name)
        ps = _pseudonymiser(case, salt, min_followers)
        ps.released = set(flagged.column("account_id").to_pylist())
        case.con.register("_disclose_flagged", flagged.select(["account_id"]))
        try:
            release = write_release(case, out_dir, ps, flagged, name, rows_per_file)
        finally:
            case.con.unregister("_disclose_flagged")
        (out_dir / "README.md").write_text(render_readme(release), encoding="utf-8")
        rec.counts = release.counts()
    return dict(rec.counts)


exports.register("disclosure")(export_disclosure)
