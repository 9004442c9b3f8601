"""Time-ordered, split tweets CSVs without a global sort: an external bucket sort.

1. read only the tweet ids, sort them (8 bytes a post) and cut them every
   `split_rows` ids: the bounds of the output files;
2. stream the post chunks once, appending each row to its file's bucket
   (a scratch Parquet file);
3. per bucket (at most `split_rows` rows in memory): sort by tweet id, add the
   author's profile columns by index, format, write CSV.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from infoops.simulate.writer import RT_TAGS, RT_URLS, TWEET_COLUMNS, USER_COLUMNS

COUNT_COLUMNS = ("quote_count", "reply_count", "like_count", "retweet_count")


def _bounds(parquet: Path, split_rows: int) -> np.ndarray:
    tid = np.sort(pq.read_table(parquet, columns=["tweetid"]).column(0).to_numpy())
    return tid[::split_rows]


def _buckets(parquet: Path, bounds: np.ndarray, scratch: Path) -> list[Path]:
    paths = [scratch / f"bucket_{k}.parquet" for k in range(len(bounds))]
    f = pq.ParquetFile(parquet)
    writers: dict[int, pq.ParquetWriter] = {}
    try:
        for batch in f.iter_batches(batch_size=500_000):
            k = np.searchsorted(bounds, batch.column("tweetid").to_numpy(), side="right") - 1
            for b in np.unique(k):
                if int(b) not in writers:
                    writers[int(b)] = pq.ParquetWriter(paths[b], f.schema_arrow, compression="none")
                writers[int(b)].write_batch(batch.filter(pa.array(k == b)))
    finally:
        for w in writers.values():
            w.close()
    return paths


def _ids(a: pa.ChunkedArray | pa.Array) -> pa.Array:
    return pc.cast(a, pa.string())


def _rt_entities(text: pa.Array, is_rt: np.ndarray) -> tuple[pa.Array, pa.Array]:
    """Hashtags and URL literals of retweet rows, parsed from the text they repeat."""
    rows = np.flatnonzero(is_rt)
    con = duckdb.connect()
    tbl = pa.table({"text": text.take(pa.array(rows))})  # noqa: F841 (read by DuckDB)
    res = con.sql(f"SELECT {RT_TAGS} AS h, {RT_URLS} AS u FROM tbl p").to_arrow_table()
    con.close()
    return res.column("h").combine_chunks(), res.column("u").combine_chunks()


_HM = pa.array([f"{h:02d}:{m:02d}" for h in range(24) for m in range(60)], pa.string())


def minute_text(ms: np.ndarray) -> pa.Array:
    """'YYYY-MM-DD HH:MM' (UTC) of epoch milliseconds, from a few distinct days."""
    minutes = ms // 60_000
    day, minute = np.divmod(minutes, 1440)
    days, inv = np.unique(day, return_inverse=True)
    names = pa.array(days.astype("datetime64[D]").astype(str).astype(object), pa.string())
    return pc.binary_join_element_wise(
        names.take(pa.array(inv.ravel())), _HM.take(pa.array(minute)), " "
    )


def format_bucket(posts: pa.Table, acc: pa.Table, floats: bool) -> pa.Table:
    order = np.argsort(posts.column("tweetid").to_numpy(), kind="stable")
    posts = posts.take(pa.array(order))
    n = posts.num_rows
    user = posts.column("user")
    cols: dict[str, pa.Array | pa.ChunkedArray] = {"tweetid": _ids(posts.column("tweetid"))}
    for c in USER_COLUMNS:
        cols[c] = acc.column(c).take(user)
    rt_tid = posts.column("rt_tid")
    is_rt = np.asarray(pc.is_valid(rt_tid).to_numpy(zero_copy_only=False), dtype=bool)
    rt_user = acc.column("userid").take(posts.column("rt_user"))
    hashtags = posts.column("hashtags").combine_chunks()
    urls = posts.column("urls").combine_chunks()
    mentions = posts.column("mentions").combine_chunks()
    if is_rt.any():
        h, u = _rt_entities(posts.column("text").combine_chunks(), is_rt)
        pos = np.cumsum(is_rt) - 1
        sel = pa.array(np.where(is_rt, pos, 0))
        mask = pa.array(is_rt)
        hashtags = pc.if_else(mask, h.take(sel), hashtags)
        urls = pc.if_else(mask, u.take(sel), urls)
        rt_mention = pc.binary_join_element_wise("['", rt_user, "']", "")
        mentions = pc.if_else(mask, rt_mention, mentions)
    nulls = pa.nulls(n, pa.string())
    cols.update(
        {
            "tweet_language": posts.column("lang"),
            "tweet_text": posts.column("text"),
            "tweet_time": minute_text(posts.column("ms").to_numpy()),
            "tweet_client_name": posts.column("client"),
            "in_reply_to_userid": acc.column("userid").take(posts.column("reply_user")),
            "in_reply_to_tweetid": _ids(posts.column("reply_tid")),
            "quoted_tweet_tweetid": _ids(posts.column("quote_tid")),
            "is_retweet": pc.if_else(pa.array(is_rt), "True", "False"),
            "retweet_userid": rt_user,
            "retweet_tweetid": _ids(rt_tid),
            "latitude": nulls,
            "longitude": nulls,
        }
    )
    for c in COUNT_COLUMNS:
        v = posts.column(c)
        cols[c] = pc.binary_join_element_wise(_ids(v), ".0", "") if floats else v
    cols.update(
        {"hashtags": hashtags, "urls": urls, "user_mentions": mentions, "poll_choices": nulls}
    )
    return pa.table({c: cols[c] for c in TWEET_COLUMNS})


def write_tweets(
    parquet: Path,
    acc: pa.Table,
    folder: Path,
    stem: str,
    split_rows: int,
    floats: bool,
    scratch: Path,
) -> list[Path]:
    bounds = _bounds(parquet, split_rows)
    buckets = [parquet] if len(bounds) <= 1 else _buckets(parquet, bounds, scratch)
    files = []
    for k, bucket in enumerate(buckets):
        table = format_bucket(pq.read_table(bucket), acc, floats)
        if bucket != parquet:
            bucket.unlink()
        files.append(folder / f"{stem}_{k + 1}.csv")
        pacsv.write_csv(table, files[-1])
    if not files:  # no posts at all: a header-only file
        files.append(folder / f"{stem}_1.csv")
        pacsv.write_csv(pa.table({c: pa.array([], pa.string()) for c in TWEET_COLUMNS}), files[-1])
    return files
