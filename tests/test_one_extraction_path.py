"""Preview, fixture replay and the flow extract alike: what ``cleanwire preview`` shows (and
``--save-fixture`` records) for a page is the text the bucket stores for it."""

from __future__ import annotations

import pytest

from cleanwire.demo.run import DEMO_SOURCES
from cleanwire.preview import preview_source
from flows.ingest import ingest
from pipeline.bucket.reader import BucketReader
from pipeline.extract.fixtures import replay
from pipeline.sources import parse_source
from tests.conftest import write_demo_config

pytestmark = pytest.mark.usefixtures("prefect_server")
DEMO = sorted(p.stem for p in DEMO_SOURCES.glob("*.yaml"))


@pytest.mark.parametrize("name", DEMO)
def test_preview_text_is_the_stored_text(name, tmp_path, site_urls) -> None:
    config = write_demo_config(tmp_path / "sources", site_urls, [name])
    source = parse_source(config / f"{name}.yaml")
    rows = preview_source(source, limit=1000, fixture_dir=tmp_path / "fixtures")
    shown = {row.url: row.text for row in rows if row.outcome == "extracted"}
    assert len(shown) >= 5

    store = f"file://{tmp_path / 'bucket'}"
    result = ingest(sources=[name], config_dir=str(config), store=store)
    stored = {r.url: r.text for r in BucketReader(store).records()}
    assert result["stored"] == len(stored) == len(shown)
    assert stored == shown
    # and the recorded fixtures replay to the same text, site learning included
    assert replay(tmp_path / "fixtures", source) == []
