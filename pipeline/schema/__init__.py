"""The published record schema: generated from ``pipeline.record.Article``, committed as a file.

The committed file is what downstream tools read; a test keeps it equal to the
model, so a field cannot change without the schema (and its version) changing.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from pipeline.record import SCHEMA_VERSION, Article

SCHEMA_PATH = Path(__file__).with_name(f"record.v{SCHEMA_VERSION}.json")


def generate_schema() -> dict[str, Any]:
    schema = Article.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://cleanwire.dev/schema/record.v{SCHEMA_VERSION}.json"
    schema["title"] = f"cleanwire record, schema version {SCHEMA_VERSION}"
    return schema


@cache
def record_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def validate_record(record: dict[str, Any]) -> None:
    """Raise ``jsonschema.ValidationError`` when a stored record breaks the contract."""
    import jsonschema

    jsonschema.validate(record, record_schema())

