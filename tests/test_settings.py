"""Settings: defaults, and one line naming the variable for every malformed value."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import Mode, SettingsError, load_settings

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    """No FRONTDOOR_ variables from the outside and no .env file in the working directory."""
    for name in [n for n in os.environ if n.startswith("FRONTDOOR_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_defaults():
    settings = load_settings()
    assert settings.bot_token is None
    assert settings.api_base == "https://api.telegram.org"
    assert settings.database_url == "sqlite+aiosqlite:///./frontdoor.db"
    assert (settings.time_zone, settings.locale, settings.currency) == (
        "Asia/Shanghai",
        "zh",
        "CNY",
    )
    assert settings.admin_ids == frozenset()
    assert settings.mode is Mode.polling
    assert settings.send_rate == 25


def test_values_from_the_environment_and_dotenv(monkeypatch, tmp_path):
    (tmp_path / ".env").write_text("FRONTDOOR_CURRENCY=usd\n")
    monkeypatch.setenv("FRONTDOOR_ADMIN_IDS", "1, 2;3")
    monkeypatch.setenv("FRONTDOOR_BOT_TOKEN", " 123456:ABCDEFGHIJKLMNOP ")
    settings = load_settings()
    assert settings.admin_ids == frozenset({1, 2, 3})
    assert settings.currency == "USD"
    assert settings.bot_token.get_secret_value() == "123456:ABCDEFGHIJKLMNOP"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("BOT_TOKEN", "not-a-token"),
        ("ADMIN_IDS", "12,abc"),
        ("DATABASE_URL", "mysql://localhost/db"),
        ("TIME_ZONE", "Mars/Olympus"),
        ("SEND_RATE", "100"),
        ("SEND_RATE", "fast"),
        ("LOCALE", "fr"),
        ("LISTEN", "8080"),
        ("TELEGRAM_API_URL", "not a url"),
    ],
)
def test_malformed_value_gives_one_line_naming_the_variable(monkeypatch, variable, value):
    monkeypatch.setenv(f"FRONTDOOR_{variable}", value)
    with pytest.raises(SettingsError) as error:
        load_settings()
    message = str(error.value)
    assert message.startswith(f"FRONTDOOR_{variable}: ")
    assert "\n" not in message
    if variable == "BOT_TOKEN":
        assert value not in message


def test_a_rate_above_telegrams_free_limit_is_paid_broadcasting(monkeypatch):
    monkeypatch.setenv("FRONTDOOR_SEND_RATE", "200")
    monkeypatch.setenv("FRONTDOOR_PAID_BROADCAST", "true")
    assert load_settings().send_rate == 200
    monkeypatch.setenv("FRONTDOOR_SEND_RATE", "1001")
    with pytest.raises(SettingsError, match="^FRONTDOOR_SEND_RATE: "):
        load_settings()


def test_missing_token_is_named_when_required():
    with pytest.raises(SettingsError, match="^FRONTDOOR_BOT_TOKEN: missing"):
        load_settings().require_token()


def test_cli_with_a_bad_setting_exits_2_with_one_line(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "FRONTDOOR_TIME_ZONE": "Nowhere/Town"}
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from bot.cli import main; sys.exit(main())",
            "db",
            "upgrade",
        ],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        "FRONTDOOR_TIME_ZONE: unknown time zone 'Nowhere/Town' (use an IANA name like "
        "Asia/Shanghai)"
    ]
    assert not (tmp_path / "frontdoor.db").exists()
