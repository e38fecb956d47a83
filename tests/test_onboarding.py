"""Owner onboarding through the real dispatcher: register match, own-contact check, pending
requests decided by staff, the menu, /cancel, language and the fallback."""

from aiogram.types import InlineKeyboardMarkup, ReplyKeyboardMarkup
from sqlmodel import col, select

from handlers.keyboards import TextKey
from handlers.onboarding import LanguageCb
from storage import estates, owners, registers
from storage.models import Estate, OutboxMessage, OwnerStatus, StaffRole
from storage.registers import OwnerRow
from tests.helpers import STAFF_CHAT_ID, Person, answers, bot_message
from tests.onboarding_fixtures import (
    OWNER_PHONE,
    add_staff,
    add_unit,
    all_owners,
    audit_events,
    audit_types,
    button_data,
    outbox_rows,
    owner_of,
    register_owner,
    reject,
)
from tests.tickets_fixtures import mark_sent

ALICE = Person(id=501, first_name="Alice", language_code="en")
BOB = Person(id=502, first_name="Bob", language_code="zh-hans")
CLERK = Person(id=601, first_name="Zhou", language_code="zh")
STRANGER = Person(id=701, first_name="Mallory", language_code="en")


def keyboard_labels(markup) -> list[str]:
    rows = markup.keyboard if isinstance(markup, ReplyKeyboardMarkup) else markup.inline_keyboard
    return [button.text for row in rows for button in row]


async def start_in_english(tg, person=ALICE) -> None:
    await tg.send(person, "/start")
    await tg.press(person, LanguageCb(code="en").pack())


async def test_start_offers_language_preselected_from_telegram(tg, bot):
    await tg.send(BOB, "/start")
    last = bot.sent(BOB.id)[-1]
    assert isinstance(last.reply_markup, InlineKeyboardMarkup)
    assert keyboard_labels(last.reply_markup) == ["English", "✅ 中文"]
    await tg.press(BOB, LanguageCb(code="zh").pack())
    markup = bot.sent(BOB.id)[-1].reply_markup
    assert isinstance(markup, ReplyKeyboardMarkup)
    assert markup.keyboard[0][0].request_contact is True
    assert "分享" in markup.keyboard[0][0].text


async def test_register_match_verifies_and_shows_menu(tg, bot, session_pool, estate):
    await register_owner(session_pool, estate)
    await start_in_english(tg)
    assert "share the phone number" in bot.last_text(ALICE.id)
    await tg.contact(ALICE, "8613800138001")
    assert bot.last_text(ALICE.id) == (
        "Welcome, Li Wei! You are verified as the owner of unit 3-1201."
    )
    menu = bot.sent(ALICE.id)[-1].reply_markup
    assert isinstance(menu, ReplyKeyboardMarkup) and menu.is_persistent
    assert "🛠 Report a repair" in keyboard_labels(menu)
    owner = await owner_of(session_pool, ALICE)
    assert owner is not None and owner.status == OwnerStatus.verified
    assert owner.chat_id == ALICE.id and owner.language == "en"
    assert "verified_by_phone" in await audit_types(session_pool, "owner")
    await tg.send(ALICE, "/start")
    assert bot.last_text(ALICE.id).startswith("Hello, Li Wei!")


async def test_several_units_are_all_linked_and_one_is_chosen_primary(
    tg, bot, session_pool, estate
):
    await register_owner(session_pool, estate, units=(("1", "101"), ("2", "202")))
    await start_in_english(tg)
    await tg.contact(ALICE, "+86 138 0013 8001")
    texts = bot.texts(ALICE.id)
    assert "owner of 2 units: 1-101, 2-202" in texts[-2]
    await tg.press_label(ALICE, "2-202")
    assert bot.last_text(ALICE.id) == "Unit 2-202 is now your default unit."
    owner = await owner_of(session_pool, ALICE)
    async with session_pool() as session:
        assert [u.number for u in await owners.units_of(session, owner.id)] == ["202", "101"]


