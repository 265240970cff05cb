"""Adding a source: probe, preview, record, ingest — against fixture sites on 127.0.0.1."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cleanwire.demo.run import DEMO_SOURCES
from cleanwire.demo.server import SiteServer
from flows.ingest import ingest
from pipeline.bucket.reader import BucketReader
from pipeline.sources import parse_source
from tests.source_replay import assert_source_replays

CLEANWIRE = str(Path(sys.executable).with_name("cleanwire"))


def cleanwire(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLEANWIRE, *args], capture_output=True, text=True, timeout=180)


def loopback_speed(config: Path) -> None:
    """The generated politeness is for real sites; a loopback fixture needs no delay."""
    text = config.read_text().replace("download_delay: 1.0", "download_delay: 0\n  autothrottle: false")
    config.write_text(text)


def test_new_source_refuses_loopback_without_allow_private(site_urls, tmp_path) -> None:
    result = cleanwire(
        "new-source",
        "local",
        site_urls["weekly-view"] + "/",
        "--config",
        str(tmp_path),
        "--tests",
        str(tmp_path),
    )
    assert result.returncode == 1
    assert "--allow-private" in result.stderr + result.stdout
    assert not (tmp_path / "local.yaml").exists()


@pytest.mark.usefixtures("prefect_server")
def test_new_source_preview_record_and_ingest(site_urls, tmp_path) -> None:
    config_dir, tests_dir, fixtures = tmp_path / "sources", tmp_path / "tests", tmp_path / "fixtures"
    result = cleanwire(
        "new-source",
        "capitol-test",
        site_urls["capitol-ledger"] + "/",
        "--allow-private",
        "--config",
        str(config_dir),
        "--tests",
        str(tests_dir),
    )
    assert result.returncode == 0, result.stderr
    yaml_text = (config_dir / "capitol-test.yaml").read_text()
    assert len(yaml_text.splitlines()) < 30
    source = parse_source(config_dir / "capitol-test.yaml")
    assert source.discovery.robots_sitemaps and source.allow_private
    assert source.is_article_url(site_urls["capitol-ledger"] + "/2025/06/council-approves-budget.html")
    assert not source.is_article_url(site_urls["capitol-ledger"] + "/about.html")
    assert 'assert_source_replays("capitol-test")' in (tests_dir / "test_source_capitol_test.py").read_text()
    loopback_speed(config_dir / "capitol-test.yaml")

    result = cleanwire(
        "preview",
        "capitol-test",
        "--config",
        str(config_dir),
        "--limit",
        "6",
        "--json",
        "--save-fixture",
        "--fixtures",
        str(fixtures),
    )
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert 1 <= len(rows) <= 6
    assert {"url", "outcome", "title", "chars"} <= set(rows[0])
    assert any(r["outcome"] == "extracted" and r["chars"] > 500 for r in rows)
    # every row's page is recorded, and so are the pages site learning saw that are no article
    # candidates (the replay learns from the same pages), recorded as what they are
    recorded = [json.loads(p.read_text()) for p in (fixtures / "capitol-test").glob("*.json")]
    assert len(list((fixtures / "capitol-test").glob("*.html.gz"))) == len(recorded)
    assert {r["url"] for r in rows} <= {r["url"] for r in recorded}
    extra = [r for r in recorded if r["url"] not in {row["url"] for row in rows}]
    assert all(r["outcome"] == "not-an-article" for r in extra), extra

    store = f"file://{tmp_path / 'bucket'}"
    run = ingest(config_dir=str(config_dir), store=store)
    assert run["stored"] >= 8
    assert {r.source for r in BucketReader(store).records()} == {"capitol-test"}


def test_recorded_pages_of_a_new_source_replay(site_urls, tmp_path, monkeypatch) -> None:
    config_dir, fixtures = tmp_path / "sources", tmp_path / "fixtures"
    assert (
        cleanwire(
            "new-source",
            "weekly-test",
            site_urls["weekly-view"] + "/",
            "--allow-private",
            "--config",
            str(config_dir),
            "--tests",
            str(tmp_path),
        ).returncode
        == 0
    )
    loopback_speed(config_dir / "weekly-test.yaml")
    assert (
        cleanwire(
            "preview",
            "weekly-test",
            "--config",
            str(config_dir),
            "--limit",
            "4",
            "--save-fixture",
            "--fixtures",
            str(fixtures),
        ).returncode
        == 0
    )
    import tests.source_replay as replay

    monkeypatch.setattr(replay, "source_config_path", lambda name: config_dir / f"{name}.yaml")
    assert_source_replays("weekly-test", fixtures=fixtures)


# -- drift and blocked pages ----------------------------------------------------------------------

CHALLENGE = """<!DOCTYPE html><html lang="en"><head><title>Just a moment...</title></head>
<body><div id="cf-challenge"><h1>Checking your browser before accessing the site.</h1>
<p>This process is automatic. Your browser will redirect to your requested content shortly.</p>
<p>Please enable JavaScript and cookies to continue.</p></div></body></html>"""

APP_SHELL = """<!DOCTYPE html><html lang="en"><head><title>{title}</title>
<meta property="og:type" content="article"></head><body><div id="root"></div>
<script>window.__STATE__ = {{"id": "{slug}"}};</script><script src="/app.js"></script></body></html>"""


def _rewrite_articles(site: Path, render) -> int:
    count = 0
    for page in site.glob("[0-9][0-9][0-9][0-9]/*/*.html"):
        title = re.search(r"<title>(.*?)</title>", page.read_text()).group(1)
        page.write_text(render(title=title, slug=page.stem))
        count += 1
    sitemap = site / "sitemap.xml"
    sitemap.write_text(
        re.sub(r"<lastmod>[^<]+</lastmod>", "<lastmod>2030-01-01</lastmod>", sitemap.read_text())
    )
    return count


@pytest.fixture
def own_site(built_sites, tmp_path):
    """A private copy of weekly-view (sitemap discovery) that a test may change."""
    root = shutil.copytree(built_sites["weekly-view"], tmp_path / "site")
    server = SiteServer(root).start()
    config = tmp_path / "config"
    config.mkdir()
    (config / "weekly-view.yaml").write_text(
        (DEMO_SOURCES / "weekly-view.yaml")
        .read_text()
        .replace("http://127.0.0.1:8703", server.base_url)
    )
    yield root, config, f"file://{tmp_path / 'bucket'}"
    server.stop()


@pytest.mark.usefixtures("prefect_server")
def test_template_change_trips_the_drift_alarm(own_site, capsys) -> None:
    from cleanwire.cli import main as cli

    root, config, store = own_site
    first = ingest(config_dir=str(config), store=store)
    assert first["counts"]["weekly-view"]["extracted"] >= 5 and not first["drift"]
    assert _rewrite_articles(root, APP_SHELL.format) >= 5
    code = cli(["run", "--config", str(config), "--store", store, "--fail-on-drift"])
    assert code == 3
    captured = capsys.readouterr()
    assert "drift in weekly-view" in captured.err
    manifest = BucketReader(store).manifests()[-1]
    assert manifest.drift["weekly-view"] and "usually" in manifest.drift["weekly-view"][0]
    assert manifest.counts["weekly-view"].get("extracted", 0) == 0


@pytest.mark.usefixtures("prefect_server")
def test_challenge_page_counts_blocked_not_empty(own_site) -> None:
    root, config, store = own_site
    pages = _rewrite_articles(root, lambda **_: CHALLENGE)
    run = ingest(config_dir=str(config), store=store)
    counts = run["counts"]["weekly-view"]
    assert counts.get("blocked") == pages
    assert not counts.get("empty") and not counts.get("extracted") and run["stored"] == 0


@pytest.mark.usefixtures("prefect_server")
def test_changed_lastmod_refetches_with_a_conditional_get(own_site) -> None:
    """A sitemap that says "changed" brings a conditional GET; an unchanged page answers 304."""
    root, config, store = own_site
    first = ingest(config_dir=str(config), store=store)
    assert first["stored"] >= 5
    unchanged = ingest(config_dir=str(config), store=store)
    assert unchanged["totals"].get("duplicate", 0) == 0 and "extracted" not in unchanged["totals"]
    sitemap = root / "sitemap.xml"
    sitemap.write_text(
        re.sub(r"<lastmod>[^<]+</lastmod>", "<lastmod>2031-01-01</lastmod>", sitemap.read_text())
    )
    revisited = ingest(config_dir=str(config), store=store)
    counts = revisited["counts"]["weekly-view"]
    assert counts.get("duplicate", 0) >= 5 and revisited["stored"] == 0
    assert "duplicate: not modified (304)" in revisited["markdown"]  # the reason, per page
    manifest = BucketReader(store).manifests()[-1]
    assert manifest.counts["weekly-view"]["duplicate"] == counts["duplicate"]
