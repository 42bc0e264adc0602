"""Start-up checks that save an operator an afternoon. Each one logs a plain message saying what
is wrong and what to do; none stops the bot (the settings themselves are validated in
bot/settings.py). The results also show in ``GET /healthz`` under ``startup_checks``.

- ``public_url``: Teams only calls an ``https://`` messaging endpoint, and download links are
  built from ``CDEP_PUBLIC_URL``.
- ``data_folder``: the store writes a temp file, fsyncs it and renames it over the data file
  (storage/store.py). The check does exactly that in the data folder and says so when the file
  system refuses, and names a network file share when the folder is on one.
- ``graph_token``: Graph credentials are configured: ask for a token once.
- ``clock``: compare the local clock with the ``Date`` header of a Microsoft endpoint the bot
  uses anyway; skipped when it cannot be reached. Teams' tokens allow 5 minutes of skew.

Everything the checks touch is injectable, so tests run them without a network.
"""

from __future__ import annotations

import asyncio
import logging
import os
import tempfile
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import aiohttp
from aiohttp import web

from bot.graph import MsGraphAttendanceSource
from bot.ops import OPS, CheckResult
from bot.settings import Settings

logger = logging.getLogger(__name__)

CLOCK_REFERENCE_URL = "https://login.microsoftonline.com/"
MAX_CLOCK_SKEW_SECONDS = 120.0
_TIMEOUT = 15.0
_NETWORK_FILE_SYSTEMS = ("cifs", "smb3", "smbfs", "nfs", "nfs4", "9p", "fuse")
_LEVELS = {"ok": logging.INFO, "skipped": logging.INFO, "warning": logging.WARNING}

ReferenceTime = Callable[[], Awaitable[datetime | None]]
TokenCheck = Callable[[], Awaitable[str]]


def check_public_url(settings: Settings) -> CheckResult:
    url = settings.public_base_url
    if url.startswith("https://"):
        if not settings.auth_enabled:
            return CheckResult(
                "public_url",
                "warning",
                f"CDEP_PUBLIC_URL is {url} but MicrosoftAppId is empty, so authentication is "
                "OFF: anyone who finds this address can talk to the bot as anyone. Set "
                "MicrosoftAppId, MicrosoftAppPassword, MicrosoftAppType and MicrosoftAppTenantId.",
            )
        return CheckResult("public_url", "ok", f"public address {url}")
    if not settings.auth_enabled:
        return CheckResult("public_url", "ok", "local use (no MicrosoftAppId, no https address)")
    shown = url or "empty"
    return CheckResult(
        "public_url",
        "error",
        f"CDEP_PUBLIC_URL is {shown}: Teams only calls an https:// messaging endpoint, and the "
        "links to files the bot hands out are built from this address. Set it to the public "
        "https address of this bot (the messaging endpoint is that address + /api/messages).",
    )


def file_system_of(folder: Path, mounts_file: Path = Path("/proc/self/mounts")) -> str:
    """The type of the file system holding ``folder`` (``ext4``, ``cifs``…), or "" if unknown."""
    try:
        lines = mounts_file.read_text(encoding="utf-8").splitlines()
    except OSError:
        return ""
    target = str(folder.resolve())
    best, best_type = "", ""
    for line in lines:
        parts = line.split()
        if len(parts) < 3:
            continue
        mount_point = parts[1].replace("\\040", " ")
        inside = target == mount_point or target.startswith(mount_point.rstrip("/") + "/")
        if inside and len(mount_point) >= len(best):
            best, best_type = mount_point, parts[2]
    return best_type


