from __future__ import annotations

from pipeline.textnorm import content_hash, fold
from pipeline.urls import canonicalize, choose_canonical


def test_tracking_parameters_dropped_real_ones_kept() -> None:
    assert canonicalize("http://127.0.0.1:8701/a.html?utm_source=rss&utm_medium=feed") == (
        "http://127.0.0.1:8701/a.html"
    )
    assert (
        canonicalize("https://Example.com:443/n?id=5&fbclid=x&b=2#frag") == "https://example.com/n?b=2&id=5"
    )


def test_cross_site_canonical_is_not_trusted() -> None:
    page = "https://a.example/story.html?utm_source=x"
    assert choose_canonical(page, "https://b.example/other.html") == "https://a.example/story.html"
    assert choose_canonical(page, "https://a.example/story") == "https://a.example/story"


def test_flattened_copy_folds_to_the_same_hash() -> None:
    normal = "Russia’s president said: “We didn’t do it.” The U.S. disagreed — strongly."
    flat = "russia s president said we didn t do it the u s disagreed strongly"
    assert fold(normal) == flat
    assert content_hash(normal) == content_hash(flat)
    assert content_hash(normal) != content_hash(normal + " Extra.")
