"""The outbox: messages written in the same transaction as the change that causes them.

Payloads are Bot API parameters. Two placeholders are resolved by the sender at delivery time, so a
message can refer to another one that is itself still in the outbox:
`{"$message_id_of": KEY}` (e.g. to edit a card) and `{"$reply_to_of": KEY}` (to thread a reply).
"""

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, bindparam, func, or_, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import audit, keys
from storage.db import UnsavedRowError
from storage.models import OutboxMessage, OutboxStatus, Owner, StaffMember, utcnow


async def enqueue(
    session: AsyncSession,
    *,
    dedupe_key: str,
    chat_id: int,
    text: str | None = None,
    method: str = "sendMessage",
    subject: str | None = None,
    not_before: datetime | None = None,
    recheck: dict[str, Any] | None = None,
    **params: Any,
) -> None:
    """Queue one Bot API call in the caller's transaction; a repeated dedupe_key is a no-op."""
    row = _queued(dedupe_key, chat_id, text, method, subject, not_before, recheck, params)
    await _insert_new(session, [row])


def _queued(
    dedupe_key: str,
    chat_id: int,
    text: str | None,
    method: str,
    subject: str | None,
    not_before: datetime | None,
    recheck: dict[str, Any] | None,
    params: Mapping[str, Any],
) -> dict[str, Any]:
    """The values of a pending row (`_NEW`'s parameters)."""
    payload = dict(params)
    if text is not None:
        payload["text"] = text
    if method in ("sendMessage", "editMessageText"):
        payload.setdefault("parse_mode", "HTML")
    now = utcnow()
    return {
        "v_dedupe_key": dedupe_key,
        "v_chat_id": chat_id,
        "v_method": method,
        "v_payload": payload,
        "v_subject": subject,
        "v_recheck": recheck,
        "v_status": OutboxStatus.pending.value,
        "v_attempts": 0,
        "v_next_attempt_at": not_before or now,
        "v_sent_at": None,
        "v_telegram_message_id": None,
        "v_created_at": now,
    }


async def remember(
    session: AsyncSession,
    *,
    chat_id: int,
    message_id: int,
    subject: str,
    at: datetime,
    commit: bool = True,
) -> None:
    """Note what a message the bot sent directly (not through the outbox) is about, so a
    Telegram reply to it finds its subject the way a reply to an outbox message does; with
    `commit=False` in the caller's transaction, which the caller commits."""
    row = {
        "v_dedupe_key": keys.direct(chat_id, message_id),
        "v_chat_id": chat_id,
        "v_method": "sendMessage",
        "v_payload": {},
        "v_subject": subject,
        "v_recheck": None,
        "v_status": OutboxStatus.sent.value,
        "v_attempts": 1,
        "v_next_attempt_at": at,
        "v_sent_at": at,
        "v_telegram_message_id": message_id,
        "v_created_at": at,
    }
    await _insert_new(session, [row])
    if commit:
        await session.commit()


# Insert-or-ignore of a new row, written for every ticket change: built once per dialect, each
# column bound as `v_<column>` (a bind parameter may not be named after a column), on the
# session's connection rather than through the ORM's bulk INSERT (benchmarks/README.md).
_NEW_COLUMNS = (
    "dedupe_key",
    "chat_id",
    "method",
    "payload",
    "subject",
    "recheck",
    "status",
    "attempts",
    "next_attempt_at",
    "sent_at",
    "telegram_message_id",
    "created_at",
)
_NEW = {
    dialect: insert(OutboxMessage)
    .values({name: bindparam(f"v_{name}") for name in _NEW_COLUMNS})
    .on_conflict_do_nothing(index_elements=["dedupe_key"])
    for dialect, insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}


