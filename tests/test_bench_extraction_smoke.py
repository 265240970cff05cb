"""The extraction benchmark runs end to end on a few pages and reports a complete result."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.extraction.bench import SYSTEMS, run
from benchmarks.extraction.corpus import build_corpus


def test_smoke_run_reports_every_system() -> None:
    result = run(smoke=True)
    json.dumps(result)  # JSON-serialisable
    assert result["name"] == "extraction"
    assert 1 <= result["pages"] <= 10
    assert result["templates"] >= 1
    assert set(result["systems"]) == set(SYSTEMS)
    for name, scores in result["systems"].items():
        for key in ("precision", "recall", "f1", "macro_f1"):
            assert 0.0 <= scores[key] <= 1.0, (name, key, scores[key])
        assert scores["pages_per_s"] > 0
    assert result["speed_ratio"] > 0
    assert all(isinstance(n, int) and n > 0 for n in result["rule_removals"].values())
    assert set(result["targets"]) == {"recall_drop_max_points", "speed_ratio_min"}
    assert set(result["passed"]) == {"recall", "precision_up", "speed"}
    assert all(isinstance(v, bool) for v in result["passed"].values())


def test_corpus_is_deterministic_and_large_enough(tmp_path: Path) -> None:
    first = build_corpus(tmp_path / "a")
    second = build_corpus(tmp_path / "b")
    assert len(first) >= 60
    assert len({p.template for p in first}) >= 10
    assert len({p.gold for p in first}) >= 45
    for a, b in zip(first, second, strict=True):
        assert a.path.read_bytes() == b.path.read_bytes()
        assert a.gold and a.gold == b.gold
