"""Start Veilleuse and the Microsoft 365 Agents Playground (npm, pinned) as subprocesses.

The Playground is a local Teams client: it sends the bot Teams-shaped activities (no JWT, so the
bot runs with an empty ``MicrosoftAppId``) and emulates the Bot Connector under ``/_connector``.
Tests drive it through its HTTP/WebSocket API (``tests/e2e/client.py``); developers open its
web UI with ``make playground`` (``python -m tests.e2e.playground``).

Facts this module relies on (Playground 0.2.28, read from the bundle and checked by hand):

* The config file is ``.m365agentsplayground.yml`` in the working directory. It is parsed as
  YAML, so we write JSON (a YAML subset) and need no YAML library. The schema wants a
  ``currentUser`` plus **exactly five** other ``users``, all ids unique; every user needs
  ``id, name, userPrincipleName`` (sic), ``aadObjectId, givenName, surname, email``.
* It listens on all interfaces, and moves to a random port without a word when the asked one is
  busy ("Listening on <port>" tells where it went).
* On a bad config it prints "Listening on …", then exits; the reason is only in
  ``devTools/m365agentsplayground.log`` (lines starting with ``error``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]
TOOLS_DIR = REPO_ROOT / ".tools" / "node_modules"
PLAYGROUND_PACKAGE = "@microsoft/m365agentsplayground"
PLAYGROUND_VERSION = "0.2.28"
CONFIG_FILE_NAME = ".m365agentsplayground.yml"
CONFIG_SCHEMA_URL = "https://aka.ms/teams-app-test-tool-config/0.1.1/config.schema.json"
HOST = "127.0.0.1"

# Variables that would change what the Playground or the bot does behind our back.
_PLAYGROUND_ENV_PREFIXES = ("M365_AGENTS_PLAYGROUND_", "TEAMSAPPTESTER_", "AUTH_")
_PLAYGROUND_ENV_NAMES = ("BOT_ENDPOINT", "DEFAULT_CHANNEL_ID", "SEND_INSTALLATION_ACTIVITY")
_BOT_ENV_PREFIXES = ("Microsoft", "GRAPH_", "CDEP_")
_BOT_ENV_NAMES = ("PORT",)

_DOMAIN = "cdep-monteregie.example"
_GUID_PREFIX = "6f1c2a4e-8b7d-4c3a-9e21-0a5b7c9d"


class HarnessError(RuntimeError):
    """The bot or the Playground could not be started (the message carries its log tail)."""


class PlaygroundError(HarnessError):
    pass


class BotStartError(HarnessError):
    pass


# ---- the simulated tenant --------------------------------------------------------------------


@dataclass(frozen=True)
class PlaygroundUser:
    """One person of the simulated tenant, as the Playground's config file describes them."""

    key: str
    id: str
    name: str
    given_name: str
    surname: str
    aad_object_id: str
    email: str

    @property
    def user_principal_name(self) -> str:
        return self.email

    def to_config(self) -> dict[str, str]:
        return {
            "id": self.id,
            "name": self.name,
            # The Playground's schema spells it "Principle"; its member lookups answer with a
            # correctly spelled "userPrincipalName".
            "userPrincipleName": self.user_principal_name,
            "aadObjectId": self.aad_object_id,
            "givenName": self.given_name,
            "surname": self.surname,
            "email": self.email,
        }

    def account(self) -> dict[str, str]:
        """The ``from`` of an activity sent by this person (what Teams puts there)."""
        return {"id": self.id, "name": self.name, "aadObjectId": self.aad_object_id}


def _user(key: str, given: str, surname: str, mail: str, number: int) -> PlaygroundUser:
    return PlaygroundUser(
        key=key,
        id=f"29:e2e-{mail.replace('.', '-')}",
        name=f"{given} {surname}",
        given_name=given,
        surname=surname,
        aad_object_id=f"{_GUID_PREFIX}1e{number:02d}",
        email=f"{mail}@{_DOMAIN}",
    )


# The two animateurs named by the shipped community profile.
ISABELLE = _user("isabelle", "Isabelle", "Gagnon", "isabelle.gagnon", 1)
MARC_ANDRE = _user("marc_andre", "Marc-André", "Tremblay", "marc-andre.tremblay", 2)
# Ordinary members. Sophie is the Playground's "current user": the person at the keyboard of
# the web UI, the only member of its personal chat.
SOPHIE = _user("sophie", "Sophie", "Bouchard", "sophie.bouchard", 3)
JEAN_FRANCOIS = _user("jean_francois", "Jean-François", "Côté", "jean-francois.cote", 4)
NATHALIE = _user("nathalie", "Nathalie", "Roy", "nathalie.roy", 5)
# The schema wants five users *besides* the current user, hence a sixth person.
ETIENNE = _user("etienne", "Étienne", "Pelletier", "etienne.pelletier", 6)


