"""Satisfaction surveys (满意度调查): the post-service survey the day after a ticket closes, the
quarterly survey of 25 % of households, answering one question at a time, and the results.

Every operation is one transaction; the messages it causes are rendered by the caller (`drafts`)
and written to the outbox in that transaction. Nothing here knows a text.
"""

import math
import random
import secrets
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import audit, calendar, call_backs, outbox
from storage.db import UnsavedRowError
from storage.kpis import Satisfaction
from storage.models import (
    AuditEvent,
    CallbackOrigin,
    CallbackTopic,
    Estate,
    Owner,
    OwnerStatus,
    OwnerUnit,
    Survey,
    SurveyAnswer,
    SurveyKind,
    Ticket,
    TicketEvent,
    TicketEventType,
    TicketKind,
    TicketStatus,
    Unit,
)
from storage.outbox import Draft


class SurveyItem(StrEnum):
    response_speed = "response_speed"
    quality = "quality"
    outcome = "outcome"
    attitude = "attitude"
    cleanliness = "cleanliness"
    security = "security"
    greenery = "greenery"
    repairs = "repairs"
    customer_service = "customer_service"
    value_for_money = "value_for_money"


POST_SERVICE_ITEMS: dict[TicketKind, tuple[SurveyItem, ...]] = {
    TicketKind.repair: (SurveyItem.response_speed, SurveyItem.quality, SurveyItem.attitude),
    TicketKind.complaint: (SurveyItem.response_speed, SurveyItem.outcome, SurveyItem.attitude),
}
QUARTERLY_ITEMS: tuple[SurveyItem, ...] = (
    SurveyItem.cleanliness,
    SurveyItem.security,
    SurveyItem.greenery,
    SurveyItem.repairs,
    SurveyItem.customer_service,
    SurveyItem.value_for_money,
)
ITEM_ORDER: dict[str, int] = {item.value: position for position, item in enumerate(SurveyItem)}
SCORES = range(1, 6)
# A score this low alerts the staff group and opens a call-back task.
LOW_SCORE = 2
SEND_AT = time(10, 0)
REMIND_AFTER = timedelta(hours=48)
EXPIRES_AFTER = timedelta(days=7)
# At most one post-service survey per owner in this long (survey fatigue).
FATIGUE = timedelta(days=7)
# A ticket closed longer ago than this is not surveyed any more (the job was down for days).
CATCH_UP = timedelta(days=3)
COMMENT_MAX = 1000
QUARTERS = 4


# --- reading ---------------------------------------------------------------------------------


@dataclass
class SurveyState:
    """A survey with its answers so far, as plain data."""

    survey: Survey
    owner: Owner
    ticket: Ticket | None
    unit: Unit | None
    items: tuple[SurveyItem, ...]
    answers: dict[str, SurveyAnswer] = field(default_factory=dict)

    @property
    def id(self) -> int:
        if self.survey.id is None:
            raise UnsavedRowError("self.survey.id: not saved yet")
        return self.survey.id

    @property
    def next_item(self) -> SurveyItem | None:
        return next((item for item in self.items if item not in self.answers), None)

    @property
    def scored(self) -> bool:
        return self.next_item is None

    @property
    def comment(self) -> str | None:
        return self.answers[self.items[-1]].comment if self.items[-1] in self.answers else None

    @property
    def low(self) -> bool:
        return any(a.score <= LOW_SCORE for a in self.answers.values())

    def expired(self, now: datetime) -> bool:
        return self.survey.expires_at is not None and now >= self.survey.expires_at

    def scores(self) -> list[tuple[SurveyItem, int]]:
        return [(item, self.answers[item].score) for item in self.items if item in self.answers]


def items_for(kind: SurveyKind, ticket: Ticket | None) -> tuple[SurveyItem, ...]:
    if kind == SurveyKind.quarterly or ticket is None:
        return QUARTERLY_ITEMS
    return POST_SERVICE_ITEMS[TicketKind(ticket.kind)]


