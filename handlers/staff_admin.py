"""Staff bootstrap in the group: /bind, /staff, /pending and the registration decisions."""

import contextlib
import logging
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Self
from zoneinfo import ZoneInfo

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    User,
)
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.i18n import Catalogs, Translator
from bot.settings import Settings
from bot.texts import role_name
from handlers import notifications
from handlers.filters import (
    IsActiveStaff,
    IsStaffChat,
    RepliedAbout,
    refuse_non_staff,
    refuse_not_manager,
)
from handlers.keyboards import main_menu, set_buttons
from storage import estates, keys, outbox, owners, staff, tickets
from storage.db import UnsavedRowError
from storage.models import Estate, Owner, OwnerStatus, StaffMember, StaffRole
from storage.outbox import Draft

log = logging.getLogger("frontdoor.staff")

router = Router(name=__name__)
# Its handlers for private chats: the staff group's router is gated on group chats
# (handlers/__init__.py).
private = Router(name=f"{__name__}.private")

NAME_MAX = 64
ROLE_WORDS = {
    "agent": StaffRole.agent,
    "客服": StaffRole.agent,
    "technician": StaffRole.technician,
    "tech": StaffRole.technician,
    "维修": StaffRole.technician,
    "cashier": StaffRole.cashier,
    "收费": StaffRole.cashier,
    "manager": StaffRole.manager,
    "主管": StaffRole.manager,
}


class Decide(StrEnum):
    """What a button on a registration card does."""

    approve = "ok"
    # A unit the register lacks is added only when staff choose this button.
    create_and_approve = "new"
    # The second step of approving a name the register does not have for the unit.
    approve_confirmed = "okc"
    # Reject asks why (the owner is told): a reply to the question, or reject without a reason.
    reject = "no"
    reject_plain = "np"
    # Not rejecting after all: the question goes.
    keep = "keep"
    # Back to the card's own buttons (from the confirmation).
    back = "back"


class OwnerDecisionCb(CallbackData, prefix="ownr"):
    action: Decide
    owner_id: int
    # Which of the person's requests the card is about: after a rejection they may ask again.
    request_no: int

    @classmethod
    def unpack(cls, value: str) -> Self:
        # Cards posted before anyone could ask again carry no number: they are about the first.
        if value.count(cls.__separator__) == 2:
            value = f"{value}{cls.__separator__}1"
        return super().unpack(value)


def claimed_label(owner: Owner) -> str:
    return f"{owner.claimed_building or '?'}-{owner.claimed_unit or '?'}"


def owner_status_name(t: Translator, status: OwnerStatus) -> str:
    return t(f"staff-owner-{status}")


def request_key(claim: owners.Claim, part: str) -> str:
    return keys.registration(claim.owner.id, claim.request_no, part)


def _register_lines(t: Translator, claim: owners.Claim) -> list[str]:
    """Whose flat the register says it is (names only: other owners' phones stay private)."""
    if not claim.unit_exists:
        return [t("staff-pending-unit-new")]
    if not claim.holders:
        return [t("staff-pending-unit-known")]
    lines = [t("staff-pending-holders")]
    lines += [
        t("staff-pending-holder", name=h.name, status=owner_status_name(t, h.status))
        for h in claim.holders
    ]
    if claim.name_differs:
        lines.append(t("staff-pending-name-differs", name=claim.owner.name))
    else:
        lines.append(t("staff-pending-name-matches"))
    return lines


def pending_card_text(t: Translator, claim: owners.Claim) -> str:
    owner = claim.owner
    head = t(
        "staff-pending-card",
        id=str(owner.id),
        name=owner.name,
        unit=claimed_label(owner),
        phone=owner.phone or "—",
    )
    again = [t("staff-pending-again")] if claim.request_no > 1 else []
    return "\n".join([head, *again, *_register_lines(t, claim)])


