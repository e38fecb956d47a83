"""Hand-built rows for the KPI and report tests, written straight into the tables."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from storage.models import (
    Callback,
    CallbackOrigin,
    CallbackStatus,
    Charge,
    Estate,
    Owner,
    OwnerStatus,
    Payment,
    Survey,
    SurveyAnswer,
    SurveyKind,
    Ticket,
    TicketEvent,
    TicketKind,
    TicketStatus,
    Unit,
    Urgency,
)

SHANGHAI = timezone(timedelta(hours=8))
NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)


def sh(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


class Builder:
    """Rows written straight into the tables, as the operations would have left them."""

    def __init__(self, session, estate: Estate) -> None:
        self.session = session
        self.estate = estate
        self.number = 0

    async def unit(self, building: str, number: str) -> Unit:
        unit = Unit(estate_id=self.estate.id, building=building, number=number)
        self.session.add(unit)
        await self.session.flush()
        return unit

    async def owner(self) -> Owner:
        owner = Owner(estate_id=self.estate.id, name="O", status=OwnerStatus.verified)
        self.session.add(owner)
        await self.session.flush()
        return owner

    async def ticket(
        self, opened: datetime, *, events: tuple[tuple[str, datetime], ...] = (), **fields
    ) -> Ticket:
        self.number += 1
        values = {
            "kind": TicketKind.repair,
            "category": "plumbing",
            "description": "dripping tap",
            "status": TicketStatus.new,
            "urgency": Urgency.normal,
            **fields,
        }
        ticket = Ticket(estate_id=self.estate.id, number=self.number, created_at=opened, **values)
        self.session.add(ticket)
        await self.session.flush()
        for type_, at in events:
            self.session.add(TicketEvent(ticket_id=ticket.id, at=at, actor="system", type=type_))
        await self.session.flush()
        return ticket


@pytest.fixture
async def build(session, estate: Estate) -> Builder:
    return Builder(session, estate)


async def sample_november(build: Builder) -> None:
    """A small, varied November: repairs and complaints (one reopened, one late), two call-back
    tasks, fees for two buildings with a reversed payment, and one answered quarterly survey."""
    unit_a = await build.unit("1", "101")
    unit_b = await build.unit("2", "201")
    owner = await build.owner()
    session = build.session
    repair = await build.ticket(
        sh(23, 9), unit_id=unit_a.id, owner_id=owner.id, status=TicketStatus.closed,
        sla_due_at=sh(23, 11), first_response_at=sh(23, 9, 30), resolved_at=sh(23, 12),
        closed_at=sh(23, 15), rating=5,
        events=(("resolved", sh(23, 10)), ("reopened", sh(23, 11)), ("resolved", sh(23, 12))),
    )  # fmt: skip
    await build.ticket(
        sh(24, 10), category="electrical", unit_id=unit_b.id, sla_due_at=sh(24, 12),
        first_response_at=sh(24, 15), status=TicketStatus.assigned,
    )  # fmt: skip
    complaint = await build.ticket(
        sh(10, 9), kind=TicketKind.complaint, category="noise", grade="A", location="Gate",
        sla_due_at=sh(11, 9), first_response_at=sh(10, 11), resolved_at=sh(10, 16),
        closed_at=sh(11, 9), status=TicketStatus.closed, events=(("resolved", sh(10, 16)),),
    )  # fmt: skip
    for ticket, origin, due, status in (
        (repair, CallbackOrigin.after_repair, sh(24, 15), CallbackStatus.done),
        (complaint, CallbackOrigin.after_complaint, sh(14, 9), CallbackStatus.missed),
    ):
        session.add(
            Callback(owner_id=owner.id, topic="ticket", ticket_id=ticket.id, slot_start=due,
                     slot_end=due, origin=origin, due_at=due, status=status,
                     outcome="reached" if status == CallbackStatus.done else "not_reached")
        )  # fmt: skip
    fee_a = Charge(unit_id=unit_a.id, item="fee", period="2026-11", amount=22375,
                   currency="CNY", due_date=date(2026, 11, 15))  # fmt: skip
    fee_b = Charge(unit_id=unit_b.id, item="fee", period="2026-11", amount=23750,
                   currency="CNY", due_date=date(2026, 11, 15))  # fmt: skip
    session.add_all([fee_a, fee_b])
    await session.flush()
    session.add_all(
        [
            Payment(charge_id=fee_a.id, amount=22375, paid_at=sh(12, 10)),
            Payment(charge_id=fee_b.id, amount=23750, paid_at=sh(12, 10),
                    reversed_at=sh(13, 10), reversal_reason="bounced"),
        ]
    )  # fmt: skip
    survey = Survey(kind=SurveyKind.quarterly, owner_id=owner.id, unit_id=unit_a.id,
                    quarter="2026-Q4", sent_at=sh(5, 10), answered_at=sh(5, 12))  # fmt: skip
    session.add(survey)
    await session.flush()
    session.add_all(
        SurveyAnswer(survey_id=survey.id, item=item, score=score)
        for item, score in (("cleanliness", 5), ("security", 3), ("greenery", 4))
    )
    await session.commit()