async def test_someone_elses_contact_is_refused(tg, bot, session_pool, estate):
    await register_owner(session_pool, estate)
    await start_in_english(tg)
    await tg.contact(ALICE, "8613800138001", user_id=999)
    assert "your own" in bot.last_text(ALICE.id)
    owner = (await all_owners(session_pool))[0]
    assert owner.telegram_user_id is None
    await tg.contact(ALICE, "8613800138001", user_id=None)
    assert "your own" in bot.last_text(ALICE.id)
    assert (await all_owners(session_pool))[0].telegram_user_id is None


async def test_typed_phone_number_asks_for_the_button(tg, bot, session_pool, estate):
    await register_owner(session_pool, estate)
    await start_in_english(tg)
    await tg.send(ALICE, "13800138001")
    assert "button" in bot.last_text(ALICE.id)
    await tg.contact(ALICE, "8613800138001")
    assert "verified" in bot.last_text(ALICE.id)


async def test_phone_held_by_another_account_is_refused(tg, bot, session_pool, estate):
    await register_owner(session_pool, estate)
    await start_in_english(tg)
    await tg.contact(ALICE, "8613800138001")
    await start_in_english(tg, STRANGER)
    await tg.contact(STRANGER, "8613800138001")
    assert "already linked to another Telegram account" in bot.last_text(STRANGER.id)
    assert await owner_of(session_pool, STRANGER) is None


async def register_unknown(
    tg, person=ALICE, name="Chen Jing", unit=("5", "0801"), phone="8613900139002", lang="en"
) -> None:
    await tg.send(person, "/start")
    await tg.press(person, LanguageCb(code=lang).pack())
    await tg.contact(person, phone)
    await tg.send(person, unit[0])
    await tg.send(person, unit[1])
    await tg.send(person, name)
    await tg.press_label(person, "📨")


async def test_unknown_phone_goes_to_staff_and_approval_verifies(tg, bot, session_pool, estate):
    clerk = await add_staff(session_pool, estate, CLERK, name="Zhou Min")
    await start_in_english(tg)
    await tg.contact(ALICE, "8613900139002")
    assert bot.last_text(ALICE.id) == "Which building do you live in? (for example: 3)"
    await tg.send(ALICE, "5")
    await tg.send(ALICE, "0801")
    await tg.send(ALICE, "Chen Jing")
    await tg.press_label(ALICE, "📨 Send")
    assert "sent to the management office" in bot.last_text(ALICE.id)
    owner = await owner_of(session_pool, ALICE)
    assert owner.status == OwnerStatus.pending
    assert (owner.claimed_building, owner.claimed_unit, owner.phone) == (
        "5",
        "0801",
        "+8613900139002",
    )
    [card] = await outbox_rows(session_pool, STAFF_CHAT_ID)
    assert card.dedupe_key == f"owner:{owner.id}:pending-card"
    assert card.subject == f"owner:{owner.id}"
    assert "Chen Jing" in card.payload["text"] and "+8613900139002" in card.payload["text"]
    assert "不在名册" in card.payload["text"]

    await tg.press(CLERK, button_data(card, "通过"), STAFF_CHAT_ID)
    assert answers(bot)[-1].text == "✅ 已由 Zhou Min 审核通过。"
    edited = bot.sent(STAFF_CHAT_ID)[-1]
    assert type(edited).__name__ == "EditMessageText" and "Zhou Min" in edited.text
    owner = await owner_of(session_pool, ALICE)
    assert owner.status == OwnerStatus.verified and owner.decided_by == clerk.id
    async with session_pool() as session:
        assert [u.number for u in await owners.units_of(session, owner.id)] == ["0801"]
    [note] = await outbox_rows(session_pool, ALICE.id)
    assert note.dedupe_key == f"owner:{owner.id}:decision"
    assert note.payload["text"].startswith("Good news, Chen Jing!")
    assert "🛠 Report a repair" in str(note.payload["reply_markup"])
    assert "approved" in await audit_types(session_pool, "owner")

    await tg.press(CLERK, button_data(card, "拒绝"), STAFF_CHAT_ID)
    assert answers(bot)[-1].text == "已由 Zhou Min 处理过。"
    assert (await owner_of(session_pool, ALICE)).status == OwnerStatus.verified
    # The card, the owner's note and the card's edit with the decision; nothing more.
    rows = await outbox_rows(session_pool)
    assert [r.dedupe_key for r in rows] == [
        f"owner:{owner.id}:pending-card",
        f"owner:{owner.id}:decision",
        f"owner:{owner.id}:decided-card",
    ]
    assert rows[2].method == "editMessageText" and "Zhou Min" in rows[2].payload["text"]
    assert rows[2].payload["message_id"] == {"$message_id_of": f"owner:{owner.id}:pending-card"}


