"""Owner onboarding: /start, language, own-contact check, register match or a pending request
(building and unit checked against the register, a summary to check before it goes to staff)."""

import re
from enum import StrEnum

from aiogram import F, Router
from aiogram.filters import Command, CommandStart, StateFilter, or_f
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message, ReplyKeyboardMarkup
from aiogram.utils.keyboard import ReplyKeyboardBuilder
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Catalogs, Translator
from bot.settings import LOCALES
from handlers.edits import unchanged_is_done
from handlers.filters import ButtonsOf
from handlers.keyboards import (
    Buttons,
    TextKey,
    cancel_keyboard,
    close_buttons,
    main_menu,
    remove_keyboard,
)
from handlers.staff_admin import pending_card_draft, rejection_text
from storage import owners, tickets, units
from storage.db import UnsavedRowError
from storage.models import Estate, Owner, OwnerStatus, Unit
from storage.outbox import Draft

router = Router(name=__name__)
router.message.filter(F.chat.type == "private")
router.callback_query.filter(ButtonsOf(router), F.message.chat.type == "private")

PLACE_MAX = 64
NAME_MAX = 100
NAME_MIN_LETTERS = 2


class Onboarding(StatesGroup):
    language = State()
    contact = State()
    building = State()
    unit = State()
    name = State()
    summary = State()


async def rejected_owner(message: Message, owner: Owner | None = None) -> bool:
    """Someone whose registration request was rejected (the last one, if they asked again)."""
    return owner is not None and owner.status == OwnerStatus.rejected


# The registration steps and the answer to a rejected applicant, after /start and /language:
# one check skips them all for a registered owner outside registration.
steps = Router(name=f"{__name__}.steps")
steps.message.filter(or_f(StateFilter(Onboarding), rejected_owner))
router.include_router(steps)


class LanguageCb(CallbackData, prefix="lang"):
    code: str


class PrimaryUnitCb(CallbackData, prefix="prim"):
    unit_id: int


def unit_label(unit: Unit) -> str:
    return f"{unit.building}-{unit.number}"


def language_keyboard(
    t: Translator, current: str, data: type[LanguageCb] | None = None
) -> InlineKeyboardMarkup:
    """English / 中文, the current choice ticked (`data`: whose choice, an owner's by default)."""
    labels = {"en": t("lang-english"), "zh": t("lang-chinese")}
    builder = Buttons()
    for code in LOCALES:
        label = f"✅ {labels[code]}" if code == current else labels[code]
        builder.button(text=label, callback_data=(data or LanguageCb)(code=code))
    return builder.as_markup()


def contact_keyboard(t: Translator) -> ReplyKeyboardMarkup:
    builder = ReplyKeyboardBuilder()
    builder.button(text=t("onb-share-phone"), request_contact=True)
    builder.button(text=t("common-cancel"))
    builder.adjust(1)
    return builder.as_markup(resize_keyboard=True, one_time_keyboard=True)


async def flow_translator(state: FSMContext, t: Translator, catalogs: Catalogs) -> Translator:
    """Someone not yet registered speaks the language they chose, kept in the flow's data."""
    lang = (await state.get_data()).get("lang")
    return catalogs.translator(lang) if isinstance(lang, str) else t


def clean_text(text: str | None, limit: int) -> str | None:
    """Trimmed one-line text within `limit`, or None for empty, too long or a command."""
    value = " ".join((text or "").split())
    if not value or len(value) > limit or value.startswith("/"):
        return None
    return value


async def _greet(message: Message, owner: Owner, t: Translator) -> None:
    await message.answer(t("menu-greeting", name=owner.name), reply_markup=main_menu(t))


async def _begin(message: Message, state: FSMContext, t: Translator) -> None:
    await state.clear()
    await state.set_state(Onboarding.language)
    await state.update_data(lang=t.locale)
    await message.answer(t("onb-welcome"), reply_markup=remove_keyboard())
    await message.answer(t("lang-choose"), reply_markup=language_keyboard(t, t.locale))


@router.message(CommandStart())
@router.message(Command("register"))
@router.message(TextKey("onb-start-words"))
async def start(message: Message, state: FSMContext, owner: Owner | None, t: Translator) -> None:
    """Verified owners get the menu, pending ones their status; anyone else, someone whose
    request was rejected included, starts (or restarts) registration."""
    if owner is None or owner.status == OwnerStatus.rejected:
        await _begin(message, state, t)
        return
    await state.clear()
    if owner.status == OwnerStatus.verified:
        await _greet(message, owner, t)
    else:
        await message.answer(t("menu-status-pending"), reply_markup=remove_keyboard())


