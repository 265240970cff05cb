"""The near-duplicate benchmark runs end to end, and its labelled set is what it claims to be."""

from __future__ import annotations

import importlib
import json
from collections import defaultdict
from itertools import combinations, islice
from typing import Any

import pytest

from benchmarks.dedup import bench, syndication
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

    synd = smoke["syndication_set"]
    assert synd["split"] == "report" and synd["real_pages"].startswith("skipped")
    assert synd["by_kind"]["copy"] > 0 and all(synd["apart_pairs"][k] > 0 for k in APART_KINDS)
    assert set(synd["copies_by_change"]) == set(syndication.CHANGES)
    synd_cw = synd["methods"]["cleanwire"]
    if synd_cw.get("available") and "error" not in synd_cw:
        assert set(synd_cw["recall_by_change"]) == set(syndication.CHANGES)
        assert set(synd_cw["recall_by_changes_count"]) == {"1", "2", "3", "4", "5"}
    assert set(synd["passed"]) == {"precision", "recall", "every_change", "no_apart_false_merges"}

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
    why = "ModuleNotFoundError: No module named 'pipeline.dedup.near'"
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


def test_syndication_set_reads_real_bodies_from_the_path_given(tmp_path) -> None:
    """Bodies come from ``--data``'s pages.jsonl (here: demo articles written in its format);
    copies carry 1-5 changes, and the tune and report splits share no original."""
    import json

    demo, _ = syndication.demo_articles()
    rows = [
        {
            "id": f"p{i}",
            "set": "readability",
            "title": a.headline,
            "body": "\n".join(a.paragraphs),
            "language": "en",
        }
        for i, a in enumerate(demo)
    ]
    rows.append({"id": "filler", "set": "readability", "title": "t", "body": "Lorem ipsum dolor " * 80})
    (tmp_path / "pages.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    report, notes = syndication.build_syndication_set("report", tmp_path, generated=40, copies_per_real=2)
    tune, _ = syndication.build_syndication_set("tune", tmp_path, generated=40, copies_per_real=2)
    assert f"bodies from {tmp_path}" in notes["real_pages"]
    assert {d.origin for d in report} >= {"readability", "generated"}
    copies = [d for d in report if d.kind == "copy"]
    assert {len(d.changes) for d in copies} == {1, 2, 3, 4, 5}
    assert all(d.changes == ("exact",) or "exact" not in d.changes for d in copies)
    by_id = {d.id: d for d in report}
    assert all(by_id[d.cluster].kind == "original" for d in copies)
    originals = lambda docs: {d.text for d in docs if d.kind == "original" and d.origin == "readability"}  # noqa: E731
    assert originals(report) and not originals(report) & originals(tune)
    assert not any("lorem ipsum" in d.text.lower() for d in report)


def test_truncated_copies_keep_half_to_nine_tenths() -> None:
    import random

    from benchmarks.dedup import vocab

    demo, _ = syndication.demo_articles()
    rng = random.Random(1)
    site = syndication._site(rng)
    teasers = tuple(t.split("{")[0] for t in vocab.TEASER_ENDINGS)
    for article in demo:
        total, longest = article.words(), max(len(p.split()) for p in article.paragraphs)
        for _ in range(5):
            cut = article.copy()
            syndication.truncate(cut, rng, site)
            body = [p for p in cut.paragraphs if not p.startswith(teasers)]
            assert body[:-1] == article.paragraphs[: len(body) - 1]  # the start, in order
            words = sum(len(p.split()) for p in body)
            assert 0.5 * total - longest <= words <= 0.9 * total + 1
