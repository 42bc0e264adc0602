"""JSON logs (CDEP_LOG_FORMAT=json) and the operations settings."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.logging_setup import JsonFormatter, configure_logging
from bot.settings import Settings, SettingsError
from tests.bot.conftest import BotHttp


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """Every record of the process, formatted as the JSON option writes it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


def test_one_json_object_per_line_without_exception_text(json_lines: io.StringIO) -> None:
    log = logging.getLogger("bot.test")
    log.info("outbox item %s queued", "welcome:abc", extra={"batch": "b1"})
    try:
        raise ValueError("Mme Tremblay, NAM TREM12345678")
    except ValueError:
        log.exception("turn failed %s", {"activity_id": "a1"})
    lines = json_lines.getvalue().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["level"] == "INFO"
    assert first["logger"] == "bot.test"
    assert first["event"] == "outbox item welcome:abc queued"
    assert first["batch"] == "b1"
    assert first["ts"].endswith("+00:00")
    assert second["level"] == "ERROR"
    assert second["exc_type"] == "ValueError"
    assert any("test_ops_logging.py" in frame for frame in second["stack"])
    assert "Tremblay" not in lines[1]


@pytest.mark.integration
async def test_a_turn_logs_no_message_text(bot_http: BotHttp, json_lines: io.StringIO) -> None:
    secret = "Mme Lapointe ne va pas bien"
    await bot_http.post(bot_http.activity(secret))
    await bot_http.post(bot_http.activity("aide"))
    text = json_lines.getvalue()
    for line in text.splitlines():
        json.loads(line)
    assert "Lapointe" not in text


def test_access_log_lines_keep_no_client_details_or_file_tokens() -> None:
    record = logging.LogRecord(
        "aiohttp.access", logging.INFO, __file__, 1, "%s", ("raw line",), None
    )
    record.first_request_line = "GET /files/abcdef0123456789abcdef0123456789 HTTP/1.1"
    record.response_status = 200
    record.response_size = 512
    record.remote_address = "10.1.2.3"
    record.request_header = "{'User-Agent': 'Teams/1.0'}"
    entry = json.loads(JsonFormatter().format(record))
    assert entry == {
        "ts": entry["ts"],
        "level": "INFO",
        "logger": "aiohttp.access",
        "event": "http request",
        "request": "GET /files/<token> HTTP/1.1",
        "status": 200,
        "size": 512,
    }


def test_configure_logging_replaces_the_handlers() -> None:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        configure_logging("json")
        assert len(root.handlers) == 1
        assert isinstance(root.handlers[0].formatter, JsonFormatter)
        configure_logging("text")
        assert not isinstance(root.handlers[0].formatter, JsonFormatter)
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved[0]:
            root.addHandler(handler)
        root.setLevel(saved[1])


def test_operations_settings() -> None:
    default = Settings.from_env({})
    assert (default.log_format, default.metrics_enabled, default.metrics_token) == (
        "text",
        False,
        "",
    )
    env = {"CDEP_LOG_FORMAT": "JSON", "CDEP_METRICS": "on", "CDEP_METRICS_TOKEN": "t0k"}
    chosen = Settings.from_env(env)
    assert (chosen.log_format, chosen.metrics_enabled, chosen.metrics_token) == (
        "json",
        True,
        "t0k",
    )
    assert "t0k" not in repr(chosen)
    with pytest.raises(SettingsError, match="CDEP_LOG_FORMAT"):
        Settings.from_env({"CDEP_LOG_FORMAT": "xml"})
    with pytest.raises(SettingsError, match="CDEP_METRICS"):
        Settings.from_env({"CDEP_METRICS": "maybe"})
