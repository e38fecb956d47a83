"""`import`: parse and import a generated owners register of 5,000 rows on a SQLite file."""

import csv
import tempfile
import time
from pathlib import Path

from benchmarks.common import Row
from storage import estates, registers
from storage.db import UnsavedRowError, create_engine, create_session_pool, upgrade_connection

ROWS = 5_000


def write_register(path: Path, rows: int) -> None:
    """Owners spread over 50 buildings; every tenth one holds a second unit."""
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["building", "unit", "name", "phone", "area_m2", "language"])
        for i in range(rows):
            phone = f"138{i:08d}"
            building, unit = str(i % 50 + 1), f"{i // 50 + 1:02d}01"
            language = "en" if i % 3 == 0 else "zh"
            writer.writerow([building, unit, f"Owner {i}", phone, "88.5", language])
            if i % 10 == 0:
                writer.writerow([building, f"{i // 50 + 1:02d}02", f"Owner {i}", phone, "", ""])


async def run(database_url: str | None = None) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="frontdoor-bench-") as tmp:
        register = Path(tmp) / "owners.csv"
        write_register(register, ROWS)
        engine = create_engine(database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}")
        try:
            async with engine.begin() as conn:
                await conn.run_sync(upgrade_connection)
            pool = create_session_pool(engine)
            async with pool() as session:
                estate = await estates.ensure_default(
                    session, name="Bench", time_zone="Asia/Shanghai", locale="zh", currency="CNY"
                )
            if estate.id is None:
                raise UnsavedRowError("estate.id: not saved yet")
            started = time.perf_counter()
            rows, errors = registers.parse_owners(register, "CN")
            parsed = time.perf_counter()
            if errors:
                raise RuntimeError(errors[:3])
            async with pool() as session:
                result = await registers.import_owners(session, estate.id, rows, "bench")
            imported = time.perf_counter()
            if not (result.ok and result.counts["owners_created"] == ROWS):
                raise RuntimeError(result.summary())
            # A second import of the same file must change nothing (and is what re-runs cost).
            async with pool() as session:
                again = await registers.import_owners(session, estate.id, rows, "bench")
            repeated = time.perf_counter()
            if again.counts["owners_created"] != 0:
                raise RuntimeError(again.summary())
        finally:
            await engine.dispose()
    total = imported - started
    return [
        Row(
            "owners csv, first import",
            metrics={
                "rows": len(rows),
                "parse_s": parsed - started,
                "import_s": imported - parsed,
                "rows_per_s": len(rows) / total,
            },
        ),
        Row(
            "owners csv, same file again",
            metrics={"rows": len(rows), "import_s": repeated - imported},
        ),
    ]
