"""`python -m sandbox --port N`: run the sandbox until interrupted."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from sandbox.server import start_sandbox


async def serve(port: int, bot_username: str, seed: int | None) -> None:
    running = await start_sandbox(port=port, bot_username=bot_username, seed=seed)
    print(f"Sandbox page:  {running.base_url}/", flush=True)
    print(f"Bot API base:  {running.base_url}  (TelegramAPIServer.from_base)", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await running.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--port", type=int, default=8081, help="0 picks a free port")
    parser.add_argument("--bot-username", default="frontdoor_sandbox_bot")
    parser.add_argument("--seed", type=int, default=None, help="seed for fault randomness")
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.port, args.bot_username, args.seed))


main()
