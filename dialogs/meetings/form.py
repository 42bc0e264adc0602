"""The planning form: what it shows (Annexe C template, an existing meeting, or what was typed)
and how its data (untrusted) becomes a :class:`rules.PlanInput`."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from cards.i18n import Translator
from cards.meetings import FORM_BLANK_ROWS, FORM_MAX_ROWS, FormRow, FormView, kind_label
from dialogs.meetings import rules
from dialogs.turn import DomainError
from storage.community import CommunityProfile
from storage.meeting_repository import AgendaEntry, Meeting

MEETING_ID = re.compile(r"^[a-f0-9]{12}$")
SOURCE = re.compile(r"^(topic|case):[A-Za-z0-9_.:-]{1,80}$")
# An edited agenda may hold more lines than the form offers to add (topics placed from the bank).
MAX_ROWS = rules.MAX_AGENDA_ITEMS
FIELDS = (
    "title",
    "committees",
    "day",
    "start",
    "end",
    "mode",
    "venue",
    "place",
    "join_url",
    "general_objective",
    "specific_objectives",
    "remind_unanswered",
    "remind_coming",
)
_MAX_INPUT = 4000


def new_meeting_id() -> str:
    return secrets.token_hex(6)


def checked_meeting_id(data: Mapping[str, Any]) -> str:
    meeting_id = data.get("meeting_id")
    if not isinstance(meeting_id, str) or not MEETING_ID.match(meeting_id):
        raise DomainError("errors.bad_card_data")
    return meeting_id


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key, "")
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(int(value))
    if not isinstance(value, str):
        raise DomainError("errors.bad_card_data")
    return value[:_MAX_INPUT]


def row_count(data: Mapping[str, Any]) -> int:
    rows = data.get("rows", 0)
    if isinstance(rows, str) and rows.isdigit():
        rows = int(rows)
    if not isinstance(rows, int) or isinstance(rows, bool) or not 0 <= rows <= MAX_ROWS:
        raise DomainError("errors.bad_card_data")
    return rows


def sources_of(data: Mapping[str, Any]) -> dict[str, str]:
    """Row number -> ``topic:<id>`` / ``case:<id>``: which lines came from the topic bank."""
    sources = data.get("sources") or {}
    if not isinstance(sources, Mapping):
        raise DomainError("errors.bad_card_data")
    checked = {}
    for number, source in sources.items():
        if not (isinstance(number, str) and number.isdigit() and isinstance(source, str)):
            raise DomainError("errors.bad_card_data")
        if not SOURCE.match(source):
            raise DomainError("errors.bad_card_data")
        checked[number] = source
    return checked


def values_of(data: Mapping[str, Any]) -> dict[str, str]:
    return {name: _text(data, name) for name in FIELDS}


def rows_of(data: Mapping[str, Any], count: int) -> list[FormRow]:
    return [
        FormRow(
            number=n,
            start=_text(data, f"a_{n}_start"),
            end=_text(data, f"a_{n}_end"),
            kind=_text(data, f"a_{n}_kind") or "autre",
            title=_text(data, f"a_{n}_title"),
            presenter=_text(data, f"a_{n}_presenter"),
        )
        for n in range(1, count + 1)
    ]


def plan_input(data: Mapping[str, Any]) -> rules.PlanInput:
    """The form's data as typed. Raises DomainError on data no card could have sent."""
    values = values_of(data)
    count = row_count(data)
    sources = sources_of(data)
    agenda = []
    for row in rows_of(data, count):
        source, _, source_id = sources.get(str(row.number), "").partition(":")
        agenda.append(
            rules.AgendaRowInput(
                start=row.start,
                end=row.end,
                kind=row.kind,
                title=row.title,
                presenter=row.presenter,
                source=source,
                source_id=source_id,
            )
        )
    return rules.PlanInput(
        title=values["title"],
        committee_ids=tuple(c for c in values["committees"].split(",") if c.strip()),
        day=values["day"],
        start=values["start"],
        end=values["end"],
        mode=values["mode"],
        venue=values["venue"],
        place=values["place"],
        join_url=values["join_url"],
        general_objective=values["general_objective"],
        specific_objectives=values["specific_objectives"],
        remind_unanswered=values["remind_unanswered"],
        remind_coming=values["remind_coming"],
        agenda=tuple(agenda),
    )


