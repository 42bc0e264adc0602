"""Counters and a latency histogram, written in the Prometheus text format (version 0.0.4).

No third-party client: the bot has a handful of series and one process. Label values are
fixed codes (HTTP status, outcome names, data source names) chosen by the code, never a user
id, a conversation id or any text from a message, so ``/metrics`` cannot leak personal data.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_LABEL_VALUE = re.compile(r"[A-Za-z0-9_.:-]{0,64}")
# Seconds. A turn normally answers in milliseconds; Teams gives up after ~15 s.
LATENCY_BUCKETS: tuple[float, ...] = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15)

Labels = tuple[tuple[str, str], ...]


def _labels(values: Mapping[str, str] | None) -> Labels:
    if not values:
        return ()
    for name, value in values.items():
        if not _NAME.fullmatch(name) or not _LABEL_VALUE.fullmatch(value):
            # Label values are codes; anything else is a programming error, not data.
            raise ValueError(f"label {name!r} must be a short code")
    return tuple(sorted(values.items()))


def _format_labels(labels: Labels, extra: Labels = ()) -> str:
    pairs = labels + extra
    if not pairs:
        return ""
    return "{" + ",".join(f'{name}="{value}"' for name, value in pairs) + "}"


def _number(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


@dataclass
class _Family:
    name: str
    help: str
    kind: str  # counter | gauge | histogram


@dataclass
class _Histogram:
    buckets: tuple[float, ...]
    counts: list[int] = field(default_factory=list)
    total: float = 0.0
    count: int = 0

    def __post_init__(self) -> None:
        self.counts = [0] * len(self.buckets)

    def observe(self, value: float) -> None:
        for index, bound in enumerate(self.buckets):
            if value <= bound:
                self.counts[index] += 1
        self.total += value
        self.count += 1


class MetricsRegistry:
    """Counters and histograms kept in memory since start-up; other series are read at scrape
    time by the caller and passed to :meth:`render`. Thread-safe (jobs may run in threads)."""

    def __init__(self, prefix: str = "veilleuse") -> None:
        self._prefix = prefix
        self._lock = threading.Lock()
        self._families: dict[str, _Family] = {}
        self._counters: dict[str, dict[Labels, float]] = {}
        self._histograms: dict[str, dict[Labels, _Histogram]] = {}
        self._buckets: dict[str, tuple[float, ...]] = {}

    def counter(self, name: str, help_text: str) -> None:
        self._declare(name, help_text, "counter")
        self._counters.setdefault(self._full(name), {})

    def histogram(
        self, name: str, help_text: str, buckets: Sequence[float] = LATENCY_BUCKETS
    ) -> None:
        self._declare(name, help_text, "histogram")
        self._histograms.setdefault(self._full(name), {})
        self._buckets[self._full(name)] = tuple(sorted(buckets))

    def inc(self, name: str, labels: Mapping[str, str] | None = None, by: float = 1.0) -> None:
        key = _labels(labels)
        with self._lock:
            series = self._counters[self._full(name)]
            series[key] = series.get(key, 0.0) + by

    def observe(self, name: str, value: float, labels: Mapping[str, str] | None = None) -> None:
        full = self._full(name)
        key = _labels(labels)
        with self._lock:
            series = self._histograms[full]
            histogram = series.get(key)
            if histogram is None:
                histogram = series[key] = _Histogram(self._buckets[full])
            histogram.observe(value)

    def value(self, name: str, labels: Mapping[str, str] | None = None) -> float:
        """A counter's current value (tests, health)."""
        with self._lock:
            return self._counters[self._full(name)].get(_labels(labels), 0.0)

    def render(self, readings: Iterable[Reading] = ()) -> str:
        lines: list[str] = []
        with self._lock:
            for full, family in self._families.items():
                lines.append(f"# HELP {full} {family.help}")
                lines.append(f"# TYPE {full} {family.kind}")
                if family.kind == "counter":
                    for labels, value in sorted(self._counters[full].items()):
                        lines.append(f"{full}{_format_labels(labels)} {_number(value)}")
                else:
                    for labels, histogram in sorted(
                        self._histograms[full].items(), key=lambda pair: pair[0]
                    ):
                        lines.extend(_histogram_lines(full, labels, histogram))
        for reading in readings:
            full = self._full(reading.name)
            lines.append(f"# HELP {full} {reading.help}")
            lines.append(f"# TYPE {full} {reading.kind}")
            for label_values, value in reading.values:
                lines.append(f"{full}{_format_labels(_labels(label_values))} {_number(value)}")
        return "\n".join(lines) + "\n"

    def _declare(self, name: str, help_text: str, kind: str) -> None:
        full = self._full(name)
        if not _NAME.fullmatch(full):
            raise ValueError(f"bad metric name {full!r}")
        self._families.setdefault(full, _Family(full, help_text, kind))

    def _full(self, name: str) -> str:
        return f"{self._prefix}_{name}"


@dataclass(frozen=True)
class Reading:
    """A series read at scrape time from elsewhere (the outbox, the messenger's counters):
    ``values`` holds (labels, value) pairs; ``kind`` is ``gauge`` or ``counter``."""

    name: str
    help: str
    values: tuple[tuple[Mapping[str, str] | None, float], ...]
    kind: str = "gauge"


def _histogram_lines(full: str, labels: Labels, histogram: _Histogram) -> list[str]:
    lines = []
    for bound, count in zip(histogram.buckets, histogram.counts, strict=True):
        le = (("le", _number(bound)),)
        lines.append(f"{full}_bucket{_format_labels(labels, le)} {count}")
    inf = (("le", "+Inf"),)
    lines.append(f"{full}_bucket{_format_labels(labels, inf)} {histogram.count}")
    lines.append(f"{full}_sum{_format_labels(labels)} {_number(histogram.total)}")
    lines.append(f"{full}_count{_format_labels(labels)} {histogram.count}")
    return lines