def decision_button(
    t: Translator, key: str, claim: owners.Claim, action: Decide
) -> InlineKeyboardButton:
    if claim.owner.id is None:
        raise UnsavedRowError("owner_id: not saved yet")
    data = OwnerDecisionCb(action=action, owner_id=claim.owner.id, request_no=claim.request_no)
    text = t(key, unit=claimed_label(claim.owner))
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def pending_card_markup(t: Translator, claim: owners.Claim) -> InlineKeyboardMarkup:
    """Approve (or "create the unit and approve" when the register lacks it) and Reject."""
    if claim.unit_exists:
        approve = decision_button(t, "staff-pending-approve", claim, Decide.approve)
    else:
        approve = decision_button(t, "staff-pending-create-unit", claim, Decide.create_and_approve)
    reject = decision_button(t, "staff-pending-reject", claim, Decide.reject)
    return InlineKeyboardMarkup(inline_keyboard=[[approve, reject]])


def confirm_markup(t: Translator, claim: owners.Claim) -> InlineKeyboardMarkup:
    """The name differs from the register: approving needs a second, explicit press."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [decision_button(t, "staff-pending-confirm", claim, Decide.approve_confirmed)],
            [decision_button(t, "staff-pending-back", claim, Decide.back)],
        ]
    )


def pending_card_draft(t: Translator, chat_id: int, claim: owners.Claim) -> Draft:
    """The request card for the staff group, in the staff group's language."""
    return Draft(
        dedupe_key=request_key(claim, "pending-card"),
        chat_id=chat_id,
        text=pending_card_text(t, claim),
        subject=keys.owner_subject(claim.owner.id),
        params={"reply_markup": pending_card_markup(t, claim).model_dump(exclude_none=True)},
    )


def rejection_text(t: Translator, estate: Estate, key: str, **args: str) -> str:
    """A "not approved" text for the person, with the office phone when the estate has one."""
    text = t(key, **args)
    if estate.emergency_phone:
        text += "\n" + t("onb-office-phone", phone=estate.emergency_phone)
    return text


def _is_admin(user: User | None, settings: Settings) -> bool:
    return user is not None and user.id in settings.admin_ids


@private.message(Command("bind"), F.chat.type == "private")
async def bind_in_private(message: Message, t: Translator) -> None:
    """/bind only makes sense in the group that should become the staff group."""
    await message.answer(t("staff-bind-private"))


@router.message(Command("bind"))
async def bind(
    message: Message,
    session: AsyncSession,
    settings: Settings,
    estate: Estate,
    catalogs: Catalogs,
    clock: Clock,
    t: Translator,
) -> None:
    """Make this group the default estate's staff group (admins only)."""
    if not _is_admin(message.from_user, settings):
        await refuse_non_staff(message, t)
        return
    if not (message.from_user is not None and estate.id is not None):
        raise RuntimeError("a private message without a sender, or an unsaved estate")
    staff_t = catalogs.translator(estate.locale)
    if estate.staff_chat_id == message.chat.id:
        await message.answer(staff_t("staff-bind-already", estate=estate.name))
        return
    now = clock()
    # Tickets opened while no group was bound never got a card: post them now, so the group
    # sees every open request, not only the ones that come after /bind.
    open_tickets = await tickets.queue(session, estate.id, now)
    posted = await outbox.known_keys(
        session, [keys.ticket_card(v.ticket.id) for v in open_tickets]
    )
    unseen = sorted(
        (v for v in open_tickets if keys.ticket_card(v.ticket.id) not in posted),
        key=lambda v: v.ticket.number,
    )
    tz = ZoneInfo(estate.time_zone)
    catch_up = [
        draft
        for view in unseen
        for draft in notifications.first_card(staff_t, view, now, tz, message.chat.id)
    ]
    await estates.bind_staff_chat(
        session,
        estate.id,
        message.chat.id,
        actor=f"admin:{message.from_user.id}",
        catch_up=catch_up,
    )
    await message.answer(staff_t("staff-bind-done", estate=estate.name))
    waiting = await owners.list_pending(session, estate.id)
    if waiting:
        await message.answer(staff_t("staff-bind-pending", count=len(waiting)))
    if unseen:
        await message.answer(staff_t("staff-bind-open-tickets", count=len(unseen)))


