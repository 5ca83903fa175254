"""Terminal rendering of results with rich (tables, bars, highlighted text)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from jdanalyzer.types import Evidence, Extraction, Match, Prediction

__all__ = [
    "SIDE_STYLES", "FileOutcome", "extraction_table", "files_json", "files_table", "highlighted",
    "prediction_view", "print_json", "top_duty",
]

#: One classified file: its name and its prediction, or why it could not be classified.
FileOutcome = tuple[str, Prediction | str]
#: Duty sentences longer than this are cut in the table of several files (not in JSON).
_DUTY_CHARS = 110

SIDE_STYLES = {
    "ai_engineer": "bold magenta",
    "data_scientist": "bold cyan",
    "shared": "bold yellow",
    "hybrid": "bold green",
    "other": "bold white",
}


def print_json(console: Console, data: Any) -> None:
    """Print JSON as plain text (no markup, no wrapping), for machines."""
    console.file.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def extraction_table(result: Extraction) -> Table:
    """One row per distinct term: name, kind, side, how often, and the forms found.

    Job titles and team members the ad names come last, as ``role named`` rows.
    """
    table = Table(title="Skills and tasks found", show_lines=False)
    table.add_column("term")
    table.add_column("kind")
    table.add_column("side")
    table.add_column("count", justify="right")
    table.add_column("as written")
    for kind, found in (("skill", result.skills), ("task", result.tasks), ("role named", result.roles)):
        grouped: dict[str, list[Match]] = {}
        for match in found:
            grouped.setdefault(match.id, []).append(match)
        for matches in sorted(grouped.values(), key=lambda ms: (ms[0].side, -len(ms), ms[0].name)):
            first = matches[0]
            forms = sorted({m.matched for m in matches})
            table.add_row(
                first.name,
                f"skill ({first.category})" if kind == "skill" else kind,
                Text(first.side, style=SIDE_STYLES.get(first.side, "")),
                str(len(matches)),
                ", ".join(forms[:4]) + (" …" if len(forms) > 4 else ""),
            )
    return table


def highlighted(text: str, spans: list[tuple[int, int, str]]) -> Text:
    """``text`` with each (start, end, side) span styled by its side's colour."""
    out = Text(text)
    for start, end, side in spans:
        out.stylize(SIDE_STYLES.get(side, "bold") + " underline", start, end)
    return out


def _bar(value: float, width: int = 30) -> str:
    filled = round(value * width)
    return "█" * filled + "░" * (width - filled)


def prediction_view(prediction: Prediction) -> list[Any]:
    """Renderables for a prediction: label, probability bars, evidence by side, highlighted text.

    A title the text confidently contradicts gets a ``Title: ...`` line under the label.
    A prediction without a label (the text is too short to judge) gets its probability bars
    and a line saying there is no reliable label, and nothing else.
    """
    from rich.panel import Panel

    out: list[Any] = []
    bars = Table.grid(padding=(0, 1))
    for label, p in sorted(prediction.probabilities.items(), key=lambda kv: -kv[1]):
        bars.add_row(Text(label, style=SIDE_STYLES.get(label, "")), _bar(p), f"{p:6.1%}")
    if prediction.label is None:  # too short to judge: the probabilities, and why no label
        out.append(bars)
        counted = "1 word" if prediction.words == 1 else f"{prediction.words} words"
        out.append(Text(f"No reliable label: the text has {counted}; paste the whole ad", style="bold red"))
        # The model's own "too short" warning says the same as the line above.
        out += [Text(f"Note: {w}", style="yellow") for w in prediction.warnings
                if not w.startswith("too short (")]
        return out
    head = Text()
    head.append("Label: ", style="bold")
    head.append(prediction.label, style=SIDE_STYLES.get(prediction.label, "bold"))
    head.append(f"  ({prediction.confidence:.0%})")
    if prediction.low_confidence:
        head.append("  low confidence", style="bold red")
    out.append(head)
    mismatch = prediction.title_mismatch
    if mismatch is not None:  # the title the text contradicts, by the audit's role-mismatch rule
        out.append(Text(f"Title: {mismatch.message} [{mismatch.severity}]",
                        style="bold red" if mismatch.severity == "high" else "yellow"))
    out.append(bars)
    for warning in prediction.warnings:
        out.append(Text(f"Note: {warning}", style="yellow"))
    table = Table(title="Evidence", show_lines=False)
    table.add_column("toward")
    table.add_column("side")
    table.add_column("term")
    table.add_column("weight", justify="right")
    table.add_column("found", justify="right")
    # The ad's duty sentences first, then its words and terms, counts over the ad last.
    order = {"duty": 0, "profile": 2}
    for ev in sorted(prediction.evidence,
                     key=lambda e: (e.label != prediction.label, order.get(e.source, 1), -e.weight)):
        table.add_row(
            Text(ev.label, style=SIDE_STYLES.get(ev.label, "")),
            Text(ev.side, style=SIDE_STYLES.get(ev.side, "")),
            ev.term + (" (title)" if ev.source == "title" else ""),
            f"{ev.weight:.2f}",
            str(len(ev.spans)),
        )
    out.append(table)
    spans = [(s, e, ev.side) for ev in prediction.evidence if ev.label == prediction.label
             for s, e in ev.spans]
    out.append(Panel(highlighted(prediction.text, spans), title="Posting, evidence highlighted"))
    return out