def _rows_from_agenda(
    agenda: Sequence[AgendaEntry], t: Translator, blanks: int
) -> tuple[list[FormRow], dict[str, str]]:
    rows, sources = [], {}
    for n, entry in enumerate(agenda, start=1):
        rows.append(
            FormRow(
                number=n,
                start=entry.start,
                end=entry.end,
                kind=entry.kind,
                title=entry.title or kind_label(entry.kind, t),
                presenter=entry.presenter,
            )
        )
        if entry.source and entry.source_id:
            sources[str(n)] = f"{entry.source}:{entry.source_id}"
    start = len(rows) + 1
    blanks = min(blanks, max(FORM_MAX_ROWS - len(rows), 0))
    rows += [FormRow(number=n) for n in range(start, start + blanks)]
    return rows, sources


def _profile_choices(profile: CommunityProfile, t: Translator) -> dict[str, Any]:
    return {
        "committees": [(c.id, c.name.get(t.locale)) for c in profile.committees],
        "venues": [v.name for v in profile.venues],
    }


def new_form(
    profile: CommunityProfile, t: Translator, agenda: Sequence[AgendaEntry], general: str
) -> FormView:
    """A blank plan pre-filled from Annexe C: 9 h–16 h, the template day, the community's
    general objective, the default reminders."""
    rows, sources = _rows_from_agenda(agenda, t, FORM_BLANK_ROWS)
    choices = _profile_choices(profile, t)
    return FormView(
        meeting_id=new_meeting_id(),
        editing=False,
        committees=choices["committees"],
        venues=choices["venues"],
        values={
            "start": rules.hhmm(rules.DEFAULT_START),
            "end": rules.hhmm(rules.DEFAULT_END),
            "general_objective": general,
            "remind_unanswered": str(rules.DEFAULT_REMIND_UNANSWERED),
            "remind_coming": str(rules.DEFAULT_REMIND_COMING),
        },
        rows=rows,
        sources=sources,
        notice=t("meetings.form.template_notice"),
    )


def edit_form(
    profile: CommunityProfile,
    t: Translator,
    meeting: Meeting,
    agenda: Sequence[AgendaEntry],
    local_day: str,
    local_start: str,
    local_end: str,
) -> FormView:
    rows, sources = _rows_from_agenda(agenda, t, FORM_BLANK_ROWS)
    choices = _profile_choices(profile, t)
    venue = meeting.place if meeting.place in choices["venues"] else ""
    return FormView(
        meeting_id=meeting.id,
        editing=True,
        committees=choices["committees"],
        venues=choices["venues"],
        values={
            "title": meeting.title,
            "committees": ",".join(meeting.committee_ids),
            "day": local_day,
            "start": local_start,
            "end": local_end,
            "mode": meeting.mode,
            "venue": venue,
            "place": "" if venue else meeting.place,
            "join_url": meeting.join_url,
            "general_objective": meeting.general_objective,
            "specific_objectives": "\n".join(meeting.specific_objectives),
            "remind_unanswered": str(meeting.remind_unanswered_days),
            "remind_coming": str(meeting.remind_coming_days),
        },
        rows=rows,
        sources=sources,
    )


def typed_form(
    profile: CommunityProfile,
    t: Translator,
    data: Mapping[str, Any],
    *,
    meeting_id: str,
    editing: bool,
    rows: int,
    errors: Sequence[str] = (),
) -> FormView:
    """The form again with what was typed (after an error, or to add lines)."""
    choices = _profile_choices(profile, t)
    return FormView(
        meeting_id=meeting_id,
        editing=editing,
        committees=choices["committees"],
        venues=choices["venues"],
        values=values_of(data),
        rows=rows_of(data, rows),
        sources=sources_of(data),
        errors=errors,
    )


def problem_texts(problems: Sequence[rules.Problem], t: Translator) -> list[str]:
    return [t(f"meetings.error.{p.code}", row=p.row) for p in problems]
