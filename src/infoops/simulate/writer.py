"""Write the simulated platform in Twitter's Information Operations archive format."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from infoops.simulate import textgen as tg
from infoops.simulate.platform import POST_SCHEMA, Platform

USER_COLUMNS = [
    "userid",
    "user_display_name",
    "user_screen_name",
    "user_reported_location",
    "user_profile_description",
    "user_profile_url",
    "follower_count",
    "following_count",
    "account_creation_date",
    "account_language",
]
TWEET_COLUMNS = ["tweetid", *USER_COLUMNS[:1]] + [
    "user_display_name",
    "user_screen_name",
    "user_reported_location",
    "user_profile_description",
    "user_profile_url",
    "follower_count",
    "following_count",
    "account_creation_date",
    "account_language",
    "tweet_language",
    "tweet_text",
    "tweet_time",
    "tweet_client_name",
    "in_reply_to_userid",
    "in_reply_to_tweetid",
    "quoted_tweet_tweetid",
    "is_retweet",
    "retweet_userid",
    "retweet_tweetid",
    "latitude",
    "longitude",
    "quote_count",
    "reply_count",
    "like_count",
    "retweet_count",
    "hashtags",
    "urls",
    "user_mentions",
    "poll_choices",
]
TRUTH_COLUMNS = ["account_id", "group", "campaign", "role", "is_io"]


def accounts_table(pf: Platform) -> pa.Table:
    a = pf.acc
    created = a.col("created_ms").astype("datetime64[ms]").astype("datetime64[D]").astype(str)
    langs = np.array([tg.ACCOUNT_LANG.get(x, x) for x in a.col("lang")], dtype=object)

    def s(x: np.ndarray) -> pa.Array:
        return pa.array(x.astype(object), pa.string())

    return pa.table(
        {
            "idx": pa.array(np.arange(a.n, dtype=np.int32)),
            "userid": s(a.col("userid").astype(str)),
            "user_display_name": s(a.col("display_name")),
            "user_screen_name": s(a.col("handle")),
            "user_reported_location": s(a.col("location")),
            "user_profile_description": s(a.col("description")),
            "user_profile_url": s(a.col("url")),
            "follower_count": pa.array(a.col("followers").astype(np.int64)),
            "following_count": pa.array(a.col("following").astype(np.int64)),
            "account_creation_date": s(created),
            "account_language": s(langs),
            "group": s(a.col("group")),
            "campaign": s(a.col("campaign")),
            "role": s(a.col("role")),
            "is_io": pa.array(a.col("is_io").astype(np.int8)),
            "dest": s(a.col("dest")),
        }
    )


def _literal(expr: str) -> str:
    """SQL turning a VARCHAR[] into its Python list literal text: ['a', 'b'] or []."""
    quoted = f"list_transform({expr}, lambda x: chr(39) || x || chr(39))"
    return f"('[' || array_to_string({quoted}, ', ') || ']')"


# A retweet carries the entities of the post it repeats (its text holds them).
RT_TAGS = _literal(r"regexp_extract_all(p.text, '#([^\s#]+)', 1)")
RT_URLS = _literal(r"regexp_extract_all(p.text, 'https?://\S+')")


def write_outputs(pf: Platform, out: Path) -> dict[str, int]:
    from infoops.simulate.bucketed import write_tweets

    pf.close()
    acc = accounts_table(pf)
    (out / "archive").mkdir(parents=True, exist_ok=True)
    (out / "prior").mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(
        config={"autoinstall_known_extensions": "false", "autoload_known_extensions": "false"}
    )
    con.execute("SET memory_limit = '2GB'")
    con.execute("SET temp_directory = ?", [str(pf.scratch / "duckdb")])
    con.register("acc", acc)
    counts: dict[str, int] = {}
    for dest, stem in (("archive", "platform"), ("prior", "prior")):
        folder = out / dest
        users = con.sql(
            f"SELECT {', '.join(USER_COLUMNS)} FROM acc WHERE dest = '{dest}' ORDER BY userid"
        ).to_arrow_table()
        pacsv.write_csv(users, folder / f"{stem}_users.csv")
        counts[f"{dest}_accounts"] = users.num_rows
        parquet = pf.scratch / f"{dest}_posts.parquet"
        if not parquet.exists():  # nothing posted there: an empty part with the schema
            pq.write_table(POST_SCHEMA.empty_table(), parquet)
        files = write_tweets(
            parquet, acc, folder, f"{stem}_tweets", pf.p.split_rows, dest == "prior", pf.scratch
        )
        counts[f"{dest}_files"] = len(files)
    truth = con.sql(
        "SELECT userid AS account_id, \"group\", campaign, role, is_io FROM acc WHERE dest = 'archive' ORDER BY userid"
    ).to_arrow_table()
    pacsv.write_csv(truth, out / "truth.csv")
    prior_ids = con.sql(
        "SELECT userid FROM acc WHERE dest = 'prior' ORDER BY userid"
    ).to_arrow_table()
    pacsv.write_csv(prior_ids, out / "prior_ids.csv")
    con.close()
    return counts
