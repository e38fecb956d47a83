"""The `frontdoor` command (DESIGN.md §5). Exit codes: 0 ok, 1 failure, 2 usage or settings.

Import rule (issue 9): this module imports only the standard library and the light settings and
logging modules at the top. Each subcommand's handler imports what it needs inside its own body,
and only `run` and `demo` may import aiogram (directly or through bot.runners / bot.factory /
handlers): importing aiogram builds ~600 pydantic models and costs seconds, which admin commands
such as `db upgrade`, `import` and `staff add` must not pay. New subcommands follow the same
pattern; tests/test_cli_imports.py checks it in a fresh interpreter.
"""

import argparse
import asyncio
import html
import logging
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.logging import setup_logging
from bot.settings import Mode, Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from storage.db import SessionPool
    from storage.models import StaffRole

log = logging.getLogger("frontdoor.cli")

ROLE_ALIASES = {"客服": "agent", "维修": "technician", "收费": "cashier", "主管": "manager"}
MAX_STAFF_NAME = 100
CLI_ACTOR = "cli"


class Failure(Exception):
    """A command could not do its job; the message is printed and the exit code is 1."""


def _role(value: str) -> "StaffRole":
    from storage.models import StaffRole

    value = value.strip()
    try:
        return StaffRole(ROLE_ALIASES.get(value, value.lower()))
    except ValueError:
        roles = ", ".join(r.value for r in StaffRole)
        raise argparse.ArgumentTypeError(f"must be one of {roles}") from None


def _user_id(value: str) -> int:
    if not value.isdigit() or int(value) <= 0:
        raise argparse.ArgumentTypeError("must be a numeric Telegram user id")
    return int(value)


def _name(value: str) -> str:
    value = value.strip()
    if not 0 < len(value) <= MAX_STAFF_NAME:
        raise argparse.ArgumentTypeError(f"must be 1-{MAX_STAFF_NAME} characters")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="frontdoor", description="The Telegram front door of a property-management company."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run the bot and the outbox sender")
    run.add_argument("--no-scheduler", action="store_true", help="extra worker: no scheduled jobs")
    run.set_defaults(handler=_run)

    demo = commands.add_parser("demo", help="run against the local sandbox with a sample estate")
    demo.set_defaults(handler=_demo)

    database = commands.add_parser("db", help="database schema")
    db_commands = database.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_commands.add_parser("upgrade", help="bring the schema up to date").set_defaults(
        handler=_db_upgrade
    )

    imports = commands.add_parser("import", help="import a register file (CSV or XLSX)")
    kinds = imports.add_subparsers(dest="kind", required=True, metavar="KIND")
    for kind, text in (("owners", "owners register"), ("charges", "charges register")):
        sub = kinds.add_parser(kind, help=f"import the {text}")
        sub.add_argument("file", type=Path, metavar="FILE")
        sub.set_defaults(handler=_import)

    staff_parser = commands.add_parser("staff", help="staff members")
    staff_commands = staff_parser.add_subparsers(
        dest="staff_command", required=True, metavar="ACTION"
    )
    add = staff_commands.add_parser("add", help="add (or re-activate) a staff member")
    add.add_argument("user_id", type=_user_id, metavar="USER_ID")
    add.add_argument("name", type=_name, metavar="NAME")
    add.add_argument("role", type=_role, metavar="ROLE", help="agent|technician|cashier|manager")
    add.set_defaults(handler=_staff_add)
    staff_commands.add_parser("list", help="list the active staff members").set_defaults(
        handler=_staff_list
    )
    remove = staff_commands.add_parser("remove", help="deactivate a staff member")
    remove.add_argument("user_id", type=_user_id, metavar="USER_ID")
    remove.set_defaults(handler=_staff_remove)

    jobs = commands.add_parser("jobs", help="scheduled jobs")
    job_commands = jobs.add_subparsers(dest="jobs_command", required=True, metavar="ACTION")
    job_commands.add_parser(
        "list", help="each job: schedule, last run and result, next run"
    ).set_defaults(handler=_jobs_list)
    run_job = job_commands.add_parser(
        "run", help="run one job now (or as if the estate's clock said --at)"
    )
    run_job.add_argument("name", metavar="NAME")
    run_job.add_argument(
        "--at", metavar="YYYY-MM-DDTHH:MM", help="the estate's local time the job believes it is"
    )
    run_job.set_defaults(handler=_jobs_run)

    report = commands.add_parser("report", help="write a month's dashboard (PNG) and workbook")
    report.add_argument("--month", required=True, metavar="YYYY-MM", help="e.g. 2026-11")
    report.add_argument("--out", required=True, type=Path, metavar="DIR", help="where to write")
    report.set_defaults(handler=_report)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler: Callable[[Settings, argparse.Namespace], int] = args.handler
    from sqlalchemy.exc import SQLAlchemyError

    try:
        settings = load_settings()
        token = settings.bot_token.get_secret_value() if settings.bot_token else None
        try:
            setup_logging(settings.log_level, secrets=[token] if token else None)
        except ValueError:
            raise SettingsError(
                "FRONTDOOR_LOG_LEVEL: must be DEBUG, INFO, WARNING or ERROR"
            ) from None
        return handler(settings, args)
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    except Failure as exc:
        print(exc, file=sys.stderr)
        return 1
    except (SQLAlchemyError, OSError) as exc:
        log.debug("command failed", exc_info=True)
        print(f"error: {type(exc).__name__}: {exc}".splitlines()[0], file=sys.stderr)
        return 1


