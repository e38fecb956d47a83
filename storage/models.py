"""SQLModel tables of DESIGN.md §3: every table has an integer key and `created_at` (UTC)."""

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, String, UniqueConstraint, text
from sqlmodel import AutoString, Field, SQLModel

from storage.types import UTCDateTime


def utcnow() -> datetime:
    return datetime.now(UTC)


def _ts(nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


def _bigint(nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(BigInteger, nullable=nullable, index=index))


def _enum(default: Any = ...) -> Any:
    # Plain strings in the database: adding a status later needs no ALTER TYPE on PostgreSQL.
    return Field(default=default, sa_type=String(20), nullable=False)


def _json() -> Any:
    return Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class OwnerStatus(StrEnum):
    pending = "pending"
    verified = "verified"
    rejected = "rejected"
    unreachable = "unreachable"


class StaffRole(StrEnum):
    agent = "agent"
    technician = "technician"
    cashier = "cashier"
    manager = "manager"


class TicketKind(StrEnum):
    repair = "repair"
    complaint = "complaint"


class TicketStatus(StrEnum):
    new = "new"
    assigned = "assigned"
    in_progress = "in_progress"
    resolved = "resolved"
    closed = "closed"
    reopened = "reopened"
    cancelled = "cancelled"


class Urgency(StrEnum):
    normal = "normal"
    urgent = "urgent"


class TicketEventType(StrEnum):
    """What a TicketEvent records; each feature adds its own members here."""

    created = "created"
    assigned = "assigned"
    started = "started"
    resolved = "resolved"
    closed = "closed"
    reopened = "reopened"
    cancelled = "cancelled"
    rated = "rated"
    rating_comment = "rating_comment"
    comment = "comment"
    note = "note"
    reply = "reply"
    graded = "graded"
    rescheduled = "rescheduled"
    called = "called"
    callback_reached = "callback_reached"
    callback_not_reached = "callback_not_reached"
    callback_rescheduled = "callback_rescheduled"
    callback_note = "callback_note"
    survey_answered = "survey_answered"
    survey_comment = "survey_comment"


class CallbackStatus(StrEnum):
    booked = "booked"
    done = "done"
    missed = "missed"
    cancelled = "cancelled"


class SurveyKind(StrEnum):
    post_service = "post_service"
    quarterly = "quarterly"


class CallbackOrigin(StrEnum):
    booking = "booking"
    after_repair = "after_repair"
    after_complaint = "after_complaint"
    low_score = "low_score"


class CallbackTopic(StrEnum):
    """What a call-back is about: an owner books one of the first three; "survey" is a task."""

    ticket = "ticket"
    fees = "fees"
    other = "other"
    survey = "survey"


class AnnouncementStatus(StrEnum):
    draft = "draft"
    sending = "sending"
    done = "done"
    cancelled = "cancelled"


class JobOutcome(StrEnum):
    ok = "ok"
    failed = "failed"


class OutboxStatus(StrEnum):
    pending = "pending"
    sent = "sent"
    failed = "failed"
    dead = "dead"
    # Not sent on purpose: its `recheck` found at send time that it no longer applies.
    skipped = "skipped"


class Base(SQLModel):
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime(), nullable=False)


class Estate(Base, table=True):
    name: str
    time_zone: str = "Asia/Shanghai"
    currency: str = "CNY"
    locale: str = "zh"
    phone_region: str = "CN"
    staff_chat_id: int | None = Field(
        default=None, sa_column=Column(BigInteger, nullable=True, unique=True)
    )
    # "HH:MM-HH:MM" local time; scheduled messages to owners wait until it ends.
    quiet_hours: str = "21:00-08:00"
    working_hours: str = "09:00-18:00"
    emergency_phone: str = ""
    sla_urgent_minutes: int = 15
    sla_normal_work_minutes: int = 120
    sla_complaint_hours: int = 24
    # Shown under "My fees" and in fee reminders (/payinfo).
    payment_instructions: str = ""
    # KPI targets (per cent), the seeds' values by default; /stats and reports compare with them.
    target_complaint_reply_pct: int = 100
    target_complaint_callback_pct: int = 100
    target_collection_pct: int = 95
    target_satisfaction_pct: int = 90
    target_satisfaction_item_pct: int = 85


