"""The routers in the order they are tried; the catch-all comes last."""

from aiogram import Router


def routers() -> list[Router]:
    """Group routers first (they filter on the staff chat), then owner features, catch-all last."""
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

    return [
        common.router,
        flow_guard.router,
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
        onboarding.router,
        repairs.router,
        complaints.router,
        ticket_form.router,
        my_requests.router,
        fees.router,
        callback_booking.router,
        fallback.router,
    ]