async def test_deciding_on_the_card_itself_edits_it_once(tg, bot, session_pool, estate):
    """Pressed on the delivered card: one direct edit, no second edit through the outbox that
    Telegram would refuse as "message is not modified"."""
    await add_staff(session_pool, estate, CLERK, name="Zhou Min")
    await register_unknown(tg)
    [card] = await outbox_rows(session_pool, STAFF_CHAT_ID)
    await mark_sent(session_pool, card.dedupe_key, 77)
    await tg.press(CLERK, button_data(card, "通过"), STAFF_CHAT_ID, message_id=77)
    edits = [r for r in bot.sent(STAFF_CHAT_ID) if type(r).__name__ == "EditMessageText"]
    assert len(edits) == 1 and edits[0].message_id == 77 and "Zhou Min" in edits[0].text
    keys = [r.dedupe_key for r in await outbox_rows(session_pool, STAFF_CHAT_ID)]
    assert keys == [card.dedupe_key]


async def test_known_unit_is_marked_on_the_card(tg, session_pool, estate):
    await add_unit(session_pool, estate, "5", "0801")
    await register_unknown(tg)
    [card] = await outbox_rows(session_pool, STAFF_CHAT_ID)
    assert "该房号在业主名册中" in card.payload["text"]


async def test_reject_tells_the_owner_how_to_apply_again(tg, bot, session_pool, estate):
    await add_staff(session_pool, estate, CLERK, role=StaffRole.technician)
    await register_unknown(tg)
    [card] = await outbox_rows(session_pool, STAFF_CHAT_ID)
    await reject(tg, CLERK, card, STAFF_CHAT_ID)
    owner = await owner_of(session_pool, ALICE)
    assert owner.status == OwnerStatus.rejected
    [note] = await outbox_rows(session_pool, ALICE.id)
    assert "send /start to apply again" in note.payload["text"]
    assert "contact the office" in note.payload["text"]
    assert "📞" not in note.payload["text"]
    # Free text, a menu word or a photo: the status, with the way forward (no phone is set).
    for word in ("你好", "报修", "💳 My fees"):
        await tg.send(ALICE, word)
        assert bot.last_text(ALICE.id) == REJECTED_STATUS
    await tg.photo(ALICE)
    assert bot.last_text(ALICE.id) == REJECTED_STATUS


REJECTED_STATUS = (
    "Your registration was not approved. If a detail was wrong, send /start to apply again "
    "with the correct building, unit and name, or contact the management office."
)


