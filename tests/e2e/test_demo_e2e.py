"""`frontdoor demo` as a newcomer runs it: one line with the page address, the sample people on
the page, a bot that answers, a clean stop on SIGTERM."""

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from bot import demo_data
from bot.i18n import default_catalogs
from sandbox import SandboxClient
from tests.e2e.conftest import READY_TIMEOUT, REPO, STOP_TIMEOUT, frontdoor, plain

pytestmark = pytest.mark.e2e


async def test_demo_prints_the_page_and_serves_the_sample_estate(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTDOOR_")}
    env.update(
        FRONTDOOR_DEMO_PORT="0",
        PYTHONPATH=os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p),
    )
    out, err = tmp_path / "stdout", tmp_path / "stderr"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            frontdoor("demo"), cwd=tmp_path, env=env, stdout=stdout, stderr=stderr
        )
    try:
        deadline = time.monotonic() + READY_TIMEOUT
        while not (match := re.search(r"open (http://127\.0\.0\.1:\d+)/ ", out.read_text())):
            assert process.poll() is None, f"demo exited early:\n{err.read_text()}"
            assert time.monotonic() < deadline, f"no page address:\n{err.read_text()}"
            time.sleep(0.1)
        base_url = match.group(1)
        assert out.read_text().splitlines()[0] == (
            f"Frontdoor demo: open {base_url}/ — press Ctrl-C to stop"
        )
        assert (tmp_path / "frontdoor-demo.db").exists()

        async with SandboxClient(base_url) as client:
            users = {u["id"]: u for u in await client.users()}
            for person in (*demo_data.OWNERS, *demo_data.STAFF):
                user = users[person.user_id]
                assert (user["first_name"], user["last_name"]) == (
                    person.first_name,
                    person.last_name,
                )
                assert user["role"] == ("staff" if person.staff_role else "owner")
            t = default_catalogs().translator("zh")
            await client.send_command(demo_data.LI_WEI.user_id, "start")
            await client.wait_for_message(
                demo_data.LI_WEI.user_id, plain(t("lang-choose")), timeout=30
            )
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert code == 0, err.read_text()
