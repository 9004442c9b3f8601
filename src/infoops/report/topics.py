"""Topics over time: TF-IDF + NMF on a sample of a network's posts, multilingual.

Chinese is converted to simplified (OpenCC t2s) and segmented with rjieba;
other scripts (Cyrillic, Turkish Latin, ...) are split into regex word tokens.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

import numpy as np

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
_NOISE = re.compile(r"https?://\S+|@\w+|^RT\s+@?\w*:?", re.UNICODE)
STOPWORDS = frozenset("""
the a an and or of to in on for is are was be it this that with as at by from rt amp http https co
и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне было
вот от меня еще нет о из ему теперь когда даже ну вдруг ли если уже или ни быть был него до вас
bir ve bu da de için ile çok daha gibi ne ama o mi mı ki en şu her olan olarak
的 了 是 在 和 有 也 就 不 都 而 及 与 着 或 一个 没有 我们 你们 他们 这个 那个 这 那 之 被 让 把 对 中 等 啊 吧 吗 呢
""".split())


@dataclass
class TopicModel:
    terms: list[list[str]] = field(default_factory=list)  # top terms per topic
    weeks: list[str] = field(default_factory=list)  # ISO dates of week starts
    shares: list[list[float]] = field(default_factory=list)  # [topic][week] share of posts
    counts: list[list[int]] = field(default_factory=list)  # [topic][week] posts
    n_posts: int = 0


@lru_cache(maxsize=1)
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def tokenize(text: str) -> list[str]:
    """Word tokens for any language this report meets; Chinese runs are segmented."""
    import rjieba

    text = _NOISE.sub(" ", text or "").lower()
    out: list[str] = []
    if _HAN.search(text):
        text = _t2s().convert(text)
        for tok in rjieba.cut(text):
            tok = tok.strip()
            if len(tok) >= 2 and not tok.isdigit() and tok not in STOPWORDS and _WORD.fullmatch(tok):
                out.append(tok)
    else:
        out = [t for t in _WORD.findall(text) if t not in STOPWORDS]
    return out


def fit_topics(posts: list[dict[str, Any]], n_topics: int = 5, n_terms: int = 8, seed: int = 1) -> TopicModel:
    """NMF topics of the posts (rows with text, created_at) and their weekly shares."""
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = [tokenize(str(p.get("text") or "")[:2000]) for p in posts]
    keep = [i for i, d in enumerate(docs) if d]
    if len(keep) < 5:
        return TopicModel(n_posts=len(posts))
    vec = TfidfVectorizer(analyzer=lambda d: d, min_df=2 if len(keep) >= 50 else 1, max_df=0.95,
                          max_features=5_000, sublinear_tf=True)
    try:
        x = vec.fit_transform([docs[i] for i in keep])
    except ValueError:
        return TopicModel(n_posts=len(posts))
    k = max(1, min(n_topics, x.shape[1] - 1, len(keep) // 5))
    nmf = NMF(n_components=k, init="random", random_state=seed, max_iter=200)
    with warnings.catch_warnings():  # tiny or degenerate samples: convergence / sqrt warnings are expected
        warnings.simplefilter("ignore")
        w = nmf.fit_transform(x)
    vocab = np.array(vec.get_feature_names_out())
    terms = [vocab[np.argsort(-row)[:n_terms]].tolist() for row in nmf.components_]
    dominant = w.argmax(axis=1)
    weeks = [_week(posts[i]["created_at"]) for i in keep]
    labels = sorted(set(weeks))
    col = {wk: j for j, wk in enumerate(labels)}
    counts = np.zeros((k, len(labels)))
    for t, wk in zip(dominant, weeks, strict=True):
        counts[t, col[wk]] += 1
    totals = counts.sum(axis=0)
    totals[totals == 0] = 1
    shares = (counts / totals).round(4).tolist()
    return TopicModel(terms=terms, weeks=labels, shares=shares, counts=counts.astype(int).tolist(),
                      n_posts=len(posts))


def _week(ts: datetime) -> str:
    return (ts - timedelta(days=ts.weekday())).date().isoformat()
