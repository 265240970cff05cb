"""Every fetched page ends in exactly one outcome; the run counts them per source."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    EXTRACTED = "extracted"
    DUPLICATE = "duplicate"
    NOT_AN_ARTICLE = "not-an-article"
    TOO_SHORT = "too-short"
    TOO_LARGE = "too-large"
    BLOCKED = "blocked"
    PAYWALLED = "paywalled"
    EMPTY = "empty"
    ERROR = "error"


@dataclass(frozen=True)
class Dropped:
    """A page that did not become a new record, and why (the reason is for humans)."""

    url: str
    source: str
    outcome: Outcome
    reason: str


class NotAnArticle(ValueError):
    """Raised by ``extract_article`` when a page yields no article; carries the outcome."""

    def __init__(self, outcome: Outcome, reason: str) -> None:
        super().__init__(f"{outcome}: {reason}")
        self.outcome = outcome
        self.reason = reason

    def __reduce__(self) -> tuple[type[NotAnArticle], tuple[Outcome, str]]:
        # Crosses process boundaries (parallel extraction) intact.
        return NotAnArticle, (self.outcome, self.reason)
