"""Typical figures of job ads (length, skills asked for, readability), measured on the corpus.

The numbers ship as package data (``data/audit_norms.json``) so the audit works without the
corpus. :func:`compute_norms` is how they were made; the file records the command.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib.resources import files
from typing import Any

import numpy as np

from jdanalyzer.audit.readability import readability
from jdanalyzer.types import Extraction, Match

__all__ = [
    "PERCENTILES", "compute_norms", "counted_skills", "load_norms", "outer_range", "typical_range",
]

PERCENTILES = (5, 10, 25, 50, 75, 90, 95)


def counted_skills(skills: Iterable[Match]) -> set[str]:
    """Distinct skill and tool ids that count as requirements (soft skills are left out)."""
    return {m.id for m in skills if m.category != "soft_skill"}


def compute_norms(extractions: Iterable[Extraction]) -> dict[str, Any]:
    """Percentiles of word count, distinct skills and reading ease over many postings.

    Example:
        >>> from jdanalyzer.extraction.extract import extract_many
        >>> norms = compute_norms(extract_many(["Build RAG apps with LangChain and Python."] * 3))
        >>> norms["postings"], norms["word_count"]["p50"]
        (3, 7.0)
    """
    words: list[int] = []
    skills: list[int] = []
    ease: list[float] = []
    for extraction in extractions:
        figures = readability(extraction.text)
        words.append(figures.words)
        skills.append(len(counted_skills(extraction.skills)))
        if figures.flesch_reading_ease is not None:
            ease.append(figures.flesch_reading_ease)

    def table(values: list[float] | list[int]) -> dict[str, float]:
        if not values:
            return {}
        points = np.percentile(np.asarray(values, dtype=float), PERCENTILES)
        return {f"p{p}": round(float(v), 1) for p, v in zip(PERCENTILES, points, strict=True)}

    return {
        "postings": len(words),
        "word_count": table(words),
        "distinct_skills": table(skills),
        "flesch_reading_ease": table(ease),
    }


@lru_cache(maxsize=1)
def load_norms() -> dict[str, Any]:
    """The shipped corpus norms (``data/audit_norms.json``)."""
    text = (files("jdanalyzer") / "data" / "audit_norms.json").read_text(encoding="utf-8")
    return json.loads(text)


def outer_range(table: Mapping[str, float]) -> tuple[int, float, float]:
    """The widest percentiles a norms table gives: ``(5, p5, p95)``, else ``(10, p10, p90)``.

    Example:
        >>> outer_range(load_norms()["word_count"])
        (5, 132.0, 1103.0)
    """
    for low in (5, 10):
        if f"p{low}" in table and f"p{100 - low}" in table:
            return low, table[f"p{low}"], table[f"p{100 - low}"]
    raise KeyError(f"the norms table has neither p5/p95 nor p10/p90: {sorted(table)}")


def typical_range(measure: str) -> tuple[float, float]:
    """The 10th and 90th percentile of ``measure`` (``word_count``, ``distinct_skills`` ...)."""
    table = load_norms()[measure]
    return table["p10"], table["p90"]
