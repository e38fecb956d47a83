"""The routers in the order they are tried; the catch-all comes last.

The staff group's routers sit behind one gate (a group chat, or a button one of them takes),
so an owner's private message or button press skips all of them with one check instead of
trying each of their handlers; their few handlers for private chats are routers of their own.
"""

from aiogram import Router
from aiogram.filters import Filter

from handlers.filters import ButtonsOf, InGroup, IsCommand


def routers() -> list[Router]:
    """Common commands, the staff group, staff and survey answers in private, owner features,
    catch-all last."""
    from handlers import (
        announce,
        callback_booking,
        common,
        complaints,
        estate_settings,
        fallback,
        fees,
        flow_guard,
        jobs,
        my_requests,
        onboarding,
        outbox,
        payments,
        reminders,
        repairs,
        reports,
        staff_admin,
        staff_language,
        staff_tickets,
        surveys,
        ticket_form,
    )

    staff_group = _gated(
        "staff_group",
        InGroup(),
        staff_admin.router,
        staff_language.router,
        payments.router,
        estate_settings.router,
        staff_tickets.router,
        jobs.router,
        reminders.router,
        announce.router,
        outbox.router,
        surveys.router,
        reports.router,
    )
    staff_private = _gated(
        "staff_private",
        IsCommand(),
        staff_admin.private,
        staff_language.private,
        staff_tickets.private,
    )
    return [
        common.router,
        flow_guard.router,
        # Group and private handlers never take the same update, so the group's routers
        # going first as a block keeps every update's handler what it was.
        staff_group,
        staff_private,
        surveys.private,
        onboarding.router,
        repairs.router,
        complaints.router,
        ticket_form.router,
        my_requests.router,
        fees.router,
        callback_booking.router,
        fallback.router,
    ]


def _gated(name: str, messages: Filter, *children: Router) -> Router:
    """A fresh parent of `children` that lets in the messages `messages` passes and the
    buttons one of them takes."""
    parent = Router(name=name)
    parent.message.filter(messages)
    parent.callback_query.filter(ButtonsOf(*children))
    for child in children:
        # Feature routers are module singletons; each dispatcher gets a fresh parent.
        child._parent_router = None
        parent.include_router(child)
    return parent