def _manager_or_admin(
    user: User | None, settings: Settings, staff_member: StaffMember | None
) -> bool:
    return _is_admin(user, settings) or (
        staff_member is not None and staff_member.role == StaffRole.manager
    )


EMERGENCY_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{1,30}$")


@router.message(Command("emergency"), IsStaffChat())
async def emergency_phone(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    settings: Settings,
    estate: Estate,
    staff_member: StaffMember | None,
    t: Translator,
) -> None:
    """/emergency shows, /emergency NUMBER sets (managers, admins) the urgent-repair number."""
    if staff_member is None and not _is_admin(message.from_user, settings):
        await refuse_non_staff(message, t)
        return
    value = (command.args or "").strip()
    if not value:
        key = "staff-emergency-current" if estate.emergency_phone else "staff-emergency-none"
        await message.reply(t(key, phone=estate.emergency_phone))
        return
    if not _manager_or_admin(message.from_user, settings, staff_member):
        await refuse_not_manager(message, staff_member, t)
        return
    if value.casefold() in ("off", "none", "-", "无"):
        value = ""
    elif not EMERGENCY_PHONE.fullmatch(value):
        await message.reply(t("staff-emergency-usage"))
        return
    if not (estate.id is not None and message.from_user is not None):
        raise RuntimeError("a private message without a sender, or an unsaved estate")
    await estates.set_emergency_phone(
        session, estate.id, value, actor=f"telegram:{message.from_user.id}"
    )
    key = "staff-emergency-set" if value else "staff-emergency-cleared"
    await message.reply(t(key, phone=value))


@private.message(Command("staff"), F.chat.type == "private")
async def staff_in_private(message: Message, t: Translator) -> None:
    """Staff management happens in the staff group, where everyone can see it."""
    await message.answer(t("staff-group-only"))


@router.message(Command("staff"), IsStaffChat())
async def staff_command(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    settings: Settings,
    estate: Estate,
    staff_member: StaffMember | None,
    t: Translator,
) -> None:
    """/staff, /staff add …, /staff remove … for admins and managers."""
    args = (command.args or "").split()
    sub = args[0].casefold() if args else ""
    if sub == "":
        if staff_member is None and not _is_admin(message.from_user, settings):
            await refuse_non_staff(message, t)
            return
        await _list_staff(message, session, estate, t)
        return
    if not _manager_or_admin(message.from_user, settings, staff_member):
        await refuse_not_manager(message, staff_member, t)
        return
    if sub == "add":
        await _add_staff(message, args[1:], session, estate, t)
    elif sub == "remove":
        await _remove_staff(message, args[1:], session, estate, t)
    else:
        await message.reply(t("staff-usage"))


@router.message(Command("staff"))
async def staff_outside_staff_chat(message: Message, settings: Settings, t: Translator) -> None:
    """A group that is not bound yet: admins are told to /bind first, others are refused."""
    if _is_admin(message.from_user, settings):
        await message.reply(t("staff-bind-first"))
    else:
        await refuse_non_staff(message, t)


async def _list_staff(
    message: Message, session: AsyncSession, estate: Estate, t: Translator
) -> None:
    if estate.id is None:
        raise UnsavedRowError("estate.id: not saved yet")
    members = await staff.list_active(session, estate.id)
    if not members:
        await message.answer(t("staff-list-empty"))
        return
    lines = [t("staff-list-header", count=len(members))]
    lines += [
        t(
            "staff-list-item",
            name=m.name,
            role=role_name(t, m.role),
            user_id=str(m.telegram_user_id),
            username=f" @{m.username}" if m.username else "",
        )
        for m in members
    ]
    await message.answer("\n".join(lines))


