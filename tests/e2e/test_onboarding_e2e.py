"""Owner onboarding through the sandbox against a real `frontdoor run` process."""

import pytest
from sqlmodel import select

from storage.db import create_engine, create_session_pool
from storage.models import Owner, OwnerStatus
from storage.owners import normalize_phone
from tests.e2e.conftest import E2E, plain

pytestmark = pytest.mark.e2e


async def owner_row(e2e: E2E, phone: str) -> Owner | None:
    engine = create_engine(e2e.world.database_url)
    try:
        async with create_session_pool(engine)() as session:
            e164 = normalize_phone(phone, "CN")
            return (await session.exec(select(Owner).where(Owner.phone == e164))).first()
    finally:
        await engine.dispose()


async def test_owner_in_register_is_verified_and_gets_the_menu(e2e: E2E):
    owner = await e2e.new_person(language="en")
    t = e2e.t("en")

    welcome = await e2e.onboard(owner)

    unit = f"{owner.building}-{owner.unit}"
    assert welcome["text"] == plain(t("onb-verified-one", name=owner.name, unit=unit))
    keyboard = await e2e.client.keyboard(owner.user_id, owner.user_id)
    assert keyboard is not None
    labels = [b["text"] for row in keyboard["keyboard"] for b in row]
    assert labels == [
        t(key)
        for key in (
            "menu-repair",
            "menu-complaint",
            "menu-fees",
            "menu-callback",
            "menu-requests",
            "menu-language",
        )
    ]
    row = await owner_row(e2e, owner.phone)
    assert row is not None and row.status == OwnerStatus.verified
    assert row.telegram_user_id == owner.user_id

    await e2e.client.press_reply_button(owner.user_id, t("menu-language"))
    choose = await e2e.client.wait_for_message(owner.user_id, plain(t("lang-choose")))
    assert choose["buttons"]


async def test_someone_elses_contact_is_refused(e2e: E2E):
    owner = await e2e.new_person(language="en")
    neighbour = await e2e.new_person(language="en")
    t = e2e.t("en")
    uid = owner.user_id
    await e2e.client.send_command(uid, "start")
    choose = await e2e.client.wait_for_message(uid, plain(t("lang-choose")))
    await e2e.press(uid, choose, t("lang-english"))
    await e2e.client.wait_for_message(uid, plain(t("onb-ask-contact")))

    await e2e.client.send_contact(
        uid, phone_number=neighbour.phone, contact_user_id=neighbour.user_id
    )
    await e2e.client.wait_for_message(uid, plain(t("onb-contact-not-own")))
    await e2e.client.send_contact(uid, phone_number=neighbour.phone, contact_user_id=None)
    await e2e.client.wait_for_message(uid, plain(t("onb-contact-not-own")))

    row = await owner_row(e2e, neighbour.phone)
    assert row is not None and row.telegram_user_id is None

    await e2e.client.press_reply_button(uid, t("onb-share-phone"))
    welcome = await e2e.client.wait_for_message(uid)
    unit = f"{owner.building}-{owner.unit}"
    assert welcome["text"] == plain(t("onb-verified-one", name=owner.name, unit=unit))


async def test_unknown_phone_goes_to_staff_who_approve_it(e2e: E2E):
    owner = await e2e.new_person(language="en", in_register=False, name="Tom E2E Newcomer")
    t, staff_t = e2e.t("en"), e2e.t("zh")  # the sample estate's staff group speaks Chinese
    uid = owner.user_id

    await e2e.client.send_command(uid, "start")
    choose = await e2e.client.wait_for_message(uid, plain(t("lang-choose")))
    await e2e.press(uid, choose, t("lang-english"))
    await e2e.client.wait_for_message(uid, plain(t("onb-ask-contact")))
    await e2e.client.press_reply_button(uid, t("onb-share-phone"))
    await e2e.client.wait_for_message(uid, plain(t("onb-not-found")))
    summary = await e2e.apply_until_summary(owner)
    await e2e.press(uid, summary, t("onb-btn-send"))
    await e2e.client.wait_for_message(uid, plain(t("onb-request-sent")))

    card = await e2e.client.wait_for_message(e2e.group_id, owner.name)
    unit = f"{owner.building}-{owner.unit}"
    assert unit in card["text"]
    labels = [b["text"] for row in card["buttons"] for b in row]
    add_unit = staff_t("staff-pending-create-unit", unit=unit)
    assert labels == [add_unit, staff_t("staff-pending-reject")]

    # Someone in the group who is not staff is refused and nothing changes.
    stranger = await e2e.client.create_user("Group Visitor", role="staff")
    await e2e.client.add_member(e2e.group_id, stranger["id"])
    refused = await e2e.press(stranger["id"], card, add_unit)
    assert refused["text"] == plain(staff_t("staff-refused"))
    row = await owner_row(e2e, owner.phone)
    assert row is not None and row.status == OwnerStatus.pending

    answer = await e2e.press(e2e.agent, card, add_unit)
    assert answer["answered"]
    approved = await e2e.client.wait_for_message(uid, owner.name)
    assert approved["text"] == plain(t("onb-approved", name=owner.name, unit=unit))
    keyboard = await e2e.client.keyboard(uid, uid)
    assert keyboard is not None
    assert keyboard["keyboard"][0][0]["text"] == t("menu-repair")
    row = await owner_row(e2e, owner.phone)
    assert row is not None and row.status == OwnerStatus.verified

    # The card now shows the decision and has no buttons left to press twice.
    decided = await e2e.latest(e2e.group_id, card["message_id"])
    assert decided["edited"] and not decided["buttons"]


