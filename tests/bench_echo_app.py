"""The reference of ``make bench``: the shape of Microsoft's Python echo sample (a CloudAdapter
and an ActivityHandler that echoes), as it ships: no msrest patch, replies through botbuilder's
own connector client. ``make bench`` runs it in its own virtual environment that holds only
botbuilder-core and botbuilder-integration-aiohttp 4.17.1 (created under ``.bench/``, ignored).

Usage: python tests/bench_echo_app.py PORT
"""

import sys
import traceback

from aiohttp import web
from aiohttp.web import Request, Response
from botbuilder.core import ActivityHandler, MessageFactory, TurnContext
from botbuilder.core.integration import aiohttp_error_middleware
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import ChannelAccount


class DefaultConfig:
    APP_ID = ""
    APP_PASSWORD = ""
    APP_TYPE = "MultiTenant"
    APP_TENANTID = ""


class EchoBot(ActivityHandler):
    async def on_members_added_activity(
        self, members_added: list[ChannelAccount], turn_context: TurnContext
    ) -> None:
        for member in members_added:
            if member.id != turn_context.activity.recipient.id:
                await turn_context.send_activity("Hello and welcome!")

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        await turn_context.send_activity(MessageFactory.text(f"Echo: {turn_context.activity.text}"))


ADAPTER = CloudAdapter(ConfigurationBotFrameworkAuthentication(DefaultConfig()))


async def on_error(context: TurnContext, error: Exception) -> None:
    print(f"\n [on_turn_error] unhandled error: {error}", file=sys.stderr)  # noqa: T201 - as in the sample
    traceback.print_exc()
    await context.send_activity("The bot encountered an error or bug.")


ADAPTER.on_turn_error = on_error
BOT = EchoBot()


async def messages(req: Request) -> Response:
    return await ADAPTER.process(req, BOT)


APP = web.Application(middlewares=[aiohttp_error_middleware])
APP.router.add_post("/api/messages", messages)

if __name__ == "__main__":
    web.run_app(APP, host="127.0.0.1", port=int(sys.argv[1]), print=None)