@router.message(Command("language"))
@router.message(TextKey("menu-language"))
async def language(
    message: Message, state: FSMContext, owner: Owner | None, t: Translator
) -> None:
    """Offer English / 中文; someone not registered (or rejected) starts registration with it."""
    if owner is None or owner.status == OwnerStatus.rejected:
        await _begin(message, state, t)
        return
    await message.answer(t("lang-choose"), reply_markup=language_keyboard(t, t.locale))


@router.callback_query(LanguageCb.filter())
async def language_chosen(
    query: CallbackQuery,
    callback_data: LanguageCb,
    state: FSMContext,
    session: AsyncSession,
    owner: Owner | None,
    catalogs: Catalogs,
    t: Translator,
) -> None:
    """Remember the language (on the owner, or in the flow) and carry on in it."""
    if callback_data.code not in LOCALES or not isinstance(query.message, Message):
        await query.answer(t("common-stale-button"), show_alert=True)
        return
    new_t = catalogs.translator(callback_data.code)
    await query.answer(new_t("lang-changed"))
    with unchanged_is_done():
        await query.message.edit_text(new_t("lang-changed"))
    if owner is not None and owner.status != OwnerStatus.rejected:
        if owner.id is None:
            raise UnsavedRowError("owner.id: not saved yet")
        await owners.set_language(session, owner.id, callback_data.code)
        if owner.status == OwnerStatus.verified:
            await query.message.answer(
                new_t("menu-greeting", name=owner.name), reply_markup=main_menu(new_t)
            )
        return
    # Someone applying (again, after a rejection): the request stores the language.
    await state.update_data(lang=callback_data.code)
    current = await state.get_state()
    if current in (None, Onboarding.language.state, Onboarding.contact.state):
        await state.set_state(Onboarding.contact)
        await query.message.answer(new_t("onb-ask-contact"), reply_markup=contact_keyboard(new_t))


@steps.message(StateFilter(Onboarding.language), F.text)
async def language_expected(
    message: Message, state: FSMContext, t: Translator, catalogs: Catalogs
) -> None:
    """Text while the language buttons are up: show them again."""
    flow_t = await flow_translator(state, t, catalogs)
    await message.answer(
        flow_t("lang-choose"), reply_markup=language_keyboard(flow_t, flow_t.locale)
    )


@steps.message(StateFilter(Onboarding.language, Onboarding.contact), F.contact)
async def contact_shared(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    estate: Estate,
    t: Translator,
    catalogs: Catalogs,
) -> None:
    """The owner's own contact: verify against the register or ask for the unit."""
    if not (message.contact is not None and message.from_user is not None):
        raise RuntimeError("the contact filter let through a message without contact or sender")
    if estate.id is None:
        raise UnsavedRowError("estate.id: not saved yet")
    flow_t = await flow_translator(state, t, catalogs)
    if message.contact.user_id != message.from_user.id:
        await message.answer(flow_t("onb-contact-not-own"), reply_markup=contact_keyboard(flow_t))
        return
    phone = owners.normalize_phone(message.contact.phone_number, estate.phone_region)
    if phone is None:
        await state.clear()
        await message.answer(flow_t("onb-bad-phone"), reply_markup=remove_keyboard())
        return
    result = await owners.link_by_phone(
        session,
        estate_id=estate.id,
        phone=phone,
        telegram_user_id=message.from_user.id,
        chat_id=message.chat.id,
        language=flow_t.locale,
    )
    if result.outcome == owners.LinkOutcome.unknown:
        await state.update_data(phone=phone)
        await message.answer(flow_t("onb-not-found"), reply_markup=cancel_keyboard(flow_t))
        await ask_building(message, state, session, estate, flow_t)
        return
    await state.clear()
    if result.outcome == owners.LinkOutcome.taken:
        await message.answer(flow_t("onb-taken"), reply_markup=remove_keyboard())
        return
    if result.outcome == owners.LinkOutcome.refused or result.owner is None:
        await message.answer(flow_t("onb-refused"), reply_markup=remove_keyboard())
        return
    await _welcome_verified(message, result.owner, result.units, flow_t)


