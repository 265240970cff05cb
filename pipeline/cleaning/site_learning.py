"""Site-level learning: a block of text that recurs on many pages of one site is its chrome.

This is what removes a trending-headline strip or a promo line that no markup
identifies. Counts are kept per source in the store between runs, so later
pages and text-mode input with a known source benefit; ``cleanwire
boilerplate SOURCE`` shows what was learned.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from lxml import html as lxml_html

from pipeline.storage import ObjectStore
from pipeline.storage.layout import boilerplate_key
from pipeline.textnorm import fold, word_count

BLOCK_TAGS = (
    "p",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "figcaption",
    "dt",
    "dd",
    "td",
    "a",
    "span",
    "div",
)
MIN_WORDS = 3
MAX_WORDS = 60
MIN_PAGES = 4
MIN_SHARE = 0.5


def page_blocks(html: str) -> set[str]:
    """Folded text of the page's small blocks (leaf-ish elements, 3 to 60 words), once each.

    Words are counted in every script (``textnorm.word_count``): counted by spaces, a Japanese
    or Chinese menu line or promo box is one word, below the floor, so site learning never
    learned anything on those sites."""
    try:
        root = lxml_html.fromstring(html)
    except (ValueError, lxml_html.etree.ParserError):
        return set()
    return tree_blocks(root)


def tree_blocks(root: lxml_html.HtmlElement) -> set[str]:
    """``page_blocks`` of a page already parsed (the extractor parses each page once)."""
    blocks: set[str] = set()
    for element in root.iter(*BLOCK_TAGS):
        if element.tag == "div" and len(element):
            continue  # only text-only divs; containers repeat their children
        text = fold(element.text_content())
        words = word_count(text)
        if MIN_WORDS <= words <= MAX_WORDS:
            blocks.add(text)
    return blocks


@dataclass
class SiteBoilerplate:
    source: str
    pages: int = 0
    counts: Counter[str] = field(default_factory=Counter)

    def observe(self, html: str) -> None:
        self.observe_blocks(page_blocks(html))

    def observe_blocks(self, blocks: set[str]) -> None:
        self.pages += 1
        self.counts.update(blocks)

    def learn(self, all_blocks: Iterable[set[str]]) -> frozenset[str]:
        """Observe a crawl's pages by their blocks, then what is learned. A page without blocks
        (not HTML, an error page) says nothing about the site's chrome and is not counted."""
        for blocks in all_blocks:
            if blocks:
                self.observe_blocks(blocks)
        learned = self.learned()
        # Every distinct block of the crawl is counted (each article's own paragraphs among them):
        # pruned now, as ``save`` would prune them, not held until the run's commit.
        self.prune()
        return learned

    def learned(self) -> frozenset[str]:
        """Blocks on at least MIN_PAGES pages and at least MIN_SHARE of all pages seen."""
        if self.pages < MIN_PAGES:
            return frozenset()
        threshold = max(MIN_PAGES, MIN_SHARE * self.pages)
        return frozenset(text for text, n in self.counts.items() if n >= threshold)

    def prune(self, keep: int = 5000) -> None:
        """Keep the state small: only the most frequent blocks survive between runs."""
        self.counts = Counter(dict(self.counts.most_common(keep)))

    def dumps(self) -> bytes:
        payload = {"source": self.source, "pages": self.pages, "counts": dict(self.counts)}
        return gzip.compress(json.dumps(payload).encode("utf-8"))

    @classmethod
    def loads(cls, source: str, data: bytes) -> SiteBoilerplate:
        payload = json.loads(gzip.decompress(data))
        return cls(source, payload["pages"], Counter(payload["counts"]))

    @classmethod
    def load(cls, store: ObjectStore, source: str) -> SiteBoilerplate:
        try:
            return cls.loads(source, store.get(boilerplate_key(source)))
        except KeyError:
            return cls(source)

    def save(self, store: ObjectStore) -> None:
        self.prune()
        store.put(boilerplate_key(self.source), self.dumps(), "application/gzip")


def load_learned(store: ObjectStore, sources: list[str]) -> dict[str, frozenset[str]]:
    return {name: SiteBoilerplate.load(store, name).learned() for name in sources}
