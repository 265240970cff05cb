"""The real-pages benchmark runs (on the real pages kept as fixtures) and scores what it claims."""

from __future__ import annotations

from pathlib import Path

from benchmarks.realpages.bench import prf, run, starts


def test_smoke_run_scores_every_system_on_the_fixture_pages() -> None:
    results = run(smoke=True)
    for name in ("cleanwire", "trafilatura", "trafilatura_precision"):
        system = results[name]
        assert system["articles"] == 9 and system["pages_per_s"] > 0
        assert 0 < system["prf"]["all"]["f1"] <= 1
    cleanwire = results["cleanwire"]
    assert cleanwire.get("no_record", 0) == 0
    assert cleanwire["non_articles"] == 8 and cleanwire["non_articles_judged"] == 8
    assert {"no_article_lost", "f1_over_trafilatura", "speed"} <= set(results["passed"])


def test_missing_data_is_a_message_not_a_failure(tmp_path: Path, capsys) -> None:
    assert "skipped" in run(tmp_path / "nowhere")
    assert "no real pages" in capsys.readouterr().out


def test_scores_count_unspaced_scripts_by_character_and_allow_a_dropped_credit() -> None:
    assert prf("東京で雨", "東京で雨") == (1.0, 1.0, 1.0)
    assert prf("the cat sat", "the cat") == (2 / 3, 1.0, 0.8)
    credit_first = "Photo: Jane Doe/Reuters The council voted on Tuesday to approve the budget"
    clean = "The council voted on Tuesday to approve the budget for next year."
    assert starts(clean, credit_first, strict=False) and not starts(clean, credit_first, strict=True)
    assert not starts("Something else entirely was written here today.", credit_first, strict=False)
