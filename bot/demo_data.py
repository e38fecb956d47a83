"""The sample estate of `frontdoor demo` and the end-to-end tests: people in the sandbox, rows in
the database.

The people have fixed Telegram ids, so the database can be seeded before (or without) a sandbox
and the ids still match the sandbox users. Phones are shared the way Telegram shares them (digits
without the '+'), while the register writes them the way a management office does (no country
code): onboarding has to normalise both to find the match.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from sandbox import SandboxClient
from storage import estates, payments, registers, staff
from storage.db import SessionPool, UnsavedRowError
from storage.models import Estate, StaffMember, StaffRole
from storage.owners import normalize_phone

DEMO_TOKEN = "123456:DEMO-TOKEN-abcdefghijk"
ESTATE_NAME = "Sunny Gardens 阳光花园"
EMERGENCY_PHONE = "+86 21 5555 0110"
STAFF_GROUP_ID = -1_001_000_000_042
STAFF_GROUP_TITLE = "Sunny Gardens staff 物业工作群"
DEMO_ACTOR = "system:demo"


@dataclass(frozen=True)
class Person:
    """A sandbox user; `phone` is what Telegram shares when they press the contact button."""

    user_id: int
    first_name: str
    last_name: str | None
    language_code: str
    phone: str
    username: str | None = None
    staff_role: StaffRole | None = None

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)


@dataclass(frozen=True)
class RegisterLine:
    building: str
    unit: str
    name: str
    phone: str
    area_m2: float
    language: str | None = None


# Owners who are in the register and have a sandbox account.
LI_WEI = Person(100_101, "Li Wei", "李伟", "zh-hans", "8613800138001")
EMMA = Person(100_102, "Emma", "Clark", "en", "8613800138002")
WANG_FANG = Person(100_103, "Wang Fang", "王芳", "zh-hans", "8613800138003")
# Not in the register: shows the pending request that staff approve or reject.
TOM = Person(100_104, "Tom", "Baker", "en", "8613900139004")
ZHANG_MIN = Person(100_105, "Zhang Min", "张敏", "zh-hans", "8613900139005")

AGENT = Person(
    100_201, "Chen Jing", "陈静", "zh-hans", "8613700137001", "chenjing", StaffRole.agent
)
TECHNICIAN = Person(
    100_202, "Liu Qiang", "刘强", "zh-hans", "8613700137002", "liuqiang", StaffRole.technician
)
MANAGER = Person(100_203, "Zhao Lei", "赵磊", "en", "8613700137003", "zhaolei", StaffRole.manager)
CASHIER = Person(
    100_204, "Sun Mei", "孙梅", "zh-hans", "8613700137004", "sunmei", StaffRole.cashier
)

OWNERS = (LI_WEI, EMMA, WANG_FANG, TOM, ZHANG_MIN)
STAFF = (AGENT, TECHNICIAN, MANAGER, CASHIER)
ADMIN_IDS = frozenset({MANAGER.user_id})

# Two buildings of ten flats; Wang Fang holds two, so there are 19 owners for 20 units.
REGISTER = (
    RegisterLine("1", "101", "李伟", "13800138001", 89.5, "zh"),
    RegisterLine("1", "102", "Emma Clark", "13800138002", 76.0, "en"),
    RegisterLine("1", "201", "陈小红", "13800138011", 89.5),
    RegisterLine("1", "202", "周杰", "13800138012", 76.0),
    RegisterLine("1", "301", "吴敏", "13800138013", 89.5),
    RegisterLine("1", "302", "郑强", "13800138014", 76.0),
    RegisterLine("1", "401", "孙丽", "13800138015", 89.5),
    RegisterLine("1", "402", "David Müller", "13800138016", 76.0, "en"),
    RegisterLine("1", "501", "黄磊", "13800138017", 120.0),
    RegisterLine("1", "502", "林静", "13800138018", 120.0),
    RegisterLine("2", "101", "何勇", "13800138021", 95.0),
    RegisterLine("2", "102", "高洁", "13800138022", 95.0),
    RegisterLine("2", "201", "罗刚", "13800138023", 95.0),
    RegisterLine("2", "202", "Sarah Kim", "13800138024", 95.0, "en"),
    RegisterLine("2", "301", "王芳", "13800138003", 110.0, "zh"),
    RegisterLine("2", "302", "王芳", "13800138003", 68.0, "zh"),
    RegisterLine("2", "401", "梁晨", "13800138025", 110.0),
    RegisterLine("2", "402", "宋雨", "13800138026", 68.0),
    RegisterLine("2", "501", "唐亮", "13800138027", 140.0),
    RegisterLine("2", "502", "许晴", "13800138028", 140.0),
)

FEE_ITEM = "物业费 Property fee"
# Minor units (fen) per square metre per month.
FEE_PER_M2 = 250


async def seed_sandbox(client: SandboxClient) -> None:
    """Create the sample owners, the staff and their group in a (fresh) sandbox."""
    for person in (*OWNERS, *STAFF):
        await client.create_user(
            person.first_name,
            id=person.user_id,
            last_name=person.last_name,
            username=person.username,
            language_code=person.language_code,
            phone_number=person.phone,
            role="staff" if person.staff_role else "owner",
        )
    await client.create_group(STAFF_GROUP_TITLE, [p.user_id for p in STAFF], id=STAFF_GROUP_ID)


def _months_before(today: date, count: int) -> list[str]:
    """The `count` billing periods up to and including this month, oldest first."""
    periods = []
    year, month = today.year, today.month
    for _ in range(count):
        periods.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return periods[::-1]


def owner_rows(region: str) -> list[registers.OwnerRow]:
    rows = []
    for line, entry in enumerate(REGISTER, start=2):
        phone = normalize_phone(entry.phone, region)
        if phone is None:
            raise ValueError(f"demo register phone {entry.phone} is not valid in {region}")
        rows.append(
            registers.OwnerRow(
                line=line,
                building=entry.building,
                unit=entry.unit,
                name=entry.name,
                phone=phone,
                area_m2=entry.area_m2,
                language=entry.language,
            )
        )
    return rows


def charge_rows(today: date) -> list[registers.ChargeRow]:
    """A monthly fee for every unit for the last three months, due on the 15th of the month;
    this month's is due a week from today, so the fee reminders have something to say today."""
    rows = []
    line = 2
    for period in _months_before(today, 3):
        year, month = (int(part) for part in period.split("-"))
        for entry in REGISTER:
            rows.append(
                registers.ChargeRow(
                    line=line,
                    building=entry.building,
                    unit=entry.unit,
                    item=FEE_ITEM,
                    period=period,
                    amount=round(entry.area_m2 * FEE_PER_M2),
                    due_date=(
                        today + timedelta(days=7)
                        if (year, month) == (today.year, today.month)
                        else date(year, month, 15)
                    ),
                )
            )
            line += 1
    return rows


