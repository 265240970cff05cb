"""The two shapes data takes on its way through: a fetched ``Page`` and a stored ``Article``.

``Article`` is the bucket's contract with downstream readers; its JSON Schema is
generated from this model (``pipeline/schema/record.v3.json``) and every stored
record carries ``schema_version`` so readers can refuse what they don't know.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from pipeline.textnorm import word_count

SCHEMA_VERSION = 3


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Page:
    """One HTTP response as the crawler saw it; the unit the extractor works on."""

    url: str
    body: bytes = field(repr=False)
    source: str
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    fetched: datetime = field(default_factory=utcnow)
    final_url: str | None = None
    # Set by the spider: does the URL match the source's article patterns?
    article_candidate: bool = True
    # The change date the sitemap or feed gave for this URL, kept for incremental crawls.
    lastmod: str | None = None

    @property
    def effective_url(self) -> str:
        return self.final_url or self.url

    def header(self, name: str) -> str:
        wanted = name.lower()
        for key, value in self.headers.items():
            if key.lower() == wanted:
                return value
        return ""


class AlsoAt(BaseModel):
    """Another place the same article was found: never dropped silently."""

    model_config = ConfigDict(extra="forbid")

    url: str
    source: str
    fetched: datetime


class Removal(BaseModel):
    """One span the cleaner took out, and the rule that did it (the audit trail)."""

    model_config = ConfigDict(extra="forbid")

    rule: str
    text: str
    # Schema version 3: where it was, so it can be shown in place (cleanwire preview --html).
    at: int | None = Field(
        default=None,
        description="Schema version 3: the block's place among the extracted paragraphs (kept and "
        "removed, in page order, from 0); none for a span cut from flattened text and in older records.",
    )


class PageKind(BaseModel):
    """Whether the page is an article, and the evidence that says so (pipeline/extract/page_kind.py)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["article", "not-an-article"] = Field(
        description="The judgement; the crawl stores only articles, `cleanwire extract` returns any page."
    )
    short: bool = Field(description="A brief: fewer than 150 words.")
    words: int = Field(description="Body length in words, counting Chinese and Japanese by characters.")
    evidence: list[str] = Field(
        default_factory=list, description="Each signal seen, with its weight for (+) or against (-)."
    )


class Article(BaseModel):
    """A cleaned news article as stored in the bucket."""

    model_config = ConfigDict(extra="forbid")

    schema_version: int = SCHEMA_VERSION
    id: str = Field(description="Content-derived id: the first 24 hex digits of content_hash.")
    url: str = Field(description="The URL the article was fetched from.")
    canonical_url: str = Field(description="The URL with tracking parameters and fragments removed.")
    source: str
    site_name: str | None = None
    title: str | None = None
    authors: list[str] = Field(default_factory=list)
    published: str | None = Field(default=None, description="Publication date, ISO 8601.")
    fetched: datetime
    language: str | None = None
    text: str = Field(description="The clean body, paragraphs separated by a blank line; no title.")
    content_hash: str = Field(description="sha256 of the normalised text (case, punctuation folded).")
    also_at: list[AlsoAt] = Field(default_factory=list)
    removed: list[Removal] = Field(
        default_factory=list, description="What cleaning removed from the extracted text, by rule."
    )
    page_kind: PageKind | None = Field(
        default=None, description="Schema version 2: the page-kind judgement and its evidence."
    )

    @property
    def chars(self) -> int:
        return len(self.text)

    @property
    def words(self) -> int:
        return word_count(self.text)

    def summary(self) -> dict[str, object]:
        """The line ``cleanwire ls --json`` prints."""
        return {
            "id": self.id,
            "url": self.url,
            "source": self.source,
            "title": self.title,
            "published": self.published,
            "chars": self.chars,
            "also_at": [a.url for a in self.also_at],
        }