async def _state(session: AsyncSession, survey: Survey) -> SurveyState | None:
    owner = await session.get(Owner, survey.owner_id)
    if owner is None:
        return None
    ticket = await session.get(Ticket, survey.ticket_id) if survey.ticket_id else None
    unit = await session.get(Unit, survey.unit_id) if survey.unit_id else None
    answers = {
        a.item: a
        for a in await session.exec(
            select(SurveyAnswer).where(SurveyAnswer.survey_id == survey.id)
        )
    }
    return SurveyState(
        survey, owner, ticket, unit, items_for(SurveyKind(survey.kind), ticket), answers
    )


async def state(session: AsyncSession, survey_id: int) -> SurveyState | None:
    survey = await session.get(Survey, survey_id, populate_existing=True)
    return await _state(session, survey) if survey else None


async def latest_for_ticket(session: AsyncSession, ticket_id: int) -> SurveyState | None:
    """The ticket's post-service survey (for `/ticket N`), if one was sent."""
    survey = (
        await session.exec(
            select(Survey)
            .where(Survey.ticket_id == ticket_id, Survey.kind == SurveyKind.post_service)
            .order_by(col(Survey.id).desc())
        )
    ).first()
    return await _state(session, survey) if survey else None


# --- post-service surveys --------------------------------------------------------------------


def due_at(estate: Estate, closed_at: datetime) -> datetime:
    """10:00 estate time on the day after the closing day."""
    day = calendar.local(estate, closed_at).date() + timedelta(days=1)
    return calendar.at_local(estate, day, SEND_AT)


@dataclass
class SendReport:
    sent: int = 0
    fatigued: int = 0
    unreachable: int = 0
    reminded: int = 0

    def counts(self) -> dict[str, int]:
        return {
            "sent": self.sent,
            "skipped_fatigue": self.fatigued,
            "skipped_unreachable": self.unreachable,
            "reminded": self.reminded,
        }


Drafts = Callable[[SurveyState], Iterable[Draft]]


def reachable(owner: Owner | None) -> bool:
    return owner is not None and (owner.chat_id or owner.telegram_user_id) is not None


async def _recently_surveyed(session: AsyncSession, owner_id: int, now: datetime) -> bool:
    found = await session.exec(
        select(Survey.id).where(Survey.owner_id == owner_id, col(Survey.sent_at) > now - FATIGUE)
    )
    return found.first() is not None


async def _new_survey(
    session: AsyncSession,
    *,
    kind: SurveyKind,
    owner_id: int,
    unit_id: int | None,
    ticket_id: int | None,
    quarter: str | None,
    now: datetime,
) -> SurveyState:
    survey = Survey(
        kind=kind,
        owner_id=owner_id,
        unit_id=unit_id,
        ticket_id=ticket_id,
        quarter=quarter,
        sent_at=now,
        expires_at=now + EXPIRES_AFTER,
        created_at=now,
    )
    session.add(survey)
    await session.flush()
    found = await _state(session, survey)
    if found is None:
        raise LookupError("found is gone")
    return found


async def _unsurveyed(session: AsyncSession, estate: Estate, now: datetime) -> list[Ticket]:
    """Closed tickets of the estate with no survey yet, closed recently enough to be asked,
    oldest closing first."""
    surveyed = select(Survey.ticket_id).where(col(Survey.ticket_id).is_not(None))
    return list(
        (
            await session.exec(
                select(Ticket)
                .where(
                    Ticket.estate_id == estate.id,
                    Ticket.status == TicketStatus.closed,
                    col(Ticket.closed_at) >= now - CATCH_UP,
                    col(Ticket.id).not_in(surveyed),
                )
                .order_by(col(Ticket.closed_at), col(Ticket.id))
            )
        ).all()
    )