async def test_rejected_person_is_given_the_office_phone(tg, bot, session_pool, estate):
    async with session_pool() as session:
        await estates.set_emergency_phone(session, estate.id, "+86 21 5555 0100", actor="test")
    await add_staff(session_pool, estate, CLERK)
    await register_unknown(tg, ALICE)
    await register_unknown(tg, BOB, phone="8613900139003", lang="zh")
    for card in await outbox_rows(session_pool, STAFF_CHAT_ID):
        await reject(tg, CLERK, card, STAFF_CHAT_ID)
    [note] = await outbox_rows(session_pool, ALICE.id)
    assert note.payload["text"].endswith("\n📞 Management office: +86 21 5555 0100")
    await tg.send(ALICE, "hello")
    assert bot.last_text(ALICE.id) == f"{REJECTED_STATUS}\n📞 Management office: +86 21 5555 0100"
    [note] = await outbox_rows(session_pool, BOB.id)
    assert "可发送 /start 重新申请" in note.payload["text"]
    assert note.payload["text"].endswith("\n📞 物业服务中心电话：+86 21 5555 0100")
    await tg.send(BOB, "报修")
    assert bot.last_text(BOB.id) == (
        "您的登记申请未通过审核。如信息有误，可发送 /start 重新申请，填写正确的楼栋、房号和姓名；"
        "也可以联系物业服务中心。\n📞 物业服务中心电话：+86 21 5555 0100"
    )


async def question_id(session_pool) -> int:
    """The message id of the newest "why is it rejected?" question in the staff group."""
    async with session_pool() as session:
        query = select(OutboxMessage).where(col(OutboxMessage.subject).startswith("rejecting:"))
        rows = (await session.exec(query.order_by(col(OutboxMessage.id)))).all()
    return rows[-1].telegram_message_id


async def test_reject_asks_why_and_the_owner_is_told_the_reason(tg, bot, session_pool, estate):
    await add_staff(session_pool, estate, CLERK, name="Zhou Min")
    await register_unknown(tg)
    [card] = await outbox_rows(session_pool, STAFF_CHAT_ID)
    # ❌ asks first; "do not reject" takes the question away and nothing is decided.
    await tg.press(CLERK, button_data(card, "拒绝"), STAFF_CHAT_ID)
    assert answers(bot)[-1].text == "请回复下方的提问说明原因，或不说明原因直接拒绝。"
    question = bot.sent(STAFF_CHAT_ID)[-1]
    assert question.text.startswith("❌ Zhou Min，登记申请 R")
    await tg.press_label(CLERK, "暂不拒绝", STAFF_CHAT_ID)
    assert type(bot.requests[-1]).__name__ == "DeleteMessage"
    assert (await owner_of(session_pool, ALICE)).status == OwnerStatus.pending

    await tg.press(CLERK, button_data(card, "拒绝"), STAFF_CHAT_ID)
    asked = await question_id(session_pool)
    await tg.group(CLERK, "😀😀", reply_to_message=bot_message(asked))
    assert bot.last_text(STAFF_CHAT_ID).startswith("请用文字说明原因")
    assert (await owner_of(session_pool, ALICE)).status == OwnerStatus.pending
    reason = "Unit 5-0801 is registered to someone else; please bring the deed to the office."
    await tg.group(CLERK, reason, reply_to_message=bot_message(asked))
    owner = await owner_of(session_pool, ALICE)
    assert owner.status == OwnerStatus.rejected
    # The owner hears it in their own language (English), with the reason as staff wrote it.
    [note] = await outbox_rows(session_pool, ALICE.id)
    assert note.payload["text"].startswith("Sorry, Chen Jing, the management office could not")
    assert f"registration.\nReason: {reason}\nIf a detail was wrong" in note.payload["text"]
    # The question shows the outcome; the card is edited with it; the audit keeps the reason.
    edited = bot.sent(STAFF_CHAT_ID)[-1]
    assert type(edited).__name__ == "EditMessageText" and edited.message_id == asked
    assert edited.text == f"❌ 已由 Zhou Min 拒绝。\n已告知申请人的原因：{reason}"
    [decided] = [
        r for r in await outbox_rows(session_pool, STAFF_CHAT_ID) if r.method != "sendMessage"
    ]
    assert decided.payload["text"].endswith(edited.text)
    [event] = [e for e in await audit_events(session_pool, "owner") if e.type == "rejected"]
    assert event.data["reason"] == reason
    # A second reply changes nothing.
    await tg.group(CLERK, "Another reason", reply_to_message=bot_message(asked))
    assert bot.last_text(STAFF_CHAT_ID) == "已由 Zhou Min 处理过。"
    assert len(await outbox_rows(session_pool, ALICE.id)) == 1