def _upgrade(settings: Settings) -> None:
    from storage import db

    db.upgrade(settings.database_url)


def _with_estate(
    settings: Settings, work: Callable[["SessionPool", int], Coroutine[Any, Any, int]]
) -> int:
    """Run `work(session_pool, estate_id)` against the default estate, made if missing."""
    from bot.bootstrap import ensure_estate
    from storage import db

    async def go() -> int:
        engine = db.create_engine(settings.database_url)
        try:
            pool = db.create_session_pool(engine)
            estate = await ensure_estate(pool, settings)
            return await work(pool, db.saved_id(estate))
        finally:
            await engine.dispose()

    return asyncio.run(go())


def _run(settings: Settings, args: argparse.Namespace) -> int:
    from bot.lean_models import defer_aiogram_builds

    # Before anything imports aiogram: each Telegram type then builds on first use.
    defer_aiogram_builds()
    from bot.runners import run_polling, run_webhook, webhook_settings

    settings.require_token()
    if settings.mode is Mode.webhook:
        webhook_settings(settings)
    # Alembic runs its own event loop, so the schema is upgraded before ours starts; in a
    # child process, so that none of it stays resident in the bot.
    from storage import db

    if not db.upgrade_in_child(settings.database_url, settings.log_level):
        raise Failure("the database upgrade failed (see the log above)")
    if settings.mode is Mode.webhook:
        code = asyncio.run(run_webhook(settings, args.no_scheduler))
    else:
        code = asyncio.run(run_polling(settings, args.no_scheduler))
    _skip_final_collection()
    return code


def _skip_final_collection() -> None:
    """The bot has stopped: leave its objects out of the garbage collector's last pass. Once a
    report has been drawn, matplotlib's objects make that pass take seconds on a busy machine,
    and a stop must be quick (deployments and the end-to-end tests wait for it)."""
    import gc

    gc.freeze()


def _demo(settings: Settings, args: argparse.Namespace) -> int:
    from bot.lean_models import defer_aiogram_builds

    defer_aiogram_builds()
    from bot.demo import run_demo

    # The demo picks its own database and upgrades it.
    code = run_demo(settings)
    _skip_final_collection()
    return code


def _db_upgrade(settings: Settings, args: argparse.Namespace) -> int:
    from alembic.script import ScriptDirectory

    from storage import db

    _upgrade(settings)
    config = db.alembic_config(settings.database_url)
    head = ScriptDirectory.from_config(config).get_current_head()

    async def no_work(pool: "SessionPool", estate_id: int) -> int:
        return 0

    _with_estate(settings, no_work)
    print(f"database is at revision {head}")
    return 0


def _import(settings: Settings, args: argparse.Namespace) -> int:
    from storage import registers

    _upgrade(settings)
    path: Path = args.file

    async def work(pool: "SessionPool", estate_id: int) -> int:
        async with pool() as session:
            region = await registers.estate_region(session, estate_id)
            currency = await registers.estate_currency(session, estate_id)
        try:
            if args.kind == "owners":
                owner_rows, errors = registers.parse_owners(path, region)
                rows: list[Any] = owner_rows
            else:
                charge_rows, errors = registers.parse_charges(path, currency)
                rows = charge_rows
        except registers.RegisterFileError as exc:
            raise Failure(str(exc)) from None
        if args.kind == "charges":
            # The units are checked against the database even when the file has problems of
            # its own, so one run lists every problem.
            async with pool() as session:
                result = await registers.import_charges(
                    session, estate_id, rows, CLI_ACTOR, problems=errors
                )
            errors = result.errors
        elif not errors:
            async with pool() as session:
                result = await registers.import_owners(session, estate_id, rows, CLI_ACTOR)
            errors = result.errors
        if errors:
            from bot.i18n import default_catalogs
            from bot.texts import register_problem

            t = default_catalogs().translator("en")
            for error in errors:
                print(html.unescape(register_problem(t, error)), file=sys.stderr)
            print(
                f"{path}: rejected, nothing was imported ({len(errors)} problems)",
                file=sys.stderr,
            )
            return 1
        print(result.summary())
        return 0

    return _with_estate(settings, work)


def _staff_add(settings: Settings, args: argparse.Namespace) -> int:
    from storage import staff

    _upgrade(settings)

    async def work(pool: "SessionPool", estate_id: int) -> int:
        async with pool() as session:
            member = await staff.add(
                session,
                estate_id=estate_id,
                telegram_user_id=args.user_id,
                name=args.name,
                role=args.role,
                actor=CLI_ACTOR,
            )
        print(f"staff: {member.name} ({member.telegram_user_id}) is an active {member.role}")
        return 0

    return _with_estate(settings, work)


