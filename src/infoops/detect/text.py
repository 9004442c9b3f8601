"""Text normalisation shared by the text signals and the report's topic model.

`normalize(text)` makes two posts that differ only in non-semantic ways equal:

1. a leading retweet prefix ``RT @handle:`` is dropped;
2. URLs (``http(s)://...``, ``www....``) and ``@mentions`` are removed;
3. the text is lower-cased and traditional Chinese is converted to simplified
   (OpenCC ``t2s``; all non-ASCII texts of a batch go through OpenCC in one call);
4. runs of whitespace collapse to one space; leading/trailing space is removed.

`tokens(text)` segments normalised text into words: rjieba for Chinese runs,
plain word splitting elsewhere. `char_ngrams` gives the character shingles the
near-duplicate signal uses (works for Chinese without segmentation).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

RT_PREFIX = re.compile(r"^\s*RT\s+@[\w.]+\s*:?\s*", re.IGNORECASE)
CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]+")
WORD = re.compile(r"\w+(?:'\w+)?")

STRIP = re.compile(r"(?:https?://|www\.)\S+|(?<![\w@])@[\w.]*\w(?:@[\w.]*\w)*", re.IGNORECASE)


@lru_cache(maxsize=1)
def _opencc_t2s() -> object:
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → simplified Chinese with OpenCC's t2s (phrase rules included)."""
    conv = _opencc_t2s()
    return str(conv.convert(text))  # type: ignore[attr-defined]


def _basic(text: str) -> str:
    if "@" not in text and "://" not in text:
        low = text.lower()
        if "www." not in low:  # no RT prefix, mention or URL can match: skip the regular expressions
            return " ".join(low.split())
    s = RT_PREFIX.sub("", text, count=1)
    s = STRIP.sub(" ", s)
    return " ".join(s.lower().split())


def normalize(text: str | None) -> str:
    """Normalised form of a post's text (see module docstring); '' for None."""
    return normalize_many([text])[0]


def normalize_many(texts: Iterable[str | None]) -> list[str]:
    """`normalize` over many texts; OpenCC converts all non-ASCII texts in one call."""
    out = [_basic(t) if t else "" for t in texts]
    idx = [i for i, s in enumerate(out) if not s.isascii()]
    if idx:
        # whitespace is already collapsed, so a newline cannot occur inside a text
        converted = to_simplified("\n".join(out[i] for i in idx)).split("\n")
        if len(converted) == len(idx):
            for i, s in zip(idx, converted, strict=True):
                out[i] = s
        else:  # pragma: no cover - OpenCC keeps line breaks; convert one by one if not
            for i in idx:
                out[i] = to_simplified(out[i])
    return out


def tokens(text: str) -> list[str]:
    """Word tokens of already-normalised text: rjieba for Chinese runs, words elsewhere."""
    out: list[str] = []
    pos = 0
    for m in CJK_RUN.finditer(text):
        out.extend(WORD.findall(text[pos : m.start()]))
        out.extend(t for t in _jieba_cut(m.group()) if t.strip())
        pos = m.end()
    out.extend(WORD.findall(text[pos:]))
    return out


def _jieba_cut(run: str) -> list[str]:
    import rjieba

    return list(rjieba.cut(run))


def char_ngrams(text: str, n: int = 3) -> set[str]:
    """Character n-grams of normalised text (spaces kept); the text itself when shorter."""
    if len(text) <= n:
        return {text} if text else set()
    return {text[i : i + n] for i in range(len(text) - n + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    """Jaccard similarity of two shingle sets (0 for two empty sets)."""
    if not a and not b:
        return 0.0
    return len(a & b) / len(a | b)