async def send_post_service(
    session: AsyncSession,
    estate: Estate,
    now: datetime,
    drafts: Drafts,
    due_by: datetime | None = None,
) -> SendReport:
    """Survey the owners of tickets closed on an earlier day whose 10:00 has come (by `due_by`
    when a manager sends the waiting ones early), once per ticket: never a cancelled ticket
    (only closed ones count), never an owner surveyed in the last 7 days (of two tickets
    closed together, the older one is asked). One transaction."""
    if estate.id is None:
        raise UnsavedRowError("estate.id: not saved yet")
    report = SendReport()
    for ticket in await _unsurveyed(session, estate, now):
        if ticket.closed_at is None or due_at(estate, ticket.closed_at) > (due_by or now):
            continue
        owner = await session.get(Owner, ticket.owner_id) if ticket.owner_id else None
        if owner is None or owner.id is None or not reachable(owner):
            report.unreachable += 1
            continue
        if await _recently_surveyed(session, owner.id, now):
            report.fatigued += 1
            continue
        found = await _new_survey(
            session,
            kind=SurveyKind.post_service,
            owner_id=owner.id,
            unit_id=ticket.unit_id,
            ticket_id=ticket.id,
            quarter=None,
            now=now,
        )
        await outbox.add_all(session, drafts(found))
        report.sent += 1
    await session.commit()
    return report


@dataclass(frozen=True)
class Waiting:
    """A closed ticket whose post-service survey is not due yet."""

    ticket_number: int
    owner_name: str
    closed_at: datetime
    due_at: datetime


async def waiting_post_service(
    session: AsyncSession, estate: Estate, now: datetime
) -> list[Waiting]:
    """The post-service surveys the job will send once their 10:00 comes, soonest first: the
    tickets it would survey then, owners it cannot reach or asked in the last 7 days left out."""
    found = []
    for ticket in await _unsurveyed(session, estate, now):
        if ticket.closed_at is None or due_at(estate, ticket.closed_at) <= now:
            continue
        owner = await session.get(Owner, ticket.owner_id) if ticket.owner_id else None
        if owner is None or owner.id is None or not reachable(owner):
            continue
        if await _recently_surveyed(session, owner.id, now):
            continue
        found.append(
            Waiting(ticket.number, owner.name, ticket.closed_at, due_at(estate, ticket.closed_at))
        )
    return found


async def next_post_service_due(
    session: AsyncSession, estate: Estate, now: datetime
) -> datetime | None:
    """When the next waiting post-service survey falls due (None: none is waiting)."""
    waiting = await waiting_post_service(session, estate, now)
    return waiting[0].due_at if waiting else None


async def remind(
    session: AsyncSession, estate: Estate, kind: SurveyKind, now: datetime, drafts: Drafts
) -> int:
    """One reminder, 48 h after sending, for surveys not fully answered and not expired."""
    if estate.id is None:
        raise UnsavedRowError("estate.id: not saved yet")
    waiting = (
        await session.exec(
            select(Survey)
            .join(Owner, col(Owner.id) == col(Survey.owner_id))
            .where(
                Owner.estate_id == estate.id,
                Survey.kind == kind,
                col(Survey.answered_at).is_(None),
                col(Survey.reminded_at).is_(None),
                col(Survey.sent_at) <= now - REMIND_AFTER,
                col(Survey.expires_at) > now,
            )
            .order_by(col(Survey.id))
        )
    ).all()
    count = 0
    for survey in waiting:
        found = await _state(session, survey)
        if found is None or found.scored:
            continue
        survey.reminded_at = now
        session.add(survey)
        await outbox.add_all(session, drafts(found))
        count += 1
    await session.commit()
    return count


# --- answering -------------------------------------------------------------------------------


class Answer(StrEnum):
    recorded = "recorded"
    duplicate = "duplicate"
    late = "late"
    expired = "expired"
    not_found = "not_found"


@dataclass(frozen=True)
class Answered:
    outcome: Answer
    state: SurveyState | None = None


