import asyncio
import time

import pytest
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import TelegramMethod
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from tests.sandbox.conftest import TOKEN


async def test_get_me_uses_the_token_id(bot):
    me = await bot.get_me()
    assert me.id == 123456789
    assert me.is_bot
    assert me.username == "frontdoor_sandbox_bot"


async def test_bad_token_is_unauthorized(running):
    from aiogram import Bot
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer

    session = AiohttpSession(api=TelegramAPIServer.from_base(running.base_url))
    # aiogram validates token format locally, so bypass it for a token Telegram would reject.
    bad = Bot("1:" + "x" * 35, session=session)
    bad._Bot__token = "nope:short"
    with pytest.raises(TelegramUnauthorizedError):
        await bad.get_me()
    await session.close()


async def test_unknown_method_is_not_found(bot):
    class Nonsense(TelegramMethod[bool]):
        __returning__ = bool
        __api_method__ = "doNonsense"

    with pytest.raises(TelegramNotFound):
        await bot(Nonsense())


async def test_send_message_html_parsed(bot, client, owner):
    sent = await bot.send_message(owner["id"], "<b>Hi</b> &amp; welcome", parse_mode="HTML")
    assert sent.text == "Hi & welcome"
    assert sent.entities[0].type == "bold"
    assert sent.from_user.is_bot
    assert sent.chat.type == "private"
    [stored] = await client.messages(owner["id"])
    assert stored["html"] == "<b>Hi</b> &amp; welcome"
    assert stored["text"] == "Hi & welcome"
    second = await bot.send_message(owner["id"], "again")
    assert second.message_id == sent.message_id + 1


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("<b>open", "Can't find end tag"),
        ("<b>x</i>", "Unmatched end tag"),
        ("<script>x</script>", 'Unsupported start tag "script"'),
    ],
)
async def test_bad_html_is_rejected(bot, owner, text, reason):
    with pytest.raises(TelegramBadRequest, match="can't parse entities") as error:
        await bot.send_message(owner["id"], text, parse_mode="HTML")
    assert reason in error.value.message


async def test_text_limits(bot, owner):
    await bot.send_message(owner["id"], "x" * 4096)
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(owner["id"], "x" * 4097)
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(owner["id"], "<b></b>", parse_mode="HTML")


async def test_callback_data_limit(bot, owner):
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="go", callback_data="x" * 65)]]
    )
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(owner["id"], "pick", reply_markup=markup)


async def test_chat_not_found(bot):
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(42, "hello?")