async def test_rejected_person_applies_again_and_is_approved(tg, bot, session_pool, estate):
    clerk = await add_staff(session_pool, estate, CLERK, name="Zhou Min")
    await register_unknown(tg, unit=("5", "0801"))
    [first_card] = await outbox_rows(session_pool, STAFF_CHAT_ID)
    await reject(tg, CLERK, first_card, STAFF_CHAT_ID)
    rejected = await owner_of(session_pool, ALICE)

    await tg.send(ALICE, "/start")
    assert bot.last_text(ALICE.id).startswith("Please choose your language")
    await tg.press(ALICE, LanguageCb(code="en").pack())
    await tg.contact(ALICE, "8613900139002")
    assert bot.last_text(ALICE.id) == "Which building do you live in? (for example: 3)"
    await tg.send(ALICE, "5")
    await tg.send(ALICE, "0802")
    await tg.send(ALICE, "Chen Jing")
    await tg.press_label(ALICE, "📨 Send")
    assert "sent to the management office" in bot.last_text(ALICE.id)

    owner = await owner_of(session_pool, ALICE)
    assert owner.id == rejected.id and owner.status == OwnerStatus.pending
    assert (owner.claimed_unit, owner.decided_by) == ("0802", None)
    first, _decided, card = await outbox_rows(session_pool, STAFF_CHAT_ID)
    assert first.id == first_card.id and "5-0801" in first.payload["text"]
    assert card.dedupe_key == f"owner:{owner.id}:pending-card:2"
    assert "5-0802" in card.payload["text"] and "再次申请" in card.payload["text"]
    # The earlier request stays on record.
    events = await audit_events(session_pool, "owner")
    assert [e.type for e in events] == [
        "registration_requested",
        "rejected",
        "registration_requested",
    ]
    assert events[-1].data["request_no"] == 2
    assert events[-1].data["previous"]["unit"] == "0801"
    assert events[-1].data["previous"]["decided_by"] == clerk.id

    # The first card's buttons belong to the first request: they change nothing now.
    await tg.press(CLERK, button_data(first_card, "通过"), STAFF_CHAT_ID)
    assert answers(bot)[-1].show_alert and "重新申请" in answers(bot)[-1].text
    assert (await owner_of(session_pool, ALICE)).status == OwnerStatus.pending

    await tg.press(CLERK, button_data(card, "通过"), STAFF_CHAT_ID)
    assert answers(bot)[-1].text == "✅ 已由 Zhou Min 审核通过。"
    owner = await owner_of(session_pool, ALICE)
    assert owner.status == OwnerStatus.verified and owner.decided_by == clerk.id
    async with session_pool() as session:
        assert [u.number for u in await owners.units_of(session, owner.id)] == ["0802"]
    _, note = await outbox_rows(session_pool, ALICE.id)
    assert note.dedupe_key == f"owner:{owner.id}:decision:2"
    assert note.payload["text"].startswith("Good news, Chen Jing!")
    await tg.send(ALICE, "/start")
    assert bot.last_text(ALICE.id).startswith("Hello, Chen Jing!")


async def test_rejected_person_now_in_the_register_is_verified(tg, bot, session_pool, estate):
    await add_staff(session_pool, estate, CLERK)
    await register_unknown(tg)
    [card] = await outbox_rows(session_pool, STAFF_CHAT_ID)
    await reject(tg, CLERK, card, STAFF_CHAT_ID)
    # The office corrects the register: the import finds the person by their phone.
    row = OwnerRow(line=2, building="5", unit="0801", name="Chen Jing", phone="+8613900139002")
    async with session_pool() as session:
        await registers.import_owners(session, estate.id, [row], "test")
    await start_in_english(tg)
    await tg.contact(ALICE, "8613900139002")
    assert bot.last_text(ALICE.id) == (
        "Welcome, Chen Jing! You are verified as the owner of unit 5-0801."
    )
    assert (await owner_of(session_pool, ALICE)).status == OwnerStatus.verified
    assert (await audit_types(session_pool, "owner"))[-1] == "verified_by_phone"
    # The first card and its edit with the rejection; no new card.
    assert len(await outbox_rows(session_pool, STAFF_CHAT_ID)) == 2