async def _welcome_verified(
    message: Message, owner: Owner, owned: list[Unit], t: Translator
) -> None:
    if len(owned) == 1:
        text = t("onb-verified-one", name=owner.name, unit=unit_label(owned[0]))
        await message.answer(text, reply_markup=main_menu(t))
        return
    text = t(
        "onb-verified-many",
        name=owner.name,
        count=len(owned),
        units=", ".join(unit_label(u) for u in owned),
    )
    await message.answer(text, reply_markup=main_menu(t))
    builder = Buttons()
    for u in owned:
        if u.id is not None:
            builder.button(text=unit_label(u), callback_data=PrimaryUnitCb(unit_id=u.id))
    builder.adjust(1)
    await message.answer(t("onb-choose-primary"), reply_markup=builder.as_markup())


@router.callback_query(PrimaryUnitCb.filter())
async def primary_chosen(
    query: CallbackQuery,
    callback_data: PrimaryUnitCb,
    session: AsyncSession,
    owner: Owner | None,
    t: Translator,
) -> None:
    """Remember the owner's default unit; only one of their own units is accepted."""
    unit = None
    if owner is not None and owner.status == OwnerStatus.verified:
        if owner.id is None:
            raise UnsavedRowError("owner.id: not saved yet")
        unit = await units.set_primary(
            session,
            owner_id=owner.id,
            unit_id=callback_data.unit_id,
            estate_id=owner.estate_id,
            actor=f"owner:{owner.id}",
        )
    if unit is None or not isinstance(query.message, Message):
        await query.answer(t("common-stale-button"), show_alert=True)
        return
    text = t("onb-primary-set", unit=unit_label(unit))
    await query.answer(text)
    with unchanged_is_done():
        await query.message.edit_text(text)


@steps.message(StateFilter(Onboarding.contact), F.text)
async def contact_expected(
    message: Message, state: FSMContext, t: Translator, catalogs: Catalogs
) -> None:
    """A typed number is not proof of ownership: the contact button must be used."""
    flow_t = await flow_translator(state, t, catalogs)
    await message.answer(flow_t("onb-use-button"), reply_markup=contact_keyboard(flow_t))


# Words people put around a building's number ("Building 3", "3栋", "3号楼").
BUILDING_WORDS = re.compile(r"building|bldg\.?|block|tower|no\.?|#|号楼|栋|幢|座|楼|号", re.I)
# Callback data is at most 64 bytes: longer building names get no button (they can be typed).
BUTTON_VALUE_MAX = 40
BUILDING_BUTTONS_MAX = 30


class RegAction(StrEnum):
    building = "building"
    unit_right = "unit-right"
    send = "send"
    change = "change"


class RegCb(CallbackData, prefix="reg"):
    """A button of the registration request: a building, "the unit is right", Send, Change."""

    action: RegAction
    value: str = ""


def _bare(building: str) -> str:
    return "".join(BUILDING_WORDS.sub(" ", building).split()).casefold()


def match_building(typed: str, known: list[str]) -> str | None:
    """The register's building that `typed` names ("Building 3" is "3"), if exactly one."""
    wanted = _bare(typed)
    found = [b for b in known if _bare(b) == wanted or b.casefold() == typed.casefold()]
    return found[0] if len(found) == 1 else None


def meaningful(text: str) -> bool:
    """Letters or digits, not only emoji or punctuation."""
    return tickets.meaningful_length(text) > 0


async def typed_place(
    message: Message, state: FSMContext, t: Translator, catalogs: Catalogs, bad: str
) -> tuple[Translator, str | None]:
    """The applicant's language and the building or unit they typed: one meaningful line of
    at most PLACE_MAX, else None once `bad` has said what is wrong."""
    flow_t = await flow_translator(state, t, catalogs)
    typed = clean_text(message.text, PLACE_MAX)
    if typed is None or not meaningful(typed):
        await message.answer(flow_t(bad, max=str(PLACE_MAX)))
        return flow_t, None
    return flow_t, typed


async def pressed_at(
    query: CallbackQuery, state: FSMContext, flow_t: Translator, step: State, valid: bool = True
) -> Message | None:
    """The message of a registration button pressed while the flow is at `step` (and the
    button still `valid`), answered and with its buttons closed; None, after the stale-button
    alert, for a button of another step."""
    message = query.message
    if await state.get_state() != step.state or not valid or not isinstance(message, Message):
        await query.answer(flow_t("common-stale-button"), show_alert=True)
        return None
    await query.answer()
    await close_buttons(query)
    return message


def building_keyboard(known: list[str]) -> InlineKeyboardMarkup | None:
    fitting = [b for b in known[:BUILDING_BUTTONS_MAX] if len(b.encode()) <= BUTTON_VALUE_MAX]
    if not fitting:
        return None
    builder = Buttons()
    for building in fitting:
        builder.button(
            text=building, callback_data=RegCb(action=RegAction.building, value=building)
        )
    builder.adjust(4)
    return builder.as_markup()


