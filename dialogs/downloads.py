"""Hand a file to a user: publish bytes, get back an unguessable link that expires.

Features call :meth:`Downloads.publish` and put the returned URL in an ``Action.OpenUrl``. The
bot's web server (``bot/app.py``, ``GET /files/{token}``) serves it until it expires.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from storage.download_repository import Download, DownloadRepository
from storage.times import utc_iso

DEFAULT_TTL = timedelta(hours=24)


iso = utc_iso


class Downloads:
    def __init__(
        self, repository: DownloadRepository, base_url: str, clock: Callable[[], datetime]
    ) -> None:
        self.repository = repository
        self._base_url = base_url.rstrip("/")
        self._clock = clock

    async def publish(
        self,
        content: bytes,
        filename: str,
        content_type: str,
        *,
        owner_key: str,
        ttl: timedelta = DEFAULT_TTL,
    ) -> str:
        now = self._clock()
        token = secrets.token_urlsafe(32)
        entry = Download(token, filename, content_type, owner_key, iso(now + ttl), iso(now))
        await self.repository.add(entry, content)
        return f"{self._base_url}/files/{token}"

    async def fetch(self, token: str) -> tuple[Download, bytes] | None:
        """The file behind a token, or None when unknown or expired."""
        found = await self.repository.get(token)
        if found is None or found[0].expires_at <= iso(self._clock()):
            return None
        return found

    async def purge(self) -> int:
        return await self.repository.purge_expired(iso(self._clock()))
