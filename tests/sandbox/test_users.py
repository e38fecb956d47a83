import asyncio

import pytest
from aiogram import Dispatcher, F
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from sandbox import SandboxError


def build_dispatcher(seen):
    dp = Dispatcher()

    @dp.message(Command("start"))
    async def start(message: Message):
        seen.append(("command", message.text))
        markup = InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="Repair", callback_data="menu:repair")]]
        )
        await message.answer("<b>Welcome</b>, pick one:", parse_mode="HTML", reply_markup=markup)

    @dp.message(F.contact)
    async def contact(message: Message):
        assert message.contact is not None
        seen.append(("contact", message.contact.phone_number, message.contact.user_id))
        await message.answer(f"Got {message.contact.phone_number}")

    @dp.message(F.photo)
    async def photo(message: Message):
        assert message.photo
        seen.append(("photo", message.photo[-1].width, message.caption))
        await message.answer("Nice photo")

    @dp.message(F.text)
    async def text(message: Message):
        replied = message.reply_to_message.text if message.reply_to_message else None
        seen.append(("text", message.text, message.chat.type, replied))
        await message.reply(f"echo: {message.text}")

    @dp.callback_query(F.data == "menu:repair")
    async def press(query: CallbackQuery):
        assert isinstance(query.message, Message)
        seen.append(("press", query.data, query.message.message_id))
        await query.answer("Opening repairs", show_alert=True)
        await query.message.edit_text("Describe the problem")

    return dp


@pytest.fixture
async def polling(bot):
    seen: list[tuple[object, ...]] = []
    dp = build_dispatcher(seen)
    task = asyncio.create_task(dp.start_polling(bot, polling_timeout=1, handle_signals=False))
    yield seen
    await dp.stop_polling()
    await asyncio.wait_for(task, 5)


async def test_user_flow_through_a_real_dispatcher(polling, client, owner):
    uid = owner["id"]
    await client.send_command(uid, "start")
    welcome = await client.wait_for_message(uid, "Welcome")
    assert welcome["html"] == "<b>Welcome</b>, pick one:"
    assert welcome["buttons"] == [[{"text": "Repair", "callback_data": "menu:repair"}]]

    answer = await client.press_button(uid, text="Repair")
    assert answer["answered"] and answer["text"] == "Opening repairs" and answer["show_alert"]
    assert (await client.callback_answers())[-1]["data"] == "menu:repair"
    for _ in range(50):
        [edited] = [
            m for m in await client.messages(uid) if m["message_id"] == welcome["message_id"]
        ]
        if edited["edited"]:
            break
        await asyncio.sleep(0.05)
    assert edited["text"] == "Describe the problem" and edited["buttons"] == []

    await client.send_contact(uid)
    assert (await client.wait_for_message(uid, "Got"))["text"] == "Got +15550001111"
    await client.send_contact(uid, phone_number="+15559999999", contact_user_id=None)

    await client.send_photo(uid, caption="leak")
    await client.wait_for_message(uid, "Nice photo")

    first = await client.send_text(uid, "hello")
    reply = await client.wait_for_message(uid, "echo: hello")
    assert reply["reply_to_message_id"] == first["message_id"]
    await client.send_text(uid, "about this", reply_to_message_id=reply["message_id"])
    await client.wait_for_message(uid, "echo: about this")

    assert polling == [
        ("command", "/start"),
        ("press", "menu:repair", welcome["message_id"]),
        ("contact", "+15550001111", uid),
        ("contact", "+15559999999", None),
        ("photo", 64, "leak"),
        ("text", "hello", "private", None),
        ("text", "about this", "private", "echo: hello"),
    ]


async def test_group_messages_and_commands(polling, client):
    staff = await client.create_user("Sam", username="sam", role="staff")
    group = await client.create_group("Staff room", [staff["id"]])
    sent = await client.send_text(staff["id"], "/start@frontdoor_sandbox_bot", chat_id=group["id"])
    assert sent["telegram"]["entities"][0]["type"] == "bot_command"
    await client.wait_for_message(group["id"], "Welcome")
    assert polling == [("command", "/start@frontdoor_sandbox_bot")]


async def test_press_without_answer_times_out(client, owner, bot):
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Go", callback_data="go")]]
    )
    sent = await bot.send_message(owner["id"], "x", reply_markup=markup)
    answer = await client.press_button(
        owner["id"], message_id=sent.message_id, callback_data="go", timeout=0.2
    )
    assert not answer["answered"]
    [update] = await bot.get_updates()
    assert update.callback_query.message.message_id == sent.message_id
    assert await bot.answer_callback_query(update.callback_query.id, text="late")


async def test_client_errors(client, owner):
    with pytest.raises(SandboxError) as error:
        await client.press_button(owner["id"], text="missing")
    assert error.value.status == 404
    with pytest.raises(SandboxError):
        await client.send_text(999, "who am I")
    with pytest.raises(TimeoutError):
        await client.wait_for_message(owner["id"], "never", timeout=0.2)


async def test_stickers_voice_notes_and_locations_reach_the_bot(client, owner, bot):
    """As a Telegram client sends them: aiogram parses each into its own type, and a voice
    note's file downloads."""
    sticker = await client.send_sticker(owner["id"], "🙂")
    voice = await client.send_voice(owner["id"], duration=4)
    where = await client.send_location(owner["id"], 31.2304, 121.4737)
    assert sticker["sticker"]["emoji"] == "🙂" and voice["voice"]["duration"] == 4
    assert where["location"] == {"latitude": 31.2304, "longitude": 121.4737}
    first, second, third = await bot.get_updates()
    assert first.message.sticker.emoji == "🙂" and first.message.text is None
    assert second.message.voice.duration == 4 and second.message.voice.mime_type == "audio/ogg"
    assert third.message.location.latitude == 31.2304
    file = await bot.get_file(second.message.voice.file_id)
    assert file.file_path.startswith("voice/")
    assert (await client.download(second.message.voice.file_id)).startswith(b"OggS")
    for bad in (
        client.send_voice(owner["id"], duration=0),
        client.send_location(owner["id"], 91, 0),
        client.send_sticker(owner["id"], ""),
    ):
        with pytest.raises(SandboxError) as error:
            await bad
        assert error.value.status == 400
