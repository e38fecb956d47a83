"""What every benchmark shares: timing, percentiles, machine facts and the result files."""

import json
import os
import platform
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"
PG_ENV = "FRONTDOOR_BENCH_DATABASE_URL"


@dataclass
class Row:
    """One line of the printed table: a measured case, and when it has a floor to compare
    with (the echo bot, `python -c pass`), the floor, Frontdoor's value and their ratio."""

    case: str
    floor: float | None = None
    value: float | None = None
    ratio: float | None = None
    metrics: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        compared = {"floor": self.floor, "frontdoor": self.value, "ratio": self.ratio}
        return {"case": self.case, **{k: v for k, v in compared.items() if v is not None}} | (
            self.metrics
        )


def percentile(samples: Sequence[float], share: float) -> float:
    """Nearest-rank percentile of `samples` (0 < share <= 1); 0 for no samples."""
    if not samples:
        return 0.0
    ordered = sorted(samples)
    rank = max(1, min(len(ordered), round(share * len(ordered) + 0.5)))
    return ordered[rank - 1]


def database_kind(url: str) -> str:
    """The URL's dialect only: never the host, user or password."""
    return url.split(":", 1)[0]


def load() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def machine(database_urls: Sequence[str]) -> dict[str, Any]:
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "database_kinds": sorted({database_kind(url) for url in database_urls}),
    }


def write(
    facts: dict[str, Any], runs: dict[str, dict[str, Any]], rows: Sequence[tuple[str, Row]]
) -> Path:
    """Everything of this run in results/latest.json (the previous run's file is replaced)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "latest.json"
    body = {
        **facts,
        "benchmarks": {
            name: {**run, "results": [row.as_json() for n, row in rows if n == name]}
            for name, run in runs.items()
        },
    }
    path.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


HEADER = ("benchmark", "case", "floor", "frontdoor", "ratio", "details")


def table(rows: Sequence[tuple[str, Row]]) -> str:
    """One plain-text table: benchmark, case, floor, Frontdoor, ratio, other `key=value`s."""
    if not rows:
        return "(no results)"
    cells = [HEADER] + [
        (
            name,
            row.case,
            _fmt(row.floor),
            _fmt(row.value),
            "" if row.ratio is None else f"{row.ratio:.2f}",
            "  ".join(f"{key}={_fmt(value)}" for key, value in row.metrics.items()),
        )
        for name, row in rows
    ]
    widths = [max(len(line[i]) for line in cells) for i in range(len(HEADER))]
    right = {2, 3, 4}
    return "\n".join(
        "  ".join(
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(line)
        ).rstrip()
        for line in cells
    )


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"
    return str(value)
