"""A stand-in bot for one e2e test module: its own entry module (``tests/e2e/<name>_bot.py``,
with its clock and data), its own data folder and its own Playground, started once per module.

A test module writes its three fixtures with these::

    @pytest.fixture(scope="module")
    def notes_bot(tmp_path_factory):
        with running_bot(tmp_path_factory, "notes") as bot:
            yield bot
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager

import pytest

from tests.e2e.client import PlaygroundClient
from tests.e2e.playground import DEFAULT_CONFIG, BotProcess, HarnessError, PlaygroundProcess


def start_or_fail(process: BotProcess | PlaygroundProcess, what: str) -> None:
    """Start ``process``; a harness problem fails the test with ``could not start <what>``."""
    try:
        process.start()
    except HarnessError as problem:
        failure = str(problem)
    else:
        return
    pytest.fail(f"could not start {what}: {failure}", pytrace=False)


@contextmanager
def running_bot(
    tmp_path_factory: pytest.TempPathFactory, name: str, extra_env: Mapping[str, str] | None = None
) -> Iterator[BotProcess]:
    """``python -m tests.e2e.<name>_bot`` with a fresh data folder (``<name>-e2e``)."""
    folder = tmp_path_factory.mktemp(f"{name}-e2e")
    bot = BotProcess(
        data_dir=folder / "data",
        log_path=folder / "bot.log",
        module=f"tests.e2e.{name}_bot",
        extra_env=dict(extra_env or {}),
    )
    start_or_fail(bot, f"the {name} bot")
    try:
        yield bot
    finally:
        bot.stop()


@contextmanager
def running_playground(
    bot: BotProcess, tmp_path_factory: pytest.TempPathFactory, name: str
) -> Iterator[PlaygroundProcess]:
    """The Playground pointed at ``bot``, working in ``<name>-playground``."""
    process = PlaygroundProcess(
        bot_endpoint=bot.messages_url, workdir=tmp_path_factory.mktemp(f"{name}-playground")
    )
    start_or_fail(process, "the Playground")
    try:
        yield process
    finally:
        process.stop()


@asynccontextmanager
async def teams_session(
    playground: PlaygroundProcess, bot: BotProcess, request: pytest.FixtureRequest, name: str
) -> AsyncIterator[PlaygroundClient]:
    """A fresh Teams client session; on failure the bot's log tail is added to the report."""
    async with PlaygroundClient(
        playground.url, config=DEFAULT_CONFIG, bot_url=bot.messages_url
    ) as session:
        yield session
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        report.sections.append((f"{name} bot log (tail)", bot.log_tail(80)))