async def test_card_warns_when_the_unit_is_someone_elses(tg, bot, session_pool, estate):
    await add_staff(session_pool, estate, CLERK, name="Zhou Min")
    await register_owner(session_pool, estate, name="Li Wei", units=(("1", "101"),))
    await register_unknown(tg, STRANGER, name="Zhang Min", unit=("1", "101"))
    [card] = await outbox_rows(session_pool, STAFF_CHAT_ID)
    text = card.payload["text"]
    assert "名册中该房号的业主：\n• Li Wei（已核实）" in text
    assert "⚠️ 申请人填写的姓名（Zhang Min）与名册中该房号的业主不一致" in text
    assert "该房号在业主名册中" not in text and "姓名与名册一致" not in text
    # Other owners' phones are not shown, only the applicant's.
    assert OWNER_PHONE not in text and "+8613900139002" in text

    # A name the register does not have: the first press only asks for a confirmation.
    await tg.press(CLERK, button_data(card, "通过"), STAFF_CHAT_ID)
    assert answers(bot)[-1].show_alert and "Zhang Min" in answers(bot)[-1].text
    assert (await owner_of(session_pool, STRANGER)).status == OwnerStatus.pending
    confirm = bot.sent(STAFF_CHAT_ID)[-1]
    assert type(confirm).__name__ == "EditMessageReplyMarkup"
    await tg.press_label(CLERK, "确认通过", STAFF_CHAT_ID)
    answer = answers(bot)[-1]
    assert answer.show_alert
    assert answer.text == (
        "✅ 已由 Zhou Min 审核通过。\n⚠️ 申请人姓名与名册不一致，请确认登记业主知情同意。"
    )
    edited = bot.sent(STAFF_CHAT_ID)[-1]
    assert "⚠️ 申请人填写的姓名（Zhang Min）" in edited.text
    assert edited.text.endswith(answer.text)
    # Staff decided: the applicant is linked to the unit.
    owner = await owner_of(session_pool, STRANGER)
    assert owner.status == OwnerStatus.verified
    async with session_pool() as session:
        assert [u.number for u in await owners.units_of(session, owner.id)] == ["101"]


async def test_card_with_the_registered_name_has_no_warning(tg, bot, session_pool, estate):
    async with session_pool() as session:
        row = await session.get(Estate, estate.id)
        row.locale = "en"
        session.add(row)
        await session.commit()
    await add_staff(session_pool, estate, CLERK, name="Zhou Min")
    await register_owner(session_pool, estate, name="Li Wei", units=(("1", "101"),))
    await register_unknown(tg, name="LI wei", unit=(" 1 ", "101"))
    [card] = await outbox_rows(session_pool, STAFF_CHAT_ID)
    text = card.payload["text"]
    assert "🏠 On the register for this unit:\n• Li Wei (verified)" in text
    assert text.endswith("✅ The name matches the register.")
    assert "⚠️" not in text
    await tg.press(CLERK, button_data(card, "Approve"), STAFF_CHAT_ID)
    answer = answers(bot)[-1]
    assert answer.text == "✅ Approved by Zhou Min." and not answer.show_alert
    assert "⚠️" not in bot.sent(STAFF_CHAT_ID)[-1].text


async def test_card_buttons_posted_before_requests_were_numbered_still_work(
    tg, bot, session_pool, estate
):
    await add_staff(session_pool, estate, CLERK)
    await add_unit(session_pool, estate, "5", "0801")
    await register_unknown(tg)
    owner = await owner_of(session_pool, ALICE)
    await tg.press(CLERK, f"ownr:ok:{owner.id}", STAFF_CHAT_ID)
    assert (await owner_of(session_pool, ALICE)).status == OwnerStatus.verified


