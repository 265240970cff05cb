"""What cleaning did, to look at: ``cleanwire report`` (the bucket's runs as one HTML page) and the
``--html`` file that ``extract`` and ``preview`` also write (``cleanwire.views``)."""

from __future__ import annotations

import argparse

from cleanwire.commands import common
from pipeline.record import Article

PreviewEntry = tuple[str, str, str | None, Article | None]  # url, outcome, reason, record


def write_preview_html(target: str, title: str, pages: list[PreviewEntry]) -> None:
    """``--html OUT``: (url, outcome, reason, record or None) per page, as
    ``cleanwire.views.preview_html`` shows them, in one file."""
    from cleanwire.views.preview_html import PreviewPage, render_preview

    path = common.output_path(target)
    html = render_preview(
        [PreviewPage(url, outcome, reason, article) for url, outcome, reason, article in pages],
        title,
        subtitle=f"{len(pages)} page(s): the stored text, and in place what cleaning removed",
    )
    path.write_text(html, encoding="utf-8")
    common.console.print(f"wrote {target}")


def cmd_report(args: argparse.Namespace) -> int:
    from cleanwire.views.report_html import render_report
    from pipeline.runs.history import load_history
    from pipeline.storage import open_store

    path = common.output_path(args.html)
    history = load_history(open_store(common.store_url(args)), last=args.runs)
    path.write_text(render_report(history), encoding="utf-8")
    what = "no runs: the store has no manifests" if history.empty else f"{len(history.runs)} runs"
    common.console.print(f"wrote {args.html} ({what})")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = common.with_store(
        sub.add_parser("report", help="per source and run, from the manifests: an HTML report")
    )
    p.add_argument("--html", metavar="OUT.html", required=True, help="where to write the report")
    p.add_argument("--runs", type=int, default=60, help="the last N runs (default 60)")
    p.set_defaults(func=cmd_report)
