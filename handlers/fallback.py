"""Last resort: anything no other router took gets the menu (private) or nothing (groups).

A verified owner who simply writes what is wrong ("my kitchen sink is leaking", "人工客服")
is offered to turn that text into a repair or a complaint (the text is the description, so
that step is skipped) or a call-back about it, instead of "did not understand".
"""

import secrets
from enum import StrEnum

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.i18n import Catalogs, Translator
from handlers import callback_booking, ticket_form
from handlers.filters import IsVerifiedOwner
from handlers.keyboards import MENU_KEYS, Buttons, close_buttons, main_menu
from storage import tickets
from storage.models import Estate, Owner, OwnerStatus, StaffMember, TicketKind

router = Router(name=__name__)

# The text offered, kept in the (state-less) conversation data until a button is pressed.
OFFER = "offered_text"
# How much of the text the offer quotes back (all of it is kept for the request).
OFFER_QUOTE_MAX = 200


class OfferAction(StrEnum):
    repair = "repair"
    complaint = "complaint"
    callback = "callback"


class OfferCB(CallbackData, prefix="fbo"):
    """What to make of the text the owner wrote; `ref` ties the button to that very text."""

    action: OfferAction
    ref: str


def offer_markup(t: Translator, ref: str) -> InlineKeyboardMarkup:
    buttons = Buttons()
    buttons.button(
        text=t("fallback-btn-repair"), callback_data=OfferCB(action=OfferAction.repair, ref=ref)
    )
    buttons.button(
        text=t("fallback-btn-complaint"),
        callback_data=OfferCB(action=OfferAction.complaint, ref=ref),
    )
    buttons.button(
        text=t("fallback-btn-callback"),
        callback_data=OfferCB(action=OfferAction.callback, ref=ref),
    )
    buttons.adjust(2, 1)
    return buttons.as_markup()


def worth_offering(message: Message) -> bool:
    """Words, not a command and not only emoji or punctuation."""
    text = (message.text or "").strip()
    return bool(text) and not text.startswith("/") and tickets.meaningful_length(text) > 0


@router.message(
    F.chat.type == "private", StateFilter(None), F.text, worth_offering, IsVerifiedOwner()
)
async def offer_request(message: Message, t: Translator, state: FSMContext) -> None:
    """Plain words outside any flow: offer a repair, a complaint or a call-back about them."""
    text = (message.text or "").strip()
    ref = secrets.token_hex(4)
    await state.set_data({OFFER: {"ref": ref, "text": text}})
    await message.answer(
        t("fallback-offer", text=text[:OFFER_QUOTE_MAX]),
        reply_markup=offer_markup(t, ref),
    )


@router.callback_query(OfferCB.filter(), IsVerifiedOwner())
async def offer_taken(
    query: CallbackQuery,
    callback_data: OfferCB,
    t: Translator,
    session: AsyncSession,
    estate: Estate,
    owner: Owner,
    state: FSMContext,
    clock: Clock,
) -> None:
    """Start what was chosen with the owner's text; a button of an older offer, or pressed
    once something else was started, explains and does nothing."""
    offered = (await state.get_data()).get(OFFER)
    current = await state.get_state()
    if (
        current is not None
        or not isinstance(offered, dict)
        or offered.get("ref") != callback_data.ref
    ):
        await query.answer(t("fallback-offer-stale"), show_alert=True)
        return
    await query.answer()
    await close_buttons(query)
    text = str(offered.get("text") or "")
    if callback_data.action is OfferAction.callback:
        anchor = callback_booking.anchor_of(query)
        await callback_booking.book_about(anchor, t, session, estate, owner, state, clock(), text)
        return
    repair = callback_data.action is OfferAction.repair
    kind = TicketKind.repair if repair else TicketKind.complaint
    ctx = ticket_form.ctx_of(query, t, session, estate, owner, state, clock)
    # Too short or too long for a description: the flow asks for one as usual.
    description = text if ticket_form.description_problem(t, text) is None else None
    await ticket_form.begin(ctx, kind, description=description)


def media_reply(message: Message) -> str | None:
    """What to say to a sticker, a voice note or a location: the bot reads words and photos
    only, so it says which, kindly, instead of "did not understand"."""
    if message.sticker is not None:
        return "fallback-sticker"
    if message.voice is not None or message.audio is not None or message.video_note is not None:
        return "fallback-voice"
    if message.location is not None or message.venue is not None:
        return "fallback-location"
    return None


@router.message(F.chat.type == "private")
async def anything_else(
    message: Message,
    t: Translator,
    catalogs: Catalogs,
    owner: Owner | None,
    staff_member: StaffMember | None = None,
) -> None:
    """Free text that fits no step gets the menu or the owner's status, never silence.
    (Rejected applicants are answered by the onboarding router.)"""
    if owner is None and staff_member is not None:
        await message.answer(t("fallback-staff", name=staff_member.name))
    elif owner is None and catalogs.match(message.text, *MENU_KEYS):
        await message.answer(t("menu-status-unregistered"))
    elif owner is None:
        await message.answer(t("fallback-start"))
    elif owner.status == OwnerStatus.verified:
        await message.answer(t(media_reply(message) or "menu-unknown"), reply_markup=main_menu(t))
    else:
        await message.answer(t("menu-status-pending"))


@router.callback_query()
async def unknown_button(query: CallbackQuery, t: Translator) -> None:
    """A button from an old message that nothing handles any more: say so, change nothing."""
    await query.answer(t("common-stale-button"), show_alert=True)
