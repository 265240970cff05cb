"""Page kind from evidence: real articles kept (briefs, unspaced scripts, og:type website), real
non-articles refused by the crawl with the evidence that decided, and every page handed to
``extract_article`` returned with its judgement."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from pipeline.extract.extractor import Extractor, extract_article
from pipeline.extract.page_kind import MIN_ARTICLE_WORDS, prose_score
from pipeline.outcomes import NotAnArticle, Outcome
from pipeline.record import Page
from pipeline.textnorm import word_count

REAL = Path(__file__).parent / "fixtures" / "realpages"
ROWS = [json.loads(line) for line in (REAL / "pages.jsonl").read_text(encoding="utf-8").splitlines()]
ARTICLES = [r for r in ROWS if r["set"] != "readability" or r.get("readerable")]
NON_ARTICLES = [r for r in ROWS if r["set"] == "readability" and not r.get("readerable")]


def _html(row: dict) -> str:
    return gzip.decompress((REAL / row["file"]).read_bytes()).decode("utf-8")


def _page(url: str, html: str, *, candidate: bool = True) -> Page:
    return Page(
        url=url,
        body=html.encode(),
        source="t",
        headers={"Content-Type": "text/html; charset=utf-8"},
        article_candidate=candidate,
    )


def test_the_fixture_pages_are_the_ones_described() -> None:
    assert len(NON_ARTICLES) == 8 and len(ARTICLES) == 9


@pytest.mark.parametrize("row", ARTICLES, ids=lambda r: r["id"])
def test_real_articles_give_a_record_judged_an_article(row: dict) -> None:
    article = extract_article(_html(row), row["url"])
    assert article.page_kind is not None and article.page_kind.kind == "article", article.page_kind
    assert article.page_kind.words >= MIN_ARTICLE_WORDS
    # and the crawl keeps them too, with the source's URL pattern as one more line of evidence
    stored = Extractor().extract_page(_page(row["url"], _html(row)))
    assert stored.text == article.text


@pytest.mark.parametrize("row", NON_ARTICLES, ids=lambda r: r["id"])
def test_readabilitys_non_articles_are_judged_so_with_evidence(row: dict) -> None:
    """Handed in directly, the page's text comes back (the user's judgement), labelled; the
    evidence names what decided. (The crawl refuses these unless the source's own article
    pattern vouches for them: see the listing test below for a crawl's refusal.)"""
    try:
        article = extract_article(_html(row), row["url"])
    except NotAnArticle as refused:  # only a page with no text at all may raise
        assert refused.outcome is Outcome.EMPTY
        return
    kind = article.page_kind
    assert kind is not None and kind.kind == "not-an-article"
    assert any("(-" in line for line in kind.evidence), kind.evidence


def test_japanese_text_is_counted_by_characters_not_spaces() -> None:
    japanese = (
        "文化庁は１日、アート、エンターテインメント、"
        "アニメーション、マンガの４部門で優れた作品を顕彰した。"
    )
    assert len(japanese.split()) == 1
    assert word_count(japanese) >= 20
    assert word_count("これは Python の記事") == 4
    assert word_count("The council met on Tuesday.") == 5
    # Korean is written with spaces: each spaced word counts once
    assert word_count("한국어 기사 입니다") == 3


BRIEF = (
    "<!DOCTYPE html><html lang='{lang}'><head><title>{title} | The Ledger</title>"
    "<meta property='og:type' content='website'>"
    "<meta property='article:published_time' content='2025-09-02T10:00:00Z'></head>"
    "<body><nav><a href='/'>Home</a> <a href='/news/'>News</a></nav><main><h1>{title}</h1>"
    "<p>{body}</p></main><footer>© 2025 The Ledger</footer></body></html>"
)


def test_a_dated_brief_with_og_type_website_is_stored_marked_short() -> None:
    body = (
        "The River Street Bridge will close to traffic on Monday for eight weeks of deck repairs, "
        "the public works department said. Pedestrians can still cross on the north sidewalk."
    )
    html = BRIEF.format(lang="en", title="River Street Bridge to close", body=body)
    article = Extractor().extract_page(_page("https://ledger.example/2025/09/bridge-closes.html", html))
    assert article.text == body
    assert article.page_kind is not None and article.page_kind.short
    assert "og:type website (-1)" in article.page_kind.evidence


def test_a_chinese_brief_is_not_too_short() -> None:
    body = "国家统计局今天发布数据显示，十月份全国居民消费价格同比上涨百分之零点二，环比下降百分之零点一。"
    html = BRIEF.format(lang="zh", title="十月份居民消费价格同比上涨", body=body)
    article = Extractor().extract_page(_page("https://news.example.cn/2025/11/cpi.html", html))
    assert article.text == body and article.page_kind is not None and article.page_kind.words >= 20


LISTING = (
    "<!DOCTYPE html><html><head><title>Politics | The Ledger</title></head><body><main>"
    "<h1>Politics</h1>{items}<a href='/politics/page/2'>Next page</a></main></body></html>"
)


def _listing() -> str:
    items = "".join(
        f"<div class='card'><h2><a href='/2025/09/story-number-{i}-about-the-council.html'>"
        f"Council weighs budget plan number {i} after a long debate</a></h2></div>"
        for i in range(12)
    )
    return LISTING.format(items=items)


def test_a_listing_page_is_refused_by_the_crawl_with_its_evidence() -> None:
    page = _page("https://ledger.example/section/politics", _listing())
    with pytest.raises(NotAnArticle) as refused:
        Extractor().extract_page(page)
    assert refused.value.outcome is Outcome.NOT_AN_ARTICLE
    assert "listing" in refused.value.reason and "/section/ in URL" in refused.value.reason


def test_the_same_listing_handed_in_directly_gives_its_text_labelled() -> None:
    article = extract_article(_listing(), "https://ledger.example/section/politics")
    assert article.page_kind is not None and article.page_kind.kind == "not-an-article"
    assert "Council weighs budget plan number 3" in article.text


def test_an_article_filed_under_an_archive_path_is_not_a_listing() -> None:
    body = " ".join(["The council approved the plan after a debate that ran past midnight."] * 12)
    html = BRIEF.format(lang="en", title="Council approves plan", body=body)
    url = "https://blog.example/archives/2019/04/council-approves-the-plan.html"
    article = Extractor().extract_page(_page(url, html))
    assert not any("in URL" in line for line in article.page_kind.evidence)


def test_prose_score_is_readabilitys_and_counts_unspaced_scripts_denser() -> None:
    assert prose_score(["short line"] * 50) == 0
    assert prose_score(["x" * 240]) == pytest.approx(10)
    assert prose_score(["漢" * 80]) == pytest.approx(10)  # 80 characters weigh as 240