async def _insert_new(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    connection = await session.connection()
    dialect = connection.dialect.name
    await connection.execute(_NEW["postgresql" if dialect == "postgresql" else "sqlite"], rows)


async def due(session: AsyncSession, now: datetime, limit: int = 100) -> list[OutboxMessage]:
    """Pending rows whose time has come, oldest first; on PostgreSQL claimed by one worker."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.pending, OutboxMessage.next_attempt_at <= now)
        .order_by(col(OutboxMessage.id))
        .limit(limit)
    )
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list((await session.exec(query)).all())


async def sent_message_id(session: AsyncSession, dedupe_key: str) -> int | None:
    row = (
        await session.exec(select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key))
    ).first()
    return row.telegram_message_id if row else None


async def known_keys(session: AsyncSession, keys: Collection[str]) -> set[str]:
    """Which of these dedupe keys were ever queued (sent, pending or given up on)."""
    if not keys:
        return set()
    query = select(OutboxMessage.dedupe_key).where(col(OutboxMessage.dedupe_key).in_(keys))
    return set((await session.exec(query)).all())


async def subject_of(session: AsyncSession, chat_id: int, message_id: int) -> str | None:
    """What a message the bot sent through the outbox was about (for replies to it)."""
    row = (
        await session.exec(
            select(OutboxMessage).where(
                OutboxMessage.chat_id == chat_id, OutboxMessage.telegram_message_id == message_id
            )
        )
    ).first()
    return row.subject if row else None


@dataclass(frozen=True)
class Mark:
    """The outcome of one delivery attempt of a row, written together with others."""

    row_id: int
    values: dict[str, Any]


# Every outcome ends the lease of the attempt it is the outcome of.
UNCLAIMED: dict[str, Any] = {"claimed_by": None}


def sent_mark(row_id: int, message_id: int | None, at: datetime) -> Mark:
    values = {"status": OutboxStatus.sent, "sent_at": at, "last_error": None} | UNCLAIMED
    return Mark(row_id, values | {"telegram_message_id": message_id})


def retry_mark(row_id: int, error: str, next_at: datetime, count_attempt: bool = True) -> Mark:
    values: dict[str, Any] = {"last_error": error[:500], "next_attempt_at": next_at} | UNCLAIMED
    if count_attempt:
        values["attempts"] = OutboxMessage.attempts + 1
    return Mark(row_id, values)


def final_mark(row_id: int, status: OutboxStatus, error: str) -> Mark:
    return Mark(
        row_id,
        {"status": status, "last_error": error[:500], "attempts": OutboxMessage.attempts + 1}
        | UNCLAIMED,
    )


def skipped_mark(row_id: int, reason: str) -> Mark:
    """Not sent on purpose (its recheck found it no longer applies); not an attempt."""
    return Mark(row_id, {"status": OutboxStatus.skipped, "last_error": reason[:500]} | UNCLAIMED)


async def write_marks(session: AsyncSession, marks: Sequence[Mark]) -> None:
    """Write the outcomes of many sends in ONE transaction (one commit, not one per row):
    marks of the same shape (e.g. all "sent") go as one executemany UPDATE."""
    shapes: dict[tuple[str, ...], list[Mark]] = {}
    for mark in marks:
        shapes.setdefault(tuple(sorted(mark.values)), []).append(mark)
    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    connection = await session.connection()
    for shape, group in shapes.items():
        first = group[0].values
        # Expressions (attempts + 1) are the same in every mark of a shape; values are bound.
        bound = [key for key in shape if not isinstance(first[key], ColumnElement)]
        statement = (
            update(table)
            .where(table.c.id == bindparam("row_id"))
            .values(
                {key: bindparam(f"v_{key}") for key in bound}
                | {key: first[key] for key in shape if key not in bound}
            )
        )
        await connection.execute(
            statement,
            [{"row_id": m.row_id} | {f"v_{key}": m.values[key] for key in bound} for m in group],
        )
    await session.commit()


def _estate_chats(estate_id: int, staff_chat_id: int | None) -> Any:
    """Rows addressed to the estate: its staff group, its owners and its staff members."""
    owner_chats = select(Owner.chat_id).where(
        Owner.estate_id == estate_id, col(Owner.chat_id).is_not(None)
    )
    staff_chats = select(StaffMember.telegram_user_id).where(StaffMember.estate_id == estate_id)
    return or_(
        col(OutboxMessage.chat_id) == (staff_chat_id or 0),
        col(OutboxMessage.chat_id).in_(owner_chats),
        col(OutboxMessage.chat_id).in_(staff_chats),
    )


GIVEN_UP = (OutboxStatus.failed, OutboxStatus.dead)


async def given_up(
    session: AsyncSession, estate_id: int, staff_chat_id: int | None, limit: int = 20
) -> list[OutboxMessage]:
    """The estate's messages the sender gave up on (dead or failed), newest first."""
    query = (
        select(OutboxMessage)
        .where(col(OutboxMessage.status).in_(GIVEN_UP), _estate_chats(estate_id, staff_chat_id))
        .order_by(col(OutboxMessage.id).desc())
        .limit(limit)
    )
    return list((await session.exec(query)).all())


async def retry(
    session: AsyncSession,
    *,
    row_id: int,
    estate_id: int,
    staff_chat_id: int | None,
    actor: str,
    now: datetime,
) -> OutboxMessage | None:
    """Queue a dead or failed message of the estate again, from a fresh count of attempts;
    None when it is not one (already retried, delivered, or another estate's)."""
    row = (
        await session.exec(
            select(OutboxMessage).where(
                OutboxMessage.id == row_id,
                col(OutboxMessage.status).in_(GIVEN_UP),
                _estate_chats(estate_id, staff_chat_id),
            )
        )
    ).first()
    if row is None:
        await session.rollback()
        return None
    previous = row.status
    row.status = OutboxStatus.pending
    row.attempts = 0
    row.next_attempt_at = now
    session.add(row)
    audit.record(
        session,
        actor=actor,
        entity="outbox",
        entity_id=row.id,
        type="retried",
        estate_id=estate_id,
        previous=str(previous),
        last_error=(row.last_error or "")[:200],
    )
    await session.commit()
    return row


@dataclass(frozen=True)
class Draft:
    """A message to queue, rendered by the caller (storage knows no texts) and written by the
    storage operation in the same transaction as the change it reports."""

    dedupe_key: str
    chat_id: int
    text: str | None = None
    method: str = "sendMessage"
    subject: str | None = None
    not_before: datetime | None = None
    params: dict[str, Any] = field(default_factory=dict)
    # Verified by the sender just before sending (OutboxMessage.recheck).
    recheck: dict[str, Any] | None = None


async def add_all(session: AsyncSession, drafts: Iterable[Draft]) -> None:
    """Queue the drafts in the caller's transaction, in one statement."""
    rows = [
        _queued(
            d.dedupe_key, d.chat_id, d.text, d.method, d.subject, d.not_before, d.recheck, d.params
        )
        for d in drafts
    ]
    await _insert_new(session, rows)


# Telegram's answer to an edit that changes nothing: the message already shows what it should,
# so the edit is done, never an error to retry or report.
NOT_MODIFIED = "message is not modified"

# A recipe, not a placeholder: the sender renders the ticket's staff card (text and buttons)
# as it is at send time, so jobs that run without aiogram can still refresh a card.
TICKET_CARD = "$ticket_card"
MESSAGE_ID_OF = "$message_id_of"
REPLY_TO_OF = "$reply_to_of"
PLACEHOLDERS = (MESSAGE_ID_OF, REPLY_TO_OF)


def references(value: Any) -> dict[str, str]:
    """The dedupe keys a payload refers to, each with its placeholder kind."""
    found: dict[str, str] = {}
    if isinstance(value, dict):
        for key, item in value.items():
            if key in PLACEHOLDERS and isinstance(item, str):
                found[item] = key
            else:
                found.update(references(item))
    elif isinstance(value, list):
        for item in value:
            found.update(references(item))
    return found


def _placeholder(value: Any) -> tuple[str, str] | None:
    if isinstance(value, dict) and len(value) == 1:
        ((kind, key),) = value.items()
        if kind in PLACEHOLDERS and isinstance(key, str):
            return kind, key
    return None


def resolve(value: Any, message_ids: Mapping[str, int]) -> Any:
    """Replace placeholders with the message ids they refer to.

    A reference missing from `message_ids` (the message was never delivered) is dropped, so a
    reply goes out unthreaded. Both `{"reply_to_message_id": {"$reply_to_of": K}}` and a
    top-level `{"$reply_to_of": K}` / `{"$message_id_of": K}` are understood.
    """
    if isinstance(value, list):
        return [resolve(item, message_ids) for item in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key == MESSAGE_ID_OF and item in message_ids:
            out["message_id"] = message_ids[item]
        elif key == REPLY_TO_OF and item in message_ids:
            out["reply_parameters"] = {
                "message_id": message_ids[item],
                "allow_sending_without_reply": True,
            }
        elif key in PLACEHOLDERS:
            continue
        else:
            reference = _placeholder(item)
            if reference is not None:
                if reference[1] in message_ids:
                    out[key] = message_ids[reference[1]]
                continue
            resolved = resolve(item, message_ids)
            if key == "reply_parameters" and "message_id" not in resolved:
                continue
            out[key] = resolved
    return out


@dataclass(frozen=True)
class Claimed:
    """A row this worker may send now, with its placeholders resolved."""

    id: int
    dedupe_key: str
    chat_id: int
    method: str
    payload: dict[str, Any]
    attempts: int
    subject: str | None = None
    recheck: dict[str, Any] | None = None


@dataclass
class Claim:
    rows: list[Claimed] = field(default_factory=list)
    # Rows that referred to a message which was never delivered (an edit of nothing).
    failed: list[int] = field(default_factory=list)


async def claim_due(
    session: AsyncSession,
    now: datetime,
    *,
    lease: timedelta,
    pace: Callable[[int], datetime | None],
    limit: int = 100,
    by: str | None = None,
) -> Claim:
    """Claim the rows to send now, in one transaction of a few statements whatever `limit` is.

    A row is skipped while an older row to its chat is pending (per-chat order) or a message it
    refers to is still pending; `pace(chat_id)` returns None to let a row go (reserving the
    slot) or when the chat may be written to again, which becomes the row's next attempt.
    Claimed rows get `next_attempt_at = now + lease` (the lease) and `claimed_by = by` before
    the commit, so another worker does not pick them up while they are being sent; if this
    worker dies they come back after the lease (or at once, see `reclaim_abandoned`). On
    PostgreSQL the rows are read `FOR UPDATE SKIP LOCKED`, so two workers claiming at the
    same moment take different rows.
    """
    claim = Claim()
    due_rows = await due(session, now, limit)
    if not due_rows:
        await session.commit()
        return claim
    ids = [_saved(row) for row in due_rows]
    # The oldest pending row of each chat outside this batch (a retry waiting, a message for
    # the morning, a row another worker is claiming): nothing newer of the chat may overtake it.
    chats = list({row.chat_id for row in due_rows})
    oldest = await session.exec(
        select(OutboxMessage.chat_id, func.min(OutboxMessage.id))
        .where(
            col(OutboxMessage.chat_id).in_(chats),
            OutboxMessage.status == OutboxStatus.pending,
            col(OutboxMessage.id).not_in(ids),
        )
        .group_by(col(OutboxMessage.chat_id))
    )
    oldest_outside = {chat: first for chat, first in oldest.all() if first is not None}
    refs_of = {row.id: references(row.payload) for row in due_rows}
    wanted = {key for refs in refs_of.values() for key in refs}
    targets: dict[str, OutboxMessage] = {}
    if wanted:
        found = await session.exec(
            select(OutboxMessage).where(col(OutboxMessage.dedupe_key).in_(list(wanted)))
        )
        targets = {t.dedupe_key: t for t in found.all()}
    blocked: set[int] = set()
    later_by_time: dict[datetime, list[int]] = {}
    claimed_ids: list[int] = []
    for row, row_id in zip(due_rows, ids, strict=True):
        if row.chat_id in blocked:
            continue
        older = oldest_outside.get(row.chat_id)
        if older is not None and older < row_id:
            blocked.add(row.chat_id)
            continue
        delivered: dict[str, int] = {}
        waiting = edit_of_nothing = False
        for key, kind in refs_of[row.id].items():
            target = targets.get(key)
            if target is not None and target.status == OutboxStatus.pending:
                waiting = True
            elif target is not None and target.telegram_message_id is not None:
                delivered[key] = target.telegram_message_id
            elif kind == MESSAGE_ID_OF:
                edit_of_nothing = True
        if waiting:
            blocked.add(row.chat_id)
            continue
        if edit_of_nothing:
            claim.failed.append(row_id)
            continue
        later = pace(row.chat_id)
        if later is not None:
            blocked.add(row.chat_id)
            later_by_time.setdefault(later, []).append(row_id)
            continue
        claimed_ids.append(row_id)
        claim.rows.append(
            Claimed(
                id=row_id,
                dedupe_key=row.dedupe_key,
                chat_id=row.chat_id,
                method=row.method,
                payload=resolve(row.payload, delivered),
                attempts=row.attempts,
                subject=row.subject,
                recheck=row.recheck,
            )
        )
    if claim.failed:
        await session.exec(
            update(OutboxMessage)
            .where(col(OutboxMessage.id).in_(claim.failed))
            .values(
                status=OutboxStatus.failed, last_error="the message to edit was never delivered"
            )
        )
    for later, row_ids in later_by_time.items():
        await session.exec(
            update(OutboxMessage)
            .where(col(OutboxMessage.id).in_(row_ids))
            .values(next_attempt_at=later)
        )
    if claimed_ids:
        await session.exec(
            update(OutboxMessage)
            .where(col(OutboxMessage.id).in_(claimed_ids))
            .values(next_attempt_at=now + lease, claimed_by=by)
        )
    await session.commit()
    return claim


def _saved(row: OutboxMessage) -> int:
    if row.id is None:
        raise UnsavedRowError("row.id: not saved yet")
    return row.id


async def release(session: AsyncSession, row_ids: Collection[int], at: datetime) -> None:
    """Give claimed rows back unsent (shutting down, or an older row of the chat must wait)."""
    if row_ids:
        await session.exec(
            update(OutboxMessage)
            .where(
                col(OutboxMessage.id).in_(list(row_ids)),
                col(OutboxMessage.status) == OutboxStatus.pending,
            )
            .values(next_attempt_at=at, claimed_by=None)
        )
    await session.commit()


async def reclaim_abandoned(session: AsyncSession, mine: str, at: datetime) -> int:
    """Make rows claimed by any sender but `mine` due at `at` (returns how many).

    Only for a database one process uses (SQLite): there a claim that is not this process's
    was made by an earlier run of it that died (kill -9, power cut) between claim and outcome,
    and waiting out its lease would hold up to a whole batch for minutes. Of those rows, the
    ones that were on the wire when it died may reach their chat a second time: at most one
    per lane. On PostgreSQL, where several workers share the outbox, see `reclaim_dead`."""
    result = await session.exec(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.status) == OutboxStatus.pending,
            col(OutboxMessage.claimed_by).is_not(None),
            col(OutboxMessage.claimed_by) != mine,
        )
        .values(next_attempt_at=at, claimed_by=None)
    )
    await session.commit()
    return int(result.rowcount or 0)


