"""Cleaning: what trafilatura keeps but a reader would call boilerplate.

``rules`` holds small named rules, ``languages`` the per-language vocabulary
they read, ``cleaner`` applies them to an article's paragraphs and keeps the
audit trail, ``flattened`` handles text that lost its paragraphs and punctuation.
"""

from pipeline.cleaning.cleaner import Cleaner, CleanResult

__all__ = ["CleanResult", "Cleaner"]
