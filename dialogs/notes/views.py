"""Notes records → card views, and the sections the notes add to a meeting card."""

from __future__ import annotations

from collections.abc import Sequence

from cards.dates import day_month_year
from cards.i18n import Translator, choose_locale
from cards.meetings import CardSection, SectionLine
from cards.notes import (
    ArchiveLine,
    ArchiveView,
    Choice,
    FindingLine,
    FollowUpInput,
    FollowUpLine,
    LinkLine,
    NotesForm,
    NotesView,
)
from dialogs.meetings.queries import MeetingRef, to_ref
from dialogs.notes import meetings, rules
from dialogs.notes.repositories import notes_repository
from dialogs.turn import Services
from storage.meeting_repository import Meeting
from storage.notes_repository import MeetingNotes


def member_translator(services: Services, locale: str) -> Translator:
    return Translator(choose_locale(locale, services.profile.current.default_locale))


def day_text(iso_day: str, t: Translator) -> str:
    parsed = rules.parse_day(iso_day)
    return day_month_year(parsed, t) if parsed else ""


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.lstrip("-•* ").strip() for line in text.split("\n") if line.strip())


# Beyond this many people, the form lists the meeting's people rather than the whole roster.
ROSTER_LISTED_MAX = 40


def blank_rows(rows: Sequence[FollowUpInput], people: int) -> tuple[FollowUpInput, ...]:
    """The follow-up rows and empty ones to add some (rules.rows_for)."""
    wanted = rules.rows_for(len(rows), people)
    return (*rows, *(FollowUpInput("", "", "", "") for _ in range(wanted - len(rows))))


async def form_people(
    services: Services, meeting: MeetingRef, caller: tuple[str, str], named: Sequence[str]
) -> list[meetings.Person]:
    """Who the form offers for a follow-up: the roster's current members and the animateurs
    (the meeting's people when the roster is long), the caller, and those already named."""
    also = [caller, *[(key, await meetings.name_of(services, key)) for key in named if key]]
    people = await meetings.people(services, *also)
    if len(people) > ROSTER_LISTED_MAX:
        people = await meetings.meeting_people(services, meeting, *also)
    return people


async def notes_form(
    services: Services,
    meeting: MeetingRef,
    t: Translator,
    caller: tuple[str, str],
    notes: MeetingNotes | None = None,
    draft: rules.Draft | None = None,
    problem: str = "",
    findings: tuple[FindingLine, ...] = (),
) -> NotesForm:
    """The form with the stored notes, or with the draft sent back (a problem, the guard)."""
    if draft is not None:
        values = (draft.key_points, draft.decisions, draft.resources)
        rows = [FollowUpInput(r.id, r.text, r.member_key, r.due_on) for r in draft.rows]
    elif notes is not None:
        values = (notes.key_points, notes.decisions, "\n".join(notes.resources))
        rows = [FollowUpInput(f.id, f.text, f.member_key, f.due_on) for f in notes.follow_ups]
    else:
        values, rows = ("", "", ""), []
    people = await form_people(services, meeting, caller, [r.member_key for r in rows])
    rows = [
        FollowUpInput(
            r.id, r.text, rules.member_token(r.member_key) if r.member_key else "", r.due_on
        )
        for r in rows
    ]
    return NotesForm(
        meeting_id=meeting.id,
        heading=meetings.heading(meeting, services, t),
        key_points=values[0],
        decisions=values[1],
        resources=values[2],
        rows=blank_rows(rows, len(people)),
        members=tuple(Choice(p.name, rules.member_token(p.key)) for p in people),
        problem=problem,
        findings=findings,
    )


async def notes_view(
    services: Services,
    meeting: MeetingRef,
    t: Translator,
    *,
    can_edit: bool,
    notice: str = "",
) -> NotesView:
    repository = notes_repository(services)
    notes = await repository.get(meeting.id)
    takeaways = await repository.takeaways(meeting.id)
    follow_ups: tuple[FollowUpLine, ...] = ()
    resources: tuple[LinkLine, ...] = ()
    if notes is not None:
        follow_ups = tuple(
            [
                FollowUpLine(
                    f.text,
                    await meetings.name_of(services, f.member_key),
                    day_text(f.due_on, t),
                    f.done,
                )
                for f in notes.follow_ups
            ]
        )
        resources = tuple(LinkLine(*rules.split_link(line)) for line in notes.resources)
    return NotesView(
        meeting_id=meeting.id,
        heading=meetings.heading(meeting, services, t),
        has_notes=notes is not None,
        key_points=_lines(notes.key_points) if notes else (),
        decisions=_lines(notes.decisions) if notes else (),
        follow_ups=follow_ups,
        resources=resources,
        takeaways=tuple(takeaways),
        can_edit=can_edit,
        notice=notice,
    )


async def archive_view(
    services: Services,
    listed: Sequence[MeetingRef],
    t: Translator,
    title: str,
    intro: str = "",
    numbers: Sequence[int] = (),
) -> ArchiveView:
    repository = notes_repository(services)
    with_notes = {n.id for n in await repository.all()}
    counts = {k: len(v) for k, v in (await repository.all_takeaways()).items()}
    return ArchiveView(
        title=title,
        intro=intro,
        lines=tuple(
            ArchiveLine(
                meeting_id=m.id,
                number=numbers[i] if i < len(numbers) else i + 1,
                heading=meetings.heading(m, services, t),
                has_notes=m.id in with_notes,
                takeaways=counts.get(m.id, 0),
            )
            for i, m in enumerate(listed)
        ),
    )


async def card_sections(services: Services, meeting: Meeting, t: Translator) -> list[CardSection]:
    """Under a meeting card's agenda, once the meeting is over: « Ce qu'on retient » (the
    first lines and the resources of the notes) and the presenters' resources from the
    library."""
    now = services.clock()
    if meeting.status == "cancelled" or meeting.ends_at > now:
        return []
    sections: list[CardSection] = []
    notes = await notes_repository(services).get(meeting.id)
    if notes is not None:
        lines = [
            SectionLine(t("notes.section.decision", text=text) if kind == "decision" else text)
            for kind, text in rules.summary_lines(notes.key_points, notes.decisions)
        ]
        for line in notes.resources[: rules.RESOURCES_MAX]:
            title, url = rules.split_link(line)
            lines.append(SectionLine(title, url))
        day = meeting.starts_at.astimezone(services.timezone).date().isoformat()
        lines.append(SectionLine(t("notes.section.more", day=day)))
        sections.append(CardSection(t("notes.section.retained"), tuple(lines)))
    shared = await meetings.presenters_resources(services, to_ref(meeting, now), now)
    if shared:
        sections.append(
            CardSection(
                t("notes.section.presenters"),
                tuple(SectionLine(r.title, r.url) for r in shared),
            )
        )
    return sections
