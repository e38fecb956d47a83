"""Register files (DESIGN.md §6): owners and charges from CSV or XLSX, imported all-or-nothing.

Parsing checks each row on its own and the file as a whole; importing checks the rows against the
database and writes everything in one transaction, or nothing when any row is wrong. Messages are
plain English for the operator at the command line (they never reach Telegram users).
"""

import csv
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import audit, money, payments
from storage.db import UnsavedRowError
from storage.models import Charge, Estate, Owner, OwnerStatus, OwnerUnit, Unit
from storage.owners import normalize_phone

OWNER_COLUMNS = ("building", "unit", "name", "phone")
OWNER_OPTIONAL = ("area_m2", "language")
CHARGE_COLUMNS = ("building", "unit", "item", "period", "amount", "due_date")
LANGUAGES = ("en", "zh")
MAX_PLACE = 64
MAX_NAME = 100
MAX_ITEM = 64
MAX_AREA = Decimal(100_000)
PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class Problem(StrEnum):
    """Why a register row (or the file) is refused: `register-<value>` in the catalogs."""

    amount_invalid = "amount-invalid"
    area_conflict = "area-conflict"
    area_invalid = "area-invalid"
    charge_paid = "charge-paid"
    charge_repeats = "charge-repeats"
    due_invalid = "due-invalid"
    empty = "empty"
    file_empty = "file-empty"
    language_invalid = "language-invalid"
    link_repeats = "link-repeats"
    missing_column = "missing-column"
    no_rows = "no-rows"
    period_invalid = "period-invalid"
    phone_invalid = "phone-invalid"
    phone_other_name = "phone-other-name"
    too_long = "too-long"
    unit_unknown = "unit-unknown"


@dataclass(frozen=True)
class RowError:
    """A reason a file was rejected; line 1 is the header, 0 means the file as a whole. The
    reason is a code with its values (`register-<code>` in the catalogs, bot.texts renders it),
    so staff read it in their language."""

    line: int
    code: Problem
    args: Mapping[str, str | int] = field(default_factory=dict)


# What is wrong with one row: (code, values), as RowError holds it.
Problems = list[tuple[Problem, dict[str, str | int]]]


def _problem(code: Problem, **args: object) -> tuple[Problem, dict[str, str | int]]:
    return code, {k: v if isinstance(v, int) else str(v) for k, v in args.items()}


@dataclass(frozen=True)
class OwnerRow:
    line: int
    building: str
    unit: str
    name: str
    phone: str
    area_m2: float | None = None
    language: str | None = None


@dataclass(frozen=True)
class ChargeRow:
    line: int
    building: str
    unit: str
    item: str
    period: str
    amount: int
    due_date: date


@dataclass
class ImportResult:
    """What an import did (all zero when it was rejected) or why it was rejected."""

    kind: str
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        c = self.counts
        if self.kind == "owners":
            return (
                f"owners: {c.get('owners_created', 0)} created, "
                f"{c.get('owners_updated', 0)} updated; "
                f"units: {c.get('units_created', 0)} created, "
                f"{c.get('units_updated', 0)} updated; links: {c.get('links_created', 0)}"
            )
        return (
            f"charges: {c.get('charges_created', 0)} created, "
            f"{c.get('charges_updated', 0)} updated, "
            f"{c.get('charges_unchanged', 0)} unchanged"
        )


class RegisterFileError(Exception):
    """The file cannot be read at all (missing, not CSV/XLSX, corrupt)."""


class RegisterEncodingError(RegisterFileError):
    """A CSV in neither of the encodings spreadsheets save it in (ENCODINGS)."""


