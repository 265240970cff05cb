"""Names of the Prefect global concurrency limits that crawls take slots from."""

from __future__ import annotations

import re

GLOBAL_CRAWL_LIMIT = "cleanwire-crawl"


def domain_limit_name(domain: str) -> str:
    return "cleanwire-crawl-" + re.sub(r"[^a-z0-9-]+", "-", domain.lower()).strip("-")
