"""The curated taxonomy of skills and tasks, loaded from package data.

Each term has a stable id, a canonical name, surface forms, a kind (``skill`` or
``task``), a category, the side it is evidence of (:data:`jdanalyzer.types.SIDES`: a role,
``ai_engineer`` or ``data_scientist``; the work beside them, ``software``,
``data_engineering`` or ``analytics``; or ``shared`` by the roles) and where it came from
(``seed-article``, ``seed-talk`` or ``curated``).

One entry names one thing: each surface form is another name of that thing (or, for an
entry whose name says it is a group, such as "ETL tools (Informatica, Talend, SSIS)", of a
member of the group), never the name of another entry. A name that can mean something
else ("Spark joy", "cutting-edge AI", "Core ML" for core machine learning) carries
context rules: words that must not come right before or after it, or words one of which
the posting must contain.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib.resources import files
from pathlib import Path
from typing import TypeVar

from jdanalyzer.errors import TaxonomyError
from jdanalyzer.types import SIDES

__all__ = [
    "KINDS", "SIDES", "SOURCES", "Taxonomy", "Term", "load_taxonomy", "plural", "roles_apart",
    "surface_variants",
]

_Found = TypeVar("_Found")

KINDS = ("skill", "task")
SOURCES = ("seed-article", "seed-talk", "curated")
_FILES = ("skills.jsonl", "tasks.jsonl")
_REQUIRED = ("id", "name", "kind", "side", "source")


@dataclass(frozen=True)
class Term:
    """One taxonomy entry.

    ``aliases`` and ``phrases`` match case-insensitively; ``cased_aliases`` match only with
    their exact case; ``roles`` match case-insensitively too, and are job titles and team
    members that name the term's field ("data scientist", "our software engineers"): a
    mention of the field that is no skill asked of the reader (see :meth:`names_role`); a
    task also matches a verb of ``verbs`` followed closely by an object of ``objects``
    (compared on lemmas), and likewise for each further pair of
    verbs and objects in ``verb_objects``, for duties whose verbs take other objects
    ("write SQL", "tune queries" beside "query databases").

    A verb of several words matches each word by its lemma ("work closely with",
    "setting up"). An object of several words ("data model") is its last word, compared
    on its lemma, right after the others (compared on lowercase forms); it claims that
    word from the tasks that do not list it: in "Build data models" the data model is no
    predictive model.

    Context rules, for names that can mean something else; they apply to every match of
    the surface forms above (not to verb...object matches), compared on lowercase words
    with hyphens left out ("cutting-edge" reads as "cutting edge"):

    - ``not_preceded_by``: a match right after one of these words or phrases does not
      count ("cutting" for "edge AI" in "cutting-edge AI");
    - ``not_followed_by``: a match right before one of them does not count ("joy" for
      "Spark" in "Spark joy");
    - ``only_with``: a match counts only in a text that also has one of these words
      ("ios", "swift" for Apple's "Core ML").
    """

    id: str
    name: str
    kind: str
    side: str
    source: str
    category: str = ""
    aliases: tuple[str, ...] = ()
    cased_aliases: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ()
    objects: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    verb_objects: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()
    not_preceded_by: tuple[str, ...] = ()
    not_followed_by: tuple[str, ...] = ()
    only_with: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()

    @property
    def surface_forms(self) -> tuple[str, ...]:
        """Every surface form as written in the data: aliases, phrases, roles and cased aliases."""
        return self.phrase_forms + self.cased_aliases

    @property
    def verb_object_groups(self) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
        """Each (verbs, objects) pair of the task: ``verbs`` and ``objects``, then ``verb_objects``."""
        main = ((self.verbs, self.objects),) if self.verbs and self.objects else ()
        return main + self.verb_objects

    @property
    def has_context_rules(self) -> bool:
        return bool(self.not_preceded_by or self.not_followed_by or self.only_with)

    @property
    def phrase_forms(self) -> tuple[str, ...]:
        """All case-insensitive surface forms as written in the data (before variants)."""
        return self.aliases + self.phrases + self.roles

    @cached_property
    def _role_wordings(self) -> frozenset[str]:
        return frozenset(_folded(v) for form in self.roles for v in surface_variants(form.lower()))

    def names_role(self, matched: str) -> bool:
        """Whether ``matched``, a wording that matched this term, is one of its ``roles``.

        Example:
            >>> term = load_taxonomy()["data_science"]
            >>> term.names_role("Data Scientists"), term.names_role("data science")
            (True, False)
        """
        return bool(self.roles) and _folded(matched) in self._role_wordings

    @classmethod
    def from_dict(cls, data: dict[str, object], *, where: str = "") -> Term:
        missing = [key for key in _REQUIRED if not data.get(key)]
        if missing:
            raise TaxonomyError(f"{where}: entry {data.get('id', '?')!r} lacks {', '.join(missing)}")
        for key, allowed in (("kind", KINDS), ("side", SIDES), ("source", SOURCES)):
            if data[key] not in allowed:
                raise TaxonomyError(
                    f"{where}: entry {data['id']!r} has {key}={data[key]!r}; "
                    f"expected one of {', '.join(allowed)}"
                )

        def strings(key: str) -> tuple[str, ...]:
            value = data.get(key) or []
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise TaxonomyError(f"{where}: entry {data['id']!r}: {key} must be a list of strings")
            return tuple(value)

        def groups() -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
            value = data.get("verb_objects") or []
            if not isinstance(value, list) or not all(
                isinstance(group, dict) and set(group) == {"verbs", "objects"}
                and all(
                    isinstance(words, list) and words and all(isinstance(w, str) for w in words)
                    for words in group.values()
                )
                for group in value
            ):
                raise TaxonomyError(
                    f"{where}: entry {data['id']!r}: verb_objects must be a list of "
                    '{"verbs": [...], "objects": [...]} with strings in both lists'
                )
            return tuple((tuple(group["verbs"]), tuple(group["objects"])) for group in value)

        return cls(
            id=str(data["id"]),
            name=str(data["name"]),
            kind=str(data["kind"]),
            side=str(data["side"]),
            source=str(data["source"]),
            category=str(data.get("category") or data["kind"]),
            aliases=strings("aliases"),
            cased_aliases=strings("cased_aliases"),
            verbs=strings("verbs"),
            objects=strings("objects"),
            phrases=strings("phrases"),
            verb_objects=groups(),
            not_preceded_by=strings("not_preceded_by"),
            not_followed_by=strings("not_followed_by"),
            only_with=strings("only_with"),
            roles=strings("roles"),
        )


class Taxonomy:
    """A read-only collection of :class:`Term` objects indexed by id."""

    def __init__(self, terms: Iterable[Term]) -> None:
        self._terms: dict[str, Term] = {}
        for term in terms:
            if term.id in self._terms:
                raise TaxonomyError(f"taxonomy id {term.id!r} is used twice; ids must be unique")
            self._terms[term.id] = term
        self._refuse_forms_naming_other_entries()

    def _refuse_forms_naming_other_entries(self) -> None:
        """An alias is another name of its own entry: one that is another entry's name or id
        (``_`` read as a space, case ignored) would match that entry's mentions as this one."""
        named: dict[str, set[str]] = defaultdict(set)
        for term in self:
            for key in (term.name, term.id, term.id.replace("_", " ")):
                named[key.lower()].add(term.id)
        for term in self:
            for form in term.surface_forms:
                others = named.get(form.lower(), set()) - {term.id}
                if others:
                    other = min(others)
                    raise TaxonomyError(
                        f"entry {term.id!r} lists {form!r}, which names entry {other!r}; an alias must "
                        f"be another name of the same thing: move {form!r} to {other!r} or drop it"
                    )

    def __len__(self) -> int:
        return len(self._terms)

    def __iter__(self) -> Iterator[Term]:
        return iter(self._terms.values())

    def __contains__(self, term_id: object) -> bool:
        return term_id in self._terms

    def __getitem__(self, term_id: str) -> Term:
        return self._terms[term_id]

    def get(self, term_id: str) -> Term | None:
        return self._terms.get(term_id)

    @property
    def skills(self) -> list[Term]:
        return [t for t in self if t.kind == "skill"]

    @property
    def tasks(self) -> list[Term]:
        return [t for t in self if t.kind == "task"]

    @classmethod
    def from_jsonl(cls, paths: Iterable[Path]) -> Taxonomy:
        terms: list[Term] = []
        for path in paths:
            terms.extend(_read_jsonl(path.read_text(encoding="utf-8"), where=str(path)))
        return cls(terms)


def _read_jsonl(text: str, *, where: str) -> Iterator[Term]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise TaxonomyError(f"{where}:{number}: not valid JSON ({exc.msg})") from None
        yield Term.from_dict(data, where=f"{where}:{number}")


@lru_cache(maxsize=1)
def load_taxonomy() -> Taxonomy:
    """Load the taxonomy shipped with the package (cached).

    Example:
        >>> load_taxonomy()["llm"].side
        'ai_engineer'
    """
    data = files("jdanalyzer") / "data"
    terms: list[Term] = []
    for name in _FILES:
        resource = data / name
        if not resource.is_file():
            raise TaxonomyError(f"package data file jdanalyzer/data/{name} is missing; reinstall jdanalyzer")
        terms.extend(_read_jsonl(resource.read_text(encoding="utf-8"), where=name))
    return Taxonomy(terms)


def plural(word: str) -> str | None:
    if len(word) < 2 or not word[-1].isalpha() or word.endswith("s"):
        return None
    if word.endswith("y") and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("x", "ch", "sh")):
        return word + "es"
    return word + "s"


