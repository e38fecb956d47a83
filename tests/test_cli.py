"""The `frontdoor` command in-process, the webhook endpoint and the log redaction."""

import io
import logging
import os
import sqlite3

import pytest
from aiohttp.test_utils import TestClient, TestServer
from alembic.script import ScriptDirectory

from bot import cli
from bot.logging import setup_logging
from bot.runners import webhook_app
from storage.db import alembic_config
from tests.helpers import Person

OWNERS = "building,unit,name,phone\n1,101,Li Lei,13800138001\n1,102,Han Meimei,13912345678\n"
CHARGES = "building,unit,item,period,amount,due_date\n1,101,management,2026-11,12.5,2026-11-30\n"


@pytest.fixture
def db_path(monkeypatch, tmp_path):
    for name in [n for n in os.environ if n.startswith("FRONTDOOR_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "frontdoor.db"
    monkeypatch.setenv("FRONTDOOR_DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    monkeypatch.setenv("FRONTDOOR_LOCALE", "en")
    # The CLI installs a stderr log handler on the root logger; keep it out of the test run.
    monkeypatch.setattr(cli, "setup_logging", lambda *a, **k: None)
    return path


def query(path, sql):
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


def test_db_upgrade_creates_the_schema_and_the_default_estate(db_path, capsys):
    assert cli.main(["db", "upgrade"]) == 0
    head = ScriptDirectory.from_config(alembic_config("")).get_current_head()
    assert capsys.readouterr().out == f"database is at revision {head}\n"
    assert query(db_path, "SELECT locale, currency FROM estate") == [("en", "CNY")]
    assert cli.main(["db", "upgrade"]) == 0
    assert query(db_path, "SELECT count(*) FROM estate") == [(1,)]


def test_import_owners_then_charges(db_path, tmp_path, capsys):
    (tmp_path / "owners.csv").write_text(OWNERS)
    (tmp_path / "charges.csv").write_text(CHARGES)
    assert cli.main(["import", "owners", str(tmp_path / "owners.csv")]) == 0
    assert capsys.readouterr().out == (
        "owners: 2 created, 0 updated; units: 2 created, 0 updated; links: 2\n"
    )
    assert cli.main(["import", "owners", str(tmp_path / "owners.csv")]) == 0
    assert capsys.readouterr().out.startswith("owners: 0 created, 0 updated; units: 0 created")
    assert cli.main(["import", "charges", str(tmp_path / "charges.csv")]) == 0
    assert capsys.readouterr().out == "charges: 1 created, 0 updated, 0 unchanged\n"
    assert query(db_path, "SELECT amount FROM charge") == [(1250,)]


def test_rejected_import_prints_every_error_and_writes_nothing(db_path, tmp_path, capsys):
    bad = tmp_path / "owners.csv"
    bad.write_text(OWNERS + "1,103,Nobody,123\n1,104,,13800138004\n")
    assert cli.main(["import", "owners", str(bad)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        'line 4: phone "123" is not a valid number',
        "line 5: name is empty",
        f"{bad}: rejected, nothing was imported (2 problems)",
    ]
    assert query(db_path, "SELECT count(*) FROM owner") == [(0,)]
    assert query(db_path, "SELECT count(*) FROM unit") == [(0,)]


def test_import_of_a_missing_file_fails(db_path, tmp_path, capsys):
    assert cli.main(["import", "owners", str(tmp_path / "nope.csv")]) == 1
    assert "cannot read" in capsys.readouterr().err


def test_staff_add_writes_an_active_member(db_path, capsys):
    assert cli.main(["staff", "add", "5001", "Wang Wei", "维修"]) == 0
    assert "Wang Wei (5001) is an active technician" in capsys.readouterr().out
    assert query(db_path, "SELECT telegram_user_id, name, role, active FROM staffmember") == [
        (5001, "Wang Wei", "technician", 1)
    ]
    assert query(db_path, "SELECT type FROM auditevent WHERE entity = 'staff'") == [("added",)]


def test_usage_errors_exit_2(db_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["staff", "add", "5001", "Wang Wei", "janitor"])
    assert exit_.value.code == 2
    assert "must be one of agent, technician, cashier, manager" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["import", "tenants", "x.csv"])


def test_run_without_token_exits_2(db_path, capsys):
    assert cli.main(["run"]) == 2
    assert capsys.readouterr().err == "FRONTDOOR_BOT_TOKEN: missing (get one from @BotFather)\n"
    assert not db_path.exists()


def test_webhook_mode_needs_a_secret(db_path, monkeypatch, capsys):
    monkeypatch.setenv("FRONTDOOR_BOT_TOKEN", "42:TEST_TOKEN_abcdefghij")
    monkeypatch.setenv("FRONTDOOR_MODE", "webhook")
    monkeypatch.setenv("FRONTDOOR_WEBHOOK_URL", "https://bot.example.com/tg")
    assert cli.main(["run"]) == 2
    assert capsys.readouterr().err.startswith("FRONTDOOR_WEBHOOK_SECRET: missing")


async def test_webhook_refuses_a_wrong_secret(dp, bot, tg):
    client = TestClient(TestServer(webhook_app(dp, bot, "s3cret", "/tg")))
    await client.start_server()
    try:
        update = {
            "update_id": 1,
            "message": tg.message(Person(5), "hello?").model_dump(mode="json", exclude_none=True),
        }
        response = await client.post(
            "/tg", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}
        )
        assert response.status == 403
        assert bot.requests == []
        response = await client.post(
            "/tg", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret"}
        )
        assert response.status == 200
        assert bot.requests
    finally:
        await client.close()


def test_logs_are_one_line_without_token_or_phone_numbers():
    stream = io.StringIO()
    handler = setup_logging("INFO", secrets=["42:TEST_TOKEN_abcdefghij"], stream=stream)
    try:
        log = logging.getLogger("frontdoor.test")
        log.info("update id=%s user=%s outcome=ok", 123456789, 987654321)
        log.info("GET https://api.telegram.org/bot42:TEST_TOKEN_abcdefghij/getMe")
        try:
            raise ValueError("phone +86 138 0013 8001 rejected")
        except ValueError:
            log.exception("contact failed for 13800138001")
    finally:
        logging.getLogger().removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 3
    assert lines[0].endswith("INFO frontdoor.test update id=123456789 user=987654321 outcome=ok")
    assert "TEST_TOKEN" not in lines[1] and "bot***/getMe" in lines[1]
    assert "138" not in lines[2] and "contact failed for ***" in lines[2]
    assert "ValueError" in lines[2]
