"""Supervised mode: learn "operation account or not" from a labelled archive, score new data.

Features are account-level behaviour and profile figures computed from the
canonical tables only (`account_matrix`), so a model trained on one source can
score any case. Text content is deliberately left out (topic words and
templates identify a campaign, not the behaviour of operations in general,
and leak across random splits of one campaign). Evaluate on held-out
campaigns (`leave_one_group_out`), never on random splits of one campaign.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from infoops import __version__
from infoops.errors import InfoopsError

PROFILE_FEATURES = ("log_followers", "log_following", "log_follow_ratio", "zero_followers", "low_followers",
                    "empty_bio", "empty_location", "log_age_days")
BEHAVIOUR_FEATURES = ("log_posts", "repost_share", "reply_share", "quote_share", "hashtag_share", "url_share",
                      "mention_share", "mean_text_len", "hour_entropy", "top_hour_share", "weekend_share",
                      "log_engagement", "n_clients", "n_langs")
HANDLE_FEATURES = ("handle_trailing_digits", "handle_len")
DEFAULT_FEATURES = PROFILE_FEATURES + BEHAVIOUR_FEATURES + HANDLE_FEATURES
MODELS = ("logistic", "gbm")
DEFAULT_MODEL = "logistic"

_MATRIX_SQL = """
WITH p AS (
  SELECT account_id, kind, created_at, coalesce(length(text), 0) AS tlen,
         coalesce(len(hashtags), 0) > 0 AS has_tag, coalesce(len(urls), 0) > 0 AS has_url,
         coalesce(len(mentions), 0) > 0 AS has_mention, client, lang,
         coalesce(like_count, 0) + coalesce(repost_count, 0) + coalesce(reply_count, 0) + coalesce(quote_count, 0) AS eng
  FROM posts
),
hours AS (
  SELECT account_id, hour(created_at) AS h, count(*) AS n FROM p WHERE created_at IS NOT NULL GROUP BY ALL
),
ent AS (
  SELECT account_id, -sum((n / tot) * ln(n / tot)) AS hour_entropy, max(n / tot) AS top_hour_share
  FROM (SELECT account_id, n, sum(n) OVER (PARTITION BY account_id) AS tot FROM hours) GROUP BY account_id
),
agg AS (
  SELECT account_id, count(*) AS n_posts,
    avg(CASE WHEN kind = 'repost' THEN 1.0 ELSE 0.0 END) AS repost_share,
    avg(CASE WHEN kind = 'reply' THEN 1.0 ELSE 0.0 END) AS reply_share,
    avg(CASE WHEN kind = 'quote' THEN 1.0 ELSE 0.0 END) AS quote_share,
    avg(CASE WHEN has_tag THEN 1.0 ELSE 0.0 END) AS hashtag_share,
    avg(CASE WHEN has_url THEN 1.0 ELSE 0.0 END) AS url_share,
    avg(CASE WHEN has_mention THEN 1.0 ELSE 0.0 END) AS mention_share,
    avg(tlen) FILTER (WHERE kind <> 'repost') AS mean_text_len,
    avg(CASE WHEN isodow(created_at) >= 6 THEN 1.0 ELSE 0.0 END) AS weekend_share,
    avg(eng) FILTER (WHERE kind <> 'repost') AS engagement,
    count(DISTINCT client) AS n_clients, count(DISTINCT lang) AS n_langs,
    min(created_at) AS first_post
  FROM p GROUP BY account_id
),
acc AS (
  SELECT account_id, any_value(followers) AS followers, any_value(following) AS following,
         any_value(created_at) AS created_at, any_value(description) AS description,
         any_value(location) AS location, any_value(handle) AS handle
  FROM accounts GROUP BY account_id
)
SELECT agg.account_id,
  ln(1 + coalesce(acc.followers, 0)) AS log_followers,
  ln(1 + coalesce(acc.following, 0)) AS log_following,
  ln(1 + coalesce(acc.followers, 0)) - ln(1 + coalesce(acc.following, 0)) AS log_follow_ratio,
  CASE WHEN coalesce(acc.followers, 0) = 0 THEN 1.0 ELSE 0.0 END AS zero_followers,
  CASE WHEN coalesce(acc.followers, 0) < 10 THEN 1.0 ELSE 0.0 END AS low_followers,
  CASE WHEN acc.description IS NULL OR trim(acc.description) = '' THEN 1.0 ELSE 0.0 END AS empty_bio,
  CASE WHEN acc.location IS NULL OR trim(acc.location) = '' THEN 1.0 ELSE 0.0 END AS empty_location,
  ln(1 + greatest(date_diff('day', acc.created_at, agg.first_post), 0)) AS log_age_days,
  ln(1 + agg.n_posts) AS log_posts,
  agg.repost_share, agg.reply_share, agg.quote_share, agg.hashtag_share, agg.url_share, agg.mention_share,
  agg.mean_text_len, ent.hour_entropy, ent.top_hour_share, agg.weekend_share,
  ln(1 + coalesce(agg.engagement, 0)) AS log_engagement,
  agg.n_clients, agg.n_langs,
  length(regexp_extract(coalesce(acc.handle, ''), '[0-9]+$')) AS handle_trailing_digits,
  length(coalesce(acc.handle, '')) AS handle_len
