"""aiogram FSM storage on the FsmRecord table: conversations survive restarts and span workers.

Inside an update (`SqlStorage.unit`, opened by bot.middlewares.ConversationMiddleware) each
conversation is read at most once, through the update's own session (the update's own one
together with the rest of its context, storage.updates.context), and kept in memory; what the
handlers changed is written once when the update has been handled, and committed with nothing
else pending (`SqlStorage.save`). An update that fails writes no state: the
conversation stays where it was before it. Outside an update (tests, tools) every call is a
transaction of its own.
"""

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiogram.exceptions import DataNotDictLikeError
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import fsm
from storage.db import SessionPool


def record_key(key: StorageKey) -> str:
    parts = [
        key.bot_id,
        key.chat_id,
        key.user_id,
        key.thread_id or "",
        key.business_connection_id or "",
    ]
    return ":".join(str(p) for p in parts) + f":{key.destiny}"


def _state_name(state: StateType) -> str | None:
    return state.state if isinstance(state, State) else state


def _dict(data: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise DataNotDictLikeError(
            f"Data must be a dict or dict-like object, got {type(data).__name__}"
        )
    return dict(data)


@dataclass
class Conversation:
    """One conversation as read at the start of the update, with the handlers' changes."""

    exists: bool
    state: str | None
    data: dict[str, Any]
    written_at: datetime | None
    changed: bool = False


def _conversation(record: fsm.Stored | None) -> Conversation:
    return Conversation(
        exists=record is not None,
        state=record.state if record else None,
        data=dict(record.data) if record else {},
        written_at=record.updated_at if record else None,
    )


@dataclass
class Unit:
    """The conversations one update has touched, read and written through its session."""

    session: AsyncSession
    now: datetime
    conversations: dict[str, Conversation] = field(default_factory=dict)


_current: ContextVar[Unit | None] = ContextVar("frontdoor_fsm_unit", default=None)


class SqlStorage(BaseStorage):
    def __init__(self, session_pool: SessionPool) -> None:
        self.session_pool = session_pool

    @asynccontextmanager
    async def unit(
        self,
        session: AsyncSession,
        now: datetime,
        known: Mapping[StorageKey, fsm.Stored | None] | None = None,
    ) -> AsyncIterator[Unit]:
        """Route this update's state calls through `session` (see the module docstring);
        `known` are conversations already read in this session (None: it has no row)."""
        unit = Unit(session, now)
        for key, record in (known or {}).items():
            unit.conversations[record_key(key)] = _conversation(record)
        token = _current.set(unit)
        try:
            yield unit
        finally:
            _current.reset(token)

    async def save(self, unit: Unit) -> None:
        """Write the unit's changed conversations and commit its session, if any changed."""
        changes = [
            fsm.Change(key, conversation.exists, conversation.state, conversation.data)
            for key, conversation in unit.conversations.items()
            if conversation.changed
        ]
        if changes:
            await fsm.commit(unit.session, changes, unit.now)

    async def conversation(self, key: StorageKey) -> Conversation | None:
        """The update's cached view of `key`, read on first use; None outside an update."""
        unit = _current.get()
        if unit is None:
            return None
        name = record_key(key)
        conversation = unit.conversations.get(name)
        if conversation is None:
            conversation = _conversation(await fsm.load(unit.session, name))
            unit.conversations[name] = conversation
        return conversation

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        conversation = await self.conversation(key)
        if conversation is None:
            async with self.session_pool() as session:
                await fsm.save(session, record_key(key), state=_state_name(state))
            return
        conversation.state = _state_name(state)
        conversation.changed = True

    async def get_state(self, key: StorageKey) -> str | None:
        conversation = await self.conversation(key)
        if conversation is not None:
            return conversation.state
        async with self.session_pool() as session:
            record = await fsm.load(session, record_key(key))
        return record.state if record else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        data = _dict(data)
        conversation = await self.conversation(key)
        if conversation is None:
            async with self.session_pool() as session:
                await fsm.save(session, record_key(key), data=data)
            return
        conversation.data = data
        conversation.changed = True

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        conversation = await self.conversation(key)
        if conversation is not None:
            return dict(conversation.data)
        async with self.session_pool() as session:
            record = await fsm.load(session, record_key(key))
        return dict(record.data) if record else {}

    async def update_data(self, key: StorageKey, data: Mapping[str, Any]) -> dict[str, Any]:
        data = _dict(data)
        conversation = await self.conversation(key)
        if conversation is None:
            async with self.session_pool() as session:
                record = await fsm.load(session, record_key(key))
                merged = {**(record.data if record else {}), **data}
                await fsm.save(session, record_key(key), data=merged)
            return merged
        conversation.data = {**conversation.data, **data}
        conversation.changed = True
        return dict(conversation.data)

    async def close(self) -> None:
        return None
