"""Score extracted mentions against hand-annotated gold mentions.

A mention is a span of the normalized text with a taxonomy id and a kind (``skill`` or
``task``). Two matching rules are reported side by side:

* ``overlap``: a predicted mention is correct when a gold mention of the same posting has
  the same id and shares at least one character with it; a gold mention is found when some
  predicted mention of the same id overlaps it.
* ``exact``: the same, but the offsets must be identical.

Precision is over predicted mentions, recall over gold mentions (micro-averaged over all
postings), so one long gold task span found by two shorter predictions counts once for
recall and twice for precision. Gold ids that are not in the taxonomy (``missing:...``)
can never be predicted: they lower recall, which keeps the figures honest about what the
taxonomy lacks.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

__all__ = ["KINDS", "Mention", "load_gold", "score_mentions"]

KINDS = ("skill", "task")
MODES = ("overlap", "exact")


@dataclass(frozen=True, order=True)
class Mention:
    """One annotated or predicted mention: ``text[start:end]`` names taxonomy term ``id``."""

    start: int
    end: int
    id: str
    kind: str

    @classmethod
    def coerce(cls, value: Any) -> Mention:
        """Build a mention from a dict, a :class:`~jdanalyzer.types.Match` or a Mention."""
        if isinstance(value, Mention):
            return value
        if isinstance(value, Mapping):
            return cls(int(value["start"]), int(value["end"]), str(value["id"]), str(value["kind"]))
        return cls(int(value.start), int(value.end), str(value.id), str(value.kind))

    def overlaps(self, other: Mention) -> bool:
        return self.start < other.end and other.start < self.end

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def load_gold(path: Path) -> dict[str, list[Mention]]:
    """Read a gold file: one JSON object per line, ``{"posting_id", "mentions": [...]}``.

    Example:
        >>> gold = load_gold(Path("tests/data/extraction_gold.jsonl"))  # doctest: +SKIP
        >>> len(gold)  # doctest: +SKIP
        25
    """
    gold: dict[str, list[Mention]] = {}
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        if row["posting_id"] in gold:
            raise ValueError(f"{path}:{number}: posting {row['posting_id']!r} is annotated twice")
        gold[row["posting_id"]] = sorted(Mention.coerce(m) for m in row["mentions"])
    return gold


def _same(a: Mention, b: Mention, mode: str) -> bool:
    if a.id != b.id:
        return False
    return a.overlaps(b) if mode == "overlap" else (a.start, a.end) == (b.start, b.end)


def _ratios(tp_pred: int, n_pred: int, tp_gold: int, n_gold: int) -> dict[str, float | int]:
    precision = tp_pred / n_pred if n_pred else 1.0
    recall = tp_gold / n_gold if n_gold else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision, "recall": recall, "f1": f1,
        "predicted": n_pred, "correct": tp_pred, "gold": n_gold, "found": tp_gold,
    }


def score_mentions(
    gold: Mapping[str, Sequence[Any]], predicted: Mapping[str, Iterable[Any]]
) -> dict[str, Any]:
    """Precision, recall and F1 of ``predicted`` against ``gold``, both keyed by posting id.

    Mentions may be :class:`Mention` objects, dicts with ``start``/``end``/``id``/``kind`` or
    :class:`~jdanalyzer.types.Match` objects. Only postings present in ``gold`` are scored
    (a posting missing from ``predicted`` counts as having no predictions).

    Returns:
        ``{"overlap": {...}, "exact": {...}, "false_positives": [...], "misses": [...]}``:
        each mode maps ``all``, ``skill`` and ``task`` to a dict of ``precision``,
        ``recall``, ``f1`` and the counts (``predicted``, ``correct``, ``gold``, ``found``).
        ``false_positives`` and ``misses`` list ``(posting_id, Mention)`` under overlap
        matching, in posting and text order.

    Example:
        >>> gold = {"p1": [{"start": 0, "end": 6, "id": "python", "kind": "skill"}]}
        >>> pred = {"p1": [{"start": 0, "end": 6, "id": "python", "kind": "skill"},
        ...                {"start": 11, "end": 14, "id": "sql", "kind": "skill"}]}
        >>> score_mentions(gold, pred)["overlap"]["all"]["precision"]
        0.5
    """
    counts = {
        mode: {kind: [0, 0, 0, 0] for kind in ("all", *KINDS)} for mode in MODES
    }  # correct predictions, predictions, found gold, gold
    false_positives: list[tuple[str, Mention]] = []
    misses: list[tuple[str, Mention]] = []
    for posting_id, gold_mentions in gold.items():
        golds = sorted(Mention.coerce(m) for m in gold_mentions)
        preds = sorted(Mention.coerce(m) for m in predicted.get(posting_id, ()))
        for mode in MODES:
            # Precision counts predictions found in gold (columns 0, 1); recall, gold
            # mentions found among predictions (columns 2, 3).
            for mentions, others, column, unmatched in (
                (preds, golds, 0, false_positives), (golds, preds, 2, misses)
            ):
                for mention in mentions:
                    hit = any(_same(mention, other, mode) for other in others)
                    for key in ("all", mention.kind):
                        counts[mode][key][column] += hit
                        counts[mode][key][column + 1] += 1
                    if mode == "overlap" and not hit:
                        unmatched.append((posting_id, mention))
    result: dict[str, Any] = {
        mode: {kind: _ratios(*values) for kind, values in table.items()}
        for mode, table in counts.items()
    }
    result["false_positives"] = false_positives
    result["misses"] = misses
    return result
