"""What a near-duplicate is judged on: the text less its chrome lines, and its core."""

from __future__ import annotations

from pipeline.dedup.identity import RecurringBlocks, core_text, identity_text, is_chrome_line, prose_words

BODY = (
    "The council voted 6-3 on Tuesday to close the River Street bridge for repairs, "
    "a decision that officials said would add twenty minutes to some commutes."
)


def test_chrome_lines_go_and_the_article_stays() -> None:
    page = "\n\n".join(
        [
            "Sign up for our newsletters",
            "Photo: Jane Doe/Reuters",
            BODY,
            "Get the day's top stories delivered to your inbox.",
            "We and our 25 partners use cookies to personalise content and ads. Accept all | Reject all",
            "© 2026 The Daily Ledger. All rights reserved.",
        ]
    )
    assert identity_text(page).split() == BODY.split()


def test_an_article_that_talks_about_cookies_or_newsletters_is_kept() -> None:
    quoted = "The regulator said sites that use cookies without consent would be fined, officials said."
    long_line = (
        BODY + " Subscribers to the newsletter were told on Monday, and more details will follow soon."
    )
    assert not is_chrome_line(quoted)
    assert not is_chrome_line(long_line)  # long: the article talking (or run together with chrome)
    assert identity_text(f"{quoted}\n\n{long_line}") == f"{quoted}\n\n{long_line}"


def test_a_page_that_is_all_chrome_is_judged_whole() -> None:
    page = "Sign up for our newsletters\n\n© 2026 The Daily Ledger"
    assert identity_text(page) == page


def test_the_core_is_the_prose_paragraph_not_a_longer_list() -> None:
    related = "Most read: " + " | ".join(f"Headline number {i} about the harbour plan" for i in range(8))
    page = f"Home | News | Sport\n\n{BODY}\n\n{related}"
    assert core_text(page) == BODY
    assert prose_words(page) < 60  # one paragraph of prose: a brief
    article = "\n\n".join([BODY] * 8)
    assert prose_words(article) > 200


def test_recurring_lines_become_chrome_only_across_clusters() -> None:
    chrome = RecurringBlocks(min_clusters=3)
    nav = "Home | News | Politics | Business | Sport"
    text = f"{nav}\n\n{BODY}"
    blocks = chrome.candidates(text)
    # the same article copied five times is one cluster: its lines stay its own
    for _ in range(5):
        chrome.observe(blocks, cluster=1)
    assert chrome.strip(text, blocks) == text
    # the navigation bar on pages of three different clusters is chrome
    chrome.observe([b for b in blocks if b[0] == nav], cluster=2)
    chrome.observe([b for b in blocks if b[0] == nav], cluster=3)
    assert chrome.strip(text, blocks).split() == BODY.split()