class Unit(Base, table=True):
    __table_args__ = (UniqueConstraint("estate_id", "building", "number"),)
    estate_id: int = Field(foreign_key="estate.id", index=True)
    building: str
    number: str
    area_m2: float | None = None


class Owner(Base, table=True):
    __table_args__ = (
        UniqueConstraint("estate_id", "phone"),
        UniqueConstraint("estate_id", "telegram_user_id"),
    )
    estate_id: int = Field(foreign_key="estate.id", index=True)
    name: str
    phone: str | None = None
    telegram_user_id: int | None = _bigint(index=True)
    chat_id: int | None = _bigint()
    language: str | None = None
    status: OwnerStatus = _enum(OwnerStatus.pending)
    # What a pending owner told us about themselves, kept for the staff decision.
    claimed_building: str | None = None
    claimed_unit: str | None = None
    decided_by: int | None = Field(default=None, foreign_key="staffmember.id")
    decided_at: datetime | None = _ts()


class OwnerUnit(Base, table=True):
    __table_args__ = (UniqueConstraint("owner_id", "unit_id"),)
    owner_id: int = Field(foreign_key="owner.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    # The unit an owner with several chose as theirs by default (forms preselect it).
    primary: bool = False


class StaffMember(Base, table=True):
    __table_args__ = (UniqueConstraint("estate_id", "telegram_user_id"),)
    estate_id: int = Field(foreign_key="estate.id", index=True)
    telegram_user_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    name: str
    username: str | None = None
    role: StaffRole = _enum(StaffRole.agent)
    active: bool = True
    # What they speak in their private chat and in popups only they see; None until known.
    language: str | None = Field(default=None, max_length=8)


class Ticket(Base, table=True):
    __table_args__ = (
        UniqueConstraint("estate_id", "number"),
        Index("ix_ticket_estate_status", "estate_id", "status"),
    )
    estate_id: int = Field(foreign_key="estate.id", index=True)
    number: int
    kind: TicketKind = _enum()
    owner_id: int | None = Field(default=None, foreign_key="owner.id", index=True)
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    location: str | None = None
    category: str
    description: str
    urgency: Urgency = _enum(Urgency.normal)
    preferred_time: str | None = None
    contact_phone: str | None = None
    wants_call: bool = False
    status: TicketStatus = _enum(TicketStatus.new)
    grade: str | None = None
    assignee_id: int | None = Field(default=None, foreign_key="staffmember.id")
    sla_due_at: datetime | None = _ts(index=True)
    first_response_at: datetime | None = _ts()
    resolved_at: datetime | None = _ts()
    closed_at: datetime | None = _ts()
    scheduled_for: date | None = None
    rating: int | None = None
    rating_comment: str | None = None
    updated_at: datetime | None = _ts()


class TicketPhoto(Base, table=True):
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    file_id: str
    file_unique_id: str
    from_staff: bool = False
    # Sent as a file (an image document): Telegram sends it back with sendDocument only.
    as_document: bool = False


class TicketEvent(Base, table=True):
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime(), nullable=False)
    # "owner:<id>", "staff:<id>" or "system"
    actor: str
    type: TicketEventType = Field(sa_type=AutoString(), nullable=False)
    data: dict[str, Any] = _json()


class AuditEvent(Base, table=True):
    """Audit trail for changes that are not about a ticket (owners, staff, estates, imports)."""

    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime(), nullable=False)
    estate_id: int | None = Field(default=None, foreign_key="estate.id", index=True)
    actor: str
    entity: str
    entity_id: int | None = None
    type: str
    data: dict[str, Any] = _json()


