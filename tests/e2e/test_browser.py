"""The sandbox page in headless Chromium, driving the real bot like a person would.

Uses Debian's Chromium (`apt-get install chromium`), never a downloaded browser.
"""

import asyncio
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from bot import demo_data
from bot.i18n import default_catalogs
from sandbox import SandboxClient
from tests.e2e.conftest import E2E, World, bind_new_staff_group, in_worker_thread, plain
from tests.e2e.test_tickets_e2e import report_repair

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 15_000
# Set to a path to keep a picture of the page at the end of the test (e.g. /tmp/demo.png).
SCREENSHOT = os.environ.get("FRONTDOOR_E2E_SCREENSHOT")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip("Chromium not installed: apt-get install chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def bind_staff_group(world: World) -> int:
    """A fresh staff group bound by the manager's /bind (see conftest.bind_new_staff_group)."""
    staff = [p.user_id for p in demo_data.STAFF]
    group = world.sandbox.api("/groups", {"title": "Browser staff room", "member_ids": staff})
    sent = world.sandbox.api(
        "/send/text",
        {"user_id": demo_data.MANAGER.user_id, "chat_id": group["id"], "text": "/bind"},
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        path = f"/chats/{group['id']}/messages?after_message_id={sent['message_id']}&wait=2"
        if any(m["from_bot"] for m in world.sandbox.api(path)["messages"]):
            return int(group["id"])
    raise TimeoutError("the bot did not answer /bind")


def pick(page: Page, pane: str, selector: str, value: Any) -> None:
    select = page.locator(f"#{pane} {selector}")
    expect(select.locator(f'option[value="{value}"]')).to_have_count(1)
    select.select_option(str(value))


def test_owner_registers_on_the_page_and_staff_see_a_request(world: World, browser: Browser):
    t, z = default_catalogs().translator("en"), default_catalogs().translator("zh")
    group_id = bind_staff_group(world)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(world.base_url + "/")
    owner_pane = page.locator("#owner-pane")
    group_pane = page.locator("#group-pane")

    # The "you are" list shows the sample people by name.
    for person in (demo_data.LI_WEI, demo_data.EMMA, demo_data.TOM):
        expect(owner_pane.locator(".who option", has_text=person.name)).to_have_count(1)

    pick(page, "owner-pane", ".who", demo_data.EMMA.user_id)
    owner_pane.locator(".composer .text").fill("/start")
    owner_pane.locator(".composer form.send button[type=submit]").click()
    owner_pane.locator(".msg.bot button", has_text=t("lang-english")).last.click()
    owner_pane.locator(".reply-keyboard button", has_text=t("onb-share-phone")).click()
    expect(owner_pane.locator(".msg.bot .body").last).to_have_text(
        plain(t("onb-verified-one", name="Emma Clark", unit="1-102"))
    )
    expect(owner_pane.locator(".reply-keyboard button", has_text=t("menu-repair"))).to_be_visible()

    # Someone whose phone is not in the register: the request appears in the staff pane.
    pick(page, "owner-pane", ".who", demo_data.TOM.user_id)
    owner_pane.locator(".composer .text").fill("/start")
    owner_pane.locator(".composer form.send button[type=submit]").click()
    owner_pane.locator(".msg.bot button", has_text=t("lang-english")).last.click()
    owner_pane.locator(".reply-keyboard button", has_text=t("onb-share-phone")).click()
    last = owner_pane.locator(".msg.bot").last
    expect(last.locator(".body")).to_have_text(plain(t("onb-ask-building-choose")))
    last.locator("button", has_text="2").click()
    expect(owner_pane.locator(".msg.bot .body").last).to_have_text(
        plain(t("onb-ask-unit-in", building="2"))
    )

    def say(text: str) -> None:
        owner_pane.locator(".composer .text").fill(text)
        owner_pane.locator(".composer form.send button[type=submit]").click()

    say("602")
    expect(owner_pane.locator(".msg.bot .body").last).to_have_text(
        plain(t("onb-unit-unknown", building="2", unit="602"))
    )
    owner_pane.locator(".msg.bot button", has_text=t("onb-btn-unit-right", unit="602")).click()
    expect(owner_pane.locator(".msg.bot .body").last).to_have_text(plain(t("onb-ask-name")))
    say("Tom Baker")
    owner_pane.locator(".msg.bot button", has_text=t("onb-btn-send")).last.click()
    expect(owner_pane.locator(".msg.bot .body").last).to_have_text(plain(t("onb-request-sent")))

    pick(page, "group-pane", ".group", group_id)
    card = group_pane.locator(".msg.bot", has_text="Tom Baker")
    add_unit = z("staff-pending-create-unit", unit="2-602")
    expect(card.locator("button", has_text=add_unit)).to_be_visible()
    expect(card.locator("button", has_text=z("staff-pending-reject"))).to_be_visible()
    if SCREENSHOT:
        page.screenshot(path=SCREENSHOT)
    page.close()


async def open_repair(world: World) -> tuple[int, int, int]:
    """A new owner's repair, reported as in the tickets e2e test, in a staff group of its own;
    returns (ticket number, owner id, group id)."""
    async with SandboxClient(world.base_url) as client:
        helper = E2E(world, client, default_catalogs())
        await bind_new_staff_group(helper)
        owner = await helper.new_person(language="en")
        await helper.onboard(owner)
        number = await report_repair(helper, owner, "The bathroom fan rattles all night")
        return number, owner.user_id, helper.group_id


def test_a_technician_finishes_a_work_order_in_the_private_chat_at_phone_width(
    world: World, browser: Browser
):
    """At 420 px: the header fits, the composer's tools say what they send, staff pick their
    own private chat (the work order and its Done button), and a sticker gets a kind answer."""
    t, z = default_catalogs().translator("en"), default_catalogs().translator("zh")
    number, owner_id, group_id = in_worker_thread(lambda: asyncio.run(open_repair(world)))
    page = browser.new_page(viewport={"width": 420, "height": 860})
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(world.base_url + "/")
    private = page.locator("#owner-pane")
    group = page.locator("#group-pane")

    assert page.evaluate("document.documentElement.scrollWidth") <= 420
    reset = page.locator("#reset").bounding_box()
    assert reset is not None and reset["x"] + reset["width"] <= 420
    tools = private.locator(".composer .tools")
    for label in ("📷 Photo", "📎 File", "☎ Contact", "🙂 Sticker", "🎤 Voice", "📍 Location"):
        expect(tools.get_by_text(label)).to_be_visible()

    # The card in the staff group: the technician takes it, the agent dispatches it.
    pick(page, "group-pane", ".group", group_id)
    pick(page, "group-pane", ".who", demo_data.TECHNICIAN.user_id)
    card = group.locator(".msg.bot", has_text=f"#{number} ").filter(has=page.locator("button"))
    card.locator("button", has_text=z("card-btn-take")).click()
    expect(card.locator(".body")).to_contain_text(z("status-assigned"))
    pick(page, "group-pane", ".who", demo_data.AGENT.user_id)
    card.locator("button", has_text=z("card-btn-dispatch")).click()

    # Staff are in the private chat's list: the technician's order, Done pressed on the page.
    staff = private.locator('.who optgroup[label="Staff"]')
    expect(staff.locator("option", has_text=demo_data.TECHNICIAN.name)).to_have_count(1)
    pick(page, "owner-pane", ".who", demo_data.TECHNICIAN.user_id)
    order = private.locator(".msg.bot", has_text=f"#{number}").filter(has=page.locator("button"))
    order.locator("button", has_text=z("card-btn-done")).click()
    expect(page.locator("#toast")).to_have_text(plain(z("staffcmd-resolved", number=str(number))))
    expect(order.locator("button")).to_have_count(0)

    # The owner is asked whether it is fixed; a sticker instead of an answer gets a kind word.
    pick(page, "owner-pane", ".who", owner_id)
    expect(private.locator(".msg.bot", has_text=f"#{number}").last).to_contain_text(
        t("notify-btn-fixed")
    )
    tools.locator(".sticker").click()
    expect(private.locator(".msg.user .sticker-art").last).to_have_text("👍")
    expect(private.locator(".msg.bot .body").last).to_have_text(plain(t("fallback-sticker")))
    if SCREENSHOT:
        page.screenshot(path=SCREENSHOT.replace(".png", "-420.png"))
    page.close()
