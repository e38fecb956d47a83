"""aiogram FSM storage on the FsmRecord table: conversations survive restarts and span workers."""

from collections.abc import Mapping
from typing import Any

from aiogram.exceptions import DataNotDictLikeError
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey

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


class SqlStorage(BaseStorage):
    def __init__(self, session_pool: SessionPool) -> None:
        self.session_pool = session_pool

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        async with self.session_pool() as session:
            await fsm.save(session, record_key(key), state=_state_name(state))

    async def get_state(self, key: StorageKey) -> str | None:
        async with self.session_pool() as session:
            record = await fsm.load(session, record_key(key))
        return record.state if record else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        if not isinstance(data, dict):
            raise DataNotDictLikeError(
                f"Data must be a dict or dict-like object, got {type(data).__name__}"
            )
        async with self.session_pool() as session:
            await fsm.save(session, record_key(key), data=dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        async with self.session_pool() as session:
            record = await fsm.load(session, record_key(key))
        return dict(record.data) if record else {}

    async def update_data(self, key: StorageKey, data: Mapping[str, Any]) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise DataNotDictLikeError(
                f"Data must be a dict or dict-like object, got {type(data).__name__}"
            )
        async with self.session_pool() as session:
            record = await fsm.load(session, record_key(key))
            merged = {**(record.data if record else {}), **data}
            await fsm.save(session, record_key(key), data=merged)
        return merged

    async def close(self) -> None:
        return None
