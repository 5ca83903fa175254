"""Result types: frozen dataclasses with ``to_dict()`` for JSON output."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal, get_args

#: What a posting is labeled: see ``jdanalyzer labels`` and LABELING.md.
Label = Literal["ai_engineer", "data_scientist", "hybrid", "other"]
LABELS: tuple[Label, ...] = get_args(Label)
#: What each label is called in prose, reports and on the page.
LABEL_TITLES: dict[str, str] = {
    "ai_engineer": "AI engineer",
    "data_scientist": "data scientist",
    "hybrid": "hybrid of both roles",
    "other": "other",
}
#: What a taxonomy term is evidence of: one of the two roles, a neighbouring kind of work
#: (general software engineering, data engineering, analytics), or ``shared`` by the roles.
Side = Literal["ai_engineer", "data_scientist", "software", "data_engineering", "analytics", "shared"]
SIDES: tuple[Side, ...] = get_args(Side)
#: What each side is called in prose ("16 data-science skills") and on charts and the page.
SIDE_TITLES: dict[str, str] = {
    "ai_engineer": "AI engineering",
    "data_scientist": "data science",
    "software": "software engineering",
    "data_engineering": "data engineering",
    "analytics": "analytics",
    "shared": "shared",
}


@dataclass(frozen=True)
class Match:
    """One taxonomy term found in a text.

    ``start`` and ``end`` are character offsets into the normalized text, so
    ``text[start:end] == matched``.
    """

    id: str
    name: str
    matched: str
    start: int
    end: int
    kind: str
    side: str
    category: str

    def to_dict(self) -> dict[str, Any]:
        # A shallow copy of the fields (all str and int): dataclasses.asdict deep-copies each
        # value, and with a posting's hundreds of matches that took 3.7 ms of the 9.5 ms of
        # server CPU a web request cost.
        return dict(vars(self))


@dataclass(frozen=True)
class Extraction:
    """Skills and tasks found in one posting, with the normalized text they point into.

    ``roles`` are the job titles and team members the text names ("Data Scientist", "our
    software engineers"), each a mention of its field's term: they say who the ad is about
    or who works beside the hire, not what is asked, so they are not among the skills (nor
    in the model's counts or the audit's).
    """

    text: str
    skills: tuple[Match, ...] = ()
    tasks: tuple[Match, ...] = ()
    truncated: bool = False
    warnings: tuple[str, ...] = field(default=())
    roles: tuple[Match, ...] = ()

    @property
    def matches(self) -> tuple[Match, ...]:
        """Skills and tasks together, in text order."""
        return tuple(sorted(self.skills + self.tasks, key=lambda m: (m.start, m.end)))

    @property
    def mentions(self) -> tuple[Match, ...]:
        """Skills, tasks and roles together, in text order: every taxonomy mention."""
        return tuple(sorted(self.skills + self.tasks + self.roles, key=lambda m: (m.start, m.end)))

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "skills": [m.to_dict() for m in self.skills],
            "tasks": [m.to_dict() for m in self.tasks],
            "roles": [m.to_dict() for m in self.roles],
            "truncated": self.truncated,
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class Evidence:
    """A term that moved the decision, with every place it occurs in the normalized text.

    ``source`` is ``duty`` (a duty sentence of the ad that is the work ``label`` stands for;
    ``weight`` is the duty reader's probability for it), ``taxonomy`` (a taxonomy match),
    ``ngram`` (words of the text), ``title`` (words of the title: no spans in the text) or
    ``profile`` (a count or share over taxonomy matches or duties). For all but duties,
    ``weight`` is how much the term moves the log-odds toward ``label`` rather than the
    other of the two most likely labels.
    """

    term: str
    label: str
    weight: float
    source: str
    side: str
    spans: tuple[tuple[int, int], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "term": self.term,
            "label": self.label,
            "weight": round(self.weight, 4),
            "source": self.source,
            "side": self.side,
            "spans": [{"start": s, "end": e} for s, e in self.spans],
        }


@dataclass(frozen=True)
class TitleMismatch:
    """The ad's title names a role its text contradicts (see :mod:`jdanalyzer.model.titles`).

    ``severity`` is ``high`` (the title names one role, the text reads as the other),
    ``medium`` (an analyst title over AI-engineering work) or ``low`` (the title names a
    role, the text reads as neither); ``title_family`` is what the title advertises and
    ``label`` what the text was labeled.
    """

    message: str
    severity: str
    title_family: str
    label: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Prediction:
    """The label of one posting, its probabilities, the evidence and the extraction.

    ``label`` and ``runner_up`` are None when the text is too short to judge (under
    :data:`jdanalyzer.model.predict.MIN_WORDS` words): the probabilities are still there,
    ``low_confidence`` is True, a warning says why and there is no evidence.
    ``title_mismatch`` is set when a title was given and the text confidently says otherwise.
    """

    label: str | None
    probabilities: dict[str, float]
    runner_up: str | None
    low_confidence: bool
    evidence: tuple[Evidence, ...]
    extraction: Extraction
    title: str = ""
    warnings: tuple[str, ...] = ()
    title_mismatch: TitleMismatch | None = None

    @property
    def confidence(self) -> float:
        """The probability of ``label``; with no label, the highest probability."""
        if self.label is None:
            return max(self.probabilities.values(), default=0.0)
        return self.probabilities[self.label]

    @property
    def words(self) -> int:
        """Words in the normalized text (what the short-text rule counts)."""
        return len(self.text.split())

    @property
    def text(self) -> str:
        return self.extraction.text

    @property
    def skills(self) -> tuple[Match, ...]:
        return self.extraction.skills

    @property
    def tasks(self) -> tuple[Match, ...]:
        return self.extraction.tasks

    @property
    def roles(self) -> tuple[Match, ...]:
        return self.extraction.roles

    def evidence_for(self, label: str) -> tuple[Evidence, ...]:
        return tuple(e for e in self.evidence if e.label == label)

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON schema of a prediction (see README, "JSON output")."""
        return {
            "label": self.label,
            "confidence": None if self.label is None else round(self.confidence, 4),
            "probabilities": {k: round(v, 4) for k, v in self.probabilities.items()},
            "runner_up": self.runner_up,
            "low_confidence": self.low_confidence,
            "evidence": [e.to_dict() for e in self.evidence],
            "skills": [m.to_dict() for m in self.skills],
            "tasks": [m.to_dict() for m in self.tasks],
            "roles": [m.to_dict() for m in self.roles],
            "text": self.text,
            "title": self.title,
            "title_mismatch": None if self.title_mismatch is None else self.title_mismatch.to_dict(),
            "truncated": self.extraction.truncated,
            "warnings": list(self.warnings),
        }
