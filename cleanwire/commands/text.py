"""Single documents and corpora, without the store's records: a page, a text, a JSONL corpus."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from cleanwire.commands import common, views


def cmd_extract(args: argparse.Namespace) -> int:
    """A saved page through what the crawl does with a response: the same decoder
    (``pipeline.extract.decode``: BOM, charset labels, cp1252 bytes labelled UTF-8) and triage."""
    from pipeline.extract.decode import binary_offset
    from pipeline.extract.extractor import Extractor
    from pipeline.outcomes import NotAnArticle
    from pipeline.record import Page
    from pipeline.urls import InvalidUrl, checked_url, display_url

    path = Path(args.page)
    body = path.read_bytes()
    at = binary_offset(body)
    if at is not None:
        raise common.CliError(f"{path}: not a text file (binary data at byte {at + 1})")
    try:
        url, stripped = checked_url(args.url)
    except InvalidUrl as exc:
        raise common.CliError(f"--url {display_url(args.url)}: {exc}") from None
    if stripped:
        raise common.CliError(f"--url {display_url(args.url)}: credentials in the URL are refused")
    try:
        # The crawl's decoder and triage, but not its refusals: the page is the user's choice.
        article = Extractor().extract_page(Page(url=url, body=body, source=args.source), explicit=True)
    except NotAnArticle as exc:
        common.console.print(f"{exc.outcome}: {exc.reason}", style="yellow")
        if args.html:
            failed = [(url, exc.outcome.value, exc.reason, None)]
            views.write_preview_html(args.html, f"extract {path.name}", failed)
        return 2
    kind = article.page_kind
    if args.html:
        refused = kind is not None and kind.kind != "article"
        note = f"a crawl would not store this page ({kind.kind})" if kind and refused else None
        views.write_preview_html(args.html, f"extract {path.name}", [(url, "extracted", note, article)])
    if kind is not None and kind.kind != "article":
        # The page is the user's choice: its text is returned, with what a crawl would decide.
        common.console.print(
            f"note: a crawl would not store this page ({kind.kind}): " + "; ".join(kind.evidence),
            markup=False,
            highlight=False,
        )
    print(article.model_dump_json(indent=2))
    return 0


def cmd_clean_text(args: argparse.Namespace) -> int:
    from pipeline.cleaning import Cleaner

    text = sys.stdin.read() if args.file == "-" else common.read_text(Path(args.file))
    learned = {}
    if args.source:
        from pipeline.cleaning.site_learning import load_learned
        from pipeline.storage import open_store

        learned = load_learned(open_store(common.store_url(args)), [args.source])
    result = Cleaner(learned=learned).clean_text(
        text, language=args.language, title=args.title, source=args.source
    )
    if args.audit:
        for removal in result.removed:
            common.console.print(f"- {removal.rule}: {removal.text}", style="dim")
    print(result.text)
    return 0


def cmd_dedup(args: argparse.Namespace) -> int:
    """Streams JSON lines in and out: texts are never all in memory at once."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from pipeline.dedup.stream import dedup_stream

    name = "<stdin>" if args.input == "-" else args.input
    # Bytes in, each line decoded on its own: a line that is not UTF-8 is one bad line.
    source = sys.stdin.buffer if args.input == "-" else open(args.input, "rb")  # noqa: SIM115
    target = sys.stdout if args.output in (None, "-") else open(args.output, "w", encoding="utf-8")  # noqa: SIM115
    counts = {"docs": 0, "duplicates": 0, "bad_lines": 0}

    def docs():
        for number, raw in enumerate(source, 1):
            if not raw.strip():
                continue
            try:
                doc = json.loads(raw.decode("utf-8"))
                yield str(doc["id"]), str(doc["text"])
            except UnicodeDecodeError as exc:
                counts["bad_lines"] += 1
                common.console.print(
                    f"{name}:{number}: skipped: not UTF-8 (byte {exc.start + 1})", style="yellow"
                )
            except (ValueError, KeyError, TypeError) as exc:
                counts["bad_lines"] += 1
                why = f"no field {exc}" if isinstance(exc, KeyError) else common.one_line(exc)
                common.console.print(f"{name}:{number}: skipped: {why}", style="yellow")

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=common.console,
        disable=not common.console.is_terminal,
    ) as progress:
        task = progress.add_task("dedup", total=None)
        try:
            for doc_id, cluster, duplicate_of in dedup_stream(docs()):
                target.write(
                    json.dumps({"id": doc_id, "cluster": cluster, "duplicate_of": duplicate_of}) + "\n"
                )
                counts["docs"] += 1
                counts["duplicates"] += duplicate_of is not None
                if counts["docs"] % 1000 == 0:
                    progress.update(task, description=f"dedup: {counts['docs']:,} docs")
        finally:
            if target is not sys.stdout:
                target.close()
            if source is not sys.stdin:
                source.close()
    common.console.print(
        f"{counts['docs']} documents, {counts['duplicates']} duplicates, {counts['bad_lines']} bad lines"
    )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("extract", help="one HTML page to a cleaned record (JSON)")
    p.add_argument("page")
    p.add_argument("--url", required=True)
    p.add_argument("--source", default="adhoc", type=common.source_name)
    p.add_argument("--html", metavar="OUT.html", help="also write the page as HTML, with what was removed")
    p.set_defaults(func=cmd_extract)

    p = common.with_store(sub.add_parser("clean-text", help="clean already-scraped plain text"))
    p.add_argument("file", help="a text file, or - for standard input")
    p.add_argument(
        "--source", type=common.source_name, help="also remove what was learned as this source's boilerplate"
    )
    p.add_argument("--language", default="en")
    p.add_argument("--title", help="the article's title, removed if the text repeats it")
    p.add_argument("--audit", action="store_true", help="show what was removed and why (stderr)")
    p.set_defaults(func=cmd_clean_text)

    p = sub.add_parser("dedup", help="near-duplicate clusters for a JSONL corpus (id, text)")
    p.add_argument("input", help="JSON lines with id and text, or - for standard input")
    p.add_argument("-o", "--output", help="output JSON lines (default: standard output)")
    p.set_defaults(func=cmd_dedup)