async def _actor(message: Message, session: AsyncSession, estate_id: int) -> str:
    """Who changes the staff list, for the audit: the staff member, else the admin (an admin
    need not be staff) by Telegram user id."""
    user_id = message.from_user.id if message.from_user else None
    member = await staff.active_member(session, estate_id, user_id or 0)
    if member is not None:
        return f"staff:{member.id}"
    return f"admin:{user_id or '?'}"


async def _target(
    message: Message, word: str | None, session: AsyncSession, estate: Estate, t: Translator
) -> tuple[int, str | None] | None:
    """Who the command is about: the replied-to person, a numeric id or a known @username.

    Replies with the reason and returns None when it cannot tell.
    """
    if estate.id is None:
        raise UnsavedRowError("estate.id: not saved yet")
    if word is None:
        replied = message.reply_to_message.from_user if message.reply_to_message else None
        if replied is None:
            await message.reply(t("staff-usage"))
            return None
        if replied.is_bot:
            await message.reply(t("staff-no-bots"))
            return None
        return replied.id, replied.username
    if word.startswith("@"):
        known = await staff.by_username(session, estate.id, word)
        if known is None:
            await message.reply(t("staff-unknown-username", username=word))
            return None
        return known.telegram_user_id, known.username
    if not word.isdigit() or not 0 < int(word) < 2**52:
        await message.reply(t("staff-bad-target", target=word))
        return None
    return int(word), None


async def _add_staff(
    message: Message, args: list[str], session: AsyncSession, estate: Estate, t: Translator
) -> None:
    if estate.id is None:
        raise UnsavedRowError("estate.id: not saved yet")
    replying = message.reply_to_message is not None
    if len(args) < (2 if replying else 3):
        await message.reply(t("staff-usage"))
        return
    role = ROLE_WORDS.get(args[-1].casefold())
    if role is None:
        await message.reply(t("staff-bad-role", role=args[-1]))
        return
    target_word = None if replying else args[0]
    name = " ".join(args[:-1] if replying else args[1:-1]).strip()
    if not 0 < len(name) <= NAME_MAX:
        await message.reply(t("staff-bad-name", max=str(NAME_MAX)))
        return
    target = await _target(message, target_word, session, estate, t)
    if target is None:
        return
    user_id, username = target
    member = await staff.add(
        session,
        estate_id=estate.id,
        telegram_user_id=user_id,
        name=name,
        role=role,
        actor=await _actor(message, session, estate.id),
        username=username,
    )
    await message.reply(t("staff-added", name=member.name, role=role_name(t, role)))


async def _remove_staff(
    message: Message, args: list[str], session: AsyncSession, estate: Estate, t: Translator
) -> None:
    if estate.id is None:
        raise UnsavedRowError("estate.id: not saved yet")
    replying = message.reply_to_message is not None
    if len(args) > 1 or (not args and not replying):
        await message.reply(t("staff-usage"))
        return
    target = await _target(message, args[0] if args else None, session, estate, t)
    if target is None:
        return
    removed = await staff.remove(
        session,
        estate_id=estate.id,
        telegram_user_id=target[0],
        actor=await _actor(message, session, estate.id),
    )
    if removed is None:
        await message.reply(t("staff-not-staff"))
        return
    await message.reply(t("staff-removed", name=removed.name))


@router.message(Command("pending"), IsActiveStaff())
async def pending(message: Message, session: AsyncSession, estate: Estate, t: Translator) -> None:
    """List registration requests still waiting, each with its Approve / Reject buttons."""
    if estate.id is None:
        raise UnsavedRowError("estate.id: not saved yet")
    waiting = await owners.list_pending(session, estate.id)
    if not waiting:
        await message.answer(t("staff-pending-none"))
        return
    for owner in waiting:
        claim = await owners.claim_of(session, owner)
        await message.answer(
            pending_card_text(t, claim), reply_markup=pending_card_markup(t, claim)
        )