def _cell(value: Any) -> str:
    """Spreadsheet cells come typed; bring them back to the text a person typed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


# Excel on a Chinese Windows saves "CSV" in GBK (its superset GB18030 decodes both); "CSV UTF-8"
# and most other tools write UTF-8, often with a byte-order mark.
ENCODINGS = ("utf-8-sig", "gb18030")


def _decode(data: bytes, path: Path) -> str:
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RegisterEncodingError(
        f'cannot read {path}: it is not UTF-8 or GBK text; save it as "CSV UTF-8" or as XLSX'
    )


def _read_table(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) for every row, the header first."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            # Imported here: openpyxl (and the numpy it loads) is ~18 MB resident in every
            # `frontdoor run` that never reads a register (issue 14).
            from openpyxl import load_workbook

            workbook = load_workbook(path, read_only=True, data_only=True)
            try:
                sheet = workbook.worksheets[0]
                rows = [
                    (number, [_cell(v) for v in values])
                    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
                ]
            finally:
                workbook.close()
            yield from rows
            return
        reader = csv.reader(io.StringIO(_decode(path.read_bytes(), path), newline=""))
        for cells in reader:
            yield reader.line_num, [c.strip() for c in cells]
    except (OSError, csv.Error) as exc:
        raise RegisterFileError(f"cannot read {path}: {exc}") from exc
    except RegisterFileError:
        raise
    except Exception as exc:  # openpyxl raises assorted errors for a file that is not XLSX
        raise RegisterFileError(f"cannot read {path} as a spreadsheet: {exc}") from exc


def _records(
    path: Path, required: Sequence[str], optional: Sequence[str] = ()
) -> tuple[list[tuple[int, dict[str, str]]], list[RowError]]:
    rows = iter(_read_table(path))
    header = next(rows, None)
    if header is None:
        return [], [RowError(1, Problem.file_empty)]
    names = [h.strip().casefold() for h in header[1]]
    missing = [c for c in required if c not in names]
    if missing:
        return [], [RowError(1, *_problem(Problem.missing_column, column=c)) for c in missing]
    wanted = [*required, *optional]
    index = {name: names.index(name) for name in wanted if name in names}
    records = []
    for line, cells in rows:
        if not any(cells):
            continue
        padded = cells + [""] * (len(names) - len(cells))
        records.append((line, {name: padded[i].strip() for name, i in index.items()}))
    if not records:
        return [], [RowError(1, Problem.no_rows)]
    return records, []


def _text(record: dict[str, str], column: str, limit: int, problems: Problems) -> str:
    value = record.get(column, "")
    if not value:
        problems.append(_problem(Problem.empty, column=column))
    elif len(value) > limit:
        problems.append(_problem(Problem.too_long, column=column, limit=limit))
    return value


def _place(record: dict[str, str], problems: Problems) -> tuple[str, str]:
    """A row's building and unit, as both registers give them."""
    return (
        _text(record, "building", MAX_PLACE, problems),
        _text(record, "unit", MAX_PLACE, problems),
    )


def parse_owners(path: Path | str, region: str = "CN") -> tuple[list[OwnerRow], list[RowError]]:
    """Read and check an owners register; phones without a country code take `region`."""
    records, errors = _records(Path(path), OWNER_COLUMNS, OWNER_OPTIONAL)
    rows: list[OwnerRow] = []
    name_of_phone: dict[str, tuple[str, int]] = {}
    seen_links: dict[tuple[str, str, str], int] = {}
    area_of_unit: dict[tuple[str, str], tuple[Decimal, int]] = {}
    for line, record in records:
        problems: Problems = []
        building, unit = _place(record, problems)
        name = _text(record, "name", MAX_NAME, problems)
        raw_phone = record.get("phone", "")
        phone = normalize_phone(raw_phone, region) if raw_phone else None
        if not raw_phone:
            problems.append(_problem(Problem.empty, column="phone"))
        elif phone is None:
            problems.append(_problem(Problem.phone_invalid, value=raw_phone))
        area: Decimal | None = None
        if record.get("area_m2"):
            try:
                area = Decimal(record["area_m2"])
            except InvalidOperation:
                area = None
            if area is None or not area.is_finite() or not 0 < area <= MAX_AREA:
                problems.append(_problem(Problem.area_invalid, value=record["area_m2"]))
                area = None
        language = record.get("language", "").lower() or None
        if language is not None and language not in LANGUAGES:
            problems.append(_problem(Problem.language_invalid, value=record["language"]))
        if phone and name:
            first = name_of_phone.setdefault(phone, (name, line))
            if first[0] != name:
                problems.append(_problem(Problem.phone_other_name, phone=phone, other=first[1]))
            link = (building, unit, phone)
            if link in seen_links:
                problems.append(
                    _problem(
                        Problem.link_repeats, unit=f"{building}-{unit}", other=seen_links[link]
                    )
                )
            seen_links.setdefault(link, line)
        if area is not None:
            known = area_of_unit.setdefault((building, unit), (area, line))
            if known[0] != area:
                problems.append(
                    _problem(
                        Problem.area_conflict,
                        unit=f"{building}-{unit}",
                        area=known[0],
                        other=known[1],
                    )
                )
        if problems:
            errors.extend(RowError(line, code, args) for code, args in problems)
            continue
        if phone is None:
            raise RuntimeError("a checked register row lost its phone")
        rows.append(
            OwnerRow(
                line=line,
                building=building,
                unit=unit,
                name=name,
                phone=phone,
                area_m2=float(area) if area is not None else None,
                language=language,
            )
        )
    return rows, errors


