"""The shared vocabularies: outbox keys and subjects, estate window settings validated when set."""

from enum import Enum

import pytest

from storage import calendar, estates, keys
from storage.models import Estate


def test_subjects_round_trip_and_other_kinds_are_not_taken_for_tickets():
    assert keys.subject_id(keys.ticket_subject(42), keys.SubjectKind.ticket) == 42
    assert keys.subject_id(keys.owner_subject(7), keys.SubjectKind.ticket) is None
    assert keys.subject_id(keys.callback_subject(3), keys.SubjectKind.callback) == 3
    assert keys.subject_id(None, keys.SubjectKind.ticket) is None
    assert keys.subject_id("ticket:None", keys.SubjectKind.ticket) is None


def test_work_orders_are_the_started_events_messages():
    assert keys.work_order(5, 9) == keys.ticket_event(5, 9, "order")
    assert keys.ticket_event(5, 9, "group", "photo", 0) == "ticket:5:event:9:group:photo:0"


def test_a_second_registration_request_has_keys_of_its_own():
    assert keys.registration(7, 1, "pending-card") == "owner:7:pending-card"
    assert keys.registration(7, 2, "pending-card") == "owner:7:pending-card:2"


async def test_working_hours_are_validated_and_normalised_when_set(session_pool, estate: Estate):
    async with session_pool() as session:
        saved = await estates.set_working_hours(session, estate.id, " 08:30 - 17:00", "test")
    assert saved.working_hours == "08:30-17:00"
    for bad in ("18:00-09:00", "09:00", "nine-six", "09:00-09:00"):
        async with session_pool() as session:
            with pytest.raises(calendar.WindowError):
                await estates.set_working_hours(session, estate.id, bad, "test")
    async with session_pool() as session:
        assert (await estates.get(session, estate.id)).working_hours == "08:30-17:00"


async def test_quiet_hours_may_cross_midnight(session_pool, estate: Estate):
    async with session_pool() as session:
        saved = await estates.set_quiet_hours(session, estate.id, "22:00-07:30", "test")
    assert saved.quiet_hours == "22:00-07:30"
    async with session_pool() as session:
        with pytest.raises(calendar.WindowError):
            await estates.set_quiet_hours(session, estate.id, "late-early", "test")


def test_button_actions_are_enums_so_a_typo_is_a_type_error():
    from aiogram.filters.callback_data import CallbackData

    from handlers import routers

    routers()  # imports every handler module

    classes = [c for c in CallbackData.__subclasses__() if c.__module__.startswith("handlers.")]
    assert len(classes) > 20
    for cls in classes:
        for name, field in cls.model_fields.items():
            if name in {"action", "step", "topic", "name"}:
                assert isinstance(field.annotation, type) and issubclass(field.annotation, Enum), (
                    f"{cls.__name__}.{name} is {field.annotation}"
                )


def test_every_job_has_a_name_of_the_vocabulary():
    from scheduler.jobs import all_jobs
    from scheduler.jobs.base import JobName

    assert sorted(job.name for job in all_jobs()) == sorted(JobName)


def test_buttons_of_enums_and_ids_fit_telegrams_64_bytes():
    """Telegram refuses callback data over 64 bytes: every button made of actions, ids and
    flags fits with its longest action and ids far beyond any estate's."""
    from aiogram.filters.callback_data import CallbackData

    from handlers import routers

    routers()
    checked = 0
    for cls in CallbackData.__subclasses__():
        fields = cls.model_fields
        if not cls.__module__.startswith("handlers.") or any(
            f.annotation is str for f in fields.values()
        ):
            continue
        values: dict[str, object] = {}
        for name, field in fields.items():
            kind = field.annotation
            if isinstance(kind, type) and issubclass(kind, Enum):
                values[name] = max(kind, key=lambda member: len(str(member.value)))
            elif kind is bool:
                values[name] = True
            else:
                values[name] = 10**12
        packed = cls(**values).pack()
        assert len(packed.encode()) <= 64, packed
        checked += 1
    assert checked > 10
