"""Custom spiders for sites that need code: one module each, registered with ``@register("name")``."""