FROM agg LEFT JOIN acc USING (account_id) LEFT JOIN ent USING (account_id)
ORDER BY agg.account_id
"""


def account_matrix(con: duckdb.DuckDBPyConnection,
                   features: tuple[str, ...] = DEFAULT_FEATURES) -> tuple[list[str], np.ndarray]:
    """(account ids, feature matrix) for every account with posts; NaN where unknown."""
    unknown = [f for f in features if f not in DEFAULT_FEATURES]
    if unknown:
        raise InfoopsError(f"unknown features: {', '.join(unknown)} (known: {', '.join(DEFAULT_FEATURES)})")
    t = con.sql(_MATRIX_SQL).to_arrow_table()
    ids = [str(a) for a in t.column("account_id").to_pylist()]
    cols = [np.asarray(t.column(f).to_numpy(zero_copy_only=False), dtype=np.float64) for f in features]
    x = np.column_stack(cols) if cols else np.zeros((len(ids), 0))
    return ids, x


def make_estimator(kind: str = DEFAULT_MODEL, seed: int = 1) -> Any:
    """A scikit-learn pipeline: median imputation, then logistic regression or gradient boosting."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if kind == "logistic":
        return make_pipeline(SimpleImputer(strategy="median", keep_empty_features=True), StandardScaler(),
                             LogisticRegression(C=0.5, class_weight="balanced", max_iter=2000))
    if kind == "gbm":
        return make_pipeline(SimpleImputer(strategy="median", keep_empty_features=True),
                             HistGradientBoostingClassifier(max_depth=3, learning_rate=0.1, max_iter=150,
                                                            class_weight="balanced", random_state=seed))
    raise InfoopsError(f"unknown model {kind!r} (known: {', '.join(MODELS)})")


@dataclass
class AccountModel:
    """A trained model with the feature list it expects."""

    estimator: Any
    features: tuple[str, ...]
    kind: str
    trained_on: dict[str, Any] = field(default_factory=dict)
    version: str = __version__

    def predict(self, con: duckdb.DuckDBPyConnection) -> dict[str, float]:
        ids, x = account_matrix(con, self.features)
        if not ids:
            return {}
        p = self.estimator.predict_proba(x)[:, 1]
        return dict(zip(ids, p.tolist(), strict=True))

    def save(self, path: Path) -> None:
        import joblib

        joblib.dump(self, path)

    @staticmethod
    def load(path: Path) -> AccountModel:
        import joblib

        obj = joblib.load(path)
        if not isinstance(obj, AccountModel):
            raise InfoopsError(f"{path}: not an infoops account model")
        return obj


def fit_model(x: np.ndarray, y: np.ndarray, features: tuple[str, ...] = DEFAULT_FEATURES,
              kind: str = DEFAULT_MODEL, seed: int = 1, trained_on: dict[str, Any] | None = None) -> AccountModel:
    if len(set(y.tolist())) < 2:
        raise InfoopsError("training needs both operation and control accounts")
    est = make_estimator(kind, seed)
    est.fit(x, y)
    return AccountModel(est, features, kind, trained_on or {"accounts": int(len(y)), "positives": int(y.sum())})