@dataclass(frozen=True)
class PlaygroundConfig:
    """The fixed tenant every e2e run uses (fixed ids keep runs comparable)."""

    tenant_id: str = f"{_GUID_PREFIX}7e00"
    bot_id: str = f"28:{_GUID_PREFIX}b000"
    bot_name: str = "Veilleuse"
    current_user: PlaygroundUser = SOPHIE
    users: tuple[PlaygroundUser, ...] = (ISABELLE, MARC_ANDRE, JEAN_FRANCOIS, NATHALIE, ETIENNE)
    personal_chat_id: str = "a:e2e-personal-sophie-bouchard"
    group_chat_id: str = "19:e2e-comite-veille@thread.v2"
    group_chat_name: str = "Comité de veille"
    team_id: str = "19:e2e-general@thread.tacv2"
    team_name: str = "CdeP Montérégie"
    team_aad_group_id: str = f"{_GUID_PREFIX}9000"
    channel_id: str = "19:e2e-annonces@thread.tacv2"
    channel_name: str = "Annonces"

    @property
    def everyone(self) -> tuple[PlaygroundUser, ...]:
        return (self.current_user, *self.users)

    def user(self, key_or_id: str) -> PlaygroundUser:
        for person in self.everyone:
            if key_or_id in (person.key, person.id, person.aad_object_id):
                return person
        raise KeyError(f"no Playground user {key_or_id!r}")

    def conversation_id(self, kind: str) -> str:
        """``personal`` (the current user's chat), ``group``, ``general`` or ``channel``."""
        ids = {
            "personal": self.personal_chat_id,
            "group": self.group_chat_id,
            "general": self.team_id,
            "team": self.team_id,
            "channel": self.channel_id,
        }
        try:
            return ids[kind]
        except KeyError:
            raise KeyError(f"unknown conversation kind {kind!r} (one of {sorted(ids)})") from None

    def to_document(self) -> dict[str, Any]:
        return {
            "version": "0.1.1",
            "tenantId": self.tenant_id,
            "bot": {"id": self.bot_id, "name": self.bot_name},
            "currentUser": self.current_user.to_config(),
            "users": [person.to_config() for person in self.users],
            "personalChat": {"id": self.personal_chat_id},
            "groupChat": {"id": self.group_chat_id, "name": self.group_chat_name},
            "team": {
                "id": self.team_id,
                "name": self.team_name,
                "aadGroupId": self.team_aad_group_id,
                "channels": [{"id": self.channel_id, "name": self.channel_name}],
            },
        }

    def write(self, directory: Path) -> Path:
        """Write the config file (JSON is valid YAML) into ``directory``."""
        path = directory / CONFIG_FILE_NAME
        text = json.dumps(self.to_document(), ensure_ascii=False, indent=2)
        path.write_text(f"# yaml-language-server: $schema={CONFIG_SCHEMA_URL}\n{text}\n", "utf-8")
        return path


DEFAULT_CONFIG = PlaygroundConfig()
# ``make playground``: the person at the keyboard is Isabelle, an animateur of the shipped
# community profile, so every command can be tried (the tests keep Sophie, a member).
DEMO_CONFIG = PlaygroundConfig(
    current_user=ISABELLE,
    users=(SOPHIE, MARC_ANDRE, JEAN_FRANCOIS, NATHALIE, ETIENNE),
    personal_chat_id="a:playground-personal-isabelle-gagnon",
)
# Where ``make playground`` keeps everything (ignored by git; ``make playground-reset``).
PLAYGROUND_DIR = REPO_ROOT / ".playground"


# ---- helpers ---------------------------------------------------------------------------------


