"""The command families; each module's ``register`` adds its commands and their arguments."""

from __future__ import annotations

from cleanwire.commands import bucket, demo, deploy, run, sources, text, views

# In the order ``cleanwire --help`` lists them.
FAMILIES = (sources, run, text, bucket, views, deploy, demo)