@router.message(Command("pending"), F.chat.type != "private")
async def pending_refused(message: Message, t: Translator) -> None:
    """Only active staff in the staff group see registration requests."""
    await refuse_non_staff(message, t)


async def _decider_name(session: AsyncSession, owner: Owner) -> str:
    member = await staff.get(session, owner.decided_by) if owner.decided_by else None
    return member.name if member else "—"


async def _open_claim(
    session: AsyncSession, estate: Estate, owner_id: int, request_no: int, t: Translator
) -> owners.Claim | str:
    """The request a button or a reply is about while it waits, else why not."""
    owner = await owners.get(session, owner_id)
    if owner is None or owner.estate_id != estate.id:
        return t("staff-pending-gone")
    if owner.status != OwnerStatus.pending:
        return t("staff-pending-already", staff=await _decider_name(session, owner))
    claim = await owners.claim_of(session, owner)
    if claim.request_no != request_no:
        return t("staff-pending-superseded")
    return claim


@dataclass(frozen=True)
class Settled:
    """What the decider is told, and the request card's new text once this decided it."""

    text: str
    alert: bool
    card: str | None = None
    unit_missing: bool = False
    # The decider's popup, in their own language (`text` is the group's).
    popup: str = ""


@dataclass(frozen=True)
class Decider:
    """Who decides a request, where, and in which languages (the group's, and their own)."""

    session: AsyncSession
    estate: Estate
    staff_member: StaffMember
    catalogs: Catalogs
    clock: Clock
    t: Translator
    own_t: Translator


async def _settle(
    decider: Decider,
    claim: owners.Claim,
    *,
    approve: bool,
    create_unit: bool = False,
    reason: str | None = None,
    edited_directly: int | None = None,
) -> Settled:
    """Approve or reject the request: the owner is told in their own language (a rejection
    with the reason staff gave), the card shows the decision (in the group's language `t`; the
    decider's popup in `own_t`). `edited_directly` is the staff
    group's message the caller edits at once; the card is otherwise edited through the outbox."""
    session, estate, staff_member = decider.session, decider.estate, decider.staff_member
    catalogs, clock, t, own_t = decider.catalogs, decider.clock, decider.t, decider.own_t
    owner = claim.owner
    if estate.id is None or staff_member.id is None or owner.id is None:
        raise UnsavedRowError("estate.id, staff_member.id, owner.id: not saved yet")
    owner_t = catalogs.translator(owner.language or estate.locale)
    drafts = []
    if owner.chat_id is not None:
        if approve:
            text = owner_t("onb-approved", name=owner.name, unit=claimed_label(owner))
            markup = main_menu(owner_t).model_dump(exclude_none=True)
            params = {"reply_markup": markup}
        else:
            key = "onb-rejected-reason" if reason else "onb-rejected"
            text = rejection_text(owner_t, estate, key, name=owner.name, reason=reason or "")
            params = {"reply_markup": {"remove_keyboard": True}}
        drafts.append(
            Draft(
                dedupe_key=request_key(claim, "decision"),
                chat_id=owner.chat_id,
                text=text,
                subject=keys.owner_subject(owner.id),
                params=params,
            )
        )
    # Staff decided to link someone whose name the register does not know for this unit:
    # say it again, so nobody takes the approval for a match.
    warn = approve and claim.name_differs

    def outcome(t: Translator) -> str:
        text = t(
            "staff-pending-approved" if approve else "staff-pending-rejected",
            staff=staff_member.name,
        )
        if reason:
            text += "\n" + t("staff-pending-rejected-reason", reason=reason)
        if warn:
            text += "\n" + t("staff-pending-approved-differs")
        return text

    result = outcome(t)
    decided_card = f"{pending_card_text(t, claim)}\n\n{result}"
    card_id = await outbox.sent_message_id(session, request_key(claim, "pending-card"))
    if estate.staff_chat_id is not None and (card_id is None or edited_directly != card_id):
        # The request's own card shows the decision, also when it was taken on a /pending copy
        # or by a reply; edited directly (pressed on the card itself), that edit is the only one.
        drafts.append(
            Draft(
                dedupe_key=request_key(claim, "decided-card"),
                chat_id=estate.staff_chat_id,
                text=decided_card,
                method="editMessageText",
                subject=keys.owner_subject(owner.id),
                params={"message_id": {"$message_id_of": request_key(claim, "pending-card")}},
            )
        )
    decision = await owners.decide(
        session,
        estate_id=estate.id,
        owner_id=owner.id,
        approve=approve,
        staff_id=staff_member.id,
        at=clock(),
        drafts=drafts,
        create_unit=create_unit,
        reason=reason,
    )
    if decision.outcome == owners.DecisionOutcome.unit_missing:
        text = own_t("staff-pending-unit-missing")
        return Settled(text, alert=True, unit_missing=True, popup=text)
    if decision.owner is None or decision.outcome == owners.DecisionOutcome.already_decided:
        name = await _decider_name(session, decision.owner) if decision.owner else "—"
        text = own_t("staff-pending-already", staff=name)
        return Settled(text, alert=True, popup=text)
    return Settled(result, alert=warn, card=decided_card, popup=outcome(own_t))