async def test_chinese_owner_uses_the_menu_by_its_chinese_labels(e2e: E2E):
    owner = await e2e.new_person(language="zh")
    t = e2e.t("zh")
    uid = owner.user_id

    welcome = await e2e.onboard(owner)
    unit = f"{owner.building}-{owner.unit}"
    assert welcome["text"] == plain(t("onb-verified-one", name=owner.name, unit=unit))
    keyboard = await e2e.client.keyboard(uid, uid)
    assert keyboard is not None
    assert [b["text"] for b in keyboard["keyboard"][2]] == [
        t("menu-requests"),
        t("menu-language"),
    ]

    await e2e.client.press_reply_button(uid, t("menu-requests"))
    await e2e.client.wait_for_message(uid, plain(t("myreq-empty")))
    await e2e.client.press_reply_button(uid, t("menu-language"))
    choose = await e2e.client.wait_for_message(uid, plain(t("lang-choose")))
    en = e2e.t("en")
    answer = await e2e.press(uid, choose, t("lang-english"))
    assert answer["text"] == plain(en("lang-changed"))
    await e2e.client.wait_for_message(uid, plain(en("menu-greeting", name=owner.name)))
    keyboard = await e2e.client.keyboard(uid, uid)
    assert keyboard is not None and keyboard["keyboard"][0][0]["text"] == en("menu-repair")


async def test_a_rejection_with_a_reason_given_by_replying_to_the_question(e2e: E2E):
    """❌ asks why; the agent answers with a Telegram reply and the applicant reads it."""
    owner = await e2e.new_person(language="en", in_register=False, name="Rita E2E Rejected")
    t, staff_t, uid = e2e.t("en"), e2e.t("zh"), owner.user_id
    await e2e.client.send_command(uid, "start")
    choose = await e2e.client.wait_for_message(uid, plain(t("lang-choose")))
    await e2e.press(uid, choose, t("lang-english"))
    await e2e.client.wait_for_message(uid, plain(t("onb-ask-contact")))
    await e2e.client.press_reply_button(uid, t("onb-share-phone"))
    summary = await e2e.apply_until_summary(owner)
    await e2e.press(uid, summary, t("onb-btn-send"))
    card = await e2e.client.wait_for_message(e2e.group_id, owner.name)

    asked = await e2e.press(e2e.agent, card, staff_t("staff-pending-reject"))
    assert asked["text"] == plain(staff_t("staff-pending-reject-asked"))
    question = await e2e.client.wait_for_message(
        e2e.group_id, predicate=lambda m: m["reply_to_message_id"] == card["message_id"]
    )
    reason = "We have no flat with that number; please call the office."
    await e2e.recorded(question)
    await e2e.client.send_text(
        e2e.agent, reason, chat_id=e2e.group_id, reply_to_message_id=question["message_id"]
    )
    told = await e2e.client.wait_for_message(uid, reason)
    assert told["text"].startswith(plain(t("onb-rejected-reason", name=owner.name, reason=reason)))
    row = await owner_row(e2e, owner.phone)
    assert row is not None and row.status == OwnerStatus.rejected
    decided = await e2e.wait_edit(e2e.group_id, card["message_id"], reason)
    assert not decided["buttons"]
