"""Proactive messages: the outbox worker that writes to Teams when no one asked.

Features never call the connector for a proactive message; they put ``OutboxItem``s in the
outbox through ``ProactiveMessenger.enqueue`` and this module sends them:

- to a conversation reference stored by ``remember`` (called only from inside an authenticated
  turn), or to a new 1:1 chat it creates with the user's 29: id and the tenant id;
- within Teams' limits (PLATFORM.md §5): per conversation 7 in any 1 s, 8 in any 2 s, 60 in any
  30 s, 1800 in any hour, and globally a rate well under the 50 requests/s per app and tenant;
- retrying 412, 429, 502, 503 and 504 after ``Retry-After`` when given, else after a
  decorrelated-jitter exponential backoff, at most ``max_attempts`` times;
- at most once per item id: ``enqueue`` ignores known ids, and an item is marked sent as soon as
  the connector accepts it. A send holds one of ``max_in_flight`` places until its sent mark is
  durable (one journal fsync, shared by the marks of that moment), so a kill -9 can resend at
  worst ``max_in_flight`` messages;
- from a queue kept in storage, so a restart resumes where the last run stopped.

Messages to one conversation go out in enqueue order: each target has one "lane" task that
sends its items one after the other and holds them through their retries.

Logs carry ids only (item ids, batch ids, reason codes), never message text.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import math
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from botbuilder.core import BotAdapter, TurnContext
from botbuilder.schema import (
    Activity,
    ChannelAccount,
    ConversationParameters,
    ConversationReference,
)
from msrest.exceptions import ClientRequestError, HttpOperationError

from bot.connector import PACED_BY_CALLER
from storage.conversation_repository import (
    ConversationRecord,
    ConversationRepository,
    conversation_key,
    personal_key,
)
from storage.outbox_repository import (
    BatchProgress,
    NewPersonalChat,
    OutboxItem,
    OutboxRepository,
    OutboxTarget,
    iso_utc,
)

logger = logging.getLogger(__name__)

RETRYABLE_STATUSES = frozenset({412, 429, 502, 503, 504})
# Send / create conversation, per bot and per thread (PLATFORM.md §5): (count, seconds).
TEAMS_THREAD_LIMITS: tuple[tuple[int, float], ...] = (
    (7, 1.0),
    (8, 2.0),
    (60, 30.0),
    (1800, 3600.0),
)
# Teams answers 403 with one of these when the user blocked or removed the bot.
_BLOCKED_MARKERS = ("MessageWritesBlocked", "ConversationBlockedByUser")
_CHANNEL_THREAD_SUFFIX = ";messageid="
_GLOBAL = ""
_MAX_REMEMBERED = 10_000
_PRUNE_EVERY = 24 * 3600.0


# --- Pure helpers (unit-tested with an injected clock) -----------------------------------


@dataclass
class Slot:
    """One send counted by a ``SlidingWindowThrottle``; it counts until ``end`` + window."""

    end: float


class SlidingWindowThrottle:
    """Counts sends per key in sliding windows: ``((7, 1.0), (8, 2.0))`` allows at most 7 sends
    in any 1 s and 8 in any 2 s. A send holds its slot from ``reserve`` until ``complete``, so
    a slow request cannot bring the following ones closer together than the limits allow."""

    def __init__(self, limits: Sequence[tuple[int, float]]) -> None:
        if not limits or any(count < 1 or window <= 0 for count, window in limits):
            raise ValueError("limits are (count >= 1, window > 0) pairs")
        self._limits = tuple(limits)
        self._horizon = max(window for _, window in self._limits)
        self._slots: dict[str, list[Slot]] = {}

    def delay(self, key: str, now: float) -> float:
        """Seconds to wait before the next send to ``key`` fits every window (0.0: now)."""
        slots = self._live_slots(key, now)
        wait = 0.0
        for count, window in self._limits:
            ends = sorted(slot.end for slot in slots if slot.end > now - window)
            if len(ends) >= count:
                wait = max(wait, ends[len(ends) - count] + window - now)
        return wait

    def reserve(self, key: str, now: float) -> Slot:
        slot = Slot(end=now)
        self._slots.setdefault(key, []).append(slot)
        return slot

    @staticmethod
    def complete(slot: Slot, now: float) -> None:
        slot.end = max(slot.end, now)

    def _live_slots(self, key: str, now: float) -> list[Slot]:
        slots = self._slots.get(key)
        if not slots:
            return []
        live = [slot for slot in slots if slot.end > now - self._horizon]
        if live:
            self._slots[key] = live
        else:
            del self._slots[key]
        return live


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or HTTP date); None if absent."""
    if not value or not value.strip():
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        try:
            when = parsedate_to_datetime(value.strip())
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - now).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


