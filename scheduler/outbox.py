"""The outbox sender: queued Bot API calls delivered in order, within limits, with retries.

Limits: `send_rate` messages per second overall, one per second to a private chat and twenty
per minute to a group. A chat that must wait is skipped for this pass (its row gets a later
`next_attempt_at`), so it never holds up the others. Outcomes:
429 → wait `retry_after` (not a failed attempt); 5xx, network errors, timeouts → exponential
backoff, `dead` after `max_attempts`; 403 → `failed`, and the owner is marked unreachable or
the staff member's group is told; 400 → `failed` ("message is not modified" counts as sent).
"""

import asyncio
import contextlib
import logging
import math
import time
import uuid
from collections import deque
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import replace
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

import aiogram.methods
from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import TelegramMethod
from aiogram.types import BufferedInputFile, Message, MessageId
from aiolimiter import AsyncLimiter
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import reporting
from bot.clock import Clock, system_clock
from bot.i18n import Catalogs, default_catalogs
from bot.metrics import Metrics
from bot.settings import FREE_SEND_RATE
from handlers import cards
from scheduler.app import LeaderLock
from scheduler.jobs import announcements as announcement_job
from scheduler.jobs import rechecks
from scheduler.jobs.base import Verdict
from storage import calendar, delivery, keys, outbox, tickets
from storage.db import SessionPool
from storage.models import Announcement, Estate, OutboxStatus
from storage.tickets import TicketError

log = logging.getLogger("frontdoor.outbox")

# Longer than any single Bot API request may take, so a claimed row is never sent twice.
LEASE = timedelta(minutes=2)
# How often a PostgreSQL sender makes sure it still holds its lock (a lost connection frees it),
# and how many tokens it tries at start if another sender's has the same key.
ALIVE_CHECK_S = 10.0
ALIVE_TRIES = 3
PRIVATE_WINDOW = (1, timedelta(seconds=1))
GROUP_WINDOW = (20, timedelta(minutes=1))
BACKOFF_CAP = timedelta(minutes=10)
# How often at most an announcement's progress message is edited while its owners' messages go
# out: its edits share the group's 20 messages a minute with the ticket cards.
PROGRESS_EVERY = timedelta(seconds=10)


class Outcome(Enum):
    sent = "sent"
    retry = "retry"
    failed = "failed"
    skipped = "skipped"


class ChatPacer:
    """Per-chat sliding windows: 1 message/s to a private chat, 20/min to a group."""

    def __init__(self) -> None:
        self.recent: dict[int, deque[datetime]] = {}

    def reserve(self, chat_id: int, now: datetime) -> datetime | None:
        """Take a slot now (None) or say when the chat may be written to again."""
        limit, period = PRIVATE_WINDOW if chat_id > 0 else GROUP_WINDOW
        times = self.recent.setdefault(chat_id, deque())
        while times and times[0] <= now - period:
            times.popleft()
        if len(times) >= limit:
            return times[0] + period
        times.append(now)
        return None

    def prune(self, now: datetime) -> None:
        horizon = now - GROUP_WINDOW[1]
        for chat_id in [c for c, t in self.recent.items() if not t or t[-1] <= horizon]:
            del self.recent[chat_id]


def build_method(
    name: str, chat_id: int, payload: dict[str, Any], *, paid_broadcast: bool = False
) -> TelegramMethod[Any]:
    """The aiogram method object for a Bot API method name such as "sendMessage";
    `paid_broadcast` marks sends as paid broadcasts (beyond Telegram's free 30/s)."""
    cls = getattr(aiogram.methods, name[:1].upper() + name[1:], None)
    if not (isinstance(cls, type) and issubclass(cls, TelegramMethod)):
        raise LookupError(f"unknown Bot API method {name!r}")
    params = dict(payload)
    if "chat_id" in cls.model_fields:
        params.setdefault("chat_id", chat_id)
    if paid_broadcast and "allow_paid_broadcast" in cls.model_fields:
        params.setdefault("allow_paid_broadcast", True)
    return cls(**params)


