"""« Supervision ad hoc » and « Ce que les rencontres laissent »: the figures, computed by hand,
and the small-group rules (threshold 5)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from dialogs.vitality.rules import (
    Figure,
    NotesFacts,
    ReportRequest,
    SupervisionFacts,
    TakeawayFacts,
    VitalityInputs,
    compute_report,
    cycle_starting,
    left_behind,
    short_text,
    supervision,
)

T = 5


def test_enough_requests_show_share_median_and_outcomes() -> None:
    # 11 requests, 6 taken: 6 / 11 = 54,5 %; outcomes 6 taken, 0, 0, 3 expired, 11 - 9 = 2 open.
    found = supervision(
        SupervisionFacts(
            11, 6, 4.5, (("taken", 6), ("offered", 0), ("cancelled", 0), ("expired", 3))
        ),
        T,
    )
    assert found.requests == Figure(11, 11, False)
    assert found.taken_share is not None
    assert found.taken_share.value == 6 / 11
    assert found.median_hours == Figure(4.5, 6, False)
    outcomes = dict(found.outcomes)
    assert list(outcomes) == ["taken", "offered", "cancelled", "expired", "open"]
    assert outcomes["taken"] == Figure(6, 6, False)
    assert outcomes["offered"] == Figure(0, 0, False)
    # 3 expired and 2 open are each small, but 5 together: hidden, nothing more.
    assert outcomes["expired"] == Figure(None, 3, True)
    assert outcomes["open"] == Figure(None, 2, True)


def test_fewer_requests_than_the_threshold_hide_everything_but_that() -> None:
    found = supervision(SupervisionFacts(4, 4, 2.0, (("taken", 4),)), T)
    assert found.requests == Figure(None, 4, True)
    assert (found.taken_share, found.median_hours, found.outcomes) == (None, None, ())


def test_the_median_needs_threshold_taken_requests() -> None:
    # 8 requests, 3 taken: the share (on 8) is shown, the median (on 3) is not.
    found = supervision(SupervisionFacts(8, 3, 30.0, (("taken", 3), ("expired", 5))), T)
    assert found.taken_share == Figure(3 / 8, 8, False)
    assert found.median_hours == Figure(None, 3, True)
    # 3 taken alone could be recovered from 8 − 5 − 0 − 0 − 0: the zeros do not help, so the
    # other cells are hidden too (complementary suppression).
    assert all(f.suppressed for _, f in found.outcomes)
    assert dict(found.outcomes)["taken"].complement is False
    assert dict(found.outcomes)["expired"].complement is True


def test_no_request_is_zero_not_hidden() -> None:
    found = supervision(SupervisionFacts(0, 0, None, ()), T)
    assert found.requests == Figure(0, 0, False)
    assert found.outcomes == ()


def _notes(takeaways: int, texts: tuple[TakeawayFacts, ...] = ()) -> NotesFacts:
    return NotesFacts(
        meetings=5,
        meetings_with_notes=4,
        meetings_with_takeaways=2,
        takeaways=takeaways,
        follow_ups=6,
        follow_ups_done=4,
        texts=texts,
    )


def _texts(n: int) -> tuple[TakeawayFacts, ...]:
    days = [date(2025, 9, 18), date(2025, 11, 20), date(2026, 1, 22)]
    return tuple(TakeawayFacts(f"r{i % 3}", days[i % 3], f"texte {i}") for i in range(n))


def test_meetings_are_not_people_takeaways_are() -> None:
    found = left_behind(_notes(7, _texts(7)), T)
    assert (found.meetings.value, found.meetings_with_notes.value) == (5, 4)
    assert found.takeaways == Figure(7, 7, False)
    assert found.meetings_with_takeaways.value == 2
    assert found.follow_ups.value == 6
    assert found.follow_ups_done == Figure(4, 6, False)
    # The newest meeting first (22 January: texts 2 and 5), then 20 November (text 1).
    assert [t.text for t in found.recent] == ["texte 2", "texte 5", "texte 1"]


def test_few_takeaways_hide_their_count_their_meetings_and_their_texts() -> None:
    found = left_behind(_notes(4, _texts(4)), T)
    assert found.takeaways == Figure(None, 4, True)
    assert found.meetings_with_takeaways.suppressed
    assert found.meetings_with_takeaways.value is None
    assert found.recent == ()
    assert found.meetings_with_notes.value == 4  # meetings are still shown


def test_follow_ups_done_need_threshold_follow_ups() -> None:
    found = left_behind(replace(_notes(0), follow_ups=3, follow_ups_done=1), T)
    assert found.follow_ups == Figure(3)
    assert found.follow_ups_done == Figure(None, 3, True)
    assert found.takeaways == Figure(0, 0, False)
    assert found.recent == ()


def test_long_takeaways_are_cut_at_a_word() -> None:
    assert short_text("  court\n texte ") == "court texte"
    text = ("mot " * 50).strip()  # 199 characters
    cut = short_text(text)
    assert len(cut) <= 140
    assert cut.endswith("mot…")
    assert short_text("a" * 200) == "a" * 139 + "…"


def test_a_committee_s_report_leaves_them_to_the_whole_cdep() -> None:
    inputs = VitalityInputs(
        meetings=(), supervision=SupervisionFacts(6, 6, 1.0), notes=_notes(7, _texts(7))
    )
    whole = compute_report(inputs, ReportRequest(cycle_starting(2025)), date(2026, 3, 1), T)
    assert whole.supervision is not None
    assert whole.left_behind is not None
    assert {"supervision", "notes"} <= whole.sources
    one = compute_report(inputs, ReportRequest(cycle_starting(2025), "ch"), date(2026, 3, 1), T)
    assert one.supervision is None
    assert one.left_behind is None
    assert {"supervision", "notes"} <= one.sources
    missing = compute_report(
        VitalityInputs(), ReportRequest(cycle_starting(2025)), date(2026, 3, 1), T
    )
    assert missing.supervision is None
    assert "supervision" not in missing.sources
