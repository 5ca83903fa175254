"""Where a job is: place names and work-arrangement words found in an ad's text.

A location is stated when the ad names a place (a country, US state, region, capital or
major city of ``data/places.json``, or a US "City, ST"), a work arrangement ("remote",
"hybrid", "on-site", "onsite", "in office") or a phrase that points at one ("based in",
"our Berlin office", "relocation"), but not a form field left empty ("Telecommute:Contact
information:"), "commuter benefits" or "the Office of Management". Place names are matched
as written or in capitals, so "Reading" the verb or "nice" the adjective never count; names
that are also common words or first names are left out of the list (its ``left_out`` entry
says which).

Example:
    >>> [m.group() for m in find_locations("Hybrid, London or Manchester.")]
    ['Hybrid', 'London', 'Manchester']
    >>> states_location("You will build models in Python.")
    False
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from importlib.resources import files
from typing import Any

__all__ = ["find_locations", "load_places", "states_location"]

#: "hybrid" and "remote" in a technical sense ("hybrid search", "remote sensing") name no place.
_TECHNICAL_NEXT = (
    r"(?:cloud|search|retrieval|models?|modell?ing|approach|architectures?|ranking|recommend\w*|"
    r"systems?|rag|quantum|vehicles?|solutions?|infrastructure|deployments?|methods?|networks?|"
    r"sensing|monitoring|access|servers?|procedures?|patients?|execution|repositor\w*|branch\w*|"
    r"debugging|attestation|controls?|desktop|calls?|api|data)\b"
)
# A form field left empty: its label runs straight into the next label ("Telecommute:Contact
# information:") or ends the text.
_EMPTY_FIELD = r"(?![ \t]*:[ \t]*(?:[A-Z][\w ]{0,30}:|$))"
# Commuter benefits are a perk, and "the Office of Management" an organisation: no place.
_NOT_A_COMMUTE = (r"(?!\s+(?:benefits?|subsid\w*|programs?|checks?|perks?|reimbursements?|"
                  r"allowances?|stipends?|passes)\b)")
_ARRANGEMENT = (
    r"(?i:\b(?:remote(?:ly)?|hybrid)\b(?![\s-]+" + _TECHNICAL_NEXT + r")|"
    r"\bon-?site\b|\bon site\b|\bin[- ]office\b|\bin the office\b|\boffice[- ]based\b|"
    r"\bwork(?:ing)? from home\b|\bwfh\b|\btelecommut\w*\b" + _EMPTY_FIELD + "|"
    r"\b(?:based|located) in\b|\boffices? in\b|\brelocat\w*|\blocations?" + _EMPTY_FIELD + r"\s*:|"
    r"\bdays? (?:a|per) week (?:in|at)\b|\bcommut\w*\b" + _NOT_A_COMMUTE + "|"
    r"\b(?:our|the) (?:\w+ )?(?:office|campus|hq|headquarters)\b(?!\s+of\b))"
)
# A US "City, ST" place name.
_CITY_STATE = (
    r"\b[A-Z][A-Za-z.]+(?: [A-Z][A-Za-z.]+)?, (?:A[LKZR]|C[AOT]|D[CE]|FL|GA|HI|I[ADLN]|K[SY]|LA|"
    r"M[ADEINOST]|N[CDEHJMVY]|O[HKR]|PA|RI|S[CD]|T[NX]|UT|V[AT]|W[AIVY])\b"
)
_PLACE_KINDS = ("countries", "us_states", "regions", "cities")


@lru_cache(maxsize=1)
def load_places() -> tuple[str, ...]:
    """The place names of ``data/places.json``, longest first."""
    data = json.loads((files("jdanalyzer") / "data" / "places.json").read_text(encoding="utf-8"))
    names = {name for kind in _PLACE_KINDS for name in data[kind]}
    return tuple(sorted(names, key=lambda n: (-len(n), n)))


def _trie(words: Iterable[str]) -> str:
    """One regex for ``words`` shaped as a trie: a long list matched in one pass.

    Example:
        >>> _trie(["Lima", "Lille", "Lyon"])
        'L(?:i(?:lle|ma)|yon)'
    """
    root: dict[str, Any] = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        branches = [re.escape(char) + build(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(root)


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    forms = {f for name in load_places() for f in (name, name.upper())}
    # Whole words only; not "Basel III" (banking rules) nor "Manhattan distance" (a metric).
    place = r"(?<![\w.-])" + _trie(forms) + r"(?![\w-])(?!\s+(?:II|III|IV|[Dd]istance)\b)"
    return re.compile("|".join((_ARRANGEMENT, _CITY_STATE, place)))


def find_locations(text: str) -> Iterator[re.Match[str]]:
    """Every place name, "City, ST" and work-arrangement phrase in ``text``, in order."""
    return _pattern().finditer(text)


def states_location(text: str, location: str = "") -> bool:
    """Whether the ad says where the job is: a ``location`` value or a place or arrangement.

    Example:
        >>> states_location("Leeds, hybrid."), states_location("Uses hybrid search.")
        (True, False)
    """
    return bool(location.strip()) or next(find_locations(text), None) is not None
