"""Logging for ``python -m bot``: readable text (default) or one JSON object per line
(``CDEP_LOG_FORMAT=json``) for a log collector such as Azure Monitor.

The project's rule is that log messages carry ids and codes only, never message text or profile
fields. The JSON form keeps to it for what it adds: an exception is written as its class and its
stack frames (file, line, function), never the exception's own text, which could quote data.
"""

from __future__ import annotations

import json
import logging
import re
import traceback
from datetime import UTC, datetime
from typing import Any

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Attributes every LogRecord has; anything else was passed with ``extra=`` and is kept.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}


# A download link's token is a capability: it never goes to the logs.
_FILE_TOKEN = re.compile(r"/files/[^\s?\"]+")


def _access_entry(record: logging.LogRecord) -> dict[str, Any]:
    """aiohttp's access log, reduced to the request line (file tokens hidden), status and size:
    no client address, no user agent, no referrer."""
    line = str(getattr(record, "first_request_line", ""))
    return {
        "event": "http request",
        "request": _FILE_TOKEN.sub("/files/<token>", line),
        "status": getattr(record, "response_status", None),
        "size": getattr(record, "response_size", None),
    }


class JsonFormatter(logging.Formatter):
    """``{"ts", "level", "logger", "event", …extra, "exc_type", "stack"}`` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        if record.name == "aiohttp.access":
            access = {
                "ts": datetime.fromtimestamp(record.created, UTC).isoformat(
                    timespec="milliseconds"
                ),
                "level": record.levelname,
                "logger": record.name,
                **_access_entry(record),
            }
            return json.dumps(access, ensure_ascii=False, separators=(",", ":"))
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "event": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value if isinstance(value, str | int | float | bool) else str(value)
        if record.exc_info and record.exc_info[0] is not None:
            error_type, _, tb = record.exc_info
            entry["exc_type"] = error_type.__name__
            entry["stack"] = [
                f"{frame.filename}:{frame.lineno}:{frame.name}"
                for frame in traceback.extract_tb(tb)
            ]
        return json.dumps(entry, ensure_ascii=False, separators=(",", ":"))


def configure_logging(log_format: str = "text", level: int = logging.INFO) -> None:
    """Replaces the root handlers with one stream handler in the chosen format."""
    handler = logging.StreamHandler()
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
