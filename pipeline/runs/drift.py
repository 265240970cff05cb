"""Drift: a source whose outcome mix or article length moves far from its recent runs.

Sites change templates without telling anyone; the symptom is a run where
"extracted" collapses (90% -> 10%) or articles shrink to a teaser. Comparing
each run with the source's recent runs catches that the next morning instead of
weeks later. The recent runs' figures are kept per source (``state/v1/drift/``):
reading every manifest at each run would grow with the bucket's age and the
number of sources.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass

from pipeline.bucket.manifest import Manifest
from pipeline.storage import ObjectStore
from pipeline.storage.layout import drift_key

# Outcomes that mean "the page gave us an article" (new or already known).
GOOD = ("extracted", "duplicate")
MIN_PAGES = 5  # fewer article pages than this say nothing (incremental runs fetch little)
HISTORY = 5


@dataclass(frozen=True)
class SourceStats:
    pages: int
    good_share: float
    median_chars: float | None

    @classmethod
    def from_counts(cls, counts: dict[str, int], median_chars: float | None) -> SourceStats:
        article_pages = sum(n for outcome, n in counts.items() if outcome != "not-an-article")
        good = sum(counts.get(outcome, 0) for outcome in GOOD)
        return cls(article_pages, good / article_pages if article_pages else 0.0, median_chars)


def median(values: Iterable[int]) -> float | None:
    values = list(values)
    return float(statistics.median(values)) if values else None


def history(manifests: list[Manifest], source: str) -> list[SourceStats]:
    """The source's recent runs that had enough article pages to judge by."""
    found = []
    for manifest in reversed(manifests):
        if manifest.recovered or source not in manifest.counts:
            continue
        stats = SourceStats.from_counts(manifest.counts[source], manifest.median_chars.get(source))
        if stats.pages >= MIN_PAGES:
            found.append(stats)
        if len(found) == HISTORY:
            break
    return found


def drift_warnings(current: SourceStats, past: list[SourceStats]) -> list[str]:
    if current.pages < MIN_PAGES or not past:
        return []
    warnings = []
    usual = statistics.median(s.good_share for s in past)
    if usual >= 0.3 and current.good_share < usual / 2:
        warnings.append(
            f"articles extracted from {current.good_share:.0%} of article pages, usually {usual:.0%}: "
            "has the site changed its template, or started blocking us?"
        )
    lengths = [s.median_chars for s in past if s.median_chars]
    if current.median_chars and lengths:
        usual_len = statistics.median(lengths)
        ratio = current.median_chars / usual_len
        if ratio < 0.5 or ratio > 2.0:
            warnings.append(
                f"median article length {current.median_chars:.0f} chars, usually {usual_len:.0f}: "
                "is extraction picking the wrong block?"
            )
    return warnings


def load_history(
    store: ObjectStore, source: str, manifests: Callable[[], list[Manifest]]
) -> list[SourceStats]:
    """The source's recent runs, newest first; from its manifests for a bucket written before the
    per-source history existed (``manifests`` is called only then)."""
    try:
        payload = json.loads(store.get(drift_key(source)))
    except KeyError:
        return history(manifests(), source)
    return [SourceStats(**entry) for entry in payload["runs"]]


def save_history(store: ObjectStore, source: str, past: list[SourceStats], current: SourceStats) -> None:
    if current.pages < MIN_PAGES:
        return
    runs = [asdict(s) for s in [current, *past][:HISTORY]]
    store.put(drift_key(source), json.dumps({"runs": runs}).encode("utf-8"))