async def test_non_staff_pressing_approve_changes_nothing(tg, bot, session_pool, estate):
    await register_unknown(tg)
    [card] = await outbox_rows(session_pool, STAFF_CHAT_ID)
    await tg.press(STRANGER, button_data(card, "通过"), STAFF_CHAT_ID)
    assert answers(bot)[-1].text.startswith("抱歉，只有物业服务中心的员工")
    assert (await owner_of(session_pool, ALICE)).status == OwnerStatus.pending
    assert len(await outbox_rows(session_pool)) == 1
    # Staff pressing a forged button outside the staff group is refused as well.
    await add_staff(session_pool, estate, CLERK)
    await tg.press(CLERK, button_data(card, "通过"), -100999)
    assert (await owner_of(session_pool, ALICE)).status == OwnerStatus.pending


async def test_pending_owner_is_told_their_status(tg, bot, session_pool, estate):
    await register_unknown(tg)
    await tg.send(ALICE, "🛠 Report a repair")
    assert "still waiting" in bot.last_text(ALICE.id)
    await tg.send(ALICE, "/start")
    assert "still waiting" in bot.last_text(ALICE.id)


async def test_request_without_staff_group_is_kept_for_pending(
    tg, bot, session_pool, estate, settings
):
    async with session_pool() as session:
        row = await session.get(Estate, estate.id)
        row.staff_chat_id = None
        session.add(row)
        await session.commit()
    await register_unknown(tg)
    assert "saved" in bot.last_text(ALICE.id)
    assert await outbox_rows(session_pool) == []
    admin = Person(id=next(iter(settings.admin_ids)), language_code="zh")
    await tg.group(admin, "/bind")
    assert "1 条登记申请待审核" in bot.last_text(STAFF_CHAT_ID)
    await add_staff(session_pool, estate, CLERK)
    await tg.group(CLERK, "/pending")
    assert "Chen Jing" in bot.last_text(STAFF_CHAT_ID)
    await tg.press_label(CLERK, "通过", STAFF_CHAT_ID)
    assert (await owner_of(session_pool, ALICE)).status == OwnerStatus.verified


async def test_bad_answers_keep_the_step(tg, bot, session_pool, estate):
    await start_in_english(tg)
    await tg.contact(ALICE, "8613900139002")
    await tg.send(ALICE, "x" * 65)
    assert "at most 64 characters" in bot.last_text(ALICE.id)
    await tg.photo(ALICE)
    assert "at most 64 characters" in bot.last_text(ALICE.id)
    await tg.send(ALICE, "5")
    await tg.send(ALICE, "0801")
    for bad in ("   ", "🙂", "n" * 101):
        await tg.send(ALICE, bad)
        assert "at most 100 characters" in bot.last_text(ALICE.id)
    assert await all_owners(session_pool) == []
    await tg.send(ALICE, "Chen Jing")
    assert await all_owners(session_pool) == []
    await tg.press_label(ALICE, "📨 Send")
    assert len(await all_owners(session_pool)) == 1


async def test_cancel_mid_flow(tg, bot, dp, session_pool, estate):
    await start_in_english(tg)
    await tg.contact(ALICE, "8613900139002")
    await tg.send(ALICE, "5")
    await tg.send(ALICE, "/cancel")
    assert bot.last_text(ALICE.id).startswith("Cancelled. Nothing was sent.")
    await tg.send(ALICE, "0801")
    assert bot.last_text(ALICE.id) == "Please send /start to begin."
    assert await all_owners(session_pool) == []
    await tg.send(ALICE, "/cancel")
    assert bot.last_text(ALICE.id).startswith("There is nothing to cancel.")


async def test_cancel_button_in_chinese_works_for_english_user(tg, bot, session_pool, estate):
    await start_in_english(tg)
    await tg.contact(ALICE, "8613900139002")
    await tg.send(ALICE, "取消")
    assert bot.last_text(ALICE.id).startswith("Cancelled.")


