"""Surveys: the owner answers one question at a time with 1–5 buttons, then an optional comment;
staff preview and send the quarterly sample (`/survey quarter`) and read the results
(`/survey results [YYYY-Qn]`)."""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import survey_messages as messages
from bot.clock import Clock
from bot.i18n import Catalogs, Html, Translator
from handlers.edits import unchanged_is_done
from handlers.filters import IsActiveStaff, IsStaffChat, IsVerifiedOwner, refuse_non_staff
from handlers.keyboards import NotMenu, close_buttons, main_menu
from storage import calendar, call_backs, kpis, surveys
from storage.db import saved_id
from storage.models import Estate, Owner, StaffMember, StaffRole, SurveyKind
from storage.surveys import Answer, Quarter, SurveyItem, SurveyState

router = Router(name=__name__)
# Its handlers for private chats: the staff group's router is gated on group chats
# (handlers/__init__.py).
private = Router(name=f"{__name__}.private")

REFUSALS = {
    Answer.duplicate: "sv-duplicate",
    Answer.late: "sv-late",
    Answer.expired: "sv-expired",
    Answer.not_found: "sv-stale",
}
UNITS_SHOWN = 40
WAITING_SHOWN = 20


class SurveyFlow(StatesGroup):
    comment = State()


private.message.filter(StateFilter(SurveyFlow.comment))


class ScoreCB(CallbackData, prefix=messages.SCORE_PREFIX):
    survey_id: int
    item: SurveyItem
    score: int


class SkipCB(CallbackData, prefix=messages.SKIP_PREFIX):
    survey_id: int


class SendQuarterCB(CallbackData, prefix="svq"):
    year: int
    number: int


class SendDueCB(CallbackData, prefix="svd"):
    """Send now the post-service surveys that fall due by `until` (a Unix time)."""

    until: int


