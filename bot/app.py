"""The aiohttp application factory: wires settings, storage, adapter, bot and scheduler."""

from __future__ import annotations

import asyncio
import gc
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial

from aiohttp import web
from botbuilder.core import ConversationState, UserState
from botbuilder.integration.aiohttp import CloudAdapter
from msrest.exceptions import DeserializationError

from bot.adapter import close_adapter, create_adapter
from bot.commands import COMMANDS
from bot.errors import make_on_turn_error
from bot.features import FEATURES
from bot.graph import MsGraphAttendanceSource
from bot.messenger import ProactiveMessenger
from bot.routing import Router
from bot.scheduler import Scheduler
from bot.settings import Settings
from bot.state_storage import TinyDbBotStorage
from bot.teams_bot import VeilleuseBot
from cards.i18n import translator
from dialogs.downloads import Downloads
from dialogs.turn import Services
from storage.community import ProfileFile
from storage.conversation_repository import TinyDbConversationRepository
from storage.download_repository import TinyDbDownloadRepository
from storage.member_repository import TinyDbMemberRepository
from storage.outbox_repository import TinyDbOutboxRepository
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
    messenger: ProactiveMessenger
    services: Services


RUNTIME = web.AppKey("runtime", Runtime)


def create_app(
    settings: Settings,
    *,
    clock: Callable[[], datetime] | None = None,
) -> web.Application:
    now = clock or (lambda: datetime.now(UTC))
    store = Store(settings.data_dir)
    profile = ProfileFile(settings.data_dir)
    adapter = create_adapter(settings)
    scheduler = Scheduler(settings.tz, now)
    messenger = ProactiveMessenger(
        adapter,
        settings.app_id,
        TinyDbConversationRepository(store.database("conversations")),
        TinyDbOutboxRepository(store.database("outbox")),
        now,
    )
    downloads = Downloads(
        TinyDbDownloadRepository(store.database("downloads"), settings.data_dir / "files"),
        settings.base_url,
        now,
    )
    services = Services(
        profile=profile,
        members=TinyDbMemberRepository(store.database("members")),
        clock=now,
        jobs=scheduler,
        messenger=messenger,
        store=store,
        downloads=downloads,
        timezone=settings.tz,
        commands=COMMANDS,
        features=FEATURES,
    )
    if settings.graph_tenant_id and settings.graph_client_id and settings.graph_client_secret:
        services.components["attendance_source"] = MsGraphAttendanceSource.from_settings(
            settings.graph_tenant_id, settings.graph_client_id, settings.graph_client_secret
        )
    bot_storage = TinyDbBotStorage(store.database("state"))
    conversation_state = ConversationState(bot_storage)
    user_state = UserState(bot_storage)
    adapter.on_turn_error = make_on_turn_error(conversation_state)
    bot = VeilleuseBot(
        services,
        Router(),
        conversation_state,
        user_state,
        on_inbound=messenger.remember,
        features=FEATURES,
    )
    runtime = Runtime(settings, store, adapter, bot, scheduler, messenger, services)

    app = web.Application(client_max_size=settings.max_body_bytes)
    app[RUNTIME] = runtime
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/files/{token}", download)
    app.on_startup.append(_on_startup)
    app.on_cleanup.append(_on_cleanup)
    return app


async def _on_startup(app: web.Application) -> None:
    runtime = app[RUNTIME]
    # Parse every data set now (storage/store.py keeps them in memory), so no turn pays it.
    runtime.store.open_all()
    for feature in FEATURES:
        plan_jobs = getattr(feature, "plan_jobs", None)
        if plan_jobs is not None:
            await runtime.scheduler.add_planner(partial(plan_jobs, runtime.services))
    await runtime.scheduler.start()
    runtime.scheduler.every("downloads:purge", 3600, _purge_downloads(runtime.services))
    await runtime.messenger.start()
    graph = runtime.services.components.get("attendance_source")
    if isinstance(graph, MsGraphAttendanceSource):
        # msgraph's first model parse costs ~1.5 s (PLATFORM.md §2): pay it before traffic.
        await asyncio.to_thread(graph.warm_up)
    # Start-up objects (modules, SDK models, the data sets) never die: move them out of the
    # collector's way: a full collection no longer walks them (~45 ms each otherwise).
    gc.collect()
    gc.freeze()
    logger.info(
        "Veilleuse ready for %s (data in %s)",
        runtime.services.profile.current.short_name,
        runtime.settings.data_dir,
    )


async def _on_cleanup(app: web.Application) -> None:
    runtime = app[RUNTIME]
    await runtime.messenger.stop()
    await runtime.scheduler.stop()
    graph = runtime.services.components.get("attendance_source")
    if isinstance(graph, MsGraphAttendanceSource):
        await graph.close()
    await close_adapter(runtime.adapter)
    runtime.store.close()


def _purge_downloads(services: Services) -> Callable[[], Awaitable[None]]:
    async def purge() -> None:
        removed = await services.downloads.purge()
        if removed:
            logger.info("removed %d expired download(s)", removed)

    return purge


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


async def download(request: web.Request) -> web.Response:
    """``GET /files/{token}``: a file the bot handed out, until its link expires."""
    runtime = request.app[RUNTIME]
    token = request.match_info["token"]
    found = await runtime.services.downloads.fetch(token) if len(token) >= 32 else None
    if found is None:
        t = translator(runtime.services.profile.current.default_locale)
        return web.Response(status=404, text=t("errors.link_expired"), charset="utf-8")
    entry, content = found
    safe_name = entry.filename.replace('"', "")
    media_type, _, params = entry.content_type.partition(";")
    charset = params.strip().removeprefix("charset=") or None
    return web.Response(
        body=content,
        content_type=media_type.strip(),
        charset=charset,
        headers={
            "Content-Disposition": f'attachment; filename="{safe_name}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


async def healthz(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    return web.json_response(
        {"status": "ok", "community": runtime.services.profile.current.short_name}
    )
