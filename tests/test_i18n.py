"""The catalogs: both languages complete, every key used in code exists, labels fold."""

import re
from pathlib import Path

import pytest

from bot.i18n import LOCALE_DIR, Catalogs, Html, MissingMessage, locale_for, normalize

ROOT = Path(__file__).resolve().parent.parent
KEY_USE = re.compile(r"""\bt\(\s*["']([a-z0-9-]+)["']""")


def test_both_locales_have_the_same_keys(catalogs: Catalogs) -> None:
    assert catalogs.keys("en") == catalogs.keys("zh")


def test_no_key_is_defined_twice() -> None:
    for locale in ("en", "zh"):
        seen: dict[str, str] = {}
        for path in sorted((LOCALE_DIR / locale).glob("*.ftl")):
            for match in re.finditer(r"^([a-z0-9-]+)\s*=", path.read_text("utf-8"), re.M):
                key = match.group(1)
                assert key not in seen, f"{key} in {path.name} and {seen.get(key)}"
                seen[key] = path.name


def test_every_key_used_in_code_exists(catalogs: Catalogs) -> None:
    keys = catalogs.keys("en")
    missing = []
    for folder in ("bot", "handlers", "scheduler"):
        for path in (ROOT / folder).rglob("*.py"):
            for key in KEY_USE.findall(path.read_text("utf-8")):
                if key not in keys:
                    missing.append(f"{path.relative_to(ROOT)}: {key}")
    assert not missing


def test_arguments_are_escaped_unless_marked_safe(catalogs: Catalogs) -> None:
    t = catalogs.translator("en")
    assert "<b>" not in t("fallback-start")
    # An owner's text with markup in it is shown as text, never as markup.
    shown = t("pay-refused-unknown-unit", unit='<a href="x">9</a> & <b>')
    assert '<a href="x">' not in shown and "<b>" not in shown
    assert '&lt;a href="x"&gt;9&lt;/a&gt; &amp; &lt;b&gt;' in shown
    # Markup the code built on purpose goes through as it is.
    assert "<b>9</b>" in t("pay-refused-unknown-unit", unit=Html("<b>9</b>"))
    assert normalize("🛠 Report a Repair!") == "report a repair"
    assert Html("<b>x</b>") == "<b>x</b>"


def test_language_codes_map_to_shipped_locales() -> None:
    assert locale_for("zh-hans") == "zh"
    assert locale_for("en-GB") == "en"
    assert locale_for("ru") == "en"
    assert locale_for(None, "zh") == "zh"


def test_strict_menu_keys_match_button_text_and_commands_only(catalogs: Catalogs) -> None:
    menu = ("menu-repair", "menu-complaint", "menu-fees", "menu-language")
    for typed in ("leak", "坏了", "complaint", "fees", "english", "我要投诉"):
        assert catalogs.match(typed, *menu, strict=menu) is None, typed
    assert catalogs.match("📣 Make a complaint", *menu, strict=menu) == "menu-complaint"
    assert catalogs.match("🛠 报修", *menu, strict=menu) == "menu-repair"
    assert catalogs.match("/complaint", *menu, strict=menu) == "menu-complaint"
    # Outside a conversation the words still work as shortcuts.
    assert catalogs.match("leak", *menu) == "menu-repair"
    assert catalogs.match("fees", *menu) == "menu-fees"


def test_messages_without_arguments_are_formatted_once_per_locale(tmp_path: Path) -> None:
    for locale in ("en", "zh"):
        (tmp_path / locale).mkdir()
        (tmp_path / locale / "a.ftl").write_text(
            f"plain = {locale} text\nwith-arg = {locale} {{ $name }}\n", encoding="utf-8"
        )
    catalogs = Catalogs(root=tmp_path)
    en, zh = catalogs.translator("en"), catalogs.translator("zh")
    assert (en("plain"), zh("plain"), en("plain")) == ("en text", "zh text", "en text")
    assert en("with-arg", name="<b>") == "en &lt;b&gt;"
    assert en("with-arg", name="Ann") == "en Ann"
    # A message that needs an argument it was not given fails every time, never cached.
    for _ in range(2):
        with pytest.raises(MissingMessage):
            en("with-arg")
    with pytest.raises(MissingMessage):
        en("no-such-key")