def lock_key(token: str) -> int | None:
    """The PostgreSQL advisory lock key (a signed 64-bit integer) a sender with this token
    holds for its lifetime; None for a token that is not 16 hex digits (never a sender's)."""
    if len(token) != 16:
        return None
    try:
        key = int(token, 16)
    except ValueError:
        return None
    return key - (1 << 64) if key >= 1 << 63 else key


async def reclaim_dead(session: AsyncSession, mine: str, at: datetime) -> int:
    """PostgreSQL: make the rows claimed by senders that are gone due at `at` (returns how
    many), instead of waiting out their lease.

    Every sender holds a session-level advisory lock keyed by its token (`lock_key`) from
    before its first claim to its end, on a connection of its own; the server frees it when
    that connection ends, so also when the process is killed. A claimer whose lock this
    transaction can take (`pg_try_advisory_xact_lock`, let go at the commit) is therefore
    gone. Of its rows, those that were on the wire when it died may reach their chat twice:
    at most its `in_flight`."""
    claimers = await session.exec(
        select(OutboxMessage.claimed_by)
        .distinct()
        .where(col(OutboxMessage.claimed_by).is_not(None), OutboxMessage.claimed_by != mine)
    )
    keys = {
        key: token
        for token in claimers.all()
        if token is not None and (key := lock_key(token)) is not None
    }
    if not keys:
        await session.commit()
        return 0
    connection = await session.connection()
    free = await connection.execute(
        text("SELECT k FROM unnest(CAST(:keys AS bigint[])) k WHERE pg_try_advisory_xact_lock(k)"),
        {"keys": list(keys)},
    )
    dead = [keys[key] for (key,) in free.all()]
    taken = 0
    if dead:
        result = await session.exec(
            update(OutboxMessage)
            .where(
                col(OutboxMessage.status) == OutboxStatus.pending,
                col(OutboxMessage.claimed_by).in_(dead),
            )
            .values(next_attempt_at=at, claimed_by=None)
        )
        taken = int(result.rowcount or 0)
    await session.commit()
    return taken


