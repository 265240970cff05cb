"""Span rules for flattened text: one line, lower case, no punctuation (seed 000).

Paragraph rules cannot see where chrome ends in such text, so these rules work
on word positions: a page header of chrome words at the very start, a footer
that starts with a copyright line near the very end.
"""

from __future__ import annotations

import re

from pipeline.cleaning.languages import LanguagePack
from pipeline.record import Removal

HEADER_WINDOW_WORDS = 60
FOOTER_WINDOW_WORDS = 80


def is_flattened(text: str) -> bool:
    """Long text with no sentence punctuation and no capitals: paragraph rules won't see it."""
    sample = text[:4000]
    return len(sample.split()) > 80 and not re.search(r"[.!?,;:A-Z]", sample)


def strip_header(text: str, pack: LanguagePack) -> tuple[str, Removal | None]:
    if not pack.header_start.match(text):
        return text, None
    window = " ".join(text.split()[:HEADER_WINDOW_WORDS])
    last_end = None
    for match in pack.header_end.finditer(window):
        last_end = match.end()
    if last_end is None:
        match = pack.header_start.match(text)
        assert match is not None
        last_end = match.end()
    removed = window[:last_end]
    rest = text.split(None, len(removed.split()))
    body = rest[-1] if len(rest) > len(removed.split()) else ""
    return body, Removal(rule="flattened-page-header", text=removed)


def strip_footer(text: str, pack: LanguagePack) -> tuple[str, Removal | None]:
    words = text.split()
    tail_start = max(0, len(words) - FOOTER_WINDOW_WORDS)
    tail = " ".join(words[tail_start:])
    match = pack.footer_start.search(tail)
    if match is None:
        return text, None
    footer = tail[match.start() :]
    if not pack.footer_tokens.search(footer) and len(footer.split()) > 12:
        return text, None
    head_words = len(tail[: match.start()].split())
    body = " ".join(words[: tail_start + head_words])
    return body, Removal(rule="flattened-page-footer", text=footer)


def strip_learned_edges(text: str, learned: frozenset[str]) -> tuple[str, list[Removal]]:
    """Peel learned site blocks (trending strips, nav lines) off the start and end of the text."""
    removed: list[Removal] = []
    # Short learned blocks (a date, "terms of use") are too likely to end a real sentence.
    phrases = sorted((p for p in learned if p.count(" ") >= 3), key=len, reverse=True)
    changed = True
    while changed and text:
        changed = False
        for phrase in phrases:
            if text.startswith(phrase + " ") or text == phrase:
                text = text[len(phrase) :].lstrip()
            elif text.endswith(" " + phrase):
                text = text[: -len(phrase)].rstrip()
            else:
                continue
            removed.append(Removal(rule="learned-site-boilerplate", text=phrase))
            changed = True
    return text, removed
