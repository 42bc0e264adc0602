"""End-to-end fixtures: the real bot and the Agents Playground, started once per session.

The two servers are subprocesses, so the session fixtures are plain (synchronous) functions and
only the per-test ``client`` is async; it runs on the test's own event loop.

``E2E_BOT_MODULE`` runs another entry module instead of ``bot`` (to try the harness on a stand-in).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Generator, Iterator
from pathlib import Path

import pytest

from tests.e2e.client import PlaygroundClient
from tests.e2e.playground import (
    DEFAULT_CONFIG,
    BotProcess,
    PlaygroundConfig,
    PlaygroundProcess,
)
from tests.e2e.standin import start_or_fail

_E2E_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _E2E_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def e2e_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("e2e")


@pytest.fixture(scope="session")
def playground_config() -> PlaygroundConfig:
    return DEFAULT_CONFIG


@pytest.fixture(scope="session")
def bot_server(e2e_dir: Path) -> Iterator[BotProcess]:
    """The bot (``python -m bot``) with a fresh data directory and authentication off."""
    bot = BotProcess(
        data_dir=e2e_dir / "data",
        log_path=e2e_dir / "bot.log",
        module=os.environ.get("E2E_BOT_MODULE", "bot"),
    )
    start_or_fail(bot, "the bot")
    yield bot
    bot.stop()


@pytest.fixture(scope="session")
def playground(
    bot_server: BotProcess, e2e_dir: Path, playground_config: PlaygroundConfig
) -> Iterator[PlaygroundProcess]:
    """The Playground, pointed at the bot; its devTools/ (log, event recording) stay in the
    session's temp directory."""
    process = PlaygroundProcess(
        bot_endpoint=bot_server.messages_url,
        workdir=e2e_dir / "playground",
        config=playground_config,
    )
    start_or_fail(process, "the Playground")
    yield process
    process.stop()


@pytest.fixture
async def client(
    playground: PlaygroundProcess,
    bot_server: BotProcess,
    playground_config: PlaygroundConfig,
    request: pytest.FixtureRequest,
) -> AsyncIterator[PlaygroundClient]:
    """A fresh Teams client session; on failure the bot's log tail is added to the report."""
    async with PlaygroundClient(
        playground.url, config=playground_config, bot_url=bot_server.messages_url
    ) as session:
        yield session
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        report.sections.append(("bot log (tail)", bot_server.log_tail(60)))
        report.sections.append(("Playground log (tail)", playground.log_tail(20)))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call":
        item.rep_call = report  # type: ignore[attr-defined]
    return report
