"""The inbound edge: who may talk to the bot, checked before any handler, storage write or
outbound call.

- ``ChannelTokenValidator``: the Bot Framework JWT checks (docs/PLATFORM.md §4) done here rather
  than by botbuilder's ``JwtTokenExtractor``, whose key fetch is a blocking ``requests.get``
  with no timeout on the event loop and whose errors surface as HTTP 500 (docs/PLATFORM.md §13).
  Keys are fetched with aiohttp under a timeout, cached, refreshed for an unknown ``kid`` at
  most once per ``min_refresh_interval``; every failure is an ``Unauthorized`` (HTTP 401).
- ``InboundPolicy``: the tenant lock (``channelData.tenant.id``) and the ``serviceUrl``
  allow-list (the hosts the bot will ever call back).
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import jwt
from botbuilder.schema import Activity, CallerIdConstants
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    BotFrameworkAuthentication,
    ChannelValidation,
    ClaimsIdentity,
    ConnectorFactory,
)
from jwt.algorithms import RSAAlgorithm

logger = logging.getLogger(__name__)

ALLOWED_ALGORITHMS = ("RS256", "RS384", "RS512")
CHANNEL_ISSUER = AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER
CLOCK_SKEW_SECONDS = 300
_MAX_HEADER = 16 * 1024
_MAX_METADATA_BYTES = 512 * 1024

# The Bot Connector hosts Teams uses as ``serviceUrl`` (public cloud and its regional paths,
# GCC, GCC High, DoD). Anything else must be configured (CDEP_SERVICE_URL_HOSTS).
TEAMS_SERVICE_HOSTS = frozenset(
    {
        "smba.trafficmanager.net",
        "smba.infra.gcc.teams.microsoft.com",
        "smba.infra.gov.teams.microsoft.us",
        "smba.infra.dod.teams.microsoft.us",
    }
)
_LOOPBACK_NAMES = frozenset({"localhost"})


class Unauthorized(Exception):
    """The request is not from the Bot Connector for this bot. ``reason`` is a short code for
    the log; it never goes to the caller."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class _Key:
    public_key: Any
    endorsements: tuple[str, ...]


def default_metadata_url() -> str:
    """botbuilder's own setting (a class attribute tests point at a local key server)."""
    return (
        ChannelValidation.open_id_metadata_endpoint
        or AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL
    )


class SigningKeys:
    """The channel's signing keys: fetched off the request path's critical section (aiohttp,
    with a timeout), cached, refreshed once a day, and for an unknown ``kid`` at most once per
    ``min_refresh_interval``. One refresh at a time; a failed refresh keeps the old keys."""

    def __init__(
        self,
        metadata_url: Callable[[], str] = default_metadata_url,
        *,
        timeout: float = 5.0,
        min_refresh_interval: float = 60.0,
        max_age: float = 24 * 3600.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._metadata_url = metadata_url
        self.timeout = timeout
        self.min_refresh_interval = min_refresh_interval
        self.max_age = max_age
        self._monotonic = monotonic
        self._keys: dict[str, _Key] = {}
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None
        self._lock = asyncio.Lock()
        self._session: aiohttp.ClientSession | None = None
        self.refreshes = 0

    async def get(self, kid: str) -> _Key | None:
        key = self._keys.get(kid)
        if key is not None and not self._stale():
            return key
        if self._may_refresh():
            async with self._lock:
                # Another request may have refreshed while this one waited.
                key = self._keys.get(kid)
                if (key is None or self._stale()) and self._may_refresh():
                    await self._refresh()
        return self._keys.get(kid)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _stale(self) -> bool:
        return self._fetched_at is None or self._monotonic() - self._fetched_at > self.max_age

    def _may_refresh(self) -> bool:
        if self._attempted_at is None:
            return True
        # With no key at all yet (the key server was down), try again sooner.
        interval = self.min_refresh_interval if self._keys else min(10.0, self.min_refresh_interval)
        return self._monotonic() - self._attempted_at >= interval

    async def _refresh(self) -> None:
        self._attempted_at = self._monotonic()
        self.refreshes += 1
        try:
            async with asyncio.timeout(self.timeout):
                metadata = await self._get_json(self._metadata_url())
                jwks_uri = metadata.get("jwks_uri") if isinstance(metadata, dict) else None
                if not isinstance(jwks_uri, str):
                    raise ValueError("no jwks_uri")
                document = await self._get_json(jwks_uri)
        except (TimeoutError, aiohttp.ClientError, ValueError) as problem:
            logger.warning("signing keys not refreshed (%s)", type(problem).__name__)
            return
        keys = _parse_keys(document)
        if keys:
            self._keys = keys
            self._fetched_at = self._monotonic()
        else:
            logger.warning("signing keys not refreshed (no usable key)")

    async def _get_json(self, url: str) -> Any:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        async with self._session.get(url, allow_redirects=False) as response:
            if response.status != 200:
                raise ValueError(f"status {response.status}")
            body = await response.content.read(_MAX_METADATA_BYTES + 1)
            if len(body) > _MAX_METADATA_BYTES:
                raise ValueError("document too large")
            return json.loads(body)


def _parse_keys(document: Any) -> dict[str, _Key]:
    found: dict[str, _Key] = {}
    entries = document.get("keys") if isinstance(document, dict) else None
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("kid"), str):
            continue
        if entry.get("kty") != "RSA":
            continue
        try:
            public_key = RSAAlgorithm.from_jwk(json.dumps(entry))
        except (jwt.InvalidKeyError, ValueError, TypeError, KeyError):
            continue
        endorsements = entry.get("endorsements") or []
        found[entry["kid"]] = _Key(public_key, tuple(e for e in endorsements if isinstance(e, str)))
    return found


