"""Data at rest: the data folder is the bot account's alone (0700, files 0600, community.toml
included), and a download file's name is a hash of its link's token, never the token."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.settings import Settings
from storage.community import example_text
from tests.bot.conftest import ANIMATEUR_AAD, BotHttp
from tests.bot.edge import settle
from tests.dialogs.onboarding.test_http import click, download, urls_of


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _assert_private(folder: Path) -> list[Path]:
    assert _mode(folder) == 0o700, folder
    files = []
    for path in folder.rglob("*"):
        if path.is_dir():
            assert _mode(path) == 0o700, path
        else:
            assert _mode(path) == 0o600, path
            files.append(path)
    return files


async def test_the_data_folder_and_every_file_are_private(bot_http: BotHttp) -> None:
    await bot_http.post(bot_http.activity("aide"))
    body = await click(bot_http, "onboarding.export_roster", {}, aad=ANIMATEUR_AAD)
    (url,) = urls_of(body["value"])
    status, _, _ = await download(bot_http, url)
    assert status == 200
    await settle(bot_http.data_dir)
    files = _assert_private(bot_http.data_dir)
    names = {path.relative_to(bot_http.data_dir).as_posix() for path in files}
    assert "community.toml" in names
    assert "members.journal" in names  # the storage engine's journal (docs/STORAGE.md)

    token = url.rsplit("/", 1)[1]
    stored = [p.name for p in (bot_http.data_dir / "files").iterdir()]
    assert stored == [hashlib.sha256(token.encode()).hexdigest() + ".bin"]
    assert not any(token in name for name in stored)


async def test_an_existing_lax_data_folder_is_tightened_at_start(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    (data / "community.toml").write_text(example_text(), "utf-8")
    (data / "community.toml").chmod(0o644)
    (data / "members.json").write_text('{"members":{}}', "utf-8")
    (data / "members.json").chmod(0o644)
    client = TestClient(TestServer(create_app(Settings(data_dir=data))))
    await client.start_server()
    try:
        await settle(data)
        _assert_private(data)
    finally:
        await client.close()