async def _locked(session: AsyncSession, survey_id: int, owner_id: int) -> SurveyState | None:
    survey = await session.get(Survey, survey_id, with_for_update=True, populate_existing=True)
    if survey is None or survey.owner_id != owner_id:
        return None
    return await _state(session, survey)


def _ticket_event(
    found: SurveyState, type_: TicketEventType, now: datetime, **data: object
) -> TicketEvent:
    if found.ticket is None:
        raise LookupError("found.ticket is gone")
    if found.ticket.id is None:
        raise UnsavedRowError("found.ticket.id: not saved yet")
    return TicketEvent(
        ticket_id=found.ticket.id,
        at=now,
        actor=f"owner:{found.owner.id}",
        type=type_,
        data={"survey_id": found.id, **data},
    )


async def answer(
    session: AsyncSession,
    *,
    survey_id: int,
    owner_id: int,
    item: str,
    score: int,
    now: datetime,
    on_scored: Drafts,
) -> Answered:
    """Record one score, once. A second press on an answered question ("duplicate"), a press
    on a question that is not the current one ("late") or on an expired survey changes
    nothing. The last score completes the survey: `on_scored` renders what that causes (the
    staff alert on a low score), and a low score opens a call-back task, all in this
    transaction."""
    found = await _locked(session, survey_id, owner_id)
    if found is None or score not in SCORES or item not in found.items:
        return Answered(Answer.not_found, found)
    if item in found.answers:
        return Answered(Answer.duplicate, found)
    if found.expired(now):
        return Answered(Answer.expired, found)
    if item != found.next_item:
        return Answered(Answer.late, found)
    row = SurveyAnswer(survey_id=survey_id, item=item, score=score, created_at=now)
    session.add(row)
    try:
        await session.flush()
    except IntegrityError:
        # The same question answered by a parallel press: the first one counts.
        await session.rollback()
        return Answered(Answer.duplicate, await state(session, survey_id))
    found.answers[item] = row
    if found.scored:
        found.survey.answered_at = now
        session.add(found.survey)
        if found.ticket is not None:
            scores = {str(i): s for i, s in found.scores()}
            text = " · ".join(str(s) for _, s in found.scores())
            session.add(
                _ticket_event(
                    found, TicketEventType.survey_answered, now, scores=scores, text=text
                )
            )
        if found.low:
            await _low_score_task(session, found, now)
        await outbox.add_all(session, on_scored(found))
    await session.commit()
    return Answered(Answer.recorded, found)


async def _low_score_task(session: AsyncSession, found: SurveyState, now: datetime) -> None:
    owner = found.owner
    estate = await session.get(Estate, owner.estate_id)
    if estate is None:
        raise LookupError("estate is gone")
    if owner.id is None:
        raise UnsavedRowError("owner.id: not saved yet")
    await call_backs.open_task(
        session,
        estate,
        owner_id=owner.id,
        ticket_id=found.ticket.id if found.ticket else None,
        origin=CallbackOrigin.low_score,
        topic=CallbackTopic.survey,
        now=now,
    )


async def comment(
    session: AsyncSession,
    *,
    survey_id: int,
    owner_id: int,
    text: str,
    now: datetime,
    drafts: Drafts,
) -> Answered:
    """The optional comment after the scores, once (kept on the last question's answer);
    `drafts` forwards it to staff where the scores were low."""
    note = text.strip()
    found = await _locked(session, survey_id, owner_id)
    if found is None or not found.scored:
        return Answered(Answer.not_found, found)
    if found.comment is not None:
        return Answered(Answer.duplicate, found)
    if found.expired(now):
        return Answered(Answer.expired, found)
    if not note or len(note) > COMMENT_MAX:
        return Answered(Answer.not_found, found)
    last = found.answers[found.items[-1]]
    last.comment = note
    session.add(last)
    if found.ticket is not None:
        session.add(_ticket_event(found, TicketEventType.survey_comment, now, text=note))
    await outbox.add_all(session, drafts(found))
    await session.commit()
    return Answered(Answer.recorded, found)


