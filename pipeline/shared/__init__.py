"""State shared by many workers on one bucket, kept in Redis when ``REDIS_URL`` is set.

Without Redis a run holds the store's lease (``pipeline.bucket.lock``) and keeps the dedup
index and seen URLs as objects in the bucket: one run at a time. With Redis, runs
on any number of machines crawl, extract and store at once; what must be decided
once (is this article new? has this URL been fetched? in which order do manifests
appear?) is decided by atomic operations in Redis.
"""

from pipeline.shared.state import SharedState

__all__ = ["SharedState"]