async def seed_database(
    session_pool: SessionPool,
    *,
    time_zone: str,
    locale: str,
    currency: str,
    today: date,
) -> Estate:
    """The sample estate, its register, fees and staff; running it again changes nothing."""
    async with session_pool() as session:
        estate = await estates.ensure_default(
            session,
            name=ESTATE_NAME,
            time_zone=time_zone,
            locale=locale,
            currency=currency,
            staff_chat_id=STAFF_GROUP_ID,
        )
        estate_id = estate.id
        if estate_id is None:
            raise UnsavedRowError("estate_id: not saved yet")
        if estate.emergency_phone != EMERGENCY_PHONE:
            estate = await estates.set_emergency_phone(
                session, estate_id, EMERGENCY_PHONE, actor=DEMO_ACTOR
            )
        for result in (
            await registers.import_owners(
                session, estate_id, owner_rows(estate.phone_region), DEMO_ACTOR
            ),
            await registers.import_charges(session, estate_id, charge_rows(today), DEMO_ACTOR),
        ):
            if not result.ok:
                raise RuntimeError(f"demo {result.kind} rejected: {result.errors[0]}")
        members = {}
        for person in STAFF:
            if person.staff_role is None:
                raise ValueError(f"demo staff member {person.name} has no role")
            members[person.user_id] = await staff.add(
                session,
                estate_id=estate_id,
                telegram_user_id=person.user_id,
                name=person.name,
                role=person.staff_role,
                actor=DEMO_ACTOR,
                username=person.username,
            )
        await seed_payments(session, estate, members[CASHIER.user_id], today)
        return estate


# Payments already made when the demo starts: (unit, amount in fen, reference). Emma paid her
# oldest month in full, Li Wei part of his, Wang Fang both flats' oldest months.
DEMO_PAYMENTS = (
    ("1-102", 19000, "WeChat 0815"),
    ("1-101", 10000, "现金"),
    ("2-301", 27500, "支付宝 2231"),
    ("2-302", 17000, "支付宝 2232"),
)


async def seed_payments(
    session: AsyncSession, estate: Estate, cashier: StaffMember, today: date
) -> None:
    """A few payments recorded by the cashier last week, so "My fees" shows receipts; once."""
    unit_ids = []
    for label, _, _ in DEMO_PAYMENTS:
        unit = await payments.find_unit(session, estate.id or 0, label)
        if unit is not None and unit.id is not None:
            unit_ids.append(unit.id)
    if await payments.recent_receipts(session, unit_ids):
        return
    paid_at = datetime.combine(today - timedelta(days=5), time(2, 30), tzinfo=UTC)
    for label, amount, reference in DEMO_PAYMENTS:
        prepared = await payments.prepare(
            session,
            estate=estate,
            staff=cashier,
            unit_label=label,
            amount=amount,
            reference=reference,
            now=paid_at,
        )
        await payments.confirm(
            session,
            estate=estate,
            request_id=prepared.request_id,
            token=prepared.token,
            staff=cashier,
            now=paid_at,
            notify=lambda recorded: [],
        )
