"""Staff bootstrap in the group: /bind, /staff list/add/remove and who may use them."""

from sqlmodel import select

from storage import estates, staff
from storage.models import AuditEvent, StaffRole
from tests.helpers import ADMIN_ID, STAFF_CHAT_ID, Person
from tests.onboarding_fixtures import active_staff, add_staff, audit_types

ADMIN = Person(id=ADMIN_ID, first_name="Admin", language_code="zh")
MANAGER = Person(id=801, first_name="Wang", language_code="zh", username="wang_mgr")
TECH = Person(id=802, first_name="Liu", language_code="zh", username="liu_fix")
STRANGER = Person(id=803, first_name="Mallory", language_code="en")
OTHER_GROUP = -1009876543210


async def staff_chat(session_pool):
    async with session_pool() as session:
        return (await estates.default(session)).staff_chat_id


async def test_non_admin_bind_is_refused(tg, bot, session_pool, estate):
    await tg.send(STRANGER, "/bind", chat_id=OTHER_GROUP)
    assert bot.last_text(OTHER_GROUP).startswith("抱歉，只有物业服务中心的员工")
    assert await staff_chat(session_pool) == STAFF_CHAT_ID
    await add_staff(session_pool, estate, MANAGER, role=StaffRole.manager)
    await tg.group(MANAGER, "/bind")
    assert "只有物业服务中心的员工" in bot.last_text(STAFF_CHAT_ID)
    assert "staff_chat_bound" not in await audit_types(session_pool, "estate")


async def test_admin_binds_a_group(tg, bot, session_pool, estate):
    await tg.send(ADMIN, "/bind", chat_id=OTHER_GROUP)
    assert bot.last_text(OTHER_GROUP) == "本群已设为 Sunny Gardens 的员工群。"
    assert await staff_chat(session_pool) == OTHER_GROUP
    assert "staff_chat_bound" in await audit_types(session_pool, "estate")
    await tg.send(ADMIN, "/bind", chat_id=OTHER_GROUP)
    assert bot.last_text(OTHER_GROUP) == "本群已经是 Sunny Gardens 的员工群。"


async def test_bind_in_private_explains(tg, bot, session_pool, estate):
    await tg.send(ADMIN, "/bind")
    assert bot.last_text(ADMIN_ID) == "请在员工群里发送 /bind，而不是在这里。"
    assert await staff_chat(session_pool) == STAFF_CHAT_ID


async def test_non_staff_staff_add_is_refused(tg, bot, session_pool, estate):
    await tg.group(STRANGER, "/staff add 804 Zhang San technician")
    assert "只有物业服务中心的员工" in bot.last_text(STAFF_CHAT_ID)
    await tg.group(STRANGER, "/staff")
    assert "只有物业服务中心的员工" in bot.last_text(STAFF_CHAT_ID)
    await add_staff(session_pool, estate, TECH, role=StaffRole.technician)
    await tg.group(TECH, "/staff add 804 Zhang San technician")
    assert bot.last_text(STAFF_CHAT_ID) == "抱歉，只有主管（或管理员）可以修改此项，请联系主管。"
    assert [m.telegram_user_id for m in await active_staff(session_pool)] == [TECH.id]


async def test_manager_adds_a_technician(tg, bot, session_pool, estate):
    manager = await add_staff(session_pool, estate, MANAGER, role=StaffRole.manager, name="Wang")
    await tg.group(MANAGER, "/staff add 804 Zhang San 维修")
    assert bot.last_text(STAFF_CHAT_ID) == "已添加 Zhang San，角色：维修。"
    added = {m.telegram_user_id: m for m in await active_staff(session_pool)}[804]
    assert added.role == StaffRole.technician and added.name == "Zhang San"
    await tg.group(MANAGER, "/staff")
    listing = bot.last_text(STAFF_CHAT_ID)
    assert "在职员工（2 人）" in listing and "Zhang San — 维修 — id 804" in listing
    assert "Wang — 主管 — id 801 @wang_mgr" in listing
    async with session_pool() as session:
        events = (await session.exec(select(AuditEvent).where(AuditEvent.type == "added"))).all()
    assert events[-1].actor == f"staff:{manager.id}"


async def test_admin_adds_by_reply_and_removes(tg, bot, session_pool, estate):
    replied = tg.message(TECH, "hello", STAFF_CHAT_ID)
    await tg.group(ADMIN, "/staff add Liu Qiang technician", reply_to_message=replied)
    assert bot.last_text(STAFF_CHAT_ID) == "已添加 Liu Qiang，角色：维修。"
    [member] = await active_staff(session_pool)
    assert (member.telegram_user_id, member.username) == (TECH.id, "liu_fix")
    await tg.group(ADMIN, "/staff remove @liu_fix")
    assert bot.last_text(STAFF_CHAT_ID) == "Liu Qiang 已不再是员工。"
    assert await active_staff(session_pool) == []
    await tg.group(ADMIN, "/staff add Liu Qiang manager", reply_to_message=replied)
    await tg.group(ADMIN, "/staff remove", reply_to_message=replied)
    assert await active_staff(session_pool) == []
    await tg.group(ADMIN, f"/staff remove {TECH.id}")
    assert bot.last_text(STAFF_CHAT_ID) == "此人不是在职员工。"


