"""The near-duplicate benchmark runs end to end, and its labelled set is what it claims to be."""

from __future__ import annotations

import importlib
import json
from collections import defaultdict
from itertools import combinations, islice
from typing import Any

import pytest

from benchmarks.dedup import bench
from benchmarks.dedup.corpus import (
    APART_KINDS,
    COPY_KINDS,
    KINDS,
    build_labelled_set,
    jaccard,
    shingles,
    synthetic_docs,
)


def _importable(name: str) -> bool:
    try:
        importlib.import_module(name)
    except ImportError:
        return False
    return True


# datasketch is the baselines' library; without it they are reported unavailable
HAVE_DATASKETCH = _importable("datasketch")
BASELINES = ("minhash_lsh_0.5", "minhash_lsh_0.8")


@pytest.fixture(scope="module")
def smoke() -> dict[str, Any]:
    return bench.run(smoke=True)


def _check_method(method: dict[str, Any]) -> None:
    for key in ("precision", "recall", "f1"):
        assert 0.0 <= method[key] <= 1.0
    assert set(method["false_merges"]) == {*APART_KINDS, "other_pairs"}
    assert all(n >= 0 for n in method["false_merges"].values())
    assert set(method["recall_by_kind"]) == set(COPY_KINDS)
    assert method["pairs"]["true"] <= min(method["pairs"]["predicted"], method["pairs"]["gold"])


def test_smoke_run_reports_every_figure(smoke: dict[str, Any]) -> None:
    json.dumps(smoke)  # JSON-serialisable as returned
    assert smoke["name"] == "dedup" and smoke["smoke"] is True

    labelled = smoke["labelled_set"]
    assert labelled["docs"] == bench.SMOKE_LABELLED_DOCS
    assert set(labelled["by_kind"]) == set(KINDS)
    assert all(n > 0 for n in labelled["by_kind"].values()), labelled["by_kind"]
    assert all(labelled["apart_pairs"][k] > 0 for k in APART_KINDS)

    methods = smoke["methods"]
    assert set(methods) == {"cleanwire", *BASELINES}
    for name in BASELINES:
        if HAVE_DATASKETCH:
            assert "error" not in methods[name], methods[name]
            _check_method(methods[name])
            assert methods[name]["recall_by_kind"]["exact"] == 1.0
        else:
            assert methods[name]["available"] is False
    cleanwire = methods["cleanwire"]
    assert cleanwire["available"] is smoke["cleanwire_available"]
    if cleanwire["available"] and "error" not in cleanwire:
        _check_method(cleanwire)
    else:
        assert cleanwire["error"]

    through = smoke["throughput"]
    assert through["docs"] == bench.SMOKE_STREAM_DOCS
    assert "extrapolation" in through["memory_note"]
    for name in ("cleanwire", bench.THROUGHPUT_BASELINE):
        figures = through[name]
        if figures.get("available") and "error" not in figures:
            assert figures["docs"] == bench.SMOKE_STREAM_DOCS
            assert figures["docs_per_s"] > 0 and figures["peak_rss_mib"] > 0
            assert figures["rss_10m_docs_gib_extrapolated"] > 0
    if HAVE_DATASKETCH:
        assert "error" not in through[bench.THROUGHPUT_BASELINE], through[bench.THROUGHPUT_BASELINE]

    assert set(smoke["targets"]) == set(bench.TARGETS)
    assert set(smoke["passed"]) == {
        "precision",
        "recall",
        "same_story_false_merges",
        "brief_false_merges",
        "truncated_recall",
        "throughput_ratio",
    }
    assert all(v is None or isinstance(v, bool) for v in smoke["passed"].values())


def test_cleanwire_missing_is_reported_and_baselines_still_run(monkeypatch: pytest.MonkeyPatch) -> None:
    why = "ModuleNotFoundError: No module named 'pipeline.near_dup'"
    monkeypatch.setattr(bench, "_load_cleanwire", lambda: (None, why))
    result = bench.run(smoke=True)
    assert result["cleanwire_available"] is False
    assert result["methods"]["cleanwire"] == {"available": False, "error": why}
    assert result["throughput"]["cleanwire"]["available"] is False
    assert result["throughput"]["ratio"] is None
    assert all(v is None for v in result["passed"].values())
    if HAVE_DATASKETCH:
        _check_method(result["methods"]["minhash_lsh_0.5"])


def test_scores_count_pairs_and_false_merges() -> None:
    docs = build_labelled_set(300, seed=3)
    perfect = bench.score(docs, {d.id: d.cluster for d in docs})
    assert (perfect["precision"], perfect["recall"]) == (1.0, 1.0)
    assert sum(perfect["false_merges"].values()) == 0
    lumped = bench.score(docs, {d.id: "one" for d in docs})
    assert lumped["recall"] == 1.0 and lumped["precision"] < 0.1
    assert {k: lumped["false_merges"][k] for k in APART_KINDS} == bench.apart_pairs(docs)
    alone = bench.score(docs, {d.id: d.id for d in docs})
    assert alone["recall"] == 0.0 and all(r == 0.0 for r in alone["recall_by_kind"].values())


def test_labelled_set_is_deterministic_and_briefs_share_chrome() -> None:
    docs = build_labelled_set(seed=7)
    assert docs == build_labelled_set(seed=7)
    assert [d.text for d in docs] != [d.text for d in build_labelled_set(seed=8)]

    assert len(docs) >= 2000
    by_id = {d.id: d for d in docs}
    assert len(by_id) == len(docs)
    counts = defaultdict(int)
    for d in docs:
        counts[d.kind] += 1
        if d.kind in COPY_KINDS:
            assert by_id[d.cluster].kind == "original" and d.cluster != d.id
        else:
            assert d.cluster == d.id
    assert all(counts[k] >= 100 for k in COPY_KINDS), counts
    pairs = bench.apart_pairs(docs)
    assert pairs["same_story"] >= 100 and pairs["half"] >= 50 and pairs["brief"] >= 96, pairs

    groups = bench.groups_of(docs)
    briefs = [m for m in groups.values() if bench.group_category(m) == "brief"]
    assert briefs
    for members in briefs:
        for a, b in combinations(members, 2):
            assert a.cluster != b.cluster
            assert jaccard(shingles(a.text), shingles(b.text)) > 0.4, (a.id, b.id)
            body_a = set(a.text.split("\n\n")) - set(b.text.split("\n\n"))
            assert 40 <= len(" ".join(body_a).split()) <= 90  # the brief itself; the rest is chrome


def test_synthetic_stream_is_lazy_and_sized() -> None:
    docs = list(islice(synthetic_docs(10**9, words=600, seed=11), 400))
    assert len({doc_id for doc_id, _ in docs}) == 400
    mean_words = sum(len(text.split()) for _, text in docs) / len(docs)
    assert 450 <= mean_words <= 750
    assert docs == list(islice(synthetic_docs(10**9, words=600, seed=11), 400))
