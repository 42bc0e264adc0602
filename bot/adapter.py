"""CloudAdapter construction and the workarounds for botbuilder-python 4.17.1 defects."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import msrest.universal_http.requests as msrest_requests
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)

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
    return CloudAdapter(authentication)


async def close_adapter(adapter: CloudAdapter) -> None:
    """Closes the outbound connection pool (application shutdown)."""
    authentication = adapter.bot_framework_authentication
    if isinstance(authentication, PooledBotFrameworkAuthentication):
        await authentication.connection.close()
