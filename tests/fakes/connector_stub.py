"""A local Bot Connector v3 stand-in that enforces Teams' rate limits and injects failures.

Routes (the subset the bot uses):
- ``POST /v3/conversations`` creates a conversation; the same user and tenant always get the
  same 1:1 chat, as in Teams.
- ``POST /v3/conversations/{id}/activities`` and ``.../activities/{replyToId}`` send.
- ``PUT /v3/conversations/{id}/activities/{activityId}`` updates.

Limits (PLATFORM.md §5): per conversation ``per_conversation_limits`` (7 in 1 s, 8 in 2 s),
globally ``global_limit`` (50 in 1 s). A request over a limit gets 429 with ``Retry-After``
and counts in ``limit_violations``. Injected failures (``inject_429_every``,
``inject_5xx_every``) come after the limit check, so they never hide a violation; both accepted
and injected-failed requests count in the windows.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import math
import socket
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from aiohttp import web

MESSAGE_WRITES_BLOCKED_BODY = {
    "errorCode": 209,
    "message": json.dumps(
        {
            "subCode": "MessageWritesBlocked",
            "details": "Thread is blocked from message writes.",
            "errorCode": None,
            "errorSubCode": None,
        }
    ),
}


class ConnectorStub:
    def __init__(
        self,
        *,
        per_conversation_limits: Sequence[tuple[int, float]] = ((7, 1.0), (8, 2.0)),
        global_limit: tuple[int, float] = (50, 1.0),
        inject_429_every: int = 0,
        inject_5xx_every: int = 0,
        retry_after: float = 1.0,
        blocked_conversations: Iterable[str] = (),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_conversation_limits = tuple(per_conversation_limits)
        self.global_limit = global_limit
        self.inject_429_every = inject_429_every
        self.inject_5xx_every = inject_5xx_every
        self.retry_after = retry_after
        self.blocked_conversations = set(blocked_conversations)
        self._clock = clock
        # Counters and records.
        self.requests = 0
        self.accepted = 0
        self.rejected_429 = 0
        self.injected_429 = 0
        self.injected_5xx = 0
        self.limit_violations = 0
        self.forbidden = 0
        self.received: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.updated: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.created: list[dict[str, Any]] = []
        # Internals.
        self._by_conversation: dict[str, deque[float]] = defaultdict(deque)
        self._all: deque[float] = deque()
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._accepted_changed: asyncio.Condition | None = None
        self.service_url = ""

    # Life cycle ------------------------------------------------------------------------

    async def start(self) -> str:
        self._accepted_changed = asyncio.Condition()
        app = web.Application()
        app.router.add_post("/v3/conversations", self._create_conversation)
        app.router.add_post("/v3/conversations/{conversation_id}/activities", self._send)
        app.router.add_post(
            "/v3/conversations/{conversation_id}/activities/{reply_to_id}", self._send
        )
        app.router.add_put(
            "/v3/conversations/{conversation_id}/activities/{activity_id}", self._update
        )
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        site = web.SockSite(self._runner, sock)
        await site.start()
        self.service_url = f"http://127.0.0.1:{sock.getsockname()[1]}/"
        return self.service_url

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # Read-outs -------------------------------------------------------------------------

    async def wait_for_accepted(self, count: int) -> None:
        """Returns once ``accepted`` reaches ``count`` (bound it with ``asyncio.timeout``)."""
        assert self._accepted_changed is not None, "start() the stub first"
        async with self._accepted_changed:
            await self._accepted_changed.wait_for(lambda: self.accepted >= count)

    def texts(self) -> list[str]:
        """Every accepted message text, all conversations."""
        return [
            str(activity.get("text") or "")
            for activities in self.received.values()
            for activity in activities
        ]

    # Handlers --------------------------------------------------------------------------

    async def _create_conversation(self, request: web.Request) -> web.Response:
        body = await request.json()
        members = body.get("members") or []
        # botbuilder 4.17.1 serialises ``tenant_id`` as "tenantID"; Teams reads channelData.
        tenant = (body.get("channelData") or {}).get("tenant", {}).get("id") or body.get("tenantID")
        if not members or not members[0].get("id") or not tenant:
            return _error(400, "BadArgument", "members and tenant are required")
        user_id = members[0]["id"]
        digest = hashlib.sha256(f"{tenant}|{user_id}".encode()).hexdigest()[:24]
        conversation_id = f"a:{digest}"
        rejected = self._gate(conversation_id)
        if rejected is not None:
            return rejected
        self.accepted += 1
        self.created.append(body)
        return web.json_response({"id": conversation_id}, status=201)

    async def _send(self, request: web.Request) -> web.Response:
        conversation_id = request.match_info["conversation_id"]
        body = await request.json()
        if conversation_id in self.blocked_conversations:
            self.requests += 1
            self.forbidden += 1
            return web.json_response(MESSAGE_WRITES_BLOCKED_BODY, status=403)
        rejected = self._gate(conversation_id)
        if rejected is not None:
            return rejected
        self.accepted += 1
        self.received[conversation_id].append(body)
        if self._accepted_changed is not None:
            async with self._accepted_changed:
                self._accepted_changed.notify_all()
        return web.json_response({"id": f"activity-{next(self._ids)}"}, status=201)

    async def _update(self, request: web.Request) -> web.Response:
        conversation_id = request.match_info["conversation_id"]
        activity_id = request.match_info["activity_id"]
        body = await request.json()
        rejected = self._gate(conversation_id)
        if rejected is not None:
            return rejected
        self.accepted += 1
        self.updated[activity_id].append({"conversation_id": conversation_id, **body})
        return web.json_response({"id": activity_id}, status=200)

    def _gate(self, conversation_id: str) -> web.Response | None:
        """Limit check, then failure injection; None lets the request through."""
        self.requests += 1
        now = self._clock()
        thread = self._by_conversation[conversation_id]
        wait = max(
            _wait_for(thread, self.per_conversation_limits, now),
            _wait_for(self._all, (self.global_limit,), now),
        )
        if wait > 0:
            self.limit_violations += 1
            self.rejected_429 += 1
            return _too_many(math.ceil(wait))
        thread.append(now)
        self._all.append(now)
        if self.inject_429_every and self.requests % self.inject_429_every == 0:
            self.injected_429 += 1
            self.rejected_429 += 1
            return _too_many(self.retry_after)
        if self.inject_5xx_every and self.requests % self.inject_5xx_every == 0:
            self.injected_5xx += 1
            status = 502 if self.injected_5xx % 2 else 503
            return _error(status, "ServiceError", "injected failure")
        return None


def _wait_for(times: deque[float], limits: Iterable[tuple[int, float]], now: float) -> float:
    """Seconds until one more request fits every (count, window) limit; drops old entries."""
    horizon = max(window for _, window in limits)
    while times and times[0] <= now - horizon:
        times.popleft()
    wait = 0.0
    for count, window in limits:
        recent = [t for t in times if t > now - window]
        if len(recent) >= count:
            wait = max(wait, recent[len(recent) - count] + window - now)
    return wait


def _too_many(retry_after: float) -> web.Response:
    response = _error(429, "TooManyRequests", "rate limit exceeded")
    response.headers["Retry-After"] = f"{retry_after:g}"
    return response


def _error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message}}, status=status)