class Charge(Base, table=True):
    __table_args__ = (
        UniqueConstraint("unit_id", "item", "period"),
        # Fee reminders read the few charges not settled, not the million that are.
        Index(
            "ix_charge_open_due",
            "due_date",
            postgresql_where=text("NOT settled"),
            sqlite_where=text("NOT settled"),
        ),
    )
    unit_id: int = Field(foreign_key="unit.id", index=True)
    item: str
    period: str
    amount: int
    currency: str
    # Fee reminders scan charges by due date.
    due_date: date = Field(index=True)
    # Paid in full by payments not reversed, as of the last payment or reversal (set by
    # storage.payments). A hint for finding open charges fast: False may still be paid (rows
    # written by other means), which the balance check then finds; True is never open.
    settled: bool = Field(default=False, sa_column_kwargs={"server_default": text("false")})


class Payment(Base, table=True):
    charge_id: int = Field(foreign_key="charge.id", index=True)
    amount: int
    paid_at: datetime = Field(sa_type=UTCDateTime(), nullable=False)
    method: str = "cash"
    reference: str | None = None
    recorded_by: int | None = Field(default=None, foreign_key="staffmember.id")
    # Payments recorded together (one /paid) share a receipt number.
    receipt_number: str | None = Field(default=None, index=True)
    reversed_at: datetime | None = _ts()
    reversed_by: int | None = Field(default=None, foreign_key="staffmember.id")
    reversal_reason: str | None = None


class PaymentRequestStatus(StrEnum):
    pending = "pending"
    confirmed = "confirmed"
    cancelled = "cancelled"


class PaymentRequest(Base, table=True):
    """A `/paid` waiting for its Confirm: what it will settle, and the token its button carries,
    so a double-pressed or second cashier's Confirm records the payment once."""

    estate_id: int = Field(foreign_key="estate.id", index=True)
    unit_id: int = Field(foreign_key="unit.id")
    charge_id: int | None = Field(default=None, foreign_key="charge.id")
    amount: int
    currency: str
    reference: str | None = None
    # {charge id: minor units} as shown in the summary; Confirm records exactly this or nothing.
    plan: dict[str, Any] = _json()
    token: str
    requested_by: int = Field(foreign_key="staffmember.id")
    status: PaymentRequestStatus = _enum(PaymentRequestStatus.pending)
    decided_by: int | None = Field(default=None, foreign_key="staffmember.id")
    decided_at: datetime | None = _ts()
    receipt_number: str | None = Field(default=None, unique=True)


class ReminderPause(Base, table=True):
    """`/remind off`: no fee reminders for the unit from `starts_at` to `ends_at` (None: open)."""

    unit_id: int = Field(foreign_key="unit.id", index=True)
    reason: str
    paused_by: int | None = Field(default=None, foreign_key="staffmember.id")
    starts_at: datetime = Field(sa_type=UTCDateTime(), nullable=False)
    ends_at: datetime | None = _ts()


class Callback(Base, table=True):
    owner_id: int = Field(foreign_key="owner.id", index=True)
    topic: CallbackTopic = Field(sa_type=AutoString, nullable=False)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id")
    slot_start: datetime = Field(sa_type=UTCDateTime(), nullable=False)
    slot_end: datetime = Field(sa_type=UTCDateTime(), nullable=False)
    status: CallbackStatus = _enum(CallbackStatus.booked)
    note: str | None = None
    staff_id: int | None = Field(default=None, foreign_key="staffmember.id")
    outcome: str | None = None
    origin: CallbackOrigin = _enum(CallbackOrigin.booking)
    # When a call-back task (not an owner's booking) must be done by.
    due_at: datetime | None = _ts(index=True)
    # When staff recorded the outcome (the call-back rates compare it with the deadline).
    done_at: datetime | None = _ts()


