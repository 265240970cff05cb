"""``cleanwire preview NAME --html`` and ``cleanwire extract PAGE --html``: what cleaning did to each page.

The text shown is the record's own ``text`` (what the bucket stores), split at its paragraph
breaks; each removed block is put back where it was (``Removal.at``, schema version 3) and
struck through with the rule that removed it. Nothing here extracts or cleans again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from cleanwire.views import charts, render
from pipeline.record import Article, Removal
from pipeline.runs.history import LEARNED_RULE
from pipeline.textnorm import word_count


@dataclass
class PreviewPage:
    """One page: its outcome, and the record when it gave one (also a duplicate's)."""

    url: str
    outcome: str
    reason: str | None = None
    article: Article | None = None


@dataclass(frozen=True)
class Block:
    text: str
    rule: str | None = None  # None: kept

    @property
    def learned(self) -> bool:
        return self.rule == LEARNED_RULE


@dataclass
class PageView:
    url: str
    outcome: str
    reason: str | None
    article: Article | None
    blocks: list[Block] = field(default_factory=list)
    unplaced: list[Block] = field(default_factory=list)

    @property
    def title(self) -> str | None:
        return self.article.title if self.article else None

    @property
    def words_kept(self) -> int:
        return self.article.words if self.article else 0

    @property
    def words_removed(self) -> int:
        return sum(word_count(r.text) for r in self.article.removed) if self.article else 0


def place_blocks(text: str, removed: Sequence[Removal]) -> tuple[list[Block], list[Block]]:
    """The stored text's paragraphs with the removed blocks in place, and those with no place.

    A removal's ``at`` is its place among the extracted paragraphs, kept and removed; the kept
    ones fill the places no removal took, in order. A record whose places do not add up (older,
    or cleaned from flattened text) shows its removals after the text instead of guessing.
    """
    kept = text.split("\n\n") if text else []
    placed = {r.at: r for r in removed if r.at is not None}
    unplaced = [Block(r.text, r.rule) for r in removed if r.at is None]
    total = len(kept) + len(placed)
    if len(placed) != sum(r.at is not None for r in removed) or any(at >= total for at in placed):
        return [Block(p) for p in kept], [Block(r.text, r.rule) for r in removed]
    blocks, next_kept = [], iter(kept)
    for at in range(total):
        removal = placed.get(at)
        blocks.append(Block(removal.text, removal.rule) if removal else Block(next(next_kept)))
    return blocks, unplaced


def view(page: PreviewPage) -> PageView:
    result = PageView(page.url, page.outcome, page.reason, page.article)
    if page.article is not None:
        result.blocks, result.unplaced = place_blocks(page.article.text, page.article.removed)
    return result


@dataclass
class Summary:
    pages: int
    outcomes: list[tuple[str, int]]  # most pages first
    words_kept: int
    words_removed: int
    rules: list[tuple[str, int, int]]  # rule, blocks, words; the most blocks first


def summary(views: Sequence[PageView]) -> Summary:
    outcomes = Counter(v.outcome for v in views)
    blocks: Counter[str] = Counter()
    words: Counter[str] = Counter()
    for v in views:
        for removal in v.article.removed if v.article else ():
            blocks[removal.rule] += 1
            words[removal.rule] += word_count(removal.text)
    return Summary(
        pages=len(views),
        outcomes=sorted(outcomes.items(), key=lambda kv: (-kv[1], kv[0])),
        words_kept=sum(v.words_kept for v in views),
        words_removed=sum(v.words_removed for v in views),
        rules=[(rule, n, words[rule]) for rule, n in blocks.most_common()],
    )


def render_preview(pages: Sequence[PreviewPage], title: str, subtitle: str = "") -> str:
    """The whole page: a summary with its charts, then every page."""
    views = [view(p) for p in pages]
    facts = summary(views)
    drawn = []
    if facts.outcomes:
        drawn.append(
            charts.hbars(
                [o for o, _ in facts.outcomes], [n for _, n in facts.outcomes], "Pages by outcome", "pages"
            )
        )
    if facts.rules:
        rules = facts.rules[:12]
        drawn.append(
            charts.hbars(
                [r for r, _, _ in rules], [w for _, _, w in rules], "Words removed, by rule", "words"
            )
        )
    return render("preview.html.j2", title=title, subtitle=subtitle, summary=facts, charts=drawn, pages=views)
