"""Structured logs: one line per record, `ts level logger key=value…`, with secrets masked.

The bot token can appear in request URLs inside library error messages, and phone numbers in
anything that echoes user input; the redacting filter removes both before a record is written.
Runs of 7+ digits are masked unless they are the value of an id-like key (`id=`, `user=`,
`chat=`…): Telegram ids are needed to follow a conversation through the log.
"""

import logging
import re
import sys
from datetime import UTC, datetime
from typing import TextIO

DIGITS = re.compile(r"(?<![\w.])(\+?\d[\d\s\-()]{5,}\d)(?![\w.])")
ID_KEYS = re.compile(r"(?:^|[\s,(])(?:\w*id|user|chat|update|message|row)=-?$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MASK = "***"
HANDLER_NAME = "frontdoor"


class RedactingFilter(logging.Filter):
    """Mask the bot token and phone-like digit runs in the message and the traceback."""

    def __init__(self, secrets: list[str] | None = None) -> None:
        super().__init__()
        self.secrets = [s for s in secrets or [] if s]

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return DIGITS.sub(lambda m: self._digits(text, m), text)

    @staticmethod
    def _digits(text: str, match: re.Match[str]) -> str:
        digits = sum(ch.isdigit() for ch in match.group(1))
        if digits < 7 or ISO_DATE.match(match.group(1)):
            return match.group(0)
        prefix = text[max(0, match.start() - 20) : match.start()]
        if ID_KEYS.search(prefix) and match.group(1).lstrip("-").isdigit():
            return match.group(0)
        return MASK

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redact(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


class LineFormatter(logging.Formatter):
    """`2026-11-23T02:00:00.123Z INFO frontdoor.outbox id=3 outcome=sent` — one line always."""

    def format(self, record: logging.LogRecord) -> str:
        ts = datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%S")
        line = f"{ts}.{int(record.msecs):03d}Z {record.levelname} {record.name} "
        line += record.getMessage()
        if record.exc_text:
            line += " exc=" + repr(record.exc_text)
        return line.replace("\n", "\\n")


def setup_logging(
    level: str = "INFO", secrets: list[str] | None = None, stream: TextIO | None = None
) -> logging.Handler:
    """Send every logger's records through one redacting, one-line handler on stderr."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(LineFormatter())
    handler.addFilter(RedactingFilter(secrets))
    handler.set_name(HANDLER_NAME)
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    # aiohttp's access log repeats the webhook path on every update; one line per update is ours.
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    # Alembic says "Context impl SQLiteImpl" and "Will assume …" on every command; only
    # someone debugging wants that.
    debug = level.upper() == "DEBUG"
    logging.getLogger("alembic").setLevel(logging.DEBUG if debug else logging.WARNING)
    return handler
