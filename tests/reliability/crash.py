"""What the kill -9 tests share: a real `frontdoor run` started (again) against the same
sandbox and database, and killed with SIGKILL — no shutdown code of it runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.e2e.conftest import BotProcess, SandboxThread


class Restarts:
    """`frontdoor run` processes one after another, each with its own log (shown on failure)."""

    def __init__(
        self, workdir: Path, sandbox: SandboxThread, database_url: str, **env: str
    ) -> None:
        self.workdir = workdir
        self.sandbox = sandbox
        self.database_url = database_url
        self.env = env
        self.runs = 0
        self.bot: BotProcess | None = None

    def start(self) -> BotProcess:
        """A new process; returns once it polls (its deleteWebhook call is in)."""
        before = len(self.sandbox.api("/calls?method=deleteWebhook"))
        self.runs += 1
        workdir = self.workdir / f"run-{self.runs}"
        workdir.mkdir()
        self.bot = BotProcess(workdir, self.sandbox.base_url, self.database_url, **self.env)
        self.bot.wait_ready(lambda: len(self.sandbox.api("/calls?method=deleteWebhook")) > before)
        return self.bot

    def kill(self) -> None:
        self.current.kill()

    def stop(self) -> None:
        """SIGTERM and a clean exit (the last run), else kill whatever still runs."""
        self.current.stop()

    @property
    def current(self) -> BotProcess:
        assert self.bot is not None, "no frontdoor process started"
        return self.bot

    def logs(self) -> str:
        return "\n".join(
            f"--- run {n} ---\n{(self.workdir / f'run-{n}' / 'frontdoor.log').read_text()}"
            for n in range(1, self.runs + 1)
        )

    def cleanup(self) -> None:
        bot = self.bot
        if bot is not None and bot.process.poll() is None:
            bot.process.kill()
            bot.process.wait(10)


def sandbox_call(sandbox: SandboxThread, work: Any) -> Any:
    """Run a plain function on the sandbox's own loop (its state is not locked otherwise)."""

    async def go() -> Any:
        return work(sandbox.running.sandbox)

    return sandbox.run(go())
