"""The date-sensitive tests at each hard date: ``python -m tests.dates`` (``make test-dates``).

Each date runs in its own pytest process (``--at``, see tests/conftest.py), two at a time; the
table printed at the end is what the closing notes quote. ``python -m tests.dates 2027-11-07T01:30``
runs one chosen moment (local America/Montreal time unless it carries an offset); the whole
suite at a chosen moment is ``.venv/bin/python -m pytest --at 2027-11-07T01:30``.
"""

from __future__ import annotations

import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

# Local times of the community (America/Montreal).
HARD_DATES: tuple[tuple[str, str], ...] = (
    ("2026-12-31T23:30", "New Year's Eve, already 1 January in UTC"),
    ("2028-02-29T12:00", "29 February of a leap year"),
    ("2027-03-14T01:30", "spring forward, before the switch"),
    ("2027-03-14T02:30", "spring forward, a local time that does not exist"),
    ("2027-11-07T01:30", "fall back, an hour that happens twice"),
    ("2027-11-07T02:30", "fall back, after the switch"),
    ("2027-06-30T12:00", "last day of the default cycle"),
    ("2027-07-01T12:00", "first day between cycles"),
    ("2027-08-31T12:00", "last day between cycles"),
    ("2027-09-01T12:00", "first day of a cycle"),
    ("2027-01-03T23:59", "a Sunday at 23:59"),
)

# What depends on "now": the rules and HTTP tests of every feature, download expiry, the
# scheduler's planners, date wording.
DATE_SENSITIVE: tuple[str, ...] = (
    "tests/dialogs/meetings",
    "tests/dialogs/polls",
    "tests/dialogs/presence",
    "tests/dialogs/onboarding",
    "tests/dialogs/topics",
    "tests/dialogs/supervision",
    "tests/dialogs/vitality",
    "tests/dialogs/library",
    "tests/dialogs/notes",
    "tests/dialogs/demo",
    "tests/dialogs/test_cycles.py",
    "tests/dialogs/test_events.py",
    "tests/bot/test_downloads.py",
    "tests/bot/test_scheduler.py",
    "tests/cards/test_dates.py",
)


@dataclass(frozen=True)
class Outcome:
    at: str
    ok: bool
    summary: str
    seconds: float


def run_at(at: str) -> Outcome:
    started = time.monotonic()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--at",
            at,
            *DATE_SENSITIVE,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    summary = lines[-1] if lines else "(no output)"
    if done.returncode != 0:
        failed = [line for line in lines if line.startswith(("FAILED", "ERROR"))]
        why = [line.strip() for line in lines if line.startswith("E ")]
        summary = "; ".join([summary, *failed[:10], *why[:6]])
    return Outcome(at, done.returncode == 0, summary, time.monotonic() - started)


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main(argv: list[str]) -> int:
    moments = argv or [at for at, _ in HARD_DATES]
    why = dict(HARD_DATES)
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(run_at, moments))
    for outcome in outcomes:
        mark = "ok  " if outcome.ok else "FAIL"
        label = why.get(outcome.at, "chosen moment")
        say(f"{mark} {outcome.at}  {outcome.seconds:5.0f} s  {label}: {outcome.summary}")
    failed = sum(not o.ok for o in outcomes)
    say(f"dates: {len(outcomes) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
