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
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity
from botframework.connector.auth import AuthenticateRequestResult, ServiceClientCredentialsFactory
from msrest.exceptions import DeserializationError

from bot.adapter import close_adapter, create_adapter
from bot.auth import (
    ChannelTokenValidator,
    GuardedAuthentication,
    InboundPolicy,
    Unauthorized,
    ids_of,
)
from bot.backups import nightly_job
from bot.commands import COMMANDS
from bot.errors import make_on_turn_error
from bot.features import FEATURES
from bot.graph import MsGraphAttendanceSource
from bot.messenger import ProactiveMessenger
from bot.ops import install_ops
from bot.routing import Router
from bot.scheduler import Scheduler
from bot.settings import Settings
from bot.teams_bot import VeilleuseBot, invoke_body_json
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
    validator: ChannelTokenValidator
    policy: InboundPolicy


RUNTIME = web.AppKey("runtime", Runtime)


def create_app(
    settings: Settings,
    *,
    clock: Callable[[], datetime] | None = None,
    credentials_factory: ServiceClientCredentialsFactory | None = None,
) -> web.Application:
    """``credentials_factory`` stands in for the app-password credentials (tests only)."""
    now = clock or (lambda: datetime.now(UTC))
    store = Store(settings.data_dir)
    profile = ProfileFile(settings.data_dir)
    adapter = create_adapter(settings, credentials_factory)
    policy = InboundPolicy(
        settings.tenants, settings.service_url_hosts, allow_loopback=not settings.auth_enabled
    )
    # Every connector the adapter makes (replies, proactive messages) checks the allow-list.
    adapter.bot_framework_authentication = GuardedAuthentication(
        adapter.bot_framework_authentication, policy
    )
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
    adapter.on_turn_error = make_on_turn_error()
    bot = VeilleuseBot(
        services,
        Router(),
        on_inbound=messenger.remember,
        features=FEATURES,
    )
    runtime = Runtime(
        settings,
        store,
        adapter,
        bot,
        scheduler,
        messenger,
        services,
        ChannelTokenValidator(settings.app_id),
        policy,
    )

    app = web.Application(client_max_size=settings.max_body_bytes)
    app[RUNTIME] = runtime
    app.router.add_post("/api/messages", messages)
    install_ops(app, runtime, now)  # /healthz, /metrics, counters (bot/ops.py)
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
    settings = runtime.settings
    if settings.backup_dir is not None:
        runtime.scheduler.schedule(
            nightly_job(
                settings.data_dir,
                settings.backup_dir,
                settings.backup_keep,
                runtime.services.clock,
                settings.tz,
                runtime.scheduler.schedule,
            )
        )
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
    await runtime.validator.keys.close()
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


MAX_JSON_DEPTH = 64


def _too_deep(value: object, limit: int = MAX_JSON_DEPTH) -> bool:
    """Nesting deeper than ``limit`` (iterative: a crafted body cannot exhaust the stack)."""
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: list[object] = list(item.values())
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth >= limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


async def messages(request: web.Request) -> web.StreamResponse:
    """``POST /api/messages``: the Bot Framework endpoint. In order, before the bot sees
    anything: the body is one activity of sane depth, the token is the channel's for this app
    (authentication on), the tenant is the community's and the serviceUrl is one the bot may
    call. A refusal stores nothing and calls nobody."""
    if "application/json" not in request.headers.get("Content-Type", ""):
        return _problem(415, "unsupported_media_type")
    raw = await request.read()
    try:
        body = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return _problem(400, "invalid_json")
    except RecursionError:
        return _problem(400, "too_deep")
    if not isinstance(body, dict) or not isinstance(body.get("type"), str):
        return _problem(400, "not_an_activity")
    if _too_deep(body):
        logger.info("activity refused: nested too deep %s", ids_of(body))
        return _problem(400, "too_deep")
    runtime = request.app[RUNTIME]
    try:
        activity = Activity().deserialize(body)
    except (DeserializationError, RecursionError):
        logger.info("activity refused: it does not deserialise")
        return _problem(400, "malformed_activity")
    if not activity.type:
        return _problem(400, "not_an_activity")
    authenticated: AuthenticateRequestResult | str = ""
    if runtime.settings.auth_enabled:
        try:
            authenticated = await runtime.validator.authenticate(
                request.headers.get("Authorization", ""),
                activity,
                runtime.adapter.bot_framework_authentication,
            )
        except Unauthorized as refusal:
            logger.info("activity refused: %s %s", refusal.reason, ids_of(body))
            return _problem(401, "unauthorized")
    refused = runtime.policy.refusal(body)
    if refused is not None:
        logger.warning("activity refused: %s %s", refused, ids_of(body))
        return _problem(403, "forbidden")
    try:
        invoke = await runtime.adapter.process_activity(
            authenticated, activity, runtime.bot.on_turn
        )
    except OSError as problem:
        # Before the turn: no outbound connector (Entra token not obtained in time or refused,
        # serviceUrl refused). Errors inside the turn are handled by on_turn_error.
        logger.warning("activity not processed: %s %s", type(problem).__name__, ids_of(body))
        return _problem(503, "unavailable")
    if invoke:
        return web.json_response(invoke_body_json(invoke.body), status=invoke.status)
    return web.Response(status=201)


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
