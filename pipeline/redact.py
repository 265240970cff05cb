"""Credentials never reach a log line, at any level.

botocore logs request headers, the canonical request and the signature at
DEBUG; a URL may carry user:password. Redaction happens where every log
record is made (the record factory), so no handler, Prefect's included, can
see the secret, whichever logger the line came from.
"""

from __future__ import annotations

import logging
import os
import re

_PATTERNS = [
    re.compile(r"(Authorization['\"]?\s*[:=]\s*b?['\"]?)[^'\"\n,}]+", re.IGNORECASE),
    re.compile(r"((?:X-Amz-)?Credential=)[^,&\s'\"]+", re.IGNORECASE),
    re.compile(r"((?:X-Amz-)?Signature=)[0-9a-fA-F]+", re.IGNORECASE),
    re.compile(r"((?:X-Amz-Security-Token|x-amz-security-token)['\"]?\s*[:=]\s*b?['\"]?)[^'\"\n,}&]+"),
    re.compile(r"(aws_secret_access_key\s*[=:]\s*['\"]?)[^'\"\s]+", re.IGNORECASE),
    re.compile(r"(://[^/\s:@]+:)[^@/\s]+(@)"),
]
_SECRET_ENV = ("AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SESSION_TOKEN", "REDIS_PASSWORD")
_installed = False


def redact(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + "***" + (m.group(2) if m.lastindex == 2 else ""), text)
    for name in _SECRET_ENV:
        value = os.environ.get(name)
        if value and len(value) >= 4:
            text = text.replace(value, "***")
    return text


def install() -> None:
    """Wrap the log record factory once per process."""
    global _installed
    if _installed:
        return
    _installed = True
    previous = logging.getLogRecordFactory()

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return record
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, ()
        return record

    logging.setLogRecordFactory(factory)