def _jobs(settings: Settings, work: Callable[["SessionPool", list[Any]], Any]) -> int:
    """Run `work(session_pool, estates)` over every estate; imports no aiogram (start-up)."""
    from scheduler.runs import all_estates
    from storage import db

    _upgrade(settings)

    async def go() -> int:
        engine = db.create_engine(settings.database_url)
        try:
            pool = db.create_session_pool(engine)
            async with pool() as session:
                found = await all_estates(session)
            if not found:
                raise Failure("no estate yet: `frontdoor db upgrade` creates the default one")
            code: int = await work(pool, found)
            return code
        finally:
            await engine.dispose()

    return asyncio.run(go())


def _when(moment: Any, estate: Any) -> str:
    from storage import calendar

    return calendar.local(estate, moment).strftime("%Y-%m-%d %H:%M") if moment else "-"


def _result(result: dict[str, Any]) -> str:
    return " ".join(f"{key}={value}" for key, value in result.items()) or "-"


def _jobs_list(settings: Settings, args: argparse.Namespace) -> int:
    from bot.clock import system_clock
    from scheduler.runs import statuses

    async def work(pool: "SessionPool", found: list[Any]) -> int:
        now = system_clock()
        for estate in found:
            print(f"estate {estate.id} {estate.name} ({estate.time_zone}, local times)")
            async with pool() as session:
                rows = await statuses(session, estate, now)
            header = ("JOB", "SCHEDULE", "LAST RUN", "OUTCOME", "NEXT RUN")
            print("  {:26} {:32} {:17} {:8} {:17} RESULT".format(*header))
            for row in rows:
                last = row.last
                outcome = (last.outcome or "running") if last else "-"
                print(
                    f"  {row.job.name:26} {row.schedule:32} "
                    f"{_when(last.as_of if last else None, estate):17} {outcome:8} "
                    f"{_when(row.next_run, estate):17} {_result(last.result) if last else '-'}"
                )
        return 0

    return _jobs(settings, work)


def _jobs_run(settings: Settings, args: argparse.Namespace) -> int:
    from bot.clock import system_clock
    from scheduler.runs import BadMoment, UnknownJob, find_job, parse_at, run_job
    from storage.models import JobOutcome

    try:
        job = find_job(args.name)
    except UnknownJob as exc:
        raise Failure(str(exc)) from None

    async def work(pool: "SessionPool", found: list[Any]) -> int:
        code = 0
        for estate in found:
            try:
                as_of = parse_at(args.at, estate) if args.at else system_clock()
            except BadMoment as exc:
                raise Failure(f"--at: {exc}") from None
            report = await run_job(pool, job, estate, as_of, system_clock)
            held = ""
            if report.held_until is not None:
                held = f" (quiet hours: owners get them at {_when(report.held_until, estate)})"
            print(
                f"{job.name} estate {estate.id} as of {_when(as_of, estate)}: "
                f"{report.outcome} {_result(report.result)}{held}"
            )
            if report.outcome is not JobOutcome.ok:
                code = 1
        return code

    return _jobs(settings, work)


def _staff_list(settings: Settings, args: argparse.Namespace) -> int:
    from storage import staff

    _upgrade(settings)

    async def work(pool: "SessionPool", estate_id: int) -> int:
        async with pool() as session:
            members = await staff.list_active(session, estate_id)
        if not members:
            print("no active staff")
        for member in members:
            print(f"{member.telegram_user_id}  {member.role:<10}  {member.name}")
        return 0

    return _with_estate(settings, work)


def _staff_remove(settings: Settings, args: argparse.Namespace) -> int:
    from storage import staff

    _upgrade(settings)

    async def work(pool: "SessionPool", estate_id: int) -> int:
        async with pool() as session:
            member = await staff.remove(
                session, estate_id=estate_id, telegram_user_id=args.user_id, actor=CLI_ACTOR
            )
        if member is None:
            raise Failure(f"staff: {args.user_id} is not an active staff member")
        print(f"staff: {member.name} ({member.telegram_user_id}) is no longer active")
        return 0

    return _with_estate(settings, work)


def _report(settings: Settings, args: argparse.Namespace) -> int:
    # No aiogram here: rendering needs only storage, the catalogs and the documents.
    from bot import reporting
    from bot.clock import system_clock
    from bot.i18n import default_catalogs
    from storage import estates, kpis

    _upgrade(settings)
    out: Path = args.out

    async def work(pool: "SessionPool", estate_id: int) -> int:
        async with pool() as session:
            estate = await estates.get(session, estate_id)
            if estate is None:
                raise Failure(f"no estate {estate_id}")
            try:
                period = kpis.month_period(estate, args.month)
            except kpis.PeriodError as exc:
                raise Failure(f"--month: {exc}") from None
            documents = await reporting.render(
                session, estate, period, system_clock(), default_catalogs()
            )
        out.mkdir(parents=True, exist_ok=True)
        for part, content in zip(reporting.Part, documents, strict=True):
            path = out / reporting.file_name(period.month, part)
            path.write_bytes(content)
            print(path)
        return 0

    return _with_estate(settings, work)
