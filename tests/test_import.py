"""Register import: CSV and XLSX, all-or-nothing with every bad row reported, idempotent."""

import html
from datetime import date

import pytest
from openpyxl import Workbook
from sqlmodel import func, select

from bot.i18n import default_catalogs
from bot.texts import register_problem
from storage import registers
from storage.models import AuditEvent, Charge, Owner, OwnerStatus, OwnerUnit, Unit

GOOD_OWNERS = (
    "building,unit,name,phone,area_m2,language\n"
    "1,101,Li Lei,13800138001,88.5,zh\n"
    "1,102,Han Meimei,+86 139 1234 5678,,en\n"
    "2,201,Li Lei,8613800138001,,\n"
)


EN = default_catalogs().translator("en")


def english(error: registers.RowError) -> str:
    """What `frontdoor import` prints for a problem."""
    return html.unescape(register_problem(EN, error))


def write(tmp_path, text, name="owners.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


async def count(session_pool, model):
    async with session_pool() as session:
        return (await session.exec(select(func.count()).select_from(model))).one()


async def import_owners_file(session_pool, estate, path):
    rows, errors = registers.parse_owners(path, estate.phone_region)
    assert errors == []
    async with session_pool() as session:
        return await registers.import_owners(session, estate.id, rows, "test")


async def test_good_csv_with_bom_imports_units_owners_and_links(tmp_path, session_pool, estate):
    path = write(tmp_path, GOOD_OWNERS, encoding="utf-8-sig")
    result = await import_owners_file(session_pool, estate, path)
    assert result.ok
    assert result.counts == {
        "owners_created": 2,
        "owners_updated": 0,
        "units_created": 3,
        "units_updated": 0,
        "links_created": 3,
    }
    assert result.summary() == (
        "owners: 2 created, 0 updated; units: 3 created, 0 updated; links: 3"
    )
    async with session_pool() as session:
        owners = (await session.exec(select(Owner).order_by(Owner.id))).all()
        assert [(o.name, o.phone, o.language, o.status) for o in owners] == [
            ("Li Lei", "+8613800138001", "zh", OwnerStatus.verified),
            ("Han Meimei", "+8613912345678", "en", OwnerStatus.verified),
        ]
        unit = (await session.exec(select(Unit).where(Unit.number == "101"))).one()
        assert unit.area_m2 == 88.5
        audit = (
            await session.exec(select(AuditEvent).where(AuditEvent.type == "owners_imported"))
        ).one()
        assert audit.data["owners_created"] == 2


async def test_reimport_changes_nothing_and_a_new_name_updates(tmp_path, session_pool, estate):
    path = write(tmp_path, GOOD_OWNERS)
    await import_owners_file(session_pool, estate, path)
    again = await import_owners_file(session_pool, estate, path)
    assert set(again.counts.values()) == {0}
    assert await count(session_pool, Owner) == 2
    assert await count(session_pool, OwnerUnit) == 3
    renamed = write(tmp_path, GOOD_OWNERS.replace("Han Meimei", "Han Mei"), "renamed.csv")
    result = await import_owners_file(session_pool, estate, renamed)
    assert result.counts["owners_updated"] == 1
    assert result.counts["owners_created"] == 0


async def test_xlsx_first_sheet_with_typed_cells(tmp_path, session_pool, estate):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([" Building ", "UNIT", "name", "phone", "area_m2"])
    sheet.append([3, 301, "Wang Fang", 13700137000, 120.0])
    sheet.append([3, "302", "Zhao Lei", "13600136000", None])
    workbook.create_sheet("ignored").append(["nothing", "here"])
    path = tmp_path / "owners.xlsx"
    workbook.save(path)
    result = await import_owners_file(session_pool, estate, path)
    assert result.counts["owners_created"] == 2
    async with session_pool() as session:
        units = (await session.exec(select(Unit).order_by(Unit.number))).all()
        assert [(u.building, u.number, u.area_m2) for u in units] == [
            ("3", "301", 120.0),
            ("3", "302", None),
        ]


def test_bad_rows_are_all_reported_with_line_numbers(tmp_path):
    path = write(
        tmp_path,
        "building,unit,name,phone,area_m2,language\n"
        "1,101,Li Lei,13800138001,,\n"
        "1,102,,13800138002,,\n"
        "1,103,Bad Phone,123,,\n"
        "1,104,Zhang San,13800138001,,\n"
        "1,101,Li Lei,13800138001,,\n"
        "1,105,Area,13800138005,-3,\n"
        "1,106,Lang,13800138006,,fr\n"
        "1,107," + "x" * 101 + ",13800138007,,\n",
    )
    rows, errors = registers.parse_owners(path, "CN")
    assert [english(e) for e in errors] == [
        "line 3: name is empty",
        'line 4: phone "123" is not a valid number',
        "line 5: phone +8613800138001 is on line 2 with another name",
        "line 6: unit 1-101 with this phone repeats line 2",
        'line 7: area_m2 "-3" is not a positive number',
        'line 8: language "fr" must be en or zh',
        "line 9: name is longer than 100 characters",
    ]


def test_missing_column_is_named(tmp_path):
    path = write(tmp_path, "building,unit,name\n1,101,Li\n")
    rows, errors = registers.parse_owners(path, "CN")
    assert rows == []
    assert [english(e) for e in errors] == ['line 1: missing column "phone"']


async def test_bad_file_writes_nothing(tmp_path, session_pool, estate):
    path = write(tmp_path, GOOD_OWNERS + "9,901,Nobody,12,,\n")
    rows, errors = registers.parse_owners(path, "CN")
    assert [e.line for e in errors] == [5]
    assert await count(session_pool, Owner) == 0
    assert await count(session_pool, Unit) == 0


async def test_a_csv_saved_by_chinese_excel_gbk_imports(tmp_path, session_pool, estate):
    path = write(tmp_path, "building,unit,name,phone\n3,1201,王芳,13800138003\n", encoding="gbk")
    result = await import_owners_file(session_pool, estate, path)
    assert result.ok
    async with session_pool() as session:
        assert (await session.exec(select(Owner.name))).all() == ["王芳"]


def test_a_binary_file_is_refused_with_what_to_do(tmp_path):
    path = tmp_path / "owners.csv"
    path.write_bytes(b"\xff\xfe\x00\x81\x30garbage")
    with pytest.raises(registers.RegisterFileError, match='save it as "CSV UTF-8" or as XLSX'):
        registers.parse_owners(path, "CN")


def test_unreadable_file_is_a_register_file_error(tmp_path):
    path = tmp_path / "owners.xlsx"
    path.write_bytes(b"not a zip")
    with pytest.raises(registers.RegisterFileError):
        registers.parse_owners(path, "CN")


@pytest.mark.parametrize(
    ("raw", "minor"),
    [
        ("12.5", 1250),
        ("12", 1200),
        ("0.01", 1),
        ("1,234.50", 123450),
        ("12.345", None),
        ("-1", None),
        ("0", None),
        ("abc", None),
        ("NaN", None),
        ("1e3", 100000),
    ],
)
def test_amount_parsing(raw, minor):
    assert registers.parse_amount(raw, "CNY") == minor


@pytest.mark.parametrize(
    ("raw", "currency", "minor"),
    [
        ("1500", "JPY", 1500),
        ("12.5", "JPY", None),
        ("1.234", "KWD", 1234),
        ("1.2345", "KWD", None),
    ],
)
def test_amount_decimals_come_from_the_currency(raw, currency, minor):
    assert registers.parse_amount(raw, currency) == minor


CHARGES = (
    "building,unit,item,period,amount,due_date\n"
    "1,101,management,2026-11,12.5,2026-11-30\n"
    "1,102,management,2026-11,300,2026-11-30\n"
)


async def test_charges_import_idempotent_and_conflicts(tmp_path, session_pool, estate):
    await import_owners_file(session_pool, estate, write(tmp_path, GOOD_OWNERS))
    rows, errors = registers.parse_charges(write(tmp_path, CHARGES, "charges.csv"), "CNY")
    assert errors == []
    async with session_pool() as session:
        result = await registers.import_charges(session, estate.id, rows, "test")
    assert result.summary() == "charges: 2 created, 0 updated, 0 unchanged"
    async with session_pool() as session:
        charge = (await session.exec(select(Charge).order_by(Charge.id))).first()
        assert (charge.amount, charge.currency, charge.due_date) == (
            1250,
            "CNY",
            date(2026, 11, 30),
        )
    async with session_pool() as session:
        again = await registers.import_charges(session, estate.id, rows, "test")
    assert again.summary() == "charges: 0 created, 0 updated, 2 unchanged"

    changed = CHARGES.replace("12.5", "13") + "1,103,management,2026-11,1,2026-11-30\n"
    rows, errors = registers.parse_charges(write(tmp_path, changed, "changed.csv"), "CNY")
    assert errors == []
    async with session_pool() as session:
        rejected = await registers.import_charges(session, estate.id, rows, "test")
    assert [english(e) for e in rejected.errors] == [
        "line 4: unit 1-103 is not in the register (import owners first)",
    ]
    assert await count(session_pool, Charge) == 2

    # Without the unknown unit, the corrected amount of an unpaid charge is taken.
    rows, errors = registers.parse_charges(
        write(tmp_path, CHARGES.replace("12.5", "13"), "c.csv"), "CNY"
    )
    async with session_pool() as session:
        corrected = await registers.import_charges(session, estate.id, rows, "test")
    assert corrected.summary() == "charges: 0 created, 1 updated, 1 unchanged"
    async with session_pool() as session:
        charge = (await session.exec(select(Charge).order_by(Charge.id))).first()
    assert charge.amount == 1300


async def test_a_jpy_estate_imports_whole_yen(tmp_path, session_pool, estate):
    await import_owners_file(session_pool, estate, write(tmp_path, GOOD_OWNERS))
    rows, errors = registers.parse_charges(
        write(tmp_path, CHARGES.replace("12.5", "1250"), "j.csv"), "JPY"
    )
    assert errors == []
    assert [r.amount for r in rows] == [1250, 300]


def test_bad_charge_rows(tmp_path):
    path = write(
        tmp_path,
        "building,unit,item,period,amount,due_date\n"
        "1,101,management,2026-13,12.345,30/11/2026\n"
        "1,101,water,2026-11,-1,2026-11-30\n"
        "1,101,water,2026-11,5,2026-11-30\n",
        "charges.csv",
    )
    rows, errors = registers.parse_charges(path, "CNY")
    assert [english(e) for e in errors] == [
        'line 2: period "2026-13" must look like 2026-11',
        'line 2: amount "12.345" must be a positive number with at most 2 decimals',
        'line 2: due_date "30/11/2026" must be a date like 2026-11-30',
        'line 3: amount "-1" must be a positive number with at most 2 decimals',
        "line 4: unit 1-101, water 2026-11 repeats line 3",
    ]
    assert rows == []


@pytest.mark.parametrize(
    ("locale", "code", "args", "expected"),
    [
        ("zh", "phone-invalid", {"value": "12ab"}, "第 4 行：电话“12ab”不是有效号码"),
        (
            "zh",
            "amount-invalid",
            {"value": "1.5", "count": 0},
            "第 4 行：金额“1.5”应为正数且不带小数",
        ),
        (
            "zh",
            "amount-invalid",
            {"value": "x", "count": 2},
            "第 4 行：金额“x”应为正数，最多 2 位小数",
        ),
        (
            "en",
            "amount-invalid",
            {"value": "x", "count": 2},
            'line 4: amount "x" must be a positive number with at most 2 decimals',
        ),
        (
            "en",
            "unit-unknown",
            {"unit": "<9>-999"},
            "line 4: unit &lt;9&gt;-999 is not in the register (import owners first)",
        ),
    ],
)
def test_register_problems_read_in_the_staff_language(locale, code, args, expected):
    t = default_catalogs().translator(locale)
    assert register_problem(t, registers.RowError(4, registers.Problem(code), args)) == expected