def _markup(data: dict[str, object]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup.model_validate(data)


# --- the owner's side ------------------------------------------------------------------------


@router.callback_query(ScoreCB.filter(), IsVerifiedOwner())
async def on_score(
    query: CallbackQuery,
    callback_data: ScoreCB,
    t: Translator,
    catalogs: Catalogs,
    session: AsyncSession,
    estate: Estate,
    owner: Owner,
    state: FSMContext,
    clock: Clock,
    bot: Bot,
) -> None:
    """A score: recorded once; then the next question, or the comment prompt after the last."""
    now = clock()
    result = await surveys.answer(
        session,
        survey_id=callback_data.survey_id,
        owner_id=saved_id(owner),
        item=callback_data.item,
        score=callback_data.score,
        now=now,
        on_scored=messages.alert_drafts(catalogs, estate, now),
    )
    if result.outcome != Answer.recorded or result.state is None:
        await query.answer(t(REFUSALS.get(result.outcome, "sv-stale")), show_alert=True)
        if result.outcome in (Answer.duplicate, Answer.expired):
            await close_buttons(query)
        return
    await query.answer()
    found = result.state
    if isinstance(query.message, Message):
        with unchanged_is_done():
            await query.message.edit_text(
                t(
                    "sv-answered",
                    question=Html(query.message.html_text),
                    score=str(callback_data.score),
                ),
                reply_markup=None,
            )
    asked = messages.question(t, found)
    if asked is not None:
        text, markup = asked
        await bot.send_message(owner_chat(query), text, reply_markup=_markup(markup))
        return
    await state.set_state(SurveyFlow.comment)
    await state.update_data(survey_id=found.id)
    await bot.send_message(
        owner_chat(query),
        t("sv-ask-comment"),
        reply_markup=_markup(messages.skip_markup(t, found.id)),
    )


def owner_chat(query: CallbackQuery) -> int:
    return query.message.chat.id if query.message else query.from_user.id


def thanks(t: Translator, found: SurveyState | None) -> str:
    return t("sv-thanks-low" if found is not None and found.low else "sv-thanks")


@router.callback_query(SkipCB.filter(), IsVerifiedOwner())
async def on_skip(
    query: CallbackQuery,
    callback_data: SkipCB,
    t: Translator,
    session: AsyncSession,
    owner: Owner,
    state: FSMContext,
    bot: Bot,
) -> None:
    """No comment: thank the owner and leave the survey."""
    await query.answer()
    await close_buttons(query)
    if await state.get_state() == SurveyFlow.comment.state:
        await state.clear()
    found = await surveys.state(session, callback_data.survey_id)
    mine = found if found is not None and found.owner.id == owner.id else None
    await bot.send_message(owner_chat(query), thanks(t, mine), reply_markup=main_menu(t))


@private.message(SurveyFlow.comment, F.text, NotMenu(), IsVerifiedOwner())
async def on_comment(
    message: Message,
    t: Translator,
    catalogs: Catalogs,
    session: AsyncSession,
    estate: Estate,
    owner: Owner,
    state: FSMContext,
    clock: Clock,
) -> None:
    """The optional comment; a low-scored survey's comment goes on to the staff group."""
    text = (message.text or "").strip()
    if len(text) > surveys.COMMENT_MAX:
        await message.answer(t("sv-comment-too-long", limit=str(surveys.COMMENT_MAX)))
        return
    survey_id = int((await state.get_data()).get("survey_id") or 0)
    await state.clear()
    result = await surveys.comment(
        session,
        survey_id=survey_id,
        owner_id=saved_id(owner),
        text=text,
        now=clock(),
        drafts=messages.comment_drafts(catalogs, estate),
    )
    if result.outcome != Answer.recorded:
        await message.answer(
            t(REFUSALS.get(result.outcome, "sv-stale")), reply_markup=main_menu(t)
        )
        return
    await message.answer(
        t("sv-comment-thanks") + "\n" + thanks(t, result.state), reply_markup=main_menu(t)
    )


@private.message(SurveyFlow.comment, NotMenu(), IsVerifiedOwner())
async def on_comment_unexpected(message: Message, t: Translator) -> None:
    """A photo or sticker where the comment is expected."""
    await message.answer(t("sv-comment-expected"))


# --- the staff side --------------------------------------------------------------------------


def _units(t: Translator, sample: surveys.Sample) -> str:
    shown = [f"{u.building}-{u.number}" for u in sample.units[:UNITS_SHOWN]]
    more = len(sample.units) - len(shown)
    return ", ".join(shown) + (f" … (+{more})" if more > 0 else "") if shown else "—"


async def _preview(
    message: Message, t: Translator, session: AsyncSession, estate: Estate, now: datetime
) -> None:
    quarter = Quarter.of(calendar.local(estate, now).date())
    sample = await surveys.sample(session, estate, quarter)
    await session.commit()  # the year's seed, drawn once and kept
    if sample.sent:
        await message.reply(
            t(
                "sv-preview-sent",
                quarter=quarter.label,
                count=sample.sent_count,
                eligible=str(sample.eligible),
                units=_units(t, sample),
            )
        )
        return
    if not sample.units:
        await message.reply(
            t("sv-preview-empty", quarter=quarter.label, eligible=str(sample.eligible))
        )
        return
    send = InlineKeyboardButton(
        text=t("sv-btn-send-now"),
        callback_data=SendQuarterCB(year=quarter.year, number=quarter.number).pack(),
    )
    await message.reply(
        t(
            "sv-preview",
            quarter=quarter.label,
            eligible=str(sample.eligible),
            count=str(len(sample.units)),
            units=_units(t, sample),
            day=surveys.first_working_day(estate, quarter).isoformat(),
        ),
        reply_markup=InlineKeyboardMarkup(inline_keyboard=[[send]]),
    )


async def _results(
    message: Message,
    t: Translator,
    session: AsyncSession,
    estate: Estate,
    now: datetime,
    period: str,
) -> None:
    quarter = Quarter.parse(period) if period else Quarter.of(calendar.local(estate, now).date())
    if quarter is None:
        await message.reply(t("sv-results-bad-period"))
        return
    days = kpis.Period.of_days(estate, quarter.first_day, quarter.next.first_day - timedelta(1))
    lines = [
        t(
            "sv-results-head",
            period=quarter.label,
            item_target=str(estate.target_satisfaction_item_pct),
            target=str(estate.target_satisfaction_pct),
        )
    ]
    for kind in (SurveyKind.quarterly, SurveyKind.post_service):
        # The one definition of satisfaction, as in /stats and the report.
        found = surveys.in_survey_order(await kpis.satisfaction(session, estate, days, kind))
        if not found.items:
            continue
        lines += ["", t(f"sv-results-kind-{kind.replace('_', '-')}", count=str(found.surveys))]
        for item in found.items:
            lines.append(
                t(
                    "sv-results-item",
                    flag=_flag(item.rate, estate.target_satisfaction_item_pct),
                    item=messages.item_label(t, item.item),
                    pct=_pct(item.rate),
                    count=str(item.answers),
                )
            )
        lines.append(
            t(
                "sv-results-overall",
                flag=_flag(found.overall, estate.target_satisfaction_pct),
                pct=_pct(found.overall),
            )
        )
    if len(lines) == 1:
        await message.reply(t("sv-results-none", period=quarter.label))
        return
    await message.reply("\n".join(lines))


def _pct(rate: kpis.Rate) -> str:
    return f"{rate.pct or 0:.1f}"


def _flag(rate: kpis.Rate, target: int) -> str:
    return "⚠️ " if rate.meets(target) is False else ""


async def show_waiting_surveys(
    message: Message, t: Translator, session: AsyncSession, estate: Estate, now: datetime
) -> None:
    """The post-service surveys waiting for their 10:00, with Send them now (for managers:
    `/survey due`, and `/jobs` when the survey job is run before any is due)."""
    waiting = await surveys.waiting_post_service(session, estate, now)
    if not waiting:
        await message.reply(t("sv-due-none"))
        return
    lines = [t("sv-due-head")]
    lines += [
        t(
            "sv-due-line",
            number=str(w.ticket_number),
            owner=w.owner_name,
            closed=messages.when(estate, w.closed_at),
            at=messages.when(estate, w.due_at),
        )
        for w in waiting[:WAITING_SHOWN]
    ]
    if len(waiting) > WAITING_SHOWN:
        lines.append(t("sv-due-more", count=str(len(waiting) - WAITING_SHOWN)))
    # The button sends what is listed (due by the last of them), not what closes after.
    send = InlineKeyboardButton(
        text=t("sv-btn-send-due"),
        callback_data=SendDueCB(until=int(waiting[-1].due_at.timestamp())).pack(),
    )
    await message.reply(
        "\n".join(lines), reply_markup=InlineKeyboardMarkup(inline_keyboard=[[send]])
    )


SurveyView = Callable[[Message, Translator, AsyncSession, Estate, datetime], Awaitable[None]]
# The /survey words only managers may use: what a colleague is told, and what is shown.
MANAGERS_ONLY: dict[str, tuple[str, SurveyView]] = {
    "quarter": ("sv-managers-only", _preview),
    "due": ("sv-due-managers-only", show_waiting_surveys),
}


@router.message(Command("survey"), IsActiveStaff())
async def survey_command(
    message: Message,
    command: CommandObject,
    t: Translator,
    session: AsyncSession,
    estate: Estate,
    staff_member: StaffMember,
    clock: Clock,
) -> None:
    """/survey quarter (managers: preview and send) · /survey due (managers: the post-service
    surveys waiting for their 10:00, to send now) · /survey results [YYYY-Qn]."""
    words = (command.args or "").split()
    action = words[0].casefold() if words else ""
    if action in MANAGERS_ONLY:
        refusal, show = MANAGERS_ONLY[action]
        if staff_member.role != StaffRole.manager:
            await message.reply(t(refusal))
            return
        await show(message, t, session, estate, clock())
        return
    if action == "results" and len(words) <= 2:
        await _results(message, t, session, estate, clock(), words[1] if len(words) == 2 else "")
        return
    await message.reply(t("sv-usage"))


@router.message(Command("survey"), IsStaffChat())
async def survey_refused(message: Message, t: Translator) -> None:
    """/survey from someone who is not active staff."""
    await refuse_non_staff(message, t)


def sent_text(t: Translator, estate: Estate, now: datetime, key: str, **args: str | int) -> str:
    """`key`, or `key`-held when sent during the quiet hours: the surveys then wait for their
    end, and the manager is told when owners get them."""
    until = calendar.quiet_until(estate, now)
    if until is None:
        return t(key, **args)
    at = calendar.local(estate, until).strftime("%H:%M")
    return t(f"{key}-held", quiet=estate.quiet_hours, at=at, **args)


@router.callback_query(SendQuarterCB.filter(), IsActiveStaff(roles=[StaffRole.manager]))
async def on_send_now(
    query: CallbackQuery,
    callback_data: SendQuarterCB,
    t: Translator,
    own_t: Translator,
    catalogs: Catalogs,
    session: AsyncSession,
    estate: Estate,
    staff_member: StaffMember,
    clock: Clock,
) -> None:
    """Send now: the quarter's sample gets its surveys, once (the popup in the presser's
    language, what was sent in the group's)."""
    now = clock()
    quarter = Quarter(callback_data.year, callback_data.number)
    if not 1 <= quarter.number <= surveys.QUARTERS:
        await query.answer(own_t("sv-stale"), show_alert=True)
        return
    sample = await surveys.send_quarterly(
        session,
        estate,
        quarter,
        now,
        f"staff:{staff_member.id}",
        messages.ask_drafts(catalogs, estate, now),
    )
    await close_buttons(query)
    if not sample.just_sent:
        await query.answer(own_t("sv-already-sent", quarter=quarter.label), show_alert=True)
        return
    await query.answer()
    if isinstance(query.message, Message):
        sent = sent_text(
            t, estate, now, "sv-sent-now", quarter=quarter.label, count=str(sample.sent_count)
        )
        await query.message.reply(sent)


@router.callback_query(SendDueCB.filter(), IsActiveStaff(roles=[StaffRole.manager]))
async def on_send_due(
    query: CallbackQuery,
    callback_data: SendDueCB,
    t: Translator,
    own_t: Translator,
    catalogs: Catalogs,
    session: AsyncSession,
    estate: Estate,
    clock: Clock,
) -> None:
    """Send now: the waiting post-service surveys go out at once instead of at their 10:00
    (survey fatigue and the other rules still apply)."""
    now = clock()
    report = await surveys.send_post_service(
        session,
        estate,
        now,
        messages.ask_drafts(catalogs, estate, now),
        due_by=datetime.fromtimestamp(callback_data.until, UTC),
    )
    await close_buttons(query)
    if not report.sent:
        await query.answer(own_t("sv-due-nothing"), show_alert=True)
        return
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.reply(sent_text(t, estate, now, "sv-due-sent", count=report.sent))


@router.callback_query(SendDueCB.filter())
async def on_send_due_refused(query: CallbackQuery, own_t: Translator) -> None:
    """Send now pressed by anyone but a manager: nothing is sent."""
    await query.answer(own_t("sv-due-managers-only"), show_alert=True)


@router.callback_query(SendQuarterCB.filter())
async def on_send_refused(query: CallbackQuery, own_t: Translator) -> None:
    """Send now pressed by anyone but a manager: nothing is sent."""
    await query.answer(own_t("sv-managers-only"), show_alert=True)


# --- /ticket N -------------------------------------------------------------------------------


async def ticket_lines(
    t: Translator, session: AsyncSession, estate: Estate, ticket_id: int, now: datetime
) -> list[str]:
    """The post-service survey and the call-back tasks of a ticket, for `/ticket N` (the
    close-time stars are on the card itself)."""
    tz = ZoneInfo(estate.time_zone)
    lines: list[str] = []
    found = await surveys.latest_for_ticket(session, ticket_id)
    if found is not None and found.answers:
        scores = " · ".join(
            f"{messages.item_label(t, item)} {score}/5" for item, score in found.scores()
        )
        lines.append(t("sv-ticket-survey", scores=scores))
        if found.comment:
            lines.append(t("sv-ticket-survey-comment", text=found.comment))
    elif found is not None and found.survey.sent_at is not None:
        at = found.survey.sent_at.astimezone(tz).strftime("%m-%d %H:%M")
        if found.expired(now):
            lines.append(t("sv-ticket-survey-expired", at=at))
        else:
            until = (found.survey.expires_at or now).astimezone(tz).strftime("%m-%d %H:%M")
            lines.append(t("sv-ticket-survey-waiting", at=at, until=until))
    for task in await call_backs.tasks_of_ticket(session, ticket_id):
        due = (task.due_at or task.slot_end).astimezone(tz).strftime("%m-%d %H:%M")
        status = t(f"task-status-{task.status}")
        if call_backs.is_overdue(task, now):
            status = f"⚠️ {status}"
        origin = Html(t(f"task-origin-{task.origin.replace('_', '-')}"))
        lines.append(t("sv-ticket-task", origin=origin, due=due, status=Html(status)))
    return lines
