"""Exporting records for downstream tools: JSON lines or Parquet (pyarrow), in batches.

Parquet is written in row groups as records stream in, so an export of a large
bucket never holds it all in memory.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.record import Article

BATCH = 1000

SCHEMA = pa.schema(
    [
        ("schema_version", pa.int32()),
        ("id", pa.string()),
        ("url", pa.string()),
        ("canonical_url", pa.string()),
        ("source", pa.string()),
        ("site_name", pa.string()),
        ("title", pa.string()),
        ("authors", pa.list_(pa.string())),
        ("published", pa.string()),
        ("fetched", pa.timestamp("us", tz="UTC")),
        ("language", pa.string()),
        ("text", pa.string()),
        ("content_hash", pa.string()),
        (
            "also_at",
            pa.list_(
                pa.struct(
                    [("url", pa.string()), ("source", pa.string()), ("fetched", pa.timestamp("us", tz="UTC"))]
                )
            ),
        ),
        ("removed", pa.list_(pa.struct([("rule", pa.string()), ("text", pa.string())]))),
    ]
)


def _row(article: Article) -> dict:
    row = article.model_dump()
    row["also_at"] = [a.model_dump() for a in article.also_at]
    row["removed"] = [r.model_dump() for r in article.removed]
    return row


def export_records(
    records: Iterable[Article],
    out: Path,
    fmt: str,
    on_record: Callable[[], None] | None = None,
) -> int:
    """Write records to ``out`` as ``jsonl`` or ``parquet``; return how many."""
    count = 0
    if fmt == "jsonl":
        with out.open("w", encoding="utf-8") as handle:
            for article in records:
                handle.write(json.dumps(json.loads(article.model_dump_json()), ensure_ascii=False) + "\n")
                count += 1
                if on_record:
                    on_record()
        return count
    if fmt != "parquet":
        raise ValueError(f"unknown export format {fmt!r}: use jsonl or parquet")
    with pq.ParquetWriter(out, SCHEMA) as writer:
        batch: list[dict] = []
        for article in records:
            batch.append(_row(article))
            count += 1
            if on_record:
                on_record()
            if len(batch) >= BATCH:
                writer.write_table(pa.Table.from_pylist(batch, schema=SCHEMA))
                batch = []
        if batch or count == 0:
            writer.write_table(pa.Table.from_pylist(batch, schema=SCHEMA))
    return count
