"""Teams re-delivers an activity (same id) when the bot is slow to answer (PLATFORM.md §4).

``RecentActivities`` remembers the ids seen in the last minutes. The first delivery does the
work; a copy of a message is dropped; a copy of an invoke waits for the first one's response and
returns it, so a double click or a redelivery never acts twice.

What it keeps is bounded in bytes: an id costs a few dozen bytes for ``ttl_seconds``; a settled
response is kept pickled and zlib-compressed (a 38 KB card becomes a few KB instead of a tree of
Python objects) for ``result_ttl`` seconds, within ``max_result_bytes`` in all, oldest dropped
first. Teams re-sends after about 15 s, and once more about 30 s later, so two minutes cover the
redeliveries; a copy that arrives after its response was dropped gets ``None`` (the caller then
answers it again; the features' writes are idempotent).
"""

from __future__ import annotations

import asyncio
import pickle
import time
import zlib
from collections import OrderedDict
from collections.abc import Callable
from typing import Any


class RecentActivities:
    def __init__(
        self,
        ttl_seconds: float = 600.0,
        max_entries: int = 20_000,
        clock: Callable[[], float] = time.monotonic,
        *,
        result_ttl: float = 120.0,
        max_result_bytes: int = 4 << 20,
    ) -> None:
        self._ttl = ttl_seconds
        self._max = max_entries
        self._clock = clock
        self._result_ttl = result_ttl
        self._max_result_bytes = max_result_bytes
        # key -> (first seen, future of the first delivery while it runs, else None)
        self._seen: OrderedDict[str, tuple[float, asyncio.Future[Any] | None]] = OrderedDict()
        # key -> (settled at, compressed pickled result)
        self._results: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self.result_bytes = 0

    def claim(self, key: str) -> asyncio.Future[Any] | None:
        """None for the first delivery of ``key`` (the caller must ``settle`` it); otherwise
        a future of the first delivery's result (``None`` once that result was dropped)."""
        now = self._clock()
        self._evict(now)
        loop = asyncio.get_running_loop()
        found = self._seen.get(key)
        if found is not None:
            if found[1] is not None:
                return found[1]
            copy: asyncio.Future[Any] = loop.create_future()
            stored = self._results.get(key)
            # The bytes were pickled by this process from its own response: trusted.
            copy.set_result(None if stored is None else pickle.loads(zlib.decompress(stored[1])))  # noqa: S301
            return copy
        self._seen[key] = (now, loop.create_future())
        return None

    def settle(self, key: str, result: Any = None) -> None:
        found = self._seen.get(key)
        if found is None:
            return
        stamp, future = found
        if future is None:
            return
        if not future.done():
            future.set_result(result)
        self._seen[key] = (stamp, None)
        if result is None:
            return
        try:
            blob = zlib.compress(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL), 1)
        except Exception:  # not picklable: a later copy gets None
            return
        if len(blob) > self._max_result_bytes:
            return
        self._results[key] = (self._clock(), blob)
        self.result_bytes += len(blob)
        self._evict_results(self._clock())

    def _evict(self, now: float) -> None:
        while self._seen:
            key, (stamp, future) = next(iter(self._seen.items()))
            if now - stamp < self._ttl and len(self._seen) < self._max:
                break
            if future is not None and not future.done():
                future.set_result(None)
            del self._seen[key]
            self._drop_result(key)
        self._evict_results(now)

    def _evict_results(self, now: float) -> None:
        while self._results:
            key, (stamp, _) = next(iter(self._results.items()))
            if now - stamp < self._result_ttl and self.result_bytes <= self._max_result_bytes:
                break
            self._drop_result(key)

    def _drop_result(self, key: str) -> None:
        stored = self._results.pop(key, None)
        if stored is not None:
            self.result_bytes -= len(stored[1])
