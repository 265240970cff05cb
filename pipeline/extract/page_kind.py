"""Is this page an article? Judged on evidence, and the evidence is kept.

One meta tag used to decide (``og:type website`` dropped the page), and a word floor counted by
spaces refused every Japanese and Chinese article and every wire brief. On 288 real pages
(``benchmarks/realpages``) that refused 63 real articles. Publishers set ``og:type website`` on
article pages, and leave it out on listing pages, so no single signal is trusted: each signal
found is a line of evidence with a weight, for or against, and a page is refused only when the
evidence against it outweighs the evidence for it (``Verdict.is_article``). The lines that
decided go into the record (``Article.page_kind``) and into a refusal's reason, so a reader can
see why a page was or was not kept.

Weights are small integers chosen so that one strong signal (structured data saying
``NewsArticle``, or a listing of many headline links) decides alone, and weak ones (a date, an
``<article>`` element, a byline) only together. The floor below which text is no article at all
(``MIN_ARTICLE_WORDS``) and the "short" mark (``SHORT_WORDS``) are in ``word_count`` units, which
count a word of a language written without spaces the way a reader would.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from htmldate import find_date
from lxml import etree
from lxml import html as lxml_html

from pipeline.textnorm import fold, word_count

# Readability's and Postlight's real articles (288 pages, 11 languages) go down to 19 words of
# body (a wire brief, a Japanese press note); the 8 pages Readability itself calls non-articles
# extract to 1-16 words, or are decided by other evidence. 15 sits below every real article and
# above the boilerplate stubs (a title and a share line) that a broken template leaves.
MIN_ARTICLE_WORDS = 15
# Below this an article is kept but marked short: briefs, breaking-news items and wire shorts are
# 40-100 words, a full story rarely under 150.
SHORT_WORDS = 150

ARTICLE_TYPES = frozenset(
    t.lower()
    for t in (
        "Article",
        "NewsArticle",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "BackgroundNewsArticle",
        "ReviewNewsArticle",
        "AskPublicNewsArticle",
        "BlogPosting",
        "LiveBlogPosting",
        "SocialMediaPosting",
        "DiscussionForumPosting",
        "TechArticle",
        "ScholarlyArticle",
        "Report",
        "Review",
        "Recipe",
        "HowTo",
        "Guide",
    )
)
LISTING_TYPES = frozenset(
    t.lower() for t in ("CollectionPage", "ItemList", "SearchResultsPage", "ProfilePage", "Person")
)
# og:type values that describe something other than a piece of writing. "website" is not among
# them (it weighs -1 only): it is the default of many CMS templates on every page, articles
# included.
NON_ARTICLE_OG_TYPES = frozenset({"profile", "product", "video.other", "video.movie", "music.song", "book"})

# Path segments of pages that list other pages. Matched as whole segments, in any position.
_LISTING_SEGMENTS = frozenset(
    {
        "tag",
        "tags",
        "topic",
        "topics",
        "category",
        "categories",
        "author",
        "authors",
        "search",
        "section",
        "sections",
        "archive",
        "archives",
        "page",
        "label",
        "labels",
        "feed",
    }
)
_PAGINATION = re.compile(r"(?:[?&](?:page|p|paged)=\d+)|(?:/page/\d+/?$)", re.IGNORECASE)
_SEARCH_QUERY = re.compile(r"[?&](?:s|q|query|search)=", re.IGNORECASE)

_JSONLD = etree.XPath('//script[@type="application/ld+json"]/text()')
_MICRODATA_TYPES = etree.XPath("//*[@itemtype]/@itemtype")
_META = etree.XPath("//meta[@property or @name]")
_ARTICLE_ELEMENTS = etree.XPath("count(//article)")
_H1 = etree.XPath("//h1")
_LINKS = etree.XPath("//body//a[@href]")
_PROSE_BLOCKS = etree.XPath("//p | //pre | //article | //div[br]")
_CJK_CHARS = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
READERABLE_PROSE = 20  # Readability.js's isProbablyReaderable threshold for prose_score
JSONLD_MAX_CHARS = 200_000  # per script: structured data is small; a huge blob is not read


@dataclass(frozen=True)
class Evidence:
    """One signal: what was seen, and how much it says for (+) or against (-) an article."""

    signal: str
    weight: int

    def __str__(self) -> str:
        return f"{self.signal} ({self.weight:+d})"


@dataclass
class Verdict:
    """The page-kind judgement: the evidence found, and what it adds up to."""

    evidence: list[Evidence] = field(default_factory=list)

    def add(self, signal: str, weight: int) -> None:
        self.evidence.append(Evidence(signal, weight))

    @property
    def score(self) -> int:
        return sum(e.weight for e in self.evidence)

    @property
    def is_article(self) -> bool:
        """Refused only when the evidence says so: some signal against, and it outweighs the rest."""
        return self.score >= 0 or not any(e.weight < 0 for e in self.evidence)

    def lines(self) -> list[str]:
        return [str(e) for e in self.evidence]

    def summary(self) -> str:
        """The evidence against first (it is why a page is refused), then the rest."""
        ordered = sorted(self.evidence, key=lambda e: e.weight)
        return "; ".join(str(e) for e in ordered)


def _jsonld_types(value: object, out: set[str], depth: int = 0) -> None:
    """Every ``@type`` in a JSON-LD value (top level, ``@graph`` and nested items)."""
    if depth > 6:
        return
    if isinstance(value, list):
        for item in value[:100]:
            _jsonld_types(item, out, depth + 1)
    elif isinstance(value, dict):
        kind = value.get("@type")
        for name in kind if isinstance(kind, list) else [kind]:
            if isinstance(name, str):
                out.add(name.rsplit("/", 1)[-1].lower())
        for key in ("@graph", "mainEntity", "mainEntityOfPage", "itemListElement"):
            if key in value:
                _jsonld_types(value[key], out, depth + 1)


def structured_types(root: lxml_html.HtmlElement) -> set[str]:
    """Schema.org types the page declares, from JSON-LD and microdata, lower-cased."""
    found: set[str] = set()
    for blob in _JSONLD(root)[:20]:
        if len(blob) > JSONLD_MAX_CHARS:
            continue
        try:
            _jsonld_types(json.loads(blob), found)
        except ValueError:
            continue  # broken JSON-LD is common; the other signals still count
    for itemtype in _MICRODATA_TYPES(root)[:50]:
        for name in str(itemtype).split():
            found.add(name.rstrip("/").rsplit("/", 1)[-1].lower())
    return found


def _meta(root: lxml_html.HtmlElement) -> dict[str, str]:
    metas: dict[str, str] = {}
    for element in _META(root)[:300]:
        key = (element.get("property") or element.get("name") or "").strip().lower()
        if key and key not in metas:
            metas[key] = (element.get("content") or "").strip()
    return metas


# An article's own path: a slug of three or more words, a long numeric id, or a date in the path.
_SLUG = re.compile(r"^[^-_]+([-_][^-_]+){2,}$|\d{5,}")
_DATE_PATH = re.compile(r"/(19|20)\d\d/\d\d?/")


def _listing_url(url: str) -> str | None:
    """A tag, author, section, search or archive page by its URL; a path that ends in an article
    slug (``/archives/2019/04/story-name.html``) is an article filed under that word."""
    parts = urlsplit(url)
    segments = [s.lower() for s in parts.path.split("/") if s]
    if not segments and not parts.query:
        return "site root"
    if segments and (_SLUG.search(segments[-1].rsplit(".", 1)[0]) or _DATE_PATH.search(parts.path)):
        return None
    for segment in segments:
        if segment in _LISTING_SEGMENTS:
            return f"/{segment}/ in URL"
    if _PAGINATION.search(url):
        return "pagination in URL"
    if parts.query and _SEARCH_QUERY.search("?" + parts.query):
        return "search query in URL"
    return None


def _anchor_texts(root: lxml_html.HtmlElement) -> set[str]:
    """The folded text of every link on the page that is long enough to be a headline."""
    anchors: set[str] = set()
    for link in _LINKS(root)[:5000]:
        text = fold(link.text_content())
        if text.count(" ") >= 3:
            anchors.add(text)
    return anchors


def _starts_with_anchor(folded: str, anchors: set[str]) -> bool:
    """Does the paragraph open with a link's whole text (a teaser: headline, then its summary)?
    Looked up by the paragraph's word prefixes, so the cost does not grow with the page's links."""
    end = -1
    for words in range(1, 40):  # the prefix of ``words`` words ends at the words-th space
        end = folded.find(" ", end + 1)
        if end < 0:
            return False
        if words >= 4 and end >= 20 and folded[:end] in anchors:
            return True
    return False


def linked_share(paragraphs: list[str], anchors: set[str]) -> tuple[int, float]:
    """How many extracted paragraphs are (or start with) a link's text, and their share of the
    words: a listing's "body" is its linked headlines, an article's is prose nobody links to."""
    linked = total = count = 0
    for para in paragraphs:
        words = word_count(para)
        total += words
        folded = fold(para)
        if folded in anchors or _starts_with_anchor(folded, anchors):
            linked += words
            count += 1
    return count, (linked / total if total else 0.0)


def prose_score(blocks: list[str]) -> float:
    """Readability's measure of running text: the sum over text blocks of sqrt(chars - 140).

    Readability.js calls a page readerable above 20, summing over the page's ``p``, ``pre`` and
    ``article`` elements and ``div``s broken by ``br``. Characters of Chinese and Japanese carry
    about three Latin characters' worth of text each, so they count three times.
    """
    score = 0.0
    for para in blocks:
        chars = len(para) + 2 * len(_CJK_CHARS.findall(para)) if not para.isascii() else len(para)
        if chars > 140:
            score += (chars - 140) ** 0.5
    return score


def _metadata_date(root: lxml_html.HtmlElement, url: str) -> str | None:
    """A date the page declares (meta tags, JSON-LD, ``<time>``, the URL), not one guessed from its
    text: htmldate without its extensive search. A product page or a demo page has dates in
    its text, rarely a declared publication date."""
    try:
        return find_date(root, extensive_search=False, original_date=True, url=url)
    except (ValueError, TypeError):
        return None


def _weigh_markup(
    verdict: Verdict, root: lxml_html.HtmlElement, paragraphs: list[str], title: str | None
) -> None:
    """The markup's evidence: structured data, og:type, <article>, the headline, link density."""
    types = structured_types(root)
    article_types = sorted(types & ARTICLE_TYPES)
    listing_types = sorted(types & LISTING_TYPES)
    if article_types:
        verdict.add(f"structured data @type {article_types[0]}", 3)
    elif listing_types:
        verdict.add(f"structured data @type {listing_types[0]}", -2)
    meta = _meta(root)
    og_type = meta.get("og:type", "").lower()
    if og_type == "article" or og_type.startswith("article"):
        verdict.add("og:type article", 2)
    elif og_type in NON_ARTICLE_OG_TYPES:
        verdict.add(f"og:type {og_type}", -2)
    elif og_type == "website":
        verdict.add("og:type website", -1)  # weak: many templates set it on every page
    if meta.get("article:published_time") or meta.get("article:modified_time"):
        verdict.add("article:published_time", 1)
    if _ARTICLE_ELEMENTS(root):
        verdict.add("<article> element", 1)
    if title:
        folded_title = fold(title)
        for h1 in _H1(root)[:5]:
            heading = fold(h1.text_content())
            if heading and (heading in folded_title or folded_title in heading):
                verdict.add("headline matches title", 1)
                break
    count, share = linked_share(paragraphs, _anchor_texts(root))
    if count >= 3 and share >= 0.5:
        verdict.add(f"listing: {count} of the text's paragraphs are links ({share:.0%} of words)", -3)


