"""`scrapy crawl SOURCE -O records.jsonl` works for people who know Scrapy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from pipeline.record import SCHEMA_VERSION
from tests.conftest import write_demo_config

REPO = Path(__file__).resolve().parent.parent
SCRAPY = str(Path(sys.executable).with_name("scrapy"))


def test_scrapy_list_and_crawl_a_source(site_urls, tmp_path) -> None:
    config = write_demo_config(tmp_path / "sources", site_urls, names=["weekly-view"])
    env = dict(os.environ, CLEANWIRE_SOURCES=str(config))
    listed = subprocess.run([SCRAPY, "list"], cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert listed.stdout.split() == ["weekly-view"], listed.stderr
    out = tmp_path / "records.jsonl"
    result = subprocess.run(
        [SCRAPY, "crawl", "weekly-view", "-O", str(out), "-L", "INFO"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 10  # the seed, six articles, the digest and the two briefs
    assert all(r["source"] == "weekly-view" and r["schema_version"] == SCHEMA_VERSION for r in records)
    assert sum(r["page_kind"]["short"] for r in records) == 2
    assert "body=" not in result.stderr
