"""Terminal rendering of results with rich (tables, bars, highlighted text)."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from jdanalyzer.types import Extraction, Match, Prediction

__all__ = ["SIDE_STYLES", "extraction_table", "highlighted", "print_json"]

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
    """One row per distinct term: name, kind, side, how often, and the forms found."""
    table = Table(title="Skills and tasks found", show_lines=False)
    table.add_column("term")
    table.add_column("kind")
    table.add_column("side")
    table.add_column("count", justify="right")
    table.add_column("as written")
    grouped: dict[str, list[Match]] = {}
    for match in result.skills + result.tasks:
        grouped.setdefault(match.id, []).append(match)
    rows = sorted(grouped.values(), key=lambda ms: (ms[0].kind, ms[0].side, -len(ms), ms[0].name))
    for matches in rows:
        first = matches[0]
        forms = sorted({m.matched for m in matches})
        table.add_row(
            first.name,
            first.kind if first.kind == "task" else f"{first.kind} ({first.category})",
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
        out.append(Text(f"No reliable label: the text has {prediction.words} words; paste the whole ad",
                        style="bold red"))
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
