"""Run the benchmarks (all, or those named), print one table and write results/latest.json."""

import argparse
import asyncio
import os
import sys
import time
from collections.abc import Callable, Coroutine
from typing import Any

from benchmarks import (
    announce,
    cli_startup,
    fee_selection,
    handlers,
    import_owners,
    outbox,
    reports,
    rss,
)
from benchmarks.common import PG_ENV, Row, load, machine, table, write

BENCHMARKS: dict[str, Callable[[str | None], Coroutine[Any, Any, list[Row]]]] = {
    "updates": handlers.run,
    "cli": cli_startup.run,
    "outbox": outbox.run,
    "import": import_owners.run,
    "reports": reports.run,
    "announce": announce.run,
    "rss": rss.run,
    # PostgreSQL only (opt-in): nothing without FRONTDOOR_BENCH_DATABASE_URL.
    "fees": fee_selection.run,
}
# The benchmarks that also run on PostgreSQL when it is configured.
ON_POSTGRES = {"updates", "outbox", "fees", "announce", "rss"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="NAME", help=", ".join(BENCHMARKS))
    names = parser.parse_args(argv).names or list(BENCHMARKS)
    unknown = sorted(set(names) - set(BENCHMARKS))
    if unknown:
        parser.error(f"unknown benchmarks: {', '.join(unknown)}")
    pg_url = os.environ.get(PG_ENV) or None
    facts = machine(["sqlite+aiosqlite://"] + ([pg_url] if pg_url else []))
    facts["load_start"] = load()
    printed: list[tuple[str, Row]] = []
    runs: dict[str, dict[str, Any]] = {}
    for name in names:
        started = time.perf_counter()
        load_before = load()
        rows = asyncio.run(BENCHMARKS[name](pg_url if name in ON_POSTGRES else None))
        runs[name] = {
            "wall_s": round(time.perf_counter() - started, 2),
            "load_start": load_before,
            "load_end": load(),
        }
        printed += [(name, row) for row in rows]
        print(
            f"{name}: {runs[name]['wall_s']} s, load {load_before} → {runs[name]['load_end']}",
            flush=True,
        )
    facts["load_end"] = load()
    path = write(facts, runs, printed)
    print()
    print(table(printed))
    print(f"\nload average {facts['load_start']} → {facts['load_end']}; wrote {path}")
    return 0


sys.exit(main())
