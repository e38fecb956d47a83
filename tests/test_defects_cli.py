"""The command line after issue 15: every import problem at once, quiet Alembic, staff list
and remove."""

import io
import logging

from bot import cli
from bot.logging import setup_logging
from tests.test_cli import OWNERS, db_path, query  # noqa: F401  (db_path is a fixture)


def test_import_charges_lists_every_problem_at_once(db_path, tmp_path, capsys):  # noqa: F811
    (tmp_path / "owners.csv").write_text(OWNERS)
    assert cli.main(["import", "owners", str(tmp_path / "owners.csv")]) == 0
    capsys.readouterr()
    (tmp_path / "charges.csv").write_text(
        "building,unit,item,period,amount,due_date\n"
        "1,101,management,2026-11,12.5,2026-11-30\n"
        "9,999,management,2026-11,12.5,2026-11-30\n"
        "1,102,management,11/2026,12.5,2026-11-30\n"
    )
    assert cli.main(["import", "charges", str(tmp_path / "charges.csv")]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "line 3: unit 9-999 is not in the register (import owners first)"
    assert err[1].startswith('line 4: period "11/2026"')
    assert "(2 problems)" in err[-1]
    assert query(db_path, "SELECT count(*) FROM charge") == [(0,)]


def test_alembic_info_lines_only_at_debug():
    for level, shown in (("INFO", False), ("DEBUG", True)):
        stream = io.StringIO()
        handler = setup_logging(level, stream=stream)
        try:
            logging.getLogger("alembic.runtime.migration").info("Running upgrade 0003 -> 0004")
        finally:
            logging.getLogger().removeHandler(handler)
        assert ("Running upgrade" in stream.getvalue()) is shown


def test_staff_list_and_remove(db_path, capsys):  # noqa: F811
    assert cli.main(["staff", "list"]) == 0
    assert capsys.readouterr().out == "no active staff\n"
    assert cli.main(["staff", "add", "5001", "Wang Wei", "维修"]) == 0
    assert cli.main(["staff", "add", "5002", "Li Na", "manager"]) == 0
    capsys.readouterr()
    assert cli.main(["staff", "list"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "5002  manager     Li Na",
        "5001  technician  Wang Wei",
    ]
    assert cli.main(["staff", "remove", "5001"]) == 0
    assert capsys.readouterr().out == "staff: Wang Wei (5001) is no longer active\n"
    assert cli.main(["staff", "remove", "5001"]) == 1
    assert "5001 is not an active staff member" in capsys.readouterr().err
    assert cli.main(["staff", "list"]) == 0
    assert capsys.readouterr().out.splitlines() == ["5002  manager     Li Na"]
    assert query(db_path, "SELECT type FROM auditevent WHERE entity = 'staff'") == [
        ("added",),
        ("added",),
        ("removed",),
    ]
