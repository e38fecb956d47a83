"""A generated estate on the 10th-of-the-month pattern the fee benchmarks use: `owners` verified
owners with one unit each and ten monthly charges a unit, most of them paid — every one but
the month's latest for 30 % of the units and the last three months' for 4 % (arrears), so about
4 % of the charges are owed on the day. Written with INSERT … SELECT over a recursive row
generator in SQL, the same statements on SQLite and PostgreSQL (no rows through Python)."""

from datetime import UTC, date, datetime

from sqlalchemy import Date, Integer, String, case, cast, insert, literal, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.models import Charge, Owner, OwnerStatus, OwnerUnit, Payment, Unit
from storage.types import UTCDateTime

CHARGES_PER_UNIT = 10
BUILDINGS = 50
# Telegram ids of the generated owners (the sandbox's sample people are far below).
FIRST_CHAT = 900_000_000


def months_back(day: date, count: int) -> list[date]:
    """`day` and the same day of the `count - 1` months before it, oldest first (day ≤ 28)."""
    months = []
    year, month = day.year, day.month
    for _ in range(count):
        months.append(date(year, month, day.day))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


async def build(
    engine: AsyncEngine, *, estate_id: int, owners: int, today: date, first_id: int = 0
) -> None:
    """Owners, units and their links get ids `first_id + 1 …`; charges and payments the
    database's own. `today` is the due date of the latest charge (day of month ≤ 28)."""
    at = literal(datetime.now(UTC), UTCDateTime())
    n = select(literal(1, Integer).label("n")).cte("n", recursive=True)
    n = n.union_all(select(n.c.n + 1).where(n.c.n < owners))
    ident = n.c.n + first_id
    tables = [Unit.__table__, Owner.__table__, OwnerUnit.__table__]  # type: ignore[attr-defined]
    unit, owner, owner_unit = tables
    charge = Charge.__table__  # type: ignore[attr-defined]
    payment = Payment.__table__  # type: ignore[attr-defined]
    months = months_back(today, CHARGES_PER_UNIT)
    arrears_from = months[-3]
    # The generated units' own numbering, whatever `first_id` is: the paid/unpaid mix.
    k = charge.c.unit_id - first_id
    async with engine.begin() as conn:
        await conn.execute(
            insert(unit).from_select(
                ["id", "created_at", "estate_id", "building", "number"],
                select(
                    ident,
                    at,
                    literal(estate_id),
                    literal("G") + cast(n.c.n % BUILDINGS, String),
                    cast(n.c.n, String),
                ),
            )
        )
        await conn.execute(
            insert(owner).from_select(
                ["id", "created_at", "estate_id", "name", "telegram_user_id", "chat_id"]
                + ["language", "status"],
                select(
                    ident,
                    at,
                    literal(estate_id),
                    literal("Owner ") + cast(n.c.n, String),
                    n.c.n + FIRST_CHAT,
                    n.c.n + FIRST_CHAT,
                    # Both languages, so an announcement renders both of its texts.
                    case((n.c.n % 2 == 0, literal("en")), else_=literal("zh")),
                    literal(OwnerStatus.verified.value),
                ),
            )
        )
        await conn.execute(
            insert(owner_unit).from_select(
                ["created_at", "owner_id", "unit_id", "primary"],
                select(at, ident, ident, literal(True)),
            )
        )
        for due in months:
            await conn.execute(
                insert(charge).from_select(
                    ["created_at", "unit_id", "item", "period", "amount", "currency", "due_date"],
                    select(
                        at,
                        unit.c.id,
                        literal("Fee"),
                        literal(f"{due:%Y-%m}"),
                        literal(50_000),
                        literal("CNY"),
                        literal(due, Date()),
                    ).where(unit.c.id > first_id, unit.c.estate_id == estate_id),
                )
            )
        owed = ((charge.c.due_date == literal(today, Date())) & (k % 10 < 3)) | (
            (k % 25 == 0) & (charge.c.due_date >= literal(arrears_from, Date()))
        )
        await conn.execute(
            insert(payment).from_select(
                ["created_at", "charge_id", "amount", "paid_at", "method"],
                select(at, charge.c.id, charge.c.amount, at, literal("cash")).where(
                    charge.c.unit_id > first_id, ~owed
                ),
            )
        )
        # What recording the payments does (storage.payments.resettle), as its migration's
        # backfill.
        await conn.execute(
            update(charge)
            .where(charge.c.unit_id > first_id)
            .values(
                settled=text(
                    "amount <= COALESCE((SELECT SUM(payment.amount) FROM payment"
                    " WHERE payment.charge_id = charge.id AND payment.reversed_at IS NULL), 0)"
                )
            )
        )
    # What autovacuum does after a bulk load (VACUUM cannot run in a transaction): the first
    # read of a million fresh rows otherwise also sets their hint bits, writing every page, a
    # cost a live database does not pay in its daily run. SQLite only needs the statistics.
    vacuum = "VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"
    async with engine.connect() as conn:
        autocommit = await conn.execution_options(isolation_level="AUTOCOMMIT")
        for table in (unit, owner, owner_unit, charge, payment):
            await autocommit.execute(text(f"{vacuum} {table.name}"))
