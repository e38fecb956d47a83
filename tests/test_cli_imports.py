"""Admin commands never import aiogram (bot/cli.py's import rule), checked in a fresh interpreter.

A new subcommand that does not talk to Telegram belongs in ADMIN_COMMANDS below.
"""

import json
import os
import subprocess
import sys

OWNERS = "building,unit,name,phone\n1,101,Li Lei,13800138001\n"

# Each runs in order in one interpreter; the last line it prints is the verdict.
ADMIN_COMMANDS = [
    ["db", "upgrade"],
    ["import", "owners", "{owners}"],
    ["staff", "add", "4242", "Wang Fang", "agent"],
    ["staff", "list"],
    ["staff", "remove", "4242"],
    ["jobs", "list"],
    ["jobs", "run", "fee_reminders", "--at", "2026-12-03T09:00"],
    ["jobs", "run", "daily_summary"],
    ["report", "--month", "2026-11", "--out", "{out}"],
]

PROBE = """
import json, sys
from bot import cli
commands = json.loads(sys.argv[1])
codes = [cli.main(argv) for argv in commands]
heavy = sorted({name.split(".")[0] for name in sys.modules} & {"aiogram", "aiohttp", "handlers"})
print(json.dumps({"codes": codes, "heavy": heavy}))
"""


def test_admin_commands_do_not_import_aiogram(tmp_path):
    owners = tmp_path / "owners.csv"
    owners.write_text(OWNERS)
    out = tmp_path / "reports"
    commands = [[arg.format(owners=owners, out=out) for arg in argv] for argv in ADMIN_COMMANDS]
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTDOOR_")}
    env["FRONTDOOR_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'frontdoor.db'}"
    env["FRONTDOOR_LOG_LEVEL"] = "WARNING"
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(commands)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    verdict = json.loads(done.stdout.splitlines()[-1])
    assert verdict == {"codes": [0] * len(commands), "heavy": []}, done.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "frontdoor-report-2026-11.png",
        "frontdoor-report-2026-11.xlsx",
    ]
