from tests.helpers import Person


async def test_unknown_text_gets_pointer_not_silence(tg, bot):
    await tg.send(Person(5), "hello?")
    assert "/start" in bot.last_text(5)
