"""Random sequences of owner and staff actions thrown at the real dispatcher.

After every step: no unhandled exception and nothing logged as an error, every message the bot
sent (directly or queued in the outbox) within Telegram's limits and valid HTML, no owner ever
sent another owner's data or a staff-only note, ticket statuses only move along allowed
transitions and every change is in the ticket's event log. The counts of inputs fuzzed are
printed. The default run is small; `-m reliability` runs the long one.
"""

import asyncio
import itertools
import logging
import os
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiogram.types import (
    CallbackQuery,
    Chat,
    Contact,
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
    PhotoSize,
    Update,
    User,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import col, select

from bot.factory import create_dispatcher
from bot.i18n import default_catalogs
from bot.settings import Settings
from handlers.cards import card_drafts
from sandbox.markup import ParseError, parse_html, utf16_len
from storage import estates, tickets
from storage.db import create_engine, create_session_pool, upgrade_connection
from storage.models import (
    OutboxMessage,
    Owner,
    OwnerStatus,
    OwnerUnit,
    StaffMember,
    StaffRole,
    Ticket,
    TicketEvent,
    TicketKind,
    TicketStatus,
    Unit,
    Urgency,
)
from tests.mocked_bot import BOT_ID, MockedBot

HEAVY = os.environ.get("FRONTDOOR_FUZZ_HEAVY") == "1"
STAFF_CHAT = -1001234567890
OTHER_GROUP = -1005555555555
CHANNEL = -1007777777777
OWNER_A, OWNER_B, AGENT, MANAGER, STRANGER = 5101, 5102, 7101, 7102, 7199
# Markers that must never reach the other owner (or, for the note, any owner).
SECRETS = {
    OWNER_A: ("+8613811110001", "Alpha-Owner", "ALPHA-LEAK-DESCRIPTION"),
    OWNER_B: ("+8613822220002", "Bravo-Owner", "BRAVO-LEAK-DESCRIPTION"),
}
NOTE_MARKER = "STAFF-ONLY-NOTE-MARKER"
MENU_TEXTS = [
    "Report a repair",
    "Make a complaint",
    "My fees",
    "Book a call-back",
    "My requests",
    "Language",
    "报修",
    "投诉",
    "我的请求",
    "✖ Cancel",
    "取消",
]
COMMANDS = ["/start", "/cancel", "/help", "/language", "/menu", "/requests", "/fees"]
STAFF_VERBS = [
    "assign {n} me",
    "dispatch {n}",
    "resolve {n} fixed",
    "close {n}",
    "reopen {n} again",
    "note {n} " + NOTE_MARKER,
    "reply {n} on our way",
    "grade {n} A",
    "ticket {n}",
    "queue",
    "outbox",
    "pending",
    "staff",
    "help",
]
ALLOWED = {
    (TicketStatus.new, TicketStatus.assigned),
    (TicketStatus.new, TicketStatus.in_progress),
    (TicketStatus.new, TicketStatus.resolved),
    (TicketStatus.new, TicketStatus.cancelled),
    (TicketStatus.assigned, TicketStatus.in_progress),
    (TicketStatus.assigned, TicketStatus.resolved),
    (TicketStatus.assigned, TicketStatus.cancelled),
    (TicketStatus.in_progress, TicketStatus.resolved),
    (TicketStatus.resolved, TicketStatus.closed),
    (TicketStatus.resolved, TicketStatus.reopened),
    (TicketStatus.closed, TicketStatus.reopened),
    (TicketStatus.reopened, TicketStatus.assigned),
    (TicketStatus.reopened, TicketStatus.in_progress),
    (TicketStatus.reopened, TicketStatus.resolved),
}
TOTALS: Counter[str] = Counter()

texts = st.one_of(
    st.text(max_size=200),
    st.text(min_size=4000, max_size=4096),
    st.sampled_from(MENU_TEXTS + COMMANDS),
    st.builds(lambda n: f"#{n}", st.integers(-5, 10**12)),
    st.sampled_from(
        ["<b>", "</i>", "&amp;", "<a href='javascript:x'>", "\u202e", "\x00", "🏠" * 50]
    ),
)
owner_ids = st.sampled_from([OWNER_A, OWNER_B, STRANGER])
staff_ids = st.sampled_from([AGENT, MANAGER, STRANGER, OWNER_A])
numbers = st.one_of(st.sampled_from([1, 2]), st.integers(-3, 10**9))

actions = st.one_of(
    st.tuples(st.just("text"), owner_ids, texts),
    st.tuples(st.just("command"), owner_ids, st.sampled_from(COMMANDS)),
    st.tuples(st.just("press_real"), owner_ids, st.integers(0, 20)),
    st.tuples(
        st.just("press_forged"),
        owner_ids,
        st.one_of(
            st.text(min_size=1, max_size=64),
            st.builds(
                lambda p, n: f"{p}:{n}",
                st.sampled_from(
                    [
                        "tk:take",
                        "tk:close",
                        "tka:1",
                        "mr:view",
                        "mr:cancel",
                        "obx:retry",
                        "ownr:approve",
                        "tf:kind",
                        "trt:1",
                        "tfx:yes",
                        "lang",
                        "cbs:1",
                        "prim",
                    ]
                ),
                numbers,
            ),
        ),
    ),
    st.tuples(st.just("photo"), owner_ids, st.none()),
    st.tuples(st.just("edited"), owner_ids, texts),
    st.tuples(st.just("contact"), owner_ids, st.sampled_from(["own", "other", "none"])),
    st.tuples(st.just("unknown_chat"), owner_ids, texts),
    st.tuples(st.just("channel"), st.just(0), texts),
    st.tuples(st.just("staff"), staff_ids, st.tuples(st.sampled_from(STAFF_VERBS), numbers)),
    st.tuples(st.just("staff_other_group"), staff_ids, st.sampled_from(STAFF_VERBS)),
    st.tuples(st.just("staff_press"), staff_ids, st.integers(0, 20)),
    st.tuples(st.just("wait"), st.just(0), st.integers(1, 3600)),
)


class ErrorLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class World:
    dp: Any
    bot: MockedBot
    pool: Any
    engine: Any
    clock_at: list[datetime]
    ids: Any = field(default_factory=lambda: itertools.count(1))
    checked_requests: int = 0
    checked_outbox: int = 0
    statuses: dict[int, TicketStatus] = field(default_factory=dict)
    events: dict[int, int] = field(default_factory=dict)


def person(user_id: int) -> User:
    return User(id=user_id, is_bot=False, first_name=f"U{user_id}", language_code="en")


def chat_of(chat_id: int) -> Chat:
    if chat_id > 0:
        return Chat(id=chat_id, type="private", first_name="P")
    if chat_id == CHANNEL:
        return Chat(id=chat_id, type="channel", title="News")
    return Chat(id=chat_id, type="supergroup", title="G")


def message(
    w: World, user_id: int | None, chat_id: int, text: str | None = None, **extra: Any
) -> Message:
    entities = None
    if text and text.startswith("/"):
        entities = [MessageEntity(type="bot_command", offset=0, length=len(text.split()[0]))]
    return Message(
        message_id=next(w.ids),
        date=w.clock_at[0],
        chat=chat_of(chat_id),
        from_user=person(user_id) if user_id else None,
        text=text,
        entities=entities,
        **extra,
    )


def buttons(w: World, chat_id: int) -> list[str]:
    found: list[str] = []
    for request in w.bot.sent(chat_id)[-5:]:
        markup = getattr(request, "reply_markup", None)
        if isinstance(markup, InlineKeyboardMarkup):
            found += [
                b.callback_data for row in markup.inline_keyboard for b in row if b.callback_data
            ]
    return found


def press(w: World, user_id: int, chat_id: int, data: str) -> Update:
    shown = Message(
        message_id=next(w.ids),
        date=w.clock_at[0],
        chat=chat_of(chat_id),
        from_user=User(id=BOT_ID, is_bot=True, first_name="Frontdoor"),
        text="…",
    )
    query = CallbackQuery(
        id=str(next(w.ids)),
        from_user=person(user_id),
        chat_instance="ci",
        message=shown,
        data=data,
    )
    return Update(update_id=next(w.ids), callback_query=query)


def build_update(w: World, action: tuple[str, int, Any]) -> Update | None:
    kind, user_id, arg = action
    uid = next(w.ids)
    if kind in ("text", "command"):
        return Update(update_id=uid, message=message(w, user_id, user_id, arg or "x"))
    if kind == "press_real":
        options = buttons(w, user_id)
        return press(w, user_id, user_id, options[arg % len(options)]) if options else None
    if kind == "press_forged":
        return press(w, user_id, user_id, arg[:64] or "x")
    if kind == "photo":
        photo = [PhotoSize(file_id=f"p{uid}", file_unique_id=f"u{uid}", width=10, height=10)]
        return Update(update_id=uid, message=message(w, user_id, user_id, photo=photo))
    if kind == "edited":
        edited = message(w, user_id, user_id, arg or "x", edit_date=int(w.clock_at[0].timestamp()))
        return Update(update_id=uid, edited_message=edited)
    if kind == "contact":
        other = {"own": user_id, "other": OWNER_B if user_id != OWNER_B else OWNER_A, "none": None}
        phone = (
            SECRETS.get(user_id, ("+8613900000000",))[0] if arg == "own" else SECRETS[OWNER_B][0]
        )
        contact = Contact(phone_number=phone, first_name="C", user_id=other[arg])
        forwarded = {"forward_origin": None} if arg == "own" else {}
        return Update(
            update_id=uid, message=message(w, user_id, user_id, contact=contact, **forwarded)
        )
    if kind == "unknown_chat":
        return Update(update_id=uid, message=message(w, user_id, -1003333333333, arg or "x"))
    if kind == "channel":
        return Update(update_id=uid, channel_post=message(w, None, CHANNEL, arg or "x"))
    if kind == "staff":
        verb, n = arg
        return Update(
            update_id=uid, message=message(w, user_id, STAFF_CHAT, "/" + verb.format(n=n))
        )
    if kind == "staff_other_group":
        return Update(
            update_id=uid, message=message(w, user_id, OTHER_GROUP, "/" + arg.format(n=1))
        )
    if kind == "staff_press":
        options = buttons(w, STAFF_CHAT)
        return press(w, user_id, STAFF_CHAT, options[arg % len(options)]) if options else None
    return None


def check_text(text: str | None, limit: int, where: str) -> None:
    if text is None:
        return
    try:
        plain, _ = parse_html(text)
    except ParseError as exc:
        raise AssertionError(f"invalid HTML {where}: {exc}: {text[:200]!r}") from None
    assert 0 < utf16_len(plain) <= limit or (limit == 1024 and not plain), (
        f"{where}: {utf16_len(plain)} UTF-16 units (limit {limit})"
    )


def check_private(chat_id: int, text: str, where: str) -> None:
    if chat_id <= 0:
        return
    assert NOTE_MARKER not in text, f"a staff-only note reached {chat_id} {where}"
    for owner, secrets in SECRETS.items():
        if owner != chat_id:
            for secret in secrets:
                assert secret not in text, f"{owner}'s {secret} reached {chat_id} {where}"


def check_method(request: Any, where: str) -> None:
    name = type(request).__name__
    chat_id = getattr(request, "chat_id", None)
    text = getattr(request, "text", None)
    caption = getattr(request, "caption", None)
    if name in ("SendMessage", "EditMessageText"):
        check_text(text, 4096, where)
    if caption is not None:
        check_text(caption, 1024, where)
    if name == "AnswerCallbackQuery" and request.text:
        assert len(request.text) <= 200, f"callback answer too long {where}"
    markup = getattr(request, "reply_markup", None)
    if isinstance(markup, InlineKeyboardMarkup):
        for row in markup.inline_keyboard:
            for b in row:
                if b.callback_data is not None:
                    assert 1 <= len(b.callback_data.encode()) <= 64, f"callback_data {where}"
    if isinstance(chat_id, int):
        check_private(chat_id, (text or "") + (caption or ""), where)


async def check_world(w: World, step: str) -> None:
    for request in w.bot.requests[w.checked_requests :]:
        check_method(request, f"after {step}")
    w.checked_requests = len(w.bot.requests)
    async with w.pool() as session:
        rows = (
            await session.exec(
                select(OutboxMessage)
                .where(col(OutboxMessage.id) > w.checked_outbox)
                .order_by(col(OutboxMessage.id))
            )
        ).all()
        for row in rows:
            text = row.payload.get("text")
            if row.method in ("sendMessage", "editMessageText") and isinstance(text, str):
                check_text(text, 4096, f"outbox {row.dedupe_key} after {step}")
            check_private(
                row.chat_id,
                str(row.payload.get("text") or row.payload.get("caption") or ""),
                f"outbox {row.dedupe_key}",
            )
            w.checked_outbox = max(w.checked_outbox, row.id or 0)
        for ticket in (await session.exec(select(Ticket))).all():
            assert ticket.id is not None
            before = w.statuses.get(ticket.id, TicketStatus.new)
            events = len(
                (
                    await session.exec(
                        select(TicketEvent.id).where(TicketEvent.ticket_id == ticket.id)
                    )
                ).all()
            )
            if ticket.status != before:
                assert (before, ticket.status) in ALLOWED, (
                    f"#{ticket.number}: {before} → {ticket.status} after {step}"
                )
                assert events > w.events.get(ticket.id, 0), (
                    f"#{ticket.number} changed without an event after {step}"
                )
            w.statuses[ticket.id] = TicketStatus(ticket.status)
            w.events[ticket.id] = events


async def make_world() -> World:
    engine = create_engine("sqlite+aiosqlite://")
    async with engine.begin() as conn:
        await conn.run_sync(upgrade_connection)
    pool = create_session_pool(engine)
    config = Settings(
        _env_file=None,
        bot_token="42:TEST_TOKEN_abcdefghij",
        admin_ids=frozenset({MANAGER}),
        locale="en",
    )
    clock_at = [datetime(2026, 11, 23, 2, 0, tzinfo=UTC)]
    catalogs = default_catalogs()
    async with pool() as session:
        estate = await estates.ensure_default(
            session,
            name="Fuzz Gardens",
            time_zone="Asia/Shanghai",
            locale="en",
            currency="CNY",
            staff_chat_id=STAFF_CHAT,
        )
    async with pool() as session:
        for user_id, (phone, name, description) in SECRETS.items():
            unit = Unit(estate_id=estate.id, building=str(user_id % 10), number=f"{user_id}")
            session.add(unit)
            await session.flush()
            owner = Owner(
                estate_id=estate.id,
                name=name,
                phone=phone,
                telegram_user_id=user_id,
                chat_id=user_id,
                language="en",
                status=OwnerStatus.verified,
            )
            session.add(owner)
            await session.flush()
            session.add(OwnerUnit(owner_id=owner.id, unit_id=unit.id))
            await session.commit()
            await tickets.create(
                session,
                estate=estate,
                now=clock_at[0],
                notify=card_drafts(catalogs, estate),
                owner=owner,
                kind=TicketKind.repair,
                category="plumbing",
                description=description,
                unit_id=unit.id,
                location=None,
                urgency=Urgency.normal,
                preferred_time=None,
                contact_phone=None,
                wants_call=False,
                photos=(),
            )
        for user_id, role in ((AGENT, StaffRole.agent), (MANAGER, StaffRole.manager)):
            session.add(
                StaffMember(
                    estate_id=estate.id, telegram_user_id=user_id, name=f"S{user_id}", role=role
                )
            )
        await session.commit()
    dp = create_dispatcher(config, pool, clock=lambda: clock_at[0], catalogs=catalogs)
    return World(dp, MockedBot(), pool, engine, clock_at)


async def run_example(steps: list[tuple[str, int, Any]]) -> None:
    w = await make_world()
    errors = ErrorLog()
    logging.getLogger().addHandler(errors)
    try:
        await check_world(w, "setup")
        for index, action in enumerate(steps):
            step = f"step {index} {action[0]} {str(action[2])[:40]!r}"
            if action[0] == "wait":
                w.clock_at[0] += timedelta(seconds=action[2])
                continue
            update = build_update(w, action)
            if update is None:
                continue
            TOTALS[action[0]] += 1
            await w.dp.feed_update(w.bot, update)
            # Not a flood: a person types at most a message a second.
            w.clock_at[0] += timedelta(seconds=1)
            assert not errors.records, f"{step}: logged {errors.records[0].getMessage()[:300]}"
            await check_world(w, step)
        TOTALS["sequences"] += 1
    finally:
        logging.getLogger().removeHandler(errors)
        await w.engine.dispose()


def fuzz(examples: int, steps: int) -> None:
    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=not HEAVY,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(st.lists(actions, min_size=1, max_size=steps))
    def sequence(steps_: list[tuple[str, int, Any]]) -> None:
        asyncio.run(run_example(steps_))

    TOTALS.clear()
    sequence()
    total = sum(v for k, v in TOTALS.items() if k != "sequences")
    print(
        f"\nfuzzed {total} inputs in {TOTALS['sequences']} sequences: "
        + ", ".join(f"{k}={v}" for k, v in sorted(TOTALS.items()) if k != "sequences")
    )
    assert total > 0


def test_fuzz_dispatcher_small() -> None:
    fuzz(examples=6, steps=12)


@pytest.mark.reliability
def test_fuzz_dispatcher_long() -> None:
    random.seed(14)
    fuzz(examples=120, steps=40)
