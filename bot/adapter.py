"""CloudAdapter construction and the workarounds for botbuilder-python 4.17.1 defects."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from types import SimpleNamespace
from typing import Any

import msrest.universal_http.requests as msrest_requests
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)
from botbuilder.schema import Activity, ActivityTypes

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


def create_adapter(settings: Settings) -> CloudAdapter:
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
    # Outbound calls over one pooled aiohttp session; authentication stays the SDK's.
    authentication = PooledBotFrameworkAuthentication(
        ConfigurationBotFrameworkAuthentication(config), PooledConnection()
    )
    return VeilleuseAdapter(authentication)


async def close_adapter(adapter: CloudAdapter) -> None:
    """Closes the outbound connection pool (application shutdown)."""
    authentication = adapter.bot_framework_authentication
    if isinstance(authentication, PooledBotFrameworkAuthentication):
        await authentication.connection.close()
