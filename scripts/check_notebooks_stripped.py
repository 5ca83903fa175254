"""Fail when a notebook carries outputs or execution counts (they must be committed stripped).

Usage:
    python scripts/check_notebooks_stripped.py [PATH ...]

Each PATH is a notebook or a folder searched for ``*.ipynb`` (default: ``notebooks/`` of the
repository). Prints one line per offending cell and exits 1 if there is any, 2 if a path is
missing or a notebook is not valid JSON. Strip notebooks with ``nbstripout notebooks/*.ipynb``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def notebook_paths(paths: list[Path]) -> list[Path]:
    """The notebooks named by ``paths`` (folders are searched recursively, checkpoints skipped)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
        elif path.is_file():
            found.append(path)
        else:
            raise FileNotFoundError(f"{path} does not exist")
    return found


def problems(path: Path) -> list[str]:
    """One message per code cell of ``path`` that has outputs or an execution count."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    messages = []
    for number, cell in enumerate(notebook.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        if cell.get("outputs"):
            messages.append(f"{path}: cell {number} has {len(cell['outputs'])} output(s)")
        if cell.get("execution_count") is not None:
            messages.append(f"{path}: cell {number} has execution count {cell['execution_count']}")
    return messages


def main(argv: list[str]) -> int:
    try:
        paths = notebook_paths([Path(a) for a in argv] or [REPO / "notebooks"])
        found = [message for path in paths for message in problems(path)]
    except (OSError, ValueError) as exc:  # missing path, unreadable file, invalid JSON
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    for message in found:
        print(message)
    if found:
        print("notebooks must be committed without outputs: run `nbstripout notebooks/*.ipynb`")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
