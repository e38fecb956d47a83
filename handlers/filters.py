"""Who may do what: staff chat, active staff (with roles), admins, verified owners; what a
reply to the bot is about; and the router-level gates that let an update skip whole routers."""

from collections.abc import Callable, Iterable

from aiogram import Bot, Router
from aiogram.filters import Filter
from aiogram.filters.callback_data import CallbackQueryFilter
from aiogram.types import CallbackQuery, Chat, Message, TelegramObject, User
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Translator
from bot.settings import Settings
from storage import outbox
from storage.models import Estate, Owner, OwnerStatus, StaffMember, StaffRole


def _in_staff_chat(chat: Chat | None, estate: Estate | None) -> bool:
    return (
        chat is not None
        and estate is not None
        and estate.staff_chat_id is not None
        and estate.staff_chat_id == chat.id
    )


class IsStaffChat(Filter):
    """The update comes from the estate's bound staff group."""

    async def __call__(
        self,
        event: TelegramObject,
        event_chat: Chat | None = None,
        estate: Estate | None = None,
    ) -> bool:
        return _in_staff_chat(event_chat, estate)


class IsActiveStaff(Filter):
    """The staff group and an active staff member of its estate (optionally of given roles)."""

    def __init__(self, roles: Iterable[StaffRole] | None = None) -> None:
        self.roles = frozenset(roles) if roles is not None else None

    async def __call__(
        self,
        event: TelegramObject,
        event_chat: Chat | None = None,
        estate: Estate | None = None,
        staff_member: StaffMember | None = None,
    ) -> bool:
        if not _in_staff_chat(event_chat, estate) or staff_member is None:
            return False
        return self.roles is None or staff_member.role in self.roles


class IsStaffInPrivate(Filter):
    """A staff member in their private chat who is not (also) a verified owner here: staff
    help and work orders, not owner registration."""

    async def __call__(
        self,
        event: TelegramObject,
        event_chat: Chat | None = None,
        staff_member: StaffMember | None = None,
        owner: Owner | None = None,
    ) -> bool:
        return (
            event_chat is not None
            and event_chat.type == "private"
            and staff_member is not None
            and (owner is None or owner.status != OwnerStatus.verified)
        )


class IsAdmin(Filter):
    """The sender is one of FRONTDOOR_ADMIN_IDS."""

    async def __call__(
        self,
        event: TelegramObject,
        settings: Settings,
        event_from_user: User | None = None,
    ) -> bool:
        return event_from_user is not None and event_from_user.id in settings.admin_ids


class IsVerifiedOwner(Filter):
    """A private chat with a verified owner."""

    async def __call__(
        self,
        event: TelegramObject,
        event_chat: Chat | None = None,
        owner: Owner | None = None,
    ) -> bool:
        return (
            event_chat is not None
            and event_chat.type == "private"
            and owner is not None
            and owner.status == OwnerStatus.verified
        )


async def refuse_non_staff(message_or_query: Message | CallbackQuery, t: Translator) -> None:
    """Tell someone who is not (allowed) staff that the bot will not obey them."""
    if isinstance(message_or_query, CallbackQuery):
        await message_or_query.answer(t("staff-refused"), show_alert=True)
    else:
        await message_or_query.reply(t("staff-refused"))


async def refuse_not_manager(
    message: Message, staff_member: StaffMember | None, t: Translator
) -> None:
    """Staff are told the step is a manager's; anyone else gets the usual refusal."""
    if staff_member is None:
        await refuse_non_staff(message, t)
    else:
        await message.reply(t("staff-managers-only"))


class RepliedAbout(Filter):
    """A reply to a message the bot sent, about what `read` finds in that message's outbox
    subject (a ticket id, a call-back task …); passes it on as `name`."""

    def __init__(self, name: str, read: Callable[[str | None], object | None]) -> None:
        self.name = name
        self.read = read

    async def __call__(
        self, message: Message, bot: Bot, session: AsyncSession
    ) -> bool | dict[str, object]:
        replied = message.reply_to_message
        if replied is None or replied.from_user is None or replied.from_user.id != bot.id:
            return False
        found = self.read(await outbox.subject_of(session, message.chat.id, replied.message_id))
        return False if found is None else {self.name: found}


# --- router-level gates ----------------------------------------------------------------------
# aiogram checks a router's own filter once and skips the router and its sub-routers when it
# fails; without one, every handler of the router is checked in turn (benchmarks/README.md:
# a free-text update tried 119 handlers). A gate must be implied by every handler it guards,
# so that it never turns away an update one of them would take.


class InGroup(Filter):
    """A group chat (the staff group or any other), not a private chat."""

    async def __call__(self, event: TelegramObject, event_chat: Chat | None = None) -> bool:
        return event_chat is not None and event_chat.type != "private"


class IsCommand(Filter):
    """Text or a caption starting with "/", which every `Command(...)` filter needs first."""

    async def __call__(self, message: Message) -> bool:
        text = message.text or message.caption
        return text is not None and text.startswith("/")


class DataIs(Filter):
    """A button with exactly this callback data (one that has no CallbackData factory)."""

    def __init__(self, data: str) -> None:
        self.data = data

    async def __call__(self, query: CallbackQuery) -> bool:
        return query.data == self.data


class ButtonsOf(Filter):
    """A button whose callback data one of `routers`' button handlers can take: it starts
    with the prefix of one of their CallbackData factories or is one of their `DataIs`.
    The prefixes are read at the first button, when every handler is registered."""

    def __init__(self, *routers: Router) -> None:
        self.routers = routers
        self.starts: tuple[str, ...] | None = None

    async def __call__(self, query: CallbackQuery) -> bool:
        if self.starts is None:
            self.starts = _button_starts(self.routers)
        return query.data is not None and query.data.startswith(self.starts)


def _button_starts(routers: Iterable[Router]) -> tuple[str, ...]:
    starts: set[str] = set()
    for each in routers:
        for router in each.chain_tail:
            for handler in router.callback_query.handlers:
                starts.add(_button_start(handler.filters or [], router))
    return tuple(sorted(starts))


def _button_start(filters: Iterable[object], router: Router) -> str:
    for item in filters:
        check = getattr(item, "callback", None)
        if isinstance(check, CallbackQueryFilter):
            return str(check.callback_data.__prefix__)
        if isinstance(check, DataIs):
            return check.data
    # A gate that cannot see what a handler takes would silently drop its buttons.
    raise ValueError(f"a button handler of {router.name} has no CallbackData filter or DataIs")
