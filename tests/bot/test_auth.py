"""Authentication ON, for real: the app checks RS256 tokens minted with a local key against a
local OpenID configuration + JWKS server (botbuilder's metadata endpoint class attribute points
at it, in these tests only). A valid token is served; every bad one is 401 (or 403 for a valid
token from the wrong tenant or serviceUrl), never 5xx, with nothing stored, no outbound call and
no traceback in the log."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jwt
import pytest
from aiohttp.test_utils import TestClient, TestServer
from botframework.connector.auth import ChannelValidation

from bot.app import RUNTIME, create_app
from bot.settings import Settings
from tests.bot.conftest import MEMBER_AAD, BotHttp
from tests.bot.edge import (
    EMULATOR_ISSUER,
    KeyServer,
    LoopLag,
    SilentServer,
    SlowCredentialsFactory,
    StaticCredentialsFactory,
    jwk_of,
    mint,
    new_key,
    settle,
    snapshot,
    unsigned,
)
from tests.fakes.connector_stub import ConnectorStub

APP = "11111111-2222-3333-4444-555555555555"
PASSWORD = "app-password-for-the-edge-tests-0123456789"
OTHER_APP = "99999999-2222-3333-4444-555555555555"
KEY = new_key()
WRONG_KEY = new_key()


@dataclass
class AuthedBot:
    http: BotHttp
    keys: KeyServer

    @property
    def connector(self) -> ConnectorStub:
        return self.http.connector

    async def post(self, activity: dict[str, Any], authorization: str | None) -> int:
        headers = {"Authorization": authorization} if authorization is not None else {}
        response = await self.http.client.post("/api/messages", json=activity, headers=headers)
        await response.read()
        return response.status

    def token_for(self, activity: dict[str, Any], **claims: Any) -> str:
        claims.setdefault("aud", APP)
        claims.setdefault("serviceurl", activity["serviceUrl"])
        return "Bearer " + mint(KEY, **claims)


@pytest.fixture
async def authed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[AuthedBot]:
    keys = KeyServer([jwk_of(KEY, "k1", ["msteams"])])
    await keys.start()
    monkeypatch.setattr(ChannelValidation, "open_id_metadata_endpoint", keys.metadata_url)
    connector = ConnectorStub()
    await connector.start()
    settings = Settings(
        app_id=APP,
        app_password=PASSWORD,
        data_dir=tmp_path / "data",
        tenants=("t1",),
        service_url_hosts=(urlsplit(connector.service_url).netloc,),
        outbound_timeout=2.0,
    )
    app = create_app(settings, credentials_factory=StaticCredentialsFactory(APP, PASSWORD))
    client = TestClient(TestServer(app))
    await client.start_server()
    await settle(settings.data_dir)
    try:
        yield AuthedBot(BotHttp(client, connector, settings.data_dir), keys)
    finally:
        await client.close()
        await connector.close()
        await keys.close()


def _hs256(activity: dict[str, Any]) -> str:
    claims = {"iss": "https://api.botframework.com", "aud": APP, "exp": int(time.time()) + 600}
    claims["serviceurl"] = activity["serviceUrl"]
    return "Bearer " + jwt.encode(claims, PASSWORD, algorithm="HS256", headers={"kid": "k1"})


def _emulator(activity: dict[str, Any]) -> str:
    return "Bearer " + mint(
        KEY, iss=EMULATOR_ISSUER, aud=APP, appid=OTHER_APP, ver="1.0", serviceurl=None
    )


def _skill(activity: dict[str, Any]) -> str:
    return "Bearer " + mint(
        KEY,
        iss="https://login.microsoftonline.com/d6d49420-f39b-4df7-a1dc-d59a935871db/v2.0",
        aud=APP,
        azp=OTHER_APP,
        ver="2.0",
    )


def _valid(activity: dict[str, Any], **claims: Any) -> str:
    claims.setdefault("aud", APP)
    claims.setdefault("serviceurl", activity["serviceUrl"])
    return "Bearer " + mint(KEY, **claims)


Header = Callable[[dict[str, Any]], str | None]
NOW = time.time

BAD_TOKENS: dict[str, Header] = {
    "wrong key": lambda a: "Bearer " + mint(WRONG_KEY, aud=APP, serviceurl=a["serviceUrl"]),
    "unknown kid": lambda a: (
        "Bearer " + mint(KEY, kid="k-unknown", aud=APP, serviceurl=a["serviceUrl"])
    ),
    "no kid": lambda a: "Bearer " + mint(KEY, kid=None, aud=APP, serviceurl=a["serviceUrl"]),
    "expired": lambda a: _valid(a, exp=int(NOW()) - 600, nbf=int(NOW()) - 4000),
    "not yet valid": lambda a: _valid(a, nbf=int(NOW()) + 600),
    "no expiry": lambda a: _valid(a, exp=None),
    "alg none": lambda a: (
        "Bearer "
        + unsigned(iss="https://api.botframework.com", aud=APP, serviceurl=a["serviceUrl"])
    ),
    "HS256 with the app password": _hs256,
    "wrong audience": lambda a: _valid(a, aud=OTHER_APP),
    "no audience": lambda a: _valid(a, aud=None),
    "wrong issuer": lambda a: _valid(a, iss="https://api.botframework.example"),
    "serviceurl claim differs": lambda a: _valid(
        a, serviceurl="https://smba.trafficmanager.net/x/"
    ),
    "no serviceurl claim": lambda a: _valid(a, serviceurl=None),
    "emulator-issued": _emulator,
    "skill token": _skill,
    "missing header": lambda a: None,
    "empty header": lambda a: "",
    "garbage bearer": lambda a: "Bearer not.a.jwt",
    "garbage": lambda a: "garbage",
    "Basic": lambda a: "Basic dXNlcjpwYXNzd29yZA==",
    "two tokens": lambda a: _valid(a) + " " + _valid(a),
    "lower-case scheme": lambda a: _valid(a).replace("Bearer", "bearer"),
    "token for another channel's key": lambda a: _valid(a),  # channelId below is "webchat"
}


async def _post_untouched(
    authed: AuthedBot, activity: dict[str, Any], authorization: str | None
) -> int:
    """The status of posting ``activity``; asserts nothing was stored and nothing sent."""
    before = snapshot(authed.http.data_dir)
    status = await authed.post(activity, authorization)
    assert snapshot(authed.http.data_dir) == before
    assert authed.connector.requests == 0
    return status


async def test_a_valid_token_is_served_and_the_reply_goes_out(authed: AuthedBot) -> None:
    before = snapshot(authed.http.data_dir)
    activity = authed.http.activity("aide")
    assert await authed.post(activity, _valid(activity)) == 201
    async with asyncio.timeout(5):
        await authed.connector.wait_for_accepted(1)
    assert authed.http.replies()
    # The same kind of activity that the refusals below send does store something when valid.
    assert snapshot(authed.http.data_dir) != before


async def test_a_valid_token_serves_a_card_action(authed: AuthedBot) -> None:
    activity = authed.http.execute("core.nonexistent", {})
    response = await authed.http.client.post(
        "/api/messages", json=activity, headers={"Authorization": _valid(activity)}
    )
    assert response.status == 200
    assert (await response.json())["statusCode"] == 200


@pytest.mark.parametrize("case", list(BAD_TOKENS))
async def test_a_bad_token_is_401_with_nothing_stored_and_no_outbound_call(
    authed: AuthedBot, case: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    extra = {"channelId": "webchat"} if case == "token for another channel's key" else {}
    for activity in (
        authed.http.activity("qui oncologie", **extra),
        authed.http.execute("topics.support", {"topic": "x"}, **extra),
    ):
        status = await _post_untouched(authed, activity, BAD_TOKENS[case](activity))
        assert status == 401, case
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"
    assert any("activity refused" in r.getMessage() for r in caplog.records)


async def test_a_valid_token_from_another_tenant_is_403(authed: AuthedBot) -> None:
    activity = authed.http.activity(
        "qui oncologie",
        channelData={"tenant": {"id": "foreign-tenant"}},
        conversation={"id": "a:x", "conversationType": "personal", "tenantId": "foreign-tenant"},
    )
    assert await _post_untouched(authed, activity, _valid(activity)) == 403


async def test_a_valid_token_for_a_service_url_off_the_allow_list_is_403(
    authed: AuthedBot,
) -> None:
    activity = authed.http.activity("aide", serviceUrl="https://attacker.example/")
    assert await _post_untouched(authed, activity, _valid(activity)) == 403


async def test_unknown_kids_refresh_the_keys_at_most_once_per_interval(
    authed: AuthedBot,
) -> None:
    activity = authed.http.activity("aide")
    assert await authed.post(activity, _valid(activity)) == 201
    hits = authed.keys.hits
    for n in range(20):
        forged = "Bearer " + mint(KEY, kid=f"k-{n}", aud=APP, serviceurl=activity["serviceUrl"])
        assert await authed.post(authed.http.activity("aide"), forged) == 401
    assert authed.keys.hits - hits <= 1


async def test_a_new_key_is_picked_up_on_an_unknown_kid(authed: AuthedBot) -> None:
    activity = authed.http.activity("aide")
    assert await authed.post(activity, _valid(activity)) == 201
    rotated = new_key()
    authed.keys.keys.append(jwk_of(rotated, "k2", ["msteams"]))
    validator = authed.http.client.server.app[RUNTIME].validator
    validator.keys.min_refresh_interval = 0
    second = authed.http.activity("aide")
    token = "Bearer " + mint(rotated, kid="k2", aud=APP, serviceurl=second["serviceUrl"])
    assert await authed.post(second, token) == 201


async def test_a_forged_token_while_the_key_server_is_silent_stalls_nobody(
    authed: AuthedBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keys are cached from a first valid turn; then the key endpoint goes silent and a token
    with an unknown kid forces a refresh. /healthz and another member's turn answer within a
    second meanwhile; the forged token gets 401 when the fetch times out."""
    warm = authed.http.activity("aide")
    assert await authed.post(warm, _valid(warm)) == 201
    silent = SilentServer()
    await silent.start()
    try:
        monkeypatch.setattr(ChannelValidation, "open_id_metadata_endpoint", silent.url)
        keys = authed.http.client.server.app[RUNTIME].validator.keys
        keys.min_refresh_interval = 0
        keys.timeout = 3.0
        forged_activity = authed.http.activity("aide")
        forged = "Bearer " + mint(
            KEY, kid="k-forged", aud=APP, serviceurl=forged_activity["serviceUrl"]
        )
        started = time.monotonic()
        lag = LoopLag()
        await lag.start()
        pending = asyncio.create_task(authed.post(forged_activity, forged))
        await asyncio.sleep(0.2)
        assert silent.connections >= 1, "the refresh did not reach the silent server"

        t0 = time.monotonic()
        health = await authed.http.client.get("/healthz")
        assert health.status == 200
        assert time.monotonic() - t0 < 1.0

        other = authed.http.activity("aide", aad=MEMBER_AAD, conversation="a:personal-2")
        t0 = time.monotonic()
        assert await authed.post(other, _valid(other)) == 201
        assert time.monotonic() - t0 < 1.0
        assert not pending.done()

        assert await pending == 401
        await lag.stop()
        assert lag.worst < 0.5
        assert time.monotonic() - started < keys.timeout + 2
    finally:
        await silent.close()


