"""Run the benchmarks (all, or those named), print one table and write results/<name>.json."""

import argparse
import asyncio
import os
import sys
import time
from collections.abc import Callable, Coroutine
from typing import Any

from benchmarks import handlers, import_owners, outbox, reports
from benchmarks.common import PG_ENV, Row, load, machine, table, write

BENCHMARKS: dict[str, Callable[[str | None], Coroutine[Any, Any, list[Row]]]] = {
    "handlers": handlers.run,
    "outbox": outbox.run,
    "import": import_owners.run,
    "reports": reports.run,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="NAME", help=", ".join(BENCHMARKS))
    names = parser.parse_args(argv).names or list(BENCHMARKS)
    unknown = sorted(set(names) - set(BENCHMARKS))
    if unknown:
        parser.error(f"unknown benchmarks: {', '.join(unknown)}")
    pg_url = os.environ.get(PG_ENV) or None
    printed: list[tuple[str, Row]] = []
    for name in names:
        urls = ["sqlite+aiosqlite://"] + ([pg_url] if pg_url and name == "handlers" else [])
        facts = machine(urls)
        facts["load_start"] = load()
        started = time.perf_counter()
        rows = asyncio.run(BENCHMARKS[name](pg_url if name == "handlers" else None))
        facts["wall_s"] = round(time.perf_counter() - started, 2)
        facts["load_end"] = load()
        path = write(name, rows, facts)
        printed += [(name, row) for row in rows]
        print(f"{name}: {facts['wall_s']} s, load {facts['load_start']} → {facts['load_end']}")
        print(f"  wrote {path}", flush=True)
    print()
    print(table(printed))
    return 0


sys.exit(main())
