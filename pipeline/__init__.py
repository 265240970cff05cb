"""cleanwire's library: pages become records, records are cleaned, judged and stored.

Nothing here imports Prefect, Scrapy or ``flows``: downstream tools and other
orchestrators use this package alone.
"""
