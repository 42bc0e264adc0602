from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app import RUNTIME
from cards.i18n import Translator
from tests.bot.conftest import BotHttp

pytestmark = pytest.mark.integration


async def test_published_file_is_served_then_expires(bot_http: BotHttp) -> None:
    downloads = bot_http.client.server.app[RUNTIME].services.downloads
    url = await downloads.publish(
        "nom;heures\nÉlise;6,5\n".encode("utf-8-sig"),
        "présences.csv",
        "text/csv",
        owner_key="u1",
        ttl=timedelta(seconds=0),
    )
    token = url.rsplit("/", 1)[1]
    assert len(token) >= 40
    response = await bot_http.client.get(f"/files/{token}")
    assert response.status == 404  # ttl 0: already expired
    assert await response.text() == Translator("fr-CA")("errors.link_expired")

    url = await downloads.publish(b"%PDF-1.4", "a.pdf", "application/pdf", owner_key="u1")
    response = await bot_http.client.get(url.split("127.0.0.1:3978", 1)[1])
    assert response.status == 200
    assert await response.read() == b"%PDF-1.4"
    assert response.headers["Content-Type"].startswith("application/pdf")
    assert "attachment" in response.headers["Content-Disposition"]

    assert await downloads.purge() == 1  # the expired one, file included
    assert await downloads.repository.delete_owner("u1") == 1


async def test_unknown_or_short_tokens_are_404(bot_http: BotHttp) -> None:
    assert (await bot_http.client.get("/files/abc")).status == 404
    assert (await bot_http.client.get("/files/" + "x" * 43)).status == 404
