"""Word-level text processing shared by the lexical index and the glossary: one tokenizer for both."""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer
from bm25s.stopwords import STOPWORDS_EN

_WORD = re.compile(r"[^\W_]+")
_STOPWORDS = frozenset(STOPWORDS_EN)
_stemmer = Stemmer.Stemmer("english")


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return str(_stemmer.stemWord(word))


def words(text: str) -> list[str]:
    """Lower-cased words of two or more characters ("co-operation" -> "co", "operation")."""
    return [w for w in _WORD.findall(text.lower()) if len(w) > 1]


def stems(text: str, keep_stopwords: bool = False) -> list[str]:
    """Stemmed words, stop words dropped unless asked; the lexical index's vocabulary."""
    return [_stem(w) for w in words(text) if keep_stopwords or w not in _STOPWORDS]


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """ "1 article", "2 articles", "1,204 passages": counts as people write them."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, with "…" where it was cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
