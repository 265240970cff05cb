"""The ``cleanwire`` command: the one place that knows pipeline, spiders and flows together."""

__version__ = "0.1.0"
