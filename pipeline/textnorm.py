"""Text normal forms shared by cleaning and dedup.

The fold is deliberately brutal (lower case, every non-alphanumeric character a
space) because that is what earlier scrapers did to text like seed 000: a
flattened copy and its normal form must fold to the same string.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower case, accents stripped, punctuation and whitespace collapsed to single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", ascii_only).strip()


def content_hash(text: str) -> str:
    return hashlib.sha256(fold(text).encode("utf-8")).hexdigest()


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