def top_duty(prediction: Prediction) -> Evidence | None:
    """The duty sentence that speaks most for the label, or None (no label, no duty found)."""
    duties = [e for e in prediction.evidence if e.source == "duty" and e.label == prediction.label]
    return max(duties, key=lambda e: e.weight, default=None)


def _clip(text: str, limit: int = _DUTY_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def files_table(outcomes: Sequence[FileOutcome]) -> Table:
    """One row per file: label, confidence, runner-up and top duty evidence, or its error.

    A file without a label (too short to judge) says so; a file without a duty sentence
    toward its label shows the strongest other term instead, marked as such.
    """
    table = Table(title="Postings", show_lines=False)
    table.add_column("file", overflow="fold")
    table.add_column("label", no_wrap=True)
    table.add_column("confidence", justify="right", no_wrap=True)
    table.add_column("runner-up", no_wrap=True)
    table.add_column("top duty evidence", min_width=20)
    for name, outcome in outcomes:
        if isinstance(outcome, str):
            table.add_row(name, Text("error", style="bold red"), "", "", Text(outcome, style="red"))
            continue
        if outcome.label is None:
            table.add_row(name, Text("too short", style="bold red"), "", "",
                          Text(f"{outcome.words} words; paste the whole ad", style="dim"))
            continue
        confidence = Text(f"{outcome.confidence:.0%}")
        if outcome.low_confidence:
            confidence.append(" low", style="bold red")
        runner = outcome.runner_up or ""
        runner_up = Text(runner, style=SIDE_STYLES.get(runner, ""))
        if runner:
            runner_up.append(f" ({outcome.probabilities[runner]:.0%})")
        duty = top_duty(outcome)
        if duty is not None:
            evidence = Text(_clip(duty.term))
        else:
            terms = [e for e in outcome.evidence if e.label == outcome.label and e.source != "profile"]
            strongest = max(terms, key=lambda e: e.weight, default=None)
            evidence = Text("no duty sentence" + (f"; top term: {strongest.term}" if strongest else ""),
                            style="dim")
        table.add_row(name, Text(outcome.label, style=SIDE_STYLES.get(outcome.label, "")),
                      confidence, runner_up, evidence)
    return table


def files_json(outcomes: Sequence[FileOutcome]) -> list[dict[str, Any]]:
    """The JSON list of several files: per file ``file``, ``error`` (None when classified) and,
    when classified, the fields of ``jdanalyzer classify --format json``."""
    out: list[dict[str, Any]] = []
    for name, outcome in outcomes:
        if isinstance(outcome, str):
            out.append({"file": name, "error": outcome})
        else:
            out.append({"file": name, "error": None, **outcome.to_dict()})
    return out