class Survey(Base, table=True):
    kind: SurveyKind = _enum()
    owner_id: int = Field(foreign_key="owner.id", index=True)
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id")
    # "2026-Q4" for quarterly surveys.
    quarter: str | None = Field(default=None, index=True)
    sent_at: datetime | None = _ts()
    reminded_at: datetime | None = _ts()
    expires_at: datetime | None = _ts()
    answered_at: datetime | None = _ts()


class SurveyAnswer(Base, table=True):
    __table_args__ = (UniqueConstraint("survey_id", "item"),)
    survey_id: int = Field(foreign_key="survey.id", index=True)
    item: str
    score: int
    comment: str | None = None


class JobRun(Base, table=True):
    """One run of a scheduled job for one estate, for `frontdoor jobs list` and `/jobs`."""

    __table_args__ = (Index("ix_jobrun_job_estate", "job", "estate_id", "started_at"),)
    job: str
    estate_id: int | None = Field(default=None, foreign_key="estate.id")
    # The moment the job believed it was (the clock, or `jobs run --at`).
    as_of: datetime = Field(sa_type=UTCDateTime(), nullable=False)
    started_at: datetime = Field(sa_type=UTCDateTime(), nullable=False)
    finished_at: datetime | None = _ts()
    outcome: JobOutcome | None = Field(default=None, sa_type=String(20), nullable=True)
    result: dict[str, Any] = _json()


class Announcement(Base, table=True):
    """`/announce`: a manager's message to the estate's verified owners (or one building).

    Owners are enqueued in batches in id order; `cursor` is the last owner id enqueued, committed
    with each batch, so a restart resumes where it stopped."""

    estate_id: int = Field(foreign_key="estate.id", index=True)
    text: str
    building: str | None = None
    created_by: int | None = Field(default=None, foreign_key="staffmember.id")
    status: AnnouncementStatus = _enum(AnnouncementStatus.draft)
    recipients: int = 0
    cursor: int = 0
    confirmed_at: datetime | None = _ts()
    finished_at: datetime | None = _ts()
    # When owners may receive it: the end of the quiet hours for one confirmed at night (None:
    # at once, also for one sent now on purpose, e.g. a burst pipe).
    send_at: datetime | None = _ts()


class OutboxMessage(Base, table=True):
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_sent_message", "chat_id", "telegram_message_id"),
        # The rows under a lease right now (a few per sender; every outcome clears it), which
        # senders look at on every pass for those of a dead sender (storage.outbox).
        Index(
            "ix_outbox_claimed",
            "claimed_by",
            postgresql_where=text("claimed_by IS NOT NULL"),
            sqlite_where=text("claimed_by IS NOT NULL"),
        ),
    )
    dedupe_key: str = Field(unique=True)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    method: str
    payload: dict[str, Any] = _json()
    status: OutboxStatus = _enum(OutboxStatus.pending)
    attempts: int = 0
    next_attempt_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime(), nullable=False
    )
    last_error: str | None = None
    sent_at: datetime | None = _ts()
    telegram_message_id: int | None = _bigint()
    # What the message is about ("ticket:42", "owner:7"), so a reply to it finds its subject.
    subject: str | None = Field(default=None, index=True)
    # What the sender verifies just before sending (e.g. the charges a reminder lists are still
    # owed), for messages that can go stale while they wait; None: send as queued.
    recheck: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True), nullable=True)
    )
    # The sender holding the row's lease (its token) while it is being sent; None otherwise. A
    # row is "claimed" rather than "scheduled" only by this: both have next_attempt_at ahead.
    claimed_by: str | None = None


class FsmRecord(Base, table=True):
    key: str = Field(unique=True)
    state: str | None = None
    data: dict[str, Any] = _json()
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime(), nullable=False)


class ProcessedUpdate(Base, table=True):
    """A Telegram update already handled, remembered for a while so a redelivery is a no-op."""

    __table_args__ = (
        UniqueConstraint("bot_id", "update_id", name="uq_processedupdate_bot_update"),
        Index("ix_processedupdate_created", "created_at"),
    )
    bot_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    update_id: int = Field(sa_column=Column(BigInteger, nullable=False))
