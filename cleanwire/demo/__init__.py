"""The embedded demo: news sites as static files, served on loopback by ``cleanwire run --demo``."""