# --- quarterly surveys -----------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def of(cls, day: date) -> "Quarter":
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, text: str) -> "Quarter | None":
        """ "2026-Q4" (or "2026q4") → Quarter(2026, 4); None for anything else."""
        year, _, number = text.strip().upper().replace("-", "").partition("Q")
        if not (year.isdigit() and len(year) == 4 and number in ("1", "2", "3", "4")):
            return None
        return cls(int(year), int(number))

    @property
    def label(self) -> str:
        return f"{self.year}-Q{self.number}"

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def next(self) -> "Quarter":
        return (
            Quarter(self.year + 1, 1)
            if self.number == QUARTERS
            else Quarter(self.year, self.number + 1)
        )

    def earlier_in_year(self) -> list[str]:
        return [Quarter(self.year, n).label for n in range(1, self.number)]


def first_working_day(estate: Estate, quarter: Quarter) -> date:
    day = quarter.first_day
    return day if calendar.is_working_day(estate, day) else calendar.next_working_day(estate, day)


def draw(
    eligible: Collection[int], already: Collection[int], quarters_left: int, seed: int, key: str
) -> list[int]:
    """The households (unit ids) to ask now: an even share, over the `quarters_left` quarters
    of the year (this one included), of those not yet asked this year, so the year covers
    everyone and each quarter takes about 25 %; households added mid-year join the remaining
    quarters. Random, and the same for the same seed, households and `key` (the quarter)."""
    remaining = sorted(set(eligible) - set(already))
    size = math.ceil(len(remaining) / max(1, quarters_left))
    rng = random.Random(f"{seed}:{key}")
    return sorted(rng.sample(remaining, size))


def quarters_left(quarter: "Quarter") -> int:
    """Quarters left in the calendar year, this one included: the households not asked yet are
    shared among them, so the year covers everyone. An estate that starts mid-year (all its
    households "added mid-year") shares everyone over the quarters it has left: half in Q3 and
    half in Q4, or all of them in Q4."""
    return QUARTERS - quarter.number + 1


async def _estate_events(
    session: AsyncSession, estate_id: int, type_: str
) -> Sequence[AuditEvent]:
    """The estate's own audit events of one type (its survey seeds and samples)."""
    query = select(AuditEvent).where(
        AuditEvent.estate_id == estate_id,
        AuditEvent.entity == "estate",
        AuditEvent.type == type_,
    )
    return (await session.exec(query)).all()


async def year_seed(session: AsyncSession, estate_id: int, year: int) -> int:
    """The estate's sampling seed for `year`, drawn once and kept as an audit event."""
    for row in await _estate_events(session, estate_id, "survey_seed"):
        if row.data.get("year") == year:
            return int(row.data["seed"])
    seed = secrets.randbits(48)
    audit.record(
        session,
        actor="system",
        entity="estate",
        entity_id=estate_id,
        type="survey_seed",
        estate_id=estate_id,
        year=year,
        seed=seed,
    )
    await session.flush()
    return seed


async def households(session: AsyncSession, estate_id: int) -> dict[int, Owner]:
    """Verified households: each unit with a verified owner the bot can reach, with the owner
    to ask (the one holding it as primary, else the longest registered)."""
    rows = (
        await session.exec(
            select(OwnerUnit, Owner)
            .join(Owner, col(Owner.id) == col(OwnerUnit.owner_id))
            .join(Unit, col(Unit.id) == col(OwnerUnit.unit_id))
            .where(
                Unit.estate_id == estate_id,
                Owner.estate_id == estate_id,
                Owner.status == OwnerStatus.verified,
            )
            .order_by(col(OwnerUnit.primary).desc(), col(Owner.id))
        )
    ).all()
    found: dict[int, Owner] = {}
    for link, owner in rows:
        if reachable(owner):
            found.setdefault(link.unit_id, owner)
    return found


