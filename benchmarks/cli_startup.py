"""`cli`: how long admin commands take to start and finish, as a ratio to `python -c pass`.

Each command runs as its own process, as an operator would run it, against a SQLite file that
is already up to date (the first run creates it and is not counted). The median of RUNS runs.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import Row

RUNS = 3
COMMANDS = [
    ["db", "upgrade"],
    ["staff", "add", "4242", "Wang Fang", "agent"],
]


def seconds(argv: list[str], env: dict[str, str], cwd: str) -> float:
    started = time.perf_counter()
    subprocess.run(argv, env=env, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - started


def median(argv: list[str], env: dict[str, str], cwd: str) -> float:
    return statistics.median(seconds(argv, env, cwd) for _ in range(RUNS))


async def run(database_url: str | None = None) -> list[Row]:
    # The console script an operator runs, beside this interpreter.
    frontdoor = [str(Path(sys.executable).parent / "frontdoor")]
    with tempfile.TemporaryDirectory(prefix="frontdoor-bench-") as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTDOOR_")}
        env["FRONTDOOR_DATABASE_URL"] = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        env["FRONTDOOR_LOG_LEVEL"] = "WARNING"
        seconds([*frontdoor, "db", "upgrade"], env, tmp)
        floor = median([sys.executable, "-c", "pass"], env, tmp)
        aiogram = median([sys.executable, "-c", "import aiogram.types"], env, tmp)
        rows = []
        for command in COMMANDS:
            took = median([*frontdoor, *command], env, tmp)
            rows.append(
                Row(
                    f"frontdoor {command[0]} {command[1]}: s",
                    floor=floor,
                    value=took,
                    ratio=took / floor,
                    metrics={"import_aiogram_s": aiogram},
                )
            )
    return rows
