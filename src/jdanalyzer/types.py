"""Result types: frozen dataclasses with ``to_dict()`` for JSON output."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

SIDES = ("ai_engineer", "data_scientist", "shared")


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
        return asdict(self)


@dataclass(frozen=True)
class Extraction:
    """Skills and tasks found in one posting, with the normalized text they point into."""

    text: str
    skills: tuple[Match, ...] = ()
    tasks: tuple[Match, ...] = ()
    truncated: bool = False
    warnings: tuple[str, ...] = field(default=())

    @property
    def matches(self) -> tuple[Match, ...]:
        """Skills and tasks together, in text order."""
        return tuple(sorted(self.skills + self.tasks, key=lambda m: (m.start, m.end)))

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "skills": [m.to_dict() for m in self.skills],
            "tasks": [m.to_dict() for m in self.tasks],
            "truncated": self.truncated,
            "warnings": list(self.warnings),
        }
