"""What a run did, per source: the numbers for logs, the Prefect artifact and the manifest."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

from pipeline.outcomes import Dropped, Outcome


@dataclass
class SourceReport:
    source: str
    fetched: int = 0
    skipped_unchanged: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    stored: int = 0
    links: int = 0
    bytes: int = 0
    seconds: float = 0.0
    drift: list[str] = field(default_factory=list)
    # What a reader of the counts would not guess: the crawl stopped at a limit (so the listing
    # was not read to its end), pages kept under their own URL against their rel=canonical.
    notes: list[str] = field(default_factory=list)

    def count(self, outcome: Outcome, reason: str | None = None) -> None:
        self.outcomes[outcome.value] += 1
        if reason and outcome not in (Outcome.EXTRACTED,):
            self.reasons[f"{outcome.value}: {reason}"] += 1

    def drop(self, dropped: Dropped) -> None:
        self.count(dropped.outcome, dropped.reason)

    @property
    def pages(self) -> int:
        return sum(self.outcomes.values())


@dataclass
class RunReport:
    run_id: str
    sources: dict[str, SourceReport] = field(default_factory=dict)
    spooled: int = 0
    drained: int = 0
    # Wall seconds per stage (crawl, extract, dedup, store); extraction overlaps the crawl, so
    # "extract" is what was left of it once the crawl ended.
    stages: dict[str, float] = field(default_factory=dict)

    def source(self, name: str) -> SourceReport:
        if name not in self.sources:
            self.sources[name] = SourceReport(name)
        return self.sources[name]

    def lap(self, stage: str, since: float) -> float:
        """Record the stage that ran from ``since`` (a ``time.monotonic()``); return now."""
        now = time.monotonic()
        self.stages[stage] = round(now - since, 3)
        return now

    def counts(self) -> dict[str, dict[str, int]]:
        return {name: dict(r.outcomes) for name, r in sorted(self.sources.items())}

    def notes(self) -> dict[str, list[str]]:
        return {name: list(r.notes) for name, r in sorted(self.sources.items()) if r.notes}

    def totals(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for report in self.sources.values():
            total.update(report.outcomes)
            total["fetched"] += report.fetched
            total["stored"] += report.stored
            total["links"] += report.links
        return dict(total)

    def to_markdown(self) -> str:
        outcome_names = [o.value for o in Outcome]
        head = ["source", "fetched", "skipped (unchanged)", *outcome_names, "stored", "bytes", "seconds"]
        lines = [
            f"# cleanwire ingest run `{self.run_id}`",
            "",
            "| " + " | ".join(head) + " |",
            "|" + "---|" * len(head),
        ]
        for name, r in sorted(self.sources.items()):
            row = [
                name,
                str(r.fetched),
                str(r.skipped_unchanged),
                *(str(r.outcomes.get(o, 0)) for o in outcome_names),
                str(r.stored),
                str(r.bytes),
                f"{r.seconds:.1f}",
            ]
            lines.append("| " + " | ".join(row) + " |")
        reasons = [
            (name, reason, n)
            for name, r in sorted(self.sources.items())
            for reason, n in r.reasons.most_common()
        ]
        if reasons:
            lines += ["", "## Dropped, by reason", "", "| source | reason | pages |", "|---|---|---|"]
            lines += [f"| {name} | {reason} | {n} |" for name, reason, n in reasons]
        if self.spooled:
            lines += [
                "",
                f"**The store was unavailable: {self.spooled} new records were spooled locally; "
                "the next run stores them first.**",
            ]
        if self.drained:
            lines += ["", f"Stored {self.drained} records spooled by an earlier run."]
        if self.stages:
            lines += ["", "Stage times (s): " + ", ".join(f"{k} {v:.1f}" for k, v in self.stages.items())]
        notes = [(name, n) for name, r in sorted(self.sources.items()) for n in r.notes]
        if notes:
            lines += ["", "## Notes", ""]
            lines += [f"- **{name}**: {n}" for name, n in notes]
        drift = [(name, d) for name, r in sorted(self.sources.items()) for d in r.drift]
        if drift:
            lines += ["", "## Drift warnings", ""]
            lines += [f"- **{name}**: {d}" for name, d in drift]
        return "\n".join(lines) + "\n"
