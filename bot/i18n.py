"""Fluent catalogs (bot/locales/<locale>/*.ftl) and the translator handed to handlers and jobs.

Every value passed into a message is HTML-escaped, because all bot messages use HTML parse mode;
wrap already-safe markup in `Html` to pass it through untouched.
"""

import html
import re
import unicodedata
from collections.abc import Collection, Iterable
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Literal

from fluent.runtime import FluentBundle, FluentResource

from bot.settings import LOCALES

LOCALE_DIR = Path(__file__).parent / "locales"
DEFAULT_LOCALE = "zh"


class Html(str):
    """A string that is already safe HTML and must not be escaped again."""


class MissingMessage(KeyError):
    pass


def locale_for(language_code: str | None, default: str = DEFAULT_LOCALE) -> str:
    """Map Telegram's language_code (e.g. 'zh-hans', 'en-GB') onto a locale we ship."""
    if not language_code:
        return default
    base = language_code.lower().replace("_", "-").split("-")[0]
    return base if base in LOCALES else "en"


def _arg(name: str, value: Any) -> Any:
    if isinstance(value, Html):
        return str(value)
    # Only `count` drives plural rules; other numbers (ticket #1234, amounts) must not be
    # grouped by locale formatting into "#1,234".
    if isinstance(value, int | float) and not isinstance(value, bool) and name == "count":
        return value
    return html.escape(str(value), quote=False)


class Translator:
    """Messages of one locale; call it with a message id and arguments."""

    def __init__(self, catalogs: "Catalogs", locale: str) -> None:
        self.catalogs = catalogs
        self.locale = locale

    def __call__(self, key: str, **args: Any) -> str:
        return self.catalogs.format(self.locale, key, **args)

    def other(self, locale: str) -> "Translator":
        return Translator(self.catalogs, locale)


TAGS = re.compile(r"<[^>]*>")


def plain_text(markup: str) -> str:
    """A message's HTML as the reader sees it, for places that show no markup (a button's
    answer, a one-line preview)."""
    return html.unescape(TAGS.sub("", markup))


# An update's text is matched against several routers' menu labels (TextKey), each folding it
# again; the text a person just sent is the one asked for next.
@lru_cache(maxsize=256)
def normalize(text: str) -> str:
    """Fold a button label or typed text so that '🛠 Report a repair!' matches 'report a repair'."""
    kept = [
        ch
        for ch in unicodedata.normalize("NFKC", text)
        if unicodedata.category(ch)[0] in ("L", "N", "Z")
    ]
    return re.sub(r"\s+", " ", "".join(kept)).strip().casefold()


# Which wordings of a catalog key count: text and aliases, the text only, or its /commands.
Wordings = Literal["all", "text", "commands"]


class Catalogs:
    def __init__(self, root: Path = LOCALE_DIR, locales: Iterable[str] = LOCALES) -> None:
        self.bundles: dict[str, FluentBundle] = {}
        for locale in locales:
            bundle = FluentBundle([locale], use_isolating=False)
            for path in sorted((root / locale).glob("*.ftl")):
                bundle.add_resource(FluentResource(path.read_text(encoding="utf-8")))
            self.bundles[locale] = bundle
        # A message without arguments formats to the same text every time; an update asks for
        # several (buttons, prompts: five of the repair flow's eight look-ups a step), each
        # ~3.5 µs through Fluent against a dict look-up here.
        self._plain: dict[tuple[str, str], str] = {}

    def keys(self, locale: str) -> set[str]:
        return set(self.bundles[locale]._messages)

    def translator(self, locale: str) -> Translator:
        return Translator(self, locale if locale in self.bundles else DEFAULT_LOCALE)

    def format(self, locale: str, key: str, **args: Any) -> str:
        if not args:
            known = self._plain.get((locale, key))
            if known is not None:
                return known
        bundle = self.bundles[locale]
        if not bundle.has_message(key):
            raise MissingMessage(f"{locale}: {key}")
        message = bundle.get_message(key)
        if message.value is None:
            raise MissingMessage(f"{locale}: {key} has no value")
        text, errors = bundle.format_pattern(
            message.value, {name: _arg(name, value) for name, value in args.items()}
        )
        if errors:
            raise MissingMessage(f"{locale}: {key}: {errors[0]}")
        result = str(text)
        if not args:
            self._plain[locale, key] = result
        return result

    def labels(self, key: str, words: Wordings = "all") -> frozenset[str]:
        """Every normalised wording that means `key` in all locales: its text and `.aliases`
        ("all"), its text only ("text"), or only its command-like aliases ("commands")."""
        return self._labels(key, words)

    @cache  # noqa: B019  (catalogs live as long as the process)
    def _labels(self, key: str, words: Wordings) -> frozenset[str]:
        found: set[str] = set()
        for bundle in self.bundles.values():
            if not bundle.has_message(key):
                continue
            message = bundle.get_message(key)
            if message.value is not None and words in ("all", "text"):
                found.add(normalize(str(bundle.format_pattern(message.value, {})[0])))
            alias = message.attributes.get("aliases")
            if alias is not None and words != "text":
                listed = str(bundle.format_pattern(alias, {})[0]).split(",")
                found.update(
                    normalize(w) for w in listed if words == "all" or w.strip().startswith("/")
                )
        found.discard("")
        return frozenset(found)

    def match(self, text: str | None, *keys: str, strict: Collection[str] = ()) -> str | None:
        """The first of `keys` whose labels match `text`, in any locale. Keys in `strict` match
        only their own text, or their commands when `text` is one ("/fees", not "fees")."""
        if not text:
            return None
        folded = normalize(text)
        command = text.strip().startswith("/")
        for key in keys:
            words: Wordings = "all" if key not in strict else "commands" if command else "text"
            if folded in self.labels(key, words):
                return key
        return None


@cache
def default_catalogs() -> Catalogs:
    return Catalogs()
