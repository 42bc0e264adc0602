"""Start-up checks (bot/startup_checks.py), each with its inputs injected, and their results in
/healthz."""

from __future__ import annotations

import errno
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from azure.core.exceptions import ClientAuthenticationError

from bot.app import create_app
from bot.graph import MsGraphAttendanceSource
from bot.settings import Settings
from bot.startup_checks import (
    check_clock,
    check_data_folder,
    check_graph_token,
    check_public_url,
    file_system_of,
    http_date_of,
    install_startup_checks,
    probe_atomic_rename,
    run_startup_checks,
)

GUID = "11111111-2222-3333-4444-555555555555"
NOW = datetime(2031, 3, 4, 15, 0, tzinfo=UTC)


def _refuse_rename(source: str, target: str) -> None:
    raise OSError(errno.EXDEV, "Invalid cross-device link")


def _mounts(tmp_path: Path, fs_type: str) -> Path:
    mounts = tmp_path / "mounts"
    mounts.write_text(
        f"/dev/sda1 / ext4 rw 0 0\n//share/cdep {tmp_path} {fs_type} rw 0 0\n", encoding="utf-8"
    )
    return mounts


# public_url ------------------------------------------------------------------------------


def test_public_url_must_be_https_once_teams_can_call() -> None:
    production = Settings(app_id=GUID, app_password="x", public_base_url="")
    check = check_public_url(production)
    assert check.level == "error"
    assert "https://" in check.message
    assert "CDEP_PUBLIC_URL" in check.message
    http = Settings(app_id=GUID, app_password="x", public_base_url="http://localhost:3978")
    assert check_public_url(http).level == "error"
    good = Settings(app_id=GUID, app_password="x", public_base_url="https://bot.example.org")
    assert check_public_url(good).level == "ok"


def test_public_url_local_use_and_missing_authentication() -> None:
    assert check_public_url(Settings()).level == "ok"
    exposed = check_public_url(Settings(public_base_url="https://bot.example.org"))
    assert exposed.level == "warning"
    assert "MicrosoftAppId" in exposed.message


# data_folder -----------------------------------------------------------------------------


def test_atomic_rename_probe_on_a_local_disk(tmp_path: Path) -> None:
    assert probe_atomic_rename(tmp_path / "data") == ""
    assert list((tmp_path / "data").iterdir()) == []  # cleans up after itself
    check = check_data_folder(tmp_path / "data")
    assert check.level == "ok"


def test_a_folder_that_refuses_rename_is_named(tmp_path: Path) -> None:
    problem = probe_atomic_rename(tmp_path, replace=_refuse_rename)
    assert problem == f"OSError (errno {errno.EXDEV})"
    check = check_data_folder(
        tmp_path, replace=_refuse_rename, mounts_file=_mounts(tmp_path, "cifs")
    )
    assert check.level == "error"
    assert "cifs" in check.message
    assert "CDEP_DATA_DIR" in check.message
    assert [p.name for p in tmp_path.iterdir()] == ["mounts"]


def test_a_rename_that_keeps_the_old_content_is_caught(tmp_path: Path) -> None:
    def copy_without_replacing(source: str, target: str) -> None:
        Path(source).unlink()  # "renamed", but the target still holds the old bytes

    assert "new content" in probe_atomic_rename(tmp_path, replace=copy_without_replacing)


def test_a_network_share_is_a_warning(tmp_path: Path) -> None:
    assert file_system_of(tmp_path / "x", _mounts(tmp_path, "smb3")) == "smb3"
    check = check_data_folder(tmp_path, mounts_file=_mounts(tmp_path, "smb3"))
    assert check.level == "warning"
    assert "exactly 1" in check.message


# graph_token -----------------------------------------------------------------------------


class _RefusingCredential:
    async def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        raise ClientAuthenticationError("AADSTS7000215: Invalid client secret provided")

    async def close(self) -> None:
        return None


async def test_graph_token_failure_is_explained() -> None:
    source = MsGraphAttendanceSource.connect(_RefusingCredential())  # type: ignore[arg-type]
    try:
        check = await check_graph_token(source.check_token)
    finally:
        await source.close()
    assert check.level == "error"
    assert "ClientAuthenticationError" in check.message
    assert "GRAPH_CLIENT_SECRET" in check.message
    assert "AADSTS" not in check.message  # the error's own text is not repeated


async def test_graph_token_ok_and_not_configured() -> None:
    async def works() -> str:
        return ""

    assert (await check_graph_token(works)).level == "ok"
    assert (await check_graph_token(None)).level == "skipped"


# clock -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offset", "level"),
    [
        (timedelta(seconds=3), "ok"),
        (timedelta(minutes=10), "error"),
        (-timedelta(hours=1), "error"),
    ],
)
async def test_clock_compared_with_the_reference(offset: timedelta, level: str) -> None:
    async def reference() -> datetime:
        return NOW - offset

    check = await check_clock(reference, lambda: NOW)
    assert check.level == level
    if level == "error":
        assert ("ahead" if offset > timedelta(0) else "behind") in check.message
        assert "NTP" in check.message


async def test_clock_skipped_without_a_reference() -> None:
    async def unreachable() -> None:
        return None

    check = await check_clock(unreachable, lambda: NOW)
    assert check.level == "skipped"


@pytest.mark.integration
async def test_reference_time_is_read_from_a_date_header() -> None:
    async def answer(request: web.Request) -> web.Response:
        return web.Response(headers={"Date": "Tue, 04 Mar 2031 14:59:30 GMT"})

    app = web.Application()
    app.router.add_route("HEAD", "/", answer)
    server = TestServer(app)
    await server.start_server()
    url = str(server.make_url("/"))
    try:
        when = await http_date_of(url)
    finally:
        await server.close()
    assert when == datetime(2031, 3, 4, 14, 59, 30, tzinfo=UTC)
    # Nothing listening: no reference, no exception.
    assert await http_date_of(url) is None


# all together ----------------------------------------------------------------------------


async def test_every_check_runs_and_logs(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async def reference() -> datetime:
        return NOW - timedelta(minutes=30)

    settings = Settings(
        app_id=GUID, app_password="x", public_base_url="", data_dir=tmp_path / "data"
    )
    with caplog.at_level(logging.INFO, logger="bot.startup_checks"):
        checks = await run_startup_checks(
            settings, reference_time=reference, now=lambda: NOW, replace=_refuse_rename
        )
    levels = {check.code: check.level for check in checks}
    assert levels == {
        "public_url": "error",
        "data_folder": "error",
        "graph_token": "skipped",
        "clock": "error",
    }
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 3


@pytest.mark.integration
async def test_check_results_show_in_healthz(tmp_path: Path) -> None:
    async def reference() -> datetime:
        return datetime.now(UTC) + timedelta(minutes=9)

    settings = Settings(data_dir=tmp_path / "data")
    app = create_app(settings)
    install_startup_checks(app, settings, reference_time=reference)
    client = TestClient(TestServer(app))
    await client.start_server()
    try:
        body = await (await client.get("/healthz")).json()
    finally:
        await client.close()
    assert body["status"] == "degraded"
    levels = {c["code"]: c["level"] for c in body["startup_checks"]}
    assert levels == {
        "public_url": "ok",
        "data_folder": "ok",
        "graph_token": "skipped",
        "clock": "error",
    }
