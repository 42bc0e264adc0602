"""``make bench``: Veilleuse beside Microsoft's echo sample, measured in the same run.

Not a test: it prints figures and never fails. Both bots run as their own processes on this
machine, authentication off, replying to the local connector stub (tests/fakes/connector_stub.py)
in this process, which also drives the load. Throughput runs are interleaved (echo, then each
Veilleuse scenario, round after round) and each figure is the median of the rounds. CPU per turn
is the server process's user + system time divided by the turns.

The echo sample (tests/bench_echo_app.py) runs in its own virtual environment with only
botbuilder-core and botbuilder-integration-aiohttp 4.17.1, created on first use under
``.bench/`` (ignored by git).

Scenarios (issue 12): ``aide``; ``sujets`` with 5,000 topics; topic support and poll answer
(card actions that write); 50 members answering one poll at the same instant (p99); one write
with 1k / 10k / 50k records of history; ``aide`` p99 while a large poll is being answered;
fan-out of 2,000 messages with 10 % of 429s and a kill -9 after 700; cold start with 50k
records; RSS after 10k mixed turns.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp

from storage.poll_repository import Choice, Poll, Question, TinyDbPollRepository, poll_to_row
from storage.store import Store
from storage.times import utc_iso
from storage.topic_repository import TinyDbTopicRepository, Topic
from storage.topic_repository import _to_row as topic_row
from tests.fakes.connector_stub import ConnectorStub

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT / ".bench"
ECHO_VENV = BENCH_DIR / "echo-venv"
ECHO_PACKAGES = ("botbuilder-core==4.17.1", "botbuilder-integration-aiohttp==4.17.1")
TENANT = "00000000-0000-4000-8000-0000000000aa"
ROUNDS = 3
TURNS = 600
CONCURRENCY = 16
POLL_ID = "bench-poll"
TOPICS = 5000
_ids = itertools.count()


# --- processes ---------------------------------------------------------------------------


def say(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def echo_python() -> Path:
    python = ECHO_VENV / "bin" / "python"
    if not python.exists():
        say("creating the echo sample's virtual environment (once) …")
        subprocess.run([sys.executable, "-m", "venv", str(ECHO_VENV)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", *ECHO_PACKAGES],
            check=True,
        )
    return python


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    url: str
    started: float

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_echo() -> Server:
    port = _free_port()
    process = subprocess.Popen(
        [str(echo_python()), str(ROOT / "tests" / "bench_echo_app.py"), str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return Server("echo", process, f"http://127.0.0.1:{port}", time.perf_counter())


def start_bot(data_dir: Path) -> Server:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.bench_server", str(data_dir), str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return Server("veilleuse", process, f"http://127.0.0.1:{port}", time.perf_counter())


# --- activities --------------------------------------------------------------------------


def _person(n: int) -> tuple[str, str]:
    return f"00000000-0000-4000-8000-{n:012d}", f"Membre {n}"


def message(service_url: str, text: str, who: int = 1) -> dict[str, Any]:
    aad, name = _person(who)
    n = next(_ids)
    return {
        "type": "message",
        "id": f"bench-{n}",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": {"id": f"29:{aad}", "name": name, "aadObjectId": aad},
        "recipient": {"id": "28:veilleuse", "name": "Veilleuse"},
        "conversation": {
            "id": f"a:personal-{who}",
            "conversationType": "personal",
            "tenantId": TENANT,
        },
        "channelData": {"tenant": {"id": TENANT}},
        "locale": "fr-CA",
        "timestamp": datetime.now(UTC).isoformat(),
        "text": text,
    }


def card_action(service_url: str, verb: str, data: dict[str, Any], who: int) -> dict[str, Any]:
    activity = message(service_url, "", who)
    del activity["text"]
    activity.update(
        type="invoke",
        name="adaptiveCard/action",
        value={"action": {"type": "Action.Execute", "verb": verb, "data": {"verb": verb, **data}}},
    )
    return activity


MEMBERS = 300  # the community's size: the same people come back
_clicks = itertools.count()


def support_action(service_url: str) -> dict[str, Any]:
    """A member supports (or, on the next pass, withdraws support from) a topic: a write."""
    n = next(_clicks)
    who, on = 1000 + n % MEMBERS, (n // MEMBERS) % 2 == 0
    topic = f"t{(n % MEMBERS * 17) % TOPICS}"
    return card_action(service_url, "topics.support", {"topic_id": topic, "on": on}, who)


def poll_answer(service_url: str, poll_id: str = POLL_ID) -> dict[str, Any]:
    """A member answers (or, on the next pass, changes the answer): a write."""
    n = next(_clicks)
    who, choice = 1000 + n % MEMBERS, ("c1", "c2")[(n // MEMBERS) % 2]
    return card_action(service_url, "polls.answer", {"poll_id": poll_id, "q1": choice}, who)


# --- data --------------------------------------------------------------------------------


def _poll(poll_id: str, status: str = "open") -> Poll:
    now = datetime.now(UTC)
    return Poll(
        id=poll_id,
        kind="poll",
        title="Prochaine rencontre",
        questions=(
            Question("q1", "single", "Quel format?", (Choice("c1", "A"), Choice("c2", "B"))),
        ),
        status=status,
        anonymous=False,
        visibility="live",
        audience="members",
        deadline=utc_iso(now + timedelta(days=30)),
        created_by="animateur",
        created_at=utc_iso(now - timedelta(days=1)),
        locale="fr-CA",
        published_at=utc_iso(now - timedelta(days=1)),
    )


def seed(data_dir: Path, *, topics: int = TOPICS, ballots: int = 0) -> None:
    """5,000 topics, one open poll, and ``ballots`` named ballots of closed polls (history)."""
    store = Store(data_dir)
    now = utc_iso(datetime.now(UTC))
    topic_rows = [
        topic_row(
            Topic(
                id=f"t{n}",
                title=f"Sujet {n}",
                description="Une description de quelques mots " * 3,
                kind=("formatif", "echange", "reflexif", "divers")[n % 4],
                presenter="",
                proposer_key=f"member-{n % 300}",
                proposer_name=f"Membre {n % 300}",
                created_at=now,
                supporters=tuple(f"member-{k}" for k in range(n % 7)),
            )
        )
        for n in range(topics)
    ]
    store.database("topics").run_sync(lambda db: db.table("topics").insert_multiple(topic_rows))
    polls = store.database("polls")
    polls.run_sync(lambda db: db.table("polls").insert(poll_to_row(_poll(POLL_ID))))
    history = [
        {
            "poll_id": f"old-{n // 300}",
            "member_key": f"member-{n % 300}",
            "name": f"Membre {n % 300}",
            "answers": {"q1": "c1"},
            "at": now,
        }
        for n in range(ballots)
    ]
    if history:
        polls.run_sync(lambda db: db.table("ballots").insert_multiple(history))
    for database in (polls, store.database("topics")):
        database.compact()
    store.close()


# --- load --------------------------------------------------------------------------------


@dataclass
class Run:
    turns: int = 0
    wall: float = 0.0
    cpu: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: Counter[int] = field(default_factory=Counter)

    @property
    def per_second(self) -> float:
        return self.turns / self.wall if self.wall else 0.0

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000 if ordered else 0.0

    @property
    def cpu_ms(self) -> float:
        return self.cpu / self.turns * 1000 if self.turns else 0.0


async def drive(
    session: aiohttp.ClientSession,
    server: Server,
    make: Callable[[], dict[str, Any]],
    turns: int,
    concurrency: int,
) -> Run:
    run = Run(turns=turns)
    remaining = iter(range(turns))

    async def sender() -> None:
        for _ in remaining:
            activity = make()
            started = time.perf_counter()
            async with session.post(f"{server.url}/api/messages", json=activity) as response:
                await response.read()
                if response.status >= 300:
                    run.errors[response.status] += 1
            run.latencies.append(time.perf_counter() - started)

    cpu0, wall0 = server.cpu_seconds(), time.perf_counter()
    await asyncio.gather(*(sender() for _ in range(concurrency)))
    run.wall, run.cpu = time.perf_counter() - wall0, server.cpu_seconds() - cpu0
    return run


async def wait_ready(session: aiohttp.ClientSession, server: Server, service_url: str) -> float:
    """Seconds from the process start to its first answered message."""
    while True:
        try:
            async with session.post(
                f"{server.url}/api/messages", json=message(service_url, "aide")
            ) as response:
                await response.read()
                if response.status < 300:
                    return time.perf_counter() - server.started
        except aiohttp.ClientError:
            pass
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited with {server.process.returncode}")
        await asyncio.sleep(0.02)


# --- scenarios ---------------------------------------------------------------------------


async def throughput(
    session: aiohttp.ClientSession, echo: Server, bot: Server, service_url: str
) -> dict[str, list[Run]]:
    scenarios: dict[str, tuple[Server, Callable[[], dict[str, Any]]]] = {
        "echo": (echo, lambda: message(service_url, "bonjour")),
        "aide": (bot, lambda: message(service_url, "aide")),
        "sujets (5,000 topics)": (bot, lambda: message(service_url, "sujets")),
        "topic support": (bot, lambda: support_action(service_url)),
        "poll answer": (bot, lambda: poll_answer(service_url)),
    }
    runs: dict[str, list[Run]] = {name: [] for name in scenarios}
    for server, make in scenarios.values():  # warm-up
        await drive(session, server, make, 40, 4)
    for _ in range(ROUNDS):
        for name, (server, make) in scenarios.items():
            runs[name].append(await drive(session, server, make, TURNS, CONCURRENCY))
    return runs


async def voters(
    session: aiohttp.ClientSession, bot: Server, service_url: str, rounds: int = 6
) -> Run:
    """50 members answering one poll at the same instant, ``rounds`` times."""
    total = Run()
    for _ in range(rounds):
        run = await drive(session, bot, lambda: poll_answer(service_url), 50, 50)
        total.turns += run.turns
        total.latencies += run.latencies
        total.errors += run.errors
    return total


async def aide_under_poll_load(
    session: aiohttp.ClientSession, bot: Server, service_url: str
) -> tuple[Run, Run]:
    alone = await drive(session, bot, lambda: message(service_url, "aide"), 300, 1)
    stop = asyncio.Event()

    async def answering() -> None:
        while not stop.is_set():
            await drive(session, bot, lambda: poll_answer(service_url), 50, 50)

    background = asyncio.create_task(answering())
    await asyncio.sleep(0.3)
    loaded = await drive(session, bot, lambda: message(service_url, "aide"), 300, 1)
    stop.set()
    await background
    return alone, loaded


async def mixed_turns_rss(
    session: aiohttp.ClientSession, server: Server, service_url: str, echo: bool
) -> list[tuple[int, float]]:
    makers: list[Callable[[], dict[str, Any]]]
    if echo:
        makers = [lambda: message(service_url, "bonjour")]
    else:
        makers = [
            lambda: message(service_url, "aide"),
            lambda: message(service_url, "aide"),
            lambda: message(service_url, "sujets"),
            lambda: support_action(service_url),
            lambda: poll_answer(service_url),
        ]
    cycle = itertools.cycle(makers)
    points = []
    done = 0
    for target in (2000, 5000, 10000):
        await drive(session, server, lambda: next(cycle)(), target - done, CONCURRENCY)
        done = target
        points.append((done, server.rss_mb()))
    return points


async def write_costs() -> dict[str, dict[int, float]]:
    """One write (poll answer; topic support) with 1k / 10k / 50k records of history in its
    data set: median of 40 writes, each acknowledged after its fsync."""
    results: dict[str, dict[int, float]] = {"poll answer": {}, "topic support": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for size in (1_000, 10_000, 50_000):
            folder = Path(tmp) / f"h{size}"
            seed(folder, topics=size, ballots=size)
            store = Store(folder)
            polls = TinyDbPollRepository(store.database("polls"))
            topics = TinyDbTopicRepository(store.database("topics"))
            poll_costs, support_costs = [], []
            now = datetime.now(UTC)
            for n in range(40):
                started = time.perf_counter()
                await polls.record_named(POLL_ID, f"voter-{n}", "V", {"q1": "c1"}, now)
                poll_costs.append(time.perf_counter() - started)
                topic_id = f"t{(n * 7919) % size}"
                started = time.perf_counter()
                await topics.update(
                    topic_id, lambda t, n=n: replace(t, supporters=(*t.supporters, f"v{n}"))
                )
                support_costs.append(time.perf_counter() - started)
            results["poll answer"][size] = statistics.median(poll_costs) * 1000
            results["topic support"][size] = statistics.median(support_costs) * 1000
            store.close()
    return results


@dataclass
class FanOut:
    first_rate: float
    request_rate: float
    overall_rate: float
    at_kill: int
    duplicates: int
    lost: int
    rate_limited: int


async def fan_out(count: int = 2000, kill_after: int = 700) -> FanOut:
    stub = ConnectorStub(inject_429_every=10, retry_after=1.0)
    await stub.start()
    tmp = Path(tempfile.mkdtemp())

    async def sender() -> asyncio.subprocess.Process:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.bot.messenger_crash_sender",
            str(tmp),
            stub.service_url,
            str(count),
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
        assert process.stdout is not None
        await process.stdout.readline()
        return process

    try:
        first = await sender()
        await stub.wait_for_accepted(1)
        started = time.perf_counter()
        await stub.wait_for_accepted(kill_after)
        first.send_signal(signal.SIGKILL)
        await first.wait()
        first_wall = time.perf_counter() - started
        at_kill, requests_at_kill = stub.accepted, stub.requests
        second = await sender()
        resumed = time.perf_counter()
        try:
            async with asyncio.timeout(300):
                while len(set(stub.texts())) < count:
                    await stub.wait_for_accepted(stub.accepted + 1)
            second_wall = time.perf_counter() - resumed
            await asyncio.sleep(1.0)
        finally:
            second.kill()
            await second.wait()
    finally:
        await stub.close()
        shutil.rmtree(tmp, ignore_errors=True)
    sent = Counter(stub.texts())
    return FanOut(
        first_rate=at_kill / first_wall,
        request_rate=requests_at_kill / first_wall,
        overall_rate=sum(sent.values()) / (first_wall + second_wall),
        at_kill=at_kill,
        duplicates=sum(n - 1 for n in sent.values()),
        lost=count - len(sent),
        rate_limited=stub.injected_429 + stub.rejected_429,
    )


async def cold_start(
    service_url: str, session: aiohttp.ClientSession
) -> tuple[float, float, float]:
    """Seconds to the first answer (Veilleuse with 50k records, echo), and the part of it
    spent opening the data sets (measured apart, in this process)."""
    with tempfile.TemporaryDirectory() as tmp:
        seed(Path(tmp), ballots=50_000)
        started = time.perf_counter()
        store = Store(Path(tmp))
        store.open_all()
        opening = time.perf_counter() - started
        store.close()
        bot = start_bot(Path(tmp))
        try:
            bot_ready = await wait_ready(session, bot, service_url)
        finally:
            bot.stop()
    echo = start_echo()
    try:
        echo_ready = await wait_ready(session, echo, service_url)
    finally:
        echo.stop()
    return bot_ready, echo_ready, opening


# --- report ------------------------------------------------------------------------------


def _med(runs: list[Run], value: Callable[[Run], float]) -> float:
    return statistics.median(value(run) for run in runs)


async def main_async() -> None:
    out = say
    connector = ConnectorStub(
        per_conversation_limits=((100_000, 1.0),), global_limit=(100_000, 1.0)
    )
    service_url = await connector.start()
    data = Path(tempfile.mkdtemp())
    seed(data)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(
        timeout=timeout, connector=aiohttp.TCPConnector(limit=200)
    ) as session:
        echo, bot = start_echo(), start_bot(data)
        try:
            await wait_ready(session, echo, service_url)
            await wait_ready(session, bot, service_url)
            runs = await throughput(session, echo, bot, service_url)
            voting = await voters(session, bot, service_url)
            alone, loaded = await aide_under_poll_load(session, bot, service_url)
            echo_alone = await drive(session, echo, lambda: message(service_url, "x"), 300, 1)
            bot_rss = await mixed_turns_rss(session, bot, service_url, echo=False)
            echo_rss = await mixed_turns_rss(session, echo, service_url, echo=True)
        finally:
            echo.stop()
            bot.stop()
            shutil.rmtree(data, ignore_errors=True)
        bot_cold, echo_cold, opening = await cold_start(service_url, session)
    await connector.close()
    costs = await write_costs()
    fan = await fan_out()

    echo_rate = _med(runs["echo"], lambda r: r.per_second)
    echo_cpu = _med(runs["echo"], lambda r: r.cpu_ms)
    out("\nVeilleuse beside the stock echo sample (botbuilder 4.17.1), same run, this machine")
    out(
        f"concurrency {CONCURRENCY}, {TURNS} turns per run, median of {ROUNDS} interleaved rounds\n"
    )
    out(
        f"{'scenario':<26}{'req/s':>8}{'× echo':>8}{'p50 ms':>8}{'p99 ms':>8}"
        f"{'CPU ms/turn':>13}{'errors':>8}"
    )
    for name, scenario_runs in runs.items():
        rate = _med(scenario_runs, lambda r: r.per_second)
        errors = sum(sum(r.errors.values()) for r in scenario_runs)
        out(
            f"{name:<26}{rate:8.0f}{rate / echo_rate:8.2f}"
            f"{_med(scenario_runs, lambda r: r.pct(0.5)):8.1f}"
            f"{_med(scenario_runs, lambda r: r.pct(0.99)):8.1f}"
            f"{_med(scenario_runs, lambda r: r.cpu_ms):13.1f}{errors:8d}"
        )
    out(f"  (echo CPU per turn {echo_cpu:.1f} ms)")
    out(
        f"\n50 members answering one poll at the same instant ({voting.turns} answers): "
        f"p50 {voting.pct(0.5):.0f} ms, p99 {voting.pct(0.99):.0f} ms, "
        f"errors {sum(voting.errors.values())}"
    )
    out(
        f"`aide` one at a time: p99 alone {alone.pct(0.99):.1f} ms; while a poll is answered by "
        f"50 at a time {loaded.pct(0.99):.1f} ms "
        f"({loaded.pct(0.99) / max(alone.pct(0.99), 1e-9):.1f}×); "
        f"echo alone p99 {echo_alone.pct(0.99):.1f} ms"
    )
    out("\none write, acknowledged after its fsync (median of 40), by records of history:")
    for name, by_size in costs.items():
        sizes = "  ".join(f"{size // 1000}k: {ms:5.2f} ms" for size, ms in by_size.items())
        out(f"  {name:<14} {sizes}   50k ÷ 1k = {by_size[50_000] / by_size[1_000]:.2f}")
    out(
        f"\nfan-out of 2,000 1:1 messages, Teams limits, 10 % 429s (Retry-After 1 s), kill -9 "
        f"after {fan.at_kill} accepted, restart:\n"
        f"  {fan.first_rate:.1f} msg/s before the kill ({fan.first_rate / 50:.2f} of the 50/s "
        f"ceiling; {fan.request_rate:.1f} requests/s with the 429s, "
        f"{fan.request_rate / 50:.2f} of it), {fan.overall_rate:.1f} msg/s over the whole "
        f"(restart included); "
        f"lost {fan.lost}, sent twice {fan.duplicates} (bound: 8 in flight)"
    )
    out(
        f"\ncold start to first answer: Veilleuse with 50k records {bot_cold:.2f} s (opening the "
        f"data sets: {opening:.2f} s, the rest is imports and start-up); echo {echo_cold:.2f} s"
    )
    out(
        "RSS after mixed turns: Veilleuse "
        + ", ".join(f"{n // 1000}k: {mb:.0f} MB" for n, mb in bot_rss)
        + "; echo "
        + ", ".join(f"{n // 1000}k: {mb:.0f} MB" for n, mb in echo_rss)
    )


def main() -> int:
    try:
        asyncio.run(main_async())
    except Exception as error:  # a benchmark prints, it never fails the build
        say(f"bench stopped: {type(error).__name__}: {error}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
