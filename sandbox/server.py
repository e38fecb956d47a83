"""The sandbox web app (Bot API + client API + page) and how to start and stop it."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import time
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from sandbox.api import ClientApi
from sandbox.botapi import BotApi, Params, Upload, serve_file
from sandbox.state import Sandbox

STATIC_DIR = Path(__file__).parent / "static"
WEBHOOK_TIMEOUT = 10.0
MAX_BACKOFF = 5.0

WEBHOOK_TASK = web.AppKey("webhook_task", asyncio.Task[None])

__all__ = ["RunningSandbox", "Sandbox", "create_app", "start_sandbox"]


def create_app(sandbox: Sandbox) -> web.Application:
    bot_api = BotApi(sandbox)
    client_api = ClientApi(sandbox)
    app = web.Application(client_max_size=60 * 1024 * 1024)

    async def index(request: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC_DIR / "index.html")

    async def download(request: web.Request) -> web.StreamResponse:
        return await serve_file(request, sandbox)

    app.router.add_get("/", index)
    app.router.add_static("/sandbox/static/", STATIC_DIR)
    app.router.add_routes(client_api.routes())
    app.router.add_get("/file/bot{token}/{path:.+}", download)
    app.router.add_route("*", "/bot{token}/{method}", bot_api.handle)

    async def start_delivery(app: web.Application) -> None:
        app[WEBHOOK_TASK] = asyncio.create_task(deliver_webhooks(sandbox, bot_api))

    async def stop(app: web.Application) -> None:
        # Wake long polls and SSE streams so shutdown does not wait for their timeouts.
        sandbox.closing.set()
        for pending in sandbox.callbacks.values():
            pending.answered.set()
        task = app[WEBHOOK_TASK]
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    app.on_startup.append(start_delivery)
    app.on_shutdown.append(stop)
    return app


async def deliver_webhooks(sandbox: Sandbox, bot_api: BotApi) -> None:
    """POST queued updates to the webhook one at a time, in order, retrying with backoff."""
    backoff = 0.1
    async with aiohttp.ClientSession() as session:
        while not sandbox.closing.is_set():
            if not sandbox.webhook.url or not sandbox.updates:
                await sandbox.wait_for_updates(1.0)
                continue
            url, secret = sandbox.webhook.next_url(), sandbox.webhook.secret_token
            update = sandbox.updates[0]
            headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
            error = None
            try:
                async with session.post(
                    url,
                    json=update,
                    headers=headers,
                    timeout=aiohttp.ClientTimeout(total=WEBHOOK_TIMEOUT),
                ) as response:
                    if response.status >= 300:
                        error = (
                            f"Wrong response from the webhook: {response.status} {response.reason}"
                        )
                    else:
                        reply = await _webhook_reply(response)
            except (aiohttp.ClientError, TimeoutError) as failure:
                error = f"Connection failed: {type(failure).__name__}: {failure}"
            if error is not None:
                sandbox.webhook.last_error_date = int(time.time())
                sandbox.webhook.last_error_message = error
                sandbox.touch(None)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
                continue
            backoff = 0.1
            if sandbox.updates and sandbox.updates[0] is update:
                sandbox.updates.pop(0)
            if reply is not None:
                await bot_api.run(*reply)


async def _webhook_reply(response: aiohttp.ClientResponse) -> tuple[str, Params] | None:
    """A Bot API call in the webhook's answer (JSON, or multipart as aiogram sends it)."""
    if response.content_type == "application/json":
        try:
            body = await response.json()
        except (json.JSONDecodeError, aiohttp.ContentTypeError):
            return None
        if isinstance(body, dict) and isinstance(body.get("method"), str):
            method = body.pop("method")
            return method, Params(body, {})
        return None
    if not response.content_type.startswith("multipart/"):
        return None
    values: dict[str, Any] = {}
    uploads: dict[str, Upload] = {}
    reader = aiohttp.MultipartReader.from_response(response)
    while (part := await reader.next()) is not None:
        if not isinstance(part, aiohttp.BodyPartReader) or not part.name:
            continue
        if part.filename:
            uploads[part.name] = Upload(part.filename, bytes(await part.read()), None)
        else:
            values[part.name] = await part.text()
    method = values.pop("method", None)
    return (str(method), Params(values, uploads)) if method else None


class RunningSandbox:
    """A started sandbox server; `base_url` is what aiogram's TelegramAPIServer.from_base takes."""

    def __init__(self, sandbox: Sandbox, runner: web.AppRunner, host: str, port: int) -> None:
        self.sandbox = sandbox
        self.runner = runner
        self.host = host
        self.port = port

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def stop(self) -> None:
        await self.runner.cleanup()

    async def __aenter__(self) -> RunningSandbox:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()


async def start_sandbox(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    bot_username: str = "frontdoor_sandbox_bot",
    seed: int | None = None,
) -> RunningSandbox:
    """Start the sandbox; port 0 picks a free port (see `.port` and `.base_url`)."""
    sandbox = Sandbox(bot_username=bot_username, seed=seed)
    runner = web.AppRunner(create_app(sandbox), shutdown_timeout=1.0, access_log=None)
    await runner.setup()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    site = web.SockSite(runner, sock)
    await site.start()
    return RunningSandbox(sandbox, runner, host, sock.getsockname()[1])
