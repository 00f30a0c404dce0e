"""The baseline for bench_bot: a bare aiogram bot that echoes text, polling the same way ours does
(or, with WEBHOOK_URL, WEBHOOK_PORT and WEBHOOK_SECRET set, served by aiogram's aiohttp webhook
integration as ours is, answering each push after its reply is sent).

BOT_TOKEN=... TELEGRAM_API_URL=... python -m benchmarks.echo_bot
"""

from __future__ import annotations

import asyncio
import os

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web


async def echo(message: Message) -> None:
    await message.answer(message.text or "?")


async def main() -> None:
    session = AiohttpSession(api=TelegramAPIServer.from_base(os.environ["TELEGRAM_API_URL"]))
    bot = Bot(token=os.environ["BOT_TOKEN"], session=session)
    dispatcher = Dispatcher()
    dispatcher.message.register(echo)
    if "WEBHOOK_URL" in os.environ:
        await serve_webhook(bot, dispatcher)
        return
    await dispatcher.start_polling(bot, handle_signals=True)


async def serve_webhook(bot: Bot, dispatcher: Dispatcher) -> None:
    secret = os.environ["WEBHOOK_SECRET"]
    app = web.Application()
    SimpleRequestHandler(dispatcher, bot, handle_in_background=False, secret_token=secret).register(
        app, path="/telegram/hook"
    )
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", int(os.environ["WEBHOOK_PORT"])).start()
    await bot.set_webhook(os.environ["WEBHOOK_URL"], secret_token=secret)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
