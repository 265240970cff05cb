"""Bytes to text: trust a BOM, then the declared charset if it decodes, then detection.

Servers lie about charsets (cp1252 labelled UTF-8 is the classic); a wrong
guess turns quotes into mojibake that then survives into the bucket.
"""

from __future__ import annotations

import codecs
import re

from pipeline.record import Page

_META_CHARSET = re.compile(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _declared(page: Page) -> list[str]:
    found = []
    match = re.search(r"charset=([\w.:-]+)", page.header("content-type"), re.IGNORECASE)
    if match:
        found.append(match.group(1))
    meta = _META_CHARSET.search(page.body[:4096])
    if meta:
        found.append(meta.group(1).decode("ascii", "ignore"))
    return found


def decode_body(page: Page) -> str:
    body = page.body
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body.decode(encoding, errors="replace")
    for name in [*_declared(page), "utf-8"]:
        try:
            return body.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("cp1252", errors="replace")
