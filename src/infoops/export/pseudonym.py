"""Keyed pseudonyms for a public disclosure: which accounts are hidden, and how.

An account is *public* when the case knows it has at least `min_followers`
followers; every other account (fewer followers, an unknown count, or an account
the case only sees referenced) is *private*. A private account's id, screen name
and display name are all replaced by one pseudonym, HMAC-SHA256(salt, account_id)
in base64 (44 characters), the way Twitter's releases show hashed accounts.

The same pseudonym replaces the account wherever it is referenced: as author,
retweeted or replied-to user, in the mention list (by id or by handle), as an
``@handle`` in text, in twitter.com / x.com profile links, and as a bare word
equal to its handle or id. A handle the case cannot tie to an account is
hashed from the handle itself (HMAC over ``"@" + lower(handle)``), so repeated
mentions of it still match each other. The id of a post written by a private
account outside the release (a retweeted or replied-to ordinary user, or a
``twitter.com/<handle>/status/<id>`` link) is hashed as ``"post:" + id``: the
platform would show its author to anyone who looked it up.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from infoops.export._common import ExportError

MIN_FOLLOWERS = 5000
MIN_SALT_BYTES = 16
# bare words shorter than this are not treated as handles / ids (too many false hits)
MIN_BARE_TOKEN = 4
# first path segments of twitter.com / x.com links that are not accounts
NON_ACCOUNT_PATHS = frozenset(
    {"i", "intent", "hashtag", "search", "home", "share", "explore", "settings", "messages",
     "notifications", "login", "signup", "tos", "privacy", "about", "download", "compose"}
)

# '@' or the full-width '＠' that CJK text uses for mentions
_MENTION = r"(?P<at>(?<![\w@\uff20])(?P<atc>[@\uff20])(?P<handle>\w(?:[\w.]*\w)?))"
_LINK = (
    r"(?P<link>(?P<prefix>(?:https?://)?(?<![\w.-])(?:(?:www|mobile|m)\.)?(?:twitter|x)\.com/(?:#!/)?)"
    r"(?P<path>\w+)(?:(?P<status>/(?:status|statuses)/)(?P<sid>\d+))?)"
)
_TOKEN = r"(?P<tok>(?<![A-Za-z0-9_])[A-Za-z0-9_]{" + str(MIN_BARE_TOKEN) + r",}(?![A-Za-z0-9_]))"
_ASCII_HANDLE = re.compile(r"[A-Za-z0-9_]+")
_SCRUB = re.compile(f"{_MENTION}|{_LINK}|{_TOKEN}", re.IGNORECASE)


def read_salt(path: str | Path) -> bytes:
    """The secret salt: the file's bytes without a trailing newline; at least MIN_SALT_BYTES."""
    p = Path(path)
    try:
        salt = p.read_bytes().rstrip(b"\r\n")
    except FileNotFoundError:
        raise ExportError(f"{p}: salt file not found (write at least {MIN_SALT_BYTES} secret random bytes to it)") from None
    except OSError as exc:
        raise ExportError(f"{p}: cannot read the salt file ({exc})") from exc
    if not salt.strip():
        raise ExportError(f"{p}: the salt file is empty")
    if len(salt) < MIN_SALT_BYTES:
        raise ExportError(f"{p}: the salt is {len(salt)} bytes; use at least {MIN_SALT_BYTES} secret random bytes")
    return salt


def keyed_hash(salt: bytes, value: str) -> str:
    """HMAC-SHA256(salt, value) as standard base64: 44 characters."""
    return base64.b64encode(hmac.new(salt, value.encode("utf-8"), hashlib.sha256).digest()).decode("ascii")


