"""Bytes to text: trust a BOM, then a declared charset the bytes agree with, then UTF-8.

Servers lie about charsets; a wrong guess turns quotes into mojibake that then
survives into the bucket. What is believed, in order:

1. a byte-order mark (UTF-8, UTF-16, UTF-32) over any label;
2. the Content-Type charset, then ``<meta charset>`` / ``<?xml encoding>``, with the labels
   browsers use (WHATWG: ``iso-8859-1``, ``latin1`` and ``us-ascii`` mean windows-1252), but:
   a legacy label on bytes that are valid UTF-8 (multi-byte sequences, hardly any errors) is
   a lie and UTF-8 wins; a UTF-16 label on ASCII-compatible bytes is a lie and is skipped;
3. UTF-8, where each byte that is not valid UTF-8 is read as windows-1252, so cp1252 text
   labelled UTF-8 (the classic lie), or a page mixing both, keeps its curly quotes and accents.

Decoding never raises, and control characters that HTML parsers reject are removed.
"""

from __future__ import annotations

import codecs
import re

from pipeline.record import Page

_META_CHARSET = re.compile(rb"<meta[^>]{0,500}?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"^<\?xml[^>]{0,200}?encoding=[\"']([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Python codec names (codecs.lookup(...).name) that browsers decode as windows-1252.
_WINDOWS_1252_ALIASES = {"iso8859-1", "ascii", "latin-1", "cp1252"}
_WIDE = {"utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"}
# NUL and the C0/C1 controls lxml refuses or that mean nothing in text (tab, newlines, form feed kept).
_CONTROLS = dict.fromkeys([*range(0, 9), 11, *range(14, 32), 127], None)
_HAS_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _cp1252_for_invalid(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return exc.object[exc.start : exc.end].decode("cp1252", errors="replace"), exc.end


codecs.register_error("cleanwire-cp1252", _cp1252_for_invalid)


def _codec(label: str) -> str | None:
    try:
        name = codecs.lookup(label.strip().strip("\"'").lower()).name
    except LookupError:
        return None
    return "cp1252" if name in _WINDOWS_1252_ALIASES else name


def _declared(page: Page) -> list[str]:
    found = []
    match = _HEADER_CHARSET.search(page.header("content-type"))
    if match:
        found.append(match.group(1))
    head = page.body[:4096]
    for pattern in (_XML_ENCODING, _META_CHARSET):
        meta = pattern.search(head)
        if meta:
            found.append(meta.group(1).decode("ascii", "ignore"))
    return found


def _utf8(body: bytes) -> str:
    return body.decode("utf-8", errors="cleanwire-cp1252")


_ESCAPED = re.compile("[\udc80-\udcff]")
_NON_ASCII = re.compile("[^\x00-\x7f]")


def looks_utf8(body: bytes) -> bool:
    """Multi-byte UTF-8 sequences, and at most one invalid byte in twenty of them."""
    if body.isascii():
        return False
    try:
        body.decode("utf-8")
        return True
    except UnicodeDecodeError:
        pass
    text = body.decode("utf-8", errors="surrogateescape")
    invalid = _ESCAPED.subn("", text)[1]
    valid = _NON_ASCII.subn("", text)[1] - invalid
    return valid > 0 and invalid * 20 <= valid


def _clean(text: str) -> str:
    return text.translate(_CONTROLS) if _HAS_CONTROL.search(text) else text


def decode_body(page: Page) -> str:
    return _clean(_decode(page.body, _declared(page)))


def _decode(body: bytes, declared: list[str]) -> str:
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body.decode(encoding, errors="replace")
    for label in declared:
        codec = _codec(label)
        if codec is None:
            continue
        if codec == "utf-8":
            return _utf8(body)
        if codec in _WIDE:
            if b"\x00" not in body[:1024]:
                continue  # labelled UTF-16/32 but ASCII-compatible bytes: the label lies
            try:
                return body.decode(codec)
            except UnicodeDecodeError:
                continue
        if looks_utf8(body):
            return _utf8(body)  # a legacy label on UTF-8 bytes
        try:
            return body.decode(codec)
        except UnicodeDecodeError:
            if codec == "cp1252":
                return body.decode("cp1252", errors="replace")
            continue
    return _utf8(body)


_BINARY = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


def binary_offset(body: bytes, sample: int = 65536) -> int | None:
    """Where the bytes stop looking like text, or None: a NUL, or control bytes (no text format
    has them: tab, newlines, form feed and escape aside) in more than one byte in a hundred of
    the first ``sample``. UTF-16/32 with a BOM is text. ``decode_body`` would turn binary data
    into a page of U+FFFD; a caller that is given a file (``cleanwire extract``) refuses it."""
    if any(body.startswith(bom) for bom, encoding in _BOMS if encoding != "utf-8-sig"):
        return None
    head = body[:sample]
    first = _BINARY.search(head)
    if first is None:
        return None
    if b"\x00" in head or len(_BINARY.findall(head)) * 100 > len(head):
        return first.start()
    return None