@dataclass
class Sample:
    quarter: Quarter
    eligible: int
    units: list[Unit]
    owners: dict[int, Owner]
    sent: bool
    sent_count: int = 0
    # Sent by this call (not before).
    just_sent: bool = False


async def _samples(session: AsyncSession, estate_id: int, year: int) -> dict[Quarter, AuditEvent]:
    """The samples drawn in `year`, by quarter."""
    found = {}
    for row in await _estate_events(session, estate_id, "survey_sample"):
        quarter = Quarter.parse(str(row.data.get("quarter", "")))
        if quarter is not None and quarter.year == year:
            found[quarter] = row
    return found


async def _asked_this_year(session: AsyncSession, estate_id: int, quarter: Quarter) -> set[int]:
    earlier = quarter.earlier_in_year()
    if not earlier:
        return set()
    rows = await session.exec(
        select(Survey.unit_id)
        .join(Owner, col(Owner.id) == col(Survey.owner_id))
        .where(
            Owner.estate_id == estate_id,
            Survey.kind == SurveyKind.quarterly,
            col(Survey.quarter).in_(earlier),
        )
    )
    return {unit_id for unit_id in rows if unit_id is not None}


async def sample(session: AsyncSession, estate: Estate, quarter: Quarter) -> Sample:
    """The quarter's sample: the one sent, or the one that would be sent now (a preview keeps
    nothing but the year's seed)."""
    if estate.id is None:
        raise UnsavedRowError("estate.id: not saved yet")
    homes = await households(session, estate.id)
    samples = await _samples(session, estate.id, quarter.year)
    drawn = samples.get(quarter)
    if drawn is not None:
        unit_ids = [int(u) for u in drawn.data.get("units", [])]
        sent = True
    else:
        seed = await year_seed(session, estate.id, quarter.year)
        already = await _asked_this_year(session, estate.id, quarter)
        unit_ids = draw(homes, already, quarters_left(quarter), seed, quarter.label)
        sent = False
    units = (
        list((await session.exec(select(Unit).where(col(Unit.id).in_(unit_ids)))).all())
        if unit_ids
        else []
    )
    units.sort(key=lambda u: (u.building, u.number))
    return Sample(quarter, len(homes), units, homes, sent, len(unit_ids) if sent else 0)


async def send_quarterly(
    session: AsyncSession,
    estate: Estate,
    quarter: Quarter,
    now: datetime,
    actor: str,
    drafts: Drafts,
) -> Sample:
    """Draw the quarter's sample and send each household its survey, once per quarter (a
    second call returns the sample already sent). The sample, its seed and who sent it are
    kept as an audit event. One transaction."""
    if estate.id is None:
        raise UnsavedRowError("estate.id: not saved yet")
    drawn = await sample(session, estate, quarter)
    if drawn.sent:
        await session.commit()
        return drawn
    seed = await year_seed(session, estate.id, quarter.year)
    for unit in drawn.units:
        owner = drawn.owners[unit.id or 0]
        if owner.id is None:
            raise UnsavedRowError("owner.id: not saved yet")
        found = await _new_survey(
            session,
            kind=SurveyKind.quarterly,
            owner_id=owner.id,
            unit_id=unit.id,
            ticket_id=None,
            quarter=quarter.label,
            now=now,
        )
        await outbox.add_all(session, drafts(found))
    audit.record(
        session,
        actor=actor,
        entity="estate",
        entity_id=estate.id,
        type="survey_sample",
        estate_id=estate.id,
        quarter=quarter.label,
        seed=seed,
        eligible=drawn.eligible,
        units=[u.id for u in drawn.units],
    )
    await session.commit()
    drawn.sent = True
    drawn.just_sent = True
    drawn.sent_count = len(drawn.units)
    return drawn


def in_survey_order(found: Satisfaction) -> Satisfaction:
    """The items in the order the surveys ask them (an unknown item last), for reading."""
    items = sorted(found.items, key=lambda i: (ITEM_ORDER.get(i.item, len(ITEM_ORDER)), i.item))
    return replace(found, items=items)