def error_code(exc: BaseException) -> str:
    """The label a send error is counted under: the HTTP code, or what failed instead."""
    codes: list[tuple[type[BaseException], str]] = [
        (TelegramRetryAfter, "429"),
        (TelegramForbiddenError, "403"),
        (TelegramUnauthorizedError, "401"),
        (TelegramEntityTooLarge, "413"),
        (TelegramBadRequest, "400"),
        (TelegramServerError, "5xx"),
        (TelegramNetworkError, "network"),
        (TimeoutError, "timeout"),
    ]
    return next((code for cls, code in codes if isinstance(exc, cls)), "other")


def backoff(attempts: int) -> timedelta:
    """2, 4, 8 … seconds after the 1st, 2nd, 3rd failed attempt, capped."""
    return min(timedelta(seconds=2**attempts), BACKOFF_CAP)


class MarkWriter:
    """Writes the outcomes of sends as group commits: every mark that arrives while a commit
    is being made goes into the next one. Lanes sending side by side so share commits instead
    of making one each (and on SQLite do not queue for its single write lock), while each lane
    still waits until its own mark is stored: a crash repeats at most one message per lane."""

    def __init__(self, session_pool: SessionPool) -> None:
        self.session_pool = session_pool
        self._lock = asyncio.Lock()
        self._waiting: list[tuple[outbox.Mark, asyncio.Future[None]]] = []

    async def write(self, mark: outbox.Mark) -> None:
        mine: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((mark, mine))
        async with self._lock:
            if not mine.done():
                batch, self._waiting = self._waiting, []
                try:
                    async with self.session_pool() as session:
                        await outbox.write_marks(session, [m for m, _ in batch])
                except asyncio.CancelledError:
                    # The others' marks are not lost: the next writer to get the lock takes them.
                    self._waiting = [w for w in batch if w[1] is not mine] + self._waiting
                    raise
                except Exception as exc:
                    for _, future in batch:
                        future.set_exception(exc)
                else:
                    for _, future in batch:
                        future.set_result(None)
        await mine


def default_concurrency(rate: float | None) -> int:
    """Lanes enough to reach `rate` when a Bot API call takes up to 100 ms (Telegram's usual
    round trip), at least 4; 100 (1000 msg/s) without a rate of our own."""
    if rate is None:
        return 100
    return max(4, math.ceil(rate / 10))


def default_in_flight(rate: float | None, concurrency: int) -> int:
    """One at Telegram's free rate; every lane for paid broadcasts and with no rate of our
    own, where throughput comes first."""
    if rate is not None and rate <= FREE_SEND_RATE:
        return 1
    return concurrency