async def test_verified_owner_cancel_gets_menu(tg, bot, session_pool, estate):
    await register_owner(session_pool, estate)
    await start_in_english(tg)
    await tg.contact(ALICE, "8613800138001")
    await tg.send(ALICE, "/cancel")
    assert isinstance(bot.sent(ALICE.id)[-1].reply_markup, ReplyKeyboardMarkup)


async def test_language_switch(tg, bot, session_pool, estate):
    await register_owner(session_pool, estate)
    await start_in_english(tg)
    await tg.contact(ALICE, "8613800138001")
    await tg.send(ALICE, "🌐 Language")
    assert keyboard_labels(bot.sent(ALICE.id)[-1].reply_markup) == ["✅ English", "中文"]
    await tg.press(ALICE, LanguageCb(code="zh").pack())
    assert (await owner_of(session_pool, ALICE)).language == "zh"
    assert bot.last_text(ALICE.id).startswith("Li Wei，您好")
    assert "🛠 报修" in keyboard_labels(bot.sent(ALICE.id)[-1].reply_markup)
    await tg.send(ALICE, "/language")
    assert keyboard_labels(bot.sent(ALICE.id)[-1].reply_markup) == ["English", "✅ 中文"]
    await tg.send(ALICE, "/help")
    assert bot.last_text(ALICE.id).startswith("我是物业服务中心的线上前台")


async def test_unknown_text_gets_menu_or_start_pointer(tg, bot, session_pool, estate):
    await tg.send(STRANGER, "hello there?")
    assert bot.last_text(STRANGER.id) == "Please send /start to begin."
    await tg.send(STRANGER, "💳 My fees")
    assert bot.last_text(STRANGER.id).startswith("You are not registered yet.")
    await register_owner(session_pool, estate)
    await start_in_english(tg)
    await tg.contact(ALICE, "8613800138001")
    # Words are offered as a request (tests/test_defects.py); anything else gets the menu.
    await tg.send(ALICE, "what's up")
    assert bot.last_text(ALICE.id).startswith("You wrote: “what's up”")
    await tg.photo(ALICE)
    assert isinstance(bot.sent(ALICE.id)[-1].reply_markup, ReplyKeyboardMarkup)
    assert bot.last_text(ALICE.id).startswith("Sorry, I did not understand")


async def test_typed_start_word_starts(tg, bot):
    await tg.send(BOB, "开始")
    assert bot.last_text(BOB.id).startswith("请选择语言")


async def test_group_chatter_is_ignored(tg, bot, estate):
    await tg.group(STRANGER, "anyone seen the plumber?")
    await tg.group(STRANGER, "报修")
    assert bot.sent(STAFF_CHAT_ID) == []


async def test_stale_unknown_button_is_answered(tg, bot):
    await tg.press(ALICE, "nonsense:1")
    assert answers(bot)[-1].text == "This button is no longer valid."


async def test_help_in_staff_group_lists_commands(tg, bot, estate):
    await tg.group(CLERK, "/help")
    assert "/queue" in bot.last_text(STAFF_CHAT_ID) and "/staff" in bot.last_text(STAFF_CHAT_ID)


async def test_text_key_matches_labels_in_any_locale(catalogs):
    assert catalogs.match("报修", "menu-repair") == "menu-repair"
    assert catalogs.match("🛠 Report a repair", "menu-complaint", "menu-repair") == "menu-repair"
    assert catalogs.match("  REPAIR! ", "menu-repair") == "menu-repair"
    assert catalogs.match("我的报修/投诉", "menu-repair", "menu-requests") == "menu-requests"
    assert catalogs.match("hello", "menu-repair") is None


async def test_text_key_filter(tg, catalogs):
    message = tg.message(ALICE, "报修")
    assert await TextKey("menu-fees", "menu-repair")(message, catalogs) == {
        "text_key": "menu-repair"
    }
    assert await TextKey("menu-fees")(message, catalogs) is False
