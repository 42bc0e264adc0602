"""The aiohttp application factory: wires settings, storage, adapter, bot and scheduler."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from aiohttp import web
from botbuilder.core import ConversationState, UserState
from botbuilder.integration.aiohttp import CloudAdapter
from msrest.exceptions import DeserializationError

from bot import core_commands
from bot.adapter import create_adapter
from bot.errors import make_on_turn_error
from bot.routing import ActionRoute, Router
from bot.scheduler import Scheduler
from bot.settings import Settings
from bot.state_storage import TinyDbBotStorage
from bot.teams_bot import VeilleuseBot
from cards.verbs import Verb
from dialogs.turn import Services
from storage.community import ProfileFile
from storage.member_repository import TinyDbMemberRepository
from storage.store import Store

logger = logging.getLogger(__name__)


@dataclass
class Runtime:
    """Everything the running app owns, reachable from handlers and tests."""

    settings: Settings
    store: Store
    adapter: CloudAdapter
    bot: VeilleuseBot
    scheduler: Scheduler
    services: Services


RUNTIME = web.AppKey("runtime", Runtime)


def build_router() -> Router:
    return Router(
        commands={
            "help": core_commands.show_help,
            "language": core_commands.choose_language,
            "reload": core_commands.reload_profile,
        },
        actions={
            Verb.show_help: ActionRoute(core_commands.show_help_action),
            Verb.set_language: ActionRoute(core_commands.set_language_action),
        },
    )


def create_app(
    settings: Settings,
    *,
    clock: Callable[[], datetime] | None = None,
) -> web.Application:
    now = clock or (lambda: datetime.now(UTC))
    store = Store(settings.data_dir)
    profile = ProfileFile(settings.data_dir)
    services = Services(
        profile=profile,
        members=TinyDbMemberRepository(store.database("members")),
        clock=now,
    )
    bot_storage = TinyDbBotStorage(store.database("state"))
    conversation_state = ConversationState(bot_storage)
    user_state = UserState(bot_storage)
    adapter = create_adapter(settings)
    adapter.on_turn_error = make_on_turn_error(conversation_state)
    bot = VeilleuseBot(services, build_router(), conversation_state, user_state)
    scheduler = Scheduler(settings.tz, now)
    runtime = Runtime(settings, store, adapter, bot, scheduler, services)

    app = web.Application(client_max_size=settings.max_body_bytes)
    app[RUNTIME] = runtime
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    app.on_startup.append(_on_startup)
    app.on_cleanup.append(_on_cleanup)
    return app


async def _on_startup(app: web.Application) -> None:
    runtime = app[RUNTIME]
    await runtime.scheduler.start()
    logger.info(
        "Veilleuse ready for %s (data in %s)",
        runtime.services.profile.current.short_name,
        runtime.settings.data_dir,
    )


async def _on_cleanup(app: web.Application) -> None:
    runtime = app[RUNTIME]
    await runtime.scheduler.stop()
    runtime.store.close()


def _problem(status: int, code: str) -> web.Response:
    return web.json_response({"error": code}, status=status)


async def messages(request: web.Request) -> web.StreamResponse:
    """``POST /api/messages``: the Bot Framework endpoint."""
    if "application/json" not in request.headers.get("Content-Type", ""):
        return _problem(415, "unsupported_media_type")
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return _problem(400, "invalid_json")
    if not isinstance(body, dict) or not isinstance(body.get("type"), str):
        return _problem(400, "not_an_activity")
    runtime = request.app[RUNTIME]
    try:
        response = await runtime.adapter.process(request, runtime.bot)
    except DeserializationError:
        logger.info("activity refused: it does not deserialise")
        return _problem(400, "malformed_activity")
    return response or web.Response(status=200)


async def healthz(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    return web.json_response(
        {"status": "ok", "community": runtime.services.profile.current.short_name}
    )
