import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from sandbox import SandboxClient, start_sandbox

TOKEN = "123456789:AAEsandboxTestTokenValue_xyz"


@pytest.fixture
async def running():
    server = await start_sandbox(seed=7)
    yield server
    await server.stop()


@pytest.fixture
async def client(running):
    async with SandboxClient(running.base_url) as c:
        yield c


@pytest.fixture
async def bot(running):
    session = AiohttpSession(api=TelegramAPIServer.from_base(running.base_url))
    b = Bot(TOKEN, session=session)
    yield b
    await b.session.close()


@pytest.fixture
async def owner(client):
    return await client.create_user(
        "Olga", last_name="Owner", username="olga", phone_number="+15550001111"
    )
