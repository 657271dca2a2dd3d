"""Writing a benchmark's results: benchmarks/results/STEM.json and STEM.md, the Markdown printed too."""

from __future__ import annotations

import json
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def write(stem: str, meta: dict, rows: list[dict], lines: list[str]) -> None:
    """STEM.json: meta with the rows under "rows"; STEM.md: the lines; then the lines on standard output."""
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{stem}.json").write_text(json.dumps(meta | {"rows": rows}, indent=1) + "\n")
    (RESULTS / f"{stem}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
