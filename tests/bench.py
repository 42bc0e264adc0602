"""``make bench``: speed and memory figures, printed as a table (not a test: nothing fails).

- endpoint: messages/s through ``POST /api/messages`` (real app, auth off, local connector stub),
  sequential and with 16 concurrent senders, CPU ms per turn, RSS after the run;
- msrest patch: CPU per turn with and without the retry-policy patch (PLATFORM.md §3.2);
- storage: one TinyDB write at 100 / 1,000 / 5,000 records with the atomic storage;
- cards: help card renders per second.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.settings import Settings
from cards.help import build_help_card
from cards.i18n import Translator
from storage.store import Store
from tests.fakes.connector_stub import ConnectorStub

_ids = itertools.count()


def _activity(service_url: str, text: str = "aide") -> dict[str, Any]:
    n = next(_ids)
    return {
        "type": "message",
        "id": f"bench-{n}",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": {"id": "29:bench", "aadObjectId": "00000000-0000-4000-8000-000000000099"},
        "recipient": {"id": "28:veilleuse"},
        "conversation": {"id": f"a:bench-{n % 50}", "conversationType": "personal"},
        "locale": "fr-CA",
        "text": text,
    }


async def _endpoint(turns: int, concurrency: int) -> dict[str, float]:
    connector = ConnectorStub(per_conversation_limits=((10_000, 1.0),), global_limit=(10_000, 1.0))
    await connector.start()
    with tempfile.TemporaryDirectory() as tmp:
        client = TestClient(TestServer(create_app(Settings(data_dir=Path(tmp)))))
        await client.start_server()
        try:
            await client.post("/api/messages", json=_activity(connector.service_url))  # warm-up
            latencies: list[float] = []
            queue = list(range(turns))

            async def sender() -> None:
                while queue:
                    queue.pop()
                    started = time.perf_counter()
                    response = await client.post(
                        "/api/messages", json=_activity(connector.service_url)
                    )
                    assert response.status in (200, 201)
                    latencies.append(time.perf_counter() - started)

            cpu0, wall0 = time.process_time(), time.perf_counter()
            await asyncio.gather(*(sender() for _ in range(concurrency)))
            cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        finally:
            await client.close()
            await connector.close()
    return {
        "msg_per_s": turns / wall,
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": sorted(latencies)[int(len(latencies) * 0.95) - 1] * 1000,
        "cpu_ms_per_turn": cpu / turns * 1000,
    }


def _msrest_scan_cost(rounds: int = 200) -> tuple[float, float]:
    import msrest.universal_http.requests as m

    patched = m.ClientRetryPolicy.safe_codes
    original = list(patched)
    costs = []
    for codes in (original, patched):
        m.ClientRetryPolicy.safe_codes = codes
        started = time.process_time()
        for _ in range(rounds):
            m.ClientRetryPolicy()
        costs.append((time.process_time() - started) / rounds * 1000)
    m.ClientRetryPolicy.safe_codes = patched
    return costs[0], costs[1]


async def _storage() -> dict[int, float]:
    results: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp))
        for size in (100, 1000, 5000):
            db = store.database(f"bench{size}")
            rows = [{"n": i, "text": "x" * 180} for i in range(size)]
            await db.run(lambda d, rows=rows: d.table("t").insert_multiple(rows))
            started = time.perf_counter()
            for i in range(20):
                await db.run(lambda d, i=i: d.table("t").insert({"n": -i, "text": "y" * 180}))
            results[size] = (time.perf_counter() - started) / 20 * 1000
        store.close()
    return results


def _cards(rounds: int = 2000) -> float:
    t = Translator("fr-CA")
    started = time.perf_counter()
    for _ in range(rounds):
        build_help_card(
            t,
            community_name="CdeP",
            member_commands=["help", "language"],
            animateur_commands=["reload"],
            is_animateur=True,
        )
    return rounds / (time.perf_counter() - started)


def main() -> int:
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("bot").setLevel(logging.ERROR)
    out = sys.stdout.write
    sequential = asyncio.run(_endpoint(400, 1))
    concurrent = asyncio.run(_endpoint(800, 16))
    before, after = _msrest_scan_cost()
    storage = asyncio.run(_storage())
    renders = _cards()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out("Veilleuse benchmarks (this machine; ±25 % run to run)\n")
    for label, r in (("endpoint, 1 sender", sequential), ("endpoint, 16 senders", concurrent)):
        out(
            f"  {label:<24} {r['msg_per_s']:7.0f} msg/s   p50 {r['p50_ms']:6.1f} ms   "
            f"p95 {r['p95_ms']:6.1f} ms   CPU {r['cpu_ms_per_turn']:5.1f} ms/turn\n"
        )
    out(f"  msrest retry policy       {before:6.2f} ms unpatched -> {after:6.3f} ms patched\n")
    for size, ms in storage.items():
        out(f"  TinyDB write @ {size:>5} rows {ms:7.2f} ms (atomic replace + fsync)\n")
    out(f"  help card renders         {renders:7.0f} /s\n")
    out(f"  peak RSS                  {rss_mb:7.1f} MB\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
