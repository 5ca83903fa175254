"""Cells made safe for spreadsheets: a text a spreadsheet would run as a formula is defused.

Kept apart from :mod:`jdanalyzer.batch.tables` so that writers of small CSV files (the
audit's findings) need not import pandas.
"""

from __future__ import annotations

from typing import Any

__all__ = ["neutralize"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: Any) -> Any:
    """Prefix ``'`` to a text cell a spreadsheet would run as a formula (``=``, ``+``, ``@``...).

    Example:
        >>> neutralize("=HYPERLINK(\\"http://x\\")")
        '\\'=HYPERLINK("http://x")'
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
