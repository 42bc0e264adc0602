"""CloudAdapter construction and the workarounds for botbuilder-python 4.17.1 defects."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace
from typing import Any

import aiohttp
import msrest.universal_http.requests as msrest_requests
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
    ConfigurationServiceClientCredentialFactory,
)
from botbuilder.schema import Activity, ActivityTypes
from botframework.connector.auth import BotFrameworkAuthentication, ServiceClientCredentialsFactory

from bot.connector import PooledBotFrameworkAuthentication, PooledConnection
from bot.settings import Settings

logger = logging.getLogger(__name__)


def patch_msrest_retry_scan() -> None:
    """msrest scans ``range(999)`` against a 500-item *list* per request (~6 ms CPU each, two
    per turn). A frozenset gives the same answers in O(1). See PLATFORM.md §3.2."""
    policy = msrest_requests.ClientRetryPolicy
    if not isinstance(policy.safe_codes, frozenset):
        # msrest annotates the class attribute as list[int]; only ``in`` is used on it.
        policy.safe_codes = frozenset(policy.safe_codes)  # type: ignore[assignment]


# Outbound token fetches (MSAL, blocking) run in this pool, never in the default executor the
# storage uses: a silent Entra holds at most these threads, each for at most the timeout.
_OUTBOUND_WORKERS = 32
_outbound_pool: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor:
    global _outbound_pool
    if _outbound_pool is None:
        _outbound_pool = ThreadPoolExecutor(_OUTBOUND_WORKERS, thread_name_prefix="outbound")
    return _outbound_pool


# Card actions processed at once; the others wait their turn (see VeilleuseAdapter).
CARD_ACTIONS_AT_ONCE = 4


class VeilleuseAdapter(CloudAdapter):
    """CloudAdapter that processes at most ``CARD_ACTIONS_AT_ONCE`` invokes at a time.

    The event loop runs every ready task in turn, so fifty card actions in progress (a poll
    answered by a whole channel) made each step of an ``aide`` wait behind fifty others. With
    the gate, invokes queue in arrival order and a message turn shares the loop with four of
    them at most; the invokes' total time is the same (the CPU is the limit either way)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._card_actions = asyncio.Semaphore(CARD_ACTIONS_AT_ONCE)

    async def process_activity(
        self,
        auth_header_or_authenticate_request_result: Any,
        activity: Activity,
        logic: Callable[[TurnContext], Awaitable[Any]],
    ) -> Any:
        if activity.type != ActivityTypes.invoke:
            return await super().process_activity(
                auth_header_or_authenticate_request_result, activity, logic
            )
        async with self._card_actions:
            return await super().process_activity(
                auth_header_or_authenticate_request_result, activity, logic
            )


def create_adapter(
    settings: Settings, credentials_factory: ServiceClientCredentialsFactory | None = None
) -> CloudAdapter:
    """``credentials_factory`` replaces the app-password credentials (tests only)."""
    patch_msrest_retry_scan()
    config = SimpleNamespace(
        APP_ID=settings.app_id,
        APP_PASSWORD=settings.app_password,
        APP_TYPE=settings.app_type,
        APP_TENANTID=settings.app_tenant_id,
    )
    if not settings.auth_enabled:
        logger.warning(
            "MicrosoftAppId is empty: authentication is OFF. Use this only on this machine "
            "(tests, Agents Playground), never where Teams can reach the bot."
        )
    factory = WarmCredentialsFactory(
        credentials_factory or ConfigurationServiceClientCredentialFactory(config),
        settings.outbound_timeout,
    )
    # Outbound calls over one pooled aiohttp session (bot/connector.py); authentication stays
    # the SDK's, with the credentials above.
    timeout = settings.outbound_timeout
    connection = PooledConnection(
        timeout=aiohttp.ClientTimeout(total=timeout, connect=min(timeout, 5.0), sock_read=timeout)
    )
    authentication = PooledBotFrameworkAuthentication(
        ConfigurationBotFrameworkAuthentication(config, credentials_factory=factory), connection
    )
    return VeilleuseAdapter(authentication)


class WarmCredentialsFactory(ServiceClientCredentialsFactory):  # type: ignore[misc]
    """Outbound credentials, one per (app, scope) so MSAL's token cache lives on, with the token
    fetched in the outbound pool under the timeout: msrest then signs each request from the
    cache, instead of asking Entra synchronously on the event loop (and per turn)."""

    def __init__(self, inner: ServiceClientCredentialsFactory, timeout: float) -> None:
        self._inner = inner
        self._timeout = timeout
        self._cache: dict[tuple[Any, ...], Any] = {}

    async def is_valid_app_id(self, app_id: str) -> bool:
        return bool(await self._inner.is_valid_app_id(app_id))

    async def is_authentication_disabled(self) -> bool:
        return bool(await self._inner.is_authentication_disabled())

    async def create_credentials(
        self, app_id: str, oauth_scope: str, login_endpoint: str, validate_authority: bool
    ) -> Any:
        key = (app_id, oauth_scope, login_endpoint, validate_authority)
        credentials = self._cache.get(key)
        if credentials is None:
            credentials = await self._inner.create_credentials(
                app_id, oauth_scope, login_endpoint, validate_authority
            )
            if len(self._cache) > 64:
                self._cache.clear()
            self._cache[key] = credentials
        if app_id and callable(getattr(credentials, "get_access_token", None)):
            loop = asyncio.get_running_loop()
            await asyncio.wait_for(
                loop.run_in_executor(_pool(), credentials.get_access_token), self._timeout
            )
        return credentials


async def close_adapter(adapter: CloudAdapter) -> None:
    """Closes the outbound connection pool (application shutdown)."""
    authentication: BotFrameworkAuthentication | None = adapter.bot_framework_authentication
    while authentication is not None:  # wrappers (bot/auth.py GuardedAuthentication) keep it
        if isinstance(authentication, PooledBotFrameworkAuthentication):
            await authentication.connection.close()
            return
        authentication = getattr(authentication, "inner", None) or getattr(
            authentication, "_inner", None
        )