def decorrelated_jitter(previous: float, base: float, cap: float, rng: random.Random) -> float:
    """Next backoff ("decorrelated jitter"): uniform in [base, 3 * previous], at most ``cap``."""
    return min(cap, rng.uniform(base, max(base, previous * 3)))


@dataclass(frozen=True)
class DeliveryFailure:
    """Why one attempt failed. ``reason`` is the code stored on a failed item."""

    reason: str
    retryable: bool
    retry_after: float | None = None
    blocked: bool = False


def classify_failure(error: BaseException, now: datetime, *, request_sent: bool) -> DeliveryFailure:
    """Maps a connector error to a retry decision. ``request_sent`` is False when the error came
    before the message could have gone out (then any error may be retried)."""
    if isinstance(error, HttpOperationError):
        response = error.response
        status = getattr(response, "status_code", None) or getattr(response, "status", None)
        headers = getattr(response, "headers", None) or {}
        reason = f"http_{status}"
        if status in RETRYABLE_STATUSES:
            return DeliveryFailure(reason, True, parse_retry_after(headers.get("Retry-After"), now))
        if status == 403 and _mentions_blocked(error):
            return DeliveryFailure("unreachable", False, blocked=True)
        return DeliveryFailure(reason, False)
    if isinstance(error, ClientRequestError | OSError | TimeoutError):
        return DeliveryFailure("network", True)
    return DeliveryFailure("error", not request_sent)


def _mentions_blocked(error: HttpOperationError) -> bool:
    text = getattr(error.response, "text", "")
    details = [text if isinstance(text, str) else "", str(getattr(error, "message", ""))]
    inner = getattr(getattr(error, "error", None), "error", None)
    details.append(str(getattr(inner, "code", "") or ""))
    return any(marker in detail for marker in _BLOCKED_MARKERS for detail in details)


# --- The messenger ------------------------------------------------------------------------


@dataclass
class DeliveryStats:
    """Counters since start-up, for logs and tests."""

    sent: int = 0
    failed: int = 0
    retries: int = 0
    rate_limited: int = 0
    created_chats: int = 0
    last_failure: str = ""  # reason code of the last failed attempt (``http_429``, ``network``…)


@dataclass(frozen=True)
class QueueHealth:
    pending: int
    oldest_created_at: str  # UTC ISO text, "" when nothing is pending
    last_failure: str


class _Stopped(Exception):
    """The messenger is stopping: leave the item pending for the next run."""


@dataclass(frozen=True)
class _Attempt:
    activity_id: str | None = None
    failure: DeliveryFailure | None = None
    record: ConversationRecord | None = None


