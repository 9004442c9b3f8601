"""Leave-one-country-out check of the supervised account model on real IO archive rows.

Data (eval only, read in place, never copied): ../shared/data/io-archive-labelled/
{russian,iranian,vz}_unseen.csv: real state-operated accounts' tweets (bot_or_not=1)
mixed with ordinary tweets (bot_or_not=0). Rows are tweets with account columns; we
aggregate per account (user_screen_name) into the canonical tables and compute the
same account features `infoops.attribute.supervised` uses on any case.

Honesty rules applied here:
- train on two countries' operation accounts, test on the third's;
- the control accounts are the SAME 35 accounts in all three files, so each control
  account is assigned to exactly one fold (stable hash) and never seen in training
  when it is tested;
- handle features are excluded: the archive hashes operation handles (under 5,000
  followers), the controls keep real handles, so handle shape would leak the label.

Usage: .venv/bin/python benchmarks/eval_supervised.py [--data DIR] [--json OUT]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import sys
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import numpy as np
import pyarrow as pa

from infoops.attribute.supervised import (
    BEHAVIOUR_FEATURES,
    MODELS,
    PROFILE_FEATURES,
    account_matrix,
    leave_one_group_out,
)
from infoops.store import Case

COUNTRIES = ("russian", "iranian", "vz")
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "io-archive-labelled"
TAG = re.compile(r"#(\w+)")
URL = re.compile(r"https?://\S+")
MENTION = re.compile(r"@(\w+)")


def _time(s: str) -> datetime | None:
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(s.strip(), fmt)
        except ValueError:
            continue
    return None


def _int(s: str) -> int | None:
    try:
        return int(float(s))
    except ValueError:
        return None


def load(data: Path) -> tuple[Case, dict[str, int], dict[str, str]]:
    """An in-memory case with one account per user_screen_name; labels and country per account."""
    acc: dict[str, dict[str, object]] = {}
    posts: dict[str, list[object]] = defaultdict(list)
    label: dict[str, int] = {}
    country: dict[str, str] = {}
    seen: set[str] = set()
    for c in COUNTRIES:
        with (data / f"{c}_unseen.csv").open(newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                y = (row.get("bot_or_not") or "").strip()
                name = (row.get("user_screen_name") or "").strip()
                tid = (row.get("tweetid") or "").strip()
                if y not in ("0", "1") or not name or not tid or tid in seen:
                    continue
                seen.add(tid)
                label[name] = int(y)
                if y == "1":
                    country[name] = c
                acc.setdefault(name, {
                    "account_id": name, "handle": name, "description": row.get("user_profile_description") or None,
                    "location": row.get("user_reported_location") or None,
                    "followers": _int(row.get("follower_count") or ""), "following": _int(row.get("following_count") or ""),
                    "created_at": _time(row.get("account_creation_date") or ""),
                })
                text = row.get("tweet_text") or ""
                kind = "repost" if text.startswith("RT @") else "reply" if text.startswith("@") else "post"
                for k, v in (("post_id", tid), ("account_id", name), ("created_at", _time(row.get("tweet_time") or "")),
                             ("text", text), ("kind", kind), ("hashtags", [t.lower() for t in TAG.findall(text)]),
                             ("urls", URL.findall(text)), ("mentions", MENTION.findall(text))):
                    posts[k].append(v)
    # controls: one fold each, by a stable hash of the account name
    for name, y in label.items():
        if y == 0:
            country[name] = COUNTRIES[int(hashlib.sha256(name.encode()).hexdigest(), 16) % len(COUNTRIES)]
    case = Case.memory()
    cols = ("account_id", "handle", "description", "location", "followers", "following", "created_at")
    case.con.register("_a", pa.table({k: [a[k] for a in acc.values()] for k in cols}))
    case.con.execute("INSERT INTO accounts BY NAME SELECT * FROM _a")
    case.con.register("_p", pa.table(dict(posts)))
    case.con.execute("INSERT INTO posts BY NAME SELECT * FROM _p")
    return case, label, country


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--json", type=Path, default=None, help="also write the figures as JSON")
    args = ap.parse_args(argv)
    if not all((args.data / f"{c}_unseen.csv").exists() for c in COUNTRIES):
        print(f"data not found under {args.data}", file=sys.stderr)
        return 2
    case, label, country = load(args.data)
    sets = {"profile+behaviour": PROFILE_FEATURES + BEHAVIOUR_FEATURES, "behaviour only": BEHAVIOUR_FEATURES,
            "followers only": ("log_followers",)}
    results: dict[str, dict[str, dict[str, dict[str, float]]]] = {}
    for set_name, feats in sets.items():
        ids, x = account_matrix(case.con, feats)
        y = np.array([label[a] for a in ids], dtype=np.int64)
        groups = [country[a] for a in ids]
        for kind in MODELS:
            results.setdefault(set_name, {})[kind] = leave_one_group_out(x, y, groups, kind, feats)
    n_io = {c: sum(1 for a, g in country.items() if g == c and label[a] == 1) for c in COUNTRIES}
    n_ctl = {c: sum(1 for a, g in country.items() if g == c and label[a] == 0) for c in COUNTRIES}
    print("held-out country: operation accounts / control accounts in the test fold")
    print("  " + ", ".join(f"{c}: {n_io[c]}/{n_ctl[c]}" for c in COUNTRIES))
    print(f"{'features':<20} {'model':<9} " + " ".join(f"{c:>16}" for c in COUNTRIES))
    for set_name, per in results.items():
        for kind, res in per.items():
            cells = [f"AUC {res[c]['roc_auc']:.3f} AP {res[c]['average_precision']:.2f}" if c in res else "-"
                     for c in COUNTRIES]
            print(f"{set_name:<20} {kind:<9} " + " ".join(f"{x:>16}" for x in cells))
    if args.json:
        args.json.write_text(json.dumps({"folds": {"io": n_io, "controls": n_ctl}, "results": results}, indent=2))
    case.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
