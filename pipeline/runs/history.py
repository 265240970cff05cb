"""A bucket's history as plain data: per source and run, what the manifests and run reports say.

``cleanwire report`` renders it (``cleanwire/views/report_html.py``); the ingest flow writes one
run report per run (``save_run_report``) with what a manifest does not hold: the stage timings and
what cleaning removed, by rule and learned block. The report then never reads a record: a bucket
of a year of runs is one GET per manifest and per run report. No Prefect here: the flow calls it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pipeline.bucket.manifest import Manifest, list_manifests
from pipeline.outcomes import Outcome
from pipeline.record import Article
from pipeline.storage import ObjectStore
from pipeline.storage.layout import RUN_REPORT_PREFIX

# Run reports live beside the manifests (RUN_REPORT_PREFIX), not inside them: a manifest is the
# readers' contract (docs/bucket.md) and is written before the run's last stage has ended.
RUN_REPORT_VERSION = 1
LEARNED_RULE = "learned-site-boilerplate"
# Outcomes in the order the charts stack them: the good ones at the bottom.
OUTCOMES: tuple[str, ...] = tuple(o.value for o in Outcome)
TOP_RULES = 10


def run_report_key(run_id: str) -> str:
    """By run id, which a run keeps, not manifest id, which a shared store assigns at the write."""
    return f"{RUN_REPORT_PREFIX}{run_id}.json"


@dataclass
class Removals:
    """What cleaning took out of a set of records: blocks and characters, per rule and per learned block."""

    rules: Counter[str] = field(default_factory=Counter)
    rule_chars: Counter[str] = field(default_factory=Counter)
    learned_chars: Counter[str] = field(default_factory=Counter)

    def add(self, article: Article) -> None:
        for removal in article.removed:
            self.rules[removal.rule] += 1
            self.rule_chars[removal.rule] += len(removal.text)
            if removal.rule == LEARNED_RULE:
                self.learned_chars[removal.text] += len(removal.text)

    def update(self, other: Removals) -> None:
        self.rules.update(other.rules)
        self.rule_chars.update(other.rule_chars)
        self.learned_chars.update(other.learned_chars)

    def json(self) -> dict[str, Any]:
        return {
            "rules": dict(self.rules),
            "rule_chars": dict(self.rule_chars),
            # The learned blocks that removed the most, not all: a run report stays small.
            "learned_chars": dict(self.learned_chars.most_common(TOP_RULES)),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Removals:
        return cls(
            Counter(data.get("rules", {})),
            Counter(data.get("rule_chars", {})),
            Counter(data.get("learned_chars", {})),
        )


@dataclass
class SourceRun:
    """One source in one run."""

    source: str
    counts: dict[str, int]
    stored: int
    drift: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # From the run report (None for a run without one: written before reports, or recovered).
    links: int | None = None
    seconds: float | None = None
    bytes: int | None = None
    removals: Removals | None = None

    @property
    def pages(self) -> int:
        return sum(self.counts.values())

    @property
    def duplicate_rate(self) -> float | None:
        """Duplicates among the pages that gave an article (new or already known)."""
        good = self.counts.get("extracted", 0) + self.counts.get("duplicate", 0)
        return self.counts.get("duplicate", 0) / good if good else None

    @property
    def link_rate(self) -> float | None:
        """New ``also_at`` links (another place a stored article was found) per duplicate page."""
        duplicates = self.counts.get("duplicate", 0)
        if self.links is None or not duplicates:
            return None
        return self.links / duplicates


@dataclass
class Run:
    manifest_id: str
    run_id: str
    created: datetime
    recovered: bool
    sources: dict[str, SourceRun]
    links: int
    stages: dict[str, float] = field(default_factory=dict)


@dataclass
class BucketHistory:
    store: str
    runs: list[Run]

    @property
    def empty(self) -> bool:
        return not self.runs

    def sources(self) -> list[str]:
        return sorted({name for run in self.runs for name in run.sources})

    def source_runs(self, source: str) -> list[tuple[Run, SourceRun]]:
        return [(run, run.sources[source]) for run in self.runs if source in run.sources]

    def removals(self, source: str | None = None) -> Removals:
        total = Removals()
        for run in self.runs:
            for name, entry in run.sources.items():
                if entry.removals is not None and source in (None, name):
                    total.update(entry.removals)
        return total

    def last_run(self) -> Run | None:
        return self.runs[-1] if self.runs else None


def run_report(
    manifest: Manifest,
    stages: dict[str, float],
    articles: Iterable[tuple[Article, bool, bool]],
    seconds: dict[str, float],
    sizes: dict[str, int],
) -> dict[str, Any]:
    """What one run adds to its manifest for the report: ``articles`` are (article, is new,
    refetch) for every article the run judged; new ones count for the removals, the others as
    links unless they were a stored page fetched again."""
    removals: dict[str, Removals] = {}
    links: Counter[str] = Counter()
    for article, is_new, refetch in articles:
        if is_new:
            removals.setdefault(article.source, Removals()).add(article)
        elif not refetch:
            links[article.source] += 1
    names = sorted({*manifest.counts, *removals})
    return {
        "run_report_version": RUN_REPORT_VERSION,
        "run_id": manifest.run_id,
        "stages": dict(stages),
        "sources": {
            name: {
                "links": links.get(name, 0),
                "seconds": round(seconds.get(name, 0.0), 3),
                "bytes": sizes.get(name, 0),
                "removed": removals.get(name, Removals()).json(),
            }
            for name in names
        },
    }


def save_run_report(store: ObjectStore, report: dict[str, Any]) -> str:
    key = run_report_key(report["run_id"])
    store.put(key, json.dumps(report).encode("utf-8"))
    return key


def _load_run_report(store: ObjectStore, manifest: Manifest) -> dict[str, Any] | None:
    if manifest.recovered:  # a crashed run's recovery: the run wrote no report
        return None
    try:
        data = json.loads(store.get(run_report_key(manifest.run_id)))
    except KeyError:
        return None
    except ValueError:  # a damaged report loses its run's extras, not the whole report
        return None
    return data if isinstance(data, dict) and data.get("run_report_version") == RUN_REPORT_VERSION else None


def run_of(manifest: Manifest, extra: dict[str, Any] | None) -> Run:
    """A run from its manifest and its run report (``None``: a run without one)."""
    extra = extra or {}
    per_source = extra.get("sources", {})
    stored: Counter[str] = Counter(entry.source for entry in manifest.records)
    sources = {}
    for name in sorted({*manifest.counts, *stored}):
        more = per_source.get(name, {})
        sources[name] = SourceRun(
            source=name,
            counts=dict(manifest.counts.get(name, {})),
            stored=stored.get(name, 0),
            drift=list(manifest.drift.get(name, [])),
            notes=list(manifest.notes.get(name, [])),
            links=more.get("links"),
            seconds=more.get("seconds"),
            bytes=more.get("bytes"),
            removals=Removals.from_json(more["removed"]) if "removed" in more else None,
        )
    return Run(
        manifest_id=manifest.id,
        run_id=manifest.run_id,
        created=manifest.created,
        recovered=manifest.recovered,
        sources=sources,
        links=len(manifest.links),
        stages=dict(extra.get("stages", {})),
    )


def load_history(store: ObjectStore, last: int | None = None) -> BucketHistory:
    """Every run the manifests name (or the ``last`` ones), oldest first, with its run report."""
    manifests = list(list_manifests(store))
    if last is not None:
        manifests = manifests[-last:] if last > 0 else []
    runs = [run_of(manifest, _load_run_report(store, manifest)) for manifest in manifests]
    return BucketHistory(store.url, runs)


def run_table(run: Run) -> list[dict[str, Any]]:
    """The run's part of the report as table rows (the flow's Prefect table artifact)."""
    rows = []
    for name, entry in sorted(run.sources.items()):
        top = entry.removals.rule_chars.most_common(3) if entry.removals else []
        rows.append(
            {
                "source": name,
                "stored": entry.stored,
                **{outcome: entry.counts.get(outcome, 0) for outcome in OUTCOMES},
                "duplicate rate": _percent(entry.duplicate_rate),
                "link rate": _percent(entry.link_rate),
                "removed most (chars)": ", ".join(f"{rule} {chars}" for rule, chars in top),
                "drift": "; ".join(entry.drift),
            }
        )
    return rows


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value:.0%}"