async def _edit(bot: Bot, message: Message, text: str) -> None:
    """Show the decision on a message in the staff group at once (its buttons go)."""
    try:
        await bot.edit_message_text(
            text=text, chat_id=message.chat.id, message_id=message.message_id
        )
    except TelegramBadRequest as exc:
        if outbox.NOT_MODIFIED not in exc.message:
            log.warning("could not edit the request card error=%s", type(exc).__name__)
    except TelegramAPIError as exc:
        log.warning("could not edit the request card error=%s", type(exc).__name__)


def reject_ask_markup(t: Translator, claim: owners.Claim) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [decision_button(t, "staff-pending-reject-plain", claim, Decide.reject_plain)],
            [decision_button(t, "staff-pending-keep", claim, Decide.keep)],
        ]
    )


async def _ask_reason(
    query: CallbackQuery,
    pressed: Message,
    session: AsyncSession,
    staff_member: StaffMember,
    claim: owners.Claim,
    clock: Clock,
    bot: Bot,
    t: Translator,
    own_t: Translator,
) -> None:
    """Reject asks for the reason the owner will hear: a reply to the question, or the
    question's 'Reject without a reason'. The question is remembered, so a reply finds it."""
    owner = claim.owner
    asked = await bot.send_message(
        chat_id=pressed.chat.id,
        text=t(
            "staff-pending-reject-ask",
            staff=staff_member.name,
            id=str(owner.id),
            name=owner.name,
            unit=claimed_label(owner),
        ),
        reply_to_message_id=pressed.message_id,
        reply_markup=reject_ask_markup(t, claim),
    )
    await outbox.remember(
        session,
        chat_id=asked.chat.id,
        message_id=asked.message_id,
        subject=keys.rejecting(owner.id, claim.request_no),
        at=clock(),
    )
    await query.answer(own_t("staff-pending-reject-asked"))


