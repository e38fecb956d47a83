"""bot/lean_models.py: with aiogram's types built on first use, every type, every method and
every method's `Response[...]` still builds, each first reached on its own in a fresh
interpreter (the order a running bot may meet them in), and sample updates validate."""

import subprocess
import sys

# Run in a fresh interpreter: this test process has built many types already. Each check
# touches one thing first: a method's response (its result type built inside the generic),
# then every type on its own; a mock left behind means a forward reference did not resolve.
# In a function: pydantic's first-use rebuild looks 5 frames up, deeper than a `-c` script.
CHECK = """
import inspect, sys
from bot.lean_models import defer_aiogram_builds
defer_aiogram_builds()
import aiogram.methods, aiogram.types
from aiogram.methods.base import Response, TelegramMethod
from aiogram.types import CallbackQuery, Message, Update
from pydantic import BaseModel


def main() -> list[str]:
    # The builds were deferred: a type nothing has used yet is still a mock.
    unused = (aiogram.types.Sticker, aiogram.methods.SendSticker)
    failed = ["deferral"] if any(m.__pydantic_complete__ for m in unused) else []
    methods = [m for m in vars(aiogram.methods).values()
               if inspect.isclass(m) and issubclass(m, TelegramMethod) and m is not TelegramMethod]
    for method in methods:
        response = Response[method.__returning__]
        response.__pydantic_validator__.validate_python  # builds it
        for model in (method, response):
            model.__pydantic_validator__.validate_python
            model.__pydantic_serializer__.to_python
            if not model.__pydantic_complete__:
                failed.append(model.__name__)
    types = [t for t in vars(aiogram.types).values()
             if inspect.isclass(t) and issubclass(t, BaseModel)
             and t.__module__.startswith("aiogram.types.")]
    for model in types:
        model.__pydantic_validator__.validate_python
        model.__pydantic_serializer__.to_python
        if not model.__pydantic_complete__:
            failed.append(model.__name__)
    user = {"id": 7, "is_bot": False, "first_name": "Li"}
    chat = {"id": 7, "type": "private"}
    message = {"message_id": 1, "date": 0, "chat": chat, "from": user, "text": "hi",
               "reply_to_message": {"message_id": 0, "date": 0, "chat": chat},
               "contact": {"phone_number": "+86", "first_name": "Li", "user_id": 7},
               "photo": [{"file_id": "f", "file_unique_id": "u", "width": 1, "height": 1}]}
    update = Update.model_validate({"update_id": 1, "message": message})
    pressed = Update.model_validate({"update_id": 2, "callback_query": {
        "id": "q", "from": user, "chat_instance": "c", "data": "d", "message": message}})
    if update.message.reply_to_message.message_id != 0 or update.message.contact.user_id != 7:
        failed.append("Update.message")
    if not isinstance(pressed.callback_query, CallbackQuery):
        failed.append("Update.callback_query")
    if Message.model_validate(message).model_dump(exclude_none=True)["text"] != "hi":
        failed.append("Message.model_dump")
    print(len(methods), len(types))
    print(" ".join(failed))
    return failed


sys.exit(1 if main() else 0)
"""


def test_every_aiogram_model_builds_on_first_use() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    methods, types = (int(n) for n in done.stdout.split()[:2])
    # Some 185 methods and 400 models: the check saw them all, not an empty module.
    assert methods > 150 and types > 350
