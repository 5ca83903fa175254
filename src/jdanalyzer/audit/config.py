"""Settings of ``jdanalyzer audit``: which rules run and which severity fails the run.

They come from a ``[tool.jdanalyzer.audit]`` table in a TOML file, ``--config PATH`` or else
``pyproject.toml`` in the current directory when it has that table::

    [tool.jdanalyzer.audit]
    select = ["role-mismatch", "no-salary", "exclusionary-language"]  # default: every rule
    ignore = ["boilerplate"]                                          # default: none
    fail_on = "medium"      # exit 1 when a medium or high finding is found; default: never

``select`` and ``ignore`` may also be one comma-separated string. Options given on the
command line win over the file, key by key (``--select`` replaces ``select`` ...).

Example:
    >>> settings = AuditSettings(ignore=("boilerplate",)).override(select=["jargon,no-salary"])
    >>> settings.select, settings.ignore, settings.fail_on
    (('jargon', 'no-salary'), ('boilerplate',), None)
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 reads TOML with the tomli backport
    import tomli as tomllib

from jdanalyzer.audit.rules import RULES, parse_rule_ids
from jdanalyzer.errors import InputError

__all__ = ["FAIL_ON", "TABLE", "AuditSettings", "check_fail_on", "load_settings"]

#: The severities ``fail_on`` accepts (an ``info`` finding never fails a run).
FAIL_ON = ("high", "medium", "low")
#: Where the settings sit in a TOML file.
TABLE = "tool.jdanalyzer.audit"
_KEYS = ("select", "ignore", "fail_on")


def check_fail_on(value: str | None, *, where: str = "--fail-on") -> str | None:
    """``value`` when it is ``None`` or one of :data:`FAIL_ON`.

    Raises:
        InputError: any other value; ``where`` names the option or key in the message.
    """
    if value is not None and value not in FAIL_ON:
        raise InputError(f"{where} must be one of {', '.join(FAIL_ON)}, not {value!r}")
    return value


@dataclass(frozen=True)
class AuditSettings:
    """The rules to run (``select``: ``None`` for all; less ``ignore``) and ``fail_on``.

    ``source`` is the file the settings were read from, or ``""``.
    """

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    fail_on: str | None = None
    source: str = ""

    def override(self, *, select: Sequence[str] | None = None,
                 ignore: Sequence[str] | None = None, fail_on: str | None = None) -> AuditSettings:
        """These settings with each value given on the command line in place of the file's.

        ``select`` and ``ignore`` are lists of ids, each value possibly comma-separated.

        Raises:
            InputError: an unknown rule id or ``fail_on`` value.
        """
        new_select = None if select is None else parse_rule_ids(select)
        new_ignore = None if ignore is None else parse_rule_ids(ignore)
        RULES.select(select=new_select, ignore=new_ignore or (), names=("--select", "--ignore"))
        return replace(
            self,
            select=self.select if new_select is None else new_select,
            ignore=self.ignore if new_ignore is None else new_ignore,
            fail_on=self.fail_on if fail_on is None else check_fail_on(fail_on),
        )


def _ids(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"{where} must be a list of rule ids, e.g. [\"jargon\", \"no-salary\"]")
    return parse_rule_ids(value)


def _read_table(path: Path) -> dict[str, Any] | None:
    """The settings table of ``path``, or ``None`` when the file has none."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from exc
    if "jdanalyzer" not in text:  # no table; and another tool's pyproject.toml is not parsed
        return None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path} is not valid TOML: {exc}") from exc
    table: Any = data
    for key in TABLE.split("."):
        if not isinstance(table, dict) or key not in table:
            return None
        table = table[key]
    if not isinstance(table, dict):
        raise InputError(f"{path}: {TABLE} must be a table ([{TABLE}])")
    return table


def load_settings(path: str | Path | None = None, *, cwd: str | Path | None = None) -> AuditSettings:
    """Read the ``[tool.jdanalyzer.audit]`` table of ``path``, or of ``cwd/pyproject.toml``.

    Without ``path``, a ``pyproject.toml`` in ``cwd`` (default: the current directory) is
    used when it has the table; otherwise the defaults (every rule, never fail).

    Raises:
        InputError: ``path`` is missing or lacks the table, the file is not valid TOML, or a
            key or value is wrong (the message names the file, the key and what is allowed).
    """
    if path is None:
        found = Path(cwd or ".") / "pyproject.toml"
        if not found.is_file():
            return AuditSettings()
        table, source = _read_table(found), "pyproject.toml"
        if table is None:
            return AuditSettings()
    else:
        given = Path(path)
        if not given.is_file():
            raise InputError(f"no such config file: {given}")
        table, source = _read_table(given), str(given)
        if table is None:
            raise InputError(f"{given} has no [{TABLE}] table; put select, ignore or fail_on "
                             "under that heading")
    unknown = sorted(set(table) - set(_KEYS))
    if unknown:
        raise InputError(f"{source} [{TABLE}]: unknown key {', '.join(map(repr, unknown))}; "
                         f"the keys are: {', '.join(_KEYS)}")
    where = f"{source} [{TABLE}]"
    select = _ids(table["select"], f"select in {where}") if "select" in table else None
    ignore = _ids(table.get("ignore", []), f"ignore in {where}")
    fail_on = table.get("fail_on")
    if fail_on is not None and not isinstance(fail_on, str):
        raise InputError(f"fail_on in {where} must be one of {', '.join(FAIL_ON)}, not {fail_on!r}")
    check_fail_on(fail_on, where=f"fail_on in {where}")
    RULES.select(select=select, ignore=ignore, names=(f"select in {where}", f"ignore in {where}"))
    return AuditSettings(select, ignore, fail_on, source)
