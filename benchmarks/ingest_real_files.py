"""Row counts and rejects for every platform-data file in ../shared/data (one case per file).

    .venv/bin/python benchmarks/ingest_real_files.py [--data ../shared/data]

Prints a Markdown table (file, format, read, accepted, rejected, skipped, API
errors, posts, accounts) and the distinct reject reasons; docs/ingest.md
records its output. Files are read in place (some are eval only).
"""

from __future__ import annotations

import argparse
import collections
import tempfile
from pathlib import Path

from infoops.ingest import ingest
from infoops.store import Case

REPO = Path(__file__).resolve().parents[1]
# (relative path, --map) ; None = auto-detect
FILES: list[tuple[str, dict[str, str] | None]] = [
    *[(f"io-archive-labelled/{n}", None) for n in
      ("iranian_unseen.csv", "russian_unseen.csv", "vz_unseen.csv", "transformers_validate.csv")],
    ("nbc-ira/users.csv", None),
    ("twarc2/test-data", None),
    ("twitter-v1", None),
    ("coortweet/russian_coord_tweets.csv", None),
    ("coortweet/german_elections.csv", None),
    ("cnt-samples", None),
    *[(f"voterfraud2020/retweets-{d}.csv", {"repost_of": "retweeted_id", "account_id": "user_id"})
      for d in ("2020-10-24", "2020-10-27", "2020-11-01")],
    ("voterfraud2020/users-5.csv", {"account_id": "user_id"}),
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    args = ap.parse_args()
    print("| file | format | read | accepted | rejected | skipped | API errors | posts added | accounts added |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    reasons: collections.Counter[tuple[str, str]] = collections.Counter()
    for rel, mapping in FILES:
        src = args.data / rel
        if not src.exists():
            continue
        with tempfile.TemporaryDirectory() as tmp:
            case = Case.open(Path(tmp) / "case")
            s = ingest(case, [src], mapping=mapping, progress=False)
            for f in s.files:
                name = Path(f.file).relative_to(args.data) if f.file.startswith(str(args.data)) else f.file
                print(f"| {name} | {f.format} | {f.rows_read:,} | {f.rows_accepted:,} | {f.rows_rejected:,} | "
                      f"{f.skipped:,} | {f.api_errors:,} | | |")
            print(f"| **{rel}** (case) | | | | | | | {s.posts_added:,} | {s.accounts_added:,} |")
            for file, reason in case.con.execute("SELECT file, reason FROM rejects").fetchall():
                reasons[(str(Path(file).relative_to(args.data)), str(reason).split(":")[0] + ":" +
                         str(reason).split(":")[1][:60] if ":" in str(reason) else str(reason))] += 1
            case.close()
    print("\n| file | reject reason | rows |\n|---|---|---:|")
    for (file, reason), n in sorted(reasons.items()):
        print(f"| {file} | {reason} | {n} |")


if __name__ == "__main__":
    main()
