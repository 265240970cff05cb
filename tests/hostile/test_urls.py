"""URL hygiene in one place (``pipeline.urls``): what a crawl may fetch, store and print.

Pass: every case gets a reason or a clean URL; a canonical too long, malformed or carrying
credentials is not trusted (the page's own URL is its identity).
"""

from __future__ import annotations

import pytest

from pipeline.urls import (
    MAX_URL_LENGTH,
    InvalidUrl,
    checked_url,
    choose_canonical,
    display_url,
    redact_userinfo,
)

PAGE = "https://news.test/2025/01/story.html"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("mailto:desk@news.test", "scheme 'mailto'"),
        ("javascript:alert(1)", "scheme 'javascript'"),
        ("/2025/01/relative.html", "not absolute"),
        ("http://[::1/x", "malformed"),
        ("http://news.test:99999/", "malformed"),
        ("http:///nohost", "no host"),
        ("https://news.test/" + "a" * MAX_URL_LENGTH, "longer than 2048"),
    ],
)
def test_urls_a_crawl_skips_say_why(url: str, reason: str) -> None:
    with pytest.raises(InvalidUrl, match=reason.replace("[", r"\[")):
        checked_url(url)


def test_credentials_are_stripped_and_never_shown() -> None:
    assert checked_url("https://editor:hunter2@news.test/a") == ("https://news.test/a", True)
    assert checked_url("/b", base="https://news.test/a/") == ("https://news.test/b", False)
    assert redact_userinfo("https://editor:hunter2@news.test/a@b") == "https://news.test/a@b"
    assert "hunter2" not in display_url("https://editor:hunter2@news.test/\x1b[31m")
    assert "\x1b" not in display_url("https://news.test/\x1b[31m")


@pytest.mark.parametrize(
    "declared",
    [
        "https://news.test/" + "c" * 100_000,  # a 100 KB canonical
        "https://editor:hunter2@news.test/2025/01/story.html",
        "https://news.test:99999/x",
        "javascript:alert(1)",
    ],
)
def test_a_canonical_that_is_not_a_fit_url_is_not_trusted(declared: str) -> None:
    assert choose_canonical(PAGE, declared) == PAGE
