"""Telegram-style HTML parsing: the tag whitelist and entities with UTF-16 offsets."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
ALL_TAGS = set(SIMPLE_TAGS) | {"a", "span", "tg-emoji"}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]{1,10});")
_ATTR_RE = re.compile(r"""\s*([a-zA-Z][a-zA-Z0-9_-]*)\s*(?:=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?""")
_COMMAND_RE = re.compile(r"^/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?=\s|$)")


class ParseError(ValueError):
    """Telegram's "can't parse entities" reason."""


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _Open:
    tag: str
    start: int
    byte_offset: int
    attrs: dict[str, str] = field(default_factory=dict)


def _decode_entities(chunk: str) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.startswith("#"):
            code = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
            # Telegram keeps invalid code points as literal text instead of failing.
            if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
                return chr(code)
            return match.group(0)
        return NAMED_ENTITIES.get(name, match.group(0))

    return _ENTITY_RE.sub(replace, chunk)


def _parse_attrs(raw: str, tag: str, byte_offset: int) -> dict[str, str]:
    attrs: dict[str, str] = {}
    pos = 0
    raw = raw.rstrip()
    while pos < len(raw):
        match = _ATTR_RE.match(raw, pos)
        if not match or match.end() == pos:
            raise ParseError(
                f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                f"at byte offset {byte_offset}"
            )
        value = match.group(2) or ""
        if value[:1] in {'"', "'"}:
            value = value[1:-1]
        attrs[match.group(1).lower()] = _decode_entities(value)
        pos = match.end()
    return attrs


def _entity(opened: _Open, length: int) -> dict[str, Any] | None:
    tag, attrs = opened.tag, opened.attrs
    entity: dict[str, Any] = {"offset": opened.start, "length": length}
    if "merged" in attrs:
        return None
    if tag in SIMPLE_TAGS:
        entity["type"] = SIMPLE_TAGS[tag]
        if tag == "blockquote" and "expandable" in attrs:
            entity["type"] = "expandable_blockquote"
        if tag == "pre" and attrs.get("language"):
            entity["language"] = attrs["language"]
    elif tag == "span":
        entity["type"] = "spoiler"
    elif tag == "a":
        href = attrs.get("href", "")
        if not href:
            return None
        entity["type"] = "text_link"
        entity["url"] = href
    else:
        entity["type"] = "custom_emoji"
        entity["custom_emoji_id"] = attrs.get("emoji-id", "")
    return entity


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Turn Bot API HTML into (plain text, entities) or raise ParseError like Telegram."""
    text: list[str] = []
    offset = 0  # UTF-16 units emitted so far
    stack: list[_Open] = []
    entities: list[dict[str, Any]] = []
    pos = 0

    def byte_offset(index: int) -> int:
        return len(source[:index].encode("utf-8"))

    def emit(chunk: str) -> None:
        nonlocal offset
        decoded = _decode_entities(chunk)
        text.append(decoded)
        offset += utf16_len(decoded)

    while pos < len(source):
        lt = source.find("<", pos)
        if lt == -1:
            emit(source[pos:])
            break
        emit(source[pos:lt])
        gt = source.find(">", lt)
        if gt == -1:
            kind = "end" if source[lt + 1 : lt + 2] == "/" else "start"
            raise ParseError(f"Unclosed {kind} tag at byte offset {byte_offset(lt)}")
        inner = source[lt + 1 : gt]
        if inner.startswith("/"):
            name = inner[1:].strip().lower()
            if not stack:
                raise ParseError(f"Unexpected end tag at byte offset {byte_offset(lt)}")
            opened = stack.pop()
            if name != opened.tag:
                raise ParseError(
                    f"Unmatched end tag at byte offset {byte_offset(lt)}, "
                    f'expected "</{opened.tag}>", found "</{name}>"'
                )
            if offset > opened.start and (entity := _entity(opened, offset - opened.start)):
                entities.append(entity)
        else:
            parts = inner.split(maxsplit=1) or [""]
            name, raw_attrs = parts[0].lower(), parts[1] if len(parts) > 1 else ""
            if name not in ALL_TAGS:
                raise ParseError(
                    f'Unsupported start tag "{name}" at byte offset {byte_offset(lt)}'
                )
            attrs = _parse_attrs(raw_attrs, name, byte_offset(lt))
            if name == "span" and attrs.get("class") != "tg-spoiler":
                raise ParseError(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset(lt)}'
                )
            if name == "code" and stack and stack[-1].tag == "pre" and "class" in attrs:
                # <pre><code class="language-x"> is one pre entity with a language.
                stack[-1].attrs["language"] = attrs["class"].removeprefix("language-")
                attrs["merged"] = "1"
            stack.append(_Open(name, offset, byte_offset(lt), attrs))
        pos = gt + 1

    if stack:
        raise ParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(text), entities


def command_entities(text: str) -> list[dict[str, Any]]:
    """The bot_command entity Telegram adds to a message starting with /command."""
    match = _COMMAND_RE.match(text)
    if not match:
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group(0))}]