def train_from_case(con: duckdb.DuckDBPyConnection, labels: dict[str, int],
                    features: tuple[str, ...] = DEFAULT_FEATURES, kind: str = DEFAULT_MODEL,
                    seed: int = 1) -> AccountModel:
    """Train on the accounts of a case that have a label (1 = operation, 0 = control)."""
    ids, x = account_matrix(con, features)
    keep = [i for i, a in enumerate(ids) if a in labels]
    if not keep:
        raise InfoopsError("no labelled account has posts in the training data")
    y = np.array([labels[ids[i]] for i in keep], dtype=np.int64)
    return fit_model(x[keep], y, features, kind, seed)


def leave_one_group_out(x: np.ndarray, y: np.ndarray, groups: list[str], kind: str = DEFAULT_MODEL,
                        features: tuple[str, ...] = DEFAULT_FEATURES, seed: int = 1) -> dict[str, dict[str, float]]:
    """ROC AUC (and average precision) on each group when trained on all the others."""
    from sklearn.metrics import average_precision_score, roc_auc_score

    g = np.array(groups)
    out: dict[str, dict[str, float]] = {}
    for held in sorted(set(groups)):
        tr, te = g != held, g == held
        if len(set(y[te].tolist())) < 2 or len(set(y[tr].tolist())) < 2:
            continue
        m = fit_model(x[tr], y[tr], features, kind, seed)
        p = m.estimator.predict_proba(x[te])[:, 1]
        out[held] = {"roc_auc": float(roc_auc_score(y[te], p)), "average_precision": float(average_precision_score(y[te], p)),
                     "test_accounts": int(te.sum()), "test_positives": int(y[te].sum())}
    return out


def read_labels(path: Path) -> dict[str, int]:
    """account_id/userid -> 0/1 from a CSV with is_io or label (the simulator's truth.csv works)."""
    import csv

    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        names = {n.strip().lower(): n for n in reader.fieldnames or []}
        key = names.get("account_id") or names.get("userid")
        col = names.get("is_io") or names.get("label")
        if key is None or col is None:
            raise InfoopsError(f"{path}: needs account_id (or userid) and is_io (or label) columns")
        return {row[key].strip(): int(str(row[col]).strip().lower() in ("1", "true", "1.0"))
                for row in reader if row.get(key)}


def labels_from_column(sources: list[Path], column: str) -> dict[str, int]:
    """Per account (userid, else user_screen_name): 1 when any of its rows has column = 1/true."""
    files = [f for s in sources for f in ([s] if s.is_file() else sorted(s.rglob("*.csv*")))]
    out: dict[str, int] = {}
    con = duckdb.connect()
    try:
        for f in files:
            rel = con.read_csv(str(f), header=True, all_varchar=True, strict_mode=False, ignore_errors=True)
            if column not in rel.columns:
                continue
            key = "userid" if "userid" in rel.columns else "user_screen_name"
            if key not in rel.columns:
                continue
            for k, v in rel.aggregate(
                f'"{key}", max(CASE WHEN lower(trim("{column}")) IN (\'1\', \'true\', \'1.0\') THEN 1 ELSE 0 END)'
            ).fetchall():
                if k:
                    out[str(k)] = max(out.get(str(k), 0), int(v))
    finally:
        con.close()
    if not out:
        raise InfoopsError(f"no source file has the label column {column!r} with userid or user_screen_name")
    return out


def train_from_sources(sources: list[Path], labels: Path | None, label_column: str | None,
                       kind: str = DEFAULT_MODEL, seed: int = 1,
                       features: tuple[str, ...] = DEFAULT_FEATURES) -> AccountModel:
    """Ingest `sources` into a temporary case and train on the labelled accounts."""
    from infoops.ingest import ingest
    from infoops.store import Case

    if (labels is None) == (label_column is None):
        raise InfoopsError("give exactly one of --labels FILE or --label-column COLUMN")
    lab = read_labels(labels) if labels is not None else labels_from_column(sources, str(label_column))
    case = Case.memory()
    try:
        ingest(case, sources, progress=False, detect_languages=False)
        model = train_from_case(case.con, lab, features, kind, seed)
    finally:
        case.close()
    model.trained_on["sources"] = [str(s) for s in sources]
    return model
