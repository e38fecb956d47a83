"""A person's updates are handled in the order they arrived, even when an earlier one waits
longer in the middlewares (the e2e run saw /resolve overtake the /assign sent just before it)."""

import asyncio
from typing import Any

from bot.middlewares import ConversationMiddleware
from tests.tickets_fixtures import *  # noqa: F403
from tests.tickets_fixtures import OTHER_OWNER, OWNER


async def test_a_later_update_never_overtakes_an_earlier_one_of_the_same_person(dp, tg):
    entered: list[str] = []

    async def slow_first(handler: Any, event: Any, data: dict[str, Any]) -> Any:
        text = event.message.text if event.message else ""
        if text == "first":
            # Waits on "the database" until the update behind it has got this far, or long
            # enough that it would have.
            for _ in range(500):
                if any(e.endswith(":second") for e in entered):
                    break
                await asyncio.sleep(0)
        entered.append(f"{event.message.from_user.id}:{text}")
        return await handler(event, data)

    # Just before the conversation's middleware, where HandleOnce waits on the database.
    chain = dp.update.outer_middleware._middlewares
    at = next(i for i, m in enumerate(chain) if type(m) is ConversationMiddleware)
    chain.insert(at, slow_first)
    await asyncio.gather(
        tg.send(OWNER, "first"),
        tg.send(OWNER, "second"),
        tg.send(OTHER_OWNER, "other"),
    )
    mine = [e for e in entered if e.startswith(f"{OWNER.id}:")]
    assert mine == [f"{OWNER.id}:first", f"{OWNER.id}:second"]
    assert f"{OTHER_OWNER.id}:other" in entered
