"""Earlier takedowns (`--prior`): load them, and link detected networks to them.

A prior is one of:
- an id list: a CSV whose header has `userid` or `account_id` and no post columns;
- an earlier archive (IO archive folder or files, or anything `infoops ingest` reads):
  loaded into a temporary in-memory case with the ingest library;
- an earlier case folder (holding case.duckdb), opened read-only.

For each detected network and each prior, `link_networks` measures: continuing
accounts (members whose id is in the prior), reposts of the prior's accounts,
shared text templates (normalised texts), hashtags and link domains used far
more than in the rest of the case, handle shapes, and creation days shared with
the prior's creation batches. The strength in [0, 1] is a noisy-OR of those
items; the evidence JSON keeps every figure and sentence.
"""

from __future__ import annotations

import csv
import importlib
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from infoops.attribute.features import MEMBERS
from infoops.errors import InfoopsError
from infoops.store import STORE_NAME, Case

ID_COLUMNS = ("userid", "account_id")
NORM_TEXT_SQL = (
    "regexp_replace(lower(regexp_replace(coalesce({col}, ''), '(https?://\\S+|@\\w+|#|^rt\\s)', '', 'g')),"
    " '[\\s\\d\\p{{P}}]+', '', 'g')"
)
DOMAIN_SQL = "lower(regexp_extract({col}, '^(?:[a-zA-Z]+://)?(?:www\\.)?([^/:?#]+)', 1))"
SHAPE_SQL = (
    "regexp_replace(regexp_replace(regexp_replace(coalesce({col}, ''), '[^A-Za-z0-9_]', 'x', 'g'),"
    " '[A-Za-z]+', 'a', 'g'), '[0-9]', '9', 'g')"
)
# noisy-OR weights of the link items
LINK_WEIGHTS = {
    "continuing": 1.0,
    "reposts_of_prior": 0.7,
    "shared_text": 0.8,
    "hashtags": 0.4,
    "domains": 0.4,
    "handle_shapes": 0.3,
    "creation_batches": 0.5,
}
MIN_STRENGTH = 0.05
REPOSTS_FULL_ACCOUNTS = 10


@dataclass
class PriorNetwork:
    """What is known of one earlier takedown."""

    name: str
    source: str
    account_ids: set[str]
    texts: set[str] = field(default_factory=set)
    hashtags: Counter[str] = field(default_factory=Counter)
    domains: Counter[str] = field(default_factory=Counter)
    handle_shapes: Counter[str] = field(default_factory=Counter)
    creation_days: Counter[Any] = field(default_factory=Counter)

    @property
    def kind(self) -> str:
        return "ids" if not (self.texts or self.hashtags or self.handle_shapes) else "archive"


def _is_id_list(path: Path) -> bool:
    if path.suffix.lower() != ".csv" or not path.is_file():
        return False
    with path.open(newline="", encoding="utf-8-sig") as fh:
        header = next(csv.reader(fh), [])
    cols = [h.strip().lower() for h in header]
    return any(c in ID_COLUMNS for c in cols) and not any(c in cols for c in ("tweetid", "user_screen_name", "post_id"))


def _read_id_list(path: Path) -> PriorNetwork:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        col = next(c for c in reader.fieldnames or [] if c.strip().lower() in ID_COLUMNS)
        ids = {row[col].strip() for row in reader if row.get(col) and row[col].strip()}
    return PriorNetwork(name=path.stem, source=str(path), account_ids=ids)


def _from_connection(con: duckdb.DuckDBPyConnection, name: str, source: str) -> PriorNetwork:
    ids = {str(r[0]) for r in con.execute("SELECT DISTINCT account_id FROM accounts").fetchall()}
    ids |= {str(r[0]) for r in con.execute("SELECT DISTINCT account_id FROM posts").fetchall()}
    texts = {
        str(r[0])
        for r in con.execute(
            f"SELECT DISTINCT {NORM_TEXT_SQL.format(col='text')} AS t FROM posts WHERE kind <> 'repost'"
        ).fetchall()
        if r[0] and len(str(r[0])) >= 8
    }
    tags = Counter({str(t): int(n) for t, n in con.execute(
        "SELECT lower(h), count(*) FROM (SELECT unnest(hashtags) AS h FROM posts) GROUP BY 1").fetchall() if t})
    doms = Counter({str(t): int(n) for t, n in con.execute(
        f"SELECT {DOMAIN_SQL.format(col='u')}, count(*) FROM (SELECT unnest(urls) AS u FROM posts) GROUP BY 1"
    ).fetchall() if t})
    shapes = Counter({str(t): int(n) for t, n in con.execute(
        f"SELECT {SHAPE_SQL.format(col='handle')}, count(*) FROM accounts WHERE handle IS NOT NULL GROUP BY 1"
    ).fetchall()})
    days = Counter({d: int(n) for d, n in con.execute(
        "SELECT CAST(created_at AS DATE), count(*) FROM accounts WHERE created_at IS NOT NULL GROUP BY 1").fetchall()})
    return PriorNetwork(name=name, source=source, account_ids=ids, texts=texts, hashtags=tags,
                        domains=doms, handle_shapes=shapes, creation_days=days)


