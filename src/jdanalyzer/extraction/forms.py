"""The tokens of the taxonomy's surface forms, as the hashes the PhraseMatcher compares.

Building the matcher splits some 10,000 forms (aliases and their spelling variants). A form of
lowercase words between single spaces, each word letters or letters joined by hyphens
("vector search", "fine-tuning"), is split at its spaces and around its hyphens: the
tokenizer does the same (its one rule for such words splits off a hyphen between letters),
unless a word is one of its special cases ("cannot"). Making a Doc per form cost more than
half the pipeline's build. Other forms ("a/b tests", "c++", "gpt-4") go through the
tokenizer. ``tests/extraction/test_components.py`` holds the two to the same tokens for every
form of the taxonomy.
"""

from __future__ import annotations

import re

from spacy.attrs import LOWER
from spacy.language import Language
from spacy.strings import get_string_id

__all__ = ["FormTokens"]

_PLAIN = re.compile(r"[a-z]+(?:[ -][a-z]+)*\Z")
_HYPHEN = re.compile("(-)")


class FormTokens:
    """The ``LOWER`` hashes of a form's tokens, split as ``nlp``'s tokenizer splits it.

    Example:
        >>> import spacy
        >>> lowers = FormTokens(spacy.blank("en"))
        >>> lowers("vector search") == (get_string_id("vector"), get_string_id("search"))
        True
        >>> len(lowers("fine-tuning")), len(lowers("cannot"))  # "fine", "-", "tuning"; "can", "not"
        (3, 2)
    """

    def __init__(self, nlp: Language) -> None:
        self.make_doc = nlp.make_doc
        self.special_cases = frozenset(getattr(nlp.tokenizer, "rules", None) or ())

    def __call__(self, form: str) -> tuple[int, ...]:
        if _PLAIN.match(form):
            words = form.split(" ")
            pieces = [piece for word in words for piece in _HYPHEN.split(word)] if "-" in form else words
            if self.special_cases.isdisjoint(words) and self.special_cases.isdisjoint(pieces):
                return tuple(map(get_string_id, pieces))
        return self.by_tokenizer(form)

    def by_tokenizer(self, form: str) -> tuple[int, ...]:
        """The hashes as the tokenizer gives them, whatever the form: for the forms the quick
        split does not take, and for the tests to compare it with."""
        return tuple(self.make_doc(form).to_array(LOWER).tolist())