def surface_variants(form: str) -> list[str]:
    """Spelling variants of a lowercase surface form: hyphen variants and a plural. A name of
    two or three plain words is also written hyphenated, as a modifier ("machine-learning
    models", "multiple-testing corrections").

    Example:
        >>> surface_variants("fine-tuning")
        ['fine-tuning', 'fine tuning', 'finetuning', 'fine-tunings', 'fine tunings', 'finetunings']
        >>> surface_variants("big data")
        ['big data', 'big-data', 'big datas', 'big-datas']
    """
    bases = [form]
    if "-" in form:
        bases += [form.replace("-", " "), form.replace("-", "")]
    elif _PLAIN_WORDS.fullmatch(form):
        bases.append(form.replace(" ", "-"))
    variants: list[str] = []
    for base in bases + [p for p in (_plural_phrase(b) for b in bases) if p]:
        if base not in variants:
            variants.append(base)
    return variants


def roles_apart(
    found: Iterable[_Found], names_role: Callable[[_Found], bool]
) -> tuple[list[_Found], list[_Found]]:
    """Skill matches (spans or :class:`~jdanalyzer.types.Match`) split into those that do not
    name a role and those that do (``names_role``, by :meth:`Term.names_role`), each in order."""
    kept: list[_Found] = []
    roles: list[_Found] = []
    for item in found:
        (roles if names_role(item) else kept).append(item)
    return kept, roles


def _folded(wording: str) -> str:
    """``wording`` in lowercase with hyphens and runs of whitespace read as one space."""
    return " ".join(wording.lower().replace("-", " ").split())


_PLAIN_WORDS = re.compile(r"[a-z0-9]+(?: [a-z0-9]+){1,2}")


def _plural_phrase(phrase: str) -> str | None:
    head, _, last = phrase.rpartition(" ")
    plural_last = plural(last)
    if plural_last is None:
        return None
    return f"{head} {plural_last}" if head else plural_last
