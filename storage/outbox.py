"""The outbox: messages written in the same transaction as the change that causes them.

Payloads are Bot API parameters. Two placeholders are resolved by the sender at delivery time, so a
message can refer to another one that is itself still in the outbox:
`{"$message_id_of": KEY}` (e.g. to edit a card) and `{"$reply_to_of": KEY}` (to thread a reply).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import OutboxMessage, OutboxStatus, utcnow


async def enqueue(
    session: AsyncSession,
    *,
    dedupe_key: str,
    chat_id: int,
    text: str | None = None,
    method: str = "sendMessage",
    subject: str | None = None,
    not_before: datetime | None = None,
    **params: Any,
) -> None:
    """Queue one Bot API call in the caller's transaction; a repeated dedupe_key is a no-op."""
    payload = dict(params)
    if text is not None:
        payload["text"] = text
    if method in ("sendMessage", "editMessageText"):
        payload.setdefault("parse_mode", "HTML")
    values = {
        "dedupe_key": dedupe_key,
        "chat_id": chat_id,
        "method": method,
        "payload": payload,
        "subject": subject,
        "status": OutboxStatus.pending.value,
        "attempts": 0,
        "next_attempt_at": not_before or utcnow(),
        "created_at": utcnow(),
    }
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(OutboxMessage)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
    )
    await session.exec(statement)


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


async def mark_sent(
    session: AsyncSession, row_id: int, message_id: int | None, at: datetime
) -> None:
    await session.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == row_id)
        .values(
            status=OutboxStatus.sent, sent_at=at, telegram_message_id=message_id, last_error=None
        )
    )
    await session.commit()


async def mark_retry(
    session: AsyncSession, row_id: int, error: str, next_at: datetime, count_attempt: bool = True
) -> None:
    values: dict[str, Any] = {"last_error": error[:500], "next_attempt_at": next_at}
    if count_attempt:
        values["attempts"] = OutboxMessage.attempts + 1
    await session.exec(
        update(OutboxMessage).where(col(OutboxMessage.id) == row_id).values(**values)
    )
    await session.commit()


async def mark_final(session: AsyncSession, row_id: int, status: OutboxStatus, error: str) -> None:
    await session.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == row_id)
        .values(
            status=status,
            last_error=error[:500],
            attempts=OutboxMessage.attempts + 1,
        )
    )
    await session.commit()


async def pending_for_chat_before(session: AsyncSession, chat_id: int, row_id: int) -> bool:
    """Whether an older message to the same chat is still waiting (keeps per-chat order)."""
    row = (
        await session.exec(
            select(OutboxMessage.id).where(
                OutboxMessage.chat_id == chat_id,
                col(OutboxMessage.id) < row_id,
                OutboxMessage.status == OutboxStatus.pending,
            )
        )
    ).first()
    return row is not None


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


async def add_all(session: AsyncSession, drafts: Iterable[Draft]) -> None:
    for draft in drafts:
        await enqueue(
            session,
            dedupe_key=draft.dedupe_key,
            chat_id=draft.chat_id,
            text=draft.text,
            method=draft.method,
            subject=draft.subject,
            not_before=draft.not_before,
            **draft.params,
        )
