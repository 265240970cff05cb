"""Source configs: bad files are reported with file, field and expectation, and skipped alone."""

from __future__ import annotations

from pathlib import Path

from cleanwire.demo.run import DEMO_SOURCES
from pipeline.sources import load_sources, parse_source

REPO = Path(__file__).resolve().parent.parent
GOOD = """
allowed_domains: [news.example.org]
discovery:
  sitemaps: ["https://news.example.org/sitemap.xml"]
article_urls:
  allow: ['/\\d{4}/']
"""


def test_repo_configs_are_valid() -> None:
    for directory in (REPO / "config" / "sources", DEMO_SOURCES):
        sources, errors = load_sources(directory)
        assert not errors, errors
        assert sources


def test_bad_file_names_file_field_and_expectation(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(GOOD)
    (tmp_path / "typo.yaml").write_text(GOOD + "politeness:\n  concurency_per_domain: 2\n")
    (tmp_path / "badurl.yaml").write_text(GOOD.replace("https://news.example.org/sitemap.xml", "ftp://x"))
    (tmp_path / "badcron.yaml").write_text(GOOD + "schedule: every hour\n")
    (tmp_path / "noparse.yaml").write_text("allowed_domains: [\n")
    sources, errors = load_sources(tmp_path)
    assert [s.name for s in sources] == ["good"]
    messages = {e.path.name: e.message for e in errors}
    assert "politeness.concurency_per_domain" in messages["typo.yaml"]
    assert "unknown field" in messages["typo.yaml"]
    assert "discovery.sitemaps.0" in messages["badurl.yaml"] and "http(s) URL" in messages["badurl.yaml"]
    assert "schedule" in messages["badcron.yaml"] and "cron" in messages["badcron.yaml"]
    assert "not valid YAML" in messages["noparse.yaml"]


def test_article_url_patterns(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(GOOD + "  deny: ['/video/']\n")
    source = parse_source(path)
    assert source.is_article_url("https://news.example.org/2025/01/x.html")
    assert not source.is_article_url("https://news.example.org/2025/video/x.html")
    assert not source.is_article_url("https://news.example.org/about")
