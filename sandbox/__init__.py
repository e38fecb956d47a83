"""A local fake of the Telegram Bot API with a client API for tests and a page for people."""

from sandbox.client import SandboxClient, SandboxError
from sandbox.server import RunningSandbox, Sandbox, create_app, start_sandbox

__all__ = [
    "RunningSandbox",
    "Sandbox",
    "SandboxClient",
    "SandboxError",
    "create_app",
    "start_sandbox",
]
