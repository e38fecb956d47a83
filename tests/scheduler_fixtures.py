"""Helpers for scheduler tests: run a job as of a local time, charges, other estates.

from tests.scheduler_fixtures import *  # noqa: F403
"""

from datetime import date, datetime, time

from sqlmodel import col, select

from scheduler.jobs.base import Job
from scheduler.runs import RunReport, run_job
from storage import calendar
from storage.models import Charge, Estate, OutboxMessage, Owner, OwnerStatus, OwnerUnit, Unit

__all__ = ["add_charge", "at", "make_estate", "make_owner", "rows_with", "run_at"]


def at(estate: Estate, day: date, hour: int = 9, minute: int = 0) -> datetime:
    """The UTC moment the estate's wall clock shows `day` `hour:minute`."""
    return calendar.at_local(estate, day, time(hour, minute))


async def run_at(session_pool, job: Job, estate: Estate, moment: datetime) -> RunReport:
    return await run_job(session_pool, job, estate, moment, lambda: moment)


async def add_charge(
    session_pool, unit: Unit, due: date, amount: int = 50000, item="Property fee", period=None
) -> Charge:
    async with session_pool() as session:
        charge = Charge(
            unit_id=unit.id,
            item=item,
            period=period or f"{due.year}-{due.month:02d}",
            amount=amount,
            currency="CNY",
            due_date=due,
        )
        session.add(charge)
        await session.commit()
        return charge


async def make_estate(session_pool, name: str, time_zone: str, staff_chat_id: int) -> Estate:
    async with session_pool() as session:
        estate = Estate(
            name=name,
            time_zone=time_zone,
            locale="en",
            currency="USD",
            phone_region="US",
            staff_chat_id=staff_chat_id,
        )
        session.add(estate)
        await session.commit()
        return estate


async def make_owner(
    session_pool,
    estate: Estate,
    user_id: int,
    units: list[Unit],
    status: OwnerStatus = OwnerStatus.verified,
    language: str = "en",
) -> Owner:
    async with session_pool() as session:
        owner = Owner(
            estate_id=estate.id,
            name=f"Owner {user_id}",
            telegram_user_id=user_id,
            chat_id=user_id,
            language=language,
            status=status,
        )
        session.add(owner)
        await session.flush()
        session.add_all(OwnerUnit(owner_id=owner.id, unit_id=u.id) for u in units)
        await session.commit()
        return owner


async def rows_with(session_pool, prefix: str) -> list[OutboxMessage]:
    async with session_pool() as session:
        query = (
            select(OutboxMessage)
            .where(col(OutboxMessage.dedupe_key).startswith(prefix))
            .order_by(col(OutboxMessage.id))
        )
        return list((await session.exec(query)).all())