class OutboxSender:
    def __init__(
        self,
        bot: Bot,
        session_pool: SessionPool,
        clock: Clock = system_clock,
        rate: float | None = 25,
        *,
        limiter: AbstractAsyncContextManager[Any] | None = None,
        max_attempts: int = 8,
        batch: int = 500,
        interval: float = 0.5,
        request_timeout: int = 30,
        catalogs: Catalogs | None = None,
        metrics: Metrics | None = None,
        concurrency: int | None = None,
        in_flight: int | None = None,
    ) -> None:
        self.bot = bot
        self.concurrency = max(1, concurrency or default_concurrency(rate))
        # At most this many messages are "on the wire" — sent, their outcome not yet stored —
        # which is what a crash (kill -9, power cut) can deliver twice. One at Telegram's free
        # rate: a send and its commit take less than the 1/rate between sends.
        self.in_flight = in_flight or default_in_flight(rate, self.concurrency)
        self.wire = asyncio.Semaphore(self.in_flight)
        self.metrics = metrics
        self.catalogs = catalogs or default_catalogs()
        self.session_pool = session_pool
        self.clock = clock
        # No rate of our own (None): paid broadcasts, or the Bot API server enforces it.
        self.limiter = limiter or (
            # One at a time every 1/rate s: a bucket of `rate` would let a burst of that many
            # through at once, which a limit counted over any one-second window refuses (429).
            AsyncLimiter(1, 1 / rate) if rate is not None else contextlib.nullcontext()
        )
        # Settings allow a rate above the free one only with FRONTDOOR_PAID_BROADCAST.
        self.paid_broadcast = rate is not None and rate > FREE_SEND_RATE
        self.marks = MarkWriter(session_pool)
        self.max_attempts = max_attempts
        self.batch = batch
        self.interval = interval
        self.request_timeout = request_timeout
        self.pacer = ChatPacer()
        self.rechecks = rechecks()
        self._wake = asyncio.Event()
        self._stopping = False
        self._full_pass = False
        self._task: asyncio.Task[None] | None = None
        # Announcements with owners' messages handled since their progress was last written,
        # and when it was last written.
        self._progress_stale: set[int] = set()
        self._progress_at: dict[int, datetime] = {}
        # Written on the rows this sender claims: an outcome or a restart ends the claim.
        self.token = uuid.uuid4().hex[:16]
        # PostgreSQL: the advisory lock keyed by the token, held while this sender runs, by
        # which other senders tell that it is alive (storage.outbox.reclaim_dead).
        self.alive: LeaderLock | None = None
        self._alive_checked = -math.inf
        # Set by run(): a running sender always holds its lock before it claims.
        self._locking = False

    def start(self) -> asyncio.Task[None]:
        self._stopping = False
        self._task = asyncio.create_task(self.run(), name="outbox-sender")
        return self._task

    def poke(self) -> None:
        """Look at the outbox now instead of at the next tick."""
        self._wake.set()

    async def stop(self) -> None:
        """Finish the message being sent, give the rest of the pass back, and end `run`."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await self._task
            self._task = None

    async def run(self) -> None:
        log.info("outbox sender started")
        try:
            await self.reclaim_abandoned()
        except Exception:
            # The rows then come back after their lease.
            log.exception("outbox reclaim failed")
        self._locking = True
        try:
            await self.hold_alive_lock()
        except Exception:
            # Without it this sender neither takes a dead one's rows early nor is seen alive;
            # send_due tries again.
            log.exception("outbox sender lock unavailable")
        try:
            await self._loop()
        finally:
            if self.alive is not None:
                await self.alive.close()
                self.alive = None
        log.info("outbox sender stopped")

    async def _loop(self) -> None:
        while not self._stopping:
            try:
                await self.send_due(self.clock())
            except Exception:
                # A database hiccup must not end delivery; claimed rows come back after the lease.
                log.exception("outbox pass failed")
            else:
                if self._full_pass:
                    # A full batch: more rows are probably due, so no pause between passes.
                    continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval)
            self._wake.clear()

    def _engine(self) -> AsyncEngine | None:
        bind = self.session_pool.kw.get("bind")
        return bind if isinstance(bind, AsyncEngine) else None

    async def hold_alive_lock(self) -> bool:
        """On PostgreSQL, take (or keep) the advisory lock named by this sender's token, on a
        connection of its own, before any claim: while it is held no other sender takes this
        one's rows; once the process is gone the server frees it and they do at once. True
        when held (or not needed: SQLite, where one process owns the outbox)."""
        engine = self._engine()
        if engine is None or engine.dialect.name != "postgresql":
            return True
        self._alive_checked = time.monotonic()
        if self.alive is not None:
            if await self.alive.acquire():
                return True
            await self.alive.close()
            self.alive = None
        url = engine.url.render_as_string(hide_password=False)
        for _ in range(ALIVE_TRIES):
            key = outbox.lock_key(self.token)
            if key is not None:
                lock = LeaderLock(url, key)
                if await lock.acquire():
                    self.alive = lock
                    return True
                await lock.close()
            # Another sender's token has the same key (or is looking at it this instant):
            # this sender has claimed nothing yet, so it may take another.
            self.token = uuid.uuid4().hex[:16]
        return False

    async def _take_over_dead(self, now: datetime) -> bool:
        """PostgreSQL: check this sender's own lock now and then, then give the rows of
        senders that are gone back to the outbox. False when this sender's lock is not held:
        it must not claim then, since others would take its rows as a dead sender's."""
        due = self.alive is None or time.monotonic() - self._alive_checked > ALIVE_CHECK_S
        if due and not await self.hold_alive_lock():
            log.warning("outbox sender lock not held; not claiming")
            return False
        if self.alive is None:
            return True
        async with self.session_pool() as session:
            taken = await outbox.reclaim_dead(session, self.token, now)
        if taken:
            log.warning("outbox reclaimed rows=%s of a sender that is gone", taken)
        return True

    async def reclaim_abandoned(self) -> int:
        """On SQLite (one process), take back at once the rows an earlier run of this process
        claimed and never finished (it was killed): they would wait out the lease otherwise."""
        async with self.session_pool() as session:
            if session.bind is None or session.bind.dialect.name != "sqlite":
                return 0
            taken = await outbox.reclaim_abandoned(session, self.token, self.clock())
        if taken:
            log.warning("outbox reclaimed rows=%s claimed by an earlier run", taken)
        return taken

    async def send_due(self, now: datetime) -> int:
        """One pass over the due rows; returns how many were delivered."""
        self.pacer.prune(now)
        if (self._locking or self.alive is not None) and not await self._take_over_dead(now):
            return 0
        async with self.session_pool() as session:
            claim = await outbox.claim_due(
                session,
                now,
                lease=LEASE,
                pace=lambda chat_id: self.pacer.reserve(chat_id, now),
                limit=self.batch,
                by=self.token,
            )
        self._full_pass = len(claim.rows) + len(claim.failed) >= self.batch
        for row_id in claim.failed:
            log.info("outbox id=%s outcome=failed error=edit-target-undelivered", row_id)
        # Rows of one chat go one after another (order); chats go side by side in
        # `concurrency` lanes. A lane waits for its mark to be stored before its next send, so
        # a crash between Telegram's answer and the mark repeats at most one message per lane.
        by_chat: dict[int, list[outbox.Claimed]] = {}
        for row in claim.rows:
            by_chat.setdefault(row.chat_id, []).append(row)
        chats = deque(by_chat.values())
        unsent: list[int] = []

        async def lane() -> int:
            sent = 0
            while chats:
                rows = chats.popleft()
                for index, row in enumerate(rows):
                    if self._stopping:
                        unsent.extend(r.id for r in rows[index:])
                        break
                    outcome = await self._deliver(row)
                    if outcome is Outcome.sent:
                        sent += 1
                    elif outcome is Outcome.retry:
                        # Later rows to this chat must not overtake the one that is waiting.
                        unsent.extend(r.id for r in rows[index + 1 :])
                        break
            return sent

        lanes = min(self.concurrency, len(chats))
        delivered = sum(await asyncio.gather(*(lane() for _ in range(lanes))))
        if unsent:
            async with self.session_pool() as session:
                await outbox.release(session, unsent, now)
        for row in claim.rows:
            announcement_id = keys.subject_id(row.subject, keys.SubjectKind.announcement)
            if announcement_id is not None:
                self._progress_stale.add(announcement_id)
        await self._refresh_progress(now)
        return delivered

    async def _refresh_progress(self, now: datetime) -> None:
        """Have the announcements job write the progress of the announcements whose owners'
        messages went out (or failed) since, at most every PROGRESS_EVERY each: the job queues
        the edit like any other row (and marks the announcement done when nothing waits), and
        the next pass sends it. Without this the message moved only at the job's next minute."""
        self._progress_at = {
            a: at for a, at in self._progress_at.items() if now - at < PROGRESS_EVERY
        }
        due = self._progress_stale - self._progress_at.keys()
        if not due:
            return
        # Also after a failure: the next try waits its turn like a refresh.
        self._progress_at.update(dict.fromkeys(due, now))
        try:
            async with self.session_pool() as session:
                estate_ids: set[int] = set()
                for announcement_id in due:
                    announcement = await session.get(Announcement, announcement_id)
                    if announcement is not None:
                        estate_ids.add(announcement.estate_id)
                for estate_id in estate_ids:
                    estate = await session.get(Estate, estate_id)
                    if estate is not None:
                        # A refresh, not a run of the job: no JobRun, so /jobs shows the
                        # scheduler's runs.
                        await announcement_job.run(session, estate, now)
                        await session.commit()
        except Exception:
            # The job's minute run writes the progress then; delivery goes on.
            log.exception("announcement progress refresh failed")
            return
        self._progress_stale -= due
        self.poke()

    async def _attach(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Render what a payload names by recipe: the files (`{"$document": …}`,
        bot/reporting.py) and a ticket's staff card (`"$ticket_card": id`)."""
        out = dict(payload)
        ticket_id = out.pop(outbox.TICKET_CARD, None)
        if ticket_id is not None:
            out.update(await self._card(int(ticket_id)))
        for key, value in payload.items():
            if isinstance(value, dict) and set(value) == {reporting.DOCUMENT}:
                name, content = await reporting.render_recipe(
                    self.session_pool, value[reporting.DOCUMENT], self.catalogs
                )
                out[key] = BufferedInputFile(content, filename=name)
        return out

    async def _deliver(self, row: outbox.Claimed) -> Outcome:
        if row.recheck is not None:
            try:
                verdict = await self._recheck(row.recheck)
            except Exception as exc:
                log.exception("outbox id=%s recheck failed", row.id)
                return await self._retry(row, exc, backoff(row.attempts + 1), count=True)
            if verdict.skip is not None:
                return await self._skip(row, verdict.skip)
            if verdict.text is not None:
                row = replace(row, payload={**row.payload, "text": verdict.text})
        try:
            payload = await self._attach(row.payload)
            method = build_method(
                row.method, row.chat_id, payload, paid_broadcast=self.paid_broadcast
            )
        except (
            LookupError,
            ValidationError,
            TypeError,
            reporting.RecipeError,
            TicketError,
        ) as exc:
            return await self._fail(row, OutboxStatus.failed, f"bad payload: {exc}")
        async with self.wire:
            return await self._send(row, method)

    async def _send(self, row: outbox.Claimed, method: TelegramMethod[Any]) -> Outcome:
        """The request and its outcome, stored before the wire is free for the next send."""
        try:
            result = await self._request(method)
        except TelegramRetryAfter as exc:
            return await self._retry(row, exc, timedelta(seconds=exc.retry_after), count=False)
        except TelegramForbiddenError as exc:
            outcome = await self._fail(row, OutboxStatus.failed, exc.message)
            if row.chat_id > 0:
                async with self.session_pool() as session:
                    await delivery.mark_unreachable(session, row.chat_id, exc.message)
                    # Pictures travel with a text about the same thing: one notice is enough.
                    # A private chat gets documents only as pictures the owner sent as files.
                    if row.method not in ("sendPhoto", "sendDocument"):
                        await delivery.report_undelivered(
                            session,
                            chat_id=row.chat_id,
                            row_id=row.id,
                            subject=row.subject,
                            notice=self._notice(exc.message),
                        )
                self.poke()
            return outcome
        except TelegramBadRequest as exc:
            if outbox.NOT_MODIFIED in exc.message:
                return await self._sent(row, row.payload.get("message_id"))
            return await self._fail(row, OutboxStatus.failed, exc.message)
        except TelegramEntityTooLarge as exc:
            return await self._fail(row, OutboxStatus.failed, exc.message)
        except (
            TelegramServerError,
            TelegramNetworkError,
            TelegramUnauthorizedError,
            TimeoutError,
        ) as exc:
            return await self._retry(row, exc, backoff(row.attempts + 1), count=True)
        except TelegramAPIError as exc:
            return await self._fail(row, OutboxStatus.failed, exc.message)
        except Exception as exc:
            # Whatever else went wrong is retried like an outage, then given up on.
            log.exception("outbox id=%s unexpected error", row.id)
            return await self._retry(row, exc, backoff(row.attempts + 1), count=True)
        message_id = None
        if isinstance(result, Message | MessageId):
            message_id = result.message_id
        elif isinstance(row.payload.get("message_id"), int):
            message_id = row.payload["message_id"]
        return await self._sent(row, message_id)

    async def _card(self, ticket_id: int) -> dict[str, Any]:
        async with self.session_pool() as session:
            view = await tickets.view(session, ticket_id)
            estate = await session.get(Estate, view.ticket.estate_id)
        if estate is None:
            raise LookupError(f"ticket {ticket_id} has no estate")
        t = self.catalogs.translator(estate.locale)
        text, markup = cards.card(t, view, self.clock(), calendar.zone(estate))
        return {"text": text, **cards.markup_params(markup)}

    async def _recheck(self, recheck: dict[str, Any]) -> Verdict:
        """Run the job's send-time check of a row; a kind no job knows is sent as queued."""
        check = self.rechecks.get(str(recheck.get("kind")))
        if check is None:
            return Verdict()
        async with self.session_pool() as session:
            return await check(session, recheck, self.clock())

    async def _skip(self, row: outbox.Claimed, reason: str) -> Outcome:
        await self.marks.write(outbox.skipped_mark(row.id, reason))
        log.info(
            "outbox id=%s chat=%s method=%s outcome=skipped reason=%s",
            row.id,
            row.chat_id,
            row.method,
            reason,
        )
        return Outcome.skipped

    async def _request(self, method: TelegramMethod[Any]) -> Any:
        try:
            async with self.limiter:
                # Below the session's request middlewares: the outbox does its own retrying.
                return await self.bot.session.make_request(
                    self.bot, method, timeout=self.request_timeout
                )
        except Exception as exc:
            if self.metrics is not None:
                self.metrics.send_errors.labels(error_code(exc)).inc()
            raise

    def _notice(self, error: str) -> Callable[[delivery.Undelivered], str]:
        def notice(what: delivery.Undelivered) -> str:
            t = self.catalogs.translator(what.estate.locale)
            if what.number is None:
                return t("outbox-staff-unreachable", name=what.name, error=error)
            key = "outbox-staff-unreachable-ticket" if what.staff else "outbox-owner-unreachable"
            return t(key, name=what.name, error=error, number=str(what.number))

        return notice

    async def _sent(self, row: outbox.Claimed, message_id: Any) -> Outcome:
        message_id = message_id if isinstance(message_id, int) else None
        await self.marks.write(outbox.sent_mark(row.id, message_id, self.clock()))
        if self.metrics is not None:
            self.metrics.sent.inc()
        log.info(
            "outbox id=%s chat=%s method=%s outcome=sent attempts=%s",
            row.id,
            row.chat_id,
            row.method,
            row.attempts + 1,
        )
        return Outcome.sent

    async def _retry(
        self, row: outbox.Claimed, exc: Exception, delay: timedelta, count: bool
    ) -> Outcome:
        error = f"{type(exc).__name__}: {exc}"
        if count and row.attempts + 1 >= self.max_attempts:
            return await self._fail(row, OutboxStatus.dead, error)
        next_at = self.clock() + delay
        await self.marks.write(outbox.retry_mark(row.id, error, next_at, count_attempt=count))
        log.info(
            "outbox id=%s chat=%s method=%s outcome=retry in_s=%d error=%s",
            row.id,
            row.chat_id,
            row.method,
            delay.total_seconds(),
            type(exc).__name__,
        )
        return Outcome.retry

    async def _fail(self, row: outbox.Claimed, status: OutboxStatus, error: str) -> Outcome:
        await self.marks.write(outbox.final_mark(row.id, status, error))
        log.info(
            "outbox id=%s chat=%s method=%s outcome=%s attempts=%s",
            row.id,
            row.chat_id,
            row.method,
            status.value,
            row.attempts + 1,
        )
        return Outcome.failed
