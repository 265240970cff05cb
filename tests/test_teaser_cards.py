"""Teaser cards (the site's own headline links with a summary) are left out of the article, in
any language, and recorded in the audit; a newsletter of links to other sites, a live blog and a
listing page keep their text."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from pipeline.extract.extractor import extract_article

REAL = Path(__file__).parent / "fixtures" / "realpages"
ROWS = {
    row["id"]: row
    for row in map(json.loads, (REAL / "pages.jsonl").read_text(encoding="utf-8").splitlines())
}


def _real(page_id: str) -> tuple[str, dict]:
    row = ROWS[page_id]
    return gzip.decompress((REAL / row["file"]).read_bytes()).decode("utf-8"), row


BODY_EN = (
    "The harbour authority approved the new ferry timetable on Monday after two years of "
    "complaints from commuters on the north shore, who said the last boat left too early. "
)
BODY_JA = "市議会は月曜日、北岸の通勤客から二年間寄せられた苦情を受けて、新しいフェリーの時刻表を承認した。"


def _page(body: str, cards: str, *, url: str = "https://news.example.com/2026/12/ferry-timetable") -> str:
    return f"""<html><head><title>Ferry timetable approved</title>
<link rel="canonical" href="{url}"></head><body>
<article><h1>Ferry timetable approved</h1>{body}</article>
<section class="stream">{cards}</section></body></html>"""


SUMMARY = "A summary of another story of the day, with what happened and who said it"


def _cards(n: int, *, host: str = "news.example.com", summary: str = "") -> str:
    return "".join(
        f'<div class="card"><h3><a href="https://{host}/2026/12/story-{i}">Other story number {i}</a></h3>'
        f"<p>{summary or SUMMARY} {i}.</p></div>"
        for i in range(n)
    )


def test_the_sites_own_teaser_stream_is_left_out_and_audited() -> None:
    html = _page("".join(f"<p>{BODY_EN}{i}</p>" for i in range(6)), _cards(5))
    article = extract_article(html, "https://news.example.com/2026/12/ferry-timetable")
    assert "Other story number" not in article.text and "summary of another story" not in article.text
    assert article.text.count("harbour authority") == 6
    teaser_lines = [r.text for r in article.removed if r.rule == "teaser-card"]
    assert len(teaser_lines) == 5 and teaser_lines[0].startswith("Other story number 0 | A summary")


def test_unspaced_scripts_are_cut_the_same_way() -> None:
    summary = "別のニュースの要約で、何が起きて誰が何を言ったかを伝える文章です"
    html = _page("".join(f"<p>{BODY_JA}{i}</p>" for i in range(8)), _cards(4, summary=summary))
    article = extract_article(html, "https://news.example.com/2026/12/ferry-timetable")
    assert summary not in article.text and article.text.count("フェリー") == 8
    assert sum(r.rule == "teaser-card" for r in article.removed) == 4


def test_headline_links_to_other_sites_are_a_newsletters_content() -> None:
    body = f"<p>{BODY_EN}</p>{_cards(5, host='other.example.org')}"
    html = _page(body, "")
    article = extract_article(html, "https://news.example.com/2026/12/ferry-timetable")
    assert article.text.count("summary of another story") == 5
    assert not any(r.rule == "teaser-card" for r in article.removed)


def test_a_real_newsletter_of_links_keeps_its_items() -> None:
    html, row = _real("postlight/ma.ttias.be")
    article = extract_article(html, row["url"])
    assert "Is BGP safe yet? No." in article.text and "GitHub is now free for teams" in article.text
    assert not any(r.rule == "teaser-card" for r in article.removed)


def test_a_real_teaser_stream_after_the_article_is_left_out() -> None:
    html, row = _real("readability/yahoo-3")
    article = extract_article(html, row["url"])
    last = row["body"].splitlines()[-1]
    assert last[:60] in article.text  # the article's own end is still there
    assert "Alan Thicke, the actor" not in article.text  # the first card's summary is not
    assert sum(r.rule == "teaser-card" for r in article.removed) >= 10


def test_entries_that_run_on_under_linked_headings_are_kept() -> None:
    """A live blog's entries (or a listicle's items) link their headings and run for paragraphs."""
    entries = "".join(
        f'<h3><a href="/2026/12/ferry-live/entry-{i}">Update {i}</a></h3>'
        f"<p>{BODY_EN}</p><p>{BODY_EN}more.</p>"
        for i in range(4)
    )
    article = extract_article(_page(entries, ""), "https://news.example.com/2026/12/ferry-live")
    assert article.text.count("harbour authority") == 8
    assert not any(r.rule == "teaser-card" for r in article.removed)


def test_a_listing_of_cards_keeps_its_text_and_is_judged_a_listing() -> None:
    """Cut, nothing would be left: the page is read whole and judged as the listing it is."""
    url = "https://news.example.com/section/local"
    article = extract_article(_page("<p>Local news.</p>", _cards(8), url=url), url)
    assert article.text.count("summary of another story") == 8
    assert not any(r.rule == "teaser-card" for r in article.removed)
    assert article.page_kind is not None and article.page_kind.kind == "not-an-article"
    assert any(line.endswith("(-2)") for line in article.page_kind.evidence), article.page_kind.evidence
