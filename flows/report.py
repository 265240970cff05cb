"""A run's part of ``cleanwire report``, for Prefect: the run report stored beside the manifest,
and its rows as a table artifact (flows may not render HTML: that is ``cleanwire.views``)."""

from __future__ import annotations

from prefect import get_run_logger
from prefect.artifacts import create_table_artifact

from pipeline.bucket.manifest import Manifest
from pipeline.dedup.judge import Verdict
from pipeline.runs.history import run_of, run_report, run_table, save_run_report
from pipeline.runs.report import RunReport
from pipeline.storage import ObjectStore, StoreError


def report_artifact(
    bucket: ObjectStore, manifest: Manifest, report: RunReport, verdicts: list[Verdict]
) -> str:
    """Stores the run report and creates the ``ingest-report`` table artifact; returns the line the
    run's markdown artifact ends with (where the whole report is)."""
    extra = run_report(
        manifest,
        report.stages,
        ((v.article, v.is_new, v.refetch) for v in verdicts),
        {name: r.seconds for name, r in report.sources.items()},
        {name: r.bytes for name, r in report.sources.items()},
    )
    try:
        key = save_run_report(bucket, extra)
    except StoreError as exc:  # the records are stored; only the report's timings are missing
        get_run_logger().warning("run report not stored (%s): the report shows this run without timings", exc)
        key = None
    create_table_artifact(
        run_table(run_of(manifest, extra)),
        key="ingest-report",
        description=f"ingest run {manifest.run_id}: its part of `cleanwire report`",
    )
    where = f" (run report `{key}`)" if key else ""
    return (
        f"\nThis run in the bucket's report{where}: "
        f"`cleanwire report --store {bucket.url} --html report.html`, section `run-{manifest.run_id}`.\n"
    )