@router.callback_query(OwnerDecisionCb.filter(), IsActiveStaff())
async def decide(
    query: CallbackQuery,
    callback_data: OwnerDecisionCb,
    session: AsyncSession,
    estate: Estate,
    staff_member: StaffMember,
    catalogs: Catalogs,
    clock: Clock,
    bot: Bot,
    t: Translator,
    own_t: Translator,
) -> None:
    """Approve or reject a registration request; the owner hears about it via the outbox."""
    action = callback_data.action
    claim = await _open_claim(
        session, estate, callback_data.owner_id, callback_data.request_no, own_t
    )
    if isinstance(claim, str):
        await query.answer(claim, show_alert=True)
        return
    pressed = query.message if isinstance(query.message, Message) else None
    if pressed is not None and pressed.chat.id != estate.staff_chat_id:
        pressed = None
    if action == Decide.back:
        await query.answer()
        await set_buttons(query, pending_card_markup(t, claim))
        return
    if action == Decide.keep:
        # The question goes; the card's own buttons still decide.
        await query.answer(own_t("staff-pending-kept"))
        if pressed is not None:
            with contextlib.suppress(TelegramAPIError):
                await bot.delete_message(chat_id=pressed.chat.id, message_id=pressed.message_id)
        return
    if action == Decide.reject and pressed is not None:
        await _ask_reason(query, pressed, session, staff_member, claim, clock, bot, t, own_t)
        return
    if action == Decide.approve and not claim.unit_exists:
        # A card from before the unit check, or the unit was removed: creating it is a choice.
        await query.answer(own_t("staff-pending-unit-missing"), show_alert=True)
        await set_buttons(query, pending_card_markup(t, claim))
        return
    if action == Decide.approve and claim.name_differs:
        await query.answer(
            own_t("staff-pending-confirm-ask", name=claim.owner.name), show_alert=True
        )
        await set_buttons(query, confirm_markup(t, claim))
        return
    # Pressed on the question, the question shows the outcome; the card is edited for it.
    on_question = action == Decide.reject_plain
    decider = Decider(session, estate, staff_member, catalogs, clock, t, own_t)
    settled = await _settle(
        decider,
        claim,
        approve=action not in (Decide.reject, Decide.reject_plain),
        create_unit=action == Decide.create_and_approve,
        edited_directly=None if pressed is None or on_question else pressed.message_id,
    )
    if settled.unit_missing:
        await query.answer(settled.popup, show_alert=True)
        await set_buttons(query, pending_card_markup(t, claim))
        return
    await query.answer(settled.popup, show_alert=settled.alert)
    if settled.card is not None and pressed is not None:
        # At once on the pressed message (the card, a /pending copy of it, or the question).
        await _edit(bot, pressed, settled.text if on_question else settled.card)


REASON_MIN = 2
REASON_MAX = 300


# A reply to the bot's "why is it rejected?" question; `rejecting` is (owner id, request number).
@router.message(
    IsActiveStaff(), F.text, ~F.text.startswith("/"), RepliedAbout("rejecting", keys.rejecting_of)
)
async def reject_with_reason(
    message: Message,
    rejecting: tuple[int, int],
    session: AsyncSession,
    estate: Estate,
    staff_member: StaffMember,
    catalogs: Catalogs,
    clock: Clock,
    bot: Bot,
    t: Translator,
) -> None:
    """The reply is the reason: the request is rejected and the owner told why."""
    reason = (message.text or "").strip()
    if tickets.meaningful_length(reason) < REASON_MIN or len(reason) > REASON_MAX:
        await message.reply(t("staff-pending-reason-bad", max=str(REASON_MAX)))
        return
    claim = await _open_claim(session, estate, *rejecting, t)
    if isinstance(claim, str):
        await message.reply(claim)
        return
    # A reply is read by the group: the decider is told in the group's language.
    decider = Decider(session, estate, staff_member, catalogs, clock, t, t)
    settled = await _settle(
        decider,
        claim,
        approve=False,
        reason=reason,
    )
    question = message.reply_to_message
    if settled.card is None or question is None:
        await message.reply(settled.text)
        return
    await _edit(bot, question, settled.text)


@router.callback_query(OwnerDecisionCb.filter())
async def decide_refused(query: CallbackQuery, own_t: Translator) -> None:
    """Anyone but active staff in the staff group pressing Approve / Reject changes nothing."""
    await refuse_non_staff(query, own_t)