async def test_edit_rules(bot, client, owner):
    sent = await bot.send_message(owner["id"], "one")
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text("one", chat_id=owner["id"], message_id=sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("two", chat_id=owner["id"], message_id=999)
    edited = await bot.edit_message_text("two", chat_id=owner["id"], message_id=sent.message_id)
    assert edited.edit_date is not None
    [stored] = await client.messages(owner["id"])
    assert stored["edited"] and stored["text"] == "two"
    assert await bot.delete_message(owner["id"], sent.message_id)
    [stored] = await client.messages(owner["id"])
    assert stored["deleted"]


async def test_get_updates_offset_and_long_poll(bot, client, owner):
    await client.send_text(owner["id"], "first")
    await client.send_text(owner["id"], "second")
    updates = await bot.get_updates()
    assert [u.message.text for u in updates] == ["first", "second"]
    # Confirming via offset drops the earlier update.
    updates = await bot.get_updates(offset=updates[1].update_id)
    assert [u.message.text for u in updates] == ["second"]
    last = updates[0].update_id

    async def later():
        await asyncio.sleep(0.2)
        await client.send_text(owner["id"], "third")

    started = time.monotonic()
    task = asyncio.create_task(later())
    updates = await bot.get_updates(offset=last + 1, timeout=5)
    await task
    assert [u.message.text for u in updates] == ["third"]
    assert time.monotonic() - started < 2


async def test_block_makes_sends_forbidden(bot, client, owner):
    await client.block(owner["id"])
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(owner["id"], "hello")
    await client.unblock(owner["id"])
    await bot.send_message(owner["id"], "hello")


async def test_rate_limit_raises_retry_after(bot, client, owner):
    await client.set_faults(private_chat_per_second=1)
    await bot.send_message(owner["id"], "one")
    with pytest.raises(TelegramRetryAfter) as error:
        await bot.send_message(owner["id"], "two")
    assert error.value.retry_after == 1
    await client.reset_faults()
    await client.set_faults(rate_limit_per_second=2)
    await bot.get_me()
    await bot.get_me()
    with pytest.raises(TelegramRetryAfter):
        await bot.get_me()


async def test_server_errors(bot, client, owner):
    await client.set_faults(error_rate=1.0, error_codes=[502], methods=["sendMessage"])
    with pytest.raises(TelegramServerError, match="Bad Gateway"):
        await bot.send_message(owner["id"], "hello")
    await bot.get_me()
    calls = await client.calls(method="sendMessage")
    assert calls[-1]["status"] == 502


async def test_delay_causes_client_timeout(bot, client, owner):
    from aiogram.exceptions import TelegramNetworkError

    await client.set_faults(delay=1.5, methods=["getMe"])
    with pytest.raises(TelegramNetworkError):
        await bot.get_me(request_timeout=1)


async def test_file_upload_and_download_round_trip(bot, client, owner):
    payload = b"%PDF-1.4 fake report"
    sent = await bot.send_document(
        owner["id"],
        BufferedInputFile(payload, filename="report.pdf"),
        caption="<i>r</i>",
        parse_mode="HTML",
    )
    assert sent.document.file_name == "report.pdf"
    assert sent.caption == "r"
    file = await bot.get_file(sent.document.file_id)
    downloaded = await bot.download_file(file.file_path)
    assert downloaded.read() == payload
    # A second send by file_id reuses the stored file.
    again = await bot.send_document(owner["id"], sent.document.file_id)
    assert again.document.file_unique_id == sent.document.file_unique_id
    assert await client.download(sent.document.file_id) == payload


async def test_a_document_cannot_be_sent_on_as_a_photo(bot, owner):
    from aiogram.exceptions import TelegramBadRequest

    sent = await bot.send_document(owner["id"], BufferedInputFile(b"\x89PNG", filename="a.png"))
    with pytest.raises(TelegramBadRequest, match="Document as Photo"):
        await bot.send_photo(owner["id"], sent.document.file_id)


async def test_photo_upload_has_sizes(bot, client, owner):
    from sandbox.state import sample_photo

    sent = await bot.send_photo(owner["id"], BufferedInputFile(sample_photo(1), "p.png"))
    assert (sent.photo[-1].width, sent.photo[-1].height) == (64, 48)
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.send_photo(owner["id"], sent.photo[-1].file_id, caption="c" * 1025)


async def test_reply_keyboard_is_remembered(bot, client, owner):
    markup = ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text="Share phone", request_contact=True)]],
        resize_keyboard=True,
    )
    await bot.send_message(owner["id"], "Your phone?", reply_markup=markup)
    keyboard = await client.keyboard(owner["id"])
    assert keyboard["keyboard"][0][0]["request_contact"]
    message = await client.press_reply_button(owner["id"], "Share phone")
    assert message["contact"] == {
        "phone_number": "+15550001111",
        "first_name": "Olga",
        "last_name": "Owner",
        "user_id": owner["id"],
    }


async def test_commands_chat_and_member(bot, client, owner):
    await bot.set_my_commands([BotCommand(command="start", description="Start")])
    assert [c.command for c in await bot.get_my_commands()] == ["start"]
    staff = await client.create_user("Sam", role="staff")
    group = await client.create_group("Staff", [staff["id"]])
    assert group["id"] < -1_000_000_000_000
    chat = await bot.get_chat(group["id"])
    assert chat.title == "Staff"
    member = await bot.get_chat_member(group["id"], staff["id"])
    assert member.status == "member"
    outsider = await bot.get_chat_member(group["id"], owner["id"])
    assert outsider.status == "left"
    assert await bot.send_chat_action(group["id"], "typing")


async def test_webhook_blocks_polling(bot):
    await bot.set_webhook("http://127.0.0.1:9/hook")
    with pytest.raises(TelegramConflictError):
        await bot.get_updates()
    info = await bot.get_webhook_info()
    assert info.url == "http://127.0.0.1:9/hook"
    await bot.delete_webhook()
    assert await bot.get_updates() == []


async def test_token_is_checked_on_raw_requests(running):
    import aiohttp

    async with aiohttp.ClientSession() as http:
        async with http.post(f"{running.base_url}/botbad/getMe") as response:
            assert response.status == 401
            assert (await response.json())["description"] == "Unauthorized"
        async with http.post(
            f"{running.base_url}/bot{TOKEN}/SENDMESSAGE", json={"chat_id": 5, "text": "x"}
        ) as response:
            body = await response.json()
    assert body == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: chat not found",
    }