def _from_archive(path: Path) -> PriorNetwork:
    ingest = getattr(importlib.import_module("infoops.ingest"), "ingest", None)
    if ingest is None:  # pragma: no cover - ingest ships with the package
        raise InfoopsError(f"{path}: reading an earlier archive needs infoops.ingest.ingest")
    case = Case.memory()
    try:
        ingest(case, [path], progress=False, detect_languages=False)
        return _from_connection(case.con, path.stem, str(path))
    finally:
        case.close()


def load_prior(path: str | Path) -> PriorNetwork:
    """Load one `--prior` argument (id list, earlier case folder, or earlier archive)."""
    p = Path(path)
    if not p.exists():
        raise InfoopsError(f"{p}: prior not found")
    if p.is_dir() and (p / STORE_NAME).exists():
        case = Case.open(p, create=False, read_only=True)
        try:
            return _from_connection(case.con, p.name, str(p))
        finally:
            case.close()
    if _is_id_list(p):
        return _read_id_list(p)
    return _from_archive(p)


def load_priors(paths: list[Path] | list[str] | tuple[Path, ...]) -> list[PriorNetwork]:
    priors = [load_prior(p) for p in paths]
    seen: Counter[str] = Counter()
    for pr in priors:  # keep names unique
        seen[pr.name] += 1
        if seen[pr.name] > 1:
            pr.name = f"{pr.name}-{seen[pr.name]}"
    return priors


def merge_id_lists(priors: list[PriorNetwork]) -> list[PriorNetwork]:
    """Fold an id list into an archive prior whose accounts it mostly covers (same takedown)."""
    archives = [p for p in priors if p.kind == "archive"]
    out: list[PriorNetwork] = list(archives)
    for p in priors:
        if p.kind != "ids":
            continue
        host = max(archives, key=lambda a: len(a.account_ids & p.account_ids), default=None)
        if host is not None and len(host.account_ids & p.account_ids) >= 0.5 * max(len(p.account_ids), 1):
            host.account_ids |= p.account_ids
        else:
            out.append(p)
    return out


def _distinctive(prior: Counter[str], min_count: int = 2) -> list[str]:
    return [k for k, c in prior.items() if c >= min_count]


def _batch_days(days: Counter[Any]) -> list[Any]:
    return [d for d, c in days.items() if c >= 3]


def _share_lift(con: duckdb.DuckDBPyConnection, sql: str, values: list[str]) -> dict[str, tuple[float, float, int]]:
    """Per network: share of its items in `values`, the same share over the rest of the case, and hits."""
    if not values:
        return {}
    con.register("_prior_vals", pa.table({"v": pa.array(values, pa.string())}))
    try:
        rows = con.execute(sql).fetchall()
    finally:
        con.unregister("_prior_vals")
    return {str(nid): (float(s or 0.0), float(b or 0.0), int(h or 0)) for nid, s, b, h in rows}


def _items_sql(item_sql: str) -> str:
    """SQL computing per network the share of items in _prior_vals vs the rest of the case."""
    return f"""
    WITH it AS (SELECT p.account_id, {item_sql} AS v FROM posts p),
    tagged AS (SELECT it.account_id, (it.v IN (SELECT v FROM _prior_vals)) AS hit FROM it WHERE it.v IS NOT NULL AND it.v <> ''),
    bg AS (SELECT avg(CASE WHEN hit THEN 1.0 ELSE 0.0 END) AS b FROM tagged
           WHERE account_id NOT IN (SELECT account_id FROM {MEMBERS}))
    SELECT m.network_id, avg(CASE WHEN hit THEN 1.0 ELSE 0.0 END), any_value(bg.b),
           count(*) FILTER (WHERE hit)
    FROM tagged JOIN {MEMBERS} m USING (account_id), bg GROUP BY m.network_id
    """