@dataclass
class Pseudonymiser:
    """Maps accounts (by id or handle) and free text to their disclosed form."""

    salt: bytes
    min_followers: int = MIN_FOLLOWERS
    public: set[str] = field(default_factory=set)
    by_handle: dict[str, str] = field(default_factory=dict)
    private_ids: set[str] = field(default_factory=set)
    # accounts whose posts the release publishes: their post ids stay as they are
    released: set[str] = field(default_factory=set)
    _cache: dict[str, str] = field(default_factory=dict)

    def add_accounts(self, rows: Iterable[tuple[str, str | None, int | None]]) -> None:
        """Learn (account_id, handle, followers) rows; a handle shared with a private account stays private."""
        for account_id, handle, followers in rows:
            is_public = followers is not None and followers >= self.min_followers
            if is_public:
                self.public.add(account_id)
            else:
                self.private_ids.add(account_id)
            if handle:
                key = handle.lower()
                known = self.by_handle.get(key)
                if known is None or (known in self.public and not is_public):
                    self.by_handle[key] = account_id
        self.public -= self.private_ids

    def hash(self, value: str) -> str:
        h = self._cache.get(value)
        if h is None:
            h = keyed_hash(self.salt, value)
            if len(self._cache) < 2_000_000:
                self._cache[value] = h
        return h

    def is_public(self, account_id: str | None) -> bool:
        return account_id is not None and account_id in self.public

    def account(self, account_id: str | None) -> str | None:
        """The disclosed id of an account (raw when public)."""
        if account_id is None or account_id == "":
            return None
        return account_id if account_id in self.public else self.hash(account_id)

    def handle_account(self, handle: str) -> str | None:
        return self.by_handle.get(handle.lower())

    def mention(self, mention: str) -> str:
        """A mention given as an id or a handle, as the disclosed account id."""
        m = mention.lstrip("@")
        if m in self.public or m in self.private_ids:
            return self.account(m) or ""
        acct = self.handle_account(m)
        if acct is not None:
            return self.account(acct) or ""
        return self.hash(m) if m.isdigit() else self.unknown_handle(m)

    def post(self, post_id: str | None, author: str | None) -> str:
        """A referenced post's id: as is when its author is public or in the release, else hashed
        (the platform would show who wrote it)."""
        if not post_id:
            return ""
        if author is not None and (author in self.public or author in self.released):
            return post_id
        return self.hash("post:" + post_id)

    def unknown_handle(self, handle: str) -> str:
        return self.hash("@" + handle.lower())

    def screen_name(self, handle: str) -> str:
        """An @handle's disclosed form (without the @)."""
        acct = self.handle_account(handle)
        if acct is not None:
            return handle if acct in self.public else self.hash(acct)
        return self.unknown_handle(handle)

    def text(self, value: str | None) -> str | None:
        """Free text with every private account reference replaced by its pseudonym."""
        if not value:
            return value
        return _SCRUB.sub(self._replace, value)

    def _mention_text(self, tok: str) -> str:
        """An @-mention's handle in text. An unknown 'name.more' or 'name中文' is the handle 'name'
        followed by text (itself scrubbed)."""
        if self.handle_account(tok) is None:
            head = _ASCII_HANDLE.match(tok)
            if head and head.end() < len(tok):
                return self.screen_name(head.group(0)) + (self.text(tok[head.end():]) or "")
        return self.screen_name(tok)

    def _replace(self, m: re.Match[str]) -> str:
        if m.group("at") is not None:
            return m.group("atc") + self._mention_text(m.group("handle"))
        if m.group("link") is not None:
            path = m.group("path")
            acct = self.handle_account(path)
            if acct is None and path.lower() in NON_ACCOUNT_PATHS:
                return m.group(0)
            out = m.group("prefix") + self._mention_text(path)
            if m.group("sid") is not None:
                out += m.group("status") + self.post(m.group("sid"), acct)
            return out
        tok = m.group("tok")
        if tok in self.private_ids:
            return self.hash(tok)
        acct = self.handle_account(tok)
        if acct is not None and acct not in self.public:
            return self.hash(acct)
        return tok