async def ask_building(
    message: Message, state: FSMContext, session: AsyncSession, estate: Estate, t: Translator
) -> None:
    """Which building, with the register's buildings as buttons (typing one works too)."""
    if estate.id is None:
        raise UnsavedRowError("estate.id: not saved yet")
    await state.set_state(Onboarding.building)
    known = await units.buildings(session, estate.id)
    markup = building_keyboard(known)
    if markup is None:
        await message.answer(t("onb-ask-building"), reply_markup=cancel_keyboard(t))
        return
    await message.answer(t("onb-ask-building-choose"), reply_markup=markup)


async def building_chosen(
    message: Message, state: FSMContext, t: Translator, building: str
) -> None:
    await state.update_data(building=building, unit=None, unit_unlisted=False)
    await state.set_state(Onboarding.unit)
    await message.answer(t("onb-ask-unit-in", building=building), reply_markup=cancel_keyboard(t))


@steps.message(StateFilter(Onboarding.building))
async def building_given(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    estate: Estate,
    t: Translator,
    catalogs: Catalogs,
) -> None:
    """A typed building: one of the register's, else the buttons again; any sensible text
    only when the register lists no buildings at all."""
    if estate.id is None:
        raise UnsavedRowError("estate.id: not saved yet")
    flow_t, typed = await typed_place(message, state, t, catalogs, "onb-bad-building")
    if typed is None:
        return
    known = await units.buildings(session, estate.id)
    if not known:
        await building_chosen(message, state, flow_t, typed)
        return
    building = match_building(typed, known)
    if building is None:
        await message.answer(
            flow_t("onb-building-unknown", building=typed), reply_markup=building_keyboard(known)
        )
        return
    await building_chosen(message, state, flow_t, building)


@router.callback_query(RegCb.filter(F.action == RegAction.building))
async def building_pressed(
    query: CallbackQuery,
    callback_data: RegCb,
    state: FSMContext,
    session: AsyncSession,
    estate: Estate,
    t: Translator,
    catalogs: Catalogs,
) -> None:
    """A building button: only while the building is asked, only one of the register's."""
    if estate.id is None:
        raise UnsavedRowError("estate.id: not saved yet")
    flow_t = await flow_translator(state, t, catalogs)
    known = await units.buildings(session, estate.id)
    message = await pressed_at(
        query, state, flow_t, Onboarding.building, callback_data.value in known
    )
    if message is not None:
        await building_chosen(message, state, flow_t, callback_data.value)


@steps.message(StateFilter(Onboarding.unit))
async def unit_given(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    estate: Estate,
    t: Translator,
    catalogs: Catalogs,
) -> None:
    """Unit number: one the register has in that building goes on to the name; another one
    is questioned (staff would have to create it), with a button to insist."""
    if estate.id is None:
        raise UnsavedRowError("estate.id: not saved yet")
    flow_t, unit = await typed_place(message, state, t, catalogs, "onb-bad-unit")
    if unit is None:
        return
    building = str((await state.get_data()).get("building") or "")
    found = await units.find(session, estate.id, building, unit)
    if found is not None:
        unit = found.number
    elif await units.in_building(session, estate.id, building):
        await state.update_data(unit=unit, unit_unlisted=True)
        insist = Buttons()
        insist.button(
            text=flow_t("onb-btn-unit-right", unit=unit),
            callback_data=RegCb(action=RegAction.unit_right),
        )
        await message.answer(
            flow_t("onb-unit-unknown", building=building, unit=unit),
            reply_markup=insist.as_markup(),
        )
        return
    await state.update_data(unit=unit, unit_unlisted=False)
    await state.set_state(Onboarding.name)
    await message.answer(flow_t("onb-ask-name"), reply_markup=cancel_keyboard(flow_t))


@router.callback_query(RegCb.filter(F.action == RegAction.unit_right))
async def unit_insisted(
    query: CallbackQuery, state: FSMContext, t: Translator, catalogs: Catalogs
) -> None:
    """The applicant says the unit not in the register is right: staff will judge it."""
    flow_t = await flow_translator(state, t, catalogs)
    unlisted = bool((await state.get_data()).get("unit_unlisted"))
    message = await pressed_at(query, state, flow_t, Onboarding.unit, unlisted)
    if message is None:
        return
    await state.set_state(Onboarding.name)
    await message.answer(flow_t("onb-ask-name"), reply_markup=cancel_keyboard(flow_t))