def judge(
    root: lxml_html.HtmlElement | None,
    url: str,
    *,
    paragraphs: list[str],
    title: str | None,
    date: str | None,
    author: str | None,
    url_matches_pattern: bool | None = None,
) -> Verdict:
    """Weigh what the page says about itself (the body's length is added by ``weigh_body``).

    ``url_matches_pattern`` is the crawl's knowledge (the source's article URL pattern); ``None``
    when the page was handed in directly.
    """
    verdict = Verdict()
    if root is not None:
        _weigh_markup(verdict, root, paragraphs, title)
    if root is not None and date and _metadata_date(root, url):
        verdict.add("publication date in the page's metadata", 1)
    elif date:
        verdict.add("a date in the text only", 0)
    else:
        verdict.add("no publication date", -1)
    blocks = (
        [" ".join(el.text_content().split()) for el in _PROSE_BLOCKS(root)[:3000]]
        if root is not None
        else paragraphs
    )
    prose = prose_score(blocks)
    if prose < READERABLE_PROSE:
        verdict.add(f"little running text (prose score {prose:.0f} < {READERABLE_PROSE})", -2)
    if author:
        verdict.add("byline", 1)
    listing = _listing_url(url)
    if listing:
        verdict.add(listing, -2)
    if url_matches_pattern:
        verdict.add("URL matches the source's article pattern", 2)
    return verdict


def weigh_body(verdict: Verdict, words: int) -> None:
    """A long body is evidence of an article; a listing's link text rarely survives extraction."""
    if words >= SHORT_WORDS:
        verdict.add(f"{words} words of body", 1)
