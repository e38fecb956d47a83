import asyncio

from aiogram import Dispatcher
from aiogram.types import Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from tests.served import serving


async def test_webhook_delivery_with_secret_and_retry(bot, client, owner):
    received = []
    failures = [1]

    async def hook(request: web.Request) -> web.Response:
        if failures:
            failures.pop()
            return web.Response(status=500)
        received.append(
            (request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json())
        )
        return web.json_response({})

    app = web.Application()
    app.router.add_post("/hook", hook)
    async with serving(app) as base:
        await bot.set_webhook(f"{base}/hook", secret_token="s3cret")
        await client.send_text(owner["id"], "one")
        await client.send_text(owner["id"], "two")
        for _ in range(100):
            if len(received) == 2:
                break
            await asyncio.sleep(0.05)
        assert [(s, u["message"]["text"]) for s, u in received] == [
            ("s3cret", "one"),
            ("s3cret", "two"),
        ]
        info = await client.webhook_info()
        assert info["pending_update_count"] == 0
        assert "500" in info["last_error_message"]


async def test_webhook_reply_method_is_executed(bot, client, owner):
    dp = Dispatcher()

    @dp.message()
    async def echo(message: Message):
        return message.answer(f"hook: {message.text}")

    app = web.Application()
    SimpleRequestHandler(dp, bot, handle_in_background=False).register(app, path="/hook")
    async with serving(app) as base:
        await bot.set_webhook(f"{base}/hook")
        await client.send_text(owner["id"], "ping")
        message = await client.wait_for_message(owner["id"], "hook: ping", timeout=5)
        assert message["from_bot"]


async def test_round_robin_targets_take_updates_in_turn(bot, client, owner):
    received: list[tuple[str, str]] = []

    def hook(name: str):
        async def handle(request: web.Request) -> web.Response:
            received.append((name, (await request.json())["message"]["text"]))
            return web.json_response({})

        return handle

    app = web.Application()
    app.router.add_post("/a", hook("a"))
    app.router.add_post("/b", hook("b"))
    async with serving(app) as base:
        await bot.set_webhook(f"{base}/a")
        await client.set_webhook_targets([f"{base}/a", f"{base}/b"])
        for text in ("1", "2", "3"):
            await client.send_text(owner["id"], text)
        for _ in range(100):
            if len(received) == 3:
                break
            await asyncio.sleep(0.05)
        assert received == [("a", "1"), ("b", "2"), ("a", "3")]
