"""Text normal forms shared by cleaning and dedup.

The fold is deliberately brutal (lower case, every non-alphanumeric character a
space) because that is what earlier scrapers did to text like seed 000: a
flattened copy and its normal form must fold to the same string.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

_NON_WORD = re.compile(r"[\W_]+")
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold(text: str) -> str:
    """Lower case, accents stripped, punctuation and whitespace collapsed to single spaces.

    Letters of every script survive (only marks and punctuation go); ASCII text,
    the common case, skips Unicode decomposition.
    """
    text = text.lower()
    if not text.isascii():
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    return _NON_WORD.sub(" ", text).strip()


@lru_cache(maxsize=8192)
def fold_block(text: str) -> str:
    """``fold`` for a paragraph, remembered: five cleaning rules and site learning fold the same
    paragraphs of a page, and that was a quarter of cleaning's time."""
    return fold(text)


def hash_folded(folded: str) -> str:
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


def content_hash(text: str) -> str:
    return hash_folded(fold(text))


def record_id(hash_hex: str) -> str:
    return hash_hex[:24]


def paragraphs(text: str) -> list[str]:
    """Split text into paragraphs at every line break.

    Scraped text and trafilatura's output both put one block per line; a caption
    and its credit on two lines are two blocks, whatever the blank lines say.
    """
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def join_paragraphs(parts: list[str]) -> str:
    return "\n\n".join(parts)
