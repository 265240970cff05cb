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


# Scripts written without spaces between words: Han, Hiragana, Katakana (and their halfwidth
# forms), Thai, Lao, Khmer, Myanmar. Hangul is written with spaces and counts as spaced text.
_UNSPACED = re.compile(
    "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]"
    "|[\u0e00-\u0e7f\u0e80-\u0eff\u1780-\u17ff\u1000-\u109f]"
)
_CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")
# Characters per word, as readers and word-segmenters count them: about 2 for Chinese and
# Japanese (1.5-2.5 by corpus), about 4 for Thai, Lao, Khmer and Myanmar syllable scripts.
CJK_CHARS_PER_WORD = 2
SEA_CHARS_PER_WORD = 4


def word_count(text: str) -> int:
    """Words in ``text`` in every script: spaced words, plus unspaced runs by characters per word.

    ``len(text.split())`` counts a whole Japanese paragraph as one word, so every length rule
    written with it refused Japanese and Chinese articles.
    """
    if text.isascii():
        return len(text.split())
    unspaced = _UNSPACED.findall(text)
    if not unspaced:
        return len(text.split())
    cjk = sum(1 for ch in unspaced if _CJK.match(ch))
    spaced = len(_UNSPACED.sub(" ", text).split())
    return spaced + -(-cjk // CJK_CHARS_PER_WORD) + -(-(len(unspaced) - cjk) // SEA_CHARS_PER_WORD)
