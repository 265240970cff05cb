"""`make bench` runs: the tiny version of every pipeline benchmark (that it runs, not how fast)."""

from __future__ import annotations

import json

from benchmarks import run as bench_run


def test_bench_smoke_writes_results(tmp_path, prefect_server) -> None:
    out = tmp_path / "results.json"
    assert bench_run.main(["--smoke", "--out", str(out)]) == 0
    results = json.loads(out.read_text())
    pipeline = results["pipeline"]
    assert pipeline["parallel_extraction"]["pages"] == 8
    store = pipeline["store"]
    assert store["s3"]["records"] == store["s3_20ms_rtt"]["records"] == store["local"]["records"] == 20
    e2e = pipeline["end_to_end"]
    assert e2e["pages"] == 10 and e2e["articles"] == 10
    assert set(e2e["seconds"]) == {"crawl", "extract", "dedup", "store"}
    assert set(pipeline["scaling"]["seconds_and_peak_mib"]) == {"extract", "dedup", "store"}
    assert results["extraction"]["systems"]["cleanwire"]["f1"] > 0
    overlap = results["overlap"]  # three runs at once into one store: each story once, also_at complete
    assert overlap["records_together"] > 0 and overlap["each_story_once"] and overlap["also_at_complete"]
    assert set(overlap["alone_seconds"]) == {"courier-a", "courier-b", "courier-c"}
    views = results["html_views"]
    assert views["sections"] == views["pages"] == 50 and views["passed"]["offline"]
