"""A local web page and JSON API over the role model (the ``web`` extra)."""