async def add_many(session: AsyncSession, drafts: Sequence[Draft], at: datetime) -> int:
    """Queue many drafts with one INSERT statement, executed for all of them (in the caller's
    transaction); drafts whose dedupe key was queued before are skipped. Returns how many rows
    are new. `at` is the creation time and the send time of drafts without `not_before`.

    The statement is compiled once and SQLAlchemy sends the rows in multi-row batches
    ("insertmanyvalues"); building one `.values(rows)` construct instead cost ~0.3 ms a row
    to construct and compile (benchmarks/README.md, the `announce` benchmark)."""
    if not drafts:
        return 0
    rows = []
    for draft in drafts:
        payload = dict(draft.params)
        if draft.text is not None:
            payload["text"] = draft.text
        if draft.method in ("sendMessage", "editMessageText"):
            payload.setdefault("parse_mode", "HTML")
        rows.append(
            {
                "dedupe_key": draft.dedupe_key,
                "chat_id": draft.chat_id,
                "method": draft.method,
                "payload": payload,
                "subject": draft.subject,
                "recheck": draft.recheck,
                "status": OutboxStatus.pending.value,
                "attempts": 0,
                "next_attempt_at": draft.not_before or at,
                "created_at": at,
            }
        )
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    statement = (
        insert(table).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(table.c.id)
    )
    connection = await session.connection()
    # Only inserted rows come back: a skipped duplicate returns nothing.
    return len((await connection.execute(statement, rows)).all())
