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
    """One line of the printed table: a measured case and its numbers."""

    case: str
    metrics: dict[str, Any] = field(default_factory=dict)


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


def write(name: str, rows: Sequence[Row], facts: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    body = {"benchmark": name, **facts, "results": [{"case": r.case, **r.metrics} for r in rows]}
    path.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def table(rows: Sequence[tuple[str, Row]]) -> str:
    """A plain-text table: benchmark, case, then `key=value` pairs."""
    if not rows:
        return "(no results)"
    width_name = max(len(name) for name, _ in rows)
    width_case = max(len(row.case) for _, row in rows)
    lines = []
    for name, row in rows:
        pairs = "  ".join(f"{key}={_fmt(value)}" for key, value in row.metrics.items())
        lines.append(f"{name:<{width_name}}  {row.case:<{width_case}}  {pairs}")
    return "\n".join(lines)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"
    return str(value)