async def test_with_no_keys_yet_and_a_silent_key_server_the_answer_is_401(
    authed: AuthedBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    silent = SilentServer()
    await silent.start()
    try:
        monkeypatch.setattr(ChannelValidation, "open_id_metadata_endpoint", silent.url)
        authed.http.client.server.app[RUNTIME].validator.keys.timeout = 1.0
        activity = authed.http.activity("aide")
        pending = asyncio.create_task(authed.post(activity, _valid(activity)))
        await asyncio.sleep(0.1)
        t0 = time.monotonic()
        assert (await authed.http.client.get("/healthz")).status == 200
        assert time.monotonic() - t0 < 1.0
        assert await pending == 401
        assert authed.connector.requests == 0
    finally:
        await silent.close()


async def test_the_tenant_matrix_with_authentication_on(authed: AuthedBot) -> None:
    """Validly signed activities from another tenant: every command word (fr + en) and every
    card verb (Execute and Submit) is 403, nothing stored, nothing sent."""
    from tests.bot.test_edge import COMMAND_WORDS, FOREIGN, VERBS, _foreign

    before = snapshot(authed.http.data_dir)
    activities = [_foreign(authed.http.activity(f"{word} oncologie")) for word in COMMAND_WORDS]
    for verb in VERBS:
        activities.append(_foreign(authed.http.execute(verb, {"id": "x"})))
        activities.append(_foreign(authed.http.activity(None, value={"verb": verb, "id": "x"})))
    statuses = [await authed.post(a, _valid(a)) for a in activities]
    assert all(a["channelData"]["tenant"]["id"] == FOREIGN for a in activities)
    assert len(statuses) == len(COMMAND_WORDS) + 2 * len(VERBS)
    assert set(statuses) == {403}
    assert snapshot(authed.http.data_dir) == before
    assert authed.connector.requests == 0


async def _authed_with(tmp_path: Path, factory: Any, connector: ConnectorStub) -> TestClient:
    settings = Settings(
        app_id=APP,
        app_password=PASSWORD,
        data_dir=tmp_path / "data",
        tenants=("t1",),
        service_url_hosts=(urlsplit(connector.service_url).netloc,),
        outbound_timeout=2.0,
    )
    client = TestClient(TestServer(create_app(settings, credentials_factory=factory)))
    await client.start_server()
    return client


async def test_a_slow_outbound_token_never_blocks_the_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Getting the bot's own Entra token (a blocking MSAL call) runs off the event loop."""
    keys = KeyServer([jwk_of(KEY, "k1", ["msteams"])])
    await keys.start()
    monkeypatch.setattr(ChannelValidation, "open_id_metadata_endpoint", keys.metadata_url)
    connector = ConnectorStub()
    await connector.start()
    factory = SlowCredentialsFactory(APP, PASSWORD, delay=1.5)
    client = await _authed_with(tmp_path, factory, connector)
    http = BotHttp(client, connector, tmp_path / "data")
    try:
        activity = http.activity("aide")
        async with LoopLag() as lag:
            pending = asyncio.create_task(
                client.post(
                    "/api/messages", json=activity, headers={"Authorization": _valid(activity)}
                )
            )
            await asyncio.sleep(0.3)
            t0 = time.monotonic()
            assert (await client.get("/healthz")).status == 200
            assert time.monotonic() - t0 < 1.0
            assert (await pending).status == 201
        assert lag.worst < 0.5
        assert http.replies()
        # Later turns reuse the credentials and their cached token.
        second = http.activity("aide", conversation="a:personal-2")
        response = await client.post(
            "/api/messages", json=second, headers={"Authorization": _valid(second)}
        )
        assert response.status == 201
        assert factory.fetches == 1
    finally:
        await client.close()
        await connector.close()
        await keys.close()


async def test_no_outbound_token_is_503_not_500(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    keys = KeyServer([jwk_of(KEY, "k1", ["msteams"])])
    await keys.start()
    monkeypatch.setattr(ChannelValidation, "open_id_metadata_endpoint", keys.metadata_url)
    connector = ConnectorStub()
    await connector.start()
    client = await _authed_with(
        tmp_path, SlowCredentialsFactory(APP, PASSWORD, delay=0, fail=True), connector
    )
    try:
        activity = BotHttp(client, connector, tmp_path / "data").activity("aide")
        response = await client.post(
            "/api/messages", json=activity, headers={"Authorization": _valid(activity)}
        )
        assert response.status == 503
        assert connector.requests == 0
        assert not [r for r in caplog.records if r.exc_info]
    finally:
        await client.close()
        await connector.close()
        await keys.close()


async def test_keys_are_cached_and_retried_sooner_when_none_was_ever_fetched() -> None:
    """The cache alone, with an injected monotonic clock: one fetch serves every token; with no
    key yet (server down), a retry comes after 10 s rather than after the full interval."""
    from bot.auth import SigningKeys

    now = [1000.0]
    keys_server = KeyServer([jwk_of(KEY, "k1", ["msteams"])])
    await keys_server.start()
    down = SilentServer()
    await down.start()
    url = [down.url]
    keys = SigningKeys(lambda: url[0], timeout=0.5, monotonic=lambda: now[0])
    try:
        assert await keys.get("k1") is None  # the key server does not answer
        url[0] = keys_server.metadata_url
        assert await keys.get("k1") is None  # too soon to try again
        now[0] += 11
        assert await keys.get("k1") is not None
        for _ in range(5):
            assert await keys.get("k1") is not None
        assert keys_server.hits == 1
        assert await keys.get("k-unknown") is None  # within the interval: no new fetch
        assert keys_server.hits == 1
        now[0] += keys.min_refresh_interval
        assert await keys.get("k-unknown") is None
        assert keys_server.hits == 2
    finally:
        await keys.close()
        await keys_server.close()
        await down.close()