def free_port() -> int:
    """A port free on the loopback interface right now (the caller races anyone else for it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text("utf-8", errors="replace")
    except FileNotFoundError:
        return f"(no log at {path})"
    kept = text.splitlines()[-lines:]
    return "\n".join(kept) if kept else "(log is empty)"


def _http_status(url: str, timeout: float = 1.0) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (loopback)
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except (OSError, ValueError):
        return None


def _clean_env(prefixes: tuple[str, ...], names: tuple[str, ...]) -> dict[str, str]:
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(prefixes) and key not in names
    }


def _stop_process(process: subprocess.Popen[bytes], name: str, timeout: float) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        logger.warning("%s did not stop within %.0f s; killing it", name, timeout)
        process.kill()
        process.wait(timeout=timeout)


# ---- the bot ---------------------------------------------------------------------------------


@dataclass
class BotProcess:
    """``python -m bot`` on a free loopback port, authentication off, its own data directory.

    ``module`` can be swapped (``E2E_BOT_MODULE``) to point the harness at another entry point.
    """

    data_dir: Path
    log_path: Path
    port: int = 0
    module: str = "bot"
    python: str = sys.executable
    extra_env: Mapping[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)
    _log_file: IO[bytes] | None = field(default=None, init=False, repr=False)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def messages_url(self) -> str:
        return f"{self.url}/api/messages"

    def log_tail(self, lines: int = 40) -> str:
        return tail(self.log_path, lines)

    def start(self, timeout: float = 30.0) -> BotProcess:
        self.port = self.port or free_port()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        env = _clean_env(_BOT_ENV_PREFIXES, _BOT_ENV_NAMES)
        env.update(
            {
                "PORT": str(self.port),
                "CDEP_DATA_DIR": str(self.data_dir),
                "MicrosoftAppId": "",
                "MicrosoftAppPassword": "",
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(self.extra_env)
        self._log_file = self.log_path.open("ab")
        logger.info("starting the bot: %s -m %s on %s", self.python, self.module, self.url)
        self.process = subprocess.Popen(
            [self.python, "-m", self.module],
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a Ctrl-C reaches only us; we stop it in order
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            code = self.process.poll()
            if code is not None:
                self.stop()
                raise BotStartError(
                    f"the bot exited with code {code} before answering /healthz.\n"
                    f"--- {self.log_path} (tail) ---\n{self.log_tail()}"
                )
            if _http_status(f"{self.url}/healthz") == 200:
                logger.info("bot ready on %s", self.url)
                return self
            time.sleep(0.1)
        self.stop()
        raise BotStartError(
            f"the bot did not answer GET /healthz with 200 within {timeout:.0f} s.\n"
            f"--- {self.log_path} (tail) ---\n{self.log_tail()}"
        )

    def stop(self, timeout: float = 10.0) -> None:
        if self.process is not None:
            _stop_process(self.process, "the bot", timeout)
            self.process = None
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def __enter__(self) -> BotProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


# ---- the Playground --------------------------------------------------------------------------


def playground_command() -> list[str]:
    """How to run the pinned Playground installed by ``make tools``."""
    package_dir = TOOLS_DIR / PLAYGROUND_PACKAGE
    manifest = package_dir / "package.json"
    if not manifest.is_file():
        raise PlaygroundError(
            f"{PLAYGROUND_PACKAGE} is not installed under .tools/; run `make tools`."
        )
    version = json.loads(manifest.read_text("utf-8")).get("version")
    if version != PLAYGROUND_VERSION:
        raise PlaygroundError(
            f"{PLAYGROUND_PACKAGE} {version} is installed but the harness is written against "
            f"{PLAYGROUND_VERSION} (its API is undocumented); run `make tools`."
        )
    launcher = TOOLS_DIR / ".bin" / "agentsplayground"
    if launcher.exists():
        return [str(launcher)]
    # npm sometimes leaves no .bin links (seen with `npm install --silent` into a fresh folder).
    node = shutil.which("node")
    if node is None:
        raise PlaygroundError("node is not on PATH; the Playground needs Node.js.")
    return [node, str(package_dir / "cli.js")]


_LISTENING = re.compile(r"Listening on (\d+)")


@dataclass
class PlaygroundProcess:
    """The Playground, started from a scratch directory holding its config and ``devTools/``."""

    bot_endpoint: str
    workdir: Path
    config: PlaygroundConfig = DEFAULT_CONFIG
    port: int = 0
    channel_id: str = "msteams"
    record_events: bool = True
    process: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)
    _output: IO[bytes] | None = field(default=None, init=False, repr=False)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.workdir / "devTools" / "m365agentsplayground.log"

    @property
    def output_path(self) -> Path:
        return self.workdir / "playground.out"

    def recordings(self) -> list[Path]:
        """``--er`` transcripts (records separated by ``\\n---\\n``); a good CI artifact."""
        return sorted((self.workdir / "devTools").glob("events_recording_*.log"))

    def log_tail(self, lines: int = 40) -> str:
        return tail(self.log_path, lines)

    def start(self, timeout: float = 30.0, attempts: int = 3) -> PlaygroundProcess:
        """Start it; with no fixed port, retry on a fresh port if someone took ours meanwhile."""
        fixed = bool(self.port)
        for attempt in range(1, attempts + 1):
            try:
                return self._start_once(timeout)
            except _PortMoved as moved:
                if fixed or attempt == attempts:
                    raise PlaygroundError(str(moved)) from None
                logger.info("%s; retrying on another port", moved)
                self.port = 0
        raise AssertionError("unreachable")

    def _start_once(self, timeout: float) -> PlaygroundProcess:
        self.port = self.port or free_port()
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.config.write(self.workdir)
        for stale in (self.log_path, self.output_path):
            stale.unlink(missing_ok=True)
        command = [
            *playground_command(),
            "--disable-telemetry",
            "-c",
            self.channel_id,
            "-e",
            self.bot_endpoint,
            "-p",
            str(self.port),
        ]
        if self.record_events:
            command.append("--enable-events-recording")
        env = _clean_env(_PLAYGROUND_ENV_PREFIXES, _PLAYGROUND_ENV_NAMES)
        env["TEAMSAPPTESTER_BROWSER"] = "none"
        self._output = self.output_path.open("ab")
        logger.info("starting the Playground on port %d (bot at %s)", self.port, self.bot_endpoint)
        self.process = subprocess.Popen(
            command,
            cwd=self.workdir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a Ctrl-C reaches only us; we stop it in order
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            code = self.process.poll()
            if code is not None:
                reason = self._failure_reason()
                self.stop()
                raise PlaygroundError(
                    f"the Playground exited with code {code}: {reason}\n"
                    f"--- {self.log_path} (tail) ---\n{self.log_tail()}"
                )
            listening = self._listening_port()
            if listening is not None and listening != self.port:
                self.stop()
                raise _PortMoved(
                    f"port {self.port} was busy: the Playground moved to port {listening}"
                )
            if listening == self.port and _http_status(f"{self.url}/_debug/ping") == 200:
                logger.warning(
                    "the Playground listens on ALL interfaces (*:%d), not only loopback: "
                    "use it only on a trusted network",
                    self.port,
                )
                return self
            time.sleep(0.1)
        self.stop()
        raise PlaygroundError(
            f"the Playground did not answer /_debug/ping on port {self.port} within "
            f"{timeout:.0f} s.\n--- {self.log_path} (tail) ---\n{self.log_tail()}\n"
            f"--- {self.output_path} (tail) ---\n{tail(self.output_path)}"
        )

    def _listening_port(self) -> int | None:
        for path in (self.output_path, self.log_path):
            try:
                match = _LISTENING.search(path.read_text("utf-8", errors="replace"))
            except FileNotFoundError:
                continue
            if match:
                return int(match.group(1))
        return None

    def _failure_reason(self) -> str:
        errors = [
            line.removeprefix("error ").strip()
            for line in tail(self.log_path, 200).splitlines()
            if line.startswith("error ")
        ]
        reasons = [line for line in errors if line.startswith("Reason:")]
        return " ".join(reasons or errors) or "no reason in its log"

    def stop(self, timeout: float = 10.0) -> None:
        if self.process is not None:
            _stop_process(self.process, "the Playground", timeout)
            self.process = None
        if self._output is not None:
            self._output.close()
            self._output = None

    def __enter__(self) -> PlaygroundProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class _PortMoved(Exception):
    pass


# ---- bot + Playground together ---------------------------------------------------------------


@dataclass
class Stack:
    bot: BotProcess
    playground: PlaygroundProcess
    workdir: Path


@contextlib.contextmanager
def running_stack(
    workdir: Path,
    *,
    bot_port: int = 0,
    playground_port: int = 0,
    module: str = "bot",
    config: PlaygroundConfig = DEFAULT_CONFIG,
) -> Iterator[Stack]:
    """Bot first (the Playground waits for nothing), then the Playground; stopped in reverse."""
    bot = BotProcess(
        data_dir=workdir / "data", log_path=workdir / "bot.log", port=bot_port, module=module
    )
    bot.start()
    try:
        playground = PlaygroundProcess(
            bot_endpoint=bot.messages_url,
            workdir=workdir / "playground",
            config=config,
            port=playground_port,
        )
        playground.start()
        try:
            yield Stack(bot=bot, playground=playground, workdir=workdir)
        finally:
            playground.stop()
    finally:
        bot.stop()


# The committees of the Playground's people in the demo year.
_DEMO_COMMITTEES = {
    ISABELLE.key: ("ch", "clsc"),
    MARC_ANDRE.key: ("clsc",),
    SOPHIE.key: ("ch",),
    JEAN_FRANCOIS.key: ("clsc",),
    NATHALIE.key: ("ch",),
    ETIENNE.key: ("clsc",),
}


def _demo_person(user: PlaygroundUser) -> Any:
    from dialogs.demo import DemoPerson

    return DemoPerson(
        user.aad_object_id.casefold(),
        user.name,
        user.email,
        _DEMO_COMMITTEES[user.key],
        teams_user_id=user.id,
    )


class _NoMessages:
    """The demo is written before the bot starts: nothing is sent (its people are fictional)."""

    async def enqueue(self, items: Any) -> list[str]:
        return []

    async def forget(self, *user_ids: str) -> int:
        return 0

    def schedule(self, job: Any) -> None:
        return None

    def cancel(self, job_id: str) -> None:
        return None

    async def replan(self) -> None:
        return None


def seed_demo(data_dir: Path, config: PlaygroundConfig = DEMO_CONFIG) -> str:
    """Write the demo year into ``data_dir`` (through the product's own code: dialogs/demo.py)
    unless it is there already; returns a line saying what to type."""
    import asyncio
    from datetime import UTC, datetime

    from bot.app import RUNTIME, create_app
    from bot.settings import Settings
    from dialogs.demo import DemoAlreadySeeded, seed_demo_year

    async def seed() -> str:
        logging.getLogger("dialogs").setLevel(logging.WARNING)  # one line per certificate
        runtime = create_app(Settings(data_dir=data_dir))[RUNTIME]
        services = runtime.services
        services.messenger = _NoMessages()
        services.jobs = _NoMessages()
        lead = _demo_person(config.current_user)
        others = [_demo_person(user) for user in config.users]
        try:
            summary = await seed_demo_year(services, datetime.now(UTC), lead, others)
        except DemoAlreadySeeded:
            return "the demo year is already in the data folder"
        finally:
            runtime.store.close()
        report = f"bilan {summary.report_command_args}".strip()
        return (
            f"demo year {summary.period.label} written: {summary.meetings_held} meetings, "
            f"{summary.certificates} certificates, {summary.polls} polls, {summary.topics} "
            f"topics; try « {report} », « présences », « attestation », « sondages », "
            f"« rencontres », « sujets », « planifier », « rencontres passées », "
            f"« ressources essentiels », « supervision »"
        )

    return asyncio.run(seed())


def main(argv: list[str] | None = None) -> int:
    """``make playground``: the bot and the Playground's web UI, until Ctrl-C.

    Everything is kept in ``--dir`` (default ``.playground/``: ``data/`` is the bot's data
    folder, ``playground/`` the Playground's working folder and log, ``bot.log`` the bot's
    log); ``make playground-reset`` deletes it. The person at the keyboard is Isabelle Gagnon,
    an animateur of the shipped community profile. With ``--demo`` a fictional year is written
    the first time (dialogs/demo.py)."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.e2e.playground", description=main.__doc__
    )
    parser.add_argument("--port", type=int, default=56150, help="Playground port (default 56150)")
    parser.add_argument("--bot-port", type=int, default=3978, help="bot port (default 3978)")
    parser.add_argument(
        "--dir", type=Path, default=PLAYGROUND_DIR, help="where everything is kept (.playground)"
    )
    parser.add_argument("--demo", action="store_true", help="write the demo year (once)")
    parser.add_argument("--module", default="bot", help="bot entry module (default: bot)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")

    workdir: Path = args.dir.resolve()
    data_dir = workdir / "data"
    if args.demo:
        logger.info("%s", seed_demo(data_dir))
    bot = BotProcess(
        data_dir=data_dir, log_path=workdir / "bot.log", port=args.bot_port, module=args.module
    )
    playground = PlaygroundProcess(
        bot_endpoint="",
        workdir=workdir / "playground",
        config=DEMO_CONFIG,
        port=args.port,
        record_events=False,
    )
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    try:
        bot.start()
        playground.bot_endpoint = bot.messages_url
        playground.start()
        logger.info("data folder: %s (make playground-reset deletes it)", data_dir)
        logger.info("bot on %s; its log: %s", bot.url, bot.log_path)
        logger.info("Playground log: %s", playground.log_path)
        logger.info(
            "you are %s, animateur of the community; type « aide »", DEMO_CONFIG.current_user.name
        )
        logger.info("open the Playground in a browser: http://localhost:%d", playground.port)
        logger.info("press Ctrl-C to stop")
        while not stop.wait(0.5):
            if bot.process is None or bot.process.poll() is not None:
                logger.error("the bot stopped:\n%s", bot.log_tail())
                return 1
            if playground.process is None or playground.process.poll() is not None:
                logger.error("the Playground stopped:\n%s", playground.log_tail())
                return 1
    except HarnessError as problem:
        logger.error("%s", problem)
        return 1
    finally:
        logger.info("stopping")
        playground.stop()
        bot.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
