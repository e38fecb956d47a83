"""`frontdoor jobs list` and `frontdoor jobs run NAME [--at]` (tests/test_cli_imports.py checks
they import no aiogram)."""

import os
import sqlite3

import pytest

from bot import cli

OWNERS = "building,unit,name,phone\n1,101,Li Lei,13800138001\n1,102,Li Lei,13800138001\n"
CHARGES = (
    "building,unit,item,period,amount,due_date\n"
    "1,101,management,2026-11,125,2026-12-10\n"
    "1,102,parking,2026-11,80,2026-12-10\n"
)


@pytest.fixture
def db_path(monkeypatch, tmp_path):
    for name in [n for n in os.environ if n.startswith("FRONTDOOR_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "frontdoor.db"
    monkeypatch.setenv("FRONTDOOR_DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    monkeypatch.setenv("FRONTDOOR_LOCALE", "en")
    monkeypatch.setattr(cli, "setup_logging", lambda *a, **k: None)
    return path


def query(path, sql):
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


def verified_owner_with_two_charges(db_path, tmp_path):
    (tmp_path / "owners.csv").write_text(OWNERS)
    (tmp_path / "charges.csv").write_text(CHARGES)
    assert cli.main(["import", "owners", str(tmp_path / "owners.csv")]) == 0
    assert cli.main(["import", "charges", str(tmp_path / "charges.csv")]) == 0
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE owner SET status='verified', telegram_user_id=42, chat_id=42")


def test_jobs_run_twice_enqueues_once_and_list_shows_it(db_path, tmp_path, capsys):
    verified_owner_with_two_charges(db_path, tmp_path)
    capsys.readouterr()
    assert cli.main(["jobs", "run", "fee_reminders", "--at", "2026-12-03T09:00"]) == 0
    out = capsys.readouterr().out
    assert "fee_reminders estate 1 as of 2026-12-03 09:00: ok enqueued=1 owners=1 charges=2" in out
    assert cli.main(["jobs", "run", "fee_reminders", "--at", "2026-12-03T09:00"]) == 0
    assert "enqueued=0" in capsys.readouterr().out
    [(key, chat, due)] = query(
        db_path, "SELECT dedupe_key, chat_id, next_attempt_at FROM outboxmessage"
    )
    assert key.endswith(":2026-12-03") and chat == 42
    # Due when the job believed it was: 09:00 in Shanghai.
    assert due.startswith("2026-12-03 01:00")
    assert cli.main(["jobs", "list"]) == 0
    listing = capsys.readouterr().out
    assert "fee_reminders" in listing and "hour=9 minute=0" in listing
    assert "2026-12-03 09:00  ok" in listing
    assert "weekly_complaint_summary   day_of_week=fri hour=17 minute=0" in listing


def test_jobs_run_refuses_unknown_names_and_bad_times(db_path, capsys):
    assert cli.main(["db", "upgrade"]) == 0
    assert cli.main(["jobs", "run", "nothing"]) == 1
    assert "no job 'nothing'; jobs: fee_reminders" in capsys.readouterr().err
    assert cli.main(["jobs", "run", "fee_reminders", "--at", "tomorrow"]) == 1
    assert "--at: 'tomorrow' is not of the form YYYY-MM-DDTHH:MM" in capsys.readouterr().err
