"""Fixed-width binary layout of the shared near-duplicate index, so that a record costs Redis
a few hundred bytes, not kilobytes (issue 19; figures in ``docs/scaling.md``).

Why each piece has its shape:

- A record gets a **number** (4 bytes, from one counter) when it is entered. Bucket entries name
  the number, not the 24-character id: an entry is 6 bytes (2 bytes of the bucket key's hash
  that the field does not already say, then the number), appended to a hash field that holds
  about ``PER_FIELD`` entries. Hash fields cost Redis about 60 bytes each, whatever they hold;
  one field per band key (the former layout) cost that much per key, 41 keys a record.
- A number's **slot** (20 bytes at ``number * 20`` in a string of ``CHUNK`` slots) says where the
  record's sketch and its cluster's union sketch are in the bucket: the sketches (1 KB each,
  most of the former memory) are read only for the few candidates a claim returns. A pending
  record's sketch, and a union a run has not committed yet, stay in Redis until the commit.
- The number of fields per partition is fixed when the partition is first written, from
  ``shared_records_per_day`` (``field_bits``): too few fields make claims scan long values,
  too many pay the per-field cost for few entries.

Nothing here talks to Redis or the bucket: ``pipeline.shared.index`` does.
"""

from __future__ import annotations

import math
import struct

import numpy as np

ENTRY = 6  # residual (2 bytes) + record number (4 bytes), big-endian
SLOT = 20  # sketch location, union location
LOCATION = struct.Struct(">IIH")  # pack number (0: none), offset, length
NO_LOCATION = bytes(LOCATION.size)
CHUNK = 1 << 16  # slots per Redis string (1.3 MB at most)
BAND_HASHES = 256  # Redis hashes per partition, as before: none grows past a few hundred MB
PER_FIELD = 32  # entries a field is sized for
KEYS_PER_RECORD = 45  # bucket keys of a new record and its copies' extra keys (measured: 41 + a few)
UNKNOWN_NUMBER = 0xFFFFFFFF  # a URL mapping written by recovery, which does not know the number

_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)


def field_bits(records_per_partition: int) -> int:
    """Bits of a bucket key's hash that choose the field inside one of the 256 hashes."""
    fields = records_per_partition * KEYS_PER_RECORD / BAND_HASHES / PER_FIELD
    return max(1, min(32, math.ceil(math.log2(max(2.0, fields)))))


def places(keys: list[int], bits: int) -> list[tuple[int, str, bytes]]:
    """(hash number, field, residual) of each 64-bit bucket key, after a splitmix64 finaliser
    (band keys' low bits are not uniform enough to choose among hashes by themselves).

    The hash and field use the low ``8 + bits`` bits, the residual the top 16: 24 to 56 bits
    tell keys apart, so a false candidate (a record sharing no key, only a field and residual)
    is rare, and costs only its verification."""
    z = np.array(keys, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = (z ^ (z >> np.uint64(30))) * _M1
        z = (z ^ (z >> np.uint64(27))) * _M2
        z = z ^ (z >> np.uint64(31))
    mask = (1 << bits) - 1
    return [(v & 0xFF, str((v >> 8) & mask), (v >> 48).to_bytes(2, "big")) for v in z.tolist()]


def encode_id(record_id: str) -> bytes:
    """12 bytes for the usual 24-hex-digit id; any other id as UTF-8 marked with 0xFF bytes
    (which UTF-8 never holds), never 12 bytes long."""
    if len(record_id) == 24:
        try:
            return bytes.fromhex(record_id)
        except ValueError:
            pass
    raw = b"\xff" + record_id.encode("utf-8")
    return raw + b"\xff" if len(raw) == 12 else raw


def decode_id(data: bytes) -> str:
    return data.hex() if len(data) == 12 else data.strip(b"\xff").decode("utf-8")


def hash_field(content_hash: str) -> bytes:
    """The content-hash map's field: the first 16 bytes of the hex digest (128 bits)."""
    try:
        return bytes.fromhex(content_hash[:32]) if len(content_hash) >= 32 else content_hash.encode()
    except ValueError:
        return content_hash.encode("utf-8")


def number_value(number: int, record_id: str | None = None) -> bytes:
    """A map's value: the record's number, then its id unless the reader can derive it."""
    return number.to_bytes(4, "big") + (b"" if record_id is None else encode_id(record_id))


def split_value(value: bytes, default_id: str) -> tuple[int, str]:
    return int.from_bytes(value[:4], "big"), decode_id(value[4:]) if len(value) > 4 else default_id


def sketch_blob(record_id: str, packed: bytes) -> bytes:
    """What a slot's location points at: the record id (so that a candidate number names its
    record) and the packed sketch."""
    raw = record_id.encode("utf-8")
    return len(raw).to_bytes(2, "big") + raw + packed


def split_blob(blob: bytes) -> tuple[str, bytes]:
    size = int.from_bytes(blob[:2], "big")
    return blob[2 : 2 + size].decode("utf-8"), blob[2 + size :]


def slot_key_and_offset(number: int) -> tuple[str, int]:
    return f"slot:{number // CHUNK}", (number % CHUNK) * SLOT
