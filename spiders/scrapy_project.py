"""Scrapy project settings for ``scrapy crawl SOURCE``: one spider per source YAML.

Politeness comes from the source's config (as in ``cleanwire run``); the item
pipeline turns pages into cleaned records, so ``-O records.jsonl`` writes the
same records the bucket would hold.
"""

BOT_NAME = "cleanwire"
SPIDER_LOADER_CLASS = "spiders.loader.SourceSpiderLoader"
ITEM_PIPELINES = {"spiders.pipelines.ExtractPipeline": 300}
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
FEED_EXPORT_ENCODING = "utf-8"
# Pages that are not articles are normal on a news site: say so at INFO, not WARNING.
DEFAULT_DROPITEM_LOG_LEVEL = "INFO"