def parse_amount(raw: str, currency: str) -> int | None:
    """Major units ("12.5") to minor units of `currency` (1250 for CNY, 12.5 is refused for
    JPY, which has no minor unit); None when it is not a positive amount the currency allows."""
    try:
        return money.to_minor(raw, currency)
    except money.AmountError:
        return None


def parse_charges(path: Path | str, currency: str) -> tuple[list[ChargeRow], list[RowError]]:
    """Read and check a charges register in the estate's `currency` (the units are checked on
    import)."""
    records, errors = _records(Path(path), CHARGE_COLUMNS)
    rows: list[ChargeRow] = []
    seen: dict[tuple[str, str, str, str], int] = {}
    for line, record in records:
        problems: Problems = []
        building, unit = _place(record, problems)
        item = _text(record, "item", MAX_ITEM, problems)
        period = record.get("period", "")
        if not PERIOD.match(period):
            problems.append(_problem(Problem.period_invalid, value=period))
        amount = parse_amount(record.get("amount", ""), currency)
        if amount is None:
            problems.append(
                _problem(
                    Problem.amount_invalid,
                    value=record.get("amount", ""),
                    # `count`: the catalogs choose the wording by it (no decimals, 1, n).
                    count=money.precision(currency),
                )
            )
        try:
            due = date.fromisoformat(record.get("due_date", ""))
        except ValueError:
            due = None
            problems.append(_problem(Problem.due_invalid, value=record.get("due_date", "")))
        key = (building, unit, item, period)
        if key in seen:
            problems.append(
                _problem(
                    Problem.charge_repeats,
                    unit=f"{building}-{unit}",
                    item=item,
                    period=period,
                    other=seen[key],
                )
            )
        seen.setdefault(key, line)
        if problems:
            errors.extend(RowError(line, code, args) for code, args in problems)
            continue
        if not (amount is not None and due is not None):
            raise RuntimeError("a checked register row lost its amount or due date")
        rows.append(ChargeRow(line, building, unit, item, period, amount, due))
    return rows, errors


async def estate_region(session: AsyncSession, estate_id: int) -> str:
    """The region phones without a country code belong to (e.g. "CN")."""
    return (await _estate(session, estate_id)).phone_region


async def estate_currency(session: AsyncSession, estate_id: int) -> str:
    """The currency charges of the estate are in (e.g. "CNY")."""
    return (await _estate(session, estate_id)).currency


async def _estate(session: AsyncSession, estate_id: int) -> Estate:
    estate = await session.get(Estate, estate_id)
    if estate is None:
        raise LookupError(f"estate {estate_id} not found")
    return estate


async def _imported(
    session: AsyncSession,
    kind: str,
    actor: str,
    estate_id: int,
    rows: int,
    counts: dict[str, int],
) -> ImportResult:
    """An accepted import: audited with its counts and committed, all or nothing."""
    audit.record(
        session,
        actor=actor,
        entity="register",
        entity_id=None,
        type=f"{kind}_imported",
        estate_id=estate_id,
        rows=rows,
        **counts,
    )
    await session.commit()
    return ImportResult(kind, counts)


