"""Reading the bucket: records, manifests, exports, what was learned per site, the record schema."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rich.table import Table

from cleanwire.commands import common


def _reader(args: argparse.Namespace):
    from pipeline.bucket.reader import BucketReader

    return BucketReader(common.store_url(args))


def cmd_ls(args: argparse.Namespace) -> int:
    reader = _reader(args)
    records = reader.records(since=args.since, source=args.source)
    if args.json:
        for article in records:
            print(json.dumps(article.summary(), ensure_ascii=False))
        return 0
    table = Table(title=reader.store.url)
    for column in ("id", "source", "published", "chars", "also", "title"):
        table.add_column(column)
    for article in records:
        table.add_row(
            article.id,
            article.source,
            article.published or "",
            str(article.chars),
            str(len(article.also_at)),
            (article.title or "")[:60],
        )
    common.out.print(table)
    return 0


def cmd_cat(args: argparse.Namespace) -> int:
    article = _reader(args).get(args.id)  # a KeyError naming the id and store: one line
    print(article.model_dump_json(indent=2))
    return 0


def cmd_compact_links(args: argparse.Namespace) -> int:
    from pipeline.bucket.link_index import compact_links

    key = compact_links(_reader(args).store)
    print(key or "no manifest since the last link index")
    return 0


def cmd_manifests(args: argparse.Namespace) -> int:
    manifests = _reader(args).manifests()
    if args.json:
        for manifest in manifests:
            print(json.dumps(manifest.summary()))
        return 0
    table = Table(title="manifests")
    for column in ("id", "created", "records", "links", "counts"):
        table.add_column(column)
    for manifest in manifests:
        s = manifest.summary()
        table.add_row(
            str(s["id"]), str(s["created"]), str(s["records"]), str(s["links"]), json.dumps(s["counts"])
        )
    common.out.print(table)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from pipeline.bucket.export import export_records

    common.output_path(args.out)  # before the progress bar: an error is one line
    reader = _reader(args)
    refs = list(reader.refs(since=args.since, source=args.source))
    with Progress(
        *Progress.get_default_columns()[:1],
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=common.console,
    ) as progress:
        task = progress.add_task(f"export {args.format}", total=len(refs))
        links = reader.links()
        count = export_records(
            (reader.load(ref, links) for ref in refs),
            Path(args.out),
            args.format,
            on_record=lambda: progress.advance(task),
        )
    common.console.print(f"exported {count} records to {args.out}")
    return 0


def cmd_boilerplate(args: argparse.Namespace) -> int:
    from pipeline.cleaning.site_learning import SiteBoilerplate
    from pipeline.storage import open_store

    site = SiteBoilerplate.load(open_store(common.store_url(args)), args.source)
    learned = site.learned()
    if args.json:
        print(json.dumps({"source": args.source, "pages": site.pages, "learned": sorted(learned)}))
        return 0
    table = Table(title=f"{args.source}: learned from {site.pages} pages")
    table.add_column("pages", justify="right")
    table.add_column("block (folded)")
    for text in sorted(learned, key=lambda t: -site.counts[t]):
        table.add_row(str(site.counts[text]), text)
    common.out.print(table)
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from pipeline.schema import record_schema

    print(json.dumps(record_schema(), indent=2))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = common.with_store(sub.add_parser("ls", help="list stored records"))
    p.add_argument("--json", action="store_true")
    p.add_argument("--since", help="only records added after this manifest id")
    p.add_argument("--source", type=common.source_name)
    p.set_defaults(func=cmd_ls)

    p = common.with_store(sub.add_parser("cat", help="print one stored record"))
    p.add_argument("id")
    p.set_defaults(func=cmd_cat)

    p = common.with_store(sub.add_parser("manifests", help="list run manifests"))
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_manifests)

    p = common.with_store(sub.add_parser("compact-links", help="write the readers' link index now"))
    p.set_defaults(func=cmd_compact_links)

    p = common.with_store(sub.add_parser("export", help="export records as Parquet or JSON lines"))
    p.add_argument("out")
    p.add_argument("--format", choices=["parquet", "jsonl"], default="parquet")
    p.add_argument("--since", help="only records added after this manifest id")
    p.add_argument("--source", type=common.source_name)
    p.set_defaults(func=cmd_export)

    p = common.with_store(sub.add_parser("boilerplate", help="show a source's learned boilerplate"))
    p.add_argument("source", type=common.source_name)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_boilerplate)

    p = sub.add_parser("schema", help="print the record JSON Schema")
    p.set_defaults(func=cmd_schema)
