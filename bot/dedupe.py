"""Teams re-delivers an activity (same id) when the bot is slow to answer (PLATFORM.md §4).

``RecentActivities`` remembers the ids seen in the last minutes. The first delivery does the
work; a copy of a message is dropped; a copy of an invoke waits for the first one's response and
returns it, so a double click or a redelivery never acts twice.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any


class RecentActivities:
    def __init__(
        self,
        ttl_seconds: float = 600.0,
        max_entries: int = 20_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl_seconds
        self._max = max_entries
        self._clock = clock
        self._seen: OrderedDict[str, tuple[float, asyncio.Future[Any]]] = OrderedDict()

    def claim(self, key: str) -> asyncio.Future[Any] | None:
        """None for the first delivery of ``key`` (the caller must ``settle`` it); otherwise
        the future of the first delivery's result."""
        now = self._clock()
        self._evict(now)
        found = self._seen.get(key)
        if found is not None:
            return found[1]
        self._seen[key] = (now, asyncio.get_running_loop().create_future())
        return None

    def settle(self, key: str, result: Any = None) -> None:
        found = self._seen.get(key)
        if found is not None and not found[1].done():
            found[1].set_result(result)

    def _evict(self, now: float) -> None:
        while self._seen:
            key, (stamp, future) = next(iter(self._seen.items()))
            if now - stamp < self._ttl and len(self._seen) < self._max:
                break
            if not future.done():
                future.set_result(None)
            del self._seen[key]
