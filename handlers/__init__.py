"""The routers in the order they are tried; the catch-all comes last."""

from aiogram import Router


def routers() -> list[Router]:
    # Imported here so each call builds the list from the modules' single Router instances.
    from handlers import fallback

    return [fallback.router]