def probe_atomic_rename(folder: Path, *, replace: Callable[[str, str], None] = os.replace) -> str:
    """Does what the store does for a write, in ``folder``: write a temp file, fsync it, rename
    it over an existing file, fsync the folder, read back. Returns "" when it all worked, else
    a short description of what failed. Blocking."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f".startup-check-{os.getpid()}.json"
    temp_name = ""
    try:
        target.write_text("old", encoding="utf-8")
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=folder, prefix=".startup-check-", suffix=".tmp", delete=False
        ) as temp:
            temp_name = temp.name
            temp.write("new")
            temp.flush()
            os.fsync(temp.fileno())
        replace(temp_name, str(target))
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        if target.read_text(encoding="utf-8") != "new":
            return "the renamed file does not hold the new content"
        if Path(temp_name).exists():
            return "the temporary file is still there after the rename"
    except OSError as error:
        return f"{type(error).__name__} (errno {error.errno})"
    finally:
        if temp_name:
            Path(temp_name).unlink(missing_ok=True)
        target.unlink(missing_ok=True)
    return ""


def check_data_folder(
    folder: Path,
    *,
    replace: Callable[[str, str], None] = os.replace,
    mounts_file: Path = Path("/proc/self/mounts"),
) -> CheckResult:
    problem = probe_atomic_rename(folder, replace=replace)
    fs_type = file_system_of(folder, mounts_file)
    if problem:
        return CheckResult(
            "data_folder",
            "error",
            f"the data folder {folder} (file system {fs_type or 'unknown'}) does not support "
            f"what the store needs, a file renamed over another after fsync: {problem}. Data "
            "written there may be lost or half-written. Put CDEP_DATA_DIR on a local disk or an "
            "SMB/NFS share mounted read-write (see docs/DEPLOY.md).",
        )
    if fs_type.startswith(_NETWORK_FILE_SYSTEMS):
        return CheckResult(
            "data_folder",
            "warning",
            f"the data folder {folder} is on a network file share ({fs_type}). Atomic rename "
            "works, but each write waits for the share, and only one instance of the bot may "
            "use this folder at a time (scale to exactly 1).",
        )
    return CheckResult("data_folder", "ok", f"data folder on {fs_type or 'a local disk'}")


async def check_graph_token(token_check: TokenCheck | None) -> CheckResult:
    if token_check is None:
        return CheckResult("graph_token", "skipped", "Microsoft Graph is not configured")
    try:
        async with asyncio.timeout(_TIMEOUT):
            error = await token_check()
    except TimeoutError:
        error = "timeout"
    if not error:
        return CheckResult("graph_token", "ok", "a Microsoft Graph token was obtained")
    return CheckResult(
        "graph_token",
        "error",
        f"Graph credentials are set but the token request failed ({error}). Attendance "
        "imports will not work. Check GRAPH_TENANT_ID (or MicrosoftAppTenantId), "
        "GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET (or the bot's id and secret): right tenant, "
        "secret not expired, copied as its value (not its id).",
    )


async def http_date_of(url: str = CLOCK_REFERENCE_URL) -> datetime | None:
    """The ``Date`` header of ``url``, or None when it cannot be reached."""
    try:
        timeout = aiohttp.ClientTimeout(total=5)
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.head(url, allow_redirects=False) as response,
        ):
            header = response.headers.get("Date")
    except (aiohttp.ClientError, TimeoutError, OSError):
        return None
    if not header:
        return None
    try:
        when = parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


async def check_clock(reference_time: ReferenceTime, now: Callable[[], datetime]) -> CheckResult:
    reference = await reference_time()
    if reference is None:
        return CheckResult("clock", "skipped", "no time reference reachable; clock not compared")
    skew = (now() - reference).total_seconds()
    if abs(skew) <= MAX_CLOCK_SKEW_SECONDS:
        return CheckResult("clock", "ok", f"clock within {abs(skew):.0f} s of the reference")
    way = "ahead of" if skew > 0 else "behind"
    return CheckResult(
        "clock",
        "error",
        f"this machine's clock is {abs(skew):.0f} s {way} the reference time. Teams' tokens "
        "are refused beyond 5 minutes of difference, and reminders would go out at the wrong "
        "time. Turn on time synchronisation (NTP) on the host.",
    )


async def run_startup_checks(
    settings: Settings,
    *,
    token_check: TokenCheck | None = None,
    reference_time: ReferenceTime = http_date_of,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    replace: Callable[[str, str], None] = os.replace,
) -> list[CheckResult]:
    folder_check = asyncio.to_thread(check_data_folder, settings.data_dir, replace=replace)
    results = await asyncio.gather(
        folder_check, check_graph_token(token_check), check_clock(reference_time, now)
    )
    checks = [check_public_url(settings), *results]
    for check in checks:
        level = _LEVELS.get(check.level, logging.ERROR)
        logger.log(level, "start-up check %s: %s — %s", check.code, check.level, check.message)
    return checks


def install_startup_checks(
    app: web.Application,
    settings: Settings,
    *,
    reference_time: ReferenceTime = http_date_of,
) -> None:
    """Runs the checks first thing at start-up (``python -m bot``) and keeps their results for
    ``/healthz``."""

    async def on_startup(app: web.Application) -> None:
        ops = app[OPS]
        source = ops.runtime.services.components.get("attendance_source")
        token_check = source.check_token if isinstance(source, MsGraphAttendanceSource) else None
        ops.checks = await run_startup_checks(
            settings, token_check=token_check, reference_time=reference_time, now=ops.clock
        )

    app.on_startup.insert(0, on_startup)