class ProactiveMessenger:
    """Sends the outbox. ``clock`` returns the aware current time (outbox schedule);
    ``monotonic`` drives the throttles."""

    def __init__(
        self,
        adapter: BotAdapter,
        app_id: str,
        conversations: ConversationRepository,
        outbox: OutboxRepository,
        clock: Callable[[], datetime],
        *,
        bot_id: str = "",
        per_conversation_limits: Sequence[tuple[int, float]] = TEAMS_THREAD_LIMITS,
        global_rate: int = 47,
        max_in_flight: int = 8,
        max_attempts: int = 8,
        backoff_base: float = 1.0,
        backoff_cap: float = 60.0,
        max_retry_after: float = 600.0,
        poll_interval: float = 1.0,
        progress_every: int = 50,
        retention: timedelta = timedelta(days=30),
        fetch_limit: int = 1000,
        monotonic: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self._adapter = adapter
        self._app_id = app_id
        self._bot_id = bot_id or f"28:{app_id}"
        self._conversations = conversations
        self._outbox = outbox
        self._clock = clock
        self._per_conversation = SlidingWindowThrottle(per_conversation_limits)
        self._global = SlidingWindowThrottle(((global_rate, 1.0),))
        self._global_lock = asyncio.Lock()
        self._in_flight = asyncio.Semaphore(max_in_flight)
        # Sends whose sent mark is not yet durable: what a kill -9 could send twice.
        self._unmarked = asyncio.Semaphore(max_in_flight)
        self._max_attempts = max_attempts
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap
        self._max_retry_after = max_retry_after
        self._poll_interval = poll_interval
        self._progress_every = progress_every
        self._retention = retention
        self._fetch_limit = fetch_limit
        self._monotonic = monotonic
        self._rng = rng or random.Random()
        self._stopping = asyncio.Event()
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._enqueued = 0  # bumps on every enqueue, so a stale count cannot claim "idle"
        self._worker: asyncio.Task[None] | None = None
        self._lanes: dict[str, asyncio.Task[None]] = {}
        self._unconfirmed: dict[str, tuple[str, int]] = {}
        self._remembered: dict[str, ConversationRecord] = {}
        self._done_in_batch: dict[str, int] = {}
        self._last_prune: float | None = None
        self.stats = DeliveryStats()

    # Public API ----------------------------------------------------------------------------

    async def remember(self, turn_context: TurnContext) -> ConversationRecord | None:
        """Stores or refreshes where this turn's conversation can be reached later. Call it
        only from inside a turn, i.e. after the adapter authenticated the activity. A storage
        error is logged, not raised: the next activity will try again."""
        record = self._record_for(turn_context.activity)
        if record is None:
            return None
        known = self._remembered.get(record.key)
        if known is not None and replace(known, updated_at=record.updated_at) == record:
            return known
        try:
            await self._conversations.save(record)
        except Exception:
            logger.exception("could not store the conversation reference %s", record.key)
            return None
        if len(self._remembered) >= _MAX_REMEMBERED:
            self._remembered.clear()
        self._remembered[record.key] = record
        return record

    async def enqueue(self, items: Sequence[OutboxItem]) -> list[str]:
        """Queues the items whose id is new; returns those ids. Ids already known, even sent
        or failed ones, are ignored, so a message goes out at most once."""
        now = iso_utc(self._clock())
        stamped = [item if item.created_at else replace(item, created_at=now) for item in items]
        added = await self._outbox.enqueue(stamped)
        batches = sorted({item.batch for item in stamped if item.batch})
        logger.info("outbox: %d of %d items queued, batches %s", len(added), len(items), batches)
        if added:
            self._enqueued += 1
            self._idle.clear()
        self._wake.set()
        return added

    async def forget(self, *user_ids: str, mentions: Iterable[str] = ()) -> int:
        """Erasure ("mes données"): drops the user's stored 1:1 chats and every outbox item
        addressed to them. ``user_ids``: member key, AAD object id and/or 29: id. Messages to
        others that mention the user (ids, or ``mentions``: name, e-mail) are removed or
        redacted too."""
        ids = {u for u in user_ids if u}
        removed = await self._outbox.forget_user(ids)
        removed += await self._outbox.forget_member(ids | {m for m in mentions if m})
        removed += await self._conversations.forget_user(ids)
        self._remembered = {
            k: r for k, r in self._remembered.items() if not any(r.matches_user(u) for u in ids)
        }
        logger.info("messenger forgot a user: %d record(s) removed", removed)
        return removed

    async def start(self) -> None:
        """Starts the background worker; pending items from an earlier run go out first."""
        if self._worker is not None and not self._worker.done():
            return
        self._stopping.clear()
        self._worker = asyncio.create_task(self._dispatch(), name="proactive-messenger")

    async def stop(self, grace: float = 10.0) -> None:
        """Stops taking items and waits up to ``grace`` seconds for messages in flight.
        ``grace=0`` cancels at once (like a crash: the messages in flight may go out again
        after a restart)."""
        self._stopping.set()
        self._wake.set()
        tasks = [task for task in (self._worker, *self._lanes.values()) if task is not None]
        pending: set[asyncio.Task[None]] = set(tasks)
        if tasks and grace > 0:
            _, pending = await asyncio.wait(tasks, timeout=grace)
        if pending:
            if grace > 0:
                logger.warning(
                    "messenger stop: %d tasks still busy after %.1fs", len(pending), grace
                )
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        self._worker = None

    async def flush(self) -> None:
        """Waits until the outbox has nothing pending or in flight (needs ``start``). Bound
        it with ``asyncio.timeout``."""
        await self._idle.wait()

    async def progress(self, batch: str) -> BatchProgress:
        return await self._outbox.progress(batch)

    async def queue_health(self) -> QueueHealth:
        """For /healthz and /metrics (bot/ops.py): pending items, when the oldest pending one
        was queued, and the reason code of the last failed attempt. Ids and codes only."""
        pending = await self._outbox.count_pending()
        oldest = await self._outbox.due(datetime.max.replace(tzinfo=UTC), 1) if pending else []
        return QueueHealth(
            pending=pending,
            oldest_created_at=oldest[0].created_at if oldest else "",
            last_failure=self.stats.last_failure,
        )

    # Conversation records ----------------------------------------------------------------

    def _record_for(self, activity: Activity) -> ConversationRecord | None:
        conversation = activity.conversation
        if conversation is None or not conversation.id or not activity.service_url:
            return None
        reference = TurnContext.get_conversation_reference(activity)
        reference.activity_id = None
        tenant_id = conversation.tenant_id or _tenant_of(activity.channel_data)
        sender = activity.from_property
        user_id = aad_object_id = ""
        if conversation.conversation_type == "personal" and sender is not None and sender.id:
            user_id = sender.id
            aad_object_id = getattr(sender, "aad_object_id", None) or ""
            key = personal_key(aad_object_id or user_id)
        else:
            conversation_id = conversation.id
            if conversation.conversation_type == "channel":
                # Post new threads to the channel, not replies into the thread we were called from.
                conversation_id = conversation_id.split(_CHANNEL_THREAD_SUFFIX)[0]
                reference.conversation.id = conversation_id
            key = conversation_key(conversation_id)
        return ConversationRecord(
            key=key,
            reference=reference.serialize(),
            tenant_id=tenant_id or "",
            service_url=activity.service_url,
            user_id=user_id,
            aad_object_id=aad_object_id,
            updated_at=iso_utc(self._clock()),
        )

    # Worker ------------------------------------------------------------------------------

    async def _dispatch(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                await self._housekeeping()
                due = await self._outbox.due(self._clock(), self._fetch_limit)
                self._open_lanes(due)
                await self._note_idle()
            except Exception:
                logger.exception(
                    "outbox: dispatch round failed; next round in %.1fs", self._poll_interval
                )
            try:
                await asyncio.wait_for(self._wake.wait(), self._poll_interval)
            except TimeoutError:
                pass

    async def _note_idle(self) -> None:
        if self._lanes or self._unconfirmed:
            self._idle.clear()
            return
        enqueued = self._enqueued
        pending = await self._outbox.count_pending()
        if pending or enqueued != self._enqueued or self._lanes:
            self._idle.clear()
        else:
            self._idle.set()

    def _open_lanes(self, due: Sequence[OutboxItem]) -> None:
        if self._stopping.is_set():
            return
        by_lane: dict[str, list[OutboxItem]] = {}
        for item in due:
            lane = _lane_of(item.target)
            if lane not in self._lanes and item.id not in self._unconfirmed:
                by_lane.setdefault(lane, []).append(item)
        for lane, items in by_lane.items():
            task = asyncio.create_task(self._run_lane(items), name="proactive-messenger-lane")
            self._lanes[lane] = task
            task.add_done_callback(functools.partial(self._lane_finished, lane))

    def _lane_finished(self, lane: str, task: asyncio.Task[None]) -> None:
        self._lanes.pop(lane, None)
        if not task.cancelled() and task.exception() is not None:
            logger.error("outbox lane %s stopped on an error", lane, exc_info=task.exception())
        self._wake.set()

    async def _housekeeping(self) -> None:
        for item_id, (activity_id, attempts) in list(self._unconfirmed.items()):
            try:
                await self._outbox.mark_sent(
                    item_id, activity_id, at=self._clock(), attempts=attempts
                )
            except Exception:
                logger.exception("outbox item %s: still cannot mark it sent", item_id)
                return
            del self._unconfirmed[item_id]
        now = self._monotonic()
        if self._last_prune is None or now - self._last_prune >= _PRUNE_EVERY:
            self._last_prune = now
            try:
                removed = await self._outbox.prune(self._clock() - self._retention)
            except Exception:
                logger.exception("outbox: prune failed")
            else:
                if removed:
                    logger.info("outbox: pruned %d finished items", removed)

    async def _run_lane(self, items: Sequence[OutboxItem]) -> None:
        for item in items:
            if self._stopping.is_set():
                return
            try:
                await self._deliver(item)
            except _Stopped:
                return

    async def _deliver(self, item: OutboxItem) -> None:
        attempts = item.attempts
        backoff = self._backoff_base
        while True:
            attempts += 1
            async with self._unmarked:
                attempt = await self._attempt(item)
                if attempt.activity_id is not None:
                    await self._record_sent(item, attempt.activity_id, attempts)
                    return
            failure = attempt.failure or DeliveryFailure("error", False)
            self.stats.last_failure = failure.reason
            if failure.reason == "http_429":
                self.stats.rate_limited += 1
            if failure.blocked and attempt.record is not None:
                await self._conversations.mark_unreachable(attempt.record.key)
                self._remembered.pop(attempt.record.key, None)
            if not failure.retryable or attempts >= self._max_attempts:
                await self._record_failed(item, failure.reason, attempts)
                return
            if failure.retry_after is not None:
                delay = min(failure.retry_after, self._max_retry_after)
            else:
                backoff = decorrelated_jitter(
                    backoff, self._backoff_base, self._backoff_cap, self._rng
                )
                delay = backoff
            self.stats.retries += 1
            logger.info(
                "outbox item %s: %s, attempt %d, retry in %.2fs",
                item.id,
                failure.reason,
                attempts,
                delay,
            )
            await self._outbox.reschedule(
                item.id, self._clock() + timedelta(seconds=delay), attempts
            )
            await self._pause(delay)

    async def _attempt(self, item: OutboxItem) -> _Attempt:
        try:
            activity = Activity.deserialize(item.activity)
        except Exception:
            return _Attempt(failure=DeliveryFailure("invalid_activity", False))
        record, failure = await self._resolve(item.target)
        if record is None:
            return _Attempt(failure=failure)
        try:
            reference = ConversationReference.deserialize(record.reference)
        except Exception:
            return _Attempt(failure=DeliveryFailure("invalid_reference", False), record=record)
        key = record.conversation_id or record.key
        await self._pause(self._per_conversation.delay(key, self._monotonic()))
        async with self._in_flight:
            slots = await self._reserve(key)
            try:
                activity_id = await self._send(reference, activity)
            except _SendError as error:
                failure = classify_failure(
                    error.cause, self._clock(), request_sent=error.request_sent
                )
                if failure.reason == "error":
                    logger.error(
                        "outbox item %s: unexpected send error", item.id, exc_info=error.cause
                    )
                return _Attempt(failure=failure, record=record)
            finally:
                self._complete(slots)
        return _Attempt(activity_id=activity_id, record=record)

    async def _resolve(
        self, target: OutboxTarget
    ) -> tuple[ConversationRecord | None, DeliveryFailure | None]:
        if isinstance(target, NewPersonalChat):
            record = await self._conversations.find_personal(target.user_id)
            if record is None:
                return await self._create_personal_chat(target)
        else:
            record = await self._conversations.get(target)
            if record is None:
                return None, DeliveryFailure("unknown_conversation", False)
        if record.unreachable:
            return None, DeliveryFailure("unreachable", False)
        return record, None

    async def _create_personal_chat(
        self, target: NewPersonalChat
    ) -> tuple[ConversationRecord | None, DeliveryFailure | None]:
        captured: list[ConversationReference] = []

        async def keep_reference(turn_context: TurnContext) -> None:
            captured.append(TurnContext.get_conversation_reference(turn_context.activity))

        parameters = ConversationParameters(
            is_group=False,
            bot=ChannelAccount(id=self._bot_id),
            members=[ChannelAccount(id=target.user_id)],
            tenant_id=target.tenant_id,
            channel_data={"tenant": {"id": target.tenant_id}},
        )
        async with self._in_flight:
            slots = await self._reserve(f"create:{target.user_id}")
            try:
                await self._adapter.create_conversation(
                    self._app_id,
                    keep_reference,
                    parameters,
                    channel_id="msteams",
                    service_url=target.service_url,
                )
            except Exception as error:
                # Creating a 1:1 chat twice returns the same chat, so any error may be retried.
                return None, classify_failure(error, self._clock(), request_sent=False)
            finally:
                self._complete(slots)
        if not captured:
            return None, DeliveryFailure("error", True)
        reference = captured[0]
        reference.activity_id = None
        reference.user = ChannelAccount(id=target.user_id)
        reference.conversation.conversation_type = "personal"
        record = ConversationRecord(
            key=personal_key(target.user_id),
            reference=reference.serialize(),
            tenant_id=target.tenant_id,
            service_url=target.service_url,
            user_id=target.user_id,
            updated_at=iso_utc(self._clock()),
        )
        await self._conversations.save(record)
        self.stats.created_chats += 1
        return record, None

    async def _send(self, reference: ConversationReference, activity: Activity) -> str:
        """Sends through ``continue_conversation``; returns the new activity id. An activity
        that carries an ``id`` replaces that message in place (a card refreshed by a job). The
        callback keeps the error itself, because the adapter would hand it to ``on_turn_error``."""
        outcome: dict[str, Any] = {}

        async def send(turn_context: TurnContext) -> None:
            try:
                if activity.id:
                    await turn_context.update_activity(activity)
                    outcome["id"] = activity.id
                    return
                response = await turn_context.send_activity(activity)
            except Exception as error:
                outcome["error"] = error
            else:
                outcome["id"] = (getattr(response, "id", None) or "") if response else ""

        paced = PACED_BY_CALLER.set(True)  # 429s come back here (classify_failure), not retried
        try:
            await self._adapter.continue_conversation(reference, send, self._app_id)
        except Exception as error:
            raise _SendError(error, request_sent=False) from error
        finally:
            PACED_BY_CALLER.reset(paced)
        if "error" in outcome:
            raise _SendError(outcome["error"], request_sent=True)
        if "id" not in outcome:
            raise _SendError(RuntimeError("the send callback did not run"), request_sent=False)
        return str(outcome["id"])

    async def _reserve(self, key: str) -> tuple[Slot, Slot]:
        # One queue for the global rate; the conversation check is normally already clear.
        async with self._global_lock:
            while True:
                now = self._monotonic()
                wait = max(self._global.delay(_GLOBAL, now), self._per_conversation.delay(key, now))
                if wait <= 0:
                    return self._per_conversation.reserve(key, now), self._global.reserve(
                        _GLOBAL, now
                    )
                await self._pause(wait)

    def _complete(self, slots: tuple[Slot, Slot]) -> None:
        now = self._monotonic()
        for slot in slots:
            SlidingWindowThrottle.complete(slot, now)

    async def _pause(self, seconds: float) -> None:
        """Sleeps, unless the messenger stops first (then raises ``_Stopped``)."""
        if seconds > 0:
            try:
                await asyncio.wait_for(self._stopping.wait(), seconds)
            except TimeoutError:
                return
        if self._stopping.is_set():
            raise _Stopped

    async def _record_sent(self, item: OutboxItem, activity_id: str, attempts: int) -> None:
        self.stats.sent += 1
        try:
            await self._outbox.mark_sent(item.id, activity_id, at=self._clock(), attempts=attempts)
        except Exception:
            logger.exception("outbox item %s was sent but is not yet marked sent", item.id)
            self._unconfirmed[item.id] = (activity_id, attempts)
            return
        await self._note_done(item)

    async def _record_failed(self, item: OutboxItem, reason: str, attempts: int) -> None:
        self.stats.failed += 1
        logger.warning("outbox item %s failed: %s after %d attempts", item.id, reason, attempts)
        await self._outbox.mark_failed(item.id, reason, at=self._clock(), attempts=attempts)
        await self._note_done(item)

    async def _note_done(self, item: OutboxItem) -> None:
        if not item.batch:
            return
        done = self._done_in_batch.get(item.batch, 0) + 1
        self._done_in_batch[item.batch] = done
        if done % self._progress_every:
            return
        try:
            progress = await self._outbox.progress(item.batch)
        except Exception:
            logger.exception("outbox: could not read the progress of batch %s", item.batch)
            return
        logger.info(
            "outbox batch %s: %d sent, %d failed, %d pending of %d",
            item.batch,
            progress.sent,
            progress.failed,
            progress.pending,
            progress.total,
        )


class _SendError(Exception):
    def __init__(self, cause: BaseException, *, request_sent: bool) -> None:
        super().__init__(type(cause).__name__)
        self.cause = cause
        self.request_sent = request_sent


def _lane_of(target: OutboxTarget) -> str:
    return personal_key(target.user_id) if isinstance(target, NewPersonalChat) else target


def _tenant_of(channel_data: Any) -> str:
    if isinstance(channel_data, dict):
        tenant = channel_data.get("tenant") or {}
        return str(tenant.get("id") or "") if isinstance(tenant, dict) else ""
    tenant = getattr(channel_data, "tenant", None)
    return str(getattr(tenant, "id", "") or "")
