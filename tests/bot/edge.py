"""Stand-ins for the edge tests: a local OpenID configuration + JWKS server (in place of the
Bot Framework's), RS256 tokens minted with a local key, a TCP server that accepts and never
answers, stand-in outbound credentials, and a snapshot of what the bot stored."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import socket
import time
from pathlib import Path
from typing import Any

import jwt
from aiohttp import web
from botframework.connector.auth import (
    MicrosoftAppCredentials,
    PasswordServiceClientCredentialFactory,
)
from cryptography.hazmat.primitives.asymmetric import rsa

ISSUER = "https://api.botframework.com"
EMULATOR_ISSUER = "https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def jwk_of(key: rsa.RSAPrivateKey, kid: str, endorsements: list[str]) -> dict[str, Any]:
    numbers = key.public_key().public_numbers()
    return {
        "kty": "RSA",
        "use": "sig",
        "kid": kid,
        "n": _b64(numbers.n),
        "e": _b64(numbers.e),
        "endorsements": endorsements,
    }


def mint(
    key: Any,
    *,
    kid: str | None = "k1",
    alg: str = "RS256",
    now: float | None = None,
    **claims: Any,
) -> str:
    """A token valid for an hour from ``now`` (the real clock by default); ``claims``
    override or, with the value ``None``, remove a claim."""
    moment = time.time() if now is None else now
    payload: dict[str, Any] = {
        "iss": ISSUER,
        "iat": int(moment),
        "nbf": int(moment) - 5,
        "exp": int(moment) + 3600,
    }
    payload.update(claims)
    payload = {k: v for k, v in payload.items() if v is not None}
    headers = {"kid": kid} if kid is not None else {}
    return jwt.encode(payload, key, algorithm=alg, headers=headers)


def unsigned(**claims: Any) -> str:
    """``alg: none``: header and payload, empty signature."""
    header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT","kid":"k1"}').rstrip(b"=")
    body = jwt.encode(claims, "x" * 32, algorithm="HS256").split(".")[1]
    return f"{header.decode()}.{body}."


class KeyServer:
    """``GET /openid`` (metadata naming ``/keys``) and ``GET /keys`` (the JWKS)."""

    def __init__(self, keys: list[dict[str, Any]]) -> None:
        self.keys = keys
        self.hits = 0
        self._runner: web.AppRunner | None = None
        self.base = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/openid", self._metadata)
        app.router.add_get("/keys", self._jwks)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        await web.SockSite(self._runner, sock).start()
        self.base = f"http://127.0.0.1:{sock.getsockname()[1]}"

    @property
    def metadata_url(self) -> str:
        return f"{self.base}/openid"

    async def _metadata(self, request: web.Request) -> web.Response:
        self.hits += 1
        return web.json_response({"issuer": ISSUER, "jwks_uri": f"{self.base}/keys"})

    async def _jwks(self, request: web.Request) -> web.Response:
        return web.json_response({"keys": self.keys})

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


class SilentServer:
    """Accepts TCP connections and never answers."""

    def __init__(self) -> None:
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []
        self.connections = 0
        self.port = 0
        self._arrived = asyncio.Condition()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._hold, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    async def _hold(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.append(writer)
        async with self._arrived:
            self._arrived.notify_all()
        try:
            while await reader.read(65536):
                pass
        except ConnectionError:
            return

    async def wait_for_connections(self, count: int) -> None:
        async with self._arrived:
            await self._arrived.wait_for(lambda: self.connections >= count)

    async def close(self) -> None:
        for writer in self._writers:
            writer.close()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()


class _StaticCredentials(MicrosoftAppCredentials):  # type: ignore[misc]
    """Outbound credentials that never call Entra: the stub accepts any bearer token."""

    def get_access_token(self, force_refresh: bool = False) -> str:
        return "outbound-test-token"


class StaticCredentialsFactory(PasswordServiceClientCredentialFactory):  # type: ignore[misc]
    async def create_credentials(
        self, app_id: str, oauth_scope: str, login_endpoint: str, validate_authority: bool
    ) -> MicrosoftAppCredentials:
        return _StaticCredentials(app_id, self.password, oauth_scope=oauth_scope)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` and its bytes: equal snapshots = nothing stored."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


async def settle(folder: Path, quiet: float = 0.1, limit: float = 5.0) -> None:
    """Waits until start-up writes (outbox, state) are done: two equal snapshots in a row."""
    deadline = time.monotonic() + limit
    previous = snapshot(folder)
    while time.monotonic() < deadline:
        await asyncio.sleep(quiet)
        current = snapshot(folder)
        if current == previous:
            return
        previous = current


class SlowCredentialsFactory(PasswordServiceClientCredentialFactory):  # type: ignore[misc]
    """Outbound credentials whose first token takes ``delay`` seconds (a blocking call, as
    MSAL's is) and later ones come from a cache (as MSAL's do), or fail when ``fail`` is set."""

    def __init__(self, app_id: str, password: str, delay: float, fail: bool = False) -> None:
        super().__init__(app_id, password)
        self.delay = delay
        self.fail = fail
        self.fetches = 0

    async def create_credentials(
        self, app_id: str, oauth_scope: str, login_endpoint: str, validate_authority: bool
    ) -> MicrosoftAppCredentials:
        factory = self

        class _Slow(MicrosoftAppCredentials):  # type: ignore[misc]
            token = ""

            def get_access_token(self, force_refresh: bool = False) -> str:
                if self.token:
                    return self.token
                factory.fetches += 1
                time.sleep(factory.delay)
                if factory.fail:
                    raise PermissionError("token refused")
                self.token = "outbound-test-token"
                return self.token

        return _Slow(app_id, self.password, oauth_scope=oauth_scope)


class LoopLag:
    """The longest time the event loop was held (tests, client and server share one loop, so a
    blocking call shows here even when it falls between two requests)."""

    def __init__(self, tick: float = 0.02) -> None:
        self.tick = tick
        self.worst = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            started = time.monotonic()
            await asyncio.sleep(self.tick)
            self.worst = max(self.worst, time.monotonic() - started - self.tick)

    async def start(self) -> LoopLag:
        self._task = asyncio.create_task(self._run())
        await asyncio.sleep(0)
        return self

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def __aenter__(self) -> LoopLag:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