def link_networks(con: duckdb.DuckDBPyConnection, prior: PriorNetwork) -> dict[str, dict[str, Any]]:
    """Per network: strength of its link to `prior`, continuing accounts, evidence."""
    nets = [str(r[0]) for r in con.execute(f"SELECT DISTINCT network_id FROM {MEMBERS}").fetchall()]
    size = dict(con.execute(f"SELECT network_id, count(*) FROM {MEMBERS} GROUP BY 1").fetchall())
    items: dict[str, dict[str, tuple[float, str, Any]]] = {n: {} for n in nets}

    con.register("_prior_ids", pa.table({"account_id": pa.array(sorted(prior.account_ids), pa.string())}))
    try:
        for nid, n in con.execute(
            f"SELECT network_id, count(*) FROM {MEMBERS} WHERE account_id IN (SELECT account_id FROM _prior_ids) GROUP BY 1"
        ).fetchall():
            items[str(nid)]["continuing"] = (min(1.0, n / 3.0), f"{n} of {size[nid]} accounts were in the prior takedown", n)
        for nid, n_posts, n_acc in con.execute(
            f"""SELECT m.network_id, count(*), count(DISTINCT p.account_id)
                FROM posts p JOIN {MEMBERS} m USING (account_id)
                WHERE p.kind IN ('repost', 'quote', 'reply') AND p.ref_account_id IN (SELECT account_id FROM _prior_ids)
                GROUP BY 1"""
        ).fetchall():
            share = n_acc / size[nid]
            # a handful of accounts touching a prior account's old post is weak: full value
            # needs 10% of the members and at least REPOSTS_FULL_ACCOUNTS accounts
            value = min(1.0, share / 0.1) * _ramp(n_acc, 1, REPOSTS_FULL_ACCOUNTS)
            items[str(nid)]["reposts_of_prior"] = (
                value, f"{n_acc} accounts reposted or replied to prior accounts {n_posts} times", n_posts)
    finally:
        con.unregister("_prior_ids")

    checks: list[tuple[str, str, list[str], str, float, float]] = [
        ("shared_text", NORM_TEXT_SQL.format(col="p.text") + " || CASE WHEN p.kind = 'repost' THEN NULL ELSE '' END",
         sorted(prior.texts), "of own posts repeat a text the prior network posted", 0.02, 0.2),
        ("hashtags", "lower(unnest(p.hashtags))", _distinctive(prior.hashtags), "of hashtag uses are prior-network hashtags", 0.1, 0.4),
        ("domains", DOMAIN_SQL.format(col="unnest(p.urls)"), _distinctive(prior.domains), "of links go to prior-network domains", 0.1, 0.4),
    ]
    for name, sql, values, txt, lo, hi in checks:
        for nid, (s, b, hits) in _share_lift(con, _items_sql(sql), values).items():
            if hits:
                items[nid][name] = (_ramp(s - b, lo, hi), f"{100 * s:.0f}% {txt} (rest of case {100 * b:.0f}%)", s)
    shapes = [s for s, c in prior.handle_shapes.items() if c >= max(3, 0.05 * sum(prior.handle_shapes.values()))]
    batch = _batch_days(prior.creation_days)
    acc_checks: list[tuple[str, str, list[Any], str]] = [
        ("handle_shapes", SHAPE_SQL.format(col="a.handle"), shapes, "of handles have the prior network's handle shapes"),
        ("creation_batches", "CAST(a.created_at AS DATE)", batch, "of accounts created on the prior network's batch days"),
    ]
    for name, sql, values, txt in acc_checks:
        if not values:
            continue
        con.register("_prior_vals", pa.table({"v": pa.array(values)}))
        try:
            rows = con.execute(
                f"""WITH t AS (SELECT a.account_id, ({sql}) IN (SELECT v FROM _prior_vals) AS hit FROM accounts a),
                    bg AS (SELECT avg(CASE WHEN hit THEN 1.0 ELSE 0.0 END) AS b FROM t
                           WHERE account_id NOT IN (SELECT account_id FROM {MEMBERS}))
                    SELECT m.network_id, avg(CASE WHEN hit THEN 1.0 ELSE 0.0 END), any_value(bg.b)
                    FROM t JOIN {MEMBERS} m USING (account_id), bg GROUP BY 1"""
            ).fetchall()
        finally:
            con.unregister("_prior_vals")
        for nid, s, b in rows:
            s, b = float(s or 0.0), float(b or 0.0)
            if s > 0:
                items[str(nid)][name] = (_ramp(s - b, 0.1, 0.4), f"{100 * s:.0f}% {txt} (rest of case {100 * b:.0f}%)", s)

    out: dict[str, dict[str, Any]] = {}
    for nid, its in items.items():
        miss = 1.0
        for k, (v, _, _) in its.items():
            miss *= 1.0 - LINK_WEIGHTS[k] * v
        strength = 1.0 - miss
        cont = int(its["continuing"][2]) if "continuing" in its else 0
        if strength < MIN_STRENGTH and not cont:
            continue
        ranked = sorted(its.items(), key=lambda kv: -LINK_WEIGHTS[kv[0]] * kv[1][0])
        out[nid] = {
            "strength": strength,
            "continuing": cont,
            "evidence": {
                "prior_source": prior.source,
                "reasons": [r for _, (v, r, _) in ranked if v > 0],
                "items": {k: {"value": v, "figure": f} for k, (v, _, f) in its.items()},
            },
        }
    return out


def _ramp(x: float, lo: float, hi: float) -> float:
    return float(min(1.0, max(0.0, (x - lo) / (hi - lo))))


def evidence_json(ev: dict[str, Any]) -> str:
    return json.dumps(ev, default=str, ensure_ascii=False)
