"""What the bot tells its operator: ``GET /healthz``, ``GET /metrics``, and the counters behind
them. ``install_ops(app)`` (called by ``create_app``) adds the routes, a middleware that times
``POST /api/messages``, and hooks on the adapter's error handler and on the Graph source.

``/healthz`` (always on; App Service health check, the container's HEALTHCHECK) answers 200 when
the bot can work (``ok``, or ``degraded`` when something outside it fails: Teams refusing
messages, Graph failing) and 503 when it cannot (the data folder cannot be written, the
scheduler is not running). Its body holds states, counts, times and codes only: the endpoint is
public, so no id of a person, no message, no job argument.

``/metrics`` (Prometheus text format) exists only when ``CDEP_METRICS=on``; with
``CDEP_METRICS_TOKEN`` set it also wants ``Authorization: Bearer <token>``. Labels are codes.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp import web
from botbuilder.core import TurnContext

from bot.graph import MsGraphAttendanceSource
from bot.metrics import MetricsRegistry, Reading

logger = logging.getLogger(__name__)

_STORE_PROBE_TIMEOUT = 10.0
_PROBE_PREFIX = ".healthz-"


@dataclass
class CheckResult:
    """One start-up check (bot/startup_checks.py): ``code`` is stable, ``level`` is ``ok``,
    ``warning``, ``error`` or ``skipped``, ``message`` is for the operator (no secret, no
    personal data)."""

    code: str
    level: str
    message: str = ""


@dataclass
class GraphActivity:
    """What the Graph source did since start-up (codes and times only)."""

    last_fetch_at: datetime | None = None
    last_fetch_status: str = ""
    last_ok_at: datetime | None = None


@dataclass
class Ops:
    """The operator's view of one running app. ``runtime`` is ``bot.app.Runtime`` (typed
    loosely: bot/app.py imports this module)."""

    runtime: Any
    clock: Callable[[], datetime]
    metrics: MetricsRegistry = field(default_factory=MetricsRegistry)
    graph: GraphActivity = field(default_factory=GraphActivity)
    checks: list[CheckResult] = field(default_factory=list)
    started_at: float = field(default_factory=time.time)
    # /healthz is public: its write probe runs at most once per this many seconds.
    store_probe_ttl: float = 5.0
    _store_probe: tuple[float, dict[str, Any]] | None = None

    def __post_init__(self) -> None:
        m = self.metrics
        m.counter("turns_total", "Activities received on /api/messages, by HTTP status.")
        m.counter(
            "turn_errors_total", "Turns that failed inside the bot (the user got an apology)."
        )
        m.histogram("turn_duration_seconds", "Time to answer POST /api/messages.")
        m.counter("graph_requests_total", "Microsoft Graph requests, by outcome.")
        m.counter("graph_imports_total", "Attendance imports from Graph, by result.")

    # Hooks ------------------------------------------------------------------------------

    def on_graph(self, event: str, outcome: str) -> None:
        if event == "request":
            self.metrics.inc("graph_requests_total", {"outcome": outcome})
        elif event == "fetch":
            self.metrics.inc("graph_imports_total", {"result": outcome})
            now = self.clock()
            self.graph.last_fetch_at = now
            self.graph.last_fetch_status = outcome
            if outcome == "ok":
                self.graph.last_ok_at = now


OPS = web.AppKey("ops", Ops)


def install_ops(app: web.Application, runtime: Any, clock: Callable[[], datetime]) -> Ops:
    """Adds /healthz, /metrics (when enabled) and the counters to ``app``."""
    ops = Ops(runtime, clock)
    app[OPS] = ops
    app.middlewares.append(_time_turns)
    app.router.add_get("/healthz", healthz)
    if runtime.settings.metrics_enabled:
        app.router.add_get("/metrics", metrics)
    previous = runtime.adapter.on_turn_error

    async def counted_turn_error(context: TurnContext, error: Exception) -> None:
        ops.metrics.inc("turn_errors_total")
        if previous is not None:
            await previous(context, error)

    runtime.adapter.on_turn_error = counted_turn_error
    source = runtime.services.components.get("attendance_source")
    if isinstance(source, MsGraphAttendanceSource):
        source.add_listener(ops.on_graph)
    return ops


@web.middleware
async def _time_turns(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    if request.path != "/api/messages" or request.method != "POST":
        return await handler(request)
    ops = request.app[OPS]
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as http_error:
        status = http_error.status
        raise
    finally:
        ops.metrics.observe("turn_duration_seconds", time.perf_counter() - started)
        ops.metrics.inc("turns_total", {"status": str(status)})


# /healthz ---------------------------------------------------------------------------------


def probe_folder(folder: Path) -> dict[str, Any]:
    """Can the data folder be read and written the way the store writes (temp file, fsync,
    rename over, fsync the folder)? Blocking: run it in a thread."""
    opens = folder.is_dir() and os.access(folder, os.R_OK | os.X_OK)
    data_files = sorted(folder.glob("*.json")) if opens else []
    unreadable = [p.name for p in data_files if not os.access(p, os.R_OK)]
    writable = False
    if opens:
        try:
            with tempfile.NamedTemporaryFile(
                "wb", dir=folder, prefix=_PROBE_PREFIX, suffix=".tmp", delete=False
            ) as temp:
                temp.write(b"ok")
                temp.flush()
                os.fsync(temp.fileno())
            target = folder / f"{_PROBE_PREFIX}{os.getpid()}.probe"
            try:
                Path(temp.name).replace(target)
                descriptor = os.open(folder, os.O_RDONLY)
                try:
                    os.fsync(descriptor)
                finally:
                    os.close(descriptor)
                writable = target.read_bytes() == b"ok"
            finally:
                Path(temp.name).unlink(missing_ok=True)
                target.unlink(missing_ok=True)
        except OSError:
            writable = False
    return {
        "opens": opens and not unreadable,
        "writable": writable,
        "data_files": len(data_files),
        "unreadable_files": unreadable,
    }


async def _store_health(ops: Ops, data_dir: Path) -> dict[str, Any]:
    cached = ops._store_probe
    if cached is not None and time.monotonic() - cached[0] < ops.store_probe_ttl:
        return cached[1]
    try:
        async with asyncio.timeout(_STORE_PROBE_TIMEOUT):
            result = await asyncio.to_thread(probe_folder, data_dir)
    except TimeoutError:
        result = {"opens": False, "writable": False, "error": "timeout"}
    ops._store_probe = (time.monotonic(), result)
    return result


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat(timespec="seconds") if moment else None


def _scheduler_health(scheduler: Any, now: datetime) -> dict[str, Any]:
    upcoming = scheduler.next_run()
    next_job = None
    if upcoming is not None:
        job_id, when = upcoming
        # The kind only ("meetings", "polls", "downloads"…): a job id may embed a member key.
        next_job = {
            "kind": job_id.split(":", 1)[0],
            "at": _iso(when),
            "in_seconds": round((when - now).total_seconds()),
        }
    return {"running": scheduler.running, "jobs": len(scheduler.job_ids()), "next_job": next_job}


async def _messenger_health(messenger: Any, now: datetime) -> dict[str, Any]:
    queue = await messenger.queue_health()
    oldest_age = None
    if queue.oldest_created_at:
        try:
            created = datetime.fromisoformat(queue.oldest_created_at)
            oldest_age = max(0, round((now - created).total_seconds()))
        except ValueError:
            oldest_age = None
    stats = messenger.stats
    return {
        "pending": queue.pending,
        "oldest_pending_age_seconds": oldest_age,
        "last_error": queue.last_failure or None,
        "sent": stats.sent,
        "failed": stats.failed,
        "rate_limited": stats.rate_limited,
    }


def _graph_health(runtime: Any, ops: Ops) -> dict[str, Any]:
    configured = "attendance_source" in runtime.services.components
    return {
        "configured": configured,
        "last_import_at": _iso(ops.graph.last_fetch_at),
        "last_import_result": ops.graph.last_fetch_status or None,
        "last_successful_import_at": _iso(ops.graph.last_ok_at),
    }


async def health_report(app: web.Application) -> tuple[int, dict[str, Any]]:
    ops = app[OPS]
    runtime = ops.runtime
    now = ops.clock()
    store = await _store_health(ops, runtime.settings.data_dir)
    scheduler = _scheduler_health(runtime.scheduler, now)
    try:
        messenger = await _messenger_health(runtime.messenger, now)
    except Exception as error:  # the outbox file cannot be read: report, don't crash
        logger.exception("healthz: cannot read the outbox")
        messenger = {"error": type(error).__name__}
    graph = _graph_health(runtime, ops)
    failing = not (store["opens"] and store["writable"] and scheduler["running"])
    degraded = (
        "error" in messenger
        or bool(messenger.get("last_error"))
        or graph["last_import_result"] not in (None, "ok", "not_ready", "not_found")
        or any(check.level == "error" for check in ops.checks)
    )
    status = "failing" if failing else "degraded" if degraded else "ok"
    body = {
        "status": status,
        "community": runtime.services.profile.current.short_name,
        "time": _iso(now),
        "uptime_seconds": round(time.time() - ops.started_at),
        "store": store,
        "scheduler": scheduler,
        "messenger": messenger,
        "graph": graph,
        "startup_checks": [
            {"code": check.code, "level": check.level, "message": check.message}
            for check in ops.checks
        ],
    }
    return (503 if failing else 200), body


async def healthz(request: web.Request) -> web.Response:
    status, body = await health_report(request.app)
    return web.json_response(body, status=status, headers={"Cache-Control": "no-store"})


# /metrics ---------------------------------------------------------------------------------


async def metrics(request: web.Request) -> web.Response:
    ops = request.app[OPS]
    runtime = ops.runtime
    token = runtime.settings.metrics_token
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), token.encode()):
            return web.json_response({"error": "unauthorized"}, status=401)
    stats = runtime.messenger.stats
    try:
        pending = float((await runtime.messenger.queue_health()).pending)
    except Exception:
        pending = float("nan")
    graph_429 = ops.metrics.value("graph_requests_total", {"outcome": "429"})
    upcoming = runtime.scheduler.next_run()
    readings = [
        Reading("outbox_pending", "Proactive messages waiting to be sent.", ((None, pending),)),
        Reading(
            "outbox_messages_total",
            "Proactive messages finished since start-up, by result.",
            (({"result": "sent"}, stats.sent), ({"result": "failed"}, stats.failed)),
            kind="counter",
        ),
        Reading(
            "outbox_retries_total",
            "Proactive send attempts retried since start-up.",
            ((None, stats.retries),),
            kind="counter",
        ),
        Reading(
            "throttled_total",
            "HTTP 429 (too many requests) answers since start-up, by service.",
            (({"service": "teams"}, stats.rate_limited), ({"service": "graph"}, graph_429)),
            kind="counter",
        ),
        Reading(
            "scheduler_running",
            "1 when the job scheduler runs.",
            ((None, float(runtime.scheduler.running)),),
        ),
        Reading("scheduler_jobs", "Jobs planned.", ((None, len(runtime.scheduler.job_ids())),)),
        Reading(
            "scheduler_next_run_timestamp_seconds",
            "When the next job runs (Unix time; 0 when none).",
            ((None, upcoming[1].timestamp() if upcoming else 0.0),),
        ),
        Reading(
            "start_time_seconds", "When the process started (Unix time).", ((None, ops.started_at),)
        ),
    ]
    return web.Response(
        text=ops.metrics.render(readings),
        content_type="text/plain",
        charset="utf-8",
        headers={"Cache-Control": "no-store"},
    )