class ChannelTokenValidator:
    """Checks the ``Authorization`` header of an inbound activity as the Bot Framework
    specifies: Bearer, RS256/384/512 signed with a current channel key whose endorsements
    include the channel, issuer ``https://api.botframework.com``, audience = the app id,
    ``exp``/``nbf`` with 5 minutes of skew, ``serviceurl`` claim = the activity's serviceUrl.
    Emulator and skill tokens (other issuers) are refused."""

    def __init__(self, app_id: str, keys: SigningKeys | None = None) -> None:
        self.app_id = app_id
        self.keys = keys or SigningKeys()

    async def identity(self, header: str, activity: Activity) -> ClaimsIdentity:
        if not header or len(header) > _MAX_HEADER:
            raise Unauthorized("no_header")
        scheme, _, token = header.partition(" ")
        if scheme != "Bearer" or not token or " " in token.strip():
            raise Unauthorized("not_bearer")
        token = token.strip()
        try:
            unverified = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as problem:
            raise Unauthorized("malformed_token") from problem
        algorithm = unverified.get("alg")
        if algorithm not in ALLOWED_ALGORITHMS:
            raise Unauthorized("algorithm")
        kid = unverified.get("kid")
        if not isinstance(kid, str) or not kid:
            raise Unauthorized("no_kid")
        key = await self.keys.get(kid)
        if key is None:
            raise Unauthorized("unknown_kid")
        channel_id = activity.channel_id or ""
        if key.endorsements and channel_id not in key.endorsements:
            raise Unauthorized("endorsement")
        try:
            claims = jwt.decode(
                token,
                key.public_key,
                algorithms=[algorithm],
                audience=self.app_id,
                issuer=CHANNEL_ISSUER,
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.InvalidTokenError as problem:
            raise Unauthorized(type(problem).__name__) from problem
        if claims.get(AuthenticationConstants.SERVICE_URL_CLAIM) != activity.service_url:
            raise Unauthorized("service_url_claim")
        return ClaimsIdentity(claims, True)

    async def authenticate(
        self, header: str, activity: Activity, authentication: BotFrameworkAuthentication
    ) -> AuthenticateRequestResult:
        """The result CloudAdapter.process_activity accepts in place of the header."""
        identity = await self.identity(header, activity)
        result = AuthenticateRequestResult()
        result.claims_identity = identity
        result.audience = AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE
        result.caller_id = CallerIdConstants.public_azure_channel
        result.connector_factory = authentication.create_connector_factory(identity)
        return result


def is_loopback_host(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class InboundPolicy:
    """Tenant lock and serviceUrl allow-list, applied to the raw activity body."""

    def __init__(
        self,
        tenants: tuple[str, ...] = (),
        service_hosts: tuple[str, ...] = (),
        *,
        allow_loopback: bool = False,
    ) -> None:
        self.tenants = frozenset(t.lower() for t in tenants if t)
        self.service_hosts = frozenset(h.lower() for h in service_hosts if h)
        self.allow_loopback = allow_loopback

    def refusal(self, body: Mapping[str, Any]) -> str | None:
        """``None`` when the activity may go on, else a short reason code for the log."""
        if self.tenants:
            tenant = tenant_of(body)
            if not tenant or tenant.lower() not in self.tenants:
                return "foreign_tenant"
            conversation = body.get("conversation")
            other = conversation.get("tenantId") if isinstance(conversation, Mapping) else None
            if isinstance(other, str) and other and other.lower() != tenant.lower():
                return "foreign_tenant"
        service_url = body.get("serviceUrl")
        if not isinstance(service_url, str) or not self.service_url_allowed(service_url):
            return "service_url"
        return None

    def service_url_allowed(self, url: str) -> bool:
        try:
            parts = urlsplit(url)
            host = (parts.hostname or "").lower()
            port = parts.port
        except ValueError:
            return False
        if parts.username or parts.password or not host:
            return False
        netloc = f"{host}:{port}" if port else host
        if parts.scheme == "https" and (
            (host in TEAMS_SERVICE_HOSTS and port in (None, 443))
            or host in self.service_hosts
            or netloc in self.service_hosts
        ):
            return True
        if parts.scheme in ("http", "https") and is_loopback_host(host):
            return self.allow_loopback or host in self.service_hosts or netloc in self.service_hosts
        return False


def tenant_of(body: Mapping[str, Any]) -> str:
    channel_data = body.get("channelData")
    tenant = channel_data.get("tenant") if isinstance(channel_data, Mapping) else None
    tenant_id = tenant.get("id") if isinstance(tenant, Mapping) else None
    return tenant_id if isinstance(tenant_id, str) else ""


def ids_of(body: Mapping[str, Any]) -> dict[str, str]:
    """Ids for a refusal log line (never text, names or URLs)."""
    conversation = body.get("conversation")
    sender = body.get("from")
    return {
        "activity_id": str(body.get("id") or "")[:100],
        "activity_type": str(body.get("type") or "")[:40],
        "conversation_id": str(
            (conversation.get("id") if isinstance(conversation, Mapping) else "") or ""
        )[:200],
        "from_aad": str((sender.get("aadObjectId") if isinstance(sender, Mapping) else "") or "")[
            :64
        ],
        "tenant_id": tenant_of(body)[:64],
    }


class _GuardedConnectorFactory(ConnectorFactory):  # type: ignore[misc]
    """No connector (so no outbound call) to a serviceUrl off the allow-list."""

    def __init__(self, inner: ConnectorFactory, policy: InboundPolicy) -> None:
        self._inner = inner
        self._policy = policy

    async def create(self, service_url: str, audience: str | None = None) -> Any:
        if not self._policy.service_url_allowed(service_url or ""):
            logger.warning("outbound call refused: serviceUrl off the allow-list")
            raise PermissionError("serviceUrl not allowed")
        return await self._inner.create(service_url, audience)


class GuardedAuthentication(BotFrameworkAuthentication):  # type: ignore[misc]
    """botbuilder's authentication, whose connector factories (replies, proactive messages,
    new conversations) check the serviceUrl allow-list before every outbound call."""

    def __init__(self, inner: BotFrameworkAuthentication, policy: InboundPolicy) -> None:
        self._inner = inner
        self._policy = policy

    async def authenticate_request(
        self, activity: Activity, auth_header: str
    ) -> AuthenticateRequestResult:
        result = await self._inner.authenticate_request(activity, auth_header)
        if result.connector_factory is not None:
            result.connector_factory = _GuardedConnectorFactory(
                result.connector_factory, self._policy
            )
        return result

    async def authenticate_streaming_request(
        self, auth_header: str, channel_id_header: str
    ) -> AuthenticateRequestResult:
        raise PermissionError("streaming is not used")

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return _GuardedConnectorFactory(
            self._inner.create_connector_factory(claims_identity), self._policy
        )

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> Any:
        return await self._inner.create_user_token_client(claims_identity)

    def create_bot_framework_client(self) -> Any:
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return str(self._inner.get_originating_audience())

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        return await self._inner.authenticate_channel_request(auth_header)
