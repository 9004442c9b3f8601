"""The README.md of a disclosure: what the release holds and how it was hashed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from infoops import __version__
from infoops.export.pseudonym import MIN_BARE_TOKEN

if TYPE_CHECKING:
    from infoops.export.disclosure import Release

_TEMPLATE = """\
# {name}: disclosure of {accounts} accounts in {n_networks} coordinated networks

Released {created} with infoops {version}. The files follow the column layout of
Twitter's Information Operations archive, so tools written for those releases
read them unchanged (`infoops ingest` reads this folder back).

| file | what |
|---|---|
| {users} | one row per account ({accounts} rows) |
| {tweets} | every post of those accounts ({tweets_n} rows: {kinds}) |
| {media} | tab-separated `tweetid`, `media_url` of media linked from the posts ({media_n} lines after the header) |

Posts run from {first} to {last} (UTC, `tweet_time` to the minute; the
released posts keep their ids, and Twitter-style ids carry the exact time).

Networks (network id: accounts): {networks}.

Checksums (SHA-256):

{checksums}

## Hashing

- {hashed} accounts had fewer than {min_followers:,} followers, or an unknown
  follower count, and are pseudonymised; {public} accounts with at least
  {min_followers:,} followers appear as themselves.
- A pseudonymised account's `userid`, `user_screen_name` and
  `user_display_name` are all the same value: HMAC-SHA256 keyed with a secret
  salt over the account id, encoded as standard base64 (44 characters). The
  salt is not published, so a pseudonym cannot be recomputed from a guessed id.
- The same pseudonym replaces the account everywhere it is referenced:
  `retweet_userid`, `in_reply_to_userid`, `user_mentions` (whether the source
  listed the mention as an id or a handle), `@handle` mentions and
  twitter.com / x.com profile links inside `tweet_text`,
  `user_profile_description`, `user_reported_location` and `user_profile_url`,
  and a bare word equal to the account's handle or id (words of at least
  {min_token} characters). A pseudonymised account's own display name is also
  replaced inside its own profile and posts, and its `user_profile_url` is
  cut down to the site (`https://instagram.com/`), since the rest of a
  personal link often names the person.
- The id of a post written by a pseudonymised account outside this release
  (a retweeted or replied-to ordinary user, or a `twitter.com/.../status/ID`
  link to such a post) is replaced by HMAC-SHA256 over `"post:"` + the id,
  base64: looking the id up on the platform would show its author. Ids of
  posts in this release, and of posts by accounts shown as themselves, are
  kept.
- Accounts that are referenced but were not in the investigated data (their
  follower count is unknown) are pseudonymised too. A handle that cannot be
  tied to an account is hashed from `"@"` + the lower-cased handle, so all
  mentions of it still match each other.

## What is not hashed

The released accounts' own tweet ids, post text (apart from the replacements above), hashtags, URLs,
client names, counts, languages and account creation dates are published as
they are. Display names of other pseudonymised accounts written in plain
words inside someone else's text cannot be recognised and are not replaced.

## Spreadsheet safety

Text cells that begin with `=`, `+`, `-`, `@`, a tab or a carriage return are
prefixed with a single quote `'` so that spreadsheets show them as text
instead of running them as formulas. Strip one leading `'` from such cells to
recover the original text. Ids and pseudonyms are never prefixed.
"""


def _names(files: list[str]) -> str:
    return ", ".join(f"`{f}`" for f in files)


def render_readme(release: Release) -> str:
    kinds = ", ".join(f"{n} {k}" for k, n in sorted(release.kinds.items())) or "none"
    networks = ", ".join(f"{k}: {v}" for k, v in sorted(release.networks.items())) or "none"
    return _TEMPLATE.format(
        name=release.name,
        accounts=release.accounts,
        n_networks=len(release.networks),
        created=release.created,
        version=__version__,
        users=_names(release.files.get("users", [])),
        tweets=_names(release.files.get("tweets", [])),
        media=_names(release.files.get("media", [])),
        checksums="\n".join(f"    {digest}  {name}" for name, digest in release.checksums.items()) or "    (none)",
        kinds=kinds,
        media_n=release.media,
        first=release.first.strftime("%Y-%m-%d %H:%M") if release.first else "n/a",
        last=release.last.strftime("%Y-%m-%d %H:%M") if release.last else "n/a",
        networks=networks,
        hashed=release.hashed_accounts,
        public=release.public_accounts,
        min_followers=release.min_followers,
        min_token=MIN_BARE_TOKEN,
        tweets_n=release.tweets,
    )