async def import_owners(
    session: AsyncSession, estate_id: int, rows: Sequence[OwnerRow], actor: str
) -> ImportResult:
    """Units, owners (by phone) and their links, get-or-create, in one transaction.

    Owners in the register count as verified: the register vouches for them, and they are
    linked to their Telegram account when they share that phone with the bot.
    """
    await _estate(session, estate_id)
    counts = dict.fromkeys(
        ("owners_created", "owners_updated", "units_created", "units_updated", "links_created"),
        0,
    )
    units = {
        (u.building, u.number): u
        for u in (await session.exec(select(Unit).where(Unit.estate_id == estate_id))).all()
    }
    owners = {
        o.phone: o
        for o in (await session.exec(select(Owner).where(Owner.estate_id == estate_id))).all()
        if o.phone
    }
    links = {
        (link.owner_id, link.unit_id)
        for link in (
            await session.exec(
                select(OwnerUnit).where(col(OwnerUnit.unit_id).in_([u.id for u in units.values()]))
            )
        ).all()
    }
    for row in rows:
        unit = units.get((row.building, row.unit))
        if unit is None:
            unit = Unit(
                estate_id=estate_id, building=row.building, number=row.unit, area_m2=row.area_m2
            )
            session.add(unit)
            units[(row.building, row.unit)] = unit
            counts["units_created"] += 1
        elif row.area_m2 is not None and unit.area_m2 != row.area_m2:
            unit.area_m2 = row.area_m2
            session.add(unit)
            counts["units_updated"] += 1
        owner = owners.get(row.phone)
        if owner is None:
            owner = Owner(
                estate_id=estate_id,
                name=row.name,
                phone=row.phone,
                language=row.language,
                status=OwnerStatus.verified,
            )
            session.add(owner)
            owners[row.phone] = owner
            counts["owners_created"] += 1
        elif owner.name != row.name or (row.language and owner.language != row.language):
            owner.name = row.name
            owner.language = row.language or owner.language
            session.add(owner)
            counts["owners_updated"] += 1
        await session.flush()
        if owner.id is None or unit.id is None:
            raise UnsavedRowError("owner.id, unit.id: not saved yet")
        if (owner.id, unit.id) not in links:
            session.add(OwnerUnit(owner_id=owner.id, unit_id=unit.id))
            links.add((owner.id, unit.id))
            counts["links_created"] += 1
    return await _imported(session, "owners", actor, estate_id, len(rows), counts)


async def import_charges(
    session: AsyncSession,
    estate_id: int,
    rows: Sequence[ChargeRow],
    actor: str,
    problems: Sequence[RowError] = (),
) -> ImportResult:
    """Charges for units of the register: identical rows are no-ops, a changed amount or due
    date updates a charge, except that the amount of a charge with payments is refused.

    `problems` are the file's own (from `parse_charges`): with any, nothing is written, and
    they are reported together with the rows' problems here, so one run lists them all."""
    estate = await _estate(session, estate_id)
    units = {
        (u.building, u.number): u
        for u in (await session.exec(select(Unit).where(Unit.estate_id == estate_id))).all()
    }
    existing = {
        (c.unit_id, c.item, c.period): c
        for c in (
            await session.exec(
                select(Charge).where(col(Charge.unit_id).in_([u.id for u in units.values()]))
            )
        ).all()
    }
    paid = await payments.paid_by(session, [c.id for c in existing.values() if c.id is not None])
    errors: list[RowError] = list(problems)
    new: list[Charge] = []
    changed: list[tuple[Charge, int, date]] = []
    unchanged = 0
    for row in rows:
        unit = units.get((row.building, row.unit))
        if unit is None or unit.id is None:
            errors.append(
                RowError(
                    row.line, *_problem(Problem.unit_unknown, unit=f"{row.building}-{row.unit}")
                )
            )
            continue
        charge = existing.get((unit.id, row.item, row.period))
        if charge is None:
            new.append(
                Charge(
                    unit_id=unit.id,
                    item=row.item,
                    period=row.period,
                    amount=row.amount,
                    currency=estate.currency,
                    due_date=row.due_date,
                )
            )
        elif charge.amount == row.amount and charge.due_date == row.due_date:
            unchanged += 1
        elif charge.amount != row.amount and paid.get(charge.id or 0, 0):
            # Payments were allocated against the old amount: changing it would rewrite what
            # the owner was told they paid for. Correct it with a reversal, then re-import.
            already = money.to_major(paid[charge.id or 0], charge.currency)
            errors.append(
                RowError(
                    row.line,
                    *_problem(
                        Problem.charge_paid,
                        unit=f"{row.building}-{row.unit}",
                        item=row.item,
                        period=row.period,
                        paid=already,
                        amount=money.to_major(charge.amount, charge.currency),
                    ),
                )
            )
        else:
            changed.append((charge, row.amount, row.due_date))
    if errors:
        return ImportResult("charges", errors=sorted(errors, key=lambda error: error.line))
    session.add_all(new)
    for charge, amount, due in changed:
        charge.amount, charge.due_date = amount, due
        session.add(charge)
    counts = {
        "charges_created": len(new),
        "charges_updated": len(changed),
        "charges_unchanged": unchanged,
    }
    return await _imported(session, "charges", actor, estate_id, len(rows), counts)
