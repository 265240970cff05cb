"""``python -m pipeline.schema``: write the committed schema file from the model."""

import json

from pipeline.schema import SCHEMA_PATH, generate_schema

SCHEMA_PATH.write_text(json.dumps(generate_schema(), indent=2) + "\n", encoding="utf-8")
print(f"wrote {SCHEMA_PATH}")