def acceptable_name(name: str) -> bool:
    """At least two letters ("🙂" or "123" is no name)."""
    return sum(char.isalpha() for char in name) >= NAME_MIN_LETTERS


@steps.message(StateFilter(Onboarding.name))
async def name_given(
    message: Message, state: FSMContext, t: Translator, catalogs: Catalogs
) -> None:
    """Name, then the summary to check before anything goes to staff."""
    flow_t = await flow_translator(state, t, catalogs)
    name = clean_text(message.text, NAME_MAX)
    if name is None or not acceptable_name(name):
        await message.answer(flow_t("onb-bad-name", max=str(NAME_MAX)))
        return
    await state.update_data(name=name)
    await state.set_state(Onboarding.summary)
    await show_summary(message, state, flow_t)


async def show_summary(message: Message, state: FSMContext, t: Translator) -> None:
    data = await state.get_data()
    lines = [
        t(
            "onb-summary",
            building=str(data.get("building")),
            unit=str(data.get("unit")),
            name=str(data.get("name")),
            phone=str(data.get("phone")),
        )
    ]
    if data.get("unit_unlisted"):
        lines.append(t("onb-summary-unit-unlisted"))
    buttons = Buttons()
    buttons.button(text=t("onb-btn-send"), callback_data=RegCb(action=RegAction.send))
    buttons.button(text=t("onb-btn-change"), callback_data=RegCb(action=RegAction.change))
    await message.answer("\n".join(lines), reply_markup=buttons.as_markup())


@steps.message(StateFilter(Onboarding.summary))
async def summary_expected(
    message: Message, state: FSMContext, t: Translator, catalogs: Catalogs
) -> None:
    """Anything typed at the summary: the summary again, with its buttons."""
    await show_summary(message, state, await flow_translator(state, t, catalogs))


@router.callback_query(RegCb.filter(F.action.in_({RegAction.send, RegAction.change})))
async def summary_decided(
    query: CallbackQuery,
    callback_data: RegCb,
    state: FSMContext,
    session: AsyncSession,
    estate: Estate,
    t: Translator,
    catalogs: Catalogs,
) -> None:
    """Change: from the building again. Send: the pending request and the staff card."""
    flow_t = await flow_translator(state, t, catalogs)
    message = await pressed_at(query, state, flow_t, Onboarding.summary)
    if message is None:
        return
    if callback_data.action == RegAction.change:
        await ask_building(message, state, session, estate, flow_t)
        return
    if estate.id is None:
        raise UnsavedRowError("estate.id: not saved yet")
    data = await state.get_data()
    staff_chat = estate.staff_chat_id
    staff_t = catalogs.translator(estate.locale)

    def drafts(claim: owners.Claim) -> list[Draft]:
        if staff_chat is None:
            return []
        return [pending_card_draft(staff_t, staff_chat, claim)]

    result = await owners.request_registration(
        session,
        estate_id=estate.id,
        telegram_user_id=query.from_user.id,
        chat_id=message.chat.id,
        language=flow_t.locale,
        phone=str(data["phone"]),
        name=str(data["name"]),
        building=str(data["building"]),
        unit=str(data["unit"]),
        drafts=drafts,
    )
    await state.clear()
    if result.claim is None:
        await message.answer(flow_t("onb-taken"), reply_markup=remove_keyboard())
        return
    done = flow_t("onb-request-sent") if staff_chat else flow_t("onb-request-stored")
    await message.answer(done, reply_markup=remove_keyboard())


@steps.message(StateFilter(Onboarding.language, Onboarding.contact))
async def onboarding_other(
    message: Message, state: FSMContext, t: Translator, catalogs: Catalogs
) -> None:
    """Stickers, photos and the like in the first steps: ask again."""
    flow_t = await flow_translator(state, t, catalogs)
    if await state.get_state() == Onboarding.language.state:
        await message.answer(
            flow_t("lang-choose"), reply_markup=language_keyboard(flow_t, flow_t.locale)
        )
    else:
        await message.answer(flow_t("onb-ask-contact"), reply_markup=contact_keyboard(flow_t))


@steps.message(rejected_owner)
async def rejected_status(message: Message, estate: Estate, t: Translator) -> None:
    """Anything else from someone whose request was rejected, a menu word included: how to
    apply again, and whom to call."""
    await message.answer(rejection_text(t, estate, "onb-status-rejected"))