async def test_staff_arguments_are_validated(tg, bot, session_pool, estate):
    await tg.group(ADMIN, "/staff add 804 Zhang")
    assert bot.last_text(STAFF_CHAT_ID).startswith("用法")
    await tg.group(ADMIN, "/staff add 804 Zhang boss")
    assert "未知角色“boss”" in bot.last_text(STAFF_CHAT_ID)
    await tg.group(ADMIN, "/staff add abc Zhang agent")
    assert "不是 Telegram 用户 ID" in bot.last_text(STAFF_CHAT_ID)
    await tg.group(ADMIN, "/staff add @nobody Zhang agent")
    assert "不认识 @nobody" in bot.last_text(STAFF_CHAT_ID)
    await tg.group(ADMIN, f"/staff add 804 {'x' * 65} agent")
    assert "1 到 64" in bot.last_text(STAFF_CHAT_ID)
    await tg.group(ADMIN, "/staff fire 804")
    assert bot.last_text(STAFF_CHAT_ID).startswith("用法")
    await tg.group(ADMIN, "/staff remove")
    assert bot.last_text(STAFF_CHAT_ID).startswith("用法")
    bot_message = tg.message(Person(id=42, first_name="Bot"), "hi", STAFF_CHAT_ID)
    bot_message = bot_message.model_copy(
        update={"from_user": bot_message.from_user.model_copy(update={"is_bot": True})}
    )
    await tg.group(ADMIN, "/staff add Robo agent", reply_to_message=bot_message)
    assert bot.last_text(STAFF_CHAT_ID) == "机器人不能成为员工。"
    await tg.group(ADMIN, "/staff")
    assert bot.last_text(STAFF_CHAT_ID).startswith("还没有在职员工")
    assert await active_staff(session_pool) == []


async def test_staff_outside_the_staff_group(tg, bot, session_pool, estate):
    await tg.send(ADMIN, "/staff add 804 Zhang agent", chat_id=OTHER_GROUP)
    assert bot.last_text(OTHER_GROUP) == "本群还不是员工群，需要管理员先在本群发送 /bind。"
    await tg.send(STRANGER, "/staff", chat_id=OTHER_GROUP)
    assert "只有物业服务中心的员工" in bot.last_text(OTHER_GROUP)
    await tg.send(ADMIN, "/staff")
    assert bot.last_text(ADMIN_ID) == "请在员工群中使用此命令。"
    assert await active_staff(session_pool) == []


async def test_pending_is_for_staff_only(tg, bot, session_pool, estate):
    await tg.group(STRANGER, "/pending")
    assert "只有物业服务中心的员工" in bot.last_text(STAFF_CHAT_ID)
    await add_staff(session_pool, estate, TECH, role=StaffRole.technician)
    await tg.group(TECH, "/pending")
    assert bot.last_text(STAFF_CHAT_ID) == "没有待审核的登记申请。"


async def test_manager_sets_the_emergency_phone_and_others_may_only_read_it(
    tg, bot, session_pool, estate, catalogs
):
    zh = catalogs.translator("zh")
    async with session_pool() as session:
        await staff.add(
            session,
            estate_id=estate.id,
            telegram_user_id=7001,
            name="Mia",
            role=StaffRole.manager,
            actor="test",
        )
        await staff.add(
            session,
            estate_id=estate.id,
            telegram_user_id=7002,
            name="Ann",
            role=StaffRole.agent,
            actor="test",
        )
    manager, agent, stranger = Person(7001), Person(7002), Person(7003)

    await tg.group(agent, "/emergency 0755-1234 5678")
    assert bot.last_text(STAFF_CHAT_ID) == zh("staff-managers-only")
    await tg.group(manager, "/emergency call me maybe")
    assert bot.last_text(STAFF_CHAT_ID) == zh("staff-emergency-usage")
    await tg.group(manager, "/emergency 0755-1234 5678")
    await tg.group(agent, "/emergency")
    assert "0755-1234 5678" in bot.last_text(STAFF_CHAT_ID)
    await tg.group(stranger, "/emergency")
    assert bot.last_text(STAFF_CHAT_ID) == zh("staff-refused")
    async with session_pool() as session:
        assert (await estates.get(session, estate.id)).emergency_phone == "0755-1234 5678"
