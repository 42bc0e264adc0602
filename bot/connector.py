"""Outbound Bot Connector calls over one pooled aiohttp session.

botbuilder sends every reply and proactive message through msrest's ``requests`` sender, in a
worker thread, with a new TCP (and TLS) connection per turn and a 100 s timeout. Here the
``ConnectorClient`` botbuilder builds is kept — same operations, same models, same errors
(``ErrorResponseException``), same credentials — and only its last step, sending the HTTP
request, goes through ``PooledConnection``: one ``aiohttp.ClientSession`` with keep-alive and
short timeouts.

- A client is built once per service URL and reused. Activities are sent by this module's own
  ``reply_to_activity`` / ``send_to_conversation`` / ``update_activity``: the same request as
  msrest's, but a card (already a JSON dict) is not walked key by key by msrest's serializer.
- Authentication stays botbuilder's: the credentials object its factory made signs the request
  (``signed_session``: the token obtained and cached through its credentials classes; it runs in
  a thread, since MSAL may call the network). Without an app id nothing is signed, as before.
- Retries are msrest's effective policy: up to 3 retries of a non-POST request on 408, 500,
  502, 503, 504 or a connection error, 0.8 s backoff doubling; a POST (a send) is never
  retried here, since it carries no idempotency key. bot/messenger.py has its own retries.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote, urljoin

import aiohttp
from botbuilder.schema import Activity
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AuthenticateRequestResult,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    UserTokenClient,
)
from botframework.connector.models import ErrorResponseException
from msrest.exceptions import ClientRequestError

logger = logging.getLogger(__name__)

RETRIED_STATUSES = frozenset({408, 500, 502, 503, 504})
MAX_CACHED_CLIENTS = 64
DEFAULT_TIMEOUT = aiohttp.ClientTimeout(total=15, connect=5, sock_read=15)


# A reply refused with 429 is sent again at most this many times, after Retry-After (capped):
# a burst of answers in one chat (a busy animateur, a card action posting several cards) waits
# a moment instead of losing the answer.
RATE_LIMIT_RETRIES = 3
MAX_RETRY_AFTER = 2.0
# Set by the messenger around its sends: it paces and retries 429s itself (with its slots and
# backoff), so the connector must not sleep while holding one of its places.
PACED_BY_CALLER: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "veilleuse_paced_by_caller", default=False
)


def _retry_after(headers: Any) -> float:
    try:
        wanted = float(headers.get("Retry-After", "1"))
    except (TypeError, ValueError):
        wanted = 1.0
    return min(max(wanted, 0.1), MAX_RETRY_AFTER)


class ConnectorResponse:
    """What msrest's deserializer and ``HttpOperationError`` read from a ``requests``
    response, filled from an aiohttp one."""

    _content_consumed = True  # msrest: "this is a requests.Response", read .text

    def __init__(self, status: int, reason: str, headers: Any, content: bytes) -> None:
        self.status_code = status
        self.reason = reason
        self.headers = headers
        self.content = content

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            raise aiohttp.ClientResponseError(
                None,  # type: ignore[arg-type]
                (),
                status=self.status_code,
                message=self.reason,
            )


class PooledConnection:
    """One ``ClientSession`` for every outbound call, opened on first use in the running loop."""

    def __init__(
        self,
        *,
        timeout: aiohttp.ClientTimeout = DEFAULT_TIMEOUT,
        max_connections: int = 64,
        retries: int = 3,
        backoff: float = 0.8,
    ) -> None:
        self._timeout = timeout
        self._max_connections = max_connections
        self._retries = retries
        self._backoff = backoff
        self._session: aiohttp.ClientSession | None = None
        self.clients: dict[tuple[Any, str, str | None], ConnectorClient] = {}

    def _open(self) -> aiohttp.ClientSession:
        session = self._session
        if session is None or session.closed or session._loop is not asyncio.get_running_loop():  # noqa: SLF001
            session = self._session = aiohttp.ClientSession(
                timeout=self._timeout,
                connector=aiohttp.TCPConnector(limit=self._max_connections, keepalive_timeout=60),
                raise_for_status=False,
            )
        return session

    async def send(
        self, method: str, url: str, headers: dict[str, str], body: Any
    ) -> ConnectorResponse:
        attempts = 1 if method.upper() == "POST" else 1 + self._retries
        delay = self._backoff
        for attempt in range(1, attempts + 1):
            try:
                async with self._open().request(
                    method, url, headers=headers, data=body
                ) as response:
                    content = await response.read()
                    result = ConnectorResponse(
                        response.status, response.reason or "", response.headers, content
                    )
            except (aiohttp.ClientError, TimeoutError) as error:
                if attempt == attempts:
                    raise ClientRequestError(f"{method} failed: {type(error).__name__}") from error
            else:
                if result.status_code not in RETRIED_STATUSES or attempt == attempts:
                    return result
            await asyncio.sleep(delay)
            delay *= 2
        raise AssertionError("unreachable")

    async def close(self) -> None:
        self.clients.clear()
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None


class PooledConnectorFactory(ConnectorFactory):
    """botbuilder's factory, with the clients' HTTP sends moved to ``connection``. A client is
    built once per service URL and audience and then reused (msrest builds a configuration, a
    retry policy and a requests session for each new client: ~1 ms of CPU per turn)."""

    def __init__(self, inner: ConnectorFactory, connection: PooledConnection) -> None:
        self._inner = inner
        self._connection = connection

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        key = (getattr(self._inner, "_app_id", None), service_url, audience)
        clients = self._connection.clients
        client = clients.get(key)
        if client is None:
            client = await self._inner.create(service_url, audience)
            route_through(client, self._connection)
            if len(clients) >= MAX_CACHED_CLIENTS:
                clients.clear()
            clients[key] = client
        return client


def route_through(client: ConnectorClient, connection: PooledConnection) -> None:
    """Makes ``client`` send its HTTP requests over ``connection``, and send activities without
    msrest walking the cards they carry."""
    config = client.config
    credentials = config.credentials

    async def send(method: str, url: str, headers: dict[str, str], body: Any) -> Any:
        headers = {"User-Agent": config.user_agent, **headers}
        if credentials is not None and credentials._should_set_token(None):  # noqa: SLF001
            signed = SimpleNamespace(headers={})
            await asyncio.to_thread(credentials.signed_session, signed)
            headers.update(signed.headers)
        return await connection.send(method, url, headers, body)

    async def async_send(request: Any, **_options: Any) -> ConnectorResponse:
        return await send(request.method, request.url, dict(request.headers), request.data)

    client._client.async_send = async_send  # type: ignore[method-assign]  # noqa: SLF001
    operations = client.conversations
    serialize, deserialize = operations._serialize, operations._deserialize  # noqa: SLF001

    async def send_activity(method: str, path: str, activity: Activity) -> Any:
        body = _activity_json(serialize, activity)
        url = urljoin(config.base_url + "/", path)
        response = await send(method, url, dict(_JSON_HEADERS), body)
        for _ in range(0 if PACED_BY_CALLER.get() else RATE_LIMIT_RETRIES):
            # 429: Teams refused the activity without posting it (a chat takes about 7 a
            # second, docs/PLATFORM.md §5), so sending it again cannot post it twice.
            if response.status_code != 429:
                break
            await asyncio.sleep(_retry_after(response.headers))
            response = await send(method, url, dict(_JSON_HEADERS), body)
        if response.status_code not in (200, 201, 202):
            raise ErrorResponseException(deserialize, response)
        return deserialize("ResourceResponse", response)

    original_reply = operations.reply_to_activity
    original_send = operations.send_to_conversation
    original_update = operations.update_activity

    async def reply_to_activity(
        conversation_id: str, activity_id: str, activity: Activity, **options: Any
    ) -> Any:
        if options:
            return await original_reply(conversation_id, activity_id, activity, **options)
        path = f"v3/conversations/{_quote(conversation_id)}/activities/{_quote(activity_id)}"
        return await send_activity("POST", path, activity)

    async def send_to_conversation(conversation_id: str, activity: Activity, **options: Any) -> Any:
        if options:
            return await original_send(conversation_id, activity, **options)
        return await send_activity(
            "POST", f"v3/conversations/{_quote(conversation_id)}/activities", activity
        )

    async def update_activity(
        conversation_id: str, activity_id: str, activity: Activity, **options: Any
    ) -> Any:
        if options:
            return await original_update(conversation_id, activity_id, activity, **options)
        path = f"v3/conversations/{_quote(conversation_id)}/activities/{_quote(activity_id)}"
        return await send_activity("PUT", path, activity)

    operations.reply_to_activity = reply_to_activity  # type: ignore[method-assign]
    operations.send_to_conversation = send_to_conversation  # type: ignore[method-assign]
    operations.update_activity = update_activity  # type: ignore[method-assign]


_JSON_HEADERS = {"Accept": "application/json", "Content-Type": "application/json; charset=utf-8"}


def _quote(value: str) -> str:
    return quote(str(value), safe="")


def _activity_json(serialize: Any, activity: Activity) -> str:
    """msrest's JSON of ``activity``, except that card contents (plain JSON dicts already) are
    put in as they are instead of being walked key by key (most of a reply's CPU)."""
    attachments = list(activity.attachments or [])
    contents = [attachment.content for attachment in attachments]
    plain = [isinstance(content, dict | list) for content in contents]
    try:
        for attachment, is_plain in zip(attachments, plain, strict=True):
            if is_plain:
                attachment.content = None
        body = serialize.body(activity, "Activity")
    finally:
        for attachment, content in zip(attachments, contents, strict=True):
            attachment.content = content
    for item, content, is_plain in zip(
        body.get("attachments") or [], contents, plain, strict=False
    ):
        if is_plain:
            item["content"] = content
    return json.dumps(body)


class PooledBotFrameworkAuthentication(BotFrameworkAuthentication):
    """The SDK's authentication, unchanged, whose connector factories use ``connection``."""

    def __init__(self, inner: BotFrameworkAuthentication, connection: PooledConnection) -> None:
        self.inner = inner
        self.connection = connection

    async def authenticate_request(
        self, activity: Activity, auth_header: str
    ) -> AuthenticateRequestResult:
        result = await self.inner.authenticate_request(activity, auth_header)
        if result.connector_factory is not None:
            result.connector_factory = PooledConnectorFactory(
                result.connector_factory, self.connection
            )
        return result

    async def authenticate_streaming_request(
        self, auth_header: str, channel_id_header: str
    ) -> AuthenticateRequestResult:
        return await self.inner.authenticate_streaming_request(auth_header, channel_id_header)

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return PooledConnectorFactory(
            self.inner.create_connector_factory(claims_identity), self.connection
        )

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        return await self.inner.create_user_token_client(claims_identity)

    def create_bot_framework_client(self) -> Any:
        return self.inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return self.inner.get_originating_audience()

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        return await self.inner.authenticate_channel_request(auth_header)
