"""``cleanwire report --html``: per source and run, from the manifests and run reports.

Plain data in (``pipeline.runs.history.BucketHistory``), one self-contained page out: outcomes
as stacked bars over runs, duplicate and link rates, drift warnings, the rules and learned blocks
that removed the most text, the last run's stage timings, and a section per run (the part each
run's Prefect artifact points to).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cleanwire.views import charts, render
from pipeline.runs.history import OUTCOMES, TOP_RULES, BucketHistory, Run, run_table


@dataclass
class SourceView:
    name: str
    runs: int
    stored: int
    charts: list[str] = field(default_factory=list)
    learned: list[tuple[str, int]] = field(default_factory=list)
    drift: list[tuple[str, str]] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)


def _label(run: Run) -> str:
    return f"{run.created:%Y-%m-%d %H:%M}"


def _source_view(history: BucketHistory, name: str) -> SourceView:
    pairs = history.source_runs(name)
    labels = [_label(run) for run, _ in pairs]
    view = SourceView(name, len(pairs), sum(entry.stored for _, entry in pairs))
    present = [o for o in OUTCOMES if any(entry.counts.get(o) for _, entry in pairs)]
    view.charts.append(
        charts.stacked_bars(
            labels,
            {o: [entry.counts.get(o, 0) for _, entry in pairs] for o in present},
            f"{name}: pages by outcome, per run",
            "pages",
            charts.OUTCOME_COLOURS,
        )
    )
    view.charts.append(
        charts.stacked_bars(
            labels,
            {"stored": [entry.stored for _, entry in pairs]},
            f"{name}: records stored, per run",
            "records",
        )
    )
    view.charts.append(
        charts.lines(
            labels,
            {
                "duplicate rate": [entry.duplicate_rate for _, entry in pairs],
                "link rate": [entry.link_rate for _, entry in pairs],
            },
            f"{name}: duplicates among articles, new also_at links per duplicate",
            "share",
        )
    )
    removals = history.removals(name)
    if removals.rule_chars:
        top = removals.rule_chars.most_common(TOP_RULES)
        view.charts.append(
            charts.hbars(
                [rule for rule, _ in top],
                [chars for _, chars in top],
                f"{name}: text removed by rule, all runs",
                "characters",
            )
        )
    view.learned = removals.learned_chars.most_common(TOP_RULES)
    view.drift = [(_label(run), w) for run, entry in pairs for w in entry.drift]
    view.notes = [(_label(run), n) for run, entry in pairs for n in entry.notes]
    return view


def _run_view(run: Run) -> dict[str, Any]:
    rows = run_table(run)
    columns = list(rows[0]) if rows else ["source"]
    # Outcomes no source had in this run are left out of its table.
    columns = [c for c in columns if c not in OUTCOMES or any(row[c] for row in rows)]
    return {
        "run_id": run.run_id,
        "manifest_id": run.manifest_id,
        "label": _label(run),
        "created": run.created,
        "recovered": run.recovered,
        "rows": rows,
        "columns": columns,
        "stages": run.stages,
    }


def render_report(history: BucketHistory) -> str:
    title = "cleanwire report"
    if history.empty:
        return render(
            "report.html.j2", title=title, subtitle="no runs", empty=True, store=history.store, charts=[]
        )
    last = history.runs[-1]
    stages_chart = (
        charts.hbars(list(last.stages), list(last.stages.values()), "Last run: seconds by stage", "seconds")
        if last.stages
        else None
    )
    removals = history.removals()
    top = removals.rule_chars.most_common(TOP_RULES)
    rules_chart = (
        charts.hbars(
            [r for r, _ in top], [c for _, c in top], "All sources: text removed by rule", "characters"
        )
        if top
        else None
    )
    runs = [_run_view(run) for run in history.runs]
    return render(
        "report.html.j2",
        title=title,
        subtitle=f"{history.store}: {len(history.runs)} runs, {len(history.sources())} sources",
        empty=False,
        store=history.store,
        runs=runs,
        last={"label": _label(last), "manifest_id": last.manifest_id},
        sources=history.sources(),
        total_stored=sum(e.stored for run in history.runs for e in run.sources.values()),
        drift=[
            ({"run_id": run.run_id, "label": _label(run)}, name, w)
            for run in history.runs
            for name, e in run.sources.items()
            for w in e.drift
        ],
        stages_chart=stages_chart,
        rules_chart=rules_chart,
        source_views=[_source_view(history, name) for name in history.sources()],
    )
